# SPDX-License-Identifier: MIT
"""Where `history` spends its CPU: the change detector against everything else (issue 15).

Usage::

    python bench/bench_scale.py --sizes 1000,3000 --workdir /tmp/scale   # keeps store-N.sqlite
    python bench/bench_history_split.py /tmp/scale/store-1000.sqlite /tmp/scale/store-3000.sqlite

For each store (opened read-only; an older store must have been opened for writing once to
migrate), the athlete's history is built as ``evenstride history`` builds it
(``services.history._build``: summary rows → records → ``build_history``) and then written as
JSON; the CPU of each part is summed by wrapping the functions (``time.process_time``, one
process, one BLAS thread as the command line). "detector" is ``_monitor``,
``noise_floor``, ``_comparable_before``, ``typical_error`` and ``_device_steps``; "rest" is the
total minus the detector (reading the rows, records, baseline bookkeeping, speed and context
effects, load, shoes, surface, links, HRV, the JSON). With two or more stores it prints the
growth exponent of each between the two largest: ``log(t2/t1) / log(n2/n1)``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from evenstride._threads import limit_blas_threads

limit_blas_threads()  # one BLAS thread, as the command line (before numpy loads)

from evenstride.history import _baseline as B  # noqa: E402
from evenstride.history import _build as D  # noqa: E402
from evenstride.services import history as S  # noqa: E402
from evenstride.store import open_store  # noqa: E402

DETECTOR = ("_monitor", "noise_floor", "_comparable_before", "_device_steps", "typical_error")
REST = {
    B: ("metric_points", "_current", "_speed_curve", "_context_effects", "_regimes"),
    D: ("load_status", "session_rpe_load", "run_trimps", "shoe_report", "shoe_asymmetry",
        "surface_report", "links_for_metric", "hrv_report", "device_changes"),
}


def _wrap(mod: Any, name: str, acc: dict[str, float]) -> None:
    f: Callable[..., Any] = getattr(mod, name)

    def timed(*a: Any, **k: Any) -> Any:
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            acc[name] += time.process_time() - t

    setattr(mod, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--athlete", default="bench")
    args = ap.parse_args()
    acc: dict[str, float] = defaultdict(float)
    for n in DETECTOR:
        _wrap(B, n, acc)
    for mod, names in REST.items():
        for n in names:
            _wrap(mod, n, acc)
    rows = []
    for db in args.stores:
        acc.clear()
        c0 = time.process_time()
        with open_store(db, readonly=True) as st:
            aid = st.athlete(args.athlete, create=False).id
            hist = S._build(st, aid, None, None, None)[0]
        t = time.process_time()
        json.dumps(hist.to_dict(), indent=2)
        acc["to_dict + json"] = time.process_time() - t
        total = time.process_time() - c0
        det = sum(acc[n] for n in DETECTOR)
        rows.append((len(hist.runs), total, det, total - det))
        print(f"{db}: {len(hist.runs)} runs; CPU {total:.2f} s = detector {det:.2f} s + rest "
              f"{total - det:.2f} s")
        for name, v in sorted(acc.items(), key=lambda kv: -kv[1])[:12]:
            tag = "detector" if name in DETECTOR else "rest"
            print(f"    {tag:8s} {name:20s} {v:7.3f} s")
    if len(rows) >= 2:
        (n1, *a), (n2, *b) = sorted(rows)[-2:]
        for label, x, y in zip(("total", "detector", "rest"), a, b, strict=True):
            e = math.log(y / x) / math.log(n2 / n1) if x > 0 and y > 0 else math.nan
            print(f"growth {n1} -> {n2} runs, {label}: exponent {e:.2f}")


if __name__ == "__main__":
    main()
