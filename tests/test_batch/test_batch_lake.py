# SPDX-License-Identifier: MIT
"""The batch on a 2-worker LocalCluster over a generated corpus (conftest.py): the lake's rows
equal the single-machine import's, a rerun writes nothing, an interrupted batch resumes, a
killed worker changes nothing, a code change recomputes, corrupt files are error rows, the
history stage is the store's build_history, and the cohort percentiles (DuckDB over the lake)
recover the simulator's planted population.

One file on purpose: with ``pytest -n 2 --dist loadfile`` the session's corpus, cluster and
reference lake are built once, on one xdist worker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from evenstride.batch import run_batch
from evenstride.batch.corpus import BALANCE_SD, MEAN_BY_SEX

from .lakeio import N_ATHLETES, RUNS, docs, histories, parquet_rows, snapshot, summary_keyed

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

    n_lost = sum(pq.read_table(p, partitioning=None).num_rows for p in lost)
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
    # through fsspec URLs this time, input and lake, and connecting by scheduler address
    first = run_batch([f"file://{corpus.root / athlete}"], f"file://{out}",
                      scheduler=dask_client.scheduler.address)
    assert first.ok == RUNS
    assert {r["source"] for r in parquet_rows(out, "summary")} == {
        f"file://{p}" for p in corpus.files[athlete]}
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


# --- cohort -------------------------------------------------------------------------------
def _row(table, **strata):
    want = {"metric": "contact_time", "source": "running_dynamics", "value": "balance_left_pct",
            "speed_band": "all", "sex": "all", "age_band": "all", "device": "all", **strata}
    hits = [r for r in table["rows"] if all(r[k] == v for k, v in want.items())]
    assert len(hits) == 1, (want, len(hits))
    return hits[0]


def test_cohort_percentiles_recover_the_planted_population(corpus, lake):
    pytest.importorskip("duckdb")
    from evenstride.batch import build_cohort

    path, _ = lake
    table = build_cohort(str(path), athletes=str(corpus.athletes_csv))
    assert table["schema"] == "evenstride.cohort/1" and table["version"] == "v1"
    planted = {a.athlete_id: a for a in corpus.athletes}
    for sex in ("F", "M"):
        r = _row(table, sex=sex)
        truth = np.array([a.balance_left_pct for a in planted.values() if a.sex == sex])
        # athletes with a judged run (a 15-min run is occasionally "insufficient data")
        assert 0.85 * len(truth) <= r["n_athletes"] <= len(truth)
        # against the planted values of these athletes: only measurement noise (~0.1 pct-pt
        # per athlete) and the few athletes left out separate them
        for q, col in ((10, "p10"), (50, "p50"), (90, "p90")):
            assert abs(r[col] - np.percentile(truth, q)) < 0.25, (sex, col)
        # against the population law N(mean, sd): within 3 standard errors of a median
        se = 1.2533 * BALANCE_SD / np.sqrt(r["n_athletes"])
        assert abs(r["p50"] - MEAN_BY_SEX[sex]) < 3 * se + 0.1
    f, m = _row(table, sex="F"), _row(table, sex="M")
    assert m["p50"] - f["p50"] > 0.3  # planted difference 0.6
    # speed bands partition the athletes' runs; every band row names its n
    bands = [r for r in table["rows"] if r["value"] == "balance_left_pct"
             and r["speed_band"] != "all" and r["sex"] == "all" and r["device"] == "all"
             and r["age_band"] == "all"]
    assert {b["speed_band"] for b in bands} <= {"<2.5", "2.5-3.0", "3.0-3.5", "3.5-4.0",
                                                 ">=4.0"}
    assert len(bands) >= 3
    # a rerun on the unchanged lake writes no new version
    again = build_cohort(str(path), athletes=str(corpus.athletes_csv))
    assert again["version"] == "v1"
    assert sorted(p.name for p in (path / "cohort").iterdir()) == [
        "cohort-v0001.json", "cohort-v0001.parquet"]


def test_cohort_band_grades_a_run(corpus, lake):
    from evenstride.assessment import judge_asymmetry
    from evenstride.assessment.cohort import CohortTable
    from evenstride.batch import build_cohort
    from evenstride.pipeline import analyze
    from evenstride.simulate import simulate_run

    path, _ = lake
    build_cohort(str(path), athletes=str(corpus.athletes_csv))
    t = CohortTable.load(path / "cohort" / "cohort-v0001.json")
    band = t.band("contact_time", "running_dynamics", sex="F")
    raw = json.loads((path / "cohort" / "cohort-v0001.json").read_text())
    row = next(r for r in raw["rows"] if r["value"] == "abs_index" and r["sex"] == "F"
               and r["speed_band"] == "all" and r["age_band"] == "all"
               and r["device"] == "all" and r["metric"] == "contact_time")
    assert band is not None
    assert band.typical_max == row["p90"] and band.marked_min == row["p95"]
    assert band.evidence.grade == "U"
    assert band.evidence.sources[0].startswith(
        f"evenstride cohort v1, n={row['n_athletes']} athletes")
    # too few athletes in a stratum: the next coarser one
    assert t.lookup("contact_time", "running_dynamics", sex="F",
                    min_athletes=10**6) is None
    # a run far outside the cohort is "marked" against it
    res = analyze(simulate_run(duration_s=1200, seed=5, balance_left_pct=53.5,
                               drift_pct_per_h=0.0, hills=False, stops=0).activity)
    j = next(j for j in res.assessment.judgements
             if j.result.metric == "contact_time" and j.result.source == "running_dynamics")
    mine = judge_asymmetry(j.result, bands={"contact_time": band})
    assert mine.band is band and mine.cls == "marked"
    assert mine.evidence.sources[0] == band.evidence.sources[0]
