# SPDX-License-Identifier: MIT
"""From profile, tests, symptoms and running asymmetry to ranked :class:`ClinicalFinding` objects.

Order of :func:`integrated_assessment`: red flags first (they stop loading of their region), then
strength/mobility/balance asymmetries, symptom patterns, gait asymmetries (per run and history),
load, and surface/shoes/cadence. Within a group, higher severity then higher confidence first.

Every threshold is data with its evidence below (:data:`LSI_BAND`, :data:`RATIO_BANDS`,
:data:`YBALANCE_BANDS`); every finding → body-target link is data with a one-line rationale
(:data:`PROTOCOL_TARGETS`, :data:`SYMPTOM_REGION_TARGETS`, :data:`GAIT_TARGETS`).

Confidence (0–1) = ``GRADE_WEIGHT[evidence grade] × data weight``, where the data weight is
between 0.5 and 1: for a test comparison it grows with how far the result is past its threshold
(0.6 at the threshold, 1.0 at 10 points past it) and is 0.1 lower when only force (no lever arm)
was compared; for a gait finding it is 1.0 when the asymmetry is real in the latest run and
notable/marked, scaled by the share of recent runs in which it was so; for red flags it is
fixed at 0.9 (a self-report we act on regardless); associations are capped at 0.4.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any

from evenstride.assessment.reference_bands import (
    ASYMMETRY_BANDS,
    CADENCE_ADVICE_EVIDENCE,
    Evidence,
)
from evenstride.clinical.models import (
    TARGET_WORDS,
    TARGETS,
    AthleteProfile,
    ClinicalFinding,
    Side,
    Symptom,
    TestResult,
    region_words,
)
from evenstride.clinical.protocols import PROTOCOLS, normalised_value

__all__ = [
    "GAIT_TARGETS",
    "GRADE_WEIGHT",
    "LSI_BAND",
    "PROTOCOL_TARGETS",
    "RATIO_BANDS",
    "RED_FLAGS",
    "SYMPTOM_REGION_TARGETS",
    "YBALANCE_BANDS",
    "LsiResult",
    "RatioResult",
    "agonist_antagonist",
    "gait_findings",
    "integrated_assessment",
    "lsi_results",
    "normalise_flag",
    "red_flag_findings",
    "symptom_pattern_findings",
    "ybalance_findings",
]

# ------------------------------------------------------------------------------ reference data
GRADE_WEIGHT: dict[str, float] = {"V": 0.9, "S": 0.7, "U": 0.5}


@dataclass(frozen=True)
class LsiBand:
    """Limb symmetry index below ``min_pct`` is flagged."""

    min_pct: float
    origin: str
    evidence: Evidence


LSI_BAND = LsiBand(
    min_pct=90.0,
    origin="from ACL rehabilitation, an extrapolation for runners",
    evidence=Evidence(
        grade="U",
        sources=("Grindem et al. 2016 Br J Sports Med 50:804 (LSI ≥ 90 % return-to-sport "
                 "criteria after ACL reconstruction)",),
        note="The 90 % limb symmetry index comes from ACL rehabilitation; no validated cut-off "
        "exists for runners, so it is used here as an extrapolation.",
    ),
)


@dataclass(frozen=True)
class RatioBand:
    """An agonist:antagonist ratio per side (``numerator / denominator`` protocols)."""

    key: str
    name: str
    numerator: str
    denominator: str
    #: Below this (when set) the ratio is flagged on that side.
    low_below: float | None
    typical: str
    evidence: Evidence
    targets: tuple[str, ...]


RATIO_BANDS: dict[str, RatioBand] = {
    "hamstring_quadriceps": RatioBand(
        key="hamstring_quadriceps",
        name="hamstring:quadriceps",
        numerator="hhd_knee_flexion",
        denominator="hhd_knee_extension",
        # healthy mean 0.51–0.56 (mid 0.535) − 2 × SD 0.08–0.11 (mid 0.095) ≈ 0.345: about
        # 2–3 % of healthy athletes fall below it if the ratio is roughly normal
        low_below=0.35,
        typical="isometric H:Q by hand-held dynamometry in healthy athletes averages 0.51–0.56 "
        "(SD 0.08–0.11); the conventional ≈ 0.6 is an isokinetic concentric value and does not "
        "transfer to hand-held testing",
        evidence=Evidence(
            grade="U",
            sources=("Bogdanis et al. 2025 J Hum Kinet (HHD vs isokinetic: isometric H/Q "
                     "0.51–0.56, SD 0.08–0.11; science.md §13)",
                     "Coombs & Garbutt 2002 J Sports Sci Med 1:56 (review: conventional 0.6 is "
                     "isokinetic, questioned)"),
            note="Typical values from a small sample, not an injury threshold. 'Low' = below "
            "the healthy mean − 2 SD (≈ 0.35), an evenstride choice; a 0.5 cut would flag about "
            "a third of healthy athletes. Compare torques (give lever arms), not forces.",
        ),
        targets=("hamstrings",),
    ),
    "hip_abductor_adductor": RatioBand(
        key="hip_abductor_adductor",
        name="hip abductor:adductor",
        numerator="hhd_hip_abduction",
        denominator="hhd_hip_adduction",
        low_below=None,
        typical="pooled data: healthy non-athletic men about equal (≈ 1), male athletes "
        "stronger adductors (< 1), healthy women and people with patellofemoral pain stronger "
        "abductors (> 1)",
        evidence=Evidence(
            grade="U",
            sources=("Marušič et al. 2024 Isokinetics Exerc Sci 32:1 (ABD:ADD review, abstract "
                     "only)",),
            note="No numeric reference range could be verified, so the ratio is shown, not "
            "classified; only a side difference of the ratio is pointed out.",
        ),
        targets=("hip_abductors", "hip_adductors"),
    ),
}

#: An LSI at or below this is a large deficit (severity 2; evenstride design, grade U).
LSI_LARGE_DEFICIT_PCT = 80.0

#: Per-side ratio differing between sides by more than this fraction is pointed out (design).
RATIO_SIDE_DIFFERENCE = 0.15


@dataclass(frozen=True)
class YBalanceBands:
    anterior_diff_cm: float
    composite_min_pct: float
    evidence: Evidence


YBALANCE_BANDS = YBalanceBands(
    anterior_diff_cm=4.0,
    composite_min_pct=94.0,
    evidence=Evidence(
        grade="U",
        sources=("Plisky et al. 2006 J Orthop Sports Phys Ther 36:911 (SEBT, high-school "
                 "basketball: anterior L–R > 4 cm ≈ 2.5× injury odds; composite < 94 % of limb "
                 "length in girls ≈ 6.5×)",),
        note="From high-school basketball players on the Star Excursion Balance Test; applying "
        "it to runners is an extrapolation.",
    ),
)

#: Protocol → (targets, rationale) when that test shows a deficit on one side.
PROTOCOL_TARGETS: dict[str, tuple[tuple[str, ...], str]] = {
    "single_hop": (("plyometric", "quadriceps", "balance"),
                   "hop distance deficits reflect power and landing control of the limb"),
    "triple_hop": (("plyometric", "quadriceps", "hip_extensors"),
                   "repeated hops add reactive strength and hip drive"),
    "crossover_hop": (("plyometric", "balance", "hip_abductors"),
                      "crossing the line adds frontal-plane control"),
    "timed_hop_6m": (("plyometric", "calf_soleus"),
                     "fast repeated hops depend on reactive ankle stiffness"),
    "single_leg_squat": (("hip_abductors", "quadriceps", "balance"),
                         "poor single-leg squat quality is mostly hip and knee control"),
    "calf_raise": (("calf_soleus",),
                   "fewer raises to fatigue is a calf–soleus endurance deficit"),
    "single_leg_bridge": (("hip_extensors", "hamstrings"),
                          "the bridge loads gluteus maximus and hamstrings"),
    "side_plank": (("trunk_lateral", "hip_abductors"),
                   "side plank holds lateral trunk and hip abductor endurance"),
    "hhd_hip_abduction": (("hip_abductors", "trunk_lateral"),
                          "weak abductors let the pelvis drop; the lateral trunk shares the "
                          "frontal-plane control (Niemuth 2005, Fredericson 2000)"),
    "hhd_hip_adduction": (("hip_adductors",), "adductor weakness is trained directly"),
    "hhd_knee_extension": (("quadriceps",), "knee extension force is the quadriceps"),
    "hhd_knee_flexion": (("hamstrings",), "knee flexion force is the hamstrings"),
    "hhd_ankle_plantarflexion": (("calf_soleus", "foot_ankle"),
                                 "plantarflexion force is gastrocnemius–soleus"),
    "knee_to_wall": (("ankle_mobility", "calf_soleus"),
                     "a short knee-to-wall is limited ankle dorsiflexion"),
    "hip_internal_rotation": (("hip_mobility", "hip_rotators"),
                              "reduced internal rotation is hip mobility and rotator control"),
    "y_balance": (("balance", "foot_ankle", "hip_abductors"),
                  "reach deficits are single-leg balance and control"),
}

#: Symptom region → (targets, rationale) linking soreness to what is worked on.
SYMPTOM_REGION_TARGETS: dict[str, tuple[tuple[str, ...], str]] = {
    "knee_lateral": (("hip_abductors", "trunk_lateral"),
                     "ITB-region pain goes with weaker hip abductors (Fredericson 2000)"),
    "hip_lateral": (("hip_abductors", "trunk_lateral"),
                    "lateral hip pain is usually gluteal-tendon load; abductor loading treats it"),
    "knee_anterior": (("quadriceps", "hip_abductors"),
                      "patellofemoral pain responds to knee and hip strengthening"),
    "achilles": (("calf_soleus",), "Achilles pain is treated by progressive calf loading"),
    "calf": (("calf_soleus",), "calf strain recurrence goes with calf capacity"),
    "shin_medial": (("calf_soleus", "foot_ankle"),
                    "medial shin pain: soleus and foot strength share the tibial load"),
    "plantar": (("foot_ankle", "calf_soleus"), "plantar heel pain: foot and calf loading"),
    "foot": (("foot_ankle",), "forefoot/midfoot symptoms: intrinsic foot strength"),
    "hamstring": (("hamstrings", "hip_extensors"), "hamstring symptoms: hamstring capacity"),
    "groin": (("hip_adductors",), "groin pain: adductor strengthening"),
    "low_back": (("trunk_anterior", "trunk_lateral"), "trunk endurance for low-back symptoms"),
}

#: Gait metric → (targets, side rule, rationale). The side rule picks the side to work on:
#: "larger" = the side with the larger value, None = only the profile's involved side.
GAIT_TARGETS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "contact_time": (("hip_abductors", "calf_soleus", "balance"), "larger",
                     "a longer contact on one side is treated as less single-leg support "
                     "capacity on that side (evenstride design, grade U)"),
    "impact_g": (("calf_soleus", "running_form"), None,
                 "impact differences: landing stiffness and form"),
    "braking_g": (("running_form", "quadriceps"), None,
                  "braking differences: overstride and eccentric knee control"),
    "shock_g": (("calf_soleus", "running_form"), None, "shock differences: landing stiffness"),
    "step_length": (("hip_extensors", "hip_mobility"), None,
                    "step-length differences: hip extension strength and range"),
    "pronation_deg": (("foot_ankle",), None, "pronation differences: foot strength"),
    # video (issue 16): the stance side whose pelvis lets the swing side drop more is the side
    # whose hip abductors hold the pelvis less (Bramah et al. 2018 link contralateral pelvic drop
    # to running injury; no validated pose-estimated value, science.md "Video": grade U here)
    "pelvic_drop_deg": (("hip_abductors", "trunk_lateral"), "larger",
                        "more contralateral pelvic drop in stance on one side: hip-abductor and "
                        "lateral-trunk strength on that side (evenstride design, grade U)"),
    "knee_fppa_deg": (("hip_abductors", "quadriceps"), None,
                      "a larger 2D knee projection angle: hip and knee control (a description; "
                      "2D does not measure 3D knee mechanics)"),
    "foot_ahead_ic_pct_leg": (("running_form", "hip_extensors"), None,
                              "the foot lands further ahead of the hip on one side: overstride "
                              "cues and hip-extension strength"),
}

#: Red-flag descriptors (canonical name → what the runner reported).
RED_FLAGS: dict[str, str] = {
    "sharp": "sharp or stabbing pain",
    "changes_form": "pain that makes you change how you run",
    "swelling": "swelling",
    "night_pain": "pain at night or at rest",
    "numbness": "numbness or pins and needles",
    "bone_tenderness": "pin-point tenderness on a bone",
    "rising": "pain rising over consecutive sessions",
}
_FLAG_ALIASES = {
    "stabbing": "sharp", "sharp_pain": "sharp", "changes": "changes_form",
    "change_form": "changes_form", "limp": "changes_form", "form_change": "changes_form",
    "night": "night_pain", "rest_pain": "night_pain", "tingling": "numbness",
    "pins_and_needles": "numbness", "bone": "bone_tenderness", "pinpoint": "bone_tenderness",
    "pin_point": "bone_tenderness", "pin_point_bone_tenderness": "bone_tenderness",
    "swollen": "swelling",
}
RED_FLAG_ADVICE = "stop loading this area and see a clinician experienced with runners"
RED_FLAG_EVIDENCE = Evidence(
    grade="S",
    sources=("Clinical red-flag screening as used in sports physiotherapy (e.g. bone stress "
             "injury signs: focal bone tenderness, night pain; Warden et al. 2014 Curr Sports "
             "Med Rep)",),
    note="These signs call for a clinical examination before further loading; they are not a "
    "diagnosis.",
)
#: Consecutive logs with strictly rising severity that make the "rising" red flag.
RISING_MIN_LOGS = 3

ASSOCIATION_EVIDENCE = Evidence(
    grade="U",
    sources=("evenstride design: counts in one runner's own logs",),
    note="An association in your own logs, not proof of cause: few logs, and other things "
    "change at the same time.",
)


def normalise_flag(flag: str) -> str:
    """Canonical red-flag name (``"pin-point"`` → ``"bone_tenderness"``); raises ``KeyError``."""
    k = flag.strip().lower().replace("-", "_").replace(" ", "_")
    k = _FLAG_ALIASES.get(k, k)
    if k not in RED_FLAGS:
        raise KeyError(flag)
    return k


# ---------------------------------------------------------------------------------- helpers
def _other(side: str) -> Side:
    return "right" if side == "left" else "left"


def _latest_per_side(tests: Iterable[TestResult], protocol: str) -> dict[str, TestResult]:
    out: dict[str, TestResult] = {}
    for t in tests:
        if t.protocol == protocol and t.side in ("left", "right"):
            cur = out.get(t.side)
            if cur is None or t.when >= cur.when:
                out[t.side] = t
    return out


def _data_weight(past_threshold: float) -> float:
    """0.6 at the threshold, +0.04 per point past it, 1.0 from 10 points on."""
    return max(0.5, min(1.0, 0.6 + 0.04 * max(0.0, past_threshold)))


def _conf(evidence: Evidence, weight: float) -> float:
    return round(GRADE_WEIGHT.get(evidence.grade, 0.5) * weight, 2)


def _target_words(targets: Iterable[str]) -> str:
    """Targets in plain words (no internal keys in any output)."""
    return ", ".join(TARGET_WORDS.get(t, t.replace("_", " ")) for t in targets)


def _targets(*groups: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups:
        for t in g:
            if t in TARGETS and t not in out:
                out.append(t)
    return tuple(out)


# --------------------------------------------------------------------------------- LSI
@dataclass(frozen=True)
class LsiResult:
    protocol: str
    #: The side in the numerator (involved or weaker side).
    involved: Side
    lsi_pct: float
    left: float
    right: float
    #: What was compared ("torque N·m/kg", "force N", "cm" …).
    compared: str
    below_band: bool
    #: Whether the involved side came from the profile ("profile") or the weaker side ("weaker").
    basis: str


def lsi_results(
    tests: Sequence[TestResult], profile: AthleteProfile | None = None
) -> list[LsiResult]:
    """Limb symmetry index per sided protocol (latest result per side).

    LSI = involved / other × 100 (timed tests: other / involved × 100). The involved side is
    the profile's ``involved_side`` when set, else the weaker side (so the LSI is ≤ 100 %).

    >>> from datetime import date
    >>> ts = [TestResult("single_hop", "left", 150.0, "cm", date(2024, 1, 1)),
    ...       TestResult("single_hop", "right", 120.0, "cm", date(2024, 1, 1))]
    >>> r = lsi_results(ts)[0]; (r.involved, r.lsi_pct, r.below_band)
    ('right', 80.0, True)
    """
    involved_profile = profile.involved_side if profile is not None else None
    mass = profile.body_mass_kg if profile is not None else None
    out = []
    for key, p in PROTOCOLS.items():
        if not p.sided:
            continue
        sides = _latest_per_side(tests, key)
        if set(sides) != {"left", "right"}:
            continue
        vals: dict[str, float] = {}
        compared = p.unit
        if p.key.startswith("hhd_"):
            norm = {s: normalised_value(t, mass) for s, t in sides.items()}
            if all(v is not None for v in norm.values()):
                vals = {s: float(v) for s, v in norm.items() if v is not None}
                compared = "torque N·m/kg"
            else:
                compared = "force N (no lever arm: assumes the same on both sides)"
        if not vals:
            vals = {s: t.value for s, t in sides.items()}
        if involved_profile is not None:
            inv, basis = involved_profile, "profile"
        else:
            if p.lower_is_better:
                inv = "left" if vals["left"] > vals["right"] else "right"
            else:
                inv = "left" if vals["left"] < vals["right"] else "right"
            basis = "weaker"
        num, den = vals[inv], vals[_other(inv)]
        if p.lower_is_better:
            num, den = den, num
        if den <= 0:
            continue
        lsi = round(num / den * 100.0, 1)
        out.append(LsiResult(key, inv, lsi, vals["left"], vals["right"], compared,
                             lsi < LSI_BAND.min_pct, basis))
    return out


# ------------------------------------------------------------------------------ ratios
@dataclass(frozen=True)
class RatioResult:
    key: str
    left: float | None
    right: float | None
    compared: str
    #: Sides below the band's ``low_below``.
    low_sides: tuple[Side, ...]
    #: Side with the lower ratio when the two differ by more than RATIO_SIDE_DIFFERENCE.
    lower_side: Side | None


def agonist_antagonist(
    tests: Sequence[TestResult], profile: AthleteProfile | None = None
) -> list[RatioResult]:
    """Per-side agonist:antagonist ratios (:data:`RATIO_BANDS`): torque when lever arms are
    given for both tests of a side, else force.

    >>> from datetime import date
    >>> d = date(2024, 1, 1)
    >>> ts = [TestResult("hhd_knee_flexion", s, f, "N", d) for s, f in (("left", 150.0),
    ...       ("right", 120.0))] + [TestResult("hhd_knee_extension", s, 300.0, "N", d)
    ...       for s in ("left", "right")]
    >>> r = agonist_antagonist(ts)[0]; (r.left, r.right, r.low_sides, r.lower_side)
    (0.5, 0.4, (), 'right')
    """
    mass = profile.body_mass_kg if profile is not None else None
    out = []
    for band in RATIO_BANDS.values():
        num = _latest_per_side(tests, band.numerator)
        den = _latest_per_side(tests, band.denominator)
        ratios: dict[str, float | None] = {"left": None, "right": None}
        compared = "torque"
        for s in ("left", "right"):
            if s not in num or s not in den:
                continue
            a, b = normalised_value(num[s], mass), normalised_value(den[s], mass)
            if a is None or b is None:
                a, b, compared = num[s].value, den[s].value, "force"
            if b > 0:
                ratios[s] = round(a / b, 3)
        if ratios["left"] is None and ratios["right"] is None:
            continue
        low: tuple[Side, ...] = ()
        if band.low_below is not None:
            low = tuple(s for s in ("left", "right")
                        if ratios[s] is not None and ratios[s] < band.low_below)  # type: ignore[operator]
        lower: Side | None = None
        rl, rr = ratios["left"], ratios["right"]
        if (rl is not None and rr is not None and max(rl, rr) > 0
                and abs(rl - rr) / max(rl, rr) > RATIO_SIDE_DIFFERENCE):
            lower = "left" if rl < rr else "right"
        out.append(RatioResult(band.key, rl, rr, compared, low, lower))
    return out


# ----------------------------------------------------------------------------- Y-balance
def ybalance_findings(tests: Sequence[TestResult]) -> list[ClinicalFinding]:
    """Anterior reach L–R difference > 4 cm and composite < 94 % of limb length (Plisky 2006).

    >>> from datetime import date
    >>> ext = {"posteromedial_cm": 100.0, "posterolateral_cm": 95.0, "limb_length_cm": 90.0}
    >>> ts = [TestResult("y_balance", "left", 66.0, "cm", date(2024, 1, 1), dict(ext)),
    ...       TestResult("y_balance", "right", 60.0, "cm", date(2024, 1, 1), dict(ext))]
    >>> [(f.title, f.side) for f in ybalance_findings(ts)][0]
    ('Y-balance anterior reach 6.0 cm shorter on the right', 'right')
    """
    ev = YBALANCE_BANDS.evidence
    sides = _latest_per_side(tests, "y_balance")
    out = []
    if set(sides) == {"left", "right"}:
        diff = sides["left"].value - sides["right"].value
        if abs(diff) > YBALANCE_BANDS.anterior_diff_cm:
            short: Side = "right" if diff > 0 else "left"
            out.append(ClinicalFinding(
                kind="balance_reach",
                title=f"Y-balance anterior reach {abs(diff):.1f} cm shorter on the {short}",
                text=(f"anterior reach left {sides['left'].value:g} cm, right "
                      f"{sides['right'].value:g} cm: a difference above "
                      f"{YBALANCE_BANDS.anterior_diff_cm:g} cm, which went with more lower-limb "
                      "injuries in high-school basketball players (Plisky 2006) — an "
                      "extrapolation for runners."),
                evidence=ev, side=short, targets=PROTOCOL_TARGETS["y_balance"][0], severity=2,
                confidence=_conf(ev, _data_weight(
                    10 * (abs(diff) - YBALANCE_BANDS.anterior_diff_cm) / 4)),
                values={"anterior_left_cm": sides["left"].value,
                        "anterior_right_cm": sides["right"].value,
                        "anterior_difference_cm": round(diff, 1)},
                retest="y_balance",
            ))
    for s, t in sorted(sides.items()):
        comp = t.extra.get("composite_pct")
        if comp is not None and comp < YBALANCE_BANDS.composite_min_pct:
            out.append(ClinicalFinding(
                kind="balance_reach",
                title=f"Y-balance composite {comp:.1f} % of limb length on the {s}",
                text=(f"composite reach {comp:.1f} % is below "
                      f"{YBALANCE_BANDS.composite_min_pct:g} %, which went with more injuries "
                      "in high-school basketball players (Plisky 2006) — an extrapolation for "
                      "runners."),
                evidence=ev, side=s,  # type: ignore[arg-type]
                targets=PROTOCOL_TARGETS["y_balance"][0], severity=1,
                confidence=_conf(ev, _data_weight(YBALANCE_BANDS.composite_min_pct - comp)),
                values={"composite_pct": comp}, retest="y_balance",
            ))
    return out


# ------------------------------------------------------------------------------- red flags
def _sym_region_key(s: Symptom) -> tuple[str, str]:
    return (s.side, s.region)


def red_flag_findings(symptoms: Sequence[Symptom]) -> list[ClinicalFinding]:
    """One severity-3 finding per (side, region) with a ticked red flag, and one per region
    whose last ``RISING_MIN_LOGS`` or more logs rise in severity session after session."""
    out: list[ClinicalFinding] = []
    flagged: dict[tuple[str, str], list[tuple[str, Symptom]]] = defaultdict(list)
    for s in symptoms:
        for f in s.flags:
            try:
                flagged[_sym_region_key(s)].append((normalise_flag(f), s))
            except KeyError:
                continue
    by_region: dict[tuple[str, str], list[Symptom]] = defaultdict(list)
    for s in symptoms:
        by_region[_sym_region_key(s)].append(s)
    rising: dict[tuple[str, str], list[Symptom]] = {}
    for k, logs in by_region.items():
        logs = sorted(logs, key=lambda x: x.when)
        run = 1
        for a, b in zip(logs[::-1][1:], logs[::-1], strict=False):
            if a.severity < b.severity:
                run += 1
            else:
                break
        if run >= RISING_MIN_LOGS:
            rising[k] = logs[-run:]
    for k in sorted(set(flagged) | set(rising)):
        side, region = k
        names = sorted({n for n, _ in flagged.get(k, [])})
        if k in rising:
            names.append("rising")
        what = ", ".join(RED_FLAGS[n] for n in names)
        latest = max((s.when for _, s in flagged.get(k, [])), default=None)
        if k in rising:
            latest = max(latest or rising[k][-1].when, rising[k][-1].when)
        where = region_words(region) + ("" if side in ("both", "none") else f" ({side})")
        values: dict[str, float] = {}
        if k in rising:
            values = {f"severity_{i + 1}": float(s.severity) for i, s in enumerate(rising[k])}
        out.append(ClinicalFinding(
            kind="red_flag",
            title=f"Red flag: {where} — {what}",
            text=(f"You reported {what} at the {where}. {RED_FLAG_ADVICE[0].upper()}"
                  f"{RED_FLAG_ADVICE[1:]}; no exercise in this plan will load it until "
                  "then."),
            evidence=RED_FLAG_EVIDENCE,
            side=side if side in ("left", "right") else None,  # type: ignore[arg-type]
            severity=3, confidence=0.9, region=region, values=values,
            when=None if latest is None else datetime(latest.year, latest.month, latest.day),
            flags=tuple(names),
        ))
    return out


# ------------------------------------------------------------------------- symptom patterns
def _run_index(run_docs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per run: activity id, date, distance, sub-sport, gear (from ``activity_id``/``gear`` keys
    added by the caller, else ``_plan``)."""
    out = []
    for d in run_docs:
        st = d.get("start_time")
        try:
            day = datetime.fromisoformat(str(st)).date() if st else None
        except ValueError:
            day = None
        plan = d.get("_plan") or {}
        out.append({
            "activity_id": d.get("activity_id", plan.get("activity_id")),
            "date": day,
            "distance_m": d.get("distance_m"),
            "duration_s": d.get("duration_s"),
            "sub_sport": d.get("sub_sport"),
            "gear": d.get("gear", plan.get("gear")),
            "doc": d,
        })
    return out


def _preceding_run(sym: Symptom, runs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The run the symptom is logged against, else the last run on or up to 2 days before."""
    if sym.activity_id is not None:
        for r in runs:
            if r["activity_id"] == sym.activity_id:
                return r
    best = None
    for r in runs:
        if r["date"] is None:
            continue
        lag = (sym.when - r["date"]).days
        if 0 <= lag <= 2 and (best is None or r["date"] >= best["date"]):
            best = r
    return best


def symptom_pattern_findings(
    symptoms: Sequence[Symptom],
    *,
    run_docs: Sequence[Mapping[str, Any]] = (),
    history: Mapping[str, Any] | None = None,
) -> list[ClinicalFinding]:
    """Recurring (side, region) symptoms (≥ 2 logs), what preceded them (long runs, load-spike
    weeks, shoes, track/trail/treadmill) as associations, and pain onsets near a run's
    asymmetry drift onset."""
    runs = _run_index(run_docs)
    spike_ids = set()
    spike_weeks: set[date] = set()
    if history:
        load = history.get("load") or {}
        spike_ids = {f.get("activity_id") for f in load.get("longest_run_flags") or []}
        for w in load.get("weekly") or []:
            if w.get("ramp_flag"):
                with contextlib.suppress(KeyError, ValueError):
                    spike_weeks.add(date.fromisoformat(str(w["week"])))
    dists = [r["distance_m"] for r in runs if r["distance_m"]]
    long_cut = 1.3 * median(dists) if dists else None
    by_region: dict[tuple[str, str], list[Symptom]] = defaultdict(list)
    for s in symptoms:
        if s.severity > 0:
            by_region[_sym_region_key(s)].append(s)
    out: list[ClinicalFinding] = []
    for (side, region), logs in sorted(by_region.items()):
        targets, why = SYMPTOM_REGION_TARGETS.get(region, ((), ""))
        where = region_words(region) + ("" if side in ("both", "none") else f" ({side})")
        if len(logs) >= 2:
            counts: Counter[str] = Counter()
            n_matched = 0
            for s in logs:
                r = _preceding_run(s, runs)
                if r is None:
                    continue
                n_matched += 1
                longer = long_cut is not None and (r["distance_m"] or 0) > long_cut
                if r["activity_id"] in spike_ids or longer:
                    counts["a long run"] += 1
                monday = r["date"] and r["date"].fromordinal(
                    r["date"].toordinal() - r["date"].weekday())
                if monday in spike_weeks:
                    counts["a load-spike week"] += 1
                if r["sub_sport"] in ("track", "trail", "treadmill"):
                    counts[f"a {r['sub_sport']} run"] += 1
                if r["gear"]:
                    counts[f"a run in {r['gear']}"] += 1
            assoc = [f"{n} of {n_matched} after {what}" for what, n in counts.most_common()
                     if n >= 2 and n >= 0.5 * n_matched]
            sev = max(s.severity for s in logs)
            text = (f"{len(logs)} logs of {logs[-1].kind} at the {where} "
                    f"(worst {sev}/10, {logs[0].when.isoformat()} – {logs[-1].when.isoformat()}).")
            if assoc:
                text += " Preceded by: " + "; ".join(assoc) + " — an association, not a cause."
            elif n_matched:
                text += " No common factor among the runs before them."
            if why:
                text += f" Worked on through the {_target_words(targets)}: {why}."
            out.append(ClinicalFinding(
                kind="symptom_pattern", title=f"Recurring {logs[-1].kind}: {where}",
                text=text, evidence=ASSOCIATION_EVIDENCE,
                side=side if side in ("left", "right") else None,  # type: ignore[arg-type]
                targets=_targets(targets), severity=2 if sev >= 4 else 1,
                confidence=round(min(0.4, 0.1 * len(logs)), 2), region=region,
                values={"n_logs": float(len(logs)), "max_severity": float(sev),
                        **{f"n_after_{k.replace(' ', '_')}": float(v) for k, v in counts.items()}},
            ))
    # pain onset near an asymmetry drift onset in the same run
    for s in symptoms:
        if s.activity_id is None or (s.onset_km is None and s.onset_min is None):
            continue
        r = next((x for x in runs if x["activity_id"] == s.activity_id), None)
        if r is None:
            continue
        doc = r["doc"]
        if s.onset_min is not None:
            onset_s = s.onset_min * 60.0
        else:
            dist, dur = doc.get("distance_m"), doc.get("duration_s")
            if not dist or not dur:
                continue
            onset_s = float(s.onset_km) * 1000.0 / (dist / dur)  # type: ignore[arg-type]
        for key, drift in (doc.get("fatigue") or {}).items():
            if "/" not in key or not isinstance(drift, Mapping):
                continue
            d_on = drift.get("onset_s")
            if d_on is None:
                continue
            tol = max(600.0, 0.15 * float(doc.get("duration_s") or 0.0))
            if abs(float(d_on) - onset_s) <= tol:
                out.append(ClinicalFinding(
                    kind="gait_drift",
                    title=f"{s.kind.capitalize()} at the {region_words(s.region)} began near "
                    f"the {key.split('/')[0].replace('_', ' ')} drift onset",
                    text=(f"In run {s.activity_id} the {s.kind} started at about "
                          f"{onset_s / 60:.0f} min and the asymmetry drift at about "
                          f"{float(d_on) / 60:.0f} min. Shown together; one can follow from "
                          "the other either way, or both from fatigue."),
                    evidence=ASSOCIATION_EVIDENCE,
                    side=s.side if s.side in ("left", "right") else None,
                    targets=_targets(SYMPTOM_REGION_TARGETS.get(s.region, ((), ""))[0]),
                    severity=1, confidence=0.3, region=s.region,
                    values={"symptom_onset_s": round(onset_s, 0),
                            "drift_onset_s": float(d_on)},
                    retest=key,
                ))
    return out


# ----------------------------------------------------------------------------------- gait
def gait_findings(
    profile: AthleteProfile | None,
    run_docs: Sequence[Mapping[str, Any]] = (),
    history: Mapping[str, Any] | None = None,
) -> list[ClinicalFinding]:
    """Real notable/marked asymmetries: from the history's current baseline (all runs) when
    available, else from the latest run document; plus significant drifts of the latest run."""
    involved = profile.involved_side if profile is not None else None
    out: list[ClinicalFinding] = []
    seen: set[str] = set()
    docs = sorted(run_docs, key=lambda d: str(d.get("start_time") or ""))
    recent = docs[-5:]
    if history:
        for key, m in (history.get("metrics") or {}).items():
            metric = key.split("/")[0]
            band = ASYMMETRY_BANDS.get(metric)
            cur = m.get("current") or {}
            base = cur.get("baseline") or {}
            mean = base.get("mean")
            if band is None or mean is None:
                continue
            cls = band.classify(float(mean))
            if cls == "typical":
                continue
            larger: Side = "left" if float(mean) > 0 else "right"
            seen.add(key)
            out.append(_gait_finding(metric, key, cls, larger, involved, band.evidence,
                                     float(mean), m.get("unit", ""), int(base.get("n_runs") or 0),
                                     "baseline of your runs", 1.0))
    if docs:
        latest = docs[-1]
        for a in latest.get("asymmetry") or []:
            key = f"{a.get('metric')}/{a.get('source')}"
            # a real difference of a metric without a published range (video pelvic drop, …)
            # still points at a target when it is beyond the smallest important difference
            unbanded = (a.get("class") == "no reference" and not a.get("trivial")
                        and str(a.get("metric")) in GAIT_TARGETS)
            if key in seen or not a.get("real") or (
                    a.get("class") not in ("notable", "marked") and not unbanded):
                continue
            metric = str(a.get("metric"))
            band = ASYMMETRY_BANDS.get(metric)
            ev = band.evidence if band else Evidence(**_ev_args(a.get("evidence")))
            share = sum(
                1 for d in recent for b in d.get("asymmetry") or []
                if f"{b.get('metric')}/{b.get('source')}" == key and b.get("real")
                and b.get("class") in ("notable", "marked")
            ) / max(1, len(recent))
            val = a.get(a.get("index") or "symmetry_angle_pct")
            out.append(_gait_finding(metric, key, str(a.get("class")),
                                     a.get("side_doing_more") or a.get("larger_side") or "left",
                                     involved, ev,
                                     float(val or 0.0), "", 1, "latest run", share))
        for key, drift in (latest.get("fatigue") or {}).items():
            if "/" in key and isinstance(drift, Mapping) and drift.get("significant"):
                from evenstride.assessment.reference_bands import FATIGUE_EVIDENCE

                on = drift.get("onset_s")
                out.append(ClinicalFinding(
                    kind="gait_drift",
                    title=f"{key.split('/')[0].replace('_', ' ')} asymmetry drifted in the "
                    "latest run",
                    text=(f"slope {drift.get('slope_per_h')} {drift.get('unit', '')} per hour"
                          + (f", from about {float(on) / 60:.0f} min" if on is not None else "")
                          + ". Describes this run; it does not predict injury."),
                    evidence=FATIGUE_EVIDENCE, side=involved,
                    targets=GAIT_TARGETS.get(key.split("/")[0], ((), None, ""))[0],
                    severity=1, confidence=_conf(FATIGUE_EVIDENCE, 0.6),
                    values={"slope_per_h": float(drift.get("slope_per_h") or 0.0),
                            **({"onset_s": float(on)} if on is not None else {})},
                    retest=key,
                ))
    return out


def _ev_args(d: Any) -> dict[str, Any]:
    d = d or {}
    return {"grade": d.get("grade", "U"), "sources": tuple(d.get("sources") or ()),
            "note": d.get("note", "")}


def _gait_finding(metric: str, key: str, cls: str, larger: str, involved: Side | None,
                  ev: Evidence, value: float, unit: str, n_runs: int, basis: str,
                  share: float) -> ClinicalFinding:
    targets, rule, why = GAIT_TARGETS.get(metric, ((), None, ""))
    side: Side | None = involved
    if side is None and rule == "larger":
        side = larger  # type: ignore[assignment]
    weight = max(0.5, min(1.0, share)) * (1.0 if cls == "marked" else 0.85)
    name = metric.replace("_", " ")
    if cls == "no reference":  # a newer metric (video …): its display name, no band class
        from evenstride.metrics.registry import metric_name

        name, cls = metric_name(metric), "beyond the smallest important difference"
    return ClinicalFinding(
        kind="gait_asymmetry",
        title=f"{name.capitalize()}: {larger} side larger ({cls})",
        text=(f"{basis}: {value:+.2f} {unit or '(index)'} — "
              + ("real and beyond the smallest important difference; no published range to "
                 "compare with. " if cls.startswith("beyond the smallest")
                 else f"{cls} against the reference band. ")
              + (f"Worked on through the {_target_words(targets)}: {why}." if targets else "")
              + (f" Side to work on: {side} (from your injury history)." if involved else "")),
        evidence=ev, side=side, targets=_targets(targets), severity=2 if cls == "marked" else 1,
        confidence=_conf(ev, weight), values={"index": round(value, 3), "n_runs": float(n_runs)},
        retest=key,
    )


# -------------------------------------------------------------------- load, surface, shoes
def _history_context_findings(history: Mapping[str, Any] | None) -> list[ClinicalFinding]:
    out: list[ClinicalFinding] = []
    if not history:
        return out
    load = history.get("load") or {}
    as_of = load.get("as_of")
    for f in (load.get("longest_run_flags") or [])[-3:]:
        if as_of and f.get("date"):
            try:
                if (date.fromisoformat(as_of) - date.fromisoformat(f["date"])).days > 28:
                    continue
            except ValueError:
                pass
        ev = Evidence(**_ev_args(f.get("evidence")))
        out.append(ClinicalFinding(
            kind="load", title=f"Long-run spike on {f.get('date')}", text=str(f.get("sentence")),
            evidence=ev, severity=1, confidence=_conf(ev, 0.6),
            values={"excess_pct": float(f.get("excess_pct") or 0.0)},
        ))
    weekly = [w for w in load.get("weekly") or [] if w.get("ramp_flag")]
    if weekly and as_of and weekly[-1].get("week"):
        # only a recent ramp is a finding (same 28-day window as the long-run flags)
        with contextlib.suppress(ValueError):
            if (date.fromisoformat(as_of) - date.fromisoformat(weekly[-1]["week"])).days > 28:
                weekly = []
    if weekly:
        w = weekly[-1]
        ev = Evidence("U", ("evenstride design: 2-week ramp above 30 %",),
                      "Weekly ramps are shown as a trend; no ramp size is known to be safe.")
        out.append(ClinicalFinding(
            kind="load", title=f"Load ramp in the week of {w.get('week')}",
            text=f"the last two weeks' load was {w.get('ramp_2wk_pct')} % above the two before.",
            evidence=ev, severity=1, confidence=_conf(ev, 0.6),
            values={"ramp_2wk_pct": float(w.get("ramp_2wk_pct") or 0.0)},
        ))
    surface = history.get("surface") or {}
    track = surface.get("track") or {}
    if (track.get("sessions") or 0) >= 3 and track.get("sentence"):
        ev = Evidence("U", ("evenstride design",), "Low-cost advice with weak evidence.")
        out.append(ClinicalFinding(
            kind="surface", title="Track running mostly in one direction",
            text=str(track["sentence"]), evidence=ev, severity=1, confidence=_conf(ev, 0.6),
            targets=("running_form",),
            values={"sessions": float(track.get("sessions") or 0)},
        ))
    for pair in (history.get("shoes") or {}).get("pairs") or []:
        retire = pair.get("retire_km")
        if retire and (pair.get("distance_km") or 0) >= retire and not (
                pair.get("attributes") or {}).get("retired"):
            ev = Evidence("U", ("manufacturer mileage guidance",),
                          "Shoe life varies widely; a reminder, not a rule.")
            out.append(ClinicalFinding(
                kind="shoes", title=f"{pair.get('name')} past its reminder distance",
                text=f"{pair.get('distance_km')} km run in it (reminder at {retire} km).",
                evidence=ev, severity=0, confidence=_conf(ev, 0.6),
                values={"distance_km": float(pair.get("distance_km") or 0)},
            ))
    return out


def _cadence_findings(run_docs: Sequence[Mapping[str, Any]]) -> list[ClinicalFinding]:
    docs = sorted(run_docs, key=lambda d: str(d.get("start_time") or ""))[-5:]
    raw = [((d.get("form") or {}).get("cadence_speed") or {}).get("low_for_speed_share")
           for d in docs]
    shares = [float(s) for s in raw if s is not None]
    if len(shares) < 2 or median(shares) < 0.25:
        return []
    ev = CADENCE_ADVICE_EVIDENCE
    return [ClinicalFinding(
        kind="cadence", title="Cadence often low for your speed",
        text=f"in the last runs a median {100 * median(shares):.0f} % of the time was below your "
        "own cadence–speed line; a +5–10 % step rate lowers knee and hip loading.",
        evidence=ev, targets=("running_form",), severity=1, confidence=_conf(ev, 0.6),
        values={"low_for_speed_share": round(median(shares), 3)}, retest="cadence_spm",
    )]


# ------------------------------------------------------------------------------ integrated
_RANK = {"red_flag": 0, "strength_lsi": 1, "agonist_antagonist": 1, "balance_reach": 1,
         "mobility": 1, "symptom_pattern": 2, "gait_asymmetry": 3, "gait_drift": 3, "load": 4,
         "surface": 5, "shoes": 5, "cadence": 5}
_MOBILITY = {"knee_to_wall", "hip_internal_rotation"}


def _test_findings(profile: AthleteProfile | None, tests: Sequence[TestResult],
                   symptoms: Sequence[Symptom]) -> list[ClinicalFinding]:
    out: list[ClinicalFinding] = []
    sym_sides: dict[str, set[str]] = defaultdict(set)  # target -> sides with related symptoms
    sym_regions: dict[tuple[str, str], str] = {}
    for s in symptoms:
        if s.severity <= 0 or s.side not in ("left", "right"):
            continue
        for t in SYMPTOM_REGION_TARGETS.get(s.region, ((), ""))[0]:
            sym_sides[t].add(s.side)
            sym_regions[(t, s.side)] = s.region
    ev_band = LSI_BAND.evidence
    for r in lsi_results(tests, profile):
        if not r.below_band:
            continue
        p = PROTOCOLS[r.protocol]
        targets, why = PROTOCOL_TARGETS.get(r.protocol, ((), ""))
        related = [sym_regions[(t, r.involved)] for t in targets if r.involved in sym_sides[t]]
        ev = Evidence(
            grade="U" if "U" in (ev_band.grade, p.evidence.grade) else p.evidence.grade,
            sources=tuple(dict.fromkeys(ev_band.sources + p.evidence.sources)),
            note=f"{ev_band.note} {p.evidence.note}",
        )
        weight = _data_weight(LSI_BAND.min_pct - r.lsi_pct)
        if r.compared.startswith("force"):
            weight -= 0.1
        if related:
            weight = min(1.0, weight + 0.1)
        text = (f"LSI {r.lsi_pct:.0f} % ({r.involved} ÷ {_other(r.involved)}, "
                f"{'your involved side' if r.basis == 'profile' else 'weaker side'}"
                f"{', timed: other ÷ involved' if p.lower_is_better else ''}); compared as "
                f"{r.compared}: left {r.left:.3g}, right {r.right:.3g}. Below the "
                f"{LSI_BAND.min_pct:g} % limb symmetry index ({LSI_BAND.origin}). {why}.")
        if related:
            text += (f" You also log symptoms at the {r.involved} "
                     f"{region_words(related[0])} on the same side.")
        out.append(ClinicalFinding(
            kind="mobility" if r.protocol in _MOBILITY else "strength_lsi",
            title=f"{p.name}: {r.involved} at {r.lsi_pct:.0f} % of the {_other(r.involved)}",
            text=text, evidence=ev, side=r.involved, targets=_targets(targets),
            severity=2 if (related or r.lsi_pct <= LSI_LARGE_DEFICIT_PCT) else 1,
            confidence=_conf(ev, weight),
            values={"lsi_pct": r.lsi_pct, "left": round(r.left, 4), "right": round(r.right, 4)},
            retest=r.protocol,
        ))
    for rr in agonist_antagonist(tests, profile):
        out.extend(_ratio_findings(rr, profile))
    out.extend(ybalance_findings(tests))
    return out


def _ratio_findings(rr: RatioResult, profile: AthleteProfile | None) -> list[ClinicalFinding]:
    """An agonist:antagonist ratio as a physical therapist reads it: both sides reported, the
    lower side named (or both), flagged only below the band's evidence-based cut
    (:data:`RATIO_BANDS`) or when the sides differ by more than ``RATIO_SIDE_DIFFERENCE``."""
    band = RATIO_BANDS[rr.key]
    sides = {s: v for s, v in (("left", rr.left), ("right", rr.right)) if v is not None}
    if not sides:
        return []
    both = ", ".join(f"{s} {v:.3g}" for s, v in sides.items())
    lower: Side | None = None
    if len(sides) == 2 and rr.left != rr.right:
        lower = "left" if (rr.left or 0.0) < (rr.right or 0.0) else "right"
    low = list(rr.low_sides)
    if len(low) == 2:
        verdict, side, sev = (f"both sides are below {band.low_below:g}", None, 1)
        title = f"{band.name.capitalize()} ratio low on both sides ({both})"
    elif low:
        side = low[0]
        verdict, sev = f"the {side} is below {band.low_below:g}", 1
        title = f"{band.name.capitalize()} ratio low on the {side} ({both})"
    elif rr.lower_side is not None:
        side = rr.lower_side
        verdict, sev = (f"the {side} is more than {100 * RATIO_SIDE_DIFFERENCE:.0f} % lower "
                        "than the other side", 1)
        title = f"{band.name.capitalize()} ratio lower on the {side} ({both})"
    else:
        side, sev = None, 0
        cut = (f"none below {band.low_below:g}" if band.low_below is not None
               else "not classified")
        where = f"the {lower} is lower" if lower else "equal"
        verdict = (f"{where}, by less than {100 * RATIO_SIDE_DIFFERENCE:.0f} %; {cut}")
        title = (f"{band.name.capitalize()} ratio {both}"
                 + (f": {lower} lower" if lower else "")
                 + (f"; neither below {band.low_below:g}" if band.low_below is not None
                    else ""))
    if sev and side is not None and profile is not None and profile.involved_side in low:
        side = profile.involved_side
    return [ClinicalFinding(
        kind="agonist_antagonist", title=title,
        text=(f"{band.name} ({rr.compared}): {both}; {verdict}. Typical: {band.typical}."),
        evidence=band.evidence, side=side, targets=band.targets if sev else (), severity=sev,
        confidence=_conf(band.evidence, 0.6 if rr.compared == "torque" else 0.5),
        values={k: v for k, v in (("ratio_left", rr.left), ("ratio_right", rr.right))
                if v is not None},
        retest=band.numerator if sev else None,
    )]


def integrated_assessment(
    profile: AthleteProfile | None,
    tests: Sequence[TestResult],
    symptoms: Sequence[Symptom],
    *,
    run_docs: Sequence[Mapping[str, Any]] = (),
    history: Mapping[str, Any] | Any | None = None,
) -> list[ClinicalFinding]:
    """Every finding, ranked: red flags, strength/mobility/balance, symptom patterns, gait,
    load, surface/shoes/cadence (then severity, then confidence).

    ``history`` is the ``evenstride.history/1`` dict or a ``History`` (``to_dict`` is called);
    ``run_docs`` are ``evenstride.run/1`` documents, optionally with ``activity_id`` and
    ``gear`` keys added (symptom associations use them).
    """
    if history is not None and not isinstance(history, Mapping):
        history = history.to_dict()
    findings = (
        red_flag_findings(symptoms)
        + _test_findings(profile, tests, symptoms)
        + symptom_pattern_findings(symptoms, run_docs=run_docs, history=history)
        + gait_findings(profile, run_docs, history)
        + _history_context_findings(history)
        + _cadence_findings(run_docs)
    )
    return sorted(
        findings, key=lambda f: (_RANK.get(f.kind, 9), -f.severity, -f.confidence, f.title)
    )


def finding_to_dict(f: ClinicalFinding) -> dict[str, Any]:
    """JSON-ready form of a finding."""
    return {
        "kind": f.kind, "title": f.title, "text": f.text, "evidence": f.evidence.to_dict(),
        "side": f.side, "targets": list(f.targets), "severity": f.severity,
        "confidence": f.confidence, "region": f.region, "values": dict(f.values),
        "retest": f.retest, "when": None if f.when is None else f.when.isoformat(),
    }
