# SPDX-License-Identifier: MIT
"""Rebuild an athlete's history in the background after the app changed their data.

The history behind the history, assessment and run pages is cached per version of the
athlete's data (:mod:`evenstride.store.history_cache`); a write makes a new version, and the
first page view after it would pay for the rebuild (about a second for 200 runs). When the write
came through the app (an upload, a shoe or RPE, a profile), the app knows, and rebuilds right
away in one background thread, and renders their history page from it, so the view that
follows finds both ready. Writes from another
process (the command line) are still seen at the next view, which then rebuilds itself.

One build at a time (the machine may have 2 cores), one pending request per athlete.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["HistoryWarmer"]


class HistoryWarmer:
    """Background rebuilds of athletes' histories for the store at ``db``."""

    def __init__(self, db: Path, prerender: Callable[[int], object] | None = None) -> None:
        self._db = db
        #: called with the athlete's id after a rebuild (the app renders their history page)
        self._prerender = prerender
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        self._pending: set[str] = set()
        self._idle = threading.Event()
        self._idle.set()
        self._running = 0

    def warm(self, athlete: str) -> None:
        """Rebuild ``athlete``'s history soon (no-op while a rebuild for them is pending)."""
        with self._lock:
            if athlete in self._pending:
                return
            self._pending.add(athlete)
            self._running += 1
            self._idle.clear()
        threading.Thread(target=self._run, args=(athlete,), name="evenstride-warm",
                         daemon=True).start()

    def _run(self, athlete: str) -> None:
        from evenstride.services.history import load_history
        from evenstride.store import open_store

        try:
            with self._one_at_a_time:
                with self._lock:  # a write during this build asks for another one
                    self._pending.discard(athlete)
                # no history to build (no runs, a race with a rename, a removed store): the
                # next page view says why
                with contextlib.suppress(Exception):
                    if not Path(self._db).is_file():  # removed: never create a new store
                        return
                    with open_store(self._db) as store:
                        aid = int(store.athlete(athlete, create=False).id)
                        load_history(store, aid)
                    if self._prerender is not None:
                        self._prerender(aid)
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._idle.set()

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Wait until no rebuild is pending or running (tests, benchmarks)."""
        return self._idle.wait(timeout_s)
