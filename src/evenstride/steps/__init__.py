# SPDX-License-Identifier: MIT
"""Per-step analysis from two foot-worn IMUs: read → detect IC/TC → per-step metrics → Activity.

>>> from evenstride.steps import FalbriardEventDetection, step_metrics, to_activity
>>> from evenstride.steps.simulate_imu import simulate_imu_run
>>> sim = simulate_imu_run(duration_s=60, seed=2)
>>> det = FalbriardEventDetection().detect(sim.recording, sampling_rate_hz=200.0)
>>> act = to_activity(step_metrics(det.steps_, sim.recording))
>>> act.sided[0].key
'contact_time/foot_imu'

:func:`activity_from_imu` does the whole chain for a file; the result goes to
:func:`evenstride.pipeline.analyze`.
"""

from __future__ import annotations

import os

from evenstride.datatypes import Activity
from evenstride.io import (
    ImuRecording,
    SensorData,
    read_gaitmap_csv,
    read_generic_csv,
    read_imu,
    write_generic_csv,
)
from evenstride.steps._document import steps_document, stride_variability
from evenstride.steps._falbriard import FalbriardEventDetection, SideEvents, lowpass
from evenstride.steps._force import (
    Steps,
    agreement_ms,
    curve_agreement,
    event_agreement,
    foot_velocity_events,
    force_contacts,
    forward_sign,
    marker_events,
    processed_stance_curve,
)
from evenstride.steps._force import step_metrics as force_step_metrics
from evenstride.steps._lab import read_fukuchi_trial, read_markers_only_trial
from evenstride.steps._lab_activity import (
    M_LOADING_RATE_BW_S,
    M_PEAK_VGRF_BW,
    SRC_FORCE_PLATE,
    SRC_MARKERS,
    steps_to_activity,
)
from evenstride.steps._markers import (
    foot_pitch_events,
    marker_contacts,
    marker_layout,
    marker_step_metrics,
)
from evenstride.steps._recording import StepOptions, read_recording
from evenstride.steps._to_activity import SRC_FOOT_IMU, StepTable, step_metrics, to_activity

__all__ = [
    "M_LOADING_RATE_BW_S",
    "M_PEAK_VGRF_BW",
    "SRC_FOOT_IMU",
    "SRC_FORCE_PLATE",
    "SRC_MARKERS",
    "FalbriardEventDetection",
    "ImuRecording",
    "SensorData",
    "SideEvents",
    "StepOptions",
    "StepTable",
    "Steps",
    "activity_from_imu",
    "activity_from_recording",
    "agreement_ms",
    "curve_agreement",
    "event_agreement",
    "foot_pitch_events",
    "foot_velocity_events",
    "force_contacts",
    "force_step_metrics",
    "forward_sign",
    "lowpass",
    "marker_contacts",
    "marker_events",
    "marker_layout",
    "marker_step_metrics",
    "processed_stance_curve",
    "read_fukuchi_trial",
    "read_gaitmap_csv",
    "read_generic_csv",
    "read_imu",
    "read_markers_only_trial",
    "read_recording",
    "step_metrics",
    "steps_document",
    "steps_to_activity",
    "stride_variability",
    "to_activity",
    "write_generic_csv",
]


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
