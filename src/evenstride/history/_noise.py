# SPDX-License-Identifier: MIT
"""The noise floor of one metric across runs when consecutive runs resemble each other.

Model (within one regime, runs of one comparable kind): ``x_t = level + e_t`` where ``e_t`` is a
first-order autoregressive series (AR(1)) with lag-1 correlation ``φ`` and marginal standard
deviation ``σ`` — the *typical error* of one run about the runner's level (Hopkins 2000's
within-subject SD, here without assuming that runs are independent).

**Estimate (semivariogram).** For comparable runs ``h`` positions apart in the same regime,
``½·E[(x_{t+h} − x_t)²] = σ²·(1 − φ^h)``. The pooled half mean squared differences at lags
1…:data:`MAX_LAG` are fitted by weighted least squares over a grid of ``φ`` in
[0, :data:`PHI_MAX`] (``σ²`` in closed form for each ``φ``). Differences need no estimated
mean, so the fit is unbiased for a fixed ``φ``; a level shift or slow drift inside a regime
only adds to the larger-lag differences, which raises ``σ`` and ``φ`` (conservative). With
independent runs (``φ = 0``) ``σ`` equals Hopkins' ``SD(d)/√2``; with ``φ > 0`` that classic
estimate is ``σ·√(1 − φ)``, too small, which is why it is only reported for reference.

**Contrasts.** The mean deviation of a window of runs from their baselines is a linear
combination ``w·x`` of run values; its variance is ``σ²·wᵀRw`` with ``R_ij = φ^|i − j|`` (``i``,
``j`` = positions in the metric's series), exact under the model. The change detector compares
``w·x / √Var`` with a threshold calibrated on simulated histories (bench/calibration_history.py,
docs/methods.md).

>>> import numpy as np
>>> gam = {h: (40, 1.0 - 0.5 ** h) for h in range(1, 7)}
>>> sd, phi = fit_ar1(gam)
>>> round(sd, 3), round(phi, 2)
(1.0, 0.5)
>>> round(contrast_var(np.array([0, 1]), np.array([0.5, 0.5]), 0.0), 3)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

__all__ = ["MAX_LAG", "PHI_FALLBACK", "PHI_MAX", "contrast_var", "fit_ar1"]

#: Largest lag (in runs of the metric's series) of the semivariogram fit.
MAX_LAG = 6
#: Upper end of the lag-1 correlation grid.
PHI_MAX = 0.9
#: Lag-1 correlation assumed when the runs cannot estimate it (fewer than two lags with
#: :data:`MIN_LAG_PAIRS` pairs): the upper end of the range the detector is calibrated for.
PHI_FALLBACK = 0.5
#: Pairs a lag needs to enter the fit.
MIN_LAG_PAIRS = 3
_GRID = np.linspace(0.0, PHI_MAX, round(PHI_MAX * 100) + 1)


def fit_ar1(gamma: Mapping[int, tuple[int, float]]) -> tuple[float | None, float]:
    """``(σ, φ)`` from semivariances ``{lag: (n_pairs, ½·mean squared difference)}``.

    ``σ`` is None without any pair; ``φ`` is :data:`PHI_FALLBACK` when fewer than two lags have
    :data:`MIN_LAG_PAIRS` pairs.
    """
    rows = [(h, n, g) for h, (n, g) in sorted(gamma.items()) if n > 0]
    if not rows:
        return None, PHI_FALLBACK
    h = np.array([r[0] for r in rows], dtype=float)
    n = np.array([r[1] for r in rows], dtype=float)
    g = np.array([r[2] for r in rows], dtype=float)
    few = int(np.sum(n >= MIN_LAG_PAIRS)) < 2
    phis = np.array([PHI_FALLBACK]) if few else _GRID
    model = 1.0 - phis[:, None] ** h[None, :]  # (grid, lags)
    s2 = (model * g * n).sum(axis=1) / np.maximum((model**2 * n).sum(axis=1), 1e-12)
    sse = ((g[None, :] - s2[:, None] * model) ** 2 * n).sum(axis=1)
    j = int(np.argmin(sse))
    return float(np.sqrt(max(s2[j], 0.0))), float(phis[j])


#: Contrasts of up to this many runs use the dense ``wᵀRw``; longer ones the O(k) sweep of
#: :func:`_ar1_quad` (the same value to rounding: ~1e-15 relative).
DENSE_MAX = 64
#: Largest exponent of one block of :func:`_ar1_quad` (``e^700`` < the float64 maximum).
_BLOCK_EXP = 600.0


def contrast_var(pos: np.ndarray, w: np.ndarray, phi: float) -> float:
    """``wᵀRw`` with ``R_ij = φ^|pos_i − pos_j|`` (the variance of ``w·x`` in units of σ²).

    Dense for up to :data:`DENSE_MAX` runs; longer contrasts (a window against a baseline of
    thousands of runs) in O(k) by :func:`_ar1_quad`, so the change detector stays
    near-linear in the number of runs."""
    if len(pos) > DENSE_MAX:
        return _ar1_quad(np.asarray(pos), np.asarray(w, dtype=float), phi)
    d = np.abs(pos[:, None] - pos[None, :])
    if phi > 0:
        # φ^d looked up from the powers 0…max(d) (the same values as np.power(φ, d), computed
        # once per distance instead of once per pair)
        r = np.power(phi, np.arange(int(d.max()) + 1, dtype=float))[d]
    else:
        r = (d == 0).astype(float)
    return float(w @ r @ w)


def _ar1_quad(pos: np.ndarray, w: np.ndarray, phi: float) -> float:
    """``wᵀRw`` with ``R_ij = φ^|pos_i − pos_j|`` without the k×k matrix.

    With positions sorted, ``wᵀRw = Σ w_j² + 2·Σ_j w_j·S_j`` where
    ``S_j = Σ_{i<j} w_i·φ^(pos_j − pos_i)``. With ``t = pos·(−ln φ)``,
    ``S_j = e^(−t_j)·Σ_{i<j} w_i·e^(t_i)``: a prefix sum, computed per block of ``t`` spanning at
    most :data:`_BLOCK_EXP` (so ``e^t`` stays finite) and carried from block to block. Equal
    positions count with ``φ⁰ = 1`` as in the dense form; ``φ = 0`` leaves only equal positions.
    """
    order = np.argsort(pos, kind="stable")
    p = pos[order].astype(float)
    v = w[order]
    if phi <= 0:
        _, groups = np.unique(p, return_inverse=True)
        sums = np.bincount(groups, weights=v)
        return float(sums @ sums)
    t = (p - p[0]) * -math.log(phi)
    total = float(v @ v)
    carry = 0.0  # Σ_{i ≤ end of the previous block} w_i·e^(−(t_prev − t_i))
    t_prev = 0.0
    s = 0
    k = len(t)
    while s < k:
        e = int(np.searchsorted(t, t[s] + _BLOCK_EXP, side="right"))
        tb = t[s:e] - t[s]
        u = v[s:e] * np.exp(tb)
        excl = np.concatenate(([0.0], np.cumsum(u)[:-1]))  # Σ_{s ≤ i < j} u_i
        sj = np.exp(-tb) * excl + carry * np.exp(-(t[s:e] - t_prev))
        total += 2.0 * float(v[s:e] @ sj)
        carry = float(np.exp(-tb[-1]) * (excl[-1] + u[-1])) + carry * math.exp(-(t[e - 1] - t_prev))
        t_prev = float(t[e - 1])
        s = e
    return total
