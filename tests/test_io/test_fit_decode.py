# SPDX-License-Identifier: MIT
"""Byte-level tests of the columnar FIT decoder on small hand-built files.

The fixtures are assembled with :mod:`struct` right here (independent of the FIT writer), and
most of them are also decoded with fitdecode to check that both decoders agree.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import fitdecode
import numpy as np
import pytest
from _fit_bytes import (
    BYTE,
    DEV_DATA_ID,
    DEVICE_INFO,
    ENUM,
    FIELD_DESC,
    FILE_ID,
    FIT_EPOCH_S,
    FLOAT32,
    HRV,
    REC,
    SESSION,
    SINT8,
    SINT32,
    STRING,
    UINT8,
    UINT16,
    UINT32,
    data,
    definition,
    fit_file,
)

from evenstride.exceptions import ParseError
from evenstride.io._fit_decode import FitData, decode_fit


def fd_values(blob: bytes, mesg: str, field: str) -> list[object]:
    """Values fitdecode reports (raw processor: profile scaling, no unit conversion)."""
    out = []
    with fitdecode.FitReader(
        blob, check_crc=fitdecode.CrcCheck.RAISE, processor=fitdecode.DataProcessorBase()
    ) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == mesg:
                out.append(frame.get_value(field, fallback=None))
    return out


def as_list(col: np.ndarray) -> list[object]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in col.tolist()]


# ------------------------------------------------------------------------------ basics
def test_minimal_record_and_columns() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8), (5, 4, UINT32), (6, 2, UINT16)])
    body += data(0, struct.pack("<IBIH", 1000, 150, 12345, 3210))
    body += data(0, struct.pack("<IBIH", 1001, 0xFF, 0xFFFFFFFF, 0xFFFF))  # invalid sentinels
    fd = decode_fit(fit_file(body))
    rec = fd.messages["record"]
    assert rec["timestamp"].tolist() == [1000 + FIT_EPOCH_S, 1001 + FIT_EPOCH_S]
    assert as_list(rec["heart_rate"]) == [150.0, None]
    assert as_list(rec["distance"]) == [123.45, None]
    assert as_list(rec["speed"]) == [3.21, None]
    assert as_list(rec["enhanced_speed"]) == [3.21, None]  # component of speed
    assert rec["_index"].tolist() == [0, 1]
    assert rec["_file"].tolist() == [0, 0]
    assert fd.crc_ok is True
    assert not fd.truncated
    assert fd.n_files == 1
    assert fd.warnings == []
    assert all(c.dtype == np.float64 for k, c in rec.items() if not k.startswith("_"))


def test_twelve_byte_header_without_header_crc() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)]) + data(
        0, struct.pack("<IB", 5, 60)
    )
    fd = decode_fit(fit_file(body, header_size=12))
    assert fd.messages["record"]["heart_rate"].tolist() == [60.0]
    assert fd.crc_ok is True


# ------------------------------------------------------------------------ compressed timestamps
def test_compressed_timestamps_with_rollover() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)])
    body += definition(1, REC, [(3, 1, UINT8)])
    body += data(0, struct.pack("<IB", 1000, 100))  # 1000 = 31*32 + 8
    offsets = [10, 20, 5, 31, 0, 31]
    for i, off in enumerate(offsets):
        body += data(1, bytes([101 + i]), time_offset=off)
    body += data(0, struct.pack("<IB", 5000, 120))  # a full timestamp resets the reference
    body += data(1, bytes([121]), time_offset=3)  # 5000 = 156*32 + 8 → 3 < 8 rolls over
    blob = fit_file(body)
    rec = decode_fit(blob).messages["record"]
    expected_fit_s = [1000, 1002, 1012, 1029, 1055, 1056, 1087, 5000, 5027]
    assert rec["timestamp"].tolist() == [t + FIT_EPOCH_S for t in expected_fit_s]
    assert rec["heart_rate"].tolist() == [100, 101, 102, 103, 104, 105, 106, 120, 121]
    assert fd_values(blob, "record", "timestamp") == expected_fit_s


def test_compressed_timestamp_reference_from_another_message() -> None:
    # the reference is the last timestamp of ANY message (here an event), per the FIT protocol
    body = definition(0, 21, [(253, 4, UINT32), (0, 1, ENUM), (1, 1, ENUM)])  # event
    body += definition(1, REC, [(3, 1, UINT8)])
    body += data(0, struct.pack("<IBB", 2000, 0, 0))  # 2000 = 62*32 + 16
    body += data(1, bytes([90]), time_offset=17)
    body += data(1, bytes([91]), time_offset=1)
    blob = fit_file(body)
    rec = decode_fit(blob).messages["record"]
    assert rec["timestamp"].tolist() == [2001 + FIT_EPOCH_S, 2017 + FIT_EPOCH_S]
    assert fd_values(blob, "record", "timestamp") == [2001, 2017]


# ------------------------------------------------------------------------------ big endian
def test_big_endian_layout() -> None:
    fields = [(253, 4, UINT32), (0, 4, SINT32), (1, 4, SINT32), (2, 2, UINT16), (6, 2, UINT16)]
    body = definition(0, REC, fields, big=True)
    body += data(0, struct.pack(">IiiHH", 1_000_000, -536_870_912, 1_073_741_824, 3000, 2500))
    body += definition(1, REC, fields)  # the same fields, little-endian, in one stream
    body += data(1, struct.pack("<IiiHH", 1_000_001, 5, -5, 2600, 0xFFFF))
    blob = fit_file(body)
    rec = decode_fit(blob).messages["record"]
    assert rec["timestamp"].tolist() == [1_000_000 + FIT_EPOCH_S, 1_000_001 + FIT_EPOCH_S]
    assert rec["position_lat"].tolist() == [-536_870_912.0, 5.0]
    assert rec["position_long"].tolist() == [1_073_741_824.0, -5.0]
    assert rec["altitude"].tolist() == [3000 / 5 - 500, 2600 / 5 - 500]
    assert rec["enhanced_altitude"].tolist() == rec["altitude"].tolist()
    assert as_list(rec["speed"]) == [2.5, None]
    assert fd_values(blob, "record", "position_lat") == [-536_870_912, 5]
    assert fd_values(blob, "record", "altitude") == [100.0, 20.0]


# ------------------------------------------------------------------------------ chained files
def test_chained_files() -> None:
    first = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)])
    first += data(0, struct.pack("<IB", 100, 80)) + data(0, struct.pack("<IB", 101, 81))
    # the second file redefines local 0 differently; definitions do not leak across files
    second = definition(0, REC, [(3, 1, UINT8), (253, 4, UINT32)])
    second += data(0, struct.pack("<BI", 90, 200))
    second += definition(1, SESSION, [(253, 4, UINT32), (5, 1, ENUM)]) + data(
        1, struct.pack("<IB", 201, 1)
    )
    blob = fit_file(first) + fit_file(second)
    fd = decode_fit(blob)
    assert fd.n_files == 2
    assert fd.crc_ok is True
    rec = fd.messages["record"]
    assert rec["heart_rate"].tolist() == [80, 81, 90]
    assert rec["timestamp"].tolist() == [t + FIT_EPOCH_S for t in (100, 101, 200)]
    assert rec["_file"].tolist() == [0, 0, 1]
    assert rec["_index"].tolist() == [0, 1, 2]
    assert fd.messages["session"]["_index"].tolist() == [3]
    assert fd.enum_names("session", "sport").tolist() == ["running"]


def test_chained_file_needs_its_own_definitions() -> None:
    first = definition(0, REC, [(3, 1, UINT8)]) + data(0, bytes([80]))
    second = data(0, bytes([81]))  # local 0 was defined in the first file only
    with pytest.raises(ParseError, match=r"undefined local message type 0"):
        decode_fit(fit_file(first) + fit_file(second))


# ------------------------------------------------------------------------------ developer fields
def _developer_prelude(app_id: bytes) -> bytes:
    body = definition(0, DEV_DATA_ID, [(1, 16, BYTE), (3, 1, UINT8), (2, 2, UINT16)])
    body += data(0, app_id + bytes([0]) + struct.pack("<H", 255))
    body += definition(
        1,
        FIELD_DESC,
        [
            (0, 1, UINT8),
            (1, 1, UINT8),
            (2, 1, UINT8),
            (3, 24, STRING),
            (8, 8, STRING),
            (15, 1, UINT8),
            (14, 2, UINT16),
        ],
    )
    body += data(
        1,
        bytes([0, 0, UINT16])
        + b"Power".ljust(24, b"\0")
        + b"Watts".ljust(8, b"\0")
        + bytes([7])
        + struct.pack("<H", REC),
    )
    body += data(
        1,
        bytes([0, 1, FLOAT32])
        + b"Leg Spring Stiffness".ljust(24, b"\0")
        + b"kN/m".ljust(8, b"\0")
        + bytes([0xFF])
        + struct.pack("<H", REC),
    )
    return body


def test_developer_fields_with_and_without_description() -> None:
    app_id = bytes(range(0x10, 0x20))
    body = _developer_prelude(app_id)
    # dev field 5 of developer 0 is never described: kept as raw bytes
    body += definition(2, REC, [(253, 4, UINT32)], dev=[(0, 2, 0), (1, 4, 0), (5, 2, 0)])
    body += data(2, struct.pack("<IHfBB", 10, 250, 9.5, 1, 2))
    body += data(2, struct.pack("<IHfBB", 11, 0xFFFF, float("nan"), 0xFF, 0xFF))
    blob = fit_file(body)
    fd = decode_fit(blob)
    power, lss, raw = fd.dev_fields["dev0_0"], fd.dev_fields["dev0_1"], fd.dev_fields["dev0_5"]
    assert (power.name, power.units, power.base_type, power.native_field_num) == (
        "Power",
        "Watts",
        UINT16,
        7,
    )
    assert power.native_mesg_num == REC
    assert power.application_id == app_id.hex()
    assert power.manufacturer_id == 255
    assert lss.name == "Leg Spring Stiffness"
    assert lss.native_field_num is None
    assert raw.name is None
    assert raw.base_type == BYTE
    rec = fd.messages["record"]
    assert as_list(rec["dev0_0"]) == [250.0, None]
    assert rec["dev0_1"][0] == 9.5
    assert math.isnan(rec["dev0_1"][1])
    assert rec["dev0_5"].shape == (2, 2)
    assert rec["dev0_5"][0].tolist() == [1.0, 2.0]
    assert np.isnan(rec["dev0_5"][1]).all()
    assert any("no field_description" in w for w in fd.warnings)
    # fitdecode agrees on the described fields
    with pytest.warns(UserWarning, match="no such field 5"):
        assert fd_values(blob, "record", "Power") == [250, None]


def test_developer_field_scale_offset_and_redefinition() -> None:
    app_id = bytes(16)
    body = _developer_prelude(app_id)
    body += definition(2, REC, [(253, 4, UINT32)], dev=[(0, 2, 0)])
    body += data(2, struct.pack("<IH", 1, 200))
    # a new field_description with scale 10 / offset 5 for the same field number
    body += definition(
        3,
        FIELD_DESC,
        [(0, 1, UINT8), (1, 1, UINT8), (2, 1, UINT8), (3, 8, STRING), (6, 1, UINT8), (7, 1, SINT8)],
    )
    body += data(3, bytes([0, 0, UINT16]) + b"Speed".ljust(8, b"\0") + bytes([10, 5]))
    body += definition(2, REC, [(253, 4, UINT32)], dev=[(0, 2, 0)])  # re-read with the new type
    body += data(2, struct.pack("<IH", 2, 200))
    fd = decode_fit(fit_file(body))
    assert set(fd.dev_fields) >= {"dev0_0", "dev0_0_2"}
    second = fd.dev_fields["dev0_0_2"]
    assert (second.name, second.scale, second.offset) == ("Speed", 10.0, 5.0)
    rec = fd.messages["record"]
    assert as_list(rec["dev0_0"]) == [200.0, None]
    assert as_list(rec["dev0_0_2"]) == [None, 200 / 10 - 5]


# ------------------------------------------------------------------------------ arrays and strings
def test_array_fields_are_2d_and_padded() -> None:
    body = definition(0, HRV, [(0, 10, UINT16)])
    body += data(0, struct.pack("<5H", 800, 810, 0xFFFF, 0xFFFF, 0xFFFF))
    body += definition(1, HRV, [(0, 4, UINT16)])
    body += data(1, struct.pack("<2H", 900, 905))
    body += data(0, struct.pack("<5H", 1, 2, 3, 4, 5))
    blob = fit_file(body)
    t = decode_fit(blob).messages["hrv"]["time"]
    assert t.shape == (3, 5)
    assert t[0, :2].tolist() == [0.8, 0.81]
    assert np.isnan(t[0, 2:]).all()
    assert t[1, :2].tolist() == [0.9, 0.905]
    assert np.isnan(t[1, 2:]).all()
    assert t[2].tolist() == [0.001, 0.002, 0.003, 0.004, 0.005]
    assert fd_values(blob, "hrv", "time")[1] == (0.9, 0.905)


def test_strings_with_invalid_utf8() -> None:
    body = definition(0, DEVICE_INFO, [(27, 16, STRING), (2, 2, UINT16)])
    body += data(0, b"FR \xff\xfe\0junk".ljust(16, b"\0") + struct.pack("<H", 1))
    body += data(0, bytes(16) + struct.pack("<H", 1))  # empty string → None
    body += data(0, "Ünïcode €".encode().ljust(16, b"\0") + struct.pack("<H", 1))
    blob = fit_file(body)
    fd = decode_fit(blob)
    names = fd.messages["device_info"]["product_name"]
    assert names.dtype == object
    assert names.tolist() == ["FR \ufffd\ufffd", None, "Ünïcode €"]
    assert fd_values(blob, "device_info", "product_name") == names.tolist()


def test_field_size_not_matching_its_type_is_read_as_bytes() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 3, UINT16)])  # 3 bytes of "uint16"
    body += data(0, struct.pack("<I", 7) + bytes([1, 2, 3]))
    blob = fit_file(body)
    fd = decode_fit(blob)
    assert fd.messages["record"]["heart_rate"].tolist() == [[1.0, 2.0, 3.0]]
    assert any("not a multiple of uint16" in w for w in fd.warnings)
    with pytest.warns(UserWarning, match="invalid field size"):
        assert fd_values(blob, "record", "heart_rate") == [(1, 2, 3)]


# ------------------------------------------------------------------------------ components
def test_compressed_speed_distance_accumulates() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (8, 3, BYTE)])

    def packed(speed_raw: int, dist_raw: int) -> bytes:
        v = speed_raw | (dist_raw << 12)
        return bytes([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF])

    seq = [(300, 4000), (310, 4090), (320, 10), (330, 100), (0, 0)]
    for i, (s, d) in enumerate(seq):
        body += data(0, struct.pack("<I", i) + packed(s, d))
    body += data(0, struct.pack("<I", 9) + b"\xff\xff\xff")  # invalid: no value, no wrap
    blob = fit_file(body)
    rec = decode_fit(blob).messages["record"]
    assert as_list(rec["speed"]) == [3.0, 3.1, 3.2, 3.3, 0.0, None]
    expected = [4000 / 16, 4090 / 16, (4096 + 10) / 16, (4096 + 100) / 16, (8192 + 0) / 16, None]
    assert as_list(rec["distance"]) == expected
    assert fd_values(blob, "record", "distance") == expected


def test_session_speed_components_and_enums() -> None:
    fields = [
        (253, 4, UINT32),
        (2, 4, UINT32),
        (5, 1, ENUM),
        (6, 1, ENUM),
        (14, 2, UINT16),
        (15, 2, UINT16),
    ]
    body = definition(0, SESSION, fields)
    body += data(0, struct.pack("<IIBBHH", 100, 50, 1, 1, 3300, 4100))
    body += data(0, struct.pack("<IIBBHH", 200, 150, 2, 0xFF, 0xFFFF, 5000))
    fd = decode_fit(fit_file(body))
    ses = fd.messages["session"]
    assert fd.enum_names("session", "sport").tolist() == ["running", "cycling"]
    assert fd.enum_names("session", "sub_sport").tolist() == ["treadmill", None]
    assert as_list(ses["enhanced_avg_speed"]) == [3.3, None]
    assert ses["enhanced_max_speed"].tolist() == [4.1, 5.0]
    assert ses["start_time"].tolist() == [50 + FIT_EPOCH_S, 150 + FIT_EPOCH_S]


def test_subfield_product_names() -> None:
    body = definition(0, FILE_ID, [(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)])
    body += data(0, struct.pack("<BHHI", 4, 1, 2697, 1000))  # garmin fenix 5
    body += data(0, struct.pack("<BHHI", 4, 9999, 12, 1000))  # unknown maker: no sub-field
    fd = decode_fit(fit_file(body))
    assert fd.enum_names("file_id", "manufacturer").tolist() == ["garmin", "9999"]
    assert fd.enum_names("file_id", "garmin_product").tolist() == ["fenix5", None]
    assert fd.messages["file_id"]["product"].tolist() == [2697.0, 12.0]
    assert fd.enum_names("file_id", "no_such_field").tolist() == [None, None]


def test_unknown_message_and_field_names() -> None:
    body = definition(0, 0xFF10, [(253, 4, UINT32), (7, 2, UINT16)])
    body += data(0, struct.pack("<IH", 3, 42))
    body += definition(1, REC, [(250, 1, UINT8)])
    body += data(1, bytes([9]))
    fd = decode_fit(fit_file(body))
    assert fd.messages["mesg_65296"]["unknown_7"].tolist() == [42.0]
    assert fd.messages["mesg_65296"]["timestamp"].tolist() == [3 + FIT_EPOCH_S]
    assert fd.messages["record"]["unknown_250"].tolist() == [9.0]


# ------------------------------------------------------------------------------ status and errors
def test_crc_mismatch_keeps_plausible_data_with_warning() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)]) + data(
        0, struct.pack("<IB", 5, 60)
    )
    blob = bytearray(fit_file(body))
    blob[-1] ^= 0x55
    fd = decode_fit(bytes(blob))
    assert fd.crc_ok is False
    assert any("CRC mismatch" in w for w in fd.warnings)
    assert fd.messages["record"]["heart_rate"].tolist() == [60.0]
    assert decode_fit(bytes(blob), check_crc=False).crc_ok is None


def test_crc_mismatch_with_implausible_values_raises() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (0, 4, SINT32)])
    for i in range(5):
        body += data(0, struct.pack("<Ii", 1000 + i, 2**31 - 2))  # latitude ~180°
    blob = bytearray(fit_file(body))
    blob[-2] ^= 0x01
    with pytest.raises(ParseError, match="CRC mismatch"):
        decode_fit(bytes(blob))


def test_header_claims_more_data_than_present() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)])
    body += b"".join(data(0, struct.pack("<IB", i, 100 + i)) for i in range(10))
    blob = bytearray(fit_file(body))
    blob[4:8] = struct.pack("<I", 2_000_000_000)
    fd = decode_fit(bytes(blob), check_crc=False)
    assert fd.truncated
    assert fd.messages["record"]["heart_rate"].tolist() == [100.0 + i for i in range(10)]


def test_trailing_garbage_is_ignored_with_warning() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)]) + data(
        0, struct.pack("<IB", 5, 60)
    )
    fd = decode_fit(fit_file(body) + bytes(range(256)) * 4)
    assert fd.messages["record"]["heart_rate"].tolist() == [60.0]
    assert any("trailing" in w for w in fd.warnings)
    assert not fd.truncated
    assert fd.crc_ok is True


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "file is empty"),
        (b"hello", r"not a FIT file \(only 5 bytes"),
        (
            b"\x0e\x20\x00\x00\x00\x00\x00\x00.FTT\x00\x00",
            r"not a FIT file \(bad header signature\)",
        ),
        (b"\x0e\x20\x00\x00\x00\x00\x00\x00.FIT\x00", "truncated inside its header"),
    ],
)
def test_bad_input_messages(blob: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        decode_fit(blob)


def test_undefined_local_message_reports_byte_offset() -> None:
    """Issue 18: the message before the damage is kept, with a warning naming the byte; only
    when nothing comes before it is the file refused."""
    body = definition(0, REC, [(3, 1, UINT8)]) + data(0, bytes([60])) + data(3, bytes([61]))
    fd = decode_fit(fit_file(body))
    assert fd.messages["record"]["heart_rate"].tolist() == [60.0]
    assert any(
        w.startswith("corrupt FIT data at byte 25: undefined local message type 3; kept the 1")
        for w in fd.warnings
    ), fd.warnings
    with pytest.raises(
        ParseError, match=r"corrupt FIT data at byte 23: undefined local message type 3"
    ):
        decode_fit(fit_file(definition(0, REC, [(3, 1, UINT8)]) + data(3, bytes([61]))))


def test_message_past_end_of_data_section_is_corrupt() -> None:
    body = definition(0, REC, [(253, 4, UINT32)]) + data(0, struct.pack("<I", 1))
    blob = fit_file(body[:-2])  # the header's data size cuts the last message
    with pytest.raises(ParseError, match="runs past the end of the data section"):
        decode_fit(blob)


def test_enum_names_of_missing_message() -> None:
    fd = FitData({}, {}, False, None, [], 0)
    assert fd.enum_names("session", "sport").tolist() == []


@pytest.mark.shared_data
def test_real_file_decodes_every_record(shared_data: Path) -> None:
    """The 3 MB triathlon decodes all its 45 805 records, CRC included (its speed against
    fitdecode is measured in bench/bench_decode.py, not asserted here)."""
    path = shared_data / "goldencheetah" / "MultiSport-2019-11-24.fit"
    if not path.exists():
        pytest.skip("MultiSport file missing")
    fd = decode_fit(path.read_bytes())
    assert len(fd.messages["record"]["_index"]) == 45805


def test_header_without_data_size_reads_to_the_end() -> None:
    body = definition(0, REC, [(253, 4, UINT32), (3, 1, UINT8)])
    body += b"".join(data(0, struct.pack("<IB", i, 100 + i)) for i in range(5))
    blob = bytearray(fit_file(body))
    blob[4:8] = bytes(4)  # a crashed device leaves the data size at 0
    for tail in (bytes(blob), bytes(blob[:-2])):  # with and without the CRC bytes
        fd = decode_fit(tail)
        assert fd.truncated
        assert fd.messages["record"]["heart_rate"].tolist() == [100.0 + i for i in range(5)]
        assert any("no data size" in w for w in fd.warnings)
