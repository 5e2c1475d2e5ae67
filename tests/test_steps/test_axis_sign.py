# SPDX-License-Identifier: MIT
"""Foot-IMU pitch-gyro sign check: an inverted sensor is detected, flipped and reported."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.cli import main
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import ImuRecording, write_generic_csv
from evenstride.steps import FalbriardEventDetection, read_gaitmap_csv
from evenstride.steps.simulate_imu import simulate_imu_run


def _upside_down(rec: ImuRecording, side: str) -> ImuRecording:
    """The ``side`` sensor rotated 180° about its x axis: y and z of both sensors change sign."""
    s = rec.sides[side]
    flip = np.array([1.0, -1.0, -1.0])
    sides = dict(rec.sides)
    sides[side] = replace(s, acc=s.acc * flip, gyr=s.gyr * flip)
    return replace(rec, sides=sides)


@pytest.fixture(scope="module")
def sim():
    return simulate_imu_run(duration_s=300, seed=4, contact_left_s=0.255, contact_right_s=0.240)


def test_declared_sign_kept_when_right(sim) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvenstrideWarning)  # no warning on a correct sensor
        det = FalbriardEventDetection().detect(sim.recording, sampling_rate_hz=200.0)
    assert det.flipped_ == [] and det.sign_used_ == {"left": -1.0, "right": -1.0}


def test_inverted_left_sensor_is_flipped_and_events_recovered(sim) -> None:
    rec = _upside_down(sim.recording, "left")
    with pytest.warns(EvenstrideWarning, match="left foot: the pitch gyro looks inverted"):
        det = FalbriardEventDetection().detect(rec, sampling_rate_hz=200.0)
    assert det.flipped_ == ["left"] and det.sign_used_["left"] == 1.0
    ic = det.steps_["left"].ic_s
    truth = sim.ic_s["left"]
    err = np.array([np.min(np.abs(truth - t)) for t in ic])
    assert len(ic) >= len(truth) - 5 and np.median(err) < 0.002
    ct = det.steps_["left"].tc_s - ic
    assert np.median(ct) == pytest.approx(0.255, abs=0.01)
    # without the check the contact times are nonsense
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = FalbriardEventDetection(auto_sign=False).detect(rec, sampling_rate_hz=200.0)
    ct_raw = raw.steps_["left"].tc_s - raw.steps_["left"].ic_s
    assert abs(np.median(ct_raw) - 0.255) > 0.05


def test_inverted_sensor_through_the_cli(tmp_path, capsys) -> None:
    # longer than the 300 s the sign check looks at: the flip must apply to the whole recording
    sim = simulate_imu_run(duration_s=480, seed=6, contact_left_s=0.255, contact_right_s=0.240)
    p = tmp_path / "imu.csv"
    write_generic_csv(_upside_down(sim.recording, "right"), p)
    assert main(["steps", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("right foot: the pitch gyro looks inverted" in w for w in doc["warnings"])
    ct = next(a for a in doc["asymmetry"] if a["metric"] == "contact_time")
    assert ct["n"] >= 320  # ≈ 480 s × 170 / 120 left strides, none lost after 300 s
    assert ct["left"] == pytest.approx(0.255, abs=0.005)
    assert ct["right"] == pytest.approx(0.240, abs=0.005)


@pytest.mark.shared_data
def test_gaitmap_walking_inverted_is_flipped() -> None:
    imu = shared_data_dir() / "gaitmap" / "imu_sample.csv"
    if not imu.is_file():
        pytest.skip("gaitmap sample not found")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = read_gaitmap_csv(imu)
    ok = FalbriardEventDetection().detect(rec, sampling_rate_hz=rec.sampling_rate_hz)
    assert ok.flipped_ == []
    with pytest.warns(EvenstrideWarning, match="inverted"):
        det = FalbriardEventDetection().detect(
            _upside_down(rec, "right"), sampling_rate_hz=rec.sampling_rate_hz
        )
    assert det.flipped_ == ["right"]
    assert np.allclose(det.steps_["right"].ic_s, ok.steps_["right"].ic_s)
