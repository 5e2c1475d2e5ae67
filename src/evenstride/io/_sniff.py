# SPDX-License-Identifier: MIT
"""What a file is, from its content (magic bytes, XML root, CSV header), the name only a hint.

:func:`detect_format` tells the watch formats (FIT, TCX, GPX) apart in bytes already read;
:func:`detect_input` looks at a path (file, gzip, zip, folder) and says which of every input
evenstride reads it is: a watch activity or a raw recording whose steps are still to be found.
"""

from __future__ import annotations

import csv
import gzip
import os
import zipfile
import zlib
from pathlib import Path
from typing import Final

#: Watch activities: read directly into an Activity (:func:`evenstride.io.read_activity`).
ACTIVITY_FORMATS: Final = ("fit", "tcx", "gpx")
#: Raw recordings: their steps are found by :mod:`evenstride.steps` (``evenstride steps``).
RECORDING_FORMATS: Final = ("imu", "fukuchi", "c3d", "runscribe", "phone", "accel", "video")
#: Bytes looked at to recognise a file (a header line or two; XML roots come early).
_HEAD_BYTES = 64 * 1024
#: File names of a Sensor Logger export that carry acceleration.
_SENSOR_LOGGER_ACC = ("accelerometer.csv", "totalacceleration.csv")


def is_video_header(head: bytes) -> bool:
    """An MP4/QuickTime (``ftyp`` box), Matroska/WebM (EBML) or AVI (RIFF…AVI) header.

    >>> is_video_header(b"\\x00\\x00\\x00\\x18ftypmp42"), is_video_header(b"<?xml")
    (True, False)
    """
    return (head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3"
            or (head[:4] == b"RIFF" and head[8:11] == b"AVI"))


def detect_format(data: bytes) -> str | None:
    """Return ``"fit"``, ``"tcx"`` or ``"gpx"`` from the content, or ``None``."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<trainingcenterdatabase" in head:
            return "tcx"
        if b"<gpx" in head:
            return "gpx"
    return None


def _head(path: Path) -> bytes:
    """The first :data:`_HEAD_BYTES` of the file, gzip unwrapped (a truncated stream is fine)."""
    with path.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.open(path, "rb") as gz:
            return gz.read(_HEAD_BYTES)
    except (OSError, EOFError, zlib.error):
        return raw


def _csv_kind(text: str) -> str | None:
    """The recording format a CSV/TSV header says, or ``None``."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    body = [ln for ln in lines if not ln.lstrip().startswith("#")]
    if not body:
        return None
    first = body[0]
    if first.startswith("Time\t"):  # Fukuchi treadmill exports: forces or markers, tab-separated
        return "fukuchi"
    if first.lower().startswith("sensor,"):  # the gaitmap example layout
        return "imu"
    try:
        row = next(csv.reader([first]))
    except csv.Error:
        return None
    names = {c.split("(")[0].strip().lower() for c in row}
    if {"time_s", "side", "acc_x", "gyr_x"} <= names:  # the generic bilateral IMU layout
        return "imu"
    if {"loc_id", "date_time", "x", "y", "z"} <= names:  # adeptdata one-leg accelerometer
        return "accel"
    if {"x", "y", "z"} <= names and names & {"time", "seconds_elapsed"}:  # Sensor Logger CSV
        return "phone"
    from evenstride.io._runscribe_csv import _REQUIRED

    if set(_REQUIRED) <= names:  # RunScribe per-stride export
        return "runscribe"
    return None


def detect_input(path: str | os.PathLike[str]) -> str | None:
    """Which input ``path`` is, from its content: one of :data:`ACTIVITY_FORMATS` or
    :data:`RECORDING_FORMATS`, or ``None`` when it is none of them (or cannot be read: the
    reader then says why, naming the file).

    - FIT (``.FIT`` signature), TCX/GPX (XML root), also gzip-compressed;
    - C3D (the ``0x50`` key in the first header word);
    - a video clip (MP4/QuickTime ``ftyp`` box, Matroska/WebM, AVI);
    - a Sensor Logger export: a folder or zip holding ``Accelerometer.csv`` or
      ``TotalAcceleration.csv``, a JSON array of records, or one of its CSVs;
    - CSV/TSV exports by their header: generic and gaitmap IMU layouts, RunScribe, adeptdata,
      Fukuchi treadmill forces/markers.
    """
    p = Path(path)
    try:
        if p.is_dir():
            names = {f.name.lower() for f in p.iterdir()}
            return "phone" if names & set(_SENSOR_LOGGER_ACC) else None
        if not p.is_file():
            return None
        data = _head(p)
    except OSError:
        return None
    fmt = detect_format(data)
    if fmt is not None:
        return fmt
    if len(data) >= 512 and data[1] == 0x50 and data[0] >= 1:
        return "c3d"
    if is_video_header(data):
        return "video"  # MP4/QuickTime, Matroska/WebM or AVI (decoded by io.video)
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(p) as zf:
                members = {n.rsplit("/", 1)[-1].lower() for n in zf.namelist()}
        except (OSError, zipfile.BadZipFile, ValueError):
            return None
        return "phone" if members & set(_SENSOR_LOGGER_ACC) else None
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("[") and '"sensor"' in text:  # Sensor Logger JSON export
        return "phone"
    return _csv_kind(text)


__all__ = ["ACTIVITY_FORMATS", "RECORDING_FORMATS", "detect_format", "detect_input",
           "is_video_header"]
