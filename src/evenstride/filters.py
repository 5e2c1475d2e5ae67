# SPDX-License-Identifier: MIT
"""Signal primitives shared by the readers and the step detectors: a zero-phase low-pass, peak
picking with a minimum distance, parabolic sub-sample interpolation, and the mean of two
series that skips a missing side.

A leaf module (numpy only), so that a reader (:mod:`evenstride.io`) and every detector
(:mod:`evenstride.steps`) use the same filter instead of copies.
"""

from __future__ import annotations

import numpy as np

__all__ = ["lowpass", "nanmean2", "parabolic", "peaks"]


def _fast_len(n: int) -> int:
    """Smallest 2^a·3^b·5^c ≥ ``n`` (FFT lengths with small prime factors are fast)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def lowpass(x: np.ndarray, fs: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass (|H|² of order ``order``), applied by FFT with
    reflection padding of at least 1 s at both ends."""
    n = len(x)
    if n < 4 or cutoff_hz >= fs / 2:
        return x.astype(float, copy=True)
    pad = min(n - 1, int(fs))
    total = _fast_len(n + 2 * pad)
    xp = np.pad(np.asarray(x, dtype=float), (pad, total - n - pad), mode="reflect")
    spec = np.fft.rfft(xp)
    f = np.fft.rfftfreq(total, d=1.0 / fs)
    spec *= 1.0 / (1.0 + (f / cutoff_hz) ** (2 * order))
    y = np.fft.irfft(spec, n=total)
    return y[pad : pad + n]


def peaks(s: np.ndarray, height: float, min_dist: int) -> np.ndarray:
    """Local maxima of ``s`` above ``height``, ≥ ``min_dist`` samples apart (higher wins)."""
    if len(s) < 3:
        return np.zeros(0, dtype=np.int64)
    c = s[1:-1]
    idx = np.nonzero((c > s[:-2]) & (c >= s[2:]) & (c > height))[0] + 1
    if len(idx) < 2:
        return idx
    keep: list[int] = [int(idx[0])]
    for i in idx[1:]:
        j = keep[-1]
        if i - j >= min_dist:
            keep.append(int(i))
        elif s[i] > s[j]:
            keep[-1] = int(i)
    return np.asarray(keep, dtype=np.int64)


def parabolic(y: np.ndarray, i: int) -> float:
    """Sub-sample offset (−0.5…0.5) of the extremum at ``i`` from a parabola through its
    neighbours."""
    if i <= 0 or i >= len(y) - 1:
        return 0.0
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    if den == 0:
        return 0.0
    return float(min(0.5, max(-0.5, 0.5 * (a - c) / den)))


def nanmean2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise mean of the finite values of ``a`` and ``b`` (NaN when both are NaN)."""
    fa, fb = np.isfinite(a), np.isfinite(b)
    n = fa.astype(float) + fb
    tot = np.where(fa, a, 0.0) + np.where(fb, b, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, tot / n, np.nan)
