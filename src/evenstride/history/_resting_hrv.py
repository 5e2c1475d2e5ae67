# SPDX-License-Identifier: MIT
"""Resting HRV across runs: each resting RMSSD value against the athlete's own recent range
(mean ± 1 SD of the last 28 days), and in-run RMSSD listed for reference only. Output: the ``hrv``
part of ``evenstride.history/1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence
from evenstride.history._model import RunRecord

__all__ = [
    "HRV_EVIDENCE",
    "RESTING_RANGE_DAYS",
    "RESTING_RANGE_EVIDENCE",
    "RESTING_RANGE_MIN",
    "RESTING_RANGE_NEEDED",
    "hrv_report",
]

RESTING_RANGE_EVIDENCE = Evidence(
    grade="S",
    sources=(
        "Plews et al. 2013 Sports Med 43:773 (individual resting HRV trends, secondary)",
        "evenstride design: mean ± 1 SD of the last 28 days' values",
    ),
    note=(
        "Reading resting HRV against your own recent values, not a population norm, is common "
        "practice in athlete monitoring; the mean ± 1 SD band and the 28-day window are our "
        "choice, and a value outside it is a prompt to look at sleep, illness and load, not a "
        "diagnosis."
    ),
)
#: Resting HRV: the athlete's own range is the mean ± SD of the values in this many days before
#: the latest one (all earlier values when fewer than RESTING_RANGE_MIN lie in the window).
RESTING_RANGE_DAYS = 28
RESTING_RANGE_MIN = 5
#: Values needed for a range at all.
RESTING_RANGE_NEEDED = 3

HRV_EVIDENCE = Evidence(
    grade="V",
    sources=("Task Force ESC/NASPE 1996 Eur Heart J 17:354-381",),
    note=(
        "A resting HRV trend needs short still recordings (e.g. on waking); RMSSD during a run "
        "is not resting HRV and is listed only for reference."
    ),
)


def _own_range(
    values: Sequence[tuple[datetime, float]], at: datetime
) -> tuple[float, float, int, str] | None:
    """Mean, SD, count and window of the values before ``at`` (module constants)."""
    before = [(t, v) for t, v in values if t < at]
    window = [v for t, v in before if t >= at - timedelta(days=RESTING_RANGE_DAYS)]
    basis = f"last {RESTING_RANGE_DAYS} days"
    if len(window) < RESTING_RANGE_MIN:
        window, basis = [v for _, v in before], "all earlier values"
    if len(window) < RESTING_RANGE_NEEDED:
        return None
    return float(np.mean(window)), float(np.std(window, ddof=1)), len(window), basis


def hrv_report(
    runs: Sequence[RunRecord], resting: Sequence[tuple[datetime, float]] = ()
) -> dict[str, Any]:
    rest = [
        (r.start_time, float(r.resting_rmssd_ms), "run file")
        for r in runs
        if r.resting_rmssd_ms is not None
    ]
    for t, v in resting:
        when = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
        rest.append((when.astimezone(UTC), float(v), "imported"))
    rest.sort(key=lambda x: x[0])
    inrun = [(r.start_time, r.in_run_rmssd_ms) for r in runs if r.in_run_rmssd_ms is not None]
    pairs = [(t, v) for t, v, _ in rest]
    values = []
    for t, v, src in rest:
        rg = _own_range(pairs, t)
        status = None
        if rg is not None:
            lo, hi = rg[0] - rg[1], rg[0] + rg[1]
            status = "below" if v < lo else "above" if v > hi else "within"
        values.append(
            {
                "date": t.date().isoformat(),
                "time": t.isoformat(),
                "rmssd_ms": round(v, 2),
                "source": src,
                "range_low_ms": None if rg is None else round(rg[0] - rg[1], 2),
                "range_high_ms": None if rg is None else round(rg[0] + rg[1], 2),
                "status": status,
            }
        )
    current: dict[str, Any] | None = None
    if values:
        last = values[-1]
        rg = _own_range(pairs, rest[-1][0])
        if rg is None:
            sentence = (
                f"latest resting RMSSD {last['rmssd_ms']:.0f} ms; your own range needs at "
                f"least {RESTING_RANGE_NEEDED} earlier recordings"
            )
        else:
            sentence = (
                f"latest resting RMSSD {last['rmssd_ms']:.0f} ms ({last['date']}) is "
                f"{last['status']} "
                f"your own range of {last['range_low_ms']:.0f}–{last['range_high_ms']:.0f} ms "
                f"(mean ± SD of {rg[2]} recordings, {rg[3]})"
            )
            if last["status"] != "within":
                sentence += "; one value outside your range is common, a run of them is worth "
                sentence += "a look at sleep, illness and recent load"
        current = {
            "date": last["date"],
            "rmssd_ms": last["rmssd_ms"],
            "range_mean_ms": None if rg is None else round(rg[0], 2),
            "range_sd_ms": None if rg is None else round(rg[1], 2),
            "range_low_ms": last["range_low_ms"],
            "range_high_ms": last["range_high_ms"],
            "range_n": None if rg is None else rg[2],
            "range_basis": None if rg is None else rg[3],
            "status": last["status"],
            "flag": last["status"] in ("below", "above"),
            "sentence": sentence,
        }
    return {
        "resting": {
            "available": bool(rest),
            "values": values,
            "current": current,
            "normal_range": {
                "definition": (
                    f"your own range: mean ± 1 SD of your resting RMSSD values of the "
                    f"{RESTING_RANGE_DAYS} days before each value (all earlier values when "
                    f"fewer than {RESTING_RANGE_MIN}; none with fewer than "
                    f"{RESTING_RANGE_NEEDED})"
                ),
                "window_days": RESTING_RANGE_DAYS,
            },
            "evidence": RESTING_RANGE_EVIDENCE.to_dict(),
            "reason": None
            if rest
            else (
                "not available: no resting recording (a still R-R recording, e.g. on waking: "
                "'evenstride hrv import FILE'); RMSSD measured during runs is not resting HRV"
            ),
        },
        "in_run": {
            "values": [{"date": t.date().isoformat(), "rmssd_ms": v} for t, v in inrun],
            "note": "in-run RMSSD, measured while running: not a recovery or readiness marker",
        },
        "evidence": HRV_EVIDENCE.to_dict(),
    }
