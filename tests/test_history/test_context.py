# SPDX-License-Identifier: MIT
"""Per-run context (evenstride.metrics.context): track detection, route shape, turning, camber
exposure, TRIMP and RMSSD — on simulated runs with known geometry and on the shared real files
(none of which is a track session)."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta
from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.io import read_activity
from evenstride.metrics.context import ContextParams, run_context
from evenstride.metrics.hrv import hrv_summary, rmssd_ms
from evenstride.metrics.load import trimp_from_histogram
from evenstride.pipeline import analyze
from evenstride.preprocessing import label_samples
from evenstride.simulate import simulate_run


def _ctx(act: Activity, **kw):
    return run_context(act, label_samples(act), ContextParams(**kw))


@pytest.fixture(scope="module")
def sims() -> dict[str, Activity]:
    return {
        r: simulate_run(duration_s=1500, seed=11, route=r, include_stryd=False).activity
        for r in ("loop", "track", "out_and_back", "treadmill")
    }


def test_simulated_routes_are_classified(sims):
    got = {r: _ctx(a) for r, a in sims.items()}
    assert got["track"].track["is_track"] and got["track"].track["detected_by"] == "gps"
    assert got["track"].track["direction"] == "counter-clockwise"
    assert got["track"].track["laps"] == pytest.approx(sims["track"].distance_m / 400.0, abs=0.3)
    assert [got[r].route_shape for r in ("loop", "track", "out_and_back", "treadmill")] == [
        "loop",
        "track",
        "out_and_back",
        "treadmill",
    ]
    assert [got[r].surface for r in ("loop", "track", "out_and_back", "treadmill")] == [
        "road",
        "track",
        "road",
        "treadmill",
    ]
    for r in ("loop", "out_and_back", "treadmill"):
        assert got[r].track["is_track"] is False and got[r].track["reason"]
    # the 2,966 m loop has more left than right bends (251 vs 94 m per lap); the out-and-back
    # retraces its bends with the opposite sign
    assert got["loop"].turning["left_share_pct"] > 60.0
    assert got["out_and_back"].turning["left_share_pct"] == pytest.approx(50.0, abs=5.0)
    assert got["track"].turning["left_share_pct"] > 95.0
    assert got["treadmill"].turning["left_s"] is None
    assert got["treadmill"].grade_exposure["ascent_m"] is None
    g = got["loop"].grade_exposure
    assert g["uphill_s"] > 0 and g["downhill_s"] > 0 and g["ascent_m"] > 10.0


def test_clockwise_track_and_a_too_long_loop(sims):
    act = sims["track"]
    lon = act.samples[consts.LON_DEG]
    lon0 = float(np.nanmedian(lon))
    cw = Activity(
        samples={**act.samples, consts.LON_DEG: 2.0 * lon0 - lon}, sided=act.sided, meta=act.meta
    )
    c = _ctx(cw)
    assert c.track["is_track"] and c.track["direction"] == "clockwise"
    assert c.turning["left_share_pct"] < 5.0
    # the same oval 60 % larger in every direction (and in distance): a 640 m loop with 135 m
    # straights and 59 m bends is not a track (a 10 % larger one, 440 m, is: an outer lane's
    # GPS laps read 440-460 m, issue 10)
    lat = act.samples[consts.LAT_DEG]
    lat0 = float(np.nanmedian(lat))
    big = Activity(
        samples={
            **act.samples,
            consts.LAT_DEG: lat0 + 1.6 * (lat - lat0),
            consts.LON_DEG: lon0 + 1.6 * (lon - lon0),
            consts.DISTANCE_M: 1.6 * act.samples[consts.DISTANCE_M],
        },
        sided=act.sided,
        meta=dataclasses.replace(act.meta, sub_sport=None),  # the simulator writes "track"
    )
    c = _ctx(big)
    assert c.track["is_track"] is False
    assert c.track["reason"].startswith("not a track")
    assert c.track["bend_radius_m"] > 52.0 or c.track["straight_m"] > 105.0


def test_track_from_sub_sport_without_gps(sims):
    act = sims["track"]
    samples = {k: v for k, v in act.samples.items() if k not in (consts.LAT_DEG, consts.LON_DEG)}
    meta = ActivityMeta(sub_sport="track", start_time=act.meta.start_time)
    c = _ctx(Activity(samples=samples, sided=act.sided, meta=meta))
    assert c.track["is_track"] and c.track["detected_by"] == "sub_sport"
    assert c.track["direction"] is None and c.surface == "track"
    assert c.track["laps"] == pytest.approx(act.distance_m / 400.0, abs=0.5)


@pytest.mark.parametrize(
    ("route", "side", "crosses", "left"),
    [
        ("loop", "left", False, 100.0),
        ("loop", "right", False, 0.0),
        ("out_and_back", "left", False, 50.0),
        ("out_and_back", "left", True, 100.0),
        ("out_and_back", "right", False, 50.0),
    ],
)
def test_camber_exposure_model(sims, route, side, crosses, left):
    c = _ctx(sims[route], declared_road_side=side, crosses_at_turnaround=crosses)
    cam = c.camber_exposure
    assert cam["left_foot_low_pct"] == pytest.approx(left, abs=3.0)
    assert cam["left_foot_low_pct"] + cam["right_foot_low_pct"] == pytest.approx(100.0)
    assert cam["evidence"]["grade"] == "U"


def test_no_camber_on_track_or_treadmill_or_without_a_side(sims):
    for r in ("track", "treadmill"):
        cam = _ctx(sims[r], declared_road_side="left").camber_exposure
        assert cam["road_running_s"] == 0.0 and cam["left_foot_low_pct"] is None
        assert "no road camber" in cam["reason"]
    cam = _ctx(sims["loop"]).camber_exposure
    assert cam["left_foot_low_pct"] is None and cam["same_side_as_start_pct"] == 100.0
    with pytest.raises(ValueError, match="declared_road_side"):
        ContextParams(declared_road_side="middle")


def test_trimp_formula_and_load(sims):
    # 45 min at 150 bpm, rest 60, max 190: 45 · x · 0.64 · e^(1.92x), x = 90/130
    x = 90.0 / 130.0
    want = 45.0 * x * 0.64 * math.exp(1.92 * x)
    assert trimp_from_histogram(150, [2700.0], hr_rest_bpm=60, hr_max_bpm=190) == pytest.approx(
        want
    )
    fem = trimp_from_histogram(150, [2700.0], hr_rest_bpm=60, hr_max_bpm=190, sex="female")
    assert fem == pytest.approx(45.0 * x * 0.86 * math.exp(1.67 * x))
    load = _ctx(sims["loop"]).load
    h = load["hr_histogram"]
    again = trimp_from_histogram(h["start_bpm"], h["seconds"], hr_rest_bpm=60, hr_max_bpm=190)
    assert load["trimp"] == pytest.approx(again, abs=0.1)
    assert load["trimp_params"]["hr_max_source"] == "default"
    assert load["median_speed_m_s"] == pytest.approx(3.2, abs=0.1)
    given = _ctx(sims["loop"], hr_rest_bpm=50.0, hr_max_bpm=200.0).load
    assert given["trimp_params"]["hr_rest_source"] == "given"
    assert given["trimp"] != load["trimp"]
    no_hr = {k: v for k, v in sims["loop"].samples.items() if k != consts.HEART_RATE_BPM}
    load = _ctx(Activity(no_hr, sims["loop"].sided, sims["loop"].meta)).load
    assert load["trimp"] is None and load["trimp_reason"] == "no heart rate"


def test_rmssd_hand_computed_and_artefacts():
    rr = np.array([0.80, 0.82] * 20)
    assert rmssd_ms(rr)[0] == pytest.approx(20.0)
    with_artefact = rr.copy()
    with_artefact[10] = 1.6  # a missed beat: rejected, and no difference spans it
    value, n_ok, n_bad = rmssd_ms(with_artefact)
    assert value == pytest.approx(20.0) and n_bad == 1 and n_ok == 39
    assert rmssd_ms(np.array([0.8, 0.82]))[0] is None


def test_rmssd_not_available_without_rr(sims):
    h = _ctx(sims["loop"]).hrv_rmssd_ms
    assert h["in_run"] is None and h["resting"] is None
    assert h["reason"] == "no R-R intervals in the file"


def test_resting_recording_gives_resting_rmssd():
    n = 300
    t = np.arange(n, dtype=float)
    samples = {
        consts.TIME_S: t,
        consts.SPEED_M_S: np.zeros(n),
        consts.HEART_RATE_BPM: np.full(n, 55.0),
    }
    rr = 1.0 + 0.03 * (-1.0) ** np.arange(300)
    act = Activity(samples=samples, meta=ActivityMeta(extra={"rr_intervals_s": rr}))
    h = hrv_summary(act, label_samples(act))
    assert h["resting"] == pytest.approx(60.0) and h["in_run"] is None


def test_pipeline_document_has_the_context_key(sims):
    doc = analyze(sims["out_and_back"], context_params=ContextParams(declared_road_side="left"))
    d = doc.to_dict()
    c = json.loads(json.dumps(d["context"], allow_nan=False))
    assert c["route_shape"] == "out_and_back" and c["surface"] == "road"
    assert c["camber_exposure"]["declared_road_side"] == "left"
    assert set(c) >= {
        "surface",
        "route_shape",
        "track",
        "turning",
        "grade_exposure",
        "camber_exposure",
        "load",
        "hrv_rmssd_ms",
    }


# --- real recordings ------------------------------------------------------------------------------
def _real_files() -> list[str]:
    root = shared_data_dir()
    if not root.is_dir():
        return []
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.suffix.lower() in (".fit", ".tcx", ".gpx")
    )


def _read(rel: str) -> Activity | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        try:
            return read_activity(shared_data_dir() / rel)
        except UserInputError:
            return None


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", _real_files())
def test_no_shared_file_is_a_track_session(shared_data, rel):
    act = _read(rel)
    if act is None:
        pytest.skip("not a readable running file")
    c = run_context(act, label_samples(act))
    assert c.track["is_track"] is False, c.track
    assert c.surface in ("road", "trail", "treadmill")
    json.dumps(c.to_dict(), allow_nan=False)


@pytest.mark.shared_data
def test_park_loops_are_loops_not_a_track(shared_data):
    act = _read("runpandas/2020-12-04T19_09_21-300_Running.tcx")
    c = run_context(act, label_samples(act))
    assert c.route_shape == "loop" and c.track["is_track"] is False
    assert "area" in c.track["reason"] or c.track["reason"].startswith("not a track")


@pytest.mark.shared_data
def test_rr_intervals_and_in_run_rmssd_from_real_files(shared_data):
    act = _read("goldencheetah/HRV-Data.fit")
    rr = act.meta.extra["rr_intervals_s"]
    assert len(rr) > 4000 and np.all(np.isfinite(rr))
    assert rr.min() >= 0.3 and rr.max() <= 2.0
    h = hrv_summary(act, label_samples(act))
    assert h["resting"] is None and 2.0 < h["in_run"] < 60.0
    assert "not resting HRV" in h["reason"]
    move = _read("goldencheetah/Move_2020_01_15_19_27_16_Running.fit")
    h = hrv_summary(move, label_samples(move))
    assert move.meta.extra["rr_intervals_s"].size > 1000
    assert h["resting"] is None and 2.0 < h["in_run"] < 150.0
    plain = _read("goldencheetah/Garmin920_withFirstbeat.fit")
    assert "rr_intervals_s" not in plain.meta.extra
