# SPDX-License-Identifier: MIT
"""The accelerometer CSV reader as it was before issue 15 (``csv`` rows of the whole file, a list
per column), kept verbatim as the oracle of tests/test_io/test_accel_csv_oracle.py. Not used by
the package."""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io._bounded import MAX_TEXT_BYTES, maybe_gunzip, read_file_bounded
from evenstride.io._time_gaps import plausible_stretch, stretch_note

#: ActiGraph GT9X dynamic range, g.
ADEPT_RANGE_G = 8.0
#: A sample within this fraction of the range is clipped.
CLIP_TOL = 0.01
#: Clipped spans are widened by this much on both sides before exclusion.
CLIP_PAD_S = 0.05

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


