# SPDX-License-Identifier: MIT
"""What each side-specific metric means, defined once.

One :class:`MetricSpec` per metric (``consts.M_*``) and per drifting form column. It is the ONE
place that says

- how the metric is called and in which unit it is shown;
- its scale: ``"ratio"`` (positive values: symmetry angle, balance) or ``"difference"`` (values
  that are signed or cross zero: left − right in the metric's unit);
- which side "does more" for a given left − right sign, in words. For most metrics the larger
  value is "more"; for pronation the more NEGATIVE value is more pronation
  (``more_is_larger=False``), so the words must name the foot whose value is lower;
- its smallest important difference (SID): an effect below it may be statistically real for this
  run but is too small to matter, so it is described in the tables and never made a headline. Each
  SID carries its source and evidence grade (``V``/``S``/``U`` as in science.md). Where science.md
  gives no value the SID is an engineering choice, labelled so and graded ``U``.

The findings text, the terminal tables and the HTML report read names, units and "larger side"
words from here.

Examples
--------
>>> spec("pronation_deg").side_doing_more(-4.6)   # left − right = −4.6°: left more negative
'left'
>>> spec("pronation_deg").more_phrase("left")
'your left foot pronates more'
>>> spec("contact_time").sid.value, spec("contact_time").sid.scale
(1.2, 'symmetry_angle_pct')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evenstride import consts


@dataclass(frozen=True)
class SmallestImportantDifference:
    """The smallest effect worth a headline, with where the number comes from."""

    #: Magnitude on ``scale`` (always positive).
    value: float
    #: ``"symmetry_angle_pct"`` (ratio metrics), ``"difference"`` (left − right, metric unit) or
    #: ``"change"`` (a drifting form column: last quarter − first quarter, column unit).
    scale: str
    #: Short citation, or "engineering choice: …".
    source: str
    #: ``"V"``, ``"S"`` or ``"U"`` (science.md); every engineering choice is ``"U"``.
    grade: str

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "scale": self.scale, "source": self.source,
                "grade": self.grade}


@dataclass(frozen=True)
class MetricSpec:
    """Meaning of one metric (see module docstring)."""

    metric: str
    #: Display name, lower case ("ground contact time").
    name: str
    #: Canonical unit of the values (as in ``consts.SIDED_METRIC_UNITS``).
    unit: str
    #: ``"ratio"`` or ``"difference"``.
    scale: str
    #: What the side that "does more" does, with ``{side}`` for "left"/"right":
    #: "your {side} foot stays on the ground longer".
    more_words: str
    #: True when the numerically larger value is "more" (contact time); False when the more
    #: negative value is (pronation: negative = pronation).
    more_is_larger: bool
    #: Smallest important difference.
    sid: SmallestImportantDifference
    #: Relative weight of the metric when ranking findings (1 = a primary, validated side-to-side
    #: measure such as contact time). An engineering choice, documented in docs/methods.md.
    weight: float = 1.0
    #: Display unit and factor from the canonical unit (s → ms).
    display_unit: str = ""
    display_factor: float = 1.0

    @property
    def title(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    @property
    def shown_unit(self) -> str:
        return self.display_unit or self.unit

    def side_doing_more(self, left_minus_right: float | None) -> str | None:
        """The side that "does more" (pronates more, stays longer on the ground…), or None."""
        if left_minus_right is None or math.isnan(left_minus_right):
            return None
        if left_minus_right == 0:
            return None
        larger = "left" if left_minus_right > 0 else "right"
        if self.more_is_larger:
            return larger
        return "right" if larger == "left" else "left"

    def more_phrase(self, side: str) -> str:
        """"your left foot pronates more"."""
        return self.more_words.format(side=side)

    @property
    def larger_means(self) -> str:
        """One line for tables: what a positive left − right (or SA) means."""
        if self.more_is_larger:
            return f"positive = {self.more_phrase('left')}"
        return f"negative = {self.more_phrase('left')} (more negative = more {self.name})"

    def above_sid(self, effect: float | None) -> bool | None:
        """|effect| ≥ SID on the SID's scale; None when the effect is unknown."""
        if effect is None or math.isnan(effect):
            return None
        return abs(effect) >= self.sid.value

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "name": self.name,
            "unit": self.unit,
            "scale": self.scale,
            "more_is_larger": self.more_is_larger,
            "larger_means": self.larger_means,
            "smallest_important_difference": self.sid.to_dict(),
        }


# --- smallest important differences -----------------------------------------------------------
_HANLEY = SmallestImportantDifference(
    1.2, "symmetry_angle_pct",
    "Hanley & Tucker 2018 J Biomech: a variable is asymmetric for an athlete above 1.2 % SA "
    "(science.md §2.2, §11; the criterion is used in the literature, its derivation was not "
    "retrieved)",
    "V",
)
_KINETIC = SmallestImportantDifference(
    1.6, "symmetry_angle_pct",
    "engineering choice: one between-runner SD of peak vertical force SA in healthy runners "
    "(Girard et al. 2019, 3.2 ± 1.6 %; science.md §2.1), extrapolated to foot-pod accelerations",
    "U",
)
_IMPULSE = SmallestImportantDifference(
    2.0, "symmetry_angle_pct",
    "engineering choice: one between-runner SD of braking impulse SA in healthy runners "
    "(Girard et al. 2019, 3.7 ± 2.0 %; science.md §2.1)",
    "U",
)
_ANGLE = SmallestImportantDifference(
    2.0, "difference",
    "engineering choice: the lower edge of the 2–3° left–right kinematic difference expected in "
    "healthy runners (Gait Posture 2023, PMID 37187155; science.md §2.1), extrapolated beyond "
    "motion capture",
    "U",
)


def _u(value: float, scale: str, why: str) -> SmallestImportantDifference:
    return SmallestImportantDifference(value, scale, f"engineering choice: {why}", "U")


def _ratio(metric: str, name: str, more: str, sid: SmallestImportantDifference, *,
           weight: float = 1.0, display: tuple[str, float] = ("", 1.0)) -> MetricSpec:
    return MetricSpec(metric, name, consts.SIDED_METRIC_UNITS[metric], "ratio", more, True, sid,
                      weight, display[0], display[1])


def _diff(metric: str, name: str, more: str, sid: SmallestImportantDifference, *,
          more_is_larger: bool = True, weight: float = 1.0,
          display: tuple[str, float] = ("", 1.0)) -> MetricSpec:
    return MetricSpec(metric, name, consts.SIDED_METRIC_UNITS[metric], "difference", more,
                      more_is_larger, sid, weight, display[0], display[1])


_MS = ("ms", 1000.0)

#: Every side-specific metric, keyed by ``consts.M_*``.
METRICS: dict[str, MetricSpec] = {
    s.metric: s
    for s in (
        _ratio(consts.M_CONTACT_TIME, "ground contact time",
               "your {side} foot stays on the ground longer", _HANLEY, display=_MS),
        _ratio(consts.M_STEP_TIME, "step time", "your {side} steps take longer", _HANLEY,
               display=_MS),
        _ratio(consts.M_STEP_LENGTH, "step length", "your {side} steps are longer", _HANLEY),
        _ratio(consts.M_FLIGHT_RATIO, "flight ratio",
               "you spend longer in the air after your {side} foot's push-off", _HANLEY,
               weight=0.7),
        _ratio(consts.M_IMPACT_G, "impact", "your {side} foot lands with a higher impact",
               _KINETIC, weight=0.8),
        _ratio(consts.M_BRAKING_G, "braking", "your {side} foot brakes harder", _KINETIC,
               weight=0.8),
        _ratio(consts.M_SHOCK_G, "shock", "your {side} foot takes more shock", _KINETIC,
               weight=0.8),
        _ratio(consts.M_POWER, "power", "your {side} foot produces more power",
               _u(1.2, "symmetry_angle_pct", "the Hanley & Tucker 1.2 % SA criterion applied to "
                  "foot-pod power, for which no healthy-runner range was found"), weight=0.6),
        _ratio(consts.M_PEAK_VGRF_BW, "peak vertical force",
               "your {side} foot lands with a higher peak force", _KINETIC),
        _ratio(consts.M_LOADING_RATE_BW_S, "loading rate",
               "your {side} foot loads faster (higher loading rate)",
               _u(1.1, "symmetry_angle_pct", "one between-runner SD of loading-rate SA in "
                  "healthy runners (Girard et al. 2019, 5.3 ± 1.1 %)")),
        _ratio(consts.M_VERTICAL_IMPULSE_BW_S, "vertical impulse",
               "your {side} foot gives a larger vertical push", _IMPULSE, weight=0.8),
        _ratio(consts.M_BRAKING_IMPULSE_BW_S, "braking impulse",
               "your {side} foot brakes more (larger braking impulse)", _IMPULSE, weight=0.8),
        _ratio(consts.M_PROPULSIVE_IMPULSE_BW_S, "propulsive impulse",
               "your {side} foot pushes off more (larger propulsive impulse)", _IMPULSE,
               weight=0.8),
        _diff(consts.M_FLIGHT_TIME, "flight time",
              "you spend longer in the air after your {side} foot's push-off",
              _u(0.005, "difference", "5 ms, about the contact-time precision of foot IMUs "
                 "(Falbriard 2018, 'a few ms'; science.md §0)"), display=_MS),
        _diff(consts.M_DUTY_FACTOR, "duty factor",
              "your {side} foot spends a larger share of the stride on the ground",
              _u(0.5, "difference", "0.5 percentage points of the stride, about 1.2 % SA of a "
                 "typical 35–40 % duty factor")),
        _diff(consts.M_PRONATION_DEG, "pronation", "your {side} foot pronates more", _ANGLE,
              more_is_larger=False, weight=0.7),
        _diff(consts.M_FOOTSTRIKE, "foot strike type",
              "your {side} foot lands further toward the forefoot",
              _u(2.0, "difference", "2 steps of RunScribe's 0 (heel) … 15 (toe) scale, about "
                 "a third of one strike class (heel 0–5, mid 6–10, fore 11–15)"),
              weight=0.5),
        _diff(consts.M_PEAK_STANCE_ACC_G, "peak stance acceleration",
              "your {side} foot has a higher peak acceleration in stance",
              _u(0.5, "difference", "0.5 g, about 5 % of a typical 8–12 g stance peak"),
              weight=0.6),
        _diff(consts.M_SHANK_ANGLE_IC_DEG, "shank angle at contact",
              "your {side} foot lands further ahead of the knee", _ANGLE, weight=0.7),
        _diff(consts.M_FOOT_AHEAD_IC_MM, "foot ahead of the pelvis at contact",
              "your {side} foot lands further ahead of your body",
              _u(20.0, "difference", "20 mm, about the marker-based repeatability of foot "
                 "placement"), weight=0.7),
        _diff(consts.M_PELVIC_DROP_DEG, "pelvic drop",
              "your pelvis drops more while you stand on your {side} leg", _ANGLE, weight=0.7),
        _diff(consts.M_KNEE_FLEXION_IC_DEG, "knee flexion at contact",
              "your {side} knee is more bent at contact", _ANGLE, weight=0.7),
        _diff(consts.M_HIP_ADDUCTION_IC_DEG, "hip adduction at contact",
              "your {side} knee is drawn further toward the midline at contact", _ANGLE,
              weight=0.7),
        _diff(consts.M_HIP_ADDUCTION_PEAK_DEG, "peak hip adduction",
              "your {side} knee is drawn further toward the midline in stance", _ANGLE,
              weight=0.7),
        # video (2D pose, issue 16): indicative kinematics, never stronger than the markers'
        _diff(consts.M_FOOT_AHEAD_IC_PCT_LEG, "foot ahead of the hip at contact",
              "your {side} foot lands further ahead of your body",
              _u(2.0, "difference", "2 % of leg length, about 20 mm (the marker metric's SID) "
                 "on a 0.9 m leg"), weight=0.5),
        _diff(consts.M_KNEE_FLEXION_MIDSTANCE_DEG, "knee flexion at mid-stance",
              "your {side} knee bends more at mid-stance", _ANGLE, weight=0.5),
        _diff(consts.M_TRUNK_LEAN_DEG, "trunk lean", "you lean further forward over your {side}"
              " leg", _ANGLE, weight=0.3),
        _diff(consts.M_KNEE_FPPA_DEG, "knee frontal projection angle",
              "your {side} knee moves further inward in stance",
              _u(5.0, "difference", "5°: 2D frontal-plane knee angles agree poorly with 3D in "
                 "running, so only large differences are worth a headline"), weight=0.3),
        _diff(consts.M_STEP_WIDTH_PCT_LEG, "step width",
              "your {side} foot lands further out to the side",
              _u(2.0, "difference", "2 % of leg length, about 2 cm"), weight=0.3),
    )
}


@dataclass(frozen=True)
class ColumnSpec:
    """Name, display and SID of a bilateral form column whose within-run change is reported."""

    column: str
    name: str
    unit: str
    display_unit: str
    display_factor: float
    decimals: int
    #: Smallest important change between the first and the last quarter of the run.
    sid: SmallestImportantDifference

    @property
    def title(self) -> str:
        return self.name[:1].upper() + self.name[1:]


#: Bilateral form columns (drift and form tables).
COLUMNS: dict[str, ColumnSpec] = {
    c.column: c
    for c in (
        ColumnSpec(consts.CADENCE_SPM, "cadence", "steps/min", "steps/min", 1.0, 0,
                   _u(3.0, "change", "3 steps/min, below the +5 % step-rate change that "
                      "measurably alters knee loading (Heiderscheit et al. 2011: +5 % of "
                      "~170 ≈ 8.5 steps/min)")),
        ColumnSpec(consts.CONTACT_TIME_S, "ground contact time", "s", "ms", 1000.0, 0,
                   _u(0.010, "change", "10 ms, about 4 % of a 250 ms contact; marathon "
                      "studies report +13 % over km 8–40 (Chan-Roper et al. 2012)")),
        ColumnSpec(consts.VERTICAL_RATIO_PCT, "vertical ratio", "%", "%", 1.0, 1,
                   _u(0.5, "change", "0.5 percentage points, about the width of one Garmin "
                      "vertical-ratio colour band's quarter (bands 6.1/7.5/8.7/10.2 %)")),
        ColumnSpec(consts.VERTICAL_OSCILLATION_M, "vertical oscillation", "m", "cm", 100.0, 1,
                   _u(0.005, "change", "5 mm of torso bounce")),
        ColumnSpec(consts.STEP_LENGTH_M, "step length", "m", "m", 1.0, 2,
                   _u(0.03, "change", "3 cm, about 3 % of a 1 m step")),
        ColumnSpec(consts.LEG_SPRING_STIFFNESS_KN_M, "leg spring stiffness", "kN/m", "kN/m",
                   1.0, 1, _u(0.5, "change", "0.5 kN/m")),
        ColumnSpec(consts.POWER_W, "running power", "W", "W", 1.0, 0,
                   _u(10.0, "change", "10 W")),
    )
}


def spec(metric: str) -> MetricSpec:
    """The spec of ``metric``; an unknown metric gets a neutral, clearly labelled default."""
    found = METRICS.get(metric)
    if found is not None:
        return found
    unit = consts.SIDED_METRIC_UNITS.get(metric, "")
    return MetricSpec(
        metric, metric.replace("_", " "), unit, "difference",
        "your {side} side's value is larger", True,
        _u(float("inf"), "difference", "no SID defined for this metric: never a headline"),
        0.5,
    )


def column_spec(column: str) -> ColumnSpec | None:
    return COLUMNS.get(column)


def metric_name(metric: str) -> str:
    """Display name of a side-specific metric or a form column ("ground contact time")."""
    if metric in METRICS:
        return METRICS[metric].name
    c = COLUMNS.get(metric)
    return c.name if c is not None else metric.replace("_", " ")


__all__ = [
    "COLUMNS",
    "METRICS",
    "ColumnSpec",
    "MetricSpec",
    "SmallestImportantDifference",
    "column_spec",
    "metric_name",
    "spec",
]
