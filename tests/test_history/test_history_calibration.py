# SPDX-License-Identifier: MIT
"""The history's noise floor allows for correlated runs, and a reduced, seeded run of
bench/calibration_history.py keeps the calibrated rates (docs/methods.md §10a).

Counts, never times: the reduced studies are ~250 short histories and 500 cheaper no-change
statistics (~7 s of CPU on a quiet core).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from evenstride.history import HistoryParams
from evenstride.history._baseline import analyse_metric

BENCH = Path(__file__).resolve().parents[2] / "bench" / "calibration_history.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("calibration_history", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["calibration_history"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("phi", [0.0, 0.5])
def test_typical_error_is_the_sd_of_one_run_even_when_runs_are_correlated(bench, phi):
    rng = np.random.default_rng(11)
    sd = 0.5
    runs = bench.history_records(1.5 + bench.ar1(rng, 400, phi, sd), rng)
    m = analyse_metric(runs, bench.KEY, HistoryParams(n_boot=20, n_boot_changepoint=20),
                       np.random.default_rng(0))
    assert m is not None and m.changes == []
    assert m.typical_error == pytest.approx(sd, rel=0.12)
    assert m.autocorrelation == pytest.approx(phi, abs=0.1)
    # Hopkins' consecutive-difference TE is σ·√(1 − φ): too small when runs are correlated
    assert m.typical_error_consecutive == pytest.approx(sd * math.sqrt(1 - phi), rel=0.12)
    nf = m.to_dict()["noise_floor"]
    assert nf["lag1_autocorrelation_source"] == "estimated"
    assert nf["mdc95"] == pytest.approx(1.96 * math.sqrt(2) * m.typical_error, abs=1e-3)


def test_reduced_calibration_keeps_the_rates(bench):
    """80-run histories, a 2·σ step at run 41 (bench/calibration_history.py, seeded)."""
    reps = 40
    cells = {c.phi: c for c in bench.study(reps, seed=5, phis=(0.0, 0.5))}
    table = bench.table(list(cells.values()), 80, 40)
    assert "false alarms" in table and "met" in table
    for phi, c in cells.items():
        assert c.n == reps and c.n_step == reps
        # target ≤ 5 %; with 40 histories allow up to 3 (7.5 %)
        assert c.false_alarms <= 3, (phi, table)
        # the noise floor is honest: the estimated typical error is the true SD
        assert 0.85 <= float(np.median(c.te_ratio)) <= 1.1, (phi, table)
    # independent runs: a step of 2 × typical error is found and dated within 2 runs (≥ 80 %)
    assert cells[0.0].found_dated >= 36, table
    # strongly correlated runs (φ = 0.5): found, and dated within 2 runs in most histories
    # (measured with this seed: 38 of 40 found, 33 dated; the online monitor alone, without the
    # whole-regime test, finds 22 and dates 19: the next test; 15 and 13 before the budget was
    # rebalanced toward the monitor, H-detect2)
    assert cells[0.5].found >= 34, table
    assert cells[0.5].found_dated >= 29, table


def test_the_whole_regime_test_carries_the_power_at_phi_05(bench):
    """Without the whole-regime test (its threshold out of reach) the same seeded histories
    lose most of their dated finds at φ = 0.5: the test is what reaches the target."""
    import dataclasses

    saved = bench.PARAMS
    try:
        bench.PARAMS = dataclasses.replace(saved, change_lr_a=1e9)
        off = bench.study(40, seed=5, phis=(0.5,))[0]
    finally:
        bench.PARAMS = saved
    # measured with this seed: 19 of 40 dated within 2 runs (33 with the whole-regime test);
    # either way below the 29 that test_reduced_calibration_keeps_the_rates requires
    assert off.found_dated <= 20, off.found_dated


@pytest.mark.parametrize("n_runs", [40, 120])
def test_false_alarms_of_both_tests_stay_under_5_percent(bench, n_runs):
    """Histories without change at φ = 0.5 (the hardest calibrated case): the online monitor
    and the whole-regime test together report a change in ≤ 5 % (docs/methods.md §10a)."""
    p = bench.PARAMS
    rng = np.random.default_rng([17, n_runs])
    reps = 250
    st = np.array([bench.null_stats(rng, n_runs, 0.5, p) for _ in range(reps)])
    alarms = int(np.sum((st[:, 0] > p.change_z_a) | (st[:, 1] > p.change_lr_a)))
    # measured with this seed: 11 (40 runs) and 9 (120 runs) of 250; 18 and 19 with the
    # whole-regime threshold lowered by 3
    assert alarms <= 15, alarms  # 6 %: a 5 % rate exceeds it in ~20 % of samples
    # the thresholds are not loose: lowering the whole-regime test's by 3 doubles the alarms
    looser = int(np.sum((st[:, 0] > p.change_z_a) | (st[:, 1] > p.change_lr_a - 3.0)))
    assert looser >= alarms + 5, (alarms, looser)
