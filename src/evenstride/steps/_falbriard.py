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
   fraction of a sample by a parabola through the minimum and its neighbours;
4. axis sign check (``auto_sign``): a sensor mounted upside down or mirrored inverts the pitch
   gyro, and the detector then takes the contact dips for mid-swing peaks. Each side is also
   detected with the opposite sign over its first ``SIGN_CHECK_S`` = 300 s (compared with the
   declared sign's cycles in that span); the opposite sign wins, with an
   :class:`~evenstride.exceptions.EvenstrideWarning`, when it gives ≥ 10 cycles and either (a)
   a contact-time spread (median absolute deviation / median) below half of the declared sign's,
   or (b) the declared sign's median contact share of the cycle is below 0.2 (implausible even
   for sprinting) while the opposite sign's is 0.2–0.8 and no more spread. Correct events have a
   steady contact time; events from an inverted signal mix IC/TC dips and mid-swing and do not.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from evenstride.exceptions import EvenstrideWarning
from evenstride.filters import lowpass, peaks
from evenstride.io import SIDES, ImuRecording, SensorData
from evenstride.steps._table import StepDetector


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


#: Sign check (module docstring, step 4): minimum cycles, and the plausible contact share.
SIGN_MIN_CYCLES = 10
SIGN_SHARE_RANGE = (0.2, 0.8)
#: The sign check looks at the first this-many seconds of each sensor (enough cycles, cheap).
SIGN_CHECK_S = 300.0


def _head(sensor: SensorData, seconds: float) -> SensorData:
    """The first ``seconds`` of ``sensor`` (the sensor itself when it is shorter)."""
    if not len(sensor) or sensor.time_s[-1] - sensor.time_s[0] <= seconds:
        return sensor
    k = int(np.searchsorted(sensor.time_s, sensor.time_s[0] + seconds))
    return replace(
        sensor,
        time_s=sensor.time_s[:k],
        acc=sensor.acc[:k],
        gyr=sensor.gyr[:k],
        valid=sensor.valid[:k],
        segment=sensor.segment[:k],
    )


def _events_before(ev: SideEvents, t_end: float) -> SideEvents:
    """The cycles of ``ev`` that end by ``t_end``."""
    m = ev.swing_end_s <= t_end
    return SideEvents(
        ev.ic_s[m], ev.tc_s[m], ev.swing_start_s[m], ev.swing_end_s[m], ev.segment[m]
    )


def _spread_and_share(ev: SideEvents) -> tuple[float, float]:
    """Contact-time spread (MAD / median) and median contact share of the cycle."""
    if len(ev) < SIGN_MIN_CYCLES:
        return float("inf"), float("nan")
    ct = ev.tc_s - ev.ic_s
    med = float(np.median(ct))
    if med <= 0:
        return float("inf"), float("nan")
    spread = float(np.median(np.abs(ct - med))) / med
    share = float(np.median(ct / (ev.swing_end_s - ev.swing_start_s)))
    return spread, share


def _inverted(declared: SideEvents, opposite: SideEvents) -> bool:
    """True when the opposite sign's events are clearly the real ones (module docstring)."""
    sp_d, sh_d = _spread_and_share(declared)
    sp_o, sh_o = _spread_and_share(opposite)
    if not np.isfinite(sp_o):
        return False
    if sp_o < 0.5 * sp_d:
        return True
    lo, hi = SIGN_SHARE_RANGE
    return bool(sh_d < lo and lo <= sh_o <= hi and sp_o <= sp_d)


class FalbriardEventDetection(StepDetector[ImuRecording | Mapping[str, SensorData]]):
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
    auto_sign
        Check each side's pitch-gyro sign and flip it (with a warning) when the data say it is
        inverted (module docstring, step 4).

    Attributes
    ----------
    steps_
        Side → :class:`SideEvents`.
    sign_used_
        Side → the sign finally applied to the sagittal gyro axis.
    flipped_
        Sides whose sign was flipped by the ``auto_sign`` check.

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
        auto_sign: bool = True,
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
        self.auto_sign = auto_sign

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
        self.sign_used_: dict[str, float] = {}
        self.flipped_: list[str] = []
        for side in SIDES:
            if side not in sides:
                continue
            sign = self._sign(side)
            ev = self._detect_side(sides[side], sign)
            if self.auto_sign:
                head = _head(sides[side], SIGN_CHECK_S)
                alt = self._detect_side(head, -sign)
                if _inverted(_events_before(ev, float(head.time_s[-1])), alt):
                    if head is not sides[side]:  # the check saw only the start: redo it all
                        alt = self._detect_side(sides[side], -sign)
                    warnings.warn(
                        f"{side} foot: the pitch gyro looks inverted (sensor mounted upside down "
                        f"or mirrored?); its sign was flipped ({sign:+g} → {-sign:+g})",
                        EvenstrideWarning,
                        stacklevel=2,
                    )
                    ev, sign = alt, -sign
                    self.flipped_.append(side)
            self.steps_[side] = ev
            self.sign_used_[side] = sign
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
            pk = peaks(coarse, height, int(self.min_stride_s * fs))
            if len(pk) < 2:
                continue
            n_bad = np.concatenate(([0], np.cumsum(~valid)))
            ic, tc, a_, b_ = _strides(pk, fine, n_bad, fs, self.min_stride_s,
                                      self.max_stride_s)
            if not len(ic):
                continue
            idx = np.arange(len(t), dtype=float)
            out["ic"].append(np.interp(ic, idx, t))
            out["tc"].append(np.interp(tc, idx, t))
            out["a"].append(t[a_])
            out["b"].append(t[b_])
            out["seg"].append(np.full(len(ic), int(seg_id)))

        def cat(k: str) -> np.ndarray:
            return np.concatenate(out[k]) if out[k] else np.zeros(0)

        return SideEvents(cat("ic"), cat("tc"), cat("a"), cat("b"), cat("seg").astype(np.int64))


def _strides(
    pk: np.ndarray, fine: np.ndarray, n_bad: np.ndarray, fs: float, min_s: float, max_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each stride between consecutive swing peaks ``pk`` at once (issue 15; it was a Python
    loop with the same arithmetic): strides shorter than ``min_s`` or longer than ``max_s`` or
    touching an invalid sample are skipped; IC is the minimum of ``fine`` in the first half, TC
    in the second (a minimum on the window's edge is not one), each with the parabolic
    sub-sample offset of :func:`~evenstride.filters.parabolic`. Returns IC and TC sample
    positions and the bounding peaks. A half-stride of no sample (below ~5 Hz) is no stride
    (the loop raised there)."""
    a, b = pk[:-1], pk[1:]
    dur = (b - a) / fs
    keep = ~((dur < min_s) | (dur > max_s)) & ~(n_bad[b + 1] - n_bad[a] > 0)
    a, b = a[keep], b[keep]
    mid = (a + b) // 2
    keep = (mid > a) & (b > mid)
    a, b, mid = a[keep], b[keep], mid[keep]
    i1 = _window_argmin(fine, a, mid)
    i2 = _window_argmin(fine, mid, b)
    ok = (i1 != 0) & (i2 != (b - mid) - 1)  # a minimum on the window's edge is not one
    a, b, mid, i1, i2 = a[ok], b[ok], mid[ok], i1[ok], i2[ok]
    j1 = (a + i1).astype(float) + _parabolic_at(fine, a + i1, i1 > 0)
    j2 = (mid + i2).astype(float) + _parabolic_at(fine, mid + i2, i2 > 0)
    return j1, j2, a, b


def _window_argmin(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``np.argmin(y[lo:hi])`` for each window (first minimum), in one padded pass."""
    if not len(lo):
        return np.zeros(0, dtype=np.int64)
    n = hi - lo
    out = np.empty(len(lo), dtype=np.int64)
    step = max(1, 4_000_000 // int(n.max()))  # bounded memory for long segments
    for s in range(0, len(lo), step):
        ln, nn = lo[s:s + step], n[s:s + step]
        k = np.arange(int(nn.max()))
        win = y[np.minimum(ln[:, None] + k, len(y) - 1)]
        win[k >= nn[:, None]] = np.inf
        out[s:s + step] = np.argmin(win, axis=1)
    return out


def _parabolic_at(y: np.ndarray, i: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """:func:`~evenstride.filters.parabolic` at positions ``i`` of ``y`` (0 where not
    ``inner``, i.e. at a window's first sample), with its exact arithmetic and clipping."""
    j = np.where(inner, i, 1)
    a, b, c = y[j - 1], y[j], y[np.minimum(j + 1, len(y) - 1)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        den = a - 2 * b + c
        x = 0.5 * (a - c) / np.where(den == 0, 1.0, den)
    x = np.where(x > -0.5, x, -0.5)  # max(-0.5, x), NaN → -0.5 as Python's max
    x = np.where(x < 0.5, x, 0.5)  # min(0.5, x)
    return np.where(inner & (den != 0), x, 0.0)
