# SPDX-License-Identifier: MIT
"""The history's noise floor allows for correlated runs, and a reduced, seeded run of
bench/calibration_history.py keeps the calibrated rates (docs/methods.md §10a).

Counts, never times: the reduced study is ~100 short histories (seconds of CPU).
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
    reps = 25
    cells = {c.phi: c for c in bench.study(reps, seed=5, phis=(0.0, 0.5))}
    table = bench.table(list(cells.values()), 80, 40)
    assert "false alarms" in table and "met" in table
    for phi, c in cells.items():
        assert c.n == reps and c.n_step == reps
        # target ≤ 5 %; with 25 histories allow up to 2 (8 %)
        assert c.false_alarms <= 2, (phi, table)
        # the noise floor is honest: the estimated typical error is the true SD
        assert 0.85 <= float(np.median(c.te_ratio)) <= 1.1, (phi, table)
    # independent runs: a step of 2 × typical error is found and dated within 2 runs (≥ 80 %)
    assert cells[0.0].found_dated >= 19, table
    # strongly correlated runs (φ = 0.5): found, dating less sharp (docs/methods.md §10a)
    assert cells[0.5].found >= 15, table
