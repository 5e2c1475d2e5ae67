# SPDX-License-Identifier: MIT
"""One BLAS thread per process for the command line and the import workers.

evenstride's linear algebra works on many small arrays (per-window fits, bootstraps), where a
multi-threaded BLAS only adds hand-offs; and ``import`` already runs one worker per core, so each
worker's OpenBLAS starting its own thread per core oversubscribes the machine (2 workers × 2
threads on 2 cores). ``bench/bench_scale.py --blas-threads 0`` measures the difference.

:func:`limit_blas_threads` is called by the ``evenstride`` entry point (before numpy is
imported, so the limit is read from the environment when OpenBLAS/MKL load) and by each import
worker (where numpy may already be loaded: then the loaded OpenBLAS is told at run time). It is
never called when the library is imported: a program using evenstride as a library keeps its own
settings. ``EVENSTRIDE_BLAS_THREADS`` overrides the number (``0``: leave the BLAS default), and a
thread variable the user set (``OPENBLAS_NUM_THREADS`` …) is respected.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Final

__all__ = ["BLAS_ENV", "blas_thread_limit", "limit_blas_threads", "openblas_threads"]

#: The variables read by OpenBLAS, MKL, BLIS, Accelerate and OpenMP runtimes when they load.
BLAS_ENV: Final = (
    "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
)
#: Environment variable overriding the limit (an integer ≥ 0; 0 = no limit).
ENV_LIMIT: Final = "EVENSTRIDE_BLAS_THREADS"

#: OpenBLAS builds name their setter differently (numpy's wheels bundle scipy-openblas with a
#: prefix and a 64-bit-integer suffix).
_SETTERS: Final = (
    "openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
)


def blas_thread_limit() -> int:
    """The limit to apply: ``EVENSTRIDE_BLAS_THREADS`` when it is a non-negative integer, else
    1 (0 means: leave the BLAS library's default)."""
    raw = os.environ.get(ENV_LIMIT, "").strip()
    if raw.isdigit():
        return int(raw)
    return 1


def limit_blas_threads() -> int:
    """Limit BLAS/OpenMP threads of this process (see the module docstring); returns the limit
    applied (0: none). Never raises: a BLAS that cannot be told only costs speed."""
    n = blas_thread_limit()
    if n <= 0:
        return 0
    user_set = any(os.environ.get(k) for k in BLAS_ENV)
    if user_set:
        return n  # the user's own thread settings win; nothing to change
    for k in BLAS_ENV:
        os.environ[k] = str(n)  # read by the libraries when they load (also in spawned workers)
    if "numpy" in sys.modules:  # already loaded: tell the running OpenBLAS too
        _set_loaded_openblas(n)
    return n


def _loaded_openblas() -> list[ctypes.CDLL]:
    """The OpenBLAS libraries loaded in this process (Linux: from ``/proc/self/maps``)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            paths = {line.split()[-1] for line in f
                     if "openblas" in line.lower() and ".so" in line
                     and line.split()[-1].startswith("/")}
    except OSError:  # not Linux
        return []
    libs = []
    for path in sorted(paths):
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libs


def openblas_threads() -> list[int]:
    """Threads of each OpenBLAS loaded in this process (for tests and benches)."""
    out = []
    for lib in _loaded_openblas():
        for name in _SETTERS:
            getter = getattr(lib, name.replace("_set_", "_get_"), None)
            if getter is not None:
                getter.restype = ctypes.c_int
                out.append(int(getter()))
                break
    return out


def _set_loaded_openblas(n: int) -> None:
    try:
        from threadpoolctl import threadpool_limits  # optional; handles MKL/BLIS/OpenMP too

        threadpool_limits(n)
        return
    except Exception:  # not installed, or an unknown library: fall back to OpenBLAS below
        pass
    for lib in _loaded_openblas():
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(n))
                break
