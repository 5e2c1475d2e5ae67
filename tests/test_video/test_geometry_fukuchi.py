# SPDX-License-Identifier: MIT
"""Landmark → metric geometry vs 3D lab markers projected through a virtual camera (issue 16).

No pose model: the Fukuchi RBDS001 joint centres are projected into 2D keypoints with pixel
noise (``fukuchi_projection.py``) and run through the video chain; the angles at the marker
contacts are compared with the same angles from the 3D markers. Numbers: docs/steps.md "Video".
"""

from __future__ import annotations

import pytest

from conftest import shared_data_dir

from .fukuchi_projection import agreement, load_truth

pytestmark = pytest.mark.shared_data

SAGITTAL_DEG = ("shank_angle_ic", "knee_flexion_ic", "knee_flexion_mid")


@pytest.fixture(scope="module")
def truth():
    root = shared_data_dir() / "fukuchi-bmc-ric"
    if not (root / "RBDS001runT25markers.txt").is_file():
        pytest.skip("Fukuchi RBDS001 markers not found")
    return load_truth(root)


def test_noise_free_projection_reproduces_3d_values(truth):
    """Perspective and out-of-plane motion alone: within 1° and 0.5 % leg at 60 fps."""
    r = agreement(truth, 60.0, 0.0)
    for k in SAGITTAL_DEG:
        assert r[k]["n"] >= 70 and r[k]["mae"] <= 1.0, (k, r[k])
    assert r["foot_ahead_ic"]["mae"] <= 0.5
    assert r["pelvic_drop"]["mae"] <= 0.3


def test_sagittal_agreement_with_pixel_noise_60_fps(truth):
    """Issue aim: ≤ 2° and ≤ 2 % of leg length for the sagittal measures."""
    r = agreement(truth, 60.0, 0.01, seed=0)
    for k in SAGITTAL_DEG:
        assert r[k]["mae"] <= 2.0 and abs(r[k]["bias"]) <= 1.0, (k, r[k])
    assert r["foot_ahead_ic"]["mae"] <= 2.0 and abs(r["foot_ahead_ic"]["bias"]) <= 1.0
    # the left − right difference (what the engine judges) within 1.5° / 1 % leg
    for k in SAGITTAL_DEG:
        assert abs(r[k]["lr_video"] - r[k]["lr_3d"]) <= 1.5, (k, r[k])
    assert abs(r["foot_ahead_ic"]["lr_video"] - r["foot_ahead_ic"]["lr_3d"]) <= 1.0


def test_30_fps_is_worse_at_contact(truth):
    """At 30 fps the 7.5 Hz low-pass blunts the fast knee/shank motion at contact: a bias of
    ≈ 1.3–1.7°; still within 2.5° MAE and 2 % leg."""
    r = agreement(truth, 30.0, 0.01, seed=0)
    for k in SAGITTAL_DEG:
        assert r[k]["mae"] <= 2.5, (k, r[k])
    assert r["foot_ahead_ic"]["mae"] <= 2.0
    r0 = agreement(truth, 60.0, 0.01, seed=0)
    assert r["knee_flexion_ic"]["mae"] > r0["knee_flexion_ic"]["mae"]


def test_pelvic_drop_from_a_rear_camera_is_noise_limited(truth):
    """Exact without noise; with 1 % leg pixel noise on two hips a pelvis-width apart each step's
    value is off by ≈ 2.5° (mean), larger than typical drop asymmetries."""
    r = agreement(truth, 60.0, 0.01, seed=0)
    assert 1.0 <= r["pelvic_drop"]["mae"] <= 3.5
