# SPDX-License-Identifier: MIT
"""Initial and terminal contact from foot-worn IMUs (Falbriard et al. 2018, science.md §10).

The sagittal (pitch) angular velocity of a foot peaks in mid-swing. Between two consecutive
mid-swing peaks, initial contact (IC) is the minimum of the pitch angular velocity in the first
half of the cycle and terminal contact (TC, toe-off) the minimum in the second half.

Implementation:

1. the sagittal gyro axis (``sagittal_axis``, times ``sagittal_sign`` so that mid-swing is a
   positive peak) is low-passed at ``lowpass_hz`` (zero-phase: the squared magnitude of a
   Butterworth of order ``filter_order`` applied in the frequency domain, i.e. what ``filtfilt``
   does, without scipy) for the minima, and at ``swing_lowpass_hz`` for the mid-swing peaks;
2. mid-swing peaks are local maxima above ``min_swing_peak_dps`` and above ``swing_peak_frac``
   of the 95th percentile, at least ``min_stride_s`` apart (the higher one wins);
3. each cycle between consecutive peaks that is ``min_stride_s``–``max_stride_s`` long, lies in
   one segment and has no excluded (saturated) sample gives one IC and one TC, refined to a
   fraction of a sample by a parabola through the minimum and its neighbours.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evenstride.steps._imu_io import SIDES, ImuRecording, SensorData


@dataclass
class SideEvents:
    """Per-side events, one entry per detected stance (seconds, recording time)."""

    ic_s: np.ndarray
    tc_s: np.ndarray
    #: The mid-swing peaks bounding each cycle (IC/TC lie between them).
    swing_start_s: np.ndarray
    swing_end_s: np.ndarray
    #: Segment id of each cycle.
    segment: np.ndarray

    def __len__(self) -> int:
        return len(self.ic_s)


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


def _peaks(s: np.ndarray, height: float, min_dist: int) -> np.ndarray:
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


def _parabolic(y: np.ndarray, i: int) -> float:
    if i <= 0 or i >= len(y) - 1:
        return 0.0
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    if den == 0:
        return 0.0
    return float(min(0.5, max(-0.5, 0.5 * (a - c) / den)))


class FalbriardEventDetection:
    """IC/TC detection from foot-worn IMUs (gaitmap-like: params here, :meth:`detect`, ``steps_``).

    Parameters
    ----------
    sagittal_axis
        Gyro axis (0=x, 1=y, 2=z) measuring pitch (rotation about the medio-lateral axis).
    sagittal_sign
        +1 or −1 (or a ``{"left": …, "right": …}`` mapping) so that ``sign·gyr`` peaks
        *positively* in mid-swing. The defaults (axis y, −1) fit the gaitmap/NilsPod sensor frame
        of ``imu_sample.csv`` (checked: the raw y-gyro dips to about −400…−550 deg/s in swing).
    lowpass_hz, swing_lowpass_hz, filter_order
        Low-pass cut-offs for the minima and for the mid-swing peak search.
    min_stride_s, max_stride_s
        Plausible mid-swing-to-mid-swing durations (running ≈ 0.6–0.8 s, walking ≈ 1–1.3 s).
    min_swing_peak_dps, swing_peak_frac
        Mid-swing peak thresholds (absolute, and relative to the 95th percentile of the smoothed
        signal).

    Examples
    --------
    >>> from evenstride.steps.simulate_imu import simulate_imu_run
    >>> sim = simulate_imu_run(duration_s=30, seed=1)
    >>> det = FalbriardEventDetection().detect(sim.recording, sampling_rate_hz=200.0)
    >>> len(det.steps_["left"]) > 35
    True
    """

    def __init__(
        self,
        *,
        sagittal_axis: int = 1,
        sagittal_sign: float | Mapping[str, float] = -1.0,
        lowpass_hz: float = 30.0,
        swing_lowpass_hz: float = 3.0,
        filter_order: int = 2,
        min_stride_s: float = 0.4,
        max_stride_s: float = 2.5,
        min_swing_peak_dps: float = 100.0,
        swing_peak_frac: float = 0.3,
    ) -> None:
        self.sagittal_axis = sagittal_axis
        self.sagittal_sign = sagittal_sign
        self.lowpass_hz = lowpass_hz
        self.swing_lowpass_hz = swing_lowpass_hz
        self.filter_order = filter_order
        self.min_stride_s = min_stride_s
        self.max_stride_s = max_stride_s
        self.min_swing_peak_dps = min_swing_peak_dps
        self.swing_peak_frac = swing_peak_frac

    def _sign(self, side: str) -> float:
        s = self.sagittal_sign
        return float(s[side]) if isinstance(s, Mapping) else float(s)

    def detect(
        self,
        samples: ImuRecording | Mapping[str, SensorData],
        *,
        sampling_rate_hz: float,
    ) -> FalbriardEventDetection:
        """Detect IC/TC on each side; results in ``steps_`` (side → :class:`SideEvents`)."""
        sides = samples.sides if isinstance(samples, ImuRecording) else samples
        self.sampling_rate_hz_ = float(sampling_rate_hz)
        self.steps_: dict[str, SideEvents] = {}
        for side in SIDES:
            if side in sides:
                self.steps_[side] = self._detect_side(sides[side], self._sign(side))
        return self

    def _detect_side(self, sensor: SensorData, sign: float) -> SideEvents:
        fs = self.sampling_rate_hz_
        out: dict[str, list[np.ndarray]] = {k: [] for k in ("ic", "tc", "a", "b", "seg")}
        for seg_id in np.unique(sensor.segment):
            sl = np.nonzero(sensor.segment == seg_id)[0]
            if len(sl) < int(self.min_stride_s * fs) * 2:
                continue
            lo, hi = int(sl[0]), int(sl[-1]) + 1
            t = sensor.time_s[lo:hi]
            w = sign * sensor.gyr[lo:hi, self.sagittal_axis]
            valid = sensor.valid[lo:hi]
            w = np.where(np.isfinite(w), w, 0.0)
            fine = lowpass(w, fs, self.lowpass_hz, self.filter_order)
            coarse = lowpass(w, fs, self.swing_lowpass_hz, self.filter_order)
            height = max(self.min_swing_peak_dps, self.swing_peak_frac * np.percentile(coarse, 95))
            pk = _peaks(coarse, height, int(self.min_stride_s * fs))
            if len(pk) < 2:
                continue
            n_bad = np.concatenate(([0], np.cumsum(~valid)))
            ic, tc, a_, b_ = [], [], [], []
            for a, b in itertools.pairwise(pk):
                dur = (b - a) / fs
                if dur < self.min_stride_s or dur > self.max_stride_s:
                    continue
                if n_bad[b + 1] - n_bad[a] > 0:
                    continue
                mid = (a + b) // 2
                first = fine[a:mid]
                second = fine[mid:b]
                i1 = int(np.argmin(first))
                i2 = int(np.argmin(second))
                # a minimum on the window's edge is not a real minimum
                if i1 == 0 or i2 == len(second) - 1:
                    continue
                j1 = a + i1 + _parabolic(fine[a:mid + 1], i1)
                j2 = mid + i2 + _parabolic(fine[mid : b + 1], i2)
                ic.append(j1)
                tc.append(j2)
                a_.append(a)
                b_.append(b)
            if not ic:
                continue
            idx = np.arange(len(t), dtype=float)
            out["ic"].append(np.interp(ic, idx, t))
            out["tc"].append(np.interp(tc, idx, t))
            out["a"].append(t[np.asarray(a_)])
            out["b"].append(t[np.asarray(b_)])
            out["seg"].append(np.full(len(ic), int(seg_id)))

        def cat(k: str) -> np.ndarray:
            return np.concatenate(out[k]) if out[k] else np.zeros(0)

        return SideEvents(cat("ic"), cat("tc"), cat("a"), cat("b"), cat("seg").astype(np.int64))
