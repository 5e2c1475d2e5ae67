# SPDX-License-Identifier: MIT
"""FIT → Activity: real recordings from ../shared/data and small hand-built files."""

from __future__ import annotations

import struct
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from _fit_bytes import (
    ENUM,
    FIT_EPOCH_S,
    FLOAT32,
    REC,
    SESSION,
    UINT8,
    UINT16,
    UINT32,
    data,
    definition,
    developer_prelude,
    fit_file,
)

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
    UnsupportedActivityError,
)
from evenstride.io import read_activity, read_bytes
from evenstride.io._fit_decode import decode_fit
from evenstride.io._fit_reader import read_fit

SPORT = 12


def _read(path: Path) -> Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return read_activity(path)


def _file(shared_data: Path, rel: str) -> Path:
    path = shared_data / rel
    if not path.exists():
        pytest.skip(f"{rel} missing from shared data")
    return path


def _bytes(body: bytes) -> bytes:
    return fit_file(body)


# ------------------------------------------------------------------------------ real files
@pytest.mark.shared_data
def test_fenix5_run_balance_and_units(shared_data: Path) -> None:
    path = _file(shared_data, "python-fitparse/garmin-fenix-5-run.fit")
    act = _read(path)
    assert act.meta.file_format == "fit"
    assert act.meta.sport == "running"
    assert act.meta.path == str(path)
    assert act.n_samples == 21
    assert act.warnings == []
    ch = act.channel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS)
    assert ch is not None
    assert ch.derived_from_balance
    assert ch.unit == "s"
    assert ch.balance_left_pct is not None
    assert ch.left is not None
    assert ch.right is not None
    # the per-record mean balance is close to the session's avg_stance_time_balance (52.39 %)
    assert abs(np.nanmean(ch.balance_left_pct) - 52.39) < 0.5
    gct = act.samples[consts.CONTACT_TIME_S]
    np.testing.assert_allclose(ch.left, 2 * gct * ch.balance_left_pct / 100)
    np.testing.assert_allclose(ch.right, 2 * gct * (1 - ch.balance_left_pct / 100))
    np.testing.assert_allclose((ch.left + ch.right) / 2, gct)
    assert 0.15 < np.nanmedian(gct) < 0.4  # seconds
    # units: mm → m, strides → steps, semicircles → degrees
    fd = decode_fit(path.read_bytes())
    rec = fd.messages["record"]
    np.testing.assert_allclose(
        act.samples[consts.VERTICAL_OSCILLATION_M], rec["vertical_oscillation"] / 1000
    )
    np.testing.assert_allclose(act.samples[consts.STEP_LENGTH_M], rec["step_length"] / 1000)
    np.testing.assert_allclose(
        act.samples[consts.CADENCE_SPM], 2 * (rec["cadence"] + rec["fractional_cadence"])
    )
    np.testing.assert_allclose(act.samples[consts.LAT_DEG], rec["position_lat"] * 180 / 2**31)
    np.testing.assert_allclose(act.samples[consts.CONTACT_TIME_PCT], rec["stance_time_percent"])
    assert not np.allclose(act.samples[consts.CONTACT_TIME_PCT], ch.balance_left_pct)
    assert act.samples[consts.TIME_S][0] == 0.0
    assert np.all(np.diff(act.samples[consts.TIME_S]) > 0)
    assert act.meta.start_time == datetime.fromtimestamp(rec["timestamp"][0], tz=UTC)
    assert "garmin fenix5" in act.meta.devices
    assert [(s.sport, s.analysed) for s in act.meta.segments] == [("running", True)]
    assert act.meta.indoor is False


@pytest.mark.shared_data
def test_garmin920_zero_balance_at_stops_is_missing(shared_data: Path) -> None:
    path = _file(shared_data, "goldencheetah/Garmin920_withFirstbeat.fit")
    act = _read(path)
    raw = decode_fit(path.read_bytes()).messages["record"]["stance_time_balance"]
    assert (raw == 0).sum() == 32  # stored as valid 0.00 % while standing
    # with the zeros, the mean is the 47.3 of the manifest; without them it matches the
    # session's avg_stance_time_balance (47.99)
    assert abs(np.nanmean(raw) - 47.3) < 0.1
    ch = act.channel(consts.M_CONTACT_TIME)
    assert ch is not None
    assert ch.balance_left_pct is not None
    b = ch.balance_left_pct
    assert not (b == 0).any()
    assert np.isnan(b).sum() >= 32
    assert abs(np.nanmean(b) - 47.99) < 0.1
    assert np.nanmin(b) >= 10
    assert np.nanmax(b) <= 90
    # no zero contact time / oscillation / step length survives as a value
    for col in (consts.CONTACT_TIME_S, consts.VERTICAL_OSCILLATION_M, consts.STEP_LENGTH_M):
        assert not (act.samples[col] == 0).any(), col
    # cadence 0 is a real "no steps" value and stays
    assert (act.samples[consts.CADENCE_SPM] == 0).any()
    # Stryd developer fields; native running dynamics win over Stryd's copies
    assert act.has(consts.FORM_POWER_W)
    assert act.has(consts.LEG_SPRING_STIFFNESS_KN_M)
    assert act.has(consts.POWER_W)
    vo = act.samples[consts.VERTICAL_OSCILLATION_M]
    assert 0.04 < np.nanmedian(vo) < 0.15
    apps = act.meta.extra["developer_apps"]
    assert apps
    assert "Leg Spring Stiffness" in apps[0]["fields"]


@pytest.mark.shared_data
@pytest.mark.slow
def test_multisport_only_the_run_leg(shared_data: Path) -> None:
    path = _file(shared_data, "goldencheetah/MultiSport-2019-11-24.fit")
    with pytest.warns(EvenstrideWarning, match="multisport file"):
        act = read_activity(path)
    note = next(w for w in act.warnings if w.startswith("multisport"))
    assert "1 running session of 5" in note
    assert "swimming" in note
    assert "cycling" in note
    segs = act.meta.segments
    assert [s.sport for s in segs] == ["swimming", "transition", "cycling", "transition", "running"]
    assert [s.analysed for s in segs] == [False, False, False, False, True]
    run = segs[-1]
    t = act.samples[consts.TIME_S]
    # records after the leg's elapsed time (device still recording) stay with the last leg
    assert t[0] >= run.start_s
    assert t[-1] <= run.end_s + 60
    assert run.start_s > 8 * 3600  # the run starts ~8.6 h into the race
    assert 19000 < act.n_samples < 20000
    ch = act.channel(consts.M_CONTACT_TIME)
    assert ch is not None
    assert abs(np.nanmean(ch.balance_left_pct) - 49.99) < 0.3
    assert act.has(consts.LEG_SPRING_STIFFNESS_KN_M)


@pytest.mark.shared_data
def test_chained_triathlon_run_leg(shared_data: Path) -> None:
    act = _read(_file(shared_data, "python-fitparse/sample_mulitple_header.fit"))
    assert act.meta.extra["fit_files"] == 4
    assert [s.analysed for s in act.meta.segments] == [False, False, False, False, True]
    ch = act.channel(consts.M_CONTACT_TIME)
    assert ch is not None
    assert abs(np.nanmean(ch.balance_left_pct) - 51.66) < 0.3


@pytest.mark.shared_data
def test_walk_is_refused(shared_data: Path) -> None:
    with pytest.raises(UnsupportedActivityError, match="walking"):
        read_activity(_file(shared_data, "python-fitparse/garmin-fenix-5-walk.fit"))


@pytest.mark.shared_data
def test_coros_balance(shared_data: Path) -> None:
    act = _read(_file(shared_data, "sports-lib/run_6916663933_coros.fit"))
    ch = act.channel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS)
    assert ch is not None
    assert ch.derived_from_balance
    assert abs(np.nanmean(ch.balance_left_pct) - 49.3) < 0.3
    assert any(d.startswith("coros") for d in act.meta.devices)
    assert act.has(consts.POWER_W)
    assert act.has(consts.VERTICAL_RATIO_PCT)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("rel", "air"),
    [
        ("python-fitparse/developer-types-sample.fit", False),
        ("goldencheetah/3386684871.fit", False),
        ("goldencheetah/14211916346_ACTIVITY.fit", True),
        ("roznet-fitfileparser/running_fenix5xplus_stryd.fit", False),
    ],
)
def test_stryd_files(shared_data: Path, rel: str, air: bool) -> None:
    act = _read(_file(shared_data, rel))
    lss = act.samples[consts.LEG_SPRING_STIFFNESS_KN_M]
    assert 5 < np.nanmedian(lss) < 20  # kN/m
    assert 40 < np.nanmedian(act.samples[consts.FORM_POWER_W]) < 200
    assert 150 < np.nanmedian(act.samples[consts.POWER_W]) < 450
    assert act.has(consts.AIR_POWER_W) is air
    gct = act.samples[consts.CONTACT_TIME_S]
    vo = act.samples[consts.VERTICAL_OSCILLATION_M]
    assert 0.15 < np.nanmedian(gct) < 0.4
    assert 0.04 < np.nanmedian(vo) < 0.15
    assert act.channel(consts.M_CONTACT_TIME) is None  # Stryd has no left/right


@pytest.mark.shared_data
def test_stryd_ciq_float_fields_fill_missing_native(shared_data: Path) -> None:
    """vivoactive HR + Stryd CIQ: no native power/GCT/VO; Ground Time (ms) and Vertical
    Oscillation (cm, float32) come from developer fields."""
    path = _file(shared_data, "goldencheetah/3386684871.fit")
    fd = decode_fit(path.read_bytes())
    rec = fd.messages["record"]
    assert "stance_time" not in rec
    assert "vertical_oscillation" not in rec
    act = _read(path)
    vo_dev = next(k for k, v in fd.dev_fields.items() if v.name == "Vertical Oscillation")
    np.testing.assert_allclose(
        np.nanmedian(act.samples[consts.VERTICAL_OSCILLATION_M]),
        np.nanmedian(np.where(rec[vo_dev] == 0, np.nan, rec[vo_dev])) / 100,
    )


@pytest.mark.shared_data
def test_treadmill_is_indoor(shared_data: Path) -> None:
    act = _read(_file(shared_data, "sports-lib/run_6860622783_fr945_treadmill.fit"))
    assert act.meta.sub_sport == "treadmill"
    assert act.meta.indoor
    assert not act.has(consts.LAT_DEG)


@pytest.mark.shared_data
def test_truncated_file_warns_and_keeps_the_part(shared_data: Path) -> None:
    blob = _file(shared_data, "goldencheetah/Garmin920_withFirstbeat.fit").read_bytes()
    cut = blob[: int(len(blob) * 0.6)]
    with pytest.warns(EvenstrideWarning, match=r"file is truncated: analysed the first \d+:\d\d"):
        act = read_bytes(cut, path="cut.fit")
    assert act.warnings[0].startswith("file is truncated: analysed the first ")
    assert 1000 < act.n_samples < 2125
    # no session message survived the cut: the sport message says running
    assert act.meta.segments == []


@pytest.mark.shared_data
def test_crc_mismatch_warns(shared_data: Path) -> None:
    blob = bytearray(_file(shared_data, "python-fitparse/garmin-fenix-5-run.fit").read_bytes())
    blob[-1] ^= 0xFF
    with pytest.warns(EvenstrideWarning, match="CRC mismatch"):
        act = read_bytes(bytes(blob), path="bad.fit")
    assert any("CRC mismatch" in w for w in act.warnings)


def test_parse_error_names_the_file() -> None:
    with pytest.raises(ParseError, match=r"^x\.fit: not a FIT file"):
        read_fit(b"0123456789abcdef", path="x.fit")


# ------------------------------------------------------------------------------ hand-built files
def _records(n: int, *, local: int = 1, t0: int = 1_000_000_000, hr: int = 140) -> bytes:
    body = definition(local, REC, [(253, 4, UINT32), (3, 1, UINT8), (4, 1, UINT8)])
    for i in range(n):
        body += data(local, struct.pack("<IBB", t0 + i, hr, 85))
    return body


def _session(sport: int, sub_sport: int, start: int, elapsed_s: float, *, local: int = 2) -> bytes:
    body = definition(
        local,
        SESSION,
        [(253, 4, UINT32), (2, 4, UINT32), (7, 4, UINT32), (5, 1, ENUM), (6, 1, ENUM)],
    )
    return body + data(
        local,
        struct.pack(
            "<IIIBB", start + int(elapsed_s), start, int(elapsed_s * 1000), sport, sub_sport
        ),
    )


def test_cycling_is_refused() -> None:
    blob = _bytes(_records(10) + _session(2, 0, 1_000_000_000, 10))
    with pytest.raises(UnsupportedActivityError, match="cycling activity: no running session"):
        read_fit(blob, path="ride.fit")


def test_no_session_sport_message() -> None:
    sport = definition(3, SPORT, [(0, 1, ENUM), (1, 1, ENUM)]) + data(3, bytes([2, 0]))
    with pytest.raises(UnsupportedActivityError, match="cycling"):
        read_fit(_bytes(sport + _records(10)), path="x.fit")
    sport_run = definition(3, SPORT, [(0, 1, ENUM), (1, 1, ENUM)]) + data(3, bytes([1, 0]))
    act = read_fit(_bytes(sport_run + _records(10)), path="x.fit")
    assert act.n_samples == 10


def test_no_session_no_sport_uses_cadence() -> None:
    act = read_fit(_bytes(_records(30)), path="x.fit")  # 85 strides/min: running
    assert act.n_samples == 30
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], 170.0)
    walk = definition(1, REC, [(253, 4, UINT32), (4, 1, UINT8)])
    walk += b"".join(data(1, struct.pack("<IB", 1_000_000_000 + i, 55)) for i in range(30))
    with pytest.raises(UnsupportedActivityError):
        read_fit(_bytes(walk), path="x.fit")


def test_no_records() -> None:
    with pytest.raises(NotEnoughDataError, match="no record"):
        read_fit(_bytes(_session(1, 0, 1_000_000_000, 10)), path="x.fit")


def test_records_assigned_to_sessions_by_time() -> None:
    t0 = 1_000_000_000
    body = _records(10, t0=t0, hr=100)  # cycling
    body += _records(5, t0=t0 + 10, hr=110)  # transition
    body += _records(20, t0=t0 + 15, hr=150)  # running
    body += _session(2, 0, t0, 9.5) + _session(3, 0, t0 + 10, 4.5) + _session(1, 3, t0 + 15, 19)
    with pytest.warns(EvenstrideWarning, match="analysed 1 running session of 3"):
        act = read_fit(_bytes(body), path="x.fit")
    assert act.n_samples == 20
    assert (act.samples[consts.HEART_RATE_BPM] == 150).all()
    assert act.samples[consts.TIME_S][0] == 15.0
    assert act.meta.sub_sport == "trail"
    assert [(s.start_s, s.end_s) for s in act.meta.segments] == [
        (0.0, 9.5),
        (10.0, 14.5),
        (15.0, 34.0),
    ]


def test_duplicate_timestamps_keep_the_last_and_sort() -> None:
    body = definition(1, REC, [(253, 4, UINT32), (3, 1, UINT8), (4, 1, UINT8)])
    for t, hr in [(5, 100), (3, 101), (5, 102), (4, 103), (6, 104)]:
        body += data(1, struct.pack("<IBB", 1_000_000_000 + t, hr, 85))
    with pytest.warns(EvenstrideWarning, match="duplicate timestamp"):
        act = read_fit(_bytes(body), path="x.fit")
    assert act.samples[consts.TIME_S].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert act.samples[consts.HEART_RATE_BPM].tolist() == [101.0, 103.0, 102.0, 104.0]
    assert act.samples[consts.TIMESTAMP_S][0] == 1_000_000_003 + FIT_EPOCH_S


def test_stryd_units_and_native_precedence() -> None:
    app = bytes.fromhex("18fb2cf01a4b430dad66988c847421f4")
    body = developer_prelude(
        app,
        [
            (0, UINT16, "Power", "Watts"),
            (3, UINT16, "Ground Time", "Milliseconds"),
            (4, FLOAT32, "Vertical Oscillation", "mm"),
            (9, FLOAT32, "Leg  Spring Stiffness", "kN/m"),
            (11, UINT16, "air_power", "Watts"),
        ],
    )
    body += definition(
        1,
        REC,
        [(253, 4, UINT32), (4, 1, UINT8), (7, 2, UINT16)],
        dev=[(0, 2, 0), (3, 2, 0), (4, 4, 0), (9, 4, 0), (11, 2, 0)],
    )
    for i in range(10):
        body += data(
            1,
            struct.pack(
                "<IBHHHffH",
                1_000_000_000 + i,
                85,
                0xFFFF if i < 5 else 300,
                250,
                240,
                95.0,
                9.5,
                20,
            ),
        )
    act = read_fit(_bytes(body), path="x.fit")
    np.testing.assert_allclose(act.samples[consts.CONTACT_TIME_S], 0.24)
    np.testing.assert_allclose(act.samples[consts.VERTICAL_OSCILLATION_M], 0.095)
    np.testing.assert_allclose(act.samples[consts.LEG_SPRING_STIFFNESS_KN_M], 9.5)
    np.testing.assert_allclose(act.samples[consts.AIR_POWER_W], 20)
    # native power exists (for part of the run): it wins, missing native values stay missing
    p = act.samples[consts.POWER_W]
    assert np.isnan(p[:5]).all()
    assert (p[5:] == 300).all()
    assert act.meta.extra["developer_apps"][0]["name"] == "Stryd"


def test_runscribe_named_fields() -> None:
    app = bytes(range(16))  # not a known RunScribe id: only the explicit RS_ names count
    names = [
        (0, FLOAT32, "RS_Impact_GS_L", "G"), (1, FLOAT32, "RS_Impact_GS_R", "G"),
        (2, FLOAT32, "RS_Braking_GS_L", "G"), (3, FLOAT32, "RS_Braking_GS_R", "G"),
        (4, UINT16, "RS_ContactTime_L", "ms"), (5, UINT16, "RS_ContactTime_R", "ms"),
        (6, FLOAT32, "RS_Pronation_L", "deg"), (7, FLOAT32, "RS_Pronation_R", "deg"),
        (8, UINT8, "RS_FootStrike_L", None), (9, UINT8, "RS_FootStrike_R", None),
        (10, UINT16, "RS_Power_AVG", "W"), (11, FLOAT32, "P_L", "D"),
    ]  # fmt: skip
    body = developer_prelude(app, names)
    dev = [(n, {FLOAT32: 4, UINT16: 2, UINT8: 1}[b], 0) for n, b, _, _ in names]
    body += definition(1, REC, [(253, 4, UINT32), (4, 1, UINT8)], dev=dev)
    for i in range(6):
        gct_l = 0 if i == 0 else 250  # 0 = no data from the pod
        body += data(
            1,
            struct.pack("<IB", 1_000_000_000 + i, 85)
            + struct.pack(
                "<ffffHHffBBHf", 8.0, 10.0, 3.0, 2.5, gct_l, 260, -8.0, -12.0, 5, 9, 280, 1.0
            ),
        )
    act = read_fit(_bytes(body), path="x.fit")
    chans = {ch.metric: ch for ch in act.sided if ch.source == consts.SRC_RUNSCRIBE}
    assert set(chans) == {
        consts.M_IMPACT_G,
        consts.M_BRAKING_G,
        consts.M_CONTACT_TIME,
        consts.M_PRONATION_DEG,
        consts.M_FOOTSTRIKE,
    }
    assert chans[consts.M_IMPACT_G].left.tolist() == [8.0] * 6
    assert chans[consts.M_IMPACT_G].right.tolist() == [10.0] * 6
    assert chans[consts.M_BRAKING_G].left.tolist() == [3.0] * 6
    gct = chans[consts.M_CONTACT_TIME]
    assert np.isnan(gct.left[0])
    assert gct.left[1] == 0.25
    assert gct.right[0] == 0.26
    assert chans[consts.M_PRONATION_DEG].right[0] == -12.0
    assert chans[consts.M_FOOTSTRIKE].left[0] == 5.0
    np.testing.assert_allclose(act.samples[consts.POWER_W], 280)
    assert "RS_Impact_GS_L" in chans[consts.M_IMPACT_G].origin


def test_runscribe_light_unnamed_fields_by_app_id() -> None:
    app = bytes.fromhex("502092b3b0dd45ad89b3472ab2060ab6")
    fields = [(n, FLOAT32, None, None) for n in (0, 1, 2, 3, 5, 6, 7, 8, 9, 11, 12)]
    body = developer_prelude(app, fields)
    body += definition(
        1, REC, [(253, 4, UINT32), (4, 1, UINT8)], dev=[(n, 4, 0) for n, *_ in fields]
    )
    # braking g in field 0 / 6, impact g in 1 / 7 (the app's own source, _fit_fields.py)
    values = [4.0, 9.0, 6.0, -10.0, 240.0, 5.0, 11.0, 8.0, -14.0, 250.0, 300.0]
    for i in range(4):
        body += data(1, struct.pack("<IB", 1_000_000_000 + i, 85) + struct.pack("<11f", *values))
    act = read_fit(_bytes(body), path="x.fit")
    ch = {c.metric: c for c in act.sided if c.source == consts.SRC_RUNSCRIBE}
    assert ch[consts.M_IMPACT_G].left[0] == 9.0
    assert ch[consts.M_IMPACT_G].right[0] == 11.0
    assert ch[consts.M_BRAKING_G].left[0] == 4.0
    assert ch[consts.M_BRAKING_G].right[0] == 5.0
    assert ch[consts.M_FOOTSTRIKE].left[0] == 6.0
    assert ch[consts.M_FOOTSTRIKE].right[0] == 8.0
    assert ch[consts.M_PRONATION_DEG].left[0] == -10.0
    assert ch[consts.M_PRONATION_DEG].right[0] == -14.0
    assert ch[consts.M_CONTACT_TIME].left[0] == 0.24
    assert ch[consts.M_CONTACT_TIME].right[0] == 0.25
    np.testing.assert_allclose(act.samples[consts.POWER_W], 300.0)
    app_info = act.meta.extra["developer_apps"][0]
    assert app_info["name"] == "RunScribe Light"
    assert app_info["application_id"] == app.hex()


def test_unnamed_fields_of_other_apps_are_ignored() -> None:
    fields = [(0, FLOAT32, None, None), (1, FLOAT32, None, None)]
    body = developer_prelude(bytes(range(16)), fields)
    body += definition(1, REC, [(253, 4, UINT32), (4, 1, UINT8)], dev=[(0, 4, 0), (1, 4, 0)])
    body += data(1, struct.pack("<IBff", 1_000_000_000, 85, 1.0, 2.0))
    act = read_fit(_bytes(body), path="x.fit")
    assert act.sided == []
    assert not act.has(consts.POWER_W)
