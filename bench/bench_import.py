#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bulk import throughput: a generated season of ~1,000 varied 30–90 min runs (FIT files written
by evenstride's own FIT writer from ``simulate_run``) imported and analysed into a fresh store,
next to fitdecode *decoding alone* of a 100-file subset measured in the same run.

    python bench/bench_import.py [--n 1000] [--subset 100] [--jobs N] [--profile 20]

Generation is not timed. Printed: import wall time and files/s (all cores), a re-import of the
same folder (everything "already stored"), fitdecode files/s on one core and the ratio, CPU per
file of both (steadier than wall time on a shared machine), and —
because analysis dominates — a single-process breakdown of where the time goes (read, analyse,
of which drift bootstrap, pack, store) with the top functions from cProfile.
Target: 1,000 activities in < 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np


def _generate(folder: Path, n: int, seed: int = 2024) -> list[Path]:
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.simulate import simulate_run

    rng = np.random.default_rng(seed)
    start = datetime(2023, 1, 1, 6, 0, tzinfo=UTC)
    routes = ["loop", "loop", "out_and_back", "track", "treadmill"]
    paths = []
    for i in range(n):
        t = start + timedelta(hours=float(i) * 8.76 + float(rng.uniform(0, 3)))
        route = routes[int(rng.integers(len(routes)))]
        sim = simulate_run(
            duration_s=float(rng.uniform(30, 90)) * 60.0,
            seed=i,
            balance_left_pct=float(rng.normal(50.6, 0.8)),
            drift_pct_per_h=float(rng.uniform(0.0, 2.0)),
            drift_onset_s=None if rng.random() < 0.4 else float(rng.uniform(600, 1800)),
            speed_m_s=float(rng.uniform(2.6, 4.2)),
            route=route,
            hills=route != "track",
            hill_amplitude_m=float(rng.uniform(2, 15)),
            stops=int(rng.integers(0, 4)),
            walk_breaks=int(rng.integers(0, 2)),
            include_stryd=bool(rng.random() < 0.5),
            include_runscribe=bool(rng.random() < 0.1),
            start_time=t,
        )
        p = folder / f"{t:%Y}" / f"{t:%m}" / f"run_{i:04d}.fit"
        p.parent.mkdir(parents=True, exist_ok=True)
        write_activity_fit(sim.activity, p)
        paths.append(p)
    return paths


def _cpu() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def _fitdecode(paths: list[Path]) -> float:
    import fitdecode

    t0 = time.perf_counter()
    for p in paths:
        with fitdecode.FitReader(
            str(p), check_crc=fitdecode.CrcCheck.DISABLED,
            processor=fitdecode.DataProcessorBase(),
        ) as fr:
            for _frame in fr:
                pass
    return time.perf_counter() - t0


def _breakdown(paths: list[Path], n_profile: int) -> None:
    """Single process: where one file's import time goes."""
    import json
    import zlib

    import evenstride.pipeline as pl
    from evenstride.io import read_bytes
    from evenstride.pipeline import analyze
    from evenstride.store._blob import pack_activity

    t_read = t_an = t_pack = t_doc = 0.0
    drift_t = [0.0]
    real_drift = pl.drift

    def timed_drift(*a, **k):
        t = time.perf_counter()
        try:
            return real_drift(*a, **k)
        finally:
            drift_t[0] += time.perf_counter() - t

    pl.drift = timed_drift
    try:
        for p in paths:
            t0 = time.perf_counter()
            act = read_bytes(p.read_bytes(), path=str(p))
            t1 = time.perf_counter()
            res = analyze(act)
            doc = res.to_dict()
            t2 = time.perf_counter()
            pack_activity(act)
            t3 = time.perf_counter()
            zlib.compress(json.dumps(doc).encode(), 6)
            t4 = time.perf_counter()
            t_read += t1 - t0
            t_an += t2 - t1
            t_pack += t3 - t2
            t_doc += t4 - t3
    finally:
        pl.drift = real_drift
    n = len(paths)
    tot = t_read + t_an + t_pack + t_doc
    print(f"\nsingle-process breakdown over {n} files (ms per file; share of the total):")
    for label, v in [
        ("read + decode FIT", t_read),
        ("analyse (gate, metrics, assess, to_dict)", t_an),
        ("  of which metrics.drift (400-replicate bootstrap x series)", drift_t[0]),
        ("pack sample blob (float32 + zlib)", t_pack),
        ("compress JSON document", t_doc),
    ]:
        print(f"  {label:62} {v / n * 1e3:7.1f} ms  {v / tot * 100:5.1f} %")

    prof = cProfile.Profile()
    prof.enable()
    for p in paths[:n_profile]:
        analyze(read_bytes(p.read_bytes(), path=str(p))).to_dict()
    prof.disable()
    print(f"\ncProfile of analyze() over {min(n_profile, n)} files, top 12 by cumulative time:")
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(r"evenstride|numpy/linalg|quantile", 12)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="runs in the season (default 1000)")
    ap.add_argument("--subset", type=int, default=100, help="files for the fitdecode baseline")
    ap.add_argument("--jobs", type=int, default=None, help="import workers (default: all cores)")
    ap.add_argument("--profile", type=int, default=20, help="files profiled (0: no breakdown)")
    args = ap.parse_args()

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    warnings.simplefilter("ignore", EvenstrideWarning)
    with tempfile.TemporaryDirectory(prefix="evenstride-bench-") as tmp:
        root = Path(tmp)
        season = root / "season"
        t0 = time.perf_counter()
        paths = _generate(season, args.n)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"generated {len(paths)} FIT files ({size_mb:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s (not timed below); {os.cpu_count()} cores")

        db = root / "bench.sqlite"
        with open_store(db) as store:
            c0 = _cpu()
            rep = import_paths([season], store, jobs=args.jobs)
            cpu_imp = _cpu() - c0  # this process and its (joined) workers
            t_imp = rep.elapsed_s
            counts = rep.counts()
            rep2 = import_paths([season], store, jobs=args.jobs)
        n_new = counts["new"]
        print(f"\nimport: {len(paths)} files -> {counts} in {t_imp:.1f} s = "
              f"{len(paths) / t_imp:.1f} files/s with {rep.workers} workers; store "
              f"{db.stat().st_size / 1e6:.0f} MB")
        print(f"re-import of the same folder: {rep2.counts()['already stored']} already stored "
              f"in {rep2.elapsed_s:.2f} s")
        target = 30.0 * len(paths) / 1000.0
        print(f"target: {len(paths)} activities in < {target:.0f} s: "
              f"{'met' if t_imp < target and n_new == len(paths) else 'NOT met'}")

        sub = paths[: args.subset]
        c0 = _cpu()
        t_fd = _fitdecode(sub)
        cpu_fd = _cpu() - c0
        fd_rate = len(sub) / t_fd
        imp_rate = len(paths) / t_imp
        print(f"\nfitdecode decode only, {len(sub)} files, 1 core: {t_fd:.2f} s = "
              f"{fd_rate:.1f} files/s")
        print(f"ratio import (decode + analyse + store, all cores) / fitdecode decode-only "
              f"(1 core): {imp_rate / fd_rate:.2f}x files/s")
        # CPU per file: steadier than wall time on a shared machine; with every core busy the
        # wall ratio approaches (fitdecode CPU/file ÷ import CPU/file) × cores
        ms_imp = cpu_imp / len(paths) * 1e3
        ms_fd = cpu_fd / len(sub) * 1e3
        cores = rep.workers or 1
        print(f"CPU per file: import {ms_imp:.1f} ms (process + workers), fitdecode {ms_fd:.1f} "
              f"ms; fitdecode/import {ms_fd / ms_imp:.2f}x, x {cores} workers = "
              f"{ms_fd / ms_imp * cores:.1f}x (the wall ratio on an otherwise idle machine)")
        if args.profile:
            _breakdown(sub, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
