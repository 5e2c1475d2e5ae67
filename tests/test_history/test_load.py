# SPDX-License-Identifier: MIT
"""Load formulas against hand-computed values: EWMA, ACWR (coupled, uncoupled), Foster monotony
and strain, the 2-week ramp, and the boundaries of the longest-run rule (Frandsen 2025)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.history import (
    HistoryParams,
    RunRecord,
    acwr_ewma,
    acwr_ewma_uncoupled,
    acwr_rolling_uncoupled,
    build_history,
    daily_load,
    ewma,
    longest_run_band,
    longest_run_flags,
    monotony_strain,
    weekly_ramp_flags,
)

T0 = datetime(2024, 3, 4, 7, 0, tzinfo=UTC)  # a Monday


def _run(day: float, km: float | None, *, minutes: float = 30.0, **kw) -> RunRecord:
    return RunRecord(
        activity_id=f"r{day}",
        start_time=T0 + timedelta(days=day),
        duration_s=60.0 * minutes,
        distance_m=None if km is None else 1000.0 * km,
        **kw,
    )


def test_ewma_hand_computed():
    # λ = 2/(3+1) = 0.5: 0.5·10 = 5; 0.5·0 + 0.5·5 = 2.5; 0.5·20 + 0.5·2.5 = 11.25
    assert ewma([10.0, 0.0, 20.0], 3).tolist() == [5.0, 2.5, 11.25]
    # λ = 2/8 = 0.25 for the 7-day average
    e = ewma([8.0, 8.0], 7)
    assert e.tolist() == [2.0, 2.0 + 0.25 * 6.0]
    assert ewma([4.0], 7, init=4.0).tolist() == [4.0]


def test_acwr_ewma_on_constant_load():
    load = np.full(60, 10.0)
    a, c, r = acwr_ewma(load)
    t = 40
    la, lc = 0.25, 2.0 / 29.0
    assert a[t] == pytest.approx(10.0 * (1 - (1 - la) ** (t + 1)))
    assert c[t] == pytest.approx(10.0 * (1 - (1 - lc) ** (t + 1)))
    assert r[t] == pytest.approx(a[t] / c[t])
    assert np.isnan(r[:28]).all() and np.isfinite(r[28:]).all()


def test_acwr_uncoupled_variants():
    x = [1.0] * 21 + [2.0] * 7
    rr = acwr_rolling_uncoupled(x)
    assert np.isnan(rr[:27]).all()
    assert rr[27] == 2.0  # mean of the last 7 days / mean of days t−27…t−7
    y = np.arange(1.0, 50.0)
    ru = acwr_ewma_uncoupled(y)
    a, c = ewma(y, 7), ewma(y, 28)
    assert ru[40] == pytest.approx(a[40] / c[33])
    assert np.isnan(ru[:35]).all()


def test_monotony_and_strain_hand_computed():
    week = [60.0, 0.0, 60.0, 0.0, 60.0, 0.0, 120.0]
    mean = 300.0 / 7.0
    sd = math.sqrt(sum((v - mean) ** 2 for v in week) / 7.0)
    m, s = monotony_strain(week)
    assert m == pytest.approx(mean / sd)
    assert s == pytest.approx(300.0 * mean / sd)
    assert m == pytest.approx(1.0206, abs=1e-4)
    assert monotony_strain([50.0] * 7)[0] is None


def test_weekly_ramp_two_week_rule_and_boundary():
    flags = weekly_ramp_flags([10, 10, 10, 10, 13, 13])
    assert flags[5]["ramp_2wk"] == pytest.approx(0.30)
    assert flags[5]["flag"] is False  # exactly +30 % is not "more than 30 %"
    flags = weekly_ramp_flags([10, 10, 10, 10, 14, 14])
    assert flags[5]["flag"] is True and flags[5]["ramp_2wk"] == pytest.approx(0.40)
    assert flags[4]["flag"] is False and flags[4]["week_over_week"] == pytest.approx(0.40)
    assert flags[0]["ramp_2wk"] is None and flags[2]["ramp_2wk"] is None


@pytest.mark.parametrize(
    ("excess", "band"),
    [
        (0.05, None),
        (0.10, None),
        (0.1001, ">10–30 %"),
        (0.30, ">10–30 %"),
        (0.3001, ">30–100 %"),
        (1.00, ">30–100 %"),
        (1.0001, ">100 %"),
        (2.5, ">100 %"),
    ],
)
def test_longest_run_band_boundaries(excess, band):
    got = longest_run_band(excess)
    assert (None if got is None else got[0]) == band


def _history_of(last_km: float) -> list[RunRecord]:
    # 10 km every 3 days for 33 days (the 30-day window is covered), then the run to judge
    return [_run(d, 10.0) for d in range(0, 34, 3)] + [_run(35, last_km)]


@pytest.mark.parametrize(
    ("last_km", "band"),
    [
        (11.0, None),
        (11.001, ">10–30 %"),
        (13.0, ">10–30 %"),
        (13.01, ">30–100 %"),
        (20.0, ">30–100 %"),
        (20.01, ">100 %"),
    ],
)
def test_ten_percent_rule_boundaries(last_km, band):
    flags = longest_run_flags(_history_of(last_km))
    if band is None:
        assert flags == []
    else:
        (f,) = flags
        assert f["band"] == band and f["measure"] == "distance"
        assert f["excess_pct"] == pytest.approx(100.0 * (last_km / 10.0 - 1.0), abs=0.05)


def test_ten_percent_rule_needs_30_days_of_history_and_falls_back_to_duration():
    early = [_run(0, 5.0), _run(2, 5.0), _run(4, 9.0)]
    assert longest_run_flags(early) == []  # the history does not cover 30 days yet
    runs = [_run(d, None, minutes=40.0) for d in range(0, 34, 3)] + [_run(35, None, minutes=50)]
    (f,) = longest_run_flags(runs)
    assert f["measure"] == "duration" and f["excess_pct"] == pytest.approx(25.0)
    # a run older than 30 days does not count as the reference
    runs = [_run(0, 30.0), *[_run(d, 10.0) for d in range(3, 40, 3)], _run(40, 12.0)]
    (f,) = longest_run_flags(runs)
    assert f["longest_previous_30d"] == 10000.0


def test_daily_load_measure_choice():
    rpe = [_run(d, 8.0, session_rpe=5.0, trimp=50.0) for d in range(10)]
    assert daily_load(rpe).measure == "srpe"
    assert daily_load(rpe).load[0] == pytest.approx(5.0 * 30.0)
    tr = [_run(d, 8.0, trimp=50.0) for d in range(10)]
    assert daily_load(tr).measure == "trimp"
    mixed = [_run(d, 8.0, trimp=50.0 if d % 2 else None) for d in range(10)]
    dl = daily_load(mixed)
    assert dl.measure == "duration_min"
    assert daily_load(mixed, measure="trimp").trimp[0] == pytest.approx(50.0)  # imputed


def test_load_section_of_a_small_history():
    runs = [
        _run(d, 8.0 + (d % 7 == 6) * 4.0, trimp=60.0) for d in range(0, 70) if d % 7 in (1, 3, 6)
    ]
    doc = build_history(runs, params=HistoryParams(n_boot=100)).to_dict()
    load = doc["load"]
    assert load["longest_run_flags"] == [] and load["weekly_ramp_flags"] == []
    assert load["current"]["acwr_ewma"] is not None
    assert all(w["monotony"] is None or w["monotony"] > 0 for w in load["weekly"])
