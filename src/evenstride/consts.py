# SPDX-License-Identifier: MIT
"""The column vocabulary, defined once.

Sample tables (one row per recorded sample, usually 1 Hz for watches) are
``dict[str, numpy.ndarray]`` keyed by the names below; every array is float64 with ``NaN`` for
"missing". Units are in the names.
Code outside this module refers to columns through these constants, never through string literals.

Side-specific quantities are not columns of the sample table: they live in
:class:`evenstride.datatypes.SidedChannel` objects (one per metric and source) whose arrays are
aligned with the sample table.
"""

from __future__ import annotations

from typing import Final, Literal

#: The two sides, in the order used everywhere (left first).
SIDES: Final = ("left", "right")
Side = Literal["left", "right"]

# --- sample table columns -------------------------------------------------------------------
#: Seconds since the start of the activity (first sample of the first analysed leg is not
#: necessarily 0: multisport legs keep their offset from the activity start).
TIME_S: Final = "time_s"
#: Absolute time, seconds since the Unix epoch (UTC).
TIMESTAMP_S: Final = "timestamp_s"
#: Cumulative distance in metres.
DISTANCE_M: Final = "distance_m"
#: Horizontal speed in m/s.
SPEED_M_S: Final = "speed_m_s"
#: Altitude in metres.
ALTITUDE_M: Final = "altitude_m"
#: Latitude and longitude in degrees (WGS84).
LAT_DEG: Final = "lat_deg"
LON_DEG: Final = "lon_deg"
#: Heart rate in beats per minute.
HEART_RATE_BPM: Final = "heart_rate_bpm"
#: Cadence in steps per minute (both feet; FIT's running cadence is strides/min and is doubled).
CADENCE_SPM: Final = "cadence_spm"
#: Running power in watts.
POWER_W: Final = "power_w"
#: Mean ground contact time of both feet, seconds.
CONTACT_TIME_S: Final = "contact_time_s"
#: Ground contact time as a share of the step (Garmin ``stance_time_percent``; NOT a balance).
CONTACT_TIME_PCT: Final = "contact_time_pct"
#: Vertical oscillation of the torso, metres.
VERTICAL_OSCILLATION_M: Final = "vertical_oscillation_m"
#: Vertical oscillation / step length x 100, percent.
VERTICAL_RATIO_PCT: Final = "vertical_ratio_pct"
#: Step length in metres.
STEP_LENGTH_M: Final = "step_length_m"
#: Leg spring stiffness (Stryd), kN/m.
LEG_SPRING_STIFFNESS_KN_M: Final = "leg_spring_stiffness_kn_m"
#: Form power (Stryd), watts.
FORM_POWER_W: Final = "form_power_w"
#: Air power (Stryd), watts.
AIR_POWER_W: Final = "air_power_w"
#: Grade reported by the device, percent (rare; we compute our own from altitude).
DEVICE_GRADE_PCT: Final = "device_grade_pct"
#: Temperature in °C.
TEMPERATURE_C: Final = "temperature_c"

#: Every column a reader may put into a sample table, with its unit (for reports and JSON).
SAMPLE_COLUMN_UNITS: Final[dict[str, str]] = {
    TIME_S: "s",
    TIMESTAMP_S: "s",
    DISTANCE_M: "m",
    SPEED_M_S: "m/s",
    ALTITUDE_M: "m",
    LAT_DEG: "deg",
    LON_DEG: "deg",
    HEART_RATE_BPM: "bpm",
    CADENCE_SPM: "steps/min",
    POWER_W: "W",
    CONTACT_TIME_S: "s",
    CONTACT_TIME_PCT: "%",
    VERTICAL_OSCILLATION_M: "m",
    VERTICAL_RATIO_PCT: "%",
    STEP_LENGTH_M: "m",
    LEG_SPRING_STIFFNESS_KN_M: "kN/m",
    FORM_POWER_W: "W",
    AIR_POWER_W: "W",
    DEVICE_GRADE_PCT: "%",
    TEMPERATURE_C: "°C",
}

# --- side-specific metrics (SidedChannel.metric) ---------------------------------------------
#: Ground contact time per foot, seconds (from Garmin/COROS balance + mean, or per-foot pods).
M_CONTACT_TIME: Final = "contact_time"
#: Peak impact acceleration per foot, g (RunScribe).
M_IMPACT_G: Final = "impact_g"
#: Peak braking acceleration per foot, g (RunScribe).
M_BRAKING_G: Final = "braking_g"
#: Foot strike type per foot, RunScribe scale 0 (heel) … 15 (toe).
M_FOOTSTRIKE: Final = "footstrike_type"
#: Maximum pronation excursion per foot, degrees (negative = pronation).
M_PRONATION_DEG: Final = "pronation_deg"
#: Power per foot, watts (RunScribe).
M_POWER: Final = "power"
#: Flight ratio / other per-foot values a pod may report.
M_FLIGHT_RATIO: Final = "flight_ratio"
#: Step length per foot, m.
M_STEP_LENGTH: Final = "step_length"
#: Shock/ impact (RunScribe "shock"), g.
M_SHOCK_G: Final = "shock_g"
#: Peak vertical ground reaction force per foot, body weights (force plate).
M_PEAK_VGRF_BW: Final = "peak_vgrf_bw"
#: Average vertical loading rate per foot, body weights per second (force plate).
M_LOADING_RATE_BW_S: Final = "loading_rate_bw_s"
#: Step time per side, seconds (trunk sensors: the step that ends on that side's contact).
M_STEP_TIME: Final = "step_time"
#: Flight time per side, seconds: this foot's toe-off to the other foot's next initial contact
#: (≤ 0 means double support, i.e. walking).
M_FLIGHT_TIME: Final = "flight_time"
#: Duty factor per side, %: contact time / stride time (force plate).
M_DUTY_FACTOR: Final = "duty_factor"
#: Vertical impulse per contact, body-weight seconds (force plate).
M_VERTICAL_IMPULSE_BW_S: Final = "vertical_impulse_bw_s"
#: Braking impulse per contact as a magnitude, body-weight seconds (force plate, AP force
#: opposite to the direction of running).
M_BRAKING_IMPULSE_BW_S: Final = "braking_impulse_bw_s"
#: Propulsive impulse per contact, body-weight seconds (force plate).
M_PROPULSIVE_IMPULSE_BW_S: Final = "propulsive_impulse_bw_s"
#: Peak acceleration magnitude during stance, g, gravity included (foot/shank IMU).
M_PEAK_STANCE_ACC_G: Final = "peak_stance_acc_g"
#: Sagittal shank angle from vertical at initial contact, degrees (markers; + = foot ahead of
#: the knee).
M_SHANK_ANGLE_IC_DEG: Final = "shank_angle_ic_deg"
#: Forward distance of the heel ahead of the pelvis at initial contact, mm (markers; overstride).
M_FOOT_AHEAD_IC_MM: Final = "foot_ahead_ic_mm"
#: Contralateral pelvic drop at mid-stance, degrees (markers; + = swing side lower).
M_PELVIC_DROP_DEG: Final = "pelvic_drop_deg"
#: Knee flexion at initial contact, degrees (markers; thigh vs shank cluster axes, uncalibrated).
M_KNEE_FLEXION_IC_DEG: Final = "knee_flexion_ic_deg"
#: Hip adduction at initial contact, degrees (markers; frontal-plane thigh-cluster axis vs the
#: pelvis, uncalibrated; + = knee toward the midline).
M_HIP_ADDUCTION_IC_DEG: Final = "hip_adduction_ic_deg"
#: Peak hip adduction during stance, degrees (as :data:`M_HIP_ADDUCTION_IC_DEG`).
M_HIP_ADDUCTION_PEAK_DEG: Final = "hip_adduction_peak_deg"
#: Video (2D pose): heel ahead of the hip centre at initial contact, % of leg length (overstride).
M_FOOT_AHEAD_IC_PCT_LEG: Final = "foot_ahead_ic_pct_leg"
#: Video (2D pose): knee flexion at mid-stance (foot under the hip), degrees.
M_KNEE_FLEXION_MIDSTANCE_DEG: Final = "knee_flexion_midstance_deg"
#: Video (2D pose): trunk lean from vertical at this side's mid-stance, degrees (+ = forward).
M_TRUNK_LEAN_DEG: Final = "trunk_lean_deg"
#: Video (2D pose, rear/front view): frontal-plane knee projection angle at mid-stance, degrees
#: (+ = knee medial of the hip–ankle line).
M_KNEE_FPPA_DEG: Final = "knee_fppa_deg"
#: Video (2D pose, rear/front view): lateral distance to the previous contact of the other foot,
#: % of leg length.
M_STEP_WIDTH_PCT_LEG: Final = "step_width_pct_leg"

#: Unit of each side-specific metric.
SIDED_METRIC_UNITS: Final[dict[str, str]] = {
    M_CONTACT_TIME: "s",
    M_IMPACT_G: "g",
    M_BRAKING_G: "g",
    M_FOOTSTRIKE: "type (0–15)",
    M_PRONATION_DEG: "deg",
    M_POWER: "W",
    M_FLIGHT_RATIO: "%",
    M_STEP_LENGTH: "m",
    M_SHOCK_G: "g",
    M_PEAK_VGRF_BW: "BW",
    M_LOADING_RATE_BW_S: "BW/s",
    M_STEP_TIME: "s",
    M_FLIGHT_TIME: "s",
    M_DUTY_FACTOR: "%",
    M_VERTICAL_IMPULSE_BW_S: "BW·s",
    M_BRAKING_IMPULSE_BW_S: "BW·s",
    M_PROPULSIVE_IMPULSE_BW_S: "BW·s",
    M_PEAK_STANCE_ACC_G: "g",
    M_SHANK_ANGLE_IC_DEG: "deg",
    M_FOOT_AHEAD_IC_MM: "mm",
    M_PELVIC_DROP_DEG: "deg",
    M_KNEE_FLEXION_IC_DEG: "deg",
    M_HIP_ADDUCTION_IC_DEG: "deg",
    M_HIP_ADDUCTION_PEAK_DEG: "deg",
    M_FOOT_AHEAD_IC_PCT_LEG: "% leg",
    M_KNEE_FLEXION_MIDSTANCE_DEG: "deg",
    M_TRUNK_LEAN_DEG: "deg",
    M_KNEE_FPPA_DEG: "deg",
    M_STEP_WIDTH_PCT_LEG: "% leg",
}

#: Display decimals of per-side values and L − R differences by unit, where the outputs'
#: defaults (1 decimal in the terminal, 2 in HTML) lose the number (issue 10): impulses are
#: 0.01–0.4 BW·s, so 4 decimals keep ≥ 3 significant digits of the smallest (braking 0.019);
#: step lengths of 0.9–1.4 m need centimetres. JSON keeps 5 decimals. Engineering choice.
UNIT_DISPLAY_DECIMALS: Final[dict[str, int]] = {"BW·s": 4, "m": 2}

# --- sources (SidedChannel.source) ------------------------------------------------------------
#: Garmin-style running dynamics from a chest strap, pod or watch (stance_time_balance).
SRC_RUNNING_DYNAMICS: Final = "running_dynamics"
#: RunScribe foot pods (one per foot), via FIT developer fields.
SRC_RUNSCRIBE: Final = "runscribe"
#: Stryd foot pod developer fields.
SRC_STRYD: Final = "stryd"
#: A simulated run (ground truth known).
SRC_SIMULATED: Final = "simulated"

# --- sub-sports -----------------------------------------------------------------------------------
#: Sub-sports of a run indoors (no road, no GPS course): the surface is "treadmill".
INDOOR_SUB_SPORTS: Final = frozenset({"treadmill", "indoor_running", "virtual_activity"})
