# SPDX-License-Identifier: MIT
"""Stride CV and DFA α on synthetic series with known scaling exponents."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.metrics.variability import (
    MIN_DFA_POINTS,
    MIN_DFA_STRIDES,
    dfa_alpha,
    stride_cv,
)

N = 4096


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise by FFT shaping: amplitude ∝ f^(-1/2), random complex phases."""
    f = np.fft.rfftfreq(n)
    amp = np.zeros_like(f)
    amp[1:] = f[1:] ** -0.5
    spec = amp * (rng.normal(size=len(f)) + 1j * rng.normal(size=len(f)))
    return np.fft.irfft(spec, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_alpha_half(seed: int) -> None:
    r = dfa_alpha(np.random.default_rng(seed).normal(size=N))
    assert r.alpha is not None and abs(r.alpha - 0.5) < 0.1
    assert not r.low_confidence and r.reason == ""
    assert r.n == N and r.boxes[0] == 16 and r.boxes[-1] <= N // 9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brownian_alpha_one_and_half(seed: int) -> None:
    r = dfa_alpha(np.cumsum(np.random.default_rng(seed).normal(size=N)))
    assert r.alpha is not None and abs(r.alpha - 1.5) < 0.1


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_pink_noise_alpha_one(seed: int) -> None:
    r = dfa_alpha(_pink(N, np.random.default_rng(seed)))
    assert r.alpha is not None and abs(r.alpha - 1.0) < 0.1


def test_pink_noise_mean_over_realisations() -> None:
    rng = np.random.default_rng(42)
    alphas = [dfa_alpha(_pink(N, rng)).alpha for _ in range(8)]
    assert abs(float(np.mean([a for a in alphas if a is not None])) - 1.0) < 0.05


def test_short_series_low_confidence() -> None:
    r = dfa_alpha(np.random.default_rng(0).normal(size=300))
    assert r.alpha is not None and r.low_confidence
    assert str(MIN_DFA_STRIDES) in r.reason and "Kuznetsov" in r.reason


def test_very_short_series_has_no_alpha() -> None:
    r = dfa_alpha(np.random.default_rng(0).normal(size=MIN_DFA_POINTS - 1))
    assert r.alpha is None and r.low_confidence and "at least" in r.reason
    assert len(r.boxes) == 0


def test_constant_series_has_no_alpha() -> None:
    r = dfa_alpha(np.full(1000, 0.7))
    assert r.alpha is None and "constant" in r.reason


def test_nans_are_dropped() -> None:
    x = np.random.default_rng(5).normal(size=N)
    y = x.copy()
    y[::50] = np.nan
    r = dfa_alpha(y)
    assert r.n == N - len(y[::50])
    assert r.alpha is not None and abs(r.alpha - 0.5) < 0.1


def test_stride_cv() -> None:
    assert stride_cv(np.array([0.7, 0.72, 0.74])) == pytest.approx(
        np.std([0.7, 0.72, 0.74], ddof=1) / 0.72 * 100
    )
    assert stride_cv(np.array([0.7, np.nan, 0.7])) == 0.0
    assert np.isnan(stride_cv(np.array([0.7])))
