# SPDX-License-Identifier: MIT
"""Single trunk IMU steps/sides (simulated) and one-leg accelerometer strides (adeptdata run)."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.io import G, TrunkRecording, read_adeptdata_csv, read_sensor_logger
from evenstride.steps._accel_only import (
    OneSideStrideDetection,
    left_right_asymmetry,
)
from evenstride.steps._trunk import (
    INDICATIVE_WARNING,
    M_STEP_TIME,
    SRC_TRUNK_IMU,
    TrunkImuSteps,
    trunk_activity,
)

FS = 100.0


def _sim_trunk(
    *,
    step_l: float = 0.36,
    step_r: float = 0.34,
    dur: float = 120.0,
    noise: float = 0.0,
    gyro: bool = True,
    seed: int = 0,
) -> TrunkRecording:
    """Vertical acc bump at each IC; roll rate +/- by side (left = +); noise scales both."""
    rng = np.random.default_rng(seed)
    ics, sides = [], []
    t0, k = 1.0, 0
    while t0 < dur - 1:
        ics.append(t0)
        sides.append(k % 2)
        t0 += (step_l if k % 2 == 0 else step_r) * (1 + 0.01 * rng.standard_normal())
        k += 1
    t = np.arange(0, dur, 1 / FS)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = G
    roll = np.zeros(len(t))
    for ic, sd in zip(ics, sides, strict=True):
        acc[:, 2] += 2 * G * np.exp(-0.5 * ((t - ic) / 0.03) ** 2)
        sgn = 1.0 if sd == 0 else -1.0
        roll += sgn * 40 * np.exp(-0.5 * ((t - ic) / 0.06) ** 2)
        acc[:, 1] += sgn * 2.0 * np.exp(-0.5 * ((t - ic) / 0.06) ** 2)
    acc += noise * G * 0.1 * rng.standard_normal(acc.shape)
    roll += noise * 40 * rng.standard_normal(len(t))
    gyr = np.column_stack([roll, np.zeros(len(t)), np.zeros(len(t))]) if gyro else None
    return TrunkRecording(t, acc, gyr)


def test_trunk_recovers_step_time_asymmetry() -> None:
    rec = _sim_trunk()
    det = TrunkImuSteps().detect(rec, sampling_rate_hz=FS)
    assert det.side_confidence_ >= 0.95
    assert abs(len(det.steps_) - 340) < 10
    act = trunk_activity(det.steps_, side_confidence=det.side_confidence_)
    ch = act.channel(M_STEP_TIME, SRC_TRUNK_IMU)
    assert ch is not None and ch.left is not None and ch.right is not None
    # a side's step ends on its contact (consts.M_STEP_TIME): the 0.34 s interval follows a
    # right IC and ends on the next left one
    assert np.nanmedian(ch.left) == pytest.approx(0.34, abs=0.01)
    assert np.nanmedian(ch.right) == pytest.approx(0.36, abs=0.01)
    assert INDICATIVE_WARNING in act.warnings
    assert act.meta.extra["indicative"] is True


def test_trunk_without_gyro_uses_ml_acc() -> None:
    det = TrunkImuSteps().detect(_sim_trunk(gyro=False), sampling_rate_hz=FS)
    assert det.side_source_ == "ml_acc"
    assert det.side_confidence_ >= 0.95


def test_trunk_side_confidence_drops_with_noise() -> None:
    clean = TrunkImuSteps().detect(_sim_trunk(), sampling_rate_hz=FS).side_confidence_
    noisy = TrunkImuSteps().detect(_sim_trunk(noise=2.0, seed=3), sampling_rate_hz=FS)
    assert noisy.side_confidence_ < clean
    assert noisy.side_confidence_ < 0.95


def test_sensor_logger_pair(tmp_path) -> None:
    rec = _sim_trunk(dur=30.0)
    t_ns = (1_700_000_000 * 10**9 + (rec.time_s * 1e9)).astype(np.int64)
    a = tmp_path / "Accelerometer.csv"
    g = tmp_path / "Gyroscope.csv"
    assert rec.gyr is not None
    with a.open("w") as fh:
        fh.write("time,seconds_elapsed,z,y,x\n")
        for i in range(len(t_ns)):
            x, y, z = rec.acc[i]
            fh.write(f"{t_ns[i]},{rec.time_s[i]},{z},{y},{x}\n")
    with g.open("w") as fh:
        fh.write("time,seconds_elapsed,z,y,x\n")
        for i in range(len(t_ns)):
            x, y, z = np.radians(rec.gyr[i])
            fh.write(f"{t_ns[i] + 3_000_000},{rec.time_s[i]},{z},{y},{x}\n")
    # a simulated sensor frame (x forward) in an export: read, with the orientation warning
    with pytest.warns(EvenstrideWarning, match="lying flat"):
        out = read_sensor_logger(a, g)
    assert out.gyr is not None
    det = TrunkImuSteps().detect(out, sampling_rate_hz=out.sampling_rate_hz)
    assert det.side_confidence_ >= 0.95


def test_one_sided_asymmetry_refused() -> None:
    with pytest.raises(UserInputError, match="one-sided"):
        left_right_asymmetry()


def test_adeptdata_ankle_run(shared_data) -> None:
    path = shared_data / "adeptdata" / "acc_running_converted.csv.gz"
    if not path.exists():
        pytest.skip("adeptdata not found")
    with pytest.warns(UserWarning, match="clipped"):
        series = read_adeptdata_csv(path)
    ankle = series["left_ankle"]
    assert ankle.sampling_rate_hz == pytest.approx(100.0, rel=0.01)
    assert 24 * 60 < ankle.duration_s < 26 * 60
    assert (~ankle.valid).any()
    assert any("clipped" in w for w in ankle.warnings)
    det = OneSideStrideDetection().detect(ankle, sampling_rate_hz=ankle.sampling_rate_hz)
    s = det.summary()
    # the run has pauses (whole minutes without impacts): ~1,550 strides, not 25 × 80
    assert 1400 < s["n_strides"] < 1800
    assert 150 <= s["running_cadence_spm"] <= 190
    # while running: 75–95 strides per active minute
    per_min = np.histogram(det.ic_s_, bins=25, range=(0, 1500))[0]
    active = per_min[per_min > 60]
    assert len(active) >= 12
    assert 70 <= np.median(active) <= 95
    assert 0 < s["running_stride_cv_pct"] < 10
