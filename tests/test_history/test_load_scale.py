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


def test_speed_slope_bootstrap_equals_the_per_draw_concatenation():
    """``_slope_boot`` (per-run sums, all draws at once) against the former loop: one
    ``rng.integers`` per draw, the runs' arrays concatenated, ``Σxy / Σxx``."""
    from evenstride.history._baseline import _slope_boot

    rng = np.random.default_rng(5)
    dx = [rng.normal(0, 0.3, int(rng.integers(2, 4))) for _ in range(257)]
    dx[7] = np.zeros(3)  # a run with no speed spread
    dy = [0.4 * a + rng.normal(0, 0.2, len(a)) for a in dx]

    def ref(r: np.random.Generator, n_boot: int) -> np.ndarray:
        out = []
        for _ in range(n_boot):
            ix = r.integers(0, len(dx), len(dx))
            xx, yy = np.concatenate([dx[i] for i in ix]), np.concatenate([dy[i] for i in ix])
            den = float(np.dot(xx, xx))
            out.append(float(np.dot(xx, yy) / den) if den > 0 else np.nan)
        return np.array(out)

    a, b = np.random.default_rng(9), np.random.default_rng(9)
    got, want = _slope_boot(dx, dy, a, 300), ref(b, 300)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert 0.3 < float(np.median(got)) < 0.5
    assert a.integers(0, 10**9) == b.integers(0, 10**9)  # the same random numbers were used
    # a corpus where every run has no spread: every draw is undefined, as before
    flat = [np.zeros(3)] * 5
    assert np.isnan(_slope_boot(flat, flat, np.random.default_rng(1), 10)).all()


def test_after_a_spike_by_bisection_equals_the_scan_of_every_spike():
    from evenstride.history._links import _any_in

    rng = np.random.default_rng(8)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    runs = sorted(t0 + timedelta(hours=float(h)) for h in rng.uniform(0, 24 * 400, 600))
    spikes = sorted(runs[i] for i in rng.choice(len(runs), 40, replace=False))
    w = timedelta(days=7)
    got = [_any_in(spikes, t - w, t) for t in runs]
    want = [any(s < t <= s + w for s in spikes) for t in runs]
    assert got == want and 50 < sum(got) < len(runs) - 50
    # a run exactly one window after a spike is "after" it; the spike run itself is not
    assert _any_in([t0], t0 + w - w, t0 + w) and not _any_in([t0], t0 - w, t0)


def test_blocked_bootstraps_equal_the_per_draw_loops():
    """The bootstraps drawn in blocks (bounded memory at thousands of runs) give exactly what
    one ``rng.choice`` per resample gave, also for a number of draws that is not a multiple of
    the block."""
    from evenstride.history._baseline import _boot_mean_ci
    from evenstride.history._links import _pooled_boots

    rng = np.random.default_rng(12)
    v = rng.normal(0, 1, 517)
    for n_boot in (250, 1000):
        a, b = np.random.default_rng(4), np.random.default_rng(4)
        m = np.array([b.choice(v, len(v)).mean() for _ in range(n_boot)])
        assert _boot_mean_ci(v, a, n_boot) == (float(np.percentile(m, 2.5)),
                                              float(np.percentile(m, 97.5)))
        assert a.integers(0, 10**9) == b.integers(0, 10**9)
    yy = rng.normal(0, 1, 300)
    cells = [(np.arange(0, 40), np.arange(40, 130)), (np.arange(130, 140), np.arange(140, 300))]
    a, b = np.random.default_rng(6), np.random.default_rng(6)
    got = _pooled_boots(yy, cells, a, 250)
    want = []
    for _ in range(250):
        num = den = 0.0
        for ia, ib in cells:
            va, vb = yy[b.choice(ia, len(ia))], yy[b.choice(ib, len(ib))]
            w = len(ia) * len(ib) / (len(ia) + len(ib))
            num += w * (float(va.mean()) - float(vb.mean()))
            den += w
        want.append(num / den)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert a.integers(0, 10**9) == b.integers(0, 10**9)
