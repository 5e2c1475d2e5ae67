# SPDX-License-Identifier: MIT
"""Bounded reading: every reader that opens a file or unwraps gzip goes through here, so that a
gzip bomb, ``/dev/zero`` or a FIFO cannot take the machine's memory (issue 14, "Resources").

- :func:`read_file_bounded` reads at most :data:`MAX_FILE_BYTES` (+1 to detect more): a file
  whose size the file system does not report (``/dev/zero``, a pipe) is still bounded.
- :func:`gunzip_bounded` unwraps gzip (several members too) and stops as soon as the output
  passes :data:`MAX_DECOMPRESSED_BYTES`: a 1 MB bomb is refused after at most that much output.

Both raise a one-line :class:`~evenstride.exceptions.ParseError` naming the file.
"""

from __future__ import annotations

import os
import warnings
import zlib
from pathlib import Path
from typing import AnyStr, Final

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_TEXT_BYTES",
    "cut_line_warned",
    "gunzip_bounded",
    "maybe_gunzip",
    "read_file_bounded",
    "read_path",
    "read_text_bounded",
    "split_cut_line",
]

#: Largest file read (bytes). Engineering bound: a 14-hour FIT is ~3 MB, a 24-hour TCX at 1 s
#: ~50 MB; exports (zip) of many runs are handled by the importer's own limits.
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
#: Largest gzip expansion (bytes) of one recording. Engineering bound: twice a 24-hour 1 s TCX
#: (~50 MB), so that reading it stays well under 1 GB of memory (TCX/GPX parsing takes ~3× the
#: text).
MAX_DECOMPRESSED_BYTES: Final = 128 * 1024 * 1024
#: Largest plain-text export read by the per-step CSV/text readers (IMU, RunScribe, Fukuchi,
#: phone, accelerometer): the bound of a gzip expansion (about 1.5 h of a bilateral 200 Hz IMU
#: in the generic layout as ``write_generic_csv`` writes it, 90 MB an hour; 100 h of RunScribe
#: strides). The IMU, accelerometer and phone readers parse plain text in blocks into arrays
#: (about 215 MB peak for 1 h of IMU through the CLI); text they read row by row (quotes,
#: control characters) takes several times its size. Engineering bound.
MAX_TEXT_BYTES: Final = MAX_DECOMPRESSED_BYTES
GZIP_MAGIC: Final = b"\x1f\x8b"
_CHUNK = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def read_file_bounded(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refusing more than ``limit`` (``OSError`` passes through)."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ParseError(f"file is too large (more than {_mb(limit)})", path=os.fspath(path))
    return data


def gunzip_bounded(data: bytes, path: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Unwrap gzip ``data`` (one or several members) with an output limit."""
    out: list[bytes] = []
    total = 0
    rest = data
    try:
        while rest[:2] == GZIP_MAGIC:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
            while True:
                want = min(_CHUNK, limit + 1 - total)
                chunk = d.decompress(pending, want)
                total += len(chunk)
                out.append(chunk)
                if total > limit:
                    raise ParseError(f"gzip data expands beyond {_mb(limit)}: refusing a "
                                     "possible gzip bomb", path=path)
                pending = d.unconsumed_tail
                if d.eof or (not pending and len(chunk) < want):
                    break
            if not d.eof:
                raise ParseError("truncated gzip data", path=path)
            rest = d.unused_data
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip data ({exc})", path=path) from None
    return b"".join(out)


def maybe_gunzip(data: bytes, path: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """``data`` unwrapped when it is gzip, else unchanged."""
    return gunzip_bounded(data, path, limit) if data[:2] == GZIP_MAGIC else data


def read_path(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the file at ``path`` (at most ``limit``), every failure a one-line
    :class:`ParseError` naming the file: missing, a folder or a device, too large, unreadable."""
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise ParseError("is a directory, not a file", path=name)
        if p.is_char_device() or p.is_block_device():
            raise ParseError("is a device, not a file", path=name)
        size = p.stat().st_size
        if size > limit:
            raise ParseError(f"file is too large ({size / 1e6:.0f} MB)", path=name)
        return read_file_bounded(p, limit)  # also bounds /dev/zero and pipes, whose size is 0
    except FileNotFoundError:
        raise ParseError("no such file", path=name) from None
    except PermissionError:
        raise ParseError("permission denied (cannot read the file)", path=name) from None
    except IsADirectoryError:
        raise ParseError("is a directory, not a file", path=name) from None
    except OSError as exc:
        raise ParseError(f"cannot read the file ({exc.strerror or exc})", path=name) from None
def read_text_bounded(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES, *,
                      encoding: str = "utf-8-sig", errors: str = "strict") -> str:
    """The text of ``path``, refusing more than ``limit`` bytes (``OSError`` and
    ``UnicodeDecodeError`` pass through)."""
    return read_file_bounded(path, limit).decode(encoding, errors)


def split_cut_line(text: AnyStr) -> tuple[AnyStr, AnyStr]:
    """``(complete lines, cut tail)``: the tail after the last newline when the text does not
    end with one (a file cut mid-line), else empty. Readers analyse the complete lines and warn
    about the cut, as the FIT reader does for a truncated file. ``text`` is ``str`` or ASCII/UTF-8
    ``bytes`` (the same cut either way)."""
    lf, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    if not text or text.endswith((lf, cr)):
        return text, text[:0]
    i = max(text.rfind(lf), text.rfind(cr))
    return text[: i + 1], text[i + 1:]


def cut_line_warned(text: AnyStr, path: str | os.PathLike[str], *, sep: str) -> AnyStr:
    """``text`` without a last line that was cut mid-line (fewer ``sep``-separated cells than
    the line before it), with a warning naming the file: the rows before the cut are analysed, as
    for a truncated FIT file (issue 14). ``text`` is ``str`` or ``bytes``."""
    body, tail = split_cut_line(text)
    if not tail:
        return text
    if isinstance(body, str):
        prev_n = body.rstrip("\r\n").rsplit("\n", 1)[-1].count(sep)
        tail_n = tail.count(sep)
    else:
        bsep = sep.encode()
        prev_n = body.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].count(bsep)
        tail_n = tail.count(bsep)
    if tail_n >= prev_n:
        return text  # a complete last line without a final newline
    warnings.warn(f"{os.fspath(path)}: the file ends mid-line (truncated?): the last, incomplete "
                  "row is ignored and the rows before it are analysed", EvenstrideWarning,
                  stacklevel=3)
    return body


def longest_line(data: bytes, chunk: int = 1 << 22) -> int:
    """Length of the longest LF-separated line of ``data`` (bytes), in bounded memory."""
    longest, start = 0, 0  # start: where the current line began
    for a in range(0, len(data), chunk):
        nl = np.flatnonzero(np.frombuffer(data, np.uint8, min(chunk, len(data) - a), a) == 10)
        if len(nl):
            ends = nl + a
            longest = max(longest, int(ends[0] - start),
                          int(np.diff(ends).max(initial=1)) - 1)
            start = int(ends[-1]) + 1
    return max(longest, len(data) - start)


#: Control bytes other than TAB, LF and CR.
CONTROL_BYTES: Final = bytes([*range(0, 10), 11, 12, *range(14, 32)])


def plain_ascii(raw: bytes, *, odd: bytes = CONTROL_BYTES, max_line: int | None = None
                ) -> bytes | None:
    """``raw`` with CRLF as LF when it is ASCII text without any of the ``odd`` bytes (control
    bytes by default), without a lone CR and without a line longer than ``max_line``, else
    ``None``: the test the CSV readers use before handing a block to ``np.loadtxt`` (anything
    else is read row by row, with that parse's exact messages)."""
    if not raw.isascii() or len(raw.translate(None, odd)) != len(raw):
        return None
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None
    if max_line is not None and longest_line(raw) > max_line:
        return None
    return raw
