# SPDX-License-Identifier: MIT
"""The O(k) AR(1) contrast variance (issue 15) equals the dense ``wᵀRw`` to rounding."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.history._noise import DENSE_MAX, _ar1_quad, contrast_var


def _dense(pos: np.ndarray, w: np.ndarray, phi: float) -> float:
    d = np.abs(pos[:, None] - pos[None, :]).astype(float)
    r = np.power(phi, d) if phi > 0 else (d == 0).astype(float)
    return float(w @ r @ w)


@pytest.mark.parametrize("phi", [0.0, 0.01, 0.3, 0.5, 0.9, 0.999])
def test_sweep_equals_dense(phi):
    rng = np.random.default_rng(int(phi * 1000))
    for trial in range(12):
        k = int(rng.integers(DENSE_MAX + 1, 700))
        if trial % 3 == 0:  # unsorted, with repeated positions
            pos = rng.integers(0, k, size=k)
        else:  # sorted unique positions with gaps (up to ~2,000 runs apart: several blocks)
            pos = np.sort(rng.choice(int(k * rng.uniform(1, 4)), size=k, replace=False))
        w = rng.normal(size=k)
        if trial % 2:  # a window against its baseline, as the change detector builds it
            win = rng.random(k) < 0.05
            w = np.where(win, 1.0 / max(1, win.sum()), -1.0 / max(1, (~win).sum()))
        want = _dense(pos, w, phi)
        assert _ar1_quad(pos, w, phi) == pytest.approx(want, rel=1e-12, abs=1e-300)
        assert contrast_var(pos, w, phi) == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_known_values():
    # independent runs: the squared norm; fully correlated (φ → 1): the squared sum
    pos = np.arange(200)
    w = np.full(200, 0.5)
    assert _ar1_quad(pos, w, 0.0) == pytest.approx(50.0)
    assert _ar1_quad(pos, w, 1.0 - 1e-12) == pytest.approx(100.0 ** 2, rel=1e-6)
    # two runs 3 apart with φ = 0.5: w1² + w2² + 2·w1·w2·0.125
    pos = np.concatenate(([0, 3], np.arange(10, 80)))
    w = np.concatenate(([1.0, -1.0], np.zeros(70)))
    assert _ar1_quad(pos, w, 0.5) == pytest.approx(2.0 - 0.25)


@pytest.mark.parametrize("phi", [0.0, 0.3, 0.6])
@pytest.mark.parametrize("with_speed", [False, True])
def test_step_scan_equals_one_least_squares_fit_per_position(phi, with_speed):
    """step_fit and step_log_posterior scan every τ in O(n) by suffix sums (issue 15): the same τ,
    shift, residual sum of squares and log posterior as one prewhitened least-squares fit per
    τ (the former O(n²) computation, written out here)."""
    import math

    from evenstride.history._baseline import step_fit, step_log_posterior

    rng = np.random.default_rng(7)
    x = np.concatenate((rng.normal(0.0, 1.0, 60), rng.normal(1.5, 1.0, 40)))
    speed = 3.0 + rng.uniform(-0.2, 0.2, 100) if with_speed else None
    n = len(x)
    tr = np.eye(n)
    tr[0, 0] = math.sqrt(1.0 - phi * phi)
    tr[np.arange(1, n), np.arange(n - 1)] = -phi
    best = None
    lps = []
    for tau in range(3, n - 3 + 1):
        cols = [np.ones(n), (np.arange(n) >= tau).astype(float)]
        if speed is not None:
            cols.insert(1, speed - speed.mean())
        a = tr @ np.column_stack(cols)
        coef, *_ = np.linalg.lstsq(a, tr @ x, rcond=None)
        sse = float(np.sum((tr @ x - a @ coef) ** 2))
        lps.append(-sse / (2 * 0.8**2 * (1 - phi * phi)) - 0.5 * np.linalg.slogdet(a.T @ a)[1])
        if best is None or sse < best[2] - 1e-12:
            best = (tau, float(coef[-1]), sse)
    got = step_fit(x, speed, phi=phi)
    assert got is not None and 55 <= got[0] <= 65
    assert got[0] == best[0]
    assert got[1:] == pytest.approx(best[1:], rel=1e-9)
    taus, lp = step_log_posterior(x, speed, sd=0.8, phi=phi)
    assert list(taus) == list(range(3, n - 2))
    assert lp == pytest.approx(np.array(lps), rel=1e-9)
