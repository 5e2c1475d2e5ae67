# SPDX-License-Identifier: MIT
"""The same run from another export in the lake: recognised per athlete with the single-machine
import's rule (Fingerprint match, the richer copy kept), so the lake's kept runs, their rows,
the duplicate pairs and the history equal ``import``'s on the same files; a rerun adds nothing;
and on the real shared files the lake and the import flag the same duplicates."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evenstride.batch import run_batch

from .lakeio import docs, histories, parquet_rows, snapshot, summary_keyed

pytestmark = pytest.mark.slow

ATHLETES = ("d0", "d1")


def _write_exports(root: Path) -> dict[str, list[Path]]:
    """Per athlete two 30-min runs (long enough to be judged); run 0 also exported twice more:
    a poorer FIT without the Stryd channels (named to sort first, so the richer copy replaces
    it) and a byte-different big-endian re-encoding of the full FIT (equally rich: the first in
    order stays)."""
    from evenstride.simulate import simulate_run

    out: dict[str, list[Path]] = {}
    base = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    for i, a in enumerate(ATHLETES):
        d = root / a
        d.mkdir(parents=True)
        for k in range(2):
            kw: dict[str, Any] = dict(  # as the session corpus (batch/corpus.py)
                duration_s=1800.0, seed=100 * i + k, hills=False, stops=0,
                balance_left_pct=50.5 + i, drift_pct_per_h=0.0, drift_onset_s=None,
                grade_effect_pct_per_pct=0.0, balance_noise_sd_pct=0.3, speed_m_s=3.2,
                start_time=base + timedelta(days=k, hours=i))
            full = simulate_run(include_stryd=True, **kw)
            full.write_fit(d / f"run-{k:02d}.fit")
            if k == 0:
                simulate_run(include_stryd=False, **kw).write_fit(d / "export-run-00.fit")
                full.write_fit(d / "run-00-copy.fit", big_endian=True)
        out[a] = sorted(d.iterdir())
    return out


def _import(files: dict[str, list[Path]], db: Path) -> dict[str, Any]:
    """The import, one athlete at a time, files in sorted order, one process (its order)."""
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    with open_store(db) as store:
        for a, fs in files.items():
            import_paths(fs, store, athlete=a, jobs=1)
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    kept = {r["activity_id"]: r["sha256"] for r in con.execute(
        "SELECT activity_id, sha256 FROM files WHERE role = 'kept'")}
    pairs = {(r["sha256"], kept[r["activity_id"]]) for r in con.execute(
        "SELECT activity_id, sha256 FROM files WHERE role = 'duplicate'")}
    rows = {}
    for r in con.execute("SELECT f.sha256 AS sha256, s.* FROM asymmetry s JOIN files f "
                         "ON f.activity_id = s.activity_id AND f.role = 'kept'"):
        d = dict(r)
        d.pop("id", None)
        d.pop("activity_id")
        rows[(d["sha256"], d["metric"], d["source"])] = d
    con.close()
    return {"kept": set(kept.values()), "pairs": pairs, "rows": rows}


@pytest.fixture(scope="module")
def dup_lake(tmp_path_factory: pytest.TempPathFactory, dask_client):
    root = tmp_path_factory.mktemp("dups")
    files = _write_exports(root / "in")
    out = root / "lake"
    rep = run_batch([str(root / "in")], str(out), client=dask_client, chunk_size=2)
    return files, out, rep, _import(files, root / "import.sqlite")


def test_kept_runs_rows_and_pairs_equal_the_import(dup_lake):
    _, path, rep, imp = dup_lake
    assert rep.ok == 8 and rep.failed == 0 and rep.duplicates_found == 4
    dups = parquet_rows(path, "duplicates")
    dropped = {d["dropped_sha256"] for d in dups}
    kept = set(docs(path)) - dropped
    assert len(kept) == 4 and kept == imp["kept"]
    assert {(d["dropped_sha256"], d["kept_sha256"]) for d in dups} == imp["pairs"]
    # which copy: the re-encoded full FIT (first of the two richest in order) is kept
    assert sorted(Path(d["kept_source"]).name for d in dups) == ["run-00-copy.fit"] * 4
    assert sorted(Path(d["dropped_source"]).name for d in dups) == [
        "export-run-00.fit", "export-run-00.fit", "run-00.fit", "run-00.fit"]
    assert {d["athlete_id"] for d in dups} == set(ATHLETES)
    assert all(d["reason"].startswith("same run from another export") for d in dups)
    # the kept runs' summary rows equal the store's asymmetry rows, column for column
    lake_rows = {k: v for k, v in summary_keyed(path).items() if k[0] in kept}
    assert lake_rows.keys() == imp["rows"].keys() and imp["rows"]
    for k, s in imp["rows"].items():
        lr = {("source" if c == "source_channel" else c): v for c, v in lake_rows[k].items()}
        assert {c: lr[c] for c in s} == s, k


def test_history_and_cohort_leave_the_dropped_copies_out(dup_lake):
    from evenstride.batch import build_cohort
    from evenstride.batch._history import athlete_history

    _, path, _, imp = dup_lake
    hist = histories(path)
    ldocs = docs(path)
    for a in ATHLETES:
        assert hist[a]["n_runs"] == 2
        mine = [r for r in ldocs.values() if r["athlete_id"] == a and r["sha256"] in imp["kept"]]
        assert len(mine) == 2
        assert hist[a]["history"] == json.loads(json.dumps(athlete_history(mine)))
    judged = [r for r in parquet_rows(path, "summary") if r["metric"] == "contact_time"
              and r["class"] != "insufficient data" and r["symmetry_angle_pct"] is not None]
    n_kept = sum(r["sha256"] in imp["kept"] for r in judged)
    assert 0 < n_kept < len(judged)  # some dropped copies would count
    table = build_cohort(str(path), min_athletes=1)
    overall = [r for r in table["rows"] if r["metric"] == "contact_time"
               and r["value"] == "abs_index" and r["speed_band"] == "all"
               and r["sex"] == "all" and r["device"] == "all" and r["age_band"] == "all"]
    assert overall and {r["n_runs"] for r in overall} == {n_kept}


def test_rerun_adds_nothing(dup_lake, dask_client):
    files, path, _, _ = dup_lake
    before = snapshot(path)
    rep = run_batch([str(next(iter(files.values()))[0].parent.parent)], str(path),
                    client=dask_client, chunk_size=2)
    assert rep.tasks == 0 and rep.history_buckets == 0 and rep.duplicates_found == 0
    assert rep.already_in_lake == 8
    new = snapshot(path)
    assert {k: v for k, v in new.items() if not k.startswith("cohort/")} == {
        k: v for k, v in before.items() if not k.startswith("cohort/")}


def test_real_shared_files_flag_the_same_duplicates(shared_data, dask_client, tmp_path):
    from evenstride.importer import DUPLICATE, import_paths
    from evenstride.store import open_store

    out = tmp_path / "lake"
    rep = run_batch([str(shared_data)], str(out), athlete="me", client=dask_client,
                    chunk_size=8)
    assert rep.failed_tasks == []
    with open_store(tmp_path / "s.sqlite") as store:
        irep = import_paths([shared_data], store, athlete="me", jobs=2)
    imp_dropped = {Path(i.source).resolve() for i in irep.items if i.status == DUPLICATE}
    dups = parquet_rows(out, "duplicates")
    assert {Path(d["dropped_source"]).resolve() for d in dups} == imp_dropped
    assert len(imp_dropped) == 3  # the GoldenCheetah TCX, the sports-lib GPX and TCX
    kept = {Path(d["kept_source"]).name for d in dups}
    assert kept == {"10kUNLP2014-Garmin15.fit", "run_6782987395_fr945_stryd.fit"}
    assert rep.duplicates_found == 3
