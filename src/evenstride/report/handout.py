# SPDX-License-Identifier: MIT
"""A printable clinician/athlete handout of a prescribed program (one self-contained HTML page).

Formatting only: the program (:class:`evenstride.clinical.prescribe.Program`) decides what is
prescribed; the catalogue (:mod:`evenstride.clinical.catalog`) supplies the written
instructions. The page loads nothing, has a print stylesheet (A4) and is rendered with the same
autoescaping Jinja environment as the run report, so names and notes are inert.

>>> from datetime import date
>>> from evenstride.assessment.reference_bands import Evidence
>>> from evenstride.clinical.models import ClinicalFinding
>>> from evenstride.clinical.prescribe import prescribe
>>> f = ClinicalFinding("strength_lsi", "Weak right calf", "LSI 82 %", Evidence("V", (), ""),
...                     side="right", targets=("calf_soleus",), severity=2)
>>> html = render_handout(prescribe([f], start=date(2025, 3, 3)), athlete="<b>Ann</b>")
>>> html.startswith("<!DOCTYPE html>"), "&lt;b&gt;Ann" in html
(True, True)
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import evenstride
from evenstride.assessment.reference_bands import Evidence
from evenstride.clinical.catalog import CATALOG
from evenstride.clinical.models import TARGET_WORDS
from evenstride.clinical.prescribe import (
    DOSAGE_EVIDENCE,
    EXTRA_VOLUME_EVIDENCE,
    LOAD_RISE_EVIDENCE,
    PAIN_RULE,
    PAIN_RULE_EVIDENCE,
    SPEED_EVIDENCE,
    WEAKER_FIRST_EVIDENCE,
    Advice,
    Program,
)
from evenstride.report.html import GRADE_TEXT, _environment

__all__ = ["render_handout", "write_handout"]

_TEMPLATE = "handout.html.j2"


def _fmt_date(d: date) -> str:
    return f"{d:%a %d %b %Y}"


def _ev(e: Evidence | dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = e.to_dict() if isinstance(e, Evidence) else e
    # the project's science notes are named for a reader who has not seen the repository
    sources = [str(x).replace("science.md", "evenstride science notes") for x in d["sources"]]
    return {"grade": d["grade"], "grade_text": GRADE_TEXT.get(d["grade"], d["grade"]),
            "sources": sources, "note": d["note"]}


def _advice(a: Advice) -> dict[str, Any]:
    return {"title": a.title, "text": a.text, "evidence": _ev(a.evidence),
            "findings": ", ".join(a.findings), "kind": a.kind}





def _phases(program: Program) -> list[dict[str, Any]]:
    out = []
    for ph in program.phases:
        sessions = [s for s in program.sessions if s.phase == ph.name]
        if not sessions:
            continue
        rows = []
        for p in sessions[0].prescriptions:
            ex = CATALOG.get(p.exercise)
            rows.append({
                "name": p.name,
                "dosage": p.dosage_text(),
                "rest": f"{p.rest_s} s",
                "speed": p.speed,
                "tempo": p.tempo,
                "sides": ("both legs / both sides" if p.side_order == ("both",)
                          else " then ".join(p.side_order)),
                "weaker_first": p.weaker_side is not None,
                "notes": list(p.notes),
                "findings": ", ".join(p.findings),
                "setup": ex.setup if ex else "",
                "cues": list(ex.cues) if ex else [],
                "mistakes": list(ex.mistakes) if ex else [],
                "equipment": ", ".join(ex.equipment) if ex else "",
                "easier": CATALOG[ex.regression].name if ex and ex.regression else None,
                "harder": CATALOG[ex.progression].name if ex and ex.progression else None,
                "evidence": _ev(ex.evidence) if ex else None,
            })
        out.append({
            "name": ph.name, "weeks": f"{ph.first_week}–{ph.last_week}", "focus": ph.focus,
            "speed": ph.speed,
            "dates": f"{_fmt_date(sessions[0].date)} – {_fmt_date(sessions[-1].date)}",
            "n_sessions": len(sessions), "rows": rows,
        })
    return out


#: At most this many lines of "why" before the exercises (issue 12: the handout leads with the
#: program, not with the findings).
WHY_MAX_LINES = 5


def _why(program: Program) -> list[str]:
    """Up to :data:`WHY_MAX_LINES` short lines: what was found (top findings) and what the
    program therefore works on."""
    found = [f for f in program.findings if not f.get("red_flag") and f.get("severity", 0) >= 1]
    lines = [f"{f['title']}." for f in found[: WHY_MAX_LINES - 2]]
    trained = {t for s in program.sessions for p in s.prescriptions
               for t in (CATALOG[p.exercise].targets if p.exercise in CATALOG else ())}
    targets = [t for t in dict.fromkeys(t for f in found for t in f.get("targets") or [])
               if t in trained and t not in ("plyometric", "running_form")]
    if program.sessions and targets:
        # the side the single-leg work actually starts with (a weaker side named by a finding
        # whose exercises were all excluded, e.g. by a red flag, starts nothing)
        side = next((p.weaker_side for ss in program.sessions[:1] for p in ss.prescriptions
                     if p.weaker_side), None)
        works = ", ".join(TARGET_WORDS.get(t, t.replace("_", " ")) for t in targets)
        lines.append(f"So the program works on the {works}"
                     + (f"; the {side} side first." if side else "."))
    if program.sessions and program.red_flags:
        lines.append(f"{program.weeks} weeks, {program.sessions_per_week} sessions a week, slow "
                     "and controlled: no hops, jumps or fast lifting until a clinician has seen "
                     "the red flag above.")
    elif program.sessions:
        lines.append(f"{program.weeks} weeks, {program.sessions_per_week} sessions a week: slow "
                     "and controlled first, then heavier, then faster (hops and bounds) — each "
                     "step only if pain allows.")
    elif not lines:
        lines.append("No exercise is prescribed: see the advice above and below.")
    return lines[:WHY_MAX_LINES]


def _current_week(program: Program, today: date) -> int:
    """The program week that contains ``today`` (week 1 before the start, the last after)."""
    days = (today - program.start).days
    return min(max(days // 7 + 1, 1), program.weeks)


def _row(p: Any) -> dict[str, Any]:
    return {
        "name": p.name, "dosage": p.dosage_text(), "rest": f"{p.rest_s} s",
        "tempo": p.tempo,
        "first": p.weaker_side,
        # the weaker-side rule is said once above the table, not on every row
        "notes": [n for n in p.notes if not n.startswith((
            "For the ", "Frontal-plane", "Transverse-plane", "Weaker side first", "Same reps",
            "Fast/ballistic work", "First fast work", "Plyometric ladder"))],
    }


def _this_week(program: Program, week: int) -> dict[str, Any] | None:
    sessions = [s for s in program.sessions if s.week == week]
    if not sessions:
        return None
    rows = [_row(p) for p in sessions[0].prescriptions]
    firsts = {r["first"] for r in rows if r["first"]}
    return {"week": week, "phase": sessions[0].phase,
            "dates": [_fmt_date(s.date) for s in sessions], "rows": rows,
            "first_side": firsts.pop() if len(firsts) == 1 else None}


def _instructions(program: Program) -> list[dict[str, Any]]:
    """Every exercise of the program once, in order of first appearance, with how to do it."""
    seen: dict[str, dict[str, Any]] = {}
    for s in program.sessions:
        for p in s.prescriptions:
            ex = CATALOG.get(p.exercise)
            if ex is None or ex.key in seen:
                continue
            seen[ex.key] = {
                "name": ex.name, "setup": ex.setup, "cues": list(ex.cues),
                "mistakes": list(ex.mistakes), "equipment": ", ".join(ex.equipment),
                "easier": CATALOG[ex.regression].name if ex.regression else None,
                "harder": CATALOG[ex.progression].name if ex.progression else None,
                "first_week": s.week, "evidence": _ev(ex.evidence),
            }
    return list(seen.values())


def _cell(p: Any) -> str:
    """A short dosage for the progression grid: sets × reps (or seconds), load, load rise."""
    unit = " contacts" if p.kind == "ballistic" else ""
    amount = f"{p.sets} × {p.seconds} s" if p.seconds is not None else f"{p.sets} × {p.reps}{unit}"
    load = p.load.split("; about +")[0]
    rise = f" · +{p.load_increase_pct:g} % load" if p.load_increase_pct else ""
    return f"{amount}, {load}{rise}"


def _phase_overview(program: Program) -> list[dict[str, Any]]:
    """Per phase a grid: one row per exercise, one column per week, the dosage in each cell."""
    out = []
    for ph in program.phases:
        sessions = [s for s in program.sessions if s.phase == ph.name]
        if not sessions:
            continue
        weeks = list(range(ph.first_week, ph.last_week + 1))
        first = {w: next(x for x in sessions if x.week == w) for w in weeks}
        names: list[str] = []
        cells: dict[tuple[str, int], str] = {}
        for w in weeks:
            for p in first[w].prescriptions:
                if p.name not in names:
                    names.append(p.name)
                cells[(p.name, w)] = _cell(p)
        rows = []
        for n in names:
            vals = [cells.get((n, w), "–") for w in weeks]
            rows.append({"name": n, "cells": vals,
                         "same": len(set(vals)) == 1})
        out.append({"name": ph.name, "weeks": f"{ph.first_week}–{ph.last_week}",
                    "week_numbers": weeks, "focus": ph.focus, "speed": ph.speed,
                    "dates": f"{_fmt_date(sessions[0].date)} – {_fmt_date(sessions[-1].date)}",
                    "rows": rows})
    return out


def render_handout(program: Program, *, athlete: str | None = None,
                   clinician: str | None = None, today: date | None = None) -> str:
    """The handout page for ``program`` (see module docstring): red flags, a short why, this
    week's exercises, the pain rule and the next retest first; the details after."""
    today = today or date.today()
    findings = [
        {**f, "evidence": _ev(f["evidence"]),
         "side": f.get("side") or "", "red_flag": bool(f.get("red_flag"))}
        for f in program.findings
    ]
    upcoming = [d for d in program.retests if d >= today] or program.retests[-1:]
    ctx = {
        "version": evenstride.__version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "athlete": athlete or "",
        "clinician": clinician or "",
        "start": _fmt_date(program.start),
        "end": _fmt_date(program.end),
        "weeks": program.weeks,
        "sessions_per_week": program.sessions_per_week,
        "level": program.level,
        "why": _why(program),
        "this_week": _this_week(program, _current_week(program, today)),
        "next_retest": _fmt_date(upcoming[0]) if upcoming else None,
        "findings": findings,
        "red_flags": [_advice(a) for a in program.red_flags],
        "running_paused": program.running_paused,
        "has_program": program.has_exercises,
        "overview": _phase_overview(program),
        "instructions": _instructions(program),
        "advice": [_advice(a) for a in program.advice],
        "retests": [_fmt_date(d) for d in program.retests],
        "notes": list(program.notes),
        "pain_rule": PAIN_RULE,
        "pain_rule_ev": _ev(PAIN_RULE_EVIDENCE),
        "dosage_ev": _ev(DOSAGE_EVIDENCE),
        "weaker_first_ev": _ev(WEAKER_FIRST_EVIDENCE),
        "speed_ev": _ev(SPEED_EVIDENCE),
        "load_rise_ev": _ev(LOAD_RISE_EVIDENCE),
        "extra_pct": program.extra_weaker_side_pct,
        "extra_ev": _ev(EXTRA_VOLUME_EVIDENCE),
        "excluded": [TARGET_WORDS.get(t, t.replace("_", " ")) for t in program.excluded_targets],
        "grades": GRADE_TEXT,
    }
    return _environment().get_template(_TEMPLATE).render(**ctx)


def write_handout(program: Program, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Render the handout and write it to ``path`` (UTF-8)."""
    out = Path(path)
    out.write_text(render_handout(program, **kwargs), encoding="utf-8")
    return out
