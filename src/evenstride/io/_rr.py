# SPDX-License-Identifier: MIT
"""Readers of beat-to-beat (R-R) intervals recorded at rest: a CSV export of an HRV app or a
chest strap (:func:`read_rr_csv`), or a FIT file with ``hrv`` messages recorded while still
(:func:`read_rr_fit`). :func:`read_rest_recording` picks by content. The resting RMSSD of a
recording is :func:`evenstride.hrv.resting_value`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np

from evenstride.exceptions import UserInputError
from evenstride.io._bounded import (
    MAX_TEXT_BYTES,
    cut_line_warned,
    maybe_gunzip,
    read_file_bounded,
)
from evenstride.io._fit_decode import decode_fit
from evenstride.io._sniff import detect_format

#: A "rest" FIT recording covering more than this (m), or with a median cadence above
#: :data:`MAX_REST_CADENCE` (FIT cadence units), is a run or walk, not a rest recording.
MAX_REST_DISTANCE_M: Final = 200.0
MAX_REST_CADENCE: Final = 60.0

_RR_NAME = re.compile(r"(^|[^a-z])(rr|r-r|r_r|ibi|nn|interval|intervals|rri)([^a-z]|$)", re.I)
_TIME_NAME = re.compile(r"time|date|timestamp|clock", re.I)
_FILE_TIME = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})[ T_-]?(\d{2})[-:h.]?(\d{2})(?:[-:m.]?(\d{2}))?"
)



@dataclass(frozen=True)
class RestRecording:
    """R-R intervals of one recording at rest, as read from a file."""

    source: str
    rr_s: np.ndarray
    #: Start of the recording (UTC), None when the file does not say.
    start: datetime | None
    #: ``"csv (ms)"``, ``"csv (s)"`` or ``"fit"``.
    kind: str



def _read_bytes(path: Path) -> bytes:
    try:
        data = read_file_bounded(path, MAX_TEXT_BYTES)  # a resting recording is small
    except OSError as exc:
        raise UserInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    return maybe_gunzip(data, str(path))


def _number(s: str) -> float | None:
    try:
        x = float(s.strip().replace(",", ".")) if s.strip() else None
    except ValueError:
        return None
    return x if x is not None and math.isfinite(x) else None


def _parse_when(s: str) -> datetime | None:
    """An absolute time from a cell: ISO 8601 (naive = UTC) or Unix epoch s/ms."""
    s = s.strip()
    if not s:
        return None
    x = _number(s)
    if x is not None:
        if x > 1e12:
            x /= 1000.0
        if 1e9 <= x < 1e11:  # 2001 … far future: epoch seconds
            return datetime.fromtimestamp(x, tz=UTC)
        return None  # elapsed time, not a date
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _time_from_name(name: str) -> datetime | None:
    m = _FILE_TIME.search(name)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    except ValueError:
        return None


def read_rr_csv(path: str | Path) -> RestRecording:
    """R-R intervals from a CSV/text export: one interval per row, in ms or s (detected from the
    values: a median of 0.25–2.5 is seconds, of 250–2500 milliseconds), an optional header line
    and an optional time column (ISO 8601 or Unix epoch; the first row's time is the start).
    Without a time column, a date and time in the file name (``2024-03-01 07-02-33.txt``) is
    used; naive times are taken as UTC.

    Raises :class:`UserInputError` (one line naming the file) when no interval column is found,
    a value is not a number, or the values are neither seconds nor milliseconds.
    """
    path = Path(path)
    data = _read_bytes(path)
    if detect_format(data) == "fit":
        raise UserInputError("this is a FIT file, not a CSV of R-R intervals", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserInputError("not a text file of R-R intervals", path=path) from None
    cut_sep = next((d for d in (",", ";", "\t") if d in text[:4096]), None)
    if cut_sep is not None:  # a file cut mid-row: the rows before the cut (issue 14)
        text = cut_line_warned(text, path, sep=cut_sep)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise UserInputError("no R-R intervals in the file (it is empty)", path=path)
    sample = "\n".join(lines[:20])
    delim = next((d for d in (",", ";", "\t") if d in sample), None)
    if delim is None:
        rows = [ln.split() for ln in lines]
    else:
        try:
            rows = [r for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        except csv.Error as e:  # e.g. a field over csv's size limit
            raise UserInputError(f"not a readable CSV ({e})", path=path) from None
    rows = [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]
    header: list[str] | None = None
    if any(_number(c) is None and _parse_when(c) is None for c in rows[0]):
        header, rows = rows[0], rows[1:]
    if not rows:
        raise UserInputError("no R-R intervals in the file (only a header line)", path=path)
    ncol = max(len(r) for r in rows)
    rr_col, time_col = _pick_columns(header, rows, ncol, path)
    values: list[float] = []
    for k, r in enumerate(rows):
        cell = r[rr_col] if rr_col < len(r) else ""
        x = _number(cell)
        if x is None:
            line = k + (2 if header else 1)
            raise UserInputError(
                f"row {line}: R-R value {cell[:40]!r} is not a number", path=path
            )
        values.append(x)
    arr = np.asarray(values, dtype=np.float64)
    med = float(np.median(arr))
    if 0.25 <= med <= 2.5:
        rr_s, unit = arr, "s"
    elif 250.0 <= med <= 2500.0:
        rr_s, unit = arr / 1000.0, "ms"
    else:
        raise UserInputError(
            f"R-R values around {med:g} are neither seconds (0.3–2) nor milliseconds "
            "(300–2000)",
            path=path,
        )
    start = None
    if time_col is not None:
        start = next((t for t in (_parse_when(r[time_col]) for r in rows
                                  if time_col < len(r)) if t is not None), None)
    if start is None:
        start = _time_from_name(path.name)
    return RestRecording(str(path), rr_s, start, f"csv ({unit})")


def _pick_columns(
    header: list[str] | None, rows: list[list[str]], ncol: int, path: Path
) -> tuple[int, int | None]:
    def numeric_share(j: int) -> float:
        cells = [r[j] for r in rows[:50] if j < len(r)]
        return sum(_number(c) is not None for c in cells) / max(len(cells), 1)

    def plausible_rr(j: int) -> bool:
        vals = [_number(r[j]) for r in rows[:200] if j < len(r)]
        nums = [v for v in vals if v is not None]
        if not nums:
            return False
        med = float(np.median(nums))
        return 0.25 <= med <= 2.5 or 250.0 <= med <= 2500.0

    def is_time(j: int) -> bool:
        return any(_parse_when(r[j]) is not None for r in rows[:5] if j < len(r))

    time_col: int | None = None
    if header is not None:
        time_col = next((j for j, h in enumerate(header) if _TIME_NAME.search(h)
                         and not _RR_NAME.search(h)), None)
        named = [j for j, h in enumerate(header) if _RR_NAME.search(h) and j != time_col]
        if named:
            return named[0], time_col
        if ncol > 1:
            cands = [j for j in range(ncol) if j != time_col and numeric_share(j) == 1.0
                     and plausible_rr(j)]
            if len(cands) == 1:
                return cands[0], time_col
            raise UserInputError(
                "no R-R interval column found (name one 'RR', 'RR (ms)', 'IBI' or 'interval'; "
                f"columns: {', '.join(header)})",
                path=path,
            )
    if ncol == 1:
        return 0, time_col
    if time_col is None:
        time_col = next((j for j in range(ncol) if is_time(j)), None)
    cands = [j for j in range(ncol) if j != time_col and numeric_share(j) == 1.0
             and plausible_rr(j)]
    if len(cands) != 1:
        raise UserInputError(
            "cannot tell which column holds the R-R intervals; add a header naming it 'RR'",
            path=path,
        )
    return cands[0], time_col


def read_rr_fit(path: str | Path) -> RestRecording:
    """R-R intervals from the ``hrv`` messages of a FIT file recorded at rest.

    Refused when the file has no ``hrv`` messages, or when it looks like a run or walk:
    more than 200 m covered or a median cadence above 60 (a resting value needs stillness).
    """
    path = Path(path)
    data = _read_bytes(path)
    if not detect_format(data) == "fit":
        raise UserInputError("not a FIT file", path=path)
    try:
        fit = decode_fit(data)
    except UserInputError as exc:
        raise UserInputError(exc.reason, path=path) from None
    hrv = fit.messages.get("hrv") or {}
    t = hrv.get("time")
    if t is None or t.dtype == object or not np.isfinite(np.asarray(t, dtype=float)).any():
        raise UserInputError(
            "no R-R intervals (FIT hrv messages) in this file; record at rest with a chest "
            "strap and HRV/R-R logging switched on",
            path=path,
        )
    rec = fit.messages.get("record") or {}
    ses = fit.messages.get("session") or {}
    dist = _nanmax(rec.get("distance"), ses.get("total_distance"))
    cad = _nanmedian(rec.get("cadence"))
    if cad is None:
        cad = _nanmax(ses.get("avg_cadence"))
    if dist is not None and dist > MAX_REST_DISTANCE_M:
        raise UserInputError(
            f"this looks like a run, not a recording at rest ({dist:.0f} m covered); resting "
            "HRV needs a still recording (e.g. lying down on waking)",
            path=path,
        )
    if cad is not None and cad > MAX_REST_CADENCE:
        raise UserInputError(
            f"this looks like a run, not a recording at rest (cadence {cad:.0f}); resting "
            "HRV needs a still recording (e.g. lying down on waking)",
            path=path,
        )
    rr = np.asarray(t, dtype=np.float64).reshape(-1)
    rr = rr[np.isfinite(rr)]
    start = None
    for mesg, col in (("session", "start_time"), ("file_id", "time_created"),
                      ("record", "timestamp"), ("activity", "timestamp")):
        v = (fit.messages.get(mesg) or {}).get(col)
        if v is not None and v.dtype != object:
            ok = np.asarray(v, dtype=float).reshape(-1)
            ok = ok[np.isfinite(ok) & (ok > 1e9)]
            if len(ok):
                start = datetime.fromtimestamp(float(ok.min()), tz=UTC)
                break
    return RestRecording(str(path), rr, start, "fit")


def _nanmax(*cols: np.ndarray | None) -> float | None:
    vals = [np.asarray(c, dtype=float).reshape(-1) for c in cols
            if c is not None and c.dtype != object]
    flat = np.concatenate(vals) if vals else np.array([])
    flat = flat[np.isfinite(flat)]
    return float(flat.max()) if len(flat) else None


def _nanmedian(col: np.ndarray | None) -> float | None:
    if col is None or col.dtype == object:
        return None
    x = np.asarray(col, dtype=float).reshape(-1)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else None


def read_rest_recording(path: str | Path) -> RestRecording:
    """A FIT file (by content) or else a CSV/text file of R-R intervals."""
    path = Path(path)
    if path.is_dir():
        raise UserInputError("is a folder, not a recording", path=path)
    data = _read_bytes(path)
    return read_rr_fit(path) if detect_format(data) == "fit" else read_rr_csv(path)
