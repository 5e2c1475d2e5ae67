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
from typing import Any

from evenstride.cli import types
from evenstride.cli.common import (
    EXIT_OK,
    athlete_id,
    db_path,
    guarded,
    open_existing,
    print_json,
    say_skipped,
    store_options,
    user_message,
)
from evenstride.exceptions import UserInputError
from evenstride.services import clinical as svc
from evenstride.services.clinical import (
    KINDS,
    SIDES,
    TIMINGS,
    assess,
    change_lines,
    normalise_region,
    parse_pairs,
    red_flag_line,
    symptom_dict,
    test_dict,
    validate_symptom,
    validate_test,
)
from evenstride.services.errors import InputError, field

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


def add_correction_parsers(sub: Any, noun: str, *, delete: Any, changes: Any, record: str,
                           list_command: str) -> None:
    """``delete ID [--reason]`` and ``changes`` for one kind of stored entry (tests, symptoms,
    session logs): one definition, validated ids (a huge id is a one-line error, not a crash)."""
    d = sub.add_parser("delete", help=f"delete a {noun} (kept in the change history)")
    d.add_argument("id", type=types.row_id, metavar="ID",
                   help=f"the number shown by '{list_command}'")
    d.add_argument("--reason", default="", metavar="TEXT")
    store_options(d)
    d.set_defaults(func=delete)
    c = sub.add_parser("changes", help=f"every correction and deletion of {noun}s")
    c.add_argument("--json", action="store_true", help="print JSON")
    store_options(c)
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
    store_options(ps)
    ps.set_defaults(func=cmd_profile_set)
    pw = pr_sub.add_parser("show", help="show the stored profile")
    pw.add_argument("--json", action="store_true", help="print JSON")
    store_options(pw)
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
    store_options(ta)
    ta.set_defaults(func=cmd_test_add)
    tl = t_sub.add_parser("list", help="list stored test results")
    tl.add_argument("--json", action="store_true", help="print JSON")
    store_options(tl)
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
    store_options(te)
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
    sa.add_argument("--side", required=True, choices=SIDES)
    sa.add_argument("--region", required=True, metavar="REGION",
                    help="e.g. knee_lateral (ITB), achilles, shin_medial, hip_lateral; see "
                    "'evenstride symptom regions'")
    sa.add_argument("--kind", required=True, choices=KINDS)
    sa.add_argument("--severity", required=True, type=int, metavar="0-10")
    sa.add_argument("--timing", required=True, choices=TIMINGS)
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
    store_options(sa)
    sa.set_defaults(func=cmd_symptom_add)
    sl = s_sub.add_parser("list", help="list logged symptoms")
    sl.add_argument("--json", action="store_true", help="print JSON")
    store_options(sl)
    sl.set_defaults(func=cmd_symptom_list)
    se = s_sub.add_parser("edit", help="correct a logged symptom (the old entry is kept in the "
                          "change history)")
    se.add_argument("id", type=types.row_id, metavar="ID",
                    help="the number shown by 'symptom list'")
    se.add_argument("--side", choices=SIDES)
    se.add_argument("--region", metavar="REGION")
    se.add_argument("--kind", choices=KINDS)
    se.add_argument("--severity", type=int, metavar="0-10")
    se.add_argument("--timing", choices=TIMINGS)
    se.add_argument("--flag", action="append", default=None, metavar="FLAG",
                    help="replaces the stored red flags (repeatable); --flag none clears them")
    se.add_argument("--date", metavar="YYYY-MM-DD")
    se.add_argument("--note", default=None, metavar="TEXT")
    se.add_argument("--reason", default="", metavar="TEXT", help="why it was corrected")
    store_options(se)
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
    store_options(a)
    a.set_defaults(func=cmd_assessment)


def build_profile(current: Any, name: str, **changes: Any) -> Any:
    """:func:`evenstride.services.clinical.build_profile`, its errors naming this command
    line's options (``--road-side``)."""
    try:
        return svc.build_profile(current, name, **changes)
    except InputError as exc:
        raise UserInputError(user_message(exc)) from None


def cmd_profile_set(args: argparse.Namespace) -> int:
    """``evenstride profile set …``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store
        from evenstride.store.clinical import load_profile

        with open_store(db_path(args)) as store:
            aid = athlete_id(store, args, create=True)
            p = build_profile(load_profile(store, aid), args.athlete, dominant=args.dominant,
                              injuries=args.injury, sports=args.sport or None,
                              habits=args.habit or None, mass_kg=args.mass_kg,
                              leg_length_cm=args.leg_length_cm,
                              road_side=getattr(args, "road_side", None))
            svc.save_profile(store, aid, p)
        print(_profile_line(p))
        return EXIT_OK

    return guarded(run, args)


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
        from evenstride.store.clinical import load_profile, profile_to_dict

        with open_existing(args) as store:
            p = load_profile(store, athlete_id(store, args))
        if p is None:
            raise UserInputError(f"no profile for {args.athlete!r} yet: run 'evenstride "
                                 "profile set' first")
        if args.json:
            print_json({"athlete": args.athlete, "profile": profile_to_dict(p)})
            return EXIT_OK
        print(_profile_line(p))
        for i in p.injuries:
            print(f"  {i.side} {i.region} {i.kind}: {i.description}"
                  + (f" ({i.year})" if i.year else ""))
        for label, items in (("other sports", p.other_sports), ("habits", p.habits)):
            if items:
                print(f"  {label}: {', '.join(items)}")
        return EXIT_OK

    return guarded(run, args)


def cmd_test_add(args: argparse.Namespace) -> int:
    """``evenstride test add PROTOCOL SIDE VALUE …``: validated, then stored. Body mass and
    limb length come from the profile when not given as extras."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store

        extra = parse_pairs(args.extra, field("extra"))
        with open_store(db_path(args)) as store:
            result = svc.add_test(store, athlete_id(store, args, create=True), args.protocol,
                                  args.side, args.value, extra=extra, when=args.date,
                                  note=args.note or "")
        if getattr(args, "json", False):
            print_json({"schema": "evenstride.test_result/1", "athlete": args.athlete,
                         **test_dict(result)})
            return EXIT_OK
        ex = " ".join(f"{k}={v:g}" for k, v in result.extra.items())
        print(f"test {result.protocol} {result.side}: {result.value:g} {result.unit} on "
              f"{result.when.isoformat()}" + (f" ({ex})" if ex else ""))
        return EXIT_OK

    return guarded(run, args)


def cmd_test_list(args: argparse.Namespace) -> int:
    """``evenstride test list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.protocols import PROTOCOLS
        from evenstride.store.clinical import test_ids

        with open_existing(args) as store:
            rows = test_ids(store, athlete_id(store, args))
        if args.json:
            print_json({"athlete": args.athlete,
                         "tests": [{"id": i, **test_dict(t)} for i, t in rows]})
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

    return guarded(run, args)


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
            print_json({"protocols": rows})
            return EXIT_OK
        for r in rows:
            ex = ", ".join(r["required_extras"] + [f"[{e}]" for e in r["optional_extras"]])
            print(f"{r['key']:<26} {r['unit']:<5} {r['name']}" + (f" — extras: {ex}" if ex else ""))
        return EXIT_OK

    return guarded(run, args)


def cmd_symptom_add(args: argparse.Namespace) -> int:
    """``evenstride symptom add …``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.models import region_words
        from evenstride.store import open_store

        with open_store(db_path(args)) as store:
            sym = svc.add_symptom(store, athlete_id(store, args, create=True), side=args.side,
                                  region=args.region, kind=args.kind, severity=args.severity,
                                  timing=args.timing, activity=args.activity,
                                  onset_km=args.onset_km, onset_min=args.onset_min,
                                  flags=args.flag, when=args.date, note=args.note or "")
        if getattr(args, "json", False):
            print_json({"schema": "evenstride.symptom/1", "athlete": args.athlete,
                         **symptom_dict(sym)})
        else:
            print(f"symptom {sym.kind} {sym.severity}/10 at {sym.side} "
                  f"{region_words(sym.region)} on {sym.when.isoformat()}")
        if sym.flags:
            print(red_flag_line(sym), file=sys.stderr)
        return EXIT_OK

    return guarded(run, args)


def cmd_symptom_list(args: argparse.Namespace) -> int:
    """``evenstride symptom list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.assess import RED_FLAGS
        from evenstride.clinical.models import region_words
        from evenstride.store.clinical import symptom_ids

        with open_existing(args) as store:
            rows = symptom_ids(store, athlete_id(store, args))
        if args.json:
            print_json({"athlete": args.athlete,
                         "symptoms": [{"id": i, **symptom_dict(s)} for i, s in rows]})
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

    return guarded(run, args)


def _extra_words(key: str, value: float) -> str:
    words = {"lever_arm_m": ("lever arm", "m"), "body_mass_kg": ("body mass", "kg"),
             "limb_length_cm": ("limb length", "cm"), "quality": ("quality", "/10"),
             "posteromedial_cm": ("posteromedial reach", "cm"),
             "posterolateral_cm": ("posterolateral reach", "cm"),
             "composite_pct": ("composite", "% of limb length"),
             "torque_nm_per_kg": ("torque", "N·m/kg")}
    name, unit = words.get(key, (key.replace("_", " "), ""))
    return f"{name} {value:g} {unit}".strip()


def _hint(exc: svc.NotFound, what: str) -> UserInputError:
    """The services' "no such record" with the command that lists them."""
    return UserInputError(f"{exc} (see 'evenstride {what} list')")


def cmd_test_edit(args: argparse.Namespace) -> int:
    """``evenstride test edit ID [--side] [--value] [--extra] [--date] [--note]``"""

    def run(args: argparse.Namespace) -> int:
        extra = None if args.extra is None else parse_pairs(args.extra, field("extra"))
        from evenstride.store import open_store

        with open_store(db_path(args)) as store:
            try:
                old, new = svc.edit_test(store, athlete_id(store, args), args.id,
                                         side=args.side, value=args.value, extra=extra,
                                         when=args.date, note=args.note, reason=args.reason)
            except svc.NotFound as exc:
                raise _hint(exc, "test") from None
        print(f"test #{args.id} corrected: {new.side} {new.value:g} {new.unit} on "
              f"{new.when.isoformat()} (was {old.side} {old.value:g} {old.unit} on "
              f"{old.when.isoformat()}; kept in 'evenstride test changes')")
        return EXIT_OK

    return guarded(run, args)


def _delete(args: argparse.Namespace, record: str, what: str) -> int:
    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store

        with open_store(db_path(args)) as store:
            try:
                svc.delete_record(store, athlete_id(store, args), record, args.id,
                                  reason=args.reason or "")
            except svc.NotFound as exc:
                raise _hint(exc, what) from None
        print(f"{what} #{args.id} deleted (kept in 'evenstride {what} changes')")
        return EXIT_OK

    return guarded(run, args)


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
        flags = (None if args.flag is None
                 else [f for f in args.flag if f.strip().lower() != "none"])
        from evenstride.store import open_store

        with open_store(db_path(args)) as store:
            try:
                _old, new = svc.edit_symptom(
                    store, athlete_id(store, args), args.id, side=args.side,
                    region=args.region, kind=args.kind, severity=args.severity,
                    timing=args.timing, flags=flags, when=args.date, note=args.note,
                    reason=args.reason)
            except svc.NotFound as exc:
                raise _hint(exc, "symptom") from None
        print(f"symptom #{args.id} corrected: {new.kind} {new.severity}/10 at {new.side} "
              f"{new.region} on {new.when.isoformat()} (kept in 'evenstride symptom changes')")
        return EXIT_OK

    return guarded(run, args)


def cmd_changes(args: argparse.Namespace) -> int:
    """``evenstride test changes`` / ``symptom changes`` / ``log changes``"""

    def run(args: argparse.Namespace) -> int:
        from dataclasses import asdict

        from evenstride.store.clinical import edits

        with open_existing(args) as store:
            rows = edits(store, athlete_id(store, args), args.record)
        if getattr(args, "json", False):
            print_json({"athlete": args.athlete, "changes": [asdict(e) for e in rows]})
            return EXIT_OK
        if not rows:
            print("no corrections yet")
        for line in change_lines(rows):
            print(line)
        return EXIT_OK

    return guarded(run, args)


def cmd_symptom_regions(args: argparse.Namespace) -> int:
    """``evenstride symptom regions``: the controlled vocabulary of regions."""
    from evenstride.clinical.models import SYMPTOM_REGIONS

    if getattr(args, "json", False):
        print_json({"regions": SYMPTOM_REGIONS})
        return EXIT_OK
    for k, v in SYMPTOM_REGIONS.items():
        print(f"{k:<16} {v}")
    return EXIT_OK


def cmd_assessment(args: argparse.Namespace) -> int:
    """``evenstride assessment [--json]``"""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            inp, findings = assess(store, athlete_id(store, args))
            say_skipped(store, inp.skipped)
        profile, ts, ss, docs = inp.profile, inp.tests, inp.symptoms, inp.run_docs
        from evenstride.clinical.assess import finding_to_dict

        if args.json:
            print_json({
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

    return guarded(run, args)


def register(subparsers: Any) -> None:
    """Add ``profile``, ``test``, ``symptom`` and ``assessment`` (:data:`COMMAND_MODULES
    <evenstride.cli.app.COMMAND_MODULES>`)."""
    add_clinical_parsers(subparsers)
