# SPDX-License-Identifier: MIT
"""BLAS thread limit of the command line and the import workers (evenstride._threads)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from evenstride._threads import BLAS_ENV, ENV_LIMIT


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV and k != ENV_LIMIT}
    env.update(extra)
    return env


def _py(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


_REPORT = (
    "import json, os, sys\n"
    "from evenstride._threads import openblas_threads\n"
    "print(json.dumps({'env': os.environ.get('OPENBLAS_NUM_THREADS'),"
    " 'blas': openblas_threads(), 'numpy_before': NB}))\n"
)


def test_cli_entry_sets_the_limit_before_numpy_loads():
    code = (
        "import sys\n"
        "import evenstride.cli as cli\n"
        "NB = 'numpy' in sys.modules\n"
        "try:\n    cli.main(['--version'])\nexcept SystemExit:\n    pass\n"
        "import numpy\n" + _REPORT
    )
    got = _py(code, _clean_env())
    assert got["numpy_before"] is False  # so the environment is read when OpenBLAS loads
    assert got["env"] == "1"
    assert got["blas"] and set(got["blas"]) == {1}


def test_library_import_leaves_threads_alone():
    code = "import evenstride, evenstride.pipeline, evenstride.importer\nNB = True\n" + _REPORT
    got = _py(code, _clean_env())
    assert got["env"] is None
    assert got["blas"]
    if len(os.sched_getaffinity(0)) > 1:  # OpenBLAS's own default: a thread per core
        assert max(got["blas"]) > 1


def test_limit_when_numpy_is_already_loaded_and_the_overrides():
    code = ("import numpy\nfrom evenstride._threads import limit_blas_threads\n"
            "limit_blas_threads()\nNB = True\n" + _REPORT)
    got = _py(code, _clean_env())
    assert got["env"] == "1" and set(got["blas"]) == {1}
    # EVENSTRIDE_BLAS_THREADS=0: no limit at all
    got = _py(code, _clean_env(**{ENV_LIMIT: "0"}))
    assert got["env"] is None
    # a thread setting of the user's own wins
    got = _py(code, _clean_env(OPENBLAS_NUM_THREADS="2"))
    assert got["env"] == "2" and set(got["blas"]) == {2}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pools")
def test_import_workers_run_one_blas_thread():
    code = (
        "import numpy\nfrom evenstride.importer import _pool\n"
        "from evenstride._threads import openblas_threads\n"
        "with _pool(1) as ex:\n    w = ex.submit(openblas_threads).result()\n"
        "import json, os\n"
        "print(json.dumps({'worker': w, 'parent_env': os.environ.get('OPENBLAS_NUM_THREADS')}))\n"
    )
    got = _py(code, _clean_env())
    assert got["worker"] and set(got["worker"]) == {1}
