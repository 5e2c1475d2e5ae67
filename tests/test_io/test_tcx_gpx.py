# SPDX-License-Identifier: MIT
"""TCX and GPX readers: the real files in ../shared/data and synthetic edge cases."""

from __future__ import annotations

import gzip
import os
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
    UnsupportedActivityError,
)
from evenstride.io import read_activity, read_bytes
from evenstride.io._gpx import read_gpx
from evenstride.io._tcx import read_tcx
from evenstride.io._xml_track import haversine_m

# --- the shared real files ---------------------------------------------------------------------


def _shared_data_dir() -> Path | None:
    """``../shared/data`` next to the repository, or ``$EVENSTRIDE_SHARED_DATA``; None if absent."""
    env = os.environ.get("EVENSTRIDE_SHARED_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return root if root.is_dir() else None


@pytest.fixture
def data_dir() -> Path:
    root = _shared_data_dir()
    if root is None:
        pytest.skip("shared data folder not found (set EVENSTRIDE_SHARED_DATA)")
    return root


def _shared_files() -> list[str]:
    root = _shared_data_dir()
    if root is None:
        return []
    return sorted(
        str(p.relative_to(root)) for ext in ("tcx", "gpx") for p in root.glob(f"*/*.{ext}")
    )


#: From MANIFEST.md: duration (first → last trackpoint), trackpoints with a position, and the
#: GPS length of the track ("GPS … m", a haversine sum over the positions).
MANIFEST = {
    "goldencheetah/10kUNLP2014-Garmin15.tcx": ("0:37:04", 686, 10012),
    "sports-lib/run_6782987395.tcx": ("1:23:09", 4968, 14153),
    "sports-lib/run_6782987395.gpx": ("1:23:09", 4967, 14153),
    "runpandas/2020-12-04T19_09_21-300_Running.tcx": ("1:13:02", 1281, 10444),
    "runpandas/2020-12-20T05_50_47-300_Running.tcx": ("1:58:00", 2227, 16473),
    "runpandas/run.gpx": ("0:23:43", 1424, 4807),
    "runpandas/11km.tcx": ("1:16:06", 1583, 11274),
}
#: The watch's own distance: <DistanceMeters> of the last trackpoint, metres (the laps'
#: <DistanceMeters> can add a few metres recorded after it).
TCX_LAST_DISTANCE_M = {
    "goldencheetah/10kUNLP2014-Garmin15.tcx": 10010.82,
    "sports-lib/run_6782987395.tcx": 14004.85,
    "runpandas/2020-12-04T19_09_21-300_Running.tcx": 9625.37,
    "runpandas/2020-12-20T05_50_47-300_Running.tcx": 16095.36,
    "runpandas/11km.tcx": 11035.92,
}
SAME_RUN_TCX = "sports-lib/run_6782987395.tcx"
SAME_RUN_GPX = "sports-lib/run_6782987395.gpx"
BIG_TCX = SAME_RUN_TCX  # 3.5 MB


def _seconds(hms: str) -> int:
    h, m, s = (int(x) for x in hms.split(":"))
    return 3600 * h + 60 * m + s


def _gps_length_m(act: Activity) -> float:
    lat, lon = act.column(consts.LAT_DEG), act.column(consts.LON_DEG)
    ok = np.isfinite(lat) & np.isfinite(lon)
    lat, lon = lat[ok], lon[ok]
    return float(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum())


def _read_quiet(path: Path) -> Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvenstrideWarning)
        return read_activity(path)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", _shared_files() or ["<no shared data>"])
def test_every_shared_file_reads(data_dir: Path, name: str) -> None:
    act = _read_quiet(data_dir / name)  # clean files: no warnings at all
    fmt = name.rsplit(".", 1)[1]
    assert act.meta.file_format == fmt
    assert act.meta.sport == "running"
    assert act.meta.start_time is not None
    assert act.meta.start_time.utcoffset().total_seconds() == 0
    assert set(act.samples) <= set(consts.SAMPLE_COLUMN_UNITS)
    t = act.samples[consts.TIME_S]
    assert t[0] == 0
    assert np.all(np.diff(t) > 0)
    assert act.samples[consts.TIMESTAMP_S][0] == act.meta.start_time.timestamp()
    assert np.all(np.diff(act.samples[consts.DISTANCE_M]) >= 0)
    assert np.nanmax(act.samples[consts.SPEED_M_S]) < 10  # a runner, smoothed
    assert [s.analysed for s in act.meta.segments] == [True]
    assert act.meta.indoor is False
    assert not act.sided
    if name in MANIFEST:
        duration, n_positions, gps_m = MANIFEST[name]
        assert act.duration_s == _seconds(duration)
        # a trackpoint repeated at a lap boundary (same time) is merged into one sample
        n_with_position = int(np.isfinite(act.column(consts.LAT_DEG)).sum())
        assert n_positions - 1 <= n_with_position <= n_positions
        assert _gps_length_m(act) == pytest.approx(gps_m, abs=1.0)
    if fmt == "gpx":  # no device distance: the distance is the track's length
        assert act.distance_m == pytest.approx(_gps_length_m(act), rel=1e-9)
    if name in TCX_LAST_DISTANCE_M:  # the watch's distance is kept as written
        assert act.samples[consts.DISTANCE_M][-1] == pytest.approx(
            TCX_LAST_DISTANCE_M[name], abs=0.5
        )


@pytest.mark.shared_data
def test_same_run_sports_lib_distance_and_laps(data_dir: Path) -> None:
    act = _read_quiet(data_dir / SAME_RUN_TCX)
    assert act.duration_s == _seconds("1:23:09")
    assert act.distance_m == pytest.approx(14150, rel=0.015)  # ~14.15 km (GPS 14153, watch 14004)
    assert act.meta.devices == ["Forerunner 945"]
    laps = act.meta.extra["laps"]
    assert len(laps) == 2
    assert laps[0]["start_s"] == 0
    assert laps[0]["end_s"] == laps[1]["start_s"] == pytest.approx(3448, abs=1)
    assert laps[1]["end_s"] == act.duration_s
    # the smoothed speed integrates back to the distance it was derived from
    v, t = act.samples[consts.SPEED_M_S], act.samples[consts.TIME_S]
    assert float(np.sum(v[1:] * np.diff(t))) == pytest.approx(act.distance_m, rel=0.01)


@pytest.mark.shared_data
def test_park_loops_device_distance_vs_gps(data_dir: Path) -> None:
    """MANIFEST's 10.4 km is the GPS length; the watch itself measured 9.63 km (10 auto-laps)."""
    act = _read_quiet(data_dir / "runpandas/2020-12-04T19_09_21-300_Running.tcx")
    assert _gps_length_m(act) == pytest.approx(10444, abs=1)
    assert act.distance_m == pytest.approx(9625.4, abs=0.5)
    assert len(act.meta.extra["laps"]) == 10
    assert all(
        lap["distance_m"] == pytest.approx(1000, abs=5) for lap in act.meta.extra["laps"][:9]
    )


@pytest.mark.shared_data
def test_same_run_tcx_and_gpx_agree(data_dir: Path) -> None:
    tcx = _read_quiet(data_dir / SAME_RUN_TCX)
    gpx = _read_quiet(data_dir / SAME_RUN_GPX)
    assert tcx.meta.start_time == gpx.meta.start_time
    common, i_t, i_g = np.intersect1d(
        tcx.samples[consts.TIMESTAMP_S], gpx.samples[consts.TIMESTAMP_S], return_indices=True
    )
    assert len(common) >= 4960
    for col in (consts.CADENCE_SPM, consts.HEART_RATE_BPM, consts.LAT_DEG, consts.ALTITUDE_M):
        np.testing.assert_allclose(tcx.samples[col][i_t], gpx.samples[col][i_g], atol=1e-6)
    cad = tcx.samples[consts.CADENCE_SPM]
    running = tcx.samples[consts.SPEED_M_S] > 2.0
    assert 150 <= np.median(cad[running]) <= 190  # steps/min (the file holds strides/min)
    assert tcx.meta.extra["cadence_unit_in_file"] == "strides/min"
    assert gpx.meta.extra["cadence_unit_in_file"] == "strides/min"
    # speed from the watch's distance vs from the GPS track: same run, same pace
    np.testing.assert_allclose(
        np.median(tcx.samples[consts.SPEED_M_S][i_t]),
        np.median(gpx.samples[consts.SPEED_M_S][i_g]),
        rtol=0.03,
    )
    assert gpx.has(consts.TEMPERATURE_C)
    assert not tcx.has(consts.TEMPERATURE_C)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", [SAME_RUN_TCX, SAME_RUN_GPX])
def test_gzip_reads_identically(data_dir: Path, tmp_path: Path, name: str) -> None:
    src = data_dir / name
    gz = tmp_path / (src.name + ".gz")
    gz.write_bytes(gzip.compress(src.read_bytes()))
    plain, packed = _read_quiet(src), _read_quiet(gz)
    assert sorted(plain.samples) == sorted(packed.samples)
    for col, values in plain.samples.items():
        np.testing.assert_array_equal(values, packed.samples[col])
    assert packed.meta.file_format == plain.meta.file_format
    assert packed.meta.segments == plain.meta.segments


@pytest.mark.shared_data
@pytest.mark.parametrize("name", [SAME_RUN_TCX, SAME_RUN_GPX])
def test_real_file_cut_in_half_is_recovered(data_dir: Path, name: str) -> None:
    data = (data_dir / name).read_bytes()
    cut = data[: len(data) // 2]
    with pytest.warns(EvenstrideWarning, match=r"file is truncated: recovered \d+ trackpoints"):
        act = read_bytes(cut, path=name)
    assert 2000 < act.n_samples < 3000
    assert act.warnings[0].startswith(f"file is truncated: recovered {act.n_samples} trackpoints")
    assert np.isfinite(act.samples[consts.CADENCE_SPM]).all()


# --- synthetic files ---------------------------------------------------------------------------

T0 = 1_714_546_800  # 2024-05-01T07:00:00Z
NS_TCX = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
NS_TPX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "Z"


def _tcx_point(
    t: float | None,
    *,
    dist: float | str | None = None,
    hr: float | None = 150,
    run_cadence: float | None = 85,
    lat: float | None = None,
    extra: str = "",
) -> str:
    parts = ["<Trackpoint>"]
    if t is not None:
        parts.append(f"<Time>{_iso(t)}</Time>")
    if lat is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
            "<LongitudeDegrees>7.0</LongitudeDegrees></Position>"
        )
    if dist is not None:
        parts.append(f"<DistanceMeters>{dist}</DistanceMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if run_cadence is not None:
        parts.append(
            f"<Extensions><ns3:TPX><ns3:RunCadence>{run_cadence}</ns3:RunCadence>"
            "</ns3:TPX></Extensions>"
        )
    parts.append(extra + "</Trackpoint>")
    return "".join(parts)


def _tcx_run(
    n: int = 120,
    *,
    speed: float = 3.0,
    run_cadence: float | None = 85,
    sport: str = "Running",
    lat: bool = True,
) -> list[str]:
    return [
        _tcx_point(
            T0 + i,
            dist=round(speed * i, 3),
            run_cadence=run_cadence,
            lat=45.0 + speed * i / 111_195 if lat else None,
        )
        for i in range(n)
    ]


def _tcx(points: list[str] | list[tuple[str, list[str]]], *, sport: str = "Running") -> bytes:
    """A TCX document; ``points`` is one activity's trackpoints or ``(sport, points)`` pairs."""
    acts = points if points and isinstance(points[0], tuple) else [(sport, points)]
    body = "".join(
        f'<Activity Sport="{s}"><Id>{_iso(T0)}</Id><Lap StartTime="{_iso(T0)}">'
        f"<TotalTimeSeconds>1</TotalTimeSeconds><Track>{''.join(pts)}</Track></Lap>"
        "<Creator><Name>Forerunner 945</Name></Creator></Activity>"
        for s, pts in acts  # type: ignore[misc]
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<TrainingCenterDatabase xmlns="{NS_TCX}" xmlns:ns3="{NS_TPX}">\n'
        f"<Activities>{body}</Activities>\n</TrainingCenterDatabase>\n"
    ).encode()


def _gpx(
    n: int = 120,
    *,
    speed: float = 3.0,
    cad: float | None = 85,
    trk_type: str | None = "running",
    point_extra: str = "",
) -> bytes:
    pts = []
    for i in range(n):
        ext = (
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>{cad}</gpxtpx:cad>"
            "</gpxtpx:TrackPointExtension></extensions>"
            if cad is not None
            else ""
        )
        pts.append(
            f'<trkpt lat="{45.0 + speed * i / 111_195:.8f}" lon="7.0"><ele>200</ele>'
            f"<time>{_iso(T0 + i)}</time>{ext}{point_extra}</trkpt>"
        )
    typ = f"<type>{trk_type}</type>" if trk_type is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Test Watch" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<trk><name>Morning Run</name>{typ}<trkseg>\n"
        + "\n".join(pts)
        + "\n</trkseg></trk></gpx>\n"
    ).encode()


def _read(data: bytes, name: str = "x.tcx") -> tuple[Activity, list[str]]:
    """Read through the public dispatcher and return the EvenstrideWarnings emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        act = read_bytes(data, path=name)
    emitted = [str(w.message) for w in caught if issubclass(w.category, EvenstrideWarning)]
    assert emitted == act.warnings
    return act, emitted


def test_tcx_basic_columns_and_meta() -> None:
    act, emitted = _read(_tcx(_tcx_run()))
    assert emitted == []
    assert act.n_samples == 120
    assert act.meta.file_format == "tcx"
    assert act.meta.start_time is not None
    assert act.meta.start_time.timestamp() == T0
    assert act.meta.devices == ["Forerunner 945"]
    [lap] = act.meta.extra["laps"]
    assert (lap["start_s"], lap["end_s"]) == (0.0, 119.0)
    assert act.distance_m == pytest.approx(3.0 * 119)
    np.testing.assert_allclose(act.samples[consts.SPEED_M_S], 3.0)
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], 170)
    np.testing.assert_allclose(act.samples[consts.HEART_RATE_BPM], 150)
    assert consts.POWER_W not in act.samples


@pytest.mark.parametrize(
    ("raw", "spm", "unit", "warns"),
    [
        (85, 170, "strides/min", False),  # Garmin convention
        (172, 172, "steps/min", False),  # producers writing steps/min
        (95, 190, "strides/min", False),
        (110, 220, "strides/min", True),  # ambiguous zone: said so
        (130, 130, "steps/min", True),
    ],
)
def test_cadence_unit_detection(raw: float, spm: float, unit: str, warns: bool) -> None:
    for data, name in ((_tcx(_tcx_run(run_cadence=raw)), "x.tcx"), (_gpx(cad=raw), "x.gpx")):
        act, emitted = _read(data, name)
        np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], spm)
        assert act.meta.extra["cadence_unit_in_file"] == unit
        assert any("ambiguous" in w for w in emitted) == warns


def test_cadence_unit_ignores_walking_and_standing() -> None:
    # steps/min: 60 s standing (0), 200 s walking at 110, then only 100 s running at 170.
    # Over all non-zero samples the median (110) would pass for strides/min.
    pts = []
    d = 0.0
    for i in range(360):
        v, c = (0.0, 0) if i < 60 else (1.3, 110) if i < 260 else (3.2, 170)
        d += v
        pts.append(_tcx_point(T0 + i, dist=round(d, 2), run_cadence=c))
    act, emitted = _read(_tcx(pts))
    assert act.meta.extra["cadence_unit_in_file"] == "steps/min"
    assert act.samples[consts.CADENCE_SPM][-1] == 170
    assert emitted == []


def test_tcx_plain_cadence_element_is_used_for_running() -> None:
    pts = [_tcx_point(T0 + i, dist=3.0 * i, run_cadence=None, extra="") for i in range(60)]
    pts = [p.replace("</Trackpoint>", "<Cadence>86</Cadence></Trackpoint>") for p in pts]
    act, _ = _read(_tcx(pts))
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], 172)


def test_tcx_extension_with_default_namespace_and_watts() -> None:
    tpx = (
        f'<Extensions><TPX xmlns="{NS_TPX}"><Speed>3.0</Speed><RunCadence>84</RunCadence>'
        "<Watts>250</Watts></TPX></Extensions>"
    )
    pts = [_tcx_point(T0 + i, dist=3.0 * i, run_cadence=None, extra=tpx) for i in range(30)]
    act, _ = _read(_tcx(pts))
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], 168)
    np.testing.assert_allclose(act.samples[consts.POWER_W], 250)


def test_tcx_without_distance_uses_positions_then_speed() -> None:
    act, _ = _read(_tcx([_tcx_point(T0 + i, lat=45.0 + 3.0 * i / 111_195) for i in range(60)]))
    assert act.distance_m == pytest.approx(3.0 * 59, rel=0.01)
    tpx = "<Extensions><ns3:TPX><ns3:Speed>2.5</ns3:Speed></ns3:TPX></Extensions>"
    act, _ = _read(_tcx([_tcx_point(T0 + i, run_cadence=None, extra=tpx) for i in range(60)]))
    assert act.distance_m == pytest.approx(2.5 * 59)
    assert act.meta.indoor is True


def test_treadmill_tcx_without_positions_is_indoor() -> None:
    act, _ = _read(_tcx(_tcx_run(lat=False)))
    assert act.meta.indoor is True
    assert not act.has(consts.LAT_DEG)
    assert act.distance_m == pytest.approx(3.0 * 119)


def test_biking_tcx_is_refused() -> None:
    with pytest.raises(UnsupportedActivityError, match="biking activity: no running to analyse"):
        read_tcx(_tcx(_tcx_run(speed=9.0), sport="Biking"), path="ride.tcx")


def test_other_sport_accepted_when_cadence_looks_like_running() -> None:
    act, emitted = _read(_tcx(_tcx_run(run_cadence=86), sport="Other"))
    assert act.meta.sport == "running"
    assert any("'Other'" in w and "looks like running" in w for w in emitted)
    with pytest.raises(UnsupportedActivityError, match="without a running cadence"):
        read_tcx(_tcx(_tcx_run(run_cadence=None), sport="Other"), path="x.tcx")


def test_multisport_tcx_keeps_the_run() -> None:
    ride = [_tcx_point(T0 + i, dist=9.0 * i, run_cadence=None) for i in range(100)]
    run = [_tcx_point(T0 + 200 + i, dist=3.0 * i, run_cadence=85) for i in range(100)]
    act, _ = _read(_tcx([("Biking", ride), ("Running", run)]))
    assert [(s.sport, s.analysed) for s in act.meta.segments] == [
        ("cycling", False),
        ("running", True),
    ]
    assert act.samples[consts.TIME_S][0] == 200  # offset from the activity start is kept
    assert act.distance_m == pytest.approx(3.0 * 99)
    assert act.meta.segments[1].start_s == 200


def test_gpx_basic() -> None:
    act, emitted = _read(_gpx(point_extra="<extensions><power>310</power></extensions>"), "x.gpx")
    assert emitted == []
    assert act.meta.file_format == "gpx"
    assert act.meta.devices == ["Test Watch"]
    assert act.distance_m == pytest.approx(3.0 * 119, rel=1e-3)
    np.testing.assert_allclose(act.samples[consts.SPEED_M_S], 3.0, rtol=1e-3)
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM], 170)
    np.testing.assert_allclose(act.samples[consts.ALTITUDE_M], 200)
    np.testing.assert_allclose(act.samples[consts.POWER_W], 310)


@pytest.mark.parametrize(
    ("trk_type", "outcome"),
    [
        ("running", "running"),
        ("9", "running"),  # Strava's numeric Run
        ("trail_running", "running"),
        ("cycling", "cycling activity: no running to analyse"),
        ("Ride", "cycling activity: no running to analyse"),
        ("walking", "walking activity: no running to analyse"),
    ],
)
def test_gpx_type_decides_the_sport(trk_type: str, outcome: str) -> None:
    data = _gpx(trk_type=trk_type, speed=3.0)
    if outcome == "running":
        act, _ = _read(data, "x.gpx")
        assert act.meta.sport == "running"
    else:
        with pytest.raises(UnsupportedActivityError, match=outcome):
            read_gpx(data, path="x.gpx")


def test_gpx_treadmill_type_gives_sub_sport() -> None:
    act, _ = _read(_gpx(trk_type="treadmill_running"), "x.gpx")
    assert act.meta.sub_sport == "treadmill"
    assert act.meta.indoor is True
    assert act.meta.segments[0].sub_sport == "treadmill"


def test_gpx_without_type_fast_is_refused_slow_is_a_run() -> None:
    with pytest.raises(UnsupportedActivityError, match=r"8\.0 m/s \(cycling\?\)"):
        read_gpx(_gpx(trk_type=None, speed=8.0, cad=None), path="x.gpx")
    act, emitted = _read(_gpx(trk_type=None, speed=3.0), "x.gpx")
    assert act.meta.sport == "running"
    assert emitted == []
    act, emitted = _read(_gpx(trk_type="Afternoon activity", speed=3.0), "x.gpx")
    assert emitted == ["track type 'Afternoon activity' is not a known sport: read as a run"]


def test_gpx_gps_glitch_is_ignored() -> None:
    fix = f'lat="{45.0 + 3.0 * 30 / 111_195:.8f}"'.encode()
    data = _gpx(n=60)
    assert data.count(fix) == 1
    data = data.replace(fix, b'lat="45.01"')  # one fix 1.1 km off
    act, emitted = _read(data, "x.gpx")
    assert act.distance_m == pytest.approx(3.0 * 59, rel=0.01)
    assert emitted == ["ignored 1 GPS positions that jumped away implausibly fast"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<gpx><trk><name>&lol2;</name></trk></gpx>"""


@pytest.mark.parametrize("reader", [read_tcx, read_gpx])
def test_doctype_and_entities_are_refused(reader: Callable[..., Activity]) -> None:
    with pytest.raises(ParseError, match="DOCTYPE or ENTITY declaration is refused"):
        reader(BILLION_LAUGHS, path="evil.gpx")
    with pytest.raises(ParseError, match="DOCTYPE"):
        read_bytes(BILLION_LAUGHS, path="evil.gpx")


def test_non_ascii_compatible_encodings_are_refused() -> None:
    utf16 = _gpx().decode().replace("UTF-8", "UTF-16").encode("utf-16")
    with pytest.raises(ParseError, match="UTF-16"):
        read_gpx(utf16, path="x.gpx")
    ebcdic = b'<?xml version="1.0" encoding="cp500"?>' + "<gpx/>".encode("cp500")
    with pytest.raises(ParseError, match="unsupported XML encoding 'cp500'"):
        read_gpx(ebcdic, path="x.gpx")
    latin1 = (
        _gpx().replace(b"UTF-8", b"ISO-8859-1").replace(b"Morning Run", "Läuf".encode("latin-1"))
    )
    assert read_gpx(latin1, path="x.gpx").n_samples == 120


def test_malformed_xml_names_line_and_column() -> None:
    lines = _tcx(_tcx_run(5)).decode().splitlines()
    lines[2] = lines[2].replace("</Trackpoint>", "</Trackpoin>", 1)
    bad = "\n".join(lines).encode()
    col = lines[2].index("</Trackpoin>") + 3  # expat points at the end tag's name
    with pytest.raises(ParseError) as info:
        read_bytes(bad, path="bad.tcx")
    msg = str(info.value)
    assert msg.startswith("bad.tcx: malformed XML at line 3, column ")
    assert re.search(r"line 3, column (\d+)", msg).group(1) == str(col)  # type: ignore[union-attr]
    assert "mismatched tag" in msg


def test_truncated_file_is_recovered_with_a_warning() -> None:
    data = _tcx(_tcx_run(600))
    cut = data[: int(len(data) * 0.75)]
    with pytest.warns(EvenstrideWarning, match=r"file is truncated: recovered (\d+) trackpoints"):
        act = read_tcx(cut, path="cut.tcx")
    n = act.n_samples
    assert 400 < n < 460
    mm, ss = divmod(n - 1, 60)
    assert act.warnings == [f"file is truncated: recovered {n} trackpoints ({mm:02d}:{ss:02d})"]
    assert act.meta.extra["laps"][0]["end_s"] == n - 1
    # a cut inside a multi-byte character, or NUL padding after the cut, is still a truncation
    act, _ = _read(cut + b"\x00" * 500)
    assert act.n_samples == n
    gpx = _gpx(n=90)
    act, emitted = _read(gpx[: len(gpx) // 2], "cut.gpx")
    assert emitted[0].startswith("file is truncated: recovered")


def test_truncated_before_first_trackpoint_is_a_parse_error() -> None:
    data = _tcx(_tcx_run(10))
    cut = data[: data.index(b"<Trackpoint>") + 30]
    with pytest.raises(ParseError, match="truncated before its first complete trackpoint"):
        read_tcx(cut, path="cut.tcx")


def test_no_trackpoints() -> None:
    with pytest.raises(NotEnoughDataError, match="no trackpoints with time"):
        read_tcx(_tcx([]), path="empty.tcx")
    with pytest.raises(NotEnoughDataError, match=r"no trackpoints with time \(3 trackpoints"):
        read_tcx(_tcx([_tcx_point(None, dist=1.0)] * 3), path="x.tcx")
    with pytest.raises(NotEnoughDataError, match="no trackpoints with time"):
        read_gpx(b'<gpx version="1.1"><trk><trkseg/></trk></gpx>', path="empty.gpx")


def test_garbage_values_missing_times_duplicates_and_order() -> None:
    pts = _tcx_run(60)
    pts[10] = _tcx_point(T0 + 10, dist="n/a", run_cadence=85)
    pts[20] = _tcx_point(None, dist=60.0)  # no time: skipped
    pts[30] = _tcx_point(T0 + 29, dist=87.5, hr=160)  # repeats t=29: the last one is kept
    pts[40], pts[41] = pts[41], pts[40]  # out of order
    act, emitted = _read(_tcx(pts))
    assert act.n_samples == 58  # t = 0…59 without 20 (no time) and 30 (that point says 29)
    t = act.samples[consts.TIME_S]
    assert np.all(np.diff(t) > 0)
    assert act.samples[consts.HEART_RATE_BPM][t == 29][0] == 160
    assert emitted == [
        "trackpoints were out of time order: sorted by time",
        "skipped 1 trackpoints without a valid time",
        "1 values were not numbers: read as missing",
    ]
    assert np.all(np.isfinite(act.samples[consts.DISTANCE_M]))  # interpolated over the gap


def test_tcx_course_is_not_an_activity() -> None:
    course = (
        _tcx(_tcx_run(10))
        .replace(b"<Activities>", b"<Courses>")
        .replace(b"</Activities>", b"</Courses>")
    )
    course = re.sub(rb"<Activity [^>]*>", b"<Course>", course).replace(b"</Activity>", b"</Course>")
    with pytest.raises(UnsupportedActivityError, match="TCX course"):
        read_tcx(course, path="route.tcx")


def test_junk_after_the_document_is_ignored() -> None:
    act, emitted = _read(_tcx(_tcx_run(10)) + b"<html>oops</html>")
    assert act.n_samples == 10
    assert emitted == ["ignored data after the end of the XML document"]
