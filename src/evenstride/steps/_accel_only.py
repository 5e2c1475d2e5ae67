# SPDX-License-Identifier: MIT
"""Accelerometer-only recordings of ONE leg (e.g. an ActiGraph on the left ankle): stride times.

One-sided data cannot give left/right asymmetry (there is no right-side signal to compare):
:func:`left_right_asymmetry` raises a one-line :class:`~evenstride.exceptions.UserInputError`.
What it does give is the instrumented leg's stride-time series (for variability: stride CV) and
cadence (= 2 × strides/min, assuming symmetric steps).

Reader: :func:`evenstride.io.read_adeptdata_csv` (clipped spans are excluded there).

Stride detection (:class:`OneSideStrideDetection`): the acceleration magnitude (g) is low-passed,
the stride period is estimated from the spectrum (strongest peak between 1/``max_stride_s`` and
1/``min_stride_s``, taking the sub-harmonic when it is nearly as strong: an ankle shows both its
own impact and the other foot's), and peaks at least 0.6 stride periods apart and above the
median are the instrumented foot's impacts. Stride times outside ``[min_stride_s, max_stride_s]``
or outside 0.6–1.6 × the local median (missed/extra impacts) are ``NaN``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import NoReturn

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment
from evenstride.exceptions import NotEnoughDataError, UserInputError
from evenstride.filters import lowpass, peaks
from evenstride.io import AccelSeries
from evenstride.steps._table import StepDetector

#: Strides shorter than this (s) count as running when computing the running cadence.
RUNNING_MAX_STRIDE_S = 0.9
#: ``ActivityMeta.file_format`` of a one-leg accelerometer activity.
ACCEL_FORMAT = "accel_one_side"
#: Caveat attached to every one-leg accelerometer result.
INDICATIVE_MESSAGE = (
    "one-sided accelerometer: stride times of the instrumented leg only; cadence assumes equal "
    "left and right steps (indicative)"
)
ONE_SIDED_MESSAGE = (
    "one-sided accelerometer data cannot give left/right asymmetry "
    "(only one leg is instrumented); stride-time variability is available instead"
)


def left_right_asymmetry(*_args: object, **_kwargs: object) -> NoReturn:
    """Always raises: a one-leg accelerometer cannot give left/right asymmetry."""
    raise UserInputError(ONE_SIDED_MESSAGE)


def _stride_period(sig: np.ndarray, fs: float, lo_s: float, hi_s: float) -> float:
    """Dominant stride period (s) of ``sig`` from its spectrum (see module docstring)."""
    x = sig - np.mean(sig)
    f = np.fft.rfftfreq(len(x), d=1.0 / fs)
    s = np.abs(np.fft.rfft(x))
    band = (f >= 1.0 / hi_s) & (f <= 2.0 / lo_s)
    if not band.any():
        return 0.5 * (lo_s + hi_s)
    fb = f[band]
    sb = s[band]
    f0 = float(fb[np.argmax(sb)])
    # prefer the sub-harmonic (the stride) when it has a comparable spectral peak
    half = np.abs(fb - f0 / 2) <= 0.05 * f0
    if f0 > 1.0 / hi_s * 2 and half.any() and float(sb[half].max()) > 0.2 * float(sb.max()):
        f0 = float(fb[half][np.argmax(sb[half])])
    if 1.0 / f0 < lo_s:
        f0 /= 2
    return float(np.clip(1.0 / f0, lo_s, hi_s))


class OneSideStrideDetection(StepDetector[AccelSeries]):
    """Stride times of the instrumented leg from one accelerometer (see module docstring).

    Results after :meth:`detect`: ``ic_s_`` (impact times, s), ``stride_s_`` (IC(k+1) − IC(k),
    NaN when implausible or touching an excluded span), ``cadence_spm_`` (120 / stride),
    ``stride_period_s_`` (spectral estimate), ``warnings_``.
    """

    def __init__(
        self,
        *,
        lowpass_hz: float = 8.0,
        min_stride_s: float = 0.5,
        max_stride_s: float = 1.6,
        local_window: int = 11,
    ) -> None:
        self.lowpass_hz = lowpass_hz
        self.min_stride_s = min_stride_s
        self.max_stride_s = max_stride_s
        self.local_window = local_window

    def detect(self, samples: AccelSeries, *, sampling_rate_hz: float) -> OneSideStrideDetection:
        fs = float(sampling_rate_hz)
        self.warnings_: list[str] = list(samples.warnings)
        mag = np.sqrt(np.sum(np.nan_to_num(samples.acc_g) ** 2, axis=1))
        sm = lowpass(mag, fs, self.lowpass_hz)
        period = _stride_period(sm, fs, self.min_stride_s, self.max_stride_s)
        self.stride_period_s_ = period
        height = float(np.median(sm))
        pk = peaks(sm, height, max(1, int(0.6 * period * fs)))
        t = samples.time_s
        ic = t[pk]
        self.ic_s_ = ic
        if len(ic) < 3:
            raise NotEnoughDataError(f"only {len(ic)} impacts detected on {samples.location}")
        stride = np.diff(ic)
        ok = (stride >= self.min_stride_s) & (stride <= self.max_stride_s)
        # local median of plausible strides: missed or extra impacts fall outside 0.6–1.6×
        w = self.local_window
        padded = np.pad(np.where(ok, stride, np.nan), w // 2, mode="edge")
        win = np.lib.stride_tricks.sliding_window_view(padded, w)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            loc_med = np.nanmedian(win, axis=1)
        ok &= (stride > 0.6 * loc_med) & (stride < 1.6 * loc_med)
        bad = np.concatenate(([0], np.cumsum(~samples.valid)))
        touches = bad[pk[1:] + 1] - bad[pk[:-1]] > 0
        if touches.any():
            self.warnings_.append(
                f"{int(touches.sum())} strides touch excluded (clipped) spans and are dropped"
            )
        ok &= ~touches
        self.stride_s_ = np.where(ok, stride, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.cadence_spm_ = 120.0 / self.stride_s_
        return self

    def summary(self, *, running_max_stride_s: float = RUNNING_MAX_STRIDE_S) -> dict[str, float]:
        """Counts, cadence (steps/min, both legs assumed) and stride CV (%), all and running."""
        s = self.stride_s_[np.isfinite(self.stride_s_)]
        run = s[s < running_max_stride_s]

        def cv(x: np.ndarray) -> float:
            return float(100 * np.std(x) / np.mean(x)) if len(x) > 1 else float("nan")

        return {
            "n_impacts": float(len(self.ic_s_)),
            "n_strides": float(len(s)),
            "n_running_strides": float(len(run)),
            "median_stride_s": float(np.median(s)) if len(s) else float("nan"),
            "cadence_spm": float(120.0 / np.median(s)) if len(s) else float("nan"),
            "running_cadence_spm": float(120.0 / np.median(run)) if len(run) else float("nan"),
            "stride_cv_pct": cv(s),
            "running_stride_cv_pct": cv(run),
        }


def pick_location(
    series: dict[str, AccelSeries], location: str | None, *, path: str | Path | None = None
) -> str:
    """The sensor location to analyse: ``location`` when given, else the first ankle, else the
    only one. A one-line :class:`UserInputError` lists the choices otherwise."""
    names = list(series)
    if location is not None:
        if location not in series:
            raise UserInputError(
                f"no sensor location {location!r} in the file (found: {', '.join(names)})",
                path=path,
            )
        return location
    ankles = [n for n in names if "ankle" in n.lower()]
    if ankles:
        return ankles[0]
    if len(names) == 1:
        return names[0]
    raise UserInputError(
        f"several sensor locations ({', '.join(names)}): choose one with --location", path=path
    )


def side_of_location(location: str) -> str | None:
    """``"left"``/``"right"`` when the location name says so (``left_ankle``), else None."""
    low = location.lower()
    for side in consts.SIDES:
        if low.startswith(side) or f"_{side}" in low or f"{side}_" in low:
            return side
    return None


def accel_activity(
    det: OneSideStrideDetection, series: AccelSeries, *, path: str | None = None
) -> Activity:
    """One row per detected impact of the instrumented foot (except the last): ``time_s`` = the
    impact, ``cadence_spm`` = 120 / stride (NaN for implausible or clipped strides). No sided
    channels: one leg cannot give left/right asymmetry. ``meta.extra`` records the location, its
    side and the one-sided caveat."""
    ic = det.ic_s_
    t = ic[:-1].astype(float)
    side = side_of_location(series.location)
    # the clipping notes were already raised as warnings by the reader
    notes = [INDICATIVE_MESSAGE, *det.warnings_[len(series.warnings) :]]
    meta = ActivityMeta(
        path=path,
        file_format=ACCEL_FORMAT,
        sport="running",
        devices=["accelerometer (one leg)"],
        segments=[Segment("running", None, float(t[0]), float(t[-1]), True)],
        extra={
            "location": series.location,
            "instrumented_side": side,
            "one_sided": True,
            "asymmetry": ONE_SIDED_MESSAGE,
        },
    )
    samples = {consts.TIME_S: t, consts.CADENCE_SPM: np.asarray(det.cadence_spm_, float)}
    return Activity(samples=samples, sided=[], meta=meta, warnings=notes)
