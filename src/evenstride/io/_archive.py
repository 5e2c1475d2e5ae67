# SPDX-License-Identifier: MIT
"""Safe reading of zip archives (exports of many runs): size, ratio, depth and member-name
limits against zip bombs and path traversal; a refused archive is an :class:`ArchiveError`.
Which members are activities and what they are called is the importer's business
(:mod:`evenstride.importer`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from typing import Final

from evenstride.exceptions import ParseError, UserInputError

# --- limits -----------------------------------------------------------------------------------
#: Largest activity file or CSV read from an archive, and largest gzip expansion, in bytes
#: (a 14-hour FIT is ~3 MB; a long GPX ~30 MB).
MAX_MEMBER_BYTES: Final = 200 * 1024 * 1024
#: Largest uncompressed/compressed ratio accepted for a member larger than 1 MB (FIT compresses
#: ~3×, GPX/TCX ~10–20×; zip bombs ~1000×).
MAX_RATIO: Final = 200.0
_RATIO_MIN_BYTES = 1024 * 1024
#: Largest nested zip copied to the temporary directory (Garmin export parts are large).
MAX_NESTED_ZIP_BYTES: Final = 16 * 1024**3
#: Zips inside zips are opened down to this depth.
MAX_ZIP_DEPTH: Final = 3
#: Refuse archives listing more members than this.
MAX_MEMBERS: Final = 500_000


class ArchiveError(UserInputError):
    """An archive is refused as a whole (corrupt, unsafe member names, zip bomb, bad CSV)."""


# --- report -----------------------------------------------------------------------------------


def unsafe_member_reason(name: str) -> str | None:
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return "an absolute path"
    if ".." in n.split("/"):
        return "a '..' path (path traversal)"
    if "\x00" in n:
        return "a NUL byte"
    return None


def check_member_size(info: zipfile.ZipInfo, archive: str, limit: int) -> None:
    if info.file_size > limit:
        raise ArchiveError(
            f"member {info.filename!r} declares {info.file_size / 1e6:,.0f} MB uncompressed "
            f"(limit {limit / 1e6:,.0f} MB): refusing a possible zip bomb",
            path=archive,
        )
    if info.file_size > _RATIO_MIN_BYTES and info.compress_size > 0:
        ratio = info.file_size / info.compress_size
        if ratio > MAX_RATIO:
            raise ArchiveError(
                f"member {info.filename!r} expands {ratio:,.0f}× (limit {MAX_RATIO:.0f}×): "
                "refusing a possible zip bomb",
                path=archive,
            )


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        raise ParseError("encrypted archive member", path=source)
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        raise ParseError(f"cannot read the archive member ({exc})", path=source) from None
    if len(data) > limit:
        raise ParseError(f"archive member larger than {limit / 1e6:,.0f} MB", path=source)
    return data


def member_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, src: str) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_member(zf, info, src, MAX_MEMBER_BYTES)

    return read


def read_member_or_refuse(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    try:
        return read_member(zf, info, f"{shown}!{info.filename}", MAX_MEMBER_BYTES)
    except ParseError as exc:
        raise ArchiveError(f"{info.filename}: {exc.reason}", path=shown) from None
