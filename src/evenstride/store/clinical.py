# SPDX-License-Identifier: MIT
"""Clinical inputs in the store (schema version 3, ``migrations/0003_clinical.sql``): the
athlete profile, test results and symptoms. Plain functions taking a
:class:`~evenstride.store._sqlite.Store`; each write is one transaction.

>>> import os, tempfile
>>> from datetime import date
>>> from evenstride.store import open_store
>>> from evenstride.clinical.models import AthleteProfile, Symptom
>>> with open_store(os.path.join(tempfile.mkdtemp(), "c.sqlite")) as st:
...     aid = st.athlete("me").id
...     save_profile(st, aid, AthleteProfile("me", dominant_leg="left", body_mass_kg=60.0))
...     _ = add_symptom(st, aid, Symptom(date(2024, 5, 1), "right", "knee_lateral", "soreness",
...                                      3, "after"))
...     load_profile(st, aid).dominant_leg, [s.region for s in symptoms(st, aid)]
('left', ['knee_lateral'])
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from evenstride.clinical.models import AthleteProfile, Injury, Symptom, TestResult

if TYPE_CHECKING:
    from evenstride.store._sqlite import Store

__all__ = [
    "EDITABLE",
    "Edit",
    "add_symptom",
    "add_test",
    "correct_record",
    "edits",
    "load_profile",
    "profile_from_dict",
    "profile_to_dict",
    "save_profile",
    "symptom_ids",
    "symptoms",
    "test_ids",
    "tests",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def profile_to_dict(p: AthleteProfile) -> dict[str, Any]:
    d = asdict(p)
    d["involved_side"] = p.involved_side
    return d


def profile_from_dict(d: dict[str, Any]) -> AthleteProfile:
    return AthleteProfile(
        name=str(d.get("name") or ""),
        dominant_leg=d.get("dominant_leg"),
        injuries=[Injury(side=i["side"], region=i["region"], kind=i["kind"],
                         description=i.get("description", ""), year=i.get("year"))
                  for i in d.get("injuries") or []],
        other_sports=list(d.get("other_sports") or []),
        habits=list(d.get("habits") or []),
        body_mass_kg=d.get("body_mass_kg"),
        leg_length_cm={str(k): float(v) for k, v in (d.get("leg_length_cm") or {}).items()},
        road_side=d.get("road_side") if d.get("road_side") in ("left", "right") else None,
    )


def save_profile(store: Store, athlete_id: int, profile: AthleteProfile) -> None:
    """Create or replace the athlete's profile."""
    doc = profile_to_dict(profile)
    doc.pop("involved_side", None)
    with store._write() as c:
        c.execute(
            "INSERT INTO athlete_profile (athlete_id, profile, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (athlete_id) DO UPDATE SET profile = excluded.profile, "
            "updated_at = excluded.updated_at",
            (athlete_id, json.dumps(doc, ensure_ascii=False), _now()),
        )


def load_profile(store: Store, athlete_id: int) -> AthleteProfile | None:
    """The stored profile, or ``None`` when none was set."""
    r = store._conn.execute(
        "SELECT profile FROM athlete_profile WHERE athlete_id = ?", (athlete_id,)
    ).fetchone()
    return None if r is None else profile_from_dict(json.loads(r[0]))


def add_test(store: Store, athlete_id: int, result: TestResult) -> int:
    """Store one (already validated) test result; returns its id."""
    with store._write() as c:
        cur = c.execute(
            "INSERT INTO test_results (athlete_id, protocol, side, value, unit, test_date, extra, "
            "note, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (athlete_id, result.protocol, result.side, float(result.value), result.unit,
             result.when.isoformat(), json.dumps(result.extra), result.note or "", _now()),
        )
        return int(cur.lastrowid or 0)


def tests(store: Store, athlete_id: int) -> list[TestResult]:
    """Every test result of the athlete, oldest first."""
    rows = store._conn.execute(
        "SELECT protocol, side, value, unit, test_date, extra, note FROM test_results "
        "WHERE athlete_id = ? ORDER BY test_date, id",
        (athlete_id,),
    ).fetchall()
    return [
        TestResult(protocol=r["protocol"], side=r["side"], value=float(r["value"]),
                   unit=r["unit"], when=date.fromisoformat(r["test_date"]),
                   extra={k: float(v) for k, v in json.loads(r["extra"]).items()},
                   note=r["note"])
        for r in rows
    ]


tests.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name


def add_symptom(store: Store, athlete_id: int, symptom: Symptom) -> int:
    """Store one symptom log; returns its id."""
    with store._write() as c:
        cur = c.execute(
            "INSERT INTO symptoms (athlete_id, symptom_date, side, region, kind, severity, "
            "timing, activity_id, onset_km, onset_min, flags, note, entered_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (athlete_id, symptom.when.isoformat(), symptom.side, symptom.region, symptom.kind,
             int(symptom.severity), symptom.timing, symptom.activity_id, symptom.onset_km,
             symptom.onset_min, json.dumps(list(symptom.flags)), symptom.note or "", _now()),
        )
        return int(cur.lastrowid or 0)


def symptoms(store: Store, athlete_id: int) -> list[Symptom]:
    """Every symptom log of the athlete, oldest first."""
    rows = store._conn.execute(
        "SELECT * FROM symptoms WHERE athlete_id = ? ORDER BY symptom_date, id", (athlete_id,)
    ).fetchall()
    return [
        Symptom(when=date.fromisoformat(r["symptom_date"]), side=r["side"], region=r["region"],
                kind=r["kind"], severity=int(r["severity"]), timing=r["timing"],
                activity_id=r["activity_id"], onset_km=r["onset_km"], onset_min=r["onset_min"],
                flags=tuple(json.loads(r["flags"])), note=r["note"])
        for r in rows
    ]


# --- corrections: edit and delete, keeping what was changed -----------------------------------
#: Kinds of record that can be corrected, with their table and how a row belongs to an athlete.
EDITABLE: dict[str, str] = {"test": "test_results", "symptom": "symptoms",
                            "session_log": "session_logs"}

#: The audit table. Created on first use (``CREATE TABLE IF NOT EXISTS``) rather than by a
#: numbered migration, so it adds nothing to the schema-version sequence shared with other
#: parts of the store; every edit and delete writes the full row before (and after) into it.
_EDITS_DDL = (
    "CREATE TABLE IF NOT EXISTS clinical_edits ("
    " id INTEGER PRIMARY KEY,"
    " athlete_id INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,"
    " record TEXT NOT NULL CHECK (record IN ('test', 'symptom', 'session_log')),"
    " record_id INTEGER NOT NULL,"
    " action TEXT NOT NULL CHECK (action IN ('edit', 'delete')),"
    " before TEXT NOT NULL CHECK (json_valid(before)),"
    " after TEXT CHECK (after IS NULL OR json_valid(after)),"
    " reason TEXT NOT NULL DEFAULT '',"
    " edited_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Edit:
    """One correction: the row before and (for an edit) after, as stored."""

    id: int
    record: str
    record_id: int
    action: str
    before: dict[str, Any]
    after: dict[str, Any] | None
    reason: str
    edited_at: str


def _owned_row(c: Any, athlete_id: int, record: str, record_id: int) -> dict[str, Any]:
    if record not in EDITABLE:
        raise ValueError(f"unknown record kind {record!r}")
    if record == "session_log":
        row = c.execute(
            "SELECT l.* FROM session_logs l JOIN plans p ON p.id = l.plan_id "
            "WHERE l.id = ? AND p.athlete_id = ?", (record_id, athlete_id)).fetchone()
    else:
        row = c.execute(f"SELECT * FROM {EDITABLE[record]} WHERE id = ? AND athlete_id = ?",
                        (record_id, athlete_id)).fetchone()
    if row is None:
        raise KeyError(f"no {record.replace('_', ' ')} {record_id} for this athlete")
    return dict(row)


def _columns(record: str, value: Any) -> dict[str, Any]:
    """The table columns of a validated record."""
    if record == "test":
        return {"protocol": value.protocol, "side": value.side, "value": float(value.value),
                "unit": value.unit, "test_date": value.when.isoformat(),
                "extra": json.dumps(value.extra), "note": value.note or ""}
    if record == "symptom":
        return {"symptom_date": value.when.isoformat(), "side": value.side,
                "region": value.region, "kind": value.kind, "severity": int(value.severity),
                "timing": value.timing, "activity_id": value.activity_id,
                "onset_km": value.onset_km, "onset_min": value.onset_min,
                "flags": json.dumps(list(value.flags)), "note": value.note or ""}
    return {"log_date": value.date.isoformat(), "done": int(value.done), "rpe": value.rpe,
            "pain_during": value.pain_during, "pain_next_morning": value.pain_next_morning,
            "note": value.note or ""}


def correct_record(store: Store, athlete_id: int, record: str, record_id: int,
                   value: Any | None, *, reason: str = "") -> Edit:
    """Replace (``value`` given: a validated TestResult, Symptom or SessionLog) or delete
    (``value`` is ``None``) one of the athlete's records, writing the row before and after to
    the audit table in the same transaction. ``KeyError`` if the record is not theirs."""
    with store._write() as c:
        c.execute(_EDITS_DDL)
        before = _owned_row(c, athlete_id, record, record_id)
        table = EDITABLE[record]
        if value is None:
            c.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))
            after = None
        else:
            cols = _columns(record, value)
            sets = ", ".join(f"{k} = ?" for k in cols)
            c.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*cols.values(), record_id))
            after = _owned_row(c, athlete_id, record, record_id)
        action = "delete" if value is None else "edit"
        cur = c.execute(
            "INSERT INTO clinical_edits (athlete_id, record, record_id, action, before, after, "
            "reason, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (athlete_id, record, record_id, action, json.dumps(before),
             None if after is None else json.dumps(after), reason, _now()))
        return Edit(int(cur.lastrowid or 0), record, record_id, action, before, after, reason,
                    _now())


def edits(store: Store, athlete_id: int, record: str | None = None) -> list[Edit]:
    """Every correction of the athlete's records (oldest first), optionally of one kind."""
    has = store._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'clinical_edits'").fetchone()
    if has is None:
        return []
    q = "SELECT * FROM clinical_edits WHERE athlete_id = ?"
    args: tuple[Any, ...] = (athlete_id,)
    if record is not None:
        q += " AND record = ?"
        args += (record,)
    rows = store._conn.execute(q + " ORDER BY id", args).fetchall()
    return [Edit(int(r["id"]), r["record"], int(r["record_id"]), r["action"],
                 json.loads(r["before"]), None if r["after"] is None else json.loads(r["after"]),
                 r["reason"], r["edited_at"]) for r in rows]


def test_ids(store: Store, athlete_id: int) -> list[tuple[int, TestResult]]:
    """``(id, result)`` of every test result of the athlete, oldest first."""
    ids = [int(r[0]) for r in store._conn.execute(
        "SELECT id FROM test_results WHERE athlete_id = ? ORDER BY test_date, id",
        (athlete_id,)).fetchall()]
    return list(zip(ids, tests(store, athlete_id), strict=True))


def symptom_ids(store: Store, athlete_id: int) -> list[tuple[int, Symptom]]:
    """``(id, symptom)`` of every symptom log of the athlete, oldest first."""
    ids = [int(r[0]) for r in store._conn.execute(
        "SELECT id FROM symptoms WHERE athlete_id = ? ORDER BY symptom_date, id",
        (athlete_id,)).fetchall()]
    return list(zip(ids, symptoms(store, athlete_id), strict=True))


test_ids.__test__ = False  # type: ignore[attr-defined]
