# SPDX-License-Identifier: MIT
"""The hostile-input campaign of issue 14, kept as a seeded test family.

Every reader (FIT, TCX, GPX, C3D, IMU CSV, RunScribe CSV, phone export, accelerometer CSV, R-R
recording) gets damaged copies of a valid file, drawn from five families:

- ``truncate``: cut at a random byte (mid-record, mid-line);
- ``flip``: ten random bit flips;
- ``semantic``: values edited so the file still parses: for FIT, bytes of the data section
  changed and the file CRC recomputed (so the decoder cannot reject it by its checksum); for the
  text formats, numeric cells replaced by absurd values (1e308, −1, NaN, inf, 9999999),
  duplicated and reordered rows; for C3D, header parameters;
- ``bomb``: a gzip/zip bomb (256 MiB of zeros) or, for readers of plain files, a sparse 2 GiB
  file;
- ``jump``: timestamps that jump by 20 years, go to year 9999, or run backwards.

The cases run through the CLI's entry point (:func:`evenstride.cli.main`) in a child process with
an address-space cap (``RLIMIT_AS`` 1.5 GB) and a per-case alarm (tests/test_fuzz/fuzz_child.py).
Counted and required to be zero: tracebacks (an exception escaping ``main``), exit code 1 (an
internal error), hangs (the alarm or the outer timeout) and a peak RSS over 1 GB. A damaged file
may give a result (exit 0, possibly with warnings) or a one-line error (exit 2).

By default a seeded subset runs (two cases of each family per reader and one bomb, plus the
undamaged input, which must give exit 0: 90 cases, 15–90 s on one core depending on load);
``EVENSTRIDE_FUZZ_N=20`` draws 20 cases per family and reader, ``EVENSTRIDE_FUZZ_SEED`` changes
the draw. Seeds 3 and 7–16 at N = 10 (378 cases each) pass; the failures they found are kept
as plain tests in test_fuzz_regressions.py.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

CHILD = Path(__file__).with_name("fuzz_child.py")
AS_LIMIT = int(1.5 * 1024**3)
RSS_LIMIT_MB = 1024
CASE_TIMEOUT_S = 60
FAMILIES = ("truncate", "flip", "semantic", "bomb", "jump")
N_PER_FAMILY = int(os.environ.get("EVENSTRIDE_FUZZ_N", "2"))
SEED = int(os.environ.get("EVENSTRIDE_FUZZ_SEED", "14"))
BOMB_BYTES = 256 * 1024**2


# ------------------------------------------------------------------------------ mutations
def _truncate(data: bytes, rng: np.random.Generator) -> bytes:
    return data[: int(rng.integers(1, max(2, len(data) - 1)))]


def _flip(data: bytes, rng: np.random.Generator, lo: int = 0, hi: int | None = None) -> bytes:
    b = bytearray(data)
    hi = len(b) if hi is None else hi
    for pos in rng.integers(lo, max(lo + 1, hi), size=10):
        b[int(pos)] ^= 1 << int(rng.integers(0, 8))
    return bytes(b)


def _fit_semantic(data: bytes, rng: np.random.Generator) -> bytes:
    """Bytes of the data section changed, header and file CRC valid."""
    from evenstride.io._crc import crc16

    hsize = data[0]
    body_end = len(data) - 2
    b = bytearray(data)
    for pos in rng.integers(hsize, body_end, size=int(rng.integers(1, 40))):
        b[int(pos)] = int(rng.integers(0, 256))
    b[body_end:] = crc16(bytes(b[:body_end])).to_bytes(2, "little")
    return bytes(b)


_ABSURD = ("1e308", "-1", "nan", "inf", "9999999", "-1e9", "0", "")
_NUM = re.compile(rb"-?\d+\.\d+|-?\d+")


def _text_semantic(data: bytes, rng: np.random.Generator) -> bytes:
    """Numeric cells replaced by absurd values, some rows duplicated or swapped."""
    lines = data.split(b"\n")
    head, body = lines[:2], lines[2:]
    if len(body) > 4:
        for _ in range(int(rng.integers(1, 6))):
            i = int(rng.integers(0, len(body)))
            op = int(rng.integers(0, 3))
            if op == 0:  # absurd number in a cell
                nums = list(_NUM.finditer(body[i]))
                if nums:
                    m = nums[int(rng.integers(0, len(nums)))]
                    val = _ABSURD[int(rng.integers(0, len(_ABSURD)))].encode()
                    body[i] = body[i][: m.start()] + val + body[i][m.end():]
            elif op == 1:  # duplicated block of rows
                j = min(len(body), i + int(rng.integers(1, 200)))
                body[i:i] = body[i:j]
            else:  # two rows swapped (time order broken)
                j = int(rng.integers(0, len(body)))
                body[i], body[j] = body[j], body[i]
    return b"\n".join(head + body)


def _text_jump(data: bytes, rng: np.random.Generator) -> bytes:
    """A date/time or a seconds column jumps forwards by years, to year 9999, or back."""
    text = data
    dates = list(re.finditer(rb"(19|20)\d\d-\d\d-\d\d", text))
    if dates:
        m = dates[int(rng.integers(len(dates) // 3, len(dates)))]
        year = int(text[m.start():m.start() + 4])
        new = [year + 20, 9999, year - 20][int(rng.integers(0, 3))]
        # from here on every date jumps (a clock reset), or only this one (a corrupt record)
        tail = text[m.start():]
        if rng.random() < 0.5:
            tail = re.sub(rb"(19|20)\d\d-", f"{new:04d}-".encode(), tail)
        else:
            tail = f"{new:04d}".encode() + tail[4:]
        return text[: m.start()] + tail
    lines = text.split(b"\n")
    k = int(rng.integers(len(lines) // 3, max(len(lines) // 3 + 1, len(lines) - 1)))
    for i in range(k, len(lines)):
        first, sep, rest = lines[i].partition(b",")
        try:
            v = float(first)
        except ValueError:
            continue
        lines[i] = str(v + 6.3e8 if rng.random() < 0.5 else -v).encode() + sep + rest
    return b"\n".join(lines)


def _gzip_bomb() -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join([*(c.compress(zeros) for _ in range(BOMB_BYTES >> 20)), c.flush()])


# ---------------------------------------------------------------------------------- readers
class Reader:
    """A valid base input and how to turn a damaged copy into CLI arguments."""

    def __init__(self, name: str, base: Callable[[Path], Path], argv: Callable[[Path], list[str]],
                 semantic: Callable[[bytes, np.random.Generator], bytes] = _text_semantic,
                 jump: Callable[[bytes, np.random.Generator], bytes] = _text_jump,
                 bomb: str = "gzip", suffix: str = "", needs_shared: bool = False) -> None:
        self.name, self.base, self.argv = name, base, argv
        self.semantic, self.jump, self.bomb, self.suffix = semantic, jump, bomb, suffix
        self.needs_shared = needs_shared


def _shared(rel: str) -> Callable[[Path], Path]:
    return lambda _d: shared_data_dir() / rel


def _sim_fit(d: Path) -> Path:
    from evenstride.simulate import write_simulated_fit

    return write_simulated_fit(d / "base.fit", duration_s=900, seed=8, include_runscribe=True)


def _fit_jump(data: bytes, rng: np.random.Generator) -> bytes:
    """A simulated run whose timestamps jump 20 years ahead, or a chained FIT whose second file
    runs 10 h earlier than the first (time goes backwards), both written validly."""
    import dataclasses
    from datetime import timedelta

    from evenstride import consts
    from evenstride.datatypes import Activity
    from evenstride.io._fit_writer import encode_activity_fit
    from evenstride.simulate import simulate_run

    act = simulate_run(duration_s=600, seed=int(rng.integers(0, 1000))).activity

    def shifted(a: Activity, mask: np.ndarray, by_s: float) -> Activity:
        samples = dict(a.samples)
        for col in (consts.TIME_S, consts.TIMESTAMP_S):
            if col in samples:
                samples[col] = samples[col] + np.where(mask, by_s, 0.0)
        meta = a.meta
        if mask.all() and meta.start_time is not None:
            meta = dataclasses.replace(meta, start_time=meta.start_time + timedelta(seconds=by_s))
        return Activity(samples, a.sided, meta, list(a.warnings))

    n = act.n_samples
    if rng.random() < 0.5:
        k = int(rng.integers(n // 4, 3 * n // 4))
        return encode_activity_fit(shifted(act, np.arange(n) >= k, 20 * 365.25 * 86400))
    return encode_activity_fit(act) + encode_activity_fit(
        shifted(act, np.ones(n, bool), -10 * 3600.0))


def _sim_imu(d: Path) -> Path:
    from evenstride.io import write_generic_csv
    from evenstride.steps.simulate_imu import simulate_imu_run

    p = d / "imu.csv"
    write_generic_csv(simulate_imu_run(duration_s=90, seed=3).recording, p)
    return p


def _sim_phone(d: Path) -> Path:
    from test_steps.test_trunk import _sim_trunk

    rec = _sim_trunk(dur=120.0)
    t_ns = (1_700_000_000 * 10**9 + (rec.time_s * 1e9)).astype(np.int64)
    rows = ["time,seconds_elapsed,z,y,x"] + [
        f"{t_ns[i]},{rec.time_s[i]:.4f},{rec.acc[i, 2]:.4f},{rec.acc[i, 1]:.4f},"
        f"{rec.acc[i, 0]:.4f}" for i in range(len(t_ns))]
    grows = ["time,seconds_elapsed,z,y,x"] + [
        f"{t_ns[i]},{rec.time_s[i]:.4f},{np.radians(rec.gyr[i, 2]):.5f},"
        f"{np.radians(rec.gyr[i, 1]):.5f},{np.radians(rec.gyr[i, 0]):.5f}"
        for i in range(len(t_ns))]
    (d / "Gyroscope.csv").write_text("\n".join(grows) + "\n")
    p = d / "Accelerometer.csv"
    p.write_text("\n".join(rows) + "\n")
    return p


def _accel_slice(d: Path) -> Path:
    src = shared_data_dir() / "adeptdata" / "acc_running_converted.csv.gz"
    with gzip.open(src, "rt") as f:
        head = f.readline()
        rows = [line for _, line in zip(range(160_000), f, strict=False)
                if line.startswith("left_ankle")][:9000]
    p = d / "accel.csv"
    p.write_text(head + "".join(rows))
    return p


def _runscribe_slice(d: Path) -> Path:
    src = shared_data_dir() / "read-runscribe" / "run_37075right.csv"
    lines = src.read_text().splitlines()[:700]
    p = d / "right.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


def _sim_rr(d: Path) -> Path:
    rng = np.random.default_rng(1)
    rr = 900 + np.cumsum(rng.normal(0, 8, 400)) * 0.2 + rng.normal(0, 25, 400)
    t = np.cumsum(rr) / 1000.0
    p = d / "rest_rr.csv"
    p.write_text("time_s,rr_ms\n" + "".join(f"{a:.3f},{b:.0f}\n" for a, b in zip(t, rr,
                                                                             strict=True)))
    return p


def _c3d_semantic(data: bytes, rng: np.random.Generator) -> bytes:
    """Parameter-section bytes changed (rates, counts, scales), data section untouched."""
    b = bytearray(data)
    param_block = max(1, b[0]) - 1
    lo, hi = param_block * 512, min(len(b), param_block * 512 + 512 * int(max(1, b[0x200 + 2])))
    for pos in rng.integers(lo + 4, max(lo + 5, hi), size=int(rng.integers(1, 12))):
        b[int(pos)] = int(rng.integers(0, 256))
    return bytes(b)


def _c3d_jump(data: bytes, rng: np.random.Generator) -> bytes:
    """Marker coordinates of one stretch of frames thrown far away (a tracking jump)."""
    return _flip(data, rng, lo=len(data) // 2, hi=len(data) // 2 + 4096)


READERS: dict[str, Reader] = {
    "fit": Reader("fit", _sim_fit, lambda p: ["analyze", str(p), "--json"],
                  semantic=_fit_semantic, jump=_fit_jump, suffix=".fit"),
    "tcx": Reader("tcx", _shared("goldencheetah/10kUNLP2014-Garmin15.tcx"),
                  lambda p: ["analyze", str(p), "--json"], suffix=".tcx", needs_shared=True),
    "gpx": Reader("gpx", _shared("runpandas/run.gpx"), lambda p: ["analyze", str(p), "--json"],
                  suffix=".gpx", needs_shared=True),
    "c3d": Reader("c3d", _shared("fukuchi-bmc-ric/RBDS001runT35.c3d"),
                  lambda p: ["steps", str(p), "--format", "c3d", "--mass-kg", "70",
                             "--speed", "3.5", "--json"],
                  semantic=_c3d_semantic, jump=_c3d_jump, bomb="sparse", suffix=".c3d",
                  needs_shared=True),
    "imu": Reader("imu", _sim_imu, lambda p: ["steps", str(p), "--format", "imu", "--json"],
                  bomb="sparse", suffix=".csv"),
    "runscribe": Reader("runscribe", _runscribe_slice,
                        lambda p: ["steps", str(p), "--format", "runscribe", "--right",
                                   str(p.parent / "base_right.csv"), "--json"],
                        bomb="sparse", suffix=".csv", needs_shared=True),
    "phone": Reader("phone", _sim_phone,
                    lambda p: ["steps", str(p), "--format", "phone", "--gyro",
                               str(p.parent / "Gyroscope.csv"), "--json"],
                    bomb="zip", suffix=".csv"),
    "accel": Reader("accel", _accel_slice, lambda p: ["steps", str(p), "--format", "accel",
                                                      "--json"],
                    suffix=".csv", needs_shared=True),
    "rr": Reader("rr", _sim_rr, lambda p: ["hrv", "import", str(p), "--db",
                                           str(p.parent / "store.sqlite"), "--when",
                                           "2025-05-01T07:00", "--json"],
                 bomb="sparse", suffix=".csv"),
}


def _make_case(reader: Reader, base: bytes, family: str, rng: np.random.Generator,
               folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"case{reader.suffix}"
    if family == "truncate":
        data = _truncate(base, rng)
    elif family == "flip":
        data = _flip(base, rng)
    elif family == "semantic":
        data = reader.semantic(base, rng)
    elif family == "jump":
        data = reader.jump(base, rng)
    else:
        return _make_bomb(reader, folder, name)
    p = folder / name
    p.write_bytes(data)
    return p


def _make_bomb(reader: Reader, folder: Path, name: str) -> Path:
    if reader.bomb == "gzip":
        p = folder / (name + ".gz")
        p.write_bytes(_gzip_bomb())
    elif reader.bomb == "zip":
        p = folder / "export.zip"
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
                zf.open("Accelerometer.csv", "w", force_zip64=True) as member:
            member.write(b"time,seconds_elapsed,z,y,x\n")
            zeros = b"0" * (1 << 20)
            for _ in range(BOMB_BYTES >> 20):
                member.write(zeros)
    else:  # a sparse file of 2 GiB: no disk used, but a reader without a bound reads it all
        p = folder / name
        with open(p, "wb") as f:
            f.truncate(2 * 1024**3)
    return p


def _cases(reader: Reader, tmp: Path) -> list[dict[str, object]]:
    base_path = reader.base(tmp)
    base = base_path.read_bytes()
    if reader.name == "runscribe":  # the right pod stays intact; the left is damaged
        (tmp / "base_right.csv").write_bytes(base)
    rng = np.random.default_rng([SEED, sum(map(ord, reader.name))])
    # the undamaged input first: it must be analysed (exit 0), or the campaign tests nothing
    cases: list[dict[str, object]] = [{"id": f"{reader.name}:base",
                                       "argv": reader.argv(base_path)}]
    for family in FAMILIES:
        for k in range(N_PER_FAMILY if family != "bomb" else 1):
            folder = tmp / f"{family}{k}"
            p = _make_case(reader, base, family, rng, folder)
            if reader.name == "phone":
                (folder / "Gyroscope.csv").write_bytes((tmp / "Gyroscope.csv").read_bytes())
            if reader.name == "runscribe":
                (folder / "base_right.csv").write_bytes(base)
            cases.append({"id": f"{reader.name}:{family}{k}", "argv": reader.argv(p)})
    return cases


@pytest.mark.parametrize("name", list(READERS))
def test_fuzz_reader(name, tmp_path):
    reader = READERS[name]
    if reader.needs_shared and not shared_data_dir().is_dir():
        pytest.skip("shared data folder not found (set EVENSTRIDE_SHARED_DATA)")
    cases = _cases(reader, tmp_path)
    cases_file, results_file = tmp_path / "cases.json", tmp_path / "results.json"
    cases_file.write_text(json.dumps(cases))
    env = dict(os.environ, EVENSTRIDE_DB=str(tmp_path / "default.sqlite"))
    try:
        subprocess.run([sys.executable, str(CHILD), str(cases_file), str(results_file),
                        str(AS_LIMIT), str(CASE_TIMEOUT_S)], env=env, capture_output=True,
                       timeout=CASE_TIMEOUT_S * len(cases) + 60, check=False)
        outer_hang = False
    except subprocess.TimeoutExpired:
        outer_hang = True
    results = json.loads(results_file.read_text()) if results_file.exists() else []
    done = {r["id"] for r in results}
    died = [c["id"] for c in cases if c["id"] not in done]
    tracebacks = [r for r in results if r["kind"] == "traceback"]
    exit1 = [r for r in results if r["kind"] == "exit" and r["code"] not in (0, 2)]
    hangs = [r for r in results if r["kind"] == "hang"]
    fat = [r for r in results if r["peak_rss_mb"] > RSS_LIMIT_MB]
    summary = {"cases": len(cases), "tracebacks": len(tracebacks), "exit_1": len(exit1),
               "hangs": len(hangs) + (1 if outer_hang else 0), "rss_over_1gb": len(fat),
               "died": died}
    bad = tracebacks + exit1 + hangs + fat
    assert results and results[0]["code"] == 0, ("the undamaged input is not analysed",
                                                  results[:1])
    assert not bad and not died and not outer_hang, (summary, bad[:3])
    # every refusal is one line
    for r in results:
        if r["code"] == 2 and r["kind"] == "exit":
            lines = [ln for ln in str(r["stderr"]).strip().splitlines()
                     if ln.startswith("evenstride:")]
            assert len(lines) == 1, (r["id"], r["stderr"])
