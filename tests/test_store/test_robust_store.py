# SPDX-License-Identifier: MIT
"""A store that survives one bad run (issue 14): a corrupt document or recording is skipped and
named, 'evenstride doctor' finds and repairs it, a foreign SQLite file or a folder is refused in
one line, and a read-only store can still be read. Through the real CLI on real stores."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evenstride.cli import main
from evenstride.simulate import write_simulated_fit
from evenstride.store import open_store
from evenstride.store.history_cache import HISTORY_CACHE

N_RUNS = 4


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("runs")
    t0 = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    for i in range(N_RUNS):
        write_simulated_fit(d / f"run{i}.fit", duration_s=900, seed=200 + i,
                            start_time=t0 + timedelta(days=2 * i))
    return d


@pytest.fixture(scope="module")
def good_db(runs, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "good.sqlite"
    assert main(["import", str(runs), "--db", str(db), "--athlete", "ann", "--no-progress",
                 "--jobs", "1"]) == 0
    return db


@pytest.fixture
def db(good_db, tmp_path, capsys) -> Path:
    capsys.readouterr()
    out = tmp_path / "s.sqlite"
    shutil.copy(good_db, out)
    return out


def _sql(db: Path, stmt: str, args: tuple = ()) -> None:
    c = sqlite3.connect(db)
    c.execute(stmt, args)
    c.commit()
    c.close()


def _victim(db: Path) -> tuple[int, str]:
    with open_store(db, readonly=True) as st:
        row = st.activities(st.athlete("ann", create=False).id)[1]
        return row.id, row.source_name


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0] and "internal error" not in lines[0]
    return lines[0]


# --- one corrupt run -------------------------------------------------------------------------


def test_corrupt_document_stays_in_history_and_is_named_where_read(db, tmp_path, capsys):
    aid, src = _victim(db)
    _sql(db, "UPDATE activity_blobs SET doc = x'00ff00' WHERE activity_id = ?", (aid,))
    base = ["--db", str(db), "--athlete", "ann"]
    # the history is built from each run's summary row (activities.history_doc), which is
    # intact: the run stays in it, and nothing is said
    assert main(["history", *base, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["runs"]["n"] == N_RUNS and err == ""
    # pages that need the document itself name it, one line, and go on with the others
    assert main(["report", *base, "--html", str(tmp_path / "h.html"), "--runs"]) == 0
    _, err = capsys.readouterr()
    assert f"activity {aid}" in _one_line(err)
    assert len(list((tmp_path / "h-runs").glob("run-*.html"))) == N_RUNS - 1
    assert main(["assessment", *base, "--json"]) == 0
    out, err = capsys.readouterr()
    line = _one_line(err)
    assert json.loads(out)["n_runs"] == N_RUNS - 1 and f"activity {aid}" in line
    assert "stored document cannot be decoded" in line and src in line
    # the summary row lost as well: the history is read from the document, which fails too,
    # and the run is skipped and named
    _sql(db, "UPDATE activities SET history_doc = '{not json' WHERE id = ?", (aid,))
    HISTORY_CACHE.clear()  # a hand edit of the store: each command is a new process
    assert main(["history", *base, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["runs"]["n"] == N_RUNS - 1
    line = _one_line(err)
    assert f"activity {aid}: stored document cannot be decoded" in line and src in line
    assert "evenstride doctor" in line


def test_lost_summary_row_is_read_from_the_document(db, capsys) -> None:
    aid, _src = _victim(db)
    base = ["--db", str(db), "--athlete", "ann", "--json"]
    assert main(["history", *base]) == 0
    before = capsys.readouterr().out
    _sql(db, "UPDATE activities SET history_doc = NULL WHERE id = ?", (aid,))
    HISTORY_CACHE.clear()  # a hand edit of the store: each command is a new process
    assert main(["history", *base]) == 0
    out, err = capsys.readouterr()
    assert out == before and err == ""


def test_corrupt_recording_skips_only_its_run_report(db, tmp_path, capsys) -> None:
    aid, _src = _victim(db)
    _sql(db, "UPDATE activity_blobs SET samples = x'4553423100ff' WHERE activity_id = ?", (aid,))
    assert main(["report", "--db", str(db), "--athlete", "ann", "--html",
                 str(tmp_path / "h.html"), "--runs"]) == 0
    _, err = capsys.readouterr()
    assert f"activity {aid}: stored recording cannot be decoded" in _one_line(err)
    pages = sorted(p.name for p in (tmp_path / "h-runs").glob("run-*.html"))
    assert len(pages) == N_RUNS - 1 and f"run-{aid}.html" not in pages


# --- evenstride doctor -------------------------------------------------------------------------


def test_doctor_on_a_healthy_store(db, capsys) -> None:
    assert main(["doctor", "--db", str(db)]) == 0
    assert f"store OK ({N_RUNS} activities checked)" in capsys.readouterr().out


def test_doctor_rederives_a_lost_document(db, capsys) -> None:
    aid, src = _victim(db)
    with open_store(db, readonly=True) as st:
        original = st.analysis_doc(aid)
    _sql(db, "UPDATE activity_blobs SET doc = x'00ff00' WHERE activity_id = ?", (aid,))
    assert main(["doctor", "--db", str(db), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    (p,) = doc["problems"]
    assert p["kind"] == "document" and p["activity_id"] == aid and p["source_name"] == src
    assert p["repair"].startswith("re-derive")
    assert main(["doctor", "--db", str(db), "--repair"]) == 0
    out = capsys.readouterr().out
    assert f"repaired: activity {aid}: document re-derived" in out and "store OK" in out
    with open_store(db, readonly=True) as st:
        again = st.analysis_doc(aid)
    assert "re-derived by 'evenstride doctor --repair'" in again["warnings"][-1]
    for d in (original, again):
        d.pop("warnings"), d.pop("file")
    assert again == original  # the same analysis of the same recording
    assert main(["history", "--db", str(db), "--athlete", "ann", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["runs"]["n"] == N_RUNS and err == ""


def test_doctor_quarantines_a_lost_recording_and_reimport_restores_it(db, runs, capsys) -> None:
    aid, src = _victim(db)
    _sql(db, "UPDATE activity_blobs SET samples = x'00' WHERE activity_id = ?", (aid,))
    _sql(db, "INSERT INTO session_rpe (activity_id, rpe, note, entered_at) "
             "VALUES (?, 6, 'hilly', '2025-03-05')", (aid,))
    assert main(["doctor", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"activity {aid} (file {src}): stored recording cannot be decoded" in err
    assert main(["doctor", "--db", str(db), "--repair"]) == 0
    out = capsys.readouterr().out
    assert f"re-import {src}" in out
    (qfile,) = (db.parent / (db.name + ".quarantine")).glob(f"activity-{aid}-*.json")
    q = json.loads(qfile.read_text())
    assert q["schema"] == "evenstride.quarantine/1" and q["source_name"] == src
    assert q["tables"]["activities"][0]["id"] == aid
    assert q["tables"]["session_rpe"][0]["note"] == "hilly"  # what the athlete entered is kept
    assert q["tables"]["activity_blobs"][0]["samples"] == {"base64": "AA=="}
    assert len(q["tables"]["files"]) == 1
    assert main(["history", "--db", str(db), "--athlete", "ann", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"]["n"] == N_RUNS - 1
    assert main(["import", str(runs), "--db", str(db), "--athlete", "ann", "--json",
                 "--jobs", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["new"] == 1
    assert main(["doctor", "--db", str(db)]) == 0


def test_doctor_quarantines_orphan_rows(db, capsys) -> None:
    aid, _ = _victim(db)
    c = sqlite3.connect(db)  # foreign keys off: the blob, files and rows stay behind
    c.execute("DELETE FROM activities WHERE id = ?", (aid,))
    c.commit()
    n_left = sum(c.execute(f"SELECT COUNT(*) FROM {t} WHERE activity_id = ?", (aid,)).fetchone()[0]
                 for t in ("activity_blobs", "files", "asymmetry", "drift"))
    c.close()
    assert n_left >= 3
    assert main(["doctor", "--db", str(db)]) == 2
    assert f"{n_left} rows point to no activity" in capsys.readouterr().err
    assert main(["doctor", "--db", str(db), "--repair"]) == 0
    assert f"repaired: {n_left} orphan rows moved to" in capsys.readouterr().out
    (qfile,) = (db.parent / (db.name + ".quarantine")).glob("orphans-*.json")
    q = json.loads(qfile.read_text())
    assert sum(len(v) for v in q["tables"].values()) == n_left


# --- what --db points at -------------------------------------------------------------------------


def test_foreign_sqlite_file_is_refused_and_left_alone(runs, tmp_path, capsys) -> None:
    other = tmp_path / "contacts.sqlite"
    _sql(other, "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    before = other.read_bytes()
    for argv in (["import", str(runs / "run0.fit")], ["history"], ["doctor"],
                 ["activities"]):
        assert main([*argv, "--db", str(other)]) == 2
        line = _one_line(capsys.readouterr().err)
        assert str(other) in line and "another program (tables contacts)" in line
    assert other.read_bytes() == before


def test_store_path_that_is_a_folder_is_named(runs, tmp_path, capsys) -> None:
    for argv in (["import", str(runs / "run0.fit")], ["history"], ["doctor"], ["rpe", "1", "5"]):
        assert main([*argv, "--db", str(tmp_path)]) == 2
        line = _one_line(capsys.readouterr().err)
        assert line.startswith(f"evenstride: {tmp_path}: is a folder"), line


# --- a read-only store -----------------------------------------------------------------------

NOBODY = 65534


def _as_nobody(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable,
         "-m", "evenstride", *argv],
        capture_output=True, text=True, timeout=300, cwd="/tmp",
        env={**os.environ, "HOME": "/tmp"},
    )


def _why_no_unprivileged_run() -> str | None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "needs root and setpriv to run as an unprivileged user (root ignores file modes)"
    probe = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable,
         "-c", "import evenstride"], capture_output=True, text=True, timeout=60, cwd="/tmp")
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"uid {NOBODY} cannot import evenstride from this checkout: {last}"
    return None


@pytest.mark.parametrize("how", ["file 0444", "folder 0555"])
def test_read_only_store_can_be_read(good_db, how) -> None:
    reason = _why_no_unprivileged_run()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="evenstride-ro-"))
    try:
        db = folder / "store.sqlite"
        shutil.copy(good_db, db)
        if how == "file 0444":
            db.chmod(0o444)
            folder.chmod(0o755)
        else:
            os.chown(db, NOBODY, NOBODY)  # the file is the user's, the folder is not writable
            folder.chmod(0o555)
        p = _as_nobody("history", "--db", str(db), "--athlete", "ann", "--json")
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["runs"]["n"] == N_RUNS
        p = _as_nobody("doctor", "--db", str(db))
        assert p.returncode == 0 and "store OK" in p.stdout, p.stderr
        p = _as_nobody("rpe", "1", "5", "--db", str(db), "--athlete", "ann")
        assert p.returncode == 2
        assert "the store file or its folder is read-only" in _one_line(p.stderr)
        assert sorted(x.name for x in folder.iterdir()) == ["store.sqlite"]  # nothing written
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_doctor_rewrites_a_lost_or_stale_summary_row(db, capsys) -> None:
    aid, src = _victim(db)
    base = ["--db", str(db), "--athlete", "ann", "--json"]
    assert main(["history", *base]) == 0
    before = capsys.readouterr().out
    with open_store(db, readonly=True) as st:
        other = st.activities(st.athlete("ann", create=False).id)[0].id
    _sql(db, "UPDATE activities SET history_doc = NULL WHERE id = ?", (aid,))
    _sql(db, "UPDATE activities SET history_doc = '{\"start_time\": \"2020-01-01\"}' "
             "WHERE id = ?", (other,))
    assert main(["doctor", "--db", str(db), "--json"]) == 2
    probs = json.loads(capsys.readouterr().out)["problems"]
    assert sorted((p["kind"], p["activity_id"]) for p in probs) == sorted(
        [("summary", aid), ("summary", other)])
    assert all(p["repair"].startswith("write the history summary row") for p in probs)
    assert any("is missing" in p["message"] and src in p["message"] for p in probs)
    assert main(["doctor", "--db", str(db), "--repair"]) == 0
    out = capsys.readouterr().out
    assert f"activity {aid}: history summary row written again" in out and "store OK" in out
    HISTORY_CACHE.clear()
    assert main(["history", *base]) == 0
    assert capsys.readouterr().out == before
