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

from evenstride.cli import types
from evenstride.cli.inputs import (
    EXIT_OK,
    _athlete_id,
    _db,
    _guarded,
    _open_existing,
    _print_json,
    _store_options,
)
from evenstride.exceptions import UserInputError

__all__ = [
    "CLINICAL_COMMANDS",
    "add_clinical_parsers",
    "build_profile",
    "cmd_assessment",
    "cmd_changes",
    "cmd_profile_set",
    "cmd_profile_show",
    "cmd_symptom_add",
    "cmd_symptom_delete",
    "cmd_symptom_edit",
    "cmd_symptom_list",
    "cmd_symptom_regions",
    "cmd_test_add",
    "cmd_test_delete",
    "cmd_test_edit",
    "cmd_test_list",
    "cmd_test_protocols",
    "normalise_region",
    "red_flag_line",
    "validate_symptom",
    "validate_test",
]

#: Top-level commands added by :func:`add_clinical_parsers`.
CLINICAL_COMMANDS = ("profile", "test", "symptom", "assessment")

_SIDES = ("left", "right", "both", "none")
_KINDS = ("soreness", "pain", "tightness")
_TIMINGS = ("during", "after", "next_morning")


def add_correction_parsers(sub: Any, noun: str, *, delete: Any, changes: Any, record: str,
                           list_command: str) -> None:
    """``delete ID [--reason]`` and ``changes`` for one kind of stored entry (tests, symptoms,
    session logs): one definition, validated ids (a huge id is a one-line error, not a crash)."""
    d = sub.add_parser("delete", help=f"delete a {noun} (kept in the change history)")
    d.add_argument("id", type=types.row_id, metavar="ID",
                   help=f"the number shown by '{list_command}'")
    d.add_argument("--reason", default="", metavar="TEXT")
    _store_options(d)
    d.set_defaults(func=delete)
    c = sub.add_parser("changes", help=f"every correction and deletion of {noun}s")
    c.add_argument("--json", action="store_true", help="print JSON")
    _store_options(c)
    c.set_defaults(func=changes, record=record)


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
                             metavar="{add,list,edit,delete,changes,protocols}")
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
    te = t_sub.add_parser("edit", help="correct a stored test result (the old value is kept "
                          "in the change history)")
    te.add_argument("id", type=types.row_id, metavar="ID",
                    help="the number shown by 'test list'")
    te.add_argument("--side", metavar="SIDE")
    te.add_argument("--value", type=types.finite_float, metavar="VALUE")
    te.add_argument("--extra", nargs="+", default=None, metavar="KEY=VALUE")
    te.add_argument("--date", metavar="YYYY-MM-DD")
    te.add_argument("--note", default=None, metavar="TEXT")
    te.add_argument("--reason", default="", metavar="TEXT", help="why it was corrected")
    _store_options(te)
    te.set_defaults(func=cmd_test_edit)
    add_correction_parsers(t_sub, "test result", delete=cmd_test_delete, changes=cmd_changes,
                           record="test", list_command="test list")
    tp = t_sub.add_parser("protocols", help="the test protocols evenstride knows")
    tp.add_argument("--json", action="store_true", help="print JSON")
    tp.set_defaults(func=cmd_test_protocols)

    s = subparsers.add_parser("symptom", help="log soreness, pain or tightness")
    s_sub = s.add_subparsers(dest="symptom_command", required=True,
                             metavar="{add,list,edit,delete,changes,regions}")
    sa = s_sub.add_parser("add", help="log one symptom")
    sa.add_argument("--side", required=True, choices=_SIDES)
    sa.add_argument("--region", required=True, metavar="REGION",
                    help="e.g. knee_lateral (ITB), achilles, shin_medial, hip_lateral; see "
                    "'evenstride symptom regions'")
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
    se = s_sub.add_parser("edit", help="correct a logged symptom (the old entry is kept in the "
                          "change history)")
    se.add_argument("id", type=types.row_id, metavar="ID",
                    help="the number shown by 'symptom list'")
    se.add_argument("--side", choices=_SIDES)
    se.add_argument("--region", metavar="REGION")
    se.add_argument("--kind", choices=_KINDS)
    se.add_argument("--severity", type=int, metavar="0-10")
    se.add_argument("--timing", choices=_TIMINGS)
    se.add_argument("--flag", action="append", default=None, metavar="FLAG",
                    help="replaces the stored red flags (repeatable); --flag none clears them")
    se.add_argument("--date", metavar="YYYY-MM-DD")
    se.add_argument("--note", default=None, metavar="TEXT")
    se.add_argument("--reason", default="", metavar="TEXT", help="why it was corrected")
    _store_options(se)
    se.set_defaults(func=cmd_symptom_edit)
    add_correction_parsers(s_sub, "symptom log", delete=cmd_symptom_delete,
                           changes=cmd_changes, record="symptom", list_command="symptom list")
    sr = s_sub.add_parser("regions", help="the body regions a symptom can be logged at")
    sr.add_argument("--json", action="store_true", help="print JSON")
    sr.set_defaults(func=cmd_symptom_regions)

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
        from evenstride.clinical.protocols import PROTOCOLS
        from evenstride.store._clinical import test_ids

        with _open_existing(args) as store:
            rows = test_ids(store, _athlete_id(store, args))
        if args.json:
            _print_json({"athlete": args.athlete,
                         "tests": [{"id": i, **_test_dict(t)} for i, t in rows]})
            return EXIT_OK
        if not rows:
            print("no test results yet: 'evenstride test add PROTOCOL SIDE VALUE'")
        for i, t in rows:
            ex = ", ".join(_extra_words(k, v) for k, v in t.extra.items())
            name = PROTOCOLS[t.protocol].name if t.protocol in PROTOCOLS else t.protocol
            print(f"#{i:<4} {t.when.isoformat()}  {name:<44} {t.side:<5} {t.value:>8g} {t.unit}"
                  + (f"  ({ex})" if ex else ""))
        if rows:
            print("correct one: 'evenstride test edit ID …', remove one: 'evenstride test "
                  "delete ID'")
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
    raise UserInputError(f"--region {region.strip()!r} is not a known region: {hint}")


def validate_symptom(store: Any, athlete_id: int, *, side: str, region: str, kind: str,
                     severity: int, timing: str, activity: int | None = None,
                     onset_km: float | None = None, onset_min: float | None = None,
                     flags: list[str] | None = None, when: str | None = None,
                     note: str = "") -> Any:
    """One symptom log validated as ``symptom add`` validates it. Not stored."""

    from evenstride.clinical.assess import RED_FLAGS, normalise_flag
    from evenstride.clinical.models import Symptom

    for what, given, allowed in (("--side", side, _SIDES), ("--kind", kind, _KINDS),
                                 ("--timing", timing, _TIMINGS)):
        if given not in allowed:
            raise UserInputError(f"{what} must be one of {', '.join(allowed)} (got {given!r})")
    if not 0 <= severity <= 10:
        raise UserInputError(f"--severity must be 0–10 (got {severity})")
    region = normalise_region(region)
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


def cmd_symptom_add(args: argparse.Namespace) -> int:
    """``evenstride symptom add …``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.models import region_words
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
            print(f"symptom {sym.kind} {sym.severity}/10 at {sym.side} "
                  f"{region_words(sym.region)} on {sym.when.isoformat()}")
        if sym.flags:
            print(red_flag_line(sym), file=sys.stderr)
        return EXIT_OK

    return _guarded(run, args)


def cmd_symptom_list(args: argparse.Namespace) -> int:
    """``evenstride symptom list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.assess import RED_FLAGS
        from evenstride.clinical.models import region_words
        from evenstride.store._clinical import symptom_ids

        with _open_existing(args) as store:
            rows = symptom_ids(store, _athlete_id(store, args))
        if args.json:
            _print_json({"athlete": args.athlete,
                         "symptoms": [{"id": i, **_symptom_dict(s)} for i, s in rows]})
            return EXIT_OK
        if not rows:
            print("no symptoms logged")
        for i, s in rows:
            print(f"#{i:<4} {s.when.isoformat()}  {s.side:<5} {region_words(s.region):<30} "
                  f"{s.kind:<9} {s.severity:>2}/10 {s.timing.replace('_', ' ')}"
                  + (f"  red flags: {', '.join(RED_FLAGS.get(f, f) for f in s.flags)}"
                     if s.flags else ""))
        if rows:
            print("correct one: 'evenstride symptom edit ID …', remove one: 'evenstride symptom "
                  "delete ID'")
        return EXIT_OK

    return _guarded(run, args)


def _extra_words(key: str, value: float) -> str:
    words = {"lever_arm_m": ("lever arm", "m"), "body_mass_kg": ("body mass", "kg"),
             "limb_length_cm": ("limb length", "cm"), "quality": ("quality", "/10"),
             "posteromedial_cm": ("posteromedial reach", "cm"),
             "posterolateral_cm": ("posterolateral reach", "cm"),
             "composite_pct": ("composite", "% of limb length"),
             "torque_nm_per_kg": ("torque", "N·m/kg")}
    name, unit = words.get(key, (key.replace("_", " "), ""))
    return f"{name} {value:g} {unit}".strip()


# ---------------------------------------------------------------------------- corrections
def _find(rows: list[Any], rid: int, what: str) -> Any:
    for i, r in rows:
        if i == rid:
            return r
    raise UserInputError(f"no {what} #{rid} for this athlete (see 'evenstride {what} list')")


def cmd_test_edit(args: argparse.Namespace) -> int:
    """``evenstride test edit ID [--side] [--value] [--extra] [--date] [--note]``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store._clinical import correct_record, test_ids

        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args)
            old = _find(test_ids(store, aid), args.id, "test")
            extra = {k: v for k, v in old.extra.items()
                     if k not in ("composite_pct", "torque_nm_per_kg")}
            if args.extra is not None:
                extra.update(_pairs(args.extra, "--extra"))
            new = validate_test(
                store, aid, old.protocol, args.side or old.side,
                old.value if args.value is None else args.value, extra=extra,
                when=args.date or old.when.isoformat(),
                note=old.note if args.note is None else args.note)
            correct_record(store, aid, "test", args.id, new, reason=args.reason or "")
        print(f"test #{args.id} corrected: {new.side} {new.value:g} {new.unit} on "
              f"{new.when.isoformat()} (was {old.side} {old.value:g} {old.unit} on "
              f"{old.when.isoformat()}; kept in 'evenstride test changes')")
        return EXIT_OK

    return _guarded(run, args)


def _delete(args: argparse.Namespace, record: str, what: str) -> int:
    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store._clinical import correct_record

        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args)
            try:
                correct_record(store, aid, record, args.id, None, reason=args.reason or "")
            except KeyError:
                raise UserInputError(f"no {what} #{args.id} for this athlete (see "
                                     f"'evenstride {what} list')") from None
        print(f"{what} #{args.id} deleted (kept in 'evenstride {what} changes')")
        return EXIT_OK

    return _guarded(run, args)


def cmd_test_delete(args: argparse.Namespace) -> int:
    """``evenstride test delete ID``"""
    return _delete(args, "test", "test")


def cmd_symptom_delete(args: argparse.Namespace) -> int:
    """``evenstride symptom delete ID``"""
    return _delete(args, "symptom", "symptom")


def cmd_symptom_edit(args: argparse.Namespace) -> int:
    """``evenstride symptom edit ID [--side] [--region] [--kind] [--severity] [--timing]
    [--flag …] [--date] [--note]``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store._clinical import correct_record, symptom_ids

        with open_store(_db(args)) as store:
            aid = _athlete_id(store, args)
            old = _find(symptom_ids(store, aid), args.id, "symptom")
            flags = list(old.flags)
            if args.flag is not None:
                flags = [f for f in args.flag if f.strip().lower() != "none"]
            new = validate_symptom(
                store, aid, side=args.side or old.side, region=args.region or old.region,
                kind=args.kind or old.kind,
                severity=old.severity if args.severity is None else args.severity,
                timing=args.timing or old.timing, activity=old.activity_id,
                onset_km=old.onset_km, onset_min=old.onset_min, flags=flags,
                when=args.date or old.when.isoformat(),
                note=old.note if args.note is None else args.note)
            correct_record(store, aid, "symptom", args.id, new, reason=args.reason or "")
        print(f"symptom #{args.id} corrected: {new.kind} {new.severity}/10 at {new.side} "
              f"{new.region} on {new.when.isoformat()} (kept in 'evenstride symptom changes')")
        return EXIT_OK

    return _guarded(run, args)


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


def cmd_changes(args: argparse.Namespace) -> int:
    """``evenstride test changes`` / ``symptom changes`` / ``log changes``"""

    def run(args: argparse.Namespace) -> int:
        from dataclasses import asdict

        from evenstride.store._clinical import edits

        with _open_existing(args) as store:
            rows = edits(store, _athlete_id(store, args), args.record)
        if getattr(args, "json", False):
            _print_json({"athlete": args.athlete, "changes": [asdict(e) for e in rows]})
            return EXIT_OK
        if not rows:
            print("no corrections yet")
        for line in change_lines(rows):
            print(line)
        return EXIT_OK

    return _guarded(run, args)


def cmd_symptom_regions(args: argparse.Namespace) -> int:
    """``evenstride symptom regions``: the controlled vocabulary of regions."""
    from evenstride.clinical.models import SYMPTOM_REGIONS

    if getattr(args, "json", False):
        _print_json({"regions": SYMPTOM_REGIONS})
        return EXIT_OK
    for k, v in SYMPTOM_REGIONS.items():
        print(f"{k:<16} {v}")
    return EXIT_OK


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
        from evenstride.cli.inputs import load_history as _load_history

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
                from evenstride.clinical.models import TARGET_WORDS

                print("   work on: " + ", ".join(TARGET_WORDS.get(t, t.replace("_", " "))
                                             for t in f.targets))
        return EXIT_OK

    return _guarded(run, args)
