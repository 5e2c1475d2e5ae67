# SPDX-License-Identifier: MIT
"""Shared test helpers: where the real recordings live.

The real files are never copied into the repository: they are read from ``../shared/data``
next to the repository root, or from ``$EVENSTRIDE_SHARED_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The folder of real recordings (``$EVENSTRIDE_SHARED_DATA`` or ``../shared/data``).

    The path may not exist; use the :func:`shared_data` fixture to skip when it does not.
    """
    env = os.environ.get("EVENSTRIDE_SHARED_DATA")
    return Path(env) if env else _REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real-recordings folder; skips the test when it is missing."""
    root = shared_data_dir()
    if not root.is_dir():
        pytest.skip(f"shared data folder not found: {root} (set EVENSTRIDE_SHARED_DATA)")
    return root
