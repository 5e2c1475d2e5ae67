# SPDX-License-Identifier: MIT
"""Training load across runs: daily series, ACWR (descriptive only), Foster monotony and strain,
weekly ramps, and the runner-specific "longer than your longest run" flag.

Formulas (science.md §6):

- **Daily load**: per UTC calendar day, the sum over runs of distance (km), duration (min), TRIMP
  and session-RPE load (RPE × min, Foster 2001) — 0 on days without a run. The load used for
  ACWR, monotony and strain is session-RPE when every run has an RPE, else TRIMP when ≥ 90 % of
  runs have one (runs without heart rate get duration × the athlete's median TRIMP per minute),
  else duration in minutes.
- **EWMA** (Williams et al. 2017, BJSM 51:209, V): ``E_t = λ·L_t + (1 − λ)·E_{t−1}``,
  ``λ = 2/(N + 1)``, acute N = 7, chronic N = 28, started from 0 the day before the first run
  (so the ratio is not reported for the first 28 days). ``ACWR_EWMA = E7_t / E28_t``.
- **Uncoupled**: the rolling ratio of Windt & Gabbett 2019 (V),
  ``mean(L_{t−6…t}) / mean(L_{t−27…t−7})``, and its EWMA analogue ``E7_t / E28_{t−7}`` (the
  chronic average as it stood before the acute week; our operationalisation, *design*).
- **Monotony and strain** (Foster 1998, V): over 7 days, ``monotony = mean/SD`` of the daily load
  (population SD of the 7 values; null when SD = 0) and ``strain = weekly load × monotony``.
- **Weekly ramp** (Nielsen et al. 2014 JOSPT, V; HR 1.59, 95 % CI 0.96–2.66 for "distance-related"
  injuries — marginal evidence): ISO weeks (Monday–Sunday, UTC); flagged when the distance of the
  last 2 weeks exceeds that of the 2 weeks before by more than 30 % (our reading of "> 30 %
  progression over a 2-week period", *design*); the week-to-week change is shown too.
- **Longest-run rule** (Frandsen et al. 2025 BJSM 59:1203, V): a run longer (distance; duration
  when a distance is missing) than the longest run of the previous 30 days by more than 10 %;
  hazard-rate ratios by excess: > 10–30 % 1.64 (1.31–2.05), > 30–100 % 1.52 (1.16–2.00),
  > 100 % 2.28 (1.50–3.48). Only judged once the history covers the whole 30 days before the run.

ACWR is shown as a trend, never as "safe" or "danger": its injury-prediction value is not
supported (Impellizzeri 2021; Lolli 2019) and in 5,205 runners Frandsen 2025 found a *negative*
dose-response.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence

if TYPE_CHECKING:
    from evenstride.history._model import HistoryParams, RunRecord

__all__ = [
    "ACWR_CAVEAT",
    "LONGEST_RUN_BANDS",
    "DailyLoad",
    "acwr_ewma",
    "acwr_ewma_uncoupled",
    "acwr_rolling_uncoupled",
    "daily_load",
    "ewma",
    "load_status",
    "longest_run_band",
    "longest_run_flags",
    "monotony_strain",
    "weekly_ramp_flags",
]

ACWR_CAVEAT = (
    "Descriptive only. The acute:chronic workload ratio does not predict injury: dividing by "
    "fixed or random 'chronic' loads reproduces its associations (Impellizzeri et al. 2021), "
    "acute and chronic loads are mathematically coupled (Lolli et al. 2019), and in 5,205 "
    "runners a higher ACWR went with fewer injuries (Frandsen et al. 2025). No range of it is "
    "known to be protective or harmful."
)
ACWR_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Williams et al. 2017 BJSM 51:209 (EWMA, λ = 2/(N+1))",
        "Windt & Gabbett 2019 BJSM 53:988 (uncoupled ratio)",
        "Impellizzeri et al. 2021 Sports Med 51:581",
        "Frandsen et al. 2025 BJSM 59:1203",
    ),
    note="Formulas verified; shown as a trend only, with no threshold.",
)
MONOTONY_EVIDENCE = Evidence(
    grade="V",
    sources=("Foster 1998 Med Sci Sports Exerc 30:1164",),
    note="No universal cut-off: Foster found individually identifiable thresholds.",
)
RAMP_EVIDENCE = Evidence(
    grade="V",
    sources=("Nielsen et al. 2014 JOSPT 44:739 (HR 1.59, 95 % CI 0.96-2.66)",),
    note=(
        "Marginal evidence, in novices, for 'distance-related' injuries only; the 2-week "
        "comparison is our reading of the study's progression categories."
    ),
)
LONGEST_RUN_EVIDENCE = Evidence(
    grade="V",
    sources=("Frandsen et al. 2025 BJSM 59:1203 (5,205 runners, 18 months)",),
    note="An association in a large cohort of Garmin users, the best-supported load flag.",
)

#: Frandsen 2025 bands: (lower excess exclusive, upper excess inclusive, label, HRR, HRR CI).
LONGEST_RUN_BANDS: tuple[tuple[float, float, str, float, tuple[float, float]], ...] = (
    (0.10, 0.30, ">10–30 %", 1.64, (1.31, 2.05)),
    (0.30, 1.00, ">30–100 %", 1.52, (1.16, 2.00)),
    (1.00, math.inf, ">100 %", 2.28, (1.50, 3.48)),
)


def session_minutes(run: RunRecord) -> float:
    """Minutes of a session for session RPE × minutes: the moving time (stops excluded; Foster
    2001 rates the training session, not the time the watch ran), else the elapsed time."""
    moving = run.moving_s
    if moving is not None and math.isfinite(moving) and moving > 0:
        return float(moving) / 60.0
    return run.duration_s / 60.0


def ewma(load: Sequence[float] | np.ndarray, n: int, *, init: float = 0.0) -> np.ndarray:
    """Exponentially weighted moving average with ``λ = 2/(n + 1)`` (Williams et al. 2017).

    >>> ewma([10.0, 0.0, 20.0], 3).tolist()
    [5.0, 2.5, 11.25]
    """
    x = np.asarray(load, dtype=np.float64)
    lam = 2.0 / (n + 1.0)
    out = np.empty(len(x))
    prev = init
    for i, v in enumerate(x):
        prev = lam * v + (1.0 - lam) * prev
        out[i] = prev
    return out


def _trained_in(load: Sequence[float] | np.ndarray, window: int, lag: int) -> np.ndarray:
    """Per day t: was there any load in days ``t−lag−window+1 … t−lag``?"""
    x = np.asarray(load, dtype=np.float64) > 0
    cs = np.concatenate(([0], np.cumsum(x)))
    t = np.arange(len(x))
    hi = np.clip(t - lag + 1, 0, len(x))
    lo = np.clip(t - lag - window + 1, 0, len(x))
    return (cs[hi] - cs[lo]) > 0


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def acwr_ewma(
    load: Sequence[float] | np.ndarray, *, acute: int = 7, chronic: int = 28
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(E_acute, E_chronic, E_acute/E_chronic)`` per day; the ratio is NaN for the first
    ``chronic`` days (the chronic average is still warming up from 0)."""
    a = ewma(load, acute)
    c = ewma(load, chronic)
    r = _ratio(a, c)
    r[:chronic] = np.nan
    # An EWMA never decays to 0: after a long break the "chronic" value is a remnant of old runs
    # and the ratio explodes. Like the rolling ratio, require training in the chronic window.
    r[~_trained_in(load, chronic, 0)] = np.nan
    return a, c, r


def acwr_ewma_uncoupled(
    load: Sequence[float] | np.ndarray, *, acute: int = 7, chronic: int = 28
) -> np.ndarray:
    """``E_acute,t / E_chronic,t−acute``: the chronic EWMA as it stood before the acute week."""
    a = ewma(load, acute)
    c = ewma(load, chronic)
    out = np.full(len(a), np.nan)
    if len(a) > acute:
        out[acute:] = _ratio(a[acute:], c[:-acute])
    out[: chronic + acute] = np.nan
    out[~_trained_in(load, chronic - acute, acute)] = np.nan
    return out


def acwr_rolling_uncoupled(
    load: Sequence[float] | np.ndarray, *, acute: int = 7, chronic: int = 28
) -> np.ndarray:
    """``mean(L_{t−6…t}) / mean(L_{t−27…t−7})`` (Windt & Gabbett 2019); NaN before day 28.

    >>> x = [1.0] * 21 + [2.0] * 7
    >>> float(acwr_rolling_uncoupled(x)[-1])
    2.0
    """
    x = np.asarray(load, dtype=np.float64)
    out = np.full(len(x), np.nan)
    cs = np.concatenate(([0.0], np.cumsum(x)))
    for t in range(chronic - 1, len(x)):
        acute_mean = (cs[t + 1] - cs[t + 1 - acute]) / acute
        chron_mean = (cs[t + 1 - acute] - cs[t + 1 - chronic]) / (chronic - acute)
        out[t] = acute_mean / chron_mean if chron_mean > 0 else np.nan
    return out


def monotony_strain(week: Sequence[float] | np.ndarray) -> tuple[float | None, float]:
    """Foster monotony (mean/SD of the 7 daily loads, population SD) and strain (sum ×
    monotony). Monotony is None when the SD is 0 (strain is then reported as NaN).

    >>> m, s = monotony_strain([60, 0, 60, 0, 60, 0, 120])
    >>> round(m, 4), round(s, 1)
    (1.0206, 306.2)
    """
    x = np.asarray(week, dtype=np.float64)
    sd = float(np.std(x))
    if sd == 0.0:
        return None, math.nan
    mono = float(np.mean(x)) / sd
    return mono, float(np.sum(x)) * mono


def longest_run_band(excess: float) -> tuple[str, float, tuple[float, float]] | None:
    """Frandsen band of an excess over the 30-day longest run (0.25 = 25 % longer), or None
    when the excess is 10 % or less.

    >>> longest_run_band(0.10) is None, longest_run_band(0.1001)[0], longest_run_band(1.0)[0]
    (True, '>10–30 %', '>30–100 %')
    """
    e = round(float(excess), 9)
    for lo, hi, label, hrr, ci in LONGEST_RUN_BANDS:
        if lo < e <= hi:
            return label, hrr, ci
    return None


@dataclass
class DailyLoad:
    """Per calendar day (UTC) from ``days[0]`` to ``days[-1]``."""

    days: list[date]
    distance_km: np.ndarray
    duration_min: np.ndarray
    trimp: np.ndarray
    srpe: np.ndarray
    n_runs: np.ndarray
    #: The series used for ACWR, monotony and strain, and its name.
    load: np.ndarray
    measure: str
    note: str


def daily_load(
    runs: Sequence[RunRecord],
    *,
    trimp: Sequence[float | None] | None = None,
    end: date | None = None,
    measure: str = "auto",
) -> DailyLoad:
    """Daily series from ``runs`` (time-ordered); ``trimp`` overrides the runs' TRIMP values."""
    if not runs:
        raise ValueError("no runs")
    first = runs[0].start_time.date()
    last = max(r.start_time.date() for r in runs)
    end = max(end or last, last)
    n = (end - first).days + 1
    days = [first + timedelta(days=i) for i in range(n)]
    dist = np.zeros(n)
    dur = np.zeros(n)
    tri = np.zeros(n)
    srpe = np.zeros(n)
    cnt = np.zeros(n, dtype=np.int64)
    tvals = [r.trimp for r in runs] if trimp is None else list(trimp)
    have_t = [t is not None and math.isfinite(t) for t in tvals]
    per_min = [
        t / (r.duration_s / 60.0)
        for r, t in zip(runs, tvals, strict=True)
        if t is not None and math.isfinite(t) and r.duration_s > 0
    ]
    t_per_min = float(np.median(per_min)) if per_min else math.nan
    for r, t, ok in zip(runs, tvals, have_t, strict=True):
        i = (r.start_time.date() - first).days
        cnt[i] += 1
        dist[i] += (r.distance_m or 0.0) / 1000.0
        dur[i] += r.duration_s / 60.0
        tri[i] += float(t) if ok and t is not None else t_per_min * r.duration_s / 60.0
        if r.session_rpe is not None:
            srpe[i] += r.session_rpe * session_minutes(r)
    share_t = sum(have_t) / len(runs)
    if measure == "auto":
        if all(r.session_rpe is not None for r in runs):
            measure = "srpe"
        elif share_t >= 0.9:
            measure = "trimp"
        else:
            measure = "duration_min"
    load = {"srpe": srpe, "trimp": tri, "duration_min": dur, "distance_km": dist}[measure]
    notes = {
        "srpe": "session RPE × minutes (Foster 2001)",
        "trimp": "Banister TRIMP"
        + (
            f"; {len(runs) - sum(have_t)} runs without heart rate counted at the median TRIMP "
            "per minute"
            if share_t < 1.0
            else ""
        ),
        "duration_min": "minutes of running (no heart rate or RPE for most runs)",
        "distance_km": "kilometres",
    }
    return DailyLoad(days, dist, dur, tri, srpe, cnt, load, measure, notes[measure])


def _weeks(days: Sequence[date], x: np.ndarray) -> tuple[list[date], np.ndarray]:
    """ISO weeks (Monday start) and the weekly sums of ``x``."""
    mondays = [d - timedelta(days=d.weekday()) for d in days]
    weeks = sorted(set(mondays))
    idx = {w: i for i, w in enumerate(weeks)}
    tot = np.zeros(len(weeks))
    for m, v in zip(mondays, x, strict=True):
        tot[idx[m]] += v
    return weeks, tot


def weekly_ramp_flags(
    weekly: Sequence[float] | np.ndarray, *, threshold: float = 0.30
) -> list[dict[str, Any]]:
    """Per week: week-to-week change and the 2-week ramp (last 2 weeks vs the 2 before), with a
    flag when the ramp exceeds ``threshold``.

    >>> [w["flag"] for w in weekly_ramp_flags([10, 10, 10, 10, 14, 14])]
    [False, False, False, False, False, True]
    """
    x = np.asarray(weekly, dtype=np.float64)
    out = []
    for w in range(len(x)):
        wow = None
        if w >= 1 and x[w - 1] > 0:
            wow = x[w] / x[w - 1] - 1.0
        ramp = None
        if w >= 3 and x[w - 2] + x[w - 3] > 0:
            ramp = (x[w] + x[w - 1]) / (x[w - 2] + x[w - 3]) - 1.0
        flag = bool(ramp is not None and round(ramp, 9) > threshold)
        out.append({"week_over_week": wow, "ramp_2wk": ramp, "flag": flag})
    return out


def longest_run_flags(
    runs: Sequence[RunRecord], *, window_days: int = 30, increase: float = 0.10
) -> list[dict[str, Any]]:
    """Runs longer than the longest of the previous ``window_days`` by more than ``increase``
    (Frandsen 2025), one dict per flagged run (module docstring)."""
    if not runs:
        return []
    first = runs[0].start_time
    window = timedelta(days=window_days)
    starts = [r.start_time for r in runs]
    in_order = all(a <= b for a, b in itertools.pairwise(starts))
    out = []
    for i, r in enumerate(runs):
        if r.start_time - first < window:
            continue
        if in_order:  # the runs of the window are one slice: found by bisection, O(N log N)
            lo = bisect_left(starts, r.start_time - window)
            ref = runs[lo : bisect_left(starts, r.start_time)]
        else:
            ref = [q for q in runs[:i]
                   if r.start_time - q.start_time <= window and q.start_time < r.start_time]
        if not ref:
            continue
        use_dist = r.distance_m is not None and all(q.distance_m is not None for q in ref)
        if use_dist:
            mine = float(r.distance_m or 0.0)
            longest = max(float(q.distance_m or 0.0) for q in ref)
            unit = "m"
        else:
            mine = r.duration_s
            longest = max(q.duration_s for q in ref)
            unit = "s"
        if longest <= 0:
            continue
        excess = mine / longest - 1.0
        if round(excess, 9) <= increase:
            continue
        band = longest_run_band(excess)
        if band is None:
            continue
        label, hrr, ci = band
        out.append(
            {
                "activity_id": r.activity_id,
                "date": r.start_time.date().isoformat(),
                "measure": "distance" if use_dist else "duration",
                "value": round(mine, 1),
                "longest_previous_30d": round(longest, 1),
                "unit": unit,
                "excess_pct": round(100.0 * excess, 1),
                "band": label,
                "hazard_rate_ratio": hrr,
                "hazard_rate_ratio_ci95": list(ci),
                "sentence": (
                    f"this run was {100 * excess:.0f} % longer than your longest run of the "
                    f"previous {window_days} days; in 5,205 runners, runs {label} longer than "
                    f"that went with an injury hazard {hrr:.2f} times as high (95 % CI "
                    f"{ci[0]:.2f}–{ci[1]:.2f}) — an association, not a forecast for you"
                ),
                "evidence": LONGEST_RUN_EVIDENCE.to_dict(),
            }
        )
    return out


def _f(x: float | None, nd: int = 3) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def _pct(x: float | None) -> float | None:
    return None if x is None else _f(100.0 * x, 1)


def load_status(
    runs: Sequence[RunRecord],
    p: HistoryParams,
    *,
    trimp: Sequence[float | None] | None = None,
    trimp_params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``load`` section of the history document (module docstring)."""
    dl = daily_load(runs, trimp=trimp, measure=p.load_measure)
    a, c, r = acwr_ewma(dl.load, acute=p.acute_days, chronic=p.chronic_days)
    ru = acwr_ewma_uncoupled(dl.load, acute=p.acute_days, chronic=p.chronic_days)
    rr = acwr_rolling_uncoupled(dl.load, acute=p.acute_days, chronic=p.chronic_days)
    n = len(dl.days)
    mono = np.full(n, np.nan)
    strain = np.full(n, np.nan)
    for t in range(6, n):
        m, s = monotony_strain(dl.load[t - 6 : t + 1])
        mono[t] = np.nan if m is None else m
        strain[t] = s
    weeks, wdist = _weeks(dl.days, dl.distance_km)
    _, wdur = _weeks(dl.days, dl.duration_min)
    _, wtri = _weeks(dl.days, dl.trimp)
    _, wload = _weeks(dl.days, dl.load)
    _, wruns = _weeks(dl.days, dl.n_runs.astype(float))
    ramps = weekly_ramp_flags(wdist, threshold=p.weekly_ramp_threshold)
    weekly = []
    for j, w in enumerate(weeks):
        # the days are consecutive: the week's days are one index range (O(weeks), not
        # O(weeks × days))
        lo = (w - dl.days[0]).days
        idx = list(range(max(0, lo), min(n, lo + 7)))
        full = len(idx) == 7
        m, s = monotony_strain(dl.load[idx]) if full else (None, math.nan)
        weekly.append(
            {
                "week": w.isoformat(),
                "runs": int(wruns[j]),
                "distance_km": _f(wdist[j], 2),
                "duration_h": _f(wdur[j] / 60.0, 2),
                "trimp": _f(wtri[j], 1),
                "load": _f(wload[j], 1),
                "monotony": _f(m),
                "strain": _f(s, 1),
                "week_over_week_pct": _pct(ramps[j]["week_over_week"]),
                "ramp_2wk_pct": _pct(ramps[j]["ramp_2wk"]),
                "ramp_flag": ramps[j]["flag"],
                "complete": full,
            }
        )
    ramp_flags = [
        {
            "week": wk["week"],
            "ramp_2wk_pct": wk["ramp_2wk_pct"],
            "sentence": (
                f"distance in the 2 weeks to {wk['week']} was {wk['ramp_2wk_pct']:.0f} % above "
                "the 2 weeks before; > 30 % progression went with more distance-related injuries "
                "in novices (Nielsen 2014, marginal evidence)"
            ),
            "evidence": RAMP_EVIDENCE.to_dict(),
        }
        for wk in weekly
        if wk["ramp_flag"]
    ]
    daily = [
        {
            "date": d.isoformat(),
            "runs": int(dl.n_runs[i]),
            "distance_km": _f(dl.distance_km[i], 2),
            "duration_min": _f(dl.duration_min[i], 1),
            "trimp": _f(dl.trimp[i], 1),
            "load": _f(dl.load[i], 1),
            "acute_ewma": _f(a[i], 2),
            "chronic_ewma": _f(c[i], 2),
            "acwr_ewma": _f(r[i]),
            "acwr_ewma_uncoupled": _f(ru[i]),
            "acwr_rolling_uncoupled": _f(rr[i]),
            "monotony_7d": _f(mono[i]),
            "strain_7d": _f(strain[i], 1),
        }
        for i, d in enumerate(dl.days)
    ]
    last = n - 1
    return {
        "measure": dl.measure,
        "measure_note": dl.note,
        "trimp_params": trimp_params,
        "as_of": dl.days[-1].isoformat(),
        "current": {
            "acute_ewma": _f(a[last], 2),
            "chronic_ewma": _f(c[last], 2),
            "acwr_ewma": _f(r[last]),
            "acwr_ewma_uncoupled": _f(ru[last]),
            "acwr_rolling_uncoupled": _f(rr[last]),
            "monotony_7d": _f(mono[last]),
            "strain_7d": _f(strain[last], 1),
            "distance_7d_km": _f(float(dl.distance_km[max(0, last - 6) :].sum()), 2),
        },
        "acwr_caveat": ACWR_CAVEAT,
        "acwr_evidence": ACWR_EVIDENCE.to_dict(),
        "monotony_evidence": MONOTONY_EVIDENCE.to_dict(),
        "longest_run_flags": longest_run_flags(
            runs, window_days=p.longest_run_window_days, increase=p.longest_run_increase
        ),
        "weekly_ramp_flags": ramp_flags,
        "weekly": weekly,
        "daily": daily,
    }
