# SPDX-License-Identifier: MIT
"""Random and signal helpers of the simulator: stationary AR(1) series, a first-order lag,
quantisation to a file's resolution and bursts of dropouts."""

from __future__ import annotations

import math

import numpy as np


def _ar1_filter(e: np.ndarray, phi: float) -> np.ndarray:
    """``y[i] = phi·y[i−1] + e[i]`` (``y[−1] = 0``), vectorised in blocks of 64 samples."""
    n = len(e)
    if n == 0 or phi == 0.0:
        return e.astype(np.float64, copy=True)
    block = 64
    nb = -(-n // block)
    padded = np.zeros(nb * block)
    padded[:n] = e
    k = np.arange(block)
    lag = k[:, None] - k[None, :]
    toeplitz = np.where(lag >= 0, phi ** np.maximum(lag, 0), 0.0)
    y = padded.reshape(nb, block) @ toeplitz.T
    carry = phi ** (k + 1)
    for b in range(1, nb):
        y[b] += y[b - 1, -1] * carry
    return y.reshape(-1)[:n]


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) series of length ``n`` with coefficient ``phi`` and marginal SD ``sd``."""
    e = rng.standard_normal(n) * sd * math.sqrt(1.0 - phi * phi)
    if n:
        e[0] = rng.standard_normal() * sd
    return _ar1_filter(e, phi)


def _lag(u: np.ndarray, tau_s: float, start: float) -> np.ndarray:
    """First-order lag (time constant ``tau_s``, 1 Hz) of ``u`` starting from ``start``."""
    alpha = math.exp(-1.0 / tau_s)
    e = (1.0 - alpha) * u
    e[0] += alpha * start
    return _ar1_filter(e, alpha)


def _quantise(v: np.ndarray, resolution: float) -> np.ndarray:
    return np.round(v / resolution) * resolution


def _dropout_mask(n: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Bursts of 1–8 samples covering about ``fraction`` of ``n``."""
    count = round(fraction * n / 4.5)
    if count <= 0:
        return np.zeros(n, dtype=bool)
    starts = rng.integers(0, n, size=count)
    ends = np.minimum(starts + rng.integers(1, 9, size=count), n)
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, ends, -1)
    return np.cumsum(delta[:n]) > 0
