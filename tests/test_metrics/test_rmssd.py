# SPDX-License-Identifier: MIT
"""The one RMSSD (``evenstride.metrics.hrv.rmssd_ms``) against hand-computed cases.

RMSSD = √mean((RR_{i+1} − RR_i)²) over successive NN intervals after artefact removal
(Task Force of the ESC/NASPE 1996, Eur Heart J 17:354–381, section V).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evenstride import hrv
from evenstride.metrics import context
from evenstride.metrics.hrv import rmssd_ms


def test_both_callers_use_the_one_implementation():
    assert hrv.rmssd_ms is rmssd_ms
    assert context.rmssd_ms is rmssd_ms


def test_clean_series_by_hand():
    # differences all ±20 ms -> RMSSD 20 ms exactly
    assert rmssd_ms([0.80, 0.82] * 10) == (20.0, 20, 0)
    # 0.80 0.84 0.81 0.85: differences +40, -30, +40 ms
    expected = 1000 * math.sqrt((0.04**2 + 0.03**2 + 0.04**2) / 3)
    assert rmssd_ms([0.80, 0.84, 0.81, 0.85])[0] == pytest.approx(round(expected, 2))
    assert rmssd_ms([0.80, 0.84, 0.81, 0.85])[0] == pytest.approx(36.97, abs=0.01)


def test_artefact_and_out_of_range_beat_by_hand():
    # 0.50: an ectopic beat (37 % below the local median, 0.80); 2.50 s: out of range.
    rr = [0.80, 0.84, 0.80, 0.50, 0.81, 0.85, 2.50, 0.75, 0.79]
    value, n_ok, n_bad = rmssd_ms(rr)
    # accepted adjacent pairs: 0.80→0.84, 0.84→0.80, 0.81→0.85, 0.75→0.79 (all 40 ms).
    # No difference spans a rejected beat: 0.85→0.75 (100 ms) across the dropped 2.50 s would
    # give √((4·40² + 100²)/5) = 57.27 ms.
    assert value == pytest.approx(40.0)
    assert (n_ok, n_bad) == (7, 2)


def test_large_respiratory_swings_are_not_artefacts():
    # A resting athlete's respiratory sinus arrhythmia: 0.85 → 1.05 is a 23.5 % change from the
    # previous beat, but every beat is within 20 % of the local median (1.05 s). A previous-beat
    # reference would reject real beats here.
    rr = [1.05, 1.20, 1.05, 0.85] * 10 + [1.05]
    value, n_ok, n_bad = rmssd_ms(rr)
    expected = 1000 * math.sqrt((2 * 0.15**2 + 2 * 0.20**2) / 4)  # 176.78 ms
    assert (n_ok, n_bad) == (41, 0)
    assert value == pytest.approx(round(expected, 2))


def test_too_few_differences_and_in_run_minimum():
    assert rmssd_ms([0.8, 0.82])[0] is None
    assert rmssd_ms([])[0] is None
    rr = np.array([0.80, 0.82] * 10)
    assert rmssd_ms(rr, min_diffs=context.MIN_RR)[0] is None  # 19 differences < 30
    assert rmssd_ms(np.array([0.80, 0.82] * 16), min_diffs=context.MIN_RR)[0] == 20.0
