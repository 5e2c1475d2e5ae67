# SPDX-License-Identifier: MIT
"""Surface and direction per week and over the whole history: track sessions and their direction,
turning balance on bends, easy mileage on the track, grade exposure, trail/road share and camber
exposure (which foot ran on the low side of the road). Input: the athlete's runs
(:class:`~evenstride.history._model.RunRecord`); output: the ``surface`` part of
``evenstride.history/1`` and the one-sidedness of each week's camber exposure (for
:mod:`~evenstride.history._links`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence
from evenstride.history._links import weekly_groups
from evenstride.history._model import RunRecord
from evenstride.metrics.route import CAMBER_EVIDENCE

__all__ = ["SURFACE_EVIDENCE", "surface_report"]

SURFACE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Beukeboom et al. 2000 Clin J Sport Med (counter-clockwise track: asymmetric strength "
        "changes)",
        "J Exp Biol 2024 227:jeb246649 (curve running)",
        "science.md §9",
    ),
    note=(
        "Time on left- and right-hand bends is measured; that always turning one way loads the "
        "legs differently is supported, that it causes injury is not shown. Alternating track "
        "direction is low-cost advice with weak evidence."
    ),
)


def _camber_run(r: RunRecord, side: str | None, crosses: bool) -> tuple[float, float, float] | None:
    """(road seconds, left-foot-low seconds, right-foot-low seconds) of a road run."""
    side = side or r.declared_road_side
    if side is None or r.surface != "road" or not r.road_running_s:
        return None
    same = r.same_side_as_start_pct
    if crosses and r.route_shape == "out_and_back":
        same = 100.0
    if same is None:
        return None
    left = same if side == "left" else 100.0 - same
    road = float(r.road_running_s)
    return road, road * left / 100.0, road * (100.0 - left) / 100.0


def _time(r: RunRecord) -> float:
    return float(r.running_s if r.running_s is not None else r.duration_s)


def surface_report(
    runs: Sequence[RunRecord], side: str | None, crosses: bool
) -> tuple[dict[str, Any], dict[str, float]]:
    speeds = [r.median_speed_m_s for r in runs if r.median_speed_m_s is not None]
    med_speed = float(np.median(speeds)) if speeds else None
    weekly = []
    one_sided: dict[str, float] = {}
    for wk, rs in sorted(weekly_groups(runs).items()):
        tot = sum(_time(r) for r in rs) or 1.0
        share = {
            s: round(100.0 * sum(_time(r) for r in rs if r.surface == s) / tot, 1)
            for s in ("road", "trail", "track", "treadmill")
        }
        tr = [r for r in rs if r.surface == "track"]
        easy = [
            r
            for r in tr
            if med_speed is not None
            and r.median_speed_m_s is not None
            and r.median_speed_m_s < med_speed
        ]
        bl = sum(r.bend_left_s or 0.0 for r in rs)
        br = sum(r.bend_right_s or 0.0 for r in rs)
        cam = [c for c in (_camber_run(r, side, crosses) for r in rs) if c is not None]
        road_s = sum(c[0] for c in cam)
        camber = None
        if road_s > 0:
            lpct = 100.0 * sum(c[1] for c in cam) / road_s
            camber = {
                "road_s": round(road_s, 0),
                "left_foot_low_pct": round(lpct, 1),
                "right_foot_low_pct": round(100.0 - lpct, 1),
            }
            one_sided[wk] = abs(2.0 * lpct - 100.0)

        def s_(name: str, rs: list[RunRecord] = rs) -> float | None:
            v = [getattr(r, name) for r in rs if getattr(r, name) is not None]
            return round(float(sum(v)), 1) if v else None

        weekly.append(
            {
                "week": wk,
                "runs": len(rs),
                "distance_km": round(sum((r.distance_m or 0.0) for r in rs) / 1000.0, 2),
                "surface_share_pct": share,
                "trail_vs_road": {"trail_pct": share["trail"], "road_pct": share["road"]},
                "track_sessions": len(tr),
                "track_laps": round(sum(r.track_laps or 0.0 for r in tr), 1),
                "track_directions": {
                    d: sum(1 for r in tr if r.track_direction == d)
                    for d in ("counter-clockwise", "clockwise")
                },
                "easy_track_runs": len(easy),
                "easy_track_km": round(sum((r.distance_m or 0.0) for r in easy) / 1000.0, 2),
                "turning": {
                    "left_s": round(bl, 0),
                    "right_s": round(br, 0),
                    "left_share_pct": round(100.0 * bl / (bl + br), 1) if bl + br > 0 else None,
                },
                "grade": {
                    "uphill_s": s_("uphill_s"),
                    "flat_s": s_("flat_s"),
                    "downhill_s": s_("downhill_s"),
                    "ascent_m": s_("ascent_m"),
                    "descent_m": s_("descent_m"),
                },
                "camber_exposure": camber,
            }
        )

    def turning(rs: Sequence[RunRecord]) -> dict[str, Any]:
        bl = sum(r.bend_left_s or 0.0 for r in rs)
        br = sum(r.bend_right_s or 0.0 for r in rs)
        return {
            "left_s": round(bl, 0),
            "right_s": round(br, 0),
            "left_share_pct": round(100.0 * bl / (bl + br), 1) if bl + br > 0 else None,
        }

    last = runs[-1].start_time
    recent = [r for r in runs if r.start_time > last - timedelta(days=28)]
    tr = [r for r in runs if r.surface == "track"]
    ccw = sum(1 for r in tr if r.track_direction == "counter-clockwise")
    cw = sum(1 for r in tr if r.track_direction == "clockwise")
    easy = [
        r
        for r in tr
        if med_speed is not None
        and r.median_speed_m_s is not None
        and r.median_speed_m_s < med_speed
    ]
    cam_all = [c for c in (_camber_run(r, side, crosses) for r in runs) if c is not None]
    road_all = sum(c[0] for c in cam_all)
    tot_all = sum(_time(r) for r in runs) or 1.0
    no_side = side is None and not any(r.declared_road_side for r in runs)
    no_camber = "no road side declared" if no_side else "no road runs with a route shape"
    surface = {
        "athlete_median_speed_m_s": None if med_speed is None else round(med_speed, 3),
        "turning_balance": {
            "all": turning(runs),
            "last_28_days": turning(recent),
            "track_only": turning(tr),
        },
        "track": {
            "sessions": len(tr),
            "counter_clockwise": ccw,
            "clockwise": cw,
            "laps": round(sum(r.track_laps or 0.0 for r in tr), 1),
            "easy_runs": len(easy),
            "easy_km": round(sum((r.distance_m or 0.0) for r in easy) / 1000.0, 2),
            "easy_definition": "track runs with a median speed below the athlete's median",
            "sentence": (
                f"{len(tr)} track sessions, {ccw} counter-clockwise and {cw} clockwise"
                + (f"; {len(easy)} were easy runs on the track" if easy else "")
                + (
                    ". Always turning the same way loads the inside and outside leg differently; "
                    "alternating direction or keeping easy miles off the track is low-cost "
                    "advice with weak evidence."
                    if tr
                    else "."
                )
            ),
        },
        "surface_share_pct": {
            s: round(100.0 * sum(_time(r) for r in runs if r.surface == s) / tot_all, 1)
            for s in ("road", "trail", "track", "treadmill")
        },
        "camber_exposure": {
            "declared_road_side": side,
            "crosses_at_turnaround": crosses,
            "road_s": round(road_all, 0),
            "left_foot_low_pct": round(100.0 * sum(c[1] for c in cam_all) / road_all, 1)
            if road_all > 0
            else None,
            "right_foot_low_pct": round(100.0 * sum(c[2] for c in cam_all) / road_all, 1)
            if road_all > 0
            else None,
            "reason": None if road_all > 0 else no_camber,
            "evidence": copy.deepcopy(CAMBER_EVIDENCE),
        },
        "weekly": weekly,
        "evidence": SURFACE_EVIDENCE.to_dict(),
    }
    return surface, one_sided
