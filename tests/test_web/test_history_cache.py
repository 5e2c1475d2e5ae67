# SPDX-License-Identifier: MIT
"""The history behind the history, assessment and run pages is built once per version of the
athlete's data, and any write — by the app or by the command line in another process, while
the app runs — makes the next page show the new data. Run pages say "Is this normal for you?"
against the runner's own history."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from evenstride.cli import main
from evenstride.simulate import write_simulated_fit
from evenstride.store import open_store
from evenstride.store.history_cache import HISTORY_CACHE, HistoryCache, history_fingerprint
from evenstride.web import create_app

T0 = datetime(2025, 4, 7, 7, 0, tzinfo=UTC)
COMMON = {"duration_s": 1200.0, "speed_m_s": 3.2, "include_stryd": False, "stops": 0,
          "hills": False, "drift_pct_per_h": 0.0, "balance_left_pct": 51.0}


@pytest.fixture
def store(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    for i in range(8):
        write_simulated_fit(runs / f"r{i}.fit", seed=700 + i,
                            start_time=T0 + timedelta(days=2 * i), **COMMON)
    db = tmp_path / "s.sqlite"
    assert main(["import", str(runs), "--db", str(db), "--athlete", "ann", "--no-progress",
                 "--jobs", "1"]) == 0
    with open_store(db) as st:
        aid = st.athlete("ann", create=False).id
        ids = [a.id for a in st.activities(aid)]
    return db, aid, ids, tmp_path


def _runs_on_page(html: str) -> int:
    m = re.search(r"<dt>Runs</dt><dd>(\d+)", html)
    assert m, "the history page names its number of runs"
    return int(m.group(1))


def _body(resp) -> str:
    # the per-response script nonce is the only part that differs between two views
    return re.sub(r'nonce="[^"]+"', "", resp.get_data(as_text=True))


def test_fingerprint_changes_with_every_input(store) -> None:
    db, aid, ids, _ = store
    with open_store(db) as st:
        seen = {history_fingerprint(st, aid)}
        assert history_fingerprint(st, aid) in seen  # stable without writes
        st.set_session_rpe(ids[0], 5.0, None)
        seen.add(history_fingerprint(st, aid))
        st.set_gear([ids[1]], "Pegasus")
        seen.add(history_fingerprint(st, aid))
        st.set_shoe(aid, "Pegasus", type="road", drop_mm=10.0, retire_km=None, retired=None)
        seen.add(history_fingerprint(st, aid))
        st.add_resting_hrv(aid, T0, 55.0, 300, "test")
        seen.add(history_fingerprint(st, aid))
        other = st.athlete("bob").id  # another athlete's writes do not touch ann's
        assert history_fingerprint(st, other) != history_fingerprint(st, aid)
        before = history_fingerprint(st, aid)
        st.set_session_rpe(ids[2], 6.0, None)
        assert history_fingerprint(st, aid) != before
    assert len(seen) == 5


def test_history_page_cached_then_refreshed_after_a_cli_write(store) -> None:
    db, aid, _ids, tmp = store
    HISTORY_CACHE.clear()
    app = create_app(db)
    c = app.test_client()
    first = c.get(f"/a/{aid}/history")
    assert first.status_code == 200 and _runs_on_page(first.get_data(as_text=True)) == 8
    misses = HISTORY_CACHE.misses
    again = c.get(f"/a/{aid}/history")
    assert _body(again) == _body(first)
    assert HISTORY_CACHE.misses == misses  # not rebuilt
    # the command line imports a run (another connection, as from a terminal)
    new = write_simulated_fit(tmp / "late.fit", seed=799, start_time=T0 + timedelta(days=20),
                              **COMMON)
    assert main(["import", str(new), "--db", str(db), "--athlete", "ann", "--no-progress",
                 "--jobs", "1"]) == 0
    after = c.get(f"/a/{aid}/history").get_data(as_text=True)
    assert _runs_on_page(after) == 9
    assert HISTORY_CACHE.misses > misses
    # a shoe entered with 'evenstride shoe use' appears at once
    with open_store(db) as st:
        last = st.activities(aid)[-1].id
    assert main(["shoe", "use", "Novablast", str(last), "--db", str(db), "--athlete",
                 "ann"]) == 0
    assert "Novablast" in c.get(f"/a/{aid}/history").get_data(as_text=True)


def test_assessment_shares_the_cached_history(store) -> None:
    db, aid, _ids, _ = store
    HISTORY_CACHE.clear()
    c = create_app(db).test_client()
    assert c.get(f"/a/{aid}/history").status_code == 200
    misses = HISTORY_CACHE.misses
    page = c.get(f"/a/{aid}/assessment").get_data(as_text=True)
    assert "8 runs" in page
    assert HISTORY_CACHE.misses == misses and HISTORY_CACHE.hits >= 1


def test_run_page_says_where_the_run_sits(store) -> None:
    db, _aid, ids, tmp = store
    c = create_app(db).test_client()
    page = c.get(f"/runs/{ids[-1]}").get_data(as_text=True)
    assert '<section id="personal">' in page and "Is this normal for you?" in page
    assert "7 runs since" in page  # the seven earlier runs, not itself
    early = c.get(f"/runs/{ids[1]}").get_data(as_text=True)
    assert "can&#39;t tell" in early and "only 1 comparable" in early
    # a new earlier-dated run changes the comparison of the last run (cache key includes it)
    new = write_simulated_fit(tmp / "mid.fit", seed=798, start_time=T0 + timedelta(days=13),
                              **COMMON)
    assert main(["import", str(new), "--db", str(db), "--athlete", "ann", "--no-progress",
                 "--jobs", "1"]) == 0
    assert "8 runs since" in c.get(f"/runs/{ids[-1]}").get_data(as_text=True)


def test_cache_builds_once_for_concurrent_viewers() -> None:
    import threading
    import time

    cache = HistoryCache(size=2)
    calls = []

    def build() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "built"

    out: list[str] = []
    ths = [threading.Thread(target=lambda: out.append(cache.get("k", build))) for _ in range(4)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    assert out == ["built"] * 4 and len(calls) == 1
    cache.get("a", lambda: "a")
    cache.get("b", lambda: "b")  # size 2: "k" is evicted
    assert cache.get("k", lambda: "rebuilt") == "rebuilt"


def test_a_write_through_the_app_rebuilds_in_the_background(store) -> None:
    db, aid, ids, _ = store
    HISTORY_CACHE.clear()
    app = create_app(db)
    c = app.test_client()
    assert c.get(f"/a/{aid}/history").status_code == 200
    tok = re.search(r'name="csrf_token" value="([^"]+)"',
                    c.get(f"/a/{aid}").get_data(as_text=True)).group(1)
    misses = HISTORY_CACHE.misses
    r = c.post(f"/runs/{ids[0]}/details", data={"csrf_token": tok, "rpe": "7"})
    assert r.status_code == 302
    assert app.extensions["evenstride_warm"].wait_idle(120)
    assert HISTORY_CACHE.misses == misses + 1  # rebuilt once, in the background
    pages = app.extensions["evenstride_pages"]
    rendered = pages.misses
    page = c.get(f"/a/{aid}/history")
    assert page.status_code == 200
    assert HISTORY_CACHE.misses == misses + 1  # the view found it built
    assert pages.misses == rendered  # and the page rendered, in the background too
    # a refused form (RPE 11) changes nothing: the rebuild finds the same version cached
    c.post(f"/runs/{ids[0]}/details", data={"csrf_token": tok, "rpe": "11"})
    assert app.extensions["evenstride_warm"].wait_idle(120)
    assert HISTORY_CACHE.misses == misses + 1
