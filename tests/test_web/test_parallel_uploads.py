# SPDX-License-Identifier: MIT
"""Issue 14: uploads are imported at most MAX_PARALLEL_IMPORTS at a time (eight gzip bombs
uploaded at once took 1.95 GB); the others wait for a slot and are then imported normally."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from evenstride.simulate import write_simulated_fit
from evenstride.store import open_store
from evenstride.web._uploads import MAX_PARALLEL_IMPORTS, _run_import


def test_at_most_two_uploads_are_imported_at_once(tmp_path):
    db = tmp_path / "store" / "s.sqlite"
    db.parent.mkdir()
    with open_store(db) as st:
        aid = st.athlete("eve").id
    n_uploads, per_upload = 4, 3
    jobs = []
    for u in range(n_uploads):
        paths = [str(write_simulated_fit(
            tmp_path / f"u{u}_{k}.fit", duration_s=600, seed=100 * u + k,
            start_time=datetime(2025, 5, 1, 7, tzinfo=UTC) + timedelta(days=10 * u + k)))
                 for k in range(per_upload)]
        jobs.append(paths)
    spans: dict[int, list[float]] = {u: [] for u in range(n_uploads)}
    results: dict[int, list[dict[str, object]]] = {}
    start = threading.Barrier(n_uploads)

    def one(u: int) -> None:
        def progress(done: int, total: int, source: str) -> None:
            spans[u].append(time.monotonic())  # called while this import holds its slot

        start.wait()
        results[u] = _run_import(db, aid, jobs[u], {}, progress)[0]
        # no time stamp here: the slot is already free, and another import's first progress
        # could come before it on a busy machine (a false overlap); the span is first to last
        # progress, both taken while the slot is held

    threads = [threading.Thread(target=one, args=(u,)) for u in range(n_uploads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert all(len(results[u]) == per_upload for u in range(n_uploads))
    assert all(it["status"] == "new" for u in results for it in results[u])
    # the busiest moment: how many imports were between their first and last progress
    events = sorted([(s[0], 1) for s in spans.values()] + [(s[-1], -1) for s in spans.values()],
                    key=lambda e: (e[0], e[1]))
    busy = peak = 0
    for _, d in events:
        busy += d
        peak = max(peak, busy)
    assert MAX_PARALLEL_IMPORTS == 2
    assert peak <= MAX_PARALLEL_IMPORTS
