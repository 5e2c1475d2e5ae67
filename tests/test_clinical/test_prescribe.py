# SPDX-License-Identifier: MIT
"""Prescription rules: findings → exercises, sides, red flags, progression, outcome check."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from evenstride.clinical.catalog import CATALOG, FAST, SLOW, exercises_for
from evenstride.clinical.models import TARGETS, ClinicalFinding
from evenstride.clinical.prescribe import (
    IMPROVED,
    PAIN_RULE_EVIDENCE,
    REGION_TARGETS,
    WITHIN_NOISE,
    WORSE,
    Program,
    SessionLog,
    adherence,
    next_step,
    outcome_check,
    prescribe,
    retest_dates,
)

from ._plan_helpers import EV, hip_abductor_finding, itb_finding, red_flag

START = date(2025, 3, 3)


def _all_rx(program: Program):
    return [p for s in program.sessions for p in s.prescriptions]


# --- catalogue ---------------------------------------------------------------------------------
def test_catalogue_is_complete_data():
    assert len(CATALOG) >= 35
    for e in CATALOG.values():
        assert set(e.targets) <= set(TARGETS)
        assert e.setup and len(e.cues) >= 2 and len(e.mistakes) >= 2
        assert e.evidence.grade in ("V", "S", "U")
        assert all(e.dose(lv).sets >= 1 for lv in (1, 2, 3, 4))
    chain = ["split_squat", "rear_foot_elevated_split_squat", "single_leg_box_squat",
             "pistol_squat"]
    assert [CATALOG[k].progression for k in chain[:-1]] == chain[1:]
    calf = ["calf_raise_double", "calf_raise_single", "soleus_raise_bent_knee",
            "calf_raise_weighted"]
    assert [CATALOG[k].progression for k in calf[:-1]] == calf[1:]
    planes = {e.plane for e in CATALOG.values()}
    assert {"sagittal", "frontal", "transverse"} <= planes
    assert any(e.speed == FAST for e in CATALOG.values())
    for key in ("copenhagen_plank", "pallof_press", "knee_to_wall", "hip_90_90",
                "y_balance_reach", "arm_swing_drill", "curtsy_lunge", "skater_hops"):
        assert key in CATALOG


def test_exercises_for_excludes_targets():
    keys = {e.key for e in exercises_for("hip_abductors", exclude_targets=frozenset({
        "plyometric"}))}
    assert "side_lying_hip_abduction" in keys and "lateral_bound" not in keys


# --- the rule test ---------------------------------------------------------------------
def test_weak_right_hip_abductor_and_itb_soreness():
    p = prescribe([hip_abductor_finding(80.0), itb_finding()], start=START)
    rx = _all_rx(p)
    assert p.sessions and len(p.sessions) == 20
    exs = [CATALOG[r.exercise] for r in rx]
    assert any("hip_abductors" in e.targets for e in exs)
    assert any(e.plane == "frontal" for e in exs)
    assert any(e.plane == "transverse" for e in exs)
    # every single-leg exercise starts on the right, and every prescription cites findings
    for r in rx:
        assert r.findings, r
        if r.side_order != ("both",):
            assert r.side_order == ("right", "left")
            assert any("Weaker side first: right" in n for n in r.notes)
    hip_rx = [r for r in rx if "hip_abductors" in CATALOG[r.exercise].targets]
    assert all(set(r.findings) & {"F1", "F2"} for r in hip_rx)
    # equal volume by default
    assert all(r.weaker_side_reps is None and r.weaker_side_seconds is None for r in rx)


def test_speed_slow_early_fast_from_week_5():
    p = prescribe([hip_abductor_finding(), itb_finding()], start=START, level=3)
    early = [r for s in p.sessions if s.week < 5 for r in s.prescriptions]
    late = [r for s in p.sessions if s.week >= 5 for r in s.prescriptions]
    assert all(r.speed == SLOW for r in early)
    assert any(r.speed == FAST for r in late)
    assert all(any("pain" in n for n in r.notes) for r in late if r.speed == FAST)


def test_phases_sessions_and_dates():
    p = prescribe([hip_abductor_finding()], start=START, weeks=12, sessions_per_week=3)
    assert len(p.sessions) == 36
    assert [ph.first_week for ph in p.phases] == [1, 5, 9]
    assert p.phases[-1].last_week == 12
    assert p.sessions[0].date == START and p.sessions[1].date == START + timedelta(days=2)
    assert p.sessions[-1].date <= p.end
    with pytest.raises(ValueError, match="weeks"):
        prescribe([hip_abductor_finding()], start=START, weeks=6)
    with pytest.raises(ValueError, match="sessions"):
        prescribe([hip_abductor_finding()], start=START, sessions_per_week=5)


def test_extra_weaker_side_volume_is_labelled():
    p = prescribe([hip_abductor_finding()], start=START, extra_weaker_side_pct=10)
    uni = [r for r in _all_rx(p) if r.side_order != ("both",)]
    assert uni
    for r in uni:
        if r.reps is not None:
            assert r.weaker_side_reps is not None and r.weaker_side_reps > r.reps
        assert any("expert opinion, unverified" in n for n in r.notes)
    assert any("expert opinion, unverified" in n for n in p.notes)


# --- red flags ---------------------------------------------------------------------------------
def test_red_flag_region_excluded_and_first():
    p = prescribe([hip_abductor_finding(), red_flag("shin"),
                   ClinicalFinding("strength_lsi", "Weak left calf", "LSI 80", EV,
                                   side="left", targets=("calf_soleus",), severity=2)],
                  start=START, level=3)
    banned = set(REGION_TARGETS["shin"])
    rx = _all_rx(p)
    assert rx
    for r in rx:
        assert not set(CATALOG[r.exercise].targets) & banned, r.exercise
    assert p.red_flags and p.red_flags[0].kind == "red_flag"
    assert p.findings[0]["red_flag"] and p.findings[0]["id"] == "F1"
    assert "clinician" in p.red_flags[0].text
    # the progression decision never moves into a banned exercise either
    logs = [SessionLog(START, True, 6, 1, 0), SessionLog(START + timedelta(days=3), True, 6, 1, 0)]
    for new in next_step(p, logs).changes.values():
        assert not set(CATALOG[new].targets) & banned


def test_region_lookup_by_first_word():
    p = prescribe([hip_abductor_finding(), red_flag("knee_lateral")], start=START, level=3)
    assert p.sessions
    assert not any("quadriceps" in CATALOG[r.exercise].targets for r in _all_rx(p))


@pytest.mark.parametrize("region", [None, "general", "somewhere odd"])
def test_general_red_flag_no_program(region):
    p = prescribe([hip_abductor_finding(), red_flag(region)], start=START)
    assert p.sessions == [] and not p.has_exercises
    assert p.red_flags and p.retests == []
    assert any("clinician" in n for n in p.notes)


# --- advice ------------------------------------------------------------------------------------
def test_form_and_route_advice_tied_to_findings():
    fs = [hip_abductor_finding(),
          ClinicalFinding("cadence", "Low cadence", "x", EV,
                          values={"cadence_at_reference_spm": 160.0}),
          ClinicalFinding("surface", "Track one way", "x", EV),
          ClinicalFinding("shoes", "One pair", "x", EV),
          ClinicalFinding("gait_asymmetry", "GCT asymmetry", "x", EV)]
    p = prescribe(fs, start=START)
    by = {a.key: a for a in p.advice}
    assert {"cadence", "run_tall", "landing", "road_side", "track_direction", "trails",
            "shoe_rotation"} <= set(by)
    assert "168–176 steps/min" in by["cadence"].text  # +5–10 % of 160
    assert by["cadence"].findings == ("F2",)
    assert set(by["run_tall"].findings) == {"F2", "F5"}
    assert by["shoe_rotation"].evidence.grade == "V"
    assert by["road_side"].evidence.grade == "U"
    assert all(a.evidence.grade in "VSU" for a in p.advice)


def test_json_round_trip():
    p = prescribe([hip_abductor_finding(), itb_finding(), red_flag("shin")], start=START,
                  extra_weaker_side_pct=10)
    d = json.loads(json.dumps(p.to_dict()))
    q = Program.from_dict(d)
    assert q.to_dict() == p.to_dict() and q.id == p.id


# --- progression -------------------------------------------------------------------------------
def _logs(*rows):
    return [SessionLog(START + timedelta(days=3 * i), True, rpe, d, m)
            for i, (rpe, d, m) in enumerate(rows)]


@pytest.fixture
def program():
    return prescribe([hip_abductor_finding(), itb_finding()], start=START)


def test_progress_after_two_sessions_at_target(program):
    d = next_step(program, _logs((6, 2, 1), (7, 3, 2)))
    assert d.action == "progress" and not d.see_clinician
    assert d.changes  # moves to the progressions
    for old, new in d.changes.items():
        assert CATALOG[old].progression == new
    assert d.evidence is PAIN_RULE_EVIDENCE and "Silbernagel" in d.evidence.sources[0]


def test_hold_with_one_session_or_high_rpe(program):
    assert next_step(program, _logs((6, 2, 1))).action == "hold"
    assert next_step(program, _logs((8, 2, 1), (6, 2, 1))).action == "hold"
    assert next_step(program, []).action == "hold"


def test_hold_when_pain_4_to_5(program):
    d = next_step(program, _logs((6, 2, 1), (6, 4, 2)))
    assert d.action == "hold" and "4–5" in d.reason and not d.see_clinician


def test_hold_when_not_settled_next_morning(program):
    d = next_step(program, _logs((6, 2, 1), (6, 2, 3)))
    assert d.action == "hold" and "settled" in d.reason


def test_regress_when_pain_above_5(program):
    d = next_step(program, _logs((6, 2, 1), (6, 6, 3)))
    assert d.action == "regress" and d.see_clinician
    for old, new in d.changes.items():
        assert CATALOG[old].regression == new


def test_regress_when_next_morning_pain_above_5(program):
    assert next_step(program, _logs((6, 2, 7))).action == "regress"


def test_regress_when_pain_rising_over_3_sessions(program):
    d = next_step(program, _logs((6, 1, 1), (6, 2, 2), (6, 3, 3)))
    assert d.action == "regress" and "rose" in d.reason and d.see_clinician


def test_skipped_sessions_ignored_and_adherence(program):
    logs = _logs((6, 2, 1), (6, 2, 1))
    logs.insert(1, SessionLog(START + timedelta(days=1), False))
    assert next_step(program, logs).action == "progress"
    # 4 sessions planned up to START + 10 days (days 0, 3, 7, 10); 2 done
    assert adherence(program, logs, as_of=START + timedelta(days=10)) == 50.0
    assert adherence(program, [], as_of=START - timedelta(days=1)) is None


def test_session_log_validates_scores():
    with pytest.raises(ValueError, match="0–10"):
        SessionLog(START, True, rpe=11)
    with pytest.raises(ValueError, match="pain during"):
        SessionLog(START, True, pain_during=-1)


# --- retests and outcome -----------------------------------------------------------------------
def test_retest_dates():
    assert retest_dates(START, 10) == [START + timedelta(weeks=w) for w in (4, 8, 10)]
    assert retest_dates(START, 12, every_weeks=6) == [START + timedelta(weeks=w)
                                                      for w in (6, 12)]
    with pytest.raises(ValueError, match="retest interval"):
        retest_dates(START, 10, every_weeks=2)


def test_outcome_check_generated_case():
    # a generated before/after case: LSI 80 → 92 with MDC 8 (improved), a contact-time SA
    # 4.0 → 3.4 with MDC 1.0 (noise), a step-length SA 1.0 → 3.0 with MDC 0.5 (worse)
    before = {"hip_abduction_lsi": 80.0, "contact_time_sa_pct": 4.0, "step_length_sa": 1.0}
    after = {"hip_abduction_lsi": 92.0, "contact_time_sa_pct": 3.4, "step_length_sa": 3.0}
    mdc = {"hip_abduction_lsi": 8.0, "contact_time_sa_pct": 1.0, "step_length_sa": 0.5}
    r = outcome_check(before, after, mdc)
    v = {i.measure: i.verdict for i in r.items}
    assert v == {"hip_abduction_lsi": IMPROVED, "contact_time_sa_pct": WITHIN_NOISE,
                 "step_length_sa": WORSE}
    assert r.counts() == {IMPROVED: 1, WITHIN_NOISE: 1, WORSE: 1}
    # moving away from symmetry beyond the MDC is worse; an LSI overshoot counts by distance
    assert outcome_check({"x_lsi": 95.0}, {"x_lsi": 80.0}, {"x_lsi": 5.0}).items[0].verdict \
        == WORSE
    assert outcome_check({"x_lsi": 80.0}, {"x_lsi": 110.0}, {"x_lsi": 5.0}).items[0].verdict \
        == IMPROVED
    # a negative (left-larger) asymmetry that shrinks is an improvement
    assert outcome_check({"gct": -5.0}, {"gct": -1.0}, {"gct": 1.0}).items[0].verdict == IMPROVED


def test_outcome_check_missing_values():
    r = outcome_check({"a": 1.0, "b": 2.0}, {"a": 5.0}, {})
    v = {i.measure: i.verdict for i in r.items}
    assert v == {"a": "no MDC known", "b": "not retested"}


def test_no_targets_no_sessions():
    p = prescribe([replace(hip_abductor_finding(), targets=())], start=START)
    assert p.sessions == [] and p.notes
