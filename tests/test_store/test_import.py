# SPDX-License-Identifier: MIT
"""Importing files and folders: real recordings, idempotence, the same run in two formats, the
command line, and crash safety (SIGKILL mid-import, then resume) with a concurrent reader."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from store_helpers import write_sims

from evenstride.cli.inputs import main as cli_main
from evenstride.exceptions import EvenstrideWarning
from evenstride.importer import DUPLICATE, FAILED, NEW, SKIPPED, STORED, import_paths
from evenstride.pipeline import analyze
from evenstride.store import StoreError, open_store


def _fresh(path: Path) -> dict:
    """``analyze(path).to_dict()`` as it reads back from JSON (tuples become lists)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return json.loads(json.dumps(analyze(str(path)).to_dict()))



@pytest.fixture(scope="module")
def sim_folder(tmp_path_factory) -> Path:
    """Six short simulated runs (12 min) on different days."""
    d = tmp_path_factory.mktemp("sims")
    write_sims(d, range(6))
    return d

# --- real files -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_files_import(shared_data, tmp_path):
    n_files = sum(
        1 for p in shared_data.rglob("*") if p.suffix.lower() in (".fit", ".tcx", ".gpx")
    )
    with open_store(tmp_path / "s.sqlite") as st:
        rep = import_paths([shared_data], st, jobs=2)
        c = rep.counts()
        assert sum(c.values()) == n_files and c[FAILED] == 0, rep.failed
        # two walking files are skipped; the TCX/GPX copies of two FIT runs are duplicates
        assert c[SKIPPED] == 2 and c[DUPLICATE] == 3
        me = st.athlete("default")
        rows = st.activities(me.id)
        assert len(rows) == c[NEW]
        assert st.integrity_problems() == []
        by_src = {r.source_name: r for r in rows}
        for rel in (
            "sports-lib/run_6916663933_coros.fit",  # COROS with GCT balance
            "sports-lib/tri_6788312639-1_fr945.fit",  # the run leg of a triathlon
            "runpandas/11km.tcx",
        ):
            path = shared_data / rel
            row = by_src[str(path.absolute())]
            doc = st.analysis_doc(row.id)
            assert doc == _fresh(path.absolute())
            assert row.start_time.isoformat() == doc["start_time"]
            assert (row.duration_s, row.distance_m, row.file_format) == (
                doc["duration_s"], doc["distance_m"], doc["file_format"])
            assert len(st.asymmetry_rows(me.id)) >= row.n_asymmetry == len(doc["asymmetry"])
            assert len(st.samples(row.id)["time_s"]) == doc["quality"]["n_samples"]
        coros = by_src[str((shared_data / "sports-lib/run_6916663933_coros.fit").absolute())]
        rd = [a for a in st.asymmetry_rows(me.id, "contact_time", "running_dynamics")
              if a.activity_id == coros.id]
        assert len(rd) == 1 and rd[0].balance_left_pct == pytest.approx(49.2, abs=0.1)
        # everything again: nothing decoded twice, nothing stored twice
        again = import_paths([shared_data], st, jobs=2)
        assert again.counts() == {NEW: 0, STORED: n_files - 2, DUPLICATE: 0, SKIPPED: 2,
                                  FAILED: 0}
        assert len(st.activities(me.id)) == len(rows)


@pytest.mark.shared_data
@pytest.mark.parametrize("gpx_first", [True, False])
def test_gpx_and_fit_of_the_same_run_keep_the_fit(shared_data, tmp_path, gpx_first):
    gpx = shared_data / "sports-lib" / "run_6782987395.gpx"
    fit = shared_data / "sports-lib" / "run_6782987395_fr945_stryd.fit"
    order = [gpx, fit] if gpx_first else [fit, gpx]
    with open_store(tmp_path / "s.sqlite") as st:
        first = import_paths([order[0]], st, jobs=1)
        second = import_paths([order[1]], st, jobs=1)
        assert first.counts()[NEW] == 1
        me = st.athlete("default")
        rows = st.activities(me.id)
        assert len(rows) == 1 and rows[0].file_format == "fit"
        assert rows[0].source_name == str(fit.absolute())
        files = {f["source_name"]: f["role"] for f in st.files(rows[0].id)}
        assert files == {str(fit.absolute()): "kept", str(gpx.absolute()): "duplicate"}
        if gpx_first:
            assert second.items[0].status == NEW and "replaces the poorer copy" in (
                second.items[0].reason)
        else:
            assert second.items[0].status == DUPLICATE
        # and both again: known by hash, not decoded
        assert import_paths([gpx, fit], st, jobs=1).counts()[STORED] == 2
        assert st.integrity_problems() == []


# --- idempotence ------------------------------------------------------------------------------


def test_same_file_and_same_folder_twice(sim_folder, tmp_path, capsys):
    db = str(tmp_path / "s.sqlite")
    one = sim_folder / "sim_000.fit"
    assert cli_main(["import", str(one), str(one), "--db", db, "--json", "-j", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "evenstride.import/1"
    assert out["counts"][NEW] == 1 and out["counts"][STORED] == 1

    assert cli_main(["import", str(sim_folder), "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    n = len(list(sim_folder.glob("*.fit")))
    assert out["counts"] == {NEW: n - 1, STORED: 1, DUPLICATE: 0, SKIPPED: 0, FAILED: 0}

    assert cli_main(["import", str(sim_folder), "--db", db]) == 0
    text = capsys.readouterr().out
    assert re.search(rf"already stored\s+│\s+{n}\s+│", text), text
    with open_store(db, readonly=True) as st:
        assert len(st.activities(st.athlete("default", create=False).id)) == n


def test_import_from_a_threaded_process(sim_folder, tmp_path):
    """With another thread alive (a web app), workers start from a clean forkserver process."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with open_store(tmp_path / "s.sqlite") as st:
            rep = import_paths([sim_folder], st, jobs=2)
    finally:
        stop.set()
        thread.join()
    assert rep.workers == 2 and rep.counts()[NEW] == len(list(sim_folder.glob("*.fit")))


def test_athletes_are_separate_histories(sim_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EVENSTRIDE_DB", str(tmp_path / "env.sqlite"))
    one = str(sim_folder / "sim_001.fit")
    assert cli_main(["import", one, "--athlete", "ann", "--json"]) == 0
    assert cli_main(["import", one, "--athlete", "bob", "--json"]) == 0
    outs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["counts"][NEW] for o in outs] == [1, 1]
    with open_store(tmp_path / "env.sqlite") as st:
        assert [a.name for a in st.list_athletes()] == ["ann", "bob"]


def test_bad_files_do_not_stop_the_batch(sim_folder, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.fit").write_bytes(b"")
    (bad / "junk.gpx").write_text("hello")
    (bad / "noise.fit").write_bytes(os.urandom(3000))
    db = str(tmp_path / "s.sqlite")
    rc = cli_main(["import", str(bad), str(sim_folder / "sim_002.fit"), str(tmp_path / "nope"),
                   "--db", db, "--json"])
    assert rc == 2
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    assert out["counts"][NEW] == 1 and out["counts"][FAILED] == 4
    err = cap.err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("evenstride: /") for line in err)
    assert any("empty.fit: file is empty" in line for line in err)
    assert any("no such file or folder" in line for line in err)


def test_store_errors_are_one_line_exit_2(tmp_path, sim_folder, capsys):
    bad_db = tmp_path / "not-a-db.sqlite"
    bad_db.write_bytes(b"x" * 5000)
    assert cli_main(["import", str(sim_folder / "sim_000.fit"), "--db", str(bad_db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not an evenstride store" in err[0]
    with pytest.raises(StoreError):
        open_store(bad_db)


# --- crash safety and a concurrent reader -----------------------------------------------------

_IMPORT = (
    "import sys; from evenstride.cli.inputs import main; "
    "sys.exit(main(['import', sys.argv[1], '--db', sys.argv[2], '--jobs', '2', "
    "'--no-progress', '--json']))"
)


def _summary(st) -> dict:
    me = st.athlete("default", create=False)
    out = {}
    for r in st.activities(me.id):
        asym = [(a.metric, a.source, a.balance_left_pct, a.ci95, a.class_)
                for a in st.asymmetry_rows(me.id) if a.activity_id == r.id]
        out[r.sha256] = (r.source_name, r.start_time, r.duration_s, r.distance_m,
                         r.n_samples, r.hr_mean_bpm, asym, st.analysis_doc(r.id))
    return out


@pytest.mark.slow
def test_killed_import_keeps_whole_activities_and_resumes(tmp_path):
    folder = tmp_path / "season"
    n = 150  # enough that the import is still running when the first commits are seen
    write_sims(folder, range(100, 100 + n), minutes=20)
    db = tmp_path / "s.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", _IMPORT, str(folder), str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    seen: list[int] = []
    reader = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if reader is None:
                try:
                    reader = open_store(db, readonly=True)
                    me = reader.athlete("default", create=False)
                except (StoreError, KeyError):
                    reader = None
                    time.sleep(0.05)
                    continue
            # a reader next to the writer: never blocked, always whole activities
            rows = reader.activities(me.id)
            if rows:
                doc = reader.analysis_doc(rows[-1].id)
                assert len(reader.samples(rows[-1].id)["time_s"]) == doc["quality"]["n_samples"]
            seen.append(len(rows))
            if len(rows) >= 5:
                break
            assert proc.poll() is None, "import finished before it could be killed"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        if reader is not None:
            reader.close()
    assert seen == sorted(seen) and seen[-1] >= 5

    with open_store(db) as st:
        assert st.integrity_problems() == []
        killed = _summary(st)
    assert 5 <= len(killed) < n

    rerun = subprocess.run([sys.executable, "-c", _IMPORT, str(folder), str(db)],
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    counts = json.loads(rerun.stdout)["counts"]
    assert counts[STORED] >= len(killed) and counts[NEW] + counts[STORED] == n

    clean_db = tmp_path / "clean.sqlite"
    with open_store(clean_db) as st:
        assert import_paths([folder], st, jobs=2).counts()[NEW] == n
        clean = _summary(st)
    with open_store(db) as st:
        resumed = _summary(st)
        assert st.integrity_problems() == []
    assert set(resumed) == set(clean)
    assert resumed == clean
