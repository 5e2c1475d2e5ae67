# SPDX-License-Identifier: MIT
"""The assessment page shows what 'evenstride assessment' prints, and the plan page's
'retest from the run history' records what 'evenstride retest --from-history' records."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from evenstride.cli import main
from evenstride.simulate import write_simulated_fit
from evenstride.store import open_store
from evenstride.store.plans import active_plan, retests
from evenstride.web import create_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """An athlete with 7 runs (left GCT balance 52.5 %), hip-abductor tests and a symptom."""
    d = tmp_path_factory.mktemp("web-assess")
    runs = d / "runs"
    runs.mkdir()
    t0 = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    for i in range(7):
        write_simulated_fit(runs / f"r{i}.fit", duration_s=1500, seed=500 + i,
                            balance_left_pct=52.5, drift_pct_per_h=0.0,
                            start_time=t0 + timedelta(days=2 * i))
    db = d / "s.sqlite"
    common = ["--db", str(db), "--athlete", "ann"]
    assert main(["import", str(runs), "--no-progress", *common]) == 0
    for side, force in (("left", 250), ("right", 200)):
        assert main(["test", "add", "hhd_hip_abduction", side, str(force), "--date",
                     "2025-03-01", *common]) == 0
    assert main(["symptom", "add", "--side", "right", "--region", "knee_lateral", "--kind",
                 "soreness", "--severity", "3", "--timing", "after", "--date", "2025-03-02",
                 *common]) == 0
    return db


def test_assessment_page_lists_the_cli_findings_in_order(store, capsys):
    capsys.readouterr()
    assert main(["assessment", "--json", "--db", str(store), "--athlete", "ann"]) == 0
    cli = [f["title"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert cli, "the fixture should give findings"
    app = create_app(store)
    c = app.test_client()
    with open_store(store) as st:
        aid = st.athlete("ann", create=False).id
    page = c.get(f"/a/{aid}/assessment").get_data(as_text=True)
    from markupsafe import escape

    # every finding of the CLI, in the CLI's order (red flags first, then by rank)
    at = [page.find(f". {escape(t)}") for t in cli]
    assert -1 not in at and at == sorted(at), list(zip(cli, at, strict=True))
    assert page.count('<h3 style="margin-top:0">') == len(cli)
    assert "evidence" in page and "severity" in page


def test_retest_from_history_as_the_cli(store, capsys):
    app = create_app(store)
    c = app.test_client()
    with open_store(store) as st:
        aid = st.athlete("ann", create=False).id
    tok = _TOKEN.search(c.get(f"/a/{aid}/plan").get_data(as_text=True)).group(1)
    r = c.post(f"/a/{aid}/plan", data={"csrf_token": tok, "start": "2025-03-04"})
    assert r.status_code == 302
    page = c.get(f"/a/{aid}/plan").get_data(as_text=True)
    with open_store(store) as st:
        plan_id, prog = active_plan(st, aid)
    running = sorted({f["retest"] for f in prog["findings"] if "/" in (f.get("retest") or "")})
    if not running:
        pytest.skip("the simulated runs gave no running-asymmetry finding to retest")
    assert "Retest running measures from the run history" in page
    r = c.post(f"/a/{aid}/plan/retest-history", data={"csrf_token": tok})
    done = c.get(r.headers["Location"]).get_data(as_text=True)
    with open_store(store) as st:
        rows = retests(st, plan_id)
    assert "retested from the run history" in done, re.findall(r'class="flash[^"]*">([^<]*)', done)
    assert sorted({x.measure for x in rows}) == running
    # the same values the CLI's history gives: latest value and the MDC95
    capsys.readouterr()
    assert main(["history", "--json", "--db", str(store), "--athlete", "ann"]) == 0
    hist = json.loads(capsys.readouterr().out)
    for row in rows:
        cur = hist["metrics"][row.measure]["current"]
        assert row.after == pytest.approx(cur["latest"]["value"])
        assert row.mdc == pytest.approx(cur.get("mdc95") or hist["metrics"][row.measure][
            "noise_floor"]["mdc95"])


def test_assessment_computed_once_per_version_and_refreshed_after_a_cli_write(store, tmp_path):
    """Two views of one version compute the findings once; a symptom added from the command
    line (another process's write) is on the next view, with the findings computed again."""
    import shutil

    db = tmp_path / "s.sqlite"
    shutil.copy(store, db)
    app = create_app(db)
    c = app.test_client()
    with open_store(db) as st:
        aid = st.athlete("ann", create=False).id
    pages = app.extensions["evenstride_pages"]
    first = c.get(f"/a/{aid}/assessment").get_data(as_text=True)
    misses = pages.misses
    assert "2 test results, 1 symptom log and 7 runs" in first
    second = c.get(f"/a/{aid}/assessment").get_data(as_text=True)
    assert pages.misses == misses  # the cached findings
    assert re.sub(r'nonce="[^"]+"', "", second) == re.sub(r'nonce="[^"]+"', "", first)
    assert main(["symptom", "add", "--side", "left", "--region", "achilles", "--kind", "pain",
                 "--severity", "2", "--timing", "during", "--date", "2025-03-05", "--db",
                 str(db), "--athlete", "ann"]) == 0
    third = c.get(f"/a/{aid}/assessment").get_data(as_text=True)
    assert pages.misses == misses + 1
    assert "2 test results, 2 symptom logs and 7 runs" in third
