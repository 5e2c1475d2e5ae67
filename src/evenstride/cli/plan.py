# SPDX-License-Identifier: MIT
"""``evenstride plan``, ``log`` and ``retest``: prescribe a program from the athlete's findings,
log how each session went, and check the retests.

Wiring into :mod:`evenstride.cli` takes two lines::

    add_plan_parsers(sub)                                            # in _parser()
    if args.command in PLAN_COMMANDS: return args.func(args)         # in main()

Commands (each ``cmd_*`` is self-contained, returns the exit code; user errors are one line on
stderr and exit 2):

- ``plan [--start DATE] [--weeks 10] [--sessions-per-week 2] [--extra-weaker-side-pct 0]
  [--level N] [--html FILE] [--ics FILE] [--json]``: findings come from
  :func:`evenstride.clinical.assess.integrated_assessment` (profile, tests, symptoms, runs);
  when that module is not importable, from the stored run history only.
- ``log [--date DATE] (--done | --skipped) [--rpe N] [--pain-during N]
  [--pain-next-morning N] [--note TEXT] [--json]``: one session log; prints the next step
  (pain-monitoring rule).
- ``retest [--record MEASURE AFTER MDC]... [--before MEASURE=VALUE]... [--date DATE]
  [--json]``: retest dates (due / upcoming) and the outcome check of recorded retests.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from evenstride.cli import types
from evenstride.cli.common import (
    EXIT_OK,
    athlete_id,
    guarded,
    open_existing,
    print_json,
    say_skipped,
    store_options,
)
from evenstride.exceptions import UserInputError
from evenstride.services import plan as svc
from evenstride.services.clinical import parse_pairs
from evenstride.services.errors import InputError, field

__all__ = ["PLAN_COMMANDS", "add_plan_parsers", "cmd_log", "cmd_plan", "cmd_retest"]

#: Top-level commands added by :func:`add_plan_parsers`.
PLAN_COMMANDS = ("plan", "log", "retest")


def add_plan_parsers(subparsers: Any) -> None:
    """Add ``plan``, ``log`` and ``retest`` to an ``argparse`` sub-parsers object."""
    p = subparsers.add_parser(
        "plan", help="prescribe a strength program from your findings (HTML handout, calendar)",
        description="Build a 8–12 week strength and form program from the assessment findings "
        "(tests, symptoms, runs): weaker side first, equal volume, slow work first and fast "
        "work from week 5 if pain allows. Red flags come first and remove exercises that load "
        "their region. The plan is stored as the athlete's active plan.",
    )
    p.add_argument("--start", metavar="DATE", help="first session (YYYY-MM-DD, default today)")
    p.add_argument("--weeks", type=int, default=10, metavar="N", help="8–12 (default 10)")
    p.add_argument("--sessions-per-week", type=int, default=2, metavar="N",
                   help="2–3 (default 2)")
    p.add_argument("--extra-weaker-side-pct", type=types.finite_float, default=0.0, metavar="PCT",
                   help="extra volume on the weaker side, %% (default 0: equal volume; any "
                   "extra is expert opinion, unverified)")
    p.add_argument("--level", type=int, metavar="N", help="starting level 1–4 (default: 1 with "
                   "symptoms, else 2)")
    p.add_argument("--retest-every", type=int, default=4, metavar="WEEKS",
                   help="retest interval, 4–6 weeks (default 4)")
    p.add_argument("--html", metavar="FILE", help="write the printable handout")
    p.add_argument("--ics", metavar="FILE", help="write the sessions as an iCalendar file")
    p.add_argument("--json", action="store_true", help="print the program as JSON")
    store_options(p)
    p.set_defaults(func=cmd_plan)

    lg = subparsers.add_parser(
        "log", help="log a program session: done/skipped, RPE and pain (0–10)",
        description="Log one session of the active plan and get the next step by the "
        "pain-monitoring rule: pain ≤ 3/10 settled by the next morning → progress after 2 "
        "sessions at RPE ≤ 7; 4–5/10 or not settled → hold; > 5/10 or rising → go back a "
        "step and see a clinician.",
    )
    def log_fields(pp: Any, note_default: str | None) -> None:
        pp.add_argument("--date", metavar="DATE", help="session date (default today)")
        done = pp.add_mutually_exclusive_group()
        done.add_argument("--done", dest="done", action="store_true",
                          help="the session was done")
        done.add_argument("--skipped", dest="done", action="store_false", help="it was skipped")
        pp.add_argument("--rpe", type=types.finite_float, metavar="N", help="effort 0–10 (CR-10)")
        pp.add_argument("--pain-during", type=types.finite_float, metavar="N",
                        help="pain during, 0–10")
        pp.add_argument("--pain-next-morning", type=types.finite_float, metavar="N",
                        help="pain the next morning, 0–10")
        pp.add_argument("--note", default=note_default, metavar="TEXT")
        pp.set_defaults(done=None)

    log_fields(lg, "")
    lg.add_argument("--json", action="store_true", help="print JSON")
    store_options(lg)
    lg.set_defaults(func=cmd_log)
    lg_sub = lg.add_subparsers(dest="log_command", required=False,
                               metavar="{list,edit,delete,changes}")
    ll = lg_sub.add_parser("list", help="the session logs of the active plan, with their numbers")
    ll.add_argument("--json", action="store_true", help="print JSON")
    store_options(ll)
    ll.set_defaults(func=cmd_log_list)
    le = lg_sub.add_parser("edit", help="correct a session log (the old entry is kept in the "
                           "change history)")
    le.add_argument("id", type=types.row_id, metavar="ID",
                    help="the number shown by 'log list'")
    log_fields(le, None)
    le.add_argument("--reason", default="", metavar="TEXT", help="why it was corrected")
    store_options(le)
    le.set_defaults(func=cmd_log_edit)
    from evenstride.cli.clinical import add_correction_parsers

    add_correction_parsers(lg_sub, "session log", delete=cmd_log_delete, changes=_cmd_changes,
                           record="session_log", list_command="log list")

    r = subparsers.add_parser(
        "retest", help="retest dates and the outcome check (change beyond the MDC?)",
        description="Show the retest dates of the active plan. --test PROTOCOL LEFT RIGHT "
        "stores a retest of a known test (values in its unit, see 'evenstride test protocols'): "
        "the LSI is computed from the two sides, the value before from your stored tests, and "
        "the change is judged against the test's minimal detectable change (MDC). Running "
        "measures come from your runs (--from-history) or --record METRIC/SOURCE AFTER MDC.",
    )
    r.add_argument("--test", nargs=3, action="append", default=[],
                   metavar=("PROTOCOL", "LEFT", "RIGHT"),
                   help="retest a test on both sides, in the protocol's unit (repeatable)")
    r.add_argument("--extra", nargs="+", default=[], metavar="KEY=VALUE",
                   help="extras for --test on both sides, e.g. lever_arm_m=0.4")
    r.add_argument("--record", nargs=3, action="append", default=[],
                   metavar=("MEASURE", "AFTER", "MDC"),
                   help="a running-asymmetry measure of the plan (METRIC/SOURCE) by hand")
    r.add_argument("--before", action="append", default=[], metavar="MEASURE=VALUE",
                   help="running measure's value before the program (default: from the plan)")
    r.add_argument("--date", metavar="DATE", help="retest date (default today)")
    r.add_argument(
        "--from-history",
        action="store_true",
        help="record every running-asymmetry measure the plan targets from your stored runs: "
        "the latest comparable run's value as AFTER and your own MDC95 as the noise",
    )
    r.add_argument("--json", action="store_true", help="print JSON")
    store_options(r)
    r.set_defaults(func=cmd_retest)


def _write(path: str, what: str, writer: Any) -> None:
    try:
        writer(path)
    except OSError as exc:
        raise UserInputError(f"cannot write the {what} ({exc.strerror or exc})",
                             path=path) from None


def active_program(args: argparse.Namespace) -> svc.ActivePlan | None:
    """The active plan of ``--athlete`` in ``--db`` (``None`` when there is none)."""
    with open_existing(args) as store:
        return svc.active_program(store, athlete_id(store, args))


def _entry(args: argparse.Namespace) -> svc.SessionEntry:
    return svc.SessionEntry(date=args.date, done=args.done, rpe=args.rpe,
                            pain_during=args.pain_during,
                            pain_next_morning=args.pain_next_morning, note=args.note)


def cmd_log_list(args: argparse.Namespace) -> int:
    """``evenstride log list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store.plans import session_log_ids

        with open_existing(args) as store:
            plan_id, _program = svc.require_active(store, athlete_id(store, args))
            rows = session_log_ids(store, plan_id)
        if args.json:
            print_json({"plan_id": plan_id, "logs": [
                {"id": i, "date": lg.date.isoformat(), "done": lg.done, "rpe": lg.rpe,
                 "pain_during": lg.pain_during, "pain_next_morning": lg.pain_next_morning,
                 "note": lg.note} for i, lg in rows]})
            return EXIT_OK
        if not rows:
            print("no session logged yet: 'evenstride log --done --rpe N --pain-during N'")

        def sc(v: float | None) -> str:
            return "–" if v is None else f"{v:g}"

        for i, lg in rows:
            print(f"#{i:<4} {lg.date.isoformat()}  {'done' if lg.done else 'skipped':<7} "
                  f"RPE {sc(lg.rpe)}  pain during {sc(lg.pain_during)}  next morning "
                  f"{sc(lg.pain_next_morning)}" + (f"  {lg.note}" if lg.note else ""))
        return EXIT_OK

    return guarded(run, args)


def cmd_log_edit(args: argparse.Namespace) -> int:
    """``evenstride log edit ID [--date] [--done|--skipped] [--rpe] [--pain-during]
    [--pain-next-morning] [--note]``"""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            _old, new = svc.correct_session_log(store, athlete_id(store, args), args.id,
                                                _entry(args), reason=args.reason or "")
        print(f"session log #{args.id} corrected: {new.date} "
              f"{'done' if new.done else 'skipped'} (kept in 'evenstride log changes')")
        return EXIT_OK

    return guarded(run, args)


def cmd_log_delete(args: argparse.Namespace) -> int:
    """``evenstride log delete ID``"""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            svc.correct_session_log(store, athlete_id(store, args), args.id, svc.SessionEntry(),
                                    reason=getattr(args, "reason", "") or "", delete=True)
        print(f"session log #{args.id} deleted (kept in 'evenstride log changes')")
        return EXIT_OK

    return guarded(run, args)


def _cmd_changes(args: argparse.Namespace) -> int:
    from evenstride.cli.clinical import cmd_changes

    return cmd_changes(args)


# --- commands ----------------------------------------------------------------------------------
def cmd_plan(args: argparse.Namespace) -> int:
    """``evenstride plan``: prescribe and store a program."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.ics import write_ics
        from evenstride.report.handout import write_handout

        req = svc.PlanRequest(start=args.start, weeks=args.weeks,
                              sessions_per_week=args.sessions_per_week,
                              extra_weaker_side_pct=args.extra_weaker_side_pct,
                              level=args.level, retest_every=args.retest_every)
        with open_existing(args) as store:
            made = svc.make_plan(store, athlete_id(store, args), req)
            say_skipped(store, made.skipped)
        plan_id, program, findings, source = made.plan_id, made.program, made.findings, made.source
        doc = program.to_dict()
        if args.html:
            _write(args.html, "handout",
                   lambda p: write_handout(program, p, athlete=args.athlete))
        if args.ics:
            _write(args.ics, "calendar", lambda p: write_ics(program, p, athlete=args.athlete))
        if args.json:
            print_json({**doc, "plan_id": plan_id, "athlete": args.athlete,
                         "findings_from": source})
            return EXIT_OK
        print(f"plan {plan_id} for {args.athlete!r} (findings from the {source}): "
              f"{len(findings)} findings")
        for a in program.red_flags:
            print(f"!!! {a.title}: {a.text}")
        if program.sessions:
            print(f"{program.weeks} weeks from {program.start}, {program.sessions_per_week} "
                  f"sessions a week ({len(program.sessions)} sessions)")
            for ph in program.phases:
                sess = next((s for s in program.sessions if s.phase == ph.name), None)
                if sess is None:
                    continue
                print(f"{ph.name} (weeks {ph.first_week}–{ph.last_week}; speed: {ph.speed}):")
                for p in sess.prescriptions:
                    side = "" if p.weaker_side is None else f" [{p.weaker_side} first]"
                    print(f"  - {p.name}: {p.dosage_text()}{side} ({', '.join(p.findings)})")
        for n in program.notes:
            print(n)
        for a in program.advice:
            print(f"* {a.title} [{a.evidence.grade}]")
        if program.retests:
            print("retests: " + ", ".join(d.isoformat() for d in program.retests))
        return EXIT_OK

    return guarded(run, args)


def cmd_log(args: argparse.Namespace) -> int:
    """``evenstride log``: log one session of the active plan and show the next step."""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            done = svc.log_session(store, athlete_id(store, args), _entry(args))
        plan_id, log, logs, decision = done.plan_id, done.log, done.logs, done.decision
        when = log.date
        if args.json:
            print_json({"plan_id": plan_id, "logged": {
                "date": when.isoformat(), "done": log.done, "rpe": log.rpe,
                "pain_during": log.pain_during, "pain_next_morning": log.pain_next_morning,
                "note": log.note},
                "n_logs": len(logs), "next_step": decision.to_dict()})
            return EXIT_OK
        adh = ("–" if decision.adherence_pct is None else f"{decision.adherence_pct:.0f} %")
        print(f"logged {when} ({'done' if log.done else 'skipped'}) in plan {plan_id}; "
              f"adherence {adh}")
        print(f"next step: {decision.action.upper()} — {decision.reason}")
        from evenstride.clinical.catalog import CATALOG

        for old, new in decision.changes.items():
            names = [CATALOG[k].name if k in CATALOG else k.replace("_", " ")
                     for k in (old, new)]
            print(f"  {names[0]} → {names[1]}")
        if decision.see_clinician:
            print("see a clinician (doctor or physiotherapist) if the pain does not settle")
        return EXIT_OK

    return guarded(run, args)


def _retest_request(args: argparse.Namespace) -> svc.RetestRequest:
    """The retests of the command line: ``--before MEASURE=VALUE``, ``--record MEASURE AFTER
    MDC`` and ``--extra KEY=VALUE`` parsed into numbers."""
    import math

    before: dict[str, float] = {}
    for item in args.before or []:
        k, sep, v = item.partition("=")
        try:
            before[k.strip()] = float(v)
        except ValueError:
            sep = ""
        if not sep or not k.strip() or not math.isfinite(before.get(k.strip(), 0)):
            raise InputError(f"{field('before')} must be MEASURE=VALUE (got {item!r})")
    records = []
    for measure, after, mdc in args.record or []:
        try:
            records.append((measure, float(after), float(mdc)))
        except ValueError:
            raise InputError(f"{field('record')} {measure.strip()}: AFTER and MDC must be "
                             "numbers") from None
    return svc.RetestRequest(date=args.date, tests=[tuple(t) for t in args.test or []],
                             extra=parse_pairs(args.extra or [], field("extra")),
                             records=records, before=before,
                             from_history=bool(args.from_history))


def cmd_retest(args: argparse.Namespace) -> int:
    """``evenstride retest``: retest dates and the outcome check."""

    def run(args: argparse.Namespace) -> int:
        req = _retest_request(args)
        with open_existing(args) as store:
            plan_id, program, rows = svc.record_retests(store, athlete_id(store, args), req)
        schedule, from_plan, result = svc.retest_state(program, rows)
        if args.json:
            print_json({"plan_id": plan_id, "schedule": schedule,
                         "before_from_plan": {m: v for m, (v, _) in from_plan.items()},
                         "outcome": result.to_dict()})
            return EXIT_OK
        print(f"plan {plan_id}: retests")
        for s in schedule:
            print(f"  {s['date']}  {s['status']}")
        if not result.items:
            print("no retest recorded yet: evenstride retest --test PROTOCOL LEFT RIGHT")
        for it in result.items:
            ch = "–" if it.change is None else f"{it.change:+.1f}"
            mdc = "not known: can't tell if beyond noise" if it.mdc is None else f"{it.mdc:g}"
            b = "–" if it.before is None else f"{it.before:g}"
            a = "–" if it.after is None else f"{it.after:g}"
            print(f"  {svc.measure_name(it.measure)}: {b} → {a} (change {ch}, MDC {mdc}): "
                  f"{it.verdict}")
        return EXIT_OK

    return guarded(run, args)


def register(subparsers: Any) -> None:
    """Add ``plan``, ``log`` and ``retest`` (:data:`COMMAND_MODULES
    <evenstride.cli.app.COMMAND_MODULES>`)."""
    add_plan_parsers(subparsers)


def main(argv: list[str] | None = None) -> int:
    """``python -m evenstride.cli.plan plan|log|retest …`` (before cli.py wiring)."""
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_plan_parsers(sub)
    args = p.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
