# SPDX-License-Identifier: MIT
"""Derived histories kept in memory, invalidated by every write that could change them.

Building an athlete's history (reading every stored run's summary row, then
:func:`evenstride.history.build_history`) takes about 0.5 s for 200 runs; the web app's history,
assessment and run pages all need it. :func:`history_fingerprint` is a digest of everything the
history is built from — the athlete's stored runs (id, file, import time, analysis version,
shoe), session RPEs, shoe attributes, resting HRV values and profile — read in a few
milliseconds. A cached history is reused only while the digest is unchanged, so a write by
another process (``evenstride import`` or ``rpe`` in a terminal while ``evenstride serve``
runs) is seen on the next page view: no write counter to forget, no schema change.

Stored run documents are immutable (a re-import under a new analysis replaces the activity
with a new id), so the run ids and import times stand for them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

__all__ = ["HISTORY_CACHE", "HistoryCache", "history_fingerprint"]

T = TypeVar("T")

#: Histories kept (athletes × settings); the run documents only once a page read them (about
#: 20 MB for 200 runs) besides the history itself.
CACHE_SIZE: Final = 4

_QUERIES: Final = (
    "SELECT id, sha256, imported_at, evenstride_version, doc_schema, gear, start_ts "
    "FROM activities WHERE athlete_id = ? ORDER BY id",
    "SELECT s.activity_id, s.rpe FROM session_rpe s JOIN activities a ON a.id = s.activity_id "
    "WHERE a.athlete_id = ? ORDER BY s.activity_id",
    "SELECT name, type, drop_mm, retire_km, retired FROM shoe_info WHERE athlete_id = ? "
    "ORDER BY name",
    "SELECT recorded_ts, rmssd_ms, source FROM resting_hrv WHERE athlete_id = ? "
    "ORDER BY recorded_ts",
    "SELECT profile FROM athlete_profile WHERE athlete_id = ?",
)


def history_fingerprint(store: Any, athlete_id: int) -> str:
    """A digest of every stored input of ``athlete_id``'s history (see the module docstring).

    ``store`` is the SQLite store (:func:`evenstride.store.open_store`).
    """
    h = hashlib.blake2b(digest_size=16)
    conn = store._conn
    for sql in _QUERIES:
        h.update(b"\x1e")
        for row in conn.execute(sql, (int(athlete_id),)):
            h.update(repr(tuple(row)).encode("utf-8"))
    return h.hexdigest()


class HistoryCache:
    """A small thread-safe LRU whose values are built once per key, even when several threads
    ask for the same missing key at the same time (four viewers of one history page build it
    once, not four times on a 2-core machine)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._d: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value cached for ``key``, else ``build()`` (stored, oldest entries evicted)."""
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                self.hits += 1
                return self._d[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._d:  # built by another thread while this one waited
                    self.hits += 1
                    return self._d[key]
            value = build()
            with self._lock:
                self.misses += 1
                self._d[key] = value
                while len(self._d) > self.size:
                    self._d.popitem(last=False)
                self._building.pop(key, None)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The value cached for ``key``, else None (nothing is built)."""
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                self.hits += 1
                return self._d[key]
        return None

    def clear(self) -> None:
        with self._lock:
            self._d.clear()


#: The process's cache of built histories (used by :func:`evenstride.services.history.
#: load_history`, hence by the web app's pages).
HISTORY_CACHE = HistoryCache()
