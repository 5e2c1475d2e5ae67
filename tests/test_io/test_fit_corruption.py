# SPDX-License-Identifier: MIT
"""Corrupt FIT input: every case returns data (truncated flag / CRC warning) or raises
ParseError; never another exception, never a hang."""

from __future__ import annotations

import contextlib
import random
import signal
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _fit_bytes import data, definition, fit_file
from fitdecode import profile as fd_profile

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io._fit_decode import FitData, decode_fit
from evenstride.io._fit_reader import read_fit

#: Seconds any single decode may take before we call it a hang.
_HANG_S = 10.0


@contextlib.contextmanager
def _no_hang(seconds: float = _HANG_S) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block runs longer than ``seconds``."""

    def _alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"decode did not finish within {seconds} s")

    if not hasattr(signal, "setitimer"):
        yield
        return
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _decode_or_parse_error(blob: bytes, **kw: bool) -> FitData | None:
    """Decode; ``None`` for a ParseError (any other exception fails the test)."""
    with _no_hang():
        try:
            return decode_fit(blob, **kw)
        except ParseError as exc:
            text = str(exc)
            assert text, "empty ParseError message"
            assert "\n" not in text, text
            return None


@pytest.fixture
def run_file(shared_data: Path) -> bytes:
    """A 2125-record running file with GCT balance and Stryd developer fields (126 KB)."""
    path = shared_data / "goldencheetah" / "Garmin920_withFirstbeat.fit"
    if not path.exists():
        pytest.skip("Garmin920_withFirstbeat.fit missing")
    return path.read_bytes()


def _n_records(fd: FitData) -> int:
    rec = fd.messages.get("record")
    return 0 if rec is None else len(rec["_index"])


@pytest.mark.shared_data
def test_truncation_at_many_offsets(run_file: bytes) -> None:
    full = _n_records(decode_fit(run_file))
    offsets = [*np.linspace(0, len(run_file) - 3, 30).astype(int).tolist(), 1, 13, 14, 15, 40]
    previous = -1
    for cut in sorted(set(offsets)):
        fd = _decode_or_parse_error(run_file[:cut])
        if cut < 14:
            assert fd is None, cut  # no complete header: not a usable FIT file
            continue
        assert fd is not None, f"cut at {cut} raised"
        assert fd.truncated, cut
        assert fd.crc_ok is None  # nothing to check against
        assert any("truncated" in w for w in fd.warnings)
        n = _n_records(fd)
        assert previous <= n <= full, cut
        previous = n
    assert previous > 0.95 * full


@pytest.mark.shared_data
def test_truncation_of_chained_file(shared_data: Path) -> None:
    path = shared_data / "python-fitparse" / "sample_mulitple_header.fit"
    if not path.exists():
        pytest.skip("chained sample missing")
    blob = path.read_bytes()
    for cut in np.linspace(20, len(blob) - 1, 12).astype(int):
        fd = _decode_or_parse_error(blob[:cut])
        assert fd is not None, cut
        assert fd.truncated, cut


@pytest.mark.shared_data
@pytest.mark.parametrize("seed", range(8))
def test_random_bit_flips(run_file: bytes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    blob = bytearray(run_file)
    for pos in rng.integers(14, len(blob) - 2, 10):
        blob[pos] ^= 1 << int(rng.integers(0, 8))
    fd = _decode_or_parse_error(bytes(blob))
    if fd is not None:
        assert fd.crc_ok is False
        assert any("CRC" in w for w in fd.warnings)
    fd_nocrc = _decode_or_parse_error(bytes(blob), check_crc=False)
    if fd_nocrc is not None:
        assert fd_nocrc.crc_ok is None


@pytest.mark.shared_data
@pytest.mark.parametrize("seed", range(20))
def test_random_byte_garbage_after_header(run_file: bytes, seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    start = int(rng.integers(14, 2000))
    length = int(rng.integers(1, 3000))
    blob = bytearray(run_file)
    blob[start : start + length] = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
    _decode_or_parse_error(bytes(blob))
    _decode_or_parse_error(bytes(blob), check_crc=False)


@pytest.mark.shared_data
def test_header_claims_two_gigabytes(run_file: bytes) -> None:
    blob = bytearray(run_file)
    blob[4:8] = struct.pack("<I", 2 * 1024**3)
    fd = _decode_or_parse_error(bytes(blob))
    assert fd is not None
    assert fd.truncated
    # the whole file is data now, CRC bytes included: all records are there
    assert _n_records(fd) == _n_records(decode_fit(run_file))


@pytest.mark.shared_data
def test_bad_signature(run_file: bytes) -> None:
    blob = bytearray(run_file)
    blob[8:12] = b".FTI"
    with pytest.raises(ParseError, match=r"not a FIT file \(bad header signature\)"):
        decode_fit(bytes(blob))


def test_empty() -> None:
    with pytest.raises(ParseError, match="file is empty"):
        decode_fit(b"")


@pytest.mark.shared_data
def test_trailing_garbage(run_file: bytes) -> None:
    rng = np.random.default_rng(7)
    blob = run_file + rng.integers(0, 256, 1000, dtype=np.uint8).tobytes()
    fd = _decode_or_parse_error(blob)
    assert fd is not None
    assert _n_records(fd) == _n_records(decode_fit(run_file))
    assert fd.crc_ok is True
    assert not fd.truncated
    assert any("1000 bytes of trailing data" in w for w in fd.warnings)


def _record_definition_offset(blob: bytes) -> int:
    """Byte offset of the first definition of a ``record`` (20) message."""
    pos = blob[0]
    end = pos + int.from_bytes(blob[4:8], "little")
    sizes: dict[int, int] = {}
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
            if mesg == 20:
                return pos
            sizes[h & 0x0F] = size
            pos = stop
        else:
            local = (h >> 5) & 3 if h & 0x80 else h & 0x0F
            pos += sizes[local]
    raise AssertionError("no record definition")


@pytest.mark.shared_data
@pytest.mark.parametrize("delta", [1, -1, 2, 7])
def test_corrupted_field_size_in_definition(run_file: bytes, delta: int) -> None:
    pos = _record_definition_offset(run_file)
    n_fields = run_file[pos + 5]
    for k in range(0, n_fields, max(1, n_fields // 4)):
        blob = bytearray(run_file)
        size_at = pos + 6 + 3 * k + 1
        blob[size_at] = (blob[size_at] + delta) % 256
        fd = _decode_or_parse_error(bytes(blob))
        if fd is not None:
            assert fd.crc_ok is False  # decoded, but flagged


@pytest.mark.shared_data
def test_random_corruptions_decode_or_fail_cleanly(run_file: bytes) -> None:
    """50 corrupt variants each decode or raise a one-line ParseError within the hang limit
    (the decoder's speed is measured in bench/bench_decode.py, not asserted here)."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        blob = bytearray(run_file)
        for pos in rng.integers(14, len(blob), 3):
            blob[pos] = int(rng.integers(0, 256))
        _decode_or_parse_error(bytes(blob))


def _random_fit(rng: random.Random) -> bytes:
    """A structurally valid FIT file of random definitions (real message and field numbers,
    random sizes and base types, developer fields, compressed headers) and random payloads."""
    mesg_nums = [*fd_profile.MESSAGE_TYPES, 20, 20, 18, 206, 207, 0xFF00]
    base_types = [0x00, 0x01, 0x02, 0x07, 0x83, 0x84, 0x85, 0x86, 0x88, 0x89, 0x0A, 0x8B, 0x8C]
    base_types += [0x0D, 0x8E, 0x8F, 0x90, 0x04, 0x55]  # 0x04/0x55: wrong / unknown ids
    body = b""
    for _ in range(rng.randint(1, 6)):
        local = rng.randint(0, 15)
        mesg = rng.choice(mesg_nums)
        known = list(getattr(fd_profile.MESSAGE_TYPES.get(mesg), "fields", {})) or [0]
        fields = [
            (
                rng.choice([*known, 253, 250]) if rng.random() < 0.8 else rng.randint(0, 255),
                rng.choice([0, 1, 2, 3, 4, 8, 16]),
                rng.choice(base_types),
            )
            for _ in range(rng.randint(0, 8))
        ]
        dev = None
        if rng.random() < 0.3:
            dev = [
                (rng.randint(0, 5), rng.choice([1, 2, 3, 4]), rng.randint(0, 2)) for _ in range(2)
            ]
        body += definition(local, mesg, fields, big=rng.random() < 0.3, dev=dev)
        size = sum(f[1] for f in fields) + sum(d[1] for d in dev or [])
        for _ in range(rng.randint(0, 5)):
            offset = rng.randint(0, 31) if local < 4 and rng.random() < 0.2 else None
            body += data(local, rng.randbytes(size), time_offset=offset)
    return fit_file(body)


@pytest.mark.parametrize("seed", range(4))
def test_random_definitions_never_crash(seed: int) -> None:
    """Fuzz: random layouts (wrong sizes, unknown types, strings where numbers are expected…)
    decode or raise ParseError, and the reader raises only user-facing errors."""
    rng = random.Random(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        for _ in range(150):
            blob = _random_fit(rng)
            for candidate in (blob, blob[: rng.randint(0, len(blob))]):
                _decode_or_parse_error(candidate)
                with _no_hang(), contextlib.suppress(UserInputError):
                    read_fit(candidate, path="fuzz.fit")


@pytest.mark.shared_data
@pytest.mark.parametrize("seed", range(3))
def test_reader_on_corrupted_real_files(shared_data: Path, seed: int) -> None:
    """The FIT reader on damaged real files: an Activity (with warnings) or a one-line
    user-facing error, never another exception."""
    files = sorted(shared_data.glob("*/*.fit"))
    rng = random.Random(100 + seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        for _ in range(40):
            blob = bytearray(rng.choice(files).read_bytes())
            mode = rng.random()
            if mode < 0.4:
                for _ in range(rng.randint(1, 20)):
                    blob[rng.randrange(14, len(blob))] ^= 1 << rng.randrange(8)
            elif mode < 0.7:
                blob = blob[: rng.randrange(0, len(blob))]
            else:
                at = rng.randrange(14, len(blob))
                blob[at : at + 100] = rng.randbytes(100)
            with _no_hang(), contextlib.suppress(UserInputError):
                read_fit(bytes(blob), path="damaged.fit")
