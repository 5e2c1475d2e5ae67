# SPDX-License-Identifier: MIT
"""Flight time and peak stance acceleration as side-labelled foot-IMU channels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride import consts
from evenstride.io import G
from evenstride.metrics.asymmetry import RATIO_SCALE_METRICS
from evenstride.pipeline import analyze
from evenstride.steps import SRC_FOOT_IMU, activity_from_imu, activity_from_recording
from evenstride.steps.simulate_imu import simulate_imu_run


@pytest.fixture(scope="module")
def sim_doc():
    # contact 0.255 / 0.240 s at 170 steps/min, equal steps: flight = step − contact, so the
    # planted flight-time difference is L − R = −(0.255 − 0.240) = −0.015 s
    sim = simulate_imu_run(duration_s=600, seed=5, contact_left_s=0.255, contact_right_s=0.240)
    act = activity_from_recording(sim.recording)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sim, act, analyze(act).to_dict()


def test_flight_time_channel_recovers_planted_difference(sim_doc) -> None:
    _sim, act, doc = sim_doc
    ch = act.channel(consts.M_FLIGHT_TIME, SRC_FOOT_IMU)
    assert ch is not None and ch.unit == "s"
    step = 60.0 / 170.0
    assert np.nanmean(ch.left) == pytest.approx(step - 0.255, abs=0.004)
    assert np.nanmean(ch.right) == pytest.approx(step - 0.240, abs=0.004)
    a = next(x for x in doc["asymmetry"] if x["metric"] == consts.M_FLIGHT_TIME)
    assert a["index"] == "difference" and a["unit"] == "s"
    assert a["difference"] == pytest.approx(-0.015, abs=0.002)
    assert a["ci95"][1] < 0  # real for this run …
    assert a["class"] == "no reference" and a["band"] is None  # … but no published band
    assert a["evidence"]["grade"] == "U"


def test_peak_stance_acc_channel(sim_doc) -> None:
    sim, act, doc = sim_doc
    ch = act.channel(consts.M_PEAK_STANCE_ACC_G, SRC_FOOT_IMU)
    assert ch is not None and ch.unit == "g"
    # independent recomputation for the first left stance: max |acc| / G between its IC and TC
    s = sim.recording.sides["left"]
    t0 = act.samples[consts.TIME_S][0]
    tc0 = t0 + np.nanmean(act.channel(consts.M_CONTACT_TIME, SRC_FOOT_IMU).left[:1])
    w = (s.time_s >= t0) & (s.time_s <= tc0)
    expect = np.max(np.linalg.norm(s.acc[w], axis=1)) / G
    assert ch.left[0] == pytest.approx(expect, rel=0.02)
    a = next(x for x in doc["asymmetry"] if x["metric"] == consts.M_PEAK_STANCE_ACC_G)
    assert a["index"] == "difference" and a["unit"] == "g" and a["band"] is None
    assert consts.M_PEAK_STANCE_ACC_G not in RATIO_SCALE_METRICS


@pytest.mark.shared_data
def test_gaitmap_walking_has_negative_flight_time() -> None:
    imu = shared_data_dir() / "gaitmap" / "imu_sample.csv"
    if not imu.is_file():
        pytest.skip("gaitmap sample not found")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        act = activity_from_imu(imu)
    fl = act.channel(consts.M_FLIGHT_TIME, SRC_FOOT_IMU)
    acc = act.channel(consts.M_PEAK_STANCE_ACC_G, SRC_FOOT_IMU)
    assert fl is not None and acc is not None
    # walking has double support: "flight" is negative, about −0.1 s here
    assert -0.2 < np.nanmedian(fl.left) < -0.05 and -0.2 < np.nanmedian(fl.right) < -0.05
    # a foot-worn sensor in walking: peaks of a few g (gravity included)
    assert 1.5 < np.nanmedian(acc.left) < 8 and 1.5 < np.nanmedian(acc.right) < 8
