# SPDX-License-Identifier: MIT
"""``evenstride import PATH...``: the store's command-line commands.

Wiring into :mod:`evenstride.cli` takes two lines::

    add_import_parser(sub)                                   # in _parser()
    if args.command == "import": return cmd_import(args)     # in main()

It also runs on its own: ``python -m evenstride.store.cli_commands import PATH...``.
Exit codes: 0 when every file was imported or skipped for a reason, 2 when any failed (after the
rest were imported) or on a user error (bad store, bad arguments), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from evenstride.exceptions import UserInputError

EXIT_OK = 0
EXIT_USER = 2
EXIT_INTERRUPTED = 130

_LABELS = {
    "new": "new",
    "already stored": "already stored",
    "duplicate": "duplicate of another export/format",
    "skipped": "skipped (not running, too little running)",
    "failed": "failed",
}


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``import`` sub-command to an ``argparse`` sub-parsers object."""
    from evenstride.store import DEFAULT_ATHLETE, ENV_DB

    p: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import runs into the athlete history (files, folders, Garmin/Strava export zips)",
        description=(
            "Import running files into the athlete history store: FIT/TCX/GPX (and .gz), "
            "folders (recursive), a Garmin Connect data export zip and a Strava bulk export "
            "zip. Importing twice stores nothing twice; the same run from two exports is "
            "stored once (the richer file is kept)."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or export zips")
    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"store file (default: ${ENV_DB}, else "
        "$XDG_DATA_HOME/evenstride/evenstride.sqlite or ~/.local/share/evenstride/…)",
    )
    p.add_argument("--athlete", default=DEFAULT_ATHLETE, metavar="NAME",
                   help=f"whose history (default {DEFAULT_ATHLETE!r})")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for decoding and analysis (default: all cores)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.set_defaults(func=cmd_import)
    return p


def cmd_import(args: argparse.Namespace) -> int:
    """Run ``evenstride import`` for parsed ``args``; returns the exit code (never raises for
    user errors: one line on stderr, exit 2)."""
    from rich.console import Console

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        return _run(args, err)
    except KeyboardInterrupt:
        err.print("evenstride: interrupted (everything imported so far is kept)", markup=False)
        return EXIT_INTERRUPTED
    except UserInputError as exc:
        err.print(f"evenstride: {exc}", markup=False)
        return EXIT_USER
    except BrokenPipeError:
        return EXIT_OK


def _run(args: argparse.Namespace, err: Any) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evenstride.importer import import_paths
    from evenstride.store import default_db_path, open_store

    if args.jobs is not None and args.jobs < 1:
        raise UserInputError("--jobs must be at least 1")
    db = args.db if args.db else default_db_path()
    show = (not args.no_progress) and err.is_terminal
    progress = Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show,
        # refreshed on each file instead of by a thread: worker processes are forked from a
        # single-threaded parent (see evenstride.importer._pool)
        auto_refresh=False,
    )
    with open_store(db) as store, progress:
        task = progress.add_task("files", total=None, name="finding files…")

        def tick(done: int, total: int, source: str) -> None:
            progress.update(task, completed=done, total=total,
                            name=os.path.basename(source.split("!")[-1]))
            progress.refresh()

        report = import_paths(
            args.paths,
            store,
            athlete=args.athlete,
            jobs=args.jobs,
            seed=args.seed,
            progress=tick if show else None,
            db_label=str(db),
        )
    for item in report.failed:
        err.print(f"evenstride: {item.source}: {item.reason}", markup=False, highlight=False)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        _print_summary(report)
    return report.exit_code


def _print_summary(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=132)
    counts = report.counts()
    t = Table(
        title=f"Import for athlete {report.athlete!r} into {report.db}",
        title_justify="left",
    )
    t.add_column("outcome")
    t.add_column("files", justify="right")
    for key, label in _LABELS.items():
        t.add_row(label, str(counts[key]))
    out.print(t)
    skipped = Counter(i.reason or "no reason" for i in report.items if i.status == "skipped")
    for reason, n in skipped.most_common():
        out.print(f"skipped {n} × {reason}", markup=False)
    if report.failed:
        out.print("failed files: one line each on stderr", markup=False)
    total = len(report.items)
    rate = total / report.elapsed_s if report.elapsed_s > 0 else 0.0
    how = (f"{report.workers} worker{'s' if report.workers != 1 else ''}" if report.workers
           else "nothing to decode")
    out.print(f"[dim]{total} files in {report.elapsed_s:.1f} s ({rate:.1f} files/s, {how})[/dim]")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m evenstride.store.cli_commands import PATH...`` (before cli.py wiring)."""
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_import_parser(sub)
    args = p.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
