# SPDX-License-Identifier: MIT
"""Accelerometer-only recordings of ONE leg (e.g. an ActiGraph on the left ankle): stride times.

One-sided data cannot give left/right asymmetry (there is no right-side signal to compare):
:func:`left_right_asymmetry` raises a one-line :class:`~evenstride.exceptions.UserInputError`.
What it does give is the instrumented leg's stride-time series (for variability: stride CV) and
cadence (= 2 × strides/min, assuming symmetric steps).

Reader: the adeptdata ``acc_running`` CSV (``loc_id,date_time,x,y,z``; acc in g; 100 Hz;
``loc_id`` such as ``left_hip``/``left_ankle``; ``date_time`` like ``2018-10-25 17:57:30.01``).
A file cut mid-row is read up to the cut, with a warning; exact repeats of a row are dropped with
a counted warning; a short row inside the file, or one time repeated with other values, is a
one-line :class:`~evenstride.exceptions.ParseError` naming the file.

Clipping: the ActiGraph GT9X range is ±8 g; samples within 1 % of the range on any axis are
clipped. Clipped spans (padded by :data:`CLIP_PAD_S`) are excluded: a stride touching one gets
``NaN`` and a warning says how many.

Stride detection (:class:`OneSideStrideDetection`): the acceleration magnitude (g) is low-passed,
the stride period is estimated from the spectrum (strongest peak between 1/``max_stride_s`` and
1/``min_stride_s``, taking the sub-harmonic when it is nearly as strong: an ankle shows both its
own impact and the other foot's), and peaks at least 0.6 stride periods apart and above the
median are the instrumented foot's impacts. Stride times outside ``[min_stride_s, max_stride_s]``
or outside 0.6–1.6 × the local median (missed/extra impacts) are ``NaN``.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment
from evenstride.exceptions import EvenstrideWarning, NotEnoughDataError, ParseError, UserInputError
from evenstride.io._bounded import MAX_TEXT_BYTES, maybe_gunzip, read_file_bounded
from evenstride.io._time_gaps import plausible_stretch, stretch_note
from evenstride.steps._falbriard import _peaks, lowpass

#: ActiGraph GT9X dynamic range, g.
ADEPT_RANGE_G = 8.0
#: A sample within this fraction of the range is clipped.
CLIP_TOL = 0.01
#: Clipped spans are widened by this much on both sides before exclusion.
CLIP_PAD_S = 0.05
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


@dataclass
class AccelSeries:
    """One accelerometer: time (s from its first sample), acc (n×3, g), valid mask, notes."""

    location: str
    time_s: np.ndarray
    acc_g: np.ndarray
    valid: np.ndarray
    start: np.datetime64 | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def sampling_rate_hz(self) -> float:
        return float(1.0 / np.median(np.diff(self.time_s)))

    @property
    def duration_s(self) -> float:
        return float(self.time_s[-1] - self.time_s[0]) if len(self.time_s) else 0.0


def clipping_mask(
    acc_g: np.ndarray, *, range_g: float = ADEPT_RANGE_G, tol: float = CLIP_TOL
) -> np.ndarray:
    """Samples where any axis is within ``tol`` of ±``range_g``."""
    return np.any(np.abs(acc_g) >= range_g * (1.0 - tol), axis=1)


def _dilate(mask: np.ndarray, n: int) -> np.ndarray:
    if n <= 0 or not mask.any():
        return mask.copy()
    k = np.ones(2 * n + 1)
    return np.convolve(mask.astype(float), k, mode="same") > 0


def _runs(mask: np.ndarray) -> int:
    return int(np.sum(np.diff(mask.astype(np.int8), prepend=0) == 1))


def read_adeptdata_csv(
    path: str | os.PathLike[str], *, range_g: float = ADEPT_RANGE_G
) -> dict[str, AccelSeries]:
    """Read the adeptdata ``acc_running`` CSV (plain or ``.gz``): location → :class:`AccelSeries`.

    Clipping at ±``range_g`` is detected per location, warned about and excluded (``valid``).
    """
    p = Path(path)
    try:
        text = maybe_gunzip(read_file_bounded(p, MAX_TEXT_BYTES), str(p)).decode("utf-8-sig")
    except FileNotFoundError:
        raise UserInputError("file not found", path=p) from None
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=p) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # csv handles every line ending itself
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        need = ("loc_id", "date_time", "x", "y", "z")
        if any(c not in header for c in need):
            raise ParseError(f"expected columns {', '.join(need)} (found {', '.join(header)})",
                             path=p)
        ix = [header.index(c) for c in need]
        rows = [row for row in reader if row]
    except csv.Error as e:  # e.g. a NUL byte: one line, not an internal error (issue 14)
        raise ParseError(f"not a readable CSV ({e})", path=p) from None
    file_notes: list[str] = []
    if rows and not text.endswith(("\n", "\r")) and not _row_parses(rows[-1], ix):
        rows.pop()  # cut mid-line: analyse up to the cut, as for FIT
        file_notes.append("file is truncated: its last, incomplete row is dropped")
        warnings.warn(f"{p}: {file_notes[-1]}", EvenstrideWarning, stacklevel=2)
    width = max(ix) + 1
    short = next((n for n, row in enumerate(rows) if len(row) < width), None)
    if short is not None:
        raise ParseError(
            f"row {short + 2} has {len(rows[short])} fields, expected at least {width}", path=p
        )
    cols = [[row[i] for row in rows] for i in ix]
    try:
        ts = np.array(cols[1], dtype="datetime64[ns]")
        acc = np.column_stack([np.array(cols[k], dtype=float) for k in (2, 3, 4)])
    except ValueError as e:
        raise ParseError(f"bad value ({e})", path=p) from None
    loc = np.array(cols[0])
    out: dict[str, AccelSeries] = {}
    for name in dict.fromkeys(loc.tolist()):
        m = loc == name
        t_abs = ts[m]
        order = np.argsort(t_abs, kind="stable")
        t_abs = t_abs[order]
        a = acc[m][order]
        t_abs, a, repeats = _drop_repeated_rows(t_abs, a, str(name), p)
        t = (t_abs - t_abs[0]).astype("timedelta64[ns]").astype(np.int64) / 1e9
        notes: list[str] = [*file_notes, *repeats]
        stretch = plausible_stretch(t)  # a clock jump of years: one plausible stretch (issue 14)
        if stretch.n_dropped:
            t_abs, a = t_abs[stretch.keep], a[stretch.keep]
            t = (t_abs - t_abs[0]).astype("timedelta64[ns]").astype(np.int64) / 1e9
            notes.append(f"{name}: {stretch_note(stretch, 'samples')}")
            warnings.warn(f"{p}: {notes[-1]}", EvenstrideWarning, stacklevel=2)
        clip = clipping_mask(a, range_g=range_g)
        fs = float(1.0 / np.median(np.diff(t))) if len(t) > 1 else 1.0
        excl = _dilate(clip, round(CLIP_PAD_S * fs))
        if clip.any():
            msg = (
                f"{name}: accelerometer clipped at ±{range_g:g} g in {int(clip.sum())} samples "
                f"({_runs(clip)} spans); those spans are excluded"
            )
            notes.append(msg)
            warnings.warn(f"{p}: {msg}", EvenstrideWarning, stacklevel=2)
        valid = np.all(np.isfinite(a), axis=1) & ~excl
        out[str(name)] = AccelSeries(str(name), t, a, valid, t_abs[0], notes)
    return out


def _row_parses(row: list[str], ix: list[int]) -> bool:
    """Whether a CSV row has every needed field, with a valid time and numbers."""
    try:
        np.datetime64(row[ix[1]], "ns")
        [float(row[i]) for i in ix[2:]]
    except (IndexError, ValueError):
        return False
    return True


def _drop_repeated_rows(
    t_abs: np.ndarray, a: np.ndarray, name: str, p: Path
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Drop exact repeats of a row (same time and values) with a counted warning; a repeated
    time with other values cannot be ordered and is a one-line :class:`ParseError`."""
    same_t = np.r_[False, t_abs[1:] == t_abs[:-1]]
    if not same_t.any():
        return t_abs, a, []
    equal = (a[1:] == a[:-1]) | (np.isnan(a[1:]) & np.isnan(a[:-1]))
    same_row = same_t & np.r_[False, np.all(equal, axis=1)]
    if not np.array_equal(same_row, same_t):
        k = int(np.argmax(same_t & ~same_row))
        raise ParseError(
            f"{name}: {int((same_t & ~same_row).sum())} samples repeat a time with other values "
            f"(first at {t_abs[k]})",
            path=p,
        )
    msg = f"{name}: {int(same_row.sum())} repeated rows (same time and values) are dropped"
    warnings.warn(f"{p}: {msg}", EvenstrideWarning, stacklevel=3)
    return t_abs[~same_row], a[~same_row], [msg]


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


class OneSideStrideDetection:
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
        pk = _peaks(sm, height, max(1, int(0.6 * period * fs)))
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
