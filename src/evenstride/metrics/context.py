# SPDX-License-Identifier: MIT
"""Per-run context for the athlete history: where and how the run was done, and how much load it
carried. Input: an :class:`~evenstride.datatypes.Activity` and its
:class:`~evenstride.preprocessing.Gating`. Output: a :class:`RunContext` (``to_dict()`` is the
``"context"`` key of the ``evenstride.run/1`` document, docs/json-schema.md).

Every function here is pure and describes *one* run; the across-run analyses
(:mod:`evenstride.history`) only read these numbers, so a stored document is enough to rebuild an
athlete's history.
Each part lives in its own module; this one puts them together (:func:`run_context`) and renders
the header lines of a report:

- :mod:`~evenstride.metrics.track` — track sessions from the GPS shape (a fitted stadium) or the
  sub-sport: direction, turn share, lane;
- :mod:`~evenstride.metrics.route` — surface, route shape, turning on bends, grade exposure and
  road camber exposure;
- :mod:`~evenstride.metrics.load` — legs of a multisport file, moving/running time, distance,
  speed and heart-rate load (TRIMP);
- :mod:`~evenstride.metrics.hrv` — in-run or resting RMSSD (the one RMSSD of evenstride);
- :mod:`~evenstride.metrics._common` — the settings (:class:`ContextParams`) and path helpers.

The names of those modules are re-exported here, so ``from evenstride.metrics.context import
run_context, load_summary`` keeps working.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from evenstride.datatypes import Activity
from evenstride.metrics._common import TRIMP_WEIGHTING, ContextParams
from evenstride.metrics.hrv import MIN_RR, RESTING_MAX_S, hrv_summary, rmssd_ms
from evenstride.metrics.load import (
    DEFAULT_HR_MAX_BPM,
    DEFAULT_HR_REST_BPM,
    legs_summary,
    legs_totals,
    load_summary,
    trimp_from_histogram,
)
from evenstride.metrics.route import (
    CAMBER_EVIDENCE,
    LOOP_MIN_LAP_M,
    TURN_EVIDENCE,
    camber_exposure,
    grade_exposure,
    route_shape,
    surface_class,
    turning,
)
from evenstride.metrics.track import TRACK_GEOMETRY_M, detect_track
from evenstride.preprocessing import Gating

__all__ = [
    "CAMBER_EVIDENCE",
    "DEFAULT_HR_MAX_BPM",
    "DEFAULT_HR_REST_BPM",
    "LOOP_MIN_LAP_M",
    "MIN_RR",
    "RESTING_MAX_S",
    "TRACK_GEOMETRY_M",
    "TRIMP_WEIGHTING",
    "TURN_EVIDENCE",
    "ContextParams",
    "RunContext",
    "camber_exposure",
    "detect_track",
    "grade_exposure",
    "header_lines",
    "hrv_summary",
    "legs_summary",
    "legs_totals",
    "load_summary",
    "rmssd_ms",
    "route_shape",
    "run_context",
    "surface_class",
    "trimp_from_histogram",
    "turning",
]
#: The old name of :data:`~evenstride.metrics.route.TURN_EVIDENCE` (the same object).
_TURN_EVIDENCE = TURN_EVIDENCE


@dataclass
class RunContext:
    """Context of one run; :meth:`to_dict` is the ``"context"`` key of the run document."""

    surface: str
    route_shape: str | None
    route: dict[str, Any]
    track: dict[str, Any]
    turning: dict[str, Any]
    grade_exposure: dict[str, Any]
    camber_exposure: dict[str, Any]
    load: dict[str, Any]
    hrv_rmssd_ms: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    legs: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # a fresh copy of every dict/list: the evidence objects are shared module constants
        # (a plain recursive copy, ~10x cheaper than copy.deepcopy's memo and dispatch)
        return _plain_copy(
            {
                "surface": self.surface,
                "route_shape": self.route_shape,
                "route": self.route,
                "track": self.track,
                "turning": self.turning,
                "grade_exposure": self.grade_exposure,
                "camber_exposure": self.camber_exposure,
                "load": self.load,
                "hrv_rmssd_ms": self.hrv_rmssd_ms,
                "legs": self.legs,
                "notes": list(self.notes),
            }
        )


# --------------------------------------------------------------------------------- helpers
def _plain_copy(value: Any) -> Any:
    """Copy of nested dicts, lists and tuples (fresh containers); scalars and strings shared,
    anything else deep-copied, so the result equals ``copy.deepcopy(value)``."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain_copy(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return copy.deepcopy(value)


# --------------------------------------------------------------------------------- header
def _clock(seconds: float | None) -> str:
    s = round(seconds or 0.0)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def header_lines(context: dict[str, Any] | None) -> list[str]:
    """Plain lines for a report header: the track (direction, turn share) and, for a multisport
    file, each running leg. ``context`` is :meth:`RunContext.to_dict`.

    >>> header_lines({"track": {"is_track": True, "detected_by": "gps",
    ...     "direction": "clockwise", "turn_share_pct": 62.8, "lane_estimate": 8, "laps": 10.2},
    ...     "legs": []})[0]
    'Track: clockwise, 63 % of the time on the bends, 10.2 laps, about lane 8 (from the GPS shape)'

    """
    if not context:
        return []
    out = []
    tr = context.get("track") or {}
    if tr.get("is_track"):
        parts = [tr.get("direction") or "direction unknown"]
        if tr.get("turn_share_pct") is not None:
            parts.append(f"{tr['turn_share_pct']:.0f} % of the time on the bends")
        if tr.get("laps") is not None:
            parts.append(f"{tr['laps']} laps")
        if tr.get("lane_estimate") is not None:
            parts.append(f"about lane {tr['lane_estimate']}")
        gps = tr.get("detected_by") == "gps"
        how = "from the GPS shape" if gps else "from the file's sub-sport"
        out.append(f"Track: {', '.join(parts)} ({how})")
    legs = context.get("legs") or []
    # several legs, or one leg that starts after other sports (a triathlon's run)
    if len(legs) > 1 or (legs and (legs[0].get("start_s") or 0.0) > 60.0):
        items = []
        for leg in legs:
            dist = "" if leg.get("distance_m") is None else f", {leg['distance_m'] / 1000:.2f} km"
            start = (leg.get("start_time") or "")[11:16]
            when = f"{start} UTC" if start else _clock(leg["start_s"])
            num = f"{leg['leg']}) " if len(legs) > 1 else ""
            mark = " (drift measured on this leg)" if leg.get("drift") and len(legs) > 1 else ""
            items.append(f"{num}from {when}, {_clock(leg['elapsed_s'])}{dist}{mark}")
        out.append(("Running legs: " if len(legs) > 1 else "Running leg: ") + "; ".join(items))
    return out


# --------------------------------------------------------------------------------- all together
def run_context(act: Activity, g: Gating, params: ContextParams | None = None) -> RunContext:
    """Every context feature of one run (module docstring).

    Examples
    --------
    >>> from evenstride.simulate import simulate_run
    >>> from evenstride.preprocessing import label_samples
    >>> act = simulate_run(duration_s=1200, seed=1, route="track").activity
    >>> c = run_context(act, label_samples(act))
    >>> c.surface, c.track["direction"], c.route_shape
    ('track', 'counter-clockwise', 'track')
    """
    p = params or ContextParams()
    track = detect_track(act, g, p)
    surface = surface_class(act, g, is_track=bool(track["is_track"]))
    shape, route = route_shape(act, g, is_track=bool(track["is_track"]), params=p)
    camber = camber_exposure(
        act, g, surface=surface, shape=shape, turnaround_s=route["turnaround_s"], params=p
    )
    notes = []
    if (act.meta.sub_sport or "").lower() == "track" and track["detected_by"] == "sub_sport":
        notes.append("track session from the file's sub-sport; the GPS path did not confirm it")
    return RunContext(
        surface=surface,
        route_shape=shape,
        route=route,
        track=track,
        turning=turning(act, g),
        grade_exposure=grade_exposure(act, g),
        camber_exposure=camber,
        load=load_summary(act, g, p),
        hrv_rmssd_ms=hrv_summary(act, g),
        notes=notes,
        legs=legs_summary(act, g),
    )
