# SPDX-License-Identifier: MIT
"""``evenstride import PATH...`` and what the athlete enters: the store's command-line commands.

Wiring into :mod:`evenstride.cli` takes two lines each::

    add_import_parser(sub)                                   # in _parser()
    if args.command == "import": return cmd_import(args)     # in main()

    add_athlete_input_parsers(sub)                           # in _parser()
    if args.command in ATHLETE_INPUT_COMMANDS: return args.func(args)   # in main()

The athlete-input commands (each ``cmd_*`` is self-contained and returns the exit code):
``shoe set NAME [--type road|trail|track|racing] [--drop-mm N] [--retire-km N] [--retired]``,
``shoe list [--json]``, ``rpe ACTIVITY_ID RPE [--note TEXT]``, ``activities [--json]`` and
``hrv import FILE... [--json]``. The work is done by :mod:`evenstride.services` (this module
parses and prints).

It also runs on its own: ``python -m evenstride.cli.inputs import PATH...``.
Exit codes: 0 when every file was imported or skipped for a reason, 2 when any failed (after the
rest were imported) or on a user error (bad store, bad arguments), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evenstride.cli import types
from evenstride.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER,
    athlete_id,
    db_path,
    guarded,
    open_existing,
    out,
    print_json,
    say_skipped,
    store_options,
    user_message,
)
from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.services import inputs as svc

_LABELS = {
    "new": "new",
    "already stored": "already stored",
    "duplicate": "duplicate of another export/format",
    "skipped": "skipped (not running, too little running)",
    "failed": "failed",
}


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``import`` sub-command to an ``argparse`` sub-parsers object."""

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
    store_options(p)
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for decoding and analysis (default: all cores)")
    p.add_argument("--seed", type=types.seed, default=0, help="bootstrap seed (default 0)")
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
        err.print(f"evenstride: {user_message(exc)}", markup=False)
        return EXIT_USER
    except BrokenPipeError:
        return EXIT_OK


def _run(args: argparse.Namespace, err: Any) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evenstride.services.imports import import_files
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
    with open_store(db) as store:  # one store: the import, then placing the new runs
        with progress:
            task = progress.add_task("files", total=None, name="finding files…")

            def tick(done: int, total: int, source: str) -> None:
                progress.update(task, completed=done, total=total,
                                name=os.path.basename(source.split("!")[-1]))
                progress.refresh()

            report = import_files(
                store,
                args.paths,
                athlete=args.athlete,
                jobs=args.jobs,
                seed=args.seed,
                progress=tick if show else None,
                db_label=str(db),
            )
        placed = _place_new_runs(args, store, report)
    for item in report.failed:
        err.print(f"evenstride: {item.source}: {item.reason}", markup=False, highlight=False)
    if args.json:
        doc = report.to_dict()
        if placed:
            doc["personal_baseline"] = {str(k): v for k, v in placed.items()}
        print_json(doc)
    else:
        _print_summary(report)
        con = out()
        for k, (rid, pb) in enumerate(placed.items()):
            print_personal(pb, con, title=f"Run {rid} ({pb.get('date') or 'undated'}): is this "
                                          "normal for you?", note=k == len(placed) - 1)
    return report.exit_code


def _place_new_runs(args: argparse.Namespace, store: Any, report: Any
                    ) -> dict[int, dict[str, Any]]:
    """``personal_baseline`` of the newest new runs of this import (at most
    :data:`evenstride.services.history.IMPORT_PLACED_RUNS`), by activity id; empty when nothing
    new or no history forms."""
    from evenstride.services.history import place_new_runs

    new = {i.activity_id for i in report.items if i.status == "new" and i.activity_id}
    if not new:
        return {}
    try:
        aid = athlete_id(store, args)
    except UserInputError:
        return {}
    return place_new_runs(store, aid, new)


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


# ------------------------------------------------------------------ what the athlete enters
#: Top-level commands added by :func:`add_athlete_input_parsers`.
ATHLETE_INPUT_COMMANDS = ("shoe", "rpe", "activities", "hrv")


def add_athlete_input_parsers(subparsers: Any) -> None:
    """Add ``shoe set|list``, ``rpe``, ``activities`` and ``hrv import`` to an ``argparse``
    sub-parsers object; every leaf parser sets ``func`` to its ``cmd_*`` function."""
    from evenstride.store import SHOE_TYPES

    shoe = subparsers.add_parser(
        "shoe", help="describe your shoes (type, drop, reminder distance) and list their use",
        description="What the files do not say about your shoes. NAME is the gear name of your "
        "imported runs (e.g. from a Strava export); see 'evenstride shoe list'.",
    )
    shoe_sub = shoe.add_subparsers(dest="shoe_command", required=True, metavar="{set,use,list}")
    ss = shoe_sub.add_parser("set", help="set a pair's type, drop, reminder distance, retired")
    ss.add_argument("name", metavar="NAME", help="gear name as in your imported runs")
    ss.add_argument("--type", dest="shoe_type", metavar="{" + ",".join(SHOE_TYPES) + "}",
                    help="kind of shoe")
    ss.add_argument("--drop-mm", type=types.finite_float, metavar="N", help="heel-to-toe drop, mm")
    ss.add_argument("--retire-km", type=types.finite_float, metavar="N",
                    help="show a replacement reminder at this distance (default 800 km)")
    ret = ss.add_mutually_exclusive_group()
    ret.add_argument("--retired", action="store_true", default=None,
                     help="the pair is retired (no more reminders)")
    ret.add_argument("--active", dest="retired", action="store_false",
                     help="the pair is in use again")
    store_options(ss)
    ss.set_defaults(func=cmd_shoe_set)
    su = shoe_sub.add_parser(
        "use",
        help="record which shoe you wore for runs (exports other than Strava carry no shoe)",
    )
    su.add_argument("name", metavar="NAME", help="shoe name (as in 'shoe set')")
    su.add_argument("activity_ids", type=types.row_id, nargs="+", metavar="ACTIVITY_ID",
                    help="runs, as listed by 'evenstride activities'")
    store_options(su)
    su.set_defaults(func=cmd_shoe_use)
    sl = shoe_sub.add_parser("list", help="your shoes with the distance run in them so far")
    sl.add_argument("--json", action="store_true", help="print JSON")
    store_options(sl)
    sl.set_defaults(func=cmd_shoe_list)

    r = subparsers.add_parser(
        "rpe", help="enter a run's session RPE (0–10, CR-10) for the session-load series",
        description="Rate how hard the whole session was, 0 (rest) to 10 (maximal) on the "
        "CR-10 scale; the history then shows Foster session load (RPE × minutes). Find the "
        "ACTIVITY_ID with 'evenstride activities'.",
    )
    r.add_argument("activity_id", type=types.row_id, metavar="ACTIVITY_ID")
    r.add_argument("rpe", type=types.finite_float, metavar="RPE", help="0–10")
    r.add_argument("--note", metavar="TEXT", help="a note kept with the rating")
    store_options(r)
    r.set_defaults(func=cmd_rpe)

    a = subparsers.add_parser(
        "activities", help="list stored runs: id, date, distance, duration, shoe, RPE"
    )
    a.add_argument("--json", action="store_true", help="print JSON")
    store_options(a)
    a.set_defaults(func=cmd_activities)

    h = subparsers.add_parser("hrv", help="import resting heart-rate variability recordings")
    h_sub = h.add_subparsers(dest="hrv_command", required=True, metavar="{import}")
    hi = h_sub.add_parser(
        "import", help="resting RMSSD from R-R recordings at rest (CSV or FIT)",
        description="One resting RMSSD per file: a CSV/text file of R-R intervals (ms or s, "
        "one per row, optional header and time column) or a FIT file recorded while still "
        "with R-R (hrv) logging. At least 60 s and 50 clean beats. Importing a file twice "
        "stores it once.",
    )
    hi.add_argument("files", nargs="+", metavar="FILE")
    hi.add_argument("--when", metavar="TIME",
                    help="start of the recording (ISO 8601) when the file does not hold it "
                    "(one file only)")
    hi.add_argument("--json", action="store_true", help="print JSON")
    store_options(hi)
    hi.set_defaults(func=cmd_hrv_import)


def cmd_shoe_set(args: argparse.Namespace) -> int:
    """``evenstride shoe set NAME …``: create or update a pair's attributes (unset options keep
    their stored values)."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.store import open_store

        change = svc.ShoeChange(args.name, type=args.shoe_type, drop_mm=args.drop_mm,
                                retire_km=args.retire_km, retired=args.retired)
        svc.check_shoe(change)
        with open_store(db_path(args)) as store:
            aid = athlete_id(store, args, create=True)
            info = svc.set_shoe(store, aid, change)
            gears = [s.name for s in store.shoes(aid)]
        parts = [f"{k} {v}" for k, v in (("type", info.type),
                                         ("drop", None if info.drop_mm is None
                                          else f"{info.drop_mm:g} mm"),
                                         ("reminder at", None if info.retire_km is None
                                          else f"{info.retire_km:g} km"))
                 if v is not None]
        if info.retired:
            parts.append("retired")
        print(f"shoe {info.name!r}: " + (", ".join(parts) or "no attributes"))
        if info.name not in gears:
            known = ", ".join(repr(g) for g in gears[:8]) or "none yet"
            print(f"note: no stored run uses {info.name!r} yet (gear names of your runs: "
                  f"{known})", file=sys.stderr)
        return EXIT_OK

    return guarded(run, args)


def cmd_shoe_list(args: argparse.Namespace) -> int:
    """``evenstride shoe list``: distance so far from the stored runs' gear, with attributes."""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            rows = svc.shoe_table(store, athlete_id(store, args))
        if args.json:
            print_json({"athlete": args.athlete, "shoes": rows})
            return EXIT_OK
        if not rows:
            print(f"no shoes for {args.athlete!r}: no stored run names a gear and none was set "
                  "with 'evenstride shoe set'")
            return EXIT_OK
        from rich.table import Table

        t = Table(title=f"Shoes of {args.athlete!r}", title_justify="left")
        for c in ("shoe", "type", "drop", "km", "runs", "last used", "reminder", "status"):
            t.add_column(c, justify="right" if c in ("drop", "km", "runs", "reminder")
                         else "left")
        for r in rows:
            t.add_row(r["name"], r["type"] or "–",
                      "–" if r["drop_mm"] is None else f"{r['drop_mm']:g} mm",
                      f"{r['distance_km']:.1f}", str(r["runs"]), r["last_used"] or "–",
                      f"{r['retire_km']:g} km", r["status"])
        out().print(t)
        return EXIT_OK

    return guarded(run, args)


def cmd_rpe(args: argparse.Namespace) -> int:
    """``evenstride rpe ACTIVITY_ID RPE [--note TEXT]``: enter a run's session RPE."""

    def run(args: argparse.Namespace) -> int:
        rpe = svc.check_rpe(args.rpe)
        with open_existing(args) as store:
            act = svc.set_rpe(store, athlete_id(store, args), args.activity_id, rpe, args.note)
        when = act.start_time.date().isoformat() if act.start_time else "undated"
        load = rpe * act.duration_s / 60.0
        print(f"activity {act.id} ({when}, {act.duration_s / 60:.0f} min): RPE {rpe:g}, "
              f"session load {load:.0f} AU (RPE × min)")
        return EXIT_OK

    return guarded(run, args)


def cmd_shoe_use(args: argparse.Namespace) -> int:
    """``evenstride shoe use NAME ACTIVITY_ID...``: record the shoe worn for stored runs."""

    def run(args: argparse.Namespace) -> int:
        name = str(args.name).strip()
        if not name:
            raise UserInputError("shoe name is empty")
        with open_existing(args) as store:
            n = svc.use_shoe(store, athlete_id(store, args), name, list(args.activity_ids))
        print(f"shoe {name!r} recorded for {n} run{'s' if n != 1 else ''}")
        return EXIT_OK

    return guarded(run, args)


def cmd_activities(args: argparse.Namespace) -> int:
    """``evenstride activities``: id, date, distance, duration, gear and RPE of stored runs."""

    def run(args: argparse.Namespace) -> int:
        with open_existing(args) as store:
            acts, rows = svc.activity_rows(store, athlete_id(store, args))
        if args.json:
            print_json({"athlete": args.athlete, "activities": rows})
            return EXIT_OK
        if not rows:
            print(f"no stored runs for {args.athlete!r}")
            return EXIT_OK
        from rich.table import Table

        from evenstride.assessment import fmt_clock

        t = Table(title=f"Runs of {args.athlete!r}", title_justify="left")
        for c in ("id", "date", "km", "time", "shoe", "RPE", "name"):
            t.add_column(c, justify="right" if c in ("id", "km", "time", "RPE") else "left")
        for r, a in zip(rows, acts, strict=True):
            t.add_row(str(r["id"]),
                      "–" if a.start_time is None else a.start_time.strftime("%Y-%m-%d %H:%M"),
                      "–" if r["distance_km"] is None else f"{r['distance_km']:.2f}",
                      fmt_clock(a.duration_s), r["gear"] or "–",
                      "–" if r["rpe"] is None else f"{r['rpe']:g}", r["name"] or "")
        out().print(t)
        return EXIT_OK

    return guarded(run, args)


def cmd_hrv_import(args: argparse.Namespace) -> int:
    """``evenstride hrv import FILE...``: one resting RMSSD per file (CSV or FIT), stored once
    however often the file is imported. Exit 2 when any file failed (the others are stored)."""

    def run(args: argparse.Namespace) -> int:
        from evenstride.hrv import resting_value
        from evenstride.store import open_store

        when = None
        if args.when:
            if len(args.files) > 1:
                raise UserInputError("--when applies to one file; import the files one by one")
            when = svc.parse_when(args.when)
        values, failed = [], []
        for f in args.files:
            try:
                with warnings.catch_warnings(record=True) as caught:  # one line each, not
                    warnings.simplefilter("always", EvenstrideWarning)  # Python's two
                    values.append(resting_value(f, when=when))
                for w in caught:
                    if issubclass(w.category, EvenstrideWarning):
                        print(f"warning: {w.message}", file=sys.stderr)
            except UserInputError as exc:
                failed.append({"file": f, "error": str(exc)})
                print(f"evenstride: {user_message(exc)}", file=sys.stderr)
        results = []
        if values:
            with open_store(db_path(args)) as store:
                results = svc.import_resting_hrv(store, athlete_id(store, args, create=True),
                                                 values)
        if args.json:
            print_json({"athlete": args.athlete, "imported": results, "failed": failed})
        else:
            for r in results:
                print(f"{r['source']}: resting RMSSD {r['rmssd_ms']:.1f} ms on "
                      f"{r['when'][:16].replace('T', ' ')} UTC from {r['n_beats']} beats "
                      f"({r['n_rejected']} rejected as artefacts) — {r['status']}")
        return EXIT_USER if failed else EXIT_OK

    return guarded(run, args)


def register(subparsers: Any) -> None:
    """Add ``import``, ``shoe``, ``rpe``, ``activities`` and ``hrv`` (:data:`COMMAND_MODULES
    <evenstride.cli.app.COMMAND_MODULES>`)."""
    add_import_parser(subparsers)
    add_athlete_input_parsers(subparsers)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m evenstride.cli.inputs import PATH...`` (before cli.py wiring)."""
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_import_parser(sub)
    add_athlete_input_parsers(sub)
    args = p.parse_args(argv)
    return int(args.func(args))


def load_history(
    args: argparse.Namespace, *, metrics_only: bool = False
) -> tuple[Any, Mapping[int, dict[str, Any]]]:
    """The history of ``--athlete`` in ``--db`` (``args`` may carry ``road_side``, ``hr_rest``,
    ``hr_max``) and each stored run's document by activity id; the runs it left out as
    unreadable are one warning line each on stderr. Shared by ``history``, ``report`` and
    ``analyze --athlete`` (``metrics_only``: what places a run, see
    :func:`evenstride.services.history.load_history`)."""
    from evenstride.services.history import load_history as build

    # opened for writing so that an older store is migrated on first use
    with open_existing(args) as store:
        loaded = build(store, athlete_id(store, args), road_side=getattr(args, "road_side", None),
                       hr_rest=getattr(args, "hr_rest", None), hr_max=getattr(args, "hr_max", None),
                       metrics_only=metrics_only)
        say_skipped(store, loaded.skipped)
    return loaded.history, loaded.docs


def write_history_reports(args: argparse.Namespace) -> Path:
    """``evenstride report --html FILE [--runs]``: the history report and, with ``--runs``, a
    per-run report for every stored run in ``FILE-runs/``, linked from the history page.

    Written together, the pages share one ``plotly.min.js`` in ``FILE-runs/`` (the folder works
    offline as long as it stays beside the history page); the history page alone inlines it.
    Returns the history page's path.
    """
    import warnings
    from urllib.parse import quote

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.history import personal_baseline
    from evenstride.pipeline import analyze
    from evenstride.report import write_history_report, write_report
    from evenstride.report.figures import write_plotly_js
    from evenstride.services.history import load_history as build
    from evenstride.store import StoreError

    target = Path(args.html)
    links: dict[int, str] = {}
    shared: str | None = None
    with open_existing(args) as store:  # one store for the history and every run page
        loaded = build(store, athlete_id(store, args), road_side=getattr(args, "road_side", None))
        say_skipped(store, loaded.skipped)
        hist, docs = loaded.history, loaded.docs
        if args.runs:
            run_dir = target.with_suffix("").with_name(target.stem + "-runs")
            run_dir.mkdir(parents=True, exist_ok=True)
            js = write_plotly_js(run_dir)
            shared = f"{quote(run_dir.name)}/{js}"
            recs = {r.activity_id: r for r in hist.runs}
            for aid in docs:
                try:
                    act = store.load_activity(aid)
                except StoreError as exc:  # one corrupt run: no page for it, the rest go on
                    print(f"evenstride: warning: {store.path}: {exc}; no run report for it — "
                          "'evenstride doctor' checks the store", file=sys.stderr)
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", EvenstrideWarning)
                    res = analyze(act)
                rec = recs.get(aid)
                pb = (None if rec is None
                      else personal_baseline(hist, rec, athlete=args.athlete))
                p = write_report(res, run_dir / f"run-{aid}.html", plotly_src=js, personal=pb)
                links[aid] = f"{quote(run_dir.name)}/{p.name}"
    return write_history_report(hist, target, run_links=links, athlete=args.athlete,
                                plotly_src=shared)


def print_personal(
    pb: dict[str, Any], console: Any, *, title: str | None = None, note: bool = True
) -> None:
    """Terminal lines of a ``personal_baseline`` part: the summary, then one line per metric."""
    from rich.text import Text

    style = {"beyond": "bold yellow", "within": "green", "cannot tell": "dim"}
    console.print(Text(title or "Is this normal for you?", style="bold"))
    console.print(Text(pb["summary"]))
    for m in pb["metrics"]:
        console.print(Text(f"• {m['sentence']}", style=style.get(m["status"], "")))
    if note and pb.get("note") and pb["metrics"]:
        console.print(Text(pb["note"], style="dim"))


if __name__ == "__main__":
    raise SystemExit(main())
