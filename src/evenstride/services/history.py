# SPDX-License-Identifier: MIT
"""The athlete's history from the store: build it (cached), place a run in it.

Every function takes an open store and an athlete id; none opens, prints or exits.
"""

from __future__ import annotations

import threading
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evenstride.exceptions import UserInputError
from evenstride.history import RunRecord, ShoeInfo, build_history, personal_baseline

if TYPE_CHECKING:
    from evenstride.history import History
    from evenstride.store import ActivityStore

__all__ = [
    "IMPORT_PLACED_RUNS",
    "LoadedHistory",
    "RunDocs",
    "history_inputs",
    "load_history",
    "place_new_runs",
    "place_run_doc",
    "run_personal",
]

#: An import places at most this many of its newest new runs against the history.
IMPORT_PLACED_RUNS = 5


class RunDocs(Mapping[int, dict[str, Any]]):
    """Each stored run's ``evenstride.run/1`` document, by activity id, read only when a value
    is asked for: the history is built from the runs' summary rows
    (:meth:`evenstride.store.ActivityStore.history_docs`), and most callers need only the ids
    (links to run pages). The first value asked for reads every document in one query, through a
    read-only connection of its own (the store that built the history may be closed by then);
    a document that does not decode is then left out and named in :attr:`skipped`.

    Iterating, ``len`` and ``in`` answer from the ids alone until the documents are read."""

    def __init__(self, path: Path, athlete_id: int, ids: list[int]) -> None:
        self._path = path
        self._athlete_id = athlete_id
        self._ids = ids
        self._docs: dict[int, dict[str, Any]] | None = None
        self._lock = threading.Lock()
        #: Documents left out as unreadable when they were read, one message each.
        self.skipped: list[str] = []

    def _load(self) -> dict[int, dict[str, Any]]:
        with self._lock:
            if self._docs is None:
                from evenstride.store import open_store

                want = set(self._ids)
                skipped: list[str] = []
                with open_store(self._path, readonly=True) as store:
                    got = {row.id: doc for row, doc in
                           store.analysis_docs(self._athlete_id, skipped=skipped)
                           if row.id in want}
                self.skipped = skipped
                self._docs = {i: got[i] for i in self._ids if i in got}
            return self._docs

    def __getitem__(self, activity_id: int) -> dict[str, Any]:
        return self._load()[activity_id]

    def items(self) -> ItemsView[int, dict[str, Any]]:
        return self._load().items()

    def values(self) -> ValuesView[dict[str, Any]]:
        return self._load().values()

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids if self._docs is None else self._docs)

    def __len__(self) -> int:
        return len(self._ids if self._docs is None else self._docs)

    def __contains__(self, activity_id: object) -> bool:
        return activity_id in (self._ids if self._docs is None else self._docs)


@dataclass(frozen=True)
class LoadedHistory:
    """An athlete's history built from the store (shared through a cache: read-only)."""

    history: History
    #: Each stored run's ``evenstride.run/1`` document, by activity id (read on first use).
    docs: RunDocs
    #: Cache key: changes whenever the history could (any write to the athlete's runs, RPEs,
    #: shoes, HRV or profile), so pages derived from the history can be cached under it.
    key: tuple[Any, ...]
    #: Stored runs left out as unreadable, one message each (said on every use).
    built_skipped: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[str]:
        """Stored runs left out as unreadable: by the history, then (once :attr:`docs` were
        read) by the documents."""
        return [*self.built_skipped, *self.docs.skipped]


def history_inputs(
    store: ActivityStore, athlete_id: int
) -> tuple[list[ShoeInfo], dict[int, float], list[tuple[datetime, float]]]:
    """What the athlete entered, ready for :func:`evenstride.history.build_history`:
    ``(shoes, activity id → session RPE, [(time, resting RMSSD ms)])``."""
    shoes = [ShoeInfo(s.name, type=s.type, drop_mm=s.drop_mm, retire_km=s.retire_km,
                      retired=s.retired) for s in store.shoe_infos(athlete_id)]
    return (
        shoes,
        dict(store.session_rpes(athlete_id)),
        [(h.when, h.rmssd_ms) for h in store.resting_hrv(athlete_id)],
    )


def load_history(
    store: Any,
    athlete_id: int,
    *,
    road_side: str | None = None,
    hr_rest: float | None = None,
    hr_max: float | None = None,
    metrics_only: bool = False,
) -> LoadedHistory:
    """The athlete's :class:`~evenstride.history.History` and each stored run's document.

    ``road_side`` defaults to the side declared in the athlete's profile. The result is cached
    in this process until the athlete's stored data change
    (:mod:`evenstride.store.history_cache`). :class:`UserInputError` when there is nothing to
    build a history from (e.g. no running activity).

    ``metrics_only``: only what places a run against the runner's baseline (the per-metric
    analyses, ``build_history(..., metrics_only=True)``), for the import summary and
    ``analyze --athlete``; the whole history when one is already cached."""
    from evenstride.store.history_cache import HISTORY_CACHE, history_fingerprint

    key = (str(Path(store.path).resolve()), athlete_id, history_fingerprint(store, athlete_id),
           road_side, hr_rest, hr_max)
    if metrics_only:
        whole = HISTORY_CACHE.peek(key)
        if whole is not None:
            hist, docs, skipped = whole
            return LoadedHistory(hist, docs, key, list(skipped))
    hist, docs, skipped = HISTORY_CACHE.get(
        (*key, "metrics only") if metrics_only else key,
        lambda: _build(store, athlete_id, road_side, hr_rest, hr_max, metrics_only))
    return LoadedHistory(hist, docs, key, list(skipped))


def _build(
    store: Any, athlete_id: int, road_side: str | None, hr_rest: float | None,
    hr_max: float | None, metrics_only: bool = False,
) -> tuple[Any, RunDocs, list[str]]:
    """The uncached work of :func:`load_history`; also the runs skipped as unreadable.

    The runs come from their summary rows (:meth:`~evenstride.store.ActivityStore.
    history_docs`: the part of each document the history reads), not from the whole
    documents, which :class:`RunDocs` reads only when asked."""
    shoe_infos, rpes, resting = history_inputs(store, athlete_id)
    if road_side is None:  # the side declared in the athlete's profile, if any
        from evenstride.store.clinical import load_profile

        prof = load_profile(store, athlete_id)
        road_side = None if prof is None else prof.road_side
    runs = []
    ids: list[int] = []
    skipped: list[str] = []  # one corrupt run must not hide the others
    for row, doc in store.history_docs(athlete_id, skipped=skipped):
        try:
            runs.append(
                RunRecord.from_run_doc(
                    doc, activity_id=row.id, gear=row.gear, session_rpe=rpes.get(row.id)
                )
            )
        except ValueError:
            continue  # no start time: cannot be placed in a history
        except (KeyError, TypeError, AttributeError) as exc:
            skipped.append(f"activity {row.id}: stored document is malformed "
                           f"({type(exc).__name__}: {exc}) (file {row.source_name}); "
                           "skipped — 'evenstride doctor' checks the store")
            continue
        ids.append(row.id)
    try:
        hist = build_history(
            runs,
            shoes=shoe_infos,
            resting_hrv=resting,
            declared_road_side=road_side,
            hr_rest_bpm=hr_rest,
            hr_max_bpm=hr_max,
            metrics_only=metrics_only,
        )
    except ValueError as exc:  # e.g. no running activity: a user's situation, not a bug
        name = store.athlete_by_id(athlete_id).name
        raise UserInputError(f"athlete {name!r}: {exc}", path=store.path) from None
    return hist, RunDocs(Path(store.path), athlete_id, ids), skipped


def place_run_doc(
    hist: Any, doc: dict[str, Any], *, athlete: str, activity_id: int | str = "this run"
) -> dict[str, Any]:
    """The ``personal_baseline`` part for one run document against the athlete's history
    (:func:`evenstride.history.personal_baseline`); ``activity_id`` of a stored run, or a
    label for a run that is not stored."""
    try:
        rec = RunRecord.from_run_doc(doc, activity_id=activity_id)
    except ValueError:
        return {
            "athlete": athlete, "history_runs": len(hist.runs), "run_in_history": False,
            "summary": "Can't tell: the file has no start time, so it cannot be placed in your "
                       "history.",
            "metrics": [], "note": "", "method": "", "evidence": None,
        }
    return personal_baseline(hist, rec, athlete=athlete)


def run_personal(
    store: Any, athlete_id: int, activity_id: int
) -> tuple[dict[str, Any] | None, tuple[Any, ...]]:
    """``personal_baseline`` of the stored run ``activity_id`` and the history's cache key
    (pages showing it are cached under that key); ``(None, key)`` when the run is not part of
    the history (no start time, not running), ``(None, ())`` when no history forms."""
    try:
        loaded = load_history(store, athlete_id)
    except (ValueError, UserInputError):  # no running activity to build a history from
        return None, ()
    rec = next((r for r in loaded.history.runs if r.activity_id == activity_id), None)
    if rec is None:
        return None, loaded.key
    name = store.athlete_by_id(athlete_id).name
    return personal_baseline(loaded.history, rec, athlete=name), loaded.key


def place_new_runs(
    store: Any, athlete_id: int, activity_ids: set[int]
) -> dict[int, dict[str, Any]]:
    """``personal_baseline`` of the newest of ``activity_ids`` (at most
    :data:`IMPORT_PLACED_RUNS`), newest first, by activity id, each with its ``date``; empty
    when none is given or no history forms."""
    if not activity_ids:
        return {}
    try:  # placing needs the per-metric analyses only, not load, shoes, surface or links
        hist = load_history(store, athlete_id, metrics_only=True).history
    except (ValueError, UserInputError):  # no running activity, or nothing to build from
        return {}
    name = store.athlete_by_id(athlete_id).name
    recs = [r for r in hist.runs if r.activity_id in activity_ids][-IMPORT_PLACED_RUNS:]
    out: dict[int, dict[str, Any]] = {}
    for r in reversed(recs):  # newest first
        pb = personal_baseline(hist, r, athlete=name)
        out[int(r.activity_id)] = {"date": r.start_time.date().isoformat(), **pb}
    return out
