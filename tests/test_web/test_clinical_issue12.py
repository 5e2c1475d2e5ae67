# SPDX-License-Identifier: MIT
"""Issue 12 through the web app (Flask test client, real store in ``tmp_path``): tests,
symptoms and session logs are corrected and deleted with the old rows kept; regions come from
the controlled vocabulary; retests take both sides; no page shows an internal key."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the web app needs Flask (extra [web])")

from flask.testing import FlaskClient

from evenstride.store import open_store
from evenstride.store.clinical import edits, symptoms, tests
from evenstride.web import create_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _load_keys() -> Any:
    """The key scanner of the clinical tests (``tests/test_clinical/_keys.py``), by path."""
    import importlib.util

    path = Path(__file__).parents[1] / "test_clinical" / "_keys.py"
    spec = importlib.util.spec_from_file_location("_clinical_keys", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_KEYS = _load_keys()
internal_keys, visible_text = _KEYS.internal_keys, _KEYS.visible_text


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.sqlite"


@pytest.fixture
def client(db: Path) -> FlaskClient:
    return create_app(db).test_client()


def _post(client: FlaskClient, url: str, form: dict[str, Any], page: str = "/") -> str:
    m = _TOKEN.search(client.get(page).text)
    assert m
    resp = client.post(url, data={**form, "csrf_token": m.group(1)})
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    return str(client.get(resp.headers["Location"]).text)


def _athlete(client: FlaskClient) -> int:
    m = _TOKEN.search(client.get("/").text)
    assert m
    resp = client.post("/athletes", data={"name": "ann", "csrf_token": m.group(1)})
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def _setup(client: FlaskClient) -> int:
    aid = _athlete(client)
    when = (date.today() - timedelta(days=30)).isoformat()
    for proto, side, v in (("single_hop", "left", "150"), ("single_hop", "right", "120"),
                           ("hhd_knee_flexion", "left", "170"),
                           ("hhd_knee_flexion", "right", "150"),
                           ("hhd_knee_extension", "left", "400"),
                           ("hhd_knee_extension", "right", "390")):
        _post(client, f"/a/{aid}/tests", {"protocol": proto, "side": side, "value": v,
                                          "date": when}, f"/a/{aid}/clinical")
    page = _post(client, f"/a/{aid}/symptoms",
                 {"side": "left", "region": "shin_medial", "kind": "pain", "severity": "4",
                  "timing": "after", "date": when}, f"/a/{aid}/clinical")
    assert "Symptom saved: pain 4/10 at left inner shin." in page
    _post(client, f"/a/{aid}/plan", {"weeks": "10", "sessions_per_week": "2",
                                     "start": (date.today() - timedelta(days=14)).isoformat()},
          f"/a/{aid}/plan")
    _post(client, f"/a/{aid}/plan/log", {"done": "done", "rpe": "6", "pain_during": "2",
                                         "date": date.today().isoformat()}, f"/a/{aid}/plan")
    return aid


def test_no_internal_keys_on_the_clinical_pages(client: FlaskClient) -> None:
    aid = _setup(client)
    _post(client, f"/a/{aid}/plan/retest", {"protocol": "single_hop", "left": "150",
                                            "right": "140", "date": ""}, f"/a/{aid}/plan")
    for url in (f"/a/{aid}/clinical", f"/a/{aid}/plan", f"/a/{aid}/plan/print",
                f"/a/{aid}/assessment"):
        text = visible_text(client.get(url).text)
        assert internal_keys(text) == [], (url, internal_keys(text))


def test_region_select_and_did_you_mean(client: FlaskClient, db: Path) -> None:
    aid = _athlete(client)
    page = client.get(f"/a/{aid}/clinical").text
    assert '<select id="region" name="region" required>' in page
    assert '<option value="shin_medial">inner shin</option>' in page
    page = _post(client, f"/a/{aid}/symptoms",
                 {"side": "left", "region": "kneee", "kind": "pain", "severity": "3",
                  "timing": "after"}, f"/a/{aid}/clinical")
    assert "did you mean knee_anterior" in page
    with open_store(db) as st:
        assert symptoms(st, aid) == []


def test_corrections_from_the_web_keep_the_old_rows(client: FlaskClient, db: Path) -> None:
    aid = _setup(client)
    with open_store(db) as st:
        tid = st._conn.execute("SELECT id FROM test_results WHERE athlete_id = ? AND "
                               "protocol = 'single_hop' AND side = 'right'",
                               (aid,)).fetchone()[0]
        sid = st._conn.execute("SELECT id FROM symptoms WHERE athlete_id = ?",
                               (aid,)).fetchone()[0]
        lid = st._conn.execute("SELECT id FROM session_logs").fetchone()[0]
    page = _post(client, f"/a/{aid}/tests/{tid}/edit",
                 {"value": "125", "side": "right", "reason": "misread tape"},
                 f"/a/{aid}/clinical")
    assert f"Test #{tid} corrected" in page
    changes = page[page.index('<section id="changes">'):]
    assert "value 120.0 → 125.0" in changes and "misread tape" in changes
    page = _post(client, f"/a/{aid}/tests/{tid}/edit", {"value": "-5"}, f"/a/{aid}/clinical")
    assert "negative value" in page
    page = _post(client, f"/a/{aid}/symptoms/{sid}/edit",
                 {"region": "shin_anterior", "severity": "2", "side": "left", "kind": "pain",
                  "timing": "after"}, f"/a/{aid}/clinical")
    assert f"Symptom #{sid} corrected" in page and "front of the shin" in page
    _post(client, f"/a/{aid}/symptoms/{sid}/delete", {}, f"/a/{aid}/clinical")
    page = _post(client, f"/a/{aid}/plan/log/{lid}/edit",
                 {"done": "done", "rpe": "6", "pain_during": "3"}, f"/a/{aid}/plan")
    assert f"Session log #{lid} corrected" in page
    _post(client, f"/a/{aid}/plan/log/{lid}/delete", {}, f"/a/{aid}/plan")
    page = _post(client, f"/a/{aid}/tests/{tid}/delete", {}, f"/a/{aid}/clinical")
    assert f'id="test-{tid}"' not in page
    with open_store(db) as st:
        hist = edits(st, aid)
        assert [(e.record, e.action) for e in hist] == [
            ("test", "edit"), ("symptom", "edit"), ("symptom", "delete"),
            ("session_log", "edit"), ("session_log", "delete"), ("test", "delete")]
        assert hist[0].before["value"] == 120.0 and hist[-1].before["value"] == 125.0
        assert symptoms(st, aid) == [] and len(tests(st, aid)) == 5
    # someone else's record cannot be touched
    other = _post(client, f"/a/{aid}/tests/999999/delete", {}, f"/a/{aid}/clinical")
    assert "no test #999999" in other


def test_retest_from_the_web_computes_the_lsi(client: FlaskClient, db: Path) -> None:
    aid = _setup(client)
    page = _post(client, f"/a/{aid}/plan/retest",
                 {"protocol": "single_hop", "left": "150", "right": "140", "date": ""},
                 f"/a/{aid}/plan")
    outcome = page[page.index("<h3>Outcome"):page.index("</table>", page.index("<h3>Outcome"))]
    assert "Single-leg hop for distance" in outcome
    assert ">80<" in outcome and ">93.3<" in outcome and "+13.3" in outcome
    assert "improved beyond noise" in outcome
    page = _post(client, f"/a/{aid}/plan/retest",
                 {"protocol": "single_hop", "left": "150", "right": "abc"}, f"/a/{aid}/plan")
    assert "right must be a number" in page
