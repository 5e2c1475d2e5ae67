# SPDX-License-Identifier: MIT
"""Renaming an athlete while their upload is on its way: the request resolved the athlete
before the rename; the import carries that athlete's id, so the runs go to them (under the new
name) and no "ghost" athlete with the old name appears. Real store, real upload functions."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from store_helpers import sim_fit_bytes
from werkzeug.datastructures import FileStorage

from evenstride.importer import NEW, import_paths
from evenstride.store import open_store
from evenstride.web._uploads import import_stream, import_uploads


def _app(db) -> Flask:
    app = Flask(__name__)
    app.config["EVENSTRIDE_DB"] = db
    return app


def _upload(i: int) -> list[FileStorage]:
    return [FileStorage(stream=io.BytesIO(sim_fit_bytes(i)), filename=f"run{i}.fit")]


def _resolved_then_renamed(db):
    """The athlete as the upload request resolved it, then renamed by another request."""
    with open_store(db) as st:
        ann = st.athlete("ann")
        st.rename_athlete(ann.id, "Ann Smith")
    return ann


@pytest.mark.parametrize("streamed", [False, True])
def test_a_rename_during_an_upload_keeps_the_run_with_the_athlete(tmp_path, streamed):
    db = tmp_path / "s.db"
    ann = _resolved_then_renamed(db)
    assert ann.name == "ann"  # what the request holds: the old name
    app = _app(db)
    if streamed:
        last = json.loads(list(import_stream(app, ann, _upload(1)))[-1])
        items = last["items"]
    else:
        items = import_uploads(app, ann, _upload(1))
    assert [i["status"] for i in items] == [NEW]
    with open_store(db) as st:
        assert [a.name for a in st.list_athletes()] == ["Ann Smith"]  # no ghost "ann"
        assert len(st.activities(ann.id)) == 1


def test_import_paths_by_id_wins_over_a_stale_name(tmp_path):
    db = tmp_path / "s.db"
    ann = _resolved_then_renamed(db)
    f = tmp_path / "run.fit"
    f.write_bytes(sim_fit_bytes(2))
    with open_store(db) as st:
        report = import_paths([f], st, athlete=ann.name, athlete_id=ann.id, jobs=1)
        assert report.athlete == "Ann Smith"
        assert [a.name for a in st.list_athletes()] == ["Ann Smith"]
        assert len(st.activities(ann.id)) == 1
