# SPDX-License-Identifier: MIT
"""Per-run training load the history adds on top of :mod:`~evenstride.history._load`: TRIMP of
every run recomputed with one set of heart-rate settings for the whole history, and Foster
session load (session RPE × moving minutes) per day, per week and in total.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evenstride.assessment.reference_bands import Evidence
from evenstride.history._links import week_of
from evenstride.history._load import session_minutes
from evenstride.history._model import RunRecord
from evenstride.metrics.load import (
    DEFAULT_HR_MAX_BPM,
    DEFAULT_HR_REST_BPM,
    trimp_from_histogram,
)

__all__ = ["SESSION_RPE_EVIDENCE", "run_trimps", "session_rpe_load"]

SESSION_RPE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Foster 1998 Med Sci Sports Exerc 30:1164",
        "Foster et al. 2001 J Strength Cond Res 15:109 (session RPE × minutes)",
    ),
    note=(
        "Session load = your rating of the whole session on the CR-10 scale × its minutes of "
        "moving time (stops not counted); it reflects how hard the runs felt to you, so rate "
        "every run the same way."
    ),
)


def run_trimps(
    runs: Sequence[RunRecord],
    hr_rest_bpm: float | None,
    hr_max_bpm: float | None,
    sex: str,
) -> tuple[list[float | None], dict[str, Any]]:
    """TRIMP of every run with one HR_rest/HR_max for the whole history."""
    peaks = [r.hr_peak_bpm for r in runs if r.hr_peak_bpm is not None]
    rest = hr_rest_bpm if hr_rest_bpm is not None else DEFAULT_HR_REST_BPM
    if hr_max_bpm is not None:
        hmax, src = hr_max_bpm, "given"
    elif peaks and max(peaks) > DEFAULT_HR_MAX_BPM:
        hmax, src = float(max(peaks)), "highest 99.5th-percentile HR of any run (above default)"
    else:
        hmax, src = DEFAULT_HR_MAX_BPM, "default"
    out: list[float | None] = []
    for r in runs:
        if r.hr_histogram is not None:
            lo, secs = r.hr_histogram
            out.append(
                trimp_from_histogram(lo, list(secs), hr_rest_bpm=rest, hr_max_bpm=hmax, sex=sex)
            )
        else:
            out.append(r.trimp)
    params = {
        "hr_rest_bpm": rest,
        "hr_rest_source": "given" if hr_rest_bpm is not None else "default",
        "hr_max_bpm": round(hmax, 1),
        "hr_max_source": src,
        "sex": sex,
    }
    return out, params


def session_rpe_load(runs: Sequence[RunRecord], load: dict[str, Any]) -> dict[str, Any]:
    """Foster session load (RPE × minutes) next to distance and duration, when some runs have an
    RPE: a ``session_rpe_load`` column in ``load.daily`` and ``load.weekly`` and a summary."""
    rated = [r for r in runs if r.session_rpe is not None]
    if not rated:
        return {
            "available": False,
            "reason": "no session RPE entered (evenstride rpe ACTIVITY_ID RPE)",
            "evidence": SESSION_RPE_EVIDENCE.to_dict(),
        }
    per_day: dict[str, float] = {}
    per_week: dict[str, float] = {}
    n_week: dict[str, int] = {}
    detail = []
    total = 0.0
    for r in rated:
        minutes = session_minutes(r)
        au = float(r.session_rpe or 0.0) * minutes
        total += round(au, 1)
        day = r.start_time.date()
        per_day[day.isoformat()] = per_day.get(day.isoformat(), 0.0) + au
        wk = week_of(r.start_time)
        per_week[wk] = per_week.get(wk, 0.0) + au
        n_week[wk] = n_week.get(wk, 0) + 1
        detail.append(
            {
                "activity_id": r.activity_id,
                "date": day.isoformat(),
                "rpe": r.session_rpe,
                "duration_min": round(r.duration_s / 60.0, 1),
                "moving_min": round(minutes, 1),
                "session_load": round(au, 1),
            }
        )
    for d in load.get("daily") or []:
        d["session_rpe_load"] = round(per_day.get(d["date"], 0.0), 1)
    for w in load.get("weekly") or []:
        w["session_rpe_load"] = round(per_week.get(w["week"], 0.0), 1)
        w["runs_with_rpe"] = n_week.get(w["week"], 0)
    n, k = len(runs), len(rated)
    return {
        "available": True,
        "unit": "AU (RPE × min)",
        "formula": (
            "session load = session RPE (CR-10) × moving time (min; elapsed time when the "
            "moving time is unknown)"
        ),
        "runs_with_rpe": k,
        "runs": n,
        "coverage_pct": round(100.0 * k / n, 1),
        "total": round(total, 1),
        "note": None
        if k == n
        else (
            f"{n - k} of {n} runs have no RPE and add nothing to these sums; ACWR, monotony and "
            "strain use session load only when every run has an RPE"
        ),
        "runs_detail": detail,
        "evidence": SESSION_RPE_EVIDENCE.to_dict(),
    }
