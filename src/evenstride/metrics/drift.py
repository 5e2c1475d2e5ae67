# SPDX-License-Identifier: MIT
"""Within-run drift ("does it grow as I tire?"), compared at matched speed, grade and bends.

Method (design documented in docs/methods.md; components cited):

1. Steady-running samples are averaged in 60 s windows (window mean of the series, of speed,
   grade and signed bend share).
2. A linear model ``y = a + b·t_h + c·(speed − median) + d·grade + e·bend`` is fitted by least
   squares; ``b`` is the drift per hour *at matched speed, grade and bends*, in the spirit of
   Zandbergen et al. 2023 (subject-specific correction for speed before interpreting fatigue).
3. The covariate-adjusted series ``y − c·(speed − median) − d·grade − e·bend`` gives the level at
   the run's median speed on flat, straight ground; the first and last quarters of the analysed
   time are compared on it.
4. Onset: two change-point models are fitted over τ — a level shift ``y_adj = a + c·1[t > τ]``
   and a hinge ``y_adj = a + c·max(0, t − τ)`` (a stable start, then a drift); the onset is
   reported only when the better of them beats both a constant and a straight line by ΔBIC > 6
   computed with the effective number of windows (serial correlation), i.e. the change is abrupt
   rather than gradual (Meyer et al. 2021 found abrupt changes in marathons).
5. Intervals: the slope and the quarter difference are linear in the window values, so their
   standard errors come from the batch-means / persistence-floor method of
   :mod:`evenstride.metrics._intervals` on the model residuals (the same calibrated method as the
   asymmetry intervals; calibration in docs/methods.md). The onset interval is a moving-block
   bootstrap over windows (τ recomputed in every replicate).
6. Decision: "changed" (``verdict == "real"``) is set by the family-wise step
   (:mod:`evenstride.metrics._family`); quarters and onset are only statements when the slope of
   the same series is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride.metrics._bootstrap import block_length, integrated_autocorr_time, percentile_ci
from evenstride.metrics._intervals import (
    PersistencePrior,
    data_tau,
    linear_interval,
    median_step,
)

#: Window length for the drift model.
WINDOW_S = 60.0
#: Minimum windows for a drift estimate (10 minutes of steady running).
MIN_WINDOWS = 10
#: ΔBIC for accepting an abrupt onset (Kass & Raftery 1995: > 6 is "strong").
ONSET_DELTA_BIC = 6.0
N_BOOT_DRIFT = 400
#: Fewest effectively independent stretches for a "changed during the run" verdict. A trend needs
#: more than a mean: with strongly persistent noise (lag-1 0.995 at 1 Hz) a 20-min run's slope is
#: indistinguishable from wander (calibration, docs/methods.md). Design choice, grade [U].
MIN_N_EFFECTIVE_DRIFT = 10.0


@dataclass(frozen=True)
class SmallestImportantChange:
    """The smallest change over a run worth flagging, in the series' unit (data, with source)."""

    change: float
    source: str


#: Smallest important within-run change per series (issue 10: a detectable but trivial effect is
#: described, not flagged). Keys are drift series names; asymmetry series use "% SA".
SMALLEST_IMPORTANT_CHANGE: dict[str, SmallestImportantChange] = {
    "cadence_spm": SmallestImportantChange(
        5.0,
        "≈ 3 % of a 170 steps/min cadence: below the +5–10 % changes studied for loading "
        "(science.md §4; Heiderscheit 2011); design choice [U]",
    ),
    "contact_time_s": SmallestImportantChange(
        0.010,
        "10 ms ≈ 4 % of a 250 ms contact: within-run fatigue changes reported are of this "
        "order (science.md §3.2); design choice [U]",
    ),
    "vertical_ratio_pct": SmallestImportantChange(
        0.5, "half a Garmin vertical-ratio band step (science.md reference bands); design [U]"
    ),
    "% SA": SmallestImportantChange(
        1.2,
        "1.2 % SA, the practical threshold for a relevant asymmetry (science.md §2.3, "
        "Hanley & Tucker)",
    ),
}


@dataclass
class DriftResult:
    """Drift of one series along the run (units of the series)."""

    name: str
    unit: str
    n_windows: int
    slope_per_h: float | None = None
    slope_ci95: tuple[float, float] | None = None
    first_quarter: float | None = None
    last_quarter: float | None = None
    quarter_difference: float | None = None
    quarter_difference_ci95: tuple[float, float] | None = None
    onset_s: float | None = None
    onset_ci95: tuple[float, float] | None = None
    #: ``"shift"`` (level shift) or ``"drift"`` (stable, then a slope) when an onset is found.
    onset_kind: str | None = None
    adjusted_for: list[str] = field(default_factory=list)
    #: Window centres (s) and values, raw and adjusted, for plots.
    window_t_s: np.ndarray | None = None
    window_value: np.ndarray | None = None
    window_adjusted: np.ndarray | None = None
    reason: str | None = None
    #: Standard errors, degrees of freedom and two-sided p-values (same method as the CIs).
    slope_se: float | None = None
    slope_df: float | None = None
    slope_p: float | None = None
    quarter_p: float | None = None
    n_effective: float | None = None
    #: Holm-adjusted p of the slope over the run's statements (family-wise step).
    p_adjusted: float | None = None
    decision: str | None = None
    verdict: str = "cant_tell"
    verdict_reason: str | None = None
    #: Whether the first-vs-last-quarter change is a statement (only under a "real" slope).
    quarter_verdict: str = "cant_tell"

    @property
    def significant(self) -> bool:
        """The calibrated, family-wise controlled "changed during the run" decision."""
        return self.verdict == "real"

    def to_dict(self) -> dict[str, object]:
        def r(x: float | None, nd: int = 4) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), nd)

        def rci(ci: tuple[float, float] | None, nd: int = 4) -> list[float | None] | None:
            return None if ci is None else [r(ci[0], nd), r(ci[1], nd)]

        return {
            "unit": self.unit,
            "slope_per_h": r(self.slope_per_h),
            "slope_ci95": rci(self.slope_ci95),
            "first_quarter": r(self.first_quarter),
            "last_quarter": r(self.last_quarter),
            "quarter_difference": r(self.quarter_difference),
            "quarter_difference_ci95": rci(self.quarter_difference_ci95),
            "onset_s": r(self.onset_s, 0),
            "onset_ci95": rci(self.onset_ci95, 0),
            "onset_kind": self.onset_kind,
            "significant": self.significant,
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "quarter_verdict": self.quarter_verdict,
            "slope_p": r(self.slope_p, 6),
            "quarter_p": r(self.quarter_p, 6),
            "p_adjusted": r(self.p_adjusted, 6),
            "decision_level": self.decision,
            "n_effective": r(self.n_effective, 1),
            "adjusted_for": list(self.adjusted_for),
            "n_windows": self.n_windows,
            "reason": self.reason,
        }


def window_means(
    t: np.ndarray, series: dict[str, np.ndarray], mask: np.ndarray, *, window_s: float = WINDOW_S
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Average each series over fixed time windows, using only ``mask`` samples.

    Returns window centre times, the per-window means (NaN where a series has no finite value
    in a window) and the per-window sample counts.
    """
    if not mask.any():
        return np.empty(0), {k: np.empty(0) for k in series}, np.empty(0, dtype=int)
    t0 = float(t[mask][0])
    b = np.floor((t - t0) / window_s).astype(np.int64)
    b = np.where(mask, b, -1)
    keep = b >= 0
    bk = b[keep]
    nb = int(bk.max()) + 1
    cnt = np.bincount(bk, minlength=nb)
    tc = np.bincount(bk, weights=t[keep], minlength=nb)
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = tc / cnt
        for k, v in series.items():
            vk = v[keep]
            fin = np.isfinite(vk)
            if fin.all():  # every kept sample finite: the kept bins, values and counts as they are
                s = np.bincount(bk, weights=vk, minlength=nb)
                c = cnt
            else:
                bo = bk[fin]
                s = np.bincount(bo, weights=vk[fin], minlength=nb)
                c = np.bincount(bo, minlength=nb)
            out[k] = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    return tm, out, cnt


def _ols(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    return beta


def _hinge_scan(
    t: np.ndarray, y: np.ndarray, taus: np.ndarray, kind: str = "drift"
) -> tuple[np.ndarray, np.ndarray]:
    """RSS and coefficient of ``y = a + c·g(t, τ)`` for each τ (vectorised simple regression);
    ``g = max(0, t − τ)`` for ``kind="drift"`` and ``1[t > τ]`` for ``kind="shift"``."""
    d = t[None, :] - taus[:, None]
    h = np.maximum(0.0, d) if kind == "drift" else (d > 0).astype(float)
    hm = h.mean(axis=1, keepdims=True)
    ym = y.mean()
    shh = ((h - hm) ** 2).sum(axis=1)
    shy = ((h - hm) * (y - ym)[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(shh > 0, shy / shh, 0.0)
    syy = ((y - ym) ** 2).sum()
    rss = syy - c * shy
    return rss, c


def _bic(rss: float, n_eff: float, k: int, n: int) -> float:
    # Gaussian BIC with the residual variance per window, scaled to the effective sample size.
    rss = max(rss, 1e-12)
    return n_eff * np.log(rss / n) + k * np.log(max(n_eff, 2.0))


def _onset(
    t: np.ndarray, y: np.ndarray, n_eff: float
) -> tuple[float | None, float, str, np.ndarray | None]:
    n = len(t)
    if n < MIN_WINDOWS:
        return None, 0.0, "", None
    lo_t, hi_t = np.quantile(t, [0.15, 0.85])
    taus = t[(t >= lo_t) & (t <= hi_t)]
    if len(taus) == 0:
        return None, 0.0, "", None
    best: tuple[float, float, float, str] | None = None  # rss, tau, coef, kind
    for kind in ("shift", "drift"):
        rss_k, c_k = _hinge_scan(t, y, taus, kind)
        i = int(np.argmin(rss_k))
        if best is None or rss_k[i] < best[0]:
            best = (float(rss_k[i]), float(taus[i]), float(c_k[i]), kind)
    assert best is not None
    rss_h, tau, coef, kind = best
    # Effective sample size from the residuals of the best model: residuals of a misfitting
    # model are autocorrelated by the misfit itself, which would understate the evidence.
    d = t - tau
    h = np.maximum(0.0, d) if kind == "drift" else (d > 0).astype(float)
    fit = y.mean() + coef * (h - h.mean())
    n_eff = min(n_eff, n / integrated_autocorr_time(y - fit))
    rss_c = float(((y - y.mean()) ** 2).sum())
    X = np.column_stack([np.ones(n), t])
    res = y - X @ _ols(X, y)
    rss_l = float((res**2).sum())
    b_h = _bic(rss_h, n_eff, 3, n)
    gain = min(_bic(rss_c, n_eff, 1, n), _bic(rss_l, n_eff, 2, n)) - b_h
    return tau, float(gain), kind, y - fit


def _boot_onsets(
    tb: np.ndarray, yb: np.ndarray, tw: np.ndarray, kind: str, *, chunk: int = 20
) -> np.ndarray:
    """Best change-point time of each bootstrap replicate (rows of ``tb``/``yb``), scanning the
    original windows between the 15th and 85th percentile of time as candidates. ``chunk``
    replicates at a time (each replicate's arithmetic is the same for any chunk; 20 keeps the
    (chunk, windows, candidates) temporaries in cache)."""
    lo_t, hi_t = np.quantile(tw, [0.15, 0.85])
    cand = tw[(tw >= lo_t) & (tw <= hi_t)]
    out = np.full(len(tb), np.nan)
    if len(cand) == 0:
        return out
    for a in range(0, len(tb), chunk):
        t = tb[a : a + chunk]
        y = yb[a : a + chunk]
        d = t[:, :, None] - cand[None, None, :]  # (b, n, K)
        h = np.maximum(0.0, d) if kind == "drift" else (d > 0).astype(float)
        hc = h - h.mean(axis=1, keepdims=True)
        yc = y - y.mean(axis=1, keepdims=True)
        shh = (hc * hc).sum(axis=1)
        shy = (hc * yc[:, :, None]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = np.where(shh > 0, shy * shy / shh, -np.inf)  # RSS = syy − gain
        out[a : a + chunk] = cand[np.argmax(gain, axis=1)]
    return out


def drift(
    name: str,
    unit: str,
    t: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    covariates: dict[str, np.ndarray],
    *,
    seed: int = 0,
    window_s: float = WINDOW_S,
    prior: PersistencePrior | None = None,
) -> DriftResult:
    """Drift of ``y`` over the run at matched covariates (see module docstring).

    Parameters
    ----------
    name, unit
        Label and unit of ``y`` (for output).
    t
        Sample times in seconds.
    y
        The series (e.g. per-sample symmetry angle), NaN where missing.
    mask
        Samples to use (steady running).
    covariates
        Named covariate series (``"speed"`` is centred on its median; others are taken with
        0 as the reference, i.e. flat and straight). Covariates missing in > 10 % of windows or
        without variation are left out, and the result says what it adjusted for.
    prior
        Persistence floor of the series (per second; the window spacing is applied), or None.
    """
    m = mask & np.isfinite(y)
    tw, means, cnt = window_means(t, {"y": y, **covariates}, m, window_s=window_s)
    med_dt = median_step(t)
    min_count = max(3, int(0.3 * window_s / max(med_dt, 1e-3)))
    ok = (cnt >= min_count) & np.isfinite(means["y"])
    tw, yw = tw[ok], means["y"][ok]
    res = DriftResult(name=name, unit=unit, n_windows=int(ok.sum()))
    if len(tw) < MIN_WINDOWS:
        res.reason = (
            f"only {len(tw)} one-minute windows of steady running (need {MIN_WINDOWS})"
        )
        res.verdict_reason = res.reason
        return res
    cols: list[np.ndarray] = []
    names: list[str] = []
    for k in covariates:
        vw = means[k][ok]
        fin = np.isfinite(vw)
        if fin.mean() < 0.9:
            continue
        vw = np.where(fin, vw, np.nanmean(vw))
        if np.nanstd(vw) < 1e-6:
            continue
        c = float(np.median(vw)) if k == "speed" else 0.0
        cols.append(vw - c)
        names.append(k)
    th = (tw - tw[0]) / 3600.0
    X = np.column_stack([np.ones(len(tw)), th, *cols])
    beta = _ols(X, yw)
    cov_part = X[:, 2:] @ beta[2:] if cols else np.zeros(len(tw))
    y_adj = yw - cov_part
    resid = yw - X @ beta
    q1 = th <= th[-1] * 0.25
    q4 = th >= th[-1] * 0.75
    res.adjusted_for = names
    res.slope_per_h = float(beta[1])
    res.first_quarter = float(y_adj[q1].mean())
    res.last_quarter = float(y_adj[q4].mean())
    res.quarter_difference = res.last_quarter - res.first_quarter
    res.window_t_s, res.window_value, res.window_adjusted = tw, yw, y_adj
    onset, gain, onset_kind, onset_resid = _onset(tw, y_adj, float(len(tw)))
    # Persistence is judged on the residuals of the better model: a change point that the straight
    # line misfits would otherwise read as slow noise.
    found = onset is not None and gain > ONSET_DELTA_BIC and onset_resid is not None
    tau_src = onset_resid if found else resid

    # Slope and quarter difference are linear in the window values: w·y. Their standard errors
    # come from the calibrated batch-means / persistence-floor method on the residuals.
    # The slope and the quarter difference are linear in the window means, hence in the samples:
    # each sample of window j carries weight w_j / (samples in j). Their standard errors are
    # computed on the per-sample residuals of the better model, where the persistence floor
    # applies at its own time scale (window means would hide the fast/slow mix).
    ts_m, ys_m = t[m], y[m]
    b_s = np.floor((ts_m - ts_m[0]) / window_s).astype(np.int64)
    row_of = np.cumsum(ok) - 1
    keep_s = ok[b_s]
    row_s = row_of[b_s][keep_s]
    ts_k, ys_k = ts_m[keep_s], ys_m[keep_s]
    cnt_k = cnt[b_s][keep_s].astype(float)
    r_s = ys_k - (yw - tau_src)[row_s]
    xtx_inv = np.linalg.pinv(X.T @ X)
    w_slope = (xtx_inv @ X.T)[1]
    # both intervals rest on the same residuals and times: their persistence and spacing once
    tau_r = data_tau(r_s) if len(r_s) >= 4 else None
    dt_r = median_step(ts_k) if len(r_s) >= 4 else None
    sl = linear_interval(res.slope_per_h, r_s, w_slope[row_s] / cnt_k, t_s=ts_k, prior=prior,
                         series_tau=tau_r, dt_s=dt_r)
    w_q = np.where(q4, 1.0 / max(int(q4.sum()), 1), 0.0) - np.where(
        q1, 1.0 / max(int(q1.sum()), 1), 0.0
    )
    qd = linear_interval(res.quarter_difference, r_s, w_q[row_s] / cnt_k, t_s=ts_k, prior=prior,
                         series_tau=tau_r, dt_s=dt_r)
    res.n_effective = round(sl.n_effective, 1)
    res.slope_se, res.slope_df, res.slope_p = sl.se, sl.df, sl.p_value
    res.quarter_p = qd.p_value
    if sl.n_effective < MIN_N_EFFECTIVE_DRIFT or not sl.enough or not np.isfinite(sl.se):
        res.verdict = "cant_tell"
        res.verdict_reason = (
            f"only ~{sl.n_effective:.0f} independent stretches of data in this run (need "
            f"{max(MIN_N_EFFECTIVE_DRIFT, sl.n_effective_needed):.0f} for a trend)"
        )
        return res
    res.slope_ci95 = sl.ci()
    res.quarter_difference_ci95 = qd.ci()
    res.verdict = "real" if sl.p_value <= 0.05 else "not_detected"
    res.decision = "per-test 95 % (not yet family-wise)"
    if found:
        res.onset_s = onset
        res.onset_ci95 = _onset_ci(tw, yw, X, resid, cols, onset_kind, seed)
        res.onset_kind = onset_kind
    return res


def _onset_ci(
    tw: np.ndarray,
    yw: np.ndarray,
    X: np.ndarray,
    resid: np.ndarray,
    cols: list[np.ndarray],
    onset_kind: str,
    seed: int,
) -> tuple[float, float]:
    """Moving-block bootstrap interval of the change-point time (pairs resampling over windows,
    vectorised: batched normal equations and a batched change-point scan)."""
    n = len(tw)
    bl = max(2, min(block_length(resid), n // 3))
    nblk = int(np.ceil(n / bl))
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n - bl + 1, size=(N_BOOT_DRIFT, nblk))
    idx = (starts[:, :, None] + np.arange(bl)[None, None, :]).reshape(N_BOOT_DRIFT, -1)[:, :n]
    Xb, yb = X[idx], yw[idx]  # (B, n, p), (B, n)
    xtx = np.einsum("bnp,bnq->bpq", Xb, Xb)
    # Drop replicates whose design is (near) singular, e.g. a covariate constant in the
    # resample: an LU-based log-determinant against the diagonal is far cheaper than an SVD rank.
    sign, logdet = np.linalg.slogdet(xtx)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_diag = np.log(np.diagonal(xtx, axis1=1, axis2=2)).sum(axis=1)
        full_rank = (sign > 0) & (logdet - log_diag > -25.0)
    Xb, yb, idx, xtx = Xb[full_rank], yb[full_rank], idx[full_rank], xtx[full_rank]
    xty = np.einsum("bnp,bn->bp", Xb, yb)
    betas = np.linalg.solve(xtx, xty[:, :, None])[:, :, 0]
    ya = yb - (np.einsum("bnp,bp->bn", Xb[:, :, 2:], betas[:, 2:]) if cols else 0.0)
    return percentile_ci(_boot_onsets(tw[idx], ya, tw, onset_kind))
