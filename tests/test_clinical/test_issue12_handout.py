# SPDX-License-Identifier: MIT
"""Issue 12, item 7: the handout leads with the program (a short why, this week's exercises,
the pain rule, the retest date; details after) and no output shows an internal key."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from evenstride.cli import main
from evenstride.clinical import assess
from evenstride.clinical.ics import write_ics
from evenstride.clinical.models import AthleteProfile, Symptom, TestResult
from evenstride.clinical.prescribe import prescribe
from evenstride.report.handout import WHY_MAX_LINES, render_handout

from ._keys import internal_keys, visible_text

START = date(2025, 3, 3)


def _findings(extra_symptoms=()):
    d = date(2025, 2, 1)
    ts = [TestResult("hhd_knee_flexion", "left", 170.0, "N", d),
          TestResult("hhd_knee_flexion", "right", 150.0, "N", d),
          TestResult("hhd_knee_extension", "left", 400.0, "N", d),
          TestResult("hhd_knee_extension", "right", 390.0, "N", d),
          TestResult("single_hop", "left", 150.0, "cm", d),
          TestResult("single_hop", "right", 120.0, "cm", d),
          TestResult("hhd_hip_abduction", "left", 200.0, "N", d),
          TestResult("hhd_hip_abduction", "right", 165.0, "N", d),
          TestResult("knee_to_wall", "left", 12.0, "cm", d),
          TestResult("knee_to_wall", "right", 8.0, "cm", d)]
    sy = [Symptom(date(2025, 2, 10), "right", "knee_lateral", "soreness", 3, "after"),
          Symptom(date(2025, 2, 17), "right", "knee_lateral", "soreness", 4, "after"),
          *extra_symptoms]
    return assess.integrated_assessment(AthleteProfile("Ann"), ts, sy)


def test_handout_leads_with_the_program():
    p = prescribe(_findings(), start=START)
    page = render_handout(p, athlete="Ann", today=START)
    order = ["Why this program", "This week (week 1", "The pain rule", "Next retest: Mon 31 Mar",
             '<section id="details">', "<h3>How to do each exercise", "<h3>What we found"]
    pos = [page.index(x) for x in order]
    assert pos == sorted(pos), dict(zip(order, pos, strict=True))
    why = page[page.index('id="why"'):page.index("</section>", page.index('id="why"'))]
    assert 1 <= why.count("<li>") <= WHY_MAX_LINES
    week = page[page.index('id="this-week"'):page.index("</section>", page.index('id="this-week"'))]
    week1 = p.sessions[0].prescriptions
    assert week.count("<tr>") - 1 == len(week1)  # header + one row per exercise
    for rx in week1:
        assert rx.name.replace("'", "&#39;") in week and rx.dosage_text() in week
    # the failure: 17 findings before any exercise
    assert page.index("This week") < page.index("LSI ")


def test_handout_this_week_follows_today():
    p = prescribe(_findings(), start=START)
    page = render_handout(p, today=START + timedelta(weeks=5, days=1))
    assert "This week (week 6, Strength)" in page
    assert "Next retest: Mon 28 Apr 2025" in page


def test_no_internal_keys_in_handout_and_calendar(tmp_path):
    sym = Symptom(date(2025, 2, 28), "left", "shin_medial", "pain", 5, "during",
                  flags=("bone_tenderness",))
    for findings in (_findings(), _findings([sym])):
        p = prescribe(findings, start=START)
        text = visible_text(render_handout(p, athlete="Ann", today=START))
        assert internal_keys(text) == [], internal_keys(text)
        ics = tmp_path / "p.ics"
        write_ics(p, ics, athlete="Ann")
        readable = "\n".join(ln for ln in ics.read_text(encoding="utf-8").splitlines()
                             if ln.startswith(("SUMMARY", "DESCRIPTION", " ")))
        assert internal_keys(readable.replace("\\n", "\n").replace("\\,", ",")) == []


def test_the_key_scan_finds_keys():
    assert internal_keys(visible_text("<p>single_hop 80 % LSI, work on hip_abductors</p>"
                                      '<a href="/a/1/plan_x">x</a>')) == ["hip_abductors",
                                                                          "single_hop"]


def _cli(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.out


def test_no_internal_keys_in_cli_outputs(tmp_path, capsys):
    db = ("--db", str(tmp_path / "h.sqlite"), "--athlete", "ann")
    when = (date.today() - timedelta(days=30)).isoformat()
    _cli(capsys, "profile", "set", *db, "--mass-kg", "64")
    for proto, side, v in (("single_hop", "left", "150"), ("single_hop", "right", "120"),
                           ("hhd_knee_flexion", "left", "170"),
                           ("hhd_knee_flexion", "right", "150"),
                           ("hhd_knee_extension", "left", "400"),
                           ("hhd_knee_extension", "right", "390")):
        _cli(capsys, "test", "add", proto, side, v, "--date", when, *db)
    _cli(capsys, "symptom", "add", *db, "--side", "right", "--region", "knee_lateral",
         "--kind", "soreness", "--severity", "3", "--timing", "after", "--date", when)
    outputs = {
        "assessment": _cli(capsys, "assessment", *db),
        "plan": _cli(capsys, "plan", *db, "--start",
                     (date.today() - timedelta(days=14)).isoformat()),
        "log": _cli(capsys, "log", *db, "--done", "--rpe", "6", "--pain-during", "7"),
        "retest": _cli(capsys, "retest", *db, "--test", "single_hop", "150", "140"),
        "test list": _cli(capsys, "test", "list", *db),
        "symptom list": _cli(capsys, "symptom", "list", *db),
        "log list": _cli(capsys, "log", "list", *db),
    }
    bad = {k: internal_keys(v) for k, v in outputs.items() if internal_keys(v)}
    assert not bad, bad
    assert "Single-leg hop for distance" in outputs["retest"]
    assert json.loads(_cli(capsys, "assessment", *db, "--json"))["findings"]


@pytest.mark.parametrize("title", [
    "Hamstring:quadriceps ratio left 0.425, right 0.385: right lower; neither below 0.35",
])
def test_hq_title_reads_as_a_pt_writes_it(title):
    hq = next(f for f in _findings() if f.kind == "agonist_antagonist")
    assert hq.title == title
    assert not re.search(r"low on the left", hq.text)


def test_no_weaker_side_is_claimed_when_its_exercises_were_excluded():
    """Every one-sided finding is on the right, but a bone-stress red flag on the right shin
    leaves only exercises for findings without a side: no line may say which side goes first
    (the handout once said 'left side first' in the table and 'the right side first' above it)."""
    d = date(2025, 2, 1)
    ts = [TestResult("single_hop", "left", 150.0, "cm", d),
          TestResult("single_hop", "right", 120.0, "cm", d),
          TestResult("hhd_knee_flexion", "left", 170.0, "N", d),
          TestResult("hhd_knee_flexion", "right", 150.0, "N", d)]
    sy = [Symptom(date(2025, 2, 20), "right", "shin_medial", "pain", 5, "during",
                  flags=("bone_tenderness",))]
    findings = assess.integrated_assessment(AthleteProfile("Ann"), ts, sy)
    p = prescribe(findings, start=START)
    rxs = [rx for s in p.sessions for rx in s.prescriptions]
    assert rxs, "the red flag leaves non-weight-bearing work"
    for rx in rxs:
        if rx.weaker_side is not None:  # a one-sided start only where a finding names the side
            assert rx.weaker_side == "right"
    page = visible_text(render_handout(p, athlete="Ann", today=START))
    if all(rx.weaker_side is None for rx in rxs):
        assert "side first" not in page
    assert "left side first" not in page
