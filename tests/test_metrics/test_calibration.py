# SPDX-License-Identifier: MIT
"""Seeded, reduced version of ``bench/calibration.py`` (issue 10): interval coverage and
family-wise false alarms on simulations whose noise matches the real files."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from evenstride.metrics._intervals import WATCH_PRIOR, holm, linear_interval, t_critical

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "calibration.py"


def _bench():
    spec = importlib.util.spec_from_file_location("es_calibration", _BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["es_calibration"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_reduced_calibration_meets_targets_with_tolerance():
    cal = _bench()
    warnings.simplefilter("ignore")
    strap = cal.Tally()
    pod = cal.Tally()
    alarms = runs = 0
    for dmin, noise in ((45, "real"), (20, "0.99")):
        c = cal.run_cell(dmin, noise, reps=10, seed0=11)
        for dst, src in ((strap, c.strap), (pod, c.pod)):
            dst.covered += src.covered
            dst.shown += src.shown
            dst.cant += src.cant
        alarms += c.runs_false_alarm
        runs += c.runs_symmetric
    # 20 runs per channel kind: nominal 95 % must cover at least 90 % at this replicate count
    assert strap.shown >= 10 and strap.coverage >= 0.90
    assert pod.shown >= 40 and pod.coverage >= 0.90
    # a symmetric runner: at most 2 of 20 runs may say anything is real or changed
    assert alarms / runs <= 0.10


@pytest.mark.slow
def test_thirty_second_lab_trial_gets_a_verdict():
    """~40 steps per side of nearly independent steps: a verdict where the interval allows,
    never "can't tell" on the step-count rule alone."""
    cal = _bench()
    warnings.simplefilter("ignore")
    tally, alarms, n = cal.run_lab(40, reps=30, seed0=3)
    assert tally.cant <= 3  # (almost) every trial gets an interval and a verdict
    assert tally.coverage >= 0.85
    assert alarms / n <= 0.10


def test_old_bootstrap_would_fail_where_the_new_interval_holds():
    """On the real-file noise model the naive iid interval covers far below 95 %, the calibrated
    one does not (this is what issue 10 measured: 14 of 20)."""
    rng = np.random.default_rng(5)
    from evenstride.simulate._noise import _ar1

    n, reps = 2700, 60
    ts = np.arange(n, dtype=float)
    naive = calibrated = 0
    for _ in range(reps):
        x = _ar1(rng, n, 0.96, 0.55 * np.sqrt(0.7)) + _ar1(rng, n, 0.993, 0.55 * np.sqrt(0.3))
        m = float(x.mean())
        naive += abs(m) <= 1.96 * x.std(ddof=1) / np.sqrt(n)
        lo, hi = linear_interval(m, x - m, t_s=ts, prior=WATCH_PRIOR).ci()
        calibrated += lo <= 0.0 <= hi
    assert naive / reps < 0.5
    assert calibrated / reps >= 0.9


def test_t_and_holm_helpers():
    assert t_critical(1) == pytest.approx(12.706, abs=1e-3)
    assert t_critical(9) == pytest.approx(2.262, abs=1e-3)
    rej, adj = holm([0.001, 0.02, 0.04, 0.3])
    assert rej == [True, False, False, False] and adj[0] == pytest.approx(0.004)


def test_short_per_step_trials_keep_their_promise():
    """The lab-like per-step channel (a 30-s and a 2-min treadmill trial, stride noise AR(1)
    φ 0.3): 400 seeded trials each. Before the per-step AR(1) floor, 40 strides gave 7.2 % false
    alarms over 2,000 trials and 160 strides 5.5 % (nominal 5 %)."""
    cal = _bench()
    warnings.simplefilter("ignore")
    for strides in (40, 160):
        tally, alarms, n = cal.run_lab(strides, reps=400, seed0=100_000)
        assert tally.coverage >= 0.93, (strides, tally.coverage)
        assert alarms / n <= 0.06, (strides, alarms / n)
