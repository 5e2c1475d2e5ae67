# SPDX-License-Identifier: MIT
"""``evenstride analyze FILE...``: analyse each file, print its summary (or JSON, or an HTML
report); a file that fails never stops the others.

A thin adapter over :func:`evenstride.pipeline.analyze`; video clips go to
:mod:`evenstride.cli.video`. User errors give one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from evenstride.cli import types
from evenstride.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USER,
    console,
    print_json,
    user_message,
)
from evenstride.cli.summary import merge_warnings, print_summary
from evenstride.exceptions import EvenstrideWarning, UserInputError


def register(sub: Any) -> None:
    """Add ``analyze`` (:data:`COMMAND_MODULES <evenstride.cli.app.COMMAND_MODULES>`)."""
    a = sub.add_parser("analyze", help="analyse running files, recognised by content (FIT, TCX, "
                       "GPX, .gz, C3D, foot-IMU/RunScribe CSV, phone logs, video clips)")
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--json", action="store_true", help="print one JSON document per file")
    a.add_argument(
        "--html",
        metavar="PATH",
        help="write a self-contained HTML report (a directory when several files are given)",
    )
    a.add_argument("--seed", type=types.seed, default=0, help="bootstrap seed (default 0)")
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    a.add_argument("--quiet", "-q", action="store_true", help="findings only, no tables")
    a.add_argument("--athlete", metavar="NAME", help="also say where each run sits against "
                   "this athlete's own history in the store (nothing is stored)")
    a.add_argument("--db", metavar="PATH", help="store for --athlete (default: $EVENSTRIDE_DB "
                   "or the user data folder)")
    a.add_argument("--view", choices=("side", "rear", "front"), help="camera view of a video "
                   "clip (default: detected)")
    a.add_argument("--leg-length-cm", type=types.bounded_float(50.0, 130.0, "cm"), metavar="CM",
                   help="leg length of the runner in a video clip: distances also in cm")
    a.set_defaults(func=cmd_analyze)


def _html_target(base: str, file: str, n_files: int) -> Path:
    p = Path(base)
    if n_files == 1 and not p.is_dir():
        return p
    p.mkdir(parents=True, exist_ok=True)
    name = Path(file).name
    for suf in (".gz", ".fit", ".tcx", ".gpx", ".FIT", ".TCX", ".GPX"):
        if name.endswith(suf):
            name = name[: -len(suf)]
    return p / f"{name}.html"


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse every file in turn; the exit code is the worst of theirs."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from evenstride.cli import video as _cli_video  # video clips take their own path
    from evenstride.pipeline import analyze

    if _cli_video.all_videos(list(args.files)):
        return _cli_video.analyze_files(args)
    files: list[str] = list(args.files)
    out = console()
    err = console(stderr=True)
    status = EXIT_OK
    show_progress = (not args.no_progress) and len(files) > 1 and err.is_terminal
    # "is this normal for me?": the athlete's history, built once (a user error if none)
    hist = None
    if args.athlete:
        from evenstride.cli.inputs import load_history
        from evenstride.services.history import place_run_doc

        hist = load_history(args, metrics_only=True)[0]  # to place each file
    progress = Progress(
        TextColumn("[bold]analysing"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} {task.fields[name]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("files", total=len(files), name="")
        for f in files:
            progress.update(task, name=Path(f).name)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", EvenstrideWarning)
                    res = analyze(f, seed=args.seed)
                merge_warnings(res.warnings, caught, res.file)
                pb = (None if hist is None
                      else place_run_doc(hist, res.to_dict(), athlete=args.athlete))
            except UserInputError as exc:
                err.print(f"evenstride: {user_message(exc)}", markup=False, highlight=False)
                if args.json:
                    print_json({"schema": "evenstride.error/1", "file": f, "error": str(exc)})
                status = EXIT_USER
                progress.advance(task)
                continue
            except Exception as exc:  # a bug: say so in one line, keep going with other files
                err.print(
                    f"evenstride: {f}: internal error ({type(exc).__name__}: {exc}); "
                    "please report this with the file",
                    markup=False,
                    highlight=False,
                )
                status = max(status, EXIT_INTERNAL) if status != EXIT_USER else status
                progress.advance(task)
                continue
            if args.html:
                from evenstride.report import write_report
                from evenstride.report.figures import write_plotly_js

                try:
                    target = _html_target(args.html, f, len(files))
                    # several reports in one folder share one plotly.min.js beside them
                    shared_js = write_plotly_js(target.parent) if len(files) > 1 else None
                    write_report(res, target, plotly_src=shared_js, personal=pb)
                except OSError as exc:
                    err.print(
                        f"evenstride: {args.html}: cannot write the report "
                        f"({exc.strerror or exc})",
                        markup=False,
                        highlight=False,
                    )
                    status = EXIT_USER
                    progress.advance(task)
                    continue
            try:
                if args.json:
                    print_json(res.to_dict() if pb is None
                                else {**res.to_dict(), "personal_baseline": pb})
                else:
                    print_summary(res, out, quiet=args.quiet)
                    if pb is not None:
                        from evenstride.cli.inputs import print_personal

                        print_personal(pb, out)
                    if args.html:
                        out.print(f"[dim]report written to[/dim] {target}")
            except BrokenPipeError:
                raise
            except Exception as exc:  # a bug in output for this file: say so, keep going
                err.print(
                    f"evenstride: {f}: internal error while printing ({type(exc).__name__}: "
                    f"{exc}); please report this with the file",
                    markup=False,
                    highlight=False,
                )
                status = max(status, EXIT_INTERNAL) if status != EXIT_USER else status
            progress.advance(task)
    return status
