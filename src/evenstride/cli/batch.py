# SPDX-License-Identifier: MIT
"""``evenstride batch INPUT… --out LAKE``: the pipeline on Dask over many files (an adapter; the
work is in :mod:`evenstride.batch`, the layout and how to run it on a cluster in docs/scale.md).

Hooked into the CLI with :func:`register` (adds the sub-command) and :func:`run` (runs it and
returns the exit code: 0 done, 2 bad input or files that could not be read)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evenstride.exceptions import UserInputError

EXIT_OK = 0
EXIT_USER = 2


def _positive(name: str, hi: int) -> Any:
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number (got {s!r})") from None
        if not 1 <= v <= hi:
            raise argparse.ArgumentTypeError(f"must be 1–{hi} (got {v})")
        return v
    return parse


def _memory(s: str) -> str:
    try:
        from dask.utils import parse_bytes

        if parse_bytes(s) < 256 * 2**20:
            raise argparse.ArgumentTypeError(f"--memory-limit must be at least 256MiB (got {s!r})")
    except ImportError:
        return s  # said once, with the install hint, when the batch runs
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size such as 2GiB (got {s!r})"
                                         ) from None
    return s


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``batch`` to the CLI's sub-commands."""
    b = subparsers.add_parser(
        "batch", help="analyse many files on a Dask cluster into a Parquet lake",
        description="Analyse files, folders, globs and export zips (local paths or fsspec URLs "
        "such as s3://bucket/runs/) on a Dask cluster into a lake: run documents, per-run "
        "asymmetry rows (Parquet, by athlete bucket), errors, a manifest, per-athlete history "
        "and, with --cohort, cohort percentiles. A rerun adds only new files; after a code "
        "change it recomputes and says so. See docs/scale.md.")
    b.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder, glob, zip or URL")
    b.add_argument("--out", required=True, metavar="LAKE", help="lake folder or URL")
    b.add_argument("--athlete", metavar="ID", help="every file is this athlete's (default: an "
                   "'athlete=ID' path part, else the file's folder or zip name)")
    b.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler of a running cluster "
                   "(tcp://host:8786); default: a local cluster, one worker per core")
    b.add_argument("--workers", type=_positive("--workers", 1024), metavar="N",
                   help="local cluster workers (default: one per core)")
    b.add_argument("--memory-limit", type=_memory, metavar="SIZE", help="memory bound per "
                   "local worker, e.g. 2GiB (default: the machine's memory shared out); Dask "
                   "pauses a worker at 80 %% and restarts it at 95 %%")
    b.add_argument("--buckets", type=_positive("--buckets", 4096), metavar="N",
                   help="athlete buckets of a new lake (default 64)")
    b.add_argument("--chunk-size", type=_positive("--chunk-size", 100_000), default=100,
                   metavar="N", help="files per task (default 100)")
    b.add_argument("--no-history", action="store_true", help="skip the per-athlete history")
    b.add_argument("--cohort", action="store_true", help="compute cohort percentiles after "
                   "the batch (cohort/cohort-vN.json)")
    b.add_argument("--athletes", metavar="CSV", help="athlete_id,sex,birth_year per athlete, "
                   "for the cohort's sex and age bands")
    b.add_argument("--json", action="store_true", help="print an evenstride.batch/1 document")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    return b


def run(args: argparse.Namespace) -> int:
    """Run ``evenstride batch``; one line on stderr and exit 2 on bad input."""
    try:
        return _run(args)
    except UserInputError as exc:
        print(f"evenstride: {exc}", file=sys.stderr)
        return EXIT_USER


def _check_athletes(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise UserInputError("no such file", path=path)
    try:
        head = p.open(encoding="utf-8").readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"cannot read ({exc})", path=path) from None
    cols = [c.strip() for c in head.strip().split(",")]
    if "athlete_id" not in cols:
        raise UserInputError("needs a header with athlete_id (and sex, birth_year)", path=path)
    return str(p.resolve())


def _run(args: argparse.Namespace) -> int:
    try:
        import dask.distributed  # noqa: F401
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise UserInputError(f"evenstride batch needs the batch extra ({exc.name} is missing): "
                             "pip install 'evenstride[batch]'") from None
    from evenstride.batch import run_batch

    athletes = _check_athletes(args.athletes) if args.athletes else None
    if args.scheduler and (args.workers or args.memory_limit):
        raise UserInputError("--workers and --memory-limit configure the local cluster; with "
                             "--scheduler the cluster's own settings apply")
    progress = None if (args.no_progress or args.json) else _progress()
    try:
        rep = run_batch(args.inputs, args.out, athlete=args.athlete, scheduler=args.scheduler,
                        workers=args.workers, memory_limit=args.memory_limit,
                        n_buckets=args.buckets, chunk_size=args.chunk_size,
                        history=not args.no_history, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    cohort = None
    if args.cohort:
        from evenstride.batch import build_cohort

        cohort = build_cohort(args.out, athletes=athletes)
    if args.json:
        d = rep.to_dict()
        if cohort is not None:
            d["cohort"] = {"version": cohort["version"], "rows": len(cohort["rows"])}
        print(json.dumps(d, indent=1))
        return rep.exit_code
    for m in rep.messages:
        print(f"evenstride: {m}", file=sys.stderr)
    print(f"{rep.lake}: {rep.discovered} files found; {rep.already_in_lake} already in the "
          f"lake, {rep.same_content} repeats of another file's content; analysed "
          f"{rep.analysed} in {rep.tasks} tasks on {rep.workers} workers "
          f"({rep.files_per_s:.1f} files/s): {rep.ok} runs, {rep.skipped} skipped, "
          f"{rep.failed} failed (see errors/); {rep.duplicates_found} copies of a run from "
          f"another export set aside (see duplicates/); history of {rep.history_buckets} athlete "
          f"buckets; code {rep.code_version}; {rep.elapsed_s:.1f} s")
    for t in rep.failed_tasks:
        print(f"evenstride: task failed, its files wait for the next run: {t}", file=sys.stderr)
    if cohort is not None:
        print(f"cohort {cohort['version']}: {len(cohort['rows'])} strata "
              f"(cohort/cohort-{cohort['version'][0]}{int(cohort['version'][1:]):04d}.json)")
    return rep.exit_code


class _progress:
    """A rich progress bar on stderr, one line per stage."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.p = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.tasks: dict[str, Any] = {}
        self.p.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.p.add_task(f"{stage} (tasks)", total=total)
        self.p.update(self.tasks[stage], completed=done, total=total)

    def close(self) -> None:
        self.p.stop()
