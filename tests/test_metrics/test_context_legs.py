# SPDX-License-Identifier: MIT
"""Multisport and paused files (issue 10, item 5): running legs reported one by one, drift within
a leg (never across the bike), load on moving time.

A run–bike–run is written with the FIT writer from two simulated runs and a bike leg built here,
and read back through the real FIT reader; real triathlon files come from ../shared/data.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import read_bytes
from evenstride.io._fit_writer import SessionSpec, encode_activity_fit
from evenstride.metrics.load import load_summary
from evenstride.pipeline import analyze
from evenstride.preprocessing import label_samples
from evenstride.simulate import simulate_run

RUN1_S, BIKE_S, RUN2_S = 1800, 2400, 1200
BIKE_M_S = 8.0


def _shift(act: Activity, dt_s: float, d0_m: float) -> Activity:
    s = dict(act.samples)
    s[consts.TIME_S] = s[consts.TIME_S] + dt_s
    s[consts.TIMESTAMP_S] = s[consts.TIMESTAMP_S] + dt_s
    s[consts.DISTANCE_M] = s[consts.DISTANCE_M] + d0_m
    return Activity(s, act.sided, act.meta)


def _bike(t0_s: float, ts0: float, d0_m: float, like: Activity) -> Activity:
    n = BIKE_S
    t = t0_s + np.arange(n, dtype=float)
    s = {k: np.full(n, np.nan) for k in like.samples}
    s[consts.TIME_S] = t
    s[consts.TIMESTAMP_S] = ts0 + np.arange(n, dtype=float)
    s[consts.DISTANCE_M] = d0_m + BIKE_M_S * np.arange(n)
    s[consts.SPEED_M_S] = np.full(n, BIKE_M_S)
    s[consts.CADENCE_SPM] = np.full(n, 88.0)  # crank rpm: written unchanged in a bike session
    s[consts.HEART_RATE_BPM] = np.full(n, 140.0)
    s[consts.LAT_DEG] = 47.0 + np.arange(n) * BIKE_M_S / 111_195.0
    s[consts.LON_DEG] = np.full(n, 8.2)
    nan = np.full(n, np.nan)
    sided = [
        dataclasses.replace(
            ch,
            left=None if ch.left is None else nan,
            right=None if ch.right is None else nan,
            balance_left_pct=None if ch.balance_left_pct is None else nan,
        )
        for ch in like.sided
    ]
    return Activity(s, sided, like.meta)


def _concat(parts: list[Activity], segments: list[Segment]) -> Activity:
    keys = set().union(*(p.samples for p in parts))
    samples = {
        k: np.concatenate([p.column(k) for p in parts]) for k in keys
    }
    sided = []
    for i, ch in enumerate(parts[0].sided):

        def cat(attr: str, i: int = i) -> np.ndarray | None:
            vals = [getattr(p.sided[i], attr) for p in parts]
            return None if vals[0] is None else np.concatenate(vals)

        sided.append(
            dataclasses.replace(
                ch, left=cat("left"), right=cat("right"), balance_left_pct=cat("balance_left_pct")
            )
        )
    meta = dataclasses.replace(parts[0].meta, segments=segments)
    return Activity(samples, sided, meta)


@pytest.fixture(scope="module")
def run_bike_run() -> bytes:
    return run_bike_run_fit()


def run_bike_run_fit() -> bytes:
    """Run 30 min at 50 % left GCT, bike 40 min, run 20 min at 53.5 % left: no drift in a leg."""
    kw = dict(drift_pct_per_h=0.0, drift_onset_s=None, stops=0, hills=False, include_stryd=False,
              dropouts_fraction=0.0, route="loop",
              # the old gentle noise: this test checks point recovery of a zero slope within a
              # leg, not the calibration (tests/test_metrics/test_calibration.py does that)
              balance_noise_phi=0.9, balance_noise_slow_share=0.0, balance_noise_sd_pct=0.4)
    r1 = simulate_run(duration_s=RUN1_S, seed=21, balance_left_pct=50.0, **kw).activity
    r2 = simulate_run(duration_s=RUN2_S, seed=22, balance_left_pct=53.5, **kw).activity
    d1 = float(np.nanmax(r1.column(consts.DISTANCE_M))) + 3.0
    ts0 = float(r1.samples[consts.TIMESTAMP_S][0])
    bike = _bike(RUN1_S, ts0 + RUN1_S, d1, r1)
    d2 = d1 + BIKE_M_S * BIKE_S
    r2 = _shift(r2, RUN1_S + BIKE_S, d2)
    r2.samples[consts.TIMESTAMP_S] = ts0 + r2.samples[consts.TIME_S]
    segs = [
        Segment("running", None, 0.0, RUN1_S - 1.0, True),
        Segment("cycling", None, RUN1_S, RUN1_S + BIKE_S - 1.0, False),
        Segment("running", None, RUN1_S + BIKE_S, RUN1_S + BIKE_S + RUN2_S - 1.0, True),
    ]
    act = _concat([r1, bike, r2], segs)
    sessions = [SessionSpec(s.sport, s.sub_sport, s.start_s, s.end_s) for s in segs]
    return encode_activity_fit(act, sessions=sessions)


def _analyze(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return analyze(read_bytes(data, path="run_bike_run.fit"))


def test_run_bike_run_reports_each_running_leg(run_bike_run: bytes) -> None:
    a = _analyze(run_bike_run)
    d = a.to_dict()
    assert [s["sport"] for s in d["segments"]] == ["running", "cycling", "running"]
    legs = d["context"]["legs"]
    assert [leg["leg"] for leg in legs] == [1, 2]
    assert legs[0]["start_s"] == 0.0 and legs[1]["start_s"] == RUN1_S + BIKE_S
    assert legs[0]["elapsed_s"] == pytest.approx(RUN1_S - 1, abs=2)
    assert legs[1]["elapsed_s"] == pytest.approx(RUN2_S - 1, abs=2)
    speed = 3.2
    assert legs[0]["distance_m"] == pytest.approx(speed * RUN1_S, rel=0.08)
    assert legs[1]["distance_m"] == pytest.approx(speed * RUN2_S, rel=0.08)
    assert legs[1]["start_time"] > legs[0]["start_time"]
    # the run's duration and distance, and its load: the bike is not in them
    assert d["duration_s"] == pytest.approx(RUN1_S + RUN2_S, abs=3)
    assert d["distance_m"] == pytest.approx(legs[0]["distance_m"] + legs[1]["distance_m"], abs=1)
    load = d["context"]["load"]
    assert load["moving_s"] == pytest.approx(RUN1_S + RUN2_S, rel=0.02)
    assert load["distance_m"] == pytest.approx(d["distance_m"], abs=1)
    assert load["elapsed_s"] == pytest.approx(d["duration_s"], abs=1)
    # per-km labels start again at each leg (not at the swim+bike distance)
    km = d["profile_km"]
    for leg in (1, 2):
        rows = [r for r in km if r["leg"] == leg]
        assert rows and rows[0]["start"] < 100.0
        assert rows[-1]["end"] <= legs[leg - 1]["distance_m"] + 1000.0


def test_drift_is_computed_within_a_leg_never_across_the_bike(run_bike_run: bytes) -> None:
    a = _analyze(run_bike_run)
    key = "contact_time/running_dynamics"
    dr = a.drifts[key]
    # the 3.5-point balance step between the legs is not a drift; within the first (longest)
    # leg there is none
    assert dr.window_t_s is not None and dr.window_t_s.max() < RUN1_S
    assert dr.slope_per_h is not None and abs(dr.slope_per_h) < 1.0
    assert [leg["drift"] for leg in a.to_dict()["context"]["legs"]] == [True, False]


def test_real_triathlon_leg_starts_at_its_own_time_and_distance(shared_data) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        d = analyze(shared_data / "muktihari-fit" / "triathlon_summary_first_fr255.fit").to_dict()
    legs = d["context"]["legs"]
    assert len(legs) == 1
    run_seg = next(s for s in d["segments"] if s["analysed"])
    assert legs[0]["start_s"] == pytest.approx(run_seg["start_s"], abs=2)
    # 2023-09-02T13:15:24 + 2470 s = 13:56:34
    assert legs[0]["start_time"].startswith("2023-09-02T13:56:3")
    assert legs[0]["distance_m"] == pytest.approx(d["distance_m"], abs=5)
    assert d["profile_km"][0]["start"] < 1000.0  # was 14 316 m (swim + bike distance)


def test_fenix2_file_with_two_running_legs(shared_data) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        a = analyze(shared_data / "python-fitparse" / "activity-large-fenxi2-multisport.fit")
    legs = a.to_dict()["context"]["legs"]
    assert len(legs) == 2
    assert legs[0]["end_s"] < legs[1]["start_s"]
    assert sum(leg["elapsed_s"] for leg in legs) < a.activity.duration_s
    assert sum(leg["drift"] for leg in legs) == 1


def _paused() -> tuple[Activity, Activity]:
    """20 min run, 40 min standing with the watch recording (HR 95), 20 min run; and the same
    run without the pause."""
    sim = simulate_run(duration_s=2400, seed=5, stops=0, hills=False, include_stryd=False).activity
    n = sim.n_samples
    half = n // 2
    pause = 2400
    samples = {}
    for k, v in sim.samples.items():
        mid = np.full(pause, np.nan)
        if k in (consts.SPEED_M_S, consts.CADENCE_SPM):
            mid[:] = 0.0
        elif k == consts.HEART_RATE_BPM:
            mid[:] = 95.0
        elif k in (consts.DISTANCE_M, consts.LAT_DEG, consts.LON_DEG, consts.ALTITUDE_M):
            mid[:] = v[half - 1]
        elif k in (consts.TIME_S, consts.TIMESTAMP_S):
            mid = v[half - 1] + 1.0 + np.arange(pause)
        after = v[half:] + (pause if k in (consts.TIME_S, consts.TIMESTAMP_S) else 0.0)
        samples[k] = np.concatenate([v[:half], mid, after])
    meta = ActivityMeta(path="paused", start_time=sim.meta.start_time)
    return Activity(samples, [], meta), Activity(dict(sim.samples), [], meta)


def test_paused_run_load_uses_moving_time() -> None:
    paused, whole = _paused()
    load = load_summary(paused, label_samples(paused))
    ref = load_summary(whole, label_samples(whole))
    assert load["elapsed_s"] == pytest.approx(4800, abs=5)
    assert load["duration_s"] == load["moving_s"] == pytest.approx(ref["moving_s"], abs=15)
    assert ref["duration_s"] == pytest.approx(2400, rel=0.02)
    # the 40 min standing at 95 bpm is not load: same TRIMP as the run without the pause
    assert ref["trimp"] > 20
    assert load["trimp"] == pytest.approx(ref["trimp"], rel=0.01)
    assert sum(load["hr_histogram"]["seconds"]) == pytest.approx(ref["moving_s"], abs=15)


def test_running_legs_shown_in_terminal_and_html_header(run_bike_run: bytes, tmp_path, capsys):
    from evenstride.cli import main

    path = tmp_path / "run_bike_run.fit"
    path.write_bytes(run_bike_run)
    html = tmp_path / "rbr.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        assert main(["analyze", str(path), "--no-progress", "-q", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("Running legs:"))
    assert "1) from" in line and "2) from" in line and "0:30:00" not in line
    assert "0:29:59" in line and "0:19:59" in line and "(drift measured on this leg)" in line
    page = html.read_text()
    head = page[page.index("<header") : page.index("</header>")]
    assert "<dt>Running legs</dt>" in head and "2) from" in head
