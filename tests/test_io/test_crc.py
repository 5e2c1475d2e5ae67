# SPDX-License-Identifier: MIT
"""The vectorised FIT CRC against a straightforward per-byte implementation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.io._crc import crc16, crc16_reference


def _bitwise_crc16_arc(data: bytes) -> int:
    """Textbook bit-by-bit CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0), independent of
    both the nibble table and our byte tables."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_check_value() -> None:
    # the catalogue check value of CRC-16/ARC
    assert crc16(b"123456789") == crc16_reference(b"123456789") == 0xBB3D


def test_reference_matches_textbook() -> None:
    rng = np.random.default_rng(1)
    data = rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()
    assert crc16_reference(data) == _bitwise_crc16_arc(data)


@pytest.mark.parametrize(
    "n",
    [0, 1, 2, 3, 255, 256, 257, 511, 4095, 4096, 4097, 8191, 20_001, 65537, 163_333,
     256 * 513 + 3, 1_000_003],
)
def test_random_lengths_match_reference(n: int) -> None:
    rng = np.random.default_rng(n)
    data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    assert crc16(data) == crc16_reference(data)


@pytest.mark.parametrize("seed", range(5))
def test_structured_data_matches_reference(seed: int) -> None:
    # long zero runs, 0xFF runs and repeats exercise the zero-padding and tree combination
    rng = np.random.default_rng(100 + seed)
    parts = [
        bytes(int(rng.integers(0, 3000))),
        b"\xff" * int(rng.integers(0, 3000)),
        rng.integers(0, 256, int(rng.integers(1, 20000)), dtype=np.uint8).tobytes(),
        bytes(int(rng.integers(0, 600))),
    ]
    data = b"".join(parts[i] for i in rng.permutation(4))
    assert crc16(data) == crc16_reference(data)


def test_accepts_numpy_and_memoryview() -> None:
    data = bytes(range(256)) * 40
    ref = crc16_reference(data)
    assert crc16(np.frombuffer(data, dtype=np.uint8)) == ref
    assert crc16(memoryview(data)) == ref
    assert crc16(bytearray(data)) == ref


def _fit_files() -> list[Path]:
    root = shared_data_dir()
    return sorted(root.glob("*/*.fit")) if root.is_dir() else []


@pytest.mark.shared_data
def test_real_files_crc_is_valid(shared_data: Path) -> None:
    """The CRC of every real file (header + data + stored CRC) is 0, and matches the reference on
    the smaller ones."""
    files = _fit_files()
    assert files
    for path in files:
        data = path.read_bytes()
        header_size = data[0]
        body = int.from_bytes(data[4:8], "little")
        end = header_size + body  # first FIT file of a possibly chained stream
        stored = int.from_bytes(data[end : end + 2], "little")
        assert crc16(data[:end]) == stored, path.name
        assert crc16(data[: end + 2]) == 0, path.name
        if len(data) < 400_000:
            assert crc16_reference(data[:end]) == stored, path.name
