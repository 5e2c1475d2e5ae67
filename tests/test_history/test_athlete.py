# SPDX-License-Identifier: MIT
"""End to end: a generated athlete (23 weeks, 92 simulated and analysed runs, ``_athlete``) with a
planted device change, a planted real change, a load spike, a shoe switch and track weeks. The
history must recover each of them, attribute the device step to the device, and flag nothing
else."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import _athlete as A
import pytest

from evenstride.history import History, RunRecord, ShoeInfo, build_history
from evenstride.metrics.symmetry import symmetry_angle_from_balance

KEY = "contact_time/running_dynamics"


# --- the athlete, generated once per test session -------------------------------------------------
# The documents are cached in the session's temp folder (shared by the pytest-xdist workers, with a
# file lock), so the 92 runs are simulated and analysed once however the tests are distributed.
@contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: every worker builds its own copy
        yield
        return
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def athlete_docs(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The 92 ``evenstride.run/1`` documents of the generated athlete (see ``_athlete``)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    cache = root / "evenstride_history_athlete.json"
    with _locked(root / "evenstride_history_athlete.lock"):
        if cache.is_file():
            return json.loads(cache.read_text())
        docs = A.generate()
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(docs))
        tmp.replace(cache)
        return docs


@pytest.fixture(scope="module")
def athlete_runs(athlete_docs: list[dict]) -> list[RunRecord]:
    return [
        RunRecord.from_run_doc(d, activity_id=d["_plan"]["activity_id"], gear=d["_plan"]["gear"])
        for d in athlete_docs
    ]


@pytest.fixture(scope="module")
def athlete_history(athlete_runs: list[RunRecord]) -> History:
    return build_history(
        athlete_runs,
        declared_road_side="left",
        shoes=[ShoeInfo("Pegasus 40", type="daily trainer", drop_mm=10.0, retire_km=150.0)],
    )


@pytest.fixture(scope="module")
def athlete_doc(athlete_history: History) -> dict:
    return athlete_history.to_dict()


def _day(n: int) -> date:
    return (A.START + timedelta(days=n)).date()


def _sa(balance: float) -> float:
    return float(symmetry_angle_from_balance(balance))


def test_every_run_is_analysed_with_context(athlete_docs):
    assert len(athlete_docs) == 92
    for d in athlete_docs:
        assert d["schema"] == "evenstride.run/1"
        assert d["context"]["load"]["trimp"] > 0
        assert any(a["metric"] == "contact_time" for a in d["asymmetry"])


def test_track_sessions_are_detected_counter_clockwise(athlete_docs):
    for d in athlete_docs:
        c = d["context"]
        planned_track = A.plan()[d["_plan"]["activity_id"] - 1].route == "track"
        assert c["track"]["is_track"] is planned_track
        if planned_track:
            assert c["surface"] == "track" and c["route_shape"] == "track"
            assert c["track"]["direction"] == "counter-clockwise"
            assert c["track"]["detected_by"] == "gps"
            assert abs(c["track"]["lap_length_m"] - 400.0) <= 5.0
            assert c["turning"]["left_share_pct"] > 95.0


def test_route_shapes_and_surfaces(athlete_docs):
    plan = A.plan()
    for d in athlete_docs:
        r = plan[d["_plan"]["activity_id"] - 1]
        c = d["context"]
        if r.route == "treadmill":
            assert (c["surface"], c["route_shape"]) == ("treadmill", "treadmill")
        elif r.route == "out_and_back":
            assert (c["surface"], c["route_shape"]) == ("road", "out_and_back")
        elif r.route == "loop":
            assert c["surface"] == ("trail" if r.sub_sport == "trail" else "road")
            assert c["route_shape"] == "loop"


def test_baseline_levels_match_the_planted_balances(athlete_doc):
    m = athlete_doc["metrics"][KEY]
    levels = [g["mean_balance_left_pct"] for g in m["regimes"]]
    assert [g["reason"] for g in m["regimes"]] == [
        "first run",
        "device change",
        "change in the runner",
    ]
    expected = [
        A.BASE_BALANCE,
        A.BASE_BALANCE + A.DEVICE_OFFSET,
        A.BASE_BALANCE + A.DEVICE_OFFSET + A.SHIFT,
    ]
    for got, want in zip(levels, expected, strict=True):
        assert got == pytest.approx(want, abs=0.2)
    cur = m["current"]
    assert cur["status"] == "stable"
    assert cur["baseline"]["balance_left_pct"] == pytest.approx(expected[-1], abs=0.2)
    assert cur["baseline"]["n_runs"] >= 10


def test_noise_floor_matches_the_day_to_day_variation(athlete_doc):
    nf = athlete_doc["metrics"][KEY]["noise_floor"]
    # planted day-to-day SD 0.3 %-points of balance ≈ 0.38 % SA, plus within-run sampling error
    sd_sa = _sa(50.0 + A.DAY_SD)
    assert 0.7 * sd_sa < nf["typical_error"] < 1.4 * sd_sa
    assert nf["mdc95"] == pytest.approx(1.96 * math.sqrt(2) * nf["typical_error"], abs=2e-3)
    # within-run SEs include the real-file persistence floor since issue 10 (more honest, larger)
    assert nf["within_run_se"] < 0.6 * nf["typical_error"]


def test_the_planted_real_change_is_found_once_with_its_date(athlete_doc):
    changes = athlete_doc["changes"]
    assert len(changes) == 1, changes
    c = changes[0]
    assert c["kind"] == "runner" and c["metric"] == KEY
    started = date.fromisoformat(c["started"])
    assert _day(A.SHIFT_DAY) <= started <= _day(A.SHIFT_DAY + 7)
    lo, hi = (date.fromisoformat(x) for x in c["started_ci95"])
    assert lo <= started <= hi and (hi - lo).days <= 21
    assert date.fromisoformat(c["last_run_before"]) < _day(A.SHIFT_DAY)
    assert c["shift_balance_pct"] == pytest.approx(A.SHIFT, abs=0.3)
    assert c["shift"] > c["mdc95"]
    assert c["shift_ci95"][0] > 0
    assert c["evidence"]["grade"] in "VSU"


def test_the_sensor_change_is_attributed_to_the_device_not_the_runner(athlete_doc):
    dc = athlete_doc["device_changes"]
    assert len(dc) == 1
    ch = dc[0]
    assert date.fromisoformat(ch["date"]) == _day(A.DEVICE_DAY + 1)  # first run with the new set
    assert ch["baseline_restarts"] is True
    (step,) = ch["steps"]
    assert step["attributed_to_device"] is True
    assert abs(step["located_offset_runs"]) <= 2
    assert step["step"] == pytest.approx(_sa(50.0 + A.DEVICE_OFFSET), abs=0.35)
    assert step["step_ci95"][0] > 0
    # no change in the runner anywhere near the device change
    for c in athlete_doc["changes"]:
        assert abs((date.fromisoformat(c["started"]) - _day(A.DEVICE_DAY)).days) > 21


def test_load_spike_is_flagged_with_its_band_and_nothing_else(athlete_doc):
    load = athlete_doc["load"]
    flags = load["longest_run_flags"]
    assert len(flags) == 1, flags
    f = flags[0]
    assert date.fromisoformat(f["date"]) == _day(7 * A.SPIKE_WEEK + 6)
    assert f["band"] == ">30–100 %"
    assert f["excess_pct"] == pytest.approx(50.0, abs=8.0)
    assert f["hazard_rate_ratio"] == 1.52
    assert load["weekly_ramp_flags"] == []
    assert load["measure"] == "trimp"
    assert 0.5 < load["current"]["acwr_ewma"] < 2.0
    text = json.dumps(load).lower()
    assert "safe" not in text and "danger" not in text
    assert "Impellizzeri" in load["acwr_caveat"] and "Frandsen" in load["acwr_caveat"]
    assert len(load["daily"]) == 7 * A.WEEKS - 1  # Tuesday of week 0 to Sunday of the last week


def test_shoes_use_rotation_and_matched_asymmetry(athlete_doc):
    shoes = athlete_doc["shoes"]
    pairs = {p["name"]: p for p in shoes["pairs"]}
    assert set(pairs) == {"Pegasus 40", "Novablast 4", "Vaporfly 3"}
    assert pairs["Novablast 4"]["first_used"] == _day(A.SHOE_SWITCH_DAY + 1).isoformat()
    assert pairs["Pegasus 40"]["last_used"] < pairs["Novablast 4"]["first_used"]
    assert pairs["Vaporfly 3"]["runs"] == len(A.TRACK_WEEKS)
    assert pairs["Pegasus 40"]["attributes"]["drop_mm"] == 10.0
    assert shoes["rotation"]["pairs"] == ["Novablast 4", "Vaporfly 3"]
    (rem,) = shoes["retirement_reminders"]
    assert rem["name"] == "Pegasus 40"
    assert rem["distance_km"] >= rem["retire_km"] == 150.0
    assert "no injury-outcome evidence" in rem["sentence"]
    assert "no injury-outcome evidence" in rem["evidence"]["note"]
    assert rem["evidence"]["grade"] == "S"
    asym = shoes["asymmetry"][KEY]
    peg = asym["shoes"]["Pegasus 40"]
    # no planted shoe effect: the matched difference is small and its interval includes 0
    assert abs(peg["adjusted_difference"]) < 0.4
    assert peg["ci95"][0] < 0 < peg["ci95"][1]
    # the track-only racing shoe has no comparable runs in another shoe
    assert asym["shoes"]["Vaporfly 3"]["adjusted_difference"] is None
    # the raw means are confounded by the device change and the real change: Pegasus was only
    # worn before them
    assert asym["shoes"]["Novablast 4"]["mean"] - peg["mean"] > 1.0


def test_surface_direction_and_camber_per_week(athlete_doc):
    s = athlete_doc["surface"]
    weeks = {w["week"]: w for w in s["weekly"]}
    monday = [(A.START + timedelta(days=7 * k)).date().isoformat() for k in range(A.WEEKS)]
    for k in range(A.WEEKS):
        w = weeks[monday[k]]
        assert w["track_sessions"] == (1 if k in A.TRACK_WEEKS else 0)
        assert (w["surface_share_pct"]["trail"] > 0) == (k in A.TRAIL_WEEKS)
        assert (w["surface_share_pct"]["treadmill"] > 0) == (k in A.TREADMILL_WEEKS)
        assert w["easy_track_runs"] == (1 if k == A.EASY_TRACK_WEEK else 0)
        if k in A.TRACK_WEEKS:
            assert w["track_directions"]["counter-clockwise"] == 1
        cam = w["camber_exposure"]
        # loops on the left side: the left foot is low; the out-and-back balances itself
        assert 70.0 < cam["left_foot_low_pct"] <= 100.0
    assert s["track"]["sessions"] == 3 and s["track"]["counter_clockwise"] == 3
    assert s["track"]["easy_runs"] == 1
    assert s["turning_balance"]["track_only"]["left_share_pct"] > 95.0
    assert s["camber_exposure"]["evidence"]["grade"] == "U"
    assert s["camber_exposure"]["left_foot_low_pct"] > 80.0


def test_context_effects_recover_the_planted_bend_and_grade_effects(athlete_doc):
    ce = athlete_doc["metrics"][KEY]["context_effects"]
    bend = _sa(50.0 + 0.6)
    assert ce["bend_left_minus_straight"]["mean"] == pytest.approx(bend, abs=0.2)
    assert ce["bend_right_minus_straight"]["mean"] == pytest.approx(-bend, abs=0.2)
    assert ce["uphill_minus_flat"]["ci95"][0] > 0
    assert ce["downhill_minus_flat"]["ci95"][1] < 0
    sc = athlete_doc["metrics"][KEY]["speed_curve"]
    road_bins = [b for b in sc["across_runs"] if b["speed_to_m_s"] <= 3.5]
    assert all(abs(b["mean_relative"]) < 0.3 for b in road_bins)


def test_links_are_reported_as_associations(athlete_doc):
    links = {lk["comparison"]: lk for lk in athlete_doc["links"] if lk["metric"] == KEY}
    assert set(links) == {"after_load_spike", "after_shoe_switch", "track_weeks", "camber_weeks"}
    for lk in links.values():
        assert lk["diff"] is not None
        assert lk["n_a"] > 0 and lk["n_b"] > 0
        assert "association" in lk["sentence"] and "not proof" in lk["sentence"]
        assert lk["evidence"]["grade"] == "U"
        # nothing was planted: every interval includes no difference
        assert lk["ci95"][0] <= 0 <= lk["ci95"][1], lk["sentence"]
    assert links["after_load_spike"]["n_spikes"] == 1
    assert links["track_weeks"]["n_track_weeks"] == 3


def test_hrv_is_not_available_without_resting_recordings(athlete_doc):
    hrv = athlete_doc["hrv"]
    assert hrv["resting"]["available"] is False
    assert "not available" in hrv["resting"]["reason"]


def _walk(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield path + "/" + str(k), k, v
            yield from _walk(v, path + "/" + str(k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _walk(v, f"{path}[{i}]")


def test_history_document_is_strict_json_with_evidence_everywhere(athlete_doc):
    text = json.dumps(athlete_doc, allow_nan=False)
    back = json.loads(text)
    assert back["schema"] == "evenstride.history/1"
    for key in (
        "runs",
        "metrics",
        "changes",
        "device_changes",
        "load",
        "shoes",
        "surface",
        "links",
        "hrv",
        "evidence_grades",
    ):
        assert key in back
    grades = [
        v["grade"]
        for _p, k, v in _walk(back)
        if (k == "evidence" or k.endswith("_evidence")) and isinstance(v, dict)
    ]
    assert len(grades) > 20 and set(grades) <= {"V", "S", "U"}
