# SPDX-License-Identifier: MIT
"""The local web app: Flask routes over the store and the same functions as the CLI.

Input: an evenstride store (SQLite). Output: pages for coaches and physical therapists.

Nothing here analyses anything: uploads go through :func:`evenstride.importer.import_paths`
(the ``import`` rules), run pages are :func:`evenstride.report.render_report` of the stored
recording, the athlete's history page is :func:`evenstride.report.render_history_report`, forms
are validated by the CLI's own validators (:mod:`evenstride.cli.clinical`,
:mod:`evenstride.cli.plan`) and show their messages. Security rules are in
:mod:`evenstride.web._security`, uploads in :mod:`evenstride.web._uploads`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import threading
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
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
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.utils import secure_filename

import evenstride
from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.web._security import (
    ACCESS_COOKIE,
    MAX_FILES_PER_UPLOAD,
    MAX_UPLOAD_BYTES,
    access_ok,
    access_token,
    add_script_nonce,
    csp,
    csrf_ok,
    host_allowed,
)
from evenstride.web._uploads import (
    UPLOAD_DIR_NAME,
    StoreRequest,
    import_stream,
    import_uploads,
)

__all__ = ["UPLOAD_DIR_NAME", "create_app"]

_HERE = Path(__file__).parent
#: Rendered run pages kept in memory (re-rendering a run takes ~0.5 s).
_RUN_CACHE_SIZE = 16
_UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
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

#: Wrong access secrets accepted from one address within the window before sign-in pauses.
SIGNIN_MAX_FAILURES = 10
SIGNIN_WINDOW_S = 600


class _SigninLimiter:
    """Counts wrong secrets per client address; too many within the window → refused for a
    while (a 16-character secret is not guessable, but nothing should try millions)."""

    def __init__(self) -> None:
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, who: str, now: float) -> list[float]:
        times = [t for t in self._fails.get(who, []) if now - t < SIGNIN_WINDOW_S]
        self._fails[who] = times
        return times

    def blocked(self, who: str) -> bool:
        import time

        with self._lock:
            return len(self._recent(who, time.monotonic())) >= SIGNIN_MAX_FAILURES

    def failed(self, who: str) -> None:
        import time

        with self._lock:
            self._recent(who, time.monotonic()).append(time.monotonic())


def _size(n: int) -> str:
    """Bytes as MB (or kB below 1 MB) for messages."""
    return f"{n / 1024**2:.0f} MB" if n >= 1024**2 else f"{max(1, n // 1024)} kB"


def create_app(
    db: str | os.PathLike[str],
    *,
    secret: str | None = None,
    hosts: set[str] | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> Flask:
    """The web app over the store at ``db`` (created if missing).

    Parameters
    ----------
    db
        Path of the store.
    secret
        Access secret: when set, every request must prove it (sign-in form, cookie or
        ``Authorization: Bearer``). Required by :func:`evenstride.web.serve` off loopback.
    hosts
        Host names the app answers to (``Host`` header, DNS-rebinding defence); default the
        loopback names.
    max_upload_bytes
        Largest request body accepted (uploads).
    """
    from evenstride.store import open_store
    from evenstride.store.history_cache import HistoryCache

    db_path = Path(db).expanduser().absolute()
    open_store(db_path).close()  # create and migrate now: a bad path fails at start, not later
    _clean_leftovers(db_path.parent)
    app = Flask(__name__, template_folder=str(_HERE / "templates"),
                static_folder=str(_HERE / "static"), static_url_path="/static")
    app.request_class = StoreRequest
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=max_upload_bytes,
        MAX_FORM_PARTS=MAX_FILES_PER_UPLOAD * 4 + 200,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
        TEMPLATES_AUTO_RELOAD=False,
        EVENSTRIDE_DB=db_path,
        EVENSTRIDE_SECRET=secret or None,
        EVENSTRIDE_HOSTS=set(hosts or {"127.0.0.1", "localhost", "::1"}),
    )
    app.jinja_env.autoescape = True
    app.jinja_env.filters["extra"] = _extra_text
    app.jinja_env.globals.update(version=evenstride.__version__, csrf_token=_csrf_token,
                                 tv=_typed_value, tl=_typed_list, upload_results=_shown_results,
                                 max_upload_bytes=max_upload_bytes,
                                 max_upload_text=_size(max_upload_bytes))
    # rendered pages; several viewers of a page not yet rendered wait for one rendering
    app.extensions["evenstride_runs"] = HistoryCache(_RUN_CACHE_SIZE)
    #: pages derived from an athlete's history, keyed by the history's cache key
    app.extensions["evenstride_pages"] = HistoryCache(_RUN_CACHE_SIZE)
    app.extensions["evenstride_signin"] = _SigninLimiter()
    _install_guards(app)
    _install_errors(app)
    _install_routes(app)
    _install_warming(app)
    return app


def _install_warming(app: Flask) -> None:
    """After a successful write through the app, rebuild that athlete's history in the
    background (:mod:`evenstride.web._warm`), so the page viewed next finds it ready."""
    from evenstride.web._warm import HistoryWarmer

    def prerender(aid: int) -> None:  # the history page, into the page cache
        with app.test_request_context(f"/a/{aid}/history"):
            app.view_functions["history_page"](aid=aid)

    app.extensions["evenstride_warm"] = HistoryWarmer(app.config["EVENSTRIDE_DB"], prerender)

    @app.after_request
    def warm_after_write(resp: Response) -> Response:
        # a streamed upload is still importing here: it asks for the rebuild when it is done
        if request.method not in _UNSAFE_METHODS or resp.status_code >= 400 or resp.is_streamed:
            return resp
        va = request.view_args or {}
        try:
            st = _store()
            if "aid" in va:
                name = st.athlete_by_id(int(va["aid"])).name
            elif "rid" in va:
                name = st.athlete_by_id(st.activity(int(va["rid"])).athlete_id).name
            else:
                return resp
        except (KeyError, OverflowError, ValueError):
            return resp
        app.extensions["evenstride_warm"].warm(name)
        return resp


def _clean_leftovers(store_dir: Path) -> None:
    """Remove what an earlier server left next to the store: spooled uploads (copies of health
    data a crash or kill left behind) and upload results (their sessions died with the process
    that signed them). One server per store: a second one would remove the first one's spool."""
    import shutil

    for name in (UPLOAD_DIR_NAME, RESULTS_DIR_NAME):
        shutil.rmtree(store_dir / name, ignore_errors=True)


# ------------------------------------------------------------------------------ guards
def _csrf_token() -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return str(tok)


def _install_guards(app: Flask) -> None:
    @app.before_request
    def guard() -> Any:
        cfg = app.config
        if not host_allowed(request.host, cfg["EVENSTRIDE_HOSTS"]):
            return _error_page(400, "This address is not one the app is served under.")
        if request.content_length is None and "chunked" in request.headers.get(
                "Transfer-Encoding", "").lower():  # werkzeug would cut it at the limit silently
            return _refuse(411, "Send the request with its length (Content-Length).")
        if request.endpoint != "upload":  # uploads keep MAX_CONTENT_LENGTH
            request.max_content_length = MAX_FORM_BYTES  # also cuts a body sent without length
            if (request.content_length or 0) > MAX_FORM_BYTES:
                return _refuse(413, f"The form is larger than {_size(MAX_FORM_BYTES)}.")
        if request.endpoint in ("static", "signin") and request.method == "GET":
            return None
        secret = cfg["EVENSTRIDE_SECRET"]
        authorization = request.headers.get("Authorization")
        bearer_ok = False
        if secret and authorization:  # a script's token: wrong ones count like wrong sign-ins
            limiter = app.extensions["evenstride_signin"]
            who = request.remote_addr or "?"
            if limiter.blocked(who):
                return _refuse(429, "Too many wrong access secrets from this computer: wait "
                                    f"{SIGNIN_WINDOW_S // 60} minutes and try again.")
            bearer_ok = access_ok(secret, authorization=authorization, cookie=None)
            if not bearer_ok:
                limiter.failed(who)
        if request.endpoint not in ("signin", "signin_post") and not access_ok(
                secret, authorization=request.headers.get("Authorization"),
                cookie=request.cookies.get(ACCESS_COOKIE)):
            if _wants_json():
                return _json_error(401, "sign in first (access secret)")
            return redirect(url_for("signin", next=request.full_path
                                    if request.method == "GET" else "/"))
        if request.method in _UNSAFE_METHODS:
            origin = request.headers.get("Origin")
            if origin and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
                return _refuse(403, "The request came from another site and was refused.")
            if bearer_ok:  # no ambient credential (a browser never adds this header by
                return None  # itself, and cross-site it needs a CORS preflight we never grant)
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
            if not csrf_ok(session.get("csrf"), given):
                return _refuse(400, "The form expired or came from another page: reload the "
                                    "page and try again.")
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = csp(_nonce())
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.teardown_appcontext
    def close_store(_exc: BaseException | None) -> None:
        st = g.pop("store", None)
        if st is not None:
            st.close()


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


def _install_errors(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_e: Exception) -> Response:
        if request.endpoint != "upload":
            return _refuse(413, f"The form is larger than {_size(MAX_FORM_BYTES)}.")
        return _refuse(413, f"The upload is larger than {_size(app.config['MAX_CONTENT_LENGTH'])}"
                            ". Import very large exports with 'evenstride import' in a terminal.")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        code = e.code or 500
        text = {404: "There is no such page (or it was removed).",
                405: "That action is not available here."}.get(code, e.description or e.name)
        return _refuse(code, str(text))

    @app.errorhandler(UserInputError)
    def user_error(e: UserInputError) -> Response:
        return _refuse(400, str(e))

    @app.errorhandler(Exception)
    def internal(e: Exception) -> Response:  # never a stack trace in a page
        app.logger.exception("unexpected error")
        return _refuse(500, "Something went wrong on our side; nothing was changed. The "
                            "terminal running 'evenstride serve' shows the details.")


# ------------------------------------------------------------------------------ helpers
def _store() -> Any:
    if "store" not in g:
        from flask import current_app

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
    from evenstride.cli.plan import active_program

    found = active_program(_args(athlete))
    if found is None:
        abort(404)
    return found[1]


def _args(athlete: Any, **kw: Any) -> argparse.Namespace:
    """What the CLI's shared functions expect: the store path and the athlete name."""
    from flask import current_app

    return argparse.Namespace(db=str(current_app.config["EVENSTRIDE_DB"]), athlete=athlete.name,
                              **kw)


def _num(name: str, *, integer: bool = False, required: bool = False) -> Any:
    """A form field as a number (``None`` when blank), with the CLI's kind of message."""
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
    return url_for("plotly_js")


def _local_path(nxt: str | None) -> str:
    """``nxt`` when it is a path on this site, else ``/`` (no open redirect after sign-in).

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
        flash(_form_message(str(exc)), "error")
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
    from flask import current_app

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


def _form_message(text: str) -> str:
    """A validator's message in the words of the form: the CLI's ``--mass-kg`` becomes
    ``mass kg`` (the shared validators name command-line options).

    >>> _form_message("--severity must be 0–10 (got 11)")
    'severity must be 0–10 (got 11)'
    >>> _form_message("VALUE must be a finite number (got inf)")  # the CLI's argument name
    'value must be a finite number (got inf)'
    """
    import re

    text = re.sub(r"\bVALUE\b", "value", text)
    return re.sub(r"(?<![\w-])--([a-z][a-z0-9-]*)", lambda m: m.group(1).replace("-", " "), text)


# ------------------------------------------------------------------------------ routes
def _install_routes(app: Flask) -> None:
    from evenstride.store.clinical import load_profile

    @app.get("/signin")
    def signin() -> Any:
        return render_template("signin.html.j2", next=request.args.get("next") or "/")

    @app.post("/signin")
    def signin_post() -> Any:
        secret = app.config["EVENSTRIDE_SECRET"]
        nxt = _local_path(request.form.get("next"))
        if not secret:
            return redirect(nxt)
        who = request.remote_addr or "?"
        if app.extensions["evenstride_signin"].blocked(who):
            return _error_page(429, "Too many wrong access secrets from this computer: wait "
                                    f"{SIGNIN_WINDOW_S // 60} minutes and try again.")
        given = request.form.get("secret") or ""
        if not access_ok(secret, authorization=f"Bearer {given}", cookie=None):
            app.extensions["evenstride_signin"].failed(who)
            return _error_page(403, "That access secret is not right.")
        session["csrf"] = secrets.token_urlsafe(32)  # a new token once signed in
        resp = redirect(nxt)
        resp.set_cookie(ACCESS_COOKIE, access_token(secret), httponly=True, samesite="Strict")
        return resp

    @app.get("/static/plotly.min.js")
    def plotly_js() -> Response:
        from evenstride.report.html import _plotly_js

        resp = Response(str(_plotly_js()), mimetype="text/javascript")
        resp.headers["Cache-Control"] = "public, max-age=86400"
        return resp

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # browsers ask for it on every page: answer "nothing" instead of a logged 404
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/")
    def index() -> Any:
        st = _store()
        rows = []
        for a in st.list_athletes():
            acts = st.activities(a.id)
            rows.append({"a": a, "n": len(acts),
                         "last": acts[-1].start_time if acts else None,
                         "km": sum((x.distance_m or 0.0) for x in acts) / 1000.0})
        return render_template("index.html.j2", athletes=rows)

    @app.post("/athletes")
    def athlete_create() -> Any:
        def run() -> Any:
            name = _text("name", 100)
            if not name:
                raise UserInputError("the athlete's name is empty")
            st = _store()
            if name in {a.name for a in st.list_athletes()}:
                raise UserInputError(f"there is already an athlete named {name!r}")
            a = st.athlete(name)
            flash(f"Athlete {name} created. Upload their runs below.", "ok")
            return redirect(url_for("athlete_page", aid=a.id))

        return _form_errors(run, url_for("index"))

    @app.get("/a/<int:aid>")
    def athlete_page(aid: int) -> Any:
        from evenstride.cli.inputs import shoe_table
        from evenstride.clinical.assess import lsi_results
        from evenstride.store.clinical import symptoms, tests

        a = _athlete(aid)
        st = _store()
        prof = load_profile(st, aid)
        acts = list(reversed(st.activities(aid)))
        ts = tests(st, aid)
        return render_template(
            "athlete.html.j2", athlete=a, profile=prof, activities=acts,
            lsis=lsi_results(ts, prof), symptoms=list(reversed(symptoms(st, aid)))[:10],
            shoes=shoe_table(st, aid), rpes=st.session_rpes(aid), nav=_nav(a, "overview"))

    @app.get("/a/<int:aid>/edit")
    def athlete_edit(aid: int) -> Any:
        from evenstride.cli.inputs import shoe_table
        from evenstride.store import SHOE_TYPES

        a = _athlete(aid)
        st = _store()
        return render_template("athlete_edit.html.j2", athlete=a, profile=load_profile(st, aid),
                               shoes=shoe_table(st, aid), shoe_types=SHOE_TYPES,
                               nav=_nav(a, "edit"), this_year=date.today().year)

    @app.post("/a/<int:aid>/edit")
    def athlete_save(aid: int) -> Any:
        from evenstride.cli.clinical import build_profile
        from evenstride.store.clinical import save_profile

        a = _athlete(aid)

        def run() -> Any:
            st = _store()
            name = _text("name", 100)
            injuries = []
            # the row count comes from the page; a forged one must neither fail (int() of
            # "abc" was an HTTP 500) nor loop for ever (n_injuries=10**9)
            n_rows = _num("n_injuries", integer=True) or 0
            if not 0 <= n_rows <= _MAX_INJURY_ROWS:
                raise UserInputError(f"at most {_MAX_INJURY_ROWS} injury rows (got {n_rows})")
            for i in range(n_rows):
                side = _text(f"inj_side_{i}", 10)
                region = _text(f"inj_region_{i}", 40).replace(":", " ")
                kind = _text(f"inj_kind_{i}", 10)
                desc = _text(f"inj_desc_{i}", 200).replace(":", " ")
                year = _text(f"inj_year_{i}", 4)
                if not region and not desc:
                    continue
                if not region or not desc:
                    raise UserInputError(f"injury {i + 1}: give both the region and a "
                                         "description (or clear both)")
                injuries.append(f"{side}:{region}:{kind}:{desc}" + (f":{year}" if year else ""))
            legs = [f"{s}={v}" for s in ("left", "right")
                    if (v := _text(f"leg_{s}", 10))]
            dominant, road_side = _text("dominant", 10) or None, _text("road_side", 10) or None
            mass_kg = _num("mass_kg")
            prof = build_profile(
                load_profile(st, aid), name or a.name,
                dominant=dominant, injuries=injuries,
                sports=[x for x in _text("sports", 300).split(",")],
                habits=[x for x in _text("habits", 300).split(",")],
                mass_kg=mass_kg, leg_length_cm=legs or None,
                road_side=road_side)
            # The page shows every field, so an emptied field ("not known", no mass, no leg
            # length) means "not known": build_profile keeps the stored value for None (the
            # CLI's ``profile set`` semantics), which made clearing impossible while the page
            # said "Profile saved" (review fix). The values were validated above.
            prof = replace(prof, dominant_leg=dominant, road_side=road_side,
                           body_mass_kg=None if mass_kg is None else float(mass_kg),
                           leg_length_cm={k: v for k, v in prof.leg_length_cm.items()
                                          if _text(f"leg_{k}", 10)})
            if name and name != a.name:
                try:
                    st.rename_athlete(aid, name)
                except ValueError as exc:
                    raise UserInputError(str(exc)) from None
            save_profile(st, aid, prof)
            flash("Profile saved.", "ok")
            return redirect(url_for("athlete_page", aid=aid))

        return _form_errors(run, url_for("athlete_edit", aid=aid))

    @app.post("/a/<int:aid>/shoes")
    def shoe_save(aid: int) -> Any:
        from evenstride.cli.inputs import _check_shoe_args

        _athlete(aid)

        def run() -> Any:
            ns = argparse.Namespace(name=_text("shoe_name", 100),
                                    shoe_type=_text("shoe_type", 20) or None,
                                    drop_mm=_num("drop_mm"), retire_km=_num("retire_km"))
            _check_shoe_args(ns)
            # as 'shoe set': retired, active again, or (blank) as stored. An unticked checkbox
            # meant "not retired", so setting the drop of a retired pair brought it back into
            # use without a word (review fix)
            status = _text("status", 10) or ("retired" if request.form.get("retired") == "on"
                                              else "")
            if status not in ("", "active", "retired"):
                raise UserInputError(f"status must be active or retired (got {status!r})")
            retired = {"": None, "active": False, "retired": True}[status]
            _store().set_shoe(aid, ns.name, type=ns.shoe_type, drop_mm=ns.drop_mm,
                              retire_km=ns.retire_km, retired=retired)
            flash(f"Shoe {ns.name} saved.", "ok")
            return redirect(url_for("athlete_edit", aid=aid) + "#shoes")

        return _form_errors(run, url_for("athlete_edit", aid=aid) + "#shoes")

    @app.post("/a/<int:aid>/upload")
    def upload(aid: int) -> Any:
        a = _athlete(aid)
        files = request.files.getlist("files")
        if not files or all(not f.filename for f in files):
            return _refuse(400, "No file was chosen.")
        if len(files) > MAX_FILES_PER_UPLOAD:
            return _refuse(400, f"At most {MAX_FILES_PER_UPLOAD} files per upload.")
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
        return redirect(url_for("athlete_page", aid=aid))

    @app.get("/runs/<int:rid>")
    def run_page(rid: int) -> Any:
        from evenstride.cli.inputs import stored_run_personal
        from evenstride.pipeline import analyze
        from evenstride.report import render_report

        st = _store()
        row = _activity(rid)
        a = st.athlete_by_id(row.athlete_id)

        # "is this normal for you?": this run against the athlete's history (cached)
        personal, hist_key = stored_run_personal(_args(a), rid)

        def make() -> str:
            act = st.load_activity(rid)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EvenstrideWarning)
                res = analyze(act)
            return render_report(res, plotly_src=_plotly_src(), app_head=_app_head(),
                                 app_nav=_nav(a, "overview"),  # runs are listed there
                                 personal=personal)

        cache = app.extensions["evenstride_runs"]
        # the athlete's name is part of the key: the cached page's navigation bar shows it, and
        # a renamed athlete's run pages kept the old name (review fix); the history's key too:
        # the comparison with the runner's own runs changes when runs are added
        html = cache.get((rid, row.imported_at, a.name, hist_key), make)
        return _page(html)

    @app.get("/a/<int:aid>/history")
    def history_page(aid: int) -> Any:
        from evenstride.cli.inputs import load_history_keyed as _load_history
        from evenstride.report import render_history_report

        a = _athlete(aid)
        if not _store().activities(aid):
            return render_template("empty.html.j2", athlete=a, nav=_nav(a, "history"),
                                   what="History and load",
                                   text="No runs yet: upload activity files first.")
        hist, docs, key = _load_history(_args(a))

        def make() -> str:
            links = {i: url_for("run_page", rid=i) for i in docs}
            return render_history_report(hist, run_links=links, athlete=a.name,
                                         plotly_src=_plotly_src(), app_head=_app_head(),
                                         app_nav=_nav(a, "history"))

        # the key changes with every write to the athlete's data (another process included):
        # the page is rendered once per version of the history, not once per view
        return _page(app.extensions["evenstride_pages"].get(("history", key, a.name), make))

    @app.get("/a/<int:aid>/clinical")
    def clinical_page(aid: int) -> Any:
        from evenstride.cli.clinical import change_lines
        from evenstride.clinical.assess import RED_FLAGS, agonist_antagonist, lsi_results
        from evenstride.clinical.models import SYMPTOM_REGIONS
        from evenstride.clinical.protocols import PROTOCOLS
        from evenstride.store.clinical import edits, symptom_ids, test_ids, tests

        a = _athlete(aid)
        st = _store()
        prof = load_profile(st, aid)
        ts = tests(st, aid)
        return render_template(
            "clinical.html.j2", athlete=a, profile=prof,
            tests=list(reversed(test_ids(st, aid))),
            lsis=lsi_results(ts, prof), ratios=agonist_antagonist(ts, prof),
            symptoms=list(reversed(symptom_ids(st, aid))), protocols=PROTOCOLS,
            activities=list(reversed(st.activities(aid)))[:30], today=date.today().isoformat(),
            red_flags={k: v for k, v in RED_FLAGS.items() if k != "rising"},
            regions=SYMPTOM_REGIONS,
            changes=change_lines([e for e in edits(st, aid) if e.record != "session_log"]),
            nav=_nav(a, "clinical"))

    @app.post("/a/<int:aid>/tests/<int:tid>/edit")
    def test_edit(aid: int, tid: int) -> Any:
        """``evenstride test edit``: the same validation, the old row kept."""
        from evenstride.cli.clinical import validate_test
        from evenstride.store.clinical import correct_record, test_ids

        a = _athlete(aid)

        def run() -> Any:
            st = _store()
            old = next((t for i, t in test_ids(st, aid) if i == tid), None)
            if old is None:
                raise UserInputError(f"no test #{tid} for this athlete")
            extra = {k: v for k, v in old.extra.items()
                     if k not in ("composite_pct", "torque_nm_per_kg")}
            value = _num("value")
            new = validate_test(st, aid, old.protocol, _text("side", 10) or old.side,
                                old.value if value is None else value, extra=extra,
                                when=_text("date", 10) or old.when.isoformat(),
                                note=_text("note"))
            correct_record(st, aid, "test", tid, new, reason=_text("reason", 200))
            flash(f"Test #{tid} corrected (the old entry is kept under 'Changes').", "ok")
            return redirect(url_for("clinical_page", aid=a.id) + "#tests")

        return _form_errors(run, url_for("clinical_page", aid=aid) + "#tests")

    @app.post("/a/<int:aid>/tests/<int:rid>/delete")
    def test_delete(aid: int, rid: int) -> Any:
        return clinical_delete(aid, rid, "tests")

    @app.post("/a/<int:aid>/symptoms/<int:rid>/delete")
    def symptom_delete(aid: int, rid: int) -> Any:
        return clinical_delete(aid, rid, "symptoms")

    def clinical_delete(aid: int, rid: int, kind: str) -> Any:
        """``evenstride test|symptom delete``: the row is kept in the change history."""
        from evenstride.store.clinical import correct_record

        a = _athlete(aid)
        record = "test" if kind == "tests" else "symptom"

        def run() -> Any:
            try:
                correct_record(_store(), aid, record, rid, None, reason=_text("reason", 200))
            except KeyError:
                raise UserInputError(f"no {record} #{rid} for this athlete") from None
            flash(f"{record.capitalize()} #{rid} deleted (kept under 'Changes').", "ok")
            return redirect(url_for("clinical_page", aid=a.id) + f"#{kind}")

        return _form_errors(run, url_for("clinical_page", aid=aid) + f"#{kind}")

    @app.post("/a/<int:aid>/symptoms/<int:sid>/edit")
    def symptom_edit(aid: int, sid: int) -> Any:
        """``evenstride symptom edit``: the same validation, the old row kept."""
        from evenstride.cli.clinical import validate_symptom
        from evenstride.store.clinical import correct_record, symptom_ids

        a = _athlete(aid)

        def run() -> Any:
            st = _store()
            old = next((x for i, x in symptom_ids(st, aid) if i == sid), None)
            if old is None:
                raise UserInputError(f"no symptom #{sid} for this athlete")
            sev = _num("severity", integer=True)
            new = validate_symptom(
                st, aid, side=_text("side", 10) or old.side,
                region=_text("region", 60) or old.region, kind=_text("kind", 20) or old.kind,
                severity=old.severity if sev is None else sev,
                timing=_text("timing", 20) or old.timing, activity=old.activity_id,
                onset_km=old.onset_km, onset_min=old.onset_min,
                flags=request.form.getlist("flag"),
                when=_text("date", 10) or old.when.isoformat(), note=_text("note"))
            correct_record(st, aid, "symptom", sid, new, reason=_text("reason", 200))
            flash(f"Symptom #{sid} corrected (the old entry is kept under 'Changes').", "ok")
            return redirect(url_for("clinical_page", aid=a.id) + "#symptoms")

        return _form_errors(run, url_for("clinical_page", aid=aid) + "#symptoms")

    @app.post("/a/<int:aid>/tests")
    def test_add(aid: int) -> Any:
        from evenstride.cli.clinical import validate_test
        from evenstride.store.clinical import add_test

        a = _athlete(aid)

        def run() -> Any:
            extra = {}
            # every extra a protocol takes (``test protocols``): without the two Y-balance
            # reaches the Y-balance test could not be entered at all (review fix)
            for k in ("lever_arm_m", "body_mass_kg", "limb_length_cm", "quality",
                      "posteromedial_cm", "posterolateral_cm"):
                v = _num(k)
                if v is not None:
                    extra[k] = v
            st = _store()
            res = validate_test(st, aid, _text("protocol", 40), _text("side", 10),
                                _num("value", required=True), extra=extra,
                                when=_text("date", 10) or None, note=_text("note"))
            add_test(st, aid, res)
            from evenstride.clinical.protocols import PROTOCOLS

            flash(f"Test saved: {PROTOCOLS[res.protocol].name} {res.side} {res.value:g} "
                  f"{res.unit}.", "ok")
            return redirect(url_for("clinical_page", aid=a.id) + "#tests")

        return _form_errors(run, url_for("clinical_page", aid=aid) + "#add-test")

    @app.post("/a/<int:aid>/symptoms")
    def symptom_add(aid: int) -> Any:
        from evenstride.cli.clinical import validate_symptom
        from evenstride.store.clinical import add_symptom

        a = _athlete(aid)

        def run() -> Any:
            st = _store()
            onset_km, onset_min = _num("onset_km"), _num("onset_min")
            sym = validate_symptom(
                st, aid, side=_text("side", 10), region=_text("region", 60),
                kind=_text("kind", 20), severity=_num("severity", integer=True, required=True),
                timing=_text("timing", 20), activity=_num("activity", integer=True),
                onset_km=onset_km, onset_min=onset_min,
                flags=request.form.getlist("flag"), when=_text("date", 10) or None,
                note=_text("note"))
            add_symptom(st, aid, sym)
            from evenstride.clinical.models import region_words

            flash(f"Symptom saved: {sym.kind} {sym.severity}/10 at {sym.side} "
                  f"{region_words(sym.region)}.", "ok")
            if sym.flags:
                from evenstride.cli.clinical import red_flag_line

                line = red_flag_line(sym)
                flash(line[:1].upper() + line[1:] + ".", "error")
            return redirect(url_for("clinical_page", aid=a.id) + "#symptoms")

        return _form_errors(run, url_for("clinical_page", aid=aid) + "#add-symptom")

    @app.get("/a/<int:aid>/plan")
    def plan_page(aid: int) -> Any:
        from evenstride.cli.plan import active_program, retest_state
        from evenstride.clinical.catalog import CATALOG
        from evenstride.clinical.prescribe import adherence, next_step
        from evenstride.report.handout import _phases

        a = _athlete(aid)
        found = active_program(_args(a))

        def exercise_name(key: str) -> str:  # the next-step card names exercises, not keys
            ex = CATALOG.get(key)
            return ex.name if ex is not None else key.replace("_", " ")

        ctx: dict[str, Any] = {"athlete": a, "nav": _nav(a, "plan"),
                               "today": date.today().isoformat(),
                               "exercise_name": exercise_name}
        if found is not None:
            plan_id, program, logs, rts = found
            # the schedule, the asymmetry before the plan (measure → (value, value of
            # symmetry)) and the verdicts, as 'evenstride retest' computes them
            schedule, from_plan, outcome = retest_state(program, rts)
            from evenstride.cli.clinical import change_lines
            from evenstride.cli.plan import MDC_LSI_PCT, _measure_name
            from evenstride.clinical.models import TARGET_WORDS
            from evenstride.clinical.protocols import PROTOCOLS
            from evenstride.store.clinical import edits
            from evenstride.store.plans import session_log_ids

            planned = [f["retest"] for f in program.findings if f.get("retest") in PROTOCOLS]
            ctx.update(
                log_rows=list(reversed(session_log_ids(_store(), plan_id))),
                log_changes=change_lines(edits(_store(), aid, "session_log")),
                measure_name=_measure_name,
                retest_protocols=[(k, PROTOCOLS[k]) for k in dict.fromkeys(
                    [*planned, *PROTOCOLS]) if PROTOCOLS[k].sided],
                mdc_known=MDC_LSI_PCT,
                excluded_words=[TARGET_WORDS.get(t, t.replace("_", " "))
                                for t in program.excluded_targets],
            )
            ctx.update(
                plan_id=plan_id, program=program, phases=_phases(program), logs=logs,
                decision=next_step(program, logs) if logs else None,
                adherence=adherence(program, logs),
                retests=schedule,
                recorded=rts,
                measures=sorted({f.get("retest") for f in program.findings
                                 if f.get("retest")}),
                # running-asymmetry measures ("metric/source") can come from the run history
                history_measures=sorted({f["retest"] for f in program.findings
                                         if "/" in (f.get("retest") or "")}),
                before=from_plan,
                outcome=outcome.items,
            )
        return render_template("plan.html.j2", **ctx)

    @app.post("/a/<int:aid>/plan")
    def plan_create(aid: int) -> Any:
        from evenstride.cli.plan import make_plan

        a = _athlete(aid)

        def run() -> Any:
            # blank → the CLI's defaults; a typed 0 is refused as the CLI refuses it (``or 10``
            # silently turned 0 weeks into a 10-week plan; review fix)
            weeks = _num("weeks", integer=True)
            spw = _num("sessions_per_week", integer=True)
            weeks = 10 if weeks is None else weeks
            spw = 2 if spw is None else spw
            plan_id, _program, findings, source = make_plan(_args(
                a, start=_text("start", 10) or None, weeks=weeks, sessions_per_week=spw,
                extra_weaker_side_pct=_num("extra_weaker_side_pct") or 0.0,
                level=_num("level", integer=True), retest_every=4))
            flash(f"Plan {plan_id} prescribed from {len(findings)} findings ({source}).", "ok")
            return redirect(url_for("plan_page", aid=aid))

        return _form_errors(run, url_for("plan_page", aid=aid))

    @app.post("/a/<int:aid>/plan/log")
    def plan_log(aid: int) -> Any:
        from evenstride.cli.plan import log_session

        a = _athlete(aid)

        def run() -> Any:
            done = request.form.get("done") == "done"
            _pid, log, _logs, decision = log_session(_args(
                a, date=_text("date", 10) or None, done=done, rpe=_num("rpe"),
                pain_during=_num("pain_during"), pain_next_morning=_num("pain_next_morning"),
                note=_text("note")))
            flash(f"Session on {log.date.isoformat()} logged. Next step: "
                  f"{decision.action} — {decision.reason}", "ok")
            return redirect(url_for("plan_page", aid=aid) + "#log")

        return _form_errors(run, url_for("plan_page", aid=aid) + "#log")

    @app.post("/a/<int:aid>/plan/log/<int:lid>/edit")
    def plan_log_edit(aid: int, lid: int) -> Any:
        return plan_log_correct(aid, lid, "edit")

    @app.post("/a/<int:aid>/plan/log/<int:lid>/delete")
    def plan_log_delete(aid: int, lid: int) -> Any:
        return plan_log_correct(aid, lid, "delete")

    def plan_log_correct(aid: int, lid: int, action: str) -> Any:
        """``evenstride log edit|delete``: the same validation, the old entry kept."""
        from evenstride.cli.plan import correct_session_log

        a = _athlete(aid)

        def run() -> Any:
            done = {"done": True, "skipped": False}.get(_text("done", 10))
            correct_session_log(_args(
                a, date=_text("date", 10) or None, done=done, rpe=_num("rpe"),
                pain_during=_num("pain_during"), pain_next_morning=_num("pain_next_morning"),
                note=_text("note") if "note" in request.form else None,
                reason=_text("reason", 200)), lid, delete=action == "delete")
            flash(f"Session log #{lid} {'deleted' if action == 'delete' else 'corrected'} "
                  "(the old entry is kept under 'Changes').", "ok")
            return redirect(url_for("plan_page", aid=aid) + "#log")

        return _form_errors(run, url_for("plan_page", aid=aid) + "#log")

    @app.post("/a/<int:aid>/plan/retest")
    def plan_retest(aid: int) -> Any:
        from evenstride.cli.plan import record_retests

        a = _athlete(aid)

        def run() -> Any:
            from evenstride.cli.plan import _measure_name

            protocol = _text("protocol", 80)
            left, right = _num("left", required=True), _num("right", required=True)
            if not protocol:
                raise UserInputError("choose the test that was retested")
            ns = _args(a, date=_text("date", 10) or None, before=[], record=[], extra=[],
                       test=[(protocol, repr(left), repr(right))], from_history=False)
            record_retests(ns)  # the CLI's validation and storage; errors are its messages
            flash(f"Retest of {_measure_name(protocol)} recorded: the LSI was computed from "
                  "both sides.", "ok")
            return redirect(url_for("plan_page", aid=aid) + "#retests")

        return _form_errors(run, url_for("plan_page", aid=aid) + "#retests")

    @app.post("/a/<int:aid>/plan/retest-history")
    def plan_retest_history(aid: int) -> Any:
        """``evenstride retest --from-history``: running measures from the latest runs."""
        from evenstride.cli.plan import record_retests

        a = _athlete(aid)

        def run() -> Any:
            record_retests(_args(a, date=None, before=[], record=[], from_history=True,
                                 road_side=None, hr_rest=None, hr_max=None))
            flash("Running measures retested from the run history.", "ok")
            return redirect(url_for("plan_page", aid=aid) + "#retests")

        return _form_errors(run, url_for("plan_page", aid=aid) + "#retests")

    @app.get("/a/<int:aid>/assessment")
    def assessment_page(aid: int) -> Any:
        """What ``evenstride assessment`` prints: red flags first, then ranked findings."""
        from evenstride.cli.clinical import assessment_inputs
        from evenstride.clinical.assess import integrated_assessment

        a = _athlete(aid)
        ns = _args(a, road_side=None, hr_rest=None, hr_max=None)
        profile, ts, ss, docs, history = assessment_inputs(ns)
        findings = integrated_assessment(profile, ts, ss, run_docs=docs, history=history)
        return render_template("assessment.html.j2", athlete=a, findings=findings,
                               n_tests=len(ts), n_symptoms=len(ss), n_runs=len(docs),
                               involved=None if profile is None else profile.involved_side,
                               nav=_nav(a, "assessment"))

    @app.get("/a/<int:aid>/plan/print")
    def plan_print(aid: int) -> Any:
        from evenstride.report.handout import render_handout

        a = _athlete(aid)
        return _page(render_handout(_program_or_404(a), athlete=a.name))

    @app.get("/a/<int:aid>/plan.ics")
    def plan_ics(aid: int) -> Any:
        from evenstride.clinical.ics import program_to_ics

        a = _athlete(aid)
        text = program_to_ics(_program_or_404(a), athlete=a.name)
        fname = secure_filename(f"evenstride-plan-{a.name}.ics") or "evenstride-plan.ics"
        return Response(text, mimetype="text/calendar",
                        headers={"Content-Disposition": f'attachment; filename="{fname}"'})

    @app.post("/runs/<int:rid>/details")
    def run_details(rid: int) -> Any:
        """Session RPE and the shoe worn for one run (what ``evenstride rpe`` and ``shoe use``
        record); an empty field leaves the stored value as it is."""
        from evenstride.store import RPE_RANGE

        st = _store()
        row = _activity(rid)
        back = url_for("athlete_page", aid=row.athlete_id) + "#runs"

        def run() -> Any:
            rpe = _num("rpe")
            shoe = _text("shoe", 100)
            if rpe is not None and not (RPE_RANGE[0] <= rpe <= RPE_RANGE[1]):  # NaN fails too
                raise UserInputError(f"RPE must be 0–10 on the CR-10 scale (got {rpe:g})")
            if rpe is None and not shoe:
                raise UserInputError("enter a session RPE or a shoe")
            if rpe is not None:
                st.set_session_rpe(rid, rpe, None)
            if shoe:
                st.set_gear([rid], shoe)
            done = [f"RPE {rpe:g}" if rpe is not None else "", f"shoe {shoe}" if shoe else ""]
            flash(f"Run {rid}: {' and '.join(x for x in done if x)} saved.", "ok")
            return redirect(back)

        return _form_errors(run, back)
