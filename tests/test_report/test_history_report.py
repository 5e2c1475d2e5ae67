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


# --- the page leads with the answer (issue 11) ---------------------------------------------------


def test_page_leads_with_usual_noise_floor_and_what_changed_when(page, doc):
    text = _text(page)
    assert page.index('<section id="answer">') < page.index('<section id="findings">')
    answer = text[text.index('<section id="answer">'):text.index('<section id="findings">')]
    for label in ("Your usual", "Your noise floor", "What changed, and when"):
        assert label in answer
    # the usual is today's level: base + device offset + the runner's shift (all planted)
    usual = float(re.search(r'<span class="big">(\d+\.\d) % left', answer).group(1))
    assert usual == pytest.approx(A.BASE_BALANCE + A.DEVICE_OFFSET + A.SHIFT, abs=0.35)
    mdc = doc["metrics"][KEY]["noise_floor"]["mdc95"]
    assert f"± {fmt_num(mdc, 2)}" in answer
    # the planted change in the runner, dated within a week of the truth
    when = datetime.fromisoformat(re.search(r"since (\d{4}-\d\d-\d\d)", answer).group(1))
    planted = A.START + timedelta(days=A.SHIFT_DAY)
    assert abs((when.date() - planted.date()).days) <= 7
    assert "device change" in answer and "Latest run" in answer


def test_answer_never_says_insufficient_beside_a_change(history, doc):
    import copy

    from evenstride.report.history import _answer, _metric_cards

    d = copy.deepcopy(doc)
    md = d["metrics"][KEY]
    assert md["changes"], "the fixture plants a change"
    md["current"]["status"] = "insufficient baseline"
    md["current"]["baseline"]["n_runs"] = 2
    a = next(x for x in _answer(d) if x["title"].startswith("Ground contact time"))
    assert a["status"] == "changed; new baseline forming" and a["usual"] == "not formed yet"
    card = next(c for c in _metric_cards(history, d) if c["key"] == KEY)
    assert card["status"] == "changed; new baseline forming"


def test_device_changes_listed_once_per_date(history, doc):
    import copy

    from evenstride.report.history import DEVICE_LIST, _metric_cards

    d = copy.deepcopy(doc)
    assert d["device_changes"]
    d["device_changes"] = d["device_changes"] * 3  # the same change reported three times
    extra = []
    for k in range(6):  # and six more changes on other dates
        dc = copy.deepcopy(d["device_changes"][0])
        dc["date"] = f"2024-0{k + 1}-15"
        extra.append(dc)
    d["device_changes"] += extra
    card = next(c for c in _metric_cards(history, d) if c["key"] == KEY)
    dates = [x["date"] for x in card["devices"] + card["devices_more"]]
    assert len(dates) == len(set(dates)) == 7
    assert len(card["devices"]) == DEVICE_LIST and dates == sorted(dates, reverse=True)
