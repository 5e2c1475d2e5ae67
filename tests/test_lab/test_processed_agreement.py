# SPDX-License-Identifier: MIT
"""Hip adduction and knee flexion at initial contact against the Fukuchi 2017 data set's own
processed curves (``RBDS001processed.txt``: Visual3D joint angles, hip X = adduction +, knee
Z = flexion +, value at 0 % of the gait cycle = IC) at both trial speeds we have: 2.5 m/s (text
export, force and marker-only events) and 3.5 m/s (C3D with forces).

Issue 10: hip adduction L − R came out −1.8° where the processed curves give +3.4° (the
trial-mean pelvic obliquity was removed from the pelvis but not from the thigh).

Tolerances (stated, from the measured agreement and the curves' slopes):
- calibrated (static trial beside the run, the default): per side within 2.5° for hip adduction
  and knee flexion; L − R within 1° for hip adduction, within 3° for knee flexion (the knee
  flexes about 2° per 1 % of the cycle right after IC, so a 5-ms event difference moves it
  1–3°; the processed IC is Visual3D's own event);
- uncalibrated (cluster axes, no static trial): the sign of L − R for both, and hip adduction
  L − R within 1°; absolute values carry the cluster-mounting offsets (thigh cluster ≈ 8° in
  the frontal plane, the right thigh/shank cluster pair ≈ 5° in the sagittal plane).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.io import (
    c3d_forces,
    c3d_markers,
    read_c3d,
    read_forces,
    read_markers,
    read_processed,
)
from evenstride.steps._kinematics import ic_kinematics

MASS = 62.0  # RBDSinfo.txt, RBDS001
#: ours → the processed file's column stem
COLUMNS = {"hip_adduction_ic_deg": "hipAngX", "knee_flexion_ic_deg": "kneeAngZ"}
PER_SIDE_TOL = {"hip_adduction_ic_deg": 2.5, "knee_flexion_ic_deg": 2.5}
DIFF_TOL = {"hip_adduction_ic_deg": 1.0, "knee_flexion_ic_deg": 3.0}


@pytest.fixture(scope="module")
def fk() -> Path:
    d = shared_data_dir() / "fukuchi-bmc-ric"
    if not (d / "RBDS001processed.txt").is_file() or not (d / "RBDS001runT35.c3d").is_file():
        pytest.skip(f"Fukuchi files not found in {d}")
    return d


@pytest.fixture(scope="module")
def trials(fk: Path):
    md25 = read_markers(fk / "RBDS001runT25markers.txt")
    c = read_c3d(fk / "RBDS001runT35.c3d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kN → N (test_c3d.py checks it)
        fd35 = c3d_forces(c, mass_kg=MASS)
    return {
        "25 force": ("25", md25, read_forces(fk / "RBDS001runT25forces.txt", mass_kg=MASS)),
        "35 force": ("35", c3d_markers(c), fd35),
        "25 markers only": ("25", md25, None),
    }


def _processed_ic(fk: Path, speed: str) -> dict[str, dict[str, float]]:
    proc = read_processed(fk / "RBDS001processed.txt")
    return {
        name: {"left": float(proc[f"L{col}{speed}"][0]), "right": float(proc[f"R{col}{speed}"][0])}
        for name, col in COLUMNS.items()
    }


@pytest.mark.parametrize("trial", ["25 force", "35 force", "25 markers only"])
@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "uncalibrated"])
def test_hip_adduction_and_knee_flexion_match_the_processed_curves(
    fk: Path, trials, trial: str, calibrate: bool
) -> None:
    speed, md, fd = trials[trial]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # marker-only events: the validation-runner warning
        k = ic_kinematics(md, fd, calibrate=calibrate)
    ref = _processed_ic(fk, speed)
    for name in COLUMNS:
        want_diff = ref[name]["left"] - ref[name]["right"]
        ours_diff = k.diff_l_minus_r[name]
        assert np.sign(ours_diff) == np.sign(want_diff), (name, ours_diff, want_diff)
        if calibrate:
            for s in ("left", "right"):
                assert k.mean[s][name] == pytest.approx(ref[name][s], abs=PER_SIDE_TOL[name])
            assert ours_diff == pytest.approx(want_diff, abs=DIFF_TOL[name]), name
    if not calibrate:
        name = "hip_adduction_ic_deg"
        want = ref[name]["left"] - ref[name]["right"]
        assert k.diff_l_minus_r[name] == pytest.approx(want, abs=DIFF_TOL[name])
