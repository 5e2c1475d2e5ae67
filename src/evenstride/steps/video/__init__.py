# SPDX-License-Identifier: MIT
"""Treadmill or phone video → per-side running kinematics (issue 16).

Chain: probe/decode (:mod:`evenstride.io.video`) → 2D pose per frame (:mod:`._pose`, mediapipe,
optional extra ``[video]``) → cleaning (:mod:`._clean`) → view, leg length, foot contacts
(:mod:`._gait`) → per-step metrics per side → :class:`~evenstride.datatypes.Activity`
(:mod:`._to_activity`), judged by :func:`evenstride.pipeline.analyze` like any per-step source.
The landmark → metric formulas (:mod:`._geometry`) need no pose model.

>>> from evenstride.steps.video import MIN_FPS, MIN_STEPS_PER_SIDE
>>> MIN_FPS, MIN_STEPS_PER_SIDE
(25.0, 10)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evenstride.datatypes import Activity
from evenstride.exceptions import NotEnoughDataError, UnsupportedActivityError, UserInputError
from evenstride.io.video import VideoInfo, iter_frames, probe_video
from evenstride.steps.video import _geometry as geometry
from evenstride.steps.video._clean import clean, cutoff_hz
from evenstride.steps.video._gait import (
    MIN_FPS,
    MIN_PERSON_SHARE,
    MIN_STEPS_PER_SIDE,
    TIMING_FPS,
    VideoGait,
    check_running,
    detect_view,
    gait_from_keypoints,
)
from evenstride.steps.video._pose import (
    KEYPOINTS,
    KP,
    NUM_POSES,
    PoseSeries,
    estimate_pose,
    model_provenance,
    read_pose_json,
    scout_step,
)
from evenstride.steps.video._to_activity import (
    GRADES,
    SRC_VIDEO,
    per_step_values,
    video_activity,
)

__all__ = [
    "GRADES",
    "KEYPOINTS",
    "KP",
    "MIN_FPS",
    "MIN_STEPS_PER_SIDE",
    "SRC_VIDEO",
    "TIMING_FPS",
    "PoseSeries",
    "VideoAnalysis",
    "VideoGait",
    "analyze_pose",
    "analyze_video",
    "clean",
    "cutoff_hz",
    "detect_view",
    "estimate_pose",
    "gait_from_keypoints",
    "geometry",
    "model_provenance",
    "per_step_values",
    "pose_from_video",
    "read_pose_json",
    "scout_step",
    "video_activity",
]

VIEWS = ("side", "rear", "front")


@dataclass
class VideoAnalysis:
    """Everything the video chain found (the activity goes to the run pipeline)."""

    activity: Activity
    pose: PoseSeries
    keypoints: np.ndarray
    gait: VideoGait
    info: VideoInfo | None
    summary: dict[str, Any] = field(default_factory=dict)


def pose_from_video(path: str | os.PathLike[str], *, min_fps: float = MIN_FPS) -> tuple[
        VideoInfo, PoseSeries]:
    """Probe, check the frame rate, decode and run the pose model over every frame with up to
    :data:`NUM_POSES` people per frame and the runner's track (``estimate_pose``).

    Not the faster "scout, then track one" path (``estimate_pose`` with ``rewind``): on the
    real treadmill clip its tracked crop draws the far leg over the stance leg, reading the far
    knee at mid-stance 16° low and making a +9.4° left−right knee difference that neither the
    several-people path (−1.7°) nor the clip's independent RTMPose landmarks (−1.1°) show
    (docs/steps.md). A true value before speed."""
    info = probe_video(path)
    if info.fps < min_fps:
        raise UnsupportedActivityError(
            f"frame rate {info.fps:.1f} fps is too low: need at least {min_fps:.0f} fps "
            "(a running stance lasts about 0.2 s)", path=str(path))
    pose = estimate_pose(iter_frames(path), fps=info.fps, width=info.width,
                         height=info.height, path=str(path), num_poses=NUM_POSES)
    return info, pose


def analyze_pose(pose: PoseSeries, *, view: str | None = None, path: str | None = None,
                 info: VideoInfo | None = None) -> VideoAnalysis:
    """Cleaning → view → contacts → checks → per-step activity of a pose series."""
    if view is not None and view not in VIEWS:
        raise UserInputError(f"unknown view {view!r} (side, rear or front)", path=path)
    has_person = np.isfinite(pose.xy[:, KP["l_hip"], 0]) | np.isfinite(pose.xy[:, KP["r_hip"], 0])
    share = float(has_person.mean()) if pose.n_frames else 0.0
    if share == 0.0:
        raise UnsupportedActivityError("no person found in the video", path=path)
    if share < MIN_PERSON_SHARE:
        raise UnsupportedActivityError(
            f"a person is found in only {100 * share:.0f} % of the frames (need "
            f"{100 * MIN_PERSON_SHARE:.0f} %): film the runner whole, from the side or behind",
            path=path)
    xy, cleaning = clean(pose)
    gait = gait_from_keypoints(xy, pose.score, pose.fps, view=view, path=path)
    people = dict(pose.extra.get("people") or {})
    if people.get("max_people_in_a_frame") is not None:
        gait.extra["max_people_in_a_frame"] = people["max_people_in_a_frame"]
    clip = check_running(gait, pose.fps, path=path)
    duration = pose.n_frames / pose.fps
    used = int(has_person.sum())
    summary: dict[str, Any] = {
        "video": None if info is None else info.to_dict(),
        "frames_used": used,
        "pose_model": pose.model,
        "people": people,
        "view": gait.view,
        "view_detected": view is None,
        "runner_faces": None if gait.view != "side" else (
            "image-right" if gait.fwd > 0 else "image-left"),
        "leg_length_px": round(gait.leg_px, 1),
        "stride_period_s": round(gait.stride_s, 4),
        "cadence_spm": round(clip["cadence_spm"], 2),
        "duty_factor": round(clip["duty_factor"], 3),
        "steps_per_side": {s: len(gait.sides[s]) for s in ("left", "right")},
        "cleaning": cleaning,
        "timing_indicative": pose.fps < TIMING_FPS,
        "duration_s": round(duration, 3),
        "grades": {k: {"grade": g, "why": why} for k, (g, why) in GRADES.items()},
    }
    notes = []
    if pose.fps < TIMING_FPS:
        notes.append(f"contact and flight times are indicative at {pose.fps:.0f} fps (one frame "
                     f"= {1000 / pose.fps:.0f} ms); film at 120 fps or more for timing")
    if gait.view != "side":
        notes.append("knee frontal projection angle from a 2D rear/front view is graded low: "
                     "it agrees poorly with 3D knee kinematics in running")
    act = video_activity(gait, fps=pose.fps, path=path,
                         extra={"video": summary}, warnings=notes)
    return VideoAnalysis(act, pose, xy, gait, info, summary)


def analyze_video(path: str | os.PathLike[str], *, view: str | None = None) -> VideoAnalysis:
    """The whole chain for a video file (refusals are one-line :class:`UserInputError`)."""
    info, pose = pose_from_video(path)
    try:
        return analyze_pose(pose, view=view, path=str(path), info=info)
    except NotEnoughDataError:
        raise
