# SPDX-License-Identifier: MIT
"""The athlete's program: prescribe it from their findings, log its sessions, retest.

Shared by ``evenstride plan | log | retest`` and the web app's plan page. Every function takes
an open store and an athlete id, and plain values in (:class:`PlanRequest`,
:class:`SessionEntry`, :class:`RetestRequest`); none opens, prints or exits. Inputs are named in
messages with :func:`~evenstride.services.errors.field`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any

from evenstride.services.errors import InputError, field

__all__ = [
    "MDC_LSI_PCT",
    "PLAN_EARLIEST_START",
    "PLAN_START_WINDOW_DAYS",
    "ActivePlan",
    "LoggedSession",
    "NewPlan",
    "PlanRequest",
    "RetestRequest",
    "SessionEntry",
    "active_program",
    "correct_session_log",
    "history_findings",
    "log_session",
    "make_plan",
    "measure_name",
    "record_retests",
    "require_active",
    "retest_state",
]


@dataclass(frozen=True)
class PlanRequest:
    """What to prescribe: first session (``YYYY-MM-DD``, default today), weeks, sessions a
    week, extra volume for the weaker side (%), starting level, weeks between retests."""

    start: str | None = None
    weeks: int = 10
    sessions_per_week: int = 2
    extra_weaker_side_pct: float = 0.0
    level: int | None = None
    retest_every: int = 4


@dataclass(frozen=True)
class NewPlan:
    """A stored plan, the findings it was prescribed from and where they came from
    (``"assessment"`` or ``"run history"``); ``skipped``: stored runs left out as unreadable."""

    plan_id: int
    program: Any
    findings: list[Any]
    source: str
    skipped: list[str] = dc_field(default_factory=list)


@dataclass(frozen=True)
class SessionEntry:
    """One session of the plan as the athlete reports it. For a correction, ``None`` keeps the
    stored value (``done`` and ``note`` included)."""

    date: str | None = None
    done: bool | None = None
    rpe: float | None = None
    pain_during: float | None = None
    pain_next_morning: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class LoggedSession:
    """A stored session log, every log of the plan and the next step (pain-monitoring rule)."""

    plan_id: int
    log: Any
    logs: list[Any]
    decision: Any


@dataclass(frozen=True)
class ActivePlan:
    """The athlete's active plan with its session logs and retests."""

    plan_id: int
    program: Any
    logs: list[Any]
    retests: list[Any]


@dataclass(frozen=True)
class RetestRequest:
    """Retests to record in the active plan: tests retested on both sides
    ``(protocol, left, right)`` (values as typed) with ``extra`` values, running measures
    ``(measure, after, MDC)``, values before the plan that replace the plan's own
    (``measure → value``), the date, and whether to retest the running measures from the
    athlete's run history."""

    date: str | None = None
    tests: list[tuple[str, Any, Any]] = dc_field(default_factory=list)
    extra: dict[str, float] = dc_field(default_factory=dict)
    records: list[tuple[str, float, float]] = dc_field(default_factory=list)
    before: dict[str, float] = dc_field(default_factory=dict)
    from_history: bool = False


#: How far ahead of today a plan may start (prepared ahead); a past start (a plan entered
#: afterwards) may go back to PLAN_EARLIEST_START.
# --- helpers -----------------------------------------------------------------------------------
PLAN_START_WINDOW_DAYS = 365


PLAN_EARLIEST_START = date(2000, 1, 1)


def _date(text: str | None, what: str = "date", *, future_ok: bool = False) -> date:
    """A date (``YYYY-MM-DD``; today when empty); ``what`` names the input in messages."""
    if not text:
        return date.today()
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what} must be YYYY-MM-DD (got {text!r})") from None
    if not future_ok and d > date.today():
        raise InputError(f"{what} {text} is in the future")
    return d


def _score(value: float | None, what: str) -> float | None:
    """A 0–10 score (effort or pain) or ``None``."""
    if value is not None and not (0.0 <= value <= 10.0):  # NaN fails too
        raise InputError(f"{what} must be 0–10 (got {value:g})")
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


# --- shared by the CLI and the web app ---------------------------------------------------------
def _session_log(day: str | None, done: bool, rpe: float | None, during: float | None,
                 morning: float | None, note: str | None) -> Any:
    """One validated session log (shared by ``log`` and ``log edit``)."""
    from evenstride.clinical.prescribe import SessionLog

    when = _date(day, field("date"))
    rpe = _score(rpe, "RPE")
    during = _score(during, "pain during")
    morning = _score(morning, "pain next morning")
    if not done and any(v is not None for v in (rpe, during, morning)):
        raise InputError("a skipped session has no RPE or pain scores")
    return SessionLog(when, bool(done), rpe, during, morning, note or "")


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


def measure_name(measure: str) -> str:
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


def _running_measures(program: Any) -> set[str]:
    """Running-asymmetry measures the plan can be retested on by hand."""
    return {f["retest"] for f in program.findings if "/" in (f.get("retest") or "")}


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


def _name(store: Any, athlete_id: int) -> str:
    return str(store.athlete_by_id(athlete_id).name)


def _history_records(store: Any, athlete_id: int, measures: list[str]
                     ) -> list[tuple[str, float, float]]:
    """(measure, after, MDC95) for running-asymmetry measures, from the athlete's history: the
    latest value and the personal noise floor (docs/methods.md §10)."""
    from evenstride.services.history import load_history

    if not measures:
        raise InputError("the active plan targets no running-asymmetry measure to retest "
                         f"from history; use {field('record')} MEASURE AFTER MDC")
    doc = load_history(store, athlete_id).history.to_dict()
    out = []
    for m in measures:
        md = (doc.get("metrics") or {}).get(m) or {}
        cur = md.get("current") or {}
        latest = (cur.get("latest") or {}).get("value")
        mdc = cur.get("mdc95") or (md.get("noise_floor") or {}).get("mdc95")
        if latest is None or mdc is None:
            raise InputError(
                f"{m}: not enough comparable runs since the plan for a value and a noise floor"
            )
        out.append((m, float(latest), float(mdc)))
    return out


def _findings(store: Any, athlete_id: int) -> tuple[list[Any], str, list[str]]:
    """Findings for the athlete, where they came from, and the runs the history skipped."""
    try:
        from evenstride.clinical import assess
        from evenstride.services.clinical import assessment_inputs
    except ImportError:
        return history_findings(store, athlete_id), "run history", []
    inp = assessment_inputs(store, athlete_id)
    return (assess.integrated_assessment(inp.profile, inp.tests, inp.symptoms,
                                         run_docs=inp.run_docs, history=inp.history),
            "assessment", inp.skipped)


def require_active(store: Any, athlete_id: int) -> tuple[int, Any]:
    """The active plan's id and program (a user error when there is none)."""
    from evenstride.clinical.prescribe import Program
    from evenstride.store.plans import active_plan

    found = active_plan(store, athlete_id)
    if found is None:
        raise InputError(f"no active plan for athlete {_name(store, athlete_id)!r}: run "
                         "'evenstride plan' first")
    try:
        return found[0], Program.from_dict(found[1])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"the stored plan cannot be read ({exc})") from None


def make_plan(store: Any, athlete_id: int, req: PlanRequest) -> NewPlan:
    """Prescribe a program from the athlete's findings and store it as the active plan."""
    from evenstride.clinical.prescribe import prescribe
    from evenstride.store.plans import save_plan

    start = _date(req.start, field("start"), future_ok=True)
    if (start - date.today()).days > PLAN_START_WINDOW_DAYS:
        raise InputError(f"{field('start')} {start} is more than {PLAN_START_WINDOW_DAYS} days "
                         "ahead")
    if start < PLAN_EARLIEST_START:
        raise InputError(f"{field('start')} {start} is before {PLAN_EARLIEST_START}")
    findings, source, skipped = _findings(store, athlete_id)
    try:
        program = prescribe(findings, start=start, weeks=req.weeks,
                            sessions_per_week=req.sessions_per_week,
                            extra_weaker_side_pct=req.extra_weaker_side_pct,
                            level=req.level, retest_every_weeks=req.retest_every)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    plan_id = save_plan(store, athlete_id, program.to_dict())
    return NewPlan(plan_id, program, findings, source, skipped)


def log_session(store: Any, athlete_id: int, entry: SessionEntry) -> LoggedSession:
    """Validate and store one session log of the active plan; returns it with every log and
    the next-step decision."""
    from evenstride.clinical.prescribe import next_step
    from evenstride.store.plans import add_session_log, session_logs

    if entry.done is None:
        raise InputError("say whether the session was done or skipped: "
                         f"{field('done')} or {field('skipped')}")
    log = _session_log(entry.date, entry.done, entry.rpe, entry.pain_during,
                       entry.pain_next_morning, entry.note)
    when = log.date
    plan_id, program = require_active(store, athlete_id)
    if when < program.start:
        raise InputError(f"{field('date')} {when} is before the plan started ({program.start})")
    add_session_log(store, plan_id, log)
    logs = session_logs(store, plan_id)
    return LoggedSession(plan_id, log, logs, next_step(program, logs))


def correct_session_log(store: Any, athlete_id: int, log_id: int, change: SessionEntry, *,
                        reason: str = "", delete: bool = False) -> tuple[Any, Any]:
    """Correct (``None`` in ``change`` keeps the stored value) or delete one session log of
    the active plan; the old entry is kept in the change history. Returns (old log, new log or
    ``None``)."""
    from evenstride.store.clinical import correct_record
    from evenstride.store.plans import session_log_ids

    plan_id, program = require_active(store, athlete_id)
    old = next((lg for i, lg in session_log_ids(store, plan_id) if i == log_id), None)
    if old is None:
        raise InputError(f"no session log #{log_id} in the active plan (see "
                         "'evenstride log list')")
    new = None
    if not delete:
        done = old.done if change.done is None else change.done
        keep = done == old.done

        def pick(v: Any, o: Any) -> Any:
            return v if v is not None else (o if keep else None)

        new = _session_log(change.date or old.date.isoformat(), done,
                           pick(change.rpe, old.rpe), pick(change.pain_during, old.pain_during),
                           pick(change.pain_next_morning, old.pain_next_morning),
                           old.note if change.note is None else change.note)
        if new.date < program.start:
            raise InputError(f"{field('date')} {new.date} is before the plan started "
                             f"({program.start})")
    correct_record(store, athlete_id, "session_log", log_id, new, reason=reason or "")
    return old, new


def active_program(store: Any, athlete_id: int) -> ActivePlan | None:
    """The athlete's active plan with its session logs and retests; ``None`` when there is
    none."""
    from evenstride.store.plans import active_plan, retests, session_logs

    if active_plan(store, athlete_id) is None:
        return None
    plan_id, program = require_active(store, athlete_id)
    return ActivePlan(plan_id, program, session_logs(store, plan_id), retests(store, plan_id))


def _test_retest(store: Any, aid: int, program: Any, protocol: str, left: Any, right: Any,
                 extra: dict[str, float], when: date) -> tuple[list[Any], str, float | None,
                                                                float | None, float | None]:
    """Validate both sides of a retested test; return the two results, the involved side, the
    LSI before (from the stored tests before the plan, else the plan's finding), after, and
    the MDC of the LSI."""
    from evenstride.clinical.protocols import PROTOCOLS
    from evenstride.services.clinical import validate_test
    from evenstride.store.clinical import load_profile, tests

    if protocol not in PROTOCOLS:
        raise InputError(f"{field('test')}: unknown test {protocol!r}: see 'evenstride test "
                         "protocols'")
    vals = []
    for side, v in (("left", left), ("right", right)):
        try:
            x = float(v)
        except ValueError:
            raise InputError(f"{field('test')} {protocol}: {side} value must be a number in "
                             f"{PROTOCOLS[protocol].unit} (got {v!r})") from None
        if not math.isfinite(x):
            raise InputError(f"{field('test')} {protocol}: {side} value must be finite")
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


def record_retests(store: Any, athlete_id: int, req: RetestRequest) -> tuple[int, Any, list[Any]]:
    """Validate and store retests in the athlete's active plan; returns (plan id, program,
    every retest row of the plan).

    A test is retested on both sides in its own unit: both results are stored as tests, and
    the LSI before (stored tests before the plan) and after are computed here, with the test's
    MDC (:data:`MDC_LSI_PCT`). Recorded measures may only be the plan's running-asymmetry
    measures; anything else is refused with one line.
    """
    from evenstride.clinical.protocols import PROTOCOLS
    from evenstride.store.clinical import add_test
    from evenstride.store.plans import add_retest, retests

    when = _date(req.date, field("date"))
    records = []
    for measure, a, m in req.records:
        measure = measure.strip()
        if measure in PROTOCOLS:
            raise InputError(f"{field('record')} {measure}: a test is retested with "
                             f"{field('test')} {measure} LEFT RIGHT (the LSI is computed for "
                             "you)")
        if not (math.isfinite(a) and math.isfinite(m)) or m < 0:
            raise InputError(f"{field('record')} {measure}: MDC must be ≥ 0 and values finite")
        records.append((measure, a, m))
    plan_id, program = require_active(store, athlete_id)
    if (records or req.tests) and when < program.start:
        raise InputError(f"{field('date')} {when} is before the plan started ({program.start})")
    known = _running_measures(program)
    for measure, _a, _m in records:
        if measure not in known:
            hint = (f"the plan's running measures are {', '.join(sorted(known))}" if known
                    else "the plan has no running measure")
            raise InputError(f"{field('record')}: unknown measure {measure!r}: use "
                             f"{field('test')} PROTOCOL LEFT RIGHT for a test ('evenstride "
                             f"test protocols'); {hint}")
    before = {**{m: v for m, (v, _) in _plan_before(program).items()}, **req.before}
    if req.from_history:
        records += _history_records(store, athlete_id, [m for m in before if "/" in m])
    computed = [(spec[0], *_test_retest(store, athlete_id, program, spec[0], spec[1], spec[2],
                                        req.extra, when)) for spec in req.tests]
    for protocol, results, _inv, t_before, t_after, t_mdc in computed:
        for t in results:
            add_test(store, athlete_id, t)
        add_retest(store, plan_id, when, protocol, before=t_before, after=t_after, mdc=t_mdc)
    for measure, a, m in records:
        add_retest(store, plan_id, when, measure, before=before.get(measure), after=a, mdc=m)
    return plan_id, program, retests(store, plan_id)
