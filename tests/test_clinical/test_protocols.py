# SPDX-License-Identifier: MIT
"""Protocols as data and every refusal path of :func:`validate`."""

from datetime import date

import pytest

from evenstride.clinical.models import TARGETS
from evenstride.clinical.protocols import PROTOCOLS, normalised_value, validate
from evenstride.exceptions import UserInputError

EXPECTED = {
    "single_hop", "triple_hop", "crossover_hop", "timed_hop_6m", "single_leg_squat",
    "calf_raise", "single_leg_bridge", "side_plank", "hhd_hip_abduction", "hhd_hip_adduction",
    "hhd_knee_extension", "hhd_knee_flexion", "hhd_ankle_plantarflexion", "knee_to_wall",
    "hip_internal_rotation", "y_balance",
}


def test_all_protocols_present_with_citation_and_evidence():
    assert set(PROTOCOLS) == EXPECTED
    for p in PROTOCOLS.values():
        assert p.citation and p.evidence.sources and p.evidence.grade in "VSU"
        assert p.valid_range[0] < p.valid_range[1]
    assert PROTOCOLS["timed_hop_6m"].lower_is_better
    assert not any(p.lower_is_better for k, p in PROTOCOLS.items() if k != "timed_hop_6m")


def test_protocol_targets_cover_every_protocol():
    from evenstride.clinical.assess import PROTOCOL_TARGETS, SYMPTOM_REGION_TARGETS

    assert set(PROTOCOL_TARGETS) == EXPECTED
    for targets, why in list(PROTOCOL_TARGETS.values()) + list(SYMPTOM_REGION_TARGETS.values()):
        assert targets and set(targets) <= set(TARGETS) and why


def test_valid_result():
    r = validate("single_hop", "left", 150, when=date(2024, 3, 1), note="best of 3")
    assert (r.protocol, r.side, r.value, r.unit, r.when) == (
        "single_hop", "left", 150.0, "cm", date(2024, 3, 1))


def test_hhd_torque_normalisation():
    r = validate("hhd_knee_extension", "right", 400, lever_arm_m=0.4, body_mass_kg=80)
    assert r.extra["torque_nm_per_kg"] == pytest.approx(2.0)  # 400 × 0.4 / 80
    assert normalised_value(r) == pytest.approx(2.0)
    bare = validate("hhd_knee_extension", "right", 400, lever_arm_m=0.4)
    assert "torque_nm_per_kg" not in bare.extra
    assert normalised_value(bare) is None
    assert normalised_value(bare, body_mass_kg=50) == pytest.approx(3.2)


def test_ybalance_composite():
    r = validate("y_balance", "left", 70, posteromedial_cm=110, posterolateral_cm=100,
                 limb_length_cm=100)
    assert r.extra["composite_pct"] == pytest.approx(93.33)  # 280 / 300 × 100


def test_squat_needs_quality():
    assert validate("single_leg_squat", "left", 12, quality=7).extra == {"quality": 7.0}


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        (("nordic_curl", "left", 5), {}, "unknown test protocol 'nordic_curl'"),
        (("single_hop", "both", 150), {}, "done per side"),
        (("single_hop", "none", 150), {}, "done per side"),
        (("single_hop", "middle", 150), {}, "side must be left or right"),
        (("single_hop", "left", -20), {}, "negative value"),
        (("triple_hop", "left", -1), {}, "negative value"),
        (("single_hop", "left", 2000), {}, "outside the possible range"),
        (("timed_hop_6m", "left", 400), {}, "outside the possible range"),
        (("timed_hop_6m", "left", 0.5), {}, "outside the possible range"),
        (("single_hop", "left", float("nan")), {}, "finite"),
        (("single_hop", "left", "far"), {}, "must be a number"),
        (("calf_raise", "left", 20.5), {}, "whole number"),
        (("knee_to_wall", "left", 40), {}, "outside the possible range"),
        (("hip_internal_rotation", "left", 120), {}, "outside the possible range"),
        (("y_balance", "left", 70), {"posteromedial_cm": 100, "posterolateral_cm": 95},
         "limb length"),
        (("y_balance", "left", 70), {"limb_length_cm": 90}, "needs posteromedial_cm"),
        (("y_balance", "left", 70), {"posteromedial_cm": 100, "posterolateral_cm": 95,
                                     "limb_length_cm": 20}, "limb_length_cm = 20"),
        (("single_leg_squat", "left", 10), {}, "needs quality"),
        (("single_leg_squat", "left", 10), {"quality": 11}, "quality = 11"),
        (("hhd_hip_abduction", "left", 200), {"lever_arm_m": 8}, "lever_arm_m = 8"),
        (("hhd_hip_abduction", "left", 200), {"torque": 3}, "unknown extra 'torque'"),
        (("hhd_hip_abduction", "left", 0), {}, "outside the possible range"),
        (("single_hop", "left", 150), {"quality": 5}, "unknown extra"),
    ],
)
def test_refusals(args, kw, match):
    with pytest.raises(UserInputError, match=match) as ei:
        validate(*args, **kw)
    assert "\n" not in str(ei.value)
