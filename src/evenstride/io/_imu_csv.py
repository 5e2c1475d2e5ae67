# SPDX-License-Identifier: MIT
"""Readers of bilateral foot-IMU recordings into per-sensor sample tables, with validation.

Two layouts are read:

**Generic bilateral CSV** (long format, one row per sample and sensor)::

    # units: acc=g, gyr=deg/s
    time_s,side,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z
    0.000,left,0.01,-0.02,1.00,1.2,-0.5,0.3
    0.000,right,...

- ``time_s`` in seconds (any origin), ``side`` is ``left`` or ``right`` (``l``/``r`` accepted).
- Units come from a ``# units: acc=<g|m/s2>, gyr=<deg/s|rad/s>`` comment line before the header
  or from the ``units`` argument (the argument wins); without either, ``m/s2`` and ``deg/s``.
- Axes are the sensor's; :class:`~evenstride.steps.FalbriardEventDetection` is told which gyro
  axis is the sagittal (pitch) one and its sign. The default (``gyr_y``, sign −1: the mid-swing
  peak is negative in the raw signal) is the gaitmap/NilsPod foot-sensor frame.

**gaitmap example layout** (``imu_sample.csv`` of mad-lab-fau/gaitmap): wide, two header rows
(``sensor`` row: ``left_sensor``/``right_sensor``; ``axis`` row: ``acc_x`` … ``gyr_z``), the first
column a sample index, acc in m/s², gyr in deg/s, 204.8 Hz.

Reading (issue 15): the file is read once (bounded by ``MAX_TEXT_BYTES``; an ASCII file block by
block, never whole) and parsed in blocks of about 1 MB into the sensors' arrays, never as a list
of all lines: a block of plain ASCII
text goes through ``np.loadtxt`` (comment and blank lines taken out first); a block with
anything else (other control characters, non-ASCII text, a wrong field count, a value
``np.loadtxt`` refuses) is read line by line with ``str.strip``/``split(",")``/``float``, the
reader's reference semantics, so values, warnings and errors are the same either way
(tests/test_io/test_imu_csv_oracle.py). About 1 s CPU and 180 MB peak for 1 h at 200 Hz.

Validation (one-line :class:`~evenstride.exceptions.ParseError`/``UserInputError`` naming the
file; recoverable problems are :class:`~evenstride.exceptions.EvenstrideWarning`):

- wrong or missing columns → error;
- acceleration magnitude implausible for the declared unit (median |acc| of a worn sensor is
  ~1 g = 9.81 m/s²) or gyro values impossible in rad/s → error;
- a missing side → error;
- unsorted timestamps → sorted, duplicated timestamps → first kept (warning);
- saturation (an axis at a constant clip value for ≥ 5 samples) → those spans excluded (warning);
- gaps > 3 sample periods → the recording is split into segments there (warning).
"""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io._bounded import (
    MAX_TEXT_BYTES,
    cut_line_warned,
    plain_ascii,
    read_file_bounded,
    split_cut_line,
)

G = 9.80665
SIDES = ("left", "right")
GENERIC_COLUMNS = ("time_s", "side", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
AXES = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
GAITMAP_RATE_HZ = 204.8
#: Minimum run of samples at a clip value that counts as saturation.
SATURATION_RUN = 5
#: Gaps longer than this many sample periods split the recording.
GAP_PERIODS = 3.0
_ACC_UNITS = {"g": 1.0 * G, "m/s2": 1.0, "m/s^2": 1.0, "m/s²": 1.0, "ms2": 1.0}
_GYR_UNITS = {"deg/s": 1.0, "dps": 1.0, "rad/s": float(np.degrees(1.0))}


@dataclass
class SensorData:
    """One foot sensor: time (s), acc (n×3, m/s²), gyr (n×3, deg/s), validity and segment ids."""

    time_s: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray
    #: False in excluded spans (saturation).
    valid: np.ndarray
    #: Segment id of each sample (segments are split at gaps).
    segment: np.ndarray

    def __len__(self) -> int:
        return len(self.time_s)


@dataclass
class ImuRecording:
    """A bilateral foot-IMU recording: one :class:`SensorData` per side."""

    sides: dict[str, SensorData]
    sampling_rate_hz: float
    path: str | None = None
    layout: str = "generic"
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        t = [s.time_s for s in self.sides.values() if len(s)]
        return float(max(x[-1] for x in t) - min(x[0] for x in t)) if t else 0.0


def _warn(msg: str, path: str | None, notes: list[str]) -> None:
    text = f"{path}: {msg}" if path else msg
    notes.append(msg)
    warnings.warn(text, EvenstrideWarning, stacklevel=3)


def parse_units(spec: str) -> tuple[str, str]:
    """Parse ``"acc=g, gyr=rad/s"`` into normalised ``(acc_unit, gyr_unit)``."""
    acc, gyr = "m/s2", "deg/s"
    for part in re.split(r"[,;\s]+", spec.strip()):
        if not part:
            continue
        if "=" not in part:
            raise UserInputError(f"bad units {spec!r}: expected e.g. 'acc=g, gyr=deg/s'")
        k, v = (x.strip().lower() for x in part.split("=", 1))
        if k == "acc" and v in _ACC_UNITS:
            acc = v
        elif k == "gyr" and v in _GYR_UNITS:
            gyr = v
        else:
            raise UserInputError(
                f"bad units {spec!r}: acc is one of g, m/s2 and gyr one of deg/s, rad/s"
            )
    return acc, gyr


def build_sensor(
    time_s: np.ndarray,
    acc: np.ndarray,
    gyr: np.ndarray,
    *,
    side: str,
    acc_unit: str = "m/s2",
    gyr_unit: str = "deg/s",
    path: str | None = None,
    notes: list[str] | None = None,
) -> SensorData:
    """Validate one sensor's raw arrays and convert them to m/s² and deg/s (see module doc).
    The result may hold the given arrays themselves (no copy when nothing is dropped, sorted or
    scaled): pass arrays of this sensor alone."""
    notes = [] if notes is None else notes
    t = np.asarray(time_s, dtype=float)
    acc = np.asarray(acc, dtype=float).reshape(-1, 3)
    gyr = np.asarray(gyr, dtype=float).reshape(-1, 3)
    ok = np.isfinite(t)
    if not ok.all():  # (no copy of a long recording when every time is there)
        t, acc, gyr = t[ok], acc[ok], gyr[ok]
    if len(t) < 10:
        raise ParseError(f"{side} sensor has only {len(t)} samples", path=path)
    if np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, acc, gyr = t[order], acc[order], gyr[order]
        _warn(f"{side} sensor: timestamps were not sorted; sorted them", path, notes)
    dup = np.concatenate(([False], np.diff(t) == 0))
    if dup.any():
        t, acc, gyr = t[~dup], acc[~dup], gyr[~dup]
        _warn(f"{side} sensor: dropped {int(dup.sum())} duplicated timestamps", path, notes)
    # Units: a worn foot sensor's median |acc| is ~1 g whatever it does.
    mag = np.sqrt(np.nansum(acc**2, axis=1))
    med = float(np.nanmedian(mag))
    if acc_unit == "g" and not 0.3 < med < 3.0:
        raise ParseError(
            f"{side} sensor: median |acc| is {med:.2f}, implausible in g "
            "(looks like m/s²; declare acc=m/s2)",
            path=path,
        )
    if acc_unit != "g" and not 3.0 < med < 30.0:
        raise ParseError(
            f"{side} sensor: median |acc| is {med:.2f}, implausible in m/s² "
            "(looks like g; declare acc=g)",
            path=path,
        )
    if gyr_unit == "rad/s" and float(np.nanmax(np.abs(gyr))) > 60.0:
        raise ParseError(
            f"{side} sensor: gyro reaches {np.nanmax(np.abs(gyr)):.0f}, impossible in rad/s "
            "(looks like deg/s; declare gyr=deg/s)",
            path=path,
        )
    if _ACC_UNITS[acc_unit] != 1.0:  # x * 1.0 is x: no copy
        acc = acc * _ACC_UNITS[acc_unit]
    if _GYR_UNITS[gyr_unit] != 1.0:
        gyr = gyr * _GYR_UNITS[gyr_unit]
    valid = np.all(np.isfinite(acc), axis=1) & np.all(np.isfinite(gyr), axis=1)
    sat = saturated_mask(acc)
    if sat.any():
        _warn(
            f"{side} sensor: accelerometer saturated in {int(sat.sum())} samples "
            f"({_count_runs(sat)} spans); those spans are excluded",
            path,
            notes,
        )
        valid &= ~sat
    dt = np.diff(t)
    period = float(np.median(dt))
    gap = dt > GAP_PERIODS * period
    segment = np.concatenate(([0], np.cumsum(gap)))
    if gap.any():
        _warn(
            f"{side} sensor: {int(gap.sum())} gaps longer than {GAP_PERIODS:g} sample periods "
            f"(longest {dt.max():.3f} s); recording split into {int(gap.sum()) + 1} segments",
            path,
            notes,
        )
    return SensorData(t, acc, gyr, valid, segment.astype(np.int64))


def _count_runs(mask: np.ndarray) -> int:
    return int(np.sum(np.diff(mask.astype(np.int8), prepend=0) == 1))


def saturated_mask(acc: np.ndarray, *, min_run: int = SATURATION_RUN) -> np.ndarray:
    """Samples where an acc axis sits at a constant clip value (its extreme, > 2 g) for
    ≥ ``min_run`` consecutive samples."""
    n = len(acc)
    out = np.zeros(n, dtype=bool)
    for k in range(acc.shape[1]):
        a = acc[:, k]
        fin = np.isfinite(a)
        if not fin.any():
            continue
        clip = float(np.max(np.abs(a[fin])))
        if clip < 2.0 * G:
            continue
        at = fin & (np.abs(a) >= clip * (1 - 1e-6))
        if at.sum() < min_run:
            continue
        # runs of consecutive samples at the clip value
        edges = np.diff(np.concatenate(([0], at.astype(np.int8), [0])))
        starts = np.nonzero(edges == 1)[0]
        ends = np.nonzero(edges == -1)[0]
        for s, e in zip(starts, ends, strict=True):
            if e - s >= min_run:
                out[s:e] = True
    return out


def _sampling_rate(sides: dict[str, SensorData]) -> float:
    dts = [np.median(np.diff(s.time_s)) for s in sides.values()]
    return float(1.0 / np.median(dts))


#: Text parsed per block after the first (bounded memory: a block's rows are a few times this).
_BLOCK_BYTES = 1024 * 1024
#: The first block is small: the header is found in it line by line.
_FIRST_BLOCK_BYTES = 64 * 1024
#: ASCII control bytes other than LF and CR. ``str.splitlines``/``str.strip`` (the reference
#: semantics) treat some of them as line breaks or blanks, so a block holding any of them (or a
#: lone CR, or non-ASCII text) is read line by line.
_UNITS_RE = re.compile(r"#\s*units\s*:\s*(.*)", flags=re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"
#: A blank line or a comment line (after optional spaces) of plain text, with its LF.
_SKIP_LINE = re.compile(rb"^ *(?:#[^\n]*)?\n", flags=re.MULTILINE)
#: Width of the side cell in the fast parse; a cell this long may be cut and is re-read exactly.
_SIDE_WIDTH = 12


#: Tail of a streamed file searched for a last line cut mid-line (longer lines: read whole).
_TAIL_BYTES = 1024 * 1024


class _Text:
    """A file's text after its BOM and without a last line cut mid-line, bytes ``start:end`` of
    ``src``: an open regular file of ASCII text, read block by block (the file never sits in
    memory whole; a file that shrinks meanwhile gives fewer blocks), or the bytes."""

    def __init__(self, src: bytes | BinaryIO, start: int = 0, end: int | None = None) -> None:
        self.src = src
        self.start = start
        self.end = end if end is not None else len(src) if isinstance(src, bytes) else 0

    def __len__(self) -> int:
        return self.end - self.start

    def blocks(self) -> Iterator[bytes]:
        """Blocks that end just after a LF (or at the end)."""
        src = self.src
        if isinstance(src, bytes):
            yield from _blocks(src, self.start, self.end)
            return
        pos, size = self.start, _FIRST_BLOCK_BYTES
        while pos < self.end:
            src.seek(pos)
            block = src.read(min(size, self.end - pos))
            if block and not block.endswith(b"\n") and pos + len(block) < self.end:
                block += src.readline(self.end - pos - len(block))
            if not block:
                return  # the file shrank
            yield block
            pos, size = pos + len(block), _BLOCK_BYTES

    def tobytes(self) -> bytes:
        src = self.src
        if isinstance(src, bytes):
            return src if (self.start, self.end) == (0, len(src)) else src[self.start:self.end]
        src.seek(self.start)
        return src.read(self.end - self.start)

    def close(self) -> None:
        if not isinstance(self.src, bytes):
            self.src.close()
        self.src = b""
        self.start = self.end = 0


def _read_data(path: Path) -> _Text:
    """The file's text (bounded, UTF-8 checked, BOM removed) without a last line cut mid-line
    (warned about)."""
    try:
        streamed = _streamed(path)
        if streamed is not None:
            return streamed
        data = read_file_bounded(path, MAX_TEXT_BYTES)
    except FileNotFoundError:
        raise UserInputError("file not found", path=path) from None
    except OSError as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=path) from None
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ParseError(f"cannot read file ({type(e).__name__})", path=path) from None
    return _Text(cut_line_warned(data, path, sep=","))


def _streamed(path: Path) -> _Text | None:
    """A regular, non-empty ASCII file of at most ``MAX_TEXT_BYTES``, open to be read block by
    block (its cut last line handled as :func:`~evenstride.io._bounded.cut_line_warned` does),
    else ``None`` (read whole: other files, non-ASCII text, a last line longer than the tail)."""
    f = open(path, "rb")  # noqa: SIM115 (kept open by the _Text, closed by its reader)
    try:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= MAX_TEXT_BYTES:
            f.close()
            return None
        head = f.read(len(_BOM))
        start = len(_BOM) if head == _BOM else 0
        f.seek(start)
        size = start
        while chunk := f.read(_BLOCK_BYTES):  # ASCII, else read whole (the UTF-8 check)
            if not chunk.isascii():
                f.close()
                return None
            size += len(chunk)
        w0 = max(start, size - _TAIL_BYTES)
        f.seek(w0)
        window = f.read(size - w0)
        body, tail = split_cut_line(window)
        if tail and w0 > start and b"\n" not in body.rstrip(b"\r\n"):
            f.close()  # the line before the last starts before the tail
            return None
        end = w0 + len(cut_line_warned(window, path, sep=","))
    except BaseException:
        f.close()
        raise
    return _Text(f, start, end)


def _blocks(data: bytes, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """``data[start:end]`` in blocks that end just after a LF (or at the end)."""
    end = len(data) if end is None else end
    a, size = start, _FIRST_BLOCK_BYTES
    while a < end:
        b = data.find(b"\n", a + size - 1, end)
        b = end if b < 0 else b + 1
        yield data[a:b]
        a, size = b, _BLOCK_BYTES


def _plain(block: bytes) -> bytes | None:
    """``block`` with CRLF as LF when it is plain ASCII text (no other control bytes, no lone
    CR), else ``None``."""
    return plain_ascii(block)

def _lines(block: bytes) -> list[str]:
    return block.decode("utf-8").splitlines()


class _Side:
    """One sensor's columns, grown as rows arrive (no list of rows is kept)."""

    def __init__(self, cap: int) -> None:
        self.n = 0
        self.t = np.empty(cap)
        self.acc = np.empty((cap, 3))
        self.gyr = np.empty((cap, 3))

    def add(self, t: np.ndarray, acc: list[np.ndarray], gyr: list[np.ndarray]) -> None:
        k = len(t)
        if self.n + k > len(self.t):
            cap = max(2 * len(self.t), self.n + k)
            for name in ("t", "acc", "gyr"):
                old = getattr(self, name)
                new = np.empty((cap, *old.shape[1:]))
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        a, b = self.n, self.n + k
        self.t[a:b] = t
        for j in range(3):
            self.acc[a:b, j] = acc[j]
            self.gyr[a:b, j] = gyr[j]
        self.n = b


class _GenericParser:
    """Streaming parse of the generic layout, block by block: plain blocks through
    ``np.loadtxt`` (C speed), anything else line by line with the exact semantics of a per-line
    ``str.strip``/``split(',')``/``float`` parse. Errors keep that parse's precedence: no header
    → bad units → missing columns → wrong field count → unknown side → non-numeric."""

    def __init__(self, text: _Text, path: Path, units: str | None) -> None:
        self.text, self.path, self.units = text, path, units
        self.spec: str | None = None
        self.header: list[str] | None = None
        self.idx: dict[str, int] = {}
        self.line0 = 0  # physical lines before the block being parsed (for an error's line)
        self.nrows = 0  # data rows
        self.unknown: set[str] = set()
        self.bad: dict[str, str] = {}  # first non-numeric error per column
        self.out: dict[str, _Side] = {}
        self.dtype: np.dtype | None = None

    # -- line by line ------------------------------------------------------------------------
    def _skip(self, s: str) -> bool:
        """Whether the stripped line ``s`` is a comment or blank (a ``# units:`` comment's units
        are taken)."""
        if s.startswith("#"):
            m = _UNITS_RE.match(s)
            if m:
                self.spec = m.group(1)
            return True
        return not s

    def _slow(self, lines: list[str], rest: Iterator[bytes]) -> None:
        rows: list[list[str]] = []
        for k, ln in enumerate(lines):
            s = ln.strip()
            if self._skip(s):
                continue
            if self.header is None:
                self._set_header(s, lines[k + 1:], rest)
                continue
            r = s.split(",")
            if len(r) != len(self.header):
                self._scan_rest(lines[k + 1:], rest)
                raise ParseError(f"line {self.line0 + k + 1}: wrong field count",
                                 path=self.path)
            rows.append(r)
        if rows:
            self._rows(rows)

    def _rows(self, rows: list[list[str]]) -> None:
        self.nrows += len(rows)
        side_raw = np.array([r[self.idx["side"]].strip().lower() for r in rows])
        side = np.where(np.isin(side_raw, ["l", "left"]), "left", side_raw)
        side = np.where(np.isin(side, ["r", "right"]), "right", side)
        unknown = set(side.tolist()) - set(SIDES)
        self.unknown |= unknown
        num = {}
        for c in ("time_s", *AXES):
            try:
                num[c] = np.array([r[self.idx[c]].strip() for r in rows], dtype=float)
            except ValueError as e:
                self.bad.setdefault(c, str(e))
        if unknown or self.unknown or self.bad:
            return  # the file is refused at the end; its values are not needed
        for sd in SIDES:
            m = side == sd
            self.out[sd].add(num["time_s"][m], [num[a][m] for a in AXES[:3]],
                             [num[a][m] for a in AXES[3:]])

    # -- header and the rest of the file -----------------------------------------------------
    def _set_header(self, s: str, after: list[str], rest: Iterator[bytes]) -> None:
        header = [h.strip().lower() for h in s.split(",")]
        self.header = header
        missing = [c for c in GENERIC_COLUMNS if c not in header]
        if missing:
            self._scan_rest(after, rest)
            raise ParseError(
                f"missing columns {missing}; expected {', '.join(GENERIC_COLUMNS)} "
                f"(found {', '.join(header)})",
                path=self.path,
            )
        self.idx = {h: i for i, h in enumerate(header)}  # a repeated name: the last column
        used = {self.idx[c]: c for c in GENERIC_COLUMNS}
        self.dtype = np.dtype([
            (f"f{i}", f"S{_SIDE_WIDTH}" if used.get(i) == "side" else
             np.float64 if i in used else "S1")
            for i in range(len(header))
        ])
        # a row of this layout is ~60 bytes and a side has about half of them; more rows grow
        # the arrays (untouched capacity costs address space, not memory)
        cap = len(self.text) // 64 + 1024
        self.out = {sd: _Side(cap) for sd in SIDES}

    def _scan_rest(self, after: list[str], rest: Iterator[bytes]) -> None:
        """Take the units of the rest of the file (a bad ``# units:`` line anywhere takes
        precedence over an error found before the end)."""
        def units(lines: list[str]) -> None:
            for ln in lines:
                self._skip(ln.strip())

        units(after)
        for block in rest:
            units(_lines(block))
        self._units()

    def _units(self) -> tuple[str, str]:
        try:
            return parse_units(self.units if self.units is not None else (self.spec or ""))
        except UserInputError as e:
            raise UserInputError(e.reason, path=self.path) from None

    # -- fast path ---------------------------------------------------------------------------
    def _fast(self, block: bytes) -> bool:
        """Parse a plain block with ``np.loadtxt``; False when it needs the line-by-line parse
        (comments, blank lines, a wrong field count, an odd side or number, …)."""
        assert self.dtype is not None
        plain = _plain(block)
        if plain is None or not plain.strip():
            return False
        skipped: list[bytes] = []
        if b"#" in plain or b"\n\n" in plain or b"\n " in plain or plain[:1] in b" \n":
            # comment and blank lines out (counted, and their units taken, if the rest parses)
            skipped = _SKIP_LINE.findall(plain)
            if skipped:
                plain = _SKIP_LINE.sub(b"", plain)
                if not plain.strip():
                    return False
        nlines = plain.count(b"\n") + (not plain.endswith(b"\n"))
        try:
            arr = np.loadtxt(io.StringIO(plain.decode("ascii")), delimiter=",", comments=None,
                             quotechar=None, dtype=self.dtype, ndmin=1)
        except ValueError:
            return False
        if len(arr) != nlines:  # a blank line was skipped
            return False
        cell = arr[f"f{self.idx['side']}"]
        right = cell == b"right"
        if not (right | (cell == b"left")).all():  # other spellings: l, R, " left", …
            uniq, inv = np.unique(cell, return_inverse=True)
            code = np.empty(len(uniq), dtype=bool)
            for k, u in enumerate(uniq.tolist()):
                v = u.decode("ascii").strip().lower()
                if len(u) >= _SIDE_WIDTH or v not in ("l", "left", "r", "right"):
                    return False  # possibly cut to the width, or unknown: read exactly
                code[k] = v in ("r", "right")
            right = code[inv]
        for line in skipped:
            m = _UNITS_RE.match(line.decode("ascii").strip())
            if m:
                self.spec = m.group(1)
        if self.unknown or self.bad:
            self.nrows += len(arr)
            return True
        cols = {c: arr[f"f{self.idx[c]}"] for c in ("time_s", *AXES)}
        n_right = int(np.count_nonzero(right))
        for sd in SIDES:
            if n_right == (len(arr) if sd == "left" else 0):
                continue  # no row of this side in the block
            if n_right == (len(arr) if sd == "right" else 0):  # the whole block: no mask copy
                self.out[sd].add(cols["time_s"], [cols[a] for a in AXES[:3]],
                                 [cols[a] for a in AXES[3:]])
                continue
            m = right if sd == "right" else ~right
            self.out[sd].add(cols["time_s"][m], [cols[a][m] for a in AXES[:3]],
                             [cols[a][m] for a in AXES[3:]])
        self.nrows += len(arr)
        return True

    def parse(self) -> tuple[dict[str, _Side], str, str]:
        blocks = self.text.blocks()
        for block in blocks:
            if self.header is not None and self._fast(block):
                self.line0 += block.count(b"\n") + (not block.endswith(b"\n"))
                continue
            lines = _lines(block)
            self._slow(lines, blocks)
            self.line0 += len(lines)
        del blocks
        self.text.close()  # the text is not needed any more: free it before the sensors are built
        if self.header is None:
            raise ParseError("no header or data", path=self.path)
        acc_unit, gyr_unit = self._units()
        if self.unknown:
            raise ParseError(f"unknown side values {sorted(self.unknown)[:3]}: use left/right",
                             path=self.path)
        for c in ("time_s", *AXES):
            if c in self.bad:
                raise ParseError(f"non-numeric value ({self.bad[c]})", path=self.path)
        return self.out, acc_unit, gyr_unit


def read_generic_csv(path: str | os.PathLike[str], *, units: str | None = None) -> ImuRecording:
    """Read the generic long bilateral layout (see module docstring)."""
    p = Path(path)
    return _generic([_read_data(p)], p, units)


def _generic(box: list[_Text], p: Path, units: str | None) -> ImuRecording:
    """``box`` holds the text; it is taken out so that it is freed once parsed."""
    text = box.pop()
    try:
        out, acc_unit, gyr_unit = _GenericParser(text, p, units).parse()
    finally:
        text.close()
    notes: list[str] = []
    sensors: dict[str, SensorData] = {}
    for sd in SIDES:
        s = out[sd]
        if not s.n:
            other = "right" if sd == "left" else "left"
            raise UserInputError(
                f"no {sd} sensor data (only {other}): a bilateral recording is needed", path=p
            )
    for sd in SIDES:
        s = out.pop(sd)
        sensors[sd] = build_sensor(
            s.t[: s.n],
            s.acc[: s.n],
            s.gyr[: s.n],
            side=sd,
            acc_unit=acc_unit,
            gyr_unit=gyr_unit,
            path=str(p),
            notes=notes,
        )
        del s
    return ImuRecording(sensors, _sampling_rate(sensors), str(p), "generic", notes)


def read_gaitmap_csv(
    path: str | os.PathLike[str], *, sampling_rate_hz: float = GAITMAP_RATE_HZ
) -> ImuRecording:
    """Read gaitmap's wide ``imu_sample.csv`` layout (see module docstring)."""
    p = Path(path)
    return _gaitmap(_read_data(p), p, sampling_rate_hz)


def _gaitmap(text: _Text, p: Path, sampling_rate_hz: float = GAITMAP_RATE_HZ) -> ImuRecording:
    data = text.tobytes()
    text.close()
    plain = _plain(data)
    if plain is not None:  # LF-separated: the first two lines, then the body as one stream
        i1 = plain.find(b"\n")
        i2 = plain.find(b"\n", i1 + 1) if i1 >= 0 else -1
        if i2 < 0 or i2 + 1 >= len(plain):
            raise ParseError("too short for the gaitmap layout (two header rows + data)", path=p)
        first, second = plain[:i1].decode("ascii"), plain[i1 + 1: i2].decode("ascii")
        body: Callable[[], np.ndarray] = lambda: _loadtxt_blocks(plain, i2 + 1)  # noqa: E731
    else:
        lines = data.decode("utf-8").splitlines()
        if len(lines) < 3:
            raise ParseError("too short for the gaitmap layout (two header rows + data)", path=p)
        first, second = lines[0], lines[1]
        body = lambda: np.loadtxt(lines[2:], delimiter=",", ndmin=2)  # noqa: E731
    sensor_row = [x.strip() for x in first.split(",")]
    axis_row = [x.strip() for x in second.split(",")]
    if len(sensor_row) != len(axis_row):
        raise ParseError("gaitmap layout: the two header rows differ in length", path=p)
    index: dict[tuple[str, str], int] = {}
    for i, (s, a) in enumerate(zip(sensor_row, axis_row, strict=True)):
        if i == 0:
            continue
        index[(s.removesuffix("_sensor").lower(), a.lower())] = i
    for sd in SIDES:
        if not any(k[0] == sd for k in index):
            raise UserInputError(f"no {sd}_sensor columns: a bilateral recording is needed", path=p)
        missing = [a for a in AXES if (sd, a) not in index]
        if missing:
            raise ParseError(f"{sd}_sensor lacks columns {missing}", path=p)
    try:
        data_arr = body()
    except ValueError as e:
        raise ParseError(f"non-numeric data ({str(e).splitlines()[0]})", path=p) from None
    notes: list[str] = []
    sensors = {
        sd: build_sensor(
            data_arr[:, 0] / sampling_rate_hz,  # one array per side (build_sensor may keep it)
            data_arr[:, [index[(sd, a)] for a in AXES[:3]]],
            data_arr[:, [index[(sd, a)] for a in AXES[3:]]],
            side=sd,
            path=str(p),
            notes=notes,
        )
        for sd in SIDES
    }
    return ImuRecording(sensors, sampling_rate_hz, str(p), "gaitmap", notes)


_DATA_LINE = re.compile(rb"^ *[^#\s]", flags=re.MULTILINE)


def _loadtxt_blocks(plain: bytes, start: int) -> np.ndarray:
    """``np.loadtxt(lines, delimiter=",", ndmin=2)`` of ``plain[start:]`` block by block (no
    copy of the whole text); the whole text at once when a block is refused or the blocks differ
    in width, so that an error is the one of a single call."""
    parts = []
    for block in _blocks(plain, start):
        if not _DATA_LINE.search(block):
            continue  # only comments and blank lines (np.loadtxt would warn of no data)
        try:
            parts.append(np.loadtxt(io.StringIO(block.decode("ascii")), delimiter=",",
                                    ndmin=2))
        except ValueError:
            parts = []
            break
        if parts[-1].shape[1] != parts[0].shape[1]:
            parts = []
            break
    if not parts:
        return np.loadtxt(io.StringIO(plain[start:].decode("ascii")), delimiter=",", ndmin=2)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _first_line(text: _Text) -> str:
    """The first line that is not blank (as ``str.splitlines`` splits the text)."""
    for block in text.blocks():
        for ln in _lines(block):
            if ln.strip():
                return ln
    return ""


def read_imu(path: str | os.PathLike[str], *, units: str | None = None) -> ImuRecording:
    """Read either layout, chosen from the first header line (the file is read once)."""
    p = Path(path)
    text = _read_data(p)
    if _first_line(text).lower().startswith("sensor,"):
        return _gaitmap(text, p)
    return _generic([text], p, units)


def write_generic_csv(
    rec: ImuRecording, path: str | os.PathLike[str], *, acc_unit: str = "m/s2"
) -> None:
    """Write ``rec`` in the generic long layout (acc in ``acc_unit``, gyr in deg/s)."""
    scale = _ACC_UNITS[acc_unit]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# units: acc={acc_unit}, gyr=deg/s\n")
        f.write(",".join(GENERIC_COLUMNS) + "\n")
        for sd, s in rec.sides.items():
            for i in range(len(s)):
                a = s.acc[i] / scale
                g = s.gyr[i]
                f.write(
                    f"{s.time_s[i]:.6f},{sd},{a[0]:.5g},{a[1]:.5g},{a[2]:.5g},"
                    f"{g[0]:.5g},{g[1]:.5g},{g[2]:.5g}\n"
                )
