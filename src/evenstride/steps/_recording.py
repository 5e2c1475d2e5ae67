# SPDX-License-Identifier: MIT
"""A raw recording → the per-step :class:`~evenstride.datatypes.Activity`, for every recording
format: read (:mod:`evenstride.io`) → find each step's events and side → per-step metrics.

The format comes from the file's content (:func:`evenstride.io.detect_input`) unless the caller
names it (``evenstride steps --format``). What each format needs beyond the file is a field of
:class:`StepOptions`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from evenstride.datatypes import Activity
from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError
from evenstride.io import (
    RECORDING_FORMATS,
    ImuRecording,
    c3d_forces,
    c3d_markers,
    detect_input,
    read_adeptdata_csv,
    read_c3d,
    read_imu,
    read_info_mass,
    read_runscribe_csv,
    read_sensor_logger,
)
from evenstride.steps._accel_only import OneSideStrideDetection, accel_activity, pick_location
from evenstride.steps._falbriard import FalbriardEventDetection
from evenstride.steps._lab import read_fukuchi_trial, read_markers_only_trial
from evenstride.steps._lab_activity import steps_to_activity
from evenstride.steps._lab_steps import step_metrics as force_step_metrics
from evenstride.steps._to_activity import step_metrics, to_activity
from evenstride.steps._trunk import TrunkImuSteps, trunk_activity

__all__ = [
    "RECORDING_FORMATS",
    "StepOptions",
    "activity_from_imu",
    "activity_from_recording",
    "read_recording",
]

#: Plausible body mass (kg) for normalising force-plate channels.
MASS_RANGE_KG = (20.0, 250.0)


@dataclass(frozen=True)
class StepOptions:
    """What a recording may need besides the file (each is ``None`` when not given).

    ``units``: units of a generic IMU CSV (``acc=g,gyr=deg/s``); ``right``: the right pod's
    RunScribe export; ``gyro``: a phone's gyroscope CSV; ``location``: the accelerometer to use;
    ``mass_kg``: body mass for force channels; ``speed_m_s``: treadmill speed; ``static``: the
    static calibration trial of cluster-only markers; ``view``: a video clip's camera view
    (``side``, ``rear`` or ``front``; detected when ``None``).
    """

    units: str | None = None
    right: str | os.PathLike[str] | None = None
    gyro: str | os.PathLike[str] | None = None
    location: str | None = None
    mass_kg: float | None = None
    speed_m_s: float | None = None
    static: str | os.PathLike[str] | None = None
    view: str | None = None


def read_recording(
    path: str | os.PathLike[str], fmt: str | None = None, options: StepOptions | None = None
) -> Activity:
    """The per-step :class:`Activity` of a raw recording (format from the content unless
    ``fmt`` names one of :data:`RECORDING_FORMATS`).

    Raises
    ------
    UserInputError
        One line naming the file: missing, not a recording evenstride reads, or unusable.
    """
    opt = options or StepOptions()
    p = Path(path)
    if not p.exists():
        raise UserInputError("no such file", path=p)
    if fmt is None:
        fmt = detect_input(p)
        if fmt not in RECORDING_FORMATS:
            what = f"a {fmt.upper()} activity, not a raw recording" if fmt else (
                "not a recording evenstride reads (foot IMU CSV, RunScribe CSV, C3D, Fukuchi "
                "export, phone Sensor Logger export, adeptdata accelerometer CSV, video clip)")
            raise ParseError(what, path=p)
    if fmt not in RECORDING_FORMATS:
        raise UserInputError(f"unknown recording format {fmt!r}", path=p)
    if not p.is_file() and not (fmt == "phone" and p.is_dir()):
        raise UserInputError("not a file", path=p)
    return _READERS[fmt](p, opt)


def activity_from_recording(
    rec: ImuRecording, detector: FalbriardEventDetection | None = None
) -> Activity:
    """Events → per-step metrics → :class:`Activity` for an already-read recording."""
    det = (detector or FalbriardEventDetection()).detect(
        rec, sampling_rate_hz=rec.sampling_rate_hz
    )
    steps = step_metrics(det.steps_, rec)
    return to_activity(
        steps, path=rec.path, file_format=f"imu_{rec.layout}", warnings=rec.warnings
    )


def activity_from_imu(
    path: str | os.PathLike[str],
    *,
    units: str | None = None,
    detector: FalbriardEventDetection | None = None,
) -> Activity:
    """Read a bilateral foot-IMU CSV (either layout) and build the per-stride :class:`Activity`."""
    return activity_from_recording(read_imu(path, units=units), detector)


def _imu(p: Path, opt: StepOptions) -> Activity:
    return activity_from_recording(read_imu(p, units=opt.units))


def _c3d(p: Path, opt: StepOptions) -> Activity:
    c = read_c3d(p)
    if not all(f"F1{a}" in c.analog for a in "XYZ"):  # no force plate: markers only
        if c.analog:
            warnings.warn(
                f"{p}: analog channels {sorted(c.analog)[:6]} are not force-plate "
                "channels F1X/F1Y/F1Z; events from the foot markers only",
                EvenstrideWarning,
                stacklevel=3,
            )
        static = None if opt.static is None else Path(opt.static)
        return read_markers_only_trial(p, speed_m_s=opt.speed_m_s, static_path=static)[1]
    if opt.static:  # the force trials' kinematics use the RBDS marker set, uncalibrated
        warnings.warn(f"{p}: --static is ignored: it calibrates cluster-only markers of "
                      "trials without force channels", EvenstrideWarning, stacklevel=3)
    mass = opt.mass_kg
    info = p.parent / "RBDSinfo.txt"
    if mass is None and info.is_file():
        mass = read_info_mass(info, p.name)
    if mass is None or not (MASS_RANGE_KG[0] <= mass <= MASS_RANGE_KG[1]):
        raise UserInputError("body mass needed for the force channels (--mass-kg, "
                             "20–250 kg)", path=p)
    fd = c3d_forces(c, mass_kg=mass)
    return steps_to_activity(force_step_metrics(fd, c3d_markers(c), mass), path=p,
                             speed_m_s=opt.speed_m_s, file_format="c3d")


def _phone(p: Path, opt: StepOptions) -> Activity:
    rec = read_sensor_logger(p, opt.gyro)
    det = TrunkImuSteps().detect(rec, sampling_rate_hz=rec.sampling_rate_hz)
    return trunk_activity(det.steps_, side_confidence=det.side_confidence_, path=str(p),
                          warnings=list(rec.warnings))


def _accel(p: Path, opt: StepOptions) -> Activity:
    series = read_adeptdata_csv(p)
    one = series[pick_location(series, opt.location, path=p)]
    if one.valid.sum() < 10 * one.sampling_rate_hz:
        raise UserInputError(f"{one.location}: less than 10 s of unclipped data", path=p)
    one_det = OneSideStrideDetection().detect(one, sampling_rate_hz=one.sampling_rate_hz)
    return accel_activity(one_det, one, path=str(p))


def _runscribe(p: Path, opt: StepOptions) -> Activity:
    return read_runscribe_csv(p, opt.right)


def _fukuchi(p: Path, opt: StepOptions) -> Activity:
    if opt.static:
        warnings.warn(f"{p}: --static is ignored for text exports (it calibrates the "
                      "cluster-only markers of a C3D trial)", EvenstrideWarning, stacklevel=3)
    if "markers" in p.name:  # a markers export: with its forces file if there is one
        forces = p.with_name(p.name.replace("markers", "forces"))
        if not forces.is_file():
            return read_markers_only_trial(p, speed_m_s=opt.speed_m_s)[1]
        p = forces
    info = p.parent / "RBDSinfo.txt"
    if not info.is_file():
        raise UserInputError("RBDSinfo.txt (body mass) not found next to the file", path=p)
    return read_fukuchi_trial(p, info)[1]


def _video(p: Path, opt: StepOptions) -> Activity:
    # pose estimation needs the optional [video] extra; imported only for clips
    from evenstride.steps.video import analyze_video

    return analyze_video(str(p), view=opt.view).activity


_READERS = {
    "imu": _imu,
    "c3d": _c3d,
    "phone": _phone,
    "accel": _accel,
    "runscribe": _runscribe,
    "fukuchi": _fukuchi,
    "video": _video,
}
