# SPDX-License-Identifier: MIT
"""An athlete's history page (baseline, noise floor, real changes, load, shoes)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, url_for

from evenstride.services.history import load_history
from evenstride.web._common import _app_head, _athlete, _nav, _page, _plotly_src, _store

bp = Blueprint("history", __name__)


@bp.get("/a/<int:aid>/history")
def history_page(aid: int) -> Any:
    from evenstride.report import render_history_report

    a = _athlete(aid)
    if not _store().activities(aid):
        return render_template("empty.html.j2", athlete=a, nav=_nav(a, "history"),
                               what="History and load",
                               text="No runs yet: upload activity files first.")
    loaded = load_history(_store(), aid)
    for msg in loaded.skipped:  # said on every view, also when the history comes from the cache
        current_app.logger.warning("%s: %s", current_app.config["EVENSTRIDE_DB"], msg)
    hist, docs, key = loaded.history, loaded.docs, loaded.key

    def make() -> str:
        links = {i: url_for("runs.run_page", rid=i) for i in docs}
        return render_history_report(hist, run_links=links, athlete=a.name,
                                     plotly_src=_plotly_src(), app_head=_app_head(),
                                     app_nav=_nav(a, "history"))

    # the key changes with every write to the athlete's data (another process included):
    # the page is rendered once per version of the history, not once per view
    return _page(current_app.extensions["evenstride_pages"].get(("history", key, a.name), make))
