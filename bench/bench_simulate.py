#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Simulation speed: one simulated hour (``simulate_run(seed=1)``) against fitdecode decoding the
same hour written as a FIT file, measured in the same run (was the wall-clock unit test
``test_simulates_an_hour_fast``).

    python bench/bench_simulate.py [--rounds 5] [--duration-s 3600]

Prints the median times and the ratio simulate / decode; the calibration studies simulate
thousands of runs, so a ratio far above 1 (simulating costs more than decoding a real file) is the
regression to look for. Absolute times vary by ±40 % on the shared machine: read the ratio.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time

import fitdecode

from evenstride.io._fit_writer import write_activity_fit
from evenstride.simulate import simulate_run


def _fitdecode_all(blob: bytes) -> int:
    n = 0
    with fitdecode.FitReader(io.BytesIO(blob), check_crc=fitdecode.CrcCheck.DISABLED) as fr:
        for frame in fr:
            if isinstance(frame, fitdecode.FitDataMessage):
                n += 1
    return n


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration-s", type=float, default=3600.0)
    args = ap.parse_args()
    sim = simulate_run(duration_s=args.duration_s, seed=1)  # warm-up
    buf = io.BytesIO()
    write_activity_fit(sim.activity, buf)
    blob = buf.getvalue()
    n_msg = _fitdecode_all(blob)
    t_sim, t_dec = [], []
    for r in range(args.rounds):
        pair = [
            (t_sim, lambda: simulate_run(duration_s=args.duration_s, seed=1)),
            (t_dec, lambda: _fitdecode_all(blob)),
        ]
        for out, fn in pair if r % 2 else pair[::-1]:
            out.append(_time(fn))
    a, b = statistics.median(t_sim), statistics.median(t_dec)
    n = sim.activity.n_samples
    print(f"simulate {args.duration_s:.0f} s ({n:,} samples): median {a:.3f} s")
    print(f"fitdecode, same run as FIT ({len(blob) / 1e6:.1f} MB, {n_msg:,} messages): "
          f"median {b:.3f} s")
    print(f"ratio simulate / decode: {a / b:.3f}")


if __name__ == "__main__":
    main()
