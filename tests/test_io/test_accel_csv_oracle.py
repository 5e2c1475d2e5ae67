# SPDX-License-Identifier: MIT
"""The block reader of accelerometer CSVs (issue 15) against the reader it replaced
(tests/test_io/_legacy_accel_csv.py, kept verbatim): on the real adeptdata run (300 000 rows)
and on edited copies of a slice of it (CRLF, quotes, a cut last line, blank lines, short rows,
bad times and values, extra columns, repeated rows, a BOM, non-ASCII text), the same series bit
for bit, the same warnings and the same one-line errors, in 4 MB and in tiny blocks."""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from pathlib import Path

import _legacy_accel_csv as legacy
import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io import _accel_csv as new

pytestmark = pytest.mark.shared_data


def _run(fn: Callable[..., object], path: Path) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out: object = fn(path)
        except (UserInputError, ParseError) as e:
            out = (type(e).__name__, str(e))
    return out, [str(x.message) for x in w if issubclass(x.category, EvenstrideWarning)]


def _same(path: Path) -> object:
    got, got_w = _run(new.read_adeptdata_csv, path)
    want, want_w = _run(legacy.read_adeptdata_csv, path)
    assert sorted(set(got_w)) == sorted(set(want_w))
    if isinstance(want, tuple):
        assert got == want
        return got
    assert isinstance(got, dict) and isinstance(want, dict)
    assert list(got) == list(want)
    for k, b in want.items():
        a = got[k]
        assert (a.location, a.start, a.warnings) == (b.location, b.start, b.warnings)
        for f in ("time_s", "acc_g", "valid"):
            x, y = getattr(a, f), getattr(b, f)
            assert x.dtype == y.dtype and x.shape == y.shape, (k, f)
            assert np.array_equal(x, y, equal_nan=True), (k, f)
    return got


@pytest.fixture(scope="module")
def real_gz() -> Path:
    p = shared_data_dir() / "adeptdata" / "acc_running_converted.csv.gz"
    if not p.is_file():
        pytest.skip("adeptdata/acc_running_converted.csv.gz not in the shared data")
    return p


@pytest.fixture(scope="module")
def slice_text(real_gz) -> str:
    """Rows 60 000–66 000 of each location (the ankle clips at −8 g in the run)."""
    lines = gzip.decompress(real_gz.read_bytes()).decode().split("\n")
    return "\n".join([lines[0], *lines[60_001:66_001], *lines[210_001:216_001]]) + "\n"


@pytest.fixture(params=["blocks of 4 MB", "blocks of 2 kB"])
def blocks(request, monkeypatch):
    if request.param != "blocks of 4 MB":
        monkeypatch.setattr(new, "_BLOCK_BYTES", 2000)
    return request.param


def test_real_run_same_as_before(real_gz):
    got = _same(real_gz)
    assert isinstance(got, dict)
    assert {k: len(v.time_s) for k, v in got.items()} == {"left_hip": 150_000,
                                                           "left_ankle": 150_000}


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
    "slice": lambda t: t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "quoted fields": lambda t: _edit(t, lambda i, ln: _cell(ln, 0, f'"{ln.split(",")[0]}"')
                                     if i % 5 == 1 else ln),
    "quoted field over two lines": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 0, '"left\nhip"') if i == 3000 else ln),
    "cut last line": lambda t: t.rstrip("\n")[:-9],
    "cut inside the time": lambda t: t.rstrip("\n")[: t.rstrip("\n").rfind(",", 0, -20) + 9],
    "no final newline": lambda t: t.rstrip("\n"),
    "blank lines": lambda t: _edit(t, lambda i, ln: ln + "\n\n" if i % 1001 == 7 else ln),
    "whitespace-only line": lambda t: _edit(t, lambda i, ln: ln + "\n   " if i == 4000 else ln),
    "short row late, bad value early": lambda t: _edit(
        t, lambda i, ln: (_cell(ln, 3, "x") if i == 10 else
                          ",".join(ln.split(",")[:3]) if i == 9000 else ln)),
    "bad time": lambda t: _edit(t, lambda i, ln: _cell(ln, 1, "yesterday") if i == 7000 else ln),
    "time with a zone": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 1, ln.split(",")[1] + "Z") if i == 50 else ln),
    "empty time and value": lambda t: _edit(
        t, lambda i, ln: _cell(_cell(ln, 1, ""), 4, "") if i == 333 else ln),
    "nan value": lambda t: _edit(t, lambda i, ln: _cell(ln, 2, "nan") if i == 444 else ln),
    "spaces around values": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 3, f" {ln.split(',')[3]} ") if i % 3 == 1 and ln else ln),
    "extra column": lambda t: _edit(t, lambda i, ln: ln + (",note" if ln else "")),
    "extra fields on some rows": lambda t: _edit(
        t, lambda i, ln: ln + ",1,2" if i % 97 == 3 else ln),
    "reordered header": lambda t: _edit(t, lambda i, ln: ",".join(
        ln.split(",")[k] for k in (4, 2, 0, 1, 3)) if ln else ln),
    "repeated rows": lambda t: _edit(t, lambda i, ln: ln + "\n" + ln if i % 500 == 9 else ln),
    "repeated time, other values": lambda t: _edit(
        t, lambda i, ln: ln + "\n" + _cell(ln, 2, "0.5") if i == 800 else ln),
    "unsorted rows": lambda t: "\n".join([t.split("\n")[0], *reversed(t.split("\n")[1:-1])]),
    "long location name": lambda t: t.replace("left_ankle", "left_ankle_" + "x" * 40),
    "third location": lambda t: t + "right_ankle" + t.split("\n")[5][8:] + "\n",
    "bom": lambda t: "\ufeff" + t,
    "non-ascii location": lambda t: t.replace("left_hip", "hanche_gauche_é"),
    "nul byte": lambda t: _edit(t, lambda i, ln: ln + "\x00" if i == 5 else ln),
    "missing column": lambda t: t.replace("loc_id", "place", 1),
    "header only": lambda t: t.split("\n")[0] + "\n",
    "header only, no newline": lambda t: t.split("\n")[0],
    "empty": lambda t: "",
    "blank first line": lambda t: "\n" + t,
    "invalid utf-8": lambda t: t.encode()[:3000] + b"\xff" + t.encode()[3000:],
    "a field over csv's limit, late": lambda t: _edit(
        t, lambda i, ln: _cell(ln, 2, "1" * 140_000) if i == 11_000 else ln),
    "a field over csv's limit, short row early": lambda t: _edit(
        t, lambda i, ln: ("x" if i == 5 else _cell(ln, 4, "2" * 140_000) if i == 11_000
                          else ln)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_edited_slice_same_as_before(case, slice_text, blocks, tmp_path):
    data = CASES[case](slice_text)
    raw = data if isinstance(data, bytes) else data.encode()
    p = tmp_path / "acc.csv"
    p.write_bytes(raw)
    got = _same(p)
    if case in ("slice", "crlf", "quoted fields", "extra column", "cut last line", "bom"):
        assert isinstance(got, dict) and len(got) == 2  # not refused by both
    gz = tmp_path / "acc.csv.gz"
    gz.write_bytes(gzip.compress(raw))
    _same(gz)
