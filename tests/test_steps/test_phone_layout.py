# SPDX-License-Identifier: MIT
"""Sensor Logger phone exports: the verified layout (docs/steps.md), gravity handling, zip/JSON.

The exports are synthetic; their header is the one read from public exports of the app
(``time,seconds_elapsed,z,y,x``; ``time`` in Unix ns, ``seconds_elapsed`` in s, m/s², rad/s;
``Accelerometer.csv`` without gravity, ``Gravity.csv``, ``TotalAcceleration.csv`` on Android;
iOS acceleration and gravity negated relative to Android).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io import G, read_sensor_logger
from evenstride.steps._trunk import TrunkImuSteps, trunk_activity

HEADER = "time,seconds_elapsed,z,y,x"
T0_NS = 1_707_663_721_288_000_000
STEP_L, STEP_R = 0.36, 0.34


def _body(dur: float, fs: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Trunk in the body frame (x right, y up, z backward): specific force (m/s², +1 g up at
    rest, IC bumps up, ML bump toward the stance side) and rotation rate (rad/s, roll about z)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, dur, 1.0 / fs)
    ics, k, t0 = [], 0, 1.0
    while t0 < dur - 1:
        ics.append((t0, k % 2))
        t0 += (STEP_L if k % 2 == 0 else STEP_R) * (1 + 0.01 * rng.standard_normal())
        k += 1
    f = np.zeros((len(t), 3))
    f[:, 1] = G
    w = np.zeros((len(t), 3))
    for ic, sd in ics:
        sgn = 1.0 if sd == 0 else -1.0
        f[:, 1] += 2 * G * np.exp(-0.5 * ((t - ic) / 0.03) ** 2)
        f[:, 0] += sgn * 2.0 * np.exp(-0.5 * ((t - ic) / 0.06) ** 2)
        w[:, 2] += sgn * np.radians(40) * np.exp(-0.5 * ((t - ic) / 0.06) ** 2)
    f += 0.05 * rng.standard_normal(f.shape)
    return t, f, w, ics


def _rot_x(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


def _write(path: Path, t_s: np.ndarray, xyz: np.ndarray, *, t_offset_s: float = 0.0) -> None:
    """One axis CSV exactly as the app writes it: time (ns), seconds_elapsed (s), then z, y, x."""
    tt = t_s + t_offset_s
    ns = T0_NS + np.round(tt * 1e9).astype(np.int64)
    lines = [HEADER] + [
        f"{ns[i]},{tt[i]:.9f},{xyz[i, 2]:.17g},{xyz[i, 1]:.17g},{xyz[i, 0]:.17g}"
        for i in range(len(tt))
    ]
    path.write_text("\n".join(lines) + "\n")


def _export(
    folder: Path,
    *,
    platform: str = "ios",
    tilt_deg: float = 20.0,
    dur: float = 90.0,
    fs: float = 100.0,
    gyro_fs: float | None = None,
    files: tuple[str, ...] = ("Accelerometer", "Gravity", "Gyroscope"),
) -> Path:
    """A Sensor Logger export of a phone upright at the sacrum (screen facing backward), tilted
    ``tilt_deg`` about its x axis; ``platform`` sets the acceleration/gravity sign convention."""
    folder.mkdir(parents=True, exist_ok=True)
    t, f, w, _ = _body(dur, fs)
    r = _rot_x(tilt_deg)
    total = f @ r.T
    grav = np.tile(np.array([0.0, G, 0.0]) @ r.T, (len(t), 1))
    user = total - grav
    s = -1.0 if platform == "ios" else 1.0  # iOS: all acceleration axes negated
    jitter = np.random.default_rng(1).uniform(-5e-4, 5e-4, len(t))
    if "Accelerometer" in files:
        _write(folder / "Accelerometer.csv", t + jitter, s * user)
    if "Gravity" in files:
        _write(folder / "Gravity.csv", t + jitter, s * grav)
    if "TotalAcceleration" in files:
        _write(folder / "TotalAcceleration.csv", t + jitter, s * total)
    if "Gyroscope" in files:
        gyr = w @ r.T
        if gyro_fs is None:
            _write(folder / "Gyroscope.csv", t, gyr, t_offset_s=0.003)
        else:
            tg = np.arange(0.0, dur, 1.0 / gyro_fs)
            gg = np.column_stack([np.interp(tg, t, gyr[:, k]) for k in range(3)])
            _write(folder / "Gyroscope.csv", tg, gg, t_offset_s=0.003)
    (folder / "Metadata.csv").write_text(
        "version,device name,recording epoch time,recording time,recording timezone,platform,"
        "appVersion,device id,sensors,sampleRateMs\n"
        f"3,Phone,{T0_NS // 10**6},2024-02-11_15-02-01,Europe/Berlin,{platform},1.28,x,"
        "Accelerometer|Gravity|Gyroscope,10|10|10\n"
    )
    return folder / ("Accelerometer.csv" if "Accelerometer" in files else "TotalAcceleration.csv")


def _read(path: Path, gyro: Path | None = None):
    """Read, collecting the (expected) warnings: ``(recording, all warning texts)``."""
    with pytest.warns(EvenstrideWarning) as caught:
        rec = read_sensor_logger(path, gyro)
    return rec, " | ".join(str(w.message) for w in caught)


def _median_up(dur: float = 90.0, fs: float = 100.0) -> float:
    return float(np.median(_body(dur, fs)[1][:, 1]))


def _step_medians(rec) -> tuple[float, float, float]:
    det = TrunkImuSteps().detect(rec, sampling_rate_hz=rec.sampling_rate_hz)
    act = trunk_activity(det.steps_, side_confidence=det.side_confidence_)
    ch = act.sided[0]
    return float(np.nanmedian(ch.left)), float(np.nanmedian(ch.right)), det.side_confidence_


def test_header_is_read_by_name_in_the_apps_zyx_order(tmp_path) -> None:
    p = tmp_path / "TotalAcceleration.csv"
    rows = [HEADER] + [f"{T0_NS + i * 10_000_000},{0.01 * i},9.8,0.5,-0.25" for i in range(400)]
    p.write_text("\n".join(rows) + "\n")
    rec, msgs = _read(p)
    assert "no Gyroscope.csv" in msgs and "lying flat" in msgs
    assert rec.acc[0] == pytest.approx([-0.25, 0.5, 9.8])  # x, y, z
    assert rec.sampling_rate_hz == pytest.approx(100.0, rel=1e-3)


@pytest.mark.parametrize("platform", ["ios", "android"])
def test_gravity_free_accelerometer_plus_gravity(tmp_path, platform) -> None:
    acc_csv = _export(tmp_path / platform, platform=platform)
    rec, msgs = _read(acc_csv)
    assert "swapped as a whole" in msgs
    assert rec.gyr is not None
    # vertical = acceleration with gravity along the gravity direction (+1 g at rest): the
    # simulated upward specific force, whatever the platform's sign convention
    assert rec.vertical is not None
    assert np.median(rec.vertical) == pytest.approx(_median_up(), rel=0.01)
    assert (rec.ap_axis, rec.ml_axis) == (2, 0)  # upright phone: roll about z, ML along x
    left, right, conf = _step_medians(rec)
    assert conf >= 0.95
    assert sorted([left, right]) == pytest.approx([STEP_R, STEP_L], abs=0.01)


@pytest.mark.parametrize("files", [("Accelerometer", "Gravity", "Gyroscope"),
                                   ("Accelerometer", "Gravity")])
def test_ios_and_android_give_the_same_steps(tmp_path, files) -> None:
    """Same sides on both platforms: the gyroscope agrees across platforms; without it the
    ML acceleration is put in Android's sign convention from Metadata.csv's platform."""
    ios, _ = _read(_export(tmp_path / "i", platform="ios", files=files))
    andr, _ = _read(_export(tmp_path / "a", platform="android", files=files))
    a = TrunkImuSteps().detect(ios, sampling_rate_hz=ios.sampling_rate_hz).steps_
    b = TrunkImuSteps().detect(andr, sampling_rate_hz=andr.sampling_rate_hz).steps_
    assert len(a) == len(b)
    assert np.abs(a.ic_s - b.ic_s).max() < 1e-6
    assert (a.side == b.side).all()


def test_acceleration_in_g_is_converted(tmp_path) -> None:
    """iOS's uncalibrated accelerometer is in g (UNITS.md): a gravity-holding file ~1 long."""
    p = _export(tmp_path, platform="android", files=("TotalAcceleration", "Gyroscope"))
    lines = p.read_text().splitlines()
    out = [lines[0]]
    for ln in lines[1:]:
        t, e, *v = ln.split(",")
        out.append(",".join([t, e, *(f"{float(x) / G:.17g}" for x in v)]))
    p.write_text("\n".join(out) + "\n")
    rec, msgs = _read(p)
    assert "looks like g" in msgs
    assert rec.vertical is not None
    assert np.median(rec.vertical) == pytest.approx(_median_up(), rel=0.01)


def test_tilt_does_not_matter(tmp_path) -> None:
    flat, _ = _read(_export(tmp_path / "0", tilt_deg=0.0))
    tilt, _ = _read(_export(tmp_path / "35", tilt_deg=35.0))
    assert tilt.vertical is not None and flat.vertical is not None
    assert np.abs(tilt.vertical - flat.vertical).max() < 0.5
    assert _step_medians(tilt)[:2] == pytest.approx(_step_medians(flat)[:2], abs=0.005)


def test_android_total_acceleration_only(tmp_path) -> None:
    p = _export(tmp_path, platform="android", files=("TotalAcceleration", "Gyroscope"))
    assert p.name == "TotalAcceleration.csv"
    with pytest.warns(EvenstrideWarning):
        rec = read_sensor_logger(p)
    assert rec.vertical is not None
    assert np.median(rec.vertical) == pytest.approx(_median_up(), rel=0.01)
    assert _step_medians(rec)[2] >= 0.95


def test_gravity_free_accelerometer_alone_is_refused(tmp_path) -> None:
    p = _export(tmp_path, files=("Accelerometer", "Gyroscope"))
    with pytest.raises(UserInputError, match=r"without gravity.*Gravity\.csv"):
        read_sensor_logger(p)


def test_zip_export_with_a_folder_inside(tmp_path) -> None:
    folder = tmp_path / "2024-02-11_15-02-01"
    _export(folder)
    z = tmp_path / "2024-02-11_15-02-01.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, arcname=f"{folder.name}/{f.name}")
    with pytest.warns(EvenstrideWarning):
        rec = read_sensor_logger(z)
    assert rec.gyr is not None and rec.path == str(z)
    assert _step_medians(rec)[2] >= 0.95
    # and a folder works the same way
    with pytest.warns(EvenstrideWarning):
        rec2 = read_sensor_logger(folder)
    assert np.allclose(rec2.acc, rec.acc)


def test_json_export_with_a_stale_first_record(tmp_path) -> None:
    """The JSON export is one array of records with string values and a ``sensor`` name; a
    public export starts each sensor with an all-zero record days before the recording."""
    folder = tmp_path / "csv"
    _export(folder)
    recs: list[dict[str, str]] = []
    for name in ("Accelerometer", "Gravity", "Gyroscope"):
        lines = (folder / f"{name}.csv").read_text().splitlines()
        head = lines[0].split(",")
        recs.append({"sensor": name, "time": str(T0_NS - 328_883 * 10**9),
                     "seconds_elapsed": "-328883.4", "z": "0", "y": "0", "x": "0"})
        recs += [{"sensor": name, **dict(zip(head, ln.split(","), strict=True))}
                 for ln in lines[1:]]
    j = tmp_path / "export.json"
    j.write_text(json.dumps(recs))
    rec, msgs = _read(j)
    assert "dropped 1 stale samples" in msgs
    assert any("stale" in w for w in rec.warnings)
    assert rec.time_s[-1] < 100
    assert _step_medians(rec)[2] >= 0.95


def test_unsorted_and_duplicated_rows_are_repaired_with_warnings(tmp_path) -> None:
    p = _export(tmp_path)
    lines = p.read_text().splitlines()
    body = lines[1:]
    body[100], body[101] = body[101], body[100]
    body.insert(500, body[500])
    p.write_text("\n".join([lines[0], *body]) + "\n")
    rec, msgs = _read(p)
    assert "not sorted" in msgs and "1 duplicated" in msgs
    assert _step_medians(rec)[2] >= 0.95


def test_mismatched_gyro_rate_is_interpolated_with_a_warning(tmp_path) -> None:
    p = _export(tmp_path, gyro_fs=50.0)
    rec, msgs = _read(p)
    assert "gyroscope at 50 Hz, accelerometer at 100 Hz" in msgs
    assert rec.sampling_rate_hz == pytest.approx(100.0, rel=0.01)
    assert _step_medians(rec)[2] >= 0.95


def test_slow_sampling_is_refused(tmp_path) -> None:
    p = _export(tmp_path, fs=10.0)
    with pytest.raises(UserInputError, match=r"10 Hz.*100 Hz"):
        read_sensor_logger(p)


def test_gyro_in_deg_per_s_is_refused(tmp_path) -> None:
    p = _export(tmp_path)
    g = tmp_path / "Gyroscope.csv"
    lines = g.read_text().splitlines()
    out = [lines[0]]
    for ln in lines[1:]:
        t, e, *v = ln.split(",")
        out.append(",".join([t, e, *(f"{float(x) * 5730:.17g}" for x in v)]))
    g.write_text("\n".join(out) + "\n")
    with pytest.raises(ParseError, match="rad/s"):
        read_sensor_logger(p)


def test_missing_or_disjoint_gyroscope(tmp_path) -> None:
    p = _export(tmp_path / "a")
    with pytest.raises(UserInputError, match="file not found"):
        read_sensor_logger(p, tmp_path / "nope" / "Gyroscope.csv")
    other = tmp_path / "b"
    other.mkdir()
    g = other / "Gyroscope.csv"
    _write(g, np.arange(0, 10, 0.01), np.zeros((1000, 3)), t_offset_s=10_000.0)
    with pytest.raises(ParseError, match="do not overlap"):
        read_sensor_logger(p, g)


def test_bad_header_and_values_are_one_line_errors(tmp_path) -> None:
    p = tmp_path / "Accelerometer.csv"
    p.write_text("timestamp,ax,ay,az\n1,2,3,4\n2,2,3,4\n3,2,3,4\n")
    with pytest.raises(ParseError, match="expected columns time or seconds_elapsed"):
        read_sensor_logger(p)
    p.write_text(HEADER + "\n1,0,9.8,0,0\n2,0.01,abc,0,0\n3,0.02,9.8,0,0\n")
    with pytest.raises(ParseError, match="row 3"):
        read_sensor_logger(p)
