# SPDX-License-Identifier: MIT
"""What the web app's blueprints share: the request's store, form fields, pages, messages.

Private to :mod:`evenstride.web`. The store is opened once per request (:func:`_store`) and
closed when the request ends; the services (:mod:`evenstride.services`) do the work.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup, escape

from evenstride.exceptions import UserInputError
from evenstride.web._security import add_script_nonce

_RESULT_ID = re.compile(r"[0-9a-f]{32}")
#: Injury rows the profile form may send (the page shows the stored ones plus two).
_MAX_INJURY_ROWS = 100


#: Largest body of a request other than an upload (every form is a few kB; the profile form
#: with its most injury rows stays under 100 kB). A larger announced body is refused (413) before
#: any of it is read; one sent without a length is cut at this size.
MAX_FORM_BYTES = 1024 * 1024
#: Folder next to the store holding the no-JavaScript upload results until the page shows them
#: (a bulk export's result list is far larger than the 4 kB a browser keeps in a cookie).
RESULTS_DIR_NAME = ".evenstride-results"
#: A result not shown within this time is deleted at the next upload.
RESULT_TTL_S = 3600



def _size(n: int) -> str:
    """Bytes as MB (or kB below 1 MB) for messages."""
    return f"{n / 1024**2:.0f} MB" if n >= 1024**2 else f"{max(1, n // 1024)} kB"


# ------------------------------------------------------------------------------ guards
def _csrf_token() -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return str(tok)


def _nonce() -> str:
    """This response's script nonce (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def _page(html: str) -> Response:
    """A page rendered by the report renderers, its inline scripts allowed by this response's
    nonce (cached pages get the new nonce each time)."""
    return Response(add_script_nonce(html, _nonce()), mimetype="text/html")


def _wants_json() -> bool:
    return (request.headers.get("X-Requested-With") == "fetch"
            or request.accept_mimetypes.best == "application/json")


def _json_error(code: int, message: str) -> Response:
    resp = jsonify({"error": message})
    resp.status_code = code
    return resp


def _refuse(code: int, message: str) -> Response:
    return _json_error(code, message) if _wants_json() else _error_page(code, message)


def _error_page(code: int, message: str) -> Response:
    resp = Response(render_template("error.html.j2", code=code, message=message), status=code)
    return resp


# ------------------------------------------------------------------------------ helpers
def _store() -> Any:
    if "store" not in g:
        from evenstride.store import open_store

        g.store = open_store(current_app.config["EVENSTRIDE_DB"])
    return g.store


#: Largest id SQLite can hold: a larger one in a URL (``/a/99999999999999999999``) made the
#: store raise OverflowError, an HTTP 500 (review fix); it is simply not found.
_MAX_ID = 2**63 - 1


def _athlete(aid: int) -> Any:
    if aid > _MAX_ID:
        abort(404)
    try:
        return _store().athlete_by_id(aid)
    except KeyError:
        abort(404)


def _activity(rid: int) -> Any:
    """The stored run ``rid`` (404 when unknown or beyond SQLite's integers)."""
    if rid > _MAX_ID:
        abort(404)
    try:
        return _store().activity(rid)
    except KeyError:
        abort(404)


def _program_or_404(athlete: Any) -> Any:
    """The athlete's active program (404 when there is none)."""
    from evenstride.services.plan import active_program

    found = active_program(_store(), athlete.id)
    if found is None:
        abort(404)
    return found.program


def _num(name: str, *, integer: bool = False, required: bool = False) -> Any:
    """A form field as a number (``None`` when blank)."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise UserInputError(f"{name.replace('_', ' ')} is required")
        return None
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise UserInputError(f"{name.replace('_', ' ')} must be {kind} (got {raw!r})") from None


def _text(name: str, limit: int = 500) -> str:
    v = (request.form.get(name) or "").strip()
    if len(v) > limit:
        raise UserInputError(f"{name.replace('_', ' ')} is longer than {limit} characters")
    if "\x00" in v:  # SQLite cuts text at NUL: a CHECK failed (HTTP 500) or a truncated value
        raise UserInputError(f"{name.replace('_', ' ')} contains a NUL character")
    return v


#: Unit suffixes of test extras (``lever_arm_m``): the page showed "lever arm m 0.8, torque nm
#: per kg 3.328" (review fix: "lever arm 0.8 m, torque 3.33 N·m/kg").
_EXTRA_UNITS = (("_nm_per_kg", "N·m/kg"), ("_pct", "%"), ("_cm", "cm"), ("_kg", "kg"),
                ("_m", "m"))


def _extra_text(key: str, value: float) -> str:
    """One stored test extra as words with its unit.

    >>> _extra_text("torque_nm_per_kg", 3.3281), _extra_text("quality", 7.0)
    ('torque 3.33 N·m/kg', 'quality 7')
    """
    for suffix, unit in _EXTRA_UNITS:
        if key.endswith(suffix):
            return f"{key[:-len(suffix)].replace('_', ' ')} {value:.3g} {unit}"
    return f"{key.replace('_', ' ')} {value:.3g}"


def _nav(athlete: Any | None, active: str = "") -> Markup:
    """The app's navigation bar, put at the top of the report pages."""
    return Markup(render_template("_nav.html.j2", athlete=athlete, active=active))


def _app_head() -> Markup:
    return Markup(f'<link rel="stylesheet" href="{escape(url_for("static", filename="app.css"))}">')


def _plotly_src() -> str:
    return url_for("runs.plotly_js")


def _local_path(nxt: str | None) -> str:
    """``nxt`` when it is a path on this site, else ``/`` (no open redirect after sign-in).

    >>> _local_path("/a/1/plan?x=1"), _local_path("//evil.example"), _local_path(None)
    ('/a/1/plan?x=1', '/', '/')
    >>> _local_path("/" + chr(9) + "/evil.example"), _local_path("/" + chr(92) + "evil.example")
    ('/', '/')

    Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``, and werkzeug's
    ``redirect`` drops the tab too: ``/<TAB>/evil.example`` became ``Location: //evil.example``.
    So any backslash, control character or space is refused, not only a leading ``//``.
    """
    if (not nxt or not nxt.startswith("/") or nxt.startswith("//")
            or any(ch == "\\" or ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in nxt)):
        return "/"
    return nxt


def _form_errors(fn: Callable[[], Any], back: str) -> Any:
    """Run a form action: a user error is shown as a message on the page it came from, and
    what was typed is kept for that page's form (:func:`_typed_value`)."""
    try:
        return fn()
    except UserInputError as exc:
        flash(str(exc), "error")
        kept: dict[str, list[str]] = {}
        size = 0
        for k in request.form:
            if k == "csrf_token":
                continue
            vals = [v[:500] for v in request.form.getlist(k)][:20]
            size += sum(len(v) for v in vals) + len(k)
            if size > 2000:  # the session is a cookie: keep it small
                break
            kept[k] = vals
        session["typed"] = {"form": request.endpoint, "values": kept}
        return redirect(back)


def _results_dir() -> Path:
    return Path(current_app.config["EVENSTRIDE_DB"]).parent / RESULTS_DIR_NAME


def _keep_result(lines: list[tuple[str, str]]) -> None:
    """Keep an upload's result lines server-side (a file named by a random id next to the
    store; the session cookie holds only the id) until the next page shows them once."""
    import json
    import time

    root = _results_dir()
    root.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in root.glob("*.json"):  # results never shown (the browser went away)
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > RESULT_TTL_S:
                old.unlink()
    rid = secrets.token_hex(16)
    path = root / f"{rid}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(lines, fh, ensure_ascii=False)
    old_rid = session.get("result")
    if isinstance(old_rid, str) and _RESULT_ID.fullmatch(old_rid):
        with contextlib.suppress(OSError):
            (root / f"{old_rid}.json").unlink()
    session["result"] = rid


def _shown_results() -> list[tuple[str, str]]:
    """The kept upload result of this session (read and deleted: shown once)."""
    import json

    if "shown_results" in g:
        return list(g.shown_results)
    g.shown_results = []
    rid = session.pop("result", None)
    if isinstance(rid, str) and _RESULT_ID.fullmatch(rid):
        path = _results_dir() / f"{rid}.json"
        with contextlib.suppress(OSError, ValueError):
            g.shown_results = [(str(c), str(m)) for c, m in
                               json.loads(path.read_text(encoding="utf-8"))]
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):  # the folder goes when nothing waits to be shown
            path.parent.rmdir()
    return list(g.shown_results)


def _typed(form: str) -> dict[str, list[str]]:
    """What was typed into ``form`` (an endpoint name) before a validation error, once."""
    if "typed" not in g:
        g.typed = session.pop("typed", None) or {}
    t = g.typed
    return t.get("values", {}) if t.get("form") == form else {}


def _typed_value(form: str, name: str, default: Any = "") -> Any:
    """The value typed into a field of ``form`` before a validation error, else ``default``."""
    vals = _typed(form).get(name)
    return vals[0] if vals else default


def _typed_list(form: str, name: str) -> list[str]:
    """Every value typed for a repeated field (checkboxes) of ``form``."""
    return list(_typed(form).get(name, []))


