# SPDX-License-Identifier: MIT
"""CPU time of the history and of its change detector as the number of runs grows (issue 15).

A simulated athlete at the run-record level (no files): one run on most days, speeds 2.7–3.9
m/s, mostly road with some track, treadmill and trail, a watch + chest strap whose strap changes
every ~700 runs, RunScribe pods on every other run (pod model changes every ~900 runs) and a
Stryd on every third run. Four asymmetry metrics from three sources, each value level + AR(1)
noise (φ = 0.3) with a few planted level shifts, so the detector flags and dates real changes.

Printed for each size: CPU seconds (``time.process_time``) of
``evenstride.history.build_history`` and of the detector part alone (``analyse_metric`` of every
metric: comparable runs, noise floor, monitor, retrospective test, dating), then the growth
exponent ``log(t₂/t₁)/log(n₂/n₁)`` between the two largest sizes (target ≤ 1.1; issue 15 also
asks ≤ 2 s for the whole history at 3,000 runs).

Usage::

    python bench/bench_history_detector.py                  # 1,000 and 3,000 runs
    python bench/bench_history_detector.py --sizes 300 1000 3000 --repeat 1

Before/after: the script only uses ``build_history`` and ``analyse_metric``, which the code
before issue 15 also has, so the same script times an older tree::

    git archive main src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src python bench/bench_history_detector.py --sizes 300 1000
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from evenstride.history import AsymmetryEntry, HistoryParams, RunRecord, build_history
from evenstride.history._baseline import analyse_metric

T0 = datetime(2015, 1, 1, 7, 0, tzinfo=UTC)
#: (key, source of the device, share of runs carrying it, index)
METRICS = (
    ("gct_balance/running_dynamics", 1, "symmetry_angle_pct"),
    ("vertical_ratio/running_dynamics", 1, "symmetry_angle_pct"),
    ("contact_time/runscribe", 2, "symmetry_angle_pct"),
    ("contact_time/stryd", 3, "symmetry_angle_pct"),
)


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    e = rng.normal(0.0, sd * math.sqrt(1.0 - phi * phi), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def athlete(n_runs: int, seed: int = 0) -> list[RunRecord]:
    """``n_runs`` simulated run records of one athlete (see the module docstring)."""
    rng = np.random.default_rng(seed)
    days = np.cumsum(rng.choice([1, 1, 1, 2], n_runs))
    speed = np.round(3.3 + 0.6 * rng.uniform(-1, 1, n_runs), 2)
    surface = rng.choice(["road", "road", "road", "road", "road", "road", "track", "treadmill",
                          "trail"], n_runs)
    values = {}
    for j, (key, _every, _ix) in enumerate(METRICS):
        x = 2.0 + j + _ar1(rng, n_runs, 0.3, 0.4)
        for at in range(400 + 97 * j, n_runs, 900):  # planted changes in the runner
            x[at:] += rng.choice([-1.0, 1.0]) * 1.2
        values[key] = x
    out = []
    for i in range(n_runs):
        strap = "garmin hrm_pro" if (i // 700) % 2 == 0 else "garmin hrm_600"
        devices = ["garmin fr965", strap]
        asym = {}
        for key, every, ix in METRICS:
            if i % every:
                continue
            if key.endswith("runscribe"):
                devices.append("scribe_labs runscribe_plus" if (i // 900) % 2 == 0
                               else "scribe_labs runscribe_pro")
            if key.endswith("stryd"):
                devices.append("stryd stryd")
            v = float(values[key][i])
            asym[key] = AsymmetryEntry(key=key, index=ix, value=v, ci95=(v - 0.2, v + 0.2),
                                       balance_left_pct=50.0 + v * math.pi / 4.0, n=2000,
                                       real=True)
        out.append(RunRecord(
            activity_id=i, start_time=T0 + timedelta(days=int(days[i]), hours=float(i % 3)),
            duration_s=1800.0 + 60.0 * (i % 40), distance_m=float(speed[i]) * 2400.0,
            devices=tuple(dict.fromkeys(devices)), device_key=" + ".join(dict.fromkeys(devices)),
            asymmetry=asym, median_speed_m_s=float(speed[i]), surface=str(surface[i])))
    return out


def _cpu(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = math.inf
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def detector(runs: list[RunRecord], p: HistoryParams) -> int:
    """The detector part alone: ``analyse_metric`` of each metric; returns the changes found."""
    found = 0
    for key, _e, _i in METRICS:
        m = analyse_metric(runs, key, p, np.random.default_rng(0))
        found += 0 if m is None else len(m.changes)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--repeat", type=int, default=1, help="best of this many (CPU seconds)")
    args = ap.parse_args(argv)
    p = HistoryParams()
    rows = []
    print(f"{'runs':>6} {'history CPU s':>14} {'detector CPU s':>15} {'changes':>8}")
    for n in args.sizes:
        runs = athlete(n)
        th = _cpu(lambda runs=runs: build_history(runs, params=p), args.repeat)
        found = detector(runs, p)
        td = _cpu(lambda runs=runs: detector(runs, p), args.repeat)
        rows.append((n, th, td))
        print(f"{n:6d} {th:14.2f} {td:15.2f} {found:8d}", flush=True)
    if len(rows) >= 2:
        (n1, h1, d1), (n2, h2, d2) = rows[-2], rows[-1]
        k = math.log(n2 / n1)
        print(f"growth exponent {n1}→{n2} runs: history {math.log(h2 / h1) / k:.2f}, "
              f"detector {math.log(d2 / d1) / k:.2f} (target ≤ 1.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
