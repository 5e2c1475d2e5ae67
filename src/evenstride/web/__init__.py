# SPDX-License-Identifier: MIT
"""Local web app for coaches and physical therapists (an adapter over the store; extra
``[web]``: Flask).

``evenstride serve`` calls :func:`serve`; tests and other WSGI servers use :func:`create_app`.
Importing this package imports neither Flask nor the store.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from evenstride.exceptions import UserInputError

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["DEFAULT_PORT", "ENV_SECRET", "READ_TIMEOUT_S", "create_app", "make_web_server",
           "read_secret", "serve"]

#: Port ``evenstride serve`` listens on unless told otherwise.
DEFAULT_PORT: Final = 8765
#: Environment variable holding the access secret (or use ``--secret-file``).
ENV_SECRET: Final = "EVENSTRIDE_WEB_SECRET"
#: Seconds a connection may stay silent (no byte of a request arriving, or the client not
#: reading the answer) before the server closes it: a client that opens connections and sends
#: nothing cannot hold the server's threads. Per socket operation, so a large upload that keeps
#: sending is never cut.
READ_TIMEOUT_S: Final = 60


_HOST_ADVICE = ("check --host: it must be an address of this computer (127.0.0.1, 0.0.0.0 for "
                "every network, or this computer's LAN address)")


def _require_flask() -> None:
    try:
        import flask  # noqa: F401
    except ImportError:
        raise UserInputError("the web app needs Flask: pip install 'evenstride[web]'") from None


def create_app(db: str | os.PathLike[str], **kwargs: Any) -> Flask:
    """The WSGI app over the store at ``db`` (see :func:`evenstride.web.app.create_app`)."""
    _require_flask()
    from evenstride.web.app import create_app as _create

    return _create(db, **kwargs)


def read_secret(secret_file: str | os.PathLike[str] | None) -> str | None:
    """The access secret from ``secret_file`` (first line) or ``$EVENSTRIDE_WEB_SECRET``."""
    if secret_file is not None:
        p = Path(secret_file)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserInputError(f"cannot read the secret file ({exc})", path=p) from None
        lines = text.splitlines()
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise UserInputError("the secret file is empty", path=p)
        return secret
    return os.environ.get(ENV_SECRET) or None


def make_web_server(host: str, port: int, app: Any, *,
                    read_timeout_s: float = READ_TIMEOUT_S) -> Any:
    """The server ``evenstride serve`` runs: werkzeug's threaded WSGI server whose request
    handler closes a connection silent for ``read_timeout_s`` (``socketserver``'s
    ``StreamRequestHandler.timeout``, set on each accepted socket)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class _TimedHandler(WSGIRequestHandler):
        timeout = read_timeout_s

    return make_server(host, port, app, threaded=True, request_handler=_TimedHandler)


def _allowed_names(allow_hosts: Any, secret: str | None) -> set[str]:
    """The extra ``Host`` names of ``--allow-host`` (lower case, without brackets); a name
    other than loopback needs the access secret (it is reached from other machines)."""
    from evenstride.web._security import is_loopback

    names: set[str] = set()
    for raw in allow_hosts or ():
        name = str(raw).strip().strip("[]").lower()
        if not name or any(c in name for c in " /@\\") or (name.count(":") == 1):
            raise UserInputError(f"--allow-host takes a host name or address without a port "
                                 f"(got {raw!r})")
        if not is_loopback(name) and not secret:
            raise UserInputError(f"--allow-host {name} lets other machines reach the app: set "
                                 "an access secret first (EVENSTRIDE_WEB_SECRET or "
                                 "--secret-file FILE)")
        names.add(name)
    return names


def serve(
    db: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    secret: str | None = None,
    ready: Any = None,
    allow_hosts: Any = (),
) -> None:
    """Serve the app until interrupted. Off loopback an access secret is required.

    ``ready`` (optional) is called with the URL once the socket is listening.
    ``allow_hosts``: further names the app answers to (``Host`` header), such as the LAN
    address or name a clinic's tablets use (needs the secret unless loopback).
    """
    from evenstride.web._security import check_bind, is_loopback

    check_bind(host, secret)
    extra = _allowed_names(allow_hosts, secret)
    _require_flask()

    from evenstride.web.app import create_app as _create

    hosts = {"127.0.0.1", "localhost", "::1"}
    if not is_loopback(host):
        hosts.add(host.strip("[]").lower())
        if host in ("0.0.0.0", "::"):
            import socket

            hosts.update({socket.gethostname().lower(), socket.getfqdn().lower()})
            with contextlib.suppress(OSError):
                hosts.update(str(i[4][0]) for i in socket.getaddrinfo(socket.gethostname(), None))
    hosts |= extra
    app = _create(db, secret=secret, hosts=hosts)
    said = io.StringIO()
    try:
        # werkzeug prints its own advice and calls sys.exit(1) when the port is taken
        with contextlib.redirect_stderr(said):
            server = make_web_server(host, port, app)
    except OSError as exc:
        raise UserInputError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                             f"{_HOST_ADVICE}") from None
    except SystemExit:
        lines = [ln.strip() for ln in said.getvalue().splitlines() if ln.strip()]
        why = lines[0] if lines else "the address is not available"
        # werkzeug says "Port N is in use" only when it is the port (EADDRINUSE)
        advice = ("choose another --port" if any("in use" in ln.lower() for ln in lines)
                  else _HOST_ADVICE)
        raise UserInputError(f"cannot listen on {host}:{port} ({why}); {advice}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
