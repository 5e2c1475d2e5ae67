# SPDX-License-Identifier: MIT
"""Picking the runner among several people (issue 16): the Tasks PoseLandmarker bundle built
from the wheel's model files, frame-to-frame tracks, and the largest, most central track."""

from __future__ import annotations

import hashlib
import zipfile

import numpy as np
import pytest

from evenstride.steps.video._pose import BUNDLE_SHA256, MODEL_SHA256, track_people

from .conftest import clip

W, H, FPS = 1280, 720, 30.0


def _person(cx: float, cy: float, w: float, h: float, vis: float = 0.9) -> np.ndarray:
    """33 landmarks spread over a (w × h) box centred on (cx, cy)."""
    rng = np.random.default_rng(int(cx + 7 * cy))
    lm = np.zeros((33, 3))
    lm[:, 0] = cx + w * (rng.random(33) - 0.5)
    lm[:, 1] = cy + h * (rng.random(33) - 0.5)
    lm[[0, 1], 0], lm[[0, 1], 1] = [cx - w / 2, cx + w / 2], [cy - h / 2, cy + h / 2]
    lm[:, 2] = vis
    return lm


def test_the_large_central_person_is_followed_through_a_crossing_and_a_dropout():
    """A runner near the centre (order in the model's list changing), a smaller bystander
    walking across in front of it, and a frame where the runner is missed: one track per person,
    and the runner's is chosen in every frame it is seen."""
    people, truth = [], []
    for i in range(90):
        runner = _person(640 + 20 * np.sin(i / 5), 400, 160, 360)
        walker = _person(100 + 12 * i, 450, 90, 200)  # crosses the runner around frame 45
        if i == 30:
            frame, idx = [walker], -1
        elif i % 2:
            frame, idx = [walker, runner], 1
        else:
            frame, idx = [runner, walker], 0
        people.append(frame)
        truth.append(idx)
    chosen, info = track_people(people, W, H, FPS)
    assert chosen.tolist() == truth
    assert info["max_people_in_a_frame"] == 2 and info["runner_frames"] == 89
    assert info["tracks"] == 2


def test_presence_counts_a_large_person_seen_briefly_loses_to_the_runner():
    """A large person walking close past the camera for 10 frames has the largest box but not
    the largest size × centrality summed over the clip."""
    people = []
    for i in range(120):
        frame = [_person(660, 380, 120, 300)]
        if 50 <= i < 60:
            frame.insert(0, _person(300 + 40 * (i - 50), 360, 400, 700))
        people.append(frame)
    chosen, _info = track_people(people, W, H, FPS)
    assert (chosen[50:60] == 1).all() and (chosen[:50] == 0).all() and (chosen[60:] == 0).all()


def test_a_flat_phantom_is_not_a_person():
    """A detection wider than tall (the landmark model 'finding' a body in foliage: hato72 a1)
    is dropped, however large; the upright runner is chosen."""
    people = [[_person(640, 150, 600, 210, vis=0.45), _person(400, 500, 140, 170)]
              for _ in range(60)]
    chosen, info = track_people(people, W, H, FPS)
    assert (chosen == 1).all()
    assert info["not_upright_dropped"] == 60 and info["max_people_in_a_frame"] == 1


def test_no_one_seen():
    chosen, info = track_people([[] for _ in range(10)], W, H, FPS)
    assert (chosen == -1).all() and info["max_people_in_a_frame"] == 0


def test_bundle_is_built_from_the_wheel_and_cached_by_sha(tmp_path, monkeypatch):
    pytest.importorskip("mediapipe")
    from evenstride.steps.video import _pose

    monkeypatch.setenv("EVENSTRIDE_CACHE_DIR", str(tmp_path))
    p = _pose.task_bundle()
    assert p.parent == tmp_path
    assert p.name == ("pose_landmarker_full_"
                      f"{MODEL_SHA256['pose_landmark_full.tflite'][:12]}_"
                      f"{MODEL_SHA256['pose_detection.tflite'][:12]}.task")
    with zipfile.ZipFile(p) as z:
        assert sorted(z.namelist()) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
        # the models plus their normalisation metadata, not other weights
        assert len(z.read("pose_landmarks_detector.tflite")) > 6_000_000
    stamp = p.stat().st_mtime_ns
    assert _pose.task_bundle() == p and p.stat().st_mtime_ns == stamp  # cached, not rebuilt
    # byte-reproducible: the sha256 recorded in docs/steps.md
    assert hashlib.sha256(p.read_bytes()).hexdigest() == BUNDLE_SHA256


def test_a_failed_bundle_build_falls_back_to_one_person_with_a_warning(tmp_path, monkeypatch):
    pytest.importorskip("mediapipe")
    from evenstride.steps.video import _pose

    def broken() -> None:
        raise OSError("read-only cache")

    monkeypatch.setattr(_pose, "task_bundle", broken)
    frames = [np.full((96, 128, 3), 90, np.uint8) for _ in range(3)]
    from evenstride.exceptions import EvenstrideWarning

    with pytest.warns(EvenstrideWarning, match="could not build the multi-person pose bundle"):
        pose = _pose.estimate_pose(iter(frames), fps=30.0, width=128, height=96)
    assert "solutions.pose" in pose.model and pose.extra["people"]["backend"] == "solutions"
    assert pose.n_frames == 3


@pytest.mark.shared_data
@pytest.mark.slow
def test_sprint_clip_follows_the_sprinter_not_a_phantom():
    """hato72 a1 (one sprinter on a track, trees behind): the landmark model also returns a
    flattened 'body' in the trees in 120 frames; the followed person is the sprinter, low in
    the image on the track (y > 380 px of 720) and upright."""
    pytest.importorskip("mediapipe")
    from evenstride.steps.video import KP, pose_from_video

    _info, pose = pose_from_video(clip("video-running/hato72_a1_sprint_start_side.mp4"))
    people = pose.extra["people"]
    assert people["backend"] == "tasks" and people["not_upright_dropped"] >= 60
    seen = np.isfinite(pose.xy[:, KP["l_hip"], 1])
    assert seen.sum() >= 30
    assert float(np.nanmin(pose.xy[seen][:, KP["l_hip"], 1])) > 380


def test_the_same_body_found_twice_is_one_person():
    """The detector's second box on a person already tracked (IoU 0.82–0.98 on the shared
    clips) is not a second person: one person counted, the more visible copy kept."""
    people = []
    for i in range(40):
        a = _person(500 + 3 * i, 400, 150, 300, vis=0.7)
        frame = [a]
        if i % 10 == 0:
            b = a.copy()
            b[:, :2] += 4.0
            b[:, 2] = 0.9
            frame = [a, b]
        people.append(frame)
    chosen, info = track_people(people, W, H, FPS)
    assert info["max_people_in_a_frame"] == 1 and info["duplicates_dropped"] == 4
    assert info["tracks"] == 1
    assert all(chosen[i] == (1 if i % 10 == 0 else 0) for i in range(40))


def test_the_report_says_who_was_analysed_among_several(treadmill_analysis):
    """The HTML section names the selection when several people were in view, and warns on the
    one-person fallback."""
    from evenstride.report.video import video_section_html
    from evenstride.services.video import video_block

    block = video_block(treadmill_analysis)
    block["people"] = {"backend": "tasks", "max_people_in_a_frame": 3, "runner_frames": 300}
    html = video_section_html(treadmill_analysis, block)
    assert "Up to 3 people in a frame" in html and "tracked over 300 frames" in html
    block["people"] = {"backend": "solutions"}
    assert "One-person pose fallback" in video_section_html(treadmill_analysis, block)
