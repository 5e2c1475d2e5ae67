# SPDX-License-Identifier: MIT
"""Steps and sides from ONE trunk-worn IMU (sacrum, waist or a phone): indicative only.

Initial contacts (IC) are the peaks of the band-passed vertical acceleration, at least
``min_distance_frac`` step periods apart (the step period comes from the spectrum of that signal:
a cadence-derived minimum distance). The side of each step comes from the sign of the angular
velocity about the antero-posterior axis (roll) averaged around IC when a gyro exists, else from
the sign of the medio-lateral acceleration there. L/R alternation is enforced within each run of
steps (runs break at gaps longer than 1.6 median steps): the alternation agreeing with most raw
signs wins and isolated disagreements are flipped. ``side_confidence_`` = share of steps whose raw
sign agrees with the chosen alternation.

Results from a single trunk sensor are indicative only (Godfrey 2015; side assignment ≈ 82 %
correct in Kiernan 2023, contact-time LoA ≈ ±150 ms): :func:`trunk_activity` says so in
``Activity.warnings`` and ``meta.extra["indicative"]``.

The phone reader (Sensor Logger exports) is :func:`evenstride.io.read_sensor_logger`.

**IC timing is not corrected.** The IC time is the peak of the zero-phase band-passed vertical
acceleration, with no offset applied. No verified offset exists for this feature: Kiernan 2023
(science.md §10, [V]) reports, against force plates, biases of −30.4 ms (Auvinet) and +29.0 ms
(Reenalda) for sacrum IC methods with limits of agreement of about ±120 ms, but for those methods'
own features (not retrieved), so their numbers do not transfer. Expect trunk IC to differ from
force-plate IC by tens of ms with per-step limits around ±120 ms. Step times (IC to IC) are not
affected by a constant offset; a side-specific offset would bias the step-time asymmetry and is
unknown: one more reason the results are indicative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import (
    NotEnoughDataError,
)
from evenstride.filters import lowpass, nanmean2, peaks
from evenstride.io import G, TrunkRecording
from evenstride.steps._table import StepDetector
from evenstride.steps._to_activity import MISSED_STRIDE_FACTOR

#: ``SidedChannel.metric`` of the per-side step time (IC of the other foot → IC of this foot).
M_STEP_TIME = consts.M_STEP_TIME
M_STEP_TIME_UNIT = "s"
#: ``SidedChannel.source`` of values from a single trunk IMU.
SRC_TRUNK_IMU = "trunk_imu"
INDICATIVE_WARNING = (
    "indicative only: single trunk sensor (Godfrey 2015; side assignment ~82 % in Kiernan 2023; "
    "IC times uncorrected: trunk IC differs from force-plate IC by tens of ms, per-step limits "
    "of agreement ~±120 ms)"
)


@dataclass
class TrunkSteps:
    """Detected steps: IC time, side, step time (to the next IC; NaN over gaps), raw sign."""

    ic_s: np.ndarray
    side: np.ndarray
    step_s: np.ndarray
    raw_sign: np.ndarray
    agrees: np.ndarray

    def __len__(self) -> int:
        return len(self.ic_s)


def _bandpass(x: np.ndarray, fs: float, lo: float, hi: float) -> np.ndarray:
    return lowpass(x, fs, hi) - lowpass(x, fs, lo)


class TrunkImuSteps(StepDetector[TrunkRecording | Mapping[str, np.ndarray]]):
    """IC and side detection from one trunk IMU (see module docstring).

    Parameters
    ----------
    vertical_axis
        Acc axis (0/1/2) pointing up; ``None``: the recording's ``vertical`` signal when it has
        one, else the axis holding gravity (largest |mean|).
    vertical_sign
        +1/−1 so that ``sign·acc`` peaks positively at IC; ``None``: sign of that axis' mean.
    ap_axis
        Gyro axis of roll (rotation about antero-posterior), used for the side; ``None``: the
        recording's hint, else 0.
    ml_axis
        Acc axis of medio-lateral acceleration, used for the side without a gyro; ``None``: the
        recording's hint, else 1.
    left_sign
        Raw sign (+1/−1) that means a LEFT step.
    band_hz
        Band-pass of the vertical acceleration.
    side_window_s
        Half-width of the window around IC where the side signal is averaged.
    """

    def __init__(
        self,
        *,
        vertical_axis: int | None = None,
        vertical_sign: float | None = None,
        ap_axis: int | None = None,
        ml_axis: int | None = None,
        left_sign: float = 1.0,
        band_hz: tuple[float, float] = (0.5, 8.0),
        min_step_s: float = 0.25,
        max_step_s: float = 0.8,
        min_distance_frac: float = 0.6,
        side_window_s: float = 0.05,
    ) -> None:
        self.vertical_axis = vertical_axis
        self.vertical_sign = vertical_sign
        self.ap_axis = ap_axis
        self.ml_axis = ml_axis
        self.left_sign = left_sign
        self.band_hz = band_hz
        self.min_step_s = min_step_s
        self.max_step_s = max_step_s
        self.min_distance_frac = min_distance_frac
        self.side_window_s = side_window_s

    def detect(
        self, samples: TrunkRecording | Mapping[str, np.ndarray], *, sampling_rate_hz: float
    ) -> TrunkImuSteps:
        vert: np.ndarray | None = None
        ap_hint = ml_hint = None
        # review fix: the errors below named no file (the CLI prints them as they are)
        src = samples.path if isinstance(samples, TrunkRecording) else None
        if isinstance(samples, TrunkRecording):
            t, acc, gyr = samples.time_s, samples.acc, samples.gyr
            vert, ap_hint, ml_hint = samples.vertical, samples.ap_axis, samples.ml_axis
        else:
            t = np.asarray(samples["time_s"], float)
            acc = np.asarray(samples["acc"], float)
            g = samples.get("gyr")
            gyr = None if g is None else np.asarray(g, float)
        fs = float(sampling_rate_hz)
        acc = np.nan_to_num(np.asarray(acc, float).reshape(-1, 3))
        ap_axis = self.ap_axis if self.ap_axis is not None else (ap_hint or 0)
        ml_axis = self.ml_axis if self.ml_axis is not None else (1 if ml_hint is None else ml_hint)
        ax = self.vertical_axis
        if ax is None and vert is not None:
            raw_v = np.nan_to_num(np.asarray(vert, float))
        else:
            if ax is None:
                ax = int(np.argmax(np.abs(acc.mean(axis=0))))
            raw_v = acc[:, ax]
        sign = self.vertical_sign
        if sign is None:
            m = float(raw_v.mean())
            sign = 1.0 if abs(m) < 0.5 * G else float(np.sign(m))
        v = _bandpass(sign * raw_v, fs, *self.band_hz)
        # cadence-derived minimum distance: dominant step frequency of v
        f = np.fft.rfftfreq(len(v), d=1.0 / fs)
        s = np.abs(np.fft.rfft(v))
        band = (f >= 1.0 / self.max_step_s) & (f <= 1.0 / self.min_step_s)
        if not band.any():
            raise NotEnoughDataError(
                f"recording too short ({len(v) / fs:.1f} s) for step detection", path=src
            )
        step_period = 1.0 / float(f[band][np.argmax(s[band])])
        self.step_period_s_ = step_period
        height = 0.3 * float(np.percentile(v, 95))
        pk = peaks(v, height, max(1, int(self.min_distance_frac * step_period * fs)))
        if len(pk) < 4:
            raise NotEnoughDataError(f"only {len(pk)} steps detected", path=src)
        # side signal around IC
        if gyr is not None:
            side_sig = np.nan_to_num(np.asarray(gyr, float).reshape(-1, 3)[:, ap_axis])
            self.side_source_ = "gyro_roll"
        else:
            side_sig = _bandpass(acc[:, ml_axis], fs, *self.band_hz)
            self.side_source_ = "ml_acc"
        h = max(1, round(self.side_window_s * fs))
        csum = np.concatenate(([0.0], np.cumsum(side_sig)))
        lo = np.clip(pk - h, 0, len(side_sig))
        hi = np.clip(pk + h + 1, 0, len(side_sig))
        raw = np.sign((csum[hi] - csum[lo]) * self.left_sign)  # +1 = left
        ic = t[pk].astype(float)
        d = np.diff(ic)
        med = float(np.median(d))
        gap = d > MISSED_STRIDE_FACTOR * med
        step = np.append(np.where(gap, np.nan, d), np.nan)
        run = np.concatenate(([0], np.cumsum(gap)))
        chosen = np.zeros(len(ic))
        for r in np.unique(run):
            idx = np.nonzero(run == r)[0]
            alt = np.where(np.arange(len(idx)) % 2 == 0, 1.0, -1.0)
            agree = int(np.sum(raw[idx] == alt))
            chosen[idx] = alt if agree >= int(np.sum(raw[idx] == -alt)) else -alt
        agrees = raw == chosen
        self.steps_ = TrunkSteps(
            ic_s=ic,
            side=np.where(chosen > 0, "left", "right"),
            step_s=step,
            raw_sign=raw,
            agrees=agrees,
        )
        self.side_confidence_ = float(np.mean(agrees))
        return self


def trunk_activity(
    steps: TrunkSteps,
    *,
    side_confidence: float | None = None,
    path: str | None = None,
    file_format: str = "trunk_imu",
    warnings: list[str] | None = None,
) -> Activity:
    """One row per left contact: the left step time (previous right IC → this left IC) and the
    right step time that follows (this left IC → the next right IC), s.

    Review fix: a side's step is the one that ENDS on that side's contact, as
    :data:`evenstride.consts.M_STEP_TIME` defines it and as the lab paths
    (:mod:`evenstride.steps._lab_activity`) compute it. This function labelled the step that
    STARTS on the contact instead, so the same gait gave opposite step-time L − R signs from a
    phone and from a force plate or markers.
    """
    is_left = steps.side == "left"
    li = np.nonzero(is_left)[0]
    if len(li) < 2 or (~is_left).sum() < 2:
        raise NotEnoughDataError("fewer than two steps on a side", path=path)
    prev = li - 1  # step_s[k] = ic[k + 1] − ic[k] (NaN over gaps)
    left = np.full(len(li), np.nan)
    okp = prev >= 0
    left[okp] = np.where(steps.side[prev[okp]] == "right", steps.step_s[prev[okp]], np.nan)
    nxt = li + 1
    ok = nxt < len(steps)
    right = np.full(len(li), np.nan)
    right[ok] = np.where(steps.side[nxt[ok]] == "right", steps.step_s[li[ok]], np.nan)
    right = np.where(np.isfinite(left), right, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cad = 60.0 / nanmean2(left, right)
    t = steps.ic_s[li]
    ch = SidedChannel(
        metric=M_STEP_TIME,
        source=SRC_TRUNK_IMU,
        unit=M_STEP_TIME_UNIT,
        left=left,
        right=right,
        origin="single trunk IMU: IC = vertical acc peaks (no timing correction), side from "
        "roll/ML sign",
    )
    meta = ActivityMeta(
        path=path,
        file_format=file_format,
        sport="running",
        segments=[Segment("running", None, float(t[0]), float(t[-1]), True)],
        extra={"indicative": True, "side_confidence": side_confidence},
    )
    notes = [*(warnings or []), INDICATIVE_WARNING]
    return Activity(
        samples={consts.TIME_S: t, consts.CADENCE_SPM: cad}, sided=[ch], meta=meta, warnings=notes
    )


