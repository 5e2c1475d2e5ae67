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


def contrast_var(pos: np.ndarray, w: np.ndarray, phi: float) -> float:
    """``wᵀRw`` with ``R_ij = φ^|pos_i − pos_j|`` (the variance of ``w·x`` in units of σ²)."""
    d = np.abs(pos[:, None] - pos[None, :])
    if phi > 0:
        # φ^d looked up from the powers 0…max(d) (the same values as np.power(φ, d), computed
        # once per distance instead of once per pair)
        r = np.power(phi, np.arange(int(d.max()) + 1, dtype=float))[d]
    else:
        r = (d == 0).astype(float)
    return float(w @ r @ w)
