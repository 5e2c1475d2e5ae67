# SPDX-License-Identifier: MIT
"""Input discovery: files, folders, globs and export zips, local or through fsspec URLs
(``s3://bucket/runs/``, ``gs://…``, ``file://…``, anything fsspec knows).

Discovery runs on the client and only lists; workers read the bytes themselves (a file's
:class:`Locator` travels to the worker, never its bytes), so a million files cost the client a
listing, not a download.

Which athlete a file belongs to, in this order: a path component ``athlete=ID`` (hive style,
``s3://lake-in/athlete=4711/2024/run.fit``); ``--athlete`` (every file is that athlete's); the
name of the folder holding the file (for a member of a zip: the zip's name without ``.zip``).
"""

from __future__ import annotations

import glob as _glob
import io
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any, Final

from evenstride.exceptions import UserInputError

ACTIVITY_SUFFIXES: Final = (".fit", ".tcx", ".gpx", ".fit.gz", ".tcx.gz", ".gpx.gz")
ZIP_SUFFIX: Final = ".zip"
#: Zips inside zips (a Garmin export) are opened down to this depth.
MAX_ZIP_DEPTH: Final = 2
#: Largest member read from a zip, bytes (as the importer's limit).
MAX_MEMBER_BYTES: Final = 200 * 1024 * 1024


@dataclass(frozen=True)
class Locator:
    """Where one file's bytes are: a URL (or local path) and, inside zips, the member path."""

    url: str
    members: tuple[str, ...] = ()
    #: how the file is named in the lake (``path`` or ``archive.zip!member``)
    source: str = ""
    athlete_id: str = ""


@dataclass(frozen=True)
class Unreadable:
    """An input that could not even be listed (a corrupt zip): one error row."""

    source: str
    athlete_id: str
    reason: str


def _fs(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(url)
    except (ValueError, ImportError) as exc:  # unknown protocol, its package missing
        raise UserInputError(f"cannot open ({exc})", path=url) from None


def _is_url(s: str) -> bool:
    return "://" in s


def _athlete(path: str, given: str | None, container: str | None = None) -> str:
    for part in path.replace("\\", "/").split("/"):
        if part.startswith("athlete=") and len(part) > len("athlete="):
            return part[len("athlete="):]
    if given:
        return given
    if container is not None:
        name = posixpath.basename(container.rstrip("/"))
        return name[: -len(ZIP_SUFFIX)] if name.lower().endswith(ZIP_SUFFIX) else name
    parent = posixpath.basename(posixpath.dirname(path.replace("\\", "/")))
    return parent or "default"


def _activity(name: str) -> bool:
    n = name.lower()
    return n.endswith(ACTIVITY_SUFFIXES)


def discover(inputs: list[str], athlete: str | None = None
             ) -> tuple[list[Locator], list[Unreadable]]:
    """Every activity file named by ``inputs`` (sorted by source; duplicates of one path listed
    once) and the inputs that could not be listed. An input that names nothing (no such file,
    a glob matching nothing, an empty folder) is a one-line :class:`UserInputError`."""
    found: dict[str, Locator] = {}
    bad: list[Unreadable] = []
    for item in inputs:
        fs, path = _fs(item)
        proto = item.split("://", 1)[0] if _is_url(item) else None

        def url_of(p: str, proto: str | None = proto, fs: Any = fs) -> str:
            return fs.unstrip_protocol(p) if proto else p

        if _glob.has_magic(path):
            paths = sorted(p for p in fs.glob(path) if fs.isfile(p))
            if not paths:
                raise UserInputError("no file matches this pattern", path=item)
        elif fs.isdir(path):
            paths = sorted(fs.find(path))
            paths = [p for p in paths if _activity(p) or p.lower().endswith(ZIP_SUFFIX)]
            if not paths:
                raise UserInputError("no activity files (.fit/.tcx/.gpx[.gz], .zip) in this "
                                     "folder", path=item)
        elif fs.isfile(path):
            paths = [path]
        else:
            raise UserInputError("no such file or folder", path=item)
        for p in paths:
            url = url_of(p)
            shown = url if proto else p
            if p.lower().endswith(ZIP_SUFFIX):
                try:
                    with fs.open(p, "rb") as f:
                        _zip(f, url, shown, (), athlete, found, bad, depth=1)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    bad.append(Unreadable(shown, _athlete(shown, athlete, shown),
                                          f"not a readable zip archive ({exc})"))
            elif _activity(p) or not fs.isdir(path):  # a file named explicitly is always tried
                found.setdefault(shown, Locator(url, (), shown, _athlete(shown, athlete)))
    return sorted(found.values(), key=lambda c: c.source), bad


def _zip(f: Any, url: str, shown: str, members: tuple[str, ...], athlete: str | None,
         found: dict[str, Locator], bad: list[Unreadable], *, depth: int,
         top: str | None = None) -> None:
    top = top or shown  # the outermost zip names the athlete
    with zipfile.ZipFile(f) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = info.filename
            src = f"{shown}!{name}"
            path_members = (*members, name)
            who = _athlete(f"{shown}/{name}", athlete, top)
            if info.file_size > MAX_MEMBER_BYTES:
                bad.append(Unreadable(src, who, f"member larger than "
                                      f"{MAX_MEMBER_BYTES // 2**20} MB"))
                continue
            if name.lower().endswith(ZIP_SUFFIX):
                if depth >= MAX_ZIP_DEPTH:
                    continue
                try:
                    inner = io.BytesIO(zf.read(info))
                    _zip(inner, url, src, path_members, athlete, found, bad, depth=depth + 1,
                         top=top)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    bad.append(Unreadable(src, who, f"not a readable zip archive ({exc})"))
            elif _activity(name):
                found.setdefault(src, Locator(url, path_members, src, who))


def read_locator(loc: Locator) -> bytes:
    """The bytes of one located file (runs on a worker)."""

    fs, path = _fs(loc.url)
    if not loc.members:
        with fs.open(path, "rb") as f:
            data: bytes = f.read(MAX_MEMBER_BYTES + 1)
    else:
        with fs.open(path, "rb") as f:
            data = _read_member(f, loc.members)
        return data
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(f"larger than {MAX_MEMBER_BYTES // 2**20} MB")
    return data


def _read_member(f: Any, members: tuple[str, ...]) -> bytes:
    with zipfile.ZipFile(f) as zf:
        data = zf.read(members[0])
    if len(members) == 1:
        return data
    return _read_member(io.BytesIO(data), members[1:])
