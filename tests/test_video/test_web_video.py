# SPDX-License-Identifier: MIT
"""The web app analyses an uploaded clip (issue 16): the report page with the video section, the
clip deleted after, nothing stored; a file that is not a clip gets a one-line refusal."""

from __future__ import annotations

import io
import re

import pytest

pytest.importorskip("flask", reason="the web app needs Flask (extra [web])")

from evenstride.store import open_store
from evenstride.web import create_app
from evenstride.web.app import UPLOAD_DIR_NAME

from .conftest import TREADMILL, clip

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def cached_model(treadmill_pose, monkeypatch):
    import evenstride.steps.video as video

    monkeypatch.setattr(video, "pose_from_video", lambda path, **kw: treadmill_pose)


def _athlete(c):
    tok = _TOKEN.search(c.get("/").text).group(1)  # type: ignore[union-attr]
    r = c.post("/athletes", data={"name": "ann", "csrf_token": tok})
    return int(r.headers["Location"].rsplit("/", 1)[1]), tok


def test_an_uploaded_clip_gets_its_report_and_is_not_kept(tmp_path, cached_model):
    db = tmp_path / "s.sqlite"
    c = create_app(db).test_client()
    aid, tok = _athlete(c)
    page = c.get(f"/a/{aid}").text
    assert f'action="/a/{aid}/video"' in page  # the athlete page offers it
    data = clip(TREADMILL).read_bytes()
    r = c.post(f"/a/{aid}/video", data={"clip": (io.BytesIO(data), "my run.mp4"),
                                        "view": "", "csrf_token": tok})
    assert r.status_code == 200, r.text[:300]
    html = r.text
    assert '<section id="video">' in html and '<a href="#video">Video</a>' in html
    assert html.index('<section id="video">') < html.index('<section id="asymmetry">')
    assert "168." in html  # the clip's cadence, steps/min
    assert "my run.mp4" in html and "clip-" not in html  # the user's name, not the temp path
    spool = db.parent / UPLOAD_DIR_NAME
    assert not spool.exists() or not any(spool.iterdir())  # the clip is gone
    with open_store(db) as st:
        assert list(st.activities(aid)) == []  # nothing stored


def test_a_file_that_is_not_a_clip_is_refused_in_one_line(tmp_path):
    c = create_app(tmp_path / "s.sqlite").test_client()
    aid, tok = _athlete(c)
    r = c.post(f"/a/{aid}/video", data={"clip": (io.BytesIO(b"hello, not a clip\n" * 50),
                                                 "notes.mp4"), "csrf_token": tok},
               headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"] == "notes.mp4: not a video clip (MP4, MOV, MKV or AVI)."
    r = c.post(f"/a/{aid}/video", data={"clip": (io.BytesIO(b"x"), "a.mp4"), "view": "top",
                                        "csrf_token": tok}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "side, rear or front" in r.get_json()["error"]
