# SPDX-License-Identifier: MIT
"""The load section's O(N log N) windows (issue 15) give what the O(N²) scans gave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from evenstride.history import HistoryParams, RunRecord
from evenstride.history._load import load_status, longest_run_flags


def _runs(n: int, seed: int = 3) -> list[RunRecord]:
    rng = np.random.default_rng(seed)
    t = datetime(2024, 1, 1, 7, tzinfo=UTC)
    out = []
    for i in range(n):
        if i % 17 != 0:  # every 17th run starts with the one before (same start time)
            t = t + timedelta(hours=float(rng.uniform(12, 160)))
        dur = float(rng.uniform(900, 9000))
        out.append(RunRecord(
            activity_id=i, start_time=t, duration_s=dur,
            distance_m=None if i % 11 == 0 else dur * float(rng.uniform(2.5, 4.0)),
            trimp=float(rng.uniform(30, 200)) if i % 5 else None,
        ))
    return out


def _reference_flags(runs: list[RunRecord], window_days: int = 30) -> list[tuple]:
    """The pre-issue-15 scan: every earlier run, tested one by one."""
    first = runs[0].start_time
    out = []
    for i, r in enumerate(runs):
        if r.start_time - first < timedelta(days=window_days):
            continue
        ref = [q for q in runs[:i] if r.start_time - q.start_time <= timedelta(days=window_days)
               and q.start_time < r.start_time]
        if not ref:
            continue
        if r.distance_m is not None and all(q.distance_m is not None for q in ref):
            mine, longest = r.distance_m, max(q.distance_m or 0.0 for q in ref)
        else:
            mine, longest = r.duration_s, max(q.duration_s for q in ref)
        excess = mine / longest - 1.0
        if round(excess, 9) > 0.10:
            out.append((r.activity_id, round(mine, 1), round(longest, 1)))
    return out


def test_longest_run_flags_equal_the_full_scan_sorted_and_unsorted():
    runs = _runs(400)
    ref = _reference_flags(runs)
    assert len(ref) > 20  # the corpus does flag runs
    got = [(f["activity_id"], f["value"], f["longest_previous_30d"])
           for f in longest_run_flags(runs)]
    assert got == ref
    # out of order input (no bisection possible): the same scan as before
    shuffled = runs[:40] + runs[41:80] + [runs[40]] + runs[80:]
    got = [(f["activity_id"], f["value"], f["longest_previous_30d"])
           for f in longest_run_flags(shuffled)]
    assert got == _reference_flags(shuffled)


def test_weekly_rows_cover_the_days_of_each_iso_week():
    runs = _runs(120)
    load = load_status(runs, HistoryParams())
    weekly, daily = load["weekly"], load["daily"]
    # each week sums exactly the daily rows of its Monday-Sunday span
    by_day = {d["date"]: d for d in daily}
    for w in weekly:
        monday = datetime.fromisoformat(w["week"]).date()
        days = [by_day.get((monday + timedelta(days=k)).isoformat()) for k in range(7)]
        present = [d for d in days if d is not None]
        assert w["complete"] == (len(present) == 7)
        assert w["runs"] == sum(d["runs"] for d in present)
    assert weekly[0]["complete"] is (datetime.fromisoformat(daily[0]["date"]).weekday() == 0)
    assert sum(w["complete"] for w in weekly) >= len(weekly) - 2
