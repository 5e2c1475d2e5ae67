# SPDX-License-Identifier: MIT
"""The web app's security and safety rules, tested over HTTP against a real store.

Flask's test client drives most requests; where the network path matters (the ``Host`` header a
browser really sends, a body announced larger than the limit, the sign-in cookie round trip) a
real werkzeug server thread on 127.0.0.1 is used with :mod:`http.client`. Nothing is mocked: every
test opens its own store in ``tmp_path`` and checks it after the request.

Every response of the test client is checked by :class:`CheckedClient`: never a 5xx, never a
``Traceback`` in the body, always the security headers. The app logging an unexpected error
fails the test too (``_no_internal_errors`` in conftest.py).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

pytest.importorskip("flask", reason="the web app needs Flask (extra [web])")

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from evenstride.exceptions import UserInputError
from evenstride.importer import STORED
from evenstride.store import open_store
from evenstride.web import ENV_SECRET, create_app
from evenstride.web._security import ACCESS_COOKIE, check_bind
from evenstride.web.app import UPLOAD_DIR_NAME

SECRET = "correct-horse-battery-staple-42"
XSS_NAME = "<script>alert(1)</script>"
XSS_NAME_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_IMG_ESC = "&lt;img src=x onerror=alert(1)&gt;"
#: Small real running FIT file (fenix 5, 57 s, every running-dynamics field), see MANIFEST.md.
REAL_FIT = "python-fitparse/garmin-fenix-5-run.fit"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


# ------------------------------------------------------------------------------ helpers
def _assert_safe(status: int, headers: Any, body: bytes) -> None:
    """What every response must satisfy, whatever was asked."""
    assert status < 500, (status, body[:500])
    assert b"Traceback" not in body and b'File "/' not in body, body[:2000]
    csp = headers.get("Content-Security-Policy") or ""
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp
    for k, v in _SECURITY_HEADERS.items():
        assert headers.get(k) == v, (k, headers.get(k))


class CheckedClient(FlaskClient):
    """The test client, checking every response with :func:`_assert_safe`."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        resp = super().open(*args, **kwargs)
        _assert_safe(resp.status_code, resp.headers, resp.get_data())
        return resp


def _app(db: Path, **kw: Any) -> Flask:
    app = create_app(db, **kw)
    app.test_client_class = CheckedClient
    return app


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """The store's folder, one level below ``tmp_path`` (so the parent can be checked)."""
    d = tmp_path / "store"
    d.mkdir()
    return d


@pytest.fixture
def db(store_dir: Path) -> Path:
    return store_dir / "evenstride.sqlite"


@pytest.fixture
def client(db: Path) -> FlaskClient:
    return _app(db).test_client()


def _token(client: FlaskClient, url: str = "/") -> str:
    """The CSRF token of the client's session, read from a form on ``url``."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    m = _TOKEN.search(page.text)
    assert m, "no csrf_token field on " + url
    return m.group(1)


def _athletes(db: Path) -> list[str]:
    with open_store(db) as st:
        return [a.name for a in st.list_athletes()]


def _n_runs(db: Path) -> int:
    with open_store(db) as st:
        return sum(len(st.activities(a.id)) for a in st.list_athletes())


def _make_athlete(db: Path, name: str = "ann") -> int:
    with open_store(db) as st:
        return int(st.athlete(name).id)


def _create_athlete(client: FlaskClient, name: str) -> int:
    r = client.post("/athletes", data={"name": name, "csrf_token": _token(client)})
    assert r.status_code == 302, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _flashed(client: FlaskClient, resp: Any) -> str:
    """The page a form's redirect leads to (where the flash message is shown)."""
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200
    return str(page.text)


def _sim_fit() -> bytes:
    """FIT bytes of a short simulated run (for archive members; no shared data needed)."""
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.simulate import simulate_run

    buf = io.BytesIO()
    write_activity_fit(simulate_run(duration_s=600, seed=7).activity, buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data)  # ZipInfo keeps '..' and '/' as written
    return buf.getvalue()


def _upload_json(client: FlaskClient, aid: int, data: bytes, name: str,
                 token: str | None = None) -> Any:
    """Upload one file the way the page's script does (fetch, token in a header)."""
    token = token if token is not None else _token(client, f"/a/{aid}")
    return client.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(data), name)},
                       headers={"X-CSRF-Token": token, "X-Requested-With": "fetch",
                                "Accept": "application/json"})


def _uploads_left(store_dir: Path) -> list[Path]:
    return sorted((store_dir / UPLOAD_DIR_NAME).rglob("*"))


@contextlib.contextmanager
def _live(app: Flask) -> Iterator[int]:
    """A real threaded werkzeug server on 127.0.0.1 (an ephemeral port) for the block."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield srv.server_port
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


def _http(port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        _assert_safe(resp.status, resp.headers, data)
        return resp.status, resp.headers, data
    finally:
        conn.close()


# ------------------------------------------------------------------------------ 1. binding
@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::"])
def test_serve_off_loopback_without_a_secret_is_refused(host, tmp_path, capsys, monkeypatch):
    from evenstride.cli import main

    monkeypatch.delenv(ENV_SECRET, raising=False)
    code = main(["serve", "--host", host, "--port", "0", "--db", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"evenstride: serving on {host} ")
    assert "access secret" in lines[0] and ENV_SECRET in lines[0]
    assert "Traceback" not in err


def test_serve_refusal_through_the_real_entry_point(tmp_path, monkeypatch):
    """The same refusal from ``python -m evenstride`` in a child process (exit code 2)."""
    env = {k: v for k, v in os.environ.items() if k != ENV_SECRET}
    p = subprocess.run([sys.executable, "-m", "evenstride", "serve", "--host", "0.0.0.0",
                        "--port", "0", "--db", str(tmp_path / "s.sqlite")],
                       capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "access secret" in lines[0], p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("source", ["file", "env"])
def test_a_short_secret_is_refused(source, tmp_path, capsys, monkeypatch):
    from evenstride.cli import main

    argv = ["serve", "--host", "0.0.0.0", "--port", "0", "--db", str(tmp_path / "s.sqlite")]
    if source == "file":
        monkeypatch.delenv(ENV_SECRET, raising=False)
        f = tmp_path / "secret.txt"
        f.write_text("short-secret\n", encoding="utf-8")
        argv += ["--secret-file", str(f)]
    else:
        monkeypatch.setenv(ENV_SECRET, "x" * 15)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.strip() == "evenstride: the access secret must be at least 16 characters"


def test_check_bind_rules():
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        check_bind(host, None)  # loopback: no secret needed
    for host in ("0.0.0.0", "10.0.0.5", "192.168.1.20", "::"):
        with pytest.raises(UserInputError, match="set an access secret first"):
            check_bind(host, None)
        check_bind(host, "s" * 16)  # long enough
        with pytest.raises(UserInputError, match="at least 16 characters"):
            check_bind(host, "s" * 15)
    with pytest.raises(UserInputError, match="at least 16"):
        check_bind("127.0.0.1", "tooshort")  # a short secret is refused even on loopback


# ------------------------------------------------------------------------------ 1. access secret
@pytest.fixture
def secret_app(db: Path) -> Flask:
    return _app(db, secret=SECRET)


#: Endpoints reachable without the secret: the sign-in form, the app's own CSS/JS, the icon.
_PUBLIC = {"static", "signin", "signin_post", "favicon"}


def _routes(app: Flask, aid: int, method: str) -> list[str]:
    """Every URL of the app answering ``method`` (read from its URL map, so a route added
    later is covered too), ids filled with ``aid`` (athletes) and 1 (runs)."""
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in _PUBLIC or method not in (rule.methods or ()):
                continue
            urls.append(url_for(rule.endpoint, **{a: (aid if a == "aid" else 1)
                                                   for a in rule.arguments}))
    return urls


def _guarded_gets(app: Flask, aid: int) -> list[str]:
    urls = _routes(app, aid, "GET")
    for must in ("/", f"/a/{aid}", f"/a/{aid}/history", "/runs/1", "/static/plotly.min.js",
                 f"/a/{aid}/plan.ics"):
        assert must in urls
    return [*urls, "/no-such-page"]


def _guarded_posts(app: Flask, aid: int) -> list[str]:
    urls = _routes(app, aid, "POST")
    for must in ("/athletes", f"/a/{aid}/upload", f"/a/{aid}/symptoms", f"/a/{aid}/edit"):
        assert must in urls
    return urls


def test_every_route_needs_the_secret(secret_app, db):
    aid = _make_athlete(db)
    c = secret_app.test_client()
    for url in _guarded_gets(secret_app, aid):
        r = c.get(url)
        assert r.status_code == 302, url
        loc = urlsplit(r.headers["Location"])
        assert loc.path == "/signin" and not loc.netloc, (url, r.headers["Location"])
        r = c.get(url, headers={"Accept": "application/json"})
        assert r.status_code == 401 and r.is_json and "sign in" in r.json["error"], url
        r = c.get(url, headers={"X-Requested-With": "fetch"})
        assert r.status_code == 401, url
        assert "plotly" not in r.text.lower()
    for url in _guarded_posts(secret_app, aid):
        data = {"name": "mallory", "csrf_token": "x", "files": (io.BytesIO(b"x"), "a.fit")}
        r = c.post(url, data=data)
        assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/signin", url
        r = c.post(url, data={"name": "mallory"}, headers={"X-Requested-With": "fetch"})
        assert r.status_code == 401, url
    # the sign-in page itself and the app's own static files stay reachable
    assert c.get("/signin").status_code == 200
    assert c.get("/static/app.css").status_code == 200
    assert _athletes(db) == ["ann"] and _n_runs(db) == 0
    assert not _uploads_left(db.parent)


def test_sign_in_with_the_wrong_and_the_right_secret(secret_app, db):
    c = secret_app.test_client()
    tok = _token(c, "/signin?next=/")
    r = c.post("/signin", data={"secret": SECRET[:-1] + "X", "csrf_token": tok, "next": "/"})
    assert r.status_code == 403 and "not right" in r.text
    assert c.get_cookie(ACCESS_COOKIE) is None
    assert c.get("/").status_code == 302
    # without the form's CSRF token even the right secret is refused (login CSRF)
    r = c.post("/signin", data={"secret": SECRET, "next": "/"})
    assert r.status_code == 400 and c.get_cookie(ACCESS_COOKIE) is None
    r = c.post("/signin", data={"secret": SECRET, "csrf_token": tok, "next": "/a/1"})
    assert r.status_code == 302 and r.headers["Location"] == "/a/1"
    cookie = c.get_cookie(ACCESS_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    # the cookie proves the secret without holding it; no cookie holds it
    for header in r.headers.getlist("Set-Cookie"):
        assert SECRET not in header
    assert SECRET not in cookie.value and cookie.value != SECRET
    assert c.get("/").status_code == 200
    assert "New athlete" in c.get("/").text
    # and the forms work once signed in
    _create_athlete(c, "bea")
    assert _athletes(db) == ["bea"]


def test_forged_or_stale_cookies_are_refused(db):
    c = _app(db, secret=SECRET).test_client()
    for value in (SECRET, "", "0" * 64, "x"):
        c.set_cookie(ACCESS_COOKIE, value)
        assert c.get("/").status_code == 302, value
    # a cookie signed by another secret (the server restarted with a new one) is refused
    other = _app(db, secret="another-secret-0123456789").test_client()
    tok = _token(other, "/signin")
    other.post("/signin", data={"secret": "another-secret-0123456789", "csrf_token": tok})
    stale = other.get_cookie(ACCESS_COOKIE)
    assert stale is not None
    c.set_cookie(ACCESS_COOKIE, stale.value)
    assert c.get("/").status_code == 302


def test_bearer_secret(secret_app, db):
    c = secret_app.test_client()
    assert c.get("/", headers={"Authorization": f"Bearer {SECRET}"}).status_code == 200
    for bad in (f"Bearer {SECRET}x", f"Basic {SECRET}", "Bearer", SECRET, f"Bearer {SECRET[:-1]}"):
        assert c.get("/", headers={"Authorization": bad}).status_code == 302, bad
    r = c.get("/", headers={"Authorization": "Bearer nope", "Accept": "application/json"})
    assert r.status_code == 401


def test_sign_in_never_redirects_off_site(secret_app):
    c = secret_app.test_client()
    for nxt in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example",
                "javascript:alert(1)", "http:/\\evil.example"):
        tok = _token(c, "/signin")  # a signed-in session gets a new token
        r = c.post("/signin", data={"secret": SECRET, "csrf_token": tok, "next": nxt})
        assert r.status_code == 302
        loc = r.headers["Location"]
        # what a browser would make of it (it reads a backslash as a slash, drops tabs)
        seen = urlsplit(re.sub(r"[\t\r\n]", "", loc.strip().replace("\\", "/")))
        assert not seen.scheme and not seen.netloc and seen.path.startswith("/"), (nxt, loc)


def test_secret_over_the_network(secret_app, db):
    """The real path: redirect, 401, Bearer, and the sign-in cookie round trip."""
    with _live(secret_app) as port:
        status, headers, _ = _http(port, "GET", "/")
        assert status == 302 and urlsplit(headers["Location"]).path == "/signin"
        status, _, body = _http(port, "GET", "/static/plotly.min.js",
                                headers={"Accept": "application/json"})
        assert status == 401 and b"sign in" in body
        status, _, body = _http(port, "GET", "/", headers={"Authorization": f"Bearer {SECRET}"})
        assert status == 200 and b"Athletes" in body
        # sign in like a browser: session cookie + token from the form, then the access cookie
        status, headers, body = _http(port, "GET", "/signin")
        session = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        form = urlencode({"secret": SECRET, "csrf_token": m.group(1), "next": "/"}).encode()
        status, headers, _ = _http(port, "POST", "/signin", body=form, headers={
            "Cookie": session, "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}"})
        assert status == 302
        cookies = [h.split(";", 1)[0] for h in headers.get_all("Set-Cookie") or []]
        access = [c for c in cookies if c.startswith(ACCESS_COOKIE + "=")]
        assert len(access) == 1 and SECRET not in access[0]
        status, _, body = _http(port, "GET", "/", headers={"Cookie": access[0]})
        assert status == 200 and b"New athlete" in body


# ------------------------------------------------------------------------------ 2. Host pinning
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example",
                                  "localhost.evil.example:80", "[::2]:8765", "10.0.0.5:8765",
                                  "127.0.0.1:80@evil.example", "localhost:abc", "[::1",
                                  "localhost.", " localhost", "localhost:8765:1"])
def test_foreign_host_header_is_refused(client, db, host):
    r = client.get("/", headers={"Host": host})
    assert r.status_code == 400 and "not one the app is served under" in r.text
    r = client.post("/athletes", data={"name": "mallory", "csrf_token": _token(client)},
                    headers={"Host": host})
    assert r.status_code == 400
    assert _athletes(db) == []


def test_loopback_host_headers_are_served(client):
    for host in ("127.0.0.1:8765", "localhost", "LOCALHOST:1234", "[::1]:8765"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host


def test_host_pinning_over_the_network(db):
    """DNS rebinding as a browser would do it: the page's own name in the Host header."""
    app = _app(db, secret=SECRET)
    _make_athlete(db)
    with _live(app) as port:
        auth = {"Authorization": f"Bearer {SECRET}"}
        status, _, body = _http(port, "GET", "/a/1", headers={**auth,
                                                               "Host": f"evil.example:{port}"})
        assert status == 400 and b"not one the app is served under" in body
        assert b"ann" not in body  # nothing of the store is shown
        status, _, body = _http(port, "GET", "/a/1", headers=auth)
        assert status == 200 and b"ann" in body


# ------------------------------------------------------------------------------ 3. CSRF
def test_forms_without_a_valid_token_are_refused(client, db):
    good = _token(client)
    other = _app(db).test_client()
    foreign = _token(other)  # a token of another session
    assert foreign != good
    for data in ({"name": "m1"}, {"name": "m2", "csrf_token": ""},
                 {"name": "m3", "csrf_token": "wrong"}, {"name": "m4", "csrf_token": foreign}):
        r = client.post("/athletes", data=data)
        assert r.status_code == 400 and "reload the page" in r.text, data
    r = client.post("/athletes", data={"name": "m5"}, headers={"X-Requested-With": "fetch"})
    assert r.status_code == 400 and r.is_json and "reload the page" in r.json["error"]
    # a cross-site POST is refused by its Origin even with a valid token
    for origin in ("http://evil.example", "http://localhost.evil.example",
                   "https://localhost", "http://localhost:1"):
        r = client.post("/athletes", data={"name": "m6", "csrf_token": good},
                        headers={"Origin": origin})
        assert r.status_code == 403 and "another site" in r.text, origin
    assert _athletes(db) == []
    # a client without any session: nothing to compare with
    fresh = _app(db).test_client()
    assert fresh.post("/athletes", data={"name": "m7", "csrf_token": good}).status_code == 400
    assert _athletes(db) == []
    # the right token (and the app's own origin) works
    r = client.post("/athletes", data={"name": "ok", "csrf_token": good},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 302
    assert _athletes(db) == ["ok"]


def test_every_form_checks_the_token(client, db):
    aid = _make_athlete(db)
    before = _athletes(db)
    for url in _guarded_posts(client.application, aid):
        r = client.post(url, data={"name": "x", "shoe_name": "s", "rpe": "3",
                                   "files": (io.BytesIO(b"x"), "a.fit")})
        assert r.status_code == 400, url
    r = _upload_json(client, aid, b"\x0e\x10" + b"\0" * 100, "a.fit", token="forged")
    assert r.status_code == 400 and r.is_json
    assert _athletes(db) == before and _n_runs(db) == 0
    with open_store(db) as st:
        assert st.shoes(aid) == []


def test_cross_site_post_over_the_network(db):
    app = _app(db)
    with _live(app) as port:
        status, headers, body = _http(port, "GET", "/")
        session = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        form = urlencode({"name": "mallory", "csrf_token": m.group(1)}).encode()
        hdrs = {"Cookie": session, "Content-Type": "application/x-www-form-urlencoded"}
        status, _, _ = _http(port, "POST", "/athletes", body=form,
                             headers={**hdrs, "Origin": "http://evil.example"})
        assert status == 403
        assert _athletes(db) == []
        status, _, _ = _http(port, "POST", "/athletes", body=form,
                             headers={**hdrs, "Origin": f"http://127.0.0.1:{port}"})
        assert status == 302
        assert _athletes(db) == ["mallory"]


# ------------------------------------------------------------------------------ 4. uploads
def test_an_oversized_upload_is_refused(db, store_dir):
    app = _app(db, max_upload_bytes=1024 * 1024)
    c = app.test_client()
    aid = _make_athlete(db)
    big = b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + b"\0" * (1536 * 1024)
    tok = _token(c, f"/a/{aid}")
    r = c.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(big), "big.fit"),
                                         "csrf_token": tok})
    assert r.status_code == 413
    assert "The upload is larger than 1 MB" in r.text and "evenstride import" in r.text
    r = _upload_json(c, aid, big, "big.fit", token=tok)
    assert r.status_code == 413 and "larger than 1 MB" in r.json["error"]
    assert _n_runs(db) == 0 and not _uploads_left(store_dir)


def test_an_announced_oversized_body_is_refused_unread(db, store_dir):
    """Over the network: a request declaring too large a body is answered 413 at once."""
    app = _app(db, max_upload_bytes=1024 * 1024)
    aid = _make_athlete(db)
    with _live(app) as port:
        _, headers, body = _http(port, "GET", f"/a/{aid}")
        session = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.putrequest("POST", f"/a/{aid}/upload")
            conn.putheader("Content-Type", "multipart/form-data; boundary=xyz")
            conn.putheader("Content-Length", str(4 * 1024 ** 3))  # 4 GB, never sent
            conn.putheader("Cookie", session)
            conn.putheader("X-CSRF-Token", m.group(1))
            conn.putheader("Accept", "application/json")
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            _assert_safe(resp.status, resp.headers, body)
            assert resp.status == 413 and b"larger than 1 MB" in body
        finally:
            conn.close()
    assert _n_runs(db) == 0 and not _uploads_left(store_dir)


PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 200
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00" + b"\0" * 200


@pytest.mark.parametrize(("data", "name", "reason"), [
    (PNG, "run.fit", "not an activity file or export archive"),
    (EXE, "run.fit", "not an activity file or export archive"),
    (HTML, "run.fit", "not a FIT, TCX or GPX file"),
    (HTML, "run.gpx", "not a FIT, TCX or GPX file"),
    (b"PK\x03\x04" + b"\0" * 100, "export.zip", "not a readable zip archive"),
], ids=["png-as-fit", "exe-as-fit", "html-as-fit", "html-as-gpx", "broken-zip"])
def test_files_are_judged_by_content_not_name(client, db, store_dir, data, name, reason):
    aid = _make_athlete(db)
    r = _upload_json(client, aid, data, name)
    assert r.status_code == 200
    (item,) = r.json["items"]
    assert item["status"] == "failed" and reason in item["reason"], item
    assert item["activity_id"] is None and r.json["new"] == 0
    assert _n_runs(db) == 0 and not _uploads_left(store_dir)


def test_content_wins_over_a_misleading_name(client, db, store_dir):
    """A real activity file under an image's name is still read (by its content)."""
    aid = _make_athlete(db)
    r = _upload_json(client, aid, _sim_fit(), "holiday.png")
    (item,) = r.json["items"]
    assert item["status"] == "new" and item["source"] == "holiday.png", item
    assert _n_runs(db) == 1 and not _uploads_left(store_dir)


def test_xml_entities_are_refused(client, db, store_dir, tmp_path):
    """XXE: an external entity naming a local file is refused, its content never shown."""
    secret_file = tmp_path / "private.txt"
    secret_file.write_text("PRIVATE-XXE-CONTENT", encoding="utf-8")
    gpx = (f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file://{secret_file}">]>'
           '<gpx version="1.1" creator="x"><trk><name>&x;</name><trkseg>'
           '<trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time></trkpt>'
           '<trkpt lat="1.001" lon="1"><time>2024-01-01T00:00:10Z</time></trkpt>'
           '</trkseg></trk></gpx>').encode()
    aid = _make_athlete(db)
    r = _upload_json(client, aid, gpx, "xxe.gpx")
    (item,) = r.json["items"]
    assert item["status"] == "failed" and "DOCTYPE or ENTITY" in item["reason"]
    assert "PRIVATE-XXE-CONTENT" not in r.text
    assert "PRIVATE-XXE-CONTENT" not in client.get(f"/a/{aid}").text
    assert _n_runs(db) == 0 and not _uploads_left(store_dir)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "dotdot-deep"])
def test_archives_with_unsafe_members_are_refused(client, db, store_dir, tmp_path, kind):
    evil = f"evil-{uuid.uuid4().hex}.fit"
    member = {"dotdot": f"../{evil}", "absolute": f"/tmp/{evil}",
              "dotdot-deep": f"activities/../../../{evil}"}[kind]
    fit = _sim_fit()
    aid = _make_athlete(db)
    tok = _token(client, f"/a/{aid}")
    archive = _zip({"activities/good.fit": fit, member: fit})
    r = _upload_json(client, aid, archive, "export.zip", token=tok)
    assert r.status_code == 200
    (item,) = r.json["items"]
    assert item["status"] == "failed" and "refusing the archive" in item["reason"], item
    assert ("absolute path" if kind == "absolute" else "path traversal") in item["reason"]
    # the HTML form path gives the same answer as a flash message
    r = client.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(archive), "export.zip"),
                                              "csrf_token": tok})
    page = _flashed(client, r)
    assert "export.zip: failed" in page and "refusing the archive" in page
    # nothing stored (the good member neither: the archive is refused whole), nothing written
    assert _n_runs(db) == 0
    assert not _uploads_left(store_dir)
    assert not list(tmp_path.rglob(evil)), "a member was written inside tmp_path"
    assert not list(tmp_path.parent.glob(evil))
    assert not Path("/tmp", evil).exists()
    assert sorted(p.name for p in store_dir.iterdir() if not p.name.startswith(db.name)) == [
        UPLOAD_DIR_NAME]


def test_a_zip_bomb_is_refused_unread(client, db, store_dir):
    """A member declaring 250 MB uncompressed (central directory patched) is never expanded."""
    import struct

    raw = bytearray(_zip({"activities/bomb.fit": b"\0" * 1000}))
    cd = raw.index(b"PK\x01\x02")
    raw[cd + 24: cd + 28] = struct.pack("<I", 250 * 1024 * 1024)
    aid = _make_athlete(db)
    r = _upload_json(client, aid, bytes(raw), "export.zip")
    (item,) = r.json["items"]
    assert item["status"] == "failed" and "MB uncompressed" in item["reason"], item
    assert _n_runs(db) == 0 and not _uploads_left(store_dir)


@pytest.mark.shared_data
def test_a_real_fit_upload_is_stored_once(client, db, store_dir, tmp_path, shared_data):
    fit = (shared_data / REAL_FIT).read_bytes()
    aid = _make_athlete(db)
    tok = _token(client, f"/a/{aid}")
    # a client-side path in the file name is dropped: the file lands inside the upload folder
    r = _upload_json(client, aid, fit, "../../evil-name.fit", token=tok)
    (item,) = r.json["items"]
    assert item["status"] == "new" and item["source"] == "evil-name.fit", item
    assert r.json["new"] == 1
    assert not list(tmp_path.parent.glob("evil-name.fit"))
    assert not list(tmp_path.rglob("evil-name.fit"))
    # uploading it again finds it stored (idempotent), by JSON or by the plain form
    r = _upload_json(client, aid, fit, "again.fit", token=tok)
    (item,) = r.json["items"]
    assert item["status"] == STORED and r.json["new"] == 0
    assert item["activity_id"] == 1
    r = client.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(fit), "third.fit"),
                                              "csrf_token": tok})
    assert f"third.fit: {STORED}" in _flashed(client, r)
    assert _n_runs(db) == 1
    assert not _uploads_left(store_dir)
    assert client.get("/runs/1").status_code == 200


def test_an_empty_upload_and_too_many_files(client, db):
    aid = _make_athlete(db)
    tok = _token(client, f"/a/{aid}")
    r = client.post(f"/a/{aid}/upload", data={"csrf_token": tok})
    assert r.status_code == 400 and "No file was chosen" in r.text
    files = [(io.BytesIO(b"x"), f"f{i}.fit") for i in range(51)]
    r = client.post(f"/a/{aid}/upload", data={"files": files, "csrf_token": tok})
    assert r.status_code == 400 and "At most 50 files per upload" in r.text
    assert _n_runs(db) == 0


# ------------------------------------------------------------------------------ 5. escaping
def _assert_escaped(text: str, raw: str, escaped: str | None, where: str) -> None:
    assert raw not in text, f"{raw!r} unescaped on {where}"
    if escaped is not None:
        assert escaped in text, f"{escaped!r} missing on {where}"


@pytest.mark.shared_data
def test_user_text_is_escaped_on_every_page(client, db, shared_data):
    fit = (shared_data / REAL_FIT).read_bytes()
    aid = _create_athlete(client, XSS_NAME)
    assert _athletes(db) == [XSS_NAME]
    tok = _token(client, f"/a/{aid}")
    # a file name is user text too (shown in the flash message and the runs table)
    r = client.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(fit), XSS_IMG + ".fit"),
                                              "csrf_token": tok})
    overview = _flashed(client, r)
    _assert_escaped(overview, XSS_IMG, XSS_IMG_ESC + ".fit: new", "the upload flash")
    r = client.post(f"/a/{aid}/shoes", data={"shoe_name": XSS_IMG, "csrf_token": tok})
    _assert_escaped(_flashed(client, r), XSS_IMG, XSS_IMG_ESC, "the shoe flash")
    r = client.post(f"/a/{aid}/tests", data={"protocol": "single_hop", "side": "left",
                                             "value": "150", "note": XSS_IMG,
                                             "csrf_token": tok})
    assert "Test saved" in _flashed(client, r)
    r = client.post(f"/a/{aid}/symptoms", data={
        "side": "left", "region": "knee_lateral", "kind": "pain", "severity": "3",
        "timing": "after", "note": XSS_IMG + " symptom", "csrf_token": tok})
    assert "Symptom saved" in _flashed(client, r)
    r = client.post(f"/a/{aid}/plan", data={"csrf_token": tok})
    assert "prescribed" in _flashed(client, r)
    r = client.post(f"/a/{aid}/plan/log", data={"done": "done", "rpe": "3",
                                                "note": XSS_IMG + " log", "csrf_token": tok})
    assert "logged" in _flashed(client, r)
    expect_img = {f"/a/{aid}": XSS_IMG_ESC + ".fit",  # run name in the table
                  f"/a/{aid}/edit": XSS_IMG_ESC,  # shoe table and datalist
                  f"/a/{aid}/clinical": XSS_IMG_ESC + " symptom",  # symptom and test notes
                  f"/a/{aid}/plan": XSS_IMG_ESC + " log",
                  "/runs/1": XSS_IMG_ESC}
    pages = ["/", f"/a/{aid}", f"/a/{aid}/edit", f"/a/{aid}/clinical", f"/a/{aid}/history",
             f"/a/{aid}/plan", f"/a/{aid}/plan/print", "/runs/1"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        # the athlete's name is on every page (nav bar, title, report header)
        _assert_escaped(r.text, XSS_NAME, XSS_NAME_ESC, url)
        _assert_escaped(r.text, XSS_IMG, expect_img.get(url), url)
    clinical = client.get(f"/a/{aid}/clinical").text
    assert clinical.count(XSS_IMG_ESC) >= 2  # the test's note and the symptom's note
    # the calendar download names the athlete in a header: no quote or path can slip in
    r = client.get(f"/a/{aid}/plan.ics")
    disp = r.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', disp), disp


def test_text_inside_an_uploaded_file_is_escaped(client, db):
    """A GPX file's own strings (its creator, shown as the device) are user text too."""
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    pts = "".join(
        f'<trkpt lat="{48 + i * 0.00003:.6f}" lon="11.0"><time>'
        f'{(t0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")}</time><extensions>'
        "<gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>88</gpxtpx:cad>"
        "</gpxtpx:TrackPointExtension></extensions></trkpt>" for i in range(1200))
    x = "&lt;script&gt;alert(1)&lt;/script&gt;"  # XML-escaped: the parsed text is the tag
    gpx = (f'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="{x}" '
           'xmlns="http://www.topografix.com/GPX/1/1" '
           'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
           f"<metadata><name>{x}</name></metadata><trk><name>{x}</name><type>running</type>"
           f"<trkseg>{pts}</trkseg></trk></gpx>").encode()
    aid = _make_athlete(db)
    r = _upload_json(client, aid, gpx, "creator.gpx")
    (item,) = r.json["items"]
    assert item["status"] == "new", item
    with open_store(db) as st:
        (row,) = st.activities(aid)
    assert XSS_NAME in row.devices  # stored as written...
    for url in (f"/a/{aid}", f"/runs/{row.id}", f"/a/{aid}/history"):
        text = client.get(url).text
        _assert_escaped(text, XSS_NAME, XSS_NAME_ESC, url)  # ...and shown escaped


def test_the_upload_script_never_writes_html():
    """upload.js shows server text (file names, reasons) with textContent only."""
    import evenstride.web

    js = (Path(evenstride.web.__file__).parent / "static" / "upload.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink
    assert "textContent" in js


def test_escaping_without_runs(client, db):
    """The same without shared data: index, overview, edit, clinical, empty history."""
    aid = _create_athlete(client, XSS_NAME)
    tok = _token(client, f"/a/{aid}")
    client.post(f"/a/{aid}/shoes", data={"shoe_name": XSS_IMG, "csrf_token": tok})
    client.post(f"/a/{aid}/tests", data={"protocol": "single_hop", "side": "right",
                                         "value": "140", "note": XSS_IMG, "csrf_token": tok})
    client.post(f"/a/{aid}/symptoms", data={
        "side": "left", "region": "calf", "kind": "pain", "severity": "2", "timing": "after",
        "note": XSS_IMG, "csrf_token": tok})
    for url in ("/", f"/a/{aid}", f"/a/{aid}/edit", f"/a/{aid}/clinical",
                f"/a/{aid}/history", f"/a/{aid}/plan"):
        text = client.get(url).text
        _assert_escaped(text, XSS_NAME, XSS_NAME_ESC, url)
        _assert_escaped(text, XSS_IMG, XSS_IMG_ESC if url.endswith(("edit", "clinical"))
                        else None, url)
    # a refused value is echoed escaped in the message too
    r = client.post(f"/a/{aid}/symptoms", data={
        "side": "<b>x</b>", "region": "calf", "kind": "pain", "severity": "2",
        "timing": "after", "csrf_token": tok})
    _assert_escaped(_flashed(client, r), "<b>x</b>", "(got &#39;&lt;b&gt;x&lt;/b&gt;&#39;)",
                    "the error flash")
    # the sign-in page echoes ?next= into a hidden field
    text = client.get("/signin", query_string={"next": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in text and "&#34;&gt;&lt;script&gt;" in text


# ------------------------------------------------------------------------------ 6. errors
def test_not_found_and_method_not_allowed(client, db):
    aid = _make_athlete(db)
    for url in ("/a/999", "/a/999/edit", "/a/999/clinical", "/a/999/history", "/a/999/plan",
                "/runs/999", "/no-such-page", f"/a/{aid}/plan/print", f"/a/{aid}/plan.ics"):
        r = client.get(url)
        assert r.status_code == 404 and "no such page" in r.text, url
    tok = _token(client)
    for url in ("/a/999/symptoms", "/a/999/upload", "/runs/999/details"):
        r = client.post(url, data={"csrf_token": tok, "severity": "3"})
        assert r.status_code == 404, url
    r = client.get("/a/999", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.is_json
    for url in ("/athletes", f"/a/{aid}/upload", f"/a/{aid}/symptoms", f"/a/{aid}/tests",
                f"/a/{aid}/shoes", f"/a/{aid}/plan/log", "/runs/1/details"):
        r = client.get(url)
        assert r.status_code == 405 and "not available here" in r.text, url
    r = client.delete(f"/a/{aid}", headers={"X-CSRF-Token": tok})
    assert r.status_code == 405
    assert _athletes(db) == ["ann"]


def test_static_files_stay_in_their_folder(db):
    """Raw paths over the network (no client-side normalisation): no source file is served."""
    app = _app(db)
    with _live(app) as port:
        for path in ("/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/app.py",
                     "/static/..%5capp.py", "/static/....//app.py", "/static/../../cli.py",
                     "/static//etc/passwd", "/static/%2fetc%2fpasswd"):
            status, headers, body = _http(port, "GET", path)
            assert status in (404, 308), (path, status)
            assert b"create_app" not in body and b"root:" not in body and b"import" not in body
            if status == 308:  # werkzeug merging slashes: still a path on this site
                loc = urlsplit(headers["Location"])
                assert loc.netloc in ("", f"127.0.0.1:{port}") and loc.path.startswith("/static/")


@pytest.mark.parametrize(("url", "form", "message"), [
    ("symptoms", {"side": "left", "region": "knee", "kind": "pain", "severity": "11",
                  "timing": "after"}, "--severity must be 0–10 (got 11)"),
    ("symptoms", {"side": "left", "region": "knee", "kind": "pain", "severity": "3.5",
                  "timing": "after"}, "severity must be a whole number"),
    ("symptoms", {"side": "left", "region": "knee_medial", "kind": "pain", "severity": "3",
                  "timing": "after", "activity": "12345"}, "no run 12345 for this athlete"),
    ("symptoms", {"side": "left", "region": "kneee", "kind": "pain", "severity": "3",
                  "timing": "after"}, "did you mean knee_anterior"),
    ("tests", {"protocol": "no_such_test", "side": "left", "value": "150"}, "no_such_test"),
    ("tests", {"protocol": "single_hop", "side": "left", "value": "nan"},
     "must be a finite number"),
    ("tests", {"protocol": "single_hop", "side": "left", "value": "150",
               "date": "2999-01-01"}, "future"),
    ("edit", {"mass_kg": "500"}, "--mass-kg must be 20–250 kg (got 500)"),
    ("edit", {"mass_kg": "nan"}, "--mass-kg must be 20–250 kg"),
    ("edit", {"n_injuries": "abc"}, "n injuries must be a whole number"),
    ("edit", {"n_injuries": "1000000000"}, "at most 100 injury rows"),
    ("edit", {"name": "a\x00b"}, "name contains a NUL character"),
    ("shoes", {"shoe_name": "s", "drop_mm": "-3"}, "drop"),
    ("plan/retest", {"protocol": "\x00", "left": "1", "right": "1"}, "NUL character"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None)
def test_impossible_values_show_the_cli_message(client, db, url, form, message):
    aid = _make_athlete(db)
    before = _state(db, aid)
    tok = _token(client, f"/a/{aid}")
    r = client.post(f"/a/{aid}/{url}", data={**form, "csrf_token": tok})
    assert r.status_code == 302  # back to the form, with the message
    page = _flashed(client, r)
    m = re.search(r'<div class="flash error" role="status">([^<]*)</div>', page)
    assert m, page[:1500]
    assert _words(message) in _words(m.group(1).replace("&#39;", "'")), m.group(1)
    assert _state(db, aid) == before  # nothing stored


def _words(message: str) -> str:
    """A validator's message with the CLI's option names as words (``--mass-kg`` → ``mass kg``),
    the way the web form may word it: the rest of the text must be the same."""
    return re.sub(r"(?<![\w-])--([a-z][a-z0-9-]*)", lambda m: m.group(1).replace("-", " "),
                  message)


def _state(db: Path, aid: int) -> tuple[Any, ...]:
    from evenstride.store.clinical import load_profile, symptoms, tests

    with open_store(db) as st:
        return (tuple(a.name for a in st.list_athletes()), len(symptoms(st, aid)),
                len(tests(st, aid)), load_profile(st, aid), len(st.shoes(aid)))


def test_security_headers_on_every_kind_of_response(client, db, store_dir):
    """CheckedClient asserts the headers; this visits each kind of response once."""
    aid = _make_athlete(db)
    client.get("/")  # page
    client.get("/static/app.css")  # static file
    client.get("/nope")  # 404
    client.get("/athletes")  # 405
    client.get("/", headers={"Host": "evil.example"})  # 400 from the guard
    client.post("/athletes", data={"name": "x"})  # 400 CSRF
    r = client.get(f"/a/{aid}")
    assert "Content-Security-Policy" in r.headers
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    small = _app(db, max_upload_bytes=1024 * 1024).test_client()
    r = small.post(f"/a/{aid}/upload", data={"files": (io.BytesIO(b"\0" * (2 << 20)), "a.fit")})
    assert r.status_code in (400, 413)


# ------------------------------------------------------------------------------ 7. CLI parity
def test_symptom_validation_matches_the_cli(client, db, tmp_path, capsys):
    from evenstride.cli import main

    cli_db = tmp_path / "cli.sqlite"
    code = main(["symptom", "add", "--db", str(cli_db), "--athlete", "ann", "--side", "left",
                 "--region", "knee", "--kind", "pain", "--severity", "11", "--timing", "after"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("evenstride: ") and "\n" not in err
    cli_message = err.removeprefix("evenstride: ")
    assert cli_message == "--severity must be 0–10 (got 11)"

    aid = _make_athlete(db)
    r = client.post(f"/a/{aid}/symptoms", data={
        "side": "left", "region": "knee", "kind": "pain", "severity": "11", "timing": "after",
        "csrf_token": _token(client)})
    page = _flashed(client, r)
    m = re.search(r'<div class="flash error" role="status">([^<]*)</div>', page)
    assert m, page[:1500]
    web_message = m.group(1)
    # the same validator, the same words (the form may drop the CLI's "--" option syntax)
    assert _words(web_message) == _words(cli_message) == "severity must be 0–10 (got 11)"
    with open_store(db) as st:
        from evenstride.store.clinical import symptoms

        assert symptoms(st, aid) == []


# ------------------------------------------------------------------------------ script nonce
def test_scripts_run_only_with_the_responses_nonce(client, db):
    """No 'unsafe-inline' for scripts: every inline script of a rendered page carries the
    nonce of its own response (a new one each time, cached run pages included), so markup that
    got into a page could not run a script."""
    aid = _create_athlete(client, "nonce")
    resp = _upload_json(client, aid, _sim_fit(), "sim.fit")
    rid = resp.get_json()["items"][0]["activity_id"]
    seen = set()
    for _ in range(2):  # the second view comes from the run-page cache
        page = client.get(f"/runs/{rid}")
        policy = page.headers["Content-Security-Policy"]
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", script_src).group(1)
        html = page.get_data(as_text=True)
        tags = re.findall(r"<script\b[^>]*>", html)
        assert len(tags) >= 3  # plotly from /static, figure set-up, print sizing
        for tag in tags:
            assert f'nonce="{nonce}"' in tag or 'src="/static/' in tag, tag
        seen.add(nonce)
    assert len(seen) == 2


# ------------------------------------------------------------------------------ sign-in limit
def test_repeated_wrong_secrets_pause_sign_in(secret_app, db):
    from evenstride.web.app import SIGNIN_MAX_FAILURES

    c = secret_app.test_client()
    tok = _token(c, "/signin?next=/")
    for _ in range(SIGNIN_MAX_FAILURES):
        r = c.post("/signin", data={"secret": "w" * 20, "csrf_token": tok, "next": "/"})
        assert r.status_code == 403
    # now even the right secret waits: guessing is slowed to 10 tries per 10 minutes
    r = c.post("/signin", data={"secret": SECRET, "csrf_token": tok, "next": "/"})
    assert r.status_code == 429 and "wait" in r.text
    assert c.get_cookie(ACCESS_COOKIE) is None
    # another client address is not affected
    c2 = secret_app.test_client()
    tok2 = _token(c2, "/signin?next=/")
    r = c2.post("/signin", data={"secret": SECRET, "csrf_token": tok2, "next": "/"},
                environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert r.status_code == 302
    # and the CSRF token is a new one once signed in
    assert _token(c2, "/") != tok2


# ------------------------------------------------------------------------------ run details
def test_shoe_and_rpe_of_a_run(client, db):
    aid = _create_athlete(client, "cat")
    rid = _upload_json(client, aid, _sim_fit(), "sim.fit").get_json()["items"][0]["activity_id"]
    tok = _token(client, f"/a/{aid}")
    page = _flashed(client, client.post(f"/runs/{rid}/details", data={
        "shoe": "Pegasus <b>40</b>", "rpe": "6.5", "csrf_token": tok}))
    assert "RPE 6.5 and shoe Pegasus &lt;b&gt;40&lt;/b&gt; saved" in page
    with open_store(db) as st:
        assert st.activity(rid).gear == "Pegasus <b>40</b>"
        assert st.session_rpes(aid) == {rid: 6.5}
    # the CLI's range and message; nothing changed
    page = _flashed(client, client.post(f"/runs/{rid}/details", data={
        "rpe": "11", "csrf_token": tok}))
    assert "RPE must be 0–10 on the CR-10 scale (got 11)" in page
    page = _flashed(client, client.post(f"/runs/{rid}/details", data={"csrf_token": tok}))
    assert "enter a session RPE or a shoe" in page
    with open_store(db) as st:
        assert st.session_rpes(aid) == {rid: 6.5}


def test_large_uploads_are_spooled_inside_the_store(db, store_dir, monkeypatch):
    """A body over 500 kB is spooled to a file: in the store's folder, never the system's
    temporary folder (made unusable here, so a spool there would fail the upload). Sent over a
    real socket with a hand-built multipart body (the test client would spool it itself)."""
    import tempfile

    aid = _make_athlete(db, "big")
    data = _zip({"run.fit": _sim_fit(), "photo.bin": os.urandom(800_000)})
    assert len(data) > 600_000
    app = _app(db)
    with _live(app) as port:
        _, headers, body = _http(port, "GET", f"/a/{aid}")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        b = "evenstride-test-boundary"
        payload = (f"--{b}\r\nContent-Disposition: form-data; name=\"files\"; "
                   f"filename=\"export.zip\"\r\nContent-Type: application/zip\r\n\r\n"
                   ).encode() + data + f"\r\n--{b}--\r\n".encode()
        monkeypatch.setattr(tempfile, "tempdir", str(store_dir / "no-such-folder"))
        status, _, out = _http(port, "POST", f"/a/{aid}/upload", body=payload, headers={
            "Cookie": cookie, "X-CSRF-Token": m.group(1), "X-Requested-With": "fetch",
            "Accept": "application/json",
            "Content-Type": f"multipart/form-data; boundary={b}"})
    assert status == 200, out[:300]
    assert [it["status"] for it in json.loads(out)["items"]] == ["new"]
    assert all(p.is_dir() for p in _uploads_left(store_dir))
    assert not (store_dir / "no-such-folder").exists()


def test_a_busy_port_is_one_line(tmp_path, capsys):
    import socket

    from evenstride.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc = main(["serve", "--db", str(tmp_path / "s.sqlite"), "--port", str(port)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("evenstride: cannot listen on 127.0.0.1:") and \
        err.count("\n") == 1, err
