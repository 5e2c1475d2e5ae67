# SPDX-License-Identifier: MIT
"""Lab data (motion capture + force plate): per-step events and metrics per side.

>>> from evenstride.lab import read_fukuchi_trial  # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path

from evenstride.datatypes import Activity
from evenstride.lab._force_events import (
    Steps,
    agreement_ms,
    curve_agreement,
    event_agreement,
    foot_velocity_events,
    force_contacts,
    forward_sign,
    marker_events,
    processed_stance_curve,
    step_metrics,
)
from evenstride.lab._fukuchi import (
    ForceData,
    MarkerData,
    read_forces,
    read_info_mass,
    read_markers,
    read_processed,
)
from evenstride.lab._to_activity import (
    M_LOADING_RATE_BW_S,
    M_PEAK_VGRF_BW,
    SRC_FORCE_PLATE,
    SRC_MARKERS,
    steps_to_activity,
)

__all__ = [
    "M_LOADING_RATE_BW_S",
    "M_PEAK_VGRF_BW",
    "SRC_FORCE_PLATE",
    "SRC_MARKERS",
    "ForceData",
    "MarkerData",
    "Steps",
    "agreement_ms",
    "curve_agreement",
    "event_agreement",
    "foot_velocity_events",
    "force_contacts",
    "forward_sign",
    "marker_events",
    "processed_stance_curve",
    "read_forces",
    "read_fukuchi_trial",
    "read_info_mass",
    "read_markers",
    "read_processed",
    "step_metrics",
    "steps_to_activity",
]


def read_fukuchi_trial(forces_path: str | Path, info_path: str | Path) -> tuple[Steps, Activity]:
    """Read ``RBDSxxxrunTss{forces,markers}.txt`` and build the per-step metrics and activity."""
    fp = Path(forces_path)
    mass = read_info_mass(info_path, fp.name)
    fd = read_forces(fp, mass_kg=mass)
    md = read_markers(fp.with_name(fp.name.replace("forces", "markers")))
    steps = step_metrics(fd, md, mass)
    m = re.search(r"runT(\d)(\d)", fp.name)
    speed = float(f"{m.group(1)}.{m.group(2)}") if m else None
    return steps, steps_to_activity(steps, path=fp, speed_m_s=speed)
