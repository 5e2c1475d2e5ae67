# SPDX-License-Identifier: MIT
"""Marker-only maths against a synthetic ground truth (review): a rigid 5-marker foot whose pitch
rate has its troughs exactly at the planted IC and TC, carried by a treadmill belt; marker gaps;
a Z-up lab (RBDS marker names); static-calibrated shank/knee angles of known size."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride import consts
from evenstride.exceptions import ParseError
from evenstride.io import MarkerData, read_forces, read_markers
from evenstride.steps import force_step_metrics as step_metrics
from evenstride.steps import marker_contacts
from evenstride.steps._kinematics import contact_kinematics, ic_kinematics
from evenstride.steps._markers import marker_layout
from evenstride.steps._static_calibration import calibrated_kinematics

STRIDE, CONTACT, BELT = 0.72, 0.26, 3.0
FOOT = {  # foot-frame offsets (forward, up, lateral), mm
    "Heel.Bottom": (-80.0, -10.0, 0.0),
    "Heel.Top": (-90.0, 40.0, 0.0),
    "Heel.Lateral": (-70.0, 10.0, 40.0),
    "MT1": (100.0, 0.0, -30.0),
    "MT5": (80.0, 0.0, 40.0),
}


def _g(x: np.ndarray, s: float) -> np.ndarray:
    return np.exp(-0.5 * (x / s) ** 2)


def _trial(fs: float = 150.0, dur: float = 20.0, t_left: float = 0.35):
    """Y up, +X forward. Pitch rate (toe up +): troughs at IC and TC, a mid-swing peak; the foot
    moves back at the belt speed in stance. Returns the markers and the planted IC times."""
    t = np.arange(int(dur * fs)) / fs
    markers: dict[str, np.ndarray] = {}
    truth = {}
    for side, t0, z0 in (("left", t_left, -100.0), ("right", t_left + STRIDE / 2, 100.0)):
        ph = (t - t0) % STRIDE

        def wrap(d: np.ndarray) -> np.ndarray:
            return (d + STRIDE / 2) % STRIDE - STRIDE / 2

        s1, s2 = 0.012, 0.06
        rate = (-6.0 * _g(wrap(ph), s1) - 9.0 * _g(wrap(ph - CONTACT), s1)
                + 15.0 * s1 / s2 * _g(wrap(ph - (CONTACT + STRIDE) / 2), s2))  # rad/s
        th = np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1])) / fs))
        swing = (ph - CONTACT) / (STRIDE - CONTACT)
        half = BELT * CONTACT * 500.0
        x = np.where(ph < CONTACT, half - BELT * 1000.0 * ph,
                     -half + 2 * half * 0.5 * (1 - np.cos(np.pi * swing)))
        y = np.where(ph < CONTACT, 190.0, 190.0 + 150.0 * np.sin(np.pi * swing) ** 2)
        c, s = np.cos(th), np.sin(th)
        for name, (fx, fy, fz) in FOOT.items():
            lz = fz if side == "right" else -fz
            markers[("L." if side == "left" else "R.") + name] = np.column_stack(
                [x + c * fx - s * fy, y + s * fx + c * fy, np.full_like(t, z0 + lz)]
            )
        ic = t0 + STRIDE * np.arange(-1, int(dur / STRIDE) + 2)
        truth[side] = ic[(ic >= 0) & (ic <= dur)]
    for name, xo, z in (("L.PSIS", -100, -50), ("R.PSIS", -100, 50),
                        ("L.ASIS", 100, -120), ("R.ASIS", 100, 120)):
        markers[name] = np.column_stack(
            [np.full_like(t, xo), 1000.0 + 30 * np.sin(4 * np.pi * t / STRIDE), np.full_like(t, z)]
        )
    return MarkerData("synthetic.txt", fs, t, markers), truth


def _z_up(md: MarkerData) -> MarkerData:
    """The same trial in a Z-up lab whose belt runs along Y (X → Y, Y → Z, Z → X)."""
    return MarkerData(md.path, md.fs_hz, md.time_s,
                      {k: v[:, [2, 0, 1]] for k, v in md.markers.items()})


def _check(ev, truth: dict[str, np.ndarray], md: MarkerData) -> None:
    for s in ("left", "right"):
        m = ev.side == s
        ic_true = truth[s]
        # every contact at least a stride away from the ends of the trial is found
        inner = ic_true[(ic_true > md.time_s[0] + STRIDE) & (ic_true < md.time_s[-1] - STRIDE)]
        assert m.sum() >= len(inner)
        near = ic_true[np.argmin(np.abs(ev.ic_s[m][:, None] - ic_true[None, :]), axis=1)]
        assert np.max(np.abs(ev.ic_s[m] - near)) < 1e-3
        assert np.max(np.abs(ev.tc_s[m] - (near + CONTACT))) < 1e-3


@pytest.mark.parametrize("fs", [100.0, 150.0, 250.0])
@pytest.mark.parametrize("lab", ["y_up", "z_up", "starts_mid_stance"])
def test_foot_pitch_events_recover_planted_contacts(fs: float, lab: str) -> None:
    md, truth = _trial(fs=fs, t_left=-0.1 if lab == "starts_mid_stance" else 0.35)
    if lab == "z_up":
        md = _z_up(md)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean trial: no warning at all
        ev = marker_contacts(md)
    _check(ev, truth, md)
    assert ev.n_alternating == len(ev.ic_s) - 1
    assert ev.speed_m_s == pytest.approx(BELT, abs=0.01)
    lay = marker_layout(md)
    assert lay.up.tolist() == ([0, 0, 1] if lab == "z_up" else [0, 1, 0])
    assert lay.forward.tolist() == ([0, 1, 0] if lab == "z_up" else [1, 0, 0])


def test_a_long_gap_in_one_foot_marker_keeps_the_stride() -> None:
    """Review fix: the rigid fit used only frames with every foot marker, so MT1 missing for
    0.5 s (longer than the 0.1 s that is interpolated) dropped the strides around it although
    four markers remained."""
    md, truth = _trial()
    full = marker_contacts(md)
    mk = dict(md.markers)
    x = mk["L.MT1"].copy()
    x[int(5.0 * md.fs_hz) : int(5.5 * md.fs_hz)] = np.nan
    mk["L.MT1"] = x
    gappy = MarkerData(md.path, md.fs_hz, md.time_s, mk)
    ev = marker_contacts(gappy)
    assert ev.per_side == full.per_side
    _check(ev, truth, gappy)


def test_foot_never_complete_is_a_one_line_error() -> None:
    md, _ = _trial()
    mk = dict(md.markers)
    n = len(md.time_s)
    for k, name in enumerate(FOOT):  # one of the five right markers always missing (> 0.1 s)
        x = mk["R." + name].copy()
        x[(np.arange(n) // 20) % 5 == k] = np.nan
        mk["R." + name] = x
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was a RuntimeWarning, then a ValueError from np.interp
        with pytest.raises(ParseError, match="right foot markers") as e:
            marker_contacts(MarkerData(md.path, md.fs_hz, md.time_s, mk))
    assert "\n" not in str(e.value) and "synthetic.txt" in str(e.value)


def test_static_calibration_recovers_known_angles() -> None:
    """Shank and thigh clusters rotated about the pitch axis by known angles (ankle ahead of the
    knee = + shank angle; knee flexion = thigh − shank angle)."""
    md, _ = _trial()
    t = md.time_s
    run = dict(md.markers)
    static: dict[str, np.ndarray] = {}

    def rot(a: float) -> np.ndarray:  # about +Z = forward × up: a downward vector swings forward
        return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])

    thigh_deg = 20 * np.sin(2 * np.pi * t / STRIDE)
    shank_deg = 10 + 15 * np.cos(2 * np.pi * t / STRIDE)
    for p, z in (("L", -100.0), ("R", 100.0)):
        hip, knee, ankle = (np.array([0.0, h, z]) for h in (900.0, 500.0, 80.0))
        knee_w, ankle_w = np.array([0.0, 0.0, 50.0]), np.array([0.0, 0.0, 35.0])
        static.update({f"{p}_hip": hip, f"{p}_lat_knee": knee + knee_w,
                       f"{p}_med_knee": knee - knee_w, f"{p}_lat_ankle": ankle + ankle_w,
                       f"{p}_med_ankle": ankle - ankle_w})
        knee_run = np.stack([hip + rot(np.radians(a)) @ (knee - hip) for a in thigh_deg])
        for k, d in enumerate(([40, -150, 70], [-40, -150, 70], [40, -280, 80], [-30, -300, 70])):
            static[f"{p}_thigh_{k + 1}"] = hip + d
            run[f"{p}_thigh_{k + 1}"] = np.stack([hip + rot(np.radians(a)) @ d for a in thigh_deg])
        for k, d in enumerate(([30, -100, 60], [-30, -100, 60], [30, -200, 70], [-30, -220, 60])):
            static[f"{p}_shank_{k + 1}"] = knee + d
            run[f"{p}_shank_{k + 1}"] = np.stack(
                [kr + rot(np.radians(a)) @ d for kr, a in zip(knee_run, shank_deg, strict=True)]
            )
    st = MarkerData("static.c3d", 150.0, np.zeros(1), {k: v[None, :] for k, v in static.items()})
    rmd = MarkerData("run.c3d", md.fs_hz, t, run)
    ic = np.arange(1, 12) * 0.55
    side = np.where(np.arange(11) % 2 == 0, "left", "right")
    for lab_md in (rmd, _z_up(rmd)):
        kin, standing = calibrated_kinematics(lab_md, st if lab_md is rmd else _z_up(st),
                                              marker_layout(lab_md), ic, side)
        assert np.allclose(kin[consts.M_SHANK_ANGLE_IC_DEG], np.interp(ic, t, shank_deg))
        assert np.allclose(kin[consts.M_KNEE_FLEXION_IC_DEG],
                           np.interp(ic, t, thigh_deg - shank_deg))
        assert all(abs(v) < 1e-9 for v in standing.values())


@pytest.fixture(scope="module")
def rbds001() -> Path:
    d = shared_data_dir() / "fukuchi-bmc-ric"
    if not (d / "RBDS001runT25markers.txt").is_file():
        pytest.skip(f"Fukuchi files not found in {d}")
    return d


def test_z_up_lab_gives_the_same_kinematics_and_sides(rbds001: Path) -> None:
    """Review fix: the RBDS kinematics and the force path's side votes read X as the belt and Y
    as up. The RBDS001 trial turned Z-up gave shank 4° instead of 12° and knee flexion −4°
    instead of 14° at IC, and with the belt along +Y every force contact got the wrong side
    (with full "side consistency")."""
    md = read_markers(rbds001 / "RBDS001runT25markers.txt")
    fd = read_forces(rbds001 / "RBDS001runT25forces.txt", mass_kg=62.0)
    zup = _z_up(md)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = step_metrics(fd, md, 62.0), step_metrics(fd, zup, 62.0)
        ev = marker_contacts(md)
        k_y = contact_kinematics(md, ev.ic_s, ev.tc_s, ev.side)
        k_z = contact_kinematics(zup, ev.ic_s, ev.tc_s, ev.side)
    assert (a.side == b.side).all()
    assert set(k_y) == set(k_z) and len(k_y) == 6
    for metric, v in k_y.items():
        assert np.allclose(v, k_z[metric], equal_nan=True), metric


def test_ic_kinematics_on_another_marker_set_is_a_one_line_error() -> None:
    """Review fix: a foot-only (or RIC cluster) file raised a bare KeyError."""
    md, _ = _trial()
    with pytest.raises(ParseError, match="RBDS running marker set") as e:
        ic_kinematics(md)
    assert "\n" not in str(e.value) and "synthetic.txt" in str(e.value)
