# SPDX-License-Identifier: MIT
"""Uploads and the stored runs' pages."""

from __future__ import annotations

import warnings
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from evenstride.exceptions import EvenstrideWarning
from evenstride.services.history import run_personal
from evenstride.web._common import (
    _activity,
    _app_head,
    _athlete,
    _keep_result,
    _nav,
    _page,
    _plotly_src,
    _refuse,
    _store,
    _wants_json,
)
from evenstride.web._security import MAX_FILES_PER_UPLOAD
from evenstride.web._uploads import import_stream, import_uploads

bp = Blueprint("runs", __name__)


@bp.get("/static/plotly.min.js")
def plotly_js() -> Response:
    from evenstride.report.html import _plotly_js

    resp = Response(str(_plotly_js()), mimetype="text/javascript")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@bp.post("/a/<int:aid>/upload")
def upload(aid: int) -> Any:
    a = _athlete(aid)
    files = request.files.getlist("files")
    if not files or all(not f.filename for f in files):
        return _refuse(400, "No file was chosen.")
    if len(files) > MAX_FILES_PER_UPLOAD:
        return _refuse(400, f"At most {MAX_FILES_PER_UPLOAD} files per upload.")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if request.headers.get("X-Progress") == "ndjson":  # the page's script: live progress
        return Response(import_stream(app, a, files), mimetype="application/x-ndjson",
                        headers={"X-Accel-Buffering": "no"})
    items = import_uploads(app, a, files)
    n_new = sum(1 for it in items if it["status"] == "new")
    if _wants_json():
        return jsonify({"items": items, "new": n_new})
    lines = []
    for it in items:  # a stored file has no reason: not "— None"
        why = f" — {it['reason']}" if it["reason"] else ""
        lines.append(("error" if it["status"] == "failed" else "ok",
                      f"{it['source']}: {it['status']}{why}"))
    _keep_result(lines)
    return redirect(url_for("athletes.athlete_page", aid=aid))


@bp.get("/runs/<int:rid>")
def run_page(rid: int) -> Any:
    from evenstride.pipeline import analyze
    from evenstride.report import render_report

    st = _store()
    row = _activity(rid)
    a = st.athlete_by_id(row.athlete_id)

    # "is this normal for you?": this run against the athlete's history (cached)
    personal, hist_key = run_personal(st, a.id, rid)

    def make() -> str:
        act = st.load_activity(rid)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            res = analyze(act)
        return render_report(res, plotly_src=_plotly_src(), app_head=_app_head(),
                             app_nav=_nav(a, "overview"),  # runs are listed there
                             personal=personal)

    cache = current_app.extensions["evenstride_runs"]
    # the athlete's name is part of the key: the cached page's navigation bar shows it, and
    # a renamed athlete's run pages kept the old name (review fix); the history's key too:
    # the comparison with the runner's own runs changes when runs are added
    html = cache.get((rid, row.imported_at, a.name, hist_key), make)
    return _page(html)
