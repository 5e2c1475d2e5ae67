# SPDX-License-Identifier: MIT
"""The exercise catalogue, as data: what each exercise trains, how hard it is, how to do it, and
how much of it to do.

Every :class:`Exercise` names the body targets it trains (from
:data:`evenstride.clinical.models.TARGETS`), its movement plane, whether it is done one side at a
time, its level (1 = anyone, 4 = trained and pain-free), the speed it is done at, the easier
(``regression``) and harder (``progression``) exercise, and written instructions a runner can
follow alone: set-up, cues and common mistakes.

Dosage per level follows the strength programmes that improved running economy in trained
runners — 40–70 % 1RM, 2–4 lower-body exercises, up to 200 jumps, 2–3 ×/week for 8–12 weeks
(Balsalobre-Fernández et al. 2016, science.md §8.1) — with bodyweight levels below that. Levels
1–2 use RPE (CR-10) because a runner rarely knows a single-leg 1RM.

>>> CATALOG["single_leg_box_squat"].regression, CATALOG["single_leg_box_squat"].progression
('rear_foot_elevated_split_squat', 'pistol_squat')
>>> len(CATALOG) >= 35
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from evenstride.assessment.reference_bands import Evidence
from evenstride.clinical.models import TARGETS

__all__ = [
    "CATALOG",
    "FAST",
    "KINDS",
    "LEG_LOADS",
    "LEVELS",
    "PLANES",
    "PLYO_LADDER",
    "SLOW",
    "Dosage",
    "Exercise",
    "exercises_for",
]

PLANES: Final = ("sagittal", "frontal", "transverse", "multi")
#: Exercise types; each has its own tempo/dosage wording (prescribe._tempo).
KINDS: Final = ("strength", "isometric", "control", "mobility", "balance", "ballistic")
#: Load through the legs, lowest first: lying/seated/kneeling, standing on two feet, standing on
#: one foot or with load, and impact (hops, bounds, landings).
LEG_LOADS: Final = ("none", "standing", "single_leg", "impact")
SLOW: Final = "slow/controlled"
FAST: Final = "fast/ballistic"
LEVELS: Final = (1, 2, 3, 4)


@dataclass(frozen=True)
class Dosage:
    """Sets × reps (or × seconds, or × ground contacts) with load guidance."""

    sets: int
    reps: int | None = None
    seconds: int | None = None
    #: Load guidance: % 1RM or RPE (CR-10), or "bodyweight".
    load: str = "bodyweight"
    #: Rest between sets, seconds.
    rest_s: int = 60

    def text(self) -> str:
        """``"3 × 8 (RPE 6–7)"`` / ``"3 × 30 s (bodyweight)"``."""
        if self.seconds is not None:
            amount = f"{self.sets} × {self.seconds} s"
        else:
            amount = f"{self.sets} × {self.reps}"
        return f"{amount} ({self.load})"

    def to_dict(self) -> dict[str, object]:
        return {"sets": self.sets, "reps": self.reps, "seconds": self.seconds,
                "load": self.load, "rest_s": self.rest_s}


@dataclass(frozen=True)
class Exercise:
    """One catalogue entry (see module docstring)."""

    key: str
    name: str
    targets: tuple[str, ...]
    plane: str
    unilateral: bool
    level: int
    equipment: tuple[str, ...]
    speed: str
    regression: str | None
    progression: str | None
    setup: str
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    #: Athlete level (1–4) → default dosage.
    dosage: dict[int, Dosage] = field(hash=False)
    evidence: Evidence = field(hash=False)
    #: Exercise type (:data:`KINDS`): sets the tempo and dosage wording.
    kind: str = ""
    #: Load through the legs (:data:`LEG_LOADS`): red flags of bone stress allow only "none".
    leg_load: str = ""

    def dose(self, level: int) -> Dosage:
        return self.dosage[min(max(level, 1), 4)]


# --- evidence statements -----------------------------------------------------------------------
_STRENGTH_EV = Evidence(
    grade="V",
    sources=("Balsalobre-Fernández et al. 2016 J Strength Cond Res (strength training and "
             "running economy, meta-analysis)",),
    note="Dosage (40–70 % 1RM, 2–3 ×/week, 8–12 weeks) from trials in highly trained runners; "
    "the choice of this exercise is common practice, not tested on its own.",
)
_UNILATERAL_EV = Evidence(
    grade="S",
    sources=("science.md §8.5 (unilateral exercise, equal volume, weaker side first: coaching "
             "practice)", "Balsalobre-Fernández et al. 2016"),
    note="Single-leg work with equal volume is common practice; no trial shows it reduces "
    "asymmetry or injury better than two-leg work.",
)
_HIP_ABD_EV = Evidence(
    grade="V",
    sources=("Fredericson et al. 2000 Clin J Sport Med (hip abductor weakness in ITBS; 6-week "
             "gluteus medius programme)", "Niemuth et al. 2005 Clin J Sport Med"),
    note="Injured runners had weaker abductors on the injured side (cross-sectional: cause "
    "unknown); the rehabilitation was not a controlled trial.",
)
_CALF_EV = Evidence(
    grade="S",
    sources=("Balsalobre-Fernández et al. 2016", "science.md §8.5 (single-leg calf raise)"),
    note="Calf and soleus strength is common practice in running rehabilitation; dosage from "
    "the running-economy trials.",
)
_PLYO_EV = Evidence(
    grade="V",
    sources=("Balsalobre-Fernández et al. 2016 (up to 200 jumps per session)",
             "Denadai et al. 2017 Sports Med (explosive and heavy training both improve "
             "running economy)"),
    note="Jumps only when pain-free: ground contacts count as running load.",
)
_TRUNK_EV = Evidence(
    grade="U",
    sources=("expert opinion (trunk control and running posture, science.md §4.4)",),
    note="No trial links this trunk exercise to running asymmetry; low risk, common practice.",
)
_UPPER_EV = Evidence(
    grade="U",
    sources=("expert opinion (trunk and arm fatigue late in a run)",),
    note="Plausible (arm and trunk fatigue costs economy late in long runs) but unverified.",
)
_MOBILITY_EV = Evidence(
    grade="U",
    sources=("expert opinion / common clinical practice",),
    note="Mobility drills are low-risk; no trial shows they change running asymmetry.",
)
_BALANCE_EV = Evidence(
    grade="S",
    sources=("Plisky et al. 2006/2009 (Star Excursion / Y-balance test)",),
    note="The test is reliable and reach asymmetry was linked to injury in basketball; the "
    "drill itself is common practice, not a tested intervention for runners.",
)
_HAMSTRING_EV = Evidence(
    grade="S",
    sources=("van der Horst et al. 2015 Am J Sports Med 43(6):1316–1323 and Petersen et al. "
             "2011 Am J Sports Med 39(11):2296–2303 (Nordic hamstring programmes, football; "
             "secondary sources here)", "Balsalobre-Fernández et al. 2016 (dosage)"),
    note="Eccentric hamstring work lowered hamstring injuries in football players; for runners "
    "and for a side difference it is an extrapolation.",
)
_NORDIC_EV = _HAMSTRING_EV
_ADDUCTOR_EV = Evidence(
    grade="S",
    sources=("Harøy et al. 2019 Br J Sports Med 53:150–157 (Copenhagen adduction programme, "
             "football; secondary source here)",),
    note="Adductor strengthening lowered groin problems in football; using it for runners is "
    "an extrapolation.",
)
_FOOT_EV = Evidence(
    grade="U",
    sources=("expert opinion / common clinical practice (intrinsic foot exercises)",),
    note="Low-risk foot-muscle exercises; no trial links them to running asymmetry.",
)
_FORM_EV = Evidence(
    grade="U",
    sources=("expert opinion (running drills)",),
    note="Drill for rhythm and arm carriage; not tested as an intervention.",
)


# --- dosage helpers ----------------------------------------------------------------------------
_STRENGTH_LOADS = ("bodyweight, RPE 5–6", "bodyweight or light load, RPE 6–7",
                   "40–60 % 1RM (about RPE 7)", "60–70 % 1RM (about RPE 7–8)")


def _strength(reps: tuple[int, int, int, int] = (10, 10, 8, 6),
              sets: tuple[int, int, int, int] = (2, 3, 3, 4)) -> dict[int, Dosage]:
    return {lv: Dosage(sets[lv - 1], reps=reps[lv - 1], load=_STRENGTH_LOADS[lv - 1],
                       rest_s=60 if lv <= 2 else 120) for lv in LEVELS}


def _bodyweight(reps: tuple[int, int, int, int] = (10, 12, 15, 15),
                sets: tuple[int, int, int, int] = (2, 3, 3, 3),
                rpe: tuple[str, ...] = ("RPE 4–5", "RPE 5–6", "RPE 6–7", "RPE 7")
                ) -> dict[int, Dosage]:
    return {lv: Dosage(sets[lv - 1], reps=reps[lv - 1],
                       load=f"bodyweight, {rpe[lv - 1]}" if rpe[lv - 1].startswith("RPE")
                       else rpe[lv - 1])
            for lv in LEVELS}


def _hold(seconds: tuple[int, int, int, int] = (20, 30, 40, 45),
          sets: tuple[int, int, int, int] = (2, 3, 3, 3)) -> dict[int, Dosage]:
    return {lv: Dosage(sets[lv - 1], seconds=seconds[lv - 1], load="bodyweight, RPE 5–7",
                       rest_s=45) for lv in LEVELS}


def _jumps(contacts: tuple[int, int, int, int] = (10, 15, 20, 20),
           sets: tuple[int, int, int, int] = (2, 3, 3, 4)) -> dict[int, Dosage]:
    return {lv: Dosage(sets[lv - 1], reps=contacts[lv - 1],
                       load="bodyweight, maximal quality; stop when contacts get loud or slow",
                       rest_s=90) for lv in LEVELS}


def _mobility(reps: int = 10, sets: int = 2) -> dict[int, Dosage]:
    return {lv: Dosage(sets, reps=reps, load="easy, pain-free range", rest_s=20) for lv in LEVELS}


def _ex(key: str, name: str, targets: tuple[str, ...], plane: str, unilateral: bool, level: int,
        equipment: tuple[str, ...], speed: str, regression: str | None,
        progression: str | None, setup: str, cues: tuple[str, ...], mistakes: tuple[str, ...],
        dosage: dict[int, Dosage], evidence: Evidence) -> Exercise:
    return Exercise(key, name, targets, plane, unilateral, level, equipment, speed, regression,
                    progression, setup, cues, mistakes, dosage, evidence)


_EXERCISES: tuple[Exercise, ...] = (
    # --- single-leg squat progression --------------------------------------------------------
    _ex("split_squat", "Split squat", ("quadriceps", "hip_extensors", "balance"), "sagittal",
        True, 1, ("none", "dumbbells optional"), SLOW, None, "rear_foot_elevated_split_squat",
        "Stand in a long stride, feet hip-width apart side to side, back heel up. Hands on hips "
        "or holding dumbbells at your sides.",
        ("Lower straight down until the back knee almost touches the floor.",
         "Front knee tracks over the middle toes; weight through the whole front foot.",
         "Trunk tall with a slight forward lean; push the floor away to rise."),
        ("Stance too narrow (like a tightrope), so you wobble.",
         "Front knee collapsing inward.", "Pushing off with the back leg instead of the front."),
        _strength(), _UNILATERAL_EV),
    _ex("rear_foot_elevated_split_squat", "Rear-foot-elevated split squat (Bulgarian)",
        ("quadriceps", "hip_extensors", "balance"), "sagittal", True, 2,
        ("bench or step", "dumbbells optional"), SLOW, "split_squat", "single_leg_box_squat",
        "Back foot laces-down on a knee-high bench, front foot far enough forward that the shin "
        "stays near vertical at the bottom.",
        ("Lower under control for 3 s until the front thigh is about level.",
         "Keep the front knee over the middle toes and the pelvis level.",
         "Drive up through the front heel and mid-foot."),
        ("Front foot too close to the bench (heel lifts, knee pain).",
         "Hips twisting toward the back leg.", "Bouncing out of the bottom."),
        _strength(), _UNILATERAL_EV),
    _ex("single_leg_box_squat", "Single-leg box squat", ("quadriceps", "hip_extensors",
        "hip_abductors", "balance"), "multi", True, 3, ("box or bench",), SLOW,
        "rear_foot_elevated_split_squat", "pistol_squat",
        "Stand on one leg in front of a knee-high box, other leg held forward, arms forward "
        "for balance.",
        ("Sit back and down to touch the box lightly, do not sit down fully.",
         "Knee over the middle toes, pelvis level, trunk leaning slightly forward.",
         "Stand up without swinging the free leg."),
        ("Knee diving inward or the hip dropping on the free-leg side.",
         "Dropping onto the box and rocking up.", "Lifting the heel."),
        _strength(), _UNILATERAL_EV),
    _ex("pistol_squat", "Pistol squat", ("quadriceps", "hip_extensors", "balance",
        "ankle_mobility"), "multi", True, 4, ("none", "counterweight optional"), SLOW,
        "single_leg_box_squat", None,
        "Stand on one leg, other leg straight out in front, arms forward (hold a light plate "
        "as a counterweight if needed).",
        ("Lower slowly as deep as you can control, heel down.",
         "Knee tracks over the toes; pelvis stays level.",
         "Rise without twisting or kicking."),
        ("Collapsing at the bottom and losing tension.", "Heel lifting (needs ankle mobility).",
         "Rounding the back hard to stay balanced."),
        _strength((5, 6, 6, 5), (2, 3, 3, 4)), _UNILATERAL_EV),
    # --- step-ups / step-downs -----------------------------------------------------------------
    _ex("step_up", "Step-up", ("quadriceps", "hip_extensors", "balance"), "sagittal", True, 1,
        ("step or box",), SLOW, None, "lateral_step_down",
        "Face a knee-high step; place the whole working foot on it.",
        ("Lean slightly forward and push through the heel of the top foot to stand up.",
         "Do not push off the bottom foot; tap it on the step at the top.",
         "Lower slowly (3 s) back down."),
        ("Springing off the floor leg.", "Knee collapsing inward.", "Box so high the hip "
         "hikes."),
        _strength(), _UNILATERAL_EV),
    _ex("lateral_step_down", "Lateral step-down", ("quadriceps", "hip_abductors", "balance"),
        "frontal", True, 2, ("step",), SLOW, "step_up", "single_leg_box_squat",
        "Stand sideways on a 15–20 cm step on the working leg; the other foot hangs off the edge.",
        ("Bend the standing knee slowly to tap the free heel to the floor.",
         "Keep the standing knee over the 2nd toe and the pelvis level.",
         "Straighten without pushing off the floor."),
        ("Hip dropping on the free side (Trendelenburg).", "Knee drifting inward.",
         "Putting weight on the tapping heel."),
        _strength((8, 10, 12, 12), (2, 3, 3, 4)), _HIP_ABD_EV),
    # --- lunges --------------------------------------------------------------------------------
    _ex("reverse_lunge", "Reverse lunge", ("quadriceps", "hip_extensors", "balance"),
        "sagittal", True, 1, ("none", "dumbbells optional"), SLOW, "split_squat",
        "forward_lunge",
        "Stand tall, feet hip-width apart.",
        ("Step one foot back and lower the back knee towards the floor.",
         "Most weight stays on the front foot; front knee over the middle toes.",
         "Push through the front foot to return."),
        ("Stepping back in line with the front foot (narrow base).", "Trunk folding forward.",
         "Front knee caving in."),
        _strength(), _UNILATERAL_EV),
    _ex("forward_lunge", "Forward lunge", ("quadriceps", "hip_extensors", "balance"),
        "sagittal", True, 2, ("none", "dumbbells optional"), SLOW, "reverse_lunge",
        "rear_foot_elevated_split_squat",
        "Stand tall, feet hip-width apart.",
        ("Step forward, land heel-to-mid-foot and lower under control.",
         "Stop the forward travel with the front leg; knee over the middle toes.",
         "Push back to standing in one move."),
        ("Landing with a stiff, straight front leg.", "Knee caving in as you brake.",
         "Short step, so the knee shoots far past the toes with heel lifting."),
        _strength(), _UNILATERAL_EV),
    _ex("lateral_lunge", "Lateral lunge", ("hip_adductors", "hip_abductors", "quadriceps"),
        "frontal", True, 2, ("none",), SLOW, None, "lateral_bound",
        "Stand with feet together, hands in front of the chest.",
        ("Step wide to one side and sit back into that hip, other leg straight.",
         "Both feet point forward, heels down; knee over the toes.",
         "Push back to the start."),
        ("Knee caving in.", "Trunk collapsing forward.", "Step too short to feel the inner "
         "thigh of the straight leg."),
        _bodyweight((8, 10, 10, 12)), _UNILATERAL_EV),
    _ex("curtsy_lunge", "Curtsy lunge", ("hip_abductors", "hip_rotators", "quadriceps",
        "balance", "hip_adductors"), "transverse", True, 3, ("none", "dumbbells optional"), SLOW,
        "reverse_lunge", None,
        "Stand tall, feet hip-width apart, hands on hips.",
        ("Step one foot back and across behind the other, as in a curtsy.",
         "Keep the pelvis facing forward and the front knee over the front foot.",
         "Control the way down (3 s), push back through the front foot."),
        ("Twisting the pelvis to follow the back leg.", "Front knee collapsing inward.",
         "Crossing so far that you lose balance."),
        _strength((8, 10, 10, 8), (2, 3, 3, 3)), _UNILATERAL_EV),
    # --- hip extension -------------------------------------------------------------------------
    _ex("glute_bridge", "Glute bridge (two legs)", ("hip_extensors", "hamstrings"),
        "sagittal", False, 1, ("mat",), SLOW, None, "single_leg_bridge",
        "Lie on your back, knees bent, feet flat and hip-width apart, arms by your sides.",
        ("Squeeze the buttocks and lift the hips until knees, hips and shoulders line up.",
         "Hold 2 s at the top, ribs down.", "Lower slowly."),
        ("Arching the lower back instead of extending the hips.",
         "Pushing through the toes.", "Knees falling apart or together."),
        _bodyweight((10, 12, 15, 15)), _TRUNK_EV),
    _ex("single_leg_bridge", "Single-leg glute bridge", ("hip_extensors", "hamstrings",
        "trunk_rotation"), "sagittal", True, 2, ("mat",), SLOW, "glute_bridge",
        "single_leg_hip_thrust",
        "Lie on your back, one knee bent with the foot flat, the other leg held straight or "
        "knee to chest.",
        ("Push through the heel and lift the hips; keep the pelvis level.",
         "Hold 2 s at the top.", "Lower slowly without the pelvis rotating."),
        ("Pelvis dropping on the free-leg side.", "Cramping hamstrings: move the foot closer.",
         "Arching the back."),
        _bodyweight((8, 10, 12, 15)), _UNILATERAL_EV),
    _ex("single_leg_hip_thrust", "Single-leg hip thrust", ("hip_extensors", "hamstrings"),
        "sagittal", True, 3, ("bench", "dumbbell or plate optional"), SLOW,
        "single_leg_bridge", None,
        "Upper back against a bench edge, one foot flat, the other leg lifted; load across the "
        "hips if used.",
        ("Drive through the heel until the hip is fully extended, chin tucked.",
         "Keep the pelvis level and ribs down.", "Lower for 3 s."),
        ("Hyper-extending the lower back at the top.", "Pelvis rotating towards the free leg.",
         "Foot too far out (hamstrings take over)."),
        _strength(), _UNILATERAL_EV),
    _ex("single_leg_rdl", "Single-leg Romanian deadlift", ("hamstrings", "hip_extensors",
        "balance", "hip_rotators"), "multi", True, 2, ("dumbbell or kettlebell optional",),
        SLOW, "glute_bridge", None,
        "Stand on one leg, knee soft; weight in the opposite hand if used.",
        ("Hinge at the hip: chest down, free leg reaching back, until you feel the hamstring.",
         "Hips stay square to the floor; back flat.", "Return by squeezing the buttock."),
        ("Rounding the back.", "Opening the hip (free-side hip rotates up).",
         "Bending the standing knee into a squat."),
        _strength(), _UNILATERAL_EV),
    # --- calf / soleus -------------------------------------------------------------------------
    _ex("calf_raise_double", "Calf raise (two legs)", ("calf_soleus", "foot_ankle"),
        "sagittal", False, 1, ("step",), SLOW, None, "calf_raise_single",
        "Balls of both feet on a step edge, heels free, a hand on a wall for balance.",
        ("Rise as high as you can over the big toe.", "Pause 1 s at the top.",
         "Lower for 3 s until the heels are below the step."),
        ("Rolling out to the little toes.", "Bouncing at the bottom.",
         "Half range of motion."),
        _bodyweight((15, 15, 20, 25)), _CALF_EV),
    _ex("calf_raise_single", "Single-leg calf raise (straight knee)",
        ("calf_soleus", "foot_ankle", "balance"), "sagittal", True, 2, ("step",), SLOW,
        "calf_raise_double", "soleus_raise_bent_knee",
        "Ball of one foot on a step edge, other foot off, fingertips on a wall.",
        ("Rise as high as you can over the big toe, knee straight.",
         "Pause at the top, lower for 3 s.", "Match the reps of the weaker side."),
        ("Using the hands to pull up.", "Ankle rolling outward.", "Speeding up when tired."),
        _bodyweight((10, 12, 15, 20)), _CALF_EV),
    _ex("soleus_raise_bent_knee", "Single-leg bent-knee soleus raise",
        ("calf_soleus", "foot_ankle"), "sagittal", True, 3, ("step", "wall"), SLOW,
        "calf_raise_single", "calf_raise_weighted",
        "Stand on one leg with the knee bent about 30–45°, hands on a wall (or seated with a "
        "weight on the knee).",
        ("Keep the knee bend constant and rise onto the ball of the foot.",
         "Pause at the top; lower for 3 s.", "Feel it low in the calf, not the thigh."),
        ("Straightening the knee as you rise.", "Short range.", "Ankle rolling out."),
        _bodyweight((10, 12, 15, 20)), _CALF_EV),
    _ex("calf_raise_weighted", "Weighted single-leg calf raise", ("calf_soleus", "foot_ankle"),
        "sagittal", True, 4, ("step", "dumbbell or machine"), SLOW, "soleus_raise_bent_knee",
        "pogo_hops",
        "As the single-leg calf raise, holding a dumbbell on the working side (or on a "
        "machine).",
        ("Full range: heel below the step to high on the big toe.",
         "2 s up, 3 s down.", "Do straight-knee and bent-knee sets."),
        ("Load so heavy the range shrinks.", "Bouncing.", "Leaning on the wall."),
        _strength((12, 10, 8, 8), (2, 3, 3, 4)), _CALF_EV),
    # --- plyometrics -----------------------------------------------------------------------------
    _ex("pogo_hops", "Pogo hops", ("plyometric", "calf_soleus", "foot_ankle"), "sagittal", False,
        2, ("none",), FAST, "calf_raise_double", "single_leg_hops",
        "Stand tall, feet hip-width apart, on a firm surface.",
        ("Bounce on the balls of the feet with stiff ankles and almost straight knees.",
         "Short, quick, quiet contacts: the floor is hot.", "Count ground contacts."),
        ("Heels touching down.", "Bending the knees into a squat jump.",
         "Carrying on when contacts slow down."),
        _jumps((15, 20, 20, 25)), _PLYO_EV),
    _ex("single_leg_hops", "Single-leg hops in place", ("plyometric", "calf_soleus",
        "balance", "foot_ankle"), "sagittal", True, 3, ("none",), FAST, "pogo_hops",
        "skater_hops",
        "Stand on one leg on a firm surface, arms ready to swing as in running.",
        ("Small quick hops on the ball of the foot.", "Knee over the toes, pelvis level.",
         "Start with the weaker side; match the contacts."),
        ("Landing loud or on the heel.", "Knee diving in on landing.",
         "Hopping on after form fades."),
        _jumps((10, 12, 15, 20)), _PLYO_EV),
    _ex("lateral_bound", "Lateral bounds (stick the landing)", ("plyometric", "hip_abductors",
        "balance"), "frontal", True, 3, ("none",), FAST, "lateral_lunge", "skater_hops",
        "Stand on one leg with space to the side.",
        ("Push off sideways and land on the other leg.",
         "Stick the landing for 2 s: knee over toes, pelvis level.",
         "Increase distance only when every landing is quiet and stable."),
        ("Knee collapsing in on landing.", "Trunk tipping far over the landing leg.",
         "Rushing the next bound."),
        _jumps((6, 8, 10, 10), (2, 3, 3, 3)), _PLYO_EV),
    _ex("skater_hops", "Skater hops (continuous)", ("plyometric", "hip_abductors",
        "hip_rotators", "balance"), "frontal", True, 4, ("none",), FAST, "lateral_bound", None,
        "As lateral bounds, but continuous, arms swinging across.",
        ("Rhythmic side-to-side bounds with short contacts.",
         "Land on the ball of the foot, knee over toes.", "Keep the chest up."),
        ("Long sticky contacts.", "Knee valgus on landing.", "Losing rhythm: stop the set."),
        _jumps((8, 10, 12, 16)), _PLYO_EV),
    # --- hip abductors / adductors ------------------------------------------------------------
    _ex("side_lying_hip_abduction", "Side-lying hip abduction", ("hip_abductors",), "frontal",
        True, 1, ("mat", "ankle weight optional"), SLOW, None, "banded_side_walk",
        "Lie on your side, bottom knee bent, top leg straight in line with your body, toes "
        "pointing forward.",
        ("Lift the top leg slightly backward and up to about 30°, heel leading.",
         "Hold 2 s, lower for 3 s.", "Stack the hips: do not roll backward."),
        ("Rolling back so the hip flexors lift the leg.", "Toes turning up to the ceiling.",
         "Swinging the leg."),
        _bodyweight((12, 15, 15, 20)), _HIP_ABD_EV),
    _ex("banded_side_walk", "Banded side walk (monster walk)", ("hip_abductors",
        "hip_rotators"), "frontal", False, 2, ("mini-band",), SLOW, "side_lying_hip_abduction",
        "standing_hip_abduction",
        "Mini-band around the legs just above the knees (harder: around the ankles or forefeet), "
        "feet hip-width, quarter squat.",
        ("Step sideways with control, keeping tension on the band.",
         "Toes forward; pelvis level; do not let the knees touch.",
         "Equal steps each direction."),
        ("Bobbing up and down.", "Leaning the trunk to swing the leg.",
         "Letting the trailing foot snap in."),
        {lv: Dosage(s, reps=r, load=ld, rest_s=45) for lv, (s, r, ld) in {
            1: (2, 10, "light band, RPE 5"), 2: (3, 12, "light–medium band, RPE 6"),
            3: (3, 15, "medium band, RPE 7"), 4: (3, 20, "heavy band, RPE 7–8")}.items()},
        _HIP_ABD_EV),
    _ex("standing_hip_abduction", "Standing hip abduction (cable or band)", ("hip_abductors",
        "balance"), "frontal", True, 3, ("cable or long band",), SLOW,
        "side_lying_hip_abduction", "side_plank_hip_abduction",
        "Stand side-on to the anchor, band or cable around the outside ankle; hold a support "
        "lightly.",
        ("Move the leg out to the side about 30° without leaning.",
         "Both the standing and moving hip work: keep the pelvis level.",
         "Return slowly (3 s)."),
        ("Leaning away to gain range.", "Toes turning out.", "Letting the band snap back."),
        _strength((12, 12, 10, 10)), _HIP_ABD_EV),
    _ex("copenhagen_plank", "Copenhagen adductor plank", ("hip_adductors", "trunk_lateral"),
        "frontal", True, 3, ("bench",), SLOW, "side_plank", None,
        "Side plank with the top leg on a bench (short lever: knee on the bench; long lever: "
        "ankle on the bench), bottom leg free.",
        ("Lift the hips until the body is straight; hold.", "Squeeze the top leg into the "
         "bench.", "Progress from short to long lever, then add bottom-leg lifts."),
        ("Hips sagging.", "Rolling forward.", "Holding through groin pain: stop."),
        _hold((10, 15, 20, 30)), Evidence(
            grade="S",
            sources=("Harøy et al. 2019 Br J Sports Med (Copenhagen adduction programme, "
                     "football; secondary source here)",),
            note="Groin-injury prevention in football; using it for runners is an "
            "extrapolation.")),
    # --- trunk: lateral, rotation, anterior ---------------------------------------------------
    _ex("side_plank", "Side plank", ("trunk_lateral", "hip_abductors"), "frontal", True, 1,
        ("mat",), SLOW, None, "side_plank_hip_abduction",
        "Lie on your side, elbow under the shoulder; start with knees bent (easier) or legs "
        "straight.",
        ("Lift the hips until ears, hips and knees (or ankles) are in line.",
         "Breathe normally; hold.", "Weaker side first, same hold time both sides."),
        ("Hips sagging or pushed back.", "Shoulder shrugging to the ear.", "Holding the "
         "breath."),
        _hold(), _TRUNK_EV),
    _ex("side_plank_hip_abduction", "Side plank with top-leg abduction",
        ("trunk_lateral", "hip_abductors"), "frontal", True, 3, ("mat",), SLOW, "side_plank",
        "copenhagen_plank",
        "Side plank on the elbow with straight legs.",
        ("Hold the plank and lift the top leg 20–30 cm, slowly.",
         "Keep the hips high and stacked.", "Lower for 3 s."),
        ("Hips dropping as the leg lifts.", "Leg drifting forward.", "Rushing the reps."),
        _bodyweight((6, 8, 10, 12)), _HIP_ABD_EV),
    _ex("pallof_press", "Pallof press (anti-rotation)", ("trunk_rotation", "trunk_anterior"),
        "transverse", False, 1, ("band or cable",), SLOW, None, "cable_chop",
        "Stand side-on to a band anchored at chest height, feet hip-width, holding the handle "
        "at the chest with both hands.",
        ("Press the hands straight out and hold 2–3 s without letting the trunk turn.",
         "Ribs down, buttocks gently squeezed.", "Bring back slowly; do both sides."),
        ("Rotating towards the anchor.", "Leaning away.", "Shrugging."),
        _bodyweight((8, 10, 12, 12), rpe=("light band", "light–medium band", "medium band",
                                          "heavy band")), _TRUNK_EV),
    _ex("cable_chop", "Cable or band chop / lift (rotation)", ("trunk_rotation",
        "hip_rotators"), "transverse", False, 2, ("band or cable",), SLOW, "pallof_press",
        "half_kneeling_chop",
        "Stand side-on to a high anchor (chop) or low anchor (lift), hands together on the "
        "handle.",
        ("Pull diagonally across the body, rotating through the hips and upper back together.",
         "Pivot the back foot; finish tall.", "Return slowly; both directions."),
        ("Rotating only through the lower back.", "Pulling with the arms alone.",
         "Losing balance at the finish."),
        _bodyweight((8, 10, 12, 12), rpe=("light band", "light–medium band", "medium band",
                                          "heavy band")), _TRUNK_EV),
    _ex("half_kneeling_chop", "Half-kneeling chop", ("trunk_rotation", "hip_rotators",
        "balance"), "transverse", True, 3, ("band or cable", "mat"), SLOW, "cable_chop", None,
        "Kneel on one knee (inside knee down, nearest the anchor), front foot in line with the "
        "back knee: a narrow base.",
        ("Chop from high to low across the body while the pelvis stays still.",
         "Tall spine, buttock of the down leg squeezed.", "Slow return."),
        ("Pelvis turning with the arms.", "Falling off the narrow base.", "Arching the back."),
        _bodyweight((8, 10, 10, 12), rpe=("light band", "light–medium band", "medium band",
                                          "heavy band")), _TRUNK_EV),
    _ex("dead_bug", "Dead bug", ("trunk_anterior", "trunk_rotation"), "sagittal", False, 1,
        ("mat",), SLOW, None, "bird_dog",
        "Lie on your back, arms pointing to the ceiling, hips and knees bent to 90°.",
        ("Press the lower back gently into the floor.",
         "Slowly lower one arm and the opposite leg towards the floor; breathe out.",
         "Return and switch sides."),
        ("Lower back lifting off the floor.", "Moving fast.", "Holding the breath."),
        _bodyweight((6, 8, 10, 12)), _TRUNK_EV),
    _ex("bird_dog", "Bird dog", ("trunk_rotation", "hip_extensors", "trunk_anterior"),
        "transverse", False, 1, ("mat",), SLOW, "dead_bug", None,
        "Hands under shoulders, knees under hips, back flat.",
        ("Reach one arm forward and the opposite leg back until level with the body.",
         "Keep the pelvis level (a cup on the lower back would not spill).",
         "Hold 2 s, return, switch."),
        ("Hips rotating as the leg lifts.", "Arching the back to lift the leg higher.",
         "Rushing."),
        _bodyweight((6, 8, 10, 12)), _TRUNK_EV),
    # --- upper body ----------------------------------------------------------------------------
    _ex("push_up", "Push-up", ("upper_body", "trunk_anterior"), "sagittal", False, 1,
        ("none",), SLOW, None, None,
        "Hands slightly wider than the shoulders; start on a bench or with knees down if full "
        "push-ups are too hard.",
        ("Body in one straight line from head to heels.",
         "Lower the chest to just above the floor, elbows about 45° from the body.",
         "Push back up without the hips sagging."),
        ("Hips sagging or piking.", "Elbows flared to 90°.", "Half reps."),
        _bodyweight((8, 10, 12, 15)), _UPPER_EV),
    _ex("row", "Row (band, dumbbell or inverted)", ("upper_body", "trunk_rotation"),
        "sagittal", False, 1, ("band, dumbbell or bar",), SLOW, None, None,
        "Band anchored at chest height (or one hand and knee on a bench with a dumbbell, or "
        "under a low bar for inverted rows).",
        ("Pull the elbows back past the ribs, shoulder blades squeezing together.",
         "Keep the trunk still.", "Lower slowly."),
        ("Shrugging the shoulders up.", "Jerking the trunk to move the weight.",
         "Wrists curling."),
        _strength((12, 12, 10, 8)), _UPPER_EV),
    _ex("arm_swing_drill", "Arm-swing drill", ("upper_body", "running_form", "trunk_rotation"),
        "multi", False, 1, ("none", "light dumbbells optional"), FAST, None, None,
        "Stand (or sit tall on the floor, legs straight) with elbows bent about 90°.",
        ("Swing the arms as when running: hands from hip to chest height, elbows close.",
         "Forward–back, not across the body; shoulders relaxed and down.",
         "20–30 s easy, then 10 s fast."),
        ("Hands crossing the midline.", "Shoulders hunched.", "Trunk twisting with the arms."),
        _hold((20, 30, 30, 30)), _FORM_EV),
    # --- mobility --------------------------------------------------------------------------------
    _ex("knee_to_wall", "Knee-to-wall ankle rocking", ("ankle_mobility", "foot_ankle"),
        "sagittal", True, 1, ("wall",), SLOW, None, None,
        "Kneel or stand facing a wall, front foot a few cm from the wall.",
        ("Rock the knee forward to touch the wall with the heel down.",
         "Knee in line with the 2nd toe.",
         "Move the foot back 1 cm at a time; note the distance each side."),
        ("Heel lifting.", "Knee going inward.", "Forcing into pain."),
        _mobility(10, 2), _MOBILITY_EV),
    _ex("hip_90_90", "90/90 hip switch", ("hip_mobility", "hip_rotators"), "transverse", False,
        1, ("mat",), SLOW, None, None,
        "Sit with the front leg bent 90° in front and the back leg bent 90° to the side, hands "
        "behind you if needed.",
        ("Rotate both knees to the other side without using the hands (if you can).",
         "Sit tall; lean over the front shin for a stretch.", "Slow and controlled."),
        ("Slumping.", "Forcing the knees down.", "Twisting through the lower back."),
        _mobility(8, 2), _MOBILITY_EV),
    # --- balance ---------------------------------------------------------------------------------
    _ex("single_leg_stance_unstable", "Single-leg stance on an unstable surface",
        ("balance", "foot_ankle"), "multi", True, 1, ("cushion or folded mat",), SLOW, None,
        "y_balance_reach",
        "Stand on one leg on a cushion or folded mat, knee soft, near a wall for safety.",
        ("Hold steady with the pelvis level.",
         "Progress: eyes closed, then catching and throwing a ball.",
         "Start on the weaker side."),
        ("Locking the knee.", "Hip hitched or dropped.", "Grabbing the wall constantly."),
        _hold((20, 30, 30, 45)), _BALANCE_EV),
    _ex("y_balance_reach", "Y-balance reach drill", ("balance", "hip_abductors",
        "quadriceps"), "multi", True, 2, ("tape on the floor",), SLOW,
        "single_leg_stance_unstable", None,
        "Stand on one leg at the centre of a 'Y' taped on the floor (anterior, posteromedial, "
        "posterolateral).",
        ("Reach as far as you can with the free foot along each line and tap lightly.",
         "Return to the centre without putting weight on the reaching foot.",
         "Standing heel stays down; knee over the toes."),
        ("Putting weight on the reaching foot.", "Heel of the stance foot lifting.",
         "Knee collapsing inward on long reaches."),
        _bodyweight((3, 4, 5, 6), rpe=("3 reaches per direction",) * 4), _BALANCE_EV),
    # --- added for issue 12: hamstrings, adductors, trunk, foot, mobility, plyometric ladder ---
    _ex("slider_leg_curl", "Slider leg curl (two legs)", ("hamstrings", "hip_extensors"),
        "sagittal", False, 1, ("sliders, towel on a smooth floor, or a gym ball",), SLOW,
        "glute_bridge", "nordic_curl",
        "Lie on your back, heels on sliders (or a towel), knees bent, arms on the floor.",
        ("Lift the hips into a bridge and keep them up.",
         "Slide the heels away until the legs are almost straight, taking 3 s.",
         "Pull the heels back in under the hips without letting the hips drop."),
        ("Hips sagging as the legs straighten.", "Arching the lower back.",
         "Letting the heels shoot out fast."),
        _strength((8, 10, 8, 8), (2, 3, 3, 4)), _HAMSTRING_EV),
    _ex("single_leg_slider_curl", "Single-leg slider curl", ("hamstrings", "hip_extensors"),
        "sagittal", True, 3, ("slider or towel on a smooth floor",), SLOW, "slider_leg_curl",
        None,
        "As the two-leg slider curl, with one heel on the slider and the other leg held up.",
        ("Bridge up on one heel; keep the pelvis level.",
         "Slide out in 3 s, pull back in with the hips high.",
         "Weaker side first, the same reps on both sides."),
        ("Pelvis dropping on the free-leg side.", "Hips sagging.", "Rushing the way out."),
        _strength((6, 8, 8, 8), (2, 3, 3, 3)), _HAMSTRING_EV),
    _ex("nordic_curl", "Nordic hamstring curl", ("hamstrings",), "sagittal", False, 3,
        ("partner or a fixed bar to hold the ankles", "mat"), SLOW, "slider_leg_curl", None,
        "Kneel on a mat, ankles held down by a partner or under a fixed bar, body straight "
        "from knees to head, hands ready in front of the chest.",
        ("Lean forward slowly as a straight plank, braking with the hamstrings as long as you "
         "can.", "Catch yourself with the hands when you can no longer hold the lean.",
         "Push off lightly with the hands to come back up."),
        ("Bending at the hips (buttocks back) instead of staying straight.",
         "Dropping fast after the first few degrees.", "Doing it the day before a hard run."),
        {1: Dosage(1, reps=4, load="bodyweight, partial range, RPE 6", rest_s=90),
         2: Dosage(2, reps=5, load="bodyweight, RPE 7", rest_s=90),
         3: Dosage(3, reps=6, load="bodyweight, RPE 7–8", rest_s=120),
         4: Dosage(3, reps=8, load="bodyweight, RPE 8", rest_s=120)}, _NORDIC_EV),
    _ex("single_leg_rdl_reach", "Single-leg Romanian deadlift with cross-body reach",
        ("hamstrings", "hip_rotators", "hip_extensors", "balance"), "transverse", True, 3,
        ("light dumbbell optional",), SLOW, "single_leg_rdl", None,
        "As the single-leg Romanian deadlift, reaching the opposite hand towards the outside "
        "of the standing foot.",
        ("Hinge and reach across to the outside of the standing foot.",
         "The standing hip turns in under control; knee stays over the toes.",
         "Return tall, squeezing the buttock."),
        ("Rounding the back to reach further.", "Knee collapsing inward.",
         "Losing the hinge and squatting instead."),
        _strength((8, 8, 8, 8), (2, 3, 3, 3)), _UNILATERAL_EV),
    _ex("side_lying_hip_adduction", "Side-lying hip adduction", ("hip_adductors",), "frontal",
        True, 1, ("mat", "ankle weight optional"), SLOW, None, "copenhagen_plank",
        "Lie on your side, top leg bent with the foot on the floor in front, bottom leg "
        "straight.",
        ("Lift the bottom leg towards the ceiling, about 20 cm.",
         "Hold 2 s at the top, lower in 3 s.", "Keep the hips stacked."),
        ("Rolling back.", "Swinging the leg.", "Toes turning up."),
        _bodyweight((10, 12, 15, 15)), _ADDUCTOR_EV),
    _ex("adductor_squeeze", "Adductor squeeze (ball between the knees)", ("hip_adductors",),
        "frontal", False, 1, ("ball or folded pillow",), SLOW, None, "copenhagen_plank",
        "Lie on your back, knees bent, a ball or folded pillow between the knees.",
        ("Squeeze the knees together steadily and hold.",
         "Breathe normally.", "Start at half effort; build to a strong squeeze if pain-free."),
        ("Holding the breath.", "Squeezing through groin pain.", "Lifting the hips."),
        _hold((10, 15, 20, 30), (3, 3, 4, 4)), _ADDUCTOR_EV),
    _ex("side_plank_rotation", "Side plank with rotation (thread the needle)",
        ("trunk_lateral", "trunk_rotation"), "transverse", True, 2, ("mat",), SLOW,
        "side_plank", None,
        "Side plank on the elbow (knees bent or legs straight), top arm pointing to the "
        "ceiling.",
        ("Keep the hips high and reach the top arm under the body, turning the chest down.",
         "Turn back open.", "Slow and even on both sides."),
        ("Hips dropping as you rotate.", "Rushing.", "Shrugging the supporting shoulder."),
        _bodyweight((6, 8, 10, 10)), _TRUNK_EV),
    _ex("suitcase_carry", "Suitcase carry (one-hand carry)", ("trunk_lateral", "balance"),
        "frontal", True, 2, ("dumbbell, kettlebell or bag",), SLOW, "side_plank", None,
        "Hold a heavy weight in one hand at your side, stand tall.",
        ("Walk 20–30 m without leaning towards or away from the weight.",
         "Shoulders level, ribs down, steady steps.", "Switch hands and walk back."),
        ("Leaning to the weight side.", "Shrugging the carrying shoulder.",
         "Hurrying."),
        _hold((20, 30, 30, 40)), _TRUNK_EV),
    _ex("plank", "Front plank", ("trunk_anterior",), "sagittal", False, 1, ("mat",), SLOW,
        None, "plank_leg_lift",
        "Forearms under the shoulders, legs straight (knees down is easier).",
        ("Body in one line from head to heels.", "Ribs down, buttocks gently squeezed.",
         "Breathe normally."),
        ("Hips sagging.", "Hips high.", "Holding the breath."),
        _hold(), _TRUNK_EV),
    _ex("plank_leg_lift", "Plank with alternate leg lift", ("trunk_anterior", "trunk_rotation",
        "hip_extensors"), "sagittal", True, 2, ("mat",), SLOW, "plank", None,
        "Front plank on the forearms, legs straight.",
        ("Lift one foot a few cm and hold 2 s without the pelvis turning.",
         "Lower and switch.", "Same number each side."),
        ("Pelvis rotating.", "Lower back arching.", "Hips sagging."),
        _bodyweight((6, 8, 10, 12)), _TRUNK_EV),
    _ex("short_foot", "Short foot (foot doming)", ("foot_ankle",), "multi", True, 1,
        ("none",), SLOW, None, "single_leg_stance_unstable",
        "Sit with the foot flat on the floor (progress to standing, then to one leg).",
        ("Draw the ball of the foot towards the heel, raising the arch without curling the "
         "toes.", "Hold 5 s, relax.", "Toes stay long and relaxed."),
        ("Curling the toes.", "Rolling the foot outward.", "Lifting the big toe."),
        {lv: Dosage(s, reps=r, load="bodyweight, light effort", rest_s=30)
         for lv, (s, r) in {1: (2, 8), 2: (3, 10), 3: (3, 10), 4: (3, 12)}.items()},
        _FOOT_EV),
    _ex("toe_yoga", "Toe yoga (big toe / little toes)", ("foot_ankle",), "sagittal", True, 1,
        ("none",), SLOW, None, "short_foot",
        "Sit or stand with the foot flat.",
        ("Lift the big toe while the other toes stay down; then the reverse.",
         "Slow, deliberate changes.", "Progress to standing on one leg."),
        ("Rolling the foot.", "Lifting the whole forefoot.", "Rushing."),
        {lv: Dosage(s, reps=r, load="bodyweight, light effort", rest_s=30)
         for lv, (s, r) in {1: (2, 8), 2: (2, 10), 3: (3, 10), 4: (3, 12)}.items()}, _FOOT_EV),
    _ex("banded_ankle_mobilisation", "Banded ankle mobilisation (knee over toes)",
        ("ankle_mobility", "calf_soleus"), "sagittal", True, 1, ("band", "step"), SLOW, None,
        "knee_to_wall",
        "Half-kneel with the front foot on a low step, a band around the front of the ankle "
        "pulling backwards (or no band).",
        ("Rock the knee forward over the toes with the heel down.",
         "Pause 2 s at the end of the range; come back.", "Note the side difference."),
        ("Heel lifting.", "Knee caving in.", "Forcing into pain."),
        _mobility(10, 2), _MOBILITY_EV),
    _ex("half_kneeling_hip_flexor_stretch", "Half-kneeling hip flexor stretch",
        ("hip_mobility", "hip_flexors"), "sagittal", True, 1, ("mat",), SLOW, None,
        "worlds_greatest_stretch",
        "Kneel on one knee, the other foot in front, trunk tall.",
        ("Tuck the pelvis under (buttock of the kneeling side squeezed) and shift forward "
         "until the front of the hip stretches.", "Breathe slowly; ease in and out.",
         "Reach the arm of the kneeling side up for more."),
        ("Arching the lower back instead of tucking.", "Lunging so far the pelvis tips.",
         "Bouncing."),
        _mobility(6, 2), _MOBILITY_EV),
    _ex("worlds_greatest_stretch", "Lunge with rotation (world's greatest stretch)",
        ("hip_mobility", "hip_flexors", "trunk_rotation"), "multi", True, 2, ("mat",), SLOW,
        "half_kneeling_hip_flexor_stretch", None,
        "Long lunge position, both hands on the floor inside the front foot.",
        ("Drop the elbow towards the front instep.",
         "Rotate the chest open and reach the inside hand to the ceiling.",
         "Back knee straight (or down to make it easier)."),
        ("Rushing through the positions.", "Front knee collapsing in.", "Holding the breath."),
        _mobility(5, 2), _MOBILITY_EV),
    _ex("wall_drill", "Wall drill (running posture, single-leg)", ("running_form",
        "hip_flexors", "balance"), "sagittal", True, 1, ("wall",), SLOW, None, "a_skip",
        "Lean into a wall with straight arms, body in a straight line from the ankles, on the "
        "balls of the feet.",
        ("Drive one knee up to hip height, toes up, and hold 2 s.",
         "Switch legs crisply; keep the body line.", "Progress: quick single switches."),
        ("Bending at the waist.", "Heels dropping.", "Knee not reaching hip height."),
        _bodyweight((6, 8, 10, 10), rpe=("per leg, easy",) * 4), _FORM_EV),
    _ex("a_skip", "A-skip", ("running_form", "hip_flexors", "calf_soleus"), "sagittal", False,
        2, ("none",), FAST, "wall_drill", None,
        "Space to move forward 15–20 m.",
        ("Skip forward driving one knee up while the other foot strikes down under the hip.",
         "Tall posture, quick quiet contacts, arms as in running.", "Rhythm before speed."),
        ("Leaning back.", "Landing in front of the body.", "Loud contacts."),
        _jumps((10, 15, 20, 20), (2, 2, 3, 3)), _FORM_EV),
    _ex("lateral_line_hops", "Side-to-side line hops", ("plyometric", "calf_soleus",
        "foot_ankle"), "frontal", False, 2, ("a line on the floor",), FAST, "pogo_hops",
        "lateral_bound",
        "Stand beside a line, feet together.",
        ("Hop quickly side to side over the line on the balls of the feet.",
         "Stiff ankles, short quiet contacts.", "Count contacts."),
        ("Heels touching down.", "Big high hops.", "Going on when contacts get slow."),
        _jumps((10, 15, 20, 20)), _PLYO_EV),
    _ex("split_squat_jump", "Split-squat jump (switch lunge)", ("plyometric", "quadriceps",
        "hip_extensors"), "sagittal", True, 3, ("none",), FAST, "split_squat", None,
        "Split-squat stance, weight evenly between the feet.",
        ("Dip a little and jump up; switch legs in the air.",
         "Land softly back in the split stance, front knee over the toes.",
         "Reset between reps at first; then continuous."),
        ("Landing with a collapsing front knee.", "Landing loud.",
         "Going on when landings get sloppy."),
        _jumps((4, 6, 8, 10), (2, 3, 3, 3)), _PLYO_EV),
    _ex("bounding", "Bounding (alternate legs)", ("plyometric", "hip_extensors",
        "calf_soleus"), "sagittal", False, 3, ("20–30 m of flat ground",), FAST,
        "single_leg_hops", "single_leg_bounds",
        "Flat firm ground, 20–30 m.",
        ("Exaggerated running strides: push off long and land on the other leg under the hip.",
         "Drive the knee and the opposite arm forward.", "Walk back to recover."),
        ("Reaching forward with the foot (overstriding).", "Landing on the heel.",
         "Going on when the contacts get long."),
        _jumps((10, 10, 12, 16), (2, 3, 3, 3)), _PLYO_EV),
    _ex("single_leg_bounds", "Single-leg bounds (forward hops for distance)",
        ("plyometric", "hip_extensors", "quadriceps", "balance"), "sagittal", True, 4,
        ("15–20 m of flat ground",), FAST, "bounding", None,
        "Flat firm ground, 15–20 m.",
        ("Hop forward on one leg, driving the knee and arms; land under the hip.",
         "Short quiet contacts; stop the set when the distance drops.",
         "Weaker side first, the same contacts on both sides."),
        ("Knee collapsing in on landing.", "Heavy heel landings.", "Rushing the next hop."),
        _jumps((5, 6, 8, 10), (2, 3, 3, 3)), _PLYO_EV),
)

#: Exercise type where the default rule (fast → ballistic; a mobility target first →
#: mobility; a hold in seconds → isometric; else strength) does not fit.
_KIND: Final[dict[str, str]] = {
    "pallof_press": "isometric", "short_foot": "isometric", "adductor_squeeze": "isometric",
    "dead_bug": "control", "bird_dog": "control", "plank_leg_lift": "control",
    "side_plank_rotation": "control", "banded_side_walk": "control", "cable_chop": "control",
    "half_kneeling_chop": "control", "toe_yoga": "control", "wall_drill": "control",
    "y_balance_reach": "balance", "single_leg_stance_unstable": "balance",
}
#: Load through the legs of every entry (see :data:`LEG_LOADS`).
_LEG_LOAD: Final[dict[str, str]] = {
    **dict.fromkeys((
        "glute_bridge", "single_leg_bridge", "single_leg_hip_thrust", "side_lying_hip_abduction",
        "side_lying_hip_adduction", "adductor_squeeze", "copenhagen_plank", "side_plank",
        "side_plank_hip_abduction", "side_plank_rotation", "dead_bug", "bird_dog", "plank",
        "plank_leg_lift", "push_up", "hip_90_90", "slider_leg_curl", "single_leg_slider_curl",
        "nordic_curl", "half_kneeling_chop", "half_kneeling_hip_flexor_stretch", "short_foot",
        "toe_yoga", "arm_swing_drill"), "none"),
    **dict.fromkeys((
        "calf_raise_double", "banded_side_walk", "pallof_press", "cable_chop", "row",
        "knee_to_wall", "banded_ankle_mobilisation", "worlds_greatest_stretch", "wall_drill"),
        "standing"),
    **dict.fromkeys((
        "split_squat", "rear_foot_elevated_split_squat", "single_leg_box_squat", "pistol_squat",
        "step_up", "lateral_step_down", "reverse_lunge", "forward_lunge", "lateral_lunge",
        "curtsy_lunge", "single_leg_rdl", "single_leg_rdl_reach", "calf_raise_single",
        "soleus_raise_bent_knee", "calf_raise_weighted", "standing_hip_abduction",
        "single_leg_stance_unstable", "y_balance_reach", "suitcase_carry"), "single_leg"),
    **dict.fromkeys((
        "pogo_hops", "single_leg_hops", "lateral_bound", "skater_hops", "a_skip",
        "lateral_line_hops", "split_squat_jump", "bounding", "single_leg_bounds"), "impact"),
}


def _kind(e: Exercise) -> str:
    if e.key in _KIND:
        return _KIND[e.key]
    if e.speed == FAST:
        return "ballistic"
    if e.targets[0] in ("ankle_mobility", "hip_mobility"):
        return "mobility"
    if all(d.seconds is not None for d in e.dosage.values()):
        return "isometric"
    return "strength"


_EXERCISES = tuple(replace(e, kind=_kind(e), leg_load=_LEG_LOAD.get(e.key, ""))
                   for e in _EXERCISES)

#: The catalogue, by key.
CATALOG: dict[str, Exercise] = {e.key: e for e in _EXERCISES}

#: The plyometric ladder of the power phase, easiest first (issue 12: pogo → hops → bounds →
#: single-leg bounds). Each rung is climbed only when the pain rule allows.
PLYO_LADDER: Final = ("pogo_hops", "single_leg_hops", "bounding", "single_leg_bounds")


def exercises_for(target: str, *, exclude_targets: frozenset[str] = frozenset(),
                  max_level: int = 4, max_leg_load: str = "impact") -> list[Exercise]:
    """Catalogue entries that train ``target``, at most ``max_level`` and ``max_leg_load``, none
    of which touches an excluded target (red-flag regions), in catalogue order."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    top = LEG_LOADS.index(max_leg_load)
    return [e for e in _EXERCISES
            if target in e.targets and e.level <= max_level
            and LEG_LOADS.index(e.leg_load) <= top
            and not (set(e.targets) & exclude_targets)]


def _check() -> None:
    for e in _EXERCISES:
        bad = [t for t in e.targets if t not in TARGETS]
        if bad or e.plane not in PLANES or e.speed not in (SLOW, FAST) or e.level not in LEVELS:
            raise RuntimeError(f"catalogue entry {e.key} is invalid ({bad})")
        for k in (e.regression, e.progression):
            if k is not None and k not in CATALOG:
                raise RuntimeError(f"catalogue entry {e.key} links to unknown {k}")
        if set(e.dosage) != set(LEVELS):
            raise RuntimeError(f"catalogue entry {e.key} lacks a dosage per level")
        if e.kind not in KINDS or e.leg_load not in LEG_LOADS:
            raise RuntimeError(f"catalogue entry {e.key} has no type or leg load")


_check()
