# SPDX-License-Identifier: MIT
"""Strength, hop, balance and mobility test protocols as data, and :func:`validate`.

Every protocol says what it measures (unit, whether it is done per side), the range of values a
human can produce (anything outside is refused as a typing or unit error), which extra values it
needs, how it is normalised, and where it comes from (citation + :class:`Evidence`). No
threshold for *interpreting* a result lives here: that is :mod:`evenstride.clinical.assess`.

>>> r = validate("hhd_hip_abduction", "left", 200.0, lever_arm_m=0.8, body_mass_kg=64.0)
>>> round(normalised_value(r), 2)  # 200 N × 0.8 m / 64 kg
2.5
>>> r = validate("y_balance", "right", 60.0, posteromedial_cm=100.0, posterolateral_cm=95.0,
...              limb_length_cm=90.0)
>>> r.extra["composite_pct"]  # (60 + 100 + 95) / (3 × 90) × 100
94.44
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from evenstride.assessment.reference_bands import Evidence
from evenstride.clinical.models import TestResult
from evenstride.exceptions import UserInputError

__all__ = ["PROTOCOLS", "Protocol", "normalised_value", "validate"]

#: How a protocol's value is normalised before comparing athletes (never needed for an LSI).
NORM_NONE = "none"
#: torque = force × lever arm; ÷ body mass → N·m/kg (needs ``lever_arm_m`` and ``body_mass_kg``).
NORM_TORQUE_PER_KG = "torque_per_kg"
#: Y-balance composite % = (anterior + posteromedial + posterolateral) / (3 × limb length) × 100.
NORM_YBALANCE_COMPOSITE = "ybalance_composite"


@dataclass(frozen=True)
class Protocol:
    """One test, as data."""

    key: str
    name: str
    unit: str
    #: Done on each leg/side separately (then ``side`` must be ``"left"`` or ``"right"``).
    sided: bool
    #: Inclusive range of humanly possible values; anything outside is refused.
    valid_range: tuple[float, float]
    citation: str
    evidence: Evidence
    #: Extras that must be given, with their possible ranges.
    required_extras: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Extras that may be given, with their possible ranges.
    optional_extras: dict[str, tuple[float, float]] = field(default_factory=dict)
    normalisation: str = NORM_NONE
    #: Timed tests: a smaller value is better, so the LSI is other / involved.
    lower_is_better: bool = False
    #: Value is a count (must be a whole number).
    whole_number: bool = False
    #: A one-line reminder of how the test is done.
    how: str = ""

    def describe_range(self) -> str:
        lo, hi = self.valid_range
        return f"{lo:g}–{hi:g} {self.unit}"


_HOP_EVIDENCE = Evidence(
    grade="V",
    sources=("Noyes et al. 1991 Am J Sports Med 19:513 (hop tests, LSI)",
             "Grindem et al. 2016 Br J Sports Med 50:804 (LSI ≥ 90 % return-to-sport criteria)"),
    note="Hop tests and the 90 % LSI come from ACL rehabilitation; using them in runners is an "
    "extrapolation.",
)
_ENDURANCE_EVIDENCE = Evidence(
    grade="U",
    sources=("Hébert-Losier et al. 2009 Man Ther 14:349 (calf-raise test review)",),
    note="Repetitions-to-fatigue tests are reliable within one tester but have no validated "
    "side-difference cut-off for runners.",
)
_HHD_EVIDENCE = Evidence(
    grade="V",
    sources=("Thorborg et al. 2010 Scand J Med Sci Sports (HHD of hip strength, reliability)",
             "Niemuth et al. 2005 Clin J Sport Med 15:14 (weaker injured-side hip abductors)",
             "Fredericson et al. 2000 Clin J Sport Med 10:169 (hip abductor weakness in ITBS)"),
    note="Hand-held dynamometry depends on the tester's strength and position; retest the same "
    "way (same lever arm, same position, belt-fixed if possible).",
)
_MOBILITY_EVIDENCE = Evidence(
    grade="U",
    sources=("Bennell et al. 1998 Aust J Physiother 44:175 (knee-to-wall reliability)",),
    note="Reliable to about 1–2 cm / a few degrees within one tester; no validated running-injury "
    "cut-off for side differences.",
)
_YBAL_EVIDENCE = Evidence(
    grade="V",
    sources=("Plisky et al. 2006 J Orthop Sports Phys Ther 36:911 (SEBT, high-school basketball)",
             "Plisky et al. 2009 N Am J Sports Phys Ther 4:92 (Y-balance test)"),
    note="Injury associations from high-school basketball players; applying them to runners is "
    "an extrapolation.",
)

_HHD_EXTRAS = {"lever_arm_m": (0.05, 1.2), "body_mass_kg": (20.0, 250.0)}


def _hhd(key: str, name: str, how: str) -> Protocol:
    return Protocol(
        key=key, name=name, unit="N", sided=True, valid_range=(1.0, 1500.0),
        citation="Thorborg 2010; Niemuth 2005; Fredericson 2000", evidence=_HHD_EVIDENCE,
        optional_extras=dict(_HHD_EXTRAS), normalisation=NORM_TORQUE_PER_KG, how=how,
    )


PROTOCOLS: dict[str, Protocol] = {
    p.key: p
    for p in (
        Protocol("single_hop", "Single-leg hop for distance", "cm", True, (1.0, 350.0),
                 "Noyes 1991; Grindem 2016", _HOP_EVIDENCE,
                 how="Hop forward as far as possible, land on the same leg and hold 2 s; best "
                 "of 3."),
        Protocol("triple_hop", "Triple hop for distance", "cm", True, (1.0, 1000.0),
                 "Noyes 1991; Grindem 2016", _HOP_EVIDENCE,
                 how="Three consecutive hops on one leg; total distance, best of 3."),
        Protocol("crossover_hop", "Crossover hop for distance", "cm", True, (1.0, 900.0),
                 "Noyes 1991; Grindem 2016", _HOP_EVIDENCE,
                 how="Three hops crossing a 15 cm line; total distance, best of 3."),
        Protocol("timed_hop_6m", "6 m timed hop", "s", True, (0.8, 30.0),
                 "Noyes 1991; Grindem 2016", _HOP_EVIDENCE, lower_is_better=True,
                 how="Hop 6 m on one leg as fast as possible; best of 3 (lower is better)."),
        Protocol("single_leg_squat", "Single-leg squat / step-down", "reps", True, (0.0, 200.0),
                 "Crossley et al. 2011 Am J Sports Med 39:866 (single-leg squat rating)",
                 Evidence("U", ("Crossley et al. 2011 Am J Sports Med 39:866",),
                          "Quality ratings are subjective; no validated side cut-off for "
                          "runners."),
                 required_extras={"quality": (0.0, 10.0)}, whole_number=True,
                 how="Controlled reps in 30 s with a quality score 0 (poor) – 10 (knee over "
                 "toes, level pelvis, upright trunk)."),
        Protocol("calf_raise", "Single-leg calf raises to fatigue", "reps", True, (0.0, 150.0),
                 "Hébert-Losier 2009", _ENDURANCE_EVIDENCE, whole_number=True,
                 how="Full-range raises on a step at 30/min until form fails."),
        Protocol("single_leg_bridge", "Single-leg bridge to fatigue", "reps", True,
                 (0.0, 150.0), "Freckleton et al. 2014 Br J Sports Med 48:713",
                 Evidence("U", ("Freckleton et al. 2014 Br J Sports Med 48:713",),
                          "Low scores were associated with hamstring strains in Australian "
                          "footballers; an extrapolation for runners."), whole_number=True,
                 how="Heel on a 60 cm box, bridge to full hip extension until form fails."),
        Protocol("side_plank", "Side-plank hold", "s", True, (0.0, 600.0),
                 "McGill et al. 1999 Arch Phys Med Rehabil 80:941",
                 Evidence("U", ("McGill et al. 1999 Arch Phys Med Rehabil 80:941",),
                          "Endurance ratios from healthy adults; no validated running-injury "
                          "cut-off. 'left' = lying on the left side."),
                 how="Hold on forearm and feet, body straight, until the hip drops."),
        _hhd("hhd_hip_abduction", "Hip abduction (hand-held dynamometer)",
             "Side-lying or supine, pad just above the lateral malleolus or knee; lever arm "
             "= hip joint centre to pad."),
        _hhd("hhd_hip_adduction", "Hip adduction (hand-held dynamometer)",
             "Supine, pad at the medial knee or ankle; lever arm = hip joint centre to pad."),
        _hhd("hhd_knee_extension", "Knee extension (hand-held dynamometer)",
             "Seated, knee 90°, pad above the ankle, belt-fixed; lever arm = knee joint line to "
             "pad."),
        _hhd("hhd_knee_flexion", "Knee flexion (hand-held dynamometer)",
             "Seated or prone, knee 90°, pad at the heel/Achilles; lever arm = knee joint line "
             "to pad."),
        _hhd("hhd_ankle_plantarflexion", "Ankle plantarflexion (hand-held dynamometer)",
             "Supine or seated, pad under the metatarsal heads; lever arm = ankle axis to "
             "pad."),
        Protocol("knee_to_wall", "Knee-to-wall (weight-bearing lunge)", "cm", True,
                 (0.0, 25.0), "Bennell 1998", _MOBILITY_EVIDENCE,
                 how="Toe-to-wall distance at which the knee still touches the wall with the "
                 "heel down."),
        Protocol("hip_internal_rotation", "Hip internal rotation", "deg", True, (0.0, 90.0),
                 "Bennell 1998", _MOBILITY_EVIDENCE,
                 how="Prone or seated, hip and knee 90°, goniometer or inclinometer."),
        Protocol("y_balance", "Y-balance (lower quarter)", "cm", True, (0.0, 150.0),
                 "Plisky 2006; Plisky 2009", _YBAL_EVIDENCE,
                 required_extras={"posteromedial_cm": (0.0, 200.0),
                                  "posterolateral_cm": (0.0, 200.0),
                                  "limb_length_cm": (50.0, 130.0)},
                 normalisation=NORM_YBALANCE_COMPOSITE,
                 how="VALUE is the anterior reach; best of 3 in each direction; limb length "
                 "= ASIS to medial malleolus."),
    )
}

#: Extras computed by :func:`validate` (not accepted as input).
_COMPUTED_EXTRAS = ("composite_pct", "torque_nm_per_kg")


def _num(name: str, v: object) -> float:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UserInputError(f"{name} must be a number (got {v!r})") from None
    if not math.isfinite(x):
        raise UserInputError(f"{name} must be a finite number (got {v!r})")
    return x


def validate(
    protocol_key: str,
    side: str,
    value: float,
    *,
    when: date | None = None,
    note: str = "",
    **extra: float,
) -> TestResult:
    """A checked :class:`TestResult`, or :class:`UserInputError` with one clear line.

    Refuses: unknown protocols, a side other than left/right for a sided test, values outside
    the protocol's possible range (negative distances, a 400 s or a sub-0.8 s 6 m hop …),
    fractional repetitions, unknown extras, missing required extras (e.g. a Y-balance without
    limb length) and extras out of range. Computes ``composite_pct`` (Y-balance) and
    ``torque_nm_per_kg`` (dynamometry with lever arm and body mass) into ``extra``.
    """
    p = PROTOCOLS.get(protocol_key)
    if p is None:
        raise UserInputError(
            f"unknown test protocol {protocol_key!r}: use one of {', '.join(sorted(PROTOCOLS))}"
        )
    if side not in ("left", "right", "both", "none"):
        raise UserInputError(f"{p.key}: side must be left or right (got {side!r})")
    if p.sided and side not in ("left", "right"):
        raise UserInputError(f"{p.key} is done per side: give left or right, not {side!r}")
    x = _num(f"{p.key} value", value)
    lo, hi = p.valid_range
    if x < 0 and p.unit in ("cm", "s", "reps", "deg", "N"):
        raise UserInputError(f"{p.key}: a negative value ({x:g} {p.unit}) is impossible")
    if not lo <= x <= hi:
        raise UserInputError(
            f"{p.key}: {x:g} {p.unit} is outside the possible range {p.describe_range()} "
            "(check the unit)"
        )
    if p.whole_number and x != int(x):
        raise UserInputError(f"{p.key}: repetitions must be a whole number (got {x:g})")
    allowed = {**p.required_extras, **p.optional_extras}
    ex: dict[str, float] = {}
    for k, v in extra.items():
        if v is None:
            continue
        if k not in allowed:
            hint = ", ".join(sorted(allowed)) or "none"
            raise UserInputError(f"{p.key}: unknown extra {k!r} (this test takes: {hint})")
        xv = _num(f"{p.key} {k}", v)
        elo, ehi = allowed[k]
        if not elo <= xv <= ehi:
            raise UserInputError(f"{p.key}: {k} = {xv:g} is outside the possible range "
                                 f"{elo:g}–{ehi:g}")
        ex[k] = xv
    missing = [k for k in p.required_extras if k not in ex]
    if missing:
        what = ("limb length (limb_length_cm) is needed for the composite"
                if missing == ["limb_length_cm"] else f"needs {', '.join(missing)}")
        raise UserInputError(f"{p.key}: {what}")
    if p.normalisation == NORM_YBALANCE_COMPOSITE:
        ex["composite_pct"] = round(
            (x + ex["posteromedial_cm"] + ex["posterolateral_cm"])
            / (3.0 * ex["limb_length_cm"]) * 100.0, 2)
    elif p.normalisation == NORM_TORQUE_PER_KG and "lever_arm_m" in ex and "body_mass_kg" in ex:
        ex["torque_nm_per_kg"] = round(x * ex["lever_arm_m"] / ex["body_mass_kg"], 4)
    return TestResult(
        protocol=p.key, side=side, value=x, unit=p.unit,  # type: ignore[arg-type]
        when=when or date.today(), extra=ex, note=note,
    )


def normalised_value(result: TestResult, body_mass_kg: float | None = None) -> float | None:
    """The protocol's normalised value: N·m/kg for dynamometry (force × lever arm ÷ body mass;
    ``body_mass_kg`` is used when the result has none), the composite % for a Y-balance, the
    raw value otherwise; ``None`` when the inputs for the normalisation are missing."""
    p = PROTOCOLS.get(result.protocol)
    if p is None or p.normalisation == NORM_NONE:
        return result.value
    if p.normalisation == NORM_YBALANCE_COMPOSITE:
        return result.extra.get("composite_pct")
    lever = result.extra.get("lever_arm_m")
    mass = result.extra.get("body_mass_kg", body_mass_kg)
    if lever is None or mass is None or mass <= 0:
        return None
    return result.value * lever / mass
