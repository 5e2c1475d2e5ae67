# SPDX-License-Identifier: MIT
"""RBDS marker kinematics against a synthetic ground truth with different, known left and right
angles: the runner, its mirror image (left and right swapped across the sagittal plane) and the
same runner in a lab with the medio-lateral axis reversed. A side or sign error in any metric
(hip adduction, knee flexion, shank angle, pelvic drop, foot ahead of the pelvis) fails here.

The uncalibrated definitions are in :mod:`evenstride.steps._kinematics`; hip adduction is relative
to the pelvis as measured (issue 10: the trial-mean obliquity used to be removed from the pelvis
only, which flipped RBDS001's hip adduction L − R against the dataset's processed curves)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_marker_ground_truth import CONTACT, FOOT, STRIDE, _trial

from evenstride.io import MarkerData
from evenstride.steps._kinematics import ic_kinematics

T_LEFT = 0.35
#: Planted truth per side (degrees / mm): thigh sagittal angle, its frontal angle (+ = distal end
#: medial), shank sagittal angle, extra forward heel position.
TRUTH = {
    "left": {"thigh": 20.0, "thigh_frontal": 8.0, "shank": 10.0, "heel_mm": 30.0},
    "right": {"thigh": 22.0, "thigh_frontal": 5.0, "shank": 6.0, "heel_mm": 0.0},
}
#: Pelvic obliquity (left ASIS higher = +) = BETA + A cos(φ) + B cos(2φ), φ = 0 at left
#: mid-stance: mean BETA; centred value +A+B at left mid-stance and −A+B at right mid-stance.
BETA, A, B = 2.0, 3.0, 1.0
PELVIS_WIDTH_MM = 240.0


def _obliquity_deg(t: np.ndarray) -> np.ndarray:
    phi = 2 * np.pi * (t - (T_LEFT + CONTACT / 2)) / STRIDE
    return BETA + A * np.cos(phi) + B * np.cos(2 * phi)


def _runner() -> MarkerData:
    md, _ = _trial(t_left=T_LEFT)
    t = md.time_s
    m = dict(md.markers)
    obl = np.radians(_obliquity_deg(t))
    for side, z0 in (("left", -100.0), ("right", 100.0)):
        p = "L." if side == "left" else "R."
        tr = TRUTH[side]
        medial_z = -np.sign(z0)  # toward the other leg
        for name in FOOT:  # the whole foot, so that its pitch (the events) is unchanged
            m[p + name] = m[p + name] + np.array([tr["heel_mm"], 0.0, 0.0])
        for seg, top_y, length, sag, front in (
            ("Thigh", 850.0, 300.0, tr["thigh"], tr["thigh_frontal"]),
            ("Shank", 450.0, 250.0, tr["shank"], 0.0),
        ):
            down = np.array([np.tan(np.radians(sag)), -1.0, medial_z * np.tan(np.radians(front))])
            top = np.array([0.0, top_y, z0])
            bottom = top + length * down / np.linalg.norm(down)
            for end, c in (("Top", top), ("Bottom", bottom)):
                for face, dz in (("Lateral", -medial_z * 40.0), ("Medial", medial_z * 10.0)):
                    m[f"{p}{seg}.{end}.{face}"] = np.tile(c + np.array([0.0, 0.0, dz]), (len(t), 1))
    half = PELVIS_WIDTH_MM / 2
    dy = half * np.tan(obl)  # left up by +dy, right down by dy
    for side, sgn in (("L.", -1.0), ("R.", 1.0)):
        y = 1000.0 - sgn * dy
        m[side + "ASIS"] = np.column_stack([np.full_like(t, 100.0), y, np.full_like(t, sgn * half)])
        m[side + "PSIS"] = np.column_stack([np.full_like(t, -100.0), y, np.full_like(t, sgn * 50)])
    return MarkerData("synthetic.txt", md.fs_hz, t, m)


def _mirror(md: MarkerData) -> MarkerData:
    """The mirror-image runner: reflected across the sagittal plane, so the left leg is now
    the right one."""
    swap = {"L.": "R.", "R.": "L."}
    return MarkerData(md.path, md.fs_hz, md.time_s, {
        swap[k[:2]] + k[2:]: v * np.array([1.0, 1.0, -1.0]) for k, v in md.markers.items()
    })


def _flip_lab_z(md: MarkerData) -> MarkerData:
    """The same runner in a lab whose medio-lateral axis points the other way."""
    return MarkerData(md.path, md.fs_hz, md.time_s,
                      {k: v * np.array([1.0, 1.0, -1.0]) for k, v in md.markers.items()})


def _expected() -> dict[str, dict[str, float]]:
    out = {}
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        tr = TRUTH[side]
        t_ic = T_LEFT + (0.0 if side == "left" else STRIDE / 2)
        out[side] = {
            "shank_angle_ic_deg": tr["shank"],
            "knee_flexion_ic_deg": tr["thigh"] - tr["shank"],
            "hip_adduction_ic_deg": tr["thigh_frontal"]
            + sgn * float(_obliquity_deg(np.array(t_ic))),
            "pelvic_drop_deg": A + sgn * B,
        }
    return out


def _kin(md: MarkerData):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # marker-only events: the validation-runner warning
        return ic_kinematics(md)


@pytest.fixture(scope="module")
def runner():
    md = _runner()
    return md, _kin(md)


def test_each_side_gets_its_own_planted_angles(runner) -> None:
    md, k = runner
    exp = _expected()
    for side in ("left", "right"):
        assert k.n_contacts[side] >= 25
        for name, val in exp[side].items():
            assert k.mean[side][name] == pytest.approx(val, abs=0.3), (side, name)
    # planted L − R: hip adduction +3° + 2 × obliquity at IC (> 0), knee −6°, shank +4°,
    # pelvic drop +2B, heel 30 mm further ahead on the left
    heel = {  # heel ahead of the PSIS (X = −100 mm) at the planted IC times
        s: float(np.interp(T_LEFT + (0.0 if s == "left" else STRIDE / 2), md.time_s,
                           md.markers[p + "Heel.Bottom"][:, 0])) + 100.0
        for s, p in (("left", "L."), ("right", "R."))
    }
    for s in ("left", "right"):
        assert k.mean[s]["foot_ahead_mm"] == pytest.approx(heel[s], abs=1.0)
    assert heel["left"] - heel["right"] > 25.0  # the planted 30 mm dominates
    assert k.diff_l_minus_r["pelvic_drop_deg"] == pytest.approx(2 * B, abs=0.3)
    assert k.diff_l_minus_r["knee_flexion_ic_deg"] == pytest.approx(-6.0, abs=0.3)
    for side in ("left", "right"):
        ps = k.per_step[side]
        assert np.all(ps["hip_adduction_peak_deg"] >= ps["hip_adduction_ic_deg"] - 1e-9)


@pytest.mark.parametrize("transform", ["mirror", "lab_z_reversed"])
def test_mirrored_runner_swaps_sides_and_a_reversed_lab_axis_changes_nothing(
    runner, transform: str
) -> None:
    md, k = runner
    if transform == "mirror":
        km = _kin(_mirror(md))
        pairs = {"left": "right", "right": "left"}
    else:
        km = _kin(_flip_lab_z(md))
        pairs = {"left": "left", "right": "right"}
    # the pelvis oscillation is not mirror-symmetric in time, so compare the planted parts:
    # every per-side value moves with its leg
    for name in ("shank_angle_ic_deg", "knee_flexion_ic_deg", "foot_ahead_mm"):
        for s, o in pairs.items():
            assert km.mean[o][name] == pytest.approx(k.mean[s][name], abs=0.3), (name, s)
    if transform == "lab_z_reversed":
        for name in ("hip_adduction_ic_deg", "pelvic_drop_deg"):
            for s in ("left", "right"):
                assert km.mean[s][name] == pytest.approx(k.mean[s][name], abs=1e-6)
    else:
        # the mirror image's pelvis: right ASIS higher by the same angle; its thigh frontal
        # angles are the original's, swapped
        for s, o in pairs.items():
            sgn = 1.0 if o == "left" else -1.0
            t_ic = T_LEFT + (0.0 if s == "left" else STRIDE / 2)  # the leg keeps its times
            want = TRUTH[s]["thigh_frontal"] - sgn * float(_obliquity_deg(np.array(t_ic)))
            assert km.mean[o]["hip_adduction_ic_deg"] == pytest.approx(want, abs=0.3)
