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
from datetime import date
from typing import Any

from evenstride.cli import types
from evenstride.cli.inputs import (
    EXIT_OK,
    _athlete_id,
    _guarded,
    _open_existing,
    _print_json,
    _store_options,
)
from evenstride.exceptions import UserInputError

__all__ = ["MDC_LSI_PCT", "PLAN_COMMANDS", "active_program", "add_plan_parsers", "cmd_log",
           "cmd_plan", "cmd_retest", "history_findings", "log_session", "make_plan",
           "record_retests", "retest_state"]

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
    _store_options(p)
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
    _store_options(lg)
    lg.set_defaults(func=cmd_log)
    lg_sub = lg.add_subparsers(dest="log_command", required=False,
                               metavar="{list,edit,delete,changes}")
    ll = lg_sub.add_parser("list", help="the session logs of the active plan, with their numbers")
    ll.add_argument("--json", action="store_true", help="print JSON")
    _store_options(ll)
    ll.set_defaults(func=cmd_log_list)
    le = lg_sub.add_parser("edit", help="correct a session log (the old entry is kept in the "
                           "change history)")
    le.add_argument("id", type=types.row_id, metavar="ID",
                    help="the number shown by 'log list'")
    log_fields(le, None)
    le.add_argument("--reason", default="", metavar="TEXT", help="why it was corrected")
    _store_options(le)
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
    _store_options(r)
    r.set_defaults(func=cmd_retest)


# --- helpers -----------------------------------------------------------------------------------
def _history_records(args: argparse.Namespace, measures: list[str]) -> list[tuple[str, float,
                                                                              float]]:
    """(measure, after, MDC95) for running-asymmetry measures, from the athlete's history: the
    latest value and the personal noise floor (docs/methods.md §10)."""
    from evenstride.cli.inputs import load_history as _load_history

    if not measures:
        raise UserInputError("the active plan targets no running-asymmetry measure to retest "
                             "from history; use --record MEASURE AFTER MDC")
    doc = _load_history(args)[0].to_dict()
    out = []
    for m in measures:
        md = (doc.get("metrics") or {}).get(m) or {}
        cur = md.get("current") or {}
        latest = (cur.get("latest") or {}).get("value")
        mdc = cur.get("mdc95") or (md.get("noise_floor") or {}).get("mdc95")
        if latest is None or mdc is None:
            raise UserInputError(
                f"{m}: not enough comparable runs since the plan for a value and a noise floor"
            )
        out.append((m, float(latest), float(mdc)))
    return out



#: How far ahead of today a plan may start (prepared ahead); a past start (a plan entered
#: afterwards) may go back to PLAN_EARLIEST_START.
PLAN_START_WINDOW_DAYS = 365
PLAN_EARLIEST_START = date(2000, 1, 1)


def _date(text: str | None, what: str = "date", *, future_ok: bool = False) -> date:
    if not text:
        return date.today()
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"{what} must be YYYY-MM-DD (got {text!r})") from None
    if not future_ok and d > date.today():
        raise UserInputError(f"{what} {text} is in the future")
    return d


def _score(value: float | None, what: str) -> float | None:
    if value is not None and not (0.0 <= value <= 10.0):  # NaN fails too
        raise UserInputError(f"{what} must be 0–10 (got {value:g})")
    return value


def history_findings(store: Any, athlete_id: int) -> list[Any]:
    """Findings from the stored run history alone (used when the assessment module is not
    available): real, notable/marked running asymmetries of the last runs, and cadence."""
    from evenstride.assessment.reference_bands import Evidence
    from evenstride.clinical.models import ClinicalFinding

    acts = store.activities(athlete_id)
    out: list[ClinicalFinding] = []
    recent = {a.id for a in acts[-10:]}
    seen: set[str] = set()
    ev = Evidence("U", ("evenstride run history",), "Running asymmetry alone does not say which "
                  "muscle is weak; general single-leg work is a guess until tested.")
    for row in reversed(store.asymmetry_rows(athlete_id)):
        if row.activity_id not in recent or not row.real or row.class_ not in ("notable",
                                                                               "marked"):
            continue
        key = f"{row.metric}/{row.source}"
        if key in seen:
            continue
        seen.add(key)
        value = row.symmetry_angle_pct if row.symmetry_angle_pct is not None else row.difference
        out.append(ClinicalFinding(
            "gait_asymmetry", f"{row.class_.capitalize()} {row.metric.replace('_', ' ')} "
            "asymmetry in recent runs", f"{row.metric} ({row.source}) is {row.class_} and real "
            "in recent runs.", ev, targets=("hip_abductors", "calf_soleus", "balance"),
            severity=2 if row.class_ == "marked" else 1, confidence=0.4,
            values={} if value is None else {"index": float(value)}, retest=key))
    cad = [a for a in acts if a.cadence_at_reference_spm is not None]
    if cad and (cad[-1].low_cadence_share or 0.0) > 0.5:
        out.append(ClinicalFinding(
            "cadence", "Cadence low for your speed", "Most of the last run was below your own "
            "speed-matched cadence.", ev,
            values={"cadence_at_reference_spm": float(cad[-1].cadence_at_reference_spm)}))
    return out


def _findings(args: argparse.Namespace, store_athlete: int) -> tuple[list[Any], str]:
    """Findings for the athlete and where they came from."""
    try:
        from evenstride.cli.clinical import assessment_inputs
        from evenstride.clinical import assess
    except ImportError:
        with _open_existing(args) as store:
            return history_findings(store, store_athlete), "run history"
    profile, ts, ss, docs, history = assessment_inputs(args)
    return (assess.integrated_assessment(profile, ts, ss, run_docs=docs, history=history),
            "assessment")


def _active(store: Any, aid: int, args: argparse.Namespace) -> tuple[int, Any]:
    from evenstride.clinical.prescribe import Program
    from evenstride.store._plans import active_plan

    found = active_plan(store, aid)
    if found is None:
        raise UserInputError(f"no active plan for athlete {args.athlete!r}: run "
                             "'evenstride plan' first")
    try:
        return found[0], Program.from_dict(found[1])
    except (ValueError, KeyError, TypeError) as exc:
        raise UserInputError(f"the stored plan cannot be read ({exc})") from None


def _write(path: str, what: str, writer: Any) -> None:
    try:
        writer(path)
    except OSError as exc:
        raise UserInputError(f"cannot write the {what} ({exc.strerror or exc})",
                             path=path) from None


# --- shared by the CLI and the web app ---------------------------------------------------------
def make_plan(args: argparse.Namespace) -> tuple[int, Any, list[Any], str]:
    """Prescribe a program for ``args.athlete`` from their findings and store it as the active
    plan. ``args`` carries ``db``, ``athlete``, ``start``, ``weeks``, ``sessions_per_week``,
    ``extra_weaker_side_pct``, ``level`` and ``retest_every``. Returns (plan id, program,
    findings, where the findings came from)."""
    from evenstride.clinical.prescribe import prescribe
    from evenstride.store._plans import save_plan

    start = _date(args.start, "--start", future_ok=True)
    if (start - date.today()).days > PLAN_START_WINDOW_DAYS:
        raise UserInputError(f"--start {start} is more than {PLAN_START_WINDOW_DAYS} days ahead")
    if start < PLAN_EARLIEST_START:
        raise UserInputError(f"--start {start} is before {PLAN_EARLIEST_START}")
    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
    findings, source = _findings(args, aid)
    try:
        program = prescribe(findings, start=start, weeks=args.weeks,
                            sessions_per_week=args.sessions_per_week,
                            extra_weaker_side_pct=args.extra_weaker_side_pct,
                            level=args.level, retest_every_weeks=args.retest_every)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    with _open_existing(args) as store:
        plan_id = save_plan(store, aid, program.to_dict())
    return plan_id, program, findings, source


def log_session(args: argparse.Namespace) -> tuple[int, Any, list[Any], Any]:
    """Validate and store one session log of the active plan (``args``: ``db``, ``athlete``,
    ``date``, ``done``, ``rpe``, ``pain_during``, ``pain_next_morning``, ``note``). Returns
    (plan id, the log, all logs, the next-step decision)."""
    from evenstride.clinical.prescribe import next_step
    from evenstride.store._plans import add_session_log, session_logs

    if args.done is None:
        raise UserInputError("say whether the session was done or skipped: --done or --skipped")
    log = _session_log(args.date, args.done, args.rpe, args.pain_during,
                       args.pain_next_morning, args.note)
    when = log.date
    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
        plan_id, program = _active(store, aid, args)
        if when < program.start:
            raise UserInputError(f"--date {when} is before the plan started ({program.start})")
        add_session_log(store, plan_id, log)
        logs = session_logs(store, plan_id)
    return plan_id, log, logs, next_step(program, logs)


def _session_log(day: str | None, done: bool, rpe: float | None, during: float | None,
                 morning: float | None, note: str | None) -> Any:
    """One validated session log (shared by ``log`` and ``log edit``)."""
    from evenstride.clinical.prescribe import SessionLog

    when = _date(day, "--date")
    rpe = _score(rpe, "RPE")
    during = _score(during, "pain during")
    morning = _score(morning, "pain next morning")
    if not done and any(v is not None for v in (rpe, during, morning)):
        raise UserInputError("a skipped session has no RPE or pain scores")
    return SessionLog(when, bool(done), rpe, during, morning, note or "")


def correct_session_log(args: argparse.Namespace, log_id: int, *, delete: bool = False
                        ) -> tuple[Any, Any]:
    """Correct (``args``: ``date``, ``done``, ``rpe``, ``pain_during``,
    ``pain_next_morning``, ``note``, ``reason``; ``None`` keeps the stored value) or delete
    one session log of the active plan; the old entry is kept in the change history. Returns
    (old log, new log or ``None``). Shared by ``evenstride log edit|delete`` and the web."""
    from evenstride.store._clinical import correct_record
    from evenstride.store._plans import session_log_ids

    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
        plan_id, program = _active(store, aid, args)
        old = next((lg for i, lg in session_log_ids(store, plan_id) if i == log_id), None)
        if old is None:
            raise UserInputError(f"no session log #{log_id} in the active plan (see "
                                 "'evenstride log list')")
        new = None
        if not delete:
            done = old.done if args.done is None else args.done
            keep = done == old.done

            def pick(v: Any, o: Any) -> Any:
                return v if v is not None else (o if keep else None)

            new = _session_log(args.date or old.date.isoformat(), done,
                               pick(args.rpe, old.rpe), pick(args.pain_during, old.pain_during),
                               pick(args.pain_next_morning, old.pain_next_morning),
                               old.note if args.note is None else args.note)
            if new.date < program.start:
                raise UserInputError(f"--date {new.date} is before the plan started "
                                     f"({program.start})")
        correct_record(store, aid, "session_log", log_id, new,
                       reason=getattr(args, "reason", "") or "")
    return old, new


def cmd_log_list(args: argparse.Namespace) -> int:
    """``evenstride log list``"""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store._plans import session_log_ids

        with _open_existing(args) as store:
            aid = _athlete_id(store, args)
            plan_id, _program = _active(store, aid, args)
            rows = session_log_ids(store, plan_id)
        if args.json:
            _print_json({"plan_id": plan_id, "logs": [
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

    return _guarded(run, args)


def cmd_log_edit(args: argparse.Namespace) -> int:
    """``evenstride log edit ID [--date] [--done|--skipped] [--rpe] [--pain-during]
    [--pain-next-morning] [--note]``"""

    def run(args: argparse.Namespace) -> int:
        _old, new = correct_session_log(args, args.id)
        print(f"session log #{args.id} corrected: {new.date} "
              f"{'done' if new.done else 'skipped'} (kept in 'evenstride log changes')")
        return EXIT_OK

    return _guarded(run, args)


def cmd_log_delete(args: argparse.Namespace) -> int:
    """``evenstride log delete ID``"""

    def run(args: argparse.Namespace) -> int:
        correct_session_log(args, args.id, delete=True)
        print(f"session log #{args.id} deleted (kept in 'evenstride log changes')")
        return EXIT_OK

    return _guarded(run, args)


def _cmd_changes(args: argparse.Namespace) -> int:
    from evenstride.cli.clinical import cmd_changes

    return cmd_changes(args)


def active_program(args: argparse.Namespace) -> tuple[int, Any, list[Any], list[Any]] | None:
    """The active plan of ``args.athlete``: (plan id, program, session logs, retests), or
    ``None`` when there is none."""
    from evenstride.store._plans import active_plan, retests, session_logs

    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
        if active_plan(store, aid) is None:
            return None
        plan_id, program = _active(store, aid, args)
        return plan_id, program, session_logs(store, plan_id), retests(store, plan_id)


# --- commands ----------------------------------------------------------------------------------
def cmd_plan(args: argparse.Namespace) -> int:
    """``evenstride plan``: prescribe and store a program."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.clinical.ics import write_ics
        from evenstride.report.handout import write_handout

        plan_id, program, findings, source = make_plan(args)
        doc = program.to_dict()
        if args.html:
            _write(args.html, "handout",
                   lambda p: write_handout(program, p, athlete=args.athlete))
        if args.ics:
            _write(args.ics, "calendar", lambda p: write_ics(program, p, athlete=args.athlete))
        if args.json:
            _print_json({**doc, "plan_id": plan_id, "athlete": args.athlete,
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

    return _guarded(run, args)


def cmd_log(args: argparse.Namespace) -> int:
    """``evenstride log``: log one session of the active plan and show the next step."""

    def run(args: argparse.Namespace) -> int:
        plan_id, log, logs, decision = log_session(args)
        when = log.date
        if args.json:
            _print_json({"plan_id": plan_id, "logged": {
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

    return _guarded(run, args)


#: Finding value keys that are asymmetries, with the value of perfect symmetry.
_ASYMMETRY_KEYS = (("lsi_pct", 100.0), ("symmetry_angle_pct", 0.0), ("index", 0.0),
                   ("difference", 0.0), ("anterior_diff_cm", 0.0))


def _plan_before(program: Any) -> dict[str, tuple[float, float]]:
    """Asymmetry before the program, by retest measure, from the plan's findings:
    ``measure → (value, value of perfect symmetry)``."""
    out: dict[str, tuple[float, float]] = {}
    for f in program.findings:
        vals = f.get("values") or {}
        key = f.get("retest")
        if not key:
            continue
        for k, sym in _ASYMMETRY_KEYS:
            if k in vals:
                out.setdefault(key, (float(vals[k]), sym))
                break
    return out


#: Minimal detectable change of a test's LSI, percentage points, with its source. Tests not
#: listed have no published MDC of the LSI: their change is shown as "no MDC known".
MDC_LSI_PCT: dict[str, tuple[float | None, str]] = {
    **dict.fromkeys(("single_hop", "triple_hop", "crossover_hop", "timed_hop_6m"), (
        13.0, "Reid et al. 2007 Phys Ther 87(3):337–349: MDC90 of hop-test LSIs 7.05–12.96 % "
        "after ACL reconstruction; the upper bound, rounded, for every hop test (grade S: "
        "secondary source, another population)")),
}


def _measure_name(measure: str) -> str:
    """A retest measure in plain words (a protocol's name, or a running metric)."""
    from evenstride.clinical.protocols import PROTOCOLS

    if measure in PROTOCOLS:
        return f"{PROTOCOLS[measure].name} (LSI %)"
    metric, _, source = measure.partition("/")
    return metric.replace("_", " ") + (f" ({source.replace('_', ' ')})" if source else "")


def _lsi(protocol: str, pair: dict[str, Any], involved: str, mass: float | None
         ) -> float | None:
    """LSI % of a left/right pair with a fixed involved side (timed tests inverted), comparing
    torques when both sides have lever arms, else the raw values."""
    from evenstride.clinical.protocols import PROTOCOLS, normalised_value

    p = PROTOCOLS[protocol]
    other = "right" if involved == "left" else "left"
    vals = {s: t.value for s, t in pair.items()}
    if p.key.startswith("hhd_"):
        norm = {s: normalised_value(t, mass) for s, t in pair.items()}
        if all(v is not None for v in norm.values()):
            vals = {s: float(v) for s, v in norm.items() if v is not None}
    num, den = vals[involved], vals[other]
    if p.lower_is_better:
        num, den = den, num
    return None if den <= 0 else round(num / den * 100.0, 1)


def _test_retest(store: Any, aid: int, program: Any, protocol: str, left: str, right: str,
                 extra: dict[str, float], when: date) -> tuple[list[Any], str, float | None,
                                                                float | None, float | None]:
    """Validate both sides of a retested test; return the two results, the involved side, the
    LSI before (from the stored tests before the plan, else the plan's finding), after, and
    the MDC of the LSI."""
    import math

    from evenstride.cli.clinical import validate_test
    from evenstride.clinical.protocols import PROTOCOLS
    from evenstride.store._clinical import load_profile, tests

    if protocol not in PROTOCOLS:
        raise UserInputError(f"--test: unknown test {protocol!r}: see 'evenstride test "
                             "protocols'")
    vals = []
    for side, v in (("left", left), ("right", right)):
        try:
            x = float(v)
        except ValueError:
            raise UserInputError(f"--test {protocol}: {side} value must be a number in "
                                 f"{PROTOCOLS[protocol].unit} (got {v!r})") from None
        if not math.isfinite(x):
            raise UserInputError(f"--test {protocol}: {side} value must be finite")
        vals.append(validate_test(store, aid, protocol, side, x, extra=dict(extra),
                                  when=when.isoformat(), note="retest"))
    new = {t.side: t for t in vals}
    prof = load_profile(store, aid)
    mass = prof.body_mass_kg if prof is not None else None
    finding = next((f for f in program.findings if f.get("retest") == protocol), None)
    involved = (finding or {}).get("side") or (prof.involved_side if prof else None)
    earlier = [t for t in tests(store, aid) if t.protocol == protocol and t.when < when]
    base = [t for t in earlier if t.when <= program.start] or earlier
    pair: dict[str, Any] = {}
    for t in base:
        if t.side in ("left", "right"):
            pair[t.side] = t  # latest per side (tests come oldest first)
    if involved is None:
        ref = pair if set(pair) == {"left", "right"} else new
        lower_better = PROTOCOLS[protocol].lower_is_better
        worse = (max if lower_better else min)(("left", "right"), key=lambda s: ref[s].value)
        involved = worse
    before = None
    if set(pair) == {"left", "right"}:
        before = _lsi(protocol, pair, involved, mass)
    elif finding and "lsi_pct" in (finding.get("values") or {}):
        before = float(finding["values"]["lsi_pct"])
    after = _lsi(protocol, new, involved, mass)
    mdc = MDC_LSI_PCT.get(protocol, (None, ""))[0]
    return vals, involved, before, after, mdc


def _running_measures(program: Any) -> set[str]:
    """Running-asymmetry measures the plan can be retested on by hand."""
    return {f["retest"] for f in program.findings if "/" in (f.get("retest") or "")}


def record_retests(args: argparse.Namespace) -> tuple[int, Any, list[Any]]:
    """Validate and store the retests of ``args`` (``test`` [(PROTOCOL, LEFT, RIGHT)],
    ``extra`` [KEY=VALUE], ``record`` [(METRIC/SOURCE, AFTER, MDC)], ``before``
    [MEASURE=VALUE], ``date``, ``from_history``) in the active plan of ``args.athlete``;
    returns (plan id, program, every retest row of the plan). Shared by ``evenstride retest``
    and the web app.

    A test is retested on both sides in its own unit: both results are stored as tests, and
    the LSI before (stored tests before the plan) and after are computed here, with the test's
    MDC (:data:`MDC_LSI_PCT`). ``--record`` takes only the plan's running-asymmetry measures;
    anything else is refused with one line.
    """
    import math

    from evenstride.cli.clinical import _pairs
    from evenstride.clinical.protocols import PROTOCOLS
    from evenstride.store._clinical import add_test
    from evenstride.store._plans import add_retest, retests

    when = _date(args.date, "--date")
    before_override: dict[str, float] = {}
    for item in getattr(args, "before", []) or []:
        k, sep, v = item.partition("=")
        try:
            before_override[k.strip()] = float(v)
        except ValueError:
            sep = ""
        if not sep or not k.strip() or not math.isfinite(before_override.get(k.strip(), 0)):
            raise UserInputError(f"--before must be MEASURE=VALUE (got {item!r})")
    records = []
    for measure, after, mdc in getattr(args, "record", []) or []:
        measure = measure.strip()
        if measure in PROTOCOLS:
            raise UserInputError(f"--record {measure}: a test is retested with --test "
                                 f"{measure} LEFT RIGHT (the LSI is computed for you)")
        try:
            a, m = float(after), float(mdc)
        except ValueError:
            raise UserInputError(f"--record {measure}: AFTER and MDC must be numbers") \
                from None
        if not (math.isfinite(a) and math.isfinite(m)) or m < 0:
            raise UserInputError(f"--record {measure}: MDC must be ≥ 0 and values finite")
        records.append((measure, a, m))
    test_specs = list(getattr(args, "test", []) or [])
    extra = _pairs(getattr(args, "extra", []) or [], "--extra")
    with _open_existing(args) as store:
        aid = _athlete_id(store, args)
        plan_id, program = _active(store, aid, args)
        if (records or test_specs) and when < program.start:
            raise UserInputError(f"--date {when} is before the plan started "
                                 f"({program.start})")
        known = _running_measures(program)
        for measure, _a, _m in records:
            if measure not in known:
                hint = (f"the plan's running measures are {', '.join(sorted(known))}" if known
                        else "the plan has no running measure")
                raise UserInputError(f"--record: unknown measure {measure!r}: use --test "
                                     f"PROTOCOL LEFT RIGHT for a test ('evenstride test "
                                     f"protocols'); {hint}")
        before = {**{m: v for m, (v, _) in _plan_before(program).items()}, **before_override}
        if getattr(args, "from_history", False):
            records += _history_records(args, [m for m in before if "/" in m])
        computed = [(spec[0], *_test_retest(store, aid, program, spec[0], spec[1], spec[2],
                                            extra, when)) for spec in test_specs]
        for protocol, results, _inv, t_before, t_after, t_mdc in computed:
            for t in results:
                add_test(store, aid, t)
            add_retest(store, plan_id, when, protocol, before=t_before, after=t_after,
                       mdc=t_mdc)
        for measure, a, m in records:
            add_retest(store, plan_id, when, measure, before=before.get(measure),
                       after=a, mdc=m)
        rows = retests(store, plan_id)
    return plan_id, program, rows


def retest_state(program: Any, rows: list[Any], today: date | None = None
                 ) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]], Any]:
    """The plan's retest schedule (each date ``due``, ``done`` or ``upcoming``), the
    asymmetry before the plan per measure (:func:`_plan_before`) and the outcome check of the
    latest retest of each measure. Shared by ``evenstride retest`` and the web app."""
    from evenstride.clinical.prescribe import outcome_check

    today = today or date.today()
    from_plan = _plan_before(program)
    # latest retest per measure; before from the row (it was filled when recorded)
    latest = {r.measure: r for r in rows}
    result = outcome_check(
        {m: r.before for m, r in latest.items() if r.before is not None},
        {m: r.after for m, r in latest.items() if r.after is not None},
        {m: r.mdc for m, r in latest.items() if r.mdc is not None},
        symmetric={m: sym for m, (_, sym) in from_plan.items()},
    )
    schedule = [{"date": d.isoformat(),
                 "status": "due" if d <= today and not any(r.when >= d for r in rows)
                 else ("done" if any(r.when >= d for r in rows) else "upcoming")}
                for d in program.retests]
    return schedule, from_plan, result


def cmd_retest(args: argparse.Namespace) -> int:
    """``evenstride retest``: retest dates and the outcome check."""

    def run(args: argparse.Namespace) -> int:
        plan_id, program, rows = record_retests(args)
        schedule, from_plan, result = retest_state(program, rows)
        if args.json:
            _print_json({"plan_id": plan_id, "schedule": schedule,
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
            print(f"  {_measure_name(it.measure)}: {b} → {a} (change {ch}, MDC {mdc}): "
                  f"{it.verdict}")
        return EXIT_OK

    return _guarded(run, args)


def main(argv: list[str] | None = None) -> int:
    """``python -m evenstride.cli.plan plan|log|retest …`` (before cli.py wiring)."""
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_plan_parsers(sub)
    args = p.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
