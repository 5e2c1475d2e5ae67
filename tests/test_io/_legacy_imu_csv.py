# SPDX-License-Identifier: MIT
"""The foot-IMU CSV readers as they were before issue 15 (a list of all lines, ``str.split`` and
``float`` per cell), kept verbatim as the oracle of tests/test_io/test_imu_csv_oracle.py: the
block reader must give the same values, warnings and errors. Not used by the package."""


from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io._bounded import cut_line_warned, read_text_bounded

G = 9.80665
SIDES = ("left", "right")
GENERIC_COLUMNS = ("time_s", "side", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
AXES = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
GAITMAP_RATE_HZ = 204.8
#: Minimum run of samples at a clip value that counts as saturation.
SATURATION_RUN = 5
#: Gaps longer than this many sample periods split the recording.
GAP_PERIODS = 3.0
_ACC_UNITS = {"g": 1.0 * G, "m/s2": 1.0, "m/s^2": 1.0, "m/s²": 1.0, "ms2": 1.0}
_GYR_UNITS = {"deg/s": 1.0, "dps": 1.0, "rad/s": float(np.degrees(1.0))}


@dataclass
class SensorData:
    """One foot sensor: time (s), acc (n×3, m/s²), gyr (n×3, deg/s), validity and segment ids."""

    time_s: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray
    #: False in excluded spans (saturation).
    valid: np.ndarray
    #: Segment id of each sample (segments are split at gaps).
    segment: np.ndarray

    def __len__(self) -> int:
        return len(self.time_s)


@dataclass
class ImuRecording:
    """A bilateral foot-IMU recording: one :class:`SensorData` per side."""

    sides: dict[str, SensorData]
    sampling_rate_hz: float
    path: str | None = None
    layout: str = "generic"
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        t = [s.time_s for s in self.sides.values() if len(s)]
        return float(max(x[-1] for x in t) - min(x[0] for x in t)) if t else 0.0


def _warn(msg: str, path: str | None, notes: list[str]) -> None:
    text = f"{path}: {msg}" if path else msg
    notes.append(msg)
    warnings.warn(text, EvenstrideWarning, stacklevel=3)


def parse_units(spec: str) -> tuple[str, str]:
    """Parse ``"acc=g, gyr=rad/s"`` into normalised ``(acc_unit, gyr_unit)``."""
    acc, gyr = "m/s2", "deg/s"
    for part in re.split(r"[,;\s]+", spec.strip()):
        if not part:
            continue
        if "=" not in part:
            raise UserInputError(f"bad units {spec!r}: expected e.g. 'acc=g, gyr=deg/s'")
        k, v = (x.strip().lower() for x in part.split("=", 1))
        if k == "acc" and v in _ACC_UNITS:
            acc = v
        elif k == "gyr" and v in _GYR_UNITS:
            gyr = v
        else:
            raise UserInputError(
                f"bad units {spec!r}: acc is one of g, m/s2 and gyr one of deg/s, rad/s"
            )
    return acc, gyr


def build_sensor(
    time_s: np.ndarray,
    acc: np.ndarray,
    gyr: np.ndarray,
    *,
    side: str,
    acc_unit: str = "m/s2",
    gyr_unit: str = "deg/s",
    path: str | None = None,
    notes: list[str] | None = None,
) -> SensorData:
    """Validate one sensor's raw arrays and convert them to m/s² and deg/s (see module doc)."""
    notes = [] if notes is None else notes
    t = np.asarray(time_s, dtype=float)
    acc = np.asarray(acc, dtype=float).reshape(-1, 3)
    gyr = np.asarray(gyr, dtype=float).reshape(-1, 3)
    ok = np.isfinite(t)
    t, acc, gyr = t[ok], acc[ok], gyr[ok]
    if len(t) < 10:
        raise ParseError(f"{side} sensor has only {len(t)} samples", path=path)
    if np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, acc, gyr = t[order], acc[order], gyr[order]
        _warn(f"{side} sensor: timestamps were not sorted; sorted them", path, notes)
    dup = np.concatenate(([False], np.diff(t) == 0))
    if dup.any():
        t, acc, gyr = t[~dup], acc[~dup], gyr[~dup]
        _warn(f"{side} sensor: dropped {int(dup.sum())} duplicated timestamps", path, notes)
    # Units: a worn foot sensor's median |acc| is ~1 g whatever it does.
    mag = np.sqrt(np.nansum(acc**2, axis=1))
    med = float(np.nanmedian(mag))
    if acc_unit == "g" and not 0.3 < med < 3.0:
        raise ParseError(
            f"{side} sensor: median |acc| is {med:.2f}, implausible in g "
            "(looks like m/s²; declare acc=m/s2)",
            path=path,
        )
    if acc_unit != "g" and not 3.0 < med < 30.0:
        raise ParseError(
            f"{side} sensor: median |acc| is {med:.2f}, implausible in m/s² "
            "(looks like g; declare acc=g)",
            path=path,
        )
    if gyr_unit == "rad/s" and float(np.nanmax(np.abs(gyr))) > 60.0:
        raise ParseError(
            f"{side} sensor: gyro reaches {np.nanmax(np.abs(gyr)):.0f}, impossible in rad/s "
            "(looks like deg/s; declare gyr=deg/s)",
            path=path,
        )
    acc = acc * _ACC_UNITS[acc_unit]
    gyr = gyr * _GYR_UNITS[gyr_unit]
    valid = np.all(np.isfinite(acc), axis=1) & np.all(np.isfinite(gyr), axis=1)
    sat = saturated_mask(acc)
    if sat.any():
        _warn(
            f"{side} sensor: accelerometer saturated in {int(sat.sum())} samples "
            f"({_count_runs(sat)} spans); those spans are excluded",
            path,
            notes,
        )
        valid &= ~sat
    dt = np.diff(t)
    period = float(np.median(dt))
    gap = dt > GAP_PERIODS * period
    segment = np.concatenate(([0], np.cumsum(gap)))
    if gap.any():
        _warn(
            f"{side} sensor: {int(gap.sum())} gaps longer than {GAP_PERIODS:g} sample periods "
            f"(longest {dt.max():.3f} s); recording split into {int(gap.sum()) + 1} segments",
            path,
            notes,
        )
    return SensorData(t, acc, gyr, valid, segment.astype(np.int64))


def _count_runs(mask: np.ndarray) -> int:
    return int(np.sum(np.diff(mask.astype(np.int8), prepend=0) == 1))


def saturated_mask(acc: np.ndarray, *, min_run: int = SATURATION_RUN) -> np.ndarray:
    """Samples where an acc axis sits at a constant clip value (its extreme, > 2 g) for
    ≥ ``min_run`` consecutive samples."""
    n = len(acc)
    out = np.zeros(n, dtype=bool)
    for k in range(acc.shape[1]):
        a = acc[:, k]
        fin = np.isfinite(a)
        if not fin.any():
            continue
        clip = float(np.max(np.abs(a[fin])))
        if clip < 2.0 * G:
            continue
        at = fin & (np.abs(a) >= clip * (1 - 1e-6))
        if at.sum() < min_run:
            continue
        # runs of consecutive samples at the clip value
        edges = np.diff(np.concatenate(([0], at.astype(np.int8), [0])))
        starts = np.nonzero(edges == 1)[0]
        ends = np.nonzero(edges == -1)[0]
        for s, e in zip(starts, ends, strict=True):
            if e - s >= min_run:
                out[s:e] = True
    return out


def _sampling_rate(sides: dict[str, SensorData]) -> float:
    dts = [np.median(np.diff(s.time_s)) for s in sides.values()]
    return float(1.0 / np.median(dts))


def _read_lines(path: Path) -> list[str]:
    try:
        return cut_line_warned(read_text_bounded(path), path, sep=",").splitlines()
    except FileNotFoundError:
        raise UserInputError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=path) from None


def read_generic_csv(path: str | os.PathLike[str], *, units: str | None = None) -> ImuRecording:
    """Read the generic long bilateral layout (see module docstring)."""
    p = Path(path)
    lines = _read_lines(p)
    spec = None
    body: list[str] = []
    for ln in lines:
        s = ln.strip()
        if s.startswith("#"):
            m = re.match(r"#\s*units\s*:\s*(.*)", s, flags=re.IGNORECASE)
            if m:
                spec = m.group(1)
            continue
        if s:
            body.append(s)
    if not body:
        raise ParseError("no header or data", path=p)
    try:
        acc_unit, gyr_unit = parse_units(units if units is not None else (spec or ""))
    except UserInputError as e:
        raise UserInputError(e.reason, path=p) from None
    header = [h.strip().lower() for h in body[0].split(",")]
    missing = [c for c in GENERIC_COLUMNS if c not in header]
    if missing:
        raise ParseError(
            f"missing columns {missing}; expected {', '.join(GENERIC_COLUMNS)} "
            f"(found {', '.join(header)})",
            path=p,
        )
    rows = [r.split(",") for r in body[1:]]
    if any(len(r) != len(header) for r in rows):
        bad = next(i for i, r in enumerate(rows) if len(r) != len(header))
        raise ParseError(f"line {bad + 2 + (len(lines) - len(body))}: wrong field count", path=p)
    cols = {h: [r[i].strip() for r in rows] for i, h in enumerate(header)}
    side_raw = np.array([s.lower() for s in cols["side"]])
    side = np.where(np.isin(side_raw, ["l", "left"]), "left", side_raw)
    side = np.where(np.isin(side, ["r", "right"]), "right", side)
    unknown = sorted(set(side.tolist()) - set(SIDES))
    if unknown:
        raise ParseError(f"unknown side values {unknown[:3]}: use left/right", path=p)
    try:
        num = {c: np.array(cols[c], dtype=float) for c in ("time_s", *AXES)}
    except ValueError as e:
        raise ParseError(f"non-numeric value ({e})", path=p) from None
    notes: list[str] = []
    sensors: dict[str, SensorData] = {}
    for sd in SIDES:
        m = side == sd
        if not m.any():
            other = "right" if sd == "left" else "left"
            raise UserInputError(
                f"no {sd} sensor data (only {other}): a bilateral recording is needed", path=p
            )
        sensors[sd] = build_sensor(
            num["time_s"][m],
            np.column_stack([num[a][m] for a in AXES[:3]]),
            np.column_stack([num[a][m] for a in AXES[3:]]),
            side=sd,
            acc_unit=acc_unit,
            gyr_unit=gyr_unit,
            path=str(p),
            notes=notes,
        )
    return ImuRecording(sensors, _sampling_rate(sensors), str(p), "generic", notes)


def read_gaitmap_csv(
    path: str | os.PathLike[str], *, sampling_rate_hz: float = GAITMAP_RATE_HZ
) -> ImuRecording:
    """Read gaitmap's wide ``imu_sample.csv`` layout (see module docstring)."""
    p = Path(path)
    lines = _read_lines(p)
    if len(lines) < 3:
        raise ParseError("too short for the gaitmap layout (two header rows + data)", path=p)
    sensor_row = [x.strip() for x in lines[0].split(",")]
    axis_row = [x.strip() for x in lines[1].split(",")]
    if len(sensor_row) != len(axis_row):
        raise ParseError("gaitmap layout: the two header rows differ in length", path=p)
    index: dict[tuple[str, str], int] = {}
    for i, (s, a) in enumerate(zip(sensor_row, axis_row, strict=True)):
        if i == 0:
            continue
        index[(s.removesuffix("_sensor").lower(), a.lower())] = i
    for sd in SIDES:
        if not any(k[0] == sd for k in index):
            raise UserInputError(f"no {sd}_sensor columns: a bilateral recording is needed", path=p)
        missing = [a for a in AXES if (sd, a) not in index]
        if missing:
            raise ParseError(f"{sd}_sensor lacks columns {missing}", path=p)
    try:
        data = np.loadtxt(lines[2:], delimiter=",", ndmin=2)
    except ValueError as e:
        raise ParseError(f"non-numeric data ({str(e).splitlines()[0]})", path=p) from None
    t = data[:, 0] / sampling_rate_hz
    notes: list[str] = []
    sensors = {
        sd: build_sensor(
            t,
            data[:, [index[(sd, a)] for a in AXES[:3]]],
            data[:, [index[(sd, a)] for a in AXES[3:]]],
            side=sd,
            path=str(p),
            notes=notes,
        )
        for sd in SIDES
    }
    return ImuRecording(sensors, sampling_rate_hz, str(p), "gaitmap", notes)


def read_imu(path: str | os.PathLike[str], *, units: str | None = None) -> ImuRecording:
    """Read either layout, chosen from the first header line."""
    p = Path(path)
    first = next((ln for ln in _read_lines(p) if ln.strip()), "")
    if first.lower().startswith("sensor,"):
        return read_gaitmap_csv(p)
    return read_generic_csv(p, units=units)
