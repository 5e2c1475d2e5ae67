# SPDX-License-Identifier: MIT
"""What a file is, from its content (magic bytes, XML root, CSV header), the name only a hint."""

from __future__ import annotations


def detect_format(data: bytes) -> str | None:
    """Return ``"fit"``, ``"tcx"`` or ``"gpx"`` from the content, or ``None``."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<trainingcenterdatabase" in head:
            return "tcx"
        if b"<gpx" in head:
            return "gpx"
    return None
