# SPDX-License-Identifier: MIT
"""The moving-block bootstrap must keep its promised coverage on correlated series, where an iid
interval does not."""

import numpy as np

from evenstride.metrics._bootstrap import (
    block_bootstrap_means,
    integrated_autocorr_time,
    percentile_ci,
)


def _ar1(n, phi, rng):
    e = rng.normal(size=n) * np.sqrt(1 - phi**2)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi**2) * np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def test_tau_of_ar1_matches_theory():
    rng = np.random.default_rng(0)
    x = _ar1(50_000, 0.8, rng)
    # τ_int = (1 + φ) / (1 − φ) = 9 for φ = 0.8 (our cut-off truncates the tail slightly)
    assert 7.0 < integrated_autocorr_time(x) < 10.0


def test_block_bootstrap_coverage_on_ar1_beats_iid():
    rng = np.random.default_rng(1)
    hits_block = hits_iid = 0
    trials = 150
    for k in range(trials):
        x = 3.0 + _ar1(1200, 0.9, rng)
        bb = block_bootstrap_means([x], seed=k, n_boot=600)
        lo, hi = percentile_ci(bb.means[:, 0])
        hits_block += lo <= 3.0 <= hi
        se = x.std(ddof=1) / np.sqrt(len(x))
        hits_iid += abs(x.mean() - 3.0) <= 1.96 * se
    cover_block = hits_block / trials
    cover_iid = hits_iid / trials
    assert cover_block >= 0.85, cover_block
    assert cover_iid < 0.6, cover_iid  # naive interval badly under-covers at φ = 0.9


def test_paired_series_share_blocks():
    rng = np.random.default_rng(2)
    x = rng.normal(size=500)
    bb = block_bootstrap_means([x, 2 * x], seed=3, n_boot=200)
    np.testing.assert_allclose(bb.means[:, 1], 2 * bb.means[:, 0])
    assert bb.n == 500 and bb.block_len >= 1
