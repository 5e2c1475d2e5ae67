# SPDX-License-Identifier: MIT
"""``evenstride doctor``: check the store and repair what can be repaired without losing data.

Checks (:func:`check_store`):

- SQLite's own ``PRAGMA integrity_check`` (pages, indexes) and ``PRAGMA foreign_key_check``
  (rows that point to an activity that is gone: orphans);
- every activity has its blob row, a document that decodes, and a recording (sample blob) that
  decodes to ``n_samples`` rows; one asymmetry row per document entry; its kept file recorded;
  its history summary row (``activities.history_doc``, schema 5) is the part of its document
  the history reads.

Repairs (:func:`repair_store`), each reported on its own line, none silent:

- **document lost, recording intact** → the document is re-derived by analysing the stored
  recording again (``rederive``; the same analysis as at import). The document's run segments
  were only in the lost document: the whole recording is taken as one segment of the activity's
  sport, and the new document says so in its warnings.
- **recording lost (or no blob row)** → the activity is *quarantined*: every row that belongs to
  it (activity, files, asymmetry, drift, session RPE, blobs as base64) is written to a JSON file
  in ``<store>.quarantine/`` and only then removed from the store, so that re-importing the
  original file (named in the message) stores it again.
- **orphan rows** → written to the same quarantine folder, then removed.
- **history summary row missing or not its document's** → written again from the document
  (the history reads it instead of the document; nothing else changes).

Not repaired: a failing ``integrity_check`` (page-level damage: copy the file and use
``sqlite3 store.sqlite .recover``) and count mismatches (reported for a re-import).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evenstride.store import StoreError
from evenstride.store._history_part import history_part_json

if TYPE_CHECKING:
    from evenstride.datatypes import Activity
    from evenstride.store._sqlite import Store

__all__ = ["QUARANTINE_SCHEMA", "Problem", "check_store", "quarantine_dir", "repair_store"]

QUARANTINE_SCHEMA = "evenstride.quarantine/1"
#: At most this many ``integrity_check`` lines are reported.
MAX_INTEGRITY_LINES = 20
#: Tables whose rows belong to one activity (``activity_id``), exported on quarantine.
_ACTIVITY_TABLES = ("files", "asymmetry", "drift", "session_rpe", "activity_blobs")

#: Repair actions.
REDERIVE = "re-derive the document from the stored recording"
QUARANTINE = "quarantine the activity (re-import its file to restore it)"
QUARANTINE_ORPHANS = "quarantine the orphan rows"
REFILL = "write the history summary row again from the document"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store."""

    kind: str  # integrity, orphans, document, recording, counts, files, summary
    message: str
    activity_id: int | None = None
    source_name: str | None = None
    #: What ``--repair`` does about it (one of the constants above), None when it cannot.
    repair: str | None = None

    def line(self) -> str:
        fix = f" — repair: {self.repair}" if self.repair else " — not repaired automatically"
        return f"{self.message}{fix}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def quarantine_dir(store_path: Path) -> Path:
    """Where quarantined rows go: a folder beside the store file."""
    return store_path.with_name(store_path.name + ".quarantine")


def check_store(store: Store) -> list[Problem]:
    """Every problem found in the store (read-only: nothing is changed)."""
    conn = store._conn
    problems: list[Problem] = []
    lines = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if lines != ["ok"]:
        shown = lines[:MAX_INTEGRITY_LINES]
        more = f" (+{len(lines) - len(shown)} more)" if len(lines) > len(shown) else ""
        problems.append(Problem("integrity", "sqlite integrity_check: " + "; ".join(shown) + more
                                + " (copy the file, then 'sqlite3 FILE .recover')"))
    orphans = _orphans(conn)
    if orphans:
        n = sum(orphans.values())
        where = ", ".join(f"{t}: {k}" for t, k in orphans.items())
        problems.append(Problem("orphans", f"{n} rows point to no activity ({where})",
                                repair=QUARANTINE_ORPHANS))
    rows = conn.execute(
        "SELECT a.id, a.source_name, a.n_samples, a.sha256, b.activity_id AS has_blob "
        "FROM activities a LEFT JOIN activity_blobs b ON b.activity_id = a.id ORDER BY a.id"
    ).fetchall()
    for r in rows:
        aid, src = int(r["id"]), str(r["source_name"])
        name = f"activity {aid} (file {src})"
        if r["has_blob"] is None:
            problems.append(Problem("recording", f"{name}: no stored document or recording",
                                    aid, src, QUARANTINE))
            continue
        doc_err = rec_err = None
        doc: dict[str, Any] | None = None
        try:
            doc = store.analysis_doc(aid)
        except StoreError as exc:
            doc_err = exc.reason.split(": ", 1)[-1]
        try:
            cols = store.samples(aid)
            n = len(next(iter(cols.values()))) if cols else 0
            if r["n_samples"] is not None and n != int(r["n_samples"]):
                problems.append(Problem("counts", f"{name}: {n} sample rows, expected "
                                        f"{r['n_samples']}", aid, src))
        except (ValueError, zlib.error, KeyError, TypeError) as exc:  # BlobError is a ValueError
            rec_err = f"stored recording cannot be decoded ({exc})"
        if rec_err is not None:
            what = rec_err if doc_err is None else f"{rec_err}; and {doc_err}"
            problems.append(Problem("recording", f"{name}: {what}", aid, src, QUARANTINE))
            continue
        if doc_err is not None:
            problems.append(Problem("document", f"{name}: {doc_err}", aid, src, REDERIVE))
            continue
        assert doc is not None
        n_asym = conn.execute("SELECT COUNT(*) FROM asymmetry WHERE activity_id = ?",
                              (aid,)).fetchone()[0]
        if n_asym != len(doc.get("asymmetry") or []):
            problems.append(Problem("counts", f"{name}: {n_asym} asymmetry rows, the document "
                                    f"has {len(doc.get('asymmetry') or [])}", aid, src))
        if store._has_history_doc:
            part = conn.execute("SELECT history_doc FROM activities WHERE id = ?",
                                (aid,)).fetchone()[0]
            if part != history_part_json(doc):
                what = "missing" if part is None else "not the part of its document it should be"
                problems.append(Problem("summary", f"{name}: its history summary row is {what}",
                                        aid, src, REFILL))
        kept = conn.execute("SELECT COUNT(*) FROM files WHERE activity_id = ? AND role = 'kept' "
                            "AND sha256 = ?", (aid, r["sha256"])).fetchone()[0]
        if kept != 1:
            problems.append(Problem("files", f"{name}: its kept-file row is missing (a re-import "
                                    "of the same file would store it twice)", aid, src))
    return problems


def _orphans(conn: sqlite3.Connection) -> dict[str, int]:
    """Table → number of rows whose foreign key points to a missing row."""
    out: dict[str, int] = {}
    for r in conn.execute("PRAGMA foreign_key_check"):
        out[str(r[0])] = out.get(str(r[0]), 0) + 1
    return out


def repair_store(
    store: Store,
    problems: list[Problem],
    rederive: Callable[[Activity], dict[str, Any]],
) -> list[str]:
    """Apply the repairs of ``problems``; one line per action taken (see module docstring).

    ``rederive`` analyses an Activity and returns its ``evenstride.run/1`` document (the CLI
    passes the pipeline's ``analyze(...).to_dict()``; the store itself never analyses).
    """
    done: list[str] = []
    qdir = quarantine_dir(store.path)
    for p in problems:
        if p.repair == REDERIVE and p.activity_id is not None:
            done.append(_rederive(store, p, rederive))
        elif p.repair == QUARANTINE and p.activity_id is not None:
            path = _quarantine_activity(store, p, qdir)
            done.append(f"activity {p.activity_id}: moved to {path}; re-import {p.source_name} "
                        "to store it again")
        elif p.repair == REFILL and p.activity_id is not None:
            part = history_part_json(store.analysis_doc(p.activity_id))
            with store._write() as c:
                c.execute("UPDATE activities SET history_doc = ? WHERE id = ?",
                          (part, p.activity_id))
            done.append(f"activity {p.activity_id}: history summary row written again from its "
                        "document")
        elif p.repair == QUARANTINE_ORPHANS:
            path, n = _quarantine_orphans(store, qdir)
            done.append(f"{n} orphan rows moved to {path}")
    return done


def _rederive(store: Store, p: Problem, rederive: Callable[[Activity], dict[str, Any]]) -> str:
    from evenstride.store._blob import unpack_activity

    assert p.activity_id is not None
    row = store.activity(p.activity_id)
    blob = store._conn.execute("SELECT samples FROM activity_blobs WHERE activity_id = ?",
                               (p.activity_id,)).fetchone()[0]
    cols = store.samples(p.activity_id)
    t = cols.get("time_s")
    end_s = float(t[-1]) if t is not None and len(t) else float(row.duration_s)
    start_s = float(t[0]) if t is not None and len(t) else 0.0
    stub = {
        "file": row.source_name,
        "file_format": row.file_format,
        "sport": row.sport or "running",
        "sub_sport": row.sub_sport,
        "start_time": None if row.start_time is None else row.start_time.isoformat(),
        "devices": list(row.devices),
        "segments": [{"sport": row.sport or "running", "sub_sport": row.sub_sport,
                      "start_s": start_s, "end_s": end_s, "analysed": True}],
    }
    doc = dict(rederive(unpack_activity(blob, stub)))
    doc["file"] = row.source_name
    doc["warnings"] = [*list(doc.get("warnings") or []),
                       "re-derived by 'evenstride doctor --repair' from the stored recording "
                       "(the stored document was lost; the whole recording is taken as one "
                       f"{row.sport or 'running'} segment)"]
    store.replace_document(p.activity_id, doc)
    return f"activity {p.activity_id}: document re-derived from the stored recording"


def _rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [{k: _jsonable(v) for k, v in dict(r).items()} for r in conn.execute(sql, args)]


def _jsonable(v: Any) -> Any:
    if isinstance(v, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(v)).decode("ascii")}
    return v


def _write_quarantine(qdir: Path, stem: str, payload: Mapping[str, Any]) -> Path:
    """Write (and flush to disk) one quarantine file before anything is removed."""
    qdir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = qdir / f"{stem}-{stamp}.json"
    k = 1
    while path.exists():
        k += 1
        path = qdir / f"{stem}-{stamp}-{k}.json"
    with open(path, "x", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    return path


def _quarantine_activity(store: Store, p: Problem, qdir: Path) -> Path:
    aid = p.activity_id
    assert aid is not None
    conn = store._conn
    tables = {"activities": _rows(conn, "SELECT * FROM activities WHERE id = ?", (aid,))}
    for t in _ACTIVITY_TABLES:
        tables[t] = _rows(conn, f"SELECT * FROM {t} WHERE activity_id = ?", (aid,))
    payload = {"schema": QUARANTINE_SCHEMA, "store": str(store.path), "reason": p.message,
               "activity_id": aid, "source_name": p.source_name, "tables": tables}
    path = _write_quarantine(qdir, f"activity-{aid}", payload)
    with store._write() as c:  # cascades to its files, rows, RPE and blobs
        c.execute("DELETE FROM activities WHERE id = ?", (aid,))
    return path


def _orphan_where(conn: sqlite3.Connection, table: str) -> str:
    """``WHERE`` clause matching the rows of ``table`` whose foreign keys point to nothing (by
    the key columns, so that WITHOUT ROWID tables are covered too)."""
    parts = []
    for fk in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
        col, parent, pcol = fk["from"], fk["table"], fk["to"] or "rowid"
        parts.append(f"({col} IS NOT NULL AND {col} NOT IN (SELECT {pcol} FROM {parent}))")
    return " OR ".join(parts) or "0"


def _quarantine_orphans(store: Store, qdir: Path) -> tuple[Path, int]:
    conn = store._conn
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in sorted({str(r[0]) for r in conn.execute("PRAGMA foreign_key_check")}):
        tables[table] = _rows(conn, f"SELECT * FROM {table} WHERE {_orphan_where(conn, table)}",
                              ())
    payload = {"schema": QUARANTINE_SCHEMA, "store": str(store.path),
               "reason": "rows pointing to no activity", "tables": tables}
    n = sum(len(v) for v in tables.values())
    path = _write_quarantine(qdir, "orphans", payload)
    with store._write() as c:
        for table in tables:
            c.execute(f"DELETE FROM {table} WHERE {_orphan_where(c, table)}")
    return path, n
