# SPDX-License-Identifier: MIT
"""The speed shortcuts of the interval and drift code give exactly the straightforward results
(issue 15: faster import, no output value changed)."""

import importlib

import numpy as np
import pytest

from evenstride.metrics._intervals import _QUAD_BLOCK, _quad_filters, median_step

drift_mod = importlib.import_module("evenstride.metrics.drift")  # the package exports drift()


def _ref_window_means(t, series, mask, window_s):
    t0 = float(t[mask][0])
    b = np.floor((t - t0) / window_s).astype(np.int64)
    b = np.where(mask, b, -1)
    keep = b >= 0
    bk = b[keep]
    nb = int(bk.max()) + 1
    cnt = np.bincount(bk, minlength=nb)
    tm = np.bincount(bk, weights=t[keep], minlength=nb) / cnt
    out = {}
    for k, v in series.items():
        ok = keep & np.isfinite(v)
        s = np.bincount(b[ok], weights=v[ok], minlength=nb)
        c = np.bincount(b[ok], minlength=nb)
        out[k] = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    return tm, out, cnt


@pytest.mark.parametrize("seed", range(4))
def test_median_step_is_numpy_median(seed):
    rng = np.random.default_rng(seed)
    steps = [np.array([1.0, 1.0, 1.0, 2.0, 0.5]), np.array([1.0, 2.0, np.nan]),
             np.array([1.0, 3.0]), np.array([1.0])]
    for _ in range(3000):
        n = int(rng.integers(2, 14))
        d = rng.choice(steps[int(rng.integers(len(steps)))], size=n - 1)
        t = np.concatenate([[0.0], np.cumsum(d)])
        ref = float(np.median(np.diff(t)))
        got = median_step(t)
        assert got == ref or (np.isnan(ref) and np.isnan(got)), (t, ref, got)
    # the shortcut and the general case on hand-made spacings
    assert median_step(np.array([0.0, 1.0, 2.0, 3.0, 10.0])) == 1.0
    assert median_step(np.array([0.0, 1.0, 3.0, 5.0])) == 2.0  # first spacing not the median
    assert median_step(np.array([0.0, 1.0, 3.0])) == 1.5  # two middle values averaged
    assert median_step(np.array([5.0])) == 1.0


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.96, 0.993, 0.998])
def test_quad_filters_match_the_toeplitz(phi):
    blk = _QUAD_BLOCK
    lag = np.arange(blk)[:, None] - np.arange(blk)[None, :]
    ref = np.where(lag >= 0, (phi ** np.arange(blk))[np.maximum(lag, 0)], 0.0).T
    toep_t, carry = _quad_filters(phi)
    assert toep_t.tobytes(order="A") == ref.tobytes(order="A")
    assert toep_t.strides == ref.strides  # the same (transposed) layout for the matrix product
    # transposed: entry (j, i) is φ^(i − j) on and above the diagonal, 0 below it
    assert toep_t[3, 1] == 0.0 and toep_t[1, 3] == toep_t[0, 2] == toep_t[2, 4]
    assert toep_t[1, 3] == pytest.approx(phi**2, rel=1e-15)
    assert carry[0] == phi


def test_window_means_equal_the_plain_computation():
    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(2, 3000))
        t = np.cumsum(rng.choice([1.0, 1.0, 2.0, 7.5], size=n))
        mask = rng.random(n) < 0.2 + 0.8 * rng.random()
        mask[int(rng.integers(n))] = True
        series = {"all_finite": rng.normal(size=n), "gaps": rng.normal(size=n)}
        series["gaps"][rng.random(n) < 0.1] = np.nan
        if trial % 2:
            series["gaps"][rng.random(n) < 0.01] = np.inf
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = _ref_window_means(t, series, mask, 60.0)
            got = drift_mod.window_means(t, series, mask, window_s=60.0)
        assert got[0].tobytes() == ref[0].tobytes()
        assert got[2].tobytes() == ref[2].tobytes()
        for k in series:
            assert got[1][k].tobytes() == ref[1][k].tobytes(), (trial, k)
