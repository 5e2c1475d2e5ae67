# SPDX-License-Identifier: MIT
"""Stage 2: per-athlete history from the lake's run documents, with the store's
:func:`evenstride.history.build_history` and :meth:`RunRecord.from_run_doc` (as
``evenstride history`` builds it from a store, with the store's defaults: the lake holds no
shoes, session RPE or resting HRV, so those parts of the history are empty)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def athlete_history(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``evenstride.history/1`` of one athlete's run documents (activity ids are the runs'
    content hashes); raises ``ValueError`` when there is no running activity."""
    from evenstride.history import RunRecord, build_history

    runs = []
    for d in docs:
        try:
            runs.append(RunRecord.from_run_doc(d["doc"], activity_id=d["sha256"][:16]))
        except ValueError:
            continue  # no start time: cannot be placed in a history (as the store does)
    return build_history(runs).to_dict()


def bucket_histories(recs: Sequence[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """One record per athlete of a bucket: its history, or the one-line reason there is none."""
    by: dict[str, list[dict[str, Any]]] = {}
    for r in recs:
        by.setdefault(str(r["athlete_id"]), []).append(r)
    out = []
    for athlete in sorted(by):
        docs = sorted(by[athlete], key=lambda r: (str(r["doc"].get("start_time")), r["sha256"]))
        rec: dict[str, Any] = {"athlete_id": athlete, "n_runs": len(docs),
                               "code_version": version}
        try:
            rec["history"] = athlete_history(docs)
        except ValueError as exc:
            rec["error"] = " ".join(str(exc).split())
        out.append(rec)
    return out
