# SPDX-License-Identifier: MIT
"""Drift recovery on series with known ground truth."""

import numpy as np
import pytest

from evenstride.metrics.drift import drift


def _series(n, rng, *, slope_per_h=0.0, onset_s=None, noise=0.3, phi=0.8, speed=None,
            speed_effect=0.0):
    t = np.arange(n, dtype=float)
    e = np.zeros(n)
    innov = rng.normal(0, noise * np.sqrt(1 - phi**2), n)
    for i in range(1, n):
        e[i] = phi * e[i - 1] + innov[i]
    start = 0.0 if onset_s is None else onset_s
    y = 1.0 + slope_per_h * np.maximum(0.0, t - start) / 3600.0 + e
    if speed is not None:
        y = y + speed_effect * (speed - np.median(speed))
    return t, y


def test_linear_drift_recovered_within_ci():
    rng = np.random.default_rng(10)
    n = 5400
    t, y = _series(n, rng, slope_per_h=1.5)
    r = drift("x", "% SA", t, y, np.ones(n, bool), {}, seed=1)
    assert r.slope_per_h == pytest.approx(1.5, abs=0.3)
    assert r.slope_ci95[0] < 1.5 < r.slope_ci95[1]
    assert r.significant
    assert r.quarter_difference == pytest.approx(1.5 * 0.75 * 1.5, abs=0.4)
    assert r.onset_s is None  # gradual from the start: no abrupt onset claimed


def test_no_drift_is_not_significant():
    rng = np.random.default_rng(11)
    n = 3600
    t, y = _series(n, rng)
    r = drift("x", "% SA", t, y, np.ones(n, bool), {}, seed=2)
    assert r.slope_ci95[0] < 0.0 < r.slope_ci95[1]
    assert r.onset_s is None


def test_abrupt_onset_recovered():
    rng = np.random.default_rng(12)
    n = 7200
    t, y = _series(n, rng, slope_per_h=4.0, onset_s=4000.0, noise=0.3)
    r = drift("x", "% SA", t, y, np.ones(n, bool), {}, seed=3)
    assert r.onset_s is not None
    assert r.onset_s == pytest.approx(4000.0, abs=600.0)
    lo, hi = r.onset_ci95
    assert lo - 60 <= 4000.0 <= hi + 60


def test_speed_confound_is_adjusted():
    # The runner speeds up through the run and asymmetry depends on speed only:
    # raw asymmetry rises, but at matched speed there is no drift.
    rng = np.random.default_rng(13)
    n = 3600
    t = np.arange(n, dtype=float)
    speed = 2.8 + 0.8 * t / n + 0.2 * np.sin(t / 97.0)
    _, y = _series(n, rng, speed=speed, speed_effect=1.5, noise=0.2)
    unadjusted = drift("x", "% SA", t, y, np.ones(n, bool), {}, seed=4)
    adjusted = drift("x", "% SA", t, y, np.ones(n, bool), {"speed": speed}, seed=4)
    # unadjusted, the 10-min speed wave leaves persistent residuals: never "no change"
    assert unadjusted.slope_per_h > 0.8 and unadjusted.verdict in ("real", "cant_tell")
    assert abs(adjusted.slope_per_h) < 0.3 and not adjusted.significant
    assert adjusted.adjusted_for == ["speed"]


def test_too_short_says_why():
    t = np.arange(300, dtype=float)
    r = drift("x", "% SA", t, np.ones(300), np.ones(300, bool), {})
    assert r.slope_per_h is None and "windows" in r.reason


def test_level_shift_onset_recovered():
    rng = np.random.default_rng(14)
    n = 4800
    t, y = _series(n, rng, noise=0.3)
    y = y + np.where(t > 2000.0, -1.5, 0.0)
    r = drift("x", "% SA", t, y, np.ones(n, bool), {}, seed=5)
    assert r.onset_kind == "shift"
    assert r.onset_s == pytest.approx(2000.0, abs=180.0)
    assert r.quarter_difference == pytest.approx(-1.5, abs=0.3)
