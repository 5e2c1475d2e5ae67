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
from evenstride.web._uploads import UPLOAD_DIR_NAME, import_stream, import_uploads

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


@bp.post("/a/<int:aid>/video")
def video(aid: int) -> Any:
    """A side- or rear-view clip → its report page (key frames, L/R traces, findings); the clip
    is analysed in a folder inside the store's, deleted after, and nothing is stored."""
    import shutil
    import tempfile
    from pathlib import Path

    from evenstride.exceptions import UserInputError
    from evenstride.report.video import render_video_report
    from evenstride.services.video import run_video

    a = _athlete(aid)
    f = request.files.get("clip")
    if f is None or not f.filename:
        return _refuse(400, "No clip was chosen.")
    view = request.form.get("view") or None
    if view not in (None, "side", "rear", "front"):
        return _refuse(400, "The camera view is side, rear or front (or leave it to be detected).")
    root = Path(current_app.config["EVENSTRIDE_DB"]).parent / UPLOAD_DIR_NAME
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clip-", dir=root))
    try:
        name = Path(f.filename).name or "clip"
        path = work / ("clip" + (Path(name).suffix.lower()[:8] or ".mp4"))
        f.save(path)
        try:  # the profile's leg length (mean of the sides entered) puts distances in cm
            from evenstride.store.clinical import load_profile

            prof = load_profile(_store(), a.id)
            legs = [v for v in (prof.leg_length_cm.values() if prof else ()) if v]
            leg_cm = sum(legs) / len(legs) if legs else None
            va, res, doc = run_video(str(path), view=view, leg_length_cm=leg_cm)
        except ImportError:
            return _refuse(501, "Video analysis needs the optional part: pip install "
                           "'evenstride[video]'.")
        except UserInputError as exc:  # one line naming the clip, as the CLI says it
            return _refuse(400, str(exc).replace(str(path), name) + ".")
        html = render_video_report(va, res, doc, plotly_src=_plotly_src(),
                                   app_head=_app_head(), app_nav=_nav(a, "overview"))
        return _page(html.replace(str(path), name))
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
