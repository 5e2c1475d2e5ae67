# SPDX-License-Identifier: MIT
"""Athletes in the store: find one by name, create one, the overview of all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evenstride.exceptions import UserInputError

__all__ = ["AthleteSummary", "athlete_id", "create_athlete", "overview"]


def athlete_id(store: Any, name: str, *, create: bool = False) -> int:
    """The id of the athlete called ``name`` (created when ``create``); a user error naming the
    known athletes when there is none."""
    if create:
        try:
            return int(store.athlete(name).id)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None
    try:
        return int(store.athlete(name, create=False).id)
    except KeyError:
        known = ", ".join(a.name for a in store.list_athletes()) or "none"
        raise UserInputError(f"no athlete {name!r} in this store (known: {known})",
                             path=store.path) from None
    except ValueError as exc:
        raise UserInputError(str(exc)) from None


def create_athlete(store: Any, name: str) -> Any:
    """A new athlete (a user error when the name is empty or taken)."""
    name = name.strip()
    if not name:
        raise UserInputError("the athlete's name is empty")
    if name in {a.name for a in store.list_athletes()}:
        raise UserInputError(f"there is already an athlete named {name!r}")
    return store.athlete(name)


@dataclass(frozen=True)
class AthleteSummary:
    """One line of the athlete list: the athlete, runs stored, last run, distance (km)."""

    athlete: Any
    n_runs: int
    last: datetime | None
    km: float


def overview(store: Any) -> list[AthleteSummary]:
    """Every athlete with the number of stored runs, the last run's start and the distance."""
    rows = []
    for a in store.list_athletes():
        acts = store.activities(a.id)
        rows.append(AthleteSummary(a, len(acts), acts[-1].start_time if acts else None,
                                   sum((x.distance_m or 0.0) for x in acts) / 1000.0))
    return rows
