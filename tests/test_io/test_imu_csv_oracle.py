# SPDX-License-Identifier: MIT
"""The block reader of foot-IMU CSVs (issue 15) against the reader it replaced
(tests/test_io/_legacy_imu_csv.py, kept verbatim): on the real gaitmap recording and on
generated files with odd cases (comments, CRLF, a cut last line, blank lines, extra and
reordered columns, other side spellings, missing values, a BOM, control characters, bad units,
wrong field counts), the same values bit for bit, the same warnings and the same one-line errors.
Each case also runs with tiny blocks, so that every odd line falls in a block of its own."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import _legacy_imu_csv as legacy
import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io import _imu_csv as new
from evenstride.steps.simulate_imu import simulate_imu_run


def _run(fn: Callable[..., object], *args: object, **kw: object) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out: object = fn(*args, **kw)
        except (UserInputError, ParseError) as e:
            out = (type(e).__name__, str(e))
    return out, [str(x.message) for x in w if issubclass(x.category, EvenstrideWarning)]


def _same(path: Path, *, reader: str = "read_imu", **kw: object) -> object:
    """Both readers on ``path``: equal results (or errors) and warnings; the new result."""
    got, got_w = _run(getattr(new, reader), path, **kw)
    want, want_w = _run(getattr(legacy, reader), path, **kw)
    assert sorted(set(got_w)) == sorted(set(want_w))
    if isinstance(want, tuple):
        # one deliberate difference: a wrong field count names the line's own number (the old
        # reader counted every blank or comment line of the whole file, even those after it)
        pat = re.compile(r"line \d+: wrong field count")
        assert isinstance(got, tuple)
        assert (got[0], pat.sub("line N: wrong field count", got[1])) == (
            want[0], pat.sub("line N: wrong field count", want[1]))
        if pat.search(got[1]):
            n = int(re.search(r"line (\d+):", got[1]).group(1))  # type: ignore[union-attr]
            lines = path.read_bytes().decode("utf-8", "replace").splitlines()
            head = next(ln for ln in lines if ln.strip() and not ln.strip().startswith("#"))
            assert lines[n - 1].count(",") != head.count(","), (n, lines[n - 1])  # that line
        return got
    assert isinstance(got, new.ImuRecording)
    assert isinstance(want, legacy.ImuRecording)
    assert (got.sampling_rate_hz, got.layout, got.warnings, got.path) == (
        want.sampling_rate_hz, want.layout, want.warnings, want.path)
    assert list(got.sides) == list(want.sides)
    for sd in want.sides:
        for f in ("time_s", "acc", "gyr", "valid", "segment"):
            a, b = getattr(got.sides[sd], f), getattr(want.sides[sd], f)
            assert a.dtype == b.dtype and a.shape == b.shape, (sd, f)
            assert np.array_equal(a, b, equal_nan=True), (sd, f)
    return got


@pytest.fixture(scope="module")
def base_text(tmp_path_factory) -> str:
    p = tmp_path_factory.mktemp("imu") / "base.csv"
    new.write_generic_csv(simulate_imu_run(duration_s=40, seed=5).recording, p)
    return p.read_text()


@pytest.fixture(params=["blocks of 1 MB", "blocks of 3 kB"])
def blocks(request, monkeypatch):
    if request.param != "blocks of 1 MB":
        monkeypatch.setattr(new, "_BLOCK_BYTES", 3000)
        monkeypatch.setattr(new, "_FIRST_BLOCK_BYTES", 700)
    return request.param


def _edit_lines(text: str, fn: Callable[[int, str], str | None]) -> str:
    out = []
    for i, ln in enumerate(text.split("\n")):
        r = fn(i, ln)
        if r is not None:
            out.append(r)
    return "\n".join(out)


def _row(i: int, ln: str, every: int, fn: Callable[[str], str]) -> str:
    return fn(ln) if i > 2 and i % every == 0 and ln else ln


def _cell(ln: str, k: int, value: str) -> str:
    c = ln.split(",")
    c[k] = value
    return ",".join(c)


CASES: dict[str, Callable[[str], str | bytes]] = {
    "plain": lambda t: t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "lone cr": lambda t: t.replace("\n", "\r"),
    "comments and blank lines inside": lambda t: _edit_lines(
        t, lambda i, ln: ln + ("\n# a note\n\n   \n" if i % 997 == 5 else "")),
    "units comment late (acc in g)": lambda t: t.replace(
        "# units: acc=m/s2", "# units: acc=g").replace(
        "\n", "\n# units: acc=m/s2, gyr=deg/s\n", 1) + "# units: acc=m/s2\n",
    "units spec bad, late": lambda t: t + "# units: acc=furlongs\n",
    "units spec bad, late, with a wrong field count": lambda t: _edit_lines(
        t, lambda i, ln: ln + ",9" if i == 3000 else ln) + "# units: acc=furlongs\n",
    "cut last line": lambda t: t[: t.rstrip("\n").rfind(",") - 2],
    "no final newline": lambda t: t.rstrip("\n"),
    "trailing blank lines": lambda t: t + "\n\n  \n",
    "extra columns": lambda t: _edit_lines(
        t, lambda i, ln: ln if i == 0 else (ln + ",note,3.5" if i > 1 and ln else
                                            ln + ",comment,temp" if ln else ln)),
    "extra column, one row short": lambda t: _edit_lines(
        t, lambda i, ln: ln if i == 0 else (
            ln + ",note" if ln and i != 4000 else ln)),
    "reordered columns": lambda t: _edit_lines(
        t, lambda i, ln: ",".join(
            [ln.split(",")[k] for k in (2, 1, 0, 7, 6, 5, 4, 3)]) if i > 0 and ln else ln),
    "repeated column name": lambda t: _edit_lines(
        t, lambda i, ln: (ln + ",acc_x" if i == 1 else ln + ",oops" if i > 1 and ln else ln)),
    "side spellings": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 7, lambda s: s.replace(",left,", ", L ,").replace(",right,", ",Right,"))),
    "side l/r everywhere": lambda t: t.replace(",left,", ",l,").replace(",right,", ",r,"),
    "unknown side late, non-numeric early": lambda t: _edit_lines(
        t, lambda i, ln: (_cell(ln, 3, "abc") if i == 40 else
                          _cell(ln, 1, "middle") if i == 5000 else ln)),
    "side cell longer than the fast width": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 501, lambda s: s.replace(",left,", ",left           ,"))),
    "side cut to the fast width": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 501, lambda s: s.replace(",left,", ",left       xx,"))),
    "missing value": lambda t: _edit_lines(
        t, lambda i, ln: _cell(ln, 5, "") if i == 2500 else ln),
    "nan and inf values": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 300, lambda s: _cell(_cell(s, 4, "nan"), 6, "-inf"))),
    "missing time": lambda t: _edit_lines(
        t, lambda i, ln: _cell(ln, 0, "nan") if i in (100, 9000) else ln),
    "underscore and spaced numbers": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 211, lambda s: _cell(_cell(s, 5, " 1_0 "), 2, "+.5e1"))),
    "wrong field count late, comments after": lambda t: _edit_lines(
        t, lambda i, ln: ln + ",1" if i == 6000 else ln) + "\n#x\n\n#y\n",
    "tab and form feed": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 333, lambda s: s.replace(",", ",\t", 1) + "\f")),
    "record separator inside a row": lambda t: _edit_lines(
        t, lambda i, ln: ln.replace(",", "\x1e", 1) if i == 777 else ln),
    "nul byte": lambda t: _edit_lines(
        t, lambda i, ln: ln.replace("left", "left\x00") if i == 50 else ln),
    "bom and non-ascii comment": lambda t: "\ufeff# capteur gauche/droite é\n" + t,
    "invalid utf-8": lambda t: t.encode()[:5000] + b"\xff\xfe" + t.encode()[5000:],
    "header only": lambda t: "\n".join(t.split("\n")[:2]) + "\n",
    "comments only": lambda t: "# nothing\n\n# units: acc=g\n",
    "one side only": lambda t: _edit_lines(
        t, lambda i, ln: None if ",right," in ln else ln),
    "missing column": lambda t: t.replace("gyr_z", "gyr_q", 1),
    "spaces around cells": lambda t: _edit_lines(t, lambda i, ln: _row(
        i, ln, 3, lambda s: " " + s.replace(",", " , ") + "  ")),
    "sorted and duplicated times": lambda t: _edit_lines(
        t, lambda i, ln: ln if i != 200 else ln + "\n" + ln),
}


@pytest.mark.parametrize("case", list(CASES))
def test_generic_layout_same_as_before(case, base_text, blocks, tmp_path):
    p = tmp_path / "feet.csv"
    data = CASES[case](base_text)
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    got = _same(p)
    if case in ("plain", "crlf", "extra columns", "side spellings"):
        assert isinstance(got, new.ImuRecording)  # the case must not be refused by both
    _same(p, reader="read_generic_csv", units="acc=m/s2, gyr=deg/s")


def test_bad_units_argument_same_as_before(base_text, tmp_path):
    p = tmp_path / "feet.csv"
    p.write_text(base_text)
    assert _same(p, reader="read_generic_csv", units="acc=parsecs") == (
        "UserInputError", f"{p}: bad units 'acc=parsecs': acc is one of g, m/s2 and gyr one of "
        "deg/s, rad/s")


def test_errors_name_the_line(base_text, tmp_path, monkeypatch):
    monkeypatch.setattr(new, "_BLOCK_BYTES", 3000)
    p = tmp_path / "feet.csv"
    p.write_text(CASES["wrong field count late, comments after"](base_text))
    # the line's own number (the old reader said 6005: data row 5998 + 2 + every blank or
    # comment line of the whole file, also those after the bad line)
    assert _same(p) == ("ParseError", f"{p}: line 6001: wrong field count")
    lines = p.read_text().splitlines()
    assert lines[6000].count(",") != lines[1].count(",")
    p.write_text(CASES["unknown side late, non-numeric early"](base_text))
    assert _same(p) == ("ParseError", f"{p}: unknown side values ['middle']: use left/right")


GAITMAP_CASES: dict[str, Callable[[str], str]] = {
    "real file": lambda t: t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cut last line": lambda t: t[: len(t) - 30],
    "comment and blank lines in the body": lambda t: _edit_lines(
        t, lambda i, ln: ln + ("\n# x\n\n" if i == 300 else "")),
    "non-numeric cell": lambda t: _edit_lines(
        t, lambda i, ln: _cell(ln, 3, "x") if i == 1000 else ln),
    "two lines": lambda t: "\n".join(t.split("\n")[:2]),
    "header rows of other lengths": lambda t: t.replace("\n", ",extra\n", 1),
    "form feed": lambda t: _edit_lines(t, lambda i, ln: ln + "\f" if i == 10 else ln),
    "a column short at the end": lambda t: _edit_lines(
        t, lambda i, ln: ",".join(ln.split(",")[:-1]) if i > 7000 else ln),
    "only comments after the header": lambda t: "\n".join(t.split("\n")[:2]) + "\n#a\n\n#b\n",
}


@pytest.fixture(scope="module")
def gaitmap_text() -> str:
    p = shared_data_dir() / "gaitmap" / "imu_sample.csv"
    if not p.is_file():
        pytest.skip("gaitmap/imu_sample.csv not in the shared data (set EVENSTRIDE_SHARED_DATA)")
    return p.read_text()


@pytest.mark.shared_data
@pytest.mark.parametrize("case", list(GAITMAP_CASES))
def test_gaitmap_layout_same_as_before(case, gaitmap_text, blocks, tmp_path):
    p = tmp_path / "imu_sample.csv"
    p.write_text(GAITMAP_CASES[case](gaitmap_text), newline="")
    got = _same(p)
    _same(p, reader="read_gaitmap_csv")
    if case == "real file":
        assert isinstance(got, new.ImuRecording)
        assert len(got.sides["left"]) == 7928  # MANIFEST: 7 928 samples at 204.8 Hz


@pytest.mark.shared_data
def test_real_gaitmap_recording_in_the_generic_layout(gaitmap_text, blocks, tmp_path):
    """The real recording written in the generic layout (g, one row per sample and side) reads
    the same through both readers, and back to the values of the wide file."""
    src = tmp_path / "imu_sample.csv"
    src.write_text(gaitmap_text)
    rec = new.read_gaitmap_csv(src)
    p = tmp_path / "feet.csv"
    new.write_generic_csv(rec, p, acc_unit="g")
    got = _same(p)
    assert isinstance(got, new.ImuRecording)
    gyr = got.sides["right"].gyr
    np.testing.assert_allclose(gyr, rec.sides["right"].gyr, rtol=1e-4, atol=1e-3)


def test_one_read_of_the_file(base_text, tmp_path, monkeypatch):
    """read_imu reads the file once (it read it twice, once only to see the first line)."""
    p = tmp_path / "feet.csv"
    p.write_text(base_text)
    calls = []
    real = new._read_data

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(new, "_read_data", counting)
    new.read_imu(p)
    assert calls == [p]


@pytest.mark.parametrize("tail", [100, 1024 * 1024])
def test_a_cut_last_line_of_a_streamed_file(base_text, tail, tmp_path, monkeypatch):
    """An ASCII file is read block by block; its cut last line is found in the file's tail, and
    when the line before it starts before the tail the file is read whole: the same recording
    and warnings either way."""
    monkeypatch.setattr(new, "_TAIL_BYTES", tail)
    lines = base_text.rstrip("\n").split("\n")
    lines[-2] += " " * 300  # the line before the cut one is longer than a 100-byte tail
    p = tmp_path / "feet.csv"
    p.write_text("\n".join(lines)[:-10])
    with pytest.warns(EvenstrideWarning, match="ends mid-line") if tail > 100 else (
            warnings.catch_warnings()):
        text = new._streamed(p)
    if tail == 100:
        assert text is None  # read whole
    else:
        assert text is not None and not isinstance(text.src, bytes)
        assert text.tobytes() == "\n".join(lines[:-1]).encode() + b"\n"
        text.close()
    assert isinstance(_same(p), new.ImuRecording)
