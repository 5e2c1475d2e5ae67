#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Foot-IMU per-step throughput (issue 15): a simulated 1-hour bilateral 200 Hz recording

1. in memory: event detection (Falbriard), per-step metrics and the per-stride Activity;
2. from a FILE, as a user runs it: the recording written as the generic CSV
   (``write_generic_csv``), then ``evenstride steps FILE.csv --format imu`` (README, "lab and
   sensor recordings") in a child process: wall time and the child's peak RSS
   (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), and the ratio of its wall time to the in-memory
   path measured in the same run. Target: ≤ 3 s and ≤ 300 MB for 1 h on 2 cores.

    python bench/bench_imu.py [--hours 1] [--rounds 3] [--csv FILE.csv]

The simulation and the CSV writing are not timed (``--csv`` reuses a file written before).
Prints medians over the rounds, the CPU time (user + sys) of the child, and the load average
(the machine is shared: compare ratios measured in the same run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evenstride.io import write_generic_csv
from evenstride.steps import FalbriardEventDetection, step_metrics, to_activity
from evenstride.steps.simulate_imu import simulate_imu_run


def _cli_round(csv: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + sys) of one ``evenstride steps`` child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "evenstride", "steps", str(csv), "--format", "imu"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"evenstride steps failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--csv", type=Path, default=None,
                    help="reuse this generic CSV (written by an earlier run with --keep)")
    ap.add_argument("--keep", type=Path, default=None, help="write the CSV here and keep it")
    args = ap.parse_args()
    dur = args.hours * 3600.0
    t0 = time.perf_counter()
    sim = simulate_imu_run(duration_s=dur, fs=200.0, seed=0)
    t_sim = time.perf_counter() - t0
    n = sum(len(s) for s in sim.recording.sides.values())
    times = []
    act = None
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        det = FalbriardEventDetection().detect(sim.recording, sampling_rate_hz=200.0)
        act = to_activity(step_metrics(det.steps_, sim.recording))
        times.append(time.perf_counter() - t0)
    assert act is not None
    med = statistics.median(times)
    print(f"recording: {dur / 3600:.2f} h bilateral at 200 Hz, {n:,} sensor samples "
          f"(simulated in {t_sim:.2f} s, not timed)")
    print(f"in memory: events + metrics + activity: median {med:.3f} s over {args.rounds} "
          f"rounds (min {min(times):.3f} s), {act.n_samples:,} stride rows")
    print(f"real-time factor: {dur / med:,.0f}x ({n / med / 1e6:.1f} M samples/s)")

    with tempfile.TemporaryDirectory() as tmp:
        csv = args.csv
        if csv is None:
            csv = args.keep or Path(tmp) / "feet.csv"
            t0 = time.perf_counter()
            write_generic_csv(sim.recording, csv)
            print(f"CSV written in {time.perf_counter() - t0:.1f} s (not timed): {csv} "
                  f"({csv.stat().st_size / 1e6:.1f} MB)")
        del sim
        walls, cpus = [], []
        for _ in range(args.rounds):
            wall, cpu = _cli_round(csv)
            walls.append(wall)
            cpus.append(cpu)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    wall = statistics.median(walls)
    print(f"from the file: `evenstride steps {csv.name} --format imu`: median wall {wall:.2f} s "
          f"(min {min(walls):.2f} s), CPU {statistics.median(cpus):.2f} s, peak RSS "
          f"{peak_mb:,.0f} MB over {args.rounds} rounds")
    print(f"file / in-memory wall ratio: {wall / med:.1f}x")
    ok_t, ok_m = wall <= 3.0 * args.hours, peak_mb <= 300.0 * max(args.hours, 1.0)
    print(f"target (≤ 3 s and ≤ 300 MB for 1 h, scaled with --hours): wall "
          f"{'met' if ok_t else 'NOT met'}, memory {'met' if ok_m else 'NOT met'}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
