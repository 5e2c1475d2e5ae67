# SPDX-License-Identifier: MIT
"""Concurrent writers: two imports of copies of one run at the same moment store one run, the
later one says "already stored", and a truncated copy of a stored run is the same run (the
longer recording is kept). Real SQLite store, real processes (each with its own connection, as
web uploads and CLI imports have)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_helpers import SEASON_START

from evenstride.importer import DUPLICATE, NEW, STORED, import_paths
from evenstride.io._fit_writer import write_activity_fit
from evenstride.simulate import simulate_run
from evenstride.store import open_store

ROUNDS = 4


def _fit(i: int, **options) -> bytes:
    sim = simulate_run(duration_s=600.0, seed=100 + i, start_time=SEASON_START.replace(day=i + 1))
    buf = io.BytesIO()
    write_activity_fit(sim.activity, buf, **options)
    return buf.getvalue()


_CHILD = r"""
import json, os, sys, time
from evenstride.importer import import_paths
from evenstride.store import open_store
db, go, path = sys.argv[1:4]
with open_store(db) as st:
    while not os.path.exists(go):
        time.sleep(0.001)
    r = import_paths([path], st, athlete="ann", jobs=1)
print(json.dumps([i.to_dict() for i in r.items]))
"""


def _race(db: Path, files: list[Path]) -> list[dict]:
    """Import each file in its own process and connection, all released at the same moment;
    the first item of each import."""
    with open_store(db) as st:  # schema and athlete exist before the race
        st.athlete("ann")
    go = db.with_name("go")
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(go), str(f)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    time.sleep(1.0)  # let them start (a late one still races: it waits for no one)
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout)[0])
    go.unlink()
    return out


def _stored(db: Path) -> list:
    with open_store(db) as st:
        return st.activities(st.athlete("ann").id)


@pytest.mark.parametrize("i", range(ROUNDS))
def test_two_exports_of_one_run_at_once_store_one_run(tmp_path, i):
    """Same run, different bytes (little- and big-endian FIT): one run, the other a duplicate."""
    a, b = tmp_path / "a.fit", tmp_path / "b.fit"
    a.write_bytes(_fit(i))
    b.write_bytes(_fit(i, big_endian=True))
    assert a.read_bytes() != b.read_bytes()
    reports = _race(tmp_path / "s.db", [a, b])
    acts = _stored(tmp_path / "s.db")
    assert len(acts) == 1
    statuses = sorted(r["status"] for r in reports)
    assert statuses == sorted([NEW, DUPLICATE])
    assert {r["activity_id"] for r in reports} == {acts[0].id}


@pytest.mark.parametrize("i", range(ROUNDS))
def test_two_copies_of_one_file_at_once_the_second_is_already_stored(tmp_path, i):
    data = _fit(i)
    a, b = tmp_path / "a.fit", tmp_path / "copy of a.fit"
    a.write_bytes(data)
    b.write_bytes(data)
    reports = _race(tmp_path / "s.db", [a, b])
    assert len(_stored(tmp_path / "s.db")) == 1
    assert sorted(r["status"] for r in reports) == sorted([NEW, STORED])
    later = next(r for r in reports if r["status"] == STORED)
    assert later["reason"] is None  # not "same activity as …" (another export)


def _full_and_cut(tmp_path: Path, i: int, kept_share: float = 0.6) -> tuple[Path, Path]:
    data = _fit(i)
    full, cut = tmp_path / "full.fit", tmp_path / "cut.fit"
    full.write_bytes(data)
    cut.write_bytes(data[: int(len(data) * kept_share)])  # the same file, cut short
    return full, cut


@pytest.mark.parametrize("kept_share", [0.6, 0.995])  # 0.995: within the 2 % duration match
@pytest.mark.parametrize("cut_first", [True, False])
def test_a_truncated_copy_is_the_same_run_and_the_longer_is_kept(tmp_path, cut_first,
                                                                  kept_share):
    full, cut = _full_and_cut(tmp_path, 0, kept_share)
    db = tmp_path / "s.db"
    order = [cut, full] if cut_first else [full, cut]
    with open_store(db) as st:
        first = import_paths([order[0]], st, athlete="ann", jobs=1).items[0]
        second = import_paths([order[1]], st, athlete="ann", jobs=1).items[0]
        acts = st.activities(st.athlete("ann").id)
        assert len(acts) == 1
        kept = acts[0]
        assert kept.source_name == str(full)
        assert first.status == NEW
        if cut_first:
            assert second.status == NEW
            assert "truncated copy" in (second.reason or "")
        else:
            assert second.status == DUPLICATE
        # nothing the user stored is lost: both files are known and point to the kept run
        assert {f["source_name"]: f["role"] for f in st.files(kept.id)} == {
            str(full): "kept", str(cut): "duplicate"}
        # the kept samples are the full recording's
        n_full = len(next(iter(st.samples(kept.id).values())))
    with open_store(tmp_path / "only_full.db") as st2:
        import_paths([full], st2, athlete="ann", jobs=1)
        only = st2.activities(st2.athlete("ann").id)[0]
        assert n_full == len(next(iter(st2.samples(only.id).values())))
        assert kept.duration_s == only.duration_s


def test_a_truncated_copy_imported_at_the_same_moment_keeps_the_full_run(tmp_path):
    full, cut = _full_and_cut(tmp_path, 1)
    _race(tmp_path / "s.db", [cut, full])
    acts = _stored(tmp_path / "s.db")
    assert len(acts) == 1
    assert acts[0].source_name == str(full)


def test_another_run_starting_at_the_same_second_is_not_a_truncated_copy(tmp_path):
    """Same start and devices but different samples (another seed): two runs."""
    a, b = tmp_path / "a.fit", tmp_path / "b.fit"
    a.write_bytes(_fit(2))
    sim = simulate_run(duration_s=700.0, seed=999, start_time=SEASON_START.replace(day=3))
    buf = io.BytesIO()
    write_activity_fit(sim.activity, buf)
    b.write_bytes(buf.getvalue())
    with open_store(tmp_path / "s.db") as st:
        import_paths([a], st, athlete="ann", jobs=1)
        import_paths([b], st, athlete="ann", jobs=1)
        assert len(st.activities(st.athlete("ann").id)) == 2
