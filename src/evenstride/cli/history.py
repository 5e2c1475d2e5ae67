# SPDX-License-Identifier: MIT
"""``evenstride history`` (an athlete's history in the terminal or as JSON) and
``evenstride report`` (the history as HTML)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from evenstride.cli import types
from evenstride.cli.common import EXIT_OK, console, print_json, store_options
from evenstride.cli.inputs import load_history, write_history_reports

if TYPE_CHECKING:
    from rich.console import Console


def register(sub: Any) -> None:
    """Add ``history`` and ``report`` (:data:`COMMAND_MODULES
    <evenstride.cli.app.COMMAND_MODULES>`)."""
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
    h.set_defaults(func=cmd_history)
    r.set_defaults(func=cmd_report)


def cmd_history(args: argparse.Namespace) -> int:
    """The history as a terminal summary, or the ``evenstride.history/1`` document."""
    types.check_hr_order(args.hr_rest, args.hr_max)
    hist, _ = load_history(args)
    d = hist.to_dict()
    if args.json:
        print_json(d)
        return EXIT_OK
    print_history_summary(d, console(), athlete=args.athlete)
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


def cmd_report(args: argparse.Namespace) -> int:
    """The history report (HTML), with ``--runs`` a report per run."""
    out = write_history_reports(args)
    console().print(f"history report written to {out}")
    return EXIT_OK
