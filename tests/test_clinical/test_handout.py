# SPDX-License-Identifier: MIT
"""The printable handout."""

from __future__ import annotations

import re
from datetime import date

from evenstride.clinical.catalog import CATALOG
from evenstride.clinical.prescribe import prescribe
from evenstride.report.handout import render_handout, write_handout

from ._plan_helpers import hip_abductor_finding, itb_finding, red_flag

START = date(2025, 3, 3)


def test_handout_contents():
    p = prescribe([hip_abductor_finding(), itb_finding(), red_flag("shin")], start=START,
                  extra_weaker_side_pct=10)
    html = render_handout(p, athlete="Ann", today=START)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    # red flag before the other findings
    assert html.index("Do not load your left shin") < html.index("Weak right hip abductors")
    first = p.sessions[0].prescriptions[0]
    ex = CATALOG[first.exercise]
    for text in (ex.setup, ex.cues[0], ex.mistakes[0]):
        assert text.replace("'", "&#39;") in html
    assert first.dosage_text() in html
    assert "Weaker side first" in html and "expert opinion, unverified" in html.lower()
    assert "Mon 31 Mar 2025" in html  # first retest
    assert "3/10" in html and "5/10" in html and "Silbernagel" in html
    assert 'class="grade grade-V"' in html
    # self-contained
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_handout_escapes_names(tmp_path):
    p = prescribe([hip_abductor_finding()], start=START)
    evil = "<script>alert(1)</script>"
    path = write_handout(p, tmp_path / "h.html", athlete=evil, clinician="Dr <b>X</b>")
    html = path.read_text(encoding="utf-8")
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>X</b>" not in html


def test_handout_general_red_flag_has_no_program():
    p = prescribe([hip_abductor_finding(), red_flag(None)], start=START)
    html = render_handout(p)
    assert "No exercises prescribed" in html and "Phase 1" not in html
    assert "clinician" in html
