# SPDX-License-Identifier: MIT
"""Issue 11's 24-run case, end to end: simulated FIT files → a real store → history → HTML.

Same watch (FR965) and chest strap (HRM-Pro) on every run, RunScribe pods every other run, a
Stryd every third run; the GCT balance moves +1.4 %-points (left) from run 16. The strap's
baseline must form, the shift must be found within a week and dated within ~2 runs, and the
pods coming and going must not restart anything.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.exceptions import EvenstrideWarning
from evenstride.history import RunRecord, build_history
from evenstride.importer import import_paths
from evenstride.io._fit_writer import write_activity_fit
from evenstride.report.history import render_history_report
from evenstride.simulate import simulate_run
from evenstride.store import open_store

STRAP = "contact_time/running_dynamics"
START = datetime(2024, 3, 4, 6, 30, tzinfo=UTC)
N_RUNS = 24
SHIFT_RUN = 16  # 1-based: runs 16…24 carry the shift
SHIFT_PCT = 1.4
BASE_PCT = 50.8
DAY_SD_PCT = 0.3


def _start(run: int) -> datetime:
    return START + timedelta(days=2 * (run - 1))


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("case24")
    rng = np.random.default_rng(24)
    for run in range(1, N_RUNS + 1):
        bal = BASE_PCT + rng.normal(0.0, DAY_SD_PCT) + SHIFT_PCT * (run >= SHIFT_RUN)
        sim = simulate_run(
            duration_s=20 * 60,
            seed=100 + run,
            balance_left_pct=bal,
            drift_pct_per_h=0.0,
            include_runscribe=run % 2 == 1,
            include_stryd=run % 3 == 1,
            start_time=_start(run),
        )
        buf = io.BytesIO()
        write_activity_fit(sim.activity, buf)
        (folder / f"run_{run:02d}.fit").write_bytes(buf.getvalue())
    db = folder / "history.sqlite"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        with open_store(db) as store:
            rep = import_paths(sorted(folder.glob("*.fit")), store, athlete="sam", jobs=1)
            ath = store.athlete("sam")
            runs = [RunRecord.from_run_doc(doc, activity_id=row.id, gear=row.gear)
                    for row, doc in store.analysis_docs(ath.id)]
    assert len(runs) == N_RUNS, rep
    hist = build_history(runs)
    return runs, hist, hist.to_dict()


def test_the_files_carry_the_devices_of_the_case(case):
    runs, _h, _d = case
    assert all(r.device_key.startswith("Garmin Forerunner 965 + Garmin HRM-Pro") for r in runs)
    assert sum("RunScribe" in r.device_key for r in runs) == N_RUNS // 2
    assert sum("Stryd" in r.device_key for r in runs) == N_RUNS // 3
    assert sum("impact_g/runscribe" in r.asymmetry for r in runs) == N_RUNS // 2


def test_pods_coming_and_going_restart_no_baseline(case):
    _runs, hist, doc = case
    assert doc["device_changes"] == []
    for key, m in hist.metrics.items():
        assert "device change" not in [g.reason for g in m.regimes], key
        assert m.device_steps == [], key


def test_the_strap_baseline_forms_and_the_shift_is_found_within_a_week(case):
    _runs, _hist, doc = case
    m = doc["metrics"][STRAP]
    assert m["n_runs"] == N_RUNS
    (change,) = m["changes"]
    started = datetime.fromisoformat(change["started"]).date()
    true_start = _start(SHIFT_RUN).date()
    assert abs((started - true_start).days) <= 2 * 2  # dated within 2 runs (2 days apart)
    detected = datetime.fromisoformat(change["detected"]).date()
    assert 0 <= (detected - true_start).days <= 7  # found within a week
    assert change["shift_balance_pct"] == pytest.approx(SHIFT_PCT, abs=0.4)
    cur = m["current"]
    # the baseline before the shift had ≥ 5 comparable runs; after it, the new baseline forms
    assert change["n_before"] >= 5
    assert cur["status"] == "changed"
    assert cur["baseline"]["since_reason"] == "change in the runner"
    assert cur["baseline"]["n_runs"] >= 5
    assert m["noise_floor"]["typical_error"] is not None


def test_status_is_never_insufficient_next_to_a_change(case):
    _runs, _hist, doc = case
    for key, m in doc["metrics"].items():
        if m["changes"]:
            assert m["current"]["status"] != "insufficient baseline", key


def test_the_html_report_lists_no_repeated_device_bullets_and_clean_names(case):
    _runs, hist, _doc = case
    html = render_history_report(hist, athlete="Sam")
    text = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    assert text.count("baseline restarts here") == 0
    for bad in ("garmin 0", "development", "scribe_labs", "stryd Stryd", "garmin fr965"):
        assert bad not in text
    assert "Garmin Forerunner 965 + Garmin HRM-Pro" in text
