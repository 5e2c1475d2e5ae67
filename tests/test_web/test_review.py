# SPDX-License-Identifier: MIT
"""Regression tests for the bugs a review of the web app found (one test per bug).

Each test drives the app over HTTP with Flask's test client against a real store in
``tmp_path``; every response is checked to be no 5xx and no stack trace, and an error logged by
the app fails the test (as in ``test_security.py``).
"""

from __future__ import annotations

import argparse
import doctest
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the web app needs Flask (extra [web])")

from flask.testing import FlaskClient

from evenstride.store import open_store
from evenstride.web import create_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class _Checked(FlaskClient):
    """Never a server error nor a traceback, whatever was asked."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        resp = super().open(*args, **kwargs)
        body = resp.get_data()
        assert resp.status_code < 500, (resp.status_code, body[:500])
        assert b"Traceback" not in body
        return resp


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.sqlite"


@pytest.fixture
def client(db: Path) -> FlaskClient:
    app = create_app(db)
    app.test_client_class = _Checked
    return app.test_client()


def _post(client: FlaskClient, url: str, form: dict[str, Any], page: str = "/") -> str:
    """Submit a form as the browser does (token from ``page``); the page it leads to."""
    m = _TOKEN.search(client.get(page).text)
    assert m
    resp = client.post(url, data={**form, "csrf_token": m.group(1)})
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    return str(client.get(resp.headers["Location"]).text)


def _athlete(client: FlaskClient, name: str = "ann") -> int:
    m = _TOKEN.search(client.get("/").text)
    assert m
    resp = client.post("/athletes", data={"name": name, "csrf_token": m.group(1)})
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def _profile_form(**over: str) -> dict[str, str]:
    form = {"name": "ann", "dominant": "right", "road_side": "left", "mass_kg": "62.5",
            "leg_left": "88", "leg_right": "89.5", "sports": "cycling", "habits": "",
            "n_injuries": "1", "inj_side_0": "left", "inj_region_0": "knee",
            "inj_kind_0": "surgery", "inj_desc_0": "ACL reconstruction", "inj_year_0": "2018"}
    form.update(over)
    return form


def _sim_fit() -> bytes:
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.simulate import simulate_run

    buf = io.BytesIO()
    write_activity_fit(simulate_run(duration_s=600, seed=7).activity, buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------ profile
def test_emptied_profile_fields_are_cleared(client: FlaskClient, db: Path) -> None:
    """The profile form shows every field, so emptying one ("not known", no body mass, no leg
    length) must clear it; it used to keep the stored value and still say "Profile saved"."""
    from evenstride.store.clinical import load_profile

    aid = _athlete(client)
    _post(client, f"/a/{aid}/edit", _profile_form(), f"/a/{aid}/edit")
    page = _post(client, f"/a/{aid}/edit",
                 _profile_form(dominant="", road_side="", mass_kg="", leg_left=""),
                 f"/a/{aid}/edit")
    assert "Profile saved." in page
    with open_store(db) as st:
        prof = load_profile(st, aid)
    assert prof is not None
    assert prof.dominant_leg is None and prof.road_side is None
    assert prof.body_mass_kg is None
    assert prof.leg_length_cm == {"right": 89.5}  # the side left filled in stays
    assert [i.region for i in prof.injuries] == ["knee"]
    assert "62.5 kg" not in page and "runs on the left" not in page


# ------------------------------------------------------------------------------ tests
def test_y_balance_can_be_entered_and_extras_show_units(client: FlaskClient, db: Path) -> None:
    """The Y-balance needs its two posterior reaches: the form had no field for them, so the
    test could not be entered at all. Stored extras are shown with their units."""
    aid = _athlete(client)
    clinical = client.get(f"/a/{aid}/clinical").text
    assert 'name="posteromedial_cm"' in clinical and 'name="posterolateral_cm"' in clinical
    page = _post(client, f"/a/{aid}/tests",
                 {"protocol": "y_balance", "side": "left", "value": "60",
                  "posteromedial_cm": "100", "posterolateral_cm": "95",
                  "limb_length_cm": "90", "date": ""}, f"/a/{aid}/clinical")
    assert "Test saved: Y-balance (lower quarter) left 60 cm." in page
    assert "posteromedial 100 cm" in page and "composite 94.4 %" in page
    _post(client, f"/a/{aid}/tests",
          {"protocol": "hhd_hip_abduction", "side": "left", "value": "200",
           "lever_arm_m": "0.8", "body_mass_kg": "64", "date": ""}, f"/a/{aid}/clinical")
    page = client.get(f"/a/{aid}/clinical").text
    assert "lever arm 0.8 m" in page and "torque 2.5 N·m/kg" in page
    assert "nm per kg" not in page


def test_value_in_messages_is_the_forms_word(client: FlaskClient) -> None:
    """The shared validator names the CLI's positional VALUE; the form says "value"."""
    aid = _athlete(client)
    page = _post(client, f"/a/{aid}/tests",
                 {"protocol": "single_hop", "side": "left", "value": "1e400", "date": ""},
                 f"/a/{aid}/clinical")
    assert "value must be a finite number" in page and "VALUE" not in page


def test_the_apps_doctests() -> None:
    import evenstride.web._common as mod

    res = doctest.testmod(mod)
    assert res.failed == 0 and res.attempted >= 3


# ------------------------------------------------------------------------------ plan
@pytest.mark.parametrize(("field", "message"), [("weeks", "weeks must be 8–12 (got 0)"),
                                                ("sessions_per_week",
                                                 "sessions per week must be 2–3 (got 0)")])
def test_zero_weeks_or_sessions_is_refused_as_in_the_cli(client: FlaskClient, db: Path,
                                                         field: str, message: str) -> None:
    """A typed 0 was silently replaced by the default (``or 10``) and a plan prescribed."""
    from evenstride.cli.plan import active_program

    aid = _athlete(client)
    form = {"start": "", "weeks": "", "sessions_per_week": "", "level": "",
            "extra_weaker_side_pct": "0", field: "0"}
    page = _post(client, f"/a/{aid}/plan", form, f"/a/{aid}/plan")
    assert message in page
    assert active_program(argparse.Namespace(db=str(db), athlete="ann")) is None
    # blank fields still mean the CLI's defaults
    page = _post(client, f"/a/{aid}/plan", {**form, field: ""}, f"/a/{aid}/plan")
    assert "10 weeks" in page and "2 sessions a week" in page


def test_retest_outcome_is_shown_as_the_cli_judges_it(client: FlaskClient, db: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The plan page listed recorded retests as bare numbers; ``evenstride retest`` judges each
    measure against its MDC. The page now shows the same verdict and the scale to enter."""
    from evenstride.cli import main

    aid = _athlete(client)
    _post(client, f"/a/{aid}/edit", _profile_form(), f"/a/{aid}/edit")
    for side, value in (("left", "150"), ("right", "180")):
        _post(client, f"/a/{aid}/tests",
              {"protocol": "single_hop", "side": side, "value": value, "date": ""},
              f"/a/{aid}/clinical")
    _post(client, f"/a/{aid}/plan", {"weeks": "10", "sessions_per_week": "2"}, f"/a/{aid}/plan")
    plan = client.get(f"/a/{aid}/plan").text
    # issue 12: the retest takes both sides in the test's unit; the LSI is computed
    assert "computed for you" in plan and "Single-leg hop for distance (LSI %) 83.3 %" in plan
    page = _post(client, f"/a/{aid}/plan/retest",
                 {"protocol": "single_hop", "left": "175", "right": "180", "date": ""},
                 f"/a/{aid}/plan")
    assert "Retest of Single-leg hop for distance (LSI %) recorded" in page
    capsys.readouterr()
    assert main(["retest", "--db", str(db), "--athlete", "ann", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    items = {it["measure"]: it for it in cli["outcome"]["items"]}
    assert items["single_hop"]["after"] == 97.2  # left 175 ÷ right 180 (left was weaker)
    assert items["single_hop"]["verdict"] == "improved beyond noise"  # +13.9 > MDC 13
    outcome = page[page.index("<h3>Outcome"):page.index("</table>", page.index("<h3>Outcome"))]
    assert "Single-leg hop for distance" in outcome and "improved beyond noise" in outcome
    assert "+13.9" in outcome and "single_hop" not in outcome


def test_a_plan_without_findings_says_so(client: FlaskClient) -> None:
    aid = _athlete(client)
    page = _post(client, f"/a/{aid}/plan", {"weeks": "10", "sessions_per_week": "2"},
                 f"/a/{aid}/plan")
    assert "None: no test, symptom or run gave a finding" in page


# ------------------------------------------------------------------------------ ids, runs
@pytest.mark.parametrize("method_url", [
    ("GET", "/a/99999999999999999999"), ("GET", "/a/99999999999999999999/plan"),
    ("GET", "/runs/99999999999999999999"), ("POST", "/a/99999999999999999999/tests"),
    ("POST", "/runs/99999999999999999999/details")])
def test_ids_beyond_sqlite_integers_are_not_found(client: FlaskClient,
                                                  method_url: tuple[str, str]) -> None:
    """An id too large for SQLite made the store raise OverflowError: an HTTP 500."""
    method, url = method_url
    m = _TOKEN.search(client.get("/").text)
    assert m
    data = {"csrf_token": m.group(1)} if method == "POST" else None
    assert client.open(url, method=method, data=data).status_code == 404


def test_a_renamed_athletes_run_page_shows_the_new_name(client: FlaskClient) -> None:
    """Run pages are cached; the cached page's navigation bar kept the old name."""
    aid = _athlete(client, "old name")
    m = _TOKEN.search(client.get(f"/a/{aid}").text)
    assert m
    resp = client.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(_sim_fit()), "r.fit")},
                       headers={"X-CSRF-Token": m.group(1), "X-Requested-With": "fetch",
                                "Accept": "application/json"})
    rid = resp.get_json()["items"][0]["activity_id"]
    who = re.compile(r'<span class="es-who">(.*?)</span>')
    assert who.findall(client.get(f"/runs/{rid}").text) == ["old name"]
    _post(client, f"/a/{aid}/edit", _profile_form(name="new name"), f"/a/{aid}/edit")
    assert who.findall(client.get(f"/runs/{rid}").text) == ["new name"]


# ------------------------------------------------------------------------------ a11y, layout
def test_the_file_chooser_has_a_label(client: FlaskClient) -> None:
    aid = _athlete(client)
    page = client.get(f"/a/{aid}").text
    assert '<label for="files">' in page and 'id="files"' in page


def test_run_forms_wrap_on_tablets() -> None:
    """At 820 px the runs table scrolled sideways and hid each run's Save button (the browser
    check is in test_e2e.test_screenshots)."""
    css = (Path(__file__).parents[2] / "src/evenstride/web/static/app.css").read_text()
    assert re.search(r"@media \(max-width: 1024px\) \{ \.es form\.runform \{ flex-wrap: wrap",
                     css)


# ------------------------------------------------------------------------------ upload script
def test_archive_members_are_listed_under_their_own_names_together(db: Path,
                                                                   tmp_path: Path) -> None:
    """In the browser, an archive's first member was shown under the archive's name ("x.zip
    skipped" for one walk inside it) and its other members at the end of the list, after the
    next file's row. Real Chromium drives the page's upload script."""
    import os
    import shutil
    import threading
    import zipfile

    from werkzeug.serving import make_server

    pw = pytest.importorskip("playwright.sync_api")
    exe = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if exe is None:
        pytest.skip("chromium is not installed")
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as z:
        z.writestr("a.fit", _sim_fit())
        z.writestr("b.fit", _sim_fit())
    (tmp_path / "c.fit").write_bytes(_sim_fit())
    app = create_app(db)
    with open_store(db) as st:
        aid = st.athlete("ann").id
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        with pw.sync_playwright() as p:
            b = p.chromium.launch(executable_path=exe, headless=True,
                                  args=["--no-sandbox", "--disable-gpu"])
            try:
                pg = b.new_page()
                pg.goto(f"http://127.0.0.1:{httpd.server_port}/a/{aid}")
                pg.set_input_files("#files", [str(tmp_path / "export.zip"),
                                              str(tmp_path / "c.fit")])
                pg.wait_for_function(
                    "() => document.querySelectorAll('#results li').length === 3 && "
                    "!document.querySelector('#results progress')", timeout=60_000)
                names = pg.eval_on_selector_all("#results li .name",
                                                "els => els.map(e => e.textContent)")
            finally:
                b.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(10)
    assert names == ["export.zip!a.fit", "export.zip!b.fit", "c.fit"]


# ------------------------------------------------------------------------------ shoes
def test_editing_a_retired_shoe_keeps_it_retired(client: FlaskClient, db: Path) -> None:
    """Blank fields keep the stored values (as 'shoe set' does), but the unticked "retired"
    box un-retired the pair: setting its drop brought a retired shoe back into use."""
    aid = _athlete(client)
    edit = f"/a/{aid}/edit"
    _post(client, f"/a/{aid}/shoes", {"shoe_name": "Old pair", "status": "retired"}, edit)
    _post(client, f"/a/{aid}/shoes", {"shoe_name": "Old pair", "drop_mm": "8"}, edit)
    with open_store(db) as st:
        info = {s.name: s for s in st.shoe_infos(aid)}["Old pair"]
    assert info.retired and info.drop_mm == 8
    _post(client, f"/a/{aid}/shoes", {"shoe_name": "Old pair", "status": "active"}, edit)
    with open_store(db) as st:
        info = {s.name: s for s in st.shoe_infos(aid)}["Old pair"]
    assert not info.retired and info.drop_mm == 8
    page = _post(client, f"/a/{aid}/shoes", {"shoe_name": "Old pair", "status": "lost"}, edit)
    assert "status must be active or retired" in page


def test_red_flag_exclusions_and_named_exercises_on_the_plan(client: FlaskClient) -> None:
    """The plan page says which exercises a red flag left out (as the handout does), and the
    next-step card names exercises instead of showing catalogue keys."""
    from evenstride.clinical.catalog import CATALOG

    aid = _athlete(client)
    for side, value in (("left", "150"), ("right", "110")):
        _post(client, f"/a/{aid}/tests",
              {"protocol": "single_hop", "side": side, "value": value, "date": ""},
              f"/a/{aid}/clinical")
    _post(client, f"/a/{aid}/symptoms",
          {"side": "right", "region": "shin_medial", "kind": "pain", "severity": "5",
           "timing": "during", "flag": "night_pain", "date": ""}, f"/a/{aid}/clinical")
    _post(client, f"/a/{aid}/plan", {"weeks": "8", "sessions_per_week": "2"}, f"/a/{aid}/plan")
    plan = client.get(f"/a/{aid}/plan").text
    assert "Left out because of a red flag: exercises that load" in plan
    # a painful session: the next step regresses exercises, named as in the catalogue
    page = _post(client, f"/a/{aid}/plan/log",
                 {"done": "done", "rpe": "7", "pain_during": "7", "pain_next_morning": "6",
                  "date": ""}, f"/a/{aid}/plan")
    card = page[page.index('id="next-step"'):page.index("</div>", page.index('id="next-step"'))]
    assert "REGRESS" in card
    arrows = re.findall(r'<span class="small">([^<]+) → ([^<]+)</span>', card)
    names = {ex.name for ex in CATALOG.values()}
    assert arrows and all(a in names and b in names for a, b in arrows), arrows


def _section(page: str, sid: str) -> str:
    start = page.index(f'id="{sid}"')
    return page[start:page.index("</section>", start)]


def test_a_refused_form_keeps_what_was_typed_once(client: FlaskClient) -> None:
    """A validation error redirects back with the message; the form shows what was typed
    (escaped) so nothing has to be entered again — and only on that one page view."""
    aid = _athlete(client)
    page = _post(client, f"/a/{aid}/symptoms",
                 {"side": "right", "region": "achilles", "kind": "pain", "severity": "11",
                  "timing": "after", "flag": "swelling", "note": "<b>after hills</b>",
                  "date": ""}, f"/a/{aid}/clinical")
    assert "severity must be 0–10 (got 11)" in page
    form = _section(page, "add-symptom")
    assert '<option value="achilles" selected>' in form and 'name="severity" value="11"' in form
    assert 'name="note" value="&lt;b&gt;after hills&lt;/b&gt;"' in form
    assert re.search(r'value="swelling" checked', form)
    assert re.search(r'<option value="after" selected>', form)
    # the test form on the same page is not filled from the symptom form
    test_form = _section(page, "add-test")
    assert 'name="note" value=""' in test_form
    again = client.get(f"/a/{aid}/clinical").text
    assert '<option value="achilles" selected>' not in again and "after hills" not in again
