# SPDX-License-Identifier: MIT
""""Is this normal for me?": one run against the runner's own history, in the core
(:func:`evenstride.history.personal_baseline`) and through ``analyze --athlete`` (terminal,
JSON, HTML), with nothing stored."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from evenstride.cli import main
from evenstride.exceptions import EvenstrideWarning
from evenstride.history import AsymmetryEntry, RunRecord, build_history, personal_baseline
from evenstride.simulate import write_simulated_fit
from evenstride.store import open_store

KEY = "contact_time/running_dynamics"
T0 = datetime(2024, 3, 1, 7, tzinfo=UTC)
DEV = "fr965 + hrm_pro"


def _rec(i: int, sa: float, *, device: str = DEV, speed: float = 3.3,
         day: float | None = None) -> RunRecord:
    e = AsymmetryEntry(key=KEY, index="symmetry_angle_pct", value=sa, ci95=(sa - 0.2, sa + 0.2),
                       balance_left_pct=50.0 + sa / 1.273, n=2000, real=True, cls="typical")
    return RunRecord(activity_id=i, start_time=T0 + timedelta(days=2 * i if day is None else day),
                     duration_s=2400.0, distance_m=8000.0, median_speed_m_s=speed,
                     device_key=device, asymmetry={KEY: e})


@pytest.fixture(scope="module")
def history():
    rng = np.random.default_rng(11)
    sa = 1.0 + rng.normal(0.0, 0.2, 14)
    return build_history([_rec(i, float(v)) for i, v in enumerate(sa)]), sa


def test_new_run_beyond_and_within_the_noise_floor(history) -> None:
    hist, sa = history
    m = hist.metrics[KEY]
    assert m.mdc95 is not None and m.mdc95 > 0
    far = _rec(100, float(sa.mean() + 3 * m.mdc95), day=40)
    pb = personal_baseline(hist, far, athlete="Ann")
    row = pb["metrics"][0]
    assert pb["run_in_history"] is False and pb["history_runs"] == 14
    assert row["status"] == "beyond"
    assert row["n_comparable_runs"] == 14  # every earlier run is comparable here
    assert row["usual"]["mean"] == pytest.approx(sa.mean(), abs=1e-3)
    assert row["usual"]["sd"] == pytest.approx(np.std(sa, ddof=1), abs=1e-3)
    assert row["deviation"] == pytest.approx(3 * m.mdc95, abs=2e-3)
    assert row["mdc95"] == pytest.approx(m.mdc95, abs=1e-3)
    assert "beyond your noise floor" in row["sentence"] and "14 comparable runs" in row["sentence"]
    near = personal_baseline(hist, _rec(101, float(sa.mean() + 0.3 * m.mdc95), day=40))
    assert near["metrics"][0]["status"] == "within"
    assert "1 within your noise floor" in near["summary"]


def test_cannot_tell_says_why(history) -> None:
    hist, _sa = history
    other = personal_baseline(hist, _rec(102, 5.0, device="coros pace 3", day=40))
    row = other["metrics"][0]
    assert row["status"] == "cannot tell" and row["usual"] is None
    assert "coros pace 3" in row["reason"].lower() and "can't tell" in row["sentence"]
    fast = personal_baseline(hist, _rec(103, 5.0, speed=4.5, day=40))["metrics"][0]
    assert fast["status"] == "cannot tell" and "similar speed" in fast["reason"]
    first = personal_baseline(hist, _rec(104, 1.0, day=-5))["metrics"][0]
    assert first["status"] == "cannot tell" and "no earlier run" in first["reason"]


def test_a_stored_run_is_never_its_own_baseline(history) -> None:
    hist, sa = history
    third = next(r for r in hist.runs if r.activity_id == 3)
    row = personal_baseline(hist, third)["metrics"][0]
    assert row["n_comparable_runs"] == 3  # runs 0, 1 and 2, not itself nor later ones
    assert row["status"] == "cannot tell" and "only 3 comparable" in row["reason"]
    last = next(r for r in hist.runs if r.activity_id == 13)
    pb = personal_baseline(hist, last)
    assert pb["run_in_history"] is True
    assert pb["metrics"][0]["usual"]["mean"] == pytest.approx(sa[:13].mean(), abs=1e-3)


# --- through the command line ---------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    d = tmp_path_factory.mktemp("personal")
    rng = np.random.default_rng(3)
    common = {"duration_s": 1200.0, "speed_m_s": 3.2, "include_stryd": False, "stops": 0,
              "hills": False, "drift_pct_per_h": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        runs = [write_simulated_fit(d / f"run{i:02d}.fit", seed=100 + i,
                                    balance_left_pct=float(51.0 + rng.normal(0, 0.25)),
                                    start_time=T0 + timedelta(days=2 * i), **common)
                for i in range(12)]
        new = {name: write_simulated_fit(d / f"{name}.fit", seed=999, balance_left_pct=bal,
                                         start_time=T0 + timedelta(days=60), **common)
               for name, bal in (("high", 53.0), ("usual", 51.0))}
    db = d / "s.sqlite"
    assert main(["import", *map(str, runs), "--db", str(db), "--athlete", "Ann",
                 "--no-progress", "--jobs", "1"]) == 0
    return db, new


@pytest.mark.slow
def test_analyze_athlete_json_and_html(store, tmp_path, capsys) -> None:
    db, new = store
    out = tmp_path / "html"
    code = main(["analyze", str(new["high"]), str(new["usual"]), "--athlete", "Ann", "--db",
                 str(db), "--json", "--html", str(out), "--no-progress"])
    assert code == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    status = [d["personal_baseline"]["metrics"][0]["status"] for d in docs]
    assert status == ["beyond", "within"]
    row = docs[0]["personal_baseline"]["metrics"][0]
    assert row["key"] == KEY and row["usual"]["n_runs"] >= 5
    assert row["usual"]["balance_left_pct"] == pytest.approx(51.0, abs=0.4)
    html = (out / "high.html").read_text(encoding="utf-8")
    assert '<section id="personal">' in html and "Is this normal for you?" in html
    assert html.index('id="personal"') < html.index('id="findings"')
    assert "beyond your noise floor" in html
    with open_store(db) as st:
        assert len(st.activities(st.athlete("Ann", create=False).id)) == 12  # nothing stored


@pytest.mark.slow
def test_analyze_athlete_terminal_and_errors(store, capsys) -> None:
    db, new = store
    assert main(["analyze", str(new["high"]), "--athlete", "Ann", "--db", str(db), "-q"]) == 0
    text = capsys.readouterr().out
    assert "Is this normal for you?" in text and "beyond your noise floor" in text
    assert main(["analyze", str(new["high"]), "--athlete", "Bob", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no athlete 'Bob'" in err


@pytest.mark.slow
def test_import_summary_places_the_new_run(store, tmp_path, capsys) -> None:
    import shutil

    db, new = store
    copy = tmp_path / "copy.sqlite"
    shutil.copy(db, copy)
    capsys.readouterr()
    assert main(["import", str(new["high"]), "--db", str(copy), "--athlete", "Ann",
                 "--no-progress", "--jobs", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (rid, pb), = doc["personal_baseline"].items()
    assert int(rid) == next(i["activity_id"] for i in doc["items"] if i["status"] == "new")
    assert pb["run_in_history"] is True and pb["metrics"][0]["status"] == "beyond"
    assert pb["metrics"][0]["n_comparable_runs"] >= 5
    # importing it again: nothing new, nothing placed
    assert main(["import", str(new["high"]), "--db", str(copy), "--athlete", "Ann",
                 "--no-progress", "--jobs", "1"]) == 0
    assert "is this normal for you?" not in capsys.readouterr().out
    shutil.copy(db, copy)
    assert main(["import", str(new["usual"]), "--db", str(copy), "--athlete", "Ann",
                 "--no-progress", "--jobs", "1"]) == 0
    text = capsys.readouterr().out
    assert "is this normal for you?" in text and "within your noise floor" in text


@pytest.mark.slow
def test_analyze_athlete_finds_the_store_from_the_environment(store, capsys, monkeypatch):
    db, new = store
    monkeypatch.setenv("EVENSTRIDE_DB", str(db))
    assert main(["analyze", str(new["usual"]), "--athlete", "Ann", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["personal_baseline"]["metrics"][0]["status"] == "within"
    monkeypatch.setenv("EVENSTRIDE_DB", str(db.with_name("missing.sqlite")))
    assert main(["analyze", str(new["usual"]), "--athlete", "Ann"]) == 2
    assert "no history store yet" in capsys.readouterr().err


def test_calibration_single_run_verdict() -> None:
    """Seeded: a stable runner's next run is called "beyond" in at most 5 % of histories, and a
    run moved by twice the true MDC95 is found in at least 80 % (MDC95 is built for one run
    against one run; against the mean of the baseline runs it is conservative)."""
    from evenstride.history import HistoryParams

    p = HistoryParams(n_boot=20, n_boot_changepoint=20)
    rng = np.random.default_rng(2024)
    sd = 0.3
    true_mdc = 1.96 * np.sqrt(2.0) * sd
    n, false_beyond, found = 150, 0, 0
    for _ in range(n):
        x = 1.0 + rng.normal(0.0, sd, 15)
        hist = build_history([_rec(i, float(v)) for i, v in enumerate(x)], params=p)
        nxt = float(1.0 + rng.normal(0.0, sd))
        a = personal_baseline(hist, _rec(99, nxt, day=40))["metrics"][0]
        b = personal_baseline(hist, _rec(98, nxt + 2 * true_mdc, day=40))["metrics"][0]
        assert a["status"] != "cannot tell"
        false_beyond += a["status"] == "beyond"
        found += b["status"] == "beyond"
    assert false_beyond / n <= 0.05, false_beyond / n
    assert found / n >= 0.80, found / n


@pytest.mark.slow
def test_analyze_athlete_without_runs_is_a_one_line_error(store, tmp_path, capsys) -> None:
    import shutil

    db, new = store
    copy = tmp_path / "copy.sqlite"
    shutil.copy(db, copy)
    assert main(["shoe", "set", "Pegasus", "--athlete", "Empty", "--db", str(copy)]) == 0
    capsys.readouterr()
    assert main(["analyze", str(new["usual"]), "--athlete", "Empty", "--db", str(copy)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "athlete 'Empty'" in err and "internal error" not in err
