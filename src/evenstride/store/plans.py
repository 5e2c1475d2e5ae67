# SPDX-License-Identifier: MIT
"""Prescribed programs in the store (schema version 4, ``migrations/0004_plans.sql``): plans,
session logs and retests. Plain functions taking a :class:`~evenstride.store._sqlite.Store`;
each write is one transaction.

>>> import os, tempfile
>>> from datetime import date
>>> from evenstride.store import open_store
>>> from evenstride.clinical.prescribe import SessionLog
>>> with open_store(os.path.join(tempfile.mkdtemp(), "p.sqlite")) as st:
...     aid = st.athlete("me").id
...     pid = save_plan(st, aid, {"schema": "x", "start": "2025-03-03"})
...     _ = add_session_log(st, pid, SessionLog(date(2025, 3, 3), True, 6, 2, 1))
...     active_plan(st, aid)[0] == pid, [lg.rpe for lg in session_logs(st, pid)]
(True, [6.0])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from evenstride.clinical.prescribe import SessionLog

if TYPE_CHECKING:
    from evenstride.store._sqlite import Store

__all__ = [
    "PLAN_STATUSES",
    "RetestRow",
    "active_plan",
    "add_retest",
    "add_session_log",
    "retests",
    "save_plan",
    "session_log_ids",
    "session_logs",
]

PLAN_STATUSES = ("active", "replaced", "finished", "stopped")


@dataclass(frozen=True)
class RetestRow:
    id: int
    plan_id: int
    when: date
    measure: str
    before: float | None
    after: float | None
    mdc: float | None
    note: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_plan(store: Store, athlete_id: int, program: dict[str, Any]) -> int:
    """Store ``program`` (a ``Program.to_dict()``) as the athlete's active plan; an earlier
    active plan becomes 'replaced'. Returns the plan id."""
    start = str(program.get("start") or "")
    try:
        date.fromisoformat(start)
    except ValueError:
        raise ValueError(f"program has no valid start date ({start!r})") from None
    blob = json.dumps(program, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    with store._write() as c:
        c.execute("UPDATE plans SET status = 'replaced' WHERE athlete_id = ? AND "
                  "status = 'active'", (athlete_id,))
        cur = c.execute(
            "INSERT INTO plans (athlete_id, created_at, start_date, program, status) "
            "VALUES (?, ?, ?, ?, 'active')", (athlete_id, _now(), start, blob))
        return int(cur.lastrowid or 0)


def active_plan(store: Store, athlete_id: int) -> tuple[int, dict[str, Any]] | None:
    """``(plan id, program dict)`` of the athlete's active plan, else ``None``."""
    row = store._conn.execute(
        "SELECT id, program FROM plans WHERE athlete_id = ? AND status = 'active' "
        "ORDER BY id DESC LIMIT 1", (athlete_id,)).fetchone()
    return None if row is None else (int(row[0]), json.loads(row[1]))


def set_plan_status(store: Store, plan_id: int, status: str) -> None:
    if status not in PLAN_STATUSES:
        raise ValueError(f"unknown plan status {status!r}")
    with store._write() as c:
        if c.execute("UPDATE plans SET status = ? WHERE id = ?", (status, plan_id)).rowcount == 0:
            raise KeyError(f"no plan {plan_id}")


def add_session_log(store: Store, plan_id: int, log: SessionLog) -> int:
    """Store one session log (validated by :class:`SessionLog`); returns its id."""
    with store._write() as c:
        if c.execute("SELECT 1 FROM plans WHERE id = ?", (plan_id,)).fetchone() is None:
            raise KeyError(f"no plan {plan_id}")
        cur = c.execute(
            "INSERT INTO session_logs (plan_id, log_date, done, rpe, pain_during, "
            "pain_next_morning, note, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (plan_id, log.date.isoformat(), int(log.done), log.rpe, log.pain_during,
             log.pain_next_morning, log.note, _now()))
        return int(cur.lastrowid or 0)


def session_logs(store: Store, plan_id: int) -> list[SessionLog]:
    """The plan's session logs, oldest first (entry order within a day)."""
    rows = store._conn.execute(
        "SELECT * FROM session_logs WHERE plan_id = ? ORDER BY log_date, id", (plan_id,)
    ).fetchall()
    return [SessionLog(date.fromisoformat(r["log_date"]), bool(r["done"]), r["rpe"],
                       r["pain_during"], r["pain_next_morning"], r["note"]) for r in rows]


def add_retest(store: Store, plan_id: int, when: date, measure: str, *,
               before: float | None = None, after: float | None = None,
               mdc: float | None = None, note: str = "") -> int:
    """Store one retested measure; returns its id."""
    if not measure.strip():
        raise ValueError("the measure name is empty")
    if mdc is not None and not mdc >= 0:
        raise ValueError(f"MDC must be ≥ 0 (got {mdc})")
    with store._write() as c:
        if c.execute("SELECT 1 FROM plans WHERE id = ?", (plan_id,)).fetchone() is None:
            raise KeyError(f"no plan {plan_id}")
        cur = c.execute(
            "INSERT INTO retests (plan_id, retest_date, measure, before, after, mdc, note, "
            "entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (plan_id, when.isoformat(), measure.strip(), before, after, mdc, note, _now()))
        return int(cur.lastrowid or 0)


def retests(store: Store, plan_id: int) -> list[RetestRow]:
    rows = store._conn.execute(
        "SELECT * FROM retests WHERE plan_id = ? ORDER BY retest_date, id", (plan_id,)
    ).fetchall()
    return [RetestRow(int(r["id"]), int(r["plan_id"]), date.fromisoformat(r["retest_date"]),
                      r["measure"], r["before"], r["after"], r["mdc"], r["note"]) for r in rows]


def session_log_ids(store: Store, plan_id: int) -> list[tuple[int, SessionLog]]:
    """``(id, log)`` of the plan's session logs, in the order of :func:`session_logs`."""
    ids = [int(r[0]) for r in store._conn.execute(
        "SELECT id FROM session_logs WHERE plan_id = ? ORDER BY log_date, id",
        (plan_id,)).fetchall()]
    return list(zip(ids, session_logs(store, plan_id), strict=True))
