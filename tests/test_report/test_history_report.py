# SPDX-License-Identifier: MIT
"""The history report: the generated athlete's findings on the page, self-containment, escaping,
links to the per-run reports, and a short history that says "not enough runs"."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from markupsafe import escape

from evenstride.history import History, RunRecord, ShoeInfo, build_history
from evenstride.report import render_history_report, write_history_report
from evenstride.report.figures import plotly_js as get_plotlyjs
from evenstride.report.history import _relative_href
from evenstride.report.html import fmt_num

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test_history"))
import _athlete as A

KEY = "contact_time/running_dynamics"
NAME = "Jo <script>alert('x')</script> & Co"


@pytest.fixture(scope="module")
def history() -> History:
    runs = [
        RunRecord.from_run_doc(d, activity_id=d["_plan"]["activity_id"], gear=d["_plan"]["gear"])
        for d in A.generate()
    ]
    return build_history(
        runs,
        declared_road_side="left",
        shoes=[ShoeInfo("Pegasus 40", type="daily trainer", drop_mm=10.0, retire_km=150.0)],
        params=None,
    )


@pytest.fixture(scope="module")
def doc(history: History) -> dict:
    return history.to_dict()


@pytest.fixture(scope="module")
def links(history: History) -> dict:
    return {r.activity_id: f"runs/{r.activity_id}.html?a=1&b=2" for r in history.runs[:5]}


@pytest.fixture(scope="module")
def page(history: History, links: dict) -> str:
    return render_history_report(history, run_links=links, athlete=NAME)


def _text(html: str) -> str:
    """The page without the plotly bundle and figure scripts (what a reader sees)."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html)


def test_header_shows_athlete_period_runs_and_devices(page, doc):
    text = _text(page)
    assert page.startswith("<!DOCTYPE html>")
    assert doc["runs"]["first"][:10] in text and doc["runs"]["last"][:10] in text
    assert f">{doc['runs']['n']} <small>" in text
    for dc in doc["device_changes"]:
        assert str(escape(dc["from"])) in text and str(escape(dc["to"])) in text


def test_findings_come_first_with_the_numbers_of_the_document(page, doc):
    text = _text(page)
    assert text.index('id="findings"') < text.index('id="plots"') < text.index('id="runs"')
    m = doc["metrics"][KEY]
    base = m["current"]["baseline"]
    assert fmt_num(base["mean"], 2, signed=True, unit="% SA") in text
    assert fmt_num(m["noise_floor"]["mdc95"], 2, unit="% SA") in text
    assert fmt_num(m["current"]["latest"]["value"], 2, signed=True, unit="% SA") in text
    (change,) = doc["changes"]
    assert f"Since <strong>{change['started']}</strong>" in text
    assert str(escape(change["sentence"])) in text
    step = doc["device_changes"][0]["steps"][0]
    assert step["attributed_to_device"]
    assert "attributed to the device" in text and str(escape(step["sentence"])) in text


def test_load_shoes_surface_and_links_are_worded_carefully(page, doc):
    text = _text(page)
    low = text.lower()
    assert "safe" not in low and "danger" not in low
    assert str(escape(doc["load"]["acwr_caveat"])) in text
    assert fmt_num(doc["load"]["current"]["acwr_ewma"], 2) in text
    (flag,) = doc["load"]["longest_run_flags"]
    assert str(escape(flag["band"])) in text and flag["date"] in text
    (rem,) = doc["shoes"]["retirement_reminders"]
    assert "no injury-outcome evidence" in low and str(escape(rem["sentence"])) in text
    assert str(escape(doc["shoes"]["rotation"]["sentence"])) in text
    assert str(escape(doc["surface"]["track"]["sentence"])) in text
    cam = doc["surface"]["camber_exposure"]
    assert f"{fmt_num(cam['left_foot_low_pct'], 0)} % of road running" in text
    assert "association, not proof" in low
    for lk in doc["links"]:
        assert str(escape(lk["sentence"])) in text
    for g in ("V", "S", "U"):
        assert f'class="grade grade-{g}"' in text


def test_plots_tables_and_run_links(page, doc, history, links):
    for pid in ("hist-asym-contact-time-running-dynamics", "hist-load", "hist-weekly"):
        assert f'id="{pid}"' in page
    for pid in ("hist-turning", "hist-camber", "hist-speed-contact-time-running-dynamics"):
        assert f'id="{pid}"' in page
    assert "Plot skipped" not in page
    text = _text(page)
    for p in doc["shoes"]["pairs"]:
        assert f"<strong>{escape(p['name'])}</strong>" in text
    assert text.count("<tr>") >= len(history.runs) + len(doc["shoes"]["pairs"])
    for aid, href in links.items():
        assert f'<a href="{escape(href)}">' in page
        assert "&amp;b=2" in str(escape(href)) and aid in {r.activity_id for r in history.runs}
    assert len(re.findall(r'<a href="runs/', page)) == len(links)


def test_page_is_self_contained_with_one_plotly_bundle(page):
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1
    rest = page.replace(bundle, "")
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?!#)([^"'\s>]+)""", rest, re.I)
    external += re.findall(r"url\(\s*['\"]?([^)'\"]+)", rest, re.I)
    assert [u for u in external if re.match(r"(?i)(https?:|//|data:|javascript:)", u)] == []
    assert "@media print" in page
    assert "Plotly.newPlot(" in page


def test_athlete_name_and_links_are_escaped(page, history):
    assert "<script>alert(" not in page
    assert str(escape(NAME)) in page
    evil = {history.runs[0].activity_id: "javascript:alert(1)", history.runs[1].activity_id: '"x'}
    html = render_history_report(history, run_links=evil)
    assert "javascript:" not in _text(html)
    assert 'href="&#34;x"' in html
    assert _relative_href("https://example.com/a") is None
    assert _relative_href("//example.com/a") is None
    assert _relative_href("runs/1.html") == "runs/1.html"


@pytest.mark.parametrize("n", [1, 3])
def test_short_history_says_not_enough_runs(n, tmp_path):
    t0 = datetime(2024, 1, 1, 7, tzinfo=UTC)
    runs = [
        RunRecord(
            activity_id=i,
            start_time=t0 + timedelta(days=2 * i),
            duration_s=1800.0,
            distance_m=5000.0,
        )
        for i in range(n)
    ]
    out = write_history_report(build_history(runs), tmp_path / "h.html", athlete="New")
    html = out.read_text(encoding="utf-8")
    assert "not enough runs" in html
    assert "Plot skipped" in html
    assert "<h1>New</h1>" in html
    assert html.count("<tr>") >= n


def test_short_history_with_asymmetry_says_not_enough_runs(history):
    short = build_history(history.runs[:3])
    html = render_history_report(short)
    assert "not enough runs" in html
    assert html.count(get_plotlyjs()) <= 1
