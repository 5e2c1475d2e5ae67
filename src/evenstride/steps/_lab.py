# SPDX-License-Identifier: MIT
"""Lab trials (motion capture + force plate) end to end: a Fukuchi text export or a C3D file →
per-step events and metrics per side → :class:`~evenstride.datatypes.Activity`.

>>> from evenstride.steps import read_fukuchi_trial  # doctest: +SKIP
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from evenstride.datatypes import Activity
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import (
    MarkerData,
    c3d_markers,
    read_c3d,
    read_forces,
    read_info_mass,
    read_markers,
)
from evenstride.steps._lab_activity import steps_to_activity
from evenstride.steps._lab_steps import marker_step_metrics, step_metrics
from evenstride.steps._markers import marker_layout
from evenstride.steps._static_calibration import ORIGINS, calibrated_kinematics
from evenstride.steps._table import StepTable

__all__ = ["name_speed_m_s", "read_fukuchi_trial", "read_markers_only_trial", "static_trial_for"]


def read_fukuchi_trial(
    forces_path: str | Path, info_path: str | Path
) -> tuple[StepTable, Activity]:
    """Read ``RBDSxxxrunTss{forces,markers}.txt`` and build the per-step metrics and activity."""
    fp = Path(forces_path)
    mass = read_info_mass(info_path, fp.name)
    fd = read_forces(fp, mass_kg=mass)
    md = read_markers(fp.with_name(fp.name.replace("forces", "markers")))
    steps = step_metrics(fd, md, mass)
    return steps, steps_to_activity(steps, path=fp, speed_m_s=name_speed_m_s(fp.name))


#: Relative difference between the file name's speed and the markers' belt speed that is flagged.
SPEED_MISMATCH = 0.1


def name_speed_m_s(name: str) -> float | None:
    """Treadmill speed from a Fukuchi file name (``runT35`` → 3.5 m/s), else None."""
    m = re.search(r"runT(\d)(\d)", name)
    return float(f"{m.group(1)}.{m.group(2)}") if m else None


def static_trial_for(path: str | Path) -> Path | None:
    """The static calibration trial beside a running C3D (``…_run.c3d`` → ``…_static.c3d``)."""
    p = Path(path)
    if p.suffix.lower() != ".c3d" or "_run" not in p.stem:
        return None
    cand = p.with_name(p.stem.replace("_run", "_static") + p.suffix)
    return cand if cand.is_file() else None


def read_markers_only_trial(
    path: str | Path, *, speed_m_s: float | None = None, static_path: str | Path | None = None
) -> tuple[StepTable, Activity]:
    """Marker-only per-step metrics and activity of a C3D file or a Fukuchi markers export.

    Kinematics: the RBDS running set gives them directly (:mod:`._kinematics`); cluster-only
    files (RIC) need a static trial (``static_path``, or ``…_static.c3d`` beside a
    ``…_run.c3d``): shank angle and knee flexion at IC (:mod:`._static_calibration`). Without
    one the JSON says ``kinematics: "not computed: needs the static calibration trial"``.

    Speed for the step length: ``speed_m_s`` when given, else the belt speed measured from the
    stance foot (:func:`~evenstride.steps._markers.belt_speed_m_s`); a file-name speed
    (``runT35``) that disagrees with the measured one by more than 10 % is flagged.
    """
    p = Path(path)
    is_c3d = p.suffix.lower() == ".c3d"
    md = c3d_markers(read_c3d(p)) if is_c3d else read_markers(p)
    steps = marker_step_metrics(md)
    if not steps.kinematics:
        _add_calibrated_kinematics(steps, md, p, static_path)
    measured = steps.extra.get("belt_speed_from_markers_m_s")
    named = name_speed_m_s(p.name)
    if (
        speed_m_s is None
        and isinstance(measured, float)
        and named is not None
        and abs(measured - named) > SPEED_MISMATCH * named
    ):
        warnings.warn(
            f"{p}: belt speed from the stance foot {measured:.2f} m/s differs from the file "
            f"name's {named:g} m/s; the measured speed is used (--speed overrides)",
            EvenstrideWarning,
            stacklevel=2,
        )
    warnings.warn(
        f"{p}: events from markers only (no force plate); on the validation runner (RBDS001) "
        "they shifted the contact-time symmetry angle by −1.5 and the step-time one by "
        "+1 percentage point (side-specific event biases, docs/steps.md): left/right timing "
        "differences of that size are within the method's error",
        EvenstrideWarning,
        stacklevel=2,
    )
    speed = speed_m_s if speed_m_s is not None else (
        measured if isinstance(measured, float) else None
    )
    act = steps_to_activity(
        steps, path=p, speed_m_s=speed, file_format="c3d" if is_c3d else "fukuchi_txt"
    )
    return steps, act


def _add_calibrated_kinematics(
    steps: StepTable, md: MarkerData, path: Path, static_path: str | Path | None
) -> None:
    sp = Path(static_path) if static_path is not None else static_trial_for(path)
    if sp is None:
        steps.extra["kinematics"] = "not computed: needs the static calibration trial"
        return
    static = c3d_markers(read_c3d(sp)) if sp.suffix.lower() == ".c3d" else read_markers(sp)
    kin, standing = calibrated_kinematics(md, static, marker_layout(md), steps.ic_s, steps.side)
    if not kin:
        steps.extra["kinematics"] = f"not computed: no matching clusters/landmarks in {sp.name}"
        return
    steps.kinematics = kin
    steps.kinematic_origins = {k: ORIGINS[k] for k in kin}
    steps.extra["kinematics"] = f"calibrated on the static trial {sp.name}"
    steps.extra["standing_angles_deg"] = {k: round(v, 1) for k, v in standing.items()}
