# SPDX-License-Identifier: MIT
"""End-to-end recovery of planted ground truth from simulated runs (layer b of the test plan)."""

import warnings

import numpy as np
import pytest

from evenstride import consts as C
from evenstride.exceptions import EvenstrideWarning
from evenstride.metrics.symmetry import symmetry_angle_from_balance
from evenstride.pipeline import analyze
from evenstride.simulate import simulate_run, write_simulated_fit

#: The simulator's old, gentle balance noise (a single AR(1), φ = 0.9): tests of point recovery
#: that predate the real-file noise keep it explicitly (issue 10).
GENTLE_NOISE = {"balance_noise_sd_pct": 0.4, "balance_noise_phi": 0.9,
                "balance_noise_slow_share": 0.0}


def _rd(res, source=C.SRC_RUNNING_DYNAMICS, metric=C.M_CONTACT_TIME):
    return next(j for j in res.assessment.judgements
                if j.result.source == source and j.result.metric == metric)


def test_constant_balance_recovered_within_its_interval():
    sim = simulate_run(duration_s=3600, seed=21, balance_left_pct=51.6, drift_pct_per_h=0.0,
                       grade_effect_pct_per_pct=0.0)
    res = analyze(sim.activity)
    j = _rd(res)
    r = j.result
    assert r.balance_left_pct == pytest.approx(51.6, abs=0.12)
    lo, hi = r.balance_ci95
    assert lo <= 51.6 <= hi
    assert r.symmetry_angle_pct == pytest.approx(symmetry_angle_from_balance(51.6), abs=0.15)
    # SA 2.0 %: within the healthy-runner typical range (≤ 2.3 % SA, science.md §13)
    assert r.real is True and j.cls == "typical" and r.larger_side == "left"


def test_symmetric_runner_is_within_noise():
    sim = simulate_run(duration_s=3600, seed=22, balance_left_pct=50.0, drift_pct_per_h=0.0,
                       grade_effect_pct_per_pct=0.0)
    j = _rd(analyze(sim.activity))
    lo, hi = j.result.symmetry_angle_ci95
    assert lo < 0.0 < hi
    assert j.cls == "within noise"


def test_drift_onset_recovered():
    sim = simulate_run(duration_s=5400, seed=23, balance_left_pct=50.8, drift_pct_per_h=3.0,
                       drift_onset_s=2700.0, grade_effect_pct_per_pct=0.0)
    d = analyze(sim.activity).drifts["contact_time/running_dynamics"]
    assert d.onset_s == pytest.approx(2700.0, abs=360.0)
    assert d.onset_kind == "drift"
    # last quarter is 0.75·(5400−2700)/3600·3 ≈ 1.7 %-points of balance later, i.e. ≈ +2.1 % SA
    assert d.quarter_difference == pytest.approx(2.0, abs=0.6)


def test_no_drift_means_no_onset_and_a_slope_interval_around_zero():
    sim = simulate_run(duration_s=4800, seed=24, balance_left_pct=51.0, drift_pct_per_h=0.0)
    d = analyze(sim.activity).drifts["contact_time/running_dynamics"]
    assert d.onset_s is None
    assert d.slope_ci95[0] < 0.0 < d.slope_ci95[1]


def test_grade_confound_is_matched_away():
    # Out and back: the same hills uphill then downhill. Balance depends on grade only.
    sim = simulate_run(duration_s=4800, seed=25, route="out_and_back", balance_left_pct=50.5,
                       drift_pct_per_h=0.0, grade_effect_pct_per_pct=0.3, hill_amplitude_m=20.0)
    res = analyze(sim.activity)
    d = res.drifts["contact_time/running_dynamics"]
    assert "grade" in d.adjusted_for
    assert d.slope_ci95[0] < 0.0 < d.slope_ci95[1]
    ctx = {c.context: c for c in _rd(res).result.by_context}
    # uphill balance above downhill balance by ≈ 0.3·(mean uphill − mean downhill grade)
    assert ctx["uphill"].balance_left_pct > ctx["downhill"].balance_left_pct + 0.5


def test_track_bends_shift_balance_only_on_bends():
    sim = simulate_run(duration_s=3000, seed=26, route="track", balance_left_pct=50.5,
                       drift_pct_per_h=0.0, bend_effect_pct=1.0, hills=False)
    res = analyze(sim.activity)
    cov = res.gating.coverage()
    assert cov["bend_left"] > 0.4 and cov["bend_right"] < 0.02
    ctx = {c.context: c for c in _rd(res).result.by_context}
    assert ctx["bend_left"].balance_left_pct == pytest.approx(51.5, abs=0.3)
    assert ctx["straight"].balance_left_pct == pytest.approx(50.5, abs=0.3)


def test_drills_walks_and_stops_are_excluded():
    base = dict(duration_s=3600, balance_left_pct=51.0, drift_pct_per_h=0.0,
                grade_effect_pct_per_pct=0.0)
    clean = analyze(simulate_run(seed=27, stops=0, **base).activity)
    messy = analyze(simulate_run(seed=27, stops=3, walk_breaks=2, drills=True, **base).activity)
    cov = messy.gating.coverage()
    assert cov["drill"] > 0.0 and cov["walking"] > 0.02 and cov["stopped"] > 0.01
    a = _rd(clean).result.balance_left_pct
    b = _rd(messy).result.balance_left_pct
    assert b == pytest.approx(a, abs=0.15)  # drills at 98/2 % would move it by > 0.5 otherwise


def test_cadence_low_for_speed_is_found_in_the_planted_window():
    sim = simulate_run(duration_s=3600, seed=28, cadence_deficit_pct=6.0, form_noise_slow=False,
                       cadence_deficit_window_s=(1500.0, 2100.0))
    cs = analyze(sim.activity).cadence
    assert cs.slope_spm_per_m_s == pytest.approx(5.6, abs=1.5)
    assert 0.08 < cs.low_for_speed_share < 0.35
    s, e = cs.low_segments[0]
    assert 1400.0 <= s and e <= 2200.0 and e - s > 300.0
    lo, hi = cs.suggestion_spm
    assert lo == pytest.approx(cs.cadence_at_reference_spm * 1.05, abs=1.0)
    assert hi == pytest.approx(cs.cadence_at_reference_spm * 1.10, abs=1.0)


def test_pod_disagreeing_with_strap_is_flagged():
    sim = simulate_run(duration_s=3600, seed=29, balance_left_pct=51.5, drift_pct_per_h=0.0,
                       include_runscribe=True, runscribe_contact_asym_pct=-5.0)
    res = analyze(sim.activity)
    kinds = {(d.metric, d.kind) for d in res.assessment.disagreements}
    assert (C.M_CONTACT_TIME, "direction") in kinds
    pod = _rd(res, source=C.SRC_RUNSCRIBE)
    assert pod.result.symmetry_index_pct == pytest.approx(-5.0, abs=0.4)
    imp = _rd(res, source=C.SRC_RUNSCRIBE, metric=C.M_IMPACT_G)
    assert imp.result.symmetry_index_pct == pytest.approx(6.0, abs=0.4)


def test_fit_round_trip_gives_the_same_answer(tmp_path):
    kw = dict(duration_s=2400, seed=30, balance_left_pct=51.2, include_runscribe=True)
    p = write_simulated_fit(tmp_path / "sim.fit", **kw)
    from_file = analyze(p).to_dict()
    from_mem = analyze(simulate_run(**kw).activity).to_dict()
    assert [a["metric"] for a in from_file["asymmetry"]] == [
        a["metric"] for a in from_mem["asymmetry"]]
    for a, b in zip(from_file["asymmetry"], from_mem["asymmetry"], strict=True):
        assert a["symmetry_angle_pct"] == pytest.approx(b["symmetry_angle_pct"], abs=0.02)
        assert a["class"] == b["class"]


def test_treadmill_without_gps_or_speed_context_still_judged():
    sim = simulate_run(duration_s=2400, seed=31, route="treadmill", balance_left_pct=48.8,
                       **GENTLE_NOISE,
                       drift_pct_per_h=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvenstrideWarning)
        res = analyze(sim.activity)
    cov = res.gating.coverage()
    assert cov["indoor"] == 1.0 and cov["bend_left"] is None
    r = _rd(res).result
    assert r.balance_left_pct == pytest.approx(48.8, abs=0.15) and r.larger_side == "right"


def test_json_document_has_the_documented_keys():
    d = analyze(simulate_run(duration_s=1800, seed=32).activity).to_dict()
    for k in ("schema", "file", "sport", "start_time", "duration_s", "distance_m", "quality",
              "asymmetry", "fatigue", "form", "disagreements", "warnings"):
        assert k in d
    a = d["asymmetry"][0]
    for k in ("metric", "source", "unit", "left", "right", "balance_left_pct",
              "symmetry_angle_pct", "ci95", "n", "real", "class", "evidence"):
        assert k in a
    f = d["fatigue"]["contact_time/running_dynamics"]
    for k in ("slope_per_h", "first_quarter", "last_quarter", "onset_s"):
        assert k in f
    import json
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN/Infinity anywhere
    assert np.isfinite(d["duration_s"])


def test_drills_survive_the_fit_round_trip_and_are_labelled(tmp_path):
    p = write_simulated_fit(tmp_path / "drills.fit", duration_s=1800, seed=33, drills=True,
                            **GENTLE_NOISE,
                            drift_pct_per_h=0.0, balance_left_pct=50.6)
    res = analyze(p)
    cov = res.gating.coverage()
    # 20 s of left hops and 20 s of right hops at 98 % / 2 %: labelled, not analysed, not dropped
    assert cov["drill"] == pytest.approx(40.0 / res.gating.weight_s[res.gating.running].sum(),
                                         abs=0.01)
    assert _rd(res).result.balance_left_pct == pytest.approx(50.6, abs=0.15)
