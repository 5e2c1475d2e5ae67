# SPDX-License-Identifier: MIT
"""Render an athlete's :class:`~evenstride.history.History` as one self-contained HTML page.

Formatting only, like the per-run report (:mod:`evenstride.report.html`, whose CSS, plotly.js
bundle, Jinja2 environment, escaping and number formatting are reused): the sentences and numbers
come from :meth:`History.to_dict` (``evenstride.history/1``), the per-run points of the asymmetry
plot from :attr:`MetricHistory.points`. Findings come first ("What this means"), then the plots,
then the shoe table and the list of runs, each row linking to its per-run report when a link is
given. A section without data is replaced by a one-line reason.

Examples
--------
>>> from datetime import UTC, datetime, timedelta
>>> from evenstride.history import RunRecord, build_history
>>> runs = [RunRecord(activity_id=i, start_time=datetime(2024, 1, 1, tzinfo=UTC)
...                   + timedelta(days=2 * i), duration_s=1800.0, distance_m=5000.0)
...         for i in range(3)]
>>> html = render_history_report(build_history(runs), athlete="Ann")
>>> html.startswith("<!DOCTYPE html>"), "not enough runs" in html
(True, True)
"""

from __future__ import annotations

import base64
import os
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

import evenstride
from evenstride.report import figures
from evenstride.report.figures import Plot, fmt_pace
from evenstride.report.html import (
    _TEMPLATE,
    CLASS_CSS,
    GRADE_TEXT,
    _environment,
    _evidence,
    _key_title,
    _plot_html,
    _plotly_js,
    fmt_ci,
    fmt_hms,
    fmt_num,
)

if TYPE_CHECKING:
    from evenstride.history import History

__all__ = ["render_history_report", "write_history_report"]

_HISTORY_TEMPLATE = "history.html.j2"
#: Fewer runs than this: no plot over time (a line through one or two points says nothing).
MIN_PLOT_RUNS = 3
#: Fewer complete weeks than this: no weekly plots.
MIN_WEEKS = 2

C_BAND = "rgba(31,111,178,0.13)"
C_DEVICE = "#6b7280"
C_CHANGE = figures.C_ONSET
C_FLAG = "#b91c1c"
_SURFACE_COLOURS = {
    "road": figures.C_LEFT,
    "trail": "#059669",
    "track": figures.C_RIGHT,
    "treadmill": "#7c3aed",
}
_COMPARISONS = {
    "after_load_spike": "After a load spike",
    "after_shoe_switch": "After a shoe switch",
    "track_weeks": "Track weeks",
    "camber_weeks": "One-sided camber weeks",
}
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*\s*:")


# --- small helpers -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _run_report_css() -> Markup:
    """The ``<style>`` of the per-run report template, so both pages look alike."""
    env = _environment()
    assert env.loader is not None
    src, _, _ = env.loader.get_source(env, _TEMPLATE)
    m = re.search(r"<style>(.*?)</style>", src, re.S)
    return Markup(m.group(1) if m else "")


def _date(iso: str | None) -> str:
    return "–" if not iso else str(iso)[:10]


def _relative_href(href: str | None) -> str | None:
    """``href`` when it is a relative link (no scheme such as ``javascript:`` or ``http:``)."""
    if not href or _SCHEME.match(href) or href.lstrip().startswith("//"):
        return None
    return href


def _unit(unit: str) -> tuple[str, int]:
    """Display unit and decimals of a history index."""
    return ("% SA", 2) if unit == "% SA" else (unit, 3)


def _not_enough(n: int, need: int, what: str) -> str:
    return f"not enough runs ({n} of at least {need}) for {what}"


# Figures are built as plain dicts, in the form plotly.py's own ``Figure.to_dict()`` gives them
# (every property plotly would have written, in its key order), and written without plotly's
# validation (``validate=False``): validating thousands of points, shapes and annotations was
# most of this page's render time and grew with the runs. The figures are the same as those
# plotly's graph objects built (tests/test_report/test_history_figures.py checks each one
# through plotly's validation and against the history it shows). Per-point hover data are
# tuples (written as JSON arrays all the same): the garbage collector stops tracking a tuple of
# strings, where thousands of small lists surviving into the old generation made a full
# collection of the whole heap (the history itself) part of most renders of a long history.


def _sorted(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with its keys, and those of nested dicts, in alphabetical order: the order in
    which plotly's constructors (traces, shapes, annotations, lines, markers) set them."""
    if "bdata" in d:  # a typed array (:func:`_f32`): dtype first, as plotly writes it
        return d
    return {k: _sorted(v) if isinstance(v, dict) else v for k, v in sorted(d.items())}


def _f32(values: Any) -> dict[str, str] | list[float]:
    """``values`` as float32, in the base64 typed-array form plotly writes for a float32 numpy
    array (an empty array stays a list, as in plotly)."""
    a = np.asarray(values, dtype="<f4")
    if a.size == 0:
        return []
    return {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}


def _trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace of type ``kind`` with ``props`` (``None`` values left out, as plotly does)."""
    out = _sorted({k: v for k, v in props.items() if v is not None})
    out["type"] = kind
    return out


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    """The report template as plotly writes it (shared by every figure; never mutated)."""
    return _sorted(figures.TEMPLATE.to_plotly_json())


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    return {"data": data, "layout": {"template": _template(), **layout}}


def _layout(*, height: int, y_title: str, x_title: str = "", x_date: bool = True,
            legend_y: float = -0.18) -> dict[str, Any]:
    """The layout keys every history plot sets, in plotly's order."""
    xaxis: dict[str, Any] = {"title": {"text": x_title}}
    if x_date:
        xaxis["type"] = "date"
    return {
        "legend": {"orientation": "h", "y": legend_y, "x": 0},
        "height": height,
        "xaxis": xaxis,
        "yaxis": {"title": {"text": y_title}},
    }


def _vmarker(x: str, text: str, colour: str, dash: str, y: float) -> tuple[dict[str, Any],
                                                                           dict[str, Any]]:
    """A labelled vertical line at date ``x``: (shape, annotation) for :func:`_vmarkers`."""
    shape = {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
             "line": {"color": colour, "width": 1.5, "dash": dash}}
    note = {"x": x, "y": y, "xref": "x", "yref": "paper", "text": text, "showarrow": False,
            "xanchor": "left", "yanchor": "top", "font": {"size": 11, "color": colour},
            "bgcolor": "rgba(255,255,255,0.8)"}
    return _sorted(shape), _sorted(note)


def _vmarkers(markers: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """The layout's ``shapes`` and ``annotations`` for ``markers`` (none: no keys)."""
    if not markers:
        return {}
    return {"shapes": [m[0] for m in markers], "annotations": [m[1] for m in markers]}


# --- plots ---------------------------------------------------------------------------------------


def _asymmetry_plot(history: History, key: str, d: dict[str, Any]) -> Plot:
    m = history.metrics[key]
    md = d["metrics"][key]
    unit, _ = _unit(md["unit"])
    pid = "hist-asym-" + re.sub(r"[^a-z0-9]+", "-", key.lower())
    title = _key_title(key)
    pts = m.points
    need = max(MIN_PLOT_RUNS, history.params.min_baseline_runs)
    if len(pts) < need:
        return Plot(pid, title, "", skipped=_not_enough(len(pts), need, "a trend"))
    data: list[dict[str, Any]] = []
    mdc = md["noise_floor"]["mdc95"]
    # The personal baseline of each regime ± the noise floor (MDC95): one band trace and one
    # line trace for all regimes (None separates them), not two traces per regime: a history
    # with a hundred device changes built 200 traces here, most of the page's render time.
    regs = md["regimes"]
    if mdc is not None and regs:
        bx: list[Any] = []
        by: list[Any] = []
        for r in regs:
            hi, lo = r["mean"] + mdc, r["mean"] - mdc
            bx += [r["start"], r["end"], r["end"], r["start"], r["start"], None]
            by += [hi, hi, lo, lo, hi, None]
        data.append(_trace("scatter", x=bx, y=by, mode="lines", fill="toself",
                           fillcolor=C_BAND, line={"width": 0}, hoverinfo="skip",
                           name="baseline ± noise floor (MDC95)"))
    if regs:
        lx: list[Any] = []
        ly: list[Any] = []
        text: list[Any] = []
        for r in regs:
            lx += [r["start"], r["end"], None]
            ly += [r["mean"], r["mean"], None]
            text += [r["reason"], r["reason"], None]
        data.append(_trace(
            "scatter", x=lx, y=ly, text=text, mode="lines",
            line={"color": figures.C_MAIN, "width": 2}, name="personal baseline (per period)",
            hovertemplate="baseline %{y:.2f} " + unit + "<br>%{text}<extra></extra>"))
    by_surface: dict[str, list[Any]] = {}
    for p in pts:
        by_surface.setdefault(p.surface, []).append(p)
    for surf, ps in by_surface.items():
        data.append(_trace(
            "scatter",
            x=[p.t.date().isoformat() for p in ps],
            y=_f32([p.x for p in ps]),
            mode="markers",
            marker={"size": 7, "color": _SURFACE_COLOURS.get(surf, figures.C_MAIN)},
            name=f"run ({surf})",
            customdata=[(str(p.run.activity_id), "–" if p.balance is None else f"{p.balance:.2f}")
                        for p in ps],
            hovertemplate=("%{x}<br>%{y:.2f} " + unit + "<br>balance %{customdata[1]} % left"
                           "<br>run %{customdata[0]}<extra></extra>"),
        ))
    # Weekly means of the runs.
    weeks: dict[str, list[float]] = {}
    for p in pts:
        d0 = p.t.date()
        weeks.setdefault((d0 - timedelta(days=d0.weekday() - 3)).isoformat(), []).append(p.x)
    if len(weeks) >= MIN_WEEKS:
        wk = sorted(weeks)
        data.append(_trace(
            "scatter", x=wk, y=_f32([float(np.mean(weeks[w])) for w in wk]),
            mode="lines", line={"color": figures.C_LEFT, "width": 1.5, "dash": "dot"},
            name="weekly mean",
            hovertemplate="week of %{x}<br>mean %{y:.2f} " + unit + "<extra></extra>"))
    layout: dict[str, Any] = {}
    # only the device changes that restarted this metric's baseline, one line per date, all in
    # one trace on a hidden 0–1 axis (a legend entry instead of a label per line: a hundred
    # shapes and labels took most of the page's render time and covered the plot)
    dates = sorted({dc["date"] for dc in d["device_changes"]
                    if any(st.get("metric") == key for st in dc.get("steps") or [])})
    if dates:
        data.append(_trace(
            "scatter", x=[v for day in dates for v in (day, day, None)],
            y=[0.0, 1.0, None] * len(dates), yaxis="y2", mode="lines",
            line={"color": C_DEVICE, "width": 1.2, "dash": "dash"},
            name=f"device change ({len(dates)})",
            hovertemplate="device change %{x}<extra></extra>"))
        layout["yaxis2"] = {"overlaying": "y", "range": [0, 1], "visible": False,
                            "fixedrange": True}
    layout |= _vmarkers([_vmarker(c["started"], "change in the runner", C_CHANGE, "solid", 0.93)
                         for c in md["changes"] if c["started"]])
    layout |= _layout(height=440, y_title=f"{title.split(' (')[0]}<br>({unit}, + = left larger)")
    return Plot(
        pid,
        title,
        "Each dot is one run (colour: surface); the dotted line is the weekly mean. The black line "
        "is your personal baseline for each period (a new period starts at a device change or a "
        "real change in the runner) and the shaded band is ± the noise floor (MDC95): a run "
        "outside the band is a larger move than day-to-day noise, a sustained one is a change. "
        "Dashed grey lines mark device changes (steps there are attributed to the device); "
        "purple lines mark real changes in the runner.",
        figure=_figure(data, layout),
        height_px=440,
    )


def _load_plot(d: dict[str, Any]) -> Plot:
    load = d["load"]
    daily = load.get("daily") or []
    n = d["runs"]["n"]
    if n < MIN_PLOT_RUNS or len(daily) < 7:
        return Plot("hist-load", "", "", skipped=_not_enough(n, MIN_PLOT_RUNS, "a load chart"))
    measure = load.get("measure") or "load"
    label = {
        "trimp": "TRIMP",
        "srpe": "session RPE × min",
        "duration_min": "minutes",
        "distance_km": "km",
    }.get(measure, measure)
    x = [r["date"] for r in daily]
    data = [_trace(
        "bar", x=x, y=_f32([r["load"] or 0.0 for r in daily]),
        name=f"daily load ({label})", marker={"color": "rgba(107,114,128,0.45)"},
        hovertemplate="%{x}<br>%{y:.0f} " + label + "<extra></extra>")]
    for k, name, colour in (
        ("acute_ewma", "acute (EWMA 7 d)", figures.C_RIGHT),
        ("chronic_ewma", "chronic (EWMA 28 d)", figures.C_LEFT),
    ):
        data.append(_trace(
            "scatter", x=x, y=_f32([np.nan if r[k] is None else r[k] for r in daily]),
            mode="lines", line={"color": colour, "width": 2}, name=name,
            hovertemplate="%{x}<br>%{y:.1f}<extra>" + name + "</extra>"))
    data.append(_trace(
        "scatter", x=x,
        y=_f32([np.nan if r["acwr_ewma"] is None else r["acwr_ewma"] for r in daily]),
        mode="lines", line={"color": "#7c3aed", "width": 1.2, "dash": "dot"},
        name="ACWR (EWMA, right axis, descriptive)", yaxis="y2",
        hovertemplate="%{x}<br>ACWR %{y:.2f}<extra></extra>"))
    layout = _vmarkers([_vmarker(f["date"], f"long run {f['band']}", C_FLAG, "dash", 1.0)
                        for f in load.get("longest_run_flags") or []])
    layout |= _layout(height=400, y_title=f"daily load ({label})")
    layout["yaxis2"] = {
        "overlaying": "y",
        "side": "right",
        "title": {"text": "ACWR"},
        "showgrid": False,
        "rangemode": "tozero",
        "tickformat": ".1f",
        "dtick": 0.5,
        "automargin": True,
    }
    layout["bargap"] = 0.1
    return Plot(
        "hist-load",
        "Daily load with acute and chronic averages",
        f"Bars: each day's load ({load.get('measure_note') or label}). Lines: exponentially "
        "weighted 7-day (acute) and 28-day (chronic) averages, and their ratio (ACWR) on the right "
        "axis, shown as a trend only without any range marked. Red dashed lines: runs more than "
        "10 % longer than the longest of the previous 30 days, with their band.",
        figure=_figure(data, layout),
        height_px=400,
    )


def _weekly_distance_plot(d: dict[str, Any]) -> Plot:
    weekly = d["load"].get("weekly") or []
    if len(weekly) < MIN_WEEKS:
        return Plot("hist-weekly", "", "", skipped=f"not enough weeks ({len(weekly)}) to compare")
    data = [_trace(
        "bar",
        x=[w["week"] for w in weekly],
        y=_f32([w["distance_km"] for w in weekly]),
        marker={"color": [
            C_FLAG if w["ramp_flag"] else ("#93c5fd" if not w["complete"] else figures.C_LEFT)
            for w in weekly
        ]},
        customdata=[(w["runs"], w["duration_h"]) for w in weekly],
        hovertemplate="week of %{x}<br>%{y:.1f} km, %{customdata[0]} runs, "
        "%{customdata[1]:.1f} h<extra></extra>",
        name="weekly distance",
    )]
    return Plot(
        "hist-weekly",
        "Weekly distance",
        "One bar per week (Monday start); pale bars are incomplete weeks, red bars weeks whose "
        "last two weeks exceeded the two before by more than 30 %.",
        figure=_figure(data, _layout(height=300, y_title="distance (km)")),
        height_px=300,
    )


def _turning_plot(d: dict[str, Any]) -> Plot:
    weekly = d["surface"].get("weekly") or []
    rows = [w for w in weekly if (w["turning"]["left_s"] or 0) + (w["turning"]["right_s"] or 0)]
    if len(rows) < MIN_WEEKS:
        return Plot(
            "hist-turning",
            "",
            "",
            skipped="not enough weeks with GPS bends to show a turning balance",
        )
    x = [w["week"] for w in rows]
    data = [
        _trace("bar", x=x, y=_f32([w["turning"][f"{side}_s"] / 60.0 for w in rows]),
               name=f"{side}-hand bends", marker={"color": colour},
               hovertemplate="week of %{x}<br>%{y:.1f} min<extra>" + side + "</extra>")
        for side, colour in (("left", figures.C_LEFT), ("right", figures.C_RIGHT))
    ]
    # one annotation per week with a track session (plotly re-validated all of them on each
    # add_annotation: quadratic in weeks; here they are plain dicts)
    notes = [_sorted({"x": w["week"], "y": 1.0, "yref": "paper", "text": "track",
                      "showarrow": False, "font": {"size": 11, "color": figures.C_RIGHT}})
             for w in rows if w["track_sessions"]]
    layout: dict[str, Any] = {"annotations": notes} if notes else {}
    layout |= _layout(height=340, y_title="time on bends (min)")
    layout |= {"barmode": "group", "bargap": 0.2}
    return Plot(
        "hist-turning",
        "Turning balance per week",
        "Minutes on left- and right-hand bends each week (from GPS); weeks with a track session "
        "are marked.",
        figure=_figure(data, layout),
        height_px=340,
    )


def _camber_plot(d: dict[str, Any]) -> Plot:
    cam = d["surface"]["camber_exposure"]
    rows = [w for w in d["surface"].get("weekly") or [] if w["camber_exposure"]]
    if not rows:
        reason = cam.get("reason") or "no road runs with camber exposure"
        return Plot("hist-camber", "", "", skipped=f"there is no camber exposure ({reason})")
    x = [w["week"] for w in rows]
    data = [
        _trace("bar", x=x,
               y=_f32([w["camber_exposure"][f"{side}_foot_low_pct"] for w in rows]),
               name=f"{side} foot on the low side", marker={"color": colour},
               hovertemplate="week of %{x}<br>%{y:.0f} %<extra>" + side + " low</extra>")
        for side, colour in (("left", figures.C_LEFT), ("right", figures.C_RIGHT))
    ]
    layout = _layout(height=300, y_title="share of road time (%)")
    layout["legend"]["traceorder"] = "normal"
    layout["yaxis"]["range"] = [0, 100]
    layout |= {"barmode": "stack", "bargap": 0.2}
    return Plot(
        "hist-camber",
        "Camber exposure per week (modelled)",
        "Share of road running with the left or right foot on the low side of a crowned road, "
        "modelled from the road side you declared and the route shape; not measured.",
        figure=_figure(data, layout),
        height_px=300,
    )


def _speed_plot(d: dict[str, Any], key: str) -> Plot:
    sc = d["metrics"][key].get("speed_curve") or {}
    unit, _ = _unit(d["metrics"][key]["unit"])
    pid = "hist-speed-" + re.sub(r"[^a-z0-9]+", "-", key.lower())
    across = sc.get("across_runs") or []
    within = sc.get("within_runs") or []
    if len(across) + len(within) < 2:
        return Plot(pid, _key_title(key), "", skipped="not enough runs at different speeds")
    data = []
    for rows, name, colour, nkey in (
        (across, "across runs (run median speed)", figures.C_LEFT, "n_runs"),
        (within, "within runs (speed tertiles)", figures.C_RIGHT, "n"),
    ):
        if not rows:
            continue
        xs = [(r["speed_from_m_s"] + r["speed_to_m_s"]) / 2.0 for r in rows]
        data.append(_trace(
            "scatter",
            x=_f32(xs),
            y=_f32([r["mean_relative"] for r in rows]),
            error_y=None
            if "sd" not in rows[0]
            else {
                "type": "data",
                "array": _f32([r.get("sd") or 0.0 for r in rows]),
                "thickness": 1,
                "width": 3,
            },
            mode="lines+markers",
            line={"color": colour},
            name=name,
            customdata=[(r[nkey], fmt_pace(x)) for r, x in zip(rows, xs, strict=True)],
            hovertemplate="%{x:.2f} m/s (%{customdata[1]})<br>%{y:+.2f} "
            + unit
            + "<br>n = %{customdata[0]}<extra></extra>",
        ))
    # the zero line (what plotly's add_hline writes)
    layout: dict[str, Any] = {"shapes": [{
        "line": {"color": "#9ca3af", "width": 1}, "type": "line", "x0": 0, "x1": 1,
        "xref": "x domain", "y0": 0, "y1": 0, "yref": "y"}]}
    layout |= _layout(height=360, y_title=f"relative to your mean ({unit})",
                      x_title="speed (m/s)", x_date=False, legend_y=-0.3)
    return Plot(
        pid,
        _key_title(key),
        "How the index moves with speed, relative to your own mean (error bars: SD across runs). "
        "Across runs: "
        + (sc.get("across_runs_note") or "")
        + ". Within runs: "
        + (sc.get("within_runs_note") or "")
        + ".",
        figure=_figure(data, layout),
        height_px=360,
    )


def _render_plot(p: Plot) -> dict[str, Any]:
    return {
        "key": p.key,
        "subtitle": p.subtitle,
        "caption": p.caption,
        "html": None if p.figure is None else _plot_html(p),
        "skipped": p.skipped,
        "height": p.height_px,
    }


# --- context builders ----------------------------------------------------------------------------


def _header(history: History, d: dict[str, Any], athlete: str) -> dict[str, Any]:
    runs = d["runs"]
    devices: list[str] = []
    for r in history.runs:
        if r.device_key not in devices:
            devices.append(r.device_key)
    return {
        "athlete": athlete or "Athlete",
        "first": _date(runs["first"]),
        "last": _date(runs["last"]),
        "n_runs": runs["n"],
        "distance": fmt_num(runs["distance_km"], 1, unit="km"),
        "duration": fmt_num(runs["duration_h"], 1, unit="h"),
        "devices": devices,
        "weeks": len(d["load"].get("weekly") or []),
    }


def _metric_cards(history: History, d: dict[str, Any]) -> list[dict[str, Any]]:
    cards = []
    min_runs = d["params"]["min_baseline_runs"]
    for key, md in d["metrics"].items():
        unit, nd = _unit(md["unit"])
        cur = md["current"]
        base = cur.get("baseline") or {}
        latest = cur.get("latest") or {}
        nf = md["noise_floor"]
        changes = [
            {
                "started": c["started"],
                "ci": ""
                if not c["started_ci95"]
                else f"{c['started_ci95'][0]} to {c['started_ci95'][1]}",
                "shift": fmt_num(c["shift"], nd, signed=True, unit=unit),
                "shift_ci": fmt_ci(c["shift_ci95"], nd, signed=True),
                "sentence": c["sentence"],
                "evidence": _evidence(c["evidence"]),
            }
            for c in md["changes"]
        ]
        devices = []
        seen: set[str] = set()
        for dc in d["device_changes"]:
            for st in dc["steps"]:
                if st["metric"] != key or dc["date"] in seen:
                    continue  # one line per date, however many steps share it
                seen.add(dc["date"])
                devices.append({
                    "date": dc["date"],
                    "from": dc["from"],
                    "to": dc["to"],
                    "sentence": st["sentence"],
                    "attributed": st["attributed_to_device"],
                    "evidence": _evidence(dc["evidence"]),
                })
        devices.sort(key=lambda x: x["date"], reverse=True)  # newest first
        status = cur.get("status") or "insufficient baseline"
        insufficient = status == "insufficient baseline" or not base
        if insufficient and changes:  # never "insufficient baseline" beside a real change
            status = "changed; new baseline forming"
        cards.append(
            {
                "key": key,
                "title": _key_title(key),
                "unit": unit,
                "status": status,
                "status_css": {"stable": "cls-typical", "changed": "cls-notable",
                               "changed; new baseline forming": "cls-notable"}.get(
                    status, "cls-insufficient"
                ),
                "insufficient": insufficient,
                "insufficient_text": _not_enough(
                    base.get("n_runs") or 0,
                    min_runs,
                    "a personal baseline (comparable runs since the last device change or "
                    "real change, "
                    f"of {md['n_runs']} runs in all)",
                )
                if insufficient
                else "",
                "baseline": fmt_num(base.get("mean"), nd, signed=True, unit=unit),
                "baseline_balance": fmt_num(base.get("balance_left_pct"), 2, unit="% left"),
                "baseline_n": base.get("n_runs"),
                "baseline_since": _date(base.get("since")),
                "baseline_reason": base.get("since_reason") or "",
                "baseline_device": base.get("device_key") or "",
                "mdc95": fmt_num(nf["mdc95"], nd, unit=unit),
                "typical_error": fmt_num(nf["typical_error"], nd, unit=unit),
                "latest": fmt_num(latest.get("value"), nd, signed=True, unit=unit),
                "latest_date": _date(latest.get("date")),
                "latest_balance": fmt_num(latest.get("balance_left_pct"), 2, unit="% left"),
                "latest_dev": fmt_num(latest.get("deviation"), nd, signed=True, unit=unit),
                "latest_beyond": bool(latest.get("beyond_mdc95")),
                "latest_note": latest.get("note") or "",
                "changes": changes,
                "devices": devices[:DEVICE_LIST],
                "devices_more": devices[DEVICE_LIST:],
                "evidence": _evidence(nf["evidence"]),
                "n_runs": md["n_runs"],
            }
        )
    return cards


#: Metrics summed up at the top of the page (the ones with the most runs).
ANSWER_METRICS = 4
#: Device changes listed under each metric before the rest fold into a "more" list.
DEVICE_LIST = 3


def _answer(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's opening answer, per metric: your usual, your noise floor, what changed and
    when (and what the latest run says). Sentences only; the numbers are the history's."""
    out = []
    need = d["params"]["min_baseline_runs"]
    for key, md in list(d["metrics"].items())[:ANSWER_METRICS]:
        unit, nd = _unit(md["unit"])
        cur = md["current"]
        base = cur.get("baseline") or {}
        latest = cur.get("latest") or {}
        nf = md["noise_floor"]
        n_base = base.get("n_runs") or 0
        if n_base >= need and base.get("mean") is not None:
            sd = base.get("sd")
            usual = (f"{fmt_num(base['balance_left_pct'], 1)} % left "
                     if base.get("balance_left_pct") is not None else "")
            usual += (f"({fmt_num(base['mean'], nd, signed=True, unit=unit)}"
                      + (f" ± {fmt_num(sd, nd)}" if sd is not None else "") + ")"
                      if usual else fmt_num(base["mean"], nd, signed=True, unit=unit)
                      + (f" ± {fmt_num(sd, nd)}" if sd is not None else ""))
            usual_note = (f"{n_base} comparable runs since {_date(base.get('since'))}"
                          + (f" ({base['since_reason']})" if base.get("since_reason") else ""))
        else:
            usual = "not formed yet"
            usual_note = (f"{n_base} of at least {need} comparable runs since "
                          f"{_date(base.get('since'))}"
                          + (f" ({base['since_reason']})" if base.get("since_reason") else ""))
        noise = ("not measured yet" if nf["mdc95"] is None
                 else f"± {fmt_num(nf['mdc95'], nd, unit=unit)}")
        noise_note = ("too few pairs of comparable runs" if nf["mdc95"] is None
                      else f"MDC95; typical error {fmt_num(nf['typical_error'], nd, unit=unit)} "
                           f"from {nf['n_pairs']} pairs of runs")
        changes = []
        for c in md["changes"]:
            bal = c.get("shift_balance_pct")
            what = fmt_num(c["shift"], nd, signed=True, unit=unit)
            if bal is not None:
                what = f"{fmt_num(bal, 1, signed=True)} %-points of balance ({what})"
            changes.append({
                "when": c["started"],
                "ci": "" if not c["started_ci95"]
                else f"{c['started_ci95'][0]} to {c['started_ci95'][1]}",
                "what": what,
            })
        dev_dates = sorted({dc["date"] for dc in d["device_changes"]
                            if any(st.get("metric") == key for st in dc.get("steps") or [])})
        status = cur.get("status") or "insufficient baseline"
        if changes and status == "insufficient baseline":
            # a real change restarts the baseline: say that, never "insufficient" beside it
            status = "changed; new baseline forming"
        elif changes and status == "stable":
            status = f"stable at the new level since {changes[-1]['when']}"
        beyond = latest.get("beyond_mdc95")
        out.append({
            "title": _key_title(key),
            "status": status,
            "status_css": "cls-typical" if status.startswith("stable")
            else "cls-insufficient" if status == "insufficient baseline" else "cls-notable",
            "usual": usual,
            "usual_note": usual_note,
            "noise": noise,
            "noise_note": noise_note,
            "changes": changes,
            "devices": len(dev_dates),
            "last_device": dev_dates[-1] if dev_dates else None,
            "latest": "" if not latest else (
                f"{_date(latest.get('date'))}: "
                + (f"{fmt_num(latest['balance_left_pct'], 1)} % left, "
                   if latest.get("balance_left_pct") is not None else "")
                + (f"{fmt_num(latest['deviation'], nd, signed=True, unit=unit)} from your "
                   "usual, " + ("beyond" if beyond else "within") + " your noise floor"
                   if latest.get("deviation") is not None and beyond is not None
                   else "no comparison yet")
            ),
        })
    return out


def _load_ctx(d: dict[str, Any]) -> dict[str, Any]:
    load = d["load"]
    cur = load.get("current") or {}
    return {
        "measure": load.get("measure_note") or load.get("measure") or "",
        "as_of": load.get("as_of") or "–",
        "acwr": fmt_num(cur.get("acwr_ewma"), 2),
        "acwr_uncoupled": fmt_num(cur.get("acwr_rolling_uncoupled"), 2),
        "acute": fmt_num(cur.get("acute_ewma"), 1),
        "chronic": fmt_num(cur.get("chronic_ewma"), 1),
        "monotony": fmt_num(cur.get("monotony_7d"), 2),
        "strain": fmt_num(cur.get("strain_7d"), 0),
        "distance_7d": fmt_num(cur.get("distance_7d_km"), 1, unit="km"),
        "has_acwr": cur.get("acwr_ewma") is not None,
        "caveat": load.get("acwr_caveat") or "",
        "acwr_evidence": _evidence(load["acwr_evidence"]) if load.get("acwr_evidence") else None,
        "monotony_evidence": _evidence(load["monotony_evidence"])
        if load.get("monotony_evidence")
        else None,
        "flags": [
            {
                "date": f["date"],
                "band": f["band"],
                "excess": fmt_num(f["excess_pct"], 0, unit="%"),
                "sentence": f["sentence"],
                "evidence": _evidence(f["evidence"]),
            }
            for f in load.get("longest_run_flags") or []
        ],
        "ramps": [
            {"week": r["week"], "sentence": r["sentence"], "evidence": _evidence(r["evidence"])}
            for r in load.get("weekly_ramp_flags") or []
        ],
    }


def _shoes_ctx(d: dict[str, Any]) -> dict[str, Any]:
    sh = d["shoes"]
    rot = sh.get("rotation") or {}
    asym = sh.get("asymmetry") or {}
    key = next(iter(asym), None)
    per = (asym.get(key) or {}).get("shoes") or {} if key else {}
    unit, nd = _unit((asym.get(key) or {}).get("unit", "% SA")) if key else ("% SA", 2)
    reminders = {r["name"] for r in sh.get("retirement_reminders") or []}
    rows = []
    for p in sh.get("pairs") or []:
        a = per.get(p["name"]) or {}
        attrs = p.get("attributes") or {}
        rows.append(
            {
                "name": p["name"],
                "runs": p["runs"],
                "distance": fmt_num(p["distance_km"], 1),
                "duration": fmt_num(p["duration_h"], 1),
                "first": p["first_used"],
                "last": p["last_used"],
                "type": attrs.get("type") or "",
                "drop": fmt_num(attrs.get("drop_mm"), 0, unit="mm")
                if attrs.get("drop_mm") is not None
                else "",
                "retire": fmt_num(p.get("retire_km"), 0),
                "reminder": p["name"] in reminders,
                "mean": fmt_num(a.get("mean"), nd, signed=True),
                "adjusted": "reference"
                if p["name"] == (asym.get(key) or {}).get("reference_shoe")
                else fmt_num(a.get("adjusted_difference"), nd, signed=True),
                "adjusted_ci": fmt_ci(a.get("ci95"), nd, signed=True),
                "matched": a.get("n_matched_runs", "–"),
            }
        )
    return {
        "rows": rows,
        "asym_key": _key_title(key) if key else "",
        "asym_unit": unit,
        "asym_evidence": _evidence(asym[key]["evidence"]) if key else None,
        "without_gear": sh.get("runs_without_gear") or 0,
        "rotation": rot.get("sentence") or "",
        "rotation_evidence": _evidence(rot["evidence"]) if rot.get("evidence") else None,
        "reminders": [
            {"sentence": r["sentence"], "evidence": _evidence(r["evidence"])}
            for r in sh.get("retirement_reminders") or []
        ],
    }


def _surface_ctx(d: dict[str, Any]) -> dict[str, Any]:
    s = d["surface"]
    tb = s["turning_balance"]
    cam = s["camber_exposure"]

    def turn(t: dict[str, Any]) -> str | None:
        if t["left_share_pct"] is None:
            return None
        return (
            f"{fmt_num(t['left_share_pct'], 0)} % of bend time turning left "
            f"({fmt_hms(t['left_s'])} left, {fmt_hms(t['right_s'])} right, h:mm:ss)"
        )

    share = ", ".join(
        f"{k} {fmt_num(v, 0)} %" for k, v in s["surface_share_pct"].items() if v and v > 0
    )
    return {
        "track": s["track"]["sentence"],
        "track_sessions": s["track"]["sessions"],
        "turning_all": turn(tb["all"]),
        "turning_recent": turn(tb["last_28_days"]),
        "turning_track": turn(tb["track_only"]) if s["track"]["sessions"] else None,
        "share": share,
        "camber": None
        if cam["left_foot_low_pct"] is None
        else (
            f"{fmt_num(cam['left_foot_low_pct'], 0)} % of road running with the left foot on the "
            f"low side, {fmt_num(cam['right_foot_low_pct'], 0)} % with the right "
            f"(road side declared: {cam['declared_road_side'] or 'per run'}"
            + ("; crossing at turnarounds" if cam["crosses_at_turnaround"] else "")
            + ")"
        ),
        "camber_reason": cam.get("reason") or "no road running with a known road side",
        "camber_evidence": _evidence(cam["evidence"]),
        "evidence": _evidence(s["evidence"]),
    }


def _links_ctx(d: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for lk in d["links"]:
        unit, nd = _unit(lk["unit"])
        out.append(
            {
                "title": _COMPARISONS.get(lk["comparison"], lk["comparison"].replace("_", " ")),
                "metric": _key_title(lk["metric"]),
                "diff": fmt_num(lk["diff"], nd, signed=True, unit=unit),
                "ci": fmt_ci(lk["ci95"], nd, signed=True),
                "n": f"{lk['n_a']} vs {lk['n_b']} runs",
                "sentence": lk["sentence"],
                "evidence": _evidence(lk["evidence"]),
            }
        )
    return out


def _run_rows(
    history: History, d: dict[str, Any], run_links: dict[Any, str]
) -> tuple[str, list[dict[str, Any]]]:
    key = next(iter(d["metrics"]), None)
    rows = []
    for r in reversed(history.runs):
        e = r.asymmetry.get(key) if key else None
        if e is None and r.asymmetry:
            e = next(iter(r.asymmetry.values()))
        unit, nd = _unit(e.unit if e else "% SA")
        rows.append(
            {
                "date": r.start_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                "id": str(r.activity_id),
                "href": _relative_href(run_links.get(r.activity_id)),
                "distance": "–" if r.distance_m is None else fmt_num(r.distance_m / 1000.0, 2),
                "duration": fmt_hms(r.duration_s),
                "pace": fmt_pace(r.median_speed_m_s),
                "surface": r.surface,
                "gear": r.gear or "",
                "device": r.device_key,
                "balance": "–" if e is None else fmt_num(e.balance_left_pct, 2, unit="%"),
                "index": "–" if e is None else fmt_num(e.value, nd, signed=True, unit=unit),
                "cls": (e.cls if e else None) or "no data",
                "cls_css": CLASS_CSS.get((e.cls if e else "") or "", "cls-insufficient"),
            }
        )
    return (_key_title(key) if key else ""), rows


def render_history_report(
    history: History,
    *,
    run_links: dict[int, str] | dict[Any, str] | None = None,
    athlete: str = "",
    plotly_src: str | None = None,
    app_head: Markup | None = None,
    app_nav: Markup | None = None,
) -> str:
    """Render ``history`` as a self-contained HTML page (see the module docstring).

    Parameters
    ----------
    history
        The result of :func:`evenstride.history.build_history`.
    run_links
        Optional ``activity_id`` → relative link to that run's report (e.g.
        ``"runs/42.html"``); links with a scheme (``http:``, ``javascript:``) are dropped.
    athlete
        The athlete's name for the header (escaped).
    plotly_src, app_head, app_nav
        As :func:`evenstride.report.html.render_report` (used by the web app).

    Returns
    -------
    str
        The HTML page; it loads no external resource.
    """
    d = history.to_dict()
    keys = list(d["metrics"])
    n = d["runs"]["n"]
    groups: dict[str, list[Plot]] = {
        "asymmetry": [_asymmetry_plot(history, k, d) for k in keys]
        or [
            Plot(
                "hist-asym",
                "",
                "",
                skipped="no run has left/right data"
                if not any(r.asymmetry for r in history.runs)
                else _not_enough(n, d["params"]["min_baseline_runs"], "an asymmetry trend"),
            )
        ],
        "load": [_load_plot(d), _weekly_distance_plot(d)],
        "surface": [_turning_plot(d), _camber_plot(d)],
        "speed": [_speed_plot(d, k) for k in keys]
        or [Plot("hist-speed", "", "", skipped="there is no asymmetry to relate to speed")],
    }
    plots = {k: [_render_plot(p) for p in v] for k, v in groups.items()}
    n_fig = sum(p.figure is not None for v in groups.values() for p in v)
    run_key, runs = _run_rows(history, d, dict(run_links or {}))
    ctx = {
        "version": evenstride.__version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "base_css": _run_report_css(),
        "header": _header(history, d, athlete),
        "metrics": _metric_cards(history, d),
        "answer": _answer(d),
        "min_baseline_runs": d["params"]["min_baseline_runs"],
        "load": _load_ctx(d),
        "shoes": _shoes_ctx(d),
        "surface": _surface_ctx(d),
        "links": _links_ctx(d),
        "hrv": d["hrv"],
        "hrv_evidence": _evidence(d["hrv"]["evidence"]),
        "grades": GRADE_TEXT,
        "sign_convention": d["sign_convention"],
        "plots": plots,
        "run_key": run_key,
        "runs": runs,
        "plotly_js": _plotly_js() if n_fig and plotly_src is None else None,
        "plotly_src": plotly_src if n_fig else None,
        "app_head": app_head or Markup(""),
        "app_nav": app_nav or Markup(""),
    }
    return _environment().get_template(_HISTORY_TEMPLATE).render(**ctx)


def write_history_report(history: History, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Render ``history`` (keywords as :func:`render_history_report`) and write it (UTF-8)."""
    out = Path(path)
    out.write_text(render_history_report(history, **kw), encoding="utf-8")
    return out
