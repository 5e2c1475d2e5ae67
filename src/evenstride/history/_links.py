# SPDX-License-Identifier: MIT
"""Links between asymmetry and what the runner did: stratified comparisons of the runner's own
runs, reported as associations, never as causes.

Each comparison splits runs into two groups (A, B) and estimates the difference of the metric's
run values ``mean(A) − mean(B)`` *within strata* of runs that are otherwise comparable, pooled
with weights ``n_A·n_B/(n_A + n_B)``, after removing a pooled within-stratum speed slope. The
95 % interval is a bootstrap over runs (runs resampled within each stratum and group). *design*

- **load spike**: runs in the 7 days after a run flagged by the longest-run rule (Frandsen 2025)
  vs all other runs; strata = device × regime × surface.
- **shoe switch**: runs in a newly used pair in the 28 days after its first use vs runs in the
  28 days before that; strata = switch × device × surface (not regime: a change in the runner at
  the switch is what this comparison looks for).
- **track weeks**: runs in ISO weeks with a track session vs weeks without; strata = device ×
  regime × surface (so the track runs themselves, which have no counterpart, drop out and the
  comparison is about the other runs of those weeks).
- **camber weeks**: road runs in weeks whose camber exposure is more one-sided than the median
  week vs the others (needs a declared road side; evidence U).

Regimes (periods without a device change or a detected change in the runner) come from
:mod:`evenstride.history._baseline`.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence

if TYPE_CHECKING:
    from evenstride.history._baseline import MetricHistory, Point
    from evenstride.history._model import HistoryParams, RunRecord

__all__ = [
    "LINK_EVIDENCE",
    "links_for_metric",
    "stratified_difference",
    "week_of",
    "weekly_groups",
]

LINK_EVIDENCE = Evidence(
    grade="U",
    sources=("evenstride design: stratified comparison of one runner's observational data",),
    note=(
        "An association in your own runs, not proof of cause: other things change at the same "
        "time (fatigue, weather, routes, mood), and runs within a week are not independent."
    ),
)

CAVEAT = "This is an association in your own data, not proof that one causes the other."


def _no_comparison() -> dict[str, Any]:
    """The result of :func:`stratified_difference` when there was nothing to compare."""
    return {"diff": None, "ci95": None, "n_a": 0, "n_b": 0, "n_strata": 0}


def stratified_difference(
    y: np.ndarray,
    strata: Sequence[str],
    in_a: np.ndarray,
    *,
    speed: np.ndarray | None = None,
    rng: np.random.Generator,
    n_boot: int = 1000,
) -> dict[str, Any]:
    """Pooled within-stratum difference ``mean(A) − mean(B)`` with a bootstrap 95 % interval.

    Returns ``diff``, ``ci95``, ``n_a``, ``n_b`` (runs in strata that hold both groups) and
    ``n_strata``; ``diff`` is None when no stratum holds both groups.

    >>> y = np.array([1.0, 1.2, 0.0, 0.2, 5.0, 5.2, 4.0, 4.2])
    >>> s = ["x"] * 4 + ["y"] * 4
    >>> a = np.array([True, True, False, False] * 2)
    >>> stratified_difference(y, s, a, rng=np.random.default_rng(0))["diff"]
    1.0
    """
    y = np.asarray(y, dtype=np.float64)
    st = np.asarray(strata)
    a = np.asarray(in_a, dtype=bool)
    keep = np.zeros(len(y), dtype=bool)
    cells: list[tuple[np.ndarray, np.ndarray]] = []
    for s in sorted(set(st.tolist())):
        ia = np.flatnonzero((st == s) & a)
        ib = np.flatnonzero((st == s) & ~a)
        if len(ia) and len(ib):
            cells.append((ia, ib))
            keep[ia] = True
            keep[ib] = True
    out: dict[str, Any] = {
        "diff": None,
        "ci95": None,
        "n_a": int((keep & a).sum()),
        "n_b": int((keep & ~a).sum()),
        "n_strata": len(cells),
    }
    if not cells:
        return out
    yy = y.copy()
    if speed is not None and np.all(np.isfinite(speed[keep])):
        # pooled within-stratum slope on speed
        num = den = 0.0
        for ia, ib in cells:
            idx = np.concatenate((ia, ib))
            dv = speed[idx] - speed[idx].mean()
            num += float(np.dot(dv, y[idx] - y[idx].mean()))
            den += float(np.dot(dv, dv))
        if den > 0:
            beta = num / den
            for ia, ib in cells:
                idx = np.concatenate((ia, ib))
                yy[idx] = y[idx] - beta * (speed[idx] - speed[idx].mean())

    def pooled(sample: Callable[[np.ndarray], np.ndarray]) -> float:
        num = den = 0.0
        for ia, ib in cells:
            va, vb = yy[sample(ia)], yy[sample(ib)]
            w = len(ia) * len(ib) / (len(ia) + len(ib))
            num += w * (float(va.mean()) - float(vb.mean()))
            den += w
        return num / den

    out["diff"] = round(pooled(lambda i: i), 4)
    boots = _pooled_boots(yy, cells, rng, n_boot)
    out["ci95"] = [
        round(float(np.percentile(boots, 2.5)), 4),
        round(float(np.percentile(boots, 97.5)), 4),
    ]
    return out


#: Resamples per block in :func:`_pooled_boots` (memory only: values do not depend on it).
_BOOT_BLOCK = 100


def _pooled_boots(
    yy: np.ndarray,
    cells: Sequence[tuple[np.ndarray, np.ndarray]],
    rng: np.random.Generator,
    n_boot: int,
) -> np.ndarray:
    """``n_boot`` bootstrap values of the pooled difference, resampling each group of each cell.

    The resamples come from broadcast draws (blocks of :data:`_BOOT_BLOCK` resamples) laid out
    as the per-resample loop drew them (resample by resample, cell by cell, group A then B): the
    same random numbers, hence the same values, as ``rng.choice(group, len(group))`` per group
    and resample.
    """
    groups = [g for ia, ib in cells for g in (ia, ib)]
    sizes = [len(g) for g in groups]
    highs = np.repeat(sizes, sizes)
    means = [np.empty(n_boot) for _ in groups]
    for s in range(0, n_boot, _BOOT_BLOCK):  # blocks of resamples: small index arrays
        k = min(_BOOT_BLOCK, n_boot - s)
        draws = rng.integers(0, np.tile(highs, k)).reshape(k, -1)
        off = 0
        for j, (g, n) in enumerate(zip(groups, sizes, strict=True)):
            means[j][s : s + k] = yy[g[draws[:, off : off + n]]].mean(axis=1)
            off += n
    num = np.zeros(n_boot)
    den = 0.0
    for j, (ia, ib) in enumerate(cells):
        w = len(ia) * len(ib) / (len(ia) + len(ib))
        num += w * (means[2 * j] - means[2 * j + 1])
        den += w
    return num / den


def _sentence(key: str, unit: str, res: dict[str, Any], a_txt: str, b_txt: str) -> str:
    what = key.split("/")[0].replace("_", " ")
    if res["diff"] is None:
        return f"not available: no comparable runs both {a_txt} and {b_txt}"
    d, ci = res["diff"], res["ci95"]
    excl = ci[0] > 0 or ci[1] < 0
    how = "higher" if d > 0 else "lower"
    txt = (
        f"{what} asymmetry was {abs(d):.2f} {unit} {how} {a_txt} than {b_txt} (95 % CI "
        f"{ci[0]:+.2f} to {ci[1]:+.2f}; {res['n_a']} vs {res['n_b']} runs compared within "
        "similar runs). "
    )
    if not excl:
        txt += "The interval includes no difference. "
    return txt + CAVEAT


def _any_in(sorted_t: Sequence[Any], lo: Any, hi: Any) -> bool:
    """Whether some value of ``sorted_t`` lies in ``[lo, hi)``."""
    i = bisect.bisect_left(sorted_t, lo)
    return i < len(sorted_t) and sorted_t[i] < hi


def week_of(t: Any) -> str:
    """Monday of the ISO week of ``t`` (a datetime), as an ISO date."""
    d = t.date()
    return (d - timedelta(days=d.weekday())).isoformat()


def links_for_metric(
    hist: MetricHistory,
    runs: Sequence[RunRecord],
    *,
    spikes: Sequence[Any],
    camber_week_share: dict[str, float] | None,
    p: HistoryParams,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """The four comparisons of the module docstring for one metric."""
    pts: list[Point] = hist.points
    if len(pts) < 6:
        return []
    y = np.array([q.x for q in pts])
    sp = np.array([math.nan if q.speed is None else q.speed for q in pts])
    speed = sp if np.all(np.isfinite(sp)) else None
    base = [f"{q.device}|{g}|{q.surface}" for q, g in zip(pts, hist.regime_of, strict=True)]
    out = []

    def add(name: str, res: dict[str, Any], a_txt: str, b_txt: str, extra: dict[str, Any]) -> None:
        out.append(
            {
                "metric": hist.key,
                "comparison": name,
                "unit": hist.unit,
                "group_a": a_txt,
                "group_b": b_txt,
                **res,
                **extra,
                "sentence": _sentence(hist.key, hist.unit, res, a_txt, b_txt),
                "evidence": LINK_EVIDENCE.to_dict(),
            }
        )

    # load spike -------------------------------------------------------------------------------
    spike_ids = {s["activity_id"] for s in spikes}
    spike_t = sorted(r.start_time for r in runs if r.activity_id in spike_ids)
    # after a spike: some spike t with t < q.t <= t + window, i.e. in [q.t - window, q.t)
    # (bisection in the sorted spike times, not a scan of every spike per run)
    spike_w = timedelta(days=p.spike_window_days)
    after = np.array([_any_in(spike_t, q.t - spike_w, q.t) for q in pts], dtype=bool)
    not_spike = np.array([q.run.activity_id not in spike_ids for q in pts])
    if spike_t:
        res = stratified_difference(
            y[not_spike],
            [b for b, k in zip(base, not_spike, strict=True) if k],
            after[not_spike],
            speed=None if speed is None else speed[not_spike],
            rng=rng,
            n_boot=p.n_boot,
        )
    else:
        res = _no_comparison()
    add(
        "after_load_spike",
        res,
        f"in the {p.spike_window_days} days after a load spike",
        "on other days",
        {"n_spikes": len(spike_t)},
    )

    # shoe switch ------------------------------------------------------------------------------
    first_use: dict[str, Any] = {}
    for r in runs:
        if r.gear and r.gear not in first_use:
            first_use[r.gear] = r.start_time
    switches = sorted(first_use.items(), key=lambda kv: kv[1])[1:]
    rows_y, rows_s, rows_a, rows_v = [], [], [], []
    win = timedelta(days=p.shoe_switch_window_days)
    for j, (shoe, t0) in enumerate(switches):
        for q, yv, v in zip(pts, y, sp, strict=True):
            if t0 <= q.t < t0 + win and q.run.gear == shoe:
                grp = True
            elif t0 - win <= q.t < t0 and q.run.gear and q.run.gear != shoe:
                grp = False
            else:
                continue
            rows_y.append(yv)
            rows_s.append(f"{j}|{q.device}|{q.surface}")
            rows_a.append(grp)
            rows_v.append(v)
    if rows_y:
        vv = np.array(rows_v)
        res = stratified_difference(
            np.array(rows_y),
            rows_s,
            np.array(rows_a),
            speed=vv if np.all(np.isfinite(vv)) else None,
            rng=rng,
            n_boot=p.n_boot,
        )
    else:
        res = _no_comparison()
    add(
        "after_shoe_switch",
        res,
        f"in a new pair in the {p.shoe_switch_window_days} days after its first use",
        f"in the {p.shoe_switch_window_days} days before",
        {"switches": [{"shoe": s, "first_used": t.date().isoformat()} for s, t in switches]},
    )

    # track weeks ------------------------------------------------------------------------------
    track_weeks = {week_of(r.start_time) for r in runs if r.surface == "track"}
    in_tw = np.array([week_of(q.t) in track_weeks for q in pts])
    if track_weeks:
        res = stratified_difference(y, base, in_tw, speed=speed, rng=rng, n_boot=p.n_boot)
    else:
        res = _no_comparison()
    add(
        "track_weeks",
        res,
        "in weeks with a track session",
        "in weeks without",
        {"n_track_weeks": len(track_weeks)},
    )

    # camber weeks -----------------------------------------------------------------------------
    res = _no_comparison()
    extra: dict[str, Any] = {"median_one_sided_pct": None}
    if camber_week_share:
        med = float(np.median(list(camber_week_share.values())))
        extra["median_one_sided_pct"] = round(med, 1)
        road = np.array([q.surface == "road" for q in pts])
        wk = [week_of(q.t) for q in pts]
        known = road & np.array([w in camber_week_share for w in wk])
        high = np.array([camber_week_share.get(w, -1.0) > med for w in wk])
        if known.any() and (high & known).any() and (~high & known).any():
            idx = np.flatnonzero(known)
            res = stratified_difference(
                y[idx],
                [base[i] for i in idx],
                high[idx],
                speed=None if speed is None else speed[idx],
                rng=rng,
                n_boot=p.n_boot,
            )
    add(
        "camber_weeks",
        res,
        "in weeks with more one-sided road camber",
        "in weeks with less",
        {**extra, "evidence_note": "camber exposure is modelled from your declared road side"},
    )
    return out


def weekly_groups(runs: Sequence[RunRecord]) -> dict[str, list[RunRecord]]:
    """Runs by ISO week (Monday, UTC)."""
    out: dict[str, list[RunRecord]] = defaultdict(list)
    for r in runs:
        out[week_of(r.start_time)].append(r)
    return dict(out)
