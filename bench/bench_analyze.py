#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end throughput: read + gate + metrics + assessment (+ HTML) on the largest shared FIT
files, next to fitdecode *decoding alone* measured in the same run, and the CLI wall time on the
14-hour multisport file (target: < 2 s).

    python bench/bench_analyze.py [--rounds 3]

Prints median wall times, records/s and ratios; the baseline is measured in this run, on this
machine, so the ratios (not the absolute times) are what to compare between machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("EVENSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
FILES = [
    "goldencheetah/MultiSport-2019-11-24.fit",
    "sports-lib/tri_4623204522_fr935.fit",
    "python-fitparse/activity-large-fenxi2-multisport.fit",
    "goldencheetah/4077461142.fit",
]


def _fitdecode_records(path: Path) -> int:
    import fitdecode

    n = 0
    with fitdecode.FitReader(
        str(path),
        check_crc=fitdecode.CrcCheck.DISABLED,
        processor=fitdecode.DataProcessorBase(),
    ) as fr:
        for frame in fr:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                n += 1
    return n


def _time(fn, rounds: int) -> float:
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"shared data not found at {DATA} (set EVENSTRIDE_SHARED_DATA)", file=sys.stderr)
        return 2
    from evenstride.exceptions import EvenstrideWarning
    from evenstride.io._fit_decode import decode_fit
    from evenstride.pipeline import analyze
    from evenstride.report import render_report

    warnings.simplefilter("ignore", EvenstrideWarning)
    print(f"{'file':42} {'records':>8} {'fitdecode':>10} {'analyze':>9} {'+html':>8} "
          f"{'rec/s analyze':>14} {'fitdecode/analyze':>18}")
    for rel in FILES:
        p = DATA / rel
        if not p.is_file():
            continue
        data = p.read_bytes()
        n = len(decode_fit(data).messages.get("record", {}).get("_index", []))
        t_fd = _time(lambda p=p: _fitdecode_records(p), max(1, args.rounds // 2))
        t_an = _time(lambda p=p: analyze(p), args.rounds)
        res = analyze(p)
        t_html = _time(lambda res=res: render_report(res), args.rounds)
        print(f"{rel:42} {n:8d} {t_fd * 1e3:8.0f}ms {t_an * 1e3:7.0f}ms {t_html * 1e3:6.0f}ms "
              f"{n / t_an:14,.0f} {t_fd / t_an:17.1f}x")

    big = DATA / FILES[0]
    if big.is_file():
        cmd = [sys.executable, "-m", "evenstride", "analyze", str(big), "--json"]
        walls = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare = time.perf_counter() - t0
        med = statistics.median(walls)
        size_mb = big.stat().st_size / 1e6
        print(f"\nCLI end to end on the 14-hour multisport file ({size_mb:.1f} MB): "
              f"median {med:.2f} s over {args.rounds} runs (bare interpreter start {bare:.2f} s); "
              f"target < 2 s: {'met' if med < 2.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
