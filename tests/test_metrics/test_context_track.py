# SPDX-License-Identifier: MIT
"""Track detection from the geometry of the GPS path (issue 10, item 5 "Track detection").

GPS tracks are generated here: a standard 400 m track (84.39 m straights, 36.5 m bends) run in
lane 1 or lane 8, either direction, with correlated GPS noise, so that an outer lane's GPS laps
read 440-460 m; and park loops of ~450 m that are not a track.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from evenstride import consts
from evenstride.cli import main
from evenstride.datatypes import Activity, ActivityMeta
from evenstride.exceptions import EvenstrideWarning
from evenstride.io._fit_writer import encode_activity_fit
from evenstride.metrics.context import ContextParams, run_context
from evenstride.preprocessing import label_samples

R_EARTH = 6_371_008.8
SPEED = 4.0


def _stadium(s: np.ndarray, straight: float, r: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Counter-clockwise stadium at arc length ``s`` (m), centred on the origin."""
    bend = np.pi * r
    lap = 2 * straight + 2 * bend
    s = np.mod(s, lap)
    x, y = np.empty_like(s), np.empty_like(s)
    m = s < straight
    x[m], y[m] = s[m], -r
    m2 = (s >= straight) & (s < straight + bend)
    a = (s[m2] - straight) / r - np.pi / 2
    x[m2], y[m2] = straight + r * np.cos(a), r * np.sin(a)
    m3 = (s >= straight + bend) & (s < 2 * straight + bend)
    x[m3], y[m3] = straight - (s[m3] - straight - bend), r
    m4 = s >= 2 * straight + bend
    a = (s[m4] - 2 * straight - bend) / r + np.pi / 2
    x[m4], y[m4] = r * np.cos(a), r * np.sin(a)
    return x - straight / 2, y, lap


def _polygon(s: np.ndarray, verts: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(verts, float)
    v2 = np.roll(v, -1, axis=0)
    seg = np.hypot(*(v2 - v).T)
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    s = np.mod(s, cum[-1])
    k = np.searchsorted(cum, s, side="right") - 1
    f = (s - cum[k]) / seg[k]
    p = v[k] + f[:, None] * (v2[k] - v[k])
    return p[:, 0], p[:, 1]


def _gps_noise(n: int, sd_m: float, rng: np.random.Generator) -> np.ndarray:
    """AR(1) position error (phi 0.95 per second: GPS errors wander, they are not white)."""
    phi = 0.95
    e = rng.normal(0.0, sd_m * np.sqrt(1 - phi**2), (n, 2))
    out = np.empty_like(e)
    out[0] = rng.normal(0.0, sd_m, 2)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + e[i]
    return out


def _activity(x: np.ndarray, y: np.ndarray, *, seed: int, sub_sport: str | None = None) -> Activity:
    """1 Hz samples at 4 m/s along (x, y) plus GPS noise; distance from the noisy positions, as a
    watch measures it."""
    rng = np.random.default_rng(seed)
    n = len(x)
    noise = _gps_noise(n, 3.0, rng)
    gx, gy = x + noise[:, 0], y + noise[:, 1]
    lat = 47.3 + np.degrees(gy / R_EARTH)
    lon = 8.5 + np.degrees(gx / (R_EARTH * np.cos(np.radians(47.3))))
    dist = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(gx), np.diff(gy)))))
    t = np.arange(n, dtype=float)
    samples = {
        consts.TIME_S: t,
        consts.TIMESTAMP_S: 1_714_546_800.0 + t,
        consts.LAT_DEG: lat,
        consts.LON_DEG: lon,
        consts.DISTANCE_M: dist,
        consts.SPEED_M_S: np.full(n, SPEED),
        consts.CADENCE_SPM: 176.0 + rng.normal(0, 1.5, n),
        consts.HEART_RATE_BPM: np.full(n, 160.0),
        consts.ALTITUDE_M: np.full(n, 410.0),
    }
    return Activity(samples, [], ActivityMeta(path="gen", sub_sport=sub_sport))


def _track_run(lane: int, clockwise: bool, laps: float = 10.0, seed: int = 0) -> Activity:
    r = 36.5 + (0.30 if lane == 1 else 0.20) + 1.22 * (lane - 1)
    lap = 2 * 84.39 + 2 * np.pi * r
    s = np.arange(0.0, laps * lap, SPEED)
    x, y, _ = _stadium(s, 84.39, r)
    if clockwise:
        x = -x
    return _activity(x, y, seed=seed)


@pytest.mark.parametrize("clockwise", [False, True])
@pytest.mark.parametrize("lane", [1, 8])
def test_track_found_from_its_geometry_in_any_lane_and_direction(lane: int, clockwise: bool):
    act = _track_run(lane, clockwise, seed=lane + 10 * clockwise)
    ctx = run_context(act, label_samples(act), ContextParams(declared_road_side="left"))
    tr = ctx.track
    # the scenario: an outer lane's GPS laps read 440-460 m, far from a 400 ± 15 m lap
    gps_lap = float(act.samples[consts.DISTANCE_M][-1]) / 10.0
    if lane == 8:
        assert 440.0 <= gps_lap <= 470.0
    assert tr["is_track"] and tr["detected_by"] == "gps", tr["reason"]
    assert tr["direction"] == ("clockwise" if clockwise else "counter-clockwise")
    r_true = 36.5 + (0.30 if lane == 1 else 0.20) + 1.22 * (lane - 1)
    lap_true = 2 * 84.39 + 2 * np.pi * r_true
    assert tr["bend_radius_m"] == pytest.approx(r_true, abs=2.5)
    assert tr["straight_m"] == pytest.approx(84.39, abs=6.0)
    assert tr["lane_estimate"] == pytest.approx(lane, abs=2)
    assert tr["laps"] == pytest.approx(10.0, abs=1.0)
    # turn share: the bends' share of the lap (58 % in lane 1, 63 % in lane 8)
    assert tr["turn_share_pct"] == pytest.approx(100 * 2 * np.pi * r_true / lap_true, abs=5.0)
    assert ctx.surface == "track" and ctx.route_shape == "track"
    # no camber exposure on a track, even with a declared road side
    cam = ctx.camber_exposure
    assert cam["road_running_s"] == 0.0 and cam["left_foot_low_pct"] is None
    assert "track" in cam["reason"]


PARK_LOOPS = {
    # ~450 m loops of a park: a rounded pentagon, a square, a circle, an oval of track size
    "pentagon": lambda s: _polygon(s, [(0, 0), (150, -10), (170, 60), (60, 90), (10, 50)]),
    "square": lambda s: _polygon(s, [(0, 0), (112, 0), (112, 112), (0, 112)]),
    "circle": lambda s: (71.6 * np.cos(s / 71.6), 71.6 * np.sin(s / 71.6)),
    "ellipse": lambda s: (
        80 * np.cos(2 * np.pi * s / 407.0), 45 * np.sin(2 * np.pi * s / 407.0)
    ),
}


@pytest.mark.parametrize("shape", sorted(PARK_LOOPS))
def test_park_loop_of_about_450_m_is_not_a_track(shape: str):
    s = np.arange(0.0, 10 * 450.0, SPEED)
    x, y = PARK_LOOPS[shape](s)
    act = _activity(np.asarray(x), np.asarray(y), seed=3)
    ctx = run_context(act, label_samples(act), ContextParams(declared_road_side="left"))
    assert not ctx.track["is_track"], ctx.track
    assert ctx.track["reason"].startswith("not a track")
    assert ctx.surface == "road"
    assert ctx.camber_exposure["left_foot_low_pct"] == 100.0  # a loop on one side of the road


def test_track_shown_in_terminal_and_html_header(tmp_path, capsys):
    act = _track_run(8, clockwise=False, seed=5)
    act.meta.sub_sport = None
    path = tmp_path / "lane8.fit"
    path.write_bytes(encode_activity_fit(act))
    html = tmp_path / "lane8.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        rc = main(["analyze", str(path), "--no-progress", "--html", str(html)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Track: counter-clockwise" in out and "% of the time on the bends" in out
    page = html.read_text()
    head = page[page.index("<header") : page.index("</header>")]
    assert "<dt>Track</dt>" in head and "counter-clockwise" in head and "on the bends" in head


def test_sub_sport_track_without_gps_shape_is_shown_too():
    # an indoor 200 m track file: sub-sport "track", no usable shape (a straight GPS line)
    s = np.arange(0.0, 3000.0, SPEED)
    act = _activity(s, np.zeros_like(s), seed=1, sub_sport="track")
    ctx = run_context(act, label_samples(act))
    assert ctx.track["is_track"] and ctx.track["detected_by"] == "sub_sport"
    assert ctx.camber_exposure["road_running_s"] == 0.0


def test_track_session_with_warm_up_and_cool_down_on_the_roads():
    # 2.4 km warm-up jog to the track (out along a road and back), 10 laps in lane 4, 1.6 km
    # cool-down: 45 % of the time off the track
    r = 36.5 + 0.20 + 1.22 * 3
    lap = 2 * 84.39 + 2 * np.pi * r
    road = np.arange(0.0, 1200.0, SPEED)
    wx = np.concatenate([-42.2 - road[::-1], -42.2 - road])  # towards the track and back in
    wy = np.full(len(wx), -r - 30.0)
    s = np.arange(0.0, 10 * lap, SPEED)
    tx, ty, _ = _stadium(s, 84.39, r)
    cool = np.arange(0.0, 1600.0, SPEED)
    cx, cy = 42.2 + cool, np.full(len(cool), -r - 30.0)
    x = np.concatenate([wx, tx, cx])
    y = np.concatenate([wy, ty, cy])
    act = _activity(x, y, seed=9)
    ctx = run_context(act, label_samples(act))
    tr = ctx.track
    assert 0.5 <= tr["share_in_area"] < 0.75
    assert tr["is_track"] and tr["detected_by"] == "gps", tr["reason"]
    assert tr["direction"] == "counter-clockwise"
    assert tr["lane_estimate"] == pytest.approx(4, abs=2)
    assert tr["laps"] == pytest.approx(10.0, abs=1.5)
