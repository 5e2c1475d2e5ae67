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

__all__ = ["DEFAULT_PORT", "ENV_SECRET", "create_app", "read_secret", "serve"]

#: Port ``evenstride serve`` listens on unless told otherwise.
DEFAULT_PORT: Final = 8765
#: Environment variable holding the access secret (or use ``--secret-file``).
ENV_SECRET: Final = "EVENSTRIDE_WEB_SECRET"


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


def serve(
    db: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    secret: str | None = None,
    ready: Any = None,
) -> None:
    """Serve the app until interrupted. Off loopback an access secret is required.

    ``ready`` (optional) is called with the URL once the socket is listening.
    """
    from evenstride.web._security import check_bind, is_loopback

    check_bind(host, secret)
    _require_flask()
    from werkzeug.serving import make_server

    from evenstride.web.app import create_app as _create

    hosts = {"127.0.0.1", "localhost", "::1"}
    if not is_loopback(host):
        hosts.add(host.strip("[]").lower())
        if host in ("0.0.0.0", "::"):
            import socket

            hosts.update({socket.gethostname().lower(), socket.getfqdn().lower()})
            with contextlib.suppress(OSError):
                hosts.update(str(i[4][0]) for i in socket.getaddrinfo(socket.gethostname(), None))
    app = _create(db, secret=secret, hosts=hosts)
    said = io.StringIO()
    try:
        # werkzeug prints its own advice and calls sys.exit(1) when the port is taken
        with contextlib.redirect_stderr(said):
            server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise UserInputError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    except SystemExit:
        why = next((ln.strip() for ln in said.getvalue().splitlines() if ln.strip()),
                   "the address is not available")
        raise UserInputError(f"cannot listen on {host}:{port} ({why}); choose another --port"
                             ) from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
