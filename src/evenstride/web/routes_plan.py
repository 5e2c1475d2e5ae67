# SPDX-License-Identifier: MIT
"""The athlete's program: prescribe, log sessions, retest, print and calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from evenstride.exceptions import UserInputError
from evenstride.services import plan as svc
from evenstride.services.clinical import change_lines
from evenstride.web._common import (
    _athlete,
    _form_errors,
    _nav,
    _num,
    _page,
    _program_or_404,
    _store,
    _text,
)

bp = Blueprint("plan", __name__)


@bp.get("/a/<int:aid>/plan")
def plan_page(aid: int) -> Any:
    from evenstride.clinical.catalog import CATALOG
    from evenstride.clinical.prescribe import adherence, next_step
    from evenstride.report.handout import _phases

    a = _athlete(aid)
    found = svc.active_program(_store(), aid)

    def exercise_name(key: str) -> str:  # the next-step card names exercises, not keys
        ex = CATALOG.get(key)
        return ex.name if ex is not None else key.replace("_", " ")

    ctx: dict[str, Any] = {"athlete": a, "nav": _nav(a, "plan"),
                           "today": date.today().isoformat(),
                           "exercise_name": exercise_name}
    if found is not None:
        plan_id, program, logs, rts = found.plan_id, found.program, found.logs, found.retests
        # the schedule, the asymmetry before the plan (measure → (value, value of
        # symmetry)) and the verdicts, as 'evenstride retest' computes them
        schedule, from_plan, outcome = svc.retest_state(program, rts)
        from evenstride.clinical.models import TARGET_WORDS
        from evenstride.clinical.protocols import PROTOCOLS
        from evenstride.store.clinical import edits
        from evenstride.store.plans import session_log_ids

        planned = [f["retest"] for f in program.findings if f.get("retest") in PROTOCOLS]
        ctx.update(
            log_rows=list(reversed(session_log_ids(_store(), plan_id))),
            log_changes=change_lines(edits(_store(), aid, "session_log")),
            measure_name=svc.measure_name,
            retest_protocols=[(k, PROTOCOLS[k]) for k in dict.fromkeys(
                [*planned, *PROTOCOLS]) if PROTOCOLS[k].sided],
            mdc_known=svc.MDC_LSI_PCT,
            excluded_words=[TARGET_WORDS.get(t, t.replace("_", " "))
                            for t in program.excluded_targets],
        )
        ctx.update(
            plan_id=plan_id, program=program, phases=_phases(program), logs=logs,
            decision=next_step(program, logs) if logs else None,
            adherence=adherence(program, logs),
            retests=schedule,
            recorded=rts,
            measures=sorted({f.get("retest") for f in program.findings
                             if f.get("retest")}),
            # running-asymmetry measures ("metric/source") can come from the run history
            history_measures=sorted({f["retest"] for f in program.findings
                                     if "/" in (f.get("retest") or "")}),
            before=from_plan,
            outcome=outcome.items,
        )
    return render_template("plan.html.j2", **ctx)


@bp.post("/a/<int:aid>/plan")
def plan_create(aid: int) -> Any:
    _athlete(aid)

    def run() -> Any:
        # blank → the CLI's defaults; a typed 0 is refused as the CLI refuses it (``or 10``
        # silently turned 0 weeks into a 10-week plan; review fix)
        weeks = _num("weeks", integer=True)
        spw = _num("sessions_per_week", integer=True)
        weeks = 10 if weeks is None else weeks
        spw = 2 if spw is None else spw
        made = svc.make_plan(_store(), aid, svc.PlanRequest(
            start=_text("start", 10) or None, weeks=weeks, sessions_per_week=spw,
            extra_weaker_side_pct=_num("extra_weaker_side_pct") or 0.0,
            level=_num("level", integer=True), retest_every=4))
        flash(f"Plan {made.plan_id} prescribed from {len(made.findings)} findings "
              f"({made.source}).", "ok")
        return redirect(url_for("plan.plan_page", aid=aid))

    return _form_errors(run, url_for("plan.plan_page", aid=aid))


@bp.post("/a/<int:aid>/plan/log")
def plan_log(aid: int) -> Any:
    _athlete(aid)

    def run() -> Any:
        done = request.form.get("done") == "done"
        logged = svc.log_session(_store(), aid, svc.SessionEntry(
            date=_text("date", 10) or None, done=done, rpe=_num("rpe"),
            pain_during=_num("pain_during"), pain_next_morning=_num("pain_next_morning"),
            note=_text("note")))
        log, decision = logged.log, logged.decision
        flash(f"Session on {log.date.isoformat()} logged. Next step: "
              f"{decision.action} — {decision.reason}", "ok")
        return redirect(url_for("plan.plan_page", aid=aid) + "#log")

    return _form_errors(run, url_for("plan.plan_page", aid=aid) + "#log")


@bp.post("/a/<int:aid>/plan/log/<int:lid>/edit")
def plan_log_edit(aid: int, lid: int) -> Any:
    return plan_log_correct(aid, lid, "edit")


@bp.post("/a/<int:aid>/plan/log/<int:lid>/delete")
def plan_log_delete(aid: int, lid: int) -> Any:
    return plan_log_correct(aid, lid, "delete")


def plan_log_correct(aid: int, lid: int, action: str) -> Any:
    """``evenstride log edit|delete``: the same validation, the old entry kept."""
    _athlete(aid)

    def run() -> Any:
        done = {"done": True, "skipped": False}.get(_text("done", 10))
        svc.correct_session_log(_store(), aid, lid, svc.SessionEntry(
            date=_text("date", 10) or None, done=done, rpe=_num("rpe"),
            pain_during=_num("pain_during"), pain_next_morning=_num("pain_next_morning"),
            note=_text("note") if "note" in request.form else None),
            reason=_text("reason", 200), delete=action == "delete")
        flash(f"Session log #{lid} {'deleted' if action == 'delete' else 'corrected'} "
              "(the old entry is kept under 'Changes').", "ok")
        return redirect(url_for("plan.plan_page", aid=aid) + "#log")

    return _form_errors(run, url_for("plan.plan_page", aid=aid) + "#log")


@bp.post("/a/<int:aid>/plan/retest")
def plan_retest(aid: int) -> Any:
    _athlete(aid)

    def run() -> Any:
        protocol = _text("protocol", 80)
        left, right = _num("left", required=True), _num("right", required=True)
        if not protocol:
            raise UserInputError("choose the test that was retested")
        svc.record_retests(_store(), aid, svc.RetestRequest(
            date=_text("date", 10) or None, tests=[(protocol, left, right)]))
        flash(f"Retest of {svc.measure_name(protocol)} recorded: the LSI was computed from "
              "both sides.", "ok")
        return redirect(url_for("plan.plan_page", aid=aid) + "#retests")

    return _form_errors(run, url_for("plan.plan_page", aid=aid) + "#retests")


@bp.post("/a/<int:aid>/plan/retest-history")
def plan_retest_history(aid: int) -> Any:
    """``evenstride retest --from-history``: running measures from the latest runs."""
    _athlete(aid)

    def run() -> Any:
        svc.record_retests(_store(), aid, svc.RetestRequest(from_history=True))
        flash("Running measures retested from the run history.", "ok")
        return redirect(url_for("plan.plan_page", aid=aid) + "#retests")

    return _form_errors(run, url_for("plan.plan_page", aid=aid) + "#retests")


@bp.get("/a/<int:aid>/plan/print")
def plan_print(aid: int) -> Any:
    from evenstride.report.handout import render_handout

    a = _athlete(aid)
    return _page(render_handout(_program_or_404(a), athlete=a.name))


@bp.get("/a/<int:aid>/plan.ics")
def plan_ics(aid: int) -> Any:
    from evenstride.clinical.ics import program_to_ics

    a = _athlete(aid)
    text = program_to_ics(_program_or_404(a), athlete=a.name)
    fname = secure_filename(f"evenstride-plan-{a.name}.ics") or "evenstride-plan.ics"
    return Response(text, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{fname}"'})
