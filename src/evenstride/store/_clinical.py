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
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from evenstride.clinical.models import AthleteProfile, Injury, Symptom, TestResult

if TYPE_CHECKING:
    from evenstride.store._sqlite import Store

__all__ = [
    "add_symptom",
    "add_test",
    "load_profile",
    "profile_from_dict",
    "profile_to_dict",
    "save_profile",
    "symptoms",
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
