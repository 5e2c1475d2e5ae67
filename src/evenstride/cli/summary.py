# SPDX-License-Identifier: MIT
"""The terminal summary of one analysed run (``analyze``, ``steps``, ``demo``, video clips):
findings first, then the rich tables with units.

Rich and the core are imported inside the functions, so ``evenstride --help`` stays fast.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from evenstride import consts

if TYPE_CHECKING:
    from rich.console import Console

    from evenstride.pipeline import RunAnalysis

__all__ = ["merge_warnings", "print_summary"]


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



#: Decimals of left and right in the asymmetry table per display unit (as the HTML table; the
#: impulses and metres from consts.UNIT_DISPLAY_DECIMALS).
_LR_DECIMALS = {"ms": 1, "deg": 1, "% leg": 1, "%": 2, "g": 2, "W": 0, "BW": 2, "BW/s": 1,
                "mm": 1}

#: Decimals of the drift table per display unit (a run's resolution: 1 ms, 0.1 steps/min).
_DRIFT_DECIMALS = {"ms": 0, "steps/min": 1, "cm": 1, "% SA": 2, "%": 2}


def _quarter(x: float | None, factor: float, nd: int, unit: str) -> str:
    return "–" if x is None else f"{x * factor:.{nd}f} {unit}"

def print_summary(res: RunAnalysis, console: Console, *, quiet: bool = False) -> None:
    """The terminal summary: findings first, then tables with units."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from evenstride.assessment import fmt_clock, verdict_words
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
                         # long metric and class names wrap (a word too long folds), so
                         # that no number or sensor is cut to "…" on a 132-column terminal
                         overflow="fold" if c in ("metric", "class") else "ellipsis",
                         no_wrap=c in ("SA % or L−R (95 % CI)", "left", "right"))
        for a in d["asymmetry"]:
            ms = spec(a["metric"])
            scale, unit = ms.display_factor, ms.shown_unit
            vd = consts.UNIT_DISPLAY_DECIMALS.get(unit, _LR_DECIMALS.get(unit, 1))
            fmt = (f".{vd}f" if unit in consts.UNIT_DISPLAY_DECIMALS or unit in _LR_DECIMALS
                   else ".4g")  # one precision per unit: not "8.646 deg" beside "7.89 deg"
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
                      verdict_words(f.get("verdict")),
                      f"{f.get('score', 0):.2f}")
        console.print(t)
    from evenstride.metrics.registry import COLUMNS, metric_name

    fat = [(k, v) for k, v in d["fatigue"].items() if v["slope_per_h"] is not None]
    if fat:
        t = Table(title="Drift along the run (matched speed/grade/bends)", title_justify="left")
        for c in ("series", "slope per h (95 % CI)", "first ¼", "last ¼", "onset"):
            t.add_column(c)
        sensors = {f"{a['metric']}/{a['source']}": a.get("sensor") or a["source"]
                   for a in d["asymmetry"]}
        for k, v in fat:
            ci = v["slope_ci95"]
            # a form column in its display unit (contact time in ms, as the findings say it)
            col = COLUMNS.get(k) if "/" not in k else None
            f, unit = (col.display_factor, col.display_unit) if col else (1.0, v["unit"])
            nd = _DRIFT_DECIMALS.get(unit, 2)  # one precision per unit in a row, not 3 digits
            t.add_row(
                f"{metric_name(k.split('/')[0])} asymmetry ({sensors.get(k, '')})" if "/" in k
                else metric_name(k) + (f" ({pod})" if (pod := d["form"]["summary"].get(
                    k, {}).get("sensor")) else ""),  # a foot pod's column names its sensor
                f"{v['slope_per_h'] * f:+.{nd}f} {unit} "
                + (f"({ci[0] * f:+.{nd}f}…{ci[1] * f:+.{nd}f})" if ci else "(can't tell)"),
                _quarter(v["first_quarter"], f, nd, unit),
                _quarter(v["last_quarter"], f, nd, unit),
                "–" if v["onset_s"] is None else fmt_clock(v["onset_s"]),
            )
        console.print(t)
    q = d["quality"]["labels"]
    parts = [f"{k} {v * 100:.0f} %" for k, v in q.items() if v is not None and v > 0]
    console.print(Text("data: " + ", ".join(parts), style="dim"))
