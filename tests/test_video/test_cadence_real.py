# SPDX-License-Identifier: MIT
"""Cadence on real running footage (issue 16 validation).

The treadmill clip's cadence, 168.9 ± 0.5 steps/min, was measured from raw pixels without any
pose model (frame-difference and silhouette-centroid spectra; groundtruth.json beside the clip),
so it is independent of the code under test. Both our pose model's landmarks and the upstream
RTMPose landmarks (``pose.json``) must give it within ±2 steps/min.
"""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import TREADMILL, TREADMILL_CADENCE_SPM, clip

pytestmark = pytest.mark.shared_data


def test_probe_reports_fps_resolution_and_duration():
    pytest.importorskip("cv2")
    from evenstride.io.video import probe_video

    info = probe_video(clip(TREADMILL))
    assert info.fps == pytest.approx(30.0)
    assert (info.width, info.height) == (720, 1280)
    assert info.n_frames == 360
    assert info.duration_s == pytest.approx(12.0)
    assert info.codec == "h264"


@pytest.mark.slow
def test_cadence_from_our_pose_model_within_2_spm(treadmill_analysis):
    s = treadmill_analysis.summary
    assert abs(s["cadence_spm"] - TREADMILL_CADENCE_SPM) <= 2.0, s["cadence_spm"]
    # ≈ 17 strides per foot in 12 s; a whole missed or doubled stance would show here
    assert 15 <= s["steps_per_side"]["left"] <= 18
    assert 15 <= s["steps_per_side"]["right"] <= 18
    assert s["view"] == "side" and s["runner_faces"] == "image-left"
    assert s["frames_used"] == 360


@pytest.mark.slow
def test_contacts_alternate_and_contact_time_is_plausible(treadmill_analysis):
    g = treadmill_analysis.gait
    ics = np.concatenate([g.sides["left"].ic_s, g.sides["right"].ic_s])
    side = np.r_[np.zeros(len(g.sides["left"].ic_s)), np.ones(len(g.sides["right"].ic_s))]
    order = side[np.argsort(ics)]
    alternating = float(np.mean(np.diff(order) != 0))
    assert alternating >= 0.9
    # groundtruth.json: literature band for contact time at ≈ 170 steps/min, 180–320 ms
    ct = np.concatenate([g.sides[s].tc_s - g.sides[s].ic_s for s in ("left", "right")])
    assert 0.17 <= float(np.median(ct)) <= 0.32
    # duty factor band 25–48 % (same file)
    assert 0.25 <= treadmill_analysis.summary["duty_factor"] <= 0.48


def test_cadence_from_upstream_rtmpose_landmarks_within_2_spm():
    """The same chain on another model's landmarks (no pose model needed)."""
    from evenstride.steps.video import analyze_pose, read_pose_json

    p = clip(TREADMILL).with_name("zzzhushi_male_side_treadmill.pose.json")
    va = analyze_pose(read_pose_json(p), path=str(p))
    assert abs(va.summary["cadence_spm"] - TREADMILL_CADENCE_SPM) <= 2.0
    assert va.summary["view"] == "side"
