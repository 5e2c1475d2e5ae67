# SPDX-License-Identifier: MIT
"""C3D reader and IC kinematics on the Fukuchi 2017 / RIC C3D files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io import c3d_forces, c3d_markers, read_c3d, read_info_mass
from evenstride.steps._kinematics import ic_kinematics

RBDS = "RBDS001runT35.c3d"
RIC = "RIC_20140515T133244_run.c3d"


@pytest.fixture(scope="module")
def fk() -> Path:
    d = shared_data_dir() / "fukuchi-bmc-ric"
    if not (d / RBDS).is_file():
        pytest.skip(f"C3D files not found in {d}")
    return d


@pytest.fixture(scope="module")
def rbds(fk: Path):
    return read_c3d(fk / RBDS)


def test_rbds_contents(rbds) -> None:
    assert rbds.point_rate_hz == 150.0 and rbds.n_frames == 4500
    assert len(rbds.markers) == 32 and "L.Heel.Bottom" in rbds.markers
    assert rbds.analog_rate_hz == 300.0
    assert list(rbds.analog)[:3] == ["F1X", "F1Y", "F1Z"]
    assert all(len(v) == 9000 for v in rbds.analog.values())
    asis_y = np.nanmean(rbds.markers["L.ASIS"][:, 1])
    assert 800 < asis_y < 1200  # mm, Y vertical


def test_ric_markers_only(fk: Path) -> None:
    c = read_c3d(fk / RIC)
    assert c.point_rate_hz == 200.0 and c.n_frames == 5000
    assert len(c.markers) == 28 and "pelvis_1" in c.markers and not c.analog


def test_forces_kn_and_contacts(fk: Path, rbds) -> None:
    mass = read_info_mass(fk / "RBDSinfo.txt", "RBDS001runT35forces.txt")
    with pytest.warns(EvenstrideWarning, match="kN"):
        fd = c3d_forces(rbds, mass_kg=mass)
    assert fd.scale_applied == 1000.0
    peak_bw = np.percentile(fd.vertical, 99) / (mass * 9.80665)
    assert 2.0 < peak_bw < 3.5
    k = ic_kinematics(c3d_markers(rbds), fd, leg_length_mm=0.53 * 1810)
    n = k.n_contacts["left"] + k.n_contacts["right"]
    assert 80 <= n <= 90 and abs(k.n_contacts["left"] - k.n_contacts["right"]) <= 1
    for s in ("left", "right"):
        m = k.mean[s]
        assert 0 < m["shank_angle_ic_deg"] < 25  # cluster axis, see _kinematics docstring
        assert 100 < m["foot_ahead_mm"] < 400
        assert 0.1 < m["foot_ahead_leg"] < 0.45
        assert -2 < m["pelvic_drop_deg"] < 10
        assert 0 < m["knee_flexion_ic_deg"] < 40
    assert set(k.diff_l_minus_r) >= {"shank_angle_ic_deg", "foot_ahead_mm"}


def test_marker_only_events(rbds) -> None:
    k = ic_kinematics(c3d_markers(rbds))
    assert k.event_source == "markers"
    assert 40 <= k.n_contacts["left"] <= 45
    for s in ("left", "right"):
        assert 100 < k.mean[s]["foot_ahead_mm"] < 400


def test_truncated_and_garbage(fk: Path, tmp_path: Path) -> None:
    b = (fk / RBDS).read_bytes()
    t = tmp_path / "trunc.c3d"
    t.write_bytes(b[: len(b) // 2])
    # cut mid-data: the frames before the cut are read, with a warning (issue 14)
    with pytest.warns(EvenstrideWarning, match=r"truncated C3D: 2243 of 4500 frames"):
        c = read_c3d(t)
    assert c.n_frames == 2243
    t.write_bytes(b[:600])  # cut inside the parameter section: nothing to read
    with pytest.raises(ParseError, match="truncated") as e:
        read_c3d(t)
    assert "\n" not in str(e.value)
    g = tmp_path / "garbage.c3d"
    g.write_bytes(b"hello, not a c3d file\n" * 100)
    with pytest.raises(ParseError, match="not a C3D"):
        read_c3d(g)
    big = tmp_path / "dec.c3d"
    bb = bytearray(b)
    bb[(b[0] - 1) * 512 + 3] = 85
    big.write_bytes(bytes(bb))
    with pytest.raises(ParseError, match="DEC"):
        read_c3d(big)
