# SPDX-License-Identifier: MIT
"""Landmark → metric geometry vs 3D lab markers projected through a virtual camera (issue 16).

No pose model: the Fukuchi RBDS001 joint centres are projected into 2D keypoints with pixel
noise (``fukuchi_projection.py``) and run through the video chain; the angles at the marker
contacts are compared with the same angles from the 3D markers. Numbers: docs/steps.md "Video".
"""

from __future__ import annotations

import numpy as np
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
    # the left − right difference (what the engine judges) within 1.5° / 1 % leg; the stance
    # peak of the knee within 2°: perspective alone (the far leg ≈ 0.2 m deeper) puts ≈ 0.9°
    # into its L − R without noise, and the peak of a noisy trace adds 0.3–1.6° (seeds 0–4)
    for k in SAGITTAL_DEG:
        tol = 2.0 if k == "knee_flexion_mid" else 1.5
        assert abs(r[k]["lr_video"] - r[k]["lr_3d"]) <= tol, (k, r[k])
    assert abs(r["foot_ahead_ic"]["lr_video"] - r["foot_ahead_ic"]["lr_3d"]) <= 1.0


def test_30_fps_is_worse_at_contact(truth):
    """At 30 fps the 7.5 Hz low-pass blunts the fast knee/shank motion at contact: a bias of
    ≈ 0.8–1.1°; every sagittal measure within the issue's 2° / 2 % leg. Read by a straight
    chord between frames (before the cubic read-out) knee flexion at IC was +1.68° / 2.18° MAE,
    the shank −1.39° / 1.47°."""
    r = agreement(truth, 30.0, 0.01, seed=0)
    for k in SAGITTAL_DEG:
        assert r[k]["mae"] <= 2.0, (k, r[k])
    assert abs(r["knee_flexion_ic"]["bias"]) <= 1.3 and abs(r["shank_angle_ic"]["bias"]) <= 1.1
    assert r["foot_ahead_ic"]["mae"] <= 2.0
    r0 = agreement(truth, 60.0, 0.01, seed=0)
    assert r["knee_flexion_ic"]["mae"] > r0["knee_flexion_ic"]["mae"]


def test_pelvic_drop_from_a_rear_camera_is_noise_limited(truth):
    """Exact without noise; with 1 % leg pixel noise on two hips a pelvis-width apart each step's
    value is off by ≈ 2.5° (mean), larger than typical drop asymmetries."""
    r = agreement(truth, 60.0, 0.01, seed=0)
    assert 1.0 <= r["pelvic_drop"]["mae"] <= 3.5


def test_side_view_contacts_match_marker_events(truth):
    """The whole chain on the projected keypoints (30 fps, 1 % leg noise): every marker contact
    found, IC within 15 ms on average (Zeni heel-forward rule + its lab offset), cadence within
    0.5 steps/min."""
    from .fukuchi_projection import contact_agreement

    r = contact_agreement(truth, "side", 30.0, 0.01)
    assert r["matched_ic"] == r["n_ref"] == 76
    assert abs(r["ic_bias_ms"]) <= 15.0 and r["ic_sd_ms"] <= 15.0, r
    assert abs(r["tc_bias_ms"]) <= 50.0, r
    assert abs(r["cadence_video"] - r["cadence_markers"]) <= 0.5


@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_rear_view_contacts_are_centred_on_the_pelvis_low_point(truth, fps):
    """Seen from behind, the stance foot sinks in the image as it comes toward the camera, so the
    foot band put IC +76 ms and TC +95 ms late (30 fps; 73–75 of 76 contacts matched). Centred
    on the pelvis's lowest point with the band's duration: every contact matched, IC and TC
    within 30 ms on average."""
    from .fukuchi_projection import contact_agreement

    r = contact_agreement(truth, "rear", fps, 0.01)
    assert r["matched_ic"] == r["n_ref"] == 76
    assert abs(r["ic_bias_ms"]) <= 30.0 and r["ic_sd_ms"] <= 20.0, r
    assert abs(r["tc_bias_ms"]) <= 30.0 and r["tc_sd_ms"] <= 20.0, r


def test_rear_view_gives_frontal_channels_and_the_cadence(truth):
    from evenstride import consts

    from .fukuchi_projection import contact_agreement

    r = contact_agreement(truth, "rear", 30.0, 0.01)
    assert abs(r["cadence_video"] - r["cadence_markers"]) <= 0.5
    act = r["analysis"].activity
    metrics = {c.metric for c in act.sided}
    assert {consts.M_PELVIC_DROP_DEG, consts.M_KNEE_FPPA_DEG,
            consts.M_STEP_WIDTH_PCT_LEG} <= metrics
    assert consts.M_SHANK_ANGLE_IC_DEG not in metrics  # sagittal angles need a side view
    width = act.channel(consts.M_STEP_WIDTH_PCT_LEG)
    assert width is not None and width.left is not None
    # a runner's step width is a few cm: a few % of leg length, not tens
    assert 0.0 < float(np.nanmedian(width.left)) < 20.0



def test_rear_view_pelvic_drop_is_read_at_mid_stance(truth):
    """Rear-view foot contacts are late (perspective), so pelvic drop is read at the pelvis's
    lowest point instead: each side's median within 1° of the 3D value at the marker
    mid-stance (30 fps, 1 % leg noise). Read at the middle of the late foot contacts it was
    ≈ −1.7° against +3.5° (wrong sign)."""
    from evenstride.steps.video import per_step_values

    from .fukuchi_projection import contact_agreement, truth_values

    va = contact_agreement(truth, "rear", 30.0, 0.01)["analysis"]
    video = per_step_values(va.gait)["pelvic_drop_deg"]
    ref = truth_values(truth)["pelvic_drop"]
    for side in ("left", "right"):
        assert abs(np.nanmedian(video[side]) - np.nanmedian(ref[side])) <= 1.0, side


def test_whole_chain_midstance_knee_is_the_stance_peak(truth):
    """The product's own reading (video contacts, ``per_step_values``), not only the formula at
    marker times: mid-stance knee flexion = the peak between IC and TC, each side's median
    within 2° of the 3D peak in the marker stance (≈ 38° for this runner at 2.5 m/s; the lab's
    processed curve, RBDS001processed.txt, peaks at 41.8°). Read when the heel passed under the
    hip (≈ 25 % of stance, the knee still flexing) it was 17.9° / 23.1°."""
    from evenstride.steps.video import per_step_values

    from .fukuchi_projection import contact_agreement, truth_values

    va = contact_agreement(truth, "side", 30.0, 0.01)["analysis"]
    vals = per_step_values(va.gait)
    ref = truth_values(truth)
    for side in ("left", "right"):
        mid = float(np.nanmedian(vals["knee_flexion_midstance_deg"][side]))
        assert 30.0 <= mid <= 50.0, (side, mid)
        assert abs(mid - float(np.nanmedian(ref["knee_flexion_mid"][side]))) <= 2.0, side
        ic = float(np.nanmedian(vals["knee_flexion_ic_deg"][side]))
        assert abs(ic - float(np.nanmedian(ref["knee_flexion_ic"][side]))) <= 2.5, side
