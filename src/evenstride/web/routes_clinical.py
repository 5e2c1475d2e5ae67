# SPDX-License-Identifier: MIT
"""Tests and symptoms (add, correct, delete) and the integrated assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from evenstride.services import clinical as svc
from evenstride.services.clinical import (
    assess,
    change_lines,
    red_flag_line,
)
from evenstride.store.clinical import load_profile
from evenstride.web._common import _athlete, _form_errors, _nav, _num, _store, _text

bp = Blueprint("clinical", __name__)


@bp.get("/a/<int:aid>/clinical")
def clinical_page(aid: int) -> Any:
    from evenstride.clinical.assess import RED_FLAGS, agonist_antagonist, lsi_results
    from evenstride.clinical.models import SYMPTOM_REGIONS
    from evenstride.clinical.protocols import PROTOCOLS
    from evenstride.store.clinical import edits, symptom_ids, test_ids, tests

    a = _athlete(aid)
    st = _store()
    prof = load_profile(st, aid)
    ts = tests(st, aid)
    return render_template(
        "clinical.html.j2", athlete=a, profile=prof,
        tests=list(reversed(test_ids(st, aid))),
        lsis=lsi_results(ts, prof), ratios=agonist_antagonist(ts, prof),
        symptoms=list(reversed(symptom_ids(st, aid))), protocols=PROTOCOLS,
        activities=list(reversed(st.activities(aid)))[:30], today=date.today().isoformat(),
        red_flags={k: v for k, v in RED_FLAGS.items() if k != "rising"},
        regions=SYMPTOM_REGIONS,
        changes=change_lines([e for e in edits(st, aid) if e.record != "session_log"]),
        nav=_nav(a, "clinical"))


@bp.post("/a/<int:aid>/tests/<int:tid>/edit")
def test_edit(aid: int, tid: int) -> Any:
    """``evenstride test edit``: the same validation, the old row kept."""
    a = _athlete(aid)

    def run() -> Any:
        svc.edit_test(_store(), aid, tid, side=_text("side", 10) or None, value=_num("value"),
                      when=_text("date", 10) or None, note=_text("note"),
                      reason=_text("reason", 200))
        flash(f"Test #{tid} corrected (the old entry is kept under 'Changes').", "ok")
        return redirect(url_for("clinical.clinical_page", aid=a.id) + "#tests")

    return _form_errors(run, url_for("clinical.clinical_page", aid=aid) + "#tests")


@bp.post("/a/<int:aid>/tests/<int:rid>/delete")
def test_delete(aid: int, rid: int) -> Any:
    return clinical_delete(aid, rid, "tests")


@bp.post("/a/<int:aid>/symptoms/<int:rid>/delete")
def symptom_delete(aid: int, rid: int) -> Any:
    return clinical_delete(aid, rid, "symptoms")


def clinical_delete(aid: int, rid: int, kind: str) -> Any:
    """``evenstride test|symptom delete``: the row is kept in the change history."""
    a = _athlete(aid)
    record = "test" if kind == "tests" else "symptom"

    def run() -> Any:
        svc.delete_record(_store(), aid, record, rid, reason=_text("reason", 200))
        flash(f"{record.capitalize()} #{rid} deleted (kept under 'Changes').", "ok")
        return redirect(url_for("clinical.clinical_page", aid=a.id) + f"#{kind}")

    return _form_errors(run, url_for("clinical.clinical_page", aid=aid) + f"#{kind}")


@bp.post("/a/<int:aid>/symptoms/<int:sid>/edit")
def symptom_edit(aid: int, sid: int) -> Any:
    """``evenstride symptom edit``: the same validation, the old row kept."""
    a = _athlete(aid)

    def run() -> Any:
        svc.edit_symptom(_store(), aid, sid, side=_text("side", 10) or None,
                         region=_text("region", 60) or None, kind=_text("kind", 20) or None,
                         severity=_num("severity", integer=True),
                         timing=_text("timing", 20) or None, flags=request.form.getlist("flag"),
                         when=_text("date", 10) or None, note=_text("note"),
                         reason=_text("reason", 200))
        flash(f"Symptom #{sid} corrected (the old entry is kept under 'Changes').", "ok")
        return redirect(url_for("clinical.clinical_page", aid=a.id) + "#symptoms")

    return _form_errors(run, url_for("clinical.clinical_page", aid=aid) + "#symptoms")


@bp.post("/a/<int:aid>/tests")
def test_add(aid: int) -> Any:
    a = _athlete(aid)

    def run() -> Any:
        extra = {}
        # every extra a protocol takes (``test protocols``): without the two Y-balance
        # reaches the Y-balance test could not be entered at all (review fix)
        for k in ("lever_arm_m", "body_mass_kg", "limb_length_cm", "quality",
                  "posteromedial_cm", "posterolateral_cm"):
            v = _num(k)
            if v is not None:
                extra[k] = v
        res = svc.add_test(_store(), aid, _text("protocol", 40), _text("side", 10),
                           _num("value", required=True), extra=extra,
                           when=_text("date", 10) or None, note=_text("note"))
        from evenstride.clinical.protocols import PROTOCOLS

        flash(f"Test saved: {PROTOCOLS[res.protocol].name} {res.side} {res.value:g} "
              f"{res.unit}.", "ok")
        return redirect(url_for("clinical.clinical_page", aid=a.id) + "#tests")

    return _form_errors(run, url_for("clinical.clinical_page", aid=aid) + "#add-test")


@bp.post("/a/<int:aid>/symptoms")
def symptom_add(aid: int) -> Any:
    a = _athlete(aid)

    def run() -> Any:
        onset_km, onset_min = _num("onset_km"), _num("onset_min")
        sym = svc.add_symptom(
            _store(), aid, side=_text("side", 10), region=_text("region", 60),
            kind=_text("kind", 20), severity=_num("severity", integer=True, required=True),
            timing=_text("timing", 20), activity=_num("activity", integer=True),
            onset_km=onset_km, onset_min=onset_min,
            flags=request.form.getlist("flag"), when=_text("date", 10) or None,
            note=_text("note"))
        from evenstride.clinical.models import region_words

        flash(f"Symptom saved: {sym.kind} {sym.severity}/10 at {sym.side} "
              f"{region_words(sym.region)}.", "ok")
        if sym.flags:
            line = red_flag_line(sym)
            flash(line[:1].upper() + line[1:] + ".", "error")
        return redirect(url_for("clinical.clinical_page", aid=a.id) + "#symptoms")

    return _form_errors(run, url_for("clinical.clinical_page", aid=aid) + "#add-symptom")


@bp.get("/a/<int:aid>/assessment")
def assessment_page(aid: int) -> Any:
    """What ``evenstride assessment`` prints: red flags first, then ranked findings.

    The findings are computed once per version of the athlete's data (every input of the
    history, as its cache key, and the stored tests and symptoms), so several viewers after a
    write wait for one computation instead of each repeating it; the page itself (messages,
    form token) is rendered for each request."""
    a = _athlete(aid)
    store = _store()
    ctx = current_app.extensions["evenstride_pages"].get(
        _assessment_key(store, aid), lambda: _assessment_ctx(store, aid))
    return render_template("assessment.html.j2", athlete=a, nav=_nav(a, "assessment"), **ctx)


def _assessment_key(store: Any, aid: int) -> tuple[Any, ...]:
    """Changes whenever the assessment could: a digest of the history's inputs (runs, RPEs,
    shoes, HRV, profile) and the stored tests and symptoms as they read now."""
    from evenstride.store.clinical import symptoms, tests
    from evenstride.store.history_cache import history_fingerprint

    return ("assessment", str(current_app.config["EVENSTRIDE_DB"]), aid,
            history_fingerprint(store, aid), repr(tests(store, aid)), repr(symptoms(store, aid)))


def _assessment_ctx(store: Any, aid: int) -> dict[str, Any]:
    """The assessment page's findings and counts (not the run documents: a small cache entry)."""
    inp, findings = assess(store, aid)
    profile = inp.profile
    return {"findings": findings, "n_tests": len(inp.tests), "n_symptoms": len(inp.symptoms),
            "n_runs": len(inp.run_docs),
            "involved": None if profile is None else profile.involved_side}
