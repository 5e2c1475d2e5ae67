# SPDX-License-Identifier: MIT
"""The stride search of the Falbriard detector, vectorised for issue 15, against the per-stride
Python loop it replaced (kept below verbatim as the oracle): the same IC/TC positions bit for bit
on a simulated foot gyro, on noise, on flat stretches (ties: the first minimum; zero parabola
denominators) and with invalid samples."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evenstride.filters import lowpass, parabolic, peaks
from evenstride.steps._falbriard import _strides
from evenstride.steps.simulate_imu import simulate_imu_run

FS = 200.0
MIN_S, MAX_S = 0.4, 2.0


def _loop(pk, fine, n_bad, fs, min_s, max_s):
    """The loop of FalbriardEventDetection._detect_side before issue 15."""
    ic, tc, a_, b_ = [], [], [], []
    for a, b in itertools.pairwise(pk):
        dur = (b - a) / fs
        if dur < min_s or dur > max_s:
            continue
        if n_bad[b + 1] - n_bad[a] > 0:
            continue
        mid = (a + b) // 2
        first = fine[a:mid]
        second = fine[mid:b]
        i1 = int(np.argmin(first))
        i2 = int(np.argmin(second))
        if i1 == 0 or i2 == len(second) - 1:
            continue
        j1 = a + i1 + parabolic(fine[a:mid + 1], i1)
        j2 = mid + i2 + parabolic(fine[mid : b + 1], i2)
        ic.append(j1)
        tc.append(j2)
        a_.append(a)
        b_.append(b)
    return (np.asarray(ic, dtype=float), np.asarray(tc, dtype=float),
            np.asarray(a_, dtype=np.int64), np.asarray(b_, dtype=np.int64))


def _check(pk, fine, valid):
    n_bad = np.concatenate(([0], np.cumsum(~valid)))
    got = _strides(np.asarray(pk, dtype=np.int64), fine, n_bad, FS, MIN_S, MAX_S)
    want = _loop(np.asarray(pk, dtype=np.int64), fine, n_bad, FS, MIN_S, MAX_S)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(np.asarray(g), w)
    return got


@pytest.fixture(scope="module")
def gyro():
    rec = simulate_imu_run(duration_s=300, seed=4).recording
    w = -rec.sides["left"].gyr[:, 1]
    fine = lowpass(w, FS, 15.0, 4)
    coarse = lowpass(w, FS, 5.0, 4)
    pk = peaks(coarse, max(50.0, 0.5 * np.percentile(coarse, 95)), int(MIN_S * FS))
    return fine, pk


def test_simulated_foot_gyro(gyro):
    fine, pk = gyro
    ic, _tc, _a, _b = _check(pk, fine, np.ones(len(fine), bool))
    assert len(ic) > 200  # five minutes of running: the strides are found
    assert np.any(ic != np.round(ic))  # with sub-sample offsets


def test_invalid_samples_and_gaps(gyro):
    fine, pk = gyro
    valid = np.ones(len(fine), bool)
    valid[5000:5400] = False
    valid[20_000] = False
    ic, *_ = _check(pk, fine, valid)
    _check(pk[::3], fine, valid)  # strides too long
    assert len(ic) > 100


def test_noise_flat_stretches_and_ties():
    rng = np.random.default_rng(7)
    y = np.round(rng.standard_normal(40_000), 1)  # many equal values: first minimum wins
    y[1000:1300] = 0.0  # flat: parabola denominators of zero
    y[2000:2100] = -5.0  # a flat minimum on a window's first samples
    pk = np.sort(rng.choice(np.arange(1, 39_990), size=600, replace=False))
    got = _check(pk, y, np.ones(len(y), bool))
    assert len(got[0]) > 0
    _check(np.arange(0, 40_000, 150), y, rng.random(40_000) > 0.001)


def test_no_stride():
    y = np.sin(np.arange(1000) / 10.0)
    empty = _check(np.array([5], dtype=np.int64), y, np.ones(1000, bool))
    assert all(len(x) == 0 for x in empty)
