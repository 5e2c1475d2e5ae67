# SPDX-License-Identifier: MIT
"""The batch on a 2-worker LocalCluster over a generated corpus (conftest.py): the lake's rows
equal the single-machine import's, a rerun writes nothing, an interrupted batch resumes, a
killed worker changes nothing, a code change recomputes, corrupt files are error rows, and the
history stage is the store's build_history."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest
from lakeio import N_ATHLETES, RUNS, docs, histories, parquet_rows, snapshot, summary_keyed

from evenstride.batch import run_batch

pytestmark = pytest.mark.slow

N_RUNS = N_ATHLETES * RUNS


def _run_files(corpus) -> list[str]:
    """Every run file as the importer is given it (zip members through their zip)."""
    out = []
    for files in corpus.files.values():
        out.extend(f for f in files if "!" not in f)
    assert corpus.zip_path is not None
    return [*out, str(corpus.zip_path)]


def test_first_batch_counts_and_error_rows(corpus, lake):
    path, rep = lake
    assert rep.discovered == N_RUNS + len(corpus.corrupt)
    assert rep.ok == N_RUNS and rep.failed_tasks == []
    assert rep.failed + rep.skipped == len(corpus.corrupt)
    errors = parquet_rows(path, "errors")
    assert sorted(Path(e["source"]).name for e in errors) == sorted(p.name
                                                                    for p in corpus.corrupt)
    for e in errors:
        assert e["reason"] and "\n" not in e["reason"], e
        assert e["status"] in ("failed", "skipped")
    assert {r["source"] for r in parquet_rows(path, "summary")}.isdisjoint(
        {e["source"] for e in errors})
    # every run is in the summary, partitioned by athlete bucket (never one folder per athlete)
    rows = summary_keyed(path)
    assert len({k[0] for k in rows}) == N_RUNS
    buckets = {p.name for p in (path / "summary").iterdir()}
    assert all(b.startswith("bucket=") for b in buckets) and len(buckets) <= 64
    meta = json.loads((path / "_lake.json").read_text())
    assert meta["n_buckets"] == 64 and meta["code_version"] == rep.code_version


def test_rows_and_documents_equal_the_import_path(corpus, lake, tmp_path):
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    path, _ = lake
    db = tmp_path / "h.sqlite"
    with open_store(db) as store:
        rep = import_paths(_run_files(corpus), store, athlete="everyone", jobs=2)
        assert rep.counts()["new"] == N_RUNS, rep.counts()
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        stored = {}
        for r in con.execute("SELECT f.sha256 AS sha256, s.* FROM asymmetry s JOIN files f "
                             "ON f.activity_id = s.activity_id AND f.role = 'kept'"):
            d = dict(r)
            d.pop("id", None)
            d.pop("activity_id")
            stored[(d["sha256"], d["metric"], d["source"])] = d
        lake_rows = summary_keyed(path)
        assert stored.keys() == lake_rows.keys()
        assert len(stored) >= N_RUNS
        for k, s in stored.items():
            lr = {("source" if c == "source_channel" else c): v
                  for c, v in lake_rows[k].items()}
            assert {c: lr[c] for c in s} == s, k
        # the documents too, file name included
        ldocs = docs(path)
        for aid, sha in con.execute("SELECT activity_id, sha256 FROM files WHERE role='kept'"):
            assert ldocs[sha]["doc"] == store.analysis_doc(aid)
        con.close()


def test_history_is_the_stores_build_history(corpus, lake, tmp_path):
    from evenstride.batch._history import athlete_history
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    path, _ = lake
    hist = histories(path)
    assert len(hist) == N_ATHLETES and all("history" in h for h in hist.values())
    athlete = corpus.athletes[3].athlete_id
    with open_store(tmp_path / "h.sqlite") as store:
        import_paths(corpus.files[athlete], store, athlete=athlete, jobs=1)
        ath = store.athlete(athlete)
        con = sqlite3.connect(tmp_path / "h.sqlite")
        sha = dict(con.execute("SELECT activity_id, sha256 FROM files"))
        con.close()
        recs = [{"sha256": sha[row.id], "doc": doc}
                for row, doc in store.analysis_docs(ath.id)]
    assert hist[athlete]["n_runs"] == RUNS
    assert hist[athlete]["history"] == json.loads(json.dumps(athlete_history(recs)))
    m = hist[athlete]["history"]["metrics"]["contact_time/running_dynamics"]
    assert m["n_runs"] == RUNS


def test_second_run_writes_nothing(corpus, lake, dask_client):
    path, _ = lake
    before = snapshot(path)
    rep = run_batch([str(corpus.root)], str(path), client=dask_client, chunk_size=25)
    assert rep.analysed == 0 and rep.tasks == 0 and rep.history_buckets == 0
    assert rep.already_in_lake == N_RUNS + len(corpus.corrupt) - 1  # bad.fit.gz has no hash
    assert rep.failed == 0 and rep.exit_code == 0
    assert snapshot(path) == before


def test_interrupted_batch_resumes_from_the_manifest(corpus, lake, dask_client, tmp_path):
    path, _ = lake
    copy = tmp_path / "lake"
    shutil.copytree(path, copy)
    parts = sorted(p for p in (copy / "manifest").glob("part-*.parquet")
                   if not p.name.startswith("part-read-"))
    lost = parts[::3]  # these tasks wrote their data, then the batch died before the manifest
    import pyarrow.parquet as pq

    n_lost = sum(pq.read_table(p).num_rows for p in lost)
    for p in lost:
        p.unlink()
    (copy / "summary" / "bucket=000").mkdir(exist_ok=True)
    (copy / "summary" / "bucket=000" / "part-x.parquet.tmp-1234").write_bytes(b"half")
    rep = run_batch([str(corpus.root)], str(copy), client=dask_client, chunk_size=25)
    assert rep.removed_uncommitted_parts > len(lost)
    assert rep.analysed == n_lost and rep.already_in_lake + n_lost == rep.discovered - 1
    assert any("resumed" in m for m in rep.messages)
    assert summary_keyed(copy) == summary_keyed(path)
    assert docs(copy).keys() == docs(path).keys()
    assert sorted(e["source"] for e in parquet_rows(copy, "errors")) == sorted(
        e["source"] for e in parquet_rows(path, "errors"))
    assert not list(copy.rglob("*.tmp-*"))


def test_killed_worker_gives_the_same_lake(corpus, lake, dask_client, tmp_path):
    path, _ = lake
    pids = dask_client.run(os.getpid)  # worker address → pid
    killed: list[int] = []

    def kill_one(n_done: int) -> None:
        if n_done == 2 and not killed:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "lake"
    # half the athletes, through a glob: a0000 … a0049
    rep = run_batch([str(corpus.root / "a00[0-4]?" / "run-*")], str(out), client=dask_client,
                    chunk_size=10, on_task_done=kill_one)
    dask_client.wait_for_workers(2, timeout=60)
    assert killed and killed[0] not in dask_client.run(os.getpid).values()
    n = 50 * RUNS
    assert rep.discovered == n and rep.failed_tasks == [] and rep.ok == n
    mine = summary_keyed(out)
    ref = {k: v for k, v in summary_keyed(path).items() if v["athlete_id"] < "a0050"}
    assert len({k[0] for k in mine}) == n
    assert mine == ref
    assert docs(out).keys() == {k[0] for k in ref}
    man = parquet_rows(out, "manifest")
    assert len(man) == len({m["key"] for m in man}) == n
    assert set(histories(out)) == {f"a{i:04d}" for i in range(50)}


def test_code_version_change_recomputes_and_says_so(corpus, dask_client, tmp_path):
    athlete = corpus.athletes[0].athlete_id
    out = tmp_path / "lake"
    first = run_batch([str(corpus.root / athlete)], str(out), client=dask_client)
    assert first.ok == RUNS
    meta = json.loads((out / "_lake.json").read_text())
    meta["code_version"] = "0.0.1+000000000000"  # as if built by older code
    (out / "_lake.json").write_text(json.dumps(meta))
    rep = run_batch([str(corpus.root / athlete)], str(out), client=dask_client)
    assert rep.superseded_version == "0.0.1+000000000000"
    assert rep.analysed == RUNS and rep.already_in_lake == 0
    assert any("code version changed" in m for m in rep.messages)
    assert (out / "superseded" / "0.0.1+000000000000" / "summary").is_dir()
    assert len(summary_keyed(out)) == len(summary_keyed(out / "superseded"
                                                       / "0.0.1+000000000000"))
