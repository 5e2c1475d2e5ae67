# SPDX-License-Identifier: MIT
"""The per-side step time means the same thing from a trunk IMU and from the lab (review fix):
the step that ENDS on that side's contact (consts.M_STEP_TIME), so a phone and a force plate
give the same sign of the step-time L − R difference for the same gait."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride import consts
from evenstride.exceptions import NotEnoughDataError
from evenstride.steps import StepTable, steps_to_activity
from evenstride.steps._trunk import (
    SRC_TRUNK_IMU,
    TrunkImuSteps,
    TrunkRecording,
    TrunkSteps,
    trunk_activity,
)

# right IC → left IC takes 0.34 s (the LEFT step), left IC → right IC 0.36 s (the RIGHT step)
N = 40
STEP_AFTER_LEFT, STEP_AFTER_RIGHT = 0.36, 0.34
SIDE = np.where(np.arange(N) % 2 == 0, "left", "right")
IC = np.concatenate(([0.0], np.cumsum(np.where(SIDE[:-1] == "left", STEP_AFTER_LEFT,
                                               STEP_AFTER_RIGHT))))


def _lab_activity():
    nan = np.full(N, np.nan)
    tc = IC + 0.25
    st = StepTable(
        ic_s=IC, tc_s=tc, side=SIDE, side_consistency=N,
        contact_time_s=tc - IC, flight_time_s=nan, step_time_s=nan, stride_time_s=nan,
        cadence_spm=nan, duty_factor=nan, peak_vgrf_bw=nan, loading_rate_bw_s=nan,
        vertical_impulse_bw_s=nan, braking_impulse_bw_s=nan, propulsive_impulse_bw_s=nan,
        ap_axis="", event_source="markers",
    )
    return steps_to_activity(st)


def test_trunk_and_lab_step_time_have_the_same_sides() -> None:
    step = np.append(np.diff(IC), np.nan)
    trunk = trunk_activity(TrunkSteps(IC, SIDE, step, np.ones(N), np.ones(N, bool)))
    tch = trunk.channel(consts.M_STEP_TIME, SRC_TRUNK_IMU)
    lch = next(c for c in _lab_activity().sided if c.metric == consts.M_STEP_TIME)
    for ch in (tch, lch):
        assert ch is not None and ch.left is not None and ch.right is not None
        assert np.nanmedian(ch.left) == pytest.approx(STEP_AFTER_RIGHT)
        assert np.nanmedian(ch.right) == pytest.approx(STEP_AFTER_LEFT)
    # cadence is unchanged: two steps per stride
    assert np.nanmedian(trunk.samples[consts.CADENCE_SPM]) == pytest.approx(
        120.0 / (STEP_AFTER_LEFT + STEP_AFTER_RIGHT)
    )


def test_trunk_detection_errors_name_the_file() -> None:
    """Review fix: "only 0 steps detected" reached the CLI without the file name."""
    t = np.arange(0, 20, 0.01)
    acc = np.column_stack([np.zeros_like(t), np.zeros_like(t), np.full_like(t, 9.81)])
    rec = TrunkRecording(t, acc, None, path="still_phone.zip")
    with pytest.raises(NotEnoughDataError, match=r"^still_phone\.zip: only \d+ steps detected$"):
        TrunkImuSteps().detect(rec, sampling_rate_hz=100.0)
