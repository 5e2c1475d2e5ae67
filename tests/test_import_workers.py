# SPDX-License-Identifier: MIT
"""A parallel ``evenstride import`` killed with SIGKILL: its worker processes exit by
themselves (promptly) and release the import's output pipes, instead of waiting forever for
work that will never come. Real subprocess, real worker pool, real signals (POSIX /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "test_store"))
from store_helpers import write_sims

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="needs /proc to find the worker processes")

#: Bound of every wait below (s): a condition polled, not a performance claim.
WAIT_S = 20.0
N_FILES = 16
JOBS = 3


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d.name))
    return out


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an exited process not yet reaped)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _poll(cond, timeout_s: float = WAIT_S) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_workers_exit_when_the_import_is_killed(tmp_path):
    folder = tmp_path / "runs"
    write_sims(folder, range(300, 300 + N_FILES))
    code = ("import sys; from evenstride.cli.inputs import main; "
            f"sys.exit(main(['import', sys.argv[1], '--db', sys.argv[2], '--jobs', '{JOBS}', "
            "'--no-progress']))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder), str(tmp_path / "s.db")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        assert _poll(lambda: len(_children(proc.pid)) >= JOBS), "the pool never started"
        workers = _children(proc.pid)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(WAIT_S)
        assert _poll(lambda: not any(_running(w) for w in workers)), (
            f"workers still running {WAIT_S:.0f} s after the import was killed: "
            f"{[w for w in workers if _running(w)]}")
        # nobody holds the import's stdout/stderr any more: reading them ends
        proc.communicate(timeout=WAIT_S)
        assert proc.returncode == -signal.SIGKILL
    finally:
        for w in workers:  # only the processes this test started
            if _running(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
