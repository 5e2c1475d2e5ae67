# SPDX-License-Identifier: MIT
"""How much the run carried: its legs, moving and running time, distance, speed and heart-rate
load. Input: an :class:`~evenstride.datatypes.Activity` and its
:class:`~evenstride.preprocessing.Gating`.

- **legs** (:func:`legs_summary`): each analysed running leg of a multisport file (run–bike–run)
  or the one leg of a single-sport run: start (UTC and seconds since the file start), elapsed,
  moving and running time, distance from the leg's own start, and whether drift was computed on
  it (the leg with the most steady running; drift never spans another sport).
- **load** (:func:`load_summary`): moving time (``duration_s``: what the load refers to; a paused
  run's café stop does not count), elapsed time, running time, distance, median steady speed, and
  Banister's training impulse (TRIMP) from heart rate over the moving samples::

      TRIMP = Σ Δt_min · x · a · e^(b·x),   x = (HR − HR_rest)/(HR_max − HR_rest) ∈ [0, 1]
      a, b = 0.64, 1.92 (men, default) or 0.86, 1.67 (women)

  (Banister 1991 in *Physiological Testing of Elite Athletes*; Morton, Fitz-Clarke & Banister 1990;
  formula as given by Runalyze and calculator pages — evidence S). Defaults when the athlete gives
  none: HR_rest 60 bpm, HR_max 190 bpm raised to the run's own 99.5th-percentile HR when that is
  higher. The per-bpm time histogram is stored so that the history can recompute TRIMP with the
  athlete's own HR_rest/HR_max.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.metrics._common import (
    TRIMP_WEIGHTING,
    ContextParams,
    cumulative_distance,
    rounded,
)
from evenstride.preprocessing import Gating

__all__ = [
    "DEFAULT_HR_MAX_BPM",
    "DEFAULT_HR_REST_BPM",
    "TRIMP_EVIDENCE",
    "TRIMP_WEIGHTING",
    "legs_summary",
    "legs_totals",
    "load_summary",
    "trimp_from_histogram",
]

#: Resting and maximum heart rate assumed for TRIMP when the athlete gives none (*design*).
DEFAULT_HR_REST_BPM: Final = 60.0
DEFAULT_HR_MAX_BPM: Final = 190.0
TRIMP_EVIDENCE: Final = {
    "grade": "S",
    "sources": [
        "Banister 1991, Modeling elite athletic performance (Physiological Testing of Elite "
        "Athletes)",
        "Morton, Fitz-Clarke & Banister 1990 J Appl Physiol 69:1171-1177",
        "Formula as given by runalyze.com/glossary/trimp and TRIMP calculator pages",
    ],
    "note": (
        "A heart-rate load for comparing your own runs; it depends on the resting and maximum "
        "heart rates used, which are estimates unless you enter them."
    ),
}


def trimp_from_histogram(
    start_bpm: int,
    seconds: np.ndarray | list[float],
    *,
    hr_rest_bpm: float,
    hr_max_bpm: float,
    sex: str = "male",
) -> float:
    """Banister TRIMP from the time (s) spent at each whole bpm from ``start_bpm`` upwards.

    Examples
    --------
    A 45 min session at 150 bpm (rest 60, max 190, men): x = 90/130 = 0.6923, weighting
    0.64·e^(1.92·0.6923) = 2.418, TRIMP = 45 · 0.6923 · 2.418 (calculator pages that round the
    weighting to 2.4191 print 75.36).

    >>> round(trimp_from_histogram(150, [45 * 60.0], hr_rest_bpm=60, hr_max_bpm=190), 2)
    75.33
    """
    a, b = TRIMP_WEIGHTING[sex]
    s = np.asarray(seconds, dtype=np.float64)
    hr = start_bpm + np.arange(len(s), dtype=np.float64)
    x = np.clip((hr - hr_rest_bpm) / max(hr_max_bpm - hr_rest_bpm, 1.0), 0.0, 1.0)
    return float(np.sum(s / 60.0 * x * a * np.exp(b * x)))


def legs_summary(act: Activity, g: Gating) -> list[dict[str, Any]]:
    """One entry per analysed leg (module docstring), in time order."""
    t = act.samples[consts.TIME_S]
    legs = g.leg_ids
    segs = sorted((s for s in act.meta.segments if s.analysed), key=lambda s: s.start_s)
    d = cumulative_distance(act)
    w = g.weight_s
    main = g.main_leg
    out = []
    for k in np.unique(legs):
        on = legs == k
        tk = t[on]
        seg = segs[int(k)] if int(k) < len(segs) else None
        start_s = float(tk[0])
        start = (
            None
            if act.meta.start_time is None
            else (act.meta.start_time + timedelta(seconds=start_s)).isoformat()
        )
        dk = d[on]
        out.append(
            {
                "leg": int(k) + 1,
                "sport": seg.sport if seg is not None else act.meta.sport,
                "sub_sport": seg.sub_sport if seg is not None else act.meta.sub_sport,
                "start_time": start,
                "start_s": rounded(start_s),
                "end_s": rounded(float(tk[-1])),
                "elapsed_s": rounded(float(tk[-1] - tk[0])),
                "moving_s": rounded(float(w[on & ~g.stopped].sum())),
                "running_s": rounded(float(w[on & g.running].sum())),
                "distance_m": rounded(float(dk[-1] - dk[0])) if np.isfinite(dk).all() else None,
                "drift": int(k) == main,
            }
        )
    return out


def legs_totals(legs: list[dict[str, Any]]) -> tuple[float, float | None]:
    """Elapsed time (s) and distance (m) summed over the legs: a run–bike–run's running, not the
    span from the first run's start to the second run's end (which holds the bike)."""
    dur = float(sum(leg["elapsed_s"] or 0.0 for leg in legs))
    dists = [leg["distance_m"] for leg in legs]
    return dur, None if any(d is None for d in dists) else float(sum(dists))


def load_summary(act: Activity, g: Gating, params: ContextParams | None = None) -> dict[str, Any]:
    """Moving and elapsed time, distance, running time, median steady speed, HR summary and TRIMP
    (over the moving samples: a paused run's stop is not load)."""
    p = params or ContextParams()
    w = g.weight_s
    spd = act.column(consts.SPEED_M_S)
    steady_spd = spd[g.steady & np.isfinite(spd)]
    hr = act.column(consts.HEART_RATE_BPM)
    ok = np.isfinite(hr) & (hr >= 30) & (hr <= 240) & ~g.stopped
    moving_s = float(w[~g.stopped].sum())
    elapsed_s, distance_m = legs_totals(legs_summary(act, g))
    out: dict[str, Any] = {
        "duration_s": rounded(moving_s),
        "elapsed_s": rounded(elapsed_s),
        "moving_s": rounded(moving_s),
        "running_s": rounded(float(w[g.running].sum())),
        "distance_m": rounded(distance_m),
        "median_speed_m_s": rounded(float(np.median(steady_spd)), 3) if len(steady_spd) else None,
        "hr_s": None,
        "hr_mean_bpm": None,
        "hr_peak_bpm": None,
        "trimp": None,
        "trimp_params": None,
        "hr_histogram": None,
        "evidence": TRIMP_EVIDENCE,
    }
    if ok.sum() < 60:
        out["trimp_reason"] = "no heart rate"
        return out
    hw = w[ok]
    hv = hr[ok]
    peak = float(np.percentile(hv, 99.5))
    bpm = np.rint(hv).astype(np.int64)
    lo = int(bpm.min())
    hist = np.bincount(bpm - lo, weights=hw)
    rest = p.hr_rest_bpm if p.hr_rest_bpm is not None else DEFAULT_HR_REST_BPM
    if p.hr_max_bpm is not None:
        hmax, src = p.hr_max_bpm, "given"
    elif peak > DEFAULT_HR_MAX_BPM:
        hmax, src = peak, "this run's 99.5th percentile (above the default)"
    else:
        hmax, src = DEFAULT_HR_MAX_BPM, "default"
    out.update(
        hr_s=rounded(float(hw.sum())),
        hr_mean_bpm=rounded(float(np.sum(hv * hw) / max(hw.sum(), 1e-9))),
        hr_peak_bpm=rounded(peak),
        trimp=rounded(trimp_from_histogram(lo, hist, hr_rest_bpm=rest, hr_max_bpm=hmax, sex=p.sex)),
        trimp_params={
            "hr_rest_bpm": rest,
            "hr_rest_source": "given" if p.hr_rest_bpm is not None else "default",
            "hr_max_bpm": round(hmax, 1),
            "hr_max_source": src,
            "sex": p.sex,
        },
        hr_histogram={"start_bpm": lo, "seconds": [round(float(s), 1) for s in hist]},
    )
    return out
