# SPDX-License-Identifier: MIT
"""The FIT encoder: every option decodes with fitdecode (CRC checked) to the values written."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime

import fitdecode
import numpy as np
import pytest
from fitdecode import CrcCheck, ErrorHandling

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.io._crc import crc16
from evenstride.io._fit_writer import (
    _BASE_TYPES,
    RUNSCRIBE_APP_ID,
    STRYD_APP_ID,
    DevFieldSpec,
    DeviceSpec,
    SessionSpec,
    _to_raw,
    activity_record_fields,
    chain_fit_files,
    encode_activity_fit,
    write_activity_fit,
)

START = datetime(2024, 5, 4, 7, 0, tzinfo=UTC)
SEMI = 180.0 / 2**31


# --- helpers --------------------------------------------------------------------------------------
def decode(data: bytes, **reader_kwargs):
    """All frames of ``data`` decoded by fitdecode with the CRC check raising."""
    reader_kwargs.setdefault("check_crc", CrcCheck.RAISE)
    with fitdecode.FitReader(io.BytesIO(data), **reader_kwargs) as fr:
        return list(fr)


def messages(frames, name: str):
    return [f for f in frames if isinstance(f, fitdecode.FitDataMessage) and f.name == name]


def record_columns(frames) -> dict[str, np.ndarray]:
    """Record fields → float arrays (NaN for invalid/missing; timestamps as Unix seconds)."""
    recs = messages(frames, "record")
    cols: dict[str, np.ndarray] = {}
    for i, msg in enumerate(recs):
        for fd in msg.fields:
            col = cols.setdefault(fd.name, np.full(len(recs), np.nan))
            v = fd.value
            if v is None or isinstance(v, (tuple, bytes)):  # unnamed dev fields: raw bytes
                continue
            col[i] = v.timestamp() if isinstance(v, datetime) else float(v)
    return cols


def garmin_ok(data: bytes) -> tuple[bool, list, dict]:
    from garmin_fit_sdk import Decoder, Stream

    integrity = Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    msgs, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    return integrity, errors, msgs


def make_activity(n: int = 600, *, irregular: bool = False, seed: int = 0) -> Activity:
    """An activity using every sample column, with NaN holes in several of them."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    if irregular:
        t = np.cumsum(rng.integers(1, 9, n)).astype(np.float64)
        t[n // 2 :] += 100.0  # a gap longer than compressed timestamps can bridge
        t -= t[0]
    speed = np.round(3.0 + 0.3 * np.sin(t / 50.0), 3)
    cadence = np.round((168.0 + 4.0 * np.sin(t / 30.0)) * 64) / 64
    gct = np.round((0.25 + 0.01 * np.sin(t / 40.0)) * 1e4) / 1e4
    bal = np.round(51.0 + 0.5 * np.sin(t / 70.0), 2)
    gct[5:9] = np.nan
    bal[5:9] = np.nan
    hr = np.round(140.0 + 5 * np.sin(t / 100.0))
    hr[20] = np.nan
    samples = {
        consts.TIME_S: t,
        consts.TIMESTAMP_S: START.timestamp() + t,
        consts.DISTANCE_M: np.round(np.cumsum(speed), 2),
        consts.SPEED_M_S: speed,
        consts.ALTITUDE_M: np.round((540.0 + 5 * np.sin(t / 90.0) + 500) * 5) / 5 - 500,
        consts.LAT_DEG: np.round((46.9 + 1e-5 * t) / SEMI) * SEMI,
        consts.LON_DEG: np.round((7.44 - 1e-5 * t) / SEMI) * SEMI,
        consts.HEART_RATE_BPM: hr,
        consts.CADENCE_SPM: cadence,
        consts.POWER_W: np.round(250.0 + 10 * np.sin(t / 20.0)),
        consts.CONTACT_TIME_S: gct,
        consts.CONTACT_TIME_PCT: np.round(gct * 84 / 60 * 100, 2),
        consts.VERTICAL_OSCILLATION_M: np.full(n, 0.0853),
        consts.VERTICAL_RATIO_PCT: np.full(n, 7.61),
        consts.STEP_LENGTH_M: np.round(speed / (cadence / 60) * 1e4) / 1e4,
        consts.LEG_SPRING_STIFFNESS_KN_M: np.full(n, 10.5),
        consts.FORM_POWER_W: np.full(n, 72.0),
        consts.AIR_POWER_W: np.full(n, 5.0),
        consts.DEVICE_GRADE_PCT: np.round(2.0 * np.sin(t / 60.0), 2),
        consts.TEMPERATURE_C: np.full(n, 17.0),
    }
    left = 2 * gct * bal / 100
    right = 2 * gct * (1 - bal / 100)
    ct_l = np.round(0.26 + 0.002 * np.sin(t / 10), 3)
    ct_r = np.round(0.25 + 0.002 * np.sin(t / 10), 3)
    ig = np.float32(10.0 + np.sin(t / 5)).astype(np.float64)
    sided = [
        SidedChannel(
            consts.M_CONTACT_TIME,
            consts.SRC_RUNNING_DYNAMICS,
            "s",
            left,
            right,
            bal,
            derived_from_balance=True,
        ),
        SidedChannel(consts.M_CONTACT_TIME, consts.SRC_RUNSCRIBE, "s", ct_l, ct_r),
        SidedChannel(consts.M_IMPACT_G, consts.SRC_RUNSCRIBE, "g", ig * 1.03, ig * 0.97),
    ]
    meta = ActivityMeta(sport="running", start_time=START)
    return Activity(samples, sided, meta)


# FIT field → (Activity column, factor from column to FIT units, resolution in FIT units)
NATIVE = {
    "enhanced_speed": (consts.SPEED_M_S, 1.0, 1e-3),
    "distance": (consts.DISTANCE_M, 1.0, 1e-2),
    "enhanced_altitude": (consts.ALTITUDE_M, 1.0, 0.2),
    "heart_rate": (consts.HEART_RATE_BPM, 1.0, 1.0),
    "power": (consts.POWER_W, 1.0, 1.0),
    "stance_time": (consts.CONTACT_TIME_S, 1000.0, 0.1),
    "stance_time_percent": (consts.CONTACT_TIME_PCT, 1.0, 0.01),
    "vertical_oscillation": (consts.VERTICAL_OSCILLATION_M, 1000.0, 0.1),
    "vertical_ratio": (consts.VERTICAL_RATIO_PCT, 1.0, 0.01),
    "step_length": (consts.STEP_LENGTH_M, 1000.0, 0.1),
    "temperature": (consts.TEMPERATURE_C, 1.0, 1.0),
    "grade": (consts.DEVICE_GRADE_PCT, 1.0, 0.01),
    "Form Power": (consts.FORM_POWER_W, 1.0, 1.0),
    "Air Power": (consts.AIR_POWER_W, 1.0, 1.0),
    "Leg Spring Stiffness": (consts.LEG_SPRING_STIFFNESS_KN_M, 1.0, 1e-5),
}


def assert_records_match(act: Activity, cols: dict[str, np.ndarray]) -> None:
    s = act.samples
    np.testing.assert_array_equal(cols["timestamp"], np.round(s[consts.TIMESTAMP_S]))
    for field, (column, factor, res) in NATIVE.items():
        ref = s[column] * factor
        got = cols[field]
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref), err_msg=field)
        np.testing.assert_allclose(got, ref, atol=res / 2 + 1e-9, equal_nan=True, err_msg=field)
    np.testing.assert_allclose(cols["position_lat"] * SEMI, s[consts.LAT_DEG], atol=1e-12)
    np.testing.assert_allclose(cols["position_long"] * SEMI, s[consts.LON_DEG], atol=1e-12)
    spm = 2.0 * (cols["cadence"] + cols["fractional_cadence"])
    np.testing.assert_allclose(spm, s[consts.CADENCE_SPM], atol=1 / 128 + 1e-9)
    bal = act.channel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS).balance_left_pct
    np.testing.assert_allclose(cols["stance_time_balance"], bal, atol=0.005 + 1e-9, equal_nan=True)


@pytest.fixture(scope="module")
def activity() -> Activity:
    return make_activity()


# --- the plain file ------------------------------------------------------------------------------
def test_plain_file_decodes_to_written_values(activity: Activity) -> None:
    data = encode_activity_fit(activity)
    frames = decode(data)
    headers = [f for f in frames if isinstance(f, fitdecode.FitHeader)]
    assert len(headers) == 1
    assert headers[0].header_size == 14
    assert headers[0].proto_ver == (2, 0)
    assert headers[0].crc == crc16(data[:12])
    cols = record_columns(frames)
    assert len(cols["timestamp"]) == activity.n_samples
    assert_records_match(activity, cols)
    file_id = messages(frames, "file_id")[0]
    assert file_id.get_value("type") == "activity"
    assert file_id.get_value("manufacturer") == "garmin"
    assert file_id.get_value("time_created") == START
    events = messages(frames, "event")
    assert [(e.get_value("event"), e.get_value("event_type")) for e in events] == [
        ("timer", "start"),
        ("timer", "stop_all"),
    ]
    assert len(messages(frames, "device_info")) >= 2
    act_msg = messages(frames, "activity")[0]
    assert act_msg.get_value("num_sessions") == 1
    assert act_msg.get_value("type") == "manual"


def test_plain_file_accepted_by_garmin_sdk(activity: Activity) -> None:
    integrity, errors, msgs = garmin_ok(encode_activity_fit(activity))
    assert integrity
    assert errors == []
    assert len(msgs["record_mesgs"]) == activity.n_samples
    assert msgs["session_mesgs"][0]["sport"] == "running"


def test_nan_is_written_as_the_invalid_sentinel(activity: Activity) -> None:
    cols = record_columns(decode(encode_activity_fit(activity)))
    assert np.isnan(cols["stance_time"][5:9]).all()
    assert np.isnan(cols["stance_time_balance"][5:9]).all()
    assert np.isnan(cols["heart_rate"][20])
    # the raw sentinels themselves
    assert _to_raw(np.array([np.nan]), _BASE_TYPES["uint16"], 100, 0)[0] == 0xFFFF
    assert _to_raw(np.array([np.nan]), _BASE_TYPES["uint8"], 1, 0)[0] == 0xFF
    assert _to_raw(np.array([np.nan]), _BASE_TYPES["sint16"], 1, 0)[0] == 0x7FFF
    assert _to_raw(np.array([np.nan]), _BASE_TYPES["sint32"], 1, 0)[0] == 0x7FFFFFFF
    bits = _to_raw(np.array([np.nan]), _BASE_TYPES["float32"], 1, 0).view(np.uint32)[0]
    assert bits == 0xFFFFFFFF
    # out-of-range values are clipped, never turned into the sentinel
    assert _to_raw(np.array([700.0]), _BASE_TYPES["uint16"], 100, 0)[0] == 0xFFFE
    assert _to_raw(np.array([-3.0]), _BASE_TYPES["uint8"], 1, 0)[0] == 0


def test_session_and_lap_summaries(activity: Activity) -> None:
    frames = decode(encode_activity_fit(activity, lap_interval_s=200.0))
    laps = messages(frames, "lap")
    assert len(laps) == 3
    assert [lap.get_value("lap_trigger") for lap in laps] == ["time", "time", "session_end"]
    session = messages(frames, "session")[0]
    s = activity.samples
    assert session.get_value("sport") == "running"
    assert session.get_value("start_time") == START
    assert session.get_value("total_elapsed_time") == pytest.approx(activity.duration_s)
    assert session.get_value("total_timer_time") == pytest.approx(activity.duration_s)
    assert session.get_value("total_distance") == pytest.approx(
        s[consts.DISTANCE_M][-1] - s[consts.DISTANCE_M][0], abs=0.01
    )
    bal = activity.sided[0].balance_left_pct
    assert session.get_value("avg_stance_time_balance") == pytest.approx(np.nanmean(bal), abs=0.01)
    assert session.get_value("avg_stance_time") == pytest.approx(
        np.nanmean(s[consts.CONTACT_TIME_S]) * 1000, abs=0.1
    )
    cad = session.get_value("avg_running_cadence") + session.get_value("avg_fractional_cadence")
    assert 2 * cad == pytest.approx(np.mean(s[consts.CADENCE_SPM]), abs=1 / 64)
    assert session.get_value("num_laps") == 3
    assert session.get_value("first_lap_index") == 0


def test_cadence_fraction_carries_into_the_integer_part() -> None:
    t = np.arange(3.0)
    act = Activity({consts.TIME_S: t, consts.CADENCE_SPM: np.array([171.999, 169.0, 0.0])})
    f = activity_record_fields(act)
    assert f["cadence"].tolist() == [86.0, 84.0, 0.0]
    assert f["fractional_cadence"].tolist() == [0.0, 0.5, 0.0]


# --- options --------------------------------------------------------------------------------------
def test_compressed_timestamps_decode_identically() -> None:
    act = make_activity(800, irregular=True)
    plain = encode_activity_fit(act)
    packed = encode_activity_fit(act, compressed_timestamps=True)
    assert len(packed) < len(plain)
    frames = decode(packed)
    recs = messages(frames, "record")
    compressed = [r.time_offset is not None for r in recs]
    assert sum(compressed) > 0.9 * len(recs)
    assert not compressed[0]
    gap_index = int(np.argmax(np.diff(act.samples[consts.TIME_S]) >= 32)) + 1
    assert not compressed[gap_index]  # a gap of >= 32 s needs a full timestamp
    cols = record_columns(frames)
    assert_records_match(act, cols)
    assert_records_match(act, record_columns(decode(plain)))


def test_big_endian_decodes_identically(activity: Activity) -> None:
    frames = decode(encode_activity_fit(activity, big_endian=True))
    defs = [f for f in frames if isinstance(f, fitdecode.FitDefinitionMessage)]
    assert defs
    assert all(d.endian == ">" for d in defs)
    assert_records_match(activity, record_columns(frames))
    integrity, errors, msgs = garmin_ok(encode_activity_fit(activity, big_endian=True))
    assert integrity
    assert errors == []
    assert len(msgs["record_mesgs"]) == activity.n_samples


def test_big_endian_with_compressed_timestamps() -> None:
    act = make_activity(300, irregular=True)
    frames = decode(encode_activity_fit(act, big_endian=True, compressed_timestamps=True))
    assert_records_match(act, record_columns(frames))


def test_multisport_cycling_then_running() -> None:
    act = make_activity(1200)
    cad = act.samples[consts.CADENCE_SPM].copy()
    cad[:600] = 86.5  # rpm in the cycling leg
    act.samples[consts.CADENCE_SPM] = cad
    sessions = [
        SessionSpec("cycling", "road", 0.0, 600.0),
        SessionSpec("running", "generic", 600.0, 1199.0),
    ]
    data = encode_activity_fit(act, sessions=sessions)
    frames = decode(data)
    sess = messages(frames, "session")
    assert [s.get_value("sport") for s in sess] == ["cycling", "running"]
    assert [s.get_value("sub_sport") for s in sess] == ["road", "generic"]
    assert sess[1].get_value("start_time").timestamp() == START.timestamp() + 600
    assert [s.get_value("first_lap_index") for s in sess] == [0, 1]
    assert [m.get_value("sport") for m in messages(frames, "sport")] == ["cycling", "running"]
    assert messages(frames, "activity")[0].get_value("type") == "auto_multi_sport"
    assert messages(frames, "activity")[0].get_value("num_sessions") == 2
    cols = record_columns(frames)
    full = cols["cadence"] + cols["fractional_cadence"]
    np.testing.assert_allclose(full[:600], 86.5)  # rpm unchanged
    np.testing.assert_allclose(2 * full[600:], cad[600:], atol=1 / 128)  # strides ×2
    integrity, errors, msgs = garmin_ok(data)
    assert integrity
    assert errors == []
    assert len(msgs["session_mesgs"]) == 2


def test_sessions_default_to_meta_segments() -> None:
    from evenstride.datatypes import Segment

    act = make_activity(400)
    act.meta.segments = [
        Segment("cycling", None, 0.0, 200.0, False),
        Segment("running", "track", 200.0, 399.0, True),
    ]
    sess = messages(decode(encode_activity_fit(act)), "session")
    assert [(s.get_value("sport"), s.get_value("sub_sport", fallback=None)) for s in sess] == [
        ("cycling", None),
        ("running", "track"),
    ]


def test_chained_file(activity: Activity) -> None:
    data = encode_activity_fit(activity, chain_at_s=[300.0])
    frames = decode(data)
    headers = [f for f in frames if isinstance(f, fitdecode.FitHeader)]
    crcs = [f for f in frames if isinstance(f, fitdecode.FitCRC)]
    assert len(headers) == 2
    assert len(crcs) == 2
    assert len(messages(frames, "file_id")) == 2
    assert_records_match(activity, record_columns(frames))
    # each part is a complete FIT file
    size0 = 14 + headers[0].body_size + 2
    for part in (data[:size0], data[size0:]):
        assert part[8:12] == b".FIT"
        assert struct.unpack("<H", part[-2:])[0] == crc16(part[:-2])
    # developer fields are redefined in the second part
    second = decode(data[size0:])
    assert "Form Power" in record_columns(second)
    integrity, errors, msgs = garmin_ok(data)
    assert integrity
    assert errors == []
    assert len(msgs["record_mesgs"]) == activity.n_samples


def test_chain_two_separate_files() -> None:
    a, b = make_activity(200), make_activity(100, seed=1)
    data = chain_fit_files(
        encode_activity_fit(a), encode_activity_fit(b, compressed_timestamps=True)
    )
    frames = decode(data)
    assert sum(isinstance(f, fitdecode.FitHeader) for f in frames) == 2
    assert len(messages(frames, "record")) == 300
    assert len(messages(frames, "session")) == 2


# --- developer fields --------------------------------------------------------------------------
def test_named_developer_fields_stryd_and_runscribe(activity: Activity) -> None:
    frames = decode(encode_activity_fit(activity))
    descs = {m.get_value("field_name"): m for m in messages(frames, "field_description")}
    assert {
        "Form Power",
        "Leg Spring Stiffness",
        "Air Power",
        "GCT_L",
        "GCT_R",
        "IG_L",
        "IG_R",
    } <= set(descs)
    assert descs["Leg Spring Stiffness"].get_value("units") == "kN/m"
    assert descs["GCT_L"].get_value("units") == "ms"
    assert descs["GCT_L"].get_value("field_definition_number") == 5
    assert descs["GCT_R"].get_value("field_definition_number") == 11
    ids = {
        bytes(m.get_value("application_id")): m.get_value("developer_data_index")
        for m in messages(frames, "developer_data_id")
    }
    assert set(ids) == {STRYD_APP_ID, RUNSCRIBE_APP_ID}
    cols = record_columns(frames)
    rs = activity.channel(consts.M_CONTACT_TIME, consts.SRC_RUNSCRIBE)
    np.testing.assert_allclose(cols["GCT_L"], rs.left * 1000, atol=0.5)
    np.testing.assert_allclose(cols["GCT_R"], rs.right * 1000, atol=0.5)
    ig = activity.channel(consts.M_IMPACT_G, consts.SRC_RUNSCRIBE)
    np.testing.assert_allclose(cols["IG_L"], ig.left, rtol=1e-6)


def test_runscribe_name_format(activity: Activity) -> None:
    frames = decode(encode_activity_fit(activity, runscribe_name_format="RS_{code}_{side}"))
    names = {m.get_value("field_name") for m in messages(frames, "field_description")}
    assert {"RS_GCT_L", "RS_GCT_R", "RS_IG_L", "RS_IG_R"} <= names


def test_unnamed_developer_fields(activity: Activity) -> None:
    data = encode_activity_fit(activity, runscribe_named=False)
    frames = decode(data, error_handling=ErrorHandling.IGNORE)
    names = {m.get_value("field_name") for m in messages(frames, "field_description")}
    assert "GCT_L" not in names
    assert "Form Power" in names
    assert RUNSCRIBE_APP_ID in {
        bytes(m.get_value("application_id")) for m in messages(frames, "developer_data_id")
    }
    rec_def = next(
        f for f in frames if isinstance(f, fitdecode.FitDefinitionMessage) and f.name == "record"
    )
    rs_index = next(
        m.get_value("developer_data_index")
        for m in messages(frames, "developer_data_id")
        if bytes(m.get_value("application_id")) == RUNSCRIBE_APP_ID
    )
    rs_defs = {d.def_num: d.size for d in rec_def.dev_field_defs if d.dev_data_index == rs_index}
    assert rs_defs == {5: 2, 11: 2, 1: 4, 7: 4}
    # the value is there, typed only by its size: decode the raw bytes of field 5 (GCT_L)
    first = messages(frames, "record")[0]
    raw = next(
        fd.raw_value
        for fd in first.fields
        if fd.field_def is not None
        and fd.field_def.is_dev
        and fd.field_def.dev_data_index == rs_index
        and fd.field_def.def_num == 5
    )
    value = struct.unpack("<h", bytes(raw))[0]
    assert value == round(activity.sided[1].left[0] * 1000)
    # the garmin SDK also accepts the file
    integrity, errors, _ = garmin_ok(data)
    assert integrity
    assert errors == []


def test_custom_developer_fields_with_scale_and_native_field() -> None:
    n = 50
    act = Activity({consts.TIME_S: np.arange(float(n))}, meta=ActivityMeta(start_time=START))
    values = np.linspace(0.0, 4.9, n)
    values[3] = np.nan
    app = bytes(range(16))
    specs = [
        DevFieldSpec("Scaled", app, 3, "uint16", "mm", scale=10, values=values),
        DevFieldSpec(
            "Native Power", app, 0, "uint16", "Watts", values=np.full(n, 250.0), native_field_num=7
        ),
        DevFieldSpec(None, bytes(range(1, 17)), 9, "sint32", values=np.arange(n) - 25.0),
    ]
    frames = decode(
        encode_activity_fit(act, developer_fields=specs), error_handling=ErrorHandling.IGNORE
    )
    descs = {m.get_value("field_name"): m for m in messages(frames, "field_description")}
    assert descs["Scaled"].get_value("scale") == 10
    assert descs["Native Power"].get_value("native_field_num") == 7
    assert len(messages(frames, "developer_data_id")) == 2
    cols = record_columns(frames)
    # fitdecode ignores developer scales: the raw value is value × scale
    np.testing.assert_allclose(cols["Scaled"], values * 10, atol=0.5, equal_nan=True)
    np.testing.assert_allclose(cols["Native Power"], 250.0)


def test_developer_field_validation() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        DevFieldSpec("x", b"short", 0, "uint8")
    with pytest.raises(ValueError, match="base type"):
        DevFieldSpec("x", bytes(16), 0, "string")
    with pytest.raises(ValueError, match="scale"):
        DevFieldSpec("x", bytes(16), 0, "uint8", scale=0.5)
    act = Activity({consts.TIME_S: np.arange(5.0)})
    with pytest.raises(ValueError, match="needs 5 values"):
        encode_activity_fit(
            act, developer_fields=[DevFieldSpec("x", bytes(16), 0, "uint8", values=np.zeros(3))]
        )
    with pytest.raises(ValueError, match="unknown FIT record field"):
        encode_activity_fit(act, record_overrides={"nonsense": np.zeros(5)})


def test_record_overrides_write_garmin_zeros(activity: Activity) -> None:
    bal = activity.sided[0].balance_left_pct.copy()
    bal[100:110] = 0.0
    cols = record_columns(
        decode(encode_activity_fit(activity, record_overrides={"stance_time_balance": bal}))
    )
    assert (cols["stance_time_balance"][100:110] == 0.0).all()


def test_legacy_speed_and_altitude_fields(activity: Activity) -> None:
    cols = record_columns(decode(encode_activity_fit(activity, speed_altitude_fields="both")))
    # fitdecode expands legacy speed/altitude into enhanced_* as well; both must agree
    np.testing.assert_allclose(cols["speed"], activity.samples[consts.SPEED_M_S], atol=5e-4)
    np.testing.assert_allclose(cols["altitude"], activity.samples[consts.ALTITUDE_M], atol=0.1)


# --- misc ---------------------------------------------------------------------------------------
def test_device_info_for_sensors(activity: Activity) -> None:
    extra = DeviceSpec(manufacturer=1, product=2697, device_index=7, device_type=120)
    frames = decode(encode_activity_fit(activity, extra_devices=[extra]))
    infos = {m.get_value("device_index"): m for m in messages(frames, "device_info")}
    assert infos["creator"].get_value("manufacturer") == "garmin"  # device_index 0
    assert infos[1].get_value("product_name") == "HRM-Pro"  # running dynamics source
    assert infos[2].get_value("manufacturer") == "stryd"
    assert infos[3].get_value("manufacturer") == "scribe_labs"
    assert infos[7].get_value("device_type") == "heart_rate"
    no_sensors = decode(encode_activity_fit(activity, sensors=False))
    assert len(messages(no_sensors, "device_info")) == 1
    assert "Form Power" not in record_columns(no_sensors)


def test_write_to_path_and_file_object(tmp_path, activity: Activity) -> None:
    p = tmp_path / "a.fit"
    write_activity_fit(activity, p)
    buf = io.BytesIO()
    write_activity_fit(activity, buf)
    assert p.read_bytes() == buf.getvalue() == encode_activity_fit(activity)


def test_timestamps_without_timestamp_column_use_meta_start() -> None:
    act = Activity({consts.TIME_S: np.arange(4.0)}, meta=ActivityMeta(start_time=START))
    cols = record_columns(decode(encode_activity_fit(act)))
    np.testing.assert_array_equal(cols["timestamp"], START.timestamp() + np.arange(4.0))
