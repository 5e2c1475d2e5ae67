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

**Phone "Sensor Logger" export** (:func:`read_sensor_logger`): ``Accelerometer.csv`` and
optionally ``Gyroscope.csv``, each with a header naming ``time`` (Unix ns) and/or
``seconds_elapsed`` (s) and ``x``, ``y``, ``z`` in any column order (the app writes
``time,seconds_elapsed,z,y,x``). Accelerometer in m/s² (with or without gravity: the signal is
band-passed), gyroscope in rad/s (converted to deg/s). The gyroscope is interpolated onto the
accelerometer's timestamps over their common span. This layout is documented from public
descriptions of the app and not checked against a real export here.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import NotEnoughDataError, ParseError, UserInputError
from evenstride.steps._falbriard import _peaks, lowpass
from evenstride.steps._imu_io import G
from evenstride.steps._to_activity import MISSED_STRIDE_FACTOR, _nanmean2

#: ``SidedChannel.metric`` of the per-side step time (IC of this foot → IC of the other foot).
M_STEP_TIME = consts.M_STEP_TIME
M_STEP_TIME_UNIT = "s"
#: ``SidedChannel.source`` of values from a single trunk IMU.
SRC_TRUNK_IMU = "trunk_imu"
INDICATIVE_WARNING = (
    "indicative only: single trunk sensor (Godfrey 2015; side assignment ~82 % in Kiernan 2023)"
)


@dataclass
class TrunkRecording:
    """One trunk IMU: time (s), acc (n×3, m/s²), gyr (n×3, deg/s) or ``None``."""

    time_s: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray | None = None
    path: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def sampling_rate_hz(self) -> float:
        return float(1.0 / np.median(np.diff(self.time_s)))


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


class TrunkImuSteps:
    """IC and side detection from one trunk IMU (see module docstring).

    Parameters
    ----------
    vertical_axis
        Acc axis (0/1/2) pointing up; ``None``: the axis holding gravity (largest |mean|).
    vertical_sign
        +1/−1 so that ``sign·acc`` peaks positively at IC; ``None``: sign of that axis' mean.
    ap_axis
        Gyro axis of roll (rotation about antero-posterior), used for the side.
    ml_axis
        Acc axis of medio-lateral acceleration, used for the side without a gyro.
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
        ap_axis: int = 0,
        ml_axis: int = 1,
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
        if isinstance(samples, TrunkRecording):
            t, acc, gyr = samples.time_s, samples.acc, samples.gyr
        else:
            t = np.asarray(samples["time_s"], float)
            acc = np.asarray(samples["acc"], float)
            g = samples.get("gyr")
            gyr = None if g is None else np.asarray(g, float)
        fs = float(sampling_rate_hz)
        acc = np.nan_to_num(np.asarray(acc, float).reshape(-1, 3))
        ax = self.vertical_axis
        if ax is None:
            ax = int(np.argmax(np.abs(acc.mean(axis=0))))
        sign = self.vertical_sign
        if sign is None:
            m = float(acc[:, ax].mean())
            sign = 1.0 if abs(m) < 0.5 * G else float(np.sign(m))
        v = _bandpass(sign * acc[:, ax], fs, *self.band_hz)
        # cadence-derived minimum distance: dominant step frequency of v
        f = np.fft.rfftfreq(len(v), d=1.0 / fs)
        s = np.abs(np.fft.rfft(v))
        band = (f >= 1.0 / self.max_step_s) & (f <= 1.0 / self.min_step_s)
        if not band.any():
            raise NotEnoughDataError(
                f"recording too short ({len(v) / fs:.1f} s) for step detection"
            )
        step_period = 1.0 / float(f[band][np.argmax(s[band])])
        self.step_period_s_ = step_period
        height = 0.3 * float(np.percentile(v, 95))
        pk = _peaks(v, height, max(1, int(self.min_distance_frac * step_period * fs)))
        if len(pk) < 4:
            raise NotEnoughDataError(f"only {len(pk)} steps detected")
        # side signal around IC
        if gyr is not None:
            side_sig = np.nan_to_num(np.asarray(gyr, float).reshape(-1, 3)[:, self.ap_axis])
            self.side_source_ = "gyro_roll"
        else:
            side_sig = _bandpass(acc[:, self.ml_axis], fs, *self.band_hz)
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
    """One row per left step: left step time and the following right step time (s)."""
    is_left = steps.side == "left"
    li = np.nonzero(is_left)[0]
    if len(li) < 2 or (~is_left).sum() < 2:
        raise NotEnoughDataError("fewer than two steps on a side", path=path)
    left = steps.step_s[li]
    nxt = li + 1
    ok = nxt < len(steps)
    right = np.full(len(li), np.nan)
    right[ok] = np.where(steps.side[nxt[ok]] == "right", steps.step_s[nxt[ok]], np.nan)
    right = np.where(np.isfinite(left), right, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cad = 60.0 / _nanmean2(left, right)
    t = steps.ic_s[li]
    ch = SidedChannel(
        metric=M_STEP_TIME,
        source=SRC_TRUNK_IMU,
        unit=M_STEP_TIME_UNIT,
        left=left,
        right=right,
        origin="single trunk IMU: IC from vertical acc peaks, side from roll/ML sign",
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


def _read_xyz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise UserInputError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=path) from None
    if len(rows) < 3:
        raise ParseError("no header or data", path=path)
    header = [h.strip().lower() for h in rows[0]]
    if not all(c in header for c in ("x", "y", "z")) or not (
        "time" in header or "seconds_elapsed" in header
    ):
        raise ParseError(
            f"expected columns time or seconds_elapsed and x, y, z (found {', '.join(header)})",
            path=path,
        )
    body = [r for r in rows[1:] if r]
    try:
        if "time" in header:
            i = header.index("time")
            t = np.array([int(r[i]) for r in body], dtype=np.int64)
            ts = (t - t[0]) / 1e9
        else:
            i = header.index("seconds_elapsed")
            ts = np.array([float(r[i]) for r in body])
        xyz = np.column_stack(
            [np.array([float(r[header.index(c)]) for r in body]) for c in ("x", "y", "z")]
        )
    except (ValueError, IndexError) as e:
        raise ParseError(f"bad value ({e})", path=path) from None
    order = np.argsort(ts, kind="stable")
    return ts[order], xyz[order]


def read_sensor_logger(
    accelerometer: str | os.PathLike[str], gyroscope: str | os.PathLike[str] | None = None
) -> TrunkRecording:
    """Read a Sensor Logger ``Accelerometer.csv`` (+ ``Gyroscope.csv``), see module docstring.

    Both files' ``time`` columns share the Unix-ns clock; they are aligned on it (relative
    ``seconds_elapsed`` is used only when ``time`` is absent).
    """
    pa = Path(accelerometer)
    ta, acc = _read_xyz(pa)
    if gyroscope is None:
        return TrunkRecording(ta, acc, None, str(pa))
    pg = Path(gyroscope)
    tg, gyr = _read_xyz(pg)
    # put the gyroscope on the accelerometer's clock (absolute ``time`` when present)
    tg = tg - (_first_time(pa) - _first_time(pg))
    lo, hi = max(ta[0], tg[0]), min(ta[-1], tg[-1])
    keep = (ta >= lo) & (ta <= hi)
    if keep.sum() < 10:
        raise ParseError("accelerometer and gyroscope do not overlap in time", path=pg)
    ta, acc = ta[keep], acc[keep]
    g = np.column_stack([np.interp(ta, tg, gyr[:, k]) for k in range(3)])
    return TrunkRecording(ta - ta[0], acc, np.degrees(g), str(pa))


def _first_time(path: Path) -> float:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rd = csv.reader(fh)
        header = [h.strip().lower() for h in next(rd)]
        first = next(rd)
    if "time" in header:
        return int(first[header.index("time")]) / 1e9
    return 0.0
