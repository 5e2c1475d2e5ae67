# SPDX-License-Identifier: MIT
"""Static checks run with the suite: the type checker on the package and the linter on the
repository, with the configuration in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "cmd",
    [
        [sys.executable, "-m", "mypy", "src/evenstride"],
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
    ],
    ids=["mypy", "ruff"],
)
def test_static_check_passes(cmd):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
