# SPDX-License-Identifier: MIT
"""Turn per-step force-plate metrics into an :class:`~evenstride.datatypes.Activity`.

One sample row per LEFT stride: ``time_s`` = left IC, ``cadence_spm`` = 120 / stride time,
``contact_time_s`` = mean of the left contact and the following right contact; the side
channels hold that stride's left and right values.

Channels (source :data:`SRC_FORCE_PLATE` for force-derived values, :data:`SRC_MARKERS` for
marker kinematics at the force contacts): contact time, peak vGRF (BW), loading rate (BW/s), and
— when the markers are the RBDS running set — shank angle at IC, foot ahead of the pelvis at IC
(mm), pelvic drop at mid-stance, knee flexion at IC and hip adduction at IC / peak in stance
(degrees). The kinematic metrics are not ratio-scale: the engine compares them as L − R
differences in their unit, and none has a reference band (science.md gives only a general
"2–3° L–R kinematic differences are expected"), so they are judged "real or within noise" only.

Marker-only trials (:mod:`._markers`, ``StepTable.event_source == "markers"``): the timing
channels (contact, step, flight time, duty factor, step length) have source :data:`SRC_MARKERS`
and there are no force channels; the kinematics of cluster-only files come from the static trial
(:mod:`._static_calibration`) and carry their own origin text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.exceptions import NotEnoughDataError
from evenstride.steps._table import StepTable

#: Side-specific metrics of this package (consts.py belongs to the core).
M_PEAK_VGRF_BW = consts.M_PEAK_VGRF_BW
M_LOADING_RATE_BW_S = consts.M_LOADING_RATE_BW_S
SRC_FORCE_PLATE = "force_plate"
#: ``SidedChannel.source`` of marker kinematics (motion capture) at the force-plate contacts.
SRC_MARKERS = "markers"

#: Origin text of each kinematic channel (shown in reports).
_KINEMATIC_ORIGINS = {
    consts.M_SHANK_ANGLE_IC_DEG: "sagittal shank-cluster axis from vertical at IC (+ = foot "
    "ahead of knee); cluster stands in for the tibia",
    consts.M_FOOT_AHEAD_IC_MM: "heel ahead of the PSIS midpoint along the belt at IC "
    "(overstride; no validated cut-off)",
    consts.M_PELVIC_DROP_DEG: "ASIS-line obliquity at mid-stance, swing side lower = +, trial "
    "mean removed",
    consts.M_KNEE_FLEXION_IC_DEG: "thigh- vs shank-cluster axes at IC, uncalibrated",
    consts.M_HIP_ADDUCTION_IC_DEG: "frontal thigh-cluster axis vs pelvis at IC, uncalibrated "
    "(no hip-joint-centre landmark)",
    consts.M_HIP_ADDUCTION_PEAK_DEG: "peak frontal thigh-cluster axis vs pelvis in stance, "
    "uncalibrated (no hip-joint-centre landmark)",
}


def steps_to_activity(
    steps: StepTable,
    *,
    path: str | Path | None = None,
    speed_m_s: float | None = None,
    file_format: str = "fukuchi_txt",
) -> Activity:
    """Build the activity (see module docstring); ``speed_m_s`` is the treadmill speed.

    With marker-only events (``steps.event_source == "markers"``) the timing channels have source
    :data:`SRC_MARKERS`, the force channels are left out, and a stride row needs a left contact
    followed by a right one and the next left one (a missed contact drops that stride).
    """
    markers_only = steps.event_source == "markers"
    left = np.nonzero(steps.side == "left")[0]
    left = left[left + 2 < steps.n_contacts]  # needs the right contact and the next left IC
    left = left[(steps.side[left + 1] == "right") & (steps.side[left + 2] == "left")]
    if len(left) < 2:
        raise NotEnoughDataError("fewer than 2 complete left strides", path=path)
    r = left + 1
    t = steps.ic_s[left]
    stride = steps.ic_s[left + 2] - t
    samples = {
        consts.TIME_S: t.astype(float),
        consts.CADENCE_SPM: 120.0 / stride,
        consts.CONTACT_TIME_S: 0.5 * (steps.contact_time_s[left] + steps.contact_time_s[r]),
    }
    if speed_m_s is not None:
        samples[consts.SPEED_M_S] = np.full(len(t), float(speed_m_s))
    ev_src = SRC_MARKERS if markers_only else SRC_FORCE_PLATE
    ev_name = "foot-marker events" if markers_only else "force"

    def ch(
        metric: str, unit: str, arr: np.ndarray, origin: str, source: str = SRC_FORCE_PLATE
    ) -> SidedChannel:
        return SidedChannel(
            metric,
            source,
            unit,
            left=arr[left].astype(float),
            right=arr[r].astype(float),
            origin=origin,
        )

    # the step that ends on this side's contact (as for trunk sensors): previous IC → this IC
    step_in = np.full(steps.n_contacts, np.nan)
    step_in[1:] = np.where(steps.side[1:] != steps.side[:-1], np.diff(steps.ic_s), np.nan)
    sided = [
        ch(consts.M_CONTACT_TIME, "s", steps.contact_time_s,
           "foot-marker IC to TC (foot pitch rate, Falbriard 2018 rules)" if markers_only
           else "vertical force > 50 N", ev_src),
        ch(consts.M_STEP_TIME, "s", step_in, f"other foot's IC to this foot's IC ({ev_name})",
           ev_src),
        ch(consts.M_FLIGHT_TIME, "s", steps.flight_time_s,
           f"this foot's toe-off to the other foot's IC ({ev_name})", ev_src),
        ch(consts.M_DUTY_FACTOR, "%", 100.0 * steps.duty_factor,
           f"contact time / stride time ({ev_name})", ev_src),
    ]
    if not markers_only:
        sided += [
            ch(consts.M_VERTICAL_IMPULSE_BW_S, "BW·s", steps.vertical_impulse_bw_s,
               "∫ vertical force dt / body weight over stance"),
            ch(consts.M_BRAKING_IMPULSE_BW_S, "BW·s", np.abs(steps.braking_impulse_bw_s),
               "|∫ backward AP force dt| / body weight over stance"),
            ch(consts.M_PROPULSIVE_IMPULSE_BW_S, "BW·s", steps.propulsive_impulse_bw_s,
               "∫ forward AP force dt / body weight over stance"),
            ch(M_PEAK_VGRF_BW, "BW", steps.peak_vgrf_bw, "max vertical force / body weight"),
            ch(
                M_LOADING_RATE_BW_S,
                "BW/s",
                steps.loading_rate_bw_s,
                "mean vertical loading rate, first 50 ms after IC",
            ),
        ]
    if speed_m_s is not None:  # treadmill: step length = belt speed × step time
        sided.append(ch(consts.M_STEP_LENGTH, "m", float(speed_m_s) * step_in,
                        f"treadmill speed × step time ({ev_name})", ev_src))
    for metric, arr in steps.kinematics.items():
        if np.isfinite(arr[left]).any() and np.isfinite(arr[r]).any():
            sided.append(
                ch(
                    metric,
                    consts.SIDED_METRIC_UNITS[metric],
                    arr,
                    steps.kinematic_origins.get(
                        metric, _KINEMATIC_ORIGINS.get(metric, "marker kinematics")
                    ),
                    SRC_MARKERS,
                )
            )
    extra: dict[str, object] = {
        "side_consistency": steps.side_consistency,
        "n_contacts": steps.n_contacts,
        "event_source": steps.event_source,
    }
    if not markers_only:
        extra["ap_axis"] = steps.ap_axis
    extra.update(steps.extra)
    treadmill = not markers_only or "belt_speed_from_markers_m_s" in steps.extra
    meta = ActivityMeta(
        path=None if path is None else str(path),
        file_format=file_format,
        sport="running",
        sub_sport="treadmill" if treadmill else None,
        devices=["motion capture"] if markers_only else ["instrumented treadmill"],
        indoor=treadmill,
        extra=extra,
    )
    return Activity(samples=samples, sided=sided, meta=meta)
