# SPDX-License-Identifier: MIT
"""Child process of the fuzz campaign (tests/test_fuzz/test_fuzz_cli.py): runs CLI cases one
after another under a memory cap and a per-case alarm, and records what each did.

``python fuzz_child.py CASES.json RESULTS.json AS_LIMIT_BYTES TIMEOUT_S``

Each case is ``{"id": ..., "argv": [...]}`` given to :func:`evenstride.cli.main` (the console
script's own entry point). Per case it records the exit code, whether an exception escaped
``main`` (a traceback), whether the alarm fired (a hang) and the process's peak RSS so far. The
results file is rewritten after every case, so a child that dies still leaves what it did.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import time
import traceback
import warnings


class Hang(BaseException):
    """Raised by the alarm: not an ``Exception``, so the CLI's own handler cannot swallow it."""


def _alarm(_sig: int, _frame: object) -> None:
    raise Hang


def main() -> None:
    cases_path, results_path, as_limit, timeout_s = sys.argv[1:5]
    limit = int(as_limit)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore")
    from evenstride.cli import main as cli_main

    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    results: list[dict[str, object]] = []
    for case in cases:
        out, err = io.StringIO(), io.StringIO()
        kind, code, tb = "exit", None, ""
        t0 = time.monotonic()
        signal.alarm(int(timeout_s))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(case["argv"])
        except Hang:
            kind = "hang"
        except SystemExit as exc:  # argparse errors exit 2 themselves
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            kind, tb = "traceback", traceback.format_exc(limit=6)
        finally:
            signal.alarm(0)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        results.append({"id": case["id"], "kind": kind, "code": code,
                        "stderr": err.getvalue()[-400:], "traceback": tb[-1500:],
                        "seconds": round(time.monotonic() - t0, 2), "peak_rss_mb": round(rss_mb)})
        with open(results_path, "w", encoding="utf-8") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
