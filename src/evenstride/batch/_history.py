# SPDX-License-Identifier: MIT
"""Stage 2: per-athlete history from the lake's run documents, with the store's
:func:`evenstride.history.build_history` and :meth:`RunRecord.from_run_doc` (as
``evenstride history`` builds it from a store, with the store's defaults: the lake holds no
shoes, session RPE or resting HRV, so those parts of the history are empty).

A bucket's documents are streamed part by part and each is reduced to its ``RunRecord`` at
once, so a task holds one part's documents (≤ the chunk size) plus small records, not the whole
bucket's documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def _record(r: dict[str, Any]) -> Any:
    """The run's RunRecord, or None when it has no start time (the store skips those too)."""
    from evenstride.history import RunRecord

    try:
        return RunRecord.from_run_doc(r["doc"], activity_id=r["sha256"][:16])
    except ValueError:
        return None


def _history(runs: list[Any]) -> dict[str, Any]:
    from evenstride.history import build_history

    runs.sort(key=lambda x: (x.start_time, str(x.activity_id)))
    return build_history(runs).to_dict()


def athlete_history(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``evenstride.history/1`` of one athlete's lake records (``{"sha256", "doc"}``; activity
    ids are the first 16 hex digits of the content hash); ``ValueError`` when there is no
    running activity."""
    return _history([x for x in (_record(d) for d in docs) if x is not None])


def bucket_histories(recs: Iterable[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """One record per athlete of a bucket: its history, or the one-line reason there is none."""
    runs: dict[str, list[Any]] = {}
    n: dict[str, int] = {}
    for r in recs:
        a = str(r["athlete_id"])
        n[a] = n.get(a, 0) + 1
        rec = _record(r)
        runs.setdefault(a, [])
        if rec is not None:
            runs[a].append(rec)
    out = []
    for athlete in sorted(runs):
        row: dict[str, Any] = {"athlete_id": athlete, "n_runs": n[athlete],
                               "code_version": version}
        try:
            row["history"] = _history(runs[athlete])
        except ValueError as exc:
            row["error"] = " ".join(str(exc).split())
        out.append(row)
    return out
