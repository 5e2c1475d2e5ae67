# SPDX-License-Identifier: MIT
"""Reader of accelerometer-only recordings of one leg (e.g. an ActiGraph on the left ankle).

Reader: the adeptdata ``acc_running`` CSV (``loc_id,date_time,x,y,z``; acc in g; 100 Hz;
``loc_id`` such as ``left_hip``/``left_ankle``; ``date_time`` like ``2018-10-25 17:57:30.01``).
A file cut mid-row is read up to the cut, with a warning; exact repeats of a row are dropped with
a counted warning; a short row inside the file, or one time repeated with other values, is a
one-line :class:`~evenstride.exceptions.ParseError` naming the file.

Clipping: the ActiGraph GT9X range is ±8 g; samples within 1 % of the range on any axis are
clipped. Clipped spans (padded by :data:`CLIP_PAD_S`) are excluded: a stride touching one gets
``NaN`` and a warning says how many.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io._bounded import (
    CONTROL_BYTES,
    MAX_TEXT_BYTES,
    maybe_gunzip,
    plain_ascii,
    read_file_bounded,
)
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
    Plain ASCII text without quotes is read in blocks through ``np.loadtxt`` (issue 15); any
    other text, and any block ``np.loadtxt`` refuses, row by row with the ``csv`` module, with the
    same values, warnings and errors.
    """
    p = Path(path)
    try:
        raw = maybe_gunzip(read_file_bounded(p, MAX_TEXT_BYTES), str(p))
    except FileNotFoundError:
        raise UserInputError("file not found", path=p) from None
    except (OSError, EOFError) as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=p) from None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    plain = _plain(raw)
    if plain is not None:
        del raw
        loc, names, ts, acc, file_notes = _parse_plain(plain, p)
        del plain
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ParseError(f"cannot read file ({type(e).__name__})", path=p) from None
        del raw
        loc, names, ts, acc, file_notes = _parse_text(text, p)
        del text
    out: dict[str, AccelSeries] = {}
    for k, name in enumerate(names):
        m = loc == k
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


_NEED = ("loc_id", "date_time", "x", "y", "z")
_BOM = b"\xef\xbb\xbf"
#: ASCII control bytes other than LF and CR, and the quote: a file with any (or non-ASCII text,
#: or a lone CR) is read row by row with the ``csv`` module (quoted fields may span lines).
_ODD = CONTROL_BYTES + b'"'
#: Text parsed per block (bounded memory: a block's rows are a few times this).
_BLOCK_BYTES = 4 * 1024 * 1024
#: Widths of the location and time cells in the fast parse; a cell this long may be cut and its
#: block is read row by row.
_LOC_WIDTH = 32
_TIME_WIDTH = 64


def _truncated_note(p: Path) -> list[str]:
    note = "file is truncated: its last, incomplete row is dropped"
    warnings.warn(f"{p}: {note}", EvenstrideWarning, stacklevel=4)
    return [note]


def _header(row: list[str], p: Path) -> list[int]:
    header = [h.strip().lower() for h in row]
    if any(c not in header for c in _NEED):
        raise ParseError(f"expected columns {', '.join(_NEED)} (found {', '.join(header)})",
                         path=p)
    return [header.index(c) for c in _NEED]


def _parse_text(
    text: str, p: Path
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, list[str]]:
    """Row by row with the ``csv`` module (any text): location codes, names, times, acc."""
    reader = csv.reader(io.StringIO(text, newline=""))  # csv handles every line ending itself
    try:
        ix = _header(next(reader, []), p)
        rows = [row for row in reader if row]
    except csv.Error as e:  # e.g. a NUL byte: one line, not an internal error (issue 14)
        raise ParseError(f"not a readable CSV ({e})", path=p) from None
    file_notes: list[str] = []
    if rows and not text.endswith(("\n", "\r")) and not _row_parses(rows[-1], ix):
        rows.pop()  # cut mid-line: analyse up to the cut, as for FIT
        file_notes = _truncated_note(p)
    parsed = _Rows(ix, p)
    parsed.rows(rows)
    return (*parsed.result(), file_notes)


class _Rows:
    """Columns gathered block by block; errors keep the precedence of one parse of all rows:
    a short row, then a bad time, then a bad x, y or z."""

    def __init__(self, ix: list[int], p: Path) -> None:
        self.ix, self.p = ix, p
        self.width = max(ix) + 1
        self.n = 0
        self.names: dict[str, int] = {}
        self.bad: dict[int, str] = {}
        self.loc: list[np.ndarray] = []
        self.ts: list[np.ndarray] = []
        self.acc: list[np.ndarray] = []

    def rows(self, rows: list[list[str]]) -> None:
        width = self.width
        short = next((n for n, row in enumerate(rows) if len(row) < width), None)
        if short is not None:
            raise ParseError(
                f"row {self.n + short + 2} has {len(rows[short])} fields, expected at least "
                f"{width}", path=self.p
            )
        self.n += len(rows)
        if not rows:
            return
        cols = [[row[i] for row in rows] for i in self.ix]
        try:
            ts = np.array(cols[1], dtype="datetime64[ns]")
        except ValueError as e:
            self.bad.setdefault(1, str(e))
        xyz = []
        for k in (2, 3, 4):
            try:
                xyz.append(np.array(cols[k], dtype=float))
            except ValueError as e:
                self.bad.setdefault(k, str(e))
        if self.bad:
            return  # refused at the end: the values are not needed
        self.add(np.array(cols[0]), ts, np.column_stack(xyz))

    def add(self, loc: np.ndarray, ts: np.ndarray, acc: np.ndarray) -> None:
        uniq, first, inv = np.unique(loc, return_index=True, return_inverse=True)
        code = np.empty(len(uniq), dtype=np.int32)
        for j in np.argsort(first, kind="stable"):  # names in order of first appearance
            code[j] = self.names.setdefault(str(uniq[j]), len(self.names))
        self.loc.append(code[inv])
        self.ts.append(ts)
        self.acc.append(acc)

    def result(self) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
        for k in (1, 2, 3, 4):
            if k in self.bad:
                raise ParseError(f"bad value ({self.bad[k]})", path=self.p)
        if not self.loc:
            return (np.zeros(0, np.int32), [], np.zeros(0, "datetime64[ns]"),
                    np.zeros((0, 3)))
        loc = np.concatenate(self.loc)
        self.loc.clear()
        ts = np.concatenate(self.ts)
        self.ts.clear()
        acc = np.concatenate(self.acc)
        self.acc.clear()
        return loc, list(self.names), ts, acc


def _plain(raw: bytes) -> bytes | None:
    """``raw`` with CRLF as LF when it is ASCII text without control bytes, lone CRs or quotes
    and without a line longer than ``csv``'s field limit (on which ``csv`` raises), else
    ``None``."""
    return plain_ascii(raw, odd=_ODD, max_line=csv.field_size_limit())

def _parse_plain(
    data: bytes, p: Path
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, list[str]]:
    """Plain text (see :func:`_plain`) in blocks: ``np.loadtxt`` where it parses the block as
    the ``csv`` module would, else the block's rows through :class:`_Rows`."""
    nl = data.find(b"\n")
    first = (data if nl < 0 else data[:nl]).decode("ascii")
    ix = _header(first.split(",") if first else [], p)
    ncol = len(first.split(","))
    body_start = len(data) if nl < 0 else nl + 1
    file_notes: list[str] = []
    end = len(data)
    if end > body_start and not data.endswith(b"\n"):
        last = max(data.rfind(b"\n", body_start), body_start - 1) + 1
        if not _row_parses(data[last:].decode("ascii").split(","), ix):
            end = last  # cut mid-line: analyse up to the cut, as for FIT
            file_notes = _truncated_note(p)
    fields: list[tuple[str, object]] = [(f"f{i}", "S1") for i in range(ncol)]
    fields[ix[0]] = (f"f{ix[0]}", f"S{_LOC_WIDTH}")
    fields[ix[1]] = (f"f{ix[1]}", f"U{_TIME_WIDTH}")
    for i in ix[2:]:
        fields[i] = (f"f{i}", np.float64)
    dtype = np.dtype(fields)
    parsed = _Rows(ix, p)
    a = body_start
    while a < end:
        b = data.find(b"\n", a + _BLOCK_BYTES - 1, end)
        b = end if b < 0 else b + 1
        block = data[a:b]
        a = b
        if not _fast_block(block, dtype, ix, parsed):
            try:
                rows = [row for row in csv.reader(io.StringIO(block.decode("ascii"),
                                                              newline="")) if row]
            except csv.Error as e:  # not expected in plain text; one line all the same
                raise ParseError(f"not a readable CSV ({e})", path=p) from None
            parsed.rows(rows)
    return (*parsed.result(), file_notes)


def _fast_block(block: bytes, dtype: np.dtype, ix: list[int], parsed: _Rows) -> bool:
    """One block through ``np.loadtxt``; False when it must be read row by row (blank lines,
    other field counts, long cells, values ``np.loadtxt`` refuses)."""
    if parsed.bad or not block.strip():
        return False
    nlines = block.count(b"\n") + (not block.endswith(b"\n"))
    try:
        arr = np.loadtxt(io.StringIO(block.decode("ascii")), delimiter=",", comments=None,
                         quotechar=None, dtype=dtype, ndmin=1)
    except ValueError:
        return False
    if len(arr) != nlines:
        return False
    loc = arr[f"f{ix[0]}"]
    when = arr[f"f{ix[1]}"]
    if (np.char.str_len(loc).max() >= _LOC_WIDTH
            or np.char.str_len(when).max() >= _TIME_WIDTH):
        return False
    try:
        ts = when.astype("datetime64[ns]")
    except ValueError:
        return False
    acc = np.column_stack([arr[f"f{i}"] for i in ix[2:]])
    parsed.n += len(arr)
    parsed.add(loc.astype(str), ts, acc)
    return True


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


