# SPDX-License-Identifier: MIT
"""Reference bands as data, each with its source and evidence grade. No threshold is written
anywhere else in the code.

Evidence grades follow ../shared/docs/science.md:

- ``V`` — verified against an abstract, table, manual page or source docstring;
- ``S`` — seen only in a secondary source;
- ``U`` — unverified or an extrapolation beyond the population/measurement it came from.

A band says what is *typical* in published or population data. None of them is a validated injury
threshold for running gait (science.md §0.1, §2.2), and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from evenstride import consts


@dataclass(frozen=True)
class Evidence:
    """How much a number can be trusted, in one line a runner can read."""

    #: ``"V"``, ``"S"`` or ``"U"`` (see module docstring).
    grade: str
    #: Short citations.
    sources: tuple[str, ...]
    #: Plain-language caveat shown next to the result.
    note: str

    def to_dict(self) -> dict[str, object]:
        return {"grade": self.grade, "sources": list(self.sources), "note": self.note}


@dataclass(frozen=True)
class AsymmetryBand:
    """Classes for the magnitude of a per-run asymmetry.

    ``|value| <= typical_max`` → "typical"; ``> marked_min`` → "marked"; in between → "notable".
    ``value`` is the symmetry angle (% SA) for ratio-scale metrics, else the left−right difference
    in the metric's unit. ``marked_min`` may be ``None`` when no upper reference exists.
    """

    metric: str
    scale: str  # "symmetry_angle_pct" or "difference"
    typical_max: float
    marked_min: float | None
    basis: str
    evidence: Evidence

    def classify(self, value: float) -> str:
        v = abs(value)
        if v <= self.typical_max:
            return "typical"
        if self.marked_min is not None and v > self.marked_min:
            return "marked"
        return "notable"


# Garmin GCT-balance zones (science.md §1.5, [V] manual; proprietary population percentiles):
# green 49.3–50.7 % (40 % of users), orange 50.8–52.2 % (25 % each side), red > 52.2 % (5 %).
GARMIN_GCT_GREEN_MAX_PCT = 50.75  # boundary between the 50.7 (green) and 50.8 (orange) steps
GARMIN_GCT_RED_MIN_PCT = 52.2

# Healthy-runner contact-time asymmetry (science.md §2.1, §13, [V] abstracts): Mtibaa et al. 2023,
# SA 0.8 ± 0.7 % (30-min treadmill, n = 12); Girard et al. 2024, SA 1.3 ± 0.5 % (800 m track,
# force platform, n = 18). "Typical" = within the larger mean + 2 SD (1.3 + 2·0.5 = 2.3 % SA).
# "Marked" = beyond 3.2 % SA, the SA equivalent of the conventional SI 10 % (science.md §1.2,
# §2.2; SI 10 % ≈ SA 3.2 %), where an imposed 10 % step-time asymmetry cost +3.5 % metabolic
# power (Beck et al. 2018). Garmin's zones are population percentiles of torso-sensor users; they
# are context for the strap/pod/watch balance only, never the class (science.md §13).
HEALTHY_GCT_SA_MEAN_PCT = 1.3
HEALTHY_GCT_SA_SD_PCT = 0.5
GCT_TYPICAL_MAX_SA_PCT = HEALTHY_GCT_SA_MEAN_PCT + 2.0 * HEALTHY_GCT_SA_SD_PCT
GCT_MARKED_MIN_SA_PCT = 3.2

_GCT_BAND = AsymmetryBand(
    metric=consts.M_CONTACT_TIME,
    scale="symmetry_angle_pct",
    typical_max=GCT_TYPICAL_MAX_SA_PCT,
    marked_min=GCT_MARKED_MIN_SA_PCT,
    basis=(
        "Healthy runners on force platforms show contact-time asymmetry of 0.8 ± 0.7 % SA "
        "(Mtibaa 2023) and 1.3 ± 0.5 % SA (Girard 2024): up to 2.3 % (mean + 2 SD) is typical. "
        "Beyond 3.2 % SA (SI 10 %) is marked."
    ),
    evidence=Evidence(
        grade="V",
        sources=(
            "Mtibaa et al. 2023 Front Physiol (SA contact time 0.8 ± 0.7 %)",
            "Girard et al. 2024 Front Sports Act Living (SA contact time 1.3 ± 0.5 %)",
            "Beck et al. 2018 Eur J Appl Physiol (10 % step-time asymmetry: +3.5 % metabolic "
            "power)",
        ),
        note=(
            "Healthy-runner ranges, not an injury threshold: no validated injury cut-off exists "
            "for running gait asymmetry. Mean + 2 SD as the edge of typical is our choice."
        ),
    ),
)

#: Garmin GCT-balance zones as context (never the class): (upper edge in % on the longer side,
#: zone, share of Garmin users in that zone on that side).
GARMIN_GCT_ZONES = (
    (GARMIN_GCT_GREEN_MAX_PCT, "green", "the middle 40 %"),
    (GARMIN_GCT_RED_MIN_PCT, "orange", "25 %"),
    (100.0, "red", "the outer 5 %"),
)
GARMIN_GCT_EVIDENCE = Evidence(
    grade="V",
    sources=("Garmin Running Dynamics manual (GCT balance zones)",),
    note="Proprietary population percentiles of Garmin torso-sensor users; descriptive only.",
)


def garmin_gct_context(balance_left_pct: float) -> str:
    """Where a strap/pod/watch GCT balance sits among Garmin users, in one clause."""
    longer = max(balance_left_pct, 100.0 - balance_left_pct)
    side = "left" if balance_left_pct >= 50.0 else "right"
    zone, share = GARMIN_GCT_ZONES[-1][1:]
    for edge, z, sh in GARMIN_GCT_ZONES:
        if longer < edge:
            zone, share = z, sh
            break
    if zone == "green":
        return (f"Garmin's green zone (within 50.7 % either way), where {share} of Garmin "
                "users are")
    return f"Garmin's {zone} zone on the {side} ({share} of Garmin users are there)"


_IMPACT_BASIS = (
    "Force-plate loading-rate asymmetry in healthy runners is 5.3 ± 1.1 % SA and some kinetic "
    "variables reach 10 % or more; 7.5 % is the mean + 2 SD."
)
_IMPACT_EVIDENCE = Evidence(
    grade="U",
    sources=("Girard et al. 2019 Front Sports Act Living (loading rate SA 5.3 ± 1.1 %)",),
    note=(
        "Extrapolated from force-plate loading rate to foot-pod accelerations; treat the class as "
        "a rough guide."
    ),
)

_STEP_LENGTH_BAND = AsymmetryBand(
    metric=consts.M_STEP_LENGTH,
    scale="symmetry_angle_pct",
    typical_max=1.2,
    marked_min=None,
    basis="Hanley & Tucker flag a variable as asymmetric above 1.2 % SA; step length SA in "
    "healthy runners is 0.7 ± 0.2 %.",
    evidence=Evidence(
        grade="V",
        sources=("Hanley & Tucker 2018 J Biomech", "Girard et al. 2019"),
        note="The 1.2 % criterion is used in the literature but its derivation was not retrieved.",
    ),
)

_PRONATION_BAND = AsymmetryBand(
    metric=consts.M_PRONATION_DEG,
    scale="difference",
    typical_max=3.0,
    marked_min=None,
    basis="Left–right kinematic differences of 2–3° are expected in healthy collegiate runners.",
    evidence=Evidence(
        grade="U",
        sources=("Gait Posture 2023, PMID 37187155 (3D motion capture, n = 63)",),
        note="Measured with motion capture; applying it to foot-pod pronation is an extrapolation.",
    ),
)

ASYMMETRY_BANDS: dict[str, AsymmetryBand] = {
    consts.M_CONTACT_TIME: _GCT_BAND,
    consts.M_IMPACT_G: AsymmetryBand(
        consts.M_IMPACT_G, "symmetry_angle_pct", 7.5, 10.0, _IMPACT_BASIS, _IMPACT_EVIDENCE
    ),
    consts.M_BRAKING_G: AsymmetryBand(
        consts.M_BRAKING_G, "symmetry_angle_pct", 7.5, 10.0, _IMPACT_BASIS, _IMPACT_EVIDENCE
    ),
    consts.M_SHOCK_G: AsymmetryBand(
        consts.M_SHOCK_G, "symmetry_angle_pct", 7.5, 10.0, _IMPACT_BASIS, _IMPACT_EVIDENCE
    ),
    consts.M_STEP_LENGTH: _STEP_LENGTH_BAND,
    # Force-plate kinetics: healthy trained runners on an instrumented treadmill (Girard 2019):
    # loading rate 5.3 ± 1.1 % SA, peak vertical force 3.2 ± 1.6 % SA; typical = mean + 2 SD,
    # marked = the "10 % or more" some kinetic variables reach (science.md §0.1, §2.1).
    consts.M_LOADING_RATE_BW_S: AsymmetryBand(
        consts.M_LOADING_RATE_BW_S, "symmetry_angle_pct", 7.5, 10.0,
        "Loading-rate asymmetry in healthy trained runners is 5.3 ± 1.1 % SA (mean + 2 SD = "
        "7.5 %); some kinetic variables reach 10 % or more.",
        Evidence("V", ("Girard et al. 2019 Front Sports Act Living",),
                 "Force-treadmill reference values; not an injury threshold."),
    ),
    consts.M_PEAK_VGRF_BW: AsymmetryBand(
        consts.M_PEAK_VGRF_BW, "symmetry_angle_pct", 6.4, 10.0,
        "Peak vertical force asymmetry in healthy trained runners is 3.2 ± 1.6 % SA (mean + 2 SD "
        "= 6.4 %).",
        Evidence("V", ("Girard et al. 2019 Front Sports Act Living",),
                 "Force-treadmill reference values; not an injury threshold."),
    ),
    consts.M_PRONATION_DEG: _PRONATION_BAND,
}

#: Evidence statement used when no band exists for a metric.
NO_REFERENCE = Evidence(
    grade="U",
    sources=(),
    note="No published reference range was found for this side-to-side metric; only whether "
    "the difference is real for this run is judged.",
)

#: Extra caveat attached to balance measured at the torso (chest strap / pod / watch).
TORSO_BALANCE_CAVEAT = (
    "GCT balance from a chest strap, pod or watch is inferred from torso movement, not measured "
    "at each foot."
)


@dataclass(frozen=True)
class FormBand:
    """Garmin population percentile bands for a bilateral form metric (science.md §4.1, §4.3)."""

    column: str
    unit: str
    #: Ascending upper edges and the label of each band below that edge; last label is above.
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    evidence: Evidence

    def classify(self, value: float) -> str:
        for edge, label in zip(self.edges, self.labels, strict=False):
            if value < edge:
                return label
        return self.labels[-1]


_GARMIN_FORM = Evidence(
    grade="V",
    sources=("Garmin Forerunner 945 manual, running dynamics colour zones",),
    note="Percentiles of Garmin users, descriptive only; better economy or lower injury risk "
    "is not implied by a band.",
)

FORM_BANDS: dict[str, FormBand] = {
    consts.CADENCE_SPM: FormBand(
        consts.CADENCE_SPM,
        "steps/min",
        (153.0, 164.0, 174.0, 184.0),
        (
            "below 5th percentile",
            "5th–29th percentile",
            "30th–69th percentile",
            "70th–95th percentile",
            "above 95th percentile",
        ),
        _GARMIN_FORM,
    ),
    consts.CONTACT_TIME_S: FormBand(
        consts.CONTACT_TIME_S,
        "s",
        (0.218, 0.249, 0.278, 0.309),
        (
            "shorter than 95 % of runners",
            "shorter than 70 %",
            "middle 40 %",
            "longer than 70 %",
            "longer than 95 %",
        ),
        _GARMIN_FORM,
    ),
    consts.VERTICAL_OSCILLATION_M: FormBand(
        consts.VERTICAL_OSCILLATION_M,
        "m",
        (0.064, 0.082, 0.098, 0.116),
        (
            "lower than 95 % of runners",
            "lower than 70 %",
            "middle 40 %",
            "higher than 70 %",
            "higher than 95 %",
        ),
        _GARMIN_FORM,
    ),
    consts.VERTICAL_RATIO_PCT: FormBand(
        consts.VERTICAL_RATIO_PCT,
        "%",
        (6.1, 7.5, 8.7, 10.2),
        (
            "lower than 95 % of runners",
            "lower than 70 %",
            "middle 40 %",
            "higher than 70 %",
            "higher than 95 %",
        ),
        _GARMIN_FORM,
    ),
}

#: Why a form column measured by a foot pod, per-foot or lab sensors gets no band ({sensor}).
NO_BAND_FOR_SENSOR_NOTE = (
    "no validated reference band exists for the {sensor}: Garmin's percentile bands were "
    "derived from its own torso sensor (HRM-Run strap), and a sensor at the foot measures "
    "contact and bounce differently, so this value is described, not graded."
)
#: Evidence of that statement (science.md §4.1, §4.3: the bands' sensor; no foot-pod band found).
NO_BAND_FOR_SENSOR = Evidence(
    grade="U",
    sources=("Garmin Forerunner 945 manual, running dynamics colour zones (HRM-Run strap)",),
    note="No published population band for contact time or vertical oscillation measured at "
    "the foot was found (science.md has none); Garmin's bands belong to its torso sensor.",
)

#: Cadence advice: +5–10 % over the runner's speed-matched cadence.
CADENCE_ADVICE_PCT = (5.0, 10.0)
CADENCE_ADVICE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Heiderscheit et al. 2011 Med Sci Sports Exerc (+5–10 % step rate lowers knee loading)",
        "Anderson et al. 2022 Sports Med Open (systematic review)",
    ),
    note="Raising step rate reliably lowers knee and hip loading; evidence that it prevents "
    "injury or improves performance is insufficient.",
)
#: Cadence rises ≈ 5.6 steps/min per 1 m/s of speed in elite ultra runners (Burns et al. 2019).
CADENCE_SPEED_SLOPE_REFERENCE = 5.6

FATIGUE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Hanley & Tucker 2018; Mtibaa et al. 2023; Girard et al. 2024 (no change at constant pace)",
        "Meyer et al. 2021 Int J Sports Med (marathon: abrupt changes near km 25 and 35)",
        "Heil et al. 2020 Sports Med Open (review: effects inconsistent)",
    ),
    note="Whether asymmetry grows with fatigue is mixed in the literature; a drift here describes "
    "this run, it does not predict injury.",
)

FORM_DRIFT_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Meyer et al. 2021 Int J Sports Med (marathon: contact time up, stride length down)",
        "Chan-Roper et al. 2012 J Sports Sci Med (contact time +13 % from km 8 to km 40)",
        "Burns et al. 2019 J Appl Physiol (step frequency changed with speed, not fatigue)",
    ),
    note="Form commonly changes late in long runs; speed and grade are matched here, but heat, "
    "hydration and pacing can also move these numbers.",
)

DISAGREEMENT_EVIDENCE = Evidence(
    grade="V",
    sources=("Godfrey et al. 2015 Med Eng Phys", "Falbriard et al. 2018 Front Physiol"),
    note="Per-foot sensors measure each foot; torso sensors infer sides from trunk motion and "
    "agree poorly with references on asymmetry.",
)
