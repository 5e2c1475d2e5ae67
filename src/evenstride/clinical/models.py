# SPDX-License-Identifier: MIT
"""Shared records of the clinical side: the athlete profile, test results, symptoms, and the
findings that connect assessment to prescription.

Assessment (:mod:`evenstride.clinical.assess`) turns profile + tests + symptoms + running
asymmetry into ranked :class:`ClinicalFinding` objects; prescription
(:mod:`evenstride.clinical.prescribe`) turns findings into a program. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from evenstride.assessment.reference_bands import Evidence

Side = Literal["left", "right"]
#: A side or both / none (a trunk test, a symptom in the lower back).
SideOrBoth = Literal["left", "right", "both", "none"]

#: Body targets shared by findings and the exercise catalogue (keep the two in sync).
TARGETS: tuple[str, ...] = (
    "hip_abductors",
    "hip_adductors",
    "hip_extensors",
    "hip_flexors",
    "hip_rotators",
    "quadriceps",
    "hamstrings",
    "calf_soleus",
    "foot_ankle",
    "ankle_mobility",
    "hip_mobility",
    "trunk_lateral",
    "trunk_rotation",
    "trunk_anterior",
    "upper_body",
    "balance",
    "plyometric",
    "running_form",
)

#: Targets in plain words (handout, CLI, web: no internal keys).
TARGET_WORDS: dict[str, str] = {
    "hip_abductors": "hip abductors (side of the hip)",
    "hip_adductors": "hip adductors (inner thigh)",
    "hip_extensors": "hip extensors (buttocks)",
    "hip_flexors": "hip flexors",
    "hip_rotators": "hip rotators",
    "quadriceps": "quadriceps (front of the thigh)",
    "hamstrings": "hamstrings (back of the thigh)",
    "calf_soleus": "calf and soleus",
    "foot_ankle": "foot and ankle",
    "ankle_mobility": "ankle mobility",
    "hip_mobility": "hip mobility",
    "trunk_lateral": "side of the trunk",
    "trunk_rotation": "trunk rotation control",
    "trunk_anterior": "front of the trunk",
    "upper_body": "upper body",
    "balance": "single-leg balance",
    "plyometric": "hops and jumps",
    "running_form": "running form",
}

#: The controlled vocabulary of symptom regions: key → plain words. ``symptom add --region``
#: takes only these (with a "did you mean" suggestion).
SYMPTOM_REGIONS: dict[str, str] = {
    "foot": "foot (forefoot or midfoot)",
    "toes": "toes",
    "plantar": "sole of the foot / heel underside",
    "heel": "heel",
    "ankle": "ankle",
    "achilles": "Achilles tendon",
    "calf": "calf",
    "shin_medial": "inner shin",
    "shin_anterior": "front of the shin",
    "shin_lateral": "outer shin",
    "knee_anterior": "front of the knee",
    "knee_lateral": "outer knee (iliotibial band)",
    "knee_medial": "inner knee",
    "knee_posterior": "back of the knee",
    "thigh_anterior": "front of the thigh",
    "hamstring": "back of the thigh (hamstring)",
    "groin": "groin",
    "hip_anterior": "front of the hip",
    "hip_lateral": "outer hip",
    "buttock": "buttock",
    "pelvis": "pelvis",
    "low_back": "lower back",
    "upper_back": "upper back",
    "shoulder": "shoulder",
    "arm": "arm",
    "general": "whole body / general",
}


def region_words(region: str | None) -> str:
    """A symptom region in plain words (``"shin_medial"`` → ``"inner shin"``)."""
    if not region:
        return ""
    return SYMPTOM_REGIONS.get(region, region.replace("_", " "))


@dataclass(frozen=True)
class Injury:
    """One entry of the injury/surgery history, e.g. right ACL reconstruction in 2019."""

    side: SideOrBoth
    region: str
    kind: str  # "injury" or "surgery"
    description: str
    year: int | None = None


@dataclass
class AthleteProfile:
    """What sets the involved side and the context of an athlete's imbalances."""

    name: str
    dominant_leg: Side | None = None
    injuries: list[Injury] = field(default_factory=list)
    other_sports: list[str] = field(default_factory=list)
    habits: list[str] = field(default_factory=list)  # e.g. "long sitting"
    body_mass_kg: float | None = None
    leg_length_cm: dict[str, float] = field(default_factory=dict)  # side -> cm (Y-balance)
    #: The side of the road the athlete usually runs on (camber exposure in the history).
    road_side: Side | None = None

    @property
    def involved_side(self) -> Side | None:
        """The side with the most recent surgery, else injury; ``None`` if none is one-sided."""
        ranked = sorted(
            (i for i in self.injuries if i.side in ("left", "right")),
            key=lambda i: (i.kind == "surgery", i.year or 0),
            reverse=True,
        )
        return ranked[0].side if ranked else None  # type: ignore[return-value]


@dataclass(frozen=True)
class TestResult:
    """One test on one side (or bilateral), already validated and in canonical units."""

    __test__ = False  # not a pytest test class despite its name

    protocol: str  # key of evenstride.clinical.protocols.PROTOCOLS
    side: SideOrBoth
    value: float
    unit: str
    when: date
    #: Extra values a protocol needs (e.g. Y-balance reaches, lever arm, quality score).
    extra: dict[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Symptom:
    """A logged symptom."""

    when: date
    side: SideOrBoth
    region: str  # e.g. "knee_lateral" (ITB), "achilles", "shin_medial", "hip_lateral"
    kind: Literal["soreness", "pain", "tightness"]
    severity: int  # 0–10
    timing: Literal["during", "after", "next_morning"]
    activity_id: int | None = None
    #: Where in the run it started (km or minutes from the start), if known.
    onset_km: float | None = None
    onset_min: float | None = None
    #: Red-flag descriptors the runner ticked (sharp, changes form, swelling, night pain,
    #: numbness, pin-point bone tenderness); "rising over sessions" is derived from the log.
    flags: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ClinicalFinding:
    """One ranked finding, the unit that prescription works from.

    ``kind`` is one of ``"red_flag"``, ``"strength_lsi"``, ``"agonist_antagonist"``,
    ``"balance_reach"``, ``"mobility"``, ``"symptom_pattern"``, ``"gait_asymmetry"``,
    ``"gait_drift"``, ``"load"``, ``"surface"``, ``"shoes"``, ``"cadence"``.
    """

    kind: str
    title: str
    text: str
    evidence: Evidence
    #: The side to work on first (weaker/involved), if the finding is one-sided.
    side: Side | None = None
    #: Body targets (see :data:`TARGETS`) this finding points to.
    targets: tuple[str, ...] = ()
    #: 0 (informational) … 3 (act now). Red flags are 3 and stop prescription for their region.
    severity: int = 1
    #: 0–1: how sure we are the finding is real (noise, data amount, evidence grade).
    confidence: float = 0.5
    #: Body region a red flag concerns (prescription does not load it).
    region: str | None = None
    #: The numbers behind it, for reports and outcome checks (e.g. {"lsi_pct": 84.0}).
    values: dict[str, float] = field(default_factory=dict)
    #: The measure an outcome check should retest, e.g. "hip_abduction_hhd" or
    #: "contact_time/running_dynamics".
    retest: str | None = None
    when: datetime | None = None
    #: Red-flag descriptors behind a red-flag finding (e.g. ``("bone_tenderness",)``).
    flags: tuple[str, ...] = ()
