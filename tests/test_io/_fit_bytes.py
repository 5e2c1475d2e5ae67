# SPDX-License-Identifier: MIT
"""A tiny FIT byte builder for tests (independent of evenstride's FIT writer)."""

from __future__ import annotations

import struct

from evenstride.io._crc import crc16

FIT_EPOCH_S = 631065600
REC = 20  # record
HRV = 78
SESSION = 18
FILE_ID = 0
DEVICE_INFO = 23
DEV_DATA_ID = 207
FIELD_DESC = 206

# base types
ENUM, SINT8, UINT8, STRING, BYTE = 0x00, 0x01, 0x02, 0x07, 0x0D
SINT16, UINT16, SINT32, UINT32, FLOAT32 = 0x83, 0x84, 0x85, 0x86, 0x88


def definition(
    local: int,
    mesg_num: int,
    fields: list[tuple[int, int, int]],
    *,
    big: bool = False,
    dev: list[tuple[int, int, int]] | None = None,
) -> bytes:
    """A definition message: ``fields`` are (number, size, base type), ``dev`` (number, size,
    developer data index)."""
    header = 0x40 | local | (0x20 if dev else 0)
    out = bytes([header, 0, 1 if big else 0])
    out += struct.pack(">H" if big else "<H", mesg_num) + bytes([len(fields)])
    out += b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(d) for d in dev)
    return out


def data(local: int, payload: bytes, *, time_offset: int | None = None) -> bytes:
    """A data message, with a compressed-timestamp header when ``time_offset`` is given."""
    if time_offset is None:
        return bytes([local]) + payload
    return bytes([0x80 | (local << 5) | time_offset]) + payload


def fit_file(body: bytes, *, header_size: int = 14) -> bytes:
    header = struct.pack("<BBHI4s", header_size, 0x20, 2132, len(body), b".FIT")
    if header_size == 14:
        header += struct.pack("<H", crc16(header))
    out = header + body
    return out + struct.pack("<H", crc16(out))


def developer_prelude(
    app_id: bytes, fields: list[tuple[int, int, str | None, str | None]], *, index: int = 0
) -> bytes:
    """``developer_data_id`` + one ``field_description`` per (number, base type, name, units),
    all for record messages (local types 14 and 15)."""
    out = definition(14, DEV_DATA_ID, [(1, 16, BYTE), (3, 1, UINT8)])
    out += data(14, app_id + bytes([index]))
    out += definition(
        15,
        FIELD_DESC,
        [
            (0, 1, UINT8),
            (1, 1, UINT8),
            (2, 1, UINT8),
            (3, 32, STRING),
            (8, 16, STRING),
            (14, 2, UINT16),
        ],
    )
    for num, base, name, units in fields:
        out += data(
            15,
            bytes([index, num, base])
            + (name or "").encode().ljust(32, b"\0")
            + (units or "").encode().ljust(16, b"\0")
            + struct.pack("<H", REC),
        )
    return out
