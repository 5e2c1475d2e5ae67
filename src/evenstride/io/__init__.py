# SPDX-License-Identifier: MIT
"""① Readers. Input: a file path (FIT, TCX, GPX, optionally gzip-compressed). Output: an
:class:`~evenstride.datatypes.Activity`.

The format is recognised from the file's content (FIT header signature, XML root element), with
the file name only as a hint, so a ``.fit`` that is really a GPX still reads and a renamed
text file is refused with a clear message.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from evenstride.datatypes import Activity
from evenstride.exceptions import ParseError
from evenstride.io._accel_csv import AccelSeries, read_adeptdata_csv
from evenstride.io._archive import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_NESTED_ZIP_BYTES,
    MAX_RATIO,
    MAX_ZIP_DEPTH,
    ArchiveError,
    check_member_size,
    member_reader,
    read_member,
    read_member_or_refuse,
    unsafe_member_reason,
)
from evenstride.io._bounded import (
    MAX_DECOMPRESSED_BYTES,
    MAX_FILE_BYTES,
    maybe_gunzip,
    read_file_bounded,
    read_path,
)
from evenstride.io._c3d import C3DData, c3d_forces, c3d_markers, read_c3d
from evenstride.io._fukuchi import (
    PEAK_BW_RANGE,
    ForceData,
    MarkerData,
    read_forces,
    read_info_mass,
    read_markers,
    read_processed,
)
from evenstride.io._imu_csv import (
    SIDES,
    G,
    ImuRecording,
    SensorData,
    read_gaitmap_csv,
    read_generic_csv,
    read_imu,
    saturated_mask,
    write_generic_csv,
)
from evenstride.io._rr import RestRecording, read_rest_recording, read_rr_csv, read_rr_fit
from evenstride.io._runscribe_csv import read_runscribe_csv, read_runscribe_side
from evenstride.io._sensor_logger import TrunkRecording, read_sensor_logger
from evenstride.io._sniff import ACTIVITY_FORMATS, RECORDING_FORMATS, detect_format, detect_input
from evenstride.io._strava_csv import STRAVA_REQUIRED_COLUMNS, StravaRow, parse_strava_csv
from evenstride.io._time_gaps import overlap_notes

__all__ = [
    "ACTIVITY_FORMATS",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_NESTED_ZIP_BYTES",
    "MAX_RATIO",
    "MAX_ZIP_DEPTH",
    "PEAK_BW_RANGE",
    "RECORDING_FORMATS",
    "SIDES",
    "STRAVA_REQUIRED_COLUMNS",
    "AccelSeries",
    "ArchiveError",
    "C3DData",
    "ForceData",
    "G",
    "ImuRecording",
    "MarkerData",
    "RestRecording",
    "SensorData",
    "StravaRow",
    "TrunkRecording",
    "c3d_forces",
    "c3d_markers",
    "check_member_size",
    "detect_format",
    "detect_input",
    "maybe_gunzip",
    "member_reader",
    "overlap_notes",
    "parse_strava_csv",
    "read_activity",
    "read_adeptdata_csv",
    "read_bytes",
    "read_c3d",
    "read_file_bounded",
    "read_forces",
    "read_gaitmap_csv",
    "read_generic_csv",
    "read_imu",
    "read_info_mass",
    "read_markers",
    "read_member",
    "read_member_or_refuse",
    "read_path",
    "read_processed",
    "read_rest_recording",
    "read_rr_csv",
    "read_rr_fit",
    "read_runscribe_csv",
    "read_runscribe_side",
    "read_sensor_logger",
    "saturated_mask",
    "unsafe_member_reason",
    "write_generic_csv",
]

# Files larger than MAX_FILE_BYTES are refused (a 14-hour FIT is ~3 MB); gzip is unwrapped up to
# evenstride.io._bounded.MAX_DECOMPRESSED_BYTES.


def _read_fit(data: bytes, path: str) -> Activity:
    from evenstride.io._fit_reader import read_fit

    return read_fit(data, path=path)


def _read_tcx(data: bytes, path: str) -> Activity:
    from evenstride.io._tcx import read_tcx

    return read_tcx(data, path=path)


def _read_gpx(data: bytes, path: str) -> Activity:
    from evenstride.io._gpx import read_gpx

    return read_gpx(data, path=path)


_READERS: dict[str, Callable[[bytes, str], Activity]] = {
    "fit": _read_fit,
    "tcx": _read_tcx,
    "gpx": _read_gpx,
}


def read_bytes(data: bytes, *, path: str = "<bytes>") -> Activity:
    """Read an activity from bytes (gzip is unwrapped automatically, with a size limit)."""
    data = maybe_gunzip(data, path)
    if not data:
        raise ParseError("file is empty", path=path)
    fmt = detect_format(data)
    if fmt is None:
        suffix = Path(path).suffix.lower()
        hint = f" (named {suffix!r})" if suffix else ""
        raise ParseError(
            f"not a FIT, TCX or GPX file{hint}: unrecognised content", path=path
        )
    return _READERS[fmt](data, path)


def read_activity(path: str | os.PathLike[str]) -> Activity:
    """Read a running file into evenstride's side-labelled model.

    Parameters
    ----------
    path
        A ``.fit``, ``.tcx`` or ``.gpx`` file, optionally gzip-compressed (``.fit.gz`` …).

    Raises
    ------
    ParseError
        The file is missing, unreadable, empty, of an unknown format or corrupt beyond recovery.
    UnsupportedActivityError
        The file holds no running (e.g. a bike ride).

    Examples
    --------
    >>> from evenstride.simulate import simulate_run, write_simulated_fit
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> p = write_simulated_fit(os.path.join(d, "run.fit"), duration_s=600, seed=1)
    >>> act = read_activity(p)
    >>> act.meta.file_format, act.meta.sport
    ('fit', 'running')
    """
    data = read_path(path)
    return read_bytes(data, path=str(path))
