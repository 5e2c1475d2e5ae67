# SPDX-License-Identifier: MIT
"""What the athlete enters beside their files: shoes, session RPE, resting HRV; and the list of
stored runs.

Every function takes an open store and an athlete id; none opens, prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evenstride.exceptions import UserInputError
from evenstride.services.errors import InputError, field

__all__ = [
    "ShoeChange",
    "activity_rows",
    "check_rpe",
    "check_shoe",
    "import_resting_hrv",
    "run_activity",
    "set_rpe",
    "set_run_details",
    "set_shoe",
    "shoe_table",
    "use_shoe",
]

#: Plausible heel-to-toe drop (mm) and reminder distance (km) of a pair (engineering bounds).
SHOE_DROP_RANGE_MM = (0.0, 40.0)
SHOE_RETIRE_MAX_KM = 10_000.0


@dataclass(frozen=True)
class ShoeChange:
    """What to set about a pair (``None`` keeps the stored value)."""

    name: str
    type: str | None = None
    drop_mm: float | None = None
    retire_km: float | None = None
    retired: bool | None = None


def check_shoe(change: ShoeChange) -> None:
    """Refuse an empty name, an unknown type, an implausible drop or reminder distance."""
    from evenstride.store import SHOE_TYPES

    if not change.name.strip():
        raise InputError("the shoe name is empty")
    if change.type is not None and change.type not in SHOE_TYPES:
        raise InputError(f"unknown shoe type {change.type!r}: use one of "
                         f"{', '.join(SHOE_TYPES)}")
    lo, hi = SHOE_DROP_RANGE_MM
    if change.drop_mm is not None and not (lo <= change.drop_mm <= hi):
        raise InputError(f"{field('drop_mm')} must be 0–40 mm (got {change.drop_mm:g})")
    if change.retire_km is not None and not (0 < change.retire_km <= SHOE_RETIRE_MAX_KM):
        raise InputError(f"{field('retire_km')} must be above 0 and at most 10000 (got "
                         f"{change.retire_km:g})")


def set_shoe(store: Any, athlete_id: int, change: ShoeChange) -> Any:
    """Validate and store what the athlete says about a pair; returns the stored settings."""
    check_shoe(change)
    return store.set_shoe(athlete_id, change.name, type=change.type, drop_mm=change.drop_mm,
                          retire_km=change.retire_km, retired=change.retired)


def shoe_table(store: Any, athlete_id: int) -> list[dict[str, Any]]:
    """Every pair (used in stored runs or described by the athlete) with its use so far."""
    from evenstride.history import HistoryParams

    default_km = HistoryParams().shoe_retire_km
    info = {s.name: s for s in store.shoe_infos(athlete_id)}
    used = {s.name: s for s in store.shoes(athlete_id)}
    rows = []
    for name in list(used) + sorted(n for n in info if n not in used):
        u, i = used.get(name), info.get(name)
        km = 0.0 if u is None else u.distance_m / 1000.0
        retire = i.retire_km if i is not None and i.retire_km is not None else default_km
        retired = bool(i is not None and i.retired)
        status = ("retired" if retired else "past reminder" if km >= retire
                  else f"{retire - km:.0f} km to reminder")
        rows.append({
            "name": name,
            "type": None if i is None else i.type,
            "drop_mm": None if i is None else i.drop_mm,
            "retire_km": retire,
            "retire_km_source": "set" if i is not None and i.retire_km is not None
            else "default",
            "retired": retired,
            "distance_km": round(km, 1),
            "runs": 0 if u is None else u.n_activities,
            "first_used": None if u is None or u.first_used is None
            else u.first_used.date().isoformat(),
            "last_used": None if u is None or u.last_used is None
            else u.last_used.date().isoformat(),
            "status": status,
        })
    return rows


def run_activity(store: Any, athlete_id: int, activity_id: int, *, hint: str = "") -> Any:
    """The stored run ``activity_id`` of this athlete (a user error when it is not theirs)."""
    try:
        act = store.activity(activity_id)
    except KeyError:
        act = None
    if act is None or act.athlete_id != athlete_id:
        name = store.athlete_by_id(athlete_id).name
        raise UserInputError(f"no activity {activity_id} for athlete {name!r} (see "
                             f"'evenstride activities'){hint}")
    return act


def use_shoe(store: Any, athlete_id: int, name: str, activity_ids: list[int]) -> int:
    """Record the shoe worn for stored runs of the athlete; returns how many were changed."""
    name = str(name).strip()
    if not name:
        raise InputError("shoe name is empty")
    for act_id in activity_ids:
        run_activity(store, athlete_id, act_id, hint="; no shoe was recorded")
    return int(store.set_gear(activity_ids, name))


def check_rpe(rpe: float) -> float:
    """A session RPE on the CR-10 scale (0–10)."""
    from evenstride.store import RPE_RANGE

    rpe = float(rpe)
    if not (RPE_RANGE[0] <= rpe <= RPE_RANGE[1]):  # NaN fails too
        raise InputError(f"RPE must be 0–10 on the CR-10 scale (got {rpe:g})")
    return rpe


def set_rpe(store: Any, athlete_id: int, activity_id: int, rpe: float,
            note: str | None = None) -> Any:
    """Store a run's session RPE; returns the run's row."""
    rpe = check_rpe(rpe)
    act = run_activity(store, athlete_id, activity_id)
    store.set_session_rpe(act.id, rpe, note)
    return act


def set_run_details(store: Any, activity_id: int, *, rpe: float | None,
                    shoe: str | None) -> None:
    """Session RPE and/or the shoe worn for one stored run (``None`` leaves it as stored)."""
    if rpe is not None:
        check_rpe(rpe)
    if rpe is None and not shoe:
        raise InputError("enter a session RPE or a shoe")
    if rpe is not None:
        store.set_session_rpe(activity_id, rpe, None)
    if shoe:
        store.set_gear([activity_id], shoe)


def activity_rows(store: Any, athlete_id: int) -> tuple[list[Any], list[dict[str, Any]]]:
    """The athlete's stored runs and, for each, id, date, distance, duration, gear and RPE."""
    acts = store.activities(athlete_id)
    rpes = store.session_rpes(athlete_id)
    notes = store.session_rpe_notes(athlete_id) if hasattr(store, "session_rpe_notes") else {}
    rows = [
        {
            "id": a.id,
            "start_time": None if a.start_time is None else a.start_time.isoformat(),
            "date": None if a.start_time is None else a.start_time.date().isoformat(),
            "distance_km": None if a.distance_m is None else round(a.distance_m / 1000, 2),
            "duration_min": round(a.duration_s / 60.0, 1),
            "sport": a.sport,
            "name": a.name,
            "gear": a.gear,
            "rpe": rpes.get(a.id),
            "rpe_note": notes.get(a.id),
        }
        for a in acts
    ]
    return acts, rows


def import_resting_hrv(store: Any, athlete_id: int, values: list[Any]) -> list[dict[str, Any]]:
    """Store resting RMSSD values (:func:`evenstride.hrv.resting_value`), each once however
    often its file is imported; one dict per value with its ``status``."""
    results = []
    for v in values:
        new = store.add_resting_hrv(athlete_id, v.when, v.rmssd_ms, v.n_beats, v.source)
        results.append({**v.to_dict(), "status": "new" if new else "already stored"})
    return results


def parse_when(text: str) -> datetime:
    """An ISO 8601 date or time (the start of a recording that does not hold it)."""
    from evenstride.store import parse_time

    when = parse_time(text)
    if when is None:
        raise InputError(f"{field('when')} {text!r} is not an ISO 8601 date or time")
    return when
