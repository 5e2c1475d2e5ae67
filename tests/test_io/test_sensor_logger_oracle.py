# SPDX-License-Identifier: MIT
"""The Sensor Logger reader with its ``np.loadtxt`` path for plain CSVs (issue 15) against the
reader it replaced (tests/test_io/_legacy_sensor_logger.py, kept verbatim): folder, zip and
single-CSV exports, and edited copies (CRLF, a BOM, quotes, blank lines, times after a
spreadsheet round trip, stale and unsorted samples, extra columns, short rows, bad cells), the same
recording bit for bit, the same warnings and the same one-line errors."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import _legacy_sensor_logger as legacy
import numpy as np
import pytest

from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.io import _sensor_logger as new
from test_steps.test_phone_layout import _export


def _run(fn: Callable[..., object], *args: object) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out: object = fn(*args)
        except UserInputError as e:
            out = (type(e).__name__, str(e))
    return out, [str(x.message) for x in w if issubclass(x.category, EvenstrideWarning)]


def _same(*args: object) -> object:
    got, got_w = _run(new.read_sensor_logger, *args)
    want, want_w = _run(legacy.read_sensor_logger, *args)
    assert got_w == want_w
    if isinstance(want, tuple):
        assert got == want
        return got
    assert isinstance(got, new.TrunkRecording) and isinstance(want, legacy.TrunkRecording)
    assert (got.path, got.warnings, got.ap_axis, got.ml_axis) == (
        want.path, want.warnings, want.ap_axis, want.ml_axis)
    for f in ("time_s", "acc", "gyr", "vertical"):
        a, b = getattr(got, f), getattr(want, f)
        assert (a is None) == (b is None), f
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape, f
            assert np.array_equal(a, b, equal_nan=True), f
    return got


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return _export(tmp_path_factory.mktemp("phone") / "export", dur=40.0)


def _edit(text: str, fn: Callable[[int, str], str | None]) -> str:
    out = []
    for i, ln in enumerate(text.split("\n")):
        r = fn(i, ln)
        if r is not None:
            out.append(r)
    return "\n".join(out)


def _cell(ln: str, k: int, value: str) -> str:
    c = ln.split(",")
    c[k] = value
    return ",".join(c)


CASES: dict[str, Callable[[str], str | bytes]] = {
    "as written": lambda t: t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "bom": lambda t: "\ufeff" + t,
    "quoted cells": lambda t: _edit(t, lambda i, ln: _cell(ln, 2, f'"{ln.split(",")[2]}"')
                                    if i % 4 == 2 and ln else ln),
    "blank lines": lambda t: _edit(t, lambda i, ln: ln + "\n" if i % 777 == 5 else ln),
    "row of empty cells": lambda t: _edit(t, lambda i, ln: ln + "\n,,,," if i == 900 else ln),
    "time after a spreadsheet": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 0, f"{int(ln.split(',')[0]):.6e}") if i > 0 and ln else ln),
    "stale samples first": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 1, "-5.0") if i in (1, 2) else ln),
    "unsorted and repeated": lambda t: _edit(
        t, lambda i, ln: ln + "\n" + ln if i == 30 else ln),
    "extra column": lambda t: _edit(t, lambda i, ln: ln + (",extra" if ln else "")),
    "columns by name, other order": lambda t: _edit(t, lambda i, ln: ",".join(
        ln.split(",")[k] for k in (4, 0, 3, 2, 1)) if ln else ln),
    "no time column": lambda t: _edit(t, lambda i, ln: ",".join(ln.split(",")[1:])),
    "short row": lambda t: _edit(t, lambda i, ln: ",".join(ln.split(",")[:3]) if i == 500
                                 else ln),
    "bad cell": lambda t: _edit(t, lambda i, ln: _cell(ln, 3, "n/a") if i == 700 else ln),
    "inf cell": lambda t: _edit(t, lambda i, ln: _cell(ln, 4, "inf") if i == 700 else ln),
    "negative time": lambda t: _edit(t, lambda i, ln: _cell(ln, 0, "-1") if i == 3 else ln),
    "huge time": lambda t: _edit(t, lambda i, ln: _cell(ln, 0, "9" * 25) if i == 3 else ln),
    "time past int64, 19 digits": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 0, "9223372036854775808") if i == 3 else ln),
    "time at int64's largest": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 0, "9223372036854775807") if i == 3 else ln),
    "two rows": lambda t: "\n".join(t.split("\n")[:3]) + "\n",
    "header only": lambda t: t.split("\n")[0] + "\n",
    "non-ascii": lambda t: t.replace("seconds_elapsed", "seconds_elapsed", 1) + "# é\n",
    "lone cr": lambda t: t.replace("\n", "\r"),
    "a number over csv's field limit": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 3, "1" * 140_000) if i == 1000 else ln),
}


@pytest.mark.parametrize("case", list(CASES))
def test_edited_export_same_as_before(case, export, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(export.parent, folder)
    for name in ("Accelerometer.csv", "Gyroscope.csv"):
        data = CASES[case]((folder / name).read_text())
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    got = _same(folder)
    if case in ("as written", "crlf", "bom", "quoted cells", "extra column"):
        assert isinstance(got, new.TrunkRecording)  # not refused by both
    _same(folder / "Accelerometer.csv")
    _same(folder / "Accelerometer.csv", folder / "Gyroscope.csv")
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"rec/{f.name}")
    _same(z)


def test_total_acceleration_export(tmp_path):
    folder = _export(tmp_path / "android", platform="android", dur=30.0,
                     files=("TotalAcceleration", "Gyroscope")).parent
    got = _same(folder)
    assert isinstance(got, new.TrunkRecording)
    assert got.gyr is not None
