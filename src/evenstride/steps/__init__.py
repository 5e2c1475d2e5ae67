# SPDX-License-Identifier: MIT
"""② Steps: samples of a raw recording → contacts and sides → one :class:`StepTable` →
:class:`~evenstride.datatypes.Activity` (one row per left stride, side-labelled channels).

Every detector is a :class:`StepDetector`: two foot IMUs (:class:`FalbriardEventDetection`),
one trunk IMU or phone (``TrunkImuSteps``), one leg's accelerometer
(``OneSideStrideDetection``), a force plate (:class:`ForcePlateDetection`) and foot markers
(:class:`MarkerDetection`). :func:`read_recording` runs the whole chain for any recording file
(the format from its content); the readers themselves are in :mod:`evenstride.io`.

>>> from evenstride.steps import FalbriardEventDetection, step_metrics, to_activity
>>> from evenstride.steps.simulate_imu import simulate_imu_run
>>> sim = simulate_imu_run(duration_s=60, seed=2)
>>> det = FalbriardEventDetection().detect(sim.recording, sampling_rate_hz=200.0)
>>> act = to_activity(step_metrics(det.steps_, sim.recording))
>>> act.sided[0].key
'contact_time/foot_imu'

:func:`activity_from_imu` does the whole chain for a foot-IMU file; the result goes to
:func:`evenstride.pipeline.analyze`.
"""

from __future__ import annotations

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
    agreement_ms,
    curve_agreement,
    event_agreement,
    foot_velocity_events,
    force_contacts,
    forward_sign,
    marker_events,
    processed_stance_curve,
)
from evenstride.steps._lab import read_fukuchi_trial, read_markers_only_trial
from evenstride.steps._lab_activity import (
    M_LOADING_RATE_BW_S,
    M_PEAK_VGRF_BW,
    SRC_FORCE_PLATE,
    SRC_MARKERS,
    steps_to_activity,
)
from evenstride.steps._lab_steps import ForcePlateDetection, MarkerDetection, marker_step_metrics
from evenstride.steps._lab_steps import step_metrics as force_step_metrics
from evenstride.steps._markers import foot_pitch_events, marker_contacts, marker_layout
from evenstride.steps._recording import (
    StepOptions,
    activity_from_imu,
    activity_from_recording,
    read_recording,
)
from evenstride.steps._table import StepDetector, StepTable
from evenstride.steps._to_activity import SRC_FOOT_IMU, step_metrics, to_activity

__all__ = [
    "M_LOADING_RATE_BW_S",
    "M_PEAK_VGRF_BW",
    "SRC_FOOT_IMU",
    "SRC_FORCE_PLATE",
    "SRC_MARKERS",
    "FalbriardEventDetection",
    "ForcePlateDetection",
    "ImuRecording",
    "MarkerDetection",
    "SensorData",
    "SideEvents",
    "StepDetector",
    "StepOptions",
    "StepTable",
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
