# SPDX-License-Identifier: MIT
"""The unit of work without a cluster, and the command line's bad input."""

from __future__ import annotations

import gzip

import pytest

from evenstride.batch import analyse_unit, bucket_of
from evenstride.simulate import write_simulated_fit

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def fit_bytes(tmp_path_factory):
    p = write_simulated_fit(tmp_path_factory.mktemp("u") / "run.fit", duration_s=900, seed=11,
                            drift_pct_per_h=0.0, hills=False, stops=0)
    return p.read_bytes()


def test_unit_is_pure_and_keyed_by_content(fit_bytes):
    from evenstride.importer import analyse_file
    from evenstride.store import asymmetry_table_rows

    a = analyse_unit(fit_bytes, "x/run.fit", "ann", 64)
    b = analyse_unit(gzip.compress(fit_bytes), "x/run.fit", "ann", 64)
    assert a.status == "ok" and a.sha256 == b.sha256 and a.doc == b.doc and a.rows == b.rows
    # the import path's document and the store's rows, plus the run columns
    ref = analyse_file(fit_bytes, "x/run.fit")
    assert a.doc == ref.doc and a.load == ref.load
    store_rows = asymmetry_table_rows(ref.doc)
    assert len(a.rows) == len(store_rows) >= 1
    for mine, theirs in zip(a.rows, store_rows, strict=True):
        assert mine["source_channel"] == theirs["source"]
        assert all(mine[k] == v for k, v in theirs.items() if k != "source")
        assert mine["athlete_id"] == "ann" and mine["bucket"] == bucket_of("ann", 64)
        assert mine["source"] == "x/run.fit" and mine["sha256"] == a.sha256


@pytest.mark.parametrize(("data", "status"), [
    (b"", "failed"), (b"\x1f\x8b\x08\x00garbage", "failed"), (b"hello", "failed")])
def test_unreadable_bytes_give_a_one_line_reason(data, status):
    u = analyse_unit(data, "bad.fit", "ann", 64)
    assert u.status == status and u.reason and "\n" not in u.reason and not u.rows


def test_bucket_is_stable_and_spread():
    assert bucket_of("ann", 64) == bucket_of("ann", 64)
    assert len({bucket_of(f"a{i}", 16) for i in range(400)}) == 16


@pytest.mark.parametrize("argv", [
    ["batch", "/no/such/folder", "--out", "{tmp}/lake"],
    ["batch", "{tmp}/nothing-*.fit", "--out", "{tmp}/lake"],
    ["batch", "{tmp}", "--out", "{tmp}/lake", "--memory-limit", "lots"],
    ["batch", "{tmp}", "--out", "{tmp}/lake", "--chunk-size", "0"],
    ["batch", "{tmp}", "--out", "{tmp}/lake", "--athletes", "{tmp}/none.csv"],
    ["batch", "{tmp}", "--out", "{tmp}"],
])
def test_bad_input_is_one_line_exit_2(argv, tmp_path, capsys):
    from evenstride.cli import main

    (tmp_path / "x.txt").write_text("not a lake\n")
    try:
        code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    except SystemExit as exc:  # argparse's own exit on a bad option value
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("evenstride: ") and "\n" not in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_batch_end_to_end(tmp_path):
    """``evenstride batch`` in a subprocess: its own LocalCluster (1 worker), --json, exit 2
    while files are unreadable, exit 0 and nothing analysed on the rerun."""
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("distributed")
    pytest.importorskip("duckdb")
    from evenstride.batch.corpus import write_corpus

    truth = write_corpus(tmp_path / "c", n_athletes=2, runs_per_athlete=2)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, "-m", "evenstride", "batch", str(tmp_path / "c"), "--out",
           str(tmp_path / "lake"), "--workers", "1", "--memory-limit", "1GiB", "--json",
           "--cohort", "--athletes", str(truth.athletes_csv)]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 2, first.stderr  # the corrupt files
    rep = json.loads(first.stdout)
    assert rep["ok"] == 4 and rep["failed"] + rep["skipped"] == len(truth.corrupt)
    assert rep["workers"] == 1 and rep["cohort"]["version"] == "v1"
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    rep2 = json.loads(again.stdout)
    assert rep2["analysed"] == 0 and rep2["already_in_lake"] == rep["analysed"]
    text = subprocess.run([c for c in cmd if c != "--json"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert text.returncode == 0, text.stderr
    assert "0 copies of a run from another export set aside (see duplicates/)" in text.stdout


def test_duplicate_rule_replays_the_import_decisions():
    """The pure rule: a richer later copy replaces the kept one and earlier losers follow it;
    a copy outside the fingerprint tolerance (3 min later, or 3 % longer) is another run; a copy
    without a start time is never matched; equal richness keeps the first source."""
    from itertools import permutations

    from evenstride.batch._dedup import REASON_FIRST, Copy, resolve
    from evenstride.store import Fingerprint

    t = 1_700_000_000.0
    gpx = Copy("g", "a/run.gpx", "gpx", Fingerprint(t, 3600.0, 10_000.0), 1_005)
    tcx = Copy("t", "a/run.tcx", "tcx", Fingerprint(t + 30, 3620.0, 10_100.0), 2_008)
    fit = Copy("f", "a/run.fit", "fit", Fingerprint(t + 2, 3600.0, 10_050.0), 13_022)
    late = Copy("l", "a/late.fit", "fit", Fingerprint(t + 180, 3600.0, 10_000.0), 13_022)
    longer = Copy("x", "a/x.fit", "fit", Fingerprint(t, 3708.0, 10_000.0), 13_022)
    nostart = Copy("n", "a/n.fit", "fit", None, 99_999)
    from dataclasses import replace

    for order in permutations([gpx, tcx, fit]):  # unequal richness: any order, same result
        named = [replace(c, source=f"a/{i}-{c.source[2:]}") for i, c in enumerate(order)]
        got = resolve([*named, late, longer, nostart])
        assert {(r["dropped_sha256"], r["kept_sha256"]) for r in got} == {("g", "f"),
                                                                        ("t", "f")}
        assert {r["kept_format"] for r in got} == {"fit"}
    twin = Copy("f2", "a/run-copy.fit", "fit", Fingerprint(t, 3600.0, 10_050.0), 13_022)
    (r,) = resolve([fit, twin])
    assert (r["kept_source"], r["dropped_source"], r["reason"]) == ("a/run-copy.fit",
                                                                    "a/run.fit", REASON_FIRST)
