# SPDX-License-Identifier: MIT
"""Running form within a run: cadence relative to speed, contact time, vertical ratio, step length.

Cadence depends on speed (≈ +5.6 steps/min per 1 m/s, Burns et al. 2019, science.md §4.1), so a
single cadence target (170, 180) is not meaningful. We fit the runner's own cadence–speed line on
10 s windows of steady running (least squares, refitted once after dropping windows more than
3 robust SDs from the line), report where cadence is low *for the speed*, and express the advice
as +5–10 % over the runner's own speed-matched cadence (Heiderscheit et al. 2011), never above
:data:`CADENCE_ADVICE_MAX_SPM` (200 steps/min): the top of elite ultra-runners' range is 203 and
Garmin's 95th percentile 183 (science.md §4.1), so a higher target is not advice for anyone this
tool serves. A runner already within 5 % of the cap gets no "increase" advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.metrics.drift import window_means
from evenstride.preprocessing import Gating

#: Window length for the cadence–speed fit.
FORM_WINDOW_S = 10.0
#: A window is "low for the speed" when cadence is this much below the runner's own line.
LOW_CADENCE_PCT = 3.0
#: Highest cadence ever suggested, steps/min. Elite 100 km runners averaged 182 (range 155.4–203.1;
#: Burns et al. 2019, V) and Garmin's 95th percentile is 183 (FR945 manual, V): science.md §4.1.
CADENCE_ADVICE_MAX_SPM = 200.0
#: The suggested increase over the runner's own speed-matched cadence (Heiderscheit et al. 2011,
#: Med Sci Sports Exerc 43:296, V: +5 % and +10 % lowered knee loading).
CADENCE_ADVICE_PCT = (5.0, 10.0)


@dataclass
class CadenceSpeed:
    """The runner's cadence–speed relation in this run."""

    n_windows: int
    intercept_spm: float | None = None
    slope_spm_per_m_s: float | None = None
    residual_sd_spm: float | None = None
    reference_speed_m_s: float | None = None
    cadence_at_reference_spm: float | None = None
    low_for_speed_share: float | None = None
    #: Time spans (s) of the longest stretches with cadence low for the speed.
    low_segments: list[tuple[float, float]] = field(default_factory=list)
    suggestion_spm: tuple[float, float] | None = None
    window_speed: np.ndarray | None = None
    window_cadence: np.ndarray | None = None
    window_t_s: np.ndarray | None = None
    reason: str | None = None

    def predict(self, speed_m_s: float) -> float | None:
        if self.intercept_spm is None or self.slope_spm_per_m_s is None:
            return None
        return self.intercept_spm + self.slope_spm_per_m_s * speed_m_s


def cadence_speed(activity: Activity, gating: Gating) -> CadenceSpeed:
    """Fit cadence on speed over steady running (see module docstring)."""
    cad = activity.column(consts.CADENCE_SPM)
    spd = activity.column(consts.SPEED_M_S)
    m = gating.steady & np.isfinite(cad) & np.isfinite(spd) & (spd > 0)
    tw, means, cnt = window_means(
        activity.samples[consts.TIME_S], {"c": cad, "s": spd}, m, window_s=FORM_WINDOW_S
    )
    ok = (cnt >= 3) & np.isfinite(means["c"]) & np.isfinite(means["s"])
    c, s, tw = means["c"][ok], means["s"][ok], tw[ok]
    out = CadenceSpeed(n_windows=int(ok.sum()))
    if len(c) < 20:
        out.reason = "too little steady running with both cadence and speed"
        return out
    out.window_speed, out.window_cadence, out.window_t_s = s, c, tw
    ref = float(np.median(s))
    out.reference_speed_m_s = ref
    spread = float(np.percentile(s, 90) - np.percentile(s, 10))
    if spread < 0.3:
        # Too little speed variation to estimate a slope: use the reference slope for shape only.
        out.slope_spm_per_m_s = None
        out.cadence_at_reference_spm = float(np.median(c))
        resid = c - out.cadence_at_reference_spm
        out.intercept_spm = None
        out.reason = "speed varied too little to fit the cadence–speed relation"
    else:
        X = np.column_stack([np.ones(len(s)), s])
        beta, *_ = np.linalg.lstsq(X, c, rcond=None)
        resid = c - X @ beta
        mad = float(np.median(np.abs(resid - np.median(resid)))) * 1.4826 or 1.0
        keep = np.abs(resid) <= 3 * mad
        beta, *_ = np.linalg.lstsq(X[keep], c[keep], rcond=None)
        resid = c - X @ beta
        out.intercept_spm, out.slope_spm_per_m_s = float(beta[0]), float(beta[1])
        out.cadence_at_reference_spm = float(beta[0] + beta[1] * ref)
    out.residual_sd_spm = float(np.std(resid))
    pred = c - resid
    low = resid < -LOW_CADENCE_PCT / 100.0 * pred
    out.low_for_speed_share = round(float(low.mean()), 4)
    out.low_segments = _runs(tw, low, FORM_WINDOW_S)
    out.suggestion_spm, why_not = cadence_suggestion(out.cadence_at_reference_spm)
    if why_not is not None:
        out.reason = why_not if out.reason is None else f"{out.reason}; {why_not}"
    return out


def cadence_suggestion(cref_spm: float) -> tuple[tuple[float, float] | None, str | None]:
    """+5–10 % over ``cref_spm``, capped at :data:`CADENCE_ADVICE_MAX_SPM`; ``(None, reason)``
    when even +5 % would exceed the cap.

    >>> cadence_suggestion(160.0)
    ((168.0, 176.0), None)
    >>> cadence_suggestion(185.0)
    ((194.0, 200.0), None)
    >>> cadence_suggestion(195.0)[0] is None
    True
    """
    lo_pct, hi_pct = CADENCE_ADVICE_PCT
    lo = round(cref_spm * (1 + lo_pct / 100.0), 0)
    if lo > CADENCE_ADVICE_MAX_SPM:
        return None, (
            f"cadence already high ({cref_spm:.0f} steps/min): no increase advised above "
            f"{CADENCE_ADVICE_MAX_SPM:.0f} steps/min"
        )
    hi = min(round(cref_spm * (1 + hi_pct / 100.0), 0), CADENCE_ADVICE_MAX_SPM)
    return (lo, hi), None


def _runs(t: np.ndarray, flag: np.ndarray, step: float) -> list[tuple[float, float]]:
    """Longest stretches of consecutive flagged windows (at least 3 windows), longest first."""
    segs: list[tuple[float, float]] = []
    start = None
    prev = None
    for ti, f in zip(t, flag, strict=True):
        if f and start is None:
            start = ti
        if start is not None and (not f or (prev is not None and ti - prev > 1.5 * step)):
            if prev is not None and prev - start >= 2 * step:
                segs.append((float(start - step / 2), float(prev + step / 2)))
            start = ti if f else None
        prev = ti
    if start is not None and prev is not None and prev - start >= 2 * step:
        segs.append((float(start - step / 2), float(prev + step / 2)))
    segs.sort(key=lambda ab: ab[0] - ab[1])
    return segs[:5]


@dataclass
class FormSummary:
    """Median of a bilateral form metric over steady running."""

    column: str
    unit: str
    median: float
    p10: float
    p90: float
    n: int


def form_summaries(activity: Activity, gating: Gating) -> list[FormSummary]:
    """Medians of cadence, contact time, vertical oscillation/ratio and step length."""
    out = []
    for col in (
        consts.CADENCE_SPM,
        consts.CONTACT_TIME_S,
        consts.VERTICAL_OSCILLATION_M,
        consts.VERTICAL_RATIO_PCT,
        consts.STEP_LENGTH_M,
        consts.LEG_SPRING_STIFFNESS_KN_M,
        consts.POWER_W,
    ):
        v = activity.column(col)[gating.steady]
        v = v[np.isfinite(v)]
        if len(v) < 30:
            continue
        p10, med, p90 = np.percentile(v, [10, 50, 90])
        out.append(
            FormSummary(col, consts.SAMPLE_COLUMN_UNITS[col], float(med), float(p10), float(p90),
                        len(v))
        )
    return out
