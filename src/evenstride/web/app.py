# SPDX-License-Identifier: MIT
"""The local web app: :func:`create_app` and the blueprints over the store.

Input: an evenstride store (SQLite). Output: pages for coaches and physical therapists.

Nothing here analyses anything, and nothing calls the command line: the pages call the services
(:mod:`evenstride.services`) over the request's store (opened once per request). Uploads go
through :func:`evenstride.importer.import_paths` (the ``import`` rules), run pages are
:func:`evenstride.report.render_report` of the stored recording, the athlete's history page is
:func:`evenstride.report.render_history_report`, forms are validated by the services'
validators and show their messages in the form's words. Routes live in blueprints:
:mod:`~evenstride.web.routes_athletes` (athlete list, profile, shoes, run details),
:mod:`~evenstride.web.routes_runs` (uploads, run pages), :mod:`~evenstride.web.routes_history`,
:mod:`~evenstride.web.routes_clinical` (tests, symptoms, assessment) and
:mod:`~evenstride.web.routes_plan`; sign-in and the guards are here. Security rules are in
:mod:`evenstride.web._security`, uploads in :mod:`evenstride.web._uploads`.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

import evenstride
from evenstride.exceptions import UserInputError
from evenstride.web._common import (
    MAX_FORM_BYTES,
    RESULT_TTL_S,
    RESULTS_DIR_NAME,
    _csrf_token,
    _error_page,
    _extra_text,
    _json_error,
    _local_path,
    _nonce,
    _refuse,
    _shown_results,
    _size,
    _store,
    _typed_list,
    _typed_value,
    _wants_json,
)
from evenstride.web._security import (
    ACCESS_COOKIE,
    MAX_FILES_PER_UPLOAD,
    MAX_UPLOAD_BYTES,
    access_ok,
    access_token,
    csp,
    csrf_ok,
    host_allowed,
)
from evenstride.web._uploads import UPLOAD_DIR_NAME, StoreRequest

__all__ = ["MAX_FORM_BYTES", "RESULTS_DIR_NAME", "RESULT_TTL_S", "UPLOAD_DIR_NAME", "create_app"]

_HERE = Path(__file__).parent
#: Rendered run pages kept in memory (re-rendering a run takes ~0.5 s).
_RUN_CACHE_SIZE = 16
_UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
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
    _install_signin(app)
    for bp in _blueprints():
        app.register_blueprint(bp)
    _install_warming(app)
    return app


def _install_warming(app: Flask) -> None:
    """After a successful write through the app, rebuild that athlete's history in the
    background (:mod:`evenstride.web._warm`), so the page viewed next finds it ready."""
    from evenstride.web._warm import HistoryWarmer

    def prerender(aid: int) -> None:  # the history page, into the page cache
        with app.test_request_context(f"/a/{aid}/history"):
            app.view_functions["history.history_page"](aid=aid)

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


def _install_guards(app: Flask) -> None:
    @app.before_request
    def guard() -> Any:
        cfg = app.config
        if not host_allowed(request.host, cfg["EVENSTRIDE_HOSTS"]):
            return _error_page(400, "This address is not one the app is served under.")
        if request.content_length is None and "chunked" in request.headers.get(
                "Transfer-Encoding", "").lower():  # werkzeug would cut it at the limit silently
            return _refuse(411, "Send the request with its length (Content-Length).")
        if request.endpoint not in ("runs.upload", "runs.video"):  # uploads keep MAX_CONTENT_LENGTH
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


def _install_errors(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_e: Exception) -> Response:
        if request.endpoint != "runs.upload":
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


def _blueprints() -> list[Any]:
    """The app's pages, one blueprint per area (add a new area here)."""
    from evenstride.web import (
        routes_athletes,
        routes_clinical,
        routes_history,
        routes_plan,
        routes_runs,
    )

    return [routes_athletes.bp, routes_runs.bp, routes_history.bp, routes_clinical.bp,
            routes_plan.bp]


def _install_signin(app: Flask) -> None:
    """Sign-in and the icon: the only pages reachable without the access secret."""

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


    @app.get("/favicon.ico")
    def favicon() -> Response:
        # browsers ask for it on every page: answer "nothing" instead of a logged 404
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})
