# SPDX-License-Identifier: MIT
"""Physical plausibility: one table of the ranges a value can physically take, applied once.

Input: an :class:`~evenstride.datatypes.Activity` from any reader (FIT/TCX/GPX sample streams,
RunScribe CSV, foot/trunk IMU, accelerometer, C3D and text lab exports: every source reaches
:func:`evenstride.pipeline.analyze`, which calls :func:`check_plausibility` before gating).
Output: a copy in which every value outside its range is ``NaN`` (missing), plus one COUNTED
warning per column or channel::

    excluded 37 samples of ground contact time outside 50–2000 ms

A value is never silently absurd (issue 14): a contact time of 1e9 ms, a cadence of 9999, a hip
adduction of 175° or a balance of 100 % is excluded and the warning says how many.

The ranges are *physical plausibility* bounds, not clinical thresholds: they say what a sensor
can have measured on a running or walking human at all, and they are deliberately wide so that
no real recording loses a value (measured on every shared real file: the widest real values are
named in each bound's source and checked in tests/test_plausibility.py). Unless a
row names a source, a bound is an engineering choice, graded ``U`` as science.md asks.

A % left GCT balance is ``100·L/(L+R)``: 0 % and 100 % mean that one foot had no ground contact
at all, which no running or walking step has (single-leg hops are labelled "drill" by gating,
science.md §1.5: Garmin's scale is a share of both feet's contact). So the balance band is the
open interval (0, 100): values at or beyond its ends are excluded.

>>> import numpy as np
>>> from evenstride.datatypes import Activity
>>> act = Activity({"time_s": np.arange(3.0), "cadence_spm": np.array([170.0, 9999.0, 172.0])})
>>> out = check_plausibility(act, emit=False)
>>> out.samples["cadence_spm"].tolist()[1], out.warnings
(nan, ['excluded 1 of 3 samples of cadence outside 0–400 steps/min (implausible values)'])
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, SidedChannel
from evenstride.exceptions import EvenstrideWarning

__all__ = ["BALANCE_RANGE", "COLUMN_RANGES", "METRIC_RANGES", "PhysicalRange",
           "check_plausibility"]


@dataclass(frozen=True)
class PhysicalRange:
    """Inclusive (unless ``open_ends``) range of physically possible values, in the canonical
    unit of the column or metric, with where the bound comes from."""

    name: str
    low: float
    high: float
    #: Canonical unit (``consts.SAMPLE_COLUMN_UNITS`` / ``consts.SIDED_METRIC_UNITS``).
    unit: str
    #: Source of the bound, or "engineering: …" with the reasoning.
    source: str
    #: Evidence grade as in science.md (every engineering bound is ``U``).
    grade: str = "U"
    #: Shown unit and factor from the canonical unit (s → ms).
    display_unit: str = ""
    display_factor: float = 1.0
    #: True when the end points themselves are impossible (balance 0 % and 100 %).
    open_ends: bool = False

    def outside(self, x: np.ndarray) -> np.ndarray:
        """Finite values outside the range (NaN is "missing", never counted)."""
        with np.errstate(invalid="ignore"):
            if self.open_ends:
                bad = (x <= self.low) | (x >= self.high)
            else:
                bad = (x < self.low) | (x > self.high)
        return bad & np.isfinite(x)

    def describe(self) -> str:
        """``"50–2000 ms"``: the range in display units."""
        u = self.display_unit or self.unit
        lo, hi = self.low * self.display_factor, self.high * self.display_factor
        sep = " " if (u and u[0].isalnum()) or u in ("%", "°C", "BW·s") else ""
        if u == "deg":
            u, sep = "°", ""
        return f"{_num(lo)}–{_num(hi)}{sep}{u}"


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    s = f"{x:g}"
    return s.replace("-", "−")


_STEP_RATE = ("engineering: 0 at stops; above 400 steps/min (6.7 steps/s) is beyond any human "
              "step frequency (sprinters reach about 4.5–5 steps/s; elite ultra-runners "
              "155–203 spm, Burns 2019, science.md §4.1); the widest real value is 304")
_CONTACT = ("engineering: a foot contact shorter than 50 ms or longer than 2 s is not a running "
            "or walking step (sprinters' contacts are about 80–100 ms; slow walking stance is "
            "under 1 s; Garmin GCT percentiles 218–308 ms, science.md §4.3); the widest real "
            "values are 56 ms (a balance-derived side) and 1.69 s")
_JOINT = ("engineering: beyond the normal passive range of motion of the joint (AAOS: hip "
          "abduction 45°, adduction 30°; knee flexion 0–140°) with a margin for the static "
          "offset of uncalibrated marker-cluster angles; the widest real values are 46° (peak "
          "hip adduction) and 18° (knee flexion at contact)")

#: Sample-table columns: name → range (canonical units).
COLUMN_RANGES: dict[str, PhysicalRange] = {
    consts.CADENCE_SPM: PhysicalRange("cadence", 0.0, 400.0, "steps/min", _STEP_RATE),
    consts.CONTACT_TIME_S: PhysicalRange("ground contact time", 0.05, 2.0, "s", _CONTACT,
                                         display_unit="ms", display_factor=1000.0),
    consts.CONTACT_TIME_PCT: PhysicalRange(
        "ground contact time share", 0.0, 100.0, "%",
        "definition: a share of the step (Garmin stance_time_percent)"),
    consts.VERTICAL_OSCILLATION_M: PhysicalRange(
        "vertical oscillation", 0.0, 0.5, "m",
        "engineering: running VO is 6–12 cm (Garmin percentiles, science.md §4.3); 50 cm is a "
        "jump, not a stride; the widest real value is 16.9 cm",
        display_unit="cm", display_factor=100.0),
    consts.VERTICAL_RATIO_PCT: PhysicalRange(
        "vertical ratio", 0.0, 100.0, "%",
        "engineering: VO / stride length; typical 6–10 % (science.md §4.3); real values up to "
        "45 % at near-zero stride lengths"),
    consts.STEP_LENGTH_M: PhysicalRange(
        "step length", 0.0, 3.5, "m",
        "engineering: the longest sprint steps are about 2.5–2.8 m; the widest real value is "
        "1.96 m"),
    consts.SPEED_M_S: PhysicalRange(
        "speed", 0.0, 30.0, "m/s",
        "engineering: human running peaks at about 12.4 m/s; 30 m/s also keeps a multisport "
        "file's bike leg (descents); the widest real value is 6.5 m/s"),
    consts.HEART_RATE_BPM: PhysicalRange(
        "heart rate", 20.0, 250.0, "bpm",
        "engineering: outside what a human heart beats (widest real values 56–187 bpm)"),
    consts.POWER_W: PhysicalRange(
        "power", 0.0, 3000.0, "W",
        "engineering: above peak human sprint power (about 2,500 W on a bike, less running); "
        "the widest real value is 549 W"),
    consts.LEG_SPRING_STIFFNESS_KN_M: PhysicalRange(
        "leg spring stiffness", 0.0, 200.0, "kN/m",
        "engineering: running leg stiffness is about 5–30 kN/m; real values 4–28"),
    consts.FORM_POWER_W: PhysicalRange("form power", 0.0, 3000.0, "W", "as power"),
    consts.AIR_POWER_W: PhysicalRange(
        "air power", -1000.0, 3000.0, "W",
        "as power; negative with a tailwind"),
    consts.ALTITUDE_M: PhysicalRange(
        "altitude", -500.0, 9000.0, "m",
        "physical: the Dead Sea shore is at −430 m and Everest at 8,849 m"),
    consts.LAT_DEG: PhysicalRange("latitude", -90.0, 90.0, "deg", "definition (WGS84)"),
    consts.LON_DEG: PhysicalRange("longitude", -180.0, 180.0, "deg", "definition (WGS84)"),
    consts.TEMPERATURE_C: PhysicalRange(
        "temperature", -60.0, 70.0, "°C",
        "engineering: beyond recorded outdoor air temperatures, with sensor warming"),
    consts.DEVICE_GRADE_PCT: PhysicalRange(
        "device grade", -100.0, 100.0, "%", "engineering: steeper than 45° is climbing"),
    consts.DISTANCE_M: PhysicalRange(
        "distance", 0.0, 1.0e7, "m",
        "engineering: negative distance is impossible; 10,000 km is beyond any one activity"),
}

#: % left GCT balance of a balance channel (see module docstring).
BALANCE_RANGE = PhysicalRange(
    "GCT balance", 0.0, 100.0, "%",
    "definition: 100·L/(L+R); 0 % or 100 % means one foot never touched the ground, which no "
    "running or walking step has (science.md §1.5); the widest real values are 22.4–64.0 %",
    open_ends=True)

_G = ("engineering: foot-worn accelerometers saturate at 16–200 g; a running impact is 5–20 g "
      "(RunScribe); real values up to 12.8 g")
_IMPULSE = "engineering: a running contact's impulse is below 1 BW·s (real values 0.02–0.39)"

#: Side-specific metrics (``consts.M_*``): range of each side's value.
METRIC_RANGES: dict[str, PhysicalRange] = {
    consts.M_CONTACT_TIME: COLUMN_RANGES[consts.CONTACT_TIME_S],
    consts.M_IMPACT_G: PhysicalRange("impact", 0.0, 200.0, "g", _G),
    consts.M_BRAKING_G: PhysicalRange("braking", 0.0, 200.0, "g", _G),
    consts.M_SHOCK_G: PhysicalRange("shock", 0.0, 200.0, "g", _G),
    consts.M_PEAK_STANCE_ACC_G: PhysicalRange("peak stance acceleration", 0.0, 200.0, "g", _G),
    consts.M_FOOTSTRIKE: PhysicalRange(
        "foot strike type", 0.0, 16.0, "type (0–15)", "definition: RunScribe's 0–15 scale"),
    consts.M_PRONATION_DEG: PhysicalRange(
        "pronation", -90.0, 90.0, "deg",
        "engineering: a rotation of the foot beyond ±90° is not pronation (real −10°)"),
    consts.M_POWER: PhysicalRange("power", 0.0, 3000.0, "W", "as the power column"),
    consts.M_FLIGHT_RATIO: PhysicalRange(
        "flight ratio", -100.0, 100.0, "%", "definition: a share of the stride"),
    consts.M_STEP_LENGTH: COLUMN_RANGES[consts.STEP_LENGTH_M],
    consts.M_PEAK_VGRF_BW: PhysicalRange(
        "peak vertical force", 0.0, 10.0, "BW",
        "engineering: running peaks are 2–3 BW, sprinting about 4–5 BW; real 2.1–2.6 BW"),
    consts.M_LOADING_RATE_BW_S: PhysicalRange(
        "loading rate", 0.0, 1000.0, "BW/s",
        "engineering: running loading rates are 30–150 BW/s; real 24–41 BW/s"),
    consts.M_STEP_TIME: PhysicalRange(
        "step time", 0.1, 2.0, "s",
        "engineering: a step shorter than 0.1 s or longer than 2 s is no running or walking "
        "step (real 0.25–0.41 s)", display_unit="ms", display_factor=1000.0),
    consts.M_FLIGHT_TIME: PhysicalRange(
        "flight time", -1.0, 1.0, "s",
        "engineering: flight of a running step is under 0.2 s and double support of a walk "
        "under 0.3 s (real −0.14–0.15 s)", display_unit="ms", display_factor=1000.0),
    consts.M_DUTY_FACTOR: PhysicalRange(
        "duty factor", 0.0, 100.0, "%", "definition: contact / stride time"),
    consts.M_VERTICAL_IMPULSE_BW_S: PhysicalRange(
        "vertical impulse", 0.0, 2.0, "BW·s", _IMPULSE),
    consts.M_BRAKING_IMPULSE_BW_S: PhysicalRange("braking impulse", 0.0, 1.0, "BW·s", _IMPULSE),
    consts.M_PROPULSIVE_IMPULSE_BW_S: PhysicalRange(
        "propulsive impulse", 0.0, 1.0, "BW·s", _IMPULSE),
    consts.M_SHANK_ANGLE_IC_DEG: PhysicalRange(
        "shank angle at contact", -90.0, 90.0, "deg",
        "engineering: a shank beyond horizontal at contact (real 1–20°)"),
    consts.M_FOOT_AHEAD_IC_MM: PhysicalRange(
        "foot ahead of the pelvis at contact", -1500.0, 1500.0, "mm",
        "engineering: farther than a leg length from the pelvis (real 170–254 mm)"),
    consts.M_PELVIC_DROP_DEG: PhysicalRange(
        "pelvic drop", -45.0, 45.0, "deg",
        "engineering: running pelvic drop is under 10° (real 1–6°)"),
    consts.M_KNEE_FLEXION_IC_DEG: PhysicalRange(
        "knee flexion at contact", -45.0, 160.0, "deg", _JOINT),
    consts.M_HIP_ADDUCTION_IC_DEG: PhysicalRange(
        "hip adduction at contact", -60.0, 60.0, "deg", _JOINT),
    consts.M_HIP_ADDUCTION_PEAK_DEG: PhysicalRange(
        "peak hip adduction", -60.0, 60.0, "deg", _JOINT),
    # video (2D pose, issue 16): distances as a share of the leg length measured in the clip
    consts.M_FOOT_AHEAD_IC_PCT_LEG: PhysicalRange(
        "foot ahead of the hip at contact", -100.0, 100.0, "% leg",
        "engineering: farther than a leg length from the hip (real about 15–30 % leg)"),
    consts.M_KNEE_FLEXION_MIDSTANCE_DEG: PhysicalRange(
        "knee flexion at mid-stance", -45.0, 160.0, "deg", _JOINT),
    consts.M_TRUNK_LEAN_DEG: PhysicalRange(
        "trunk lean", -60.0, 80.0, "deg",
        "engineering: a trunk leaning past 60° back or 80° forward while running (real 2–15°)"),
    consts.M_KNEE_FPPA_DEG: PhysicalRange(
        "knee frontal projection angle", -90.0, 90.0, "deg",
        "engineering: a 2D knee angle beyond a right angle (real within ±20°)"),
    consts.M_STEP_WIDTH_PCT_LEG: PhysicalRange(
        "step width", -100.0, 100.0, "% leg",
        "engineering: a foot a leg length across the body's line (real about 0–15 % leg)"),
}


def _message(rng: PhysicalRange, n_bad: int, n_total: int, what: str, detail: str = "") -> str:
    return (f"excluded {n_bad} of {n_total} {what} of {rng.name}{detail} outside "
            f"{rng.describe()} (implausible values)")


def check_plausibility(act: Activity, *, emit: bool = True) -> Activity:
    """``act`` with every physically impossible value set to ``NaN`` and one counted warning per
    affected column or channel (appended to ``warnings``; also raised as
    :class:`EvenstrideWarning` when ``emit``). Returns ``act`` itself when nothing is excluded,
    so applying it twice changes nothing and warns once."""
    notes: list[str] = []
    samples = dict(act.samples)
    excluded: dict[str, np.ndarray] = {}
    for col, rng in COLUMN_RANGES.items():
        x = samples.get(col)
        if x is None:
            continue
        bad = rng.outside(x)
        k = int(bad.sum())
        if k:
            samples[col] = np.where(bad, np.nan, x)
            excluded[col] = bad
            notes.append(_message(rng, k, int(np.isfinite(x).sum()), "samples"))
    sided: list[SidedChannel] = []
    for ch in act.sided:
        sided.append(_check_channel(ch, notes, excluded.get(_MEAN_COLUMN.get(ch.metric, ""))))
    if not notes:
        return act
    path = act.meta.path
    if emit:
        for msg in notes:
            warnings.warn(f"{path}: {msg}" if path else msg, EvenstrideWarning, stacklevel=2)
    return Activity(samples=samples, sided=sided, meta=act.meta,
                    warnings=[*act.warnings, *notes])


#: The bilateral mean column that the sides of a balance-derived channel are computed from.
_MEAN_COLUMN = {consts.M_CONTACT_TIME: consts.CONTACT_TIME_S}


def _check_channel(ch: SidedChannel, notes: list[str],
                   mean_excluded: np.ndarray | None) -> SidedChannel:
    changes: dict[str, Any] = {}
    left, right, bal = ch.left, ch.right, ch.balance_left_pct
    if (mean_excluded is not None and ch.derived_from_balance and left is not None
            and right is not None):
        # sides = 2·mean·b/100 and 2·mean·(1 − b/100): an excluded mean (counted with its
        # column) leaves no side value; the balance itself is still a valid share
        left = np.where(mean_excluded, np.nan, left)
        right = np.where(mean_excluded, np.nan, right)
        changes["left"], changes["right"] = left, right
    if bal is not None:
        bad = BALANCE_RANGE.outside(bal)
        k = int(bad.sum())
        if k:
            notes.append(_message(BALANCE_RANGE, k, int(np.isfinite(bal).sum()), "samples",
                                  f" ({ch.source})"))
            bal = np.where(bad, np.nan, bal)
            changes["balance_left_pct"] = bal
            if left is not None and right is not None and ch.derived_from_balance:
                left = np.where(bad, np.nan, left)
                right = np.where(bad, np.nan, right)
                changes["left"], changes["right"] = left, right
    rng = METRIC_RANGES.get(ch.metric)
    # sides derived from a balance and the mean column are not measurements of their own: the
    # balance (above) and the mean column (COLUMN_RANGES) are what is checked; a 98 % drill
    # balance legitimately derives a 10 ms "right contact"
    if rng is not None and left is not None and right is not None and not ch.derived_from_balance:
        bl, br = rng.outside(left), rng.outside(right)
        kl, kr = int(bl.sum()), int(br.sum())
        if kl or kr:
            n_fin = int(np.isfinite(left).sum() + np.isfinite(right).sum())
            left = np.where(bl, np.nan, left)
            right = np.where(br, np.nan, right)
            changes["left"], changes["right"] = left, right
            notes.append(_message(rng, kl + kr, n_fin, "values",
                                  f" ({kl} left, {kr} right; {ch.source})"))
    if not changes:
        return ch
    return dataclasses.replace(ch, **changes)
