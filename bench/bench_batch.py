#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Batch throughput on Dask against the single-machine import, on the same generated corpus and
in the same run:

    python bench/bench_batch.py [--athletes 100] [--runs 3] [--duration 900]

Printed, for the corpus (simulated FIT files from evenstride.batch.corpus, 6 of them corrupt):

- ``import``: ``evenstride.importer.import_paths`` into a fresh SQLite store with 1 and with
  all local processes (the single-machine path);
- ``batch``: ``evenstride.batch.run_batch`` into a fresh lake on a LocalCluster of 1 and of 2
  workers (cluster start-up timed separately, history stage included);
- files/s of each and the ratio to the 1-process import;
- CPU seconds per file of each (all processes: client, scheduler and workers for the batch),
  which a busy shared machine disturbs much less than wall time.

Generation is not timed. The per-file CPU cost (1-process import) feeds the cost model in
docs/scale.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _worker_cpu() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--athletes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=900.0, help="run length, s")
    ap.add_argument("--chunk-size", type=int, default=25)
    args = ap.parse_args()

    from dask.distributed import Client, LocalCluster

    from evenstride.batch import run_batch
    from evenstride.batch.corpus import write_corpus
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    t = time.perf_counter()
    truth = write_corpus(tmp / "corpus", n_athletes=args.athletes,
                         runs_per_athlete=args.runs, duration_s=args.duration)
    n_files = sum(len(v) for v in truth.files.values()) + len(truth.corrupt)
    print(f"corpus: {n_files} files ({args.athletes} athletes × {args.runs} runs of "
          f"{args.duration:.0f} s + {len(truth.corrupt)} corrupt), generated in "
          f"{time.perf_counter() - t:.1f} s (not timed below)")
    print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} (a shared machine "
          "makes every number below slower, the ratios less so)")
    rates: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for jobs in (1, os.cpu_count() or 1):
        with open_store(tmp / f"import-{jobs}.sqlite") as store:
            c0, k0 = time.process_time(), _children_cpu()
            t = time.perf_counter()
            rep = import_paths([str(truth.root)], store, athlete="bench", jobs=jobs)
            el = time.perf_counter() - t
            c = time.process_time() - c0 + _children_cpu() - k0
        rates[f"import, {jobs} process(es)"] = n_files / el
        cpu[f"import, {jobs} process(es)"] = c / n_files
        print(f"import  jobs={jobs}: {el:6.1f} s  {n_files / el:6.2f} files/s  "
              f"{c / n_files * 1000:5.0f} CPU-ms/file  {rep.counts()}")
    for workers in (1, 2):
        t = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
        start = time.perf_counter() - t
        w0 = sum(client.run(_worker_cpu).values())
        c0 = time.process_time()
        t = time.perf_counter()
        rep = run_batch([str(truth.root)], str(tmp / f"lake-{workers}"), client=client,
                        chunk_size=args.chunk_size)
        el = time.perf_counter() - t
        c = time.process_time() - c0 + sum(client.run(_worker_cpu).values()) - w0
        client.close()
        cluster.close()
        rates[f"batch, {workers} worker(s)"] = n_files / el
        cpu[f"batch, {workers} worker(s)"] = c / n_files
        print(f"batch   workers={workers}: {el:6.1f} s  {n_files / el:6.2f} files/s "
              f"{c / n_files * 1000:5.0f} CPU-ms/file "
              f"(analyse stage alone {rep.files_per_s:.2f} files/s; cluster start "
              f"{start:.1f} s not included) ok={rep.ok} failed={rep.failed} "
              f"skipped={rep.skipped}")
    base = rates["import, 1 process(es)"]
    print("\nratio to the 1-process import (same corpus, same run):")
    base_cpu = cpu["import, 1 process(es)"]
    for k, v in rates.items():
        print(f"  {k:28s} {v:6.2f} files/s  × {v / base:4.2f}   CPU per file "
              f"{cpu[k] * 1000:5.0f} ms  × {cpu[k] / base_cpu:4.2f}")
    print(f"\nper-file CPU (1-process import): {base_cpu * 1000:.0f} ms "
          f"→ 1 M such files ≈ {1e6 * base_cpu / 3600:.0f} core-hours; batch on 2 workers: "
          f"{1e6 * cpu['batch, 2 worker(s)'] / 3600:.0f} core-hours")
    return 0


if __name__ == "__main__":
    sys.exit(main())
