# SPDX-License-Identifier: MIT
"""Security rules of the web app, as small functions that the app and its tests share.

- Loopback only unless the user opts in; any other address needs an access secret, checked on
  every request (:func:`check_bind`, :func:`access_ok`).
- Host header pinned to the served names (DNS-rebinding defence, :func:`host_allowed`).
- Uploads: size limits (Flask's ``MAX_CONTENT_LENGTH`` plus :data:`MAX_FILES_PER_UPLOAD`), type
  sniffed from the first bytes, never from the name (:func:`sniff_upload`); archive members
  with absolute paths or ``..`` are refused by the importer.
- CSRF: a random per-session token in every form and in the upload request header
  (:func:`csrf_ok`), plus a same-origin check of ``Origin`` when the browser sends one.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
from typing import Final

from evenstride.exceptions import UserInputError

__all__ = [
    "ACCESS_COOKIE",
    "CSP",
    "MAX_FILES_PER_UPLOAD",
    "MAX_UPLOAD_BYTES",
    "MIN_SECRET_LENGTH",
    "access_ok",
    "access_token",
    "add_script_nonce",
    "check_bind",
    "csp",
    "csrf_ok",
    "host_allowed",
    "is_loopback",
    "sniff_upload",
]

#: Largest upload request (one bulk export zip). Garmin exports run to a few GB; beyond this,
#: use ``evenstride import`` in a terminal, which streams from disk.
MAX_UPLOAD_BYTES: Final = 512 * 1024 * 1024
#: Files per upload request (the page sends files one at a time, so this only stops abuse).
MAX_FILES_PER_UPLOAD: Final = 50
#: An access secret shorter than this is refused (guessable over a network).
MIN_SECRET_LENGTH: Final = 16
#: Cookie holding proof that the browser knows the access secret (an HMAC, not the secret).
ACCESS_COOKIE: Final = "evenstride_access"
#: Content Security Policy: everything from this origin only (no external request can be made).
#: Scripts run only from this origin or with the page's one-time nonce (the plot set-up the
#: report renderer writes next to each figure), so injected markup could never run a script;
#: ``{nonce}`` is filled per response (:func:`csp`).
CSP: Final = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def csp(nonce: str) -> str:
    """The Content-Security-Policy header value for a response whose scripts carry ``nonce``."""
    return CSP.format(nonce=nonce)


def add_script_nonce(html: str, nonce: str) -> str:
    """Give every ``<script`` tag of a page we rendered the response's nonce. User text cannot
    contain ``<script``: templates escape ``<`` and plotly writes it as ``\\u003c`` in JSON."""
    return html.replace("<script", f'<script nonce="{nonce}"')


_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) only reaches this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "0.0.0.0", "10.1.2.3")]
    [True, True, False, False]
    """
    h = host.strip().strip("[]").lower()
    if h in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        pass
    try:  # a name: loopback only when every address it resolves to is
        infos = socket.getaddrinfo(h, None)
    except OSError:
        return False
    addrs = {i[4][0] for i in infos}
    return bool(addrs) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback
                               for a in addrs)


def check_bind(host: str, secret: str | None) -> None:
    """Refuse to serve on a non-loopback ``host`` without a long enough access secret."""
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise UserInputError(f"the access secret must be at least {MIN_SECRET_LENGTH} characters")
    if not is_loopback(host) and not secret:
        raise UserInputError(
            f"serving on {host} makes the app reachable from other machines: set an access "
            "secret first (EVENSTRIDE_WEB_SECRET or --secret-file FILE)"
        )


def access_token(secret: str) -> str:
    """What the access cookie holds: an HMAC of a fixed label under the secret."""
    return hmac.new(secret.encode(), b"evenstride-web-access", "sha256").hexdigest()


def access_ok(secret: str | None, *, authorization: str | None, cookie: str | None) -> bool:
    """Whether a request proves knowledge of ``secret`` (always true when there is none):
    ``Authorization: Bearer SECRET`` or the cookie set by the sign-in form."""
    if not secret:
        return True
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              secret.encode()):
            return True
    return bool(cookie) and hmac.compare_digest(str(cookie), access_token(secret))


def host_allowed(host_header: str | None, allowed: set[str]) -> bool:
    """Whether the request's ``Host`` (without port) is one the app is served under."""
    if not host_header:
        return False
    h = host_header.strip().lower()
    if h.startswith("["):
        name = h[1:h.find("]")] if "]" in h else h
    else:
        name = h.rsplit(":", 1)[0] if h.count(":") == 1 else h
    return name in allowed


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of the session's token with the one the request carries."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


_XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<")


def sniff_upload(head: bytes) -> str | None:
    """The kind of an uploaded file from its first bytes: ``"fit"``, ``"zip"`` (a bulk
    export), ``"gzip"`` or ``"xml"`` (TCX/GPX); ``None`` for anything else (an export's
    activities.csv is only read inside its zip).

    >>> sniff_upload(b"\\x0e\\x10\\x00\\x00\\x00\\x00\\x00\\x00.FIT"), sniff_upload(b"MZ\\x90")
    ('fit', None)
    """
    if len(head) >= 12 and head[8:12] == b".FIT" and head[0] in (12, 14):
        return "fit"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if _XML_START.match(head[:512]):
        return "xml"
    return None
