# SPDX-License-Identifier: MIT
"""``hrv import`` stores a recording once, whatever path or ``--when`` it is imported with."""

from __future__ import annotations

import argparse
import json
import shutil

import numpy as np

from evenstride.cli.inputs import add_athlete_input_parsers
from evenstride.store import open_store


def _run(argv: list[str], db) -> int:
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_athlete_input_parsers(sub)
    args = p.parse_args([*argv, "--db", str(db), "--athlete", "ann"])
    return int(args.func(args))


def _write_rr(path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rr_ms = 1000.0 + 30.0 * (-1.0) ** np.arange(150) + rng.normal(0.0, 5.0, 150)
    path.write_text("RR (ms)\n" + "\n".join(f"{x:.0f}" for x in rr_ms))


def test_same_file_with_another_time_or_path_is_stored_once(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    rec = tmp_path / "rest.csv"  # no time column, no date in the name: needs --when
    _write_rr(rec, seed=1)
    assert _run(["hrv", "import", str(rec), "--when", "2024-03-01T07:00", "--json"], db) == 0
    first = json.loads(capsys.readouterr().out)["imported"]
    assert [r["status"] for r in first] == ["new"]
    # the same file again: another --when, then a copy under a dated name
    assert _run(["hrv", "import", str(rec), "--when", "2024-03-02T07:00", "--json"], db) == 0
    again = json.loads(capsys.readouterr().out)["imported"]
    assert [r["status"] for r in again] == ["already stored"]
    copy = tmp_path / "2024-03-05 06-00-00.csv"
    shutil.copy(rec, copy)
    assert _run(["hrv", "import", str(copy)], db) == 0
    assert "already stored" in capsys.readouterr().out
    # another recording is new
    other = tmp_path / "2024-03-06 06-00-00.csv"
    _write_rr(other, seed=2)
    assert _run(["hrv", "import", str(other)], db) == 0
    assert "— new" in capsys.readouterr().out
    with open_store(db) as store:
        values = store.resting_hrv(store.athlete("ann").id)
    assert len(values) == 2
    assert [v.when.date().isoformat() for v in values] == ["2024-03-01", "2024-03-06"]
