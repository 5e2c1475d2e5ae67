# SPDX-License-Identifier: MIT
"""Findings that lead: registry meaning of "larger side", headline ranking and sentences, sensor
names, disagreements in ms, the healthy-runner contact-time band, and the missing-data note.
Built from hand-made activities with known sides, the simulator and real shared files."""

import re

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride import consts as C
from evenstride.assessment import judge_asymmetry
from evenstride.assessment._assess import (
    MAX_HEADLINES,
    MISSING_SHARE_NOTE,
    assess,
    file_sensor,
    find_disagreements,
    sensor_label,
)
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.metrics import CadenceSpeed, channel_asymmetry
from evenstride.metrics.drift import DriftResult
from evenstride.metrics.registry import METRICS, spec
from evenstride.pipeline import analyze
from evenstride.preprocessing import label_samples


def _activity(channels, n, *, devices=(), cadence=True):
    t = np.arange(n, dtype=float)
    samples = {C.TIME_S: t, C.SPEED_M_S: np.full(n, 3.2), C.CONTACT_TIME_S: np.full(n, 0.25)}
    if cadence:
        samples[C.CADENCE_SPM] = np.full(n, 170.0)
    return Activity(samples, list(channels), ActivityMeta(path="hand", devices=list(devices)))


def _balance_channel(level, n, *, sd=0.3, seed=0):
    rng = np.random.default_rng(seed)
    bal = level + rng.normal(0, sd, n)
    gct = np.full(n, 0.25)
    return SidedChannel(C.M_CONTACT_TIME, C.SRC_RUNNING_DYNAMICS, "s",
                        left=2 * gct * bal / 100, right=2 * gct * (1 - bal / 100),
                        balance_left_pct=bal, derived_from_balance=True)


def _pods(metric, unit, left, right, n, *, sd, seed=1):
    rng = np.random.default_rng(seed)
    return SidedChannel(metric, C.SRC_RUNSCRIBE, unit, left=left + rng.normal(0, sd, n),
                        right=right + rng.normal(0, sd, n))


def _assess(act, drifts=None):
    g = label_samples(act)
    asym = [channel_asymmetry(act, ch, g) for ch in act.sided]
    return assess(asym, drifts or {}, CadenceSpeed(n_windows=0), [], gating=g, activity=act)


# --- registry: one place for "which side does more" ----------------------------------------------


def test_every_sided_metric_has_a_spec_with_a_cited_sid():
    assert set(METRICS) == set(C.SIDED_METRIC_UNITS)
    for s in METRICS.values():
        assert s.sid.value > 0 and s.sid.grade in ("V", "S", "U") and s.sid.source
        if s.sid.grade == "U":
            assert "engineering choice" in s.sid.source or "extrapolat" in s.sid.source
        assert "{side}" in s.more_words


def test_pronation_more_negative_is_more_pronation():
    p = spec(C.M_PRONATION_DEG)
    assert p.side_doing_more(-4.6) == "left" and p.side_doing_more(+3.0) == "right"
    # contact time: the larger value does more
    assert spec(C.M_CONTACT_TIME).side_doing_more(+0.01) == "left"


def test_left_pronating_more_is_called_left_in_every_sentence():
    n = 1500
    # RunScribe convention: negative = pronation; left −15.4°, right −10.8° → LEFT pronates more
    pron = _pods(C.M_PRONATION_DEG, "deg", -15.4, -10.8, n, sd=1.0)
    act = _activity([_balance_channel(50.0, n), pron], n)
    a = _assess(act)
    j = next(j for j in a.judgements if j.result.metric == C.M_PRONATION_DEG)
    assert j.result.difference == pytest.approx(-4.6, abs=0.15)
    assert j.result.larger_side == "right"  # numerically larger: −10.8 > −15.4
    assert j.to_dict()["side_doing_more"] == "left"
    f = next(f for f in a.findings if f.metric == C.M_PRONATION_DEG)
    assert "your left foot pronates more than the right" in f.sentence
    assert "right foot pronates more" not in f.sentence + f.title + f.text
    assert "RunScribe foot pods" in f.sentence and f.headline


# --- headlines -------------------------------------------------------------------------------


def _footstrike_drift():
    return DriftResult("footstrike_type/runscribe", "type (0–15)", 20, slope_per_h=-3.0,
                       slope_ci95=(-4.0, -2.0), first_quarter=9.0, last_quarter=6.5,
                       quarter_difference=-2.5, quarter_difference_ci95=(-3.2, -1.8),
                       adjusted_for=["speed"])


def test_contact_time_ranks_above_a_foot_strike_drift():
    # Before: "foot strike type changed" (priority 30) came before a typical, real contact-time
    # asymmetry (priority 40). Contact time is the primary side-to-side measure.
    n = 2400
    act = _activity([_balance_channel(51.5, n)], n, devices=["garmin hrm_pro"])
    a = _assess(act, {"footstrike_type/runscribe": _footstrike_drift()})
    order = [f.metric for f in a.findings]
    assert order.index(C.M_CONTACT_TIME) < order.index(C.M_FOOTSTRIKE)
    assert a.findings[0].sentence.startswith("Chest strap (HRM-Pro): your left foot stays on")


def test_at_most_five_headlines_each_one_sentence_naming_its_sensor():
    n = 2400
    chans = [_balance_channel(52.5, n, seed=3),
             _pods(C.M_CONTACT_TIME, "s", 0.262, 0.246, n, sd=0.004),
             _pods(C.M_IMPACT_G, "g", 10.0, 8.6, n, sd=0.5),
             _pods(C.M_BRAKING_G, "g", 8.5, 7.0, n, sd=0.5),
             _pods(C.M_PRONATION_DEG, "deg", -15.0, -10.0, n, sd=1.0),
             _pods(C.M_FOOTSTRIKE, "type (0–15)", 9.0, 5.0, n, sd=1.0),
             _pods(C.M_POWER, "W", 140.0, 120.0, n, sd=5.0)]
    act = _activity(chans, n, devices=["garmin fr965", "garmin hrm_pro"])
    a = _assess(act, {"footstrike_type/runscribe": _footstrike_drift()})
    assert len(a.findings) > MAX_HEADLINES
    heads = a.headlines
    assert 1 <= len(heads) <= MAX_HEADLINES
    scores = [f.score for f in a.findings]
    assert scores == sorted(scores, reverse=True)
    assert [f.rank for f in a.findings] == list(range(1, len(a.findings) + 1))
    for f in heads:
        assert f.sensor and f.sentence.startswith(f.sensor)
        body = f.sentence[len(f.sensor) + 1:]
        assert body.count(". ") == 0 and f.sentence.endswith(".")  # one sentence
    # two contact-time findings from different sensors: their titles differ and name the sensor
    titles = [f.title for f in a.findings if f.metric == C.M_CONTACT_TIME and f.topic ==
              "asymmetry"]
    assert len(titles) == 2 and len(set(titles)) == 2
    assert any("Chest strap (HRM-Pro)" in t for t in titles)
    assert any("RunScribe foot pods" in t for t in titles)


def test_real_but_trivial_effect_is_not_a_headline():
    # SA ≈ 0.5 %: statistically real (tiny noise) but below the 1.2 % SA SID
    n = 2400
    pods = _pods(C.M_IMPACT_G, "g", 10.0, 8.6, n, sd=0.5)
    act = _activity([_balance_channel(50.4, n, sd=0.1), pods], n)
    a = _assess(act)
    f = next(f for f in a.findings if f.metric == C.M_CONTACT_TIME)
    assert f.verdict == "real" and f.trivial and not f.headline
    assert f.effect_sids < 1.0 and "smallest important difference" in f.text
    assert [h.metric for h in a.headlines] == [C.M_IMPACT_G]
    # alone, it still leads (never empty) and says it is too small to matter
    alone = _assess(_activity([_balance_channel(50.4, n, sd=0.1)], n))
    assert alone.headlines[0].trivial
    assert "below the smallest difference that matters" in alone.headlines[0].sentence


def test_what_this_means_is_never_empty_without_cadence_or_sides():
    n = 900
    act = _activity([], n, cadence=False, devices=["garmin fr15"])
    act.samples.pop(C.CONTACT_TIME_S)
    a = analyze(act)
    d = a.to_dict()
    assert len(d["headline_findings"]) == 1
    s = d["headline_findings"][0]["sentence"]
    assert s.startswith("Watch (Garmin fr15):") and "nothing about left/right" in s


def test_real_file_without_cadence_gets_a_headline():
    path = shared_data_dir() / "goldencheetah" / "10kUNLP2014-Garmin15.fit"
    if not path.is_file():
        pytest.skip("shared data not available")
    d = analyze(path).to_dict()
    assert d["headline_findings"] and d["headline_findings"][0]["sentence"]


# --- sensors, disagreements, band ----------------------------------------------------------------


@pytest.mark.parametrize(("devices", "label"), [
    (["garmin fenix6x", "garmin hrm4_run", "stryd 1"], "Chest strap (HRM-Run)"),
    (["garmin fr945", "garmin hrm_tri"], "Chest strap (HRM-Tri)"),
    (["coros COROS APEX Pro"], "Watch or pod (COROS APEX Pro)"),
    ([], "Chest strap, pod or watch"),
])
def test_sensor_label_names_the_device(devices, label):
    assert sensor_label(C.SRC_RUNNING_DYNAMICS, devices) == label


def test_file_sensor_names_the_recording_device():
    assert file_sensor(["garmin fenix6x", "garmin hrm4_run"]) == "Watch (Garmin fenix6x)"
    assert file_sensor(["stryd 1", "garmin 3107"]) == "Stryd foot pod"
    assert file_sensor([]) == "This recording"


def test_disagreement_gives_the_gap_in_ms_and_who_measures_each_foot():
    n = 2400
    strap = _balance_channel(51.5, n)  # strap: left longer by ≈ 15 ms
    pods = _pods(C.M_CONTACT_TIME, "s", 0.245, 0.255, n, sd=0.004, seed=5)  # pods: right +10 ms
    act = _activity([strap, pods], n, devices=["garmin hrm_pro"])
    g = label_samples(act)
    res = [channel_asymmetry(act, ch, g) for ch in act.sided]
    dis = find_disagreements(res)
    assert len(dis) == 1 and dis[0].kind == "direction"
    d = dis[0]
    assert d.gap == pytest.approx((res[0].left - res[0].right) - (0.245 - 0.255), abs=0.002)
    assert d.gap == pytest.approx(0.025, abs=0.003)
    gap_ms = round(d.gap * 1000)
    assert f"a gap of {gap_ms} ms" in d.detail
    assert "RunScribe foot pods: a pod on each shoe measures each foot directly" in d.detail
    assert "infers each foot from torso movement" in d.detail
    assert d.to_dict()["measures_each_foot"] == [C.SRC_RUNSCRIBE]
    a = _assess(act)
    f = next(f for f in a.findings if f.topic == "disagreement")
    assert f"by {gap_ms} ms" in f.sentence and "measure each foot directly" in f.sentence


def test_foot_pod_contact_time_is_never_graded_with_garmin_zones():
    n = 2400
    pods = _pods(C.M_CONTACT_TIME, "s", 0.258, 0.246, n, sd=0.004)
    act = _activity([pods], n)
    r = channel_asymmetry(act, pods, label_samples(act))
    j = judge_asymmetry(r)
    d = j.to_dict()
    text = " ".join([j.reason, j.band.basis, j.evidence.note, *j.evidence.sources])
    assert "Garmin" not in text and d["garmin_context"] is None
    assert d["band"]["typical_max"] == pytest.approx(2.3)


def test_missing_channel_is_said_in_the_finding():
    n = 3000
    ch = _balance_channel(52.5, n)
    gap = np.zeros(n, bool)
    gap[600:1500] = True  # 30 % of the run has no balance
    for arr in (ch.left, ch.right, ch.balance_left_pct):
        arr[gap] = np.nan
    act = _activity([ch], n)
    a = _assess(act)
    j = a.judgements[0]
    assert j.missing_share == pytest.approx(0.30, abs=0.03) and j.missing_share > \
        MISSING_SHARE_NOTE
    f = next(f for f in a.findings if f.metric == C.M_CONTACT_TIME)
    assert re.search(r"missing in (29|30|31) % of steady running", f.sentence)
    # a complete channel says nothing about missing data
    full = _assess(_activity([_balance_channel(52.5, n)], n))
    assert "missing" not in full.findings[0].sentence


def test_real_treadmill_file_with_sparse_balance_says_so():
    path = shared_data_dir() / "sports-lib" / "run_6860622783_fr945_treadmill.fit"
    if not path.is_file():
        pytest.skip("shared data not available")
    d = analyze(path).to_dict()
    a = d["asymmetry"][0]
    assert a["missing_share"] > 0.8
    f = next(f for f in d["findings"] if f["metric"] == C.M_CONTACT_TIME and f["topic"] ==
             "asymmetry")
    assert "missing in" in f["sentence"]


def test_garmin_percentiles_never_grade_per_foot_contact_time_in_form():
    n = 2400
    pods_only = analyze(_activity([_pods(C.M_CONTACT_TIME, "s", 0.25, 0.25, n, sd=0.004)], n))
    strap = analyze(_activity([_balance_channel(50.0, n)], n))

    def graded(res):
        return [f for f in res.assessment.findings
                if f.metric == C.CONTACT_TIME_S and "Garmin users" in f.text]

    assert graded(strap) and not graded(pods_only)


def test_drift_verdict_cant_tell_is_never_called_stable():
    d = _footstrike_drift()
    d.slope_ci95 = (-9.0, 9.0)
    d.verdict = "cant_tell"  # the statistics' verdict, when they give one
    d.verdict_reason = "only 4 effective windows"
    a = assess([], {"contact_time/running_dynamics": d}, CadenceSpeed(n_windows=0), [])
    f = a.findings[0]
    assert f.verdict == "cant_tell" and "stable" not in f.sentence
    assert "can't tell" in f.sentence and "only 4 effective windows" in f.sentence


def test_asymmetry_reads_the_statistics_verdict_when_given():
    n = 2400
    ch = _balance_channel(52.0, n)
    act = _activity([ch], n)
    r = channel_asymmetry(act, ch, label_samples(act))
    assert judge_asymmetry(r).cls == "notable"  # derived from .real without a verdict field
    r.verdict = "cant_tell"
    r.verdict_reason = "effective sample size 6: too few for an interval"
    j = judge_asymmetry(r)
    assert j.cls == "insufficient data" and j.reason == r.verdict_reason
    assert j.to_dict()["verdict"] == "cant_tell"


def test_tables_name_no_side_when_the_difference_is_not_real():
    from evenstride.report import render_report

    n = 2400
    act = _activity([_balance_channel(50.0, n, sd=0.6)], n, devices=["garmin hrm_pro"])
    res = analyze(act)
    assert res.to_dict()["asymmetry"][0]["verdict"] == "not_detected"
    html = render_report(res)
    assert "neither (not real for this run)" in html
    assert "your left foot stays on the ground longer" not in html
    assert "your right foot stays on the ground longer" not in html


def test_a_real_disagreement_below_the_sid_is_described_not_a_headline():
    """The demo's strap and pods differ by ~0.5 % SA (4 ms): beyond both sensors' noise, but
    below contact time's smallest important difference (1.2 % SA), so it must not lead."""
    n = 2400
    strap = _balance_channel(51.6, n)  # ≈ 2.0 % SA
    pods = _pods(C.M_CONTACT_TIME, "s", 0.2581, 0.2461, n, sd=0.004, seed=5)  # ≈ 1.5 % SA
    act = _activity([strap, pods], n, devices=["garmin hrm_pro"])
    g = label_samples(act)
    a, b = (channel_asymmetry(act, ch, g) for ch in act.sided)
    a.disagreement_verdicts[b.key] = "real"  # as the run's family-wise step decided
    assert a.real and b.real and a.index_value is not None and b.index_value is not None
    assert abs(a.index_value - b.index_value) < spec(C.M_CONTACT_TIME).sid.value
    (d,) = find_disagreements([a, b])
    assert d.kind == "magnitude" and d.trivial
    assert d.to_dict()["below_smallest_important_difference"] is True
    # a gap of 2.5 % SA is not trivial
    a2 = channel_asymmetry(act, _balance_channel(53.2, n), g)
    a2.disagreement_verdicts[b.key] = "real"
    (d2,) = find_disagreements([a2, b])
    assert d2.kind == "magnitude" and not d2.trivial
