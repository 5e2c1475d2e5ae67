# SPDX-License-Identifier: MIT
"""import → history → report through the real CLI on a temporary store."""

import json

import pytest

from evenstride.cli import main
from evenstride.simulate import write_simulated_fit


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    d = tmp_path_factory.mktemp("season")
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    for i in range(12):
        write_simulated_fit(d / f"run{i:02d}.fit", duration_s=1500 + 60 * (i % 4), seed=100 + i,
                            # SA 2.5 %: above the healthy-runner typical 2.3 % SA, so the
                            # plan targets it
                            balance_left_pct=52.0, drift_pct_per_h=0.0,
                            start_time=t0 + timedelta(days=2 * i))
    return d


def test_import_history_and_json(season, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert main(["import", str(season), "--db", str(db), "--athlete", "sam", "--no-progress"]) == 0
    capsys.readouterr()
    # idempotent: a second import stores nothing new
    assert main(["import", str(season), "--db", str(db), "--athlete", "sam", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["new"] == 0
    assert summary["counts"]["already stored"] == 12
    assert main(["history", "--db", str(db), "--athlete", "sam", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "evenstride.history/1"
    assert doc["runs"]["n"] == 12
    m = doc["metrics"]["contact_time/running_dynamics"]
    assert m["current"]["baseline"]["balance_left_pct"] == pytest.approx(52.0, abs=0.3)
    assert doc["changes"] == []
    assert main(["history", "--db", str(db), "--athlete", "sam"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "sam: 12 runs" in out


def test_history_errors_are_one_line(tmp_path, capsys):
    assert main(["history", "--db", str(tmp_path / "none.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "no history store yet" in err and len(err.strip().splitlines()) == 1


def test_history_report_links_per_run_reports(season, tmp_path, capsys):
    db = tmp_path / "r.sqlite"
    assert main(["import", str(season), "--db", str(db), "--athlete", "kim", "--no-progress"]) == 0
    out = tmp_path / "kim.html"
    assert main(["report", "--db", str(db), "--athlete", "kim", "--html", str(out), "--runs"]) == 0
    html = out.read_text()
    runs = sorted((tmp_path / "kim-runs").glob("run-*.html"))
    assert len(runs) == 12
    assert f'href="kim-runs/{runs[0].name}"' in html
    assert "What this means" in runs[0].read_text()


def test_shoe_use_assigns_gear_and_feeds_the_history(season, tmp_path, capsys):
    db = tmp_path / "g.sqlite"
    args = ["--db", str(db), "--athlete", "lee"]
    assert main(["import", str(season), *args, "--no-progress"]) == 0
    assert main(["activities", *args, "--json"]) == 0
    capsys.readouterr()
    assert main(["shoe", "set", "Cloud 5", "--type", "road", "--drop-mm", "6", *args]) == 0
    assert main(["shoe", "use", "Cloud 5", "1", "2", "3", *args]) == 0
    assert main(["shoe", "use", "Cloud 5", "999", *args]) == 2
    capsys.readouterr()
    assert main(["history", *args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    pairs = {p["name"]: p for p in doc["shoes"]["pairs"]}
    assert pairs["Cloud 5"]["runs"] == 3


def test_plan_then_retest_from_history_uses_own_noise_floor(season, tmp_path, capsys):
    db = tmp_path / "p.sqlite"
    args = ["--db", str(db), "--athlete", "ola"]
    assert main(["import", str(season), *args, "--no-progress"]) == 0
    assert main(["plan", *args, "--json"]) == 0
    capsys.readouterr()
    assert main(["retest", "--from-history", *args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    text = json.dumps(doc)
    assert "contact_time/running_dynamics" in text
    # planted 52.0 % both before and after: no change beyond the athlete's own MDC
    assert "within noise" in text
