# SPDX-License-Identifier: MIT
"""Dating a change in the runner (issue 11): the start is the centre of the 5-run span with the
most posterior probability of the step's position under the fitted AR(1)
(``history._baseline.date_step``), the Bayes rule for "dated within 2 runs". Seeded counts on
simulated AR(1) series with a step of 2 × σ, never times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evenstride.history._baseline import date_step, step_fit, step_log_posterior


def _ar1(rng, n, phi, sd):
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd)
    e = rng.normal(0.0, sd * math.sqrt(1.0 - phi * phi), n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def test_posterior_peaks_at_a_clear_step_and_needs_enough_runs():
    x = np.r_[np.zeros(10), np.full(10, 3.0)] + np.tile([0.05, -0.05], 10)
    taus, lp = step_log_posterior(x, None, sd=0.1, phi=0.3)
    assert taus[np.argmax(lp)] == 10 and date_step(x, None, sd=0.1, phi=0.3) == 10
    assert date_step(x[:5], None, sd=0.1, phi=0.3) is None  # fewer than 2 × 3 runs
    # candidates restrict the centre (the detector searches near the window that flagged it)
    assert date_step(x, None, sd=0.1, phi=0.3, candidates=[4, 8]) == 8  # 6-10 holds the step


def test_speed_covariate_does_not_move_a_clear_step():
    rng = np.random.default_rng(2)
    x = np.r_[np.zeros(15), np.ones(15)] + rng.normal(0, 0.1, 30)
    speed = 3.0 + rng.uniform(-0.1, 0.1, 30)
    assert date_step(x, speed, sd=0.1, phi=0.0) == 15


@pytest.mark.parametrize("phi", [0.5])
def test_rule_dates_correlated_steps_better_than_the_ml_position(phi):
    # known σ and φ: how often the start is dated within 2 runs of a 2·σ step at run 41 of 80
    rng = np.random.default_rng(20261207)
    reps, sd, at = 200, 0.5, 40
    rule = ml = 0
    for _ in range(reps):
        x = _ar1(rng, 80, phi, sd)
        x[at:] += 2 * sd
        rule += abs(date_step(x, None, sd=sd, phi=phi) - at) <= 2
        fit = step_fit(x, None, phi=phi)
        assert fit is not None
        ml += abs(fit[0] - at) <= 2
    # measured with this seed: rule 165/200 (82.5 %), ML 155/200 (77.5 %)
    assert rule >= 0.80 * reps, (rule, ml)
    assert rule >= ml + 6, (rule, ml)


def test_short_series_are_dated_without_error():
    # 7 values leave 2 candidate positions, fewer than the 5-run span: the span is clipped at
    # the ends (np.convolve(mode="same") used to return 5 masses for 2 positions)
    x = np.array([0.0, 0.1, -0.1, 3.0, 3.1, 2.9, 3.0])
    assert date_step(x, None, sd=0.1, phi=0.0) == 3
    assert date_step(x, None, sd=0.1, phi=0.0, candidates=[4]) == 4
