#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Speed at scale (issue 15): import, ``history --json`` and ``report --html`` on stores of
100 / 1,000 / 3,000 simulated runs, with growth exponents and the fitdecode baseline.

    python bench/bench_scale.py                        # quick: 100 and 300 runs
    python bench/bench_scale.py --sizes 100,1000,3000 --rounds 1  # the issue's sizes: long,
        # each history/report command at 3,000 runs takes over a minute of CPU (see CHANGELOG)
    python bench/bench_scale.py --sizes 1000 --blas-threads 0   # without the BLAS thread limit

A season of ``max(--sizes)`` varied 30–90 min runs is generated (``simulate_run`` and
evenstride's FIT writer, seeded as in bench_import.py; not timed; kept and reused with
``--workdir``). The store grows in stages: the first 100 files are imported, then the next 900,
…, each stage by the real command line (``python -m evenstride import``, all cores), and after
each stage the history and the history report are timed, also by the command line (a fresh
process each time: no cache; the median of ``--rounds``). Printed per size:

- import wall time of the stage's files, files/s, CPU per file (import process and workers);
- fitdecode *decoding only* of ``--subset`` of the stage's files on one core, measured in the same
  run, and the ratio import files/s (all cores) / fitdecode files/s;
- ``history --json`` and ``report --html`` wall and CPU seconds;

then the growth exponents ``log(t_b / t_a) / log(n_b / n_a)`` between the two largest sizes and
the issue's targets: import ratio ≥ 12 and 1,000 files < 30 s; history and report exponents
≤ 1.1; at 3,000 runs history ≤ 2 s and report ≤ 5 s.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

ATHLETE = "bench"


def _cpu_children() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command (CPU of the process and the workers it waited for)."""
    c0 = _cpu_children()
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       check=False)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode()[-2000:]}")
    return wall, _cpu_children() - c0


def _season(workdir: Path, n: int) -> list[Path]:
    """The first ``n`` files of the seeded season (generated once per workdir)."""
    from bench_import import _generate

    from evenstride.exceptions import EvenstrideWarning

    folder = workdir / f"season-{n}"
    files = sorted(folder.rglob("*.fit"), key=lambda p: p.name)
    if len(files) == n:
        print(f"reusing {n} generated FIT files in {folder}")
        return files
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        files = sorted(_generate(folder, n), key=lambda p: p.name)
    mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"generated {n} FIT files ({mb:.0f} MB) in {time.perf_counter() - t0:.0f} s "
          "(not timed below)")
    return files


def _stage(workdir: Path, files: list[Path], lo: int, hi: int) -> Path:
    """A folder holding files ``lo:hi`` of the season (hard links; copies across devices)."""
    d = workdir / f"stage-{lo}-{hi}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for p in files[lo:hi]:
        q = d / p.name
        try:
            os.link(p, q)
        except OSError:
            shutil.copyfile(p, q)
    return d


def _fitdecode(paths: list[Path]) -> float:
    import fitdecode

    t0 = time.perf_counter()
    for p in paths:
        with fitdecode.FitReader(str(p), check_crc=fitdecode.CrcCheck.DISABLED,
                                 processor=fitdecode.DataProcessorBase()) as fr:
            for _frame in fr:
                pass
    return time.perf_counter() - t0


def _exponent(n_a: int, t_a: float, n_b: int, t_b: float) -> float:
    return math.log(t_b / t_a) / math.log(n_b / n_a)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300",
                    help="store sizes, comma-separated (default 100,300; the issue: "
                         "100,1000,3000)")
    ap.add_argument("--rounds", type=int, default=3, help="history/report runs per size "
                    "(median; default 3)")
    ap.add_argument("--subset", type=int, default=40, help="files of each stage decoded by "
                    "fitdecode for the baseline (default 40)")
    ap.add_argument("--jobs", type=int, default=None, help="import workers (default: all cores)")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="EVENSTRIDE_BLAS_THREADS for the commands (0: BLAS default threads; "
                         "default: evenstride's own limit, 1)")
    ap.add_argument("--workdir", default=None,
                    help="keep generated files and the stores here (reused by the next run)")
    args = ap.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        ap.error("--sizes: positive integers")

    env = dict(os.environ)
    if args.blas_threads is not None:
        env["EVENSTRIDE_BLAS_THREADS"] = str(args.blas_threads)
    cli = [sys.executable, "-m", "evenstride"]
    tmp = None
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="evenstride-scale-")
        workdir = Path(tmp.name)
    try:
        files = _season(workdir, sizes[-1])
        db = workdir / "scale.sqlite"
        for p in workdir.glob("scale.sqlite*"):
            p.unlink()
        print(f"{os.cpu_count()} cores; BLAS threads: "
              f"{env.get('EVENSTRIDE_BLAS_THREADS', '1 (evenstride default)')}; "
              f"{args.rounds} rounds per size\n")
        rows = []
        done = 0
        for n in sizes:
            stage = _stage(workdir, files, done, n)
            jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
            t_imp, cpu_imp = _run([*cli, "import", str(stage), "--db", str(db), "--athlete",
                                         ATHLETE, "--no-progress", *jobs], env)
            n_new = n - done
            sub = sorted(stage.iterdir())[: args.subset]
            fd_rate = len(sub) / _fitdecode(sub)
            shutil.rmtree(stage)
            done = n
            if args.workdir:  # a copy per size, for profiling (the import has closed the store)
                shutil.copyfile(db, workdir / f"store-{n}.sqlite")
            hist, rep = [], []
            html = workdir / f"report-{n}.html"
            for _ in range(args.rounds):
                hist.append(_run([*cli, "history", "--json", "--db", str(db), "--athlete",
                                        ATHLETE], env))
                rep.append(_run([*cli, "report", "--html", str(html), "--db", str(db),
                                       "--athlete", ATHLETE], env))
            row = {
                "n": n, "new": n_new, "import_s": t_imp, "import_rate": n_new / t_imp,
                "cpu_ms_file": cpu_imp / n_new * 1e3, "fd_rate": fd_rate,
                "ratio": (n_new / t_imp) / fd_rate,
                "hist_s": statistics.median(w for w, _ in hist),
                "hist_cpu": statistics.median(c for _, c in hist),
                "rep_s": statistics.median(w for w, _ in rep),
                "rep_cpu": statistics.median(c for _, c in rep),
                "html_mb": html.stat().st_size / 1e6,
            }
            rows.append(row)
            print(f"{n:>5} runs: imported {n_new} in {t_imp:.1f} s ({row['import_rate']:.1f} "
                  f"files/s, {row['cpu_ms_file']:.0f} ms CPU/file), fitdecode "
                  f"{fd_rate:.1f} files/s -> ratio {row['ratio']:.1f}x; history "
                  f"{row['hist_s']:.2f} s, report {row['rep_s']:.2f} s", flush=True)

        print("\n| runs | import s (new files) | files/s | CPU ms/file | fitdecode files/s | "
              "ratio | history s (CPU) | report s (CPU) | report MB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['n']} | {r['import_s']:.1f} ({r['new']}) | {r['import_rate']:.1f} | "
                  f"{r['cpu_ms_file']:.0f} | {r['fd_rate']:.1f} | {r['ratio']:.1f}x | "
                  f"{r['hist_s']:.2f} ({r['hist_cpu']:.2f}) | {r['rep_s']:.2f} "
                  f"({r['rep_cpu']:.2f}) | {r['html_mb']:.1f} |")

        def verdict(ok: bool) -> str:
            return "met" if ok else "NOT met"

        print()
        ratio = statistics.median(r["ratio"] for r in rows)
        print(f"import / fitdecode decode-only ratio (median over sizes) {ratio:.1f}x >= 12: "
              f"{verdict(ratio >= 12)}")
        per_1000 = sum(r["import_s"] for r in rows) / sum(r["new"] for r in rows) * 1000
        print(f"import of 1,000 files (at the measured rate) {per_1000:.1f} s < 30 s: "
              f"{verdict(per_1000 < 30)}")
        if len(rows) >= 2:
            a, b = rows[-2], rows[-1]
            for what, key in (("history", "hist_s"), ("report", "rep_s")):
                e = _exponent(a["n"], a[key], b["n"], b[key])
                ec = _exponent(a["n"], a[key.replace("_s", "_cpu")], b["n"],
                               b[key.replace("_s", "_cpu")])
                print(f"{what} growth exponent {a['n']} -> {b['n']} runs: wall {e:.2f}, CPU "
                      f"{ec:.2f} (<= 1.1: {verdict(e <= 1.1)})")
        last = rows[-1]
        if last["n"] >= 3000:
            print(f"history at {last['n']} runs {last['hist_s']:.2f} s <= 2 s: "
                  f"{verdict(last['hist_s'] <= 2)}")
            print(f"report at {last['n']} runs {last['rep_s']:.2f} s <= 5 s: "
                  f"{verdict(last['rep_s'] <= 5)}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
