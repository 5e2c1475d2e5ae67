# SPDX-License-Identifier: MIT
"""Hostile input through the CLI (issue 14): each case is a one-line error on stderr naming the
file or the option, exit code 2, no traceback; or, where the data allow it, an analysis with a
warning. Run in-process through :func:`evenstride.cli.main`."""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.cli import main
from evenstride.exceptions import ParseError
from evenstride.io._bounded import (
    MAX_DECOMPRESSED_BYTES,
    gunzip_bounded,
    maybe_gunzip,
    read_file_bounded,
)


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0] and "internal error" not in err[0], err[0]
    for n in needles:
        assert n in err[0], err[0]
    return err[0]


# --- the one-leg accelerometer CSV ---------------------------------------------------------------


def _accel_rows(duration_s: float = 60.0, fs: float = 100.0, stride_s: float = 0.72) -> list[str]:
    t = np.arange(0.0, duration_s, 1.0 / fs)
    phase = (t % stride_s) / stride_s
    z = 1.0 + 4.0 * np.exp(-0.5 * ((phase - 0.5) * stride_s / 0.02) ** 2)
    base = np.datetime64("2018-10-25T17:57:30", "ns")
    stamps = base + (t * 1e9).astype("timedelta64[ns]")
    return [
        f"left_ankle,{str(s).replace('T', ' ')},0.01,-0.02,{v:.3f}"
        for s, v in zip(stamps, z, strict=True)
    ]


HEADER = "loc_id,date_time,x,y,z"


def test_accel_reference_file_is_analysed(tmp_path: Path, capsys) -> None:
    f = tmp_path / "acc.csv"
    f.write_text("\n".join([HEADER, *_accel_rows()]) + "\n")
    assert main(["steps", str(f), "--format", "accel", "--json"]) == 0
    assert '"cadence_spm"' in capsys.readouterr().out


def test_accel_cut_mid_row_is_analysed_up_to_the_cut(tmp_path: Path, capsys) -> None:
    text = "\n".join([HEADER, *_accel_rows()]) + "\n"
    f = tmp_path / "cut.csv"
    f.write_text(text[: int(len(text) * 0.9)].rstrip("\n")[:-9])  # 9/10 of it, mid-row
    assert main(["steps", str(f), "--format", "accel", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("file is truncated: its last, incomplete row is dropped" in w
               for w in doc["warnings"])
    assert 50 < doc["duration_s"] < 54.1


def test_accel_short_row_inside_the_file_is_one_line(tmp_path: Path, capsys) -> None:
    rows = _accel_rows()
    rows[100] = "left_ankle,2018-10-25 17:57:31.0,0.1"  # 3 of 5 fields, not at the end
    f = tmp_path / "short.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n")
    _one_line_exit_2(["steps", str(f), "--format", "accel"], capsys, str(f), "row 102")


def test_accel_duplicated_rows_are_dropped_with_a_count(tmp_path: Path, capsys) -> None:
    rows = [r for r in _accel_rows() for _ in (0, 1)]
    f = tmp_path / "dup.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n")
    assert main(["steps", str(f), "--format", "accel", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("left_ankle: 6000 repeated rows (same time and values) are dropped" in w
               for w in doc["warnings"])
    assert doc["form"]["summary"]["cadence_spm"]["median"] == pytest.approx(120 / 0.72, abs=1)


def test_accel_same_time_other_values_is_one_line(tmp_path: Path, capsys) -> None:
    rows = _accel_rows()
    rows.insert(200, rows[199].rsplit(",", 1)[0] + ",7.5")
    f = tmp_path / "clash.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n")
    _one_line_exit_2(["steps", str(f), "--format", "accel"], capsys, str(f),
                     "repeat a time with other values")


# --- C3D header fields ---------------------------------------------------------------------------

RBDS = "RBDS001runT35.c3d"


def _param_offset(buf: bytes, group: str, name: str) -> tuple[int, int]:
    """(type, byte offset of the data) of parameter ``group:name`` in a C3D parameter section."""
    i = (buf[0] - 1) * 512 + 4
    groups: dict[int, str] = {}
    found: list[tuple[int, str, int, int]] = []
    while True:
        nlen, gid = abs(struct.unpack_from("b", buf, i)[0]), struct.unpack_from("b", buf, i + 1)[0]
        if nlen == 0:
            break
        nm = buf[i + 2 : i + 2 + nlen].decode("latin-1").upper()
        j = i + 2 + nlen
        off = struct.unpack_from("<h", buf, j)[0]
        if gid < 0:
            groups[-gid] = nm
        else:
            typ, ndim = struct.unpack_from("b", buf, j + 2)[0], buf[j + 3]
            found.append((gid, nm, typ, j + 4 + ndim))
        if off == 0:
            break
        i = j + off
    return next((t, o) for g, n, t, o in found if groups.get(g) == group and n == name)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("group", "name", "value", "shown"),
    [
        ("ANALOG", "RATE", float("inf"), "ANALOG:RATE inf"),
        ("ANALOG", "RATE", float("nan"), "ANALOG:RATE nan"),
        ("ANALOG", "RATE", -1.0, "ANALOG:RATE -1.0"),
        ("POINT", "USED", -5, "POINT:USED -5"),
    ],
)
def test_c3d_implausible_header_is_one_line(
    tmp_path: Path, capsys, group: str, name: str, value: float, shown: str
) -> None:
    src = shared_data_dir() / "fukuchi-bmc-ric" / RBDS
    if not src.is_file():
        pytest.skip(f"{src} missing")
    buf = bytearray(src.read_bytes())
    typ, at = _param_offset(bytes(buf), group, name)
    struct.pack_into("<f" if typ == 4 else "<h", buf, at, value if typ == 4 else int(value))
    f = tmp_path / "bad.c3d"
    f.write_bytes(bytes(buf))
    _one_line_exit_2(["steps", str(f), "--format", "c3d", "--speed", "3.5", "--mass-kg", "70"],
                     capsys, str(f), shown)


# --- options: one shared set of validated types --------------------------------------------------

BIG_ID = str(2**70)


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["demo", "--duration-min", "20"], ["--duration-min", "22–1440 min"]),
        (["demo", "--duration-min", "nan"], ["--duration-min", "finite"]),
        (["demo", "--seed", "-1"], ["--seed"]),
        (["analyze", "x.fit", "--seed", "-1"], ["--seed"]),
        (["history", "--hr-rest", "nan"], ["--hr-rest", "finite"]),
        (["history", "--hr-max", "inf"], ["--hr-max", "finite"]),
        (["rpe", BIG_ID, "5"], ["ACTIVITY_ID", BIG_ID]),
        (["rpe", "0", "5"], ["ACTIVITY_ID"]),
        (["rpe", "3", "nan"], ["RPE", "finite"]),
        (["shoe", "use", "pegasus", "1", BIG_ID], ["ACTIVITY_ID", BIG_ID]),
        (["symptom", "add", "--side", "left", "--region", "knee", "--kind", "pain",
          "--severity", "3", "--timing", "during", "--activity", BIG_ID], ["--activity"]),
        (["import", "--athlete", "", "x.fit"], ["--athlete", "empty"]),
        (["history", "--athlete", "  "], ["--athlete", "empty"]),
        (["test", "add", "hop", "left", "inf"], ["VALUE", "finite"]),
        (["steps", "x.c3d", "--format", "c3d", "--speed", "inf"], ["--speed", "finite"]),
        (["steps", "x.c3d", "--format", "c3d", "--speed", "0"], ["--speed", "above 0"]),
        (["steps", "x.c3d", "--format", "c3d", "--mass-kg", "-70"], ["--mass-kg"]),
        # corrections of stored entries (issue 12) take the same validated ids
        (["test", "delete", BIG_ID], ["ID", BIG_ID]),
        (["test", "edit", BIG_ID, "--value", "3"], ["ID", BIG_ID]),
        (["test", "edit", "1", "--value", "nan"], ["--value", "finite"]),
        (["symptom", "delete", BIG_ID], ["ID", BIG_ID]),
        (["symptom", "edit", BIG_ID, "--severity", "3"], ["ID", BIG_ID]),
        (["log", "delete", BIG_ID], ["ID", BIG_ID]),
        (["log", "edit", BIG_ID, "--rpe", "3"], ["ID", BIG_ID]),
    ],
)
def test_implausible_option_is_one_line(
    argv: list[str], needles: list[str], tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("EVENSTRIDE_DB", str(tmp_path / "store.sqlite"))
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    for n in needles:
        assert n in err[0], err[0]


def test_hr_max_below_hr_rest_is_refused_before_the_store_is_read(tmp_path, capsys) -> None:
    db = tmp_path / "none.sqlite"  # no store at all: the option error comes first
    msg = _one_line_exit_2(
        ["history", "--db", str(db), "--hr-rest", "110", "--hr-max", "105"], capsys
    )
    assert msg == "evenstride: --hr-max (105) must be above --hr-rest (110)"


def test_shortest_demo_runs(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path / "d"), "--duration-min", "22", "--seed", "0",
                 "--json"]) == 0
    assert abs(json.loads(capsys.readouterr().out)["duration_s"] - 22 * 60) < 5


# --- bounded reading: gzip bombs, devices ------------------------------------------------------

#: The test's memory cap for one CLI run on hostile input (issue 14: RSS over 1 GB counts as a
#: failure).
RSS_CAP_KB = 1024 * 1024


def _gzip_bomb(path: Path, head: bytes, expands_mb: int) -> Path:
    """A gzip file of ~``expands_mb`` MB of zeros after ``head``, written in a stream (the test
    never holds the expansion in memory)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    with open(path, "wb") as f:
        f.write(c.compress(head))
        for _ in range(expands_mb):
            f.write(c.compress(zeros))
        f.write(c.flush())
    return path


def _run_measured(*argv: str) -> tuple[int, str, int]:
    """Run the CLI in a subprocess: (exit code, stderr, peak RSS in KB of that process)."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([sys.executable, "-m", "evenstride", *argv],
                             stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode(), int(usage.ru_maxrss)


@pytest.mark.parametrize(
    ("name", "head", "argv"),
    [
        ("bomb.fit.gz", b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", ["analyze"]),
        ("bomb.gpx.gz", b'<?xml version="1.0"?><gpx version="1.1">', ["analyze"]),
        ("bomb.csv.gz", b"loc_id,date_time,x,y,z\n", ["steps", "--format", "accel"]),
        ("bomb.csv.gz", b"RR (ms)\n", ["hrv", "import"]),
    ],
)
def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path, name, head, argv) -> None:
    bomb = _gzip_bomb(tmp_path / name, head, expands_mb=MAX_DECOMPRESSED_BYTES // 2**20 + 64)
    assert bomb.stat().st_size < 1_000_000
    extra = ["--db", str(tmp_path / "s.sqlite")] if argv[0] == "hrv" else []
    code, err, rss_kb = _run_measured(*argv, str(bomb), *extra)
    assert code == 2, err
    line = _one_line_of(err)
    assert str(bomb) in line and "refusing a possible gzip bomb" in line
    assert rss_kb < RSS_CAP_KB, f"peak RSS {rss_kb / 1024:.0f} MB"


def test_device_is_refused_without_reading_it(capsys) -> None:
    _one_line_exit_2(["analyze", "/dev/zero"], capsys, "/dev/zero: is a device, not a file")


def test_bounded_gunzip_reads_every_member_up_to_the_limit() -> None:
    data = bytes(range(256)) * 5000
    two = gzip.compress(data) + gzip.compress(b"tail")
    assert gunzip_bounded(two, "x") == data + b"tail"
    assert gunzip_bounded(gzip.compress(data), "x", limit=len(data)) == data
    with pytest.raises(ParseError, match="x: gzip data expands beyond"):
        gunzip_bounded(gzip.compress(data), "x", limit=len(data) - 1)
    with pytest.raises(ParseError, match="x: truncated gzip data"):
        gunzip_bounded(gzip.compress(data)[:-30], "x")
    assert maybe_gunzip(b"<gpx/>", "x") == b"<gpx/>"


def test_file_read_is_bounded(tmp_path) -> None:
    f = tmp_path / "big.bin"
    f.write_bytes(bytes(1001))
    assert read_file_bounded(f, limit=1001) == bytes(1001)
    with pytest.raises(ParseError, match=r"big\.bin: file is too large"):
        read_file_bounded(f, limit=1000)


def _one_line_of(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "internal error" not in err, lines
    return lines[0]


def test_phone_zip_with_a_huge_csv_is_refused_in_bounded_memory(tmp_path) -> None:
    import zipfile

    z = tmp_path / "export.zip"
    row = b"1700000000000000000,0.0,0.01,-0.02,0.98\n"
    chunk = row * (2**20 // len(row))
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("Accelerometer.csv", "Gravity.csv"):
            with zf.open(name, "w", force_zip64=True) as f:
                f.write(b"time,seconds_elapsed,z,y,x\n")
                n = MAX_DECOMPRESSED_BYTES // len(chunk) + 16 if name.startswith("Acc") else 1
                for _ in range(n):
                    f.write(chunk)
    code, err, rss_kb = _run_measured("steps", str(z), "--format", "phone")
    assert code == 2, err
    line = _one_line_of(err)
    assert str(z) in line and "Accelerometer.csv in the zip is larger than 128 MB" in line
    assert rss_kb < RSS_CAP_KB, f"peak RSS {rss_kb / 1024:.0f} MB"


def test_accel_clock_jump_of_20_years_keeps_one_plausible_stretch(tmp_path: Path, capsys) -> None:
    """Issue 14: a clock jump in the accelerometer CSV allocated by wall-clock span (an 814 MiB
    array, exit 1 under a memory cap); now the longest plausible stretch is analysed."""
    rows = _accel_rows(duration_s=90.0)
    cut = 2 * len(rows) // 3
    rows[cut:] = [r.replace("2018-", "2038-", 1) for r in rows[cut:]]
    f = tmp_path / "jump.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n")
    assert main(["steps", str(f), "--format", "accel", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    hit = [w for w in doc["warnings"] if "implausible times" in w]
    assert hit and f"dropped {len(rows) - cut} samples" in hit[0] and "20 years" in hit[0], hit
