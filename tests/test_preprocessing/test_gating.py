# SPDX-License-Identifier: MIT
"""Sample labels on hand-built activities whose truth is known by construction."""

import numpy as np
import pytest

from evenstride import consts as C
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.preprocessing import label_samples

R_EARTH = 6_371_008.8


def _track_xy(dist):
    """Standard 400 m oval (84.39 m straights, 36.5 m bend radius), run counter-clockwise."""
    straight, r = 84.39, 36.5
    bend = np.pi * r
    lap = 2 * straight + 2 * bend
    s = np.mod(dist, lap)
    x = np.empty_like(s)
    y = np.empty_like(s)
    # segment 1: straight eastwards along y = -r
    m = s < straight
    x[m], y[m] = s[m], -r
    # segment 2: bend around (straight, 0), counter-clockwise
    m2 = (s >= straight) & (s < straight + bend)
    a = (s[m2] - straight) / r - np.pi / 2
    x[m2], y[m2] = straight + r * np.cos(a), r * np.sin(a)
    m3 = (s >= straight + bend) & (s < 2 * straight + bend)
    x[m3], y[m3] = straight - (s[m3] - straight - bend), r
    m4 = s >= 2 * straight + bend
    a = (s[m4] - 2 * straight - bend) / r + np.pi / 2
    x[m4], y[m4] = r * np.cos(a), r * np.sin(a)
    is_bend = m2 | m4
    return x, y, is_bend, lap


def _activity(n=1800, speed=3.5, **cols):
    t = np.arange(n, dtype=float)
    sp = np.full(n, speed)
    samples = {C.TIME_S: t, C.SPEED_M_S: sp, C.CADENCE_SPM: np.full(n, 170.0)}
    samples.update(cols)
    return Activity(samples, [], ActivityMeta(path="hand"))


def test_track_bends_are_left_hand_on_counter_clockwise_oval():
    n = 1200
    t = np.arange(n, dtype=float)
    dist = 3.5 * t
    x, y, is_bend, lap = _track_xy(dist)
    lat = 47.0 + np.degrees(y / R_EARTH)
    lon = 8.0 + np.degrees(x / (R_EARTH * np.cos(np.radians(47.0))))
    act = _activity(n, **{C.DISTANCE_M: dist, C.LAT_DEG: lat, C.LON_DEG: lon})
    g = label_samples(act)
    cov = g.coverage()
    true_bend_share = (2 * np.pi * 36.5) / lap  # 57.3 %
    assert cov["bend_left"] == pytest.approx(true_bend_share, abs=0.08)
    assert cov["bend_right"] == 0.0
    # agreement sample by sample away from the bend ends (window smoothing)
    agree = (g.bend_left == is_bend).mean()
    assert agree > 0.85


def test_stops_walking_and_settling_after_stop():
    n = 1200
    speed = np.full(n, 3.3)
    cad = np.full(n, 172.0)
    speed[300:360] = 0.0
    cad[300:360] = 0.0
    speed[600:700] = 1.5
    cad[600:700] = 118.0
    act = _activity(n, **{C.SPEED_M_S: speed, C.CADENCE_SPM: cad})
    g = label_samples(act)
    assert g.stopped[300:360].all() and not g.stopped[:290].any()
    assert g.walking[600:700].all() and not g.running[600:700].any()
    # the 20 s after the stop count as accelerating (start-up strides)
    assert g.accelerating[361:375].all()
    assert not g.accelerating[420:590].any()
    cov = g.coverage()
    assert cov["stopped"] == pytest.approx(60 / n, abs=0.002)
    assert cov["walking"] == pytest.approx(100 / n, abs=0.002)


def test_grade_from_altitude():
    n = 1500
    dist = 3.0 * np.arange(n, dtype=float)
    alt = np.where(dist < 2000, 100 + 0.05 * dist, 200 - 0.04 * (dist - 2000))
    act = _activity(n, **{C.DISTANCE_M: dist, C.ALTITUDE_M: alt})
    g = label_samples(act)
    up = dist < 1900
    down = dist > 2100
    assert np.nanmedian(g.grade_pct[up]) == pytest.approx(5.0, abs=0.1)
    assert np.nanmedian(g.grade_pct[down]) == pytest.approx(-4.0, abs=0.1)
    assert g.uphill[up].mean() > 0.95 and g.downhill[down].mean() > 0.95


def test_drill_balance_and_dropouts_labelled():
    n = 900
    b = np.full(n, 50.5)
    b[100:120] = 97.0  # single-leg hops: balance near 100
    b[500:530] = np.nan  # pod drop-out
    ch = SidedChannel(C.M_CONTACT_TIME, C.SRC_RUNNING_DYNAMICS, "s", balance_left_pct=b)
    t = np.arange(n, dtype=float)
    act = Activity(
        {C.TIME_S: t, C.SPEED_M_S: np.full(n, 3.0), C.CADENCE_SPM: np.full(n, 168.0)},
        [ch],
        ActivityMeta(),
    )
    g = label_samples(act)
    assert g.drill[100:120].all() and g.drill.sum() == 20
    assert not g.steady[100:120].any()
    assert g.dropout[ch.key][500:530].all() and g.dropout[ch.key].sum() == 30


def test_indoor_has_no_bend_or_grade_labels():
    n = 600
    act = _activity(n)
    act.meta.indoor = True
    cov = label_samples(act).coverage()
    assert cov["bend_left"] is None and cov["uphill"] is None and cov["indoor"] == 1.0
