#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TCX/GPX read speed: evenstride's reader against a bare ``xml.etree.ElementTree`` parse of the
same bytes, measured in the same run (was the wall-clock unit test ``test_big_tcx_reads_fast``).

    python bench/bench_read_xml.py [--rounds 5] [--files sports-lib/run_6782987395.tcx ...]

Each round reads every file once with both, in interleaved order; the table gives the median time
and the ratio of evenstride (parse + columns + gating metadata) to the bare parse. A guard against
pathological slow paths (e.g. quadratic parsing): a ratio that grows with file size is the bug to
look for; absolute times vary by ±40 % on the shared machine.

Real files come from ``../shared/data`` (or ``$EVENSTRIDE_SHARED_DATA``); they are never copied.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from evenstride.io import read_bytes

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("EVENSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_FILES = (
    "sports-lib/run_6782987395.tcx",  # 3.5 MB
    "sports-lib/run_6782987395.gpx",
    "goldencheetah/10kUNLP2014-Garmin15.tcx",
)


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", nargs="*", default=list(DEFAULT_FILES))
    args = ap.parse_args()
    blobs = {}
    for name in args.files:
        path = DATA / name
        if not path.is_file():
            print(f"skipped (missing): {path}", file=sys.stderr)
            continue
        blobs[name] = path.read_bytes()
    ours: dict[str, list[float]] = {k: [] for k in blobs}
    base: dict[str, list[float]] = {k: [] for k in blobs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(args.rounds):
            for name, data in blobs.items():
                first, second = (ours, base) if r % 2 else (base, ours)
                for table in (first, second):
                    if table is ours:
                        table[name].append(_time(lambda d=data, n=name: read_bytes(d, path=n)))
                    else:
                        table[name].append(_time(lambda d=data: ET.fromstring(d)))
    print(f"{'file':45} {'MB':>5} {'evenstride s':>13} {'ET parse s':>11} {'ratio':>6}")
    for name, data in blobs.items():
        a, b = statistics.median(ours[name]), statistics.median(base[name])
        print(f"{name:45} {len(data) / 1e6:5.1f} {a:13.3f} {b:11.3f} {a / b:6.1f}")


if __name__ == "__main__":
    main()
