# SPDX-License-Identifier: MIT
"""Command-line commands of the clinical side: profile, tests, symptoms and the assessment.

Wiring into :mod:`evenstride.cli` takes two lines::

    add_clinical_parsers(sub)                                        # in _parser()
    if args.command in CLINICAL_COMMANDS: return args.func(args)     # in main()

Commands (each ``cmd_*`` is self-contained and returns the exit code; user errors are one line
on stderr and exit 2):

- ``profile set [--dominant left|right] [--injury SIDE:REGION:KIND:DESCRIPTION[:YEAR]]…
  [--sport NAME]… [--habit TEXT]… [--mass-kg N] [--leg-length-cm left=92 right=92]``
  (options given replace the stored value; lists given replace the stored list),
- ``profile show [--json]``,
- ``test add PROTOCOL SIDE VALUE [--extra k=v …] [--date YYYY-MM-DD] [--note TEXT]``,
  ``test list [--json]``, ``test protocols [--json]``,
- ``symptom add --side --region --kind --severity --timing [--activity ID]
  [--onset-km N | --onset-min N] [--flag sharp …] [--date] [--note]``, ``symptom list [--json]``,
- ``assessment [--json]``: red flags first, then strength/mobility, symptom patterns, gait, load.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from evenstride import _cli_types as types
from evenstride.exceptions import UserInputError
from evenstride.store.cli_commands import (
    EXIT_OK,
    _athlete_id,
    _db,
    _guarded,
    _open_existing,
    _print_json,
    _store_options,
)

__all__ = [
    "CLINICAL_COMMANDS",
    "add_clinical_parsers",
    "build_profile",
    "cmd_assessment",
    "cmd_profile_set",
    "cmd_profile_show",
    "cmd_symptom_add",
    "cmd_symptom_list",
    "cmd_test_add",
    "cmd_test_list",
    "cmd_test_protocols",
    "validate_symptom",
    "validate_test",
]

#: Top-level commands added by :func:`add_clinical_parsers`.
CLINICAL_COMMANDS = ("profile", "test", "symptom", "assessment")

_SIDES = ("left", "right", "both", "none")
_KINDS = ("soreness", "pain", "tightness")
_TIMINGS = ("during", "after", "next_morning")


def add_clinical_parsers(subparsers: Any) -> None:
    """Add ``profile``, ``test``, ``symptom`` and ``assessment`` to an ``argparse``
    sub-parsers object; every leaf parser sets ``func`` to its ``cmd_*`` function."""
    pr = subparsers.add_parser("profile", help="your profile: dominant leg, injuries, body mass")
    pr_sub = pr.add_subparsers(dest="profile_command", required=True, metavar="{set,show}")
    ps = pr_sub.add_parser("set", help="set profile fields (others keep their stored values)")
    ps.add_argument("--dominant", choices=("left", "right"), help="dominant (kicking) leg")
    ps.add_argument("--injury", action="append", metavar="SIDE:REGION:KIND:DESCRIPTION[:YEAR]",
                    help="e.g. right:knee:surgery:ACL reconstruction:2019 (repeatable; KIND "
                    "injury or surgery)")
    ps.add_argument("--sport", action="append", metavar="NAME", help="other sport (repeatable)")
    ps.add_argument("--habit", action="append", metavar="TEXT",
                    help="e.g. 'long sitting' (repeatable)")
    ps.add_argument("--mass-kg", type=types.positive_float, metavar="N", help="body mass, kg")
    ps.add_argument("--road-side", choices=("left", "right"),
                    help="side of the road you usually run on (camber exposure)")
    ps.add_argument("--leg-length-cm", nargs="+", metavar="SIDE=CM",
                    help="leg length (ASIS to medial malleolus), e.g. left=92 right=92")
    _store_options(ps)
    ps.set_defaults(func=cmd_profile_set)
    pw = pr_sub.add_parser("show", help="show the stored profile")
    pw.add_argument("--json", action="store_true", help="print JSON")
    _store_options(pw)
    pw.set_defaults(func=cmd_profile_show)

    t = subparsers.add_parser("test", help="strength, hop, balance and mobility test results")
    t_sub = t.add_subparsers(dest="test_command", required=True,
                             metavar="{add,list,protocols}")
    ta = t_sub.add_parser("add", help="record one test on one side",
                          description="See 'evenstride test protocols' for the keys, units "
                          "and extras.")
    ta.add_argument("protocol", metavar="PROTOCOL")
    ta.add_argument("side", metavar="SIDE", help="left or right (both/none for bilateral)")
    ta.add_argument("value", type=types.finite_float, metavar="VALUE",
                    help="in the protocol's unit")
    ta.add_argument("--extra", nargs="+", default=[], metavar="KEY=VALUE",
                    help="e.g. lever_arm_m=0.8 body_mass_kg=64 or quality=7")
    ta.add_argument("--date", metavar="YYYY-MM-DD", help="test date (default today)")
    ta.add_argument("--note", default="", metavar="TEXT")
    ta.add_argument("--json", action="store_true", help="print the stored result as JSON")
    _store_options(ta)
    ta.set_defaults(func=cmd_test_add)
    tl = t_sub.add_parser("list", help="list stored test results")
    tl.add_argument("--json", action="store_true", help="print JSON")
    _store_options(tl)
    tl.set_defaults(func=cmd_test_list)
    tp = t_sub.add_parser("protocols", help="the test protocols evenstride knows")
    tp.add_argument("--json", action="store_true", help="print JSON")
    tp.set_defaults(func=cmd_test_protocols)

    s = subparsers.add_parser("symptom", help="log soreness, pain or tightness")
    s_sub = s.add_subparsers(dest="symptom_command", required=True, metavar="{add,list}")
    sa = s_sub.add_parser("add", help="log one symptom")
    sa.add_argument("--side", required=True, choices=_SIDES)
    sa.add_argument("--region", required=True, metavar="REGION",
                    help="e.g. knee_lateral (ITB), achilles, shin_medial, hip_lateral")
    sa.add_argument("--kind", required=True, choices=_KINDS)
    sa.add_argument("--severity", required=True, type=int, metavar="0-10")
    sa.add_argument("--timing", required=True, choices=_TIMINGS)
    sa.add_argument("--activity", type=types.row_id, metavar="ID", help="the run it came with")
    onset = sa.add_mutually_exclusive_group()
    onset.add_argument("--onset-km", type=types.nonnegative_float, metavar="KM",
                       help="started at this km")
    onset.add_argument("--onset-min", type=types.nonnegative_float, metavar="MIN",
                       help="started at this minute")
    sa.add_argument("--flag", action="append", default=[], metavar="FLAG",
                    help="red flag: sharp, changes_form, swelling, night_pain, numbness, "
                    "bone_tenderness (repeatable)")
    sa.add_argument("--date", metavar="YYYY-MM-DD", help="default today")
    sa.add_argument("--note", default="", metavar="TEXT")
    sa.add_argument("--json", action="store_true", help="print the stored symptom as JSON")
    _store_options(sa)
    sa.set_defaults(func=cmd_symptom_add)
    sl = s_sub.add_parser("list", help="list logged symptoms")
    sl.add_argument("--json", action="store_true", help="print JSON")
    _store_options(sl)
    sl.set_defaults(func=cmd_symptom_list)

    a = subparsers.add_parser(
        "assessment", help="ranked findings from profile, tests, symptoms and your runs",
        description="Red flags first, then strength/mobility asymmetries, symptom patterns, "
        "gait asymmetries, load, surface, shoes and cadence; each with its evidence.",
    )
    a.add_argument("--json", action="store_true", help="print JSON")
    _store_options(a)
    a.set_defaults(func=cmd_assessment)


# ----------------------------------------------------------------------------- parsing
def _date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if d > date.today():
        raise UserInputError(f"the date {text} is in the future")
    return d


def _pairs(items: list[str], what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k.strip():
            raise UserInputError(f"{what}: expected KEY=VALUE, got {it!r}")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise UserInputError(f"{what}: {k.strip()} must be a number (got {v!r})") from None
    return out


def _injury(text: str) -> Any:
    from evenstride.clinical.models import Injury

    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (4, 5) or not all(parts[:4]):
        raise UserInputError(f"--injury: expected SIDE:REGION:KIND:DESCRIPTION[:YEAR], got "
                             f"{text!r}")
    side, region, kind, desc = parts[:4]
    if side not in _SIDES:
        raise UserInputError(f"--injury: side must be one of {', '.join(_SIDES)} (got {side!r})")
    if kind not in ("injury", "surgery"):
        raise UserInputError(f"--injury: kind must be injury or surgery (got {kind!r})")
    year = None
    if len(parts) == 5:
        if not parts[4].isdigit() or not 1900 <= int(parts[4]) <= date.today().year:
            raise UserInputError(f"--injury: year must be 1900–{date.today().year} (got "
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
        raise UserInputError(f"--dominant must be left or right (got {dominant!r})")
    if road_side not in (None, "left", "right"):
        raise UserInputError(f"--road-side must be left or right (got {road_side!r})")
    parsed = [_injury(i) for i in injuries] if injuries is not None else None
    if mass_kg is not None and not 20 <= mass_kg <= 250:  # NaN fails too
        raise UserInputError(f"--mass-kg must be 20–250 kg (got {mass_kg:g})")
    legs = _pairs(leg_length_cm, "--leg-length-cm") if leg_length_cm else None
    for k, v in (legs or {}).items():
        if k not in ("left", "right"):
            raise UserInputError(f"--leg-length-cm: side must be left or right (got {k!r})")
        if not 50 <= v <= 130:
            raise UserInputError(f"--leg-length-cm: {k}={v:g} is outside 50–130 cm")
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


def cmd_profile_set(args: argparse.Namespace) -> int:
    """``evenstride profile set …``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store._clinical import load_profile, save_profile

        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args, create=True)
            p = build_profile(load_profile(store, aid), args.athlete, dominant=args.dominant,
                              injuries=args.injury, sports=args.sport or None,
                              habits=args.habit or None, mass_kg=args.mass_kg,
                              leg_length_cm=args.leg_length_cm,
                              road_side=getattr(args, "road_side", None))
            save_profile(store, aid, p)
        print(_profile_line(p))
        return EXIT_OK

    return _guarded(run, args)


def _profile_line(p: Any) -> str:
    bits = [f"profile {p.name!r}:"]
    bits.append(f"dominant {p.dominant_leg or '?'}")
    bits.append(f"involved side {p.involved_side or 'none'}")
    if p.road_side:
        bits.append(f"runs on the {p.road_side} of the road")
    if p.body_mass_kg is not None:
        bits.append(f"{p.body_mass_kg:g} kg")
    if p.leg_length_cm:
        bits.append("legs " + " ".join(f"{k}={v:g}" for k, v in sorted(p.leg_length_cm.items())))
    if p.injuries:
        bits.append(f"{len(p.injuries)} injur{'y' if len(p.injuries) == 1 else 'ies'}")
    return " ".join(bits)


def cmd_profile_show(args: argparse.Namespace) -> int:
    """``evenstride profile show``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store._clinical import load_profile, profile_to_dict

        with _open_existing(args) as store:
            p = load_profile(store, _athlete_id(store, args))
        if p is None:
            raise UserInputError(f"no profile for {args.athlete!r} yet: run 'evenstride "
                                 "profile set' first")
        if args.json:
            _print_json({"athlete": args.athlete, "profile": profile_to_dict(p)})
            return EXIT_OK
        print(_profile_line(p))
        for i in p.injuries:
            print(f"  {i.side} {i.region} {i.kind}: {i.description}"
                  + (f" ({i.year})" if i.year else ""))
        for label, items in (("other sports", p.other_sports), ("habits", p.habits)):
            if items:
                print(f"  {label}: {', '.join(items)}")
        return EXIT_OK

    return _guarded(run, args)


# -------------------------------------------------------------------------------- tests
def _test_dict(t: Any) -> dict[str, Any]:
    return {"protocol": t.protocol, "side": t.side, "value": t.value, "unit": t.unit,
            "date": t.when.isoformat(), "extra": dict(t.extra), "note": t.note}


def validate_test(store: Any, athlete_id: int, protocol: str, side: str, value: float, *,
                  extra: dict[str, float] | None = None, when: str | None = None,
                  note: str = "") -> Any:
    """One test result validated as ``test add`` validates it (the protocol's unit, range and
    extras; body mass and limb length from the profile when not given). Not stored."""
    import math

    from evenstride.clinical.protocols import PROTOCOLS, validate
    from evenstride.store._clinical import load_profile

    extra = dict(extra or {})
    if not math.isfinite(value):
        raise UserInputError(f"VALUE must be a finite number (got {value!r})")
    day = _date(when)
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


def cmd_test_add(args: argparse.Namespace) -> int:
    """``evenstride test add PROTOCOL SIDE VALUE …``: validated, then stored. Body mass and
    limb length come from the profile when not given as extras."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store._clinical import add_test

        extra = _pairs(args.extra, "--extra")
        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args, create=True)
            result = validate_test(store, aid, args.protocol, args.side, args.value,
                                   extra=extra, when=args.date, note=args.note or "")
            add_test(store, aid, result)
        if getattr(args, "json", False):
            _print_json({"schema": "evenstride.test_result/1", "athlete": args.athlete,
                         **_test_dict(result)})
            return EXIT_OK
        ex = " ".join(f"{k}={v:g}" for k, v in result.extra.items())
        print(f"test {result.protocol} {result.side}: {result.value:g} {result.unit} on "
              f"{result.when.isoformat()}" + (f" ({ex})" if ex else ""))
        return EXIT_OK

    return _guarded(run, args)


def cmd_test_list(args: argparse.Namespace) -> int:
    """``evenstride test list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store._clinical import tests

        with _open_existing(args) as store:
            rows = tests(store, _athlete_id(store, args))
        if args.json:
            _print_json({"athlete": args.athlete, "tests": [_test_dict(t) for t in rows]})
            return EXIT_OK
        if not rows:
            print("no test results yet: 'evenstride test add PROTOCOL SIDE VALUE'")
        for t in rows:
            ex = " ".join(f"{k}={v:g}" for k, v in t.extra.items())
            print(f"{t.when.isoformat()}  {t.protocol:<26} {t.side:<5} {t.value:>8g} {t.unit}"
                  + (f"  {ex}" if ex else ""))
        return EXIT_OK

    return _guarded(run, args)


def cmd_test_protocols(args: argparse.Namespace) -> int:
    """``evenstride test protocols``: keys, units, ranges, extras and sources."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.protocols import PROTOCOLS

        rows: list[dict[str, Any]] = [
            {"key": p.key, "name": p.name, "unit": p.unit, "sided": p.sided,
                 "valid_range": list(p.valid_range), "required_extras": list(p.required_extras),
                 "optional_extras": list(p.optional_extras), "normalisation": p.normalisation,
                 "lower_is_better": p.lower_is_better, "how": p.how, "citation": p.citation,
                 "evidence": p.evidence.to_dict()} for p in PROTOCOLS.values()]
        if getattr(args, "json", False):
            _print_json({"protocols": rows})
            return EXIT_OK
        for r in rows:
            ex = ", ".join(r["required_extras"] + [f"[{e}]" for e in r["optional_extras"]])
            print(f"{r['key']:<26} {r['unit']:<5} {r['name']}" + (f" — extras: {ex}" if ex else ""))
        return EXIT_OK

    return _guarded(run, args)


# ----------------------------------------------------------------------------- symptoms
def _symptom_dict(s: Any) -> dict[str, Any]:
    return {"date": s.when.isoformat(), "side": s.side, "region": s.region, "kind": s.kind,
            "severity": s.severity, "timing": s.timing, "activity_id": s.activity_id,
            "onset_km": s.onset_km, "onset_min": s.onset_min, "flags": list(s.flags),
            "note": s.note}


def validate_symptom(store: Any, athlete_id: int, *, side: str, region: str, kind: str,
                     severity: int, timing: str, activity: int | None = None,
                     onset_km: float | None = None, onset_min: float | None = None,
                     flags: list[str] | None = None, when: str | None = None,
                     note: str = "") -> Any:
    """One symptom log validated as ``symptom add`` validates it. Not stored."""
    import re

    from evenstride.clinical.assess import RED_FLAGS, normalise_flag
    from evenstride.clinical.models import Symptom

    for what, given, allowed in (("--side", side, _SIDES), ("--kind", kind, _KINDS),
                                 ("--timing", timing, _TIMINGS)):
        if given not in allowed:
            raise UserInputError(f"{what} must be one of {', '.join(allowed)} (got {given!r})")
    if not 0 <= severity <= 10:
        raise UserInputError(f"--severity must be 0–10 (got {severity})")
    region = region.strip().lower().replace(" ", "_").replace("-", "_")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", region):
        raise UserInputError(f"--region must be a short name like knee_lateral (got "
                             f"{region!r})")
    if onset_km is not None and onset_min is not None:
        raise UserInputError("give --onset-km or --onset-min, not both")
    for opt, v in (("--onset-km", onset_km), ("--onset-min", onset_min)):
        if v is not None and not 0 <= v <= 1000:
            raise UserInputError(f"{opt} must be 0–1000 (got {v:g})")
    norm = []
    for f in flags or []:
        try:
            norm.append(normalise_flag(f))
        except KeyError:
            known = ", ".join(k for k in RED_FLAGS if k != "rising")
            raise UserInputError(f"unknown --flag {f!r}: use {known}") from None
    if "rising" in norm:
        raise UserInputError("'rising' is derived from your logs; log each session instead")
    if activity is not None:
        run = next((a for a in store.activities(athlete_id) if a.id == activity), None)
        if run is None:
            raise UserInputError(f"no run {activity} for this athlete (see 'evenstride "
                                 "activities')")
        # an onset must lie within the run it came with
        if onset_km is not None and run.distance_m is not None \
                and onset_km > run.distance_m / 1000.0 + 0.05:
            raise UserInputError(f"--onset-km {onset_km:g} is beyond the end of run {activity} "
                                 f"({run.distance_m / 1000.0:.2f} km)")
        if onset_min is not None and onset_min > run.duration_s / 60.0 + 0.5:
            raise UserInputError(f"--onset-min {onset_min:g} is beyond the end of run "
                                 f"{activity} ({run.duration_s / 60.0:.0f} min)")
    return Symptom(when=_date(when), side=side, region=region, kind=kind,  # type: ignore[arg-type]
                   severity=int(severity), timing=timing,  # type: ignore[arg-type]
                   activity_id=activity, onset_km=onset_km, onset_min=onset_min,
                   flags=tuple(dict.fromkeys(norm)), note=note or "")


def cmd_symptom_add(args: argparse.Namespace) -> int:
    """``evenstride symptom add …``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.assess import RED_FLAGS
        from evenstride.store import open_store
        from evenstride.store._clinical import add_symptom

        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args, create=True)
            sym = validate_symptom(store, aid, side=args.side, region=args.region,
                                   kind=args.kind, severity=args.severity, timing=args.timing,
                                   activity=args.activity, onset_km=args.onset_km,
                                   onset_min=args.onset_min, flags=args.flag, when=args.date,
                                   note=args.note or "")
            add_symptom(store, aid, sym)
        if getattr(args, "json", False):
            _print_json({"schema": "evenstride.symptom/1", "athlete": args.athlete,
                         **_symptom_dict(sym)})
        else:
            print(f"symptom {sym.kind} {sym.severity}/10 at {sym.side} {sym.region} on "
                  f"{sym.when.isoformat()}")
        if sym.flags:
            print(f"red flag ({', '.join(RED_FLAGS[f] for f in sym.flags)}): stop loading this "
                  "area and see a clinician experienced with runners", file=sys.stderr)
        return EXIT_OK

    return _guarded(run, args)


def cmd_symptom_list(args: argparse.Namespace) -> int:
    """``evenstride symptom list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store._clinical import symptoms

        with _open_existing(args) as store:
            rows = symptoms(store, _athlete_id(store, args))
        if args.json:
            _print_json({"athlete": args.athlete, "symptoms": [_symptom_dict(s) for s in rows]})
            return EXIT_OK
        if not rows:
            print("no symptoms logged")
        for s in rows:
            print(f"{s.when.isoformat()}  {s.side:<5} {s.region:<16} {s.kind:<9} "
                  f"{s.severity:>2}/10 {s.timing}" + (f"  flags: {', '.join(s.flags)}"
                                                     if s.flags else ""))
        return EXIT_OK

    return _guarded(run, args)


# ---------------------------------------------------------------------------- assessment
def assessment_inputs(args: argparse.Namespace) -> tuple[Any, list[Any], list[Any],
                                                         list[dict[str, Any]], Any]:
    """Profile, tests, symptoms, run documents (with ``activity_id`` and ``gear``) and the
    history (``None`` when there are no runs) of ``args.athlete``."""
    from evenstride.store._clinical import load_profile, symptoms, tests

    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
        profile = load_profile(store, aid)
        ts, ss = tests(store, aid), symptoms(store, aid)
        gear = {a.id: a.gear for a in store.activities(aid)}
    history = None
    docs: list[dict[str, Any]] = []
    if gear:
        from evenstride.store.cli_commands import load_history as _load_history

        ns = argparse.Namespace(**vars(args))
        for k in ("road_side", "hr_rest", "hr_max"):
            if not hasattr(ns, k):
                setattr(ns, k, None)
        hist, by_id = _load_history(ns)
        history = hist.to_dict()
        docs = [dict(d, activity_id=i, gear=gear.get(i)) for i, d in by_id.items()]
    return profile, ts, ss, docs, history


def cmd_assessment(args: argparse.Namespace) -> int:
    """``evenstride assessment [--json]``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.assess import finding_to_dict, integrated_assessment

        profile, ts, ss, docs, history = assessment_inputs(args)
        findings = integrated_assessment(profile, ts, ss, run_docs=docs, history=history)
        if args.json:
            _print_json({
                "schema": "evenstride.assessment/1", "athlete": args.athlete,
                "involved_side": None if profile is None else profile.involved_side,
                "n_tests": len(ts), "n_symptoms": len(ss), "n_runs": len(docs),
                "findings": [finding_to_dict(f) for f in findings],
            })
            return EXIT_OK
        if not findings:
            print("no findings: add tests ('evenstride test add'), symptoms or runs")
        for i, f in enumerate(findings, 1):
            side = f" [{f.side}]" if f.side else ""
            print(f"{i}. {'!!! ' if f.kind == 'red_flag' else ''}{f.title}{side}  "
                  f"(severity {f.severity}, confidence {f.confidence:.2f}, evidence "
                  f"{f.evidence.grade})")
            print(f"   {f.text}")
            if f.targets:
                print(f"   work on: {', '.join(f.targets)}")
        return EXIT_OK

    return _guarded(run, args)
