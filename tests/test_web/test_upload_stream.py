# SPDX-License-Identifier: MIT
"""The upload page's live progress: an export is imported with one NDJSON progress line per
file, then the per-file results; the same import rules and the same clean-up as without it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

from evenstride.io._fit_writer import write_activity_fit
from evenstride.simulate import simulate_run
from evenstride.store import open_store
from evenstride.web import create_app
from evenstride.web.app import UPLOAD_DIR_NAME

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _fit(i: int) -> bytes:
    sim = simulate_run(duration_s=600, seed=i,
                       start_time=datetime(2025, 5, 1, 7, tzinfo=UTC) + timedelta(days=i))
    buf = io.BytesIO()
    write_activity_fit(sim.activity, buf)
    return buf.getvalue()


def test_an_export_streams_progress_then_results(tmp_path):
    db = tmp_path / "store" / "s.sqlite"
    db.parent.mkdir()
    app = create_app(db)
    c = app.test_client()
    with open_store(db) as st:
        aid = st.athlete("eve").id
    tok = _TOKEN.search(c.get(f"/a/{aid}").text).group(1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(3):
            z.writestr(f"export/activities/run{i}.fit", _fit(i))
        z.writestr("export/activities/broken.fit", b"\x0e\x10" + b"\x00" * 40)
    headers = {"X-CSRF-Token": tok, "X-Requested-With": "fetch", "Accept": "application/json",
               "X-Progress": "ndjson"}
    r = c.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(buf.getvalue()), "export.zip")},
               headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/x-ndjson"
    lines = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    progress = [x for x in lines if "progress" in x]
    assert [p["progress"] for p in progress] == [1, 2, 3, 4]
    assert {p["total"] for p in progress} == {4}
    assert {p["source"] for p in progress} == {"run0.fit", "run1.fit", "run2.fit", "broken.fit"}
    final = lines[-1]
    assert final["new"] == 3
    status = {it["source"].rsplit("/", 1)[-1]: it["status"] for it in final["items"]}
    assert status == {"run0.fit": "new", "run1.fit": "new", "run2.fit": "new",
                      "broken.fit": "failed"}
    assert all(it["source"].startswith("export.zip!") for it in final["items"])
    # the same upload again: nothing is stored twice
    r = c.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(buf.getvalue()), "export.zip")},
               headers=headers)
    final = [json.loads(x) for x in r.get_data(as_text=True).splitlines()][-1]
    assert final["new"] == 0
    with open_store(db) as st:
        assert len(st.activities(aid)) == 3
    left = [p for p in (db.parent / UPLOAD_DIR_NAME).rglob("*")]
    assert left == []


def test_a_file_refused_by_content_streams_its_result(tmp_path):
    db = tmp_path / "s.sqlite"
    app = create_app(db)
    c = app.test_client()
    with open_store(db) as st:
        aid = st.athlete("eve").id
    tok = _TOKEN.search(c.get(f"/a/{aid}").text).group(1)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = c.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(png), "run.fit")},
               headers={"X-CSRF-Token": tok, "X-Requested-With": "fetch",
                        "X-Progress": "ndjson"})
    lines = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert lines == [{"items": [{"source": "run.fit", "status": "failed", "activity_id": None,
                                 "reason": "not an activity file or export archive (FIT, TCX, "
                                           "GPX, .gz or .zip by content)"}], "new": 0}]
