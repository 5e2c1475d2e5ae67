# SPDX-License-Identifier: MIT
"""Session load (RPE × minutes, Foster 2001) counts moving time, not elapsed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from evenstride.history import HistoryParams, RunRecord, build_history

T0 = datetime(2024, 5, 6, 7, 0, tzinfo=UTC)


def _run(i: int, *, elapsed_s: float, moving_s: float | None, rpe: float) -> RunRecord:
    return RunRecord(
        activity_id=i,
        start_time=T0 + timedelta(days=i),
        duration_s=elapsed_s,
        distance_m=8000.0,
        moving_s=moving_s,
        session_rpe=rpe,
    )


def test_session_load_uses_moving_time():
    # 50 min elapsed with a 10-min café stop: 40 min moving at RPE 5 → 200 AU, not 250
    runs = [
        _run(0, elapsed_s=3000.0, moving_s=2400.0, rpe=5.0),
        _run(1, elapsed_s=1800.0, moving_s=None, rpe=4.0),  # moving time unknown: elapsed
    ]
    d = build_history(runs, params=HistoryParams(n_boot=50, n_boot_changepoint=20)).to_dict()
    s = d["load"]["session_rpe"]
    detail = {r["activity_id"]: r for r in s["runs_detail"]}
    assert detail[0]["session_load"] == pytest.approx(200.0)
    assert detail[0]["moving_min"] == pytest.approx(40.0)
    assert detail[0]["duration_min"] == pytest.approx(50.0)
    assert detail[1]["session_load"] == pytest.approx(120.0)
    assert s["total"] == pytest.approx(320.0)
    assert "moving time" in s["formula"]
    # every run rated: the daily load series is session load, with the same minutes
    assert d["load"]["measure"] == "srpe"
    daily = {x["date"]: x for x in d["load"]["daily"]}
    assert daily[T0.date().isoformat()]["session_rpe_load"] == pytest.approx(200.0)


def test_moving_time_comes_from_the_run_document():
    doc = {
        "start_time": T0.isoformat(),
        "duration_s": 3000.0,
        "context": {"load": {"moving_s": 2400.0, "running_s": 2300.0}},
    }
    r = RunRecord.from_run_doc(doc, activity_id=1, session_rpe=5.0)
    assert r.moving_s == 2400.0 and r.duration_s == 3000.0
