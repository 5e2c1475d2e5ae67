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
from evenstride.clinical.prescribe import (
    DOSAGE_EVIDENCE,
    EXTRA_VOLUME_EVIDENCE,
    PAIN_RULE,
    PAIN_RULE_EVIDENCE,
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
    return {"grade": d["grade"], "grade_text": GRADE_TEXT.get(d["grade"], d["grade"]),
            "sources": list(d["sources"]), "note": d["note"]}


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
                "weaker_first": p.side_order != ("both",) and len(p.findings) > 0,
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
            "dates": f"{_fmt_date(sessions[0].date)} – {_fmt_date(sessions[-1].date)}",
            "n_sessions": len(sessions), "rows": rows,
        })
    return out


def render_handout(program: Program, *, athlete: str | None = None,
                   clinician: str | None = None) -> str:
    """The handout page for ``program`` (see module docstring)."""
    findings = [
        {**f, "evidence": _ev(f["evidence"]),
         "side": f.get("side") or "", "red_flag": bool(f.get("red_flag"))}
        for f in program.findings
    ]
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
        "findings": findings,
        "red_flags": [_advice(a) for a in program.red_flags],
        "has_program": program.has_exercises,
        "phases": _phases(program),
        "advice": [_advice(a) for a in program.advice],
        "retests": [_fmt_date(d) for d in program.retests],
        "notes": list(program.notes),
        "pain_rule": PAIN_RULE,
        "pain_rule_ev": _ev(PAIN_RULE_EVIDENCE),
        "dosage_ev": _ev(DOSAGE_EVIDENCE),
        "weaker_first_ev": _ev(WEAKER_FIRST_EVIDENCE),
        "extra_pct": program.extra_weaker_side_pct,
        "extra_ev": _ev(EXTRA_VOLUME_EVIDENCE),
        "excluded": [t.replace("_", " ") for t in program.excluded_targets],
        "grades": GRADE_TEXT,
    }
    return _environment().get_template(_TEMPLATE).render(**ctx)


def write_handout(program: Program, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Render the handout and write it to ``path`` (UTF-8)."""
    out = Path(path)
    out.write_text(render_handout(program, **kwargs), encoding="utf-8")
    return out
