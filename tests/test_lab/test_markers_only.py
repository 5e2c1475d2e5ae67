# SPDX-License-Identifier: MIT
"""Marker-only events (no force plate): foot-pitch events vs force events on RBDS001 (both
speeds), detection on RBDS032 (markers only) and the Running Injury Clinic cluster files, the
markers-only activity, and the static-calibrated RIC knee/shank angles."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride import consts
from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io import MarkerData, c3d_forces, c3d_markers, read_c3d, read_forces, read_markers
from evenstride.steps import (
    SRC_MARKERS,
    event_agreement,
    foot_pitch_events,
    marker_contacts,
    marker_layout,
    read_markers_only_trial,
)
from evenstride.steps import (
    force_step_metrics as step_metrics,
)
from evenstride.steps._markers import marker_side
from evenstride.steps._static_calibration import calibrated_kinematics

MASS = 62.0  # RBDSinfo.txt, RBDS001
RIC = "RIC_20140515T133244_run.c3d"
RIC_OTHERS = ("RIC_20141003T073938_run.c3d", "RIC_20160226T120637_run.c3d")


@pytest.fixture(scope="module")
def fk() -> Path:
    d = shared_data_dir() / "fukuchi-bmc-ric"
    if not (d / RIC).is_file() or not (d / "RBDS001runT35.c3d").is_file():
        pytest.skip(f"Fukuchi/RIC files not found in {d}")
    return d


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


@pytest.fixture(scope="module")
def t25(fk: Path):
    md = read_markers(fk / "RBDS001runT25markers.txt")
    fd = read_forces(fk / "RBDS001runT25forces.txt", mass_kg=MASS)
    return md, step_metrics(fd, md, MASS)


@pytest.fixture(scope="module")
def t35(fk: Path):
    c = read_c3d(fk / "RBDS001runT35.c3d")
    md = c3d_markers(c)
    return md, step_metrics(_quiet(c3d_forces, c, mass_kg=MASS), md, MASS)


@pytest.fixture(scope="module")
def ric(fk: Path) -> MarkerData:
    return c3d_markers(read_c3d(fk / RIC))


@pytest.mark.parametrize(
    ("name", "side", "rest"),
    [
        ("L.Heel.Bottom", "left", "Heel.Bottom"),
        ("R_foot_3", "right", "foot_3"),
        ("left_heel", "left", "heel"),
        ("RIGHT TOE", "right", "TOE"),
        ("LHEE", "left", "HEE"),
        ("RTOE", "right", "TOE"),
        ("pelvis_1", None, "pelvis_1"),
        ("Lateral", None, "Lateral"),
        ("Rearfoot", None, "Rearfoot"),
    ],
)
def test_marker_side_from_name(name, side, rest) -> None:
    assert marker_side(name) == (side, rest)


def test_layout_found_from_the_data(t25, ric) -> None:
    lay = marker_layout(t25[0])  # RBDS: Y up, +X forward (the stance foot moves to −X)
    assert lay.up.tolist() == [0, 1, 0] and lay.forward.tolist() == [1, 0, 0]
    assert "L.MT1" in lay.foot["left"] and "R.Heel.Bottom" in lay.foot["right"]
    assert not any("Ankle" in m or "MT2" in m for m in lay.foot["left"])
    lay = marker_layout(ric)  # RIC: Y up, belt along Z, forward −Z
    assert lay.up.tolist() == [0, 1, 0] and lay.forward.tolist() == [0, 0, -1]
    assert lay.foot == {"left": [f"L_foot_{k}" for k in range(1, 5)],
                        "right": [f"R_foot_{k}" for k in range(1, 5)]}
    assert lay.pelvis == [f"pelvis_{k}" for k in range(1, 5)]


def test_events_do_not_depend_on_the_lab_axes(t25) -> None:
    md = t25[0]
    # a Z-up lab whose belt runs along −Y: X→−Y, Y→Z, Z→X
    rot = {k: np.column_stack([v[:, 2], -v[:, 0], v[:, 1]]) for k, v in md.markers.items()}
    md2 = MarkerData(md.path, md.fs_hz, md.time_s, rot)
    lay = marker_layout(md2)
    assert lay.up.tolist() == [0, 0, 1] and lay.forward.tolist() == [0, -1, 0]
    for s in ("left", "right"):
        a, b = foot_pitch_events(md, s), foot_pitch_events(md2, s, lay)
        assert np.allclose(a[0], b[0], atol=1e-6) and np.allclose(a[1], b[1], atol=1e-6)


@pytest.mark.parametrize("trial", ["t25", "t35"])
def test_foot_pitch_events_agree_with_force(trial, request) -> None:
    """docs/steps.md table: marker − force, both speeds (filters not tuned on either trial; the
    mid-stance split was chosen on 2.5 m/s, the first-trough TC rule after seeing 3.5 m/s)."""
    md, st = request.getfixturevalue(trial)
    ag = event_agreement(st, md, method="foot_pitch")
    for side in ("left", "right"):
        n_force = int(np.sum(st.side == side))
        r = ag[side]
        assert r["ic"]["n"] >= n_force - 1 and r["tc"]["n"] >= n_force - 1
        assert abs(r["ic"]["bias_ms"]) < 7 and r["ic"]["sd_ms"] < 3
        assert -22 < r["tc"]["bias_ms"] < -4 and r["tc"]["sd_ms"] < 6.5
        assert r["contact_time"]["mae_ms"] < 28
    # TC is early at both speeds, less so at 3.5 m/s (a speed-dependent bias, as in Falbriard)
    if trial == "t25":
        assert ag["left"]["tc"]["bias_ms"] == pytest.approx(-20.7, abs=0.5)
        assert ag["left"]["ic"]["bias_ms"] == pytest.approx(5.5, abs=0.5)


def test_marker_only_timing_vs_force_timing(t35) -> None:
    """Contact-time asymmetry from markers alone vs force (3.5 m/s): the side-specific TC bias
    (left −11 ms, right −6 ms) shifts the L − R contact time by about −10 ms."""
    md, st = t35
    ev = marker_contacts(md)
    ct_m = {s: np.median((ev.tc_s - ev.ic_s)[ev.side == s]) for s in ("left", "right")}
    ct_f = {s: np.median((st.tc_s - st.ic_s)[st.side == s]) for s in ("left", "right")}
    d_m = ct_m["left"] - ct_m["right"]
    d_f = ct_f["left"] - ct_f["right"]
    assert -0.016 < d_m - d_f < -0.004
    # step times do not depend on TC: within 2 ms of the force ones
    sm = np.median(np.diff(ev.ic_s))
    sf = np.median(np.diff(st.ic_s))
    assert sm == pytest.approx(sf, abs=0.002)


def test_belt_speed_from_the_stance_foot(t25, t35, fk: Path) -> None:
    assert marker_contacts(t25[0]).speed_m_s == pytest.approx(2.5, abs=0.05)
    assert marker_contacts(t35[0]).speed_m_s == pytest.approx(3.5, abs=0.05)
    # RBDS032 "runT35": the belt under the stance foot moves at 2.5 m/s, not 3.5
    other = marker_contacts(read_markers(fk / "RBDS032runT35markers.txt"))
    assert other.speed_m_s == pytest.approx(2.5, abs=0.05)


def test_rbds032_markers_only(fk: Path) -> None:
    md = read_markers(fk / "RBDS032runT35markers.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvenstrideWarning)
        ev = marker_contacts(md)
    # 30 s at a 0.77 s stride: ≈ 39 per side (the old velocity rule found 15 / 4)
    assert ev.per_side == {"left": 38, "right": 37}
    assert ev.n_alternating == len(ev.ic_s) - 1
    ct = ev.tc_s - ev.ic_s
    for s in ("left", "right"):
        assert 0.25 < np.median(ct[ev.side == s]) < 0.28
    stride = np.median(np.diff(ev.ic_s[ev.side == "left"]))
    assert stride == pytest.approx(0.771, abs=0.01)


@pytest.mark.parametrize("name", [RIC, *RIC_OTHERS])
def test_ric_cluster_files(fk: Path, name: str) -> None:
    md = c3d_markers(read_c3d(fk / name))
    ev = _quiet(marker_contacts, md)
    dur = md.time_s[-1] - md.time_s[0]
    stride = float(np.median(np.diff(ev.ic_s[ev.side == "left"])))
    assert 0.55 < stride < 0.8
    expected = dur / stride
    ct = ev.tc_s - ev.ic_s
    for s in ("left", "right"):
        assert ev.per_side[s] >= 0.8 * expected
        assert 0.2 < np.median(ct[ev.side == s]) < 0.25
    assert ev.speed_m_s is not None and 2.7 < ev.speed_m_s < 3.4


def test_ric_glitchy_right_foot_is_cleaned_and_warned(ric) -> None:
    with pytest.warns(EvenstrideWarning) as rec:
        ev = marker_contacts(ric)
    msgs = [str(w.message) for w in rec]
    assert any("0 left / 7 right marker-only contacts excluded" in m for m in msgs)
    assert any("alternate sides in only 60 of 67" in m for m in msgs)
    assert ev.per_side == {"left": 37, "right": 31}
    ct = ev.tc_s - ev.ic_s
    assert np.all((ct > 0.15) & (ct < 0.3))


def test_missing_foot_markers_give_one_line_error(t25) -> None:
    md = t25[0]
    keep = {k: v for k, v in md.markers.items() if not k.startswith("R.") or "PSIS" in k}
    keep["R.MT1"] = md.markers["R.MT1"]
    with pytest.raises(ParseError, match=r"≥ 3 tracked foot markers per side") as e:
        marker_layout(MarkerData(md.path, md.fs_hz, md.time_s, keep))
    assert "\n" not in str(e.value) and "right: ['R.MT1']" in str(e.value)


def test_markers_only_activity(fk: Path) -> None:
    with pytest.warns(EvenstrideWarning) as rec:
        steps, act = read_markers_only_trial(fk / "RBDS032runT35markers.txt")
    msgs = " | ".join(str(w.message) for w in rec)
    assert "differs from the file name's 3.5" in msgs
    assert "within the method's error" in msgs  # marker-only timing asymmetry caveat
    assert steps.event_source == "markers"
    by = {c.metric: c for c in act.sided}
    for m in (consts.M_CONTACT_TIME, consts.M_STEP_TIME, consts.M_FLIGHT_TIME,
              consts.M_DUTY_FACTOR, consts.M_STEP_LENGTH, consts.M_SHANK_ANGLE_IC_DEG):
        assert by[m].source == SRC_MARKERS
    assert consts.M_PEAK_VGRF_BW not in by and consts.M_VERTICAL_IMPULSE_BW_S not in by
    assert np.nanmedian(by[consts.M_STEP_LENGTH].left) == pytest.approx(0.96, abs=0.05)
    assert act.meta.extra["event_source"] == "markers"
    assert act.meta.sub_sport == "treadmill"
    assert len(act.samples[consts.TIME_S]) >= 35


def test_ric_static_calibrated_kinematics(fk: Path, ric) -> None:
    steps, act = _quiet(read_markers_only_trial, fk / RIC)
    assert steps.extra["kinematics"].startswith("calibrated on the static trial")
    kin = steps.kinematics
    for s in ("left", "right"):
        m = steps.side == s
        assert 5 < np.nanmedian(kin[consts.M_SHANK_ANGLE_IC_DEG][m]) < 12
        assert 8 < np.nanmedian(kin[consts.M_KNEE_FLEXION_IC_DEG][m]) < 16
    standing = steps.extra["standing_angles_deg"]
    assert all(-12 < v < 2 for v in standing.values())
    by = {c.metric: c for c in act.sided}
    assert "static trial" in by[consts.M_KNEE_FLEXION_IC_DEG].origin
    # another runner's RIC file has no static trial beside it: said so, no kinematics
    other, _ = _quiet(read_markers_only_trial, fk / RIC_OTHERS[0])
    assert other.kinematics == {} and "needs the static calibration" in other.extra["kinematics"]
    # a static trial whose clusters do not fit (left/right clusters swapped) is refused
    static = c3d_markers(read_c3d(fk / "RIC_20140515T133244_static.c3d"))
    swapped = {
        (("R" + k[1:]) if k.startswith("L_") else ("L" + k[1:]) if k.startswith("R_") else k): v
        for k, v in static.markers.items()
    }
    bad = MarkerData(static.path, static.fs_hz, static.time_s, swapped)
    with pytest.warns(EvenstrideWarning, match="does not match the static trial"):
        kin2, _ = calibrated_kinematics(ric, bad, marker_layout(ric), steps.ic_s, steps.side)
    assert kin2 == {} or all(np.isnan(v).all() for v in kin2.values())
