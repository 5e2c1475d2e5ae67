# SPDX-License-Identifier: MIT
"""Baseline, noise floor and change detection on synthetic run records with known truth (fast:
no simulation), and the record built from a run document."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.history import (
    AsymmetryEntry,
    HistoryParams,
    RunRecord,
    build_history,
    mdc95,
    step_fit,
    stratified_difference,
    typical_error,
)
from evenstride.history._baseline import metric_points

KEY = "contact_time/running_dynamics"
T0 = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
FAST = HistoryParams(n_boot=200, n_boot_changepoint=100)


def _records(values, *, devices=None, speeds=None, surfaces=None, every_days=2.0):
    out = []
    for i, v in enumerate(values):
        entry = AsymmetryEntry(
            key=KEY,
            index="symmetry_angle_pct",
            value=float(v),
            ci95=(v - 0.1, v + 0.1),
            balance_left_pct=50.0 + float(v) * math.pi / 4.0,
            n=1500,
            real=True,
        )
        out.append(
            RunRecord(
                activity_id=i,
                start_time=T0 + timedelta(days=every_days * i),
                duration_s=1800.0,
                distance_m=5400.0,
                device_key=devices[i] if devices else "watch + strap",
                asymmetry={KEY: entry},
                median_speed_m_s=3.0 if speeds is None else speeds[i],
                surface="road" if surfaces is None else surfaces[i],
            )
        )
    return out


def test_mdc95_formula():
    assert mdc95(1.0) == pytest.approx(1.96 * math.sqrt(2.0))
    assert mdc95(0.37) == pytest.approx(0.37 * 2.7719, abs=1e-4)


def test_typical_error_is_sd_of_consecutive_differences_over_root_two():
    vals = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    pts = metric_points(_records(vals), KEY)
    te, n = typical_error(pts, [0] * len(pts), HistoryParams())
    diffs = np.diff(vals)
    assert n == 7
    assert te == pytest.approx(np.std(diffs, ddof=1) / math.sqrt(2.0))
    # pairs across a regime boundary are left out
    _te2, n2 = typical_error(pts, [0] * 4 + [1] * 4, HistoryParams())
    assert n2 == 6


def test_typical_error_pairs_only_comparable_runs():
    # alternating easy (3.0 m/s, SA 1.0) and fast (4.0 m/s, SA 3.0) runs: the speed band keeps
    # them apart, so the noise floor is the run-to-run noise, not the speed effect
    rng = np.random.default_rng(1)
    speeds = [3.0, 4.0] * 20
    vals = [(1.0 if s == 3.0 else 3.0) + rng.normal(0, 0.2) for s in speeds]
    pts = metric_points(_records(vals, speeds=speeds), KEY)
    te, _ = typical_error(pts, [0] * len(pts), HistoryParams())
    assert 0.12 < te < 0.3
    h = build_history(_records(vals, speeds=speeds), params=FAST)
    assert h.changes == []


def test_step_fit_finds_the_level_shift():
    x = np.r_[np.zeros(10), np.ones(8) * 2.0] + np.tile([0.05, -0.05], 9)
    tau, c, _ = step_fit(x, None)
    assert tau == 10 and c == pytest.approx(2.0, abs=0.05)
    assert step_fit(np.zeros(5), None) is None


@pytest.mark.parametrize("seed", range(8))
def test_no_false_changes_in_a_stable_history(seed):
    rng = np.random.default_rng(seed)
    vals = 1.3 + rng.normal(0.0, 0.4, 80)
    speeds = 3.0 + rng.uniform(-0.25, 0.25, 80)
    h = build_history(_records(vals, speeds=speeds), params=FAST)
    m = h.metrics[KEY]
    assert h.changes == []
    assert m.current["status"] == "stable"
    assert 0.3 < m.typical_error < 0.55


def test_a_real_shift_is_flagged_and_dated():
    rng = np.random.default_rng(3)
    vals = 1.3 + rng.normal(0.0, 0.3, 70)
    vals[45:] += 1.5
    h = build_history(_records(vals), params=FAST)
    (c,) = h.changes
    assert c["started"] == (T0 + timedelta(days=2.0 * 45)).date().isoformat()
    assert c["shift"] == pytest.approx(1.5, abs=0.3)
    assert h.metrics[KEY].current["baseline"]["since_reason"] == "change in the runner"


def test_a_small_shift_needs_many_runs_to_be_flagged():
    # 0.4 % SA = 1 typical error, well under MDC95 ≈ 1.1 (one run against one run): over the
    # last 8 runs it is not told from noise; held for 30 runs the mean deviation is ~4 standard
    # errors away and it is (the detector averages runs, docs/methods.md §10a)
    rng = np.random.default_rng(4)
    vals = 1.3 + rng.normal(0.0, 0.4, 70)
    short = vals.copy()
    short[62:] += 0.4
    assert build_history(_records(short), params=FAST).changes == []
    vals[40:] += 0.4
    (c,) = build_history(_records(vals), params=FAST).changes
    assert c["shift"] == pytest.approx(0.4, abs=0.25) and abs(c["z"]) > c["z_threshold"]


def test_device_step_is_attributed_to_the_device():
    rng = np.random.default_rng(5)
    vals = 1.3 + rng.normal(0.0, 0.3, 60)
    vals[30:] += 1.5
    devices = ["watch + strap A"] * 30 + ["watch + strap B"] * 30
    h = build_history(_records(vals, devices=devices), params=FAST)
    assert h.changes == []
    (dc,) = h.device_changes
    (step,) = dc["steps"]
    assert step["attributed_to_device"] and step["located_offset_runs"] == 0
    assert step["step"] == pytest.approx(1.5, abs=0.3)
    regimes = h.metrics[KEY].regimes
    assert [g.reason for g in regimes] == ["first run", "device change"]


def test_device_change_without_step_restarts_the_baseline_only():
    rng = np.random.default_rng(6)
    vals = 1.3 + rng.normal(0.0, 0.3, 60)
    devices = ["A"] * 30 + ["B"] * 30
    h = build_history(_records(vals, devices=devices), params=FAST)
    (step,) = h.device_changes[0]["steps"]
    assert step["attributed_to_device"] is False
    assert step["step_ci95"][0] < 0 < step["step_ci95"][1]
    assert h.changes == []


def test_other_surfaces_are_not_part_of_the_road_baseline():
    # From run 30 on, every other run is on trail, 1.2 higher: were trail runs let into the road
    # baseline (or its noise floor), the latest road run's baseline would sit near 1.9, not 1.3.
    rng = np.random.default_rng(7)
    surfaces = ["trail" if i >= 30 and i % 2 == 0 else "road" for i in range(69)] + ["road"]
    vals = np.array([2.5 if s == "trail" else 1.3 for s in surfaces]) + rng.normal(0, 0.3, 70)
    h = build_history(_records(vals, surfaces=surfaces), params=FAST)
    assert h.changes == []
    current = h.metrics[KEY].current
    assert current["baseline"]["surface"] == "road"
    assert current["baseline"]["mean"] == pytest.approx(1.3, abs=0.15)
    assert h.metrics[KEY].typical_error == pytest.approx(0.3, abs=0.1)


def test_stratified_difference_pools_within_strata():
    rng = np.random.default_rng(0)
    # stratum offsets of 10 do not leak into the A − B difference of 0.5
    y = np.r_[
        rng.normal(0.5, 0.1, 20),
        rng.normal(0.0, 0.1, 20),
        rng.normal(10.5, 0.1, 5),
        rng.normal(10.0, 0.1, 30),
    ]
    strata = ["s1"] * 40 + ["s2"] * 35
    a = np.r_[np.ones(20, bool), np.zeros(20, bool), np.ones(5, bool), np.zeros(30, bool)]
    res = stratified_difference(y, strata, a, rng=rng, n_boot=300)
    assert res["diff"] == pytest.approx(0.5, abs=0.08)
    assert res["ci95"][0] > 0.3 and res["n_a"] == 25 and res["n_b"] == 50
    none = stratified_difference(y[:20], ["s1"] * 20, np.ones(20, bool), rng=rng)
    assert none["diff"] is None and none["n_strata"] == 0


def test_record_from_run_doc_minimal_and_without_context():
    doc = {
        "schema": "evenstride.run/1",
        "sport": "running",
        "sub_sport": "treadmill",
        "start_time": "2024-05-01T06:00:00+00:00",
        "duration_s": 1800.0,
        "distance_m": 5000.0,
        "devices": ["stryd", "garmin fr965"],
        "asymmetry": [
            {
                "metric": "pronation_deg",
                "source": "runscribe",
                "unit": "deg",
                "index": "difference",
                "difference": 3.2,
                "ci95": [2.0, 4.4],
                "balance_left_pct": None,
                "n": 900,
                "real": True,
                "class": "notable",
                "by_context": [],
            },
        ],
        "form": {"cadence_speed": {"reference_speed_m_s": 2.9}},
    }
    r = RunRecord.from_run_doc(doc, activity_id=7, gear="Ghost 15", session_rpe=4.0)
    assert r.device_key == "Garmin Forerunner 965 + Stryd"
    assert r.devices == ("stryd", "garmin fr965")
    assert r.surface == "treadmill" and r.median_speed_m_s == 2.9
    e = r.asymmetry["pronation_deg/runscribe"]
    assert (e.value, e.unit, e.ci95, e.real) == (3.2, "deg", (2.0, 4.4), True)
    assert r.gear == "Ghost 15" and r.session_rpe == 4.0 and r.trimp is None
    with pytest.raises(ValueError, match="start_time"):
        RunRecord.from_run_doc({**doc, "start_time": None}, activity_id=8)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_screen_never_drops_a_window_beyond_the_threshold(phi):
    """The monitor computes a window's exact z only when its cheap upper bound passes the
    threshold (issue 15). Every window whose exact |z| exceeds the threshold must pass the
    screen, with mixed surfaces and speeds (each run its own baseline) and a device change."""
    from evenstride.history import _baseline as hb

    rng = np.random.default_rng(int(phi * 10) + 3)
    n = 160
    x = rng.normal(0.0, 0.5, n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + math.sqrt(1 - phi * phi) * x[t]
    x[100:] += 0.8
    surfaces = ["road" if rng.random() < 0.8 else "track" for _ in range(n)]
    speeds = list(3.0 + rng.uniform(-0.4, 0.4, n))
    devices = ["garmin fr965 + garmin hrm_pro"] * 70 + ["garmin fr965 + garmin hrm_600"] * (n - 70)
    pts = metric_points(_records(x, devices=devices, speeds=speeds, surfaces=surfaces), KEY)
    assert hb._device_starts(pts) == [70]
    p = FAST
    comp = hb._comparable_before(pts, p)
    nf = hb.NoiseFloor(0.5, phi, True, n)
    xs = np.array([q.x for q in pts])
    tabs = hb._monitor_tables(xs, comp)
    checked = beyond = 0
    for start, end in ((0, 70), (70, n)):
        z_crit = np.full(end - start, 1.0)  # low, so that many windows are beyond it
        mask = hb._screen(start, end, start, xs, comp, tabs, nf, p, z_crit)
        for i in range(start, end):
            for k, L in enumerate(hb.window_lengths(i - start + 1 - p.min_baseline_runs)):
                w = hb._window(xs, comp, range(i - L + 1, i + 1), start, nf, p, hb._need(L))
                checked += 1
                if w is not None and abs(w.z) > 1.0:
                    beyond += 1
                    assert mask[i - start, k], (i, L, w.z)
    assert checked > 1000 and beyond > 50, (checked, beyond)
