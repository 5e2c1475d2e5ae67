#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Foot-IMU per-step throughput: a simulated 1-hour bilateral 200 Hz recording through event
detection (Falbriard), per-step metrics and the per-stride Activity (target: well under 2 s).

    python bench/bench_imu.py [--hours 1] [--rounds 3]

The simulation itself is not timed. Prints the median wall time and the real-time factor
(recording duration / processing time).
"""

from __future__ import annotations

import argparse
import statistics
import time

from evenstride.steps import FalbriardEventDetection, step_metrics, to_activity
from evenstride.steps.simulate_imu import simulate_imu_run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
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
    print(f"events + metrics + activity: median {med:.3f} s over {args.rounds} rounds "
          f"(min {min(times):.3f} s), {act.n_samples:,} stride rows")
    print(f"real-time factor: {dur / med:,.0f}x ({n / med / 1e6:.1f} M samples/s)")


if __name__ == "__main__":
    main()
