# SPDX-License-Identifier: MIT
"""Intervals that keep their promise under strong serial correlation (design: docs/methods.md,
"Intervals and false alarms: calibration").

Every per-run statistic (an asymmetry index of per-side means, a drift slope, a quarter
difference) is, to first order, a weighted sum ``Σ wᵢ·zᵢ`` of a serially correlated series
``z``. Its standard error comes from two estimates, of which the larger is used:

1. **Batch means** (a fixed-b interval; Schmeiser 1982, Kiefer & Vogelsang 2002/2005): the series
   is cut into ``k`` contiguous batches of about ``3·τ`` samples (``τ`` the persistence, below),
   at most :data:`MAX_BATCHES`; the spread of the batch contributions gives the variance and the
   critical value is Student's ``t`` with ``k − 1`` degrees of freedom.
2. **A persistence floor** for 1 Hz watch/strap series: the real Garmin files show slow wander
   (an AR(1)+slow-AR(1) autocorrelation, fitted in ``bench/noise_real.py``) that a single run
   cannot measure when the wander is as slow as the run is long. The variance implied by that
   measured autocorrelation, scaled by the run's own variance, is a lower bound.

``τ`` (integrated autocorrelation time, samples) is the larger of the data's estimate and the
floor model's; ``n_eff = n/τ`` is the number of effectively independent stretches. Below
:data:`MIN_N_EFFECTIVE` the verdict is "can't tell".
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from evenstride.metrics._bootstrap import centred_autocorr_time, integrated_autocorr_time

#: Fewest effectively independent stretches for any verdict (design choice: with fewer than 5
#: the variance itself rests on < 4 degrees of freedom and t critical values exceed 2.8).
MIN_N_EFFECTIVE = 5.0
#: Batch length in units of τ (batches three autocorrelation times long are nearly independent).
BATCH_TAU_FACTOR = 3.0
#: Cap of the bias-corrected lag-1 coefficient in :func:`data_tau` (the top of the calibration
#: grid; a trend in the series would otherwise read as φ → 1).
MAX_AR1_PHI = 0.995
#: Fewest batches when the variance rests on the batches alone (t with ≥ 3 df; fewer gives
#: absurd intervals such as t₁ = 12.7 × SE).
MIN_BATCHES = 4
#: Most batches used (more add little power and let short-range correlation leak in).
MAX_BATCHES = 20


@dataclass(frozen=True)
class PersistencePrior:
    """Autocorrelation model ``ρ(Δt) = w·φ_f^Δt + (1 − w)·φ_s^Δt`` (Δt in seconds).

    Fitted on the shared real FIT files (table in docs/methods.md; ``bench/noise_real.py``).
    """

    fast_share: float
    fast_phi_per_s: float
    slow_phi_per_s: float
    source: str

    def acf(self, lag_s: np.ndarray) -> np.ndarray:
        lag = np.abs(np.asarray(lag_s, dtype=np.float64))
        w = self.fast_share
        return np.asarray(w * self.fast_phi_per_s**lag + (1.0 - w) * self.slow_phi_per_s**lag)

    @property
    def tau_s(self) -> float:
        """Integrated autocorrelation time of the model, seconds."""
        w, pf, ps = self.fast_share, self.fast_phi_per_s, self.slow_phi_per_s
        return w * (1 + pf) / (1 - pf) + (1 - w) * (1 + ps) / (1 - ps)


#: Garmin GCT balance and the other 1 Hz running-dynamics series (median of the per-file fits on
#: seven shared files with GCT balance; measured 2026-12-07, see docs/methods.md).
WATCH_PRIOR = PersistencePrior(
    fast_share=0.7,
    fast_phi_per_s=0.96,
    slow_phi_per_s=0.993,
    source="two-component AR fit of GCT balance on 7 shared real FIT files (docs/methods.md)",
)


# --- Student t without scipy ---------------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the incomplete beta function (Numerical Recipes, modified Lentz).
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        de = d * c
        h *= de
        if abs(de - 1.0) < 1e-12:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
    lbt += b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t.

    Examples
    --------
    >>> round(t_two_sided_p(2.228, 10), 3)
    0.05
    """
    if not math.isfinite(t):
        return 0.0 if not math.isnan(t) else 1.0
    df = max(float(df), 1.0)
    return _betainc(0.5 * df, 0.5, df / (df + t * t))


@lru_cache(maxsize=512)
def t_critical(df: float, level: float = 0.95) -> float:
    """Two-sided critical value of Student's t (bisection on :func:`t_two_sided_p`).

    Examples
    --------
    >>> round(t_critical(4), 3), round(t_critical(1e6), 3)
    (2.776, 1.96)
    """
    alpha = 1.0 - level
    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_two_sided_p(mid, df) > alpha:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9:
            break
    return 0.5 * (lo + hi)


# --- the interval --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinearInterval:
    """Estimate, standard error and degrees of freedom of a (linearised) statistic."""

    estimate: float
    se: float
    df: float
    n: int
    n_effective: float
    n_batches: int
    tau_samples: float
    #: "batches" (data-driven) or "prior" (the persistence floor was larger).
    variance_from: str = "batches"

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        if not (math.isfinite(self.se) and math.isfinite(self.estimate)):
            return (float("nan"), float("nan"))
        h = t_critical(round(self.df, 1), level) * self.se
        return (self.estimate - h, self.estimate + h)

    @cached_property
    def p_value(self) -> float:
        """Two-sided p-value of "the statistic is 0" (computed once: it is read several times)."""
        if not math.isfinite(self.se) or self.se <= 0.0:
            return 1.0 if self.estimate == 0.0 or not math.isfinite(self.estimate) else 0.0
        return t_two_sided_p(self.estimate / self.se, self.df)

    @property
    def n_effective_needed(self) -> float:
        """Independent stretches this interval needs for a verdict."""
        if self.variance_from == "batches":
            return max(MIN_N_EFFECTIVE, MIN_BATCHES * BATCH_TAU_FACTOR)
        return MIN_N_EFFECTIVE

    @property
    def enough(self) -> bool:
        if self.variance_from == "batches" and self.n_batches < MIN_BATCHES:
            return False
        return self.n_effective >= MIN_N_EFFECTIVE


def data_tau(x: np.ndarray) -> float:
    """Persistence of ``x`` in samples: the larger of the integrated autocorrelation time and
    the AR(1) value ``(1 + φ)/(1 − φ)`` with the lag-1 coefficient bias-corrected
    (Marriott & Pope 1954: ``E[φ̂] ≈ φ − (1 + 3φ)/n``), because the truncated sum alone misses
    slow decay in short series."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 8:
        return integrated_autocorr_time(x)
    xc = x - x.mean()
    den = float(xc @ xc)
    # the same centred series and sum of squares as integrated_autocorr_time computes
    tau = centred_autocorr_time(xc, den)
    if den <= 0.0:
        return tau
    phi = float(xc[:-1] @ xc[1:]) / den
    phi = min(phi + (1.0 + 3.0 * phi) / n, MAX_AR1_PHI) if phi > 0 else 0.0
    return max(tau, (1.0 + phi) / (1.0 - phi))


def median_step(t_s: np.ndarray) -> float:
    """The ``dt_s`` of :func:`linear_interval` for sample times ``t_s``: the median spacing,
    ``np.median(np.diff(t_s))``.

    Most spacings of a recording are one value (1 s): when the sorted middle element(s) provably
    equal the first spacing ``v`` (fewer than half the spacings below ``v``, fewer than half
    above, none NaN), the median is ``v`` exactly (``np.median`` averages two equal middle
    values to the same float) and the partition is skipped; otherwise ``np.median`` decides.

    >>> median_step(np.array([0.0, 1.0, 2.0, 5.0, 6.0])), median_step(np.array([0.0, 2.0, 3.0]))
    (1.0, 1.5)
    """
    ts = np.asarray(t_s, dtype=np.float64)
    if len(ts) <= 1:
        return 1.0
    d = np.diff(ts)
    n = len(d)
    v = d[0]
    below = int(np.count_nonzero(d < v))
    equal = int(np.count_nonzero(d == v))
    above = int(np.count_nonzero(d > v))
    # middle positions of the sorted spacings: (n - 1) // 2 and n // 2 (the same for odd n)
    if below + equal + above == n and below <= (n - 1) // 2 and below + equal > n // 2:
        return float(v)
    return float(np.median(d))


def _ar1_upper(x: np.ndarray) -> float:
    """Bias-corrected lag-1 coefficient plus one standard error, capped at 0.998 (0 if ≤ 0)."""
    phi = _ar1_point(x)
    if phi <= 0.0:
        return 0.0
    return float(min(phi + math.sqrt(max(1.0 - phi * phi, 0.0) / len(x)), 0.998))


def _ar1_point(x: np.ndarray) -> float:
    """Bias-corrected lag-1 coefficient (Marriott & Pope 1954), capped at 0.998; 0 if ≤ 0."""
    n = len(x)
    xc = x - x.mean()
    den = float(xc @ xc)
    if n < 8 or den <= 0.0:
        return 0.0
    phi = float(xc[:-1] @ xc[1:]) / den
    if phi <= 0.0:
        return 0.0
    return float(min(phi + (1.0 + 3.0 * phi) / n, 0.998))


#: Block length of :func:`_geometric_quad`.
_QUAD_BLOCK = 64
_QUAD_LAG = np.arange(_QUAD_BLOCK)[:, None] - np.arange(_QUAD_BLOCK)[None, :]
#: lag index of the filter matrix (clipped at 0) and where the lag is negative
_QUAD_LAG_CLIPPED = np.maximum(_QUAD_LAG, 0)
_QUAD_UPPER = _QUAD_LAG < 0


@lru_cache(maxsize=64)
def _quad_filters(phi: float) -> tuple[np.ndarray, np.ndarray]:
    """The within-block filter matrix (transposed, as :func:`_geometric_quad` multiplies by it)
    and the carry weights ``φ^(1..blk)`` for ``phi``: the same arrays for every call with this
    ``phi`` (the prior's coefficients repeat for every series of a run), built once. Read-only;
    32 KB each, so at most 2 MB cached (a series' own AR coefficient rarely repeats)."""
    blk = _QUAD_BLOCK
    powers = phi ** np.arange(blk)  # φ^k once per lag k (the same pow as per matrix entry)
    # [φ^(i−j) if i ≥ j else 0] (lag indices and mask built once), used transposed as before
    toep = powers[_QUAD_LAG_CLIPPED]
    toep[_QUAD_UPPER] = 0.0
    toep_t = toep.T
    carry_w = phi ** (np.arange(blk) + 1.0)
    toep_t.flags.writeable = False
    carry_w.flags.writeable = False
    return toep_t, carry_w


def _geometric_quad(weights: np.ndarray, phi: float) -> float:
    """``Σᵢⱼ wᵢ wⱼ φ^|i−j|`` in O(n): ``2·Σ wᵢ yᵢ − Σ wᵢ²`` with ``yᵢ = φ·yᵢ₋₁ + wᵢ``."""
    n = len(weights)
    if n == 0:
        return 0.0
    blk = _QUAD_BLOCK
    m = -(-n // blk) * blk
    wp = np.zeros(m)
    wp[:n] = weights
    seg = wp.reshape(-1, blk)
    toep_t, carry_w = _quad_filters(float(phi))
    local = seg @ toep_t  # filter within each block from zero state
    # carried state entering each block: a scalar recurrence over block ends (same arithmetic
    # as filtering row by row, so bit-identical), then one vectorised update of all blocks
    c_end = float(carry_w[-1])
    prevs = []
    prev = 0.0
    for end in local[:, -1].tolist():
        prevs.append(prev)
        prev = end + prev * c_end
    y = local + np.asarray(prevs)[:, None] * carry_w
    yy = y.reshape(-1)[:n]
    return float(2.0 * weights @ yy - weights @ weights)


@lru_cache(maxsize=512)
def _mean_quad(n: int, phi: float) -> float:
    """:func:`_geometric_quad` for the mean's weights ``1/n`` (the same computation, cached:
    every metric of a run shares ``n`` and the persistence coefficients)."""
    return _geometric_quad(np.full(n, 1.0 / n), phi)


def _prior_mean_factor(n: int, dt_s: float, prior: PersistencePrior) -> float:
    """:func:`_prior_variance_factor` for the mean's weights ``1/n`` (same arithmetic)."""
    w = prior.fast_share
    return w * _mean_quad(n, prior.fast_phi_per_s**dt_s) + (1.0 - w) * _mean_quad(
        n, prior.slow_phi_per_s**dt_s
    )


def _prior_variance_factor(weights: np.ndarray, dt_s: float, prior: PersistencePrior) -> float:
    """``Σᵢⱼ wᵢ wⱼ ρ(|i − j|·dt)`` for the prior autocorrelation (regular spacing ``dt``)."""
    w = prior.fast_share
    return w * _geometric_quad(weights, prior.fast_phi_per_s**dt_s) + (1.0 - w) * _geometric_quad(
        weights, prior.slow_phi_per_s**dt_s
    )


def linear_interval(
    estimate: float,
    z: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    t_s: np.ndarray | None = None,
    prior: PersistencePrior | None = None,
    tau_series: np.ndarray | None = None,
    min_tau: float = 1.0,
    series_tau: float | None = None,
    dt_s: float | None = None,
) -> LinearInterval:
    """Standard error of ``estimate ≈ const + Σ wᵢ·zᵢ`` for a serially correlated ``z``.

    Parameters
    ----------
    estimate
        The statistic's value.
    z
        Centred influence series (residuals), finite, in time order.
    weights
        ``wᵢ`` (default ``1/n``: the statistic is a mean).
    t_s
        Sample times in seconds (needed with ``prior``; irregular spacing is fine).
    prior
        Persistence floor (see module docstring), or None for data-driven batch means only.
    tau_series
        Series whose autocorrelation time sets the batch length (default ``z``).
    series_tau
        :func:`data_tau` of that series when the caller has it already (several intervals on
        one series), so it is not computed again; the result is the same.
    dt_s
        ``median(diff(t_s))`` when the caller has it already (same reason).
    """
    z = np.asarray(z, dtype=np.float64)
    n = len(z)
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=np.float64)
    if n < 4:
        return LinearInterval(estimate, float("nan"), 1.0, n, float(n), 0, float("nan"))
    if series_tau is None:
        series_tau = data_tau(z if tau_series is None else tau_series)
    tau = max(series_tau, float(min_tau))
    var_z: float | None = None  # z.var(ddof=1), computed once when needed
    v_prior = 0.0
    if prior is not None and t_s is not None:
        dt = median_step(t_s) if dt_s is None else dt_s
        # the prior's own τ in samples of this series, and the variance it implies
        tau = max(tau, prior.tau_s / max(dt, 1e-6))
        f_mean = _prior_mean_factor(n, dt, prior)
        f_w = f_mean if weights is None else _prior_variance_factor(w, dt, prior)
        # E[s²] = σ²(1 − F_mean) under the prior; undo that bias before scaling.
        var_z = float(z.var(ddof=1))
        sigma2 = var_z / max(1.0 - f_mean, 1.0 / n)
        v_prior = sigma2 * f_w
        # A second model floor from the run itself: AR(1) at the upper 1-SE bound of the
        # bias-corrected lag-1 coefficient (prewhitening in the spirit of Andrews & Monahan 1992),
        # which catches runs more persistent than the real-file median.
        phi_up = _ar1_upper(z)
        if phi_up > 0.0:
            f_mean_ar = _mean_quad(n, phi_up)
            f_w_ar = f_mean_ar if weights is None else _geometric_quad(w, phi_up)
            s2_ar = var_z / max(1.0 - f_mean_ar, 1.0 / n)
            v_prior = max(v_prior, s2_ar * f_w_ar)
    k = min(max(n // max(1, round(BATCH_TAU_FACTOR * tau)), 2), MAX_BATCHES)
    edges = np.linspace(0, n, k + 1).round().astype(int)
    contrib = np.array([float(w[a:b] @ z[a:b]) for a, b in itertools.pairwise(edges)])
    # batch contributions sum to the statistic's fluctuation; their spread estimates its variance
    v_bm = float(k * contrib.var(ddof=1))
    if prior is None:
        # Short per-step series (a 30-s treadmill trial: ~7 batches of a few strides): batch
        # means are biased low when batches are only a few correlation times long, so the
        # run's own AR(1) model at the upper 1-SE lag-1 bound is a floor here too (calibrated:
        # bench/calibration.py, lab-like channel; docs/methods.md).
        phi_up = _ar1_point(z)
        f_mean_ar = _mean_quad(n, phi_up) if phi_up > 0.0 else 1.0 / n
        f_w_ar = (f_mean_ar if weights is None
                  else (_geometric_quad(w, phi_up) if phi_up > 0.0 else float(w @ w)))
        if var_z is None:
            var_z = float(z.var(ddof=1))
        s2_ar = var_z / max(1.0 - f_mean_ar, 1.0 / n)
        v_bm = max(v_bm, s2_ar * f_w_ar)
    n_eff = n / max(tau, 1.0)
    if v_bm >= v_prior:
        var, df, src = v_bm, float(k - 1), "batches"
    else:
        var, df, src = v_prior, float(max(k - 1, math.floor(n_eff) - 1, 1)), "prior"
    return LinearInterval(estimate, math.sqrt(max(var, 0.0)), df, n, n_eff, k, tau, src)


def linear_p_below(
    alpha: float,
    estimate: float,
    z: np.ndarray,
    weights: np.ndarray,
    *,
    t_s: np.ndarray,
    prior: PersistencePrior,
    series_tau: float,
    dt_s: float,
) -> bool:
    """Whether ``li = linear_interval(estimate, z, weights, t_s=t_s, prior=prior,
    series_tau=series_tau, dt_s=dt_s)`` is ``li.enough and li.p_value < alpha`` — the same
    answer, often without the persistence-floor variance (the costly part), which only ever
    raises the standard error above the batch-means one:

    - too few independent stretches (``n / τ`` below :data:`MIN_N_EFFECTIVE`): never enough;
    - otherwise, with ``t = |estimate| / SE_batches`` and either branch's degrees of freedom,
      ``p`` is at least the smaller of ``p(t, df)`` over both; when that is clearly not below
      ``alpha`` the answer is no.

    Anything else (and any non-finite or huge input) computes the whole interval.
    """
    z = np.asarray(z, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    n = len(z)

    def full() -> bool:
        li = linear_interval(estimate, z, w, t_s=t_s, prior=prior, series_tau=series_tau,
                             dt_s=dt_s)
        return li.enough and li.p_value < alpha

    if n < 4 or len(w) != n or not math.isfinite(estimate):
        return full()
    # the same τ and batch count as linear_interval (its prior branch)
    tau = max(series_tau, 1.0)
    tau = max(tau, prior.tau_s / max(dt_s, 1e-6))
    n_eff = n / max(tau, 1.0)
    if not n_eff >= MIN_N_EFFECTIVE:
        return False  # "enough" needs n_eff ≥ MIN_N_EFFECTIVE whichever variance is used
    # finite and far from overflow: the floor variance is then finite and var ≥ v_bm below
    if not (np.isfinite(z).all() and np.isfinite(w).all()):
        return full()
    if float(np.abs(z).max()) > 1e100 or float(np.abs(w).max()) > 1e100:
        return full()
    k = min(max(n // max(1, round(BATCH_TAU_FACTOR * tau)), 2), MAX_BATCHES)
    edges = np.linspace(0, n, k + 1).round().astype(int)
    contrib = np.array([float(w[a:b] @ z[a:b]) for a, b in itertools.pairwise(edges)])
    v_bm = float(k * contrib.var(ddof=1))
    if not (math.isfinite(v_bm) and v_bm > 0.0):
        return full()
    t_max = abs(estimate) / math.sqrt(v_bm)
    df_b, df_p = float(k - 1), float(max(k - 1, math.floor(n_eff) - 1, 1))
    p_b = t_two_sided_p(t_max, df_b)
    p_min = p_b if df_p == df_b else min(p_b, t_two_sided_p(t_max, df_p))  # same df: same p
    if p_min >= alpha * (1.0 + 1e-6) + 1e-12:  # a margin for the p-value's own rounding
        return False
    return full()


def holm(p_values: list[float], alpha: float = 0.05) -> tuple[list[bool], list[float]]:
    """Holm (1979) step-down: which hypotheses are rejected, and the adjusted p-values.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03])
    ([True, False, False], [0.03, 0.06, 0.06])
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adj = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adj[i] = round(running, 12)
    return [a <= alpha for a in adj], adj
