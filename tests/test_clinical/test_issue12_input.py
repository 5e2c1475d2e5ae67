# SPDX-License-Identifier: MIT
"""Issue 12, item 6 ("input you can trust") through the real CLI on a temporary store: retests
of known tests compute the LSI and the change against the stored tests and the MDC; unknown
measures and regions are refused in one line; tests, symptoms and session logs can be
corrected and deleted, and what was changed is kept."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from evenstride.cli import main
from evenstride.store import open_store
from evenstride.store.clinical import edits, symptoms, tests


def _run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def store(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    common = ("--db", str(db), "--athlete", "ann")
    tested = (date.today() - timedelta(days=30)).isoformat()
    assert _run(capsys, "profile", "set", *common, "--mass-kg", "64")[0] == 0
    for side, cm in (("left", "150"), ("right", "120")):
        rc, _, err = _run(capsys, "test", "add", "single_hop", side, cm, "--date", tested,
                          *common)
        assert rc == 0, err
    start = (date.today() - timedelta(days=21)).isoformat()
    rc, _, err = _run(capsys, "plan", *common, "--start", start)
    assert rc == 0, err
    return db, common


def test_retest_computes_lsi_and_change_from_stored_tests(store, capsys):
    db, common = store
    rc, out, err = _run(capsys, "retest", *common, "--test", "single_hop", "150", "140",
                        "--json")
    assert rc == 0, err
    item = json.loads(out)["outcome"]["items"][0]
    assert item["measure"] == "single_hop"
    assert item["before"] == 80.0  # right 120 ÷ left 150, from the stored tests
    assert item["after"] == 93.3  # right 140 ÷ left 150, computed, not typed
    assert item["change"] == pytest.approx(13.3)
    assert item["mdc"] == 13.0  # Reid et al. 2007, hop-test LSI
    assert item["verdict"] == "improved beyond noise"
    with open_store(db) as st:
        ts = tests(st, st.athlete("ann").id)
    assert [(t.side, t.value) for t in ts[-2:]] == [("left", 150.0), ("right", 140.0)]
    # the text output names the test, not its key
    rc, out, _ = _run(capsys, "retest", *common)
    assert "Single-leg hop for distance (LSI %): 80 → 93.3" in out and "single_hop" not in out


def test_retest_keeps_the_involved_side_when_it_becomes_the_stronger(store, capsys):
    _, common = store
    rc, out, err = _run(capsys, "retest", *common, "--test", "single_hop", "140", "154",
                        "--json")
    assert rc == 0, err
    item = json.loads(out)["outcome"]["items"][0]
    assert item["after"] == 110.0  # still right ÷ left: not flipped to make it ≤ 100


@pytest.mark.parametrize(("argv", "why"), [
    (("--record", "foo", "1", "1"), "unknown measure 'foo'"),
    (("--record", "single_hop", "95", "5"), "--test single_hop LEFT RIGHT"),
    (("--test", "single_hop", "150", "3000"), "outside the possible range"),
    (("--test", "hop", "150", "140"), "unknown test 'hop'"),
])
def test_unknown_or_hand_computed_retests_are_refused(store, capsys, argv, why):
    db, common = store
    rc, out, err = _run(capsys, "retest", *common, *argv)
    assert rc == 2 and err.startswith("evenstride: ") and err.count("\n") == 1, err
    assert why in err and out == ""
    with open_store(db) as st:
        assert len(tests(st, st.athlete("ann").id)) == 2  # nothing stored


def test_symptom_region_is_controlled_with_did_you_mean(store, capsys):
    db, common = store
    rc, _, err = _run(capsys, "symptom", "add", *common, "--side", "left", "--region", "kneee",
                      "--kind", "pain", "--severity", "3", "--timing", "after")
    assert rc == 2 and err.count("\n") == 1
    assert "did you mean knee_anterior" in err and "knee_lateral" in err
    rc, _, err = _run(capsys, "symptom", "add", *common, "--side", "left", "--region",
                      "inner shin", "--kind", "pain", "--severity", "3", "--timing", "after")
    assert rc == 0, err
    with open_store(db) as st:
        assert [s.region for s in symptoms(st, st.athlete("ann").id)] == ["shin_medial"]
    rc, out, _ = _run(capsys, "symptom", "regions")
    assert rc == 0 and "shin_medial" in out and "inner shin" in out


def test_tests_symptoms_and_logs_can_be_corrected_and_deleted_keeping_history(store, capsys):
    db, common = store
    rc, out, _ = _run(capsys, "test", "list", *common, "--json")
    first = json.loads(out)["tests"][0]
    assert first["value"] == 150.0
    tid = first["id"]
    rc, _, err = _run(capsys, "test", "edit", str(tid), "--value", "155", "--reason",
                      "typo", *common)
    assert rc == 0, err
    rc, _, err = _run(capsys, "test", "edit", str(tid), "--value", "9000", *common)
    assert rc == 2 and "outside the possible range" in err  # corrections are validated too
    rc, out, _ = _run(capsys, "test", "list", *common)
    assert "Single-leg hop for distance" in out and "155 cm" in out
    assert _run(capsys, "test", "delete", str(tid), *common)[0] == 0
    rc, out, _ = _run(capsys, "test", "list", *common, "--json")
    assert tid not in [t["id"] for t in json.loads(out)["tests"]]
    rc, out, _ = _run(capsys, "test", "changes", *common)
    assert "value 150.0 → 155.0" in out and "(reason: typo)" in out and "deleted" in out
    assert _run(capsys, "test", "delete", "9999", *common)[0] == 2

    rc, _, err = _run(capsys, "symptom", "add", *common, "--side", "right", "--region",
                      "achilles", "--kind", "pain", "--severity", "3", "--timing", "after")
    assert rc == 0, err
    rc, out, _ = _run(capsys, "symptom", "list", *common, "--json")
    sid = json.loads(out)["symptoms"][0]["id"]
    rc, _, err = _run(capsys, "symptom", "edit", str(sid), "--severity", "5", "--region",
                      "calf", *common)
    assert rc == 0, err
    rc, _, err = _run(capsys, "symptom", "edit", str(sid), "--region", "calff", *common)
    assert rc == 2 and "did you mean calf" in err
    assert _run(capsys, "symptom", "delete", str(sid), *common)[0] == 0

    d = date.today().isoformat()
    assert _run(capsys, "log", *common, "--date", d, "--done", "--rpe", "6",
                "--pain-during", "2")[0] == 0
    rc, out, _ = _run(capsys, "log", "list", *common, "--json")
    lid = json.loads(out)["logs"][0]["id"]
    rc, _, err = _run(capsys, "log", "edit", str(lid), "--pain-during", "4", *common)
    assert rc == 0, err
    rc, out, _ = _run(capsys, "log", "list", *common)
    assert "pain during 4" in out
    assert _run(capsys, "log", "delete", str(lid), *common)[0] == 0
    rc, out, _ = _run(capsys, "log", "list", *common)
    assert "no session logged yet" in out

    with open_store(db) as st:
        aid = st.athlete("ann").id
        hist = edits(st, aid)
        assert symptoms(st, aid) == []
    # every change kept with the row before it (nothing lost)
    assert [(e.record, e.action) for e in hist] == [
        ("test", "edit"), ("test", "delete"), ("symptom", "edit"), ("symptom", "delete"),
        ("session_log", "edit"), ("session_log", "delete")]
    assert hist[0].before["value"] == 150.0 and hist[0].after["value"] == 155.0
    assert hist[3].before["region"] == "calf" and hist[3].before["severity"] == 5
    assert hist[4].before["pain_during"] == 2.0 and hist[5].after is None


def test_bone_tenderness_on_entry_says_stop_running(store, capsys):
    _, common = store
    rc, out, err = _run(capsys, "symptom", "add", *common, "--side", "left", "--region",
                        "shin_medial", "--kind", "pain", "--severity", "5", "--timing",
                        "during", "--flag", "bone_tenderness")
    assert rc == 0
    assert "left inner shin" in out and "shin_medial" not in out
    assert err.startswith("red flag (pin-point tenderness on a bone): stop running, hopping and "
                          "jumping")


def test_retest_without_a_value_before_says_it_cannot_tell(store, capsys):
    _, common = store
    rc, out, err = _run(capsys, "retest", *common, "--test", "triple_hop", "400", "380",
                        "--json")
    assert rc == 0, err
    item = next(i for i in json.loads(out)["outcome"]["items"] if i["measure"] == "triple_hop")
    assert item["before"] is None and item["after"] == 95.0
    assert item["verdict"] == "no value before the plan: can't tell"


def test_log_needs_done_or_skipped(store, capsys):
    _, common = store
    rc, _, err = _run(capsys, "log", *common, "--rpe", "5")
    assert rc == 2 and "--done or --skipped" in err
