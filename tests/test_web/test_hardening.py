# SPDX-License-Identifier: MIT
"""Issue 14, "Web": one test per failure the hostile-input campaign found, over a real
werkzeug server on loopback where the network matters (no mocks)."""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the web app needs Flask (extra [web])")

from flask import Flask

from evenstride.exceptions import UserInputError
from evenstride.store import open_store
from evenstride.web import ENV_SECRET, create_app, make_web_server, serve
from evenstride.web.app import (
    MAX_FORM_BYTES,
    RESULTS_DIR_NAME,
    SIGNIN_MAX_FAILURES,
    UPLOAD_DIR_NAME,
)

SECRET = "correct-horse-battery-staple-42"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def db(tmp_path: Path) -> Path:
    d = tmp_path / "store"
    d.mkdir()
    return d / "evenstride.sqlite"


def _athletes(db: Path) -> list[str]:
    with open_store(db) as st:
        return [a.name for a in st.list_athletes()]


@contextlib.contextmanager
def _live(app: Flask, **kw: Any) -> Iterator[int]:
    """The server ``evenstride serve`` runs, on 127.0.0.1 (an ephemeral port), for the block."""
    srv = make_web_server("127.0.0.1", 0, app, **kw)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield srv.server_port
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


def _http(port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, Any, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def _form(fields: dict[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# ------------------------------------------------------------------ 1. Bearer rate limit
def test_wrong_bearer_tokens_are_rate_limited(db):
    app = create_app(db, secret=SECRET)
    with _live(app) as port:
        for i in range(SIGNIN_MAX_FAILURES):
            status, _, _ = _http(port, "GET", "/", headers={
                "Authorization": f"Bearer wrong-token-{i:04d}-xxxxxxxx",
                "Accept": "application/json"})
            assert status == 401, (i, status)
        # the next guess is refused without being checked, and so is the right token for now
        for token in ("another-wrong-token-xxxxxx", SECRET):
            status, _, body = _http(port, "GET", "/", headers={
                "Authorization": f"Bearer {token}", "Accept": "application/json"})
            assert status == 429 and b"wait" in body, (status, body[:200])
    # another address is not affected (the limit is per client address)
    r = app.test_client().get("/", headers={"Authorization": f"Bearer {SECRET}"},
                              environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert r.status_code == 200


# ------------------------------------------------------------------ 2. spool cleaned at start
def test_a_crashed_servers_spool_and_results_are_removed_at_start(db):
    left = db.parent / UPLOAD_DIR_NAME / "upload-abc123"
    left.mkdir(parents=True)
    (left / "000-run.fit").write_bytes(b"\x0e\x10" + b"\0" * 100_000)  # a health-data copy
    (db.parent / RESULTS_DIR_NAME).mkdir()
    (db.parent / RESULTS_DIR_NAME / ("a" * 32 + ".json")).write_text("[]")
    (db.parent / "keep.txt").write_text("not ours")
    create_app(db)
    assert not (db.parent / UPLOAD_DIR_NAME).exists()
    assert not (db.parent / RESULTS_DIR_NAME).exists()
    assert (db.parent / "keep.txt").read_text() == "not ours"


# ------------------------------------------------------------------ 3. big form bodies
def test_a_100_mb_form_is_refused_before_it_is_read(db):
    """Headers announcing 100 MB, not one byte of body sent: the answer is 413 at once (before
    the change the server waited for the body the CSRF check reads)."""
    app = create_app(db)
    with _live(app) as port:
        _status, headers, body = _http(port, "GET", "/")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.putrequest("POST", "/athletes")
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(100 * 1024 * 1024))
            conn.putheader("Cookie", cookie)
            conn.putheader("X-CSRF-Token", m.group(1))
            conn.endheaders()
            resp = conn.getresponse()
            text = resp.read()
            assert resp.status == 413 and b"The form is larger than 1 MB" in text
        finally:
            conn.close()
    assert _athletes(db) == []


def test_forms_over_the_limit_are_refused_and_uploads_keep_theirs(db):
    c = create_app(db).test_client()
    page = c.get("/")
    tok = _TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    r = c.post("/athletes", data={"name": "ann", "csrf_token": tok,
                                  "pad": "x" * (MAX_FORM_BYTES + 10)})
    assert r.status_code == 413 and _athletes(db) == []
    r = c.post("/athletes", data={"name": "ann", "csrf_token": tok})
    assert r.status_code == 302 and _athletes(db) == ["ann"]
    # an upload larger than the form limit is still read (and judged by its content)
    aid = int(r.headers["Location"].rsplit("/", 1)[1])
    r = c.post(f"/a/{aid}/upload",
               data={"files": (io.BytesIO(b"MZ" + b"\0" * (2 * MAX_FORM_BYTES)), "x.fit")},
               headers={"X-CSRF-Token": tok, "Accept": "application/json",
                        "X-Requested-With": "fetch"})
    assert r.status_code == 200
    assert r.json["items"][0]["status"] == "failed"
    assert "not an activity file" in r.json["items"][0]["reason"]


# ------------------------------------------------------------------ 4. read timeout
def test_a_silent_connection_is_closed(db):
    app = create_app(db)
    with _live(app, read_timeout_s=1.0) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing
            s.settimeout(30)
            got = b""
            while True:  # the server closes its end: recv returns b"" (not a client timeout)
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        assert b"200 OK" not in got
        # the server still serves others
        status, _, _ = _http(port, "GET", "/")
        assert status == 200


# ------------------------------------------------------------------ 5. results not in cookie
def test_no_javascript_upload_results_stay_out_of_the_cookie(db):
    app = create_app(db)
    c = app.test_client()
    tok = _TOKEN.search(c.get("/").text).group(1)  # type: ignore[union-attr]
    r = c.post("/athletes", data={"name": "ann", "csrf_token": tok})
    aid = int(r.headers["Location"].rsplit("/", 1)[1])
    names = [f"session-{i:02d}-" + "long-file-name-" * 8 + ".fit" for i in range(50)]
    files = [(io.BytesIO(b"MZ junk"), n) for n in names]
    r = c.post(f"/a/{aid}/upload", data={"files": files, "csrf_token": tok})
    assert r.status_code == 302
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies and all(len(h) < 1024 for h in cookies), [len(h) for h in cookies]
    page = c.get(r.headers["Location"]).text
    for n in names:
        assert f"{n}: failed" in page, n
    assert not (db.parent / RESULTS_DIR_NAME).exists()  # shown once, gone
    assert "session-00-" not in c.get(r.headers["Location"]).text


# ------------------------------------------------------------------ 6. --allow-host, --host
def test_allow_host_reaches_the_app_by_a_lan_name_with_the_secret(db):
    env = {**os.environ, ENV_SECRET: SECRET, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"}
    p = subprocess.Popen([sys.executable, "-m", "evenstride", "serve", "--db", str(db),
                          "--port", "0", "--allow-host", "Clinic-Laptop.lan"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout is not None
        line = p.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, p.poll())
        port = int(m.group(1))
        auth = {"Authorization": f"Bearer {SECRET}"}
        status, _, body = _http(port, "GET", "/", headers={**auth,
                                                           "Host": f"clinic-laptop.lan:{port}"})
        assert status == 200 and b"Athletes" in body
        status, _, body = _http(port, "GET", "/", headers={**auth,
                                                           "Host": f"other.lan:{port}"})
        assert status == 400 and b"not one the app is served under" in body
        status, _, _ = _http(port, "GET", "/", headers={"Host": f"clinic-laptop.lan:{port}",
                                                        "Accept": "application/json"})
        assert status == 401  # the name is allowed, the secret is still needed
    finally:
        p.terminate()
        p.wait(20)


def test_allow_host_off_loopback_needs_the_secret(db, capsys, monkeypatch):
    from evenstride.cli import main

    monkeypatch.delenv(ENV_SECRET, raising=False)
    code = main(["serve", "--db", str(db), "--port", "0", "--allow-host", "192.168.1.20"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "access secret" in err[0], err
    with pytest.raises(UserInputError, match="without a port"):
        serve(db, port=0, secret=SECRET, allow_hosts=["clinic.lan:8765"])


def test_host_errors_advise_the_host_and_port_errors_the_port(db):
    with pytest.raises(UserInputError) as exc:  # TEST-NET-3: not an address of this machine
        serve(db, host="203.0.113.7", port=0, secret=SECRET)
    assert "--host" in str(exc.value) and "--port" not in str(exc.value)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(UserInputError) as exc:
            serve(db, host="127.0.0.1", port=taken.getsockname()[1])
    assert "choose another --port" in str(exc.value)


# ------------------------------------------------------------------ 7. Bearer scripts and CSRF
def test_a_bearer_script_posts_without_a_csrf_token(db):
    app = create_app(db, secret=SECRET)
    with _live(app) as port:
        status, _, _ = _http(port, "POST", "/athletes", body=_form({"name": "bob"}),
                             headers={**_FORM, "Authorization": f"Bearer {SECRET}"})
        assert status == 302 and _athletes(db) == ["bob"]
        # a wrong token is no sign-in, and a cookie without a token still needs the CSRF token
        status, _, _ = _http(port, "POST", "/athletes", body=_form({"name": "eve"}),
                             headers={**_FORM, "Authorization": "Bearer not-the-secret-xxxxx"})
        assert status == 302 and _athletes(db) == ["bob"]
        from evenstride.web._security import ACCESS_COOKIE, access_token

        status, _, _ = _http(port, "POST", "/athletes", body=_form({"name": "eve"}), headers={
            **_FORM, "Cookie": f"{ACCESS_COOKIE}={access_token(SECRET)}"})
        assert status == 400 and _athletes(db) == ["bob"]
        # a foreign Origin is refused even with the token
        status, _, _ = _http(port, "POST", "/athletes", body=_form({"name": "eve"}), headers={
            **_FORM, "Authorization": f"Bearer {SECRET}", "Origin": "http://evil.example"})
        assert status == 403 and _athletes(db) == ["bob"]


def test_an_upload_that_goes_silent_is_answered_and_leaves_nothing(db):
    """An upload announcing 2 MB that stops after 100 kB: answered (400) once the read times
    out, no error logged, nothing left in the spool."""
    app = create_app(db)
    with open_store(db) as st:
        aid = int(st.athlete("ann").id)
    with _live(app, read_timeout_s=1.0) as port:
        _status, headers, body = _http(port, "GET", f"/a/{aid}")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        part = (b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.fit"\r\n'
                b"Content-Type: application/octet-stream\r\n\r\n" + b"\0" * 100_000)
        head = (f"POST /a/{aid}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 2000000\r\n"
                f"Cookie: {cookie}\r\nX-CSRF-Token: {m.group(1)}\r\nAccept: application/json"
                "\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(head + part)
            got = b""
            while chunk := s.recv(4096):
                got += chunk
        assert got.startswith(b"HTTP/1.1 400"), got[:200]
    spool = db.parent / UPLOAD_DIR_NAME
    assert not spool.exists() or not list(spool.rglob("*"))
    with open_store(db) as st:
        assert st.activities(aid) == []


def test_a_body_sent_without_a_length_is_refused(db):
    """Chunked transfer (no Content-Length): werkzeug would silently cut such a body at the
    limit and parse what came (a cut field accepted as typed), so it is refused (411)."""
    app = create_app(db)
    with open_store(db) as st:
        aid = int(st.athlete("ann").id)
    with _live(app) as port:
        _status, headers, body = _http(port, "GET", "/")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        m = _TOKEN.search(body.decode())
        assert m
        token = m.group(1)

        def chunks() -> Iterator[bytes]:
            yield _form({"name": "bob", "csrf_token": token, "pad": ""})
            for _ in range(3 * MAX_FORM_BYTES // 65536):
                yield b"x" * 65536

        for path in ("/athletes", f"/a/{aid}/upload"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            try:
                conn.request("POST", path, body=chunks(), encode_chunked=True,
                             headers={**_FORM, "Cookie": cookie, "Transfer-Encoding": "chunked",
                                      "X-CSRF-Token": token})
                resp = conn.getresponse()
                status, text = resp.status, resp.read()
            except (BrokenPipeError, ConnectionResetError):  # refused while still sending
                status, text = 411, b"Content-Length"
            finally:
                conn.close()
            assert status == 411 and b"Content-Length" in text, (path, status, text[:200])
    assert _athletes(db) == ["ann"]
