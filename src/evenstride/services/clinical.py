# SPDX-License-Identifier: MIT
"""The clinical record of an athlete: profile, tests, symptoms, the assessment's inputs.

The validators refuse what ``profile set``, ``test add`` and ``symptom add`` refuse, with the
same words, for the command line and the web forms alike (inputs are named with
:func:`~evenstride.services.errors.field`). Every function takes an open store and an athlete
id; none opens, prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from evenstride.services.errors import InputError, field

__all__ = [
    "KINDS",
    "SIDES",
    "TIMINGS",
    "AssessmentInputs",
    "NotFound",
    "add_symptom",
    "add_test",
    "assess",
    "assessment_inputs",
    "build_profile",
    "change_lines",
    "delete_record",
    "edit_symptom",
    "edit_test",
    "normalise_region",
    "parse_date",
    "parse_pairs",
    "red_flag_line",
    "save_profile",
    "symptom_dict",
    "test_dict",
    "validate_symptom",
    "validate_test",
]

#: Sides a test or symptom is recorded on.
SIDES = ("left", "right", "both", "none")
#: Kinds of symptom.
KINDS = ("soreness", "pain", "tightness")
#: When a symptom came on.
TIMINGS = ("during", "after", "next_morning")


# ----------------------------------------------------------------------------- parsing
def parse_date(text: str | None) -> date:
    """A date (``YYYY-MM-DD``; today when empty), not in the future."""
    if not text:
        return date.today()
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if d > date.today():
        raise InputError(f"the date {text} is in the future")
    return d


def parse_pairs(items: list[str], what: str) -> dict[str, float]:
    """``KEY=VALUE`` items as numbers by key; ``what`` names the input in messages."""
    out: dict[str, float] = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k.strip():
            raise InputError(f"{what}: expected KEY=VALUE, got {it!r}")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise InputError(f"{what}: {k.strip()} must be a number (got {v!r})") from None
    return out


def _injury(text: str) -> Any:
    from evenstride.clinical.models import Injury

    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (4, 5) or not all(parts[:4]):
        raise InputError(f"{field('injury')}: expected SIDE:REGION:KIND:DESCRIPTION[:YEAR], got "
                             f"{text!r}")
    side, region, kind, desc = parts[:4]
    if side not in SIDES:
        raise InputError(f"{field('injury')}: side must be one of {', '.join(SIDES)} "
                         f"(got {side!r})")
    if kind not in ("injury", "surgery"):
        raise InputError(f"{field('injury')}: kind must be injury or surgery (got {kind!r})")
    year = None
    if len(parts) == 5:
        if not parts[4].isdigit() or not 1900 <= int(parts[4]) <= date.today().year:
            raise InputError(f"{field('injury')}: year must be 1900–{date.today().year} (got "
                                 f"{parts[4]!r})")
        year = int(parts[4])
    return Injury(side=side, region=region, kind=kind, description=desc, year=year)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- profile
def build_profile(
    current: Any,
    name: str,
    *,
    dominant: str | None = None,
    injuries: list[str] | None = None,
    sports: list[str] | None = None,
    habits: list[str] | None = None,
    mass_kg: float | None = None,
    leg_length_cm: list[str] | None = None,
    road_side: str | None = None,
) -> Any:
    """The athlete's profile with the given changes applied (``None`` keeps the stored value,
    a list given replaces the stored list), validated as ``profile set`` validates it.

    Shared by the CLI and the web app, so both refuse the same values with the same message.
    """
    from dataclasses import replace

    from evenstride.clinical.models import AthleteProfile

    if dominant not in (None, "left", "right"):
        raise InputError(f"{field('dominant')} must be left or right (got {dominant!r})")
    if road_side not in (None, "left", "right"):
        raise InputError(f"{field('road_side')} must be left or right (got {road_side!r})")
    parsed = [_injury(i) for i in injuries] if injuries is not None else None
    if mass_kg is not None and not 20 <= mass_kg <= 250:  # NaN fails too
        raise InputError(f"{field('mass_kg')} must be 20–250 kg (got {mass_kg:g})")
    legs = parse_pairs(leg_length_cm, field("leg_length_cm")) if leg_length_cm else None
    for k, v in (legs or {}).items():
        if k not in ("left", "right"):
            raise InputError(f"{field('leg_length_cm')}: side must be left or right (got {k!r})")
        if not 50 <= v <= 130:
            raise InputError(f"{field('leg_length_cm')}: {k}={v:g} is outside 50–130 cm")
    p = current or AthleteProfile(name)
    changes: dict[str, Any] = {"name": name}
    if dominant is not None:
        changes["dominant_leg"] = dominant
    if road_side is not None:
        changes["road_side"] = road_side
    if parsed is not None:
        changes["injuries"] = parsed
    if sports is not None:
        changes["other_sports"] = [x.strip() for x in sports if x.strip()]
    if habits is not None:
        changes["habits"] = [h.strip() for h in habits if h.strip()]
    if mass_kg is not None:
        changes["body_mass_kg"] = float(mass_kg)
    if legs is not None:
        changes["leg_length_cm"] = {**p.leg_length_cm, **legs}
    return replace(p, **changes)


# -------------------------------------------------------------------------------- tests
def test_dict(t: Any) -> dict[str, Any]:
    return {"protocol": t.protocol, "side": t.side, "value": t.value, "unit": t.unit,
            "date": t.when.isoformat(), "extra": dict(t.extra), "note": t.note}


def validate_test(store: Any, athlete_id: int, protocol: str, side: str, value: float, *,
                  extra: dict[str, float] | None = None, when: str | None = None,
                  note: str = "") -> Any:
    """One test result validated as ``test add`` validates it (the protocol's unit, range and
    extras; body mass and limb length from the profile when not given). Not stored."""
    import math

    from evenstride.clinical.protocols import PROTOCOLS, validate
    from evenstride.store.clinical import load_profile

    extra = dict(extra or {})
    if not math.isfinite(value):
        raise InputError(f"{field('value', cli='VALUE')} must be a finite number (got {value!r})")
    day = parse_date(when)
    p = PROTOCOLS.get(protocol)
    prof = load_profile(store, athlete_id)
    if prof is not None and p is not None:
        allowed = {**p.required_extras, **p.optional_extras}
        if ("body_mass_kg" in allowed and "body_mass_kg" not in extra
                and "lever_arm_m" in extra and prof.body_mass_kg is not None):
            extra["body_mass_kg"] = prof.body_mass_kg
        if ("limb_length_cm" in allowed and "limb_length_cm" not in extra
                and side in prof.leg_length_cm):
            extra["limb_length_cm"] = prof.leg_length_cm[side]
    return validate(protocol, side, value, when=day, note=note or "", **extra)


# ----------------------------------------------------------------------------- symptoms
def symptom_dict(s: Any) -> dict[str, Any]:
    return {"date": s.when.isoformat(), "side": s.side, "region": s.region, "kind": s.kind,
            "severity": s.severity, "timing": s.timing, "activity_id": s.activity_id,
            "onset_km": s.onset_km, "onset_min": s.onset_min, "flags": list(s.flags),
            "note": s.note}


def normalise_region(region: str) -> str:
    """The region's key in the controlled vocabulary
    (:data:`evenstride.clinical.models.SYMPTOM_REGIONS`), accepting its plain words too
    (``"inner shin"`` → ``"shin_medial"``); anything else is refused with a "did you mean"."""
    import difflib

    from evenstride.clinical.models import SYMPTOM_REGIONS

    key = region.strip().lower().replace(" ", "_").replace("-", "_")
    if key in SYMPTOM_REGIONS:
        return key
    by_words = {v.lower(): k for k, v in SYMPTOM_REGIONS.items()}
    if region.strip().lower() in by_words:
        return by_words[region.strip().lower()]
    heads = sorted({k.split("_")[0] for k in SYMPTOM_REGIONS})
    head = difflib.get_close_matches(key.split("_")[0], heads, n=1, cutoff=0.7)
    close = ([k for k in SYMPTOM_REGIONS if k.split("_")[0] == head[0]] if head
             else difflib.get_close_matches(key, list(SYMPTOM_REGIONS), n=3, cutoff=0.6))
    if len(close) > 1:
        close = [", ".join(close[:-1]), close[-1]]
    hint = (f"did you mean {' or '.join(close)}?" if close
            else "see 'evenstride symptom regions' for the list")
    raise InputError(f"{field('region')} {region.strip()!r} is not a known region: {hint}")


def validate_symptom(store: Any, athlete_id: int, *, side: str, region: str, kind: str,
                     severity: int, timing: str, activity: int | None = None,
                     onset_km: float | None = None, onset_min: float | None = None,
                     flags: list[str] | None = None, when: str | None = None,
                     note: str = "") -> Any:
    """One symptom log validated as ``symptom add`` validates it. Not stored."""

    from evenstride.clinical.assess import RED_FLAGS, normalise_flag
    from evenstride.clinical.models import Symptom

    for what, given, allowed in ((field("side"), side, SIDES), (field("kind"), kind, KINDS),
                                 (field("timing"), timing, TIMINGS)):
        if given not in allowed:
            raise InputError(f"{what} must be one of {', '.join(allowed)} (got {given!r})")
    if not 0 <= severity <= 10:
        raise InputError(f"{field('severity')} must be 0–10 (got {severity})")
    region = normalise_region(region)
    if onset_km is not None and onset_min is not None:
        raise InputError(f"give {field('onset_km')} or {field('onset_min')}, not both")
    for opt, v in ((field("onset_km"), onset_km), (field("onset_min"), onset_min)):
        if v is not None and not 0 <= v <= 1000:
            raise InputError(f"{opt} must be 0–1000 (got {v:g})")
    norm = []
    for f in flags or []:
        try:
            norm.append(normalise_flag(f))
        except KeyError:
            known = ", ".join(k for k in RED_FLAGS if k != "rising")
            raise InputError(f"unknown {field('flag')} {f!r}: use {known}") from None
    if "rising" in norm:
        raise InputError("'rising' is derived from your logs; log each session instead")
    if activity is not None:
        run = next((a for a in store.activities(athlete_id) if a.id == activity), None)
        if run is None:
            raise InputError(f"no run {activity} for this athlete (see 'evenstride "
                                 "activities')")
        # an onset must lie within the run it came with
        if onset_km is not None and run.distance_m is not None \
                and onset_km > run.distance_m / 1000.0 + 0.05:
            raise InputError(f"{field('onset_km')} {onset_km:g} is beyond the end of run "
                             f"{activity} ({run.distance_m / 1000.0:.2f} km)")
        if onset_min is not None and onset_min > run.duration_s / 60.0 + 0.5:
            raise InputError(f"{field('onset_min')} {onset_min:g} is beyond the end of run "
                                 f"{activity} ({run.duration_s / 60.0:.0f} min)")
    return Symptom(when=parse_date(when), side=side, region=region, kind=kind,  # type: ignore[arg-type]
                   severity=int(severity), timing=timing,  # type: ignore[arg-type]
                   activity_id=activity, onset_km=onset_km, onset_min=onset_min,
                   flags=tuple(dict.fromkeys(norm)), note=note or "")


def red_flag_line(sym: Any) -> str:
    """What a ticked red flag means, in plain words, first: a possible bone stress injury at a
    leg region stops running (shared by the CLI and the web app)."""
    from evenstride.clinical.assess import RED_FLAGS
    from evenstride.clinical.models import region_words
    from evenstride.clinical.prescribe import BONE_STRESS_FLAGS, LEG_REGIONS, _region_head

    what = ", ".join(RED_FLAGS.get(f, f) for f in sym.flags)
    where = f"{sym.side} {region_words(sym.region)}" if sym.side in ("left", "right") \
        else region_words(sym.region)
    if set(sym.flags) & BONE_STRESS_FLAGS and _region_head(sym.region) in LEG_REGIONS:
        return (f"red flag ({what}): stop running, hopping and jumping, and see a clinician "
                f"(doctor or physiotherapist) about your {where} before you run again")
    return (f"red flag ({what}): stop loading your {where} and see a clinician experienced "
            "with runners")


# ---------------------------------------------------------------------------- corrections
def change_lines(rows: list[Any]) -> list[str]:
    """Plain-words lines of corrections (shared by the CLI; the web app shows the same)."""
    out = []
    for e in rows:
        what = e.record.replace("_", " ")
        changed = ""
        if e.after is not None:
            diffs = [f"{k.replace('_', ' ')} {e.before[k]!s} → {e.after[k]!s}"
                     for k in e.before if k not in ("entered_at",)
                     and e.before.get(k) != e.after.get(k)]
            changed = ": " + "; ".join(diffs) if diffs else ": no field changed"
        out.append(f"{e.edited_at}  {what} #{e.record_id} {e.action}d{changed}"
                   + (f" (reason: {e.reason})" if e.reason else ""))
    return out


# ---------------------------------------------------------------------------- assessment


@dataclass(frozen=True)
class AssessmentInputs:
    """What the integrated assessment reads: profile, tests, symptoms, run documents (with
    ``activity_id`` and ``gear``), the history document (``None`` without runs), and the
    stored runs the history left out as unreadable (one message each)."""

    profile: Any
    tests: list[Any]
    symptoms: list[Any]
    run_docs: list[dict[str, Any]]
    history: dict[str, Any] | None
    skipped: list[str]


def assessment_inputs(store: Any, athlete_id: int) -> AssessmentInputs:
    """The inputs of :func:`evenstride.clinical.assess.integrated_assessment` for the athlete."""
    from evenstride.services.history import load_history
    from evenstride.store.clinical import load_profile, symptoms, tests

    profile = load_profile(store, athlete_id)
    ts, ss = tests(store, athlete_id), symptoms(store, athlete_id)
    gear = {a.id: a.gear for a in store.activities(athlete_id)}
    history = None
    docs: list[dict[str, Any]] = []
    skipped: list[str] = []
    if gear:
        loaded = load_history(store, athlete_id)
        history = loaded.history.to_dict()
        docs = [dict(d, activity_id=i, gear=gear.get(i)) for i, d in loaded.docs.items()]
        skipped = loaded.skipped  # after the documents were read: those they left out too
    return AssessmentInputs(profile, ts, ss, docs, history, skipped)


def assess(store: Any, athlete_id: int) -> tuple[AssessmentInputs, list[Any]]:
    """The integrated assessment of the athlete (red flags first, then ranked findings) and
    what it was computed from."""
    from evenstride.clinical.assess import integrated_assessment

    inp = assessment_inputs(store, athlete_id)
    findings = integrated_assessment(inp.profile, inp.tests, inp.symptoms, run_docs=inp.run_docs,
                                     history=inp.history)
    return inp, findings


# ----------------------------------------------------------------------- stored records
class NotFound(InputError):
    """No such stored record for this athlete."""


def add_test(store: Any, athlete_id: int, protocol: str, side: str, value: float, *,
             extra: dict[str, float] | None = None, when: str | None = None,
             note: str = "") -> Any:
    """Validate (:func:`validate_test`) and store one test result; returns it."""
    from evenstride.store.clinical import add_test as store_test

    result = validate_test(store, athlete_id, protocol, side, value, extra=extra, when=when,
                           note=note)
    store_test(store, athlete_id, result)
    return result


#: Test extras the protocols derive from the others (recomputed when a test is corrected).
_DERIVED_EXTRAS = ("composite_pct", "torque_nm_per_kg")


def edit_test(store: Any, athlete_id: int, test_id: int, *, side: str | None = None,
              value: float | None = None, extra: dict[str, float] | None = None,
              when: str | None = None, note: str | None = None,
              reason: str = "") -> tuple[Any, Any]:
    """Correct a stored test (``None`` keeps the stored value; ``extra`` updates the stored
    extras), validated as a new one; the old row is kept in the change history. Returns
    (old, new)."""
    from evenstride.store.clinical import correct_record, test_ids

    old = next((t for i, t in test_ids(store, athlete_id) if i == test_id), None)
    if old is None:
        raise NotFound(f"no test #{test_id} for this athlete")
    extras = {k: v for k, v in old.extra.items() if k not in _DERIVED_EXTRAS}
    extras.update(extra or {})
    new = validate_test(store, athlete_id, old.protocol, side or old.side,
                        old.value if value is None else value, extra=extras,
                        when=when or old.when.isoformat(),
                        note=old.note if note is None else note)
    correct_record(store, athlete_id, "test", test_id, new, reason=reason or "")
    return old, new


def add_symptom(store: Any, athlete_id: int, **fields: Any) -> Any:
    """Validate (:func:`validate_symptom`, same keywords) and store one symptom; returns it."""
    from evenstride.store.clinical import add_symptom as store_symptom

    sym = validate_symptom(store, athlete_id, **fields)
    store_symptom(store, athlete_id, sym)
    return sym


def edit_symptom(store: Any, athlete_id: int, symptom_id: int, *, side: str | None = None,
                 region: str | None = None, kind: str | None = None,
                 severity: int | None = None, timing: str | None = None,
                 flags: list[str] | None = None, when: str | None = None,
                 note: str | None = None, reason: str = "") -> tuple[Any, Any]:
    """Correct a stored symptom (``None`` keeps the stored value; ``flags`` replaces the stored
    red flags), validated as a new one; the old row is kept in the change history. Returns
    (old, new)."""
    from evenstride.store.clinical import correct_record, symptom_ids

    old = next((s for i, s in symptom_ids(store, athlete_id) if i == symptom_id), None)
    if old is None:
        raise NotFound(f"no symptom #{symptom_id} for this athlete")
    new = validate_symptom(
        store, athlete_id, side=side or old.side, region=region or old.region,
        kind=kind or old.kind, severity=old.severity if severity is None else severity,
        timing=timing or old.timing, activity=old.activity_id, onset_km=old.onset_km,
        onset_min=old.onset_min, flags=list(old.flags) if flags is None else flags,
        when=when or old.when.isoformat(), note=old.note if note is None else note)
    correct_record(store, athlete_id, "symptom", symptom_id, new, reason=reason or "")
    return old, new


def delete_record(store: Any, athlete_id: int, record: str, record_id: int,
                  reason: str = "") -> None:
    """Delete a stored test or symptom (``record``); it is kept in the change history."""
    from evenstride.store.clinical import correct_record

    try:
        correct_record(store, athlete_id, record, record_id, None, reason=reason or "")
    except KeyError:
        raise NotFound(f"no {record} #{record_id} for this athlete") from None


def save_profile(store: Any, athlete_id: int, profile: Any, *, rename_to: str | None = None
                 ) -> None:
    """Store the athlete's profile (from :func:`build_profile`), renaming the athlete first
    when ``rename_to`` is a new name (a user error when it is taken)."""
    from evenstride.store.clinical import save_profile as store_profile

    if rename_to and rename_to != store.athlete_by_id(athlete_id).name:
        try:
            store.rename_athlete(athlete_id, rename_to)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    store_profile(store, athlete_id, profile)
