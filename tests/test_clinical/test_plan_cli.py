# SPDX-License-Identifier: MIT
"""``evenstride plan | log | retest`` round trip in a temporary store."""

from __future__ import annotations

import json

import icalendar
import pytest

from evenstride.cli.plan import main
from evenstride.clinical import assess
from evenstride.store import open_store
from evenstride.store.plans import active_plan, retests, session_logs

from ._plan_helpers import hip_abductor_finding, itb_finding


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    with open_store(path) as st:
        st.athlete("ann")
    # hand-built findings instead of the stored tests/symptoms
    monkeypatch.setattr(assess, "integrated_assessment",
                        lambda *a, **k: [hip_abductor_finding(80.0), itb_finding()])
    return path


def _run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_plan_log_retest_round_trip(db, tmp_path, capsys):
    common = ("--db", str(db), "--athlete", "ann")
    html, ics = tmp_path / "h.html", tmp_path / "p.ics"
    rc, out, err = _run(capsys, "plan", *common, "--start", "2025-03-03", "--weeks", "8",
                        "--html", str(html), "--ics", str(ics), "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["findings_from"] == "assessment" and len(doc["sessions"]) == 16
    assert "Weak right hip abductors" in html.read_text(encoding="utf-8")
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert len([c for c in cal.walk() if c.name == "VEVENT"]) == 16 + 2

    for d, pain in (("2025-03-03", 2), ("2025-03-06", 1)):
        rc, out, err = _run(capsys, "log", *common, "--date", d, "--done", "--rpe", "6",
                            "--pain-during", str(pain), "--pain-next-morning", "0", "--json")
        assert rc == 0, err
    assert json.loads(out)["next_step"]["action"] == "progress"
    rc, out, _ = _run(capsys, "log", *common, "--date", "2025-03-10", "--done", "--rpe", "6",
                      "--pain-during", "7")
    assert rc == 0 and "REGRESS" in out and "clinician" in out

    # a retest is entered as the two sides in the test's unit; the LSI is computed
    rc, out, err = _run(capsys, "retest", *common, "--date", "2025-03-31",
                        "--test", "hhd_hip_abduction", "200", "186", "--json")
    assert rc == 0, err
    res = json.loads(out)
    item = res["outcome"]["items"][0]
    assert item["before"] == 80.0 and item["after"] == 93.0  # right 186 ÷ left 200
    assert item["verdict"] == "no MDC known"  # no published MDC for a hand-held LSI
    assert res["schedule"][0] == {"date": "2025-03-31", "status": "done"}

    with open_store(db) as st:
        aid = st.athlete("ann").id
        plan_id, prog = active_plan(st, aid)
        assert prog["weeks"] == 8
        assert [lg.pain_during for lg in session_logs(st, plan_id)] == [2.0, 1.0, 7.0]
        assert [r.measure for r in retests(st, plan_id)] == ["hhd_hip_abduction"]


@pytest.mark.parametrize("argv", [
    ("log", "--done", "--rpe", "11"),
    ("log", "--done", "--pain-during", "-1"),
    ("log", "--skipped", "--rpe", "5"),
    ("log", "--done", "--date", "yesterday"),
    ("plan", "--weeks", "20"),
    ("plan", "--sessions-per-week", "5"),
    ("retest", "--record", "x", "a", "1"),
    ("retest", "--record", "foo", "1", "1"),
    ("retest", "--record", "single_hop", "90", "5"),
    ("retest", "--test", "nonsense", "1", "1"),
    ("retest", "--test", "single_hop", "150", "lots"),
    ("retest", "--test", "single_hop", "150", "-3"),
    ("log", "edit", "99", "--rpe", "5"),
])
def test_user_errors_are_one_line(db, capsys, argv):
    if argv[0] != "plan":
        assert main(["plan", "--db", str(db), "--athlete", "ann"]) == 0
        capsys.readouterr()
    rc, _out, err = _run(capsys, *argv, "--db", str(db), "--athlete", "ann")
    assert rc == 2 and err.startswith("evenstride: ") and err.count("\n") == 1


def test_log_without_plan(db, capsys):
    rc, _, err = _run(capsys, "log", "--db", str(db), "--athlete", "ann", "--done")
    assert rc == 2 and "no active plan" in err


def test_missing_store(tmp_path, capsys):
    rc, _, err = _run(capsys, "plan", "--db", str(tmp_path / "none.sqlite"))
    assert rc == 2 and "no history store" in err


def test_history_fallback_when_assessment_missing(db, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name == "evenstride.clinical" and a and a[2] and "assess" in a[2]:
            raise ImportError("not yet")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    rc, out, err = _run(capsys, "plan", "--db", str(db), "--athlete", "ann", "--json")
    assert rc == 0, err
    assert json.loads(out)["findings_from"] == "run history"


def test_impossible_dates_are_refused(db, capsys):
    """A log or retest dated in the future or before the plan started would feed the
    next-step rule and the retest schedule with sessions that cannot have happened."""
    from datetime import date, timedelta

    common = ("--db", str(db), "--athlete", "ann")
    future = (date.today() + timedelta(days=30)).isoformat()
    for start in ("0001-01-01", (date.today() + timedelta(days=400)).isoformat()):
        rc, _, err = _run(capsys, "plan", *common, "--start", start)
        assert rc == 2 and "--start" in err, err
    start = (date.today() - timedelta(days=20)).isoformat()
    assert _run(capsys, "plan", *common, "--start", start)[0] == 0
    before = (date.today() - timedelta(days=40)).isoformat()
    for when, why in ((future, "in the future"), (before, "before the plan started")):
        rc, _, err = _run(capsys, "log", *common, "--date", when, "--done")
        assert rc == 2 and why in err, err
        rc, _, err = _run(capsys, "retest", *common, "--date", when,
                          "--test", "hhd_hip_abduction", "200", "186")
        assert rc == 2 and why in err, err
    with open_store(db) as st:
        plan_id, _ = active_plan(st, st.athlete("ann").id)
        assert session_logs(st, plan_id) == [] and retests(st, plan_id) == []
    # a plan may be prepared ahead (up to a year)
    ahead = (date.today() + timedelta(days=14)).isoformat()
    assert _run(capsys, "plan", *common, "--start", ahead)[0] == 0


def test_the_handout_says_red_flag_once(db, tmp_path, capsys, monkeypatch):
    from datetime import date

    from evenstride.clinical.models import Symptom

    sym = Symptom(date(2025, 3, 1), "right", "shin_medial", "pain", 5, "during",
                  flags=("night_pain",))
    monkeypatch.setattr(assess, "integrated_assessment",
                        lambda *a, **k: [*assess.red_flag_findings([sym]),
                                         hip_abductor_finding(80.0)])
    html = tmp_path / "h.html"
    rc, _, err = _run(capsys, "plan", "--db", str(db), "--athlete", "ann", "--html", str(html))
    assert rc == 0, err
    text = html.read_text(encoding="utf-8")
    assert "Stop running until a clinician has seen your right inner shin" in text
    assert "Red flag: Red flag" not in text
