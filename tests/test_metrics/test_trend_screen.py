# SPDX-License-Identifier: MIT
"""``linear_p_below`` (issue 15) gives the same answer as the whole interval it screens."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.metrics._intervals import WATCH_PRIOR, linear_interval, linear_p_below


@pytest.mark.parametrize("seed", range(40))
def test_same_decision_as_the_whole_interval(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 9000))
    t = np.cumsum(rng.choice([1.0, 1.0, 1.0, 2.0], size=n))
    # AR(1) wander plus a trend from none to strong, as the asymmetry noise series see it
    phi = float(rng.uniform(0.0, 0.99))
    e = rng.normal(size=n)
    z = np.empty(n)
    z[0] = e[0]
    for i in range(1, n):
        z[i] = phi * z[i - 1] + e[i]
    z += float(rng.choice([0.0, 0.001, 0.01, 0.1])) * (t - t.mean())
    tc = t - t.mean()
    w = tc / float(tc @ tc)
    est = float(w @ z)
    tau = float(rng.uniform(1.0, 60.0))
    dt = float(np.median(np.diff(t)))
    for alpha in (0.01, 0.05, 0.5):
        li = linear_interval(est, z, w, t_s=t, prior=WATCH_PRIOR, series_tau=tau, dt_s=dt)
        want = li.enough and li.p_value < alpha
        got = linear_p_below(alpha, est, z, w, t_s=t, prior=WATCH_PRIOR, series_tau=tau,
                             dt_s=dt)
        assert got == want


def test_both_answers_occur() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(8000.0)  # long enough for 20 batches: a clear trend reaches p < 0.01
    tc = t - t.mean()
    w = tc / float(tc @ tc)
    flat = rng.normal(size=8000)
    steep = flat + 0.001 * tc
    kw = {"t_s": t, "prior": WATCH_PRIOR, "series_tau": 2.0, "dt_s": 1.0}
    assert not linear_p_below(0.01, float(w @ flat), flat, w, **kw)  # type: ignore[arg-type]
    assert linear_p_below(0.01, float(w @ steep), steep, w, **kw)  # type: ignore[arg-type]


def test_white_noise_with_trends_both_answers_agree() -> None:
    """Long runs with and without a clear trend: both answers occur, and always agree."""
    answers = set()
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(20, 9000))
        t = np.arange(float(n))
        tc = t - t.mean()
        w = tc / float(tc @ tc)
        z = rng.normal(size=n) + float(rng.choice([0.0, 0.001, 0.01])) * tc
        li = linear_interval(float(w @ z), z, w, t_s=t, prior=WATCH_PRIOR, series_tau=2.0,
                             dt_s=1.0)
        want = li.enough and li.p_value < 0.01
        assert linear_p_below(0.01, float(w @ z), z, w, t_s=t, prior=WATCH_PRIOR,
                              series_tau=2.0, dt_s=1.0) == want
        answers.add(want)
    assert answers == {True, False}
