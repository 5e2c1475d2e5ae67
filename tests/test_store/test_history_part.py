# SPDX-License-Identifier: MIT
"""The history is built from each run's summary row (``activities.history_doc``, schema 5), not
from the whole document; it must be the same history, value for value.

Real files of the shared corpus (several devices: fenix 2/5, FR955 + Stryd, FR945 treadmill and
Stryd, COROS, FR645M, TCX and GPX) and simulated runs with pods and Stryd are imported into a
store; for each, the record built from the row equals (``repr``: also int against float) the
record built from the document, and the stored row is the projection of the stored document.
An older store (schema 4) gets the rows filled when it is opened, its data kept.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evenstride.exceptions import EvenstrideWarning
from evenstride.history import RunRecord, build_history
from evenstride.importer import import_paths
from evenstride.io._fit_writer import write_activity_fit
from evenstride.services.history import load_history
from evenstride.simulate import simulate_run
from evenstride.store import _sqlite as sqlite_mod
from evenstride.store import open_store
from evenstride.store._history_part import history_part, history_part_json
from evenstride.store.history_cache import HISTORY_CACHE

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("EVENSTRIDE_SHARED_DATA") or ROOT.parent / "shared" / "data")
REAL = [
    "python-fitparse/activity-small-fenix2-run.fit",
    "python-fitparse/garmin-fenix-5-run.fit",
    "goldencheetah/Fr955v19.28andStryd.fit",
    "goldencheetah/Garmin920_withFirstbeat.fit",
    "sports-lib/run_6860622783_fr945_treadmill.fit",
    "sports-lib/run_6782987395_fr945_stryd.fit",
    "roznet-fitfileparser/running_fenix5xplus_stryd.fit",
    "runpandas/run_fr645m.fit",
    "runpandas/2020-12-04T19_09_21-300_Running.tcx",
    "sports-lib/run_6782987395.gpx",
]
T0 = datetime(2024, 3, 4, 6, 30, tzinfo=UTC)


def _simulated(folder: Path, n: int = 8) -> list[Path]:
    out = []
    for i in range(n):
        sim = simulate_run(duration_s=12 * 60, seed=300 + i, balance_left_pct=50.5 + 0.1 * i,
                           include_runscribe=i % 2 == 0, include_stryd=i % 3 == 0,
                           start_time=T0 + timedelta(days=2 * i))
        buf = io.BytesIO()
        write_activity_fit(sim.activity, buf)
        p = folder / f"sim_{i:02d}.fit"
        p.write_bytes(buf.getvalue())
        out.append(p)
    return out


def _import(db: Path, paths: list[Path]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        with open_store(db) as store:
            import_paths(paths, store, athlete="ann", jobs=1)


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("part")
    real = [DATA / p for p in REAL if (DATA / p).is_file()]
    if len(real) < 5:
        pytest.skip("shared real data not found (EVENSTRIDE_SHARED_DATA)")
    db = folder / "h.sqlite"
    _import(db, real + _simulated(folder))
    return db


def _pairs(db: Path) -> list[tuple[int, dict, dict, str | None]]:
    with open_store(db, readonly=True) as store:
        ann = store.athlete("ann", create=False).id
        rows = {r.id: r for r in store.activities(ann)}
        stored = {int(i): t for i, t in store._conn.execute(
            "SELECT id, history_doc FROM activities")}
        return [(row.id, doc, part, stored[row.id])
                for (row, doc), (row2, part) in zip(store.analysis_docs(ann),
                                                    store.history_docs(ann), strict=True)
                if row.id == row2.id and row.id in rows]


def test_records_from_the_rows_equal_the_records_from_the_documents(stored):
    pairs = _pairs(stored)
    assert len(pairs) >= 13  # real files (one may be skipped as too short) and simulated runs
    n_ctx = 0
    for aid, doc, part, text in pairs:
        assert text == history_part_json(doc)  # the row is the projection of the document
        assert part == history_part(doc)
        a = RunRecord.from_run_doc(doc, activity_id=aid, gear="g", session_rpe=5.0)
        b = RunRecord.from_run_doc(part, activity_id=aid, gear="g", session_rpe=5.0)
        assert repr(a) == repr(b)
        assert len(text) < len(json.dumps(doc)) / 4  # what the row saves
        n_ctx += sum(len(e.by_context) for e in a.asymmetry.values())
    assert n_ctx > 50  # the per-context values (speed, grade, bends) are carried


def test_history_from_the_rows_equals_the_history_from_the_documents(stored):
    HISTORY_CACHE.clear()
    with open_store(stored) as store:
        ann = store.athlete("ann", create=False).id
        loaded = load_history(store, ann)
        runs = [RunRecord.from_run_doc(doc, activity_id=row.id, gear=row.gear)
                for row, doc in store.analysis_docs(ann)]
    from_docs = build_history(runs).to_dict()
    assert json.dumps(loaded.history.to_dict(), sort_keys=True) == json.dumps(from_docs,
                                                                               sort_keys=True)
    # the documents are there for the pages that need one, read only when asked for
    assert loaded.docs._docs is None
    assert sorted(loaded.docs) == sorted(r.activity_id for r in runs)
    aid = runs[0].activity_id
    assert loaded.docs[aid]["schema"] == "evenstride.run/1"
    assert "findings" in loaded.docs[aid]  # the whole document, not the history's part
    assert loaded.docs._docs is not None and len(loaded.docs) == len(runs)


def test_an_older_store_gets_its_rows_filled_when_opened(tmp_path, monkeypatch):
    full = sqlite_mod.known_migrations()
    assert [v for v, _, _ in full][4] == 5 and full[4][1] == "history_part"
    folder = tmp_path / "sim"
    folder.mkdir()
    paths = _simulated(folder, 5)
    db = tmp_path / "old.sqlite"
    monkeypatch.setattr(sqlite_mod, "known_migrations", lambda: full[:4])
    _import(db, paths)
    with open_store(db) as store:
        assert store.schema_version() == 4
        ann = store.athlete("ann", create=False).id
        docs = {row.id: doc for row, doc in store.analysis_docs(ann)}
        # schema 4 has no row: the history reads the documents
        old = [(row.id, part) for row, part in store.history_docs(ann)]
    assert [i for i, _ in old] == list(docs) and all(p == history_part(docs[i]) for i, p in old)
    monkeypatch.setattr(sqlite_mod, "known_migrations", lambda: full)
    with open_store(db) as store:
        assert store.schema_version() == len(full)
        assert store.integrity_problems() == []
        rows = dict(store._conn.execute("SELECT id, history_doc FROM activities").fetchall())
        assert rows == {i: history_part_json(d) for i, d in docs.items()}
        assert {row.id: doc for row, doc in store.analysis_docs(ann)} == docs  # nothing lost
