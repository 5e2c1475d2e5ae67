# SPDX-License-Identifier: MIT
"""Command line: ``evenstride analyze FILE...`` and ``evenstride demo``.

A thin adapter: it parses arguments, calls :func:`evenstride.pipeline.analyze`, and prints.
User errors (bad files, bad arguments) give one line on stderr and exit code 2; a file that
fails never stops the others; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evenstride import __version__, consts
from evenstride._threads import limit_blas_threads
from evenstride.cli import types
from evenstride.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USER,
    guarded,
    print_json,
    store_options,
    user_message,
)
from evenstride.exceptions import EvenstrideWarning, UserInputError

if TYPE_CHECKING:
    from rich.console import Console

    from evenstride.pipeline import RunAnalysis

#: Per-step recording formats understood by ``evenstride steps``.
STEP_FORMATS = ("imu", "fukuchi", "c3d", "runscribe", "phone", "accel", "video")

class _ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2 (argparse's own convention)
        hint = " ".join(["evenstride", self._sub(), "--help"]).replace("  ", " ")
        self.exit(EXIT_USER, f"evenstride: {message} (see '{hint}')\n")

    def _sub(self) -> str:
        return self.prog.split(" ", 1)[1] if " " in self.prog else ""


def _parser() -> argparse.ArgumentParser:
    p = _ArgParser(
        prog="evenstride",
        description="Find, explain and help fix left/right imbalances in running.",
    )
    p.add_argument("--version", action="version", version=f"evenstride {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_ArgParser)

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

    _register_command_modules(sub)

    h = sub.add_parser(
        "history",
        help="an athlete's history: baseline, noise floor, real changes, load, shoes, surfaces",
    )
    store_options(h)
    h.add_argument("--json", action="store_true", help="print the evenstride.history/1 document")
    h.add_argument(
        "--road-side",
        choices=("left", "right"),
        help="side of the road you usually run on (for camber exposure; weak evidence)",
    )
    h.add_argument("--hr-rest", type=types.hr_rest_bpm, metavar="BPM",
                   help="resting heart rate (for TRIMP)")
    h.add_argument("--hr-max", type=types.hr_max_bpm, metavar="BPM",
                   help="maximum heart rate (for TRIMP)")

    r = sub.add_parser("report", help="write an athlete's history report (HTML)")
    store_options(r)
    r.add_argument("--html", metavar="FILE", required=True, help="where to write the report")
    r.add_argument(
        "--runs",
        action="store_true",
        help="also write a per-run report for every run, linked from the history page",
    )
    r.add_argument("--road-side", choices=("left", "right"))

    st = sub.add_parser(
        "steps",
        help="per-step analysis of lab and sensor recordings (foot IMUs, treadmill force/markers)",
        description="Find each step's events and side in a raw recording and judge the per-step "
        "left/right metrics with the same engine as watch files. Formats: 'imu' (bilateral "
        "foot/shank IMU CSV: the documented generic layout or the gaitmap example layout), "
        "'fukuchi' (treadmill forces text export; the markers file beside it and RBDSinfo.txt in "
        "the same folder are used; a markers export without a forces file gives marker-only "
        "events), 'c3d' (motion capture: with force-plate analog channels body mass comes from "
        "--mass-kg or RBDSinfo.txt beside the file; without them events come from the foot "
        "markers and no body mass is needed), "
        "'phone' (a single trunk/waist phone or IMU: a Sensor Logger export as .zip, .json or "
        "folder, or its Accelerometer.csv with Gravity.csv and Gyroscope.csv beside it; "
        "results are indicative only), "
        "'runscribe' (per-stride CSV exports: FILE is the left pod, "
        "--right the right pod), 'accel' (one leg's accelerometer, adeptdata CSV "
        "loc_id,date_time,x,y,z in g, optionally .gz; --location picks the sensor: stride times "
        "and variability only, no left/right asymmetry). Stride-time variability (CV, DFA α) is "
        "reported per side.",
    )
    st.add_argument("file", metavar="FILE")
    st.add_argument("--right", metavar="FILE", help="right-pod export (format runscribe)")
    st.add_argument("--gyro", metavar="FILE", help="gyroscope CSV when it is not the "
                    "export's own Gyroscope.csv (format phone)")
    st.add_argument("--location", metavar="NAME", help="sensor location to analyse, e.g. "
                    "left_ankle (format accel; default: the first ankle sensor)")
    st.add_argument("--mass-kg", type=types.positive_float, metavar="KG",
                    help="body mass (format c3d with force channels)")
    st.add_argument("--speed", type=types.positive_float, metavar="M/S",
                    help="treadmill speed (formats c3d, fukuchi markers-only; default for "
                    "markers only: the belt speed measured from the stance foot)")
    st.add_argument("--static", metavar="FILE", help="static calibration trial for cluster-only "
                    "markers (format c3d without forces; default: …_static.c3d beside …_run.c3d)")
    st.add_argument("--format", choices=STEP_FORMATS, default=None,
                    help="input format (default: recognised from the file's content)")
    st.add_argument("--view", choices=("side", "rear", "front"),
                    help="camera view (format video; default: detected)")
    st.add_argument("--units", metavar="acc=g,gyr=deg/s",
                    help="units of a generic IMU CSV when the file does not declare them")
    st.add_argument("--json", action="store_true", help="print the evenstride.run/1 document")
    st.add_argument("--html", metavar="FILE", help="write the HTML report")
    st.add_argument("--seed", type=types.seed, default=0)

    w = sub.add_parser(
        "serve", help="start the local web app (coaches, physical therapists)",
        description="Serve the web app over the store. It listens on 127.0.0.1 only unless "
        "--host says otherwise; any other address needs an access secret "
        "(EVENSTRIDE_WEB_SECRET or --secret-file), checked on every request.")
    w.add_argument("--db", metavar="PATH", help="store file (default: $EVENSTRIDE_DB or the "
                   "user data folder)")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free)")
    w.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                   help="another name or address the app is reached by (e.g. this computer's "
                   "LAN address, for a clinic's tablets; needs the access secret); repeatable")
    w.add_argument("--secret-file", metavar="FILE",
                   help="file whose first line is the access secret (at least 16 characters)")

    dr = sub.add_parser(
        "doctor", help="check the store and repair what can be repaired safely",
        description="Check the history store: SQLite integrity, rows pointing to nothing, and "
        "every run's stored document and recording. With --repair: a lost document is "
        "re-derived from the stored recording; a run whose recording is lost is moved, with "
        "all its rows, to a JSON file in STORE.quarantine/ (re-import its file to restore it); "
        "nothing is removed without being written there first. Exit code 0 when the store is "
        "healthy (after repairs), 2 when problems remain.")
    dr.add_argument("--db", metavar="PATH", help="store file (default: $EVENSTRIDE_DB or the "
                    "user data folder)")
    dr.add_argument("--repair", action="store_true", help="repair what can be repaired")
    dr.add_argument("--json", action="store_true", help="print an evenstride.doctor/1 document")

    d = sub.add_parser("demo", help="simulate a run with known asymmetry and analyse it")
    d.add_argument("--out", metavar="DIR", default="evenstride-demo", help="output folder")
    d.add_argument("--json", action="store_true", help="print the JSON document")
    d.add_argument("--duration-min", type=types.demo_duration_min, default=75.0,
                   help=f"run length (min, at least {types.DEMO_MIN_DURATION_MIN:g})")
    d.add_argument("--seed", type=types.seed, default=7)
    return p


#: Modules that add their own sub-commands: each has ``register(subparsers)``, whose leaf
#: parsers set ``func`` (a function of the parsed arguments returning the exit code), or a
#: module-level ``run(args)`` used for every command it added. A new command module is one line
#: here (docs/architecture.md, "Adding a command").
COMMAND_MODULES: tuple[str, ...] = (
    "evenstride.cli.inputs",
    "evenstride.cli.clinical",
    "evenstride.cli.plan",
    "evenstride.cli.batch",
)


def _register_command_modules(sub: Any) -> None:
    import importlib

    for name in COMMAND_MODULES:
        mod = importlib.import_module(name)
        before = set(sub.choices)
        mod.register(sub)
        run = getattr(mod, "run", None)
        if callable(run):
            for cmd in set(sub.choices) - before:
                if sub.choices[cmd].get_default("func") is None:
                    sub.choices[cmd].set_defaults(func=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evenstride`` console script."""
    limit_blas_threads()  # before numpy loads: one BLAS thread per process (evenstride._threads)
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return EXIT_USER
    return guarded(_dispatch, args)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "analyze":
        return _cmd_analyze(args)
    if args.command == "demo":
        return _cmd_demo(args)
    if getattr(args, "func", None) is not None:  # a command module's command
        return int(args.func(args))
    if args.command == "steps":
        return _cmd_steps(args)
    if args.command == "history":
        return _cmd_history(args)
    if args.command == "serve":
        return _cmd_serve(args)
    if args.command == "report":
        return _cmd_report(args)
    if args.command == "doctor":
        return _cmd_doctor(args)
    return EXIT_USER


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    con = Console(stderr=stderr, highlight=False, soft_wrap=stderr)
    if not stderr and not con.is_terminal:
        # Piped or captured output: wide enough that tables keep one line per row.
        con = Console(highlight=False, width=132)
    return con


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


def _cmd_analyze(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from evenstride.cli import video as _cli_video  # video clips take their own path
    from evenstride.pipeline import analyze

    if _cli_video.all_videos(list(args.files)):
        return _cli_video.analyze_files(args)
    files: list[str] = list(args.files)
    out = _console()
    err = _console(stderr=True)
    status = EXIT_OK
    show_progress = (not args.no_progress) and len(files) > 1 and err.is_terminal
    # "is this normal for me?": the athlete's history, built once (a user error if none)
    hist = None
    if args.athlete:
        from evenstride.cli.inputs import load_history
        from evenstride.services.history import place_run_doc

        hist = load_history(args)[0]
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


def merge_warnings(notes: list[str], caught: list[warnings.WarningMessage],
                   path: str | None) -> list[str]:
    """:func:`evenstride.pipeline.merge_warnings` (imported when used: ``--help`` stays fast)."""
    from evenstride.pipeline import merge_warnings as merge

    return merge(notes, caught, path)


_CLASS_STYLE = {
    "marked": "bold red",
    "notable": "bold yellow",
    "typical": "green",
    "within noise": "green",
    "no reference": "cyan",
    "insufficient data": "dim",
}


#: Class words of the tables (the JSON keeps the class keys).
_CLASS_WORDS = {"notable": "above typical", "insufficient data": "can't tell"}


def print_summary(res: RunAnalysis, console: Console, *, quiet: bool = False) -> None:
    """The terminal summary: findings first, then tables with units."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from evenstride.assessment import fmt_clock
    from evenstride.metrics.context import header_lines

    d = res.to_dict()
    dist = f"{d['distance_m'] / 1000:.2f} km" if d["distance_m"] else "distance unknown"
    head = Text.assemble(
        (Path(d["file"] or "run").name, "bold"),
        f"  {d['sport']}{'/' + d['sub_sport'] if d['sub_sport'] else ''}"
        f"  {(d['start_time'] or '')[:16].replace('T', ' ')}"
        f"  {fmt_clock(d['duration_s'] or 0)}  {dist}",
    )
    console.print(head)
    for line in header_lines(d["context"]):  # track direction/turn share, multisport legs
        console.print(Text(line))
    body = Text()
    heads = d.get("headline_findings") or d["findings"][:1]
    for i, f in enumerate(heads, start=1):
        if i > 1:
            body.append("\n")
        body.append(f"{i}. ", style="bold")
        body.append(f"{f['sentence'] or f['title']}\n")
        body.append(f"   evidence [{f['evidence']['grade']}]: {f['evidence']['note']}", style="dim")
    n_more = len(d["findings"]) - len(heads)
    if n_more > 0 and not quiet:
        body.append(f"\n{n_more} more finding{'s' if n_more > 1 else ''} in the tables below.",
                    style="dim")
    console.print(Panel(body, title="What this means", title_align="left", expand=True))
    for w in d["warnings"]:
        console.print(Text(f"warning: {w}", style="yellow"))
    if quiet:
        return
    if d["asymmetry"]:
        from evenstride.metrics.registry import spec

        t = Table(title="Left/right asymmetry (SA: positive = left larger)", title_justify="left")
        for c in ("metric", "sensor", "left", "right", "% left", "SA % or L−R (95 % CI)",
                  "side doing more", "n", "class", "missing"):
            t.add_column(c, justify="right" if c in ("left", "right", "% left", "n", "missing")
                         else "left",
                         no_wrap=c in ("metric", "SA % or L−R (95 % CI)", "left", "right",
                                       "class"))
        for a in d["asymmetry"]:
            ms = spec(a["metric"])
            scale, unit = ms.display_factor, ms.shown_unit
            vd = consts.UNIT_DISPLAY_DECIMALS.get(unit, 1)  # impulses: 0.01–0.4 BW·s
            fmt = f".{vd}f" if unit in consts.UNIT_DISPLAY_DECIMALS else ".4g"
            lr = [
                "–" if a[k] is None else f"{a[k] * scale:{fmt}} {unit}" for k in ("left", "right")
            ]
            ci = a["ci95"]
            idx = a["symmetry_angle_pct"] if a["index"] == "symmetry_angle_pct" else a["difference"]
            # an L−R difference is shown in the display unit (ms for seconds), as left and right
            k = 1.0 if a["index"] == "symmetry_angle_pct" else scale
            nd = 1 if k != 1.0 else max(2, vd) if a["index"] != "symmetry_angle_pct" else 2
            idx_s = "–" if idx is None else f"{idx * k:+.{nd}f}"
            if ci and ci[0] is not None:
                idx_s += f" ({ci[0] * k:+.{nd}f}…{ci[1] * k:+.{nd}f})"
            if a["index"] != "symmetry_angle_pct":
                idx_s += f" {unit} L−R"
            side = a.get("side_doing_more") if a.get("verdict", "real") == "real" else None
            miss = a.get("missing_share")
            t.add_row(
                ms.name,
                a.get("sensor") or a["source"],
                lr[0],
                lr[1],
                "–" if a["balance_left_pct"] is None else f"{a['balance_left_pct']:.1f} %",
                idx_s,
                "–" if side is None else side,
                str(a["n"]),
                Text(_CLASS_WORDS.get(a["class"], a["class"]),
                     style=_CLASS_STYLE.get(a["class"], "")),
                "–" if miss is None else f"{miss * 100:.0f} %",
            )
        console.print(t)
    rest = [f for f in d["findings"] if not f.get("headline")]
    if rest:
        t = Table(title="Other findings (ranked; not headlines)", title_justify="left")
        for c in ("rank", "finding", "verdict", "score"):
            t.add_column(c, justify="right" if c in ("rank", "score") else "left")
        for f in rest:
            why = " (real but below the smallest important difference)" if f.get("trivial") else ""
            t.add_row(str(f.get("rank", "")), f["title"] + why,
                      str(f.get("verdict") or "–").replace("_", " "),
                      f"{f.get('score', 0):.2f}")
        console.print(t)
    from evenstride.metrics.registry import metric_name

    fat = [(k, v) for k, v in d["fatigue"].items() if v["slope_per_h"] is not None]
    if fat:
        t = Table(title="Drift along the run (matched speed/grade/bends)", title_justify="left")
        for c in ("series", "slope per h (95 % CI)", "first ¼", "last ¼", "onset"):
            t.add_column(c)
        sensors = {f"{a['metric']}/{a['source']}": a.get("sensor") or a["source"]
                   for a in d["asymmetry"]}
        for k, v in fat:
            ci = v["slope_ci95"]
            t.add_row(
                f"{metric_name(k.split('/')[0])} asymmetry ({sensors.get(k, '')})" if "/" in k
                else metric_name(k) + (f" ({pod})" if (pod := d["form"]["summary"].get(
                    k, {}).get("sensor")) else ""),  # a foot pod's column names its sensor
                f"{v['slope_per_h']:+.3g} {v['unit']} "
                + (f"({ci[0]:+.3g}…{ci[1]:+.3g})" if ci else "(can't tell)"),
                f"{v['first_quarter']:.4g}",
                f"{v['last_quarter']:.4g}",
                "–" if v["onset_s"] is None else fmt_clock(v["onset_s"]),
            )
        console.print(t)
    q = d["quality"]["labels"]
    parts = [f"{k} {v * 100:.0f} %" for k, v in q.items() if v is not None and v > 0]
    console.print(Text("data: " + ", ".join(parts), style="dim"))


#: What the demo plants: a left-longer GCT balance that starts to drift after 40 minutes, a
#: walk break, stops, single-leg drills and RunScribe pods with their own asymmetry, on a hilly
#: loop with bends — every confounder the analysis must see through.
DEMO_PLANT = {
    "balance_left_pct": 51.2,
    "drift_pct_per_h": 4.0,
    "drift_onset_s": 2400.0,
    "grade_effect_pct_per_pct": 0.05,
    "stops": 2,
    "walk_breaks": 1,
    "drills": True,
    "include_runscribe": True,
}


def _cmd_demo(args: argparse.Namespace) -> int:
    from evenstride.assessment import fmt_clock
    from evenstride.pipeline import analyze
    from evenstride.report import write_report
    from evenstride.simulate import write_simulated_fit

    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"cannot create output folder ({exc.strerror})"
        raise UserInputError(msg, path=out_dir) from None
    duration_s = args.duration_min * 60.0
    plant: dict[str, Any] = dict(DEMO_PLANT)
    plant["drift_onset_s"] = min(float(plant["drift_onset_s"]), 0.55 * duration_s)
    fit_path = write_simulated_fit(
        out_dir / "demo-run.fit", duration_s=duration_s, seed=args.seed, **plant
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(fit_path, seed=0)
    html = write_report(res, out_dir / "demo-report.html")
    if args.json:
        print_json(res.to_dict())
        return EXIT_OK
    con = _console()
    con.print(f"[bold]evenstride demo[/bold]: simulated run written to {fit_path}")
    print_summary(res, con)
    rd = next((j for j in res.to_dict()["asymmetry"] if j["source"] == "running_dynamics"), None)
    fat = res.drifts.get("contact_time/running_dynamics")
    con.print("[bold]planted vs recovered[/bold] (ground truth of the simulator)")
    con.print(
        f"  GCT balance before the drift: planted {plant['balance_left_pct']:.1f} % left; "
        f"recovered over the whole run {rd['balance_left_pct'] if rd else float('nan'):.2f} % "
        f"(the drift raises the run mean)"
    )
    if fat is not None and fat.slope_per_h is not None:
        onset = "none found" if fat.onset_s is None else fmt_clock(fat.onset_s)
        con.print(
            f"  drift: planted +{plant['drift_pct_per_h']:.1f} %-points/h from "
            f"{fmt_clock(plant['drift_onset_s'])}; recovered onset {onset}, "
            f"first→last quarter {fat.first_quarter:+.2f} → {fat.last_quarter:+.2f} % SA"
        )
    con.print(f"report: {html}")
    return EXIT_OK


def _load_history(args: argparse.Namespace) -> tuple[Any, dict[int, dict[str, Any]]]:
    from evenstride.cli.inputs import load_history

    return load_history(args)


def _cmd_history(args: argparse.Namespace) -> int:
    types.check_hr_order(args.hr_rest, args.hr_max)
    hist, _ = _load_history(args)
    d = hist.to_dict()
    if args.json:
        print_json(d)
        return EXIT_OK
    print_history_summary(d, _console(), athlete=args.athlete)
    return EXIT_OK


def print_history_summary(d: dict[str, Any], console: Console, *, athlete: str) -> None:
    """Terminal summary of an ``evenstride.history/1`` document: state and changes first."""
    from rich.table import Table
    from rich.text import Text

    runs = d.get("runs") or {}
    console.print(
        Text(
            f"{athlete}: {runs.get('n', 0)} runs, {runs.get('first', '')[:10]} – "
            f"{runs.get('last', '')[:10]}, {runs.get('distance_km', 0)} km",
            style="bold",
        )
    )
    for c in d.get("changes") or []:
        console.print(Text(f"• real change: {c.get('sentence') or c.get('text') or c}",
                           style="bold yellow"))
    t = Table(title="Per metric: personal baseline, noise floor and latest run",
              title_justify="left")
    for c in ("metric", "status", "baseline", "MDC95", "latest", "since"):
        t.add_column(c)
    for key, m in (d.get("metrics") or {}).items():
        cur = m.get("current") or {}
        base = cur.get("baseline") or {}
        latest = cur.get("latest") or {}
        unit = m.get("unit", "")
        t.add_row(
            key,
            str(cur.get("status", "–")),
            _fmt(base.get("mean"), unit),
            _fmt(cur.get("mdc95"), unit),
            _fmt(latest.get("value"), unit) + (f" ({latest.get('date')})" if latest else ""),
            f"{base.get('since', '–')} ({base.get('since_reason', '')})",
        )
    console.print(t)
    dcs = d.get("device_changes") or []
    if len(dcs) > 5:
        console.print(Text(f"{len(dcs) - 5} earlier device changes not shown (see --json)",
                           style="dim"))
    for dc in dcs[-5:]:
        console.print(Text(f"device change {dc.get('date')}: {dc.get('from')} → {dc.get('to')}"
                           " (baseline restarts)", style="dim"))
    load = d.get("load") or {}
    cur = load.get("current") or {}
    if cur:
        console.print(
            Text(
                f"load ({load.get('measure', '')}): 7-day distance {cur.get('distance_7d_km')} km,"
                f" EWMA ACWR {cur.get('acwr_ewma')}, monotony {cur.get('monotony_7d')}, strain "
                f"{cur.get('strain_7d')}"
            )
        )
        if load.get("acwr_caveat"):
            console.print(Text(f"  {load['acwr_caveat']}", style="dim"))
    for f in (load.get("longest_run_flags") or [])[-3:]:
        console.print(Text(f"• {f.get('date')}: {f.get('sentence')}"))
    shoes = d.get("shoes") or {}
    for pair in shoes.get("pairs") or []:
        console.print(Text(f"shoe {pair.get('name')}: {pair.get('distance_km')} km, "
                           f"{pair.get('runs')} runs"))
    surf = d.get("surface") or {}
    tb = (surf.get("turning_balance") or {}).get("all") or {}
    if tb.get("left_share_pct") is not None:
        console.print(Text(f"turning: {tb['left_share_pct']} % of bend time on left-hand bends; "
                           f"{(surf.get('track') or {}).get('sentence', '')}"))
    cam = surf.get("camber_exposure") or {}
    if cam.get("left_foot_low_pct") is not None:
        console.print(Text(f"camber: left foot on the low side {cam['left_foot_low_pct']} % of "
                           "road running (weak evidence)"))
    for link in d.get("links") or []:
        if link.get("diff") is not None:
            console.print(Text(f"• {link.get('sentence')}", style="dim"))


def _fmt(x: Any, unit: str) -> str:
    if isinstance(x, (int, float)):
        return f"{x:+.2f} {unit}".strip()
    return "–"


def _cmd_report(args: argparse.Namespace) -> int:
    from evenstride.cli.inputs import write_history_reports

    out = write_history_reports(args)
    _console().print(f"history report written to {out}")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    from evenstride.pipeline import analyze
    from evenstride.store import StoreError, default_db_path, open_store
    from evenstride.store.doctor import check_store, repair_store

    db = Path(args.db) if args.db else default_db_path()
    if not db.is_file() and not db.is_dir():
        raise UserInputError("no store here (nothing imported yet?)", path=db)

    def rederive(act: Any) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            return analyze(act).to_dict()

    with open_store(db, readonly=not args.repair) as store:
        problems = check_store(store)
        repairs: list[str] = []
        if args.repair and problems:
            if store.readonly:
                raise StoreError(f"cannot repair: {store.readonly_reason}", path=db)
            repairs = repair_store(store, problems, rederive)
            problems = check_store(store)
        n_runs = store._conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
    if args.json:
        print_json({"schema": "evenstride.doctor/1", "store": str(db), "n_activities": n_runs,
                     "repairs": repairs, "problems": [p.to_dict() for p in problems]})
    else:
        for line in repairs:
            print(f"repaired: {line}")
        for p in problems:
            print(f"problem: {p.line()}", file=sys.stderr)
        if not problems:
            print(f"{db}: store OK ({n_runs} activities checked)")
        elif not args.repair and any(p.repair for p in problems):
            print(f"{db}: {len(problems)} problems; 'evenstride doctor --repair' fixes those "
                  "marked 'repair'", file=sys.stderr)
    return EXIT_USER if problems else EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from evenstride.store import default_db_path
    from evenstride.web import read_secret, serve

    if not 0 <= args.port <= 65535:
        raise UserInputError(f"--port must be 0–65535 (got {args.port})")
    db = Path(args.db) if args.db else default_db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = _console()

    def ready(url: str) -> None:
        con.print(f"evenstride web app on [bold]{url}[/] (store {db}); Ctrl+C stops it",
                  highlight=False)

    serve(db, host=args.host, port=args.port, secret=read_secret(args.secret_file), ready=ready,
          allow_hosts=args.allow_host)
    return EXIT_OK


def _cmd_steps(args: argparse.Namespace) -> int:
    from evenstride.pipeline import analyze_steps
    from evenstride.steps import StepOptions, steps_document

    opts = StepOptions(units=args.units, right=args.right, gyro=args.gyro,
                       location=args.location, mass_kg=args.mass_kg, speed_m_s=args.speed,
                       static=args.static, view=args.view)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EvenstrideWarning)
        res = analyze_steps(args.file, fmt=args.format, options=opts, seed=args.seed)
    merge_warnings(res.warnings, caught, res.file)
    if args.html:
        from evenstride.report import write_report

        write_report(res, Path(args.html))
    doc = steps_document(res, res.activity)
    if args.json:
        print_json(doc)
    else:
        con = _console()
        print_summary(res, con)
        v = doc["variability"]
        if v.get("stride_cv_pct") is not None:
            dfa = v.get("dfa_alpha")
            con.print(
                f"stride time: CV {v['stride_cv_pct']:.2f} % over {v['n_strides']} strides; "
                + (f"DFA α {dfa:.2f}" if dfa is not None else "DFA α not computed")
                + (f" ({v['dfa_note']})" if v.get("dfa_note") else "")
            )
    return EXIT_OK
