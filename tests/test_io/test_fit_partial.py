# SPDX-License-Identifier: MIT
"""FIT files corrupt partway keep every readable record (issue 18).

Each case is a valid running file from the project's FIT writer (a simulated 20-min run), damaged
in one way only — header data size and both CRCs recomputed so that nothing else is wrong:

- a data message of a local type that is never defined, inserted between two records (the Strava
  Android app case: Garmin's SDK keeps what precedes it; fitdecode and fitparse stop);
- a block of random bytes inserted between two records;
- a header that declares fewer data bytes than the last message needs (an unterminated file).

The records before the damage, and after it where resynchronisation finds them, equal the
undamaged file's; ``evenstride analyze`` exits 0 with a one-line warning, and exits 2 with a
one-line error only when nothing usable remains. Also (issue 14): records out of time order get
the "out of time order" warning that TCX/GPX get.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from evenstride import consts
from evenstride.cli import main
from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io._crc import crc16
from evenstride.io._fit_decode import decode_fit
from evenstride.io._fit_reader import read_fit
from evenstride.simulate import simulate_run

REC = 20


@pytest.fixture(scope="module")
def valid() -> bytes:
    return simulate_run(duration_s=1200.0, seed=3, stops=0).to_fit_bytes()


def _messages(blob: bytes) -> list[tuple[int, str, int, int]]:
    """(byte offset, "def" | "data", global message number, size) of every message."""
    pos = blob[0]
    end = pos + int.from_bytes(blob[4:8], "little")
    layouts: dict[int, tuple[int, int]] = {}
    out = []
    while pos < end:
        h = blob[pos]
        if h & 0xC0 == 0x40:
            big = blob[pos + 2] == 1
            mesg = int.from_bytes(blob[pos + 3 : pos + 5], "big" if big else "little")
            n = blob[pos + 5]
            size = 1 + sum(blob[pos + 6 + 3 * i + 1] for i in range(n))
            stop = pos + 6 + 3 * n
            if h & 0x20:
                nd = blob[stop]
                size += sum(blob[stop + 1 + 3 * i + 1] for i in range(nd))
                stop += 1 + 3 * nd
            layouts[h & 0x0F] = (mesg, size)
            out.append((pos, "def", mesg, stop - pos))
            pos = stop
        else:
            local = (h >> 5) & 3 if h & 0x80 else h & 0x0F
            mesg, size = layouts[local]
            out.append((pos, "data", mesg, size))
            pos += size
    return out


def _rebuild(blob: bytes, at: int, insert: bytes = b"", *, size_delta: int = 0) -> bytes:
    """``blob`` with ``insert`` at byte ``at`` and the header's data size changed by
    ``len(insert) + size_delta``; header CRC and file CRC recomputed."""
    hs = blob[0]
    body = blob[hs:-2]
    body = body[: at - hs] + insert + body[at - hs :]
    head = bytearray(blob[:hs])
    head[4:8] = struct.pack("<I", len(body) + size_delta)
    if hs >= 14:
        head[12:14] = struct.pack("<H", crc16(bytes(head[:12])))
    out = bytes(head) + body
    return out + struct.pack("<H", crc16(out))


def _records(blob: bytes) -> dict[str, np.ndarray]:
    return decode_fit(blob).messages["record"]


def _record_offsets(blob: bytes) -> list[int]:
    return [p for p, kind, mesg, _ in _messages(blob) if kind == "data" and mesg == REC]


def _assert_same_records(got: dict[str, np.ndarray], want: dict[str, np.ndarray], rows) -> None:
    for col in ("timestamp", "heart_rate", "cadence", "stance_time_balance"):
        if col in want:
            np.testing.assert_array_equal(got[col], want[col][rows], err_msg=col)


def _undefined_local(blob: bytes, before: int | None = None) -> int:
    """A local message type with no definition (before byte ``before``)."""
    used = {
        blob[p] & 0x0F
        for p, kind, _, _ in _messages(blob)
        if kind == "def" and (before is None or p < before)
    }
    return next(k for k in range(15, -1, -1) if k not in used)


def test_undefined_local_type_partway_keeps_records_before_and_resyncs(valid: bytes) -> None:
    offs = _record_offsets(valid)
    k = int(0.4 * len(offs))
    local = _undefined_local(valid)
    blob = _rebuild(valid, offs[k], bytes([local]) + bytes(range(1, 20)))
    want = _records(valid)
    fd = decode_fit(blob)
    assert fd.crc_ok is True  # the defect is the message, not the CRC
    got = fd.messages["record"]
    # records before the damage: exactly the first k; the rest recovered by resynchronisation
    _assert_same_records({c: v[:k] for c, v in got.items()}, want, slice(0, k))
    assert len(got["_index"]) == len(want["_index"])
    _assert_same_records(got, want, slice(None))
    bad = offs[k]
    msg = [w for w in fd.warnings if w.startswith("corrupt FIT data")]
    assert len(msg) == 1, fd.warnings
    assert f"at byte {bad}: undefined local message type {local}" in msg[0]
    assert f"resynchronised at byte {bad + 20} (20 bytes skipped" in msg[0]


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name",
    [
        "goldencheetah/Garmin920_withFirstbeat.fit",
        "python-fitparse/activity-large-fenxi2-multisport.fit",
        "sports-lib/run_6916728382_coros.fit",
        "goldencheetah/HRV-Data.fit",  # untimestamped hrv messages between the records
    ],
)
def test_undefined_local_type_in_a_real_file(shared_data: Path, name: str) -> None:
    """The same damage in real files (developer fields, several definitions, a multisport
    file): every record is recovered, and the ones before the damage come first."""
    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{name} missing")
    real = path.read_bytes()
    offs = _record_offsets(real)
    k = len(offs) // 2
    blob = _rebuild(real, offs[k], bytes([_undefined_local(real, offs[k])]) + bytes(range(7)))
    want, fd = _records(real), decode_fit(blob)
    _assert_same_records(fd.messages["record"], want, slice(None))
    assert len(fd.messages["record"]["_index"]) == len(want["_index"])
    assert sum(w.startswith(f"corrupt FIT data at byte {offs[k]}") for w in fd.warnings) == 1


def test_random_block_partway_keeps_the_records_around_it(valid: bytes) -> None:
    offs = _record_offsets(valid)
    want = _records(valid)
    rng = np.random.default_rng(11)
    for trial in range(30):
        k = int(rng.integers(10, len(offs) - 10))
        junk = rng.integers(0, 256, int(rng.integers(5, 400)), dtype=np.uint8).tobytes()
        fd = decode_fit(_rebuild(valid, offs[k], junk))
        got = fd.messages["record"]
        ts, wts = got["timestamp"], want["timestamp"]
        # never invented: every kept record is one of the written ones, in order
        assert np.isin(ts, wts).all(), trial
        assert np.all(np.diff(ts) > 0), trial
        # the records before the block are all kept; after it, all but at most one or two
        # (random bytes can look like a record header: the first real header decides)
        assert np.isin(wts[:k], ts).all(), trial
        assert np.isin(wts[k:], ts).mean() > 0.99, trial
        rows = np.searchsorted(wts, ts)  # and each kept record holds the written values
        _assert_same_records(got, want, rows)
        if len(got["_index"]) < len(wts) or any("corrupt" in w for w in fd.warnings):
            assert any(w.startswith("corrupt FIT data") for w in fd.warnings), trial


def test_header_declaring_fewer_bytes_than_the_last_message_keeps_all(valid: bytes) -> None:
    msgs = _messages(valid)
    last_pos, _, _, last_size = msgs[-1]
    blob = _rebuild(valid, 0 + valid[0], size_delta=-(last_size // 2))
    # the file's bytes are unchanged; only the header says the data ends inside the last one
    assert blob[valid[0] : -2] == valid[valid[0] : -2]
    fd = decode_fit(blob)
    want = _records(valid)
    assert len(fd.messages["record"]["_index"]) == len(want["_index"])
    _assert_same_records(fd.messages["record"], want, slice(None))
    assert "session" in fd.messages
    assert fd.crc_ok is True  # the last 2 bytes are the CRC of everything before them
    assert any(
        f"the message at byte {last_pos} runs past them (file not closed properly)" in w
        for w in fd.warnings
    ), fd.warnings


def test_analyze_exits_0_with_one_line_warning(valid: bytes, tmp_path: Path, capsys) -> None:
    offs = _record_offsets(valid)
    bad = tmp_path / "strava_like.fit"
    bad.write_bytes(_rebuild(valid, offs[300], bytes([_undefined_local(valid)]) + b"\x01\x02"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        assert main(["analyze", str(bad), "--json"]) == 0
    out = capsys.readouterr()
    doc = __import__("json").loads(out.out)
    # one warning (the document may also hold its copy prefixed with the path: issue 10's
    # "each warning prints once" is the pipeline's)
    lines = {w.removeprefix(f"{bad}: ") for w in doc["warnings"] if "corrupt FIT data" in w}
    assert len(lines) == 1
    line = lines.pop()
    assert "\n" not in line and f"at byte {offs[300]}" in line and "resynchronised" in line
    assert doc["duration_s"] > 1100  # the whole run: nothing lost but the damaged bytes


def test_analyze_of_an_unterminated_file_exits_0(valid: bytes, tmp_path: Path, capsys) -> None:
    last_size = _messages(valid)[-1][3]
    f = tmp_path / "unterminated.fit"
    f.write_bytes(_rebuild(valid, valid[0], size_delta=-(last_size // 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        assert main(["analyze", str(f), "--json"]) == 0
    doc = __import__("json").loads(capsys.readouterr().out)
    lines = {w.removeprefix(f"{f}: ") for w in doc["warnings"] if "not closed properly" in w}
    assert len(lines) == 1 and "\n" not in lines.pop()
    assert doc["duration_s"] > 1100


def test_nothing_usable_is_a_one_line_error_exit_2(valid: bytes, tmp_path: Path, capsys) -> None:
    first = next(p for p, kind, _, _ in _messages(valid) if kind == "data")
    local = _undefined_local(valid)
    # the damage comes before any data message and nothing readable follows it
    base = valid[:first] + bytes([local]) + bytes(30) + b"\0\0"
    blob = _rebuild(base, len(base) - 2)
    with pytest.raises(ParseError, match=f"corrupt FIT data at byte {first}"):
        decode_fit(blob)
    f = tmp_path / "broken.fit"
    f.write_bytes(blob)
    assert main(["analyze", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "corrupt FIT data" in err and "broken.fit" in err


def test_fit_records_out_of_time_order_are_sorted_with_a_warning(valid: bytes) -> None:
    """Issue 14 (FIT): two records swapped get the TCX/GPX "out of time order" warning."""
    msgs = _messages(valid)
    recs = [(p, size) for p, kind, mesg, size in msgs if kind == "data" and mesg == REC]
    (p1, s1), (p2, s2) = recs[100], recs[101]
    assert p2 == p1 + s1 and s1 == s2
    blob = bytearray(valid)
    blob[p1 : p1 + s1], blob[p2 : p2 + s2] = valid[p2 : p2 + s2], valid[p1 : p1 + s1]
    hs = valid[0]
    blob[-2:] = struct.pack("<H", crc16(bytes(blob[:-2])))
    assert bytes(blob[:hs]) == valid[:hs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        act = read_fit(bytes(blob), path="swapped.fit")
        ref = read_fit(valid, path="valid.fit")
    assert any("out of time order: sorted by time" in w for w in act.warnings), act.warnings
    assert not any("out of time order" in w for w in ref.warnings)
    np.testing.assert_array_equal(act.samples[consts.TIME_S], ref.samples[consts.TIME_S])
