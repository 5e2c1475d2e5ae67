# SPDX-License-Identifier: MIT
"""Where the run went: surface, route shape, bends, hills and road camber. Input: an
:class:`~evenstride.datatypes.Activity` and its :class:`~evenstride.preprocessing.Gating`; each
function describes one run.

- **turning** (:func:`turning`): time and distance on left-hand and right-hand bends (gating:
  radius < 60 m) and the left share of bend time. Curve running lengthens the inside leg's
  contact (science.md §9, V/S).
- **grade exposure** (:func:`grade_exposure`): time and distance uphill/flat/downhill (gating:
  ±2 %), ascent and descent as ``Σ max(±grade, 0)·Δdistance`` over moving samples (the ±50 m
  least-squares grade, so GPS/barometer noise does not add up as it does in a sum of altitude
  steps). *design*
- **surface**: ``"trail"`` (sub-sport trail), ``"track"``, ``"treadmill"`` (treadmill/indoor
  sub-sport, or an indoor file without positions), ``"road"`` otherwise.
- **route shape** (:func:`route_shape`): ``"track"``, ``"treadmill"``; ``"out_and_back"`` when at
  least 70 % of the path after the turnaround (the point farthest from the start) lies within
  ``retrace_m`` (30 m) of the path before it *travelled the other way*; ``"loop"`` when it ends
  within max(150 m, 3 % of the distance) of its start, or passes within 30 m of its start again,
  in the starting direction, after at least 1 km (a lapped loop stopped part-way round);
  ``"point_to_point"`` otherwise. *design*
- **camber exposure** (:func:`camber_exposure`, evidence **U**, science.md §9): on a crowned road
  the low side is toward the road edge. Running along the left edge of the road (edge on your
  left) puts the left foot lower; along the right edge, the right foot. The runner declares the
  side they run on *relative to their direction of travel at the start* (``"left"``: facing
  traffic where traffic drives on the right). An out-and-back that stays on the same side of the
  road (no crossing at the turnaround) has the edge on the other foot on the way back, so the
  exposure roughly balances; a loop or point-to-point run on one side stays one-sided. Track,
  trail and treadmill runs have no camber exposure. Reported as shares of road running time; no
  study links these shares to injury or asymmetry.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.metrics._common import (
    ContextParams,
    increments_m,
    rounded,
    running_path,
)
from evenstride.preprocessing import Gating

__all__ = [
    "CAMBER_EVIDENCE",
    "LOOP_MIN_LAP_M",
    "TURN_EVIDENCE",
    "camber_exposure",
    "grade_exposure",
    "route_shape",
    "surface_class",
    "turning",
]

#: A loop that ends part-way round must have passed its start after at least this distance, m.
LOOP_MIN_LAP_M: Final = 1000.0

_ROAD_EVIDENCE = {
    "grade": "U",
    "sources": [
        "science.md §9: road camber evidence is weak and conflicting (Slowtwitch summary, S); "
        "no primary study retrieved",
    ],
    "note": (
        "Modelled, not measured: assumes a crowned road whose low side is toward the edge you "
        "run on, and the road side you declared. No study links these shares to asymmetry or "
        "injury; alternating road sides is low-cost advice with weak evidence."
    ),
}
#: Evidence of the camber-exposure model (weak; science.md §9).
CAMBER_EVIDENCE: Final = _ROAD_EVIDENCE

TURN_EVIDENCE: Final = {
    "grade": "V",
    "sources": [
        "J Exp Biol 2024 227:jeb246649 (curve running, inside-leg forces)",
        "Beukeboom et al. 2000 Clin J Sport Med (counter-clockwise indoor track)",
        "Elite 5 km track time trial: left GCT longer on bends",
    ],
    "note": (
        "Bend time is measured from the GPS path; on a counter-clockwise track the left leg is "
        "the inside leg, whose contact time is longer on the bends."
    ),
}


def surface_class(act: Activity, g: Gating, *, is_track: bool) -> str:
    """``"treadmill"``, ``"track"``, ``"trail"`` or ``"road"`` (see module docstring)."""
    sub = (act.meta.sub_sport or "").lower()
    if sub in consts.INDOOR_SUB_SPORTS or (act.meta.indoor and not g.has_position):
        return "treadmill"
    if is_track or sub == "track":
        return "track"
    if sub == "trail":
        return "trail"
    return "road"


def turning(act: Activity, g: Gating) -> dict[str, Any]:
    """Seconds and metres of running on left-hand and right-hand bends; left share of bend time."""
    if not g.has_position or g.indoor:
        return {
            "left_s": None,
            "right_s": None,
            "left_m": None,
            "right_m": None,
            "left_share_pct": None,
            "reason": "no GPS positions",
            "evidence": TURN_EVIDENCE,
        }
    w = g.weight_s
    inc = increments_m(act)
    ls, rs = float(w[g.bend_left].sum()), float(w[g.bend_right].sum())
    return {
        "left_s": rounded(ls),
        "right_s": rounded(rs),
        "left_m": rounded(float(inc[g.bend_left].sum())),
        "right_m": rounded(float(inc[g.bend_right].sum())),
        "left_share_pct": rounded(100.0 * ls / (ls + rs), 1) if ls + rs > 0 else None,
        "reason": None if ls + rs > 0 else "no bends",
        "evidence": TURN_EVIDENCE,
    }


def grade_exposure(act: Activity, g: Gating) -> dict[str, Any]:
    """Running time and distance uphill/flat/downhill; ascent and descent (module docstring)."""
    keys = ("uphill_s", "flat_s", "downhill_s", "uphill_m", "flat_m", "downhill_m")
    if not g.has_altitude or g.indoor:
        out: dict[str, Any] = dict.fromkeys(keys)
        out.update(ascent_m=None, descent_m=None, reason="no altitude")
        return out
    w = g.weight_s
    inc = increments_m(act)
    out = {}
    for name, m in (("uphill", g.uphill), ("flat", g.flat & g.running), ("downhill", g.downhill)):
        out[f"{name}_s"] = rounded(float(w[m].sum()))
        out[f"{name}_m"] = rounded(float(inc[m].sum()))
    moving = ~g.stopped & np.isfinite(g.grade_pct)
    gr = np.where(moving, g.grade_pct, 0.0) / 100.0
    out["ascent_m"] = rounded(float(np.sum(np.clip(gr, 0.0, None) * inc)))
    out["descent_m"] = rounded(float(np.sum(np.clip(-gr, 0.0, None) * inc)))
    out["reason"] = None
    return {k: out[k] for k in (*keys, "ascent_m", "descent_m", "reason")}


# --------------------------------------------------------------------------------- route / camber
def _nearest(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each point a, the distance to the nearest point b and that point's index (chunked)."""
    dist = np.empty(len(ax))
    arg = np.empty(len(ax), dtype=np.int64)
    for s in range(0, len(ax), 500):
        dx = ax[s : s + 500, None] - bx[None, :]
        dy = ay[s : s + 500, None] - by[None, :]
        d2 = dx * dx + dy * dy
        k = np.argmin(d2, axis=1)
        arg[s : s + 500] = k
        dist[s : s + 500] = np.sqrt(d2[np.arange(len(k)), k])
    return dist, arg


def _nearest_within(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_nearest` for the points a whose nearest point b lies within ``radius``: the same
    distance and index (the first of equally near points, as ``argmin``); for the others the
    distance is ``inf`` and the index 0. A grid of cells at least ``radius`` wide holds every
    point within ``radius`` of a in a's cell and its 8 neighbours, so only those are compared:
    about linear instead of quadratic. Falls back to :func:`_nearest` (then beyond ``radius``
    the true distances) for non-finite input or a radius the grid cannot index."""
    na, nb = len(ax), len(bx)
    if na == 0 or nb == 0:
        return np.full(na, np.inf), np.zeros(na, dtype=np.int64)
    cell = 1.01 * float(radius)  # wider than the radius: rounding at a cell edge loses nothing
    finite = (np.isfinite(ax).all() and np.isfinite(ay).all() and np.isfinite(bx).all()
              and np.isfinite(by).all())
    if not (finite and math.isfinite(cell) and cell > 0):
        return _nearest(ax, ay, bx, by)
    x0 = min(float(ax.min()), float(bx.min()))
    y0 = min(float(ay.min()), float(by.min()))
    ncol = (max(float(ax.max()), float(bx.max())) - x0) / cell + 3
    nrow = (max(float(ay.max()), float(by.max())) - y0) / cell + 3
    if ncol * nrow > 2.0**60:
        return _nearest(ax, ay, bx, by)
    w = int(nrow)
    # cell keys with a margin of one cell on each side, so neighbour keys are never negative
    akey = (np.floor((ax - x0) / cell).astype(np.int64) + 1) * w + (
        np.floor((ay - y0) / cell).astype(np.int64) + 1)
    bkey = (np.floor((bx - x0) / cell).astype(np.int64) + 1) * w + (
        np.floor((by - y0) / cell).astype(np.int64) + 1)
    order = np.argsort(bkey, kind="stable")
    skey = bkey[order]
    best = np.full(na, np.inf)  # nearest squared distance so far, and its index b
    best_b = np.full(na, nb, dtype=np.int64)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            q = akey + (di * w + dj)
            lo = np.searchsorted(skey, q, side="left")
            cnt = np.searchsorted(skey, q, side="right") - lo
            has = cnt > 0
            if not has.any():
                continue
            tot = int(cnt.sum())
            # the candidate pairs of this neighbour cell, grouped by point a
            first = np.cumsum(cnt) - cnt
            pos = np.arange(tot) - np.repeat(first, cnt) + np.repeat(lo, cnt)
            ia = np.repeat(np.arange(na), cnt)
            ib = order[pos]
            dx = ax[ia] - bx[ib]
            dy = ay[ia] - by[ib]
            d2 = dx * dx + dy * dy  # the same arithmetic as _nearest: the same values
            starts = first[has]
            m = np.minimum.reduceat(d2, starts)
            # the lowest index among this cell's equally near points (argmin takes the first)
            at_min = d2 == np.repeat(m, cnt[has])
            mb = np.minimum.reduceat(np.where(at_min, ib, nb), starts)
            idx = np.flatnonzero(has)
            cur, cur_b = best[idx], best_b[idx]
            better = (m < cur) | ((m == cur) & (mb < cur_b))
            best[idx[better]] = m[better]
            best_b[idx[better]] = mb[better]
    dist = np.full(na, np.inf)
    arg = np.zeros(na, dtype=np.int64)
    d = np.sqrt(best)
    inside = d <= radius
    dist[inside] = d[inside]
    arg[inside] = best_b[inside]
    return dist, arg


def _heading(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hx = np.gradient(x) if len(x) > 1 else np.zeros_like(x)
    hy = np.gradient(y) if len(y) > 1 else np.zeros_like(y)
    n = np.hypot(hx, hy)
    n[n == 0] = 1.0
    return hx / n, hy / n


def route_shape(
    act: Activity, g: Gating, *, is_track: bool, params: ContextParams | None = None
) -> tuple[str | None, dict[str, Any]]:
    """Classify the route (module docstring) and return ``(shape, details)``.

    ``details`` holds ``start_end_m`` (start-to-end distance), ``retrace_share`` (share of the
    path after the turnaround that retraces the path before it in the opposite direction),
    ``turnaround_s`` (``time_s`` of the point farthest from the start) and ``laps_past_start``
    (the path passed its start again in the starting direction).
    """
    p = params or ContextParams()
    det: dict[str, Any] = {
        "start_end_m": None,
        "retrace_share": None,
        "turnaround_s": None,
        "laps_past_start": False,
    }
    if surface_class(act, g, is_track=False) == "treadmill":
        return "treadmill", det
    if is_track:
        return "track", det
    path = running_path(act, g)
    if path is None:
        return None, det
    # ≤ 1,200 points: 10–40 m spacing resolves the 30 m retrace tolerance on runs up to ~50 km
    # (the nearest-point search was quadratic when this was chosen; kept, the same output).
    step = max(1, len(path.x) // 1200)
    x, y, d = path.x[::step], path.y[::step], path.d[::step]
    t = act.samples[consts.TIME_S][path.idx[::step]]
    start_end = float(math.hypot(x[-1] - x[0], y[-1] - y[0]))
    far = int(np.argmax(np.hypot(x - x[0], y - y[0])))
    det["start_end_m"] = round(start_end, 1)
    det["turnaround_s"] = round(float(t[far]), 1)
    total = float(d[-1] - d[0])
    hx, hy = _heading(x, y)
    if 10 <= far <= len(x) - 10:
        a = slice(far, len(x))
        b = slice(0, far)
        dist, arg = _nearest_within(x[a], y[a], x[b], y[b], p.retrace_m)
        opposite = (hx[a] * hx[b][arg] + hy[a] * hy[b][arg]) < -0.5
        share = float(np.mean((dist <= p.retrace_m) & opposite))
        det["retrace_share"] = round(share, 3)
        if share >= p.retrace_min_share:
            return "out_and_back", det
    if start_end <= max(p.loop_close_m, p.loop_close_fraction * total):
        return "loop", det
    # a lapped loop that ends part-way round: the path passes the start again, in the same
    # direction, after at least LOOP_MIN_LAP_M
    later = (d - d[0]) >= LOOP_MIN_LAP_M
    near = np.hypot(x - x[0], y - y[0]) <= p.retrace_m
    k = min(len(x) - 1, 5)
    h0x, h0y = x[k] - x[0], y[k] - y[0]
    n0 = math.hypot(h0x, h0y) or 1.0
    same_dir = (hx * h0x + hy * h0y) / n0 > 0.5
    if bool(np.any(later & near & same_dir)):
        det["laps_past_start"] = True
        return "loop", det
    return "point_to_point", det


def camber_exposure(
    act: Activity,
    g: Gating,
    *,
    surface: str,
    shape: str | None,
    turnaround_s: float | None,
    params: ContextParams | None = None,
) -> dict[str, Any]:
    """Share of road running time with the road edge on the same side (relative to travel) as at
    the start, and — when a road side is declared — with the LEFT or RIGHT foot on the low side.

    Model and evidence (U) in the module docstring.
    """
    p = params or ContextParams()
    out: dict[str, Any] = {
        "declared_road_side": p.declared_road_side,
        "crosses_at_turnaround": p.crosses_at_turnaround,
        "road_running_s": None,
        "same_side_as_start_pct": None,
        "left_foot_low_pct": None,
        "right_foot_low_pct": None,
        "reason": None,
        "evidence": _ROAD_EVIDENCE,
    }
    if surface != "road":
        out["road_running_s"] = 0.0
        out["reason"] = f"{surface} run: no road camber"
        return out
    if shape is None:
        out["reason"] = "no GPS positions: the route shape is unknown"
        return out
    w = g.weight_s
    run = g.running
    total = float(w[run].sum())
    out["road_running_s"] = rounded(total)
    if total <= 0:
        out["reason"] = "no running"
        return out
    same = np.ones(len(w), dtype=bool)
    if shape == "out_and_back" and not p.crosses_at_turnaround and turnaround_s is not None:
        same = act.samples[consts.TIME_S] < turnaround_s
    same_pct = 100.0 * float(w[run & same].sum()) / total
    out["same_side_as_start_pct"] = round(same_pct, 1)
    if p.declared_road_side is None:
        out["reason"] = "no road side declared"
        return out
    left = same_pct if p.declared_road_side == "left" else 100.0 - same_pct
    out["left_foot_low_pct"] = round(left, 1)
    out["right_foot_low_pct"] = round(100.0 - left, 1)
    return out
