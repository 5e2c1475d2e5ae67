# SPDX-License-Identifier: MIT
"""From ranked :class:`~evenstride.clinical.models.ClinicalFinding` objects to a program:
exercises by phase, form and route advice, red-flag advice, progression by the body's response,
adherence, retest dates and the outcome check.

Rules (all written as data below, each with its evidence):

- **Dosage**: 2–3 sessions a week for 8–12 weeks, 40–70 % 1RM at the top levels
  (Balsalobre-Fernández et al. 2016, science.md §8.1).
- **Exercise choice**: the findings' targets select catalogue entries (one-sided findings prefer
  single-leg work); every program has frontal- and transverse-plane work; speed is a variable —
  slow/controlled in the first 4 weeks, fast/ballistic added from week 5 *if pain allows*.
- **Sides**: equal volume, weaker side first, reps matched to what the weaker side managed
  (science.md §8.5, [S]). ``extra_weaker_side_pct`` adds volume on the weaker side, labelled
  "expert opinion, unverified" (no evidence, science.md §8.5, §12).
- **Red flags** (severity 3): a red flag with a body region removes every exercise whose targets
  load that region (:data:`REGION_TARGETS`) and the program opens with the advice; a general red
  flag (no region, or a region not in the table) gives no program at all, only the advice.
- **Progression** (:func:`next_step`): the pain-monitoring model (Silbernagel et al. 2007).

>>> from datetime import date
>>> from evenstride.assessment.reference_bands import Evidence
>>> f = ClinicalFinding("strength_lsi", "Weak right hip abductors", "LSI 80 %",
...                     Evidence("V", (), ""), side="right", targets=("hip_abductors",),
...                     severity=2, values={"lsi_pct": 80.0})
>>> p = prescribe([f], start=date(2025, 3, 3))
>>> len(p.sessions), p.sessions[0].prescriptions[0].side_order[0]
(20, 'right')
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any, Final

from evenstride.assessment.reference_bands import Evidence
from evenstride.clinical.catalog import CATALOG, FAST, LEG_LOADS, PLYO_LADDER, SLOW, Exercise
from evenstride.clinical.models import TARGET_WORDS, TARGETS, ClinicalFinding, region_words

__all__ = [
    "ADVICE_RULES",
    "PAIN_RULE",
    "PAIN_RULE_EVIDENCE",
    "REGION_TARGETS",
    "Advice",
    "Decision",
    "OutcomeItem",
    "OutcomeResult",
    "Phase",
    "Prescription",
    "Program",
    "Session",
    "SessionLog",
    "adherence",
    "next_step",
    "outcome_check",
    "prescribe",
    "retest_dates",
]

PROGRAM_SCHEMA: Final = "evenstride.program/1"

#: Weeks and sessions per week of the strength programmes that improved running economy
#: (Balsalobre-Fernández et al. 2016).
WEEKS_RANGE: Final = (8, 12)
SESSIONS_RANGE: Final = (2, 3)
#: Weekday offsets (Monday = 0 if the program starts on a Monday) of the sessions in a week.
SESSION_DAYS: Final[dict[int, tuple[int, ...]]] = {2: (0, 3), 3: (0, 2, 4)}
#: Fast/ballistic work starts in this week, if pain allows.
FAST_FROM_WEEK: Final = 5
#: Retest every 4–6 weeks (default 4) and at the end of the program.
RETEST_WEEKS_RANGE: Final = (4, 6)
#: Strength exercises per session (plus mobility/balance).
MAX_STRENGTH_EXERCISES: Final = 6
#: Planned load rise per week in the strength phase, % of the phase's first week (progressive
#: overload: ACSM 2009 suggests +2–10 % when the set is done with 1–2 reps to spare).
LOAD_RISE_PER_WEEK_PCT: Final = 5.0
LOAD_RISE_EVIDENCE: Final = Evidence(
    grade="S",
    sources=("American College of Sports Medicine 2009 Med Sci Sports Exerc 41(3):687–708 "
             "(progression models in resistance training: +2–10 % load when the current load "
             "can be done for 1–2 reps more than planned)",),
    note="A guideline for healthy adults, not a trial in runners; the 5 %/week step is the "
    "middle of its range and is applied only when the pain rule allows.",
)
LOAD_RISE_NOTE: Final = ("Add load (about 5 % a week) only if the last two sessions met the "
                         "pain rule and every rep was clean; otherwise keep last week's load.")
#: Fast variants of strength exercises in the power phase: lighter load, lifted fast.
FAST_VARIANT_LOAD: Final = "lighter load (about 30–60 % 1RM, RPE 6–7) so every rep is fast"
FAST_GATE_NOTE: Final = ("Only if pain stays ≤ 3/10 and has settled by the next morning; "
                         "otherwise do the slow version or skip it.")
#: Strength exercises that stay slow in the power phase: eccentric or isolation work, where
#: speed adds risk rather than transfer to running (evenstride design, grade U).
NO_FAST_VARIANT: Final = frozenset({
    "nordic_curl", "slider_leg_curl", "single_leg_slider_curl", "side_lying_hip_abduction",
    "side_lying_hip_adduction", "standing_hip_abduction", "calf_raise_weighted",
})
#: Speed is a named training variable, per phase (issue 12 / seed 002: "always lifting slowly?
#: maybe speed should be a variable"). Heavy-slow and explosive work both improved running
#: economy (Denadai et al. 2017, science.md §8.1).
PHASE_SPEED: Final[dict[str, str]] = {
    "Foundation": "slow: 3 s down, 1 s pause, 1–2 s up — learn the movement",
    "Strength": "controlled down (2–3 s), then up with intent — as fast as good form allows",
    "Power and transfer": "fast: lighter load lifted as fast as you can, plus hops and bounds",
}
SPEED_EVIDENCE: Final = Evidence(
    grade="V",
    sources=("Denadai et al. 2017 Sports Med (explosive and heavy training both improve "
             "running economy)", "Balsalobre-Fernández et al. 2016"),
    note="Both heavy-slow and explosive strength work improved running economy; the order "
    "(slow first, fast last) is common practice.",
)

DOSAGE_EVIDENCE: Final = Evidence(
    grade="V",
    sources=("Balsalobre-Fernández et al. 2016 J Strength Cond Res 30(8):2361–2368",),
    note="2–3 sessions/week for 8–12 weeks at 40–70 % 1RM improved running economy in highly "
    "trained runners (5 trials, n = 93); not tested as a treatment for asymmetry.",
)
WEAKER_FIRST_EVIDENCE: Final = Evidence(
    grade="S",
    sources=("science.md §8.5: coaching practice", "Baroni et al. 2016 J Strength Cond Res "
             "(equal training closed a non-preferred-limb deficit)"),
    note="Equal volume, weaker side first with reps matched to it, is common practice.",
)
EXTRA_VOLUME_EVIDENCE: Final = Evidence(
    grade="U",
    sources=("expert opinion, unverified (science.md §8.5, §12: no evidence found)",),
    note="No study shows that extra volume on the weaker side reduces asymmetry or injury.",
)

#: Body region of a red flag → targets whose exercises load it (none of them is prescribed).
#: A region is looked up as given, then by its first word ("knee_lateral" → "knee").
REGION_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "foot": ("foot_ankle", "calf_soleus", "plyometric", "balance", "ankle_mobility"),
    "heel": ("foot_ankle", "calf_soleus", "plyometric", "balance"),
    "plantar": ("foot_ankle", "calf_soleus", "plyometric", "balance"),
    "ankle": ("foot_ankle", "calf_soleus", "plyometric", "balance", "ankle_mobility"),
    "achilles": ("calf_soleus", "foot_ankle", "plyometric", "ankle_mobility"),
    "calf": ("calf_soleus", "plyometric"),
    "shin": ("calf_soleus", "foot_ankle", "plyometric"),
    "tibia": ("calf_soleus", "foot_ankle", "plyometric", "quadriceps", "balance"),
    "knee": ("quadriceps", "plyometric"),
    "thigh": ("quadriceps", "hamstrings", "plyometric"),
    "hamstring": ("hamstrings", "hip_extensors", "plyometric"),
    "hip": ("hip_abductors", "hip_adductors", "hip_extensors", "hip_flexors", "hip_rotators",
            "hip_mobility", "plyometric"),
    "groin": ("hip_adductors", "hip_flexors", "plyometric"),
    "buttock": ("hip_extensors", "hip_rotators", "hamstrings", "plyometric"),
    "pelvis": ("hip_abductors", "hip_adductors", "hip_extensors", "hip_flexors",
               "hip_rotators", "plyometric"),
    "back": ("trunk_lateral", "trunk_rotation", "trunk_anterior", "hip_extensors", "plyometric"),
    "low_back": ("trunk_lateral", "trunk_rotation", "trunk_anterior", "hip_extensors",
                 "hamstrings", "plyometric"),
    "lower_back": ("trunk_lateral", "trunk_rotation", "trunk_anterior", "hip_extensors",
                   "hamstrings", "plyometric"),
    "toes": ("foot_ankle", "calf_soleus", "plyometric", "balance"),
    "upper_back": ("trunk_rotation", "trunk_lateral", "upper_body"),
    "shoulder": ("upper_body",),
    "arm": ("upper_body",),
}
#: Red-flag descriptors that can mean a bone stress injury: at a leg region they stop running
#: and impact, and only non-weight-bearing exercises remain (Warden et al. 2014).
BONE_STRESS_FLAGS: Final = frozenset({"bone_tenderness", "night_pain"})
#: Region heads of the legs and pelvis (a bone-stress flag elsewhere gives no program at all).
LEG_REGIONS: Final = frozenset({"foot", "heel", "ankle", "achilles", "calf", "shin", "tibia",
                                "knee", "thigh", "hamstring", "hip", "groin", "buttock",
                                "pelvis", "plantar"})
BONE_STRESS_EVIDENCE: Final = Evidence(
    grade="S",
    sources=("Warden SJ, Davis IS, Fredericson M 2014 Curr Sports Med Rep 13(3):177–185 "
             "(management of bone stress injuries: focal bone tenderness and night pain as "
             "signs; relative rest from impact until examined)",),
    note="Signs that call for a clinical examination (and often imaging) before running "
    "again; not a diagnosis.",
)
RUNNING_PAUSED_NOTE: Final = ("Running is paused: no running, hopping or jumping until a doctor "
                              "or physiotherapist has examined the possible bone stress injury. "
                              "Running advice resumes after that.")
#: Regions that mean "the whole body" (no program at all).
GENERAL_REGIONS: Final = frozenset({"general", "systemic", "whole_body", "unknown"})

#: The pain-monitoring rule, in plain words (handout, CLI).
PAIN_RULE: Final = (
    "Pain during exercise up to 3/10 that has settled by the next morning is fine: after 2 such "
    "sessions at an effort of RPE 7/10 or less, move on to the harder version or add load. "
    "Pain of 4–5/10, or pain still higher the next morning, means stay at the same level. Pain "
    "above 5/10, or pain rising over 3 sessions, means go back a step and see a clinician."
)
PAIN_RULE_EVIDENCE: Final = Evidence(
    grade="S",
    sources=("Silbernagel KG, Thomeé R, Eriksson BI, Karlsson J 2007 Am J Sports Med "
             "35(6):897–906 (pain-monitoring model, Achilles tendinopathy)",),
    note="Seen in secondary sources only: pain ≤ 5/10 allowed if it settles by the next "
    "morning and does not rise week to week; the 0–3 'safe' / 4–5 'acceptable' split is "
    "from clinical summaries. Using it for other regions and for strength work is an "
    "extrapolation.",
)
#: Pain and RPE thresholds of :data:`PAIN_RULE`.
PAIN_SAFE_MAX: Final = 3
PAIN_ACCEPTABLE_MAX: Final = 5
RPE_TARGET_MAX: Final = 7
SESSIONS_TO_PROGRESS: Final = 2
SESSIONS_RISING: Final = 3


# --- form and route advice, as data -----------------------------------------------------------
@dataclass(frozen=True)
class _AdviceRule:
    key: str
    title: str
    text: str
    evidence: Evidence


_CADENCE_EV = Evidence(
    grade="V",
    sources=("Heiderscheit et al. 2011 Med Sci Sports Exerc 43(2):296–302",
             "Anderson et al. 2022 Sports Med Open 8:112"),
    note="+5–10 % step rate lowers knee (and at +10 % hip) loading; evidence on injury or "
    "performance is insufficient, and it feels harder at first.",
)
_TALL_EV = Evidence(
    grade="S",
    sources=("Teng & Powers 2014 J Orthop Sports Phys Ther 44(10):785–792",),
    note="A slight forward trunk lean lowered knee-joint stress in 24 runners; 'run tall' is a "
    "coaching cue built on it, not a tested intervention.",
)
_LANDING_EV = Evidence(
    grade="V",
    sources=("Lieberman et al. 2015 J Exp Biol 218:3406–3414",
             "Wille et al. 2014 J Orthop Sports Phys Ther 44(10):825–830"),
    note="Landing further ahead of the body goes with higher braking and knee loading; no "
    "validated overstride cut-off exists.",
)
_CAMBER_EV = Evidence(
    grade="U",
    sources=("science.md §9: road-camber evidence weak and conflicting (secondary only)",),
    note="Low-cost advice; no primary study links camber to injury.",
)
_TRACK_EV = Evidence(
    grade="S",
    sources=("Beukeboom et al. 2000 Clin J Sport Med 10(4):245–250",),
    note="Always running counter-clockwise on a tight unbanked track gave one-sided ankle "
    "strength changes; that alternating direction prevents injury is untested.",
)
_TRAIL_EV = Evidence(
    grade="U",
    sources=("expert opinion",),
    note="Varied surfaces vary the load; not tested for asymmetry or injury.",
)
_SHOE_EV = Evidence(
    grade="V",
    sources=("Malisoux et al. 2015 Scand J Med Sci Sports 25(1):110–115",),
    note="Runners using more than one pair in parallel had a 39 % lower injury hazard "
    "(HR 0.61, 95 % CI 0.39–0.97); observational.",
)
_LOAD_EV = Evidence(
    grade="U",
    sources=("science.md §6 (load ratios are not validated injury predictors)",),
    note="Keep week-to-week changes gradual; no threshold is validated.",
)

#: Finding kind → advice rules it triggers.
ADVICE_RULES: Final[dict[str, tuple[_AdviceRule, ...]]] = {
    "cadence": (
        _AdviceRule("cadence", "Cadence: +5–10 % over your own speed-matched value",
                    "Raise your step rate by 5–10 % over what you run at the same speed now "
                    "({cadence}); use a metronome or music for a few minutes at a time in easy "
                    "runs, not an absolute 180.", _CADENCE_EV),
        _AdviceRule("run_tall", "Run tall", "Run tall with a slight forward lean from the ankles, "
                    "not bent at the waist; relaxed shoulders.", _TALL_EV),
        _AdviceRule("landing", "Land under the body", "Let the foot land close under the hips "
                    "with the shin near vertical, rather than reaching forward.", _LANDING_EV),
    ),
    "gait_asymmetry": (
        _AdviceRule("run_tall", "Run tall", "Run tall with a slight forward lean from the ankles, "
                    "not bent at the waist; relaxed shoulders.", _TALL_EV),
        _AdviceRule("landing", "Land under the body", "Let the foot land close under the hips "
                    "with the shin near vertical, rather than reaching forward.", _LANDING_EV),
    ),
    "surface": (
        _AdviceRule("road_side", "Switch road sides or pick level roads",
                    "On cambered roads run out and back on the same side (or switch sides) so "
                    "each leg gets the high side; prefer level roads and paths.", _CAMBER_EV),
        _AdviceRule("track_direction", "Alternate track direction",
                    "On the track run some reps clockwise (where allowed, e.g. lanes 3–8 at "
                    "quiet times) and keep easy runs off the track.", _TRACK_EV),
        _AdviceRule("trails", "Trails for variety", "Run some easy runs on trails or grass to vary "
                    "the load on each side.", _TRAIL_EV),
    ),
    "shoes": (
        _AdviceRule("shoe_rotation", "Rotate shoes", "Use at least two pairs in parallel, "
                    "alternating them through the week.", _SHOE_EV),
    ),
    "load": (
        _AdviceRule("load", "Keep running load steady while you build strength",
                    "Keep weekly running changes gradual and do the strength sessions on easy "
                    "days or after easy runs, not before hard sessions.", _LOAD_EV),
    ),
}

#: Keys of the runner's speed-matched cadence in a cadence finding's ``values`` (first found).
CADENCE_VALUE_KEYS: Final = ("speed_matched_cadence_spm", "cadence_at_reference_spm",
                             "cadence_spm")
CADENCE_INCREASE: Final = (0.05, 0.10)


# --- records -----------------------------------------------------------------------------------
def _legacy_weaker_side(p: dict[str, Any]) -> str | None:
    """The weaker side of a prescription stored before ``weaker_side`` was kept: its first side
    unless it was bilateral or both sides were worked alike."""
    order = p.get("side_order") or ["both"]
    if order[0] == "both" or "Same reps on both sides." in (p.get("notes") or ()):
        return None
    return str(order[0])


@dataclass(frozen=True)
class Prescription:
    exercise: str
    name: str
    #: Unilateral: (weaker, other); bilateral: ("both",).
    side_order: tuple[str, ...]
    sets: int
    reps: int | None
    seconds: int | None
    load: str
    speed: str
    tempo: str
    notes: tuple[str, ...]
    #: Ids (``"F1"``…) of the findings this prescription answers.
    findings: tuple[str, ...]
    #: Reps/seconds on the weaker side when ``extra_weaker_side_pct`` > 0 (else equal).
    weaker_side_reps: int | None = None
    weaker_side_seconds: int | None = None
    rest_s: int = 60
    #: Exercise type (catalogue ``kind``): strength, isometric, control, mobility, balance,
    #: ballistic.
    kind: str = ""
    #: Planned load rise over the first week of the phase, % (strength phase).
    load_increase_pct: float = 0.0
    #: The side to start with (the weaker side of a one-sided finding); None when both sides
    #: are worked alike (a bilateral exercise, or no finding names a weaker side).
    weaker_side: str | None = None

    def dosage_text(self) -> str:
        unit = {"ballistic": " contacts"}.get(self.kind, "")
        amount = f"{self.seconds} s" if self.seconds is not None else f"{self.reps}{unit}"
        out = f"{self.sets} × {amount}"
        if self.side_order != ("both",):
            out += " each side"
        if self.weaker_side_reps is not None and self.weaker_side_reps != self.reps:
            out += f" ({self.side_order[0]}: {self.weaker_side_reps})"
        if self.weaker_side_seconds is not None and self.weaker_side_seconds != self.seconds:
            out += f" ({self.side_order[0]}: {self.weaker_side_seconds} s)"
        return f"{out}, {self.load}"


@dataclass(frozen=True)
class Session:
    date: date
    week: int
    index: int  # 1-based over the program
    phase: str
    prescriptions: tuple[Prescription, ...]


@dataclass(frozen=True)
class Phase:
    name: str
    first_week: int
    last_week: int
    focus: str
    #: How fast the exercises are done in this phase (speed as a training variable).
    speed: str = ""


@dataclass(frozen=True)
class Advice:
    key: str
    title: str
    text: str
    evidence: Evidence
    findings: tuple[str, ...]
    kind: str = "form"  # "red_flag", "form", "route", "shoes", "load"


@dataclass
class Program:
    """A prescribed program (JSON via :meth:`to_dict` / :meth:`from_dict`)."""

    start: date
    weeks: int
    sessions_per_week: int
    level: int
    extra_weaker_side_pct: float
    #: Finding summaries with their ids (``F1``…), red flags first.
    findings: list[dict[str, Any]]
    phases: list[Phase]
    sessions: list[Session]
    red_flags: list[Advice]
    advice: list[Advice]
    retests: list[date]
    #: Targets no exercise may load (red-flag regions).
    excluded_targets: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    #: Highest load through the legs allowed (catalogue ``LEG_LOADS``); "none" under a
    #: bone-stress red flag.
    max_leg_load: str = "impact"
    #: Running is paused until a clinician has seen a bone-stress red flag.
    running_paused: bool = False

    @property
    def end(self) -> date:
        return self.start + timedelta(weeks=self.weeks) - timedelta(days=1)

    @property
    def has_exercises(self) -> bool:
        return bool(self.sessions)

    @property
    def id(self) -> str:
        """Stable id: the same program (start, findings, dosage) always gets the same id."""
        blob = json.dumps(
            {"start": self.start.isoformat(), "weeks": self.weeks,
             "spw": self.sessions_per_week, "level": self.level,
             "extra": self.extra_weaker_side_pct,
             "findings": [(f["id"], f["kind"], f["title"]) for f in self.findings]},
            sort_keys=True, ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        def ev(e: Evidence) -> dict[str, Any]:
            return e.to_dict()

        def adv(a: Advice) -> dict[str, Any]:
            return {"key": a.key, "title": a.title, "text": a.text, "evidence": ev(a.evidence),
                    "findings": list(a.findings), "kind": a.kind}

        return {
            "schema": PROGRAM_SCHEMA,
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": self.weeks,
            "sessions_per_week": self.sessions_per_week,
            "level": self.level,
            "extra_weaker_side_pct": self.extra_weaker_side_pct,
            "findings": self.findings,
            "phases": [asdict(p) for p in self.phases],
            "sessions": [
                {"date": s.date.isoformat(), "week": s.week, "index": s.index, "phase": s.phase,
                 "prescriptions": [
                     {**asdict(p), "side_order": list(p.side_order), "notes": list(p.notes),
                      "findings": list(p.findings)} for p in s.prescriptions]}
                for s in self.sessions
            ],
            "red_flags": [adv(a) for a in self.red_flags],
            "advice": [adv(a) for a in self.advice],
            "retests": [d.isoformat() for d in self.retests],
            "excluded_targets": list(self.excluded_targets),
            "notes": list(self.notes),
            "max_leg_load": self.max_leg_load,
            "running_paused": self.running_paused,
            "rules": {"progression": PAIN_RULE, "progression_evidence": ev(PAIN_RULE_EVIDENCE),
                      "dosage_evidence": ev(DOSAGE_EVIDENCE),
                      "weaker_first_evidence": ev(WEAKER_FIRST_EVIDENCE)},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Program:
        if d.get("schema") != PROGRAM_SCHEMA:
            raise ValueError(f"not an {PROGRAM_SCHEMA} document")

        def ev(e: dict[str, Any]) -> Evidence:
            return Evidence(e["grade"], tuple(e["sources"]), e["note"])

        def adv(a: dict[str, Any]) -> Advice:
            return Advice(a["key"], a["title"], a["text"], ev(a["evidence"]),
                          tuple(a["findings"]), a.get("kind", "form"))

        sessions = [
            Session(date.fromisoformat(s["date"]), s["week"], s["index"], s["phase"], tuple(
                Prescription(**{**p, "side_order": tuple(p["side_order"]),
                                "notes": tuple(p["notes"]), "findings": tuple(p["findings"]),
                                "weaker_side": p.get("weaker_side", _legacy_weaker_side(p))})
                for p in s["prescriptions"]))
            for s in d["sessions"]
        ]
        return cls(
            start=date.fromisoformat(d["start"]), weeks=d["weeks"],
            sessions_per_week=d["sessions_per_week"], level=d["level"],
            extra_weaker_side_pct=d["extra_weaker_side_pct"], findings=d["findings"],
            phases=[Phase(**p) for p in d["phases"]], sessions=sessions,
            red_flags=[adv(a) for a in d["red_flags"]], advice=[adv(a) for a in d["advice"]],
            retests=[date.fromisoformat(x) for x in d["retests"]],
            excluded_targets=tuple(d.get("excluded_targets", ())), notes=list(d.get("notes", ())),
            max_leg_load=d.get("max_leg_load", "impact"),
            running_paused=bool(d.get("running_paused", False)),
        )


# --- prescription ------------------------------------------------------------------------------
def _is_red_flag(f: ClinicalFinding) -> bool:
    return f.kind == "red_flag" or f.severity >= 3


def _region_targets(region: str | None) -> tuple[str, ...] | None:
    """Targets loading ``region``; ``None`` for a general (or unknown) region."""
    if region is None:
        return None
    r = region.strip().lower().replace(" ", "_").replace("-", "_")
    if r in GENERAL_REGIONS:
        return None
    if r in REGION_TARGETS:
        return REGION_TARGETS[r]
    return REGION_TARGETS.get(_region_head(r))


def _region_head(region: str) -> str:
    r = region.strip().lower().replace(" ", "_").replace("-", "_")
    return r if r in REGION_TARGETS else r.split("_")[0]


def _phases(weeks: int) -> list[Phase]:
    first = FAST_FROM_WEEK - 1
    rest = weeks - first
    mid = math.ceil(rest / 2)
    return [
        Phase("Foundation", 1, first, "slow, controlled strength and control; learn the "
              "movements, weaker side first", PHASE_SPEED["Foundation"]),
        Phase("Strength", first + 1, first + mid, "harder versions and more load each week "
              "(towards 40–70 % 1RM); the first hops if pain allows", PHASE_SPEED["Strength"]),
        Phase("Power and transfer", first + mid + 1, weeks, "keep the strength, lift fast, "
              "and climb the hop ladder (pogo → hops → bounds → single-leg bounds) if pain "
              "allows", PHASE_SPEED["Power and transfer"]),
    ]


def _finding_summary(i: int, f: ClinicalFinding) -> dict[str, Any]:
    return {
        "id": f"F{i}", "kind": f.kind, "title": f.title, "text": f.text, "side": f.side,
        "targets": list(f.targets), "severity": f.severity, "confidence": f.confidence,
        "region": f.region, "values": dict(f.values), "retest": f.retest,
        "evidence": f.evidence.to_dict(), "red_flag": _is_red_flag(f),
        "flags": list(getattr(f, "flags", ()) or ()),
    }


def _words(target: str) -> str:
    """A target in plain words (``"calf_soleus"`` → ``"calf and soleus"``)."""
    return TARGET_WORDS.get(target, target.replace("_", " "))


def _pick(target: str, *, level: int, sided: bool, limits: _Limits,
          taken: set[str], speed: str) -> Exercise | None:
    """The best catalogue entry for ``target``: right speed, level ≤ ``level`` (highest first),
    allowed by the red flags, not taken; exercises whose main target it is first, then
    single-leg first for a one-sided finding, then the target listed earliest."""
    cands = [e for e in CATALOG.values()
             if target in e.targets and e.speed == speed and e.level <= level
             and e.key not in taken and limits.allows(e)]
    if not cands:
        return None
    order = list(CATALOG)
    cands.sort(key=lambda e: (e.targets.index(target) > 0, sided and not e.unilateral,
                              e.targets.index(target), -e.level, order.index(e.key)))
    return cands[0]


def _advance(ex: Exercise, level: int, limits: _Limits) -> Exercise:
    """The progression of ``ex`` if it exists, is allowed and within ``level``."""
    nxt = CATALOG.get(ex.progression) if ex.progression else None
    if nxt is None or nxt.level > level or not limits.allows(nxt):
        return ex
    return nxt


#: How each exercise type is done (tempo/rhythm), in plain words; strength work follows the
#: phase's speed (:data:`PHASE_SPEED`).
TEMPO: Final[dict[str, str]] = {
    "isometric_s": "steady hold, breathe normally; stop the set when form breaks",
    "isometric_reps": "move into position in 1–2 s, hold 3–5 s, release slowly",
    "control": "slowly, about 2 s out and 2 s back; breathe out as you move",
    "mobility": "easy rhythm into the end of the range, 2 s there, no forcing: a stretch, "
    "not pain",
    "balance": "unhurried: reach and touch lightly, return without setting the foot down; "
    "eyes on a fixed point",
    "balance_hold": "hold steady with small ankle corrections; eyes on a fixed point",
    "ballistic": "quick, springy, quiet contacts; full reset between sets; stop when form "
    "fades",
    "fast_variant": "lower under control in about 2 s, then rise as fast as you can",
}


def _tempo(ex: Exercise, phase: Phase | None = None, *, fast_variant: bool = False) -> str:
    """Tempo text by exercise type; for strength work by the phase's speed."""
    if fast_variant:
        return TEMPO["fast_variant"]
    if ex.kind == "isometric":
        return TEMPO["isometric_s" if ex.dosage[1].seconds is not None else "isometric_reps"]
    if ex.kind == "balance" and ex.dosage[1].seconds is not None:
        return TEMPO["balance_hold"]
    if ex.kind in ("control", "mobility", "balance", "ballistic"):
        return TEMPO[ex.kind]
    if phase is not None and phase.name == "Strength":
        return "2–3 s down, then up with intent (as fast as good form allows)"
    return "3 s down, 1 s pause, controlled 1–2 s up"


def prescribe(
    findings: list[ClinicalFinding],
    *,
    start: date,
    weeks: int = 10,
    sessions_per_week: int = 2,
    extra_weaker_side_pct: float = 0.0,
    level: int | None = None,
    retest_every_weeks: int = 4,
) -> Program:
    """Build a program from ranked findings (see module docstring for the rules).

    Parameters
    ----------
    findings
        Ranked findings (assessment output or built by hand).
    start
        Date of the first session.
    weeks, sessions_per_week
        8–12 weeks, 2–3 sessions a week (``ValueError`` outside).
    extra_weaker_side_pct
        Extra volume (reps or seconds, %) on the weaker side; 0 (default) = equal volume.
        Anything above 0 is labelled "expert opinion, unverified".
    level
        Athlete level 1–4; default 1 when a symptom or red flag is present, else 2.
    retest_every_weeks
        4–6 (default 4); a retest also falls at the end of the program.
    """
    if not (WEEKS_RANGE[0] <= weeks <= WEEKS_RANGE[1]):
        raise ValueError(f"weeks must be {WEEKS_RANGE[0]}–{WEEKS_RANGE[1]} (got {weeks})")
    if sessions_per_week not in SESSION_DAYS:
        raise ValueError(f"sessions per week must be {SESSIONS_RANGE[0]}–{SESSIONS_RANGE[1]} "
                         f"(got {sessions_per_week})")
    if not (0.0 <= extra_weaker_side_pct <= 50.0):
        raise ValueError(f"extra weaker-side volume must be 0–50 % (got {extra_weaker_side_pct})")
    if level is not None and level not in (1, 2, 3, 4):
        raise ValueError(f"level must be 1–4 (got {level})")
    # red flags first, then by severity and confidence (stable for equal ranks)
    ranked = sorted(findings, key=lambda f: (not _is_red_flag(f), -f.severity, -f.confidence))
    summaries = [_finding_summary(i, f) for i, f in enumerate(ranked, 1)]
    ids = {id(f): s["id"] for f, s in zip(ranked, summaries, strict=True)}

    red_flags: list[Advice] = []
    excluded: set[str] = set()
    general_flag = False
    bone_stress = False
    for f in ranked:
        if not _is_red_flag(f):
            continue
        adv, region_targets, bone = _red_flag_advice(f, ids[id(f)])
        red_flags.append(adv)
        if region_targets is None:
            general_flag = True
        else:
            excluded.update(region_targets)
            bone_stress = bone_stress or bone
    if red_flags:
        excluded.add("plyometric")  # no impact work while a red flag is open

    advice = _advice(ranked, ids)
    if bone_stress:
        advice = []  # no running cues while running is paused
    if level is None:
        symptomatic = any(f.kind == "symptom_pattern" or _is_red_flag(f) for f in ranked)
        level = 1 if symptomatic else 2
    retests = retest_dates(start, weeks, every_weeks=retest_every_weeks)
    phases = _phases(weeks)
    limits = _Limits(frozenset(excluded),
                     max_leg_load="none" if bone_stress else ("single_leg" if red_flags
                                                              else "impact"),
                     fast_ok=not red_flags)
    if red_flags:
        phases = [replace(p, speed=PHASE_SPEED["Foundation"] if i == 0 else
                          "controlled: no fast lifting, hops or jumps until a clinician has "
                          "cleared the red flag")
                  for i, p in enumerate(phases)]
    program = Program(start, weeks, sessions_per_week, level, float(extra_weaker_side_pct),
                      summaries, phases, [], red_flags, advice, retests, tuple(sorted(excluded)),
                      max_leg_load=limits.max_leg_load, running_paused=bone_stress)
    if bone_stress:
        program.notes.append(RUNNING_PAUSED_NOTE)
    if general_flag:
        program.notes.append("No exercise program: a general red flag needs a clinician first.")
        program.retests = []
        return program

    plan = _plan(ranked, ids, level=level, limits=limits,
                 extra_pct=float(extra_weaker_side_pct), phases=phases)
    if not plan:
        program.notes.append("No finding points to an exercise the program may safely load: "
                             "advice only until a clinician has seen you."
                             if red_flags else
                             "No finding points to an exercise target the program may load.")
        program.retests = []
        return program
    sessions = []
    idx = 0
    for phase in phases:
        for week in range(phase.first_week, phase.last_week + 1):
            for day in SESSION_DAYS[sessions_per_week]:
                idx += 1
                when = start + timedelta(weeks=week - 1, days=day)
                sessions.append(Session(when, week, idx, phase.name, plan[week - 1]))
    program.sessions = sessions
    if extra_weaker_side_pct > 0:
        program.notes.append(
            f"Weaker side gets {extra_weaker_side_pct:g} % extra volume: expert opinion, "
            "unverified (no study shows extra weaker-side volume helps).")
    return program


def _red_flag_advice(f: ClinicalFinding, ref: str) -> tuple[Advice, tuple[str, ...] | None,
                                                             bool]:
    """The plain-words advice of a red flag, the targets it removes (``None``: no program at
    all) and whether it is a bone-stress flag at a leg region (running stops)."""
    flags = set(getattr(f, "flags", ()) or ())
    region_targets = _region_targets(f.region)
    where = region_words(f.region) if f.region else "this area"
    if f.side in ("left", "right") and f.region:
        where = f"{f.side} {where}"
    bone = bool(flags & BONE_STRESS_FLAGS) and region_targets is not None and (
        _region_head(f.region or "") in LEG_REGIONS)
    reported = f.text.split(". ")[0].rstrip(".") + "."
    if region_targets is None:
        title = "See a doctor or physiotherapist before any exercise program"
        text = (f"{f.text} This needs a clinician (doctor or physiotherapist) before any "
                "exercise program: no exercises are prescribed.")
    elif bone:
        title = f"Stop running until a clinician has seen your {where}"
        text = (f"Stop running, hopping and jumping now, and see a clinician (doctor or "
                f"physiotherapist) about your {where} before you run again. {reported} "
                "Pin-point bone tenderness or pain at night can be a bone stress injury (a "
                "stress fracture), which impact makes worse. Until then walk only as much as "
                "daily life needs and stop anything that hurts there. Only exercises done "
                f"lying, seated or kneeling that do not load the {where} are in this program.")
    else:
        title = f"Do not load your {where} until a clinician has seen it"
        text = (f"Do not load your {where}, and do no hops or jumps, until a clinician (doctor "
                f"or physiotherapist) has seen it. {f.text} Exercises that load it are left "
                "out.")
    adv = Advice(f"red_flag_{ref}", title, text, BONE_STRESS_EVIDENCE if bone else f.evidence,
                 (ref,), kind="red_flag")
    return adv, region_targets, bone


def _advice(ranked: list[ClinicalFinding], ids: dict[int, str]) -> list[Advice]:
    by_key: dict[str, Advice] = {}
    for f in ranked:
        for rule in ADVICE_RULES.get(f.kind, ()):
            text = rule.text
            if rule.key == "cadence":
                spm = next((f.values[k] for k in CADENCE_VALUE_KEYS if k in f.values), None)
                if spm is None:
                    text = text.format(cadence="your current value at that speed")
                else:
                    lo, hi = (spm * (1 + x) for x in CADENCE_INCREASE)
                    text = text.format(cadence=f"{spm:.0f} steps/min, so aim for "
                                       f"{lo:.0f}–{hi:.0f} steps/min")
            kind = {"surface": "route", "shoes": "shoes", "load": "load"}.get(f.kind, "form")
            old = by_key.get(rule.key)
            refs = (old.findings if old else ()) + (ids[id(f)],)
            by_key[rule.key] = Advice(rule.key, rule.title, text if old is None else old.text,
                                      rule.evidence, tuple(dict.fromkeys(refs)), kind)
    return list(by_key.values())


_Pick = tuple[Exercise, str | None, tuple[str, ...], str]


@dataclass(frozen=True)
class _Limits:
    """What the red flags allow: targets not to load, the highest load through the legs, and
    whether fast/ballistic work (jumps, hops, fast lifting) is allowed at all."""

    excluded: frozenset[str]
    max_leg_load: str = "impact"
    fast_ok: bool = True

    def allows(self, ex: Exercise) -> bool:
        return (not (set(ex.targets) & self.excluded)
                and LEG_LOADS.index(ex.leg_load) <= LEG_LOADS.index(self.max_leg_load)
                and (self.fast_ok or ex.speed != FAST))


def _plan(ranked: list[ClinicalFinding], ids: dict[int, str], *, level: int,
          limits: _Limits, extra_pct: float, phases: list[Phase]) -> list[tuple[Prescription, ...]]:
    """Prescriptions of every week (index 0 = week 1), phase by phase (see module docstring)."""
    excluded = limits.excluded
    # target → (weight, side of the strongest finding, finding ids)
    tgt: dict[str, tuple[float, str | None, list[str]]] = {}
    for f in ranked:
        if _is_red_flag(f):
            continue
        w = max(f.severity, 0.5) * max(f.confidence, 0.1)
        for t in f.targets:
            if t not in TARGETS or t in excluded:
                continue
            old_w, old_side, refs = tgt.get(t, (0.0, None, []))
            side = old_side if old_side is not None else f.side
            tgt[t] = (old_w + w, side, [*refs, ids[id(f)]])
    if not tgt:
        return []
    order = sorted(tgt, key=lambda t: -tgt[t][0])
    all_refs = tuple(dict.fromkeys(r for t in order for r in tgt[t][2]))
    # side to work first overall: the strongest one-sided finding
    main_side = next((tgt[t][1] for t in order if tgt[t][1] is not None), None)

    # phase-1 slow exercises: 2 for the top target, 1 for the others
    chosen: list[_Pick] = []  # ex, side, refs, why
    taken: set[str] = set()
    first_target: dict[str, str] = {}
    for rank, t in enumerate(order):
        if t == "plyometric":
            continue
        _, side, refs = tgt[t]
        for _ in range(2 if rank == 0 else 1):
            if len(chosen) >= MAX_STRENGTH_EXERCISES:
                break
            ex = _pick(t, level=level, sided=side is not None, limits=limits, taken=taken,
                       speed=SLOW)
            if ex is None:
                break
            taken.add(ex.key)
            chosen.append((ex, side, tuple(refs), f"for the {_words(t)}"))
            first_target[ex.key] = t
    # plane coverage: frontal and transverse work in every program
    for plane, targets in (("frontal", ("hip_abductors", "trunk_lateral")),
                           ("transverse", ("trunk_rotation", "hip_rotators"))):
        if any(e.plane == plane for e, *_ in chosen):
            continue
        for t in targets:
            ex = _pick(t, level=level, sided=main_side is not None, limits=limits,
                       taken=taken, speed=SLOW)
            if ex is not None and ex.plane == plane:
                taken.add(ex.key)
                chosen.append((ex, main_side, all_refs, f"{plane}-plane work"))
                break
    if not chosen:
        return []

    # fast/ballistic work (no red flag, and only when the pain rule allows): the plyometric
    # ladder, plus one target-specific fast exercise in the power phase
    up = min(level + 1, 4)
    top = min(level + 2, 4)
    ladder = [CATALOG[k] for k in PLYO_LADDER
              if limits.fast_ok and limits.allows(CATALOG[k]) and CATALOG[k].level <= top]
    extra_fast: list[_Pick] = []
    if limits.fast_ok and ladder:
        fast_taken = set(taken) | set(PLYO_LADDER)
        for t in [t for t in order if t not in ("running_form", "plyometric")]:
            ex = _pick(t, level=up, sided=tgt[t][1] is not None, limits=limits,
                       taken=fast_taken, speed=FAST)
            if ex is not None and "plyometric" in ex.targets:
                extra_fast.append((ex, tgt[t][1], tuple(tgt[t][2]), "fast/ballistic work"))
                break
    ladder_side = main_side
    ladder_refs = tuple(tgt["plyometric"][2]) if "plyometric" in tgt else all_refs

    def rx(ex: Exercise, side: str | None, refs: tuple[str, ...], why: str, lv: int,
           phase: Phase, extra_note: str | None = None, *, load_pct: float = 0.0,
           fast_variant: bool = False) -> Prescription:
        dose = ex.dose(lv)
        notes = [why[:1].upper() + why[1:] + "."]
        order_: tuple[str, ...]
        if ex.unilateral:
            if side is not None:
                other = "left" if side == "right" else "right"
                order_ = (side, other)
                notes.append(f"Weaker side first: {side}. Do the same reps on the {other} side "
                             f"as the {side} side managed with good form.")
            else:
                order_ = ("left", "right")
                notes.append("Same reps on both sides.")
        else:
            order_ = ("both",)
        weaker_reps = weaker_secs = None
        if extra_pct > 0 and ex.unilateral and side is not None:
            if dose.reps is not None:
                weaker_reps = math.ceil(dose.reps * (1 + extra_pct / 100) - 1e-9)
            if dose.seconds is not None:
                weaker_secs = math.ceil(dose.seconds * (1 + extra_pct / 100) - 1e-9)
            notes.append(f"+{extra_pct:g} % on the {side} side: expert opinion, unverified.")
        load = dose.load
        if load_pct > 0:
            load = f"{load}; about +{load_pct:g} % load over the first week of this phase"
            notes.append(LOAD_RISE_NOTE)
        if extra_note:
            notes.append(extra_note)
        name, speed, kind = ex.name, ex.speed, ex.kind
        if fast_variant:
            name, speed = f"{ex.name} (fast)", FAST
            load = FAST_VARIANT_LOAD
            notes.append(FAST_GATE_NOTE)
        return Prescription(ex.key, name, order_, dose.sets, dose.reps, dose.seconds,
                            load, speed, _tempo(ex, phase, fast_variant=fast_variant),
                            tuple(notes), refs, weaker_reps, weaker_secs, dose.rest_s,
                            kind=kind, load_increase_pct=load_pct,
                            weaker_side=side if ex.unilateral else None)

    foundation, strength, power = phases
    # strength phase: harder versions where allowed (one level up, one-sided kept one-sided)
    progressed: list[_Pick] = []
    seen: set[str] = set(taken)
    for e, s, r, why in chosen:
        nxt = _advance(e, up, limits)
        if s is not None and e.unilateral and not nxt.unilateral and e.key in first_target:
            alt = _pick(first_target[e.key], level=up, sided=True, limits=limits,
                        taken=seen, speed=SLOW)
            if alt is not None and alt.unilateral and alt.level > e.level:
                nxt = alt
        if nxt is not e and nxt.key in seen:
            nxt = e
        seen.add(nxt.key)
        progressed.append((nxt, s, r, why if nxt is e else f"{why} (progressed from {e.name})"))

    weeks: list[tuple[Prescription, ...]] = []
    for _w in range(foundation.first_week, foundation.last_week + 1):
        weeks.append(tuple(rx(e, s, r, why, level, foundation) for e, s, r, why in chosen))
    n_str = strength.last_week - strength.first_week + 1
    for k in range(n_str):
        lv = up if k < math.ceil(n_str / 2) else top
        rows = [rx(e, s, r, why, lv, strength,
                   load_pct=LOAD_RISE_PER_WEEK_PCT * k if e.kind == "strength" else 0.0)
                for e, s, r, why in progressed]
        if ladder:
            rows.append(rx(ladder[0], ladder_side if ladder[0].unilateral else None,
                           ladder_refs, "first fast work: plyometric ladder, step 1", level,
                           strength, FAST_GATE_NOTE))
        weeks.append(tuple(rows))
    n_pow = power.last_week - power.first_week + 1
    for j in range(n_pow):
        rows = [rx(e, s, r, why, top, power, fast_variant=limits.fast_ok
                   and e.kind == "strength" and e.key not in NO_FAST_VARIANT)
                for e, s, r, why in progressed]
        if ladder:
            rung = min(len(ladder) - 1, 1 + (j * (len(ladder) - 1)) // max(n_pow, 1))
            rung = max(rung, 0) if len(ladder) > 1 else 0
            ex = ladder[rung]
            rows.append(rx(ex, ladder_side if ex.unilateral else None, ladder_refs,
                           f"plyometric ladder, step {rung + 1} of {len(ladder)}", up, power,
                           FAST_GATE_NOTE + f" Go back to {ladder[rung - 1].name} if not."
                           if rung > 0 else FAST_GATE_NOTE))
        for e, s, r, why in extra_fast:
            rows.append(rx(e, s, r, why, up, power, FAST_GATE_NOTE))
        weeks.append(tuple(rows))
    return weeks


# --- progression -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionLog:
    date: date
    done: bool
    rpe: float | None = None
    pain_during: float | None = None
    pain_next_morning: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("rpe", "pain_during", "pain_next_morning"):
            v = getattr(self, name)
            if v is not None and not (0 <= v <= 10):  # NaN fails too
                raise ValueError(f"{name.replace('_', ' ')} must be 0–10 (got {v})")


@dataclass(frozen=True)
class Decision:
    #: "progress", "hold" or "regress".
    action: str
    reason: str
    see_clinician: bool
    evidence: Evidence
    #: Exercise key → the exercise to move to (progression or regression), for the current phase.
    changes: dict[str, str]
    adherence_pct: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "reason": self.reason,
                "see_clinician": self.see_clinician, "evidence": self.evidence.to_dict(),
                "changes": dict(self.changes), "adherence_pct": self.adherence_pct}


def _settled(log: SessionLog) -> bool:
    during = log.pain_during or 0.0
    morning = log.pain_next_morning
    return morning is None or (morning <= PAIN_SAFE_MAX and morning <= during)


def _at_target(log: SessionLog) -> bool:
    return ((log.pain_during or 0.0) <= PAIN_SAFE_MAX and _settled(log)
            and (log.rpe is None or log.rpe <= RPE_TARGET_MAX))


def _worst(log: SessionLog) -> float:
    return max(log.pain_during or 0.0, log.pain_next_morning or 0.0)


def next_step(program: Program, logs: list[SessionLog]) -> Decision:
    """What to do next by the pain-monitoring rule (:data:`PAIN_RULE`).

    - pain > 5/10 (during or next morning) in the last session, or pain rising over the last 3
      sessions → **regress** and suggest seeing a clinician;
    - pain 4–5/10, or not settled by the next morning → **hold**;
    - the last 2 sessions at target (pain ≤ 3/10, settled, RPE ≤ 7) → **progress**;
    - otherwise → **hold** (fewer than 2 sessions at target).
    """
    done = sorted((lg for lg in logs if lg.done), key=lambda lg: lg.date)
    adh = adherence(program, logs)
    if not done:
        return Decision("hold", "No completed session logged yet: start at the prescribed "
                        "level.", False, PAIN_RULE_EVIDENCE, {}, adh)
    last = done[-1]
    current = _current_session(program, last.date)
    recent = done[-SESSIONS_RISING:]
    rising = len(recent) == SESSIONS_RISING and all(
        _worst(a) < _worst(b) for a, b in pairwise(recent))
    if _worst(last) > PAIN_ACCEPTABLE_MAX or rising:
        why = (f"pain {_worst(last):g}/10 is above {PAIN_ACCEPTABLE_MAX}/10" if not rising
               else f"pain rose over the last {SESSIONS_RISING} sessions")
        return Decision("regress", f"Back off: go back a step ({why}). See a clinician if "
                        "it does not settle.", True, PAIN_RULE_EVIDENCE,
                        _changes(program, current, "regression"), adh)
    if (last.pain_during or 0.0) > PAIN_SAFE_MAX or not _settled(last):
        why = ("pain during was 4–5/10" if (last.pain_during or 0.0) > PAIN_SAFE_MAX
               else "pain had not settled by the next morning")
        return Decision("hold", f"Stay at this level: {why}.", False, PAIN_RULE_EVIDENCE, {},
                        adh)
    last_two = done[-SESSIONS_TO_PROGRESS:]
    if len(last_two) == SESSIONS_TO_PROGRESS and all(_at_target(lg) for lg in last_two):
        return Decision("progress", f"{SESSIONS_TO_PROGRESS} sessions with pain ≤ "
                        f"{PAIN_SAFE_MAX}/10, settled next morning, RPE ≤ {RPE_TARGET_MAX}: "
                        "move to the harder version or add load (about 5–10 %).", False,
                        PAIN_RULE_EVIDENCE, _changes(program, current, "progression"), adh)
    return Decision("hold", f"Stay at this level until {SESSIONS_TO_PROGRESS} sessions in a row "
                    f"have pain ≤ {PAIN_SAFE_MAX}/10, settled next morning, at RPE ≤ "
                    f"{RPE_TARGET_MAX}.", False, PAIN_RULE_EVIDENCE, {}, adh)


def _current_session(program: Program, when: date) -> Session | None:
    past = [s for s in program.sessions if s.date <= when]
    if past:
        return past[-1]
    return program.sessions[0] if program.sessions else None


def _changes(program: Program, session: Session | None, direction: str) -> dict[str, str]:
    if session is None:
        return {}
    limits = _Limits(frozenset(program.excluded_targets),
                     max_leg_load=program.max_leg_load if program.max_leg_load in LEG_LOADS
                     else "impact",
                     fast_ok=not program.red_flags)
    out = {}
    for p in session.prescriptions:
        ex = CATALOG.get(p.exercise)
        key = getattr(ex, direction) if ex is not None else None
        if key and limits.allows(CATALOG[key]):
            out[p.exercise] = key
    return out


def adherence(program: Program, logs: list[SessionLog], as_of: date | None = None) -> float | None:
    """% of the sessions planned up to ``as_of`` (default: the last log) that were done;
    ``None`` before the first planned session. Capped at 100."""
    if as_of is None:
        as_of = max((lg.date for lg in logs), default=None)
    if as_of is None:
        return None
    planned = sum(1 for s in program.sessions if s.date <= as_of)
    if planned == 0:
        return None
    done = sum(1 for lg in logs if lg.done and program.start <= lg.date <= as_of)
    return round(min(100.0, 100.0 * done / planned), 1)


def retest_dates(start: date, weeks: int, *, every_weeks: int = 4) -> list[date]:
    """Retests every ``every_weeks`` (4–6) weeks from ``start`` and one at the end."""
    if not (RETEST_WEEKS_RANGE[0] <= every_weeks <= RETEST_WEEKS_RANGE[1]):
        raise ValueError(f"retest interval must be {RETEST_WEEKS_RANGE[0]}–"
                         f"{RETEST_WEEKS_RANGE[1]} weeks (got {every_weeks})")
    out = [start + timedelta(weeks=w) for w in range(every_weeks, weeks, every_weeks)]
    end = start + timedelta(weeks=weeks)
    if not out or out[-1] != end:
        out.append(end)
    return out


# --- outcome -----------------------------------------------------------------------------------
IMPROVED: Final = "improved beyond noise"
WITHIN_NOISE: Final = "within noise"
WORSE: Final = "worse beyond noise"
NO_MDC: Final = "no MDC known"
NOT_RETESTED: Final = "not retested"
NO_BEFORE: Final = "no value before the plan: can't tell"


@dataclass(frozen=True)
class OutcomeItem:
    measure: str
    before: float | None
    after: float | None
    change: float | None
    mdc: float | None
    #: Value of perfect symmetry the change is judged against (100 for an LSI, else 0).
    symmetric: float
    verdict: str


@dataclass(frozen=True)
class OutcomeResult:
    items: list[OutcomeItem]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for it in self.items:
            out[it.verdict] = out.get(it.verdict, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"items": [asdict(i) for i in self.items], "counts": self.counts()}


def _symmetric_value(measure: str) -> float:
    m = measure.lower()
    return 100.0 if ("lsi" in m or m.endswith("_pct_of_other")) else 0.0


def outcome_check(
    before: dict[str, float],
    after: dict[str, float],
    mdc: dict[str, float],
    *,
    symmetric: dict[str, float] | None = None,
) -> OutcomeResult:
    """Did each targeted asymmetry change by more than its minimal detectable change?

    Each measure is an asymmetry — a test LSI (symmetric at 100 %; measure names containing
    "lsi") or a running metric's symmetry angle or left−right difference (symmetric at 0).
    ``symmetric`` overrides the symmetric value per measure. A change of at most the MDC is
    "within noise"; beyond it, "improved beyond noise" when the value moved closer to
    symmetry, else "worse beyond noise".

    >>> r = outcome_check({"hip_abd_lsi": 80.0}, {"hip_abd_lsi": 93.0}, {"hip_abd_lsi": 8.0})
    >>> r.items[0].verdict
    'improved beyond noise'
    """
    items = []
    for m in sorted(set(before) | set(after)):
        b, a = before.get(m), after.get(m)
        sym = (symmetric or {}).get(m, _symmetric_value(m))
        md = mdc.get(m)
        if b is None or a is None:
            items.append(OutcomeItem(m, b, a, None, md, sym,
                                     NO_BEFORE if b is None and a is not None
                                     else NOT_RETESTED))
            continue
        change = a - b
        if md is None:
            verdict = NO_MDC
        elif abs(change) <= md:
            verdict = WITHIN_NOISE
        elif abs(a - sym) < abs(b - sym):
            verdict = IMPROVED
        else:
            verdict = WORSE
        items.append(OutcomeItem(m, b, a, change, md, sym, verdict))
    return OutcomeResult(items)
