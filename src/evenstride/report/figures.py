# SPDX-License-Identifier: MIT
"""Plotly figures for the HTML report.

Every builder takes a :class:`~evenstride.pipeline.RunAnalysis` and returns a :class:`Plot`: a
figure, or ``None`` plus a one-line reason ("skipped because …") when the run lacks the data. The
numbers all come from the analysis; the only arithmetic here is presentation (seconds → minutes,
float32 arrays, decimation of long raw series, the 60 s display mean via
:func:`evenstride.metrics.drift.window_means`, and drawing a fitted line from its slope).

Size and speed (libs.md §4): x is numeric (minutes), arrays are float32 so plotly writes compact
base64 typed arrays, raw series longer than :data:`MAX_RAW_POINTS` are min/max-decimated, and
plain SVG ``Scatter`` lines are used instead of ``Scattergl`` so that the plots also render where
WebGL is missing and print as vectors.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from evenstride import consts
from evenstride.assessment import fmt_clock
from evenstride.assessment._assess import healthy_gct_balance_edges, metric_name, source_name
from evenstride.assessment.reference_bands import CADENCE_ADVICE_PCT
from evenstride.metrics import symmetry as sym
from evenstride.metrics.asymmetry import MIN_CONTEXT_SAMPLES
from evenstride.metrics.drift import window_means

if TYPE_CHECKING:
    from evenstride.pipeline import RunAnalysis

#: Raw series with more points than this are min/max-decimated for display: 2,000 min/max
#: buckets, still more than one per pixel of a 1,200-px-wide plot, keep a 3-hour 1-Hz run's report
#: under 1.5 MB (issue 11; 20,000 points made the balance plot alone 250 kB).
MAX_RAW_POINTS = 4_000
#: Window of the bold display mean on the balance plot.
DISPLAY_MEAN_WINDOW_S = 60.0
#: Non-running spans shorter than this are not shaded; closer ones are merged.
MIN_SPAN_S = 3.0
MERGE_SPAN_GAP_S = 15.0
#: At most this many shaded spans per plot (more are merged with a growing gap).
MAX_SPANS = 150
#: A time gap longer than this between samples is a pause (no data) and breaks the lines.
PAUSE_GAP_S = 10.0

# Colours: colour-blind-safe-ish pairs, readable in print.
C_LEFT = "#1f6fb2"
C_RIGHT = "#c2410c"
C_MAIN = "#1f2937"
C_RAW = "rgba(31,111,178,0.28)"
C_GREEN = "rgba(34,197,94,0.16)"
C_ORANGE = "rgba(249,115,22,0.14)"
C_RED = "rgba(239,68,68,0.13)"
C_GREY = "rgba(107,114,128,0.18)"
C_ONSET = "#7c3aed"
SERIES_COLOURS = ("#1f6fb2", "#c2410c", "#059669", "#7c3aed", "#b45309", "#be185d", "#0f766e")

#: Read bottom to top on the rotated axis.
BALANCE_AXIS_TITLE = (
    'GCT balance (% left)<br><span style="font-size:11px">← right longer · left longer →</span>'
)

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: A small template instead of plotly's default one, which adds ~6 kB of JSON to every figure.
TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": _FONT, "size": 13, "color": "#1f2937"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(SERIES_COLOURS),
        "hovermode": "closest",
        "margin": {"l": 64, "r": 24, "t": 40, "b": 56},
        "legend": {"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 12}},
        "xaxis": {
            "gridcolor": "#e5e7eb",
            "linecolor": "#9ca3af",
            "zeroline": False,
            "ticks": "outside",
            "tickcolor": "#9ca3af",
            "automargin": True,
        },
        "yaxis": {
            "gridcolor": "#e5e7eb",
            "linecolor": "#9ca3af",
            "zeroline": False,
            "ticks": "outside",
            "tickcolor": "#9ca3af",
            "automargin": True,
        },
    }
)

#: plotly.js config for every figure: no logo link, no cloud buttons, resize with the page.
CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

_CONTEXT_LABELS = {
    "straight": "straight",
    "bend_left": "left-hand bends",
    "bend_right": "right-hand bends",
    "uphill": "uphill",
    "flat": "flat",
    "downhill": "downhill",
}


@dataclass(frozen=True)
class Plot:
    """One report figure, or the reason it was skipped."""

    #: Stable HTML id (also used as the plotly div id).
    key: str
    #: What this figure shows when a report section holds several (e.g. the channel); may be "".
    subtitle: str
    #: One or two sentences under the figure: how to read it.
    caption: str
    #: A plotly figure, or a figure dict in the form of plotly's ``Figure.to_dict()`` (written
    #: without validation: the builder answers for it).
    figure: go.Figure | dict[str, Any] | None = None
    #: Why there is no figure ("this file has no …"); ``None`` when ``figure`` is set.
    skipped: str | None = None
    height_px: int = 420


# --- plotly.js bundle --------------------------------------------------------------------------

#: The plotly.js *basic* bundle (trace types scatter, bar and pie, with shapes, annotations,
#: error bars, date axes and the mode bar), 1.2 MB instead of the full bundle's 4.8 MB. It is
#: npm's ``plotly.js-basic-dist-min`` 4.1.1 (MIT, licence beside it), the plotly.js version that
#: plotly.py 7.1 writes figures for, copied byte for byte.
PLOTLY_BASIC_BUNDLE = Path(__file__).with_name("static") / "plotly-basic.min.js"
PLOTLY_BASIC_VERSION = "4.1.1"
#: Trace types the basic bundle draws; every figure of both reports uses only these (tested).
BASIC_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
#: Name of the bundle written beside several reports written together.
PLOTLY_FILE_NAME = "plotly.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The smallest plotly.js bundle that draws the report figures.

    The vendored basic bundle when the installed plotly.py writes figures for the same major
    version of plotly.js; otherwise (an older or newer plotly.py) plotly.py's own full bundle,
    which always matches the figures it writes.
    """
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if get_plotlyjs_version().split(".")[0] == PLOTLY_BASIC_VERSION.split(".")[0]:
        try:
            return PLOTLY_BASIC_BUNDLE.read_text(encoding="utf-8")
        except OSError:  # an installation without the package data: the full bundle works too
            pass
    return str(get_plotlyjs())


def write_plotly_js(folder: str | os.PathLike[str]) -> str:
    """Write :func:`plotly_js` as ``plotly.min.js`` into ``folder`` (unless an identical copy is
    there) and return the name to use as ``<script src>`` from a page in that folder.

    Several reports written together load this one file instead of each inlining the bundle;
    the folder still works offline, as long as the file stays beside the pages.
    """
    out = Path(folder) / PLOTLY_FILE_NAME
    js = plotly_js()
    try:
        same = out.read_text(encoding="utf-8") == js
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        out.write_text(js, encoding="utf-8")
    return PLOTLY_FILE_NAME


# --- small presentation helpers ----------------------------------------------------------------


def fmt_pace(speed_m_s: float | None) -> str:
    """Pace ``m:ss /km`` from a speed in m/s ("–" when unknown or not moving)."""
    if speed_m_s is None or not np.isfinite(speed_m_s) or speed_m_s <= 0:
        return "–"
    sec = round(1000.0 / speed_m_s)
    return f"{sec // 60}:{sec % 60:02d} /km"


def _f32(x: np.ndarray | list[float]) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _minutes(t_s: np.ndarray) -> np.ndarray:
    return _f32(np.asarray(t_s, dtype=np.float64) / 60.0)


def _base_layout(fig: go.Figure, *, height: int, x_title: str, y_title: str) -> None:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis_title=x_title,
        yaxis_title=y_title,
    )


def decimate_minmax(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep the minimum and maximum of ``y`` in each of ``max_points / 2`` buckets (in order).

    NaN values (line breaks) survive when a bucket holds only NaN, so pauses stay visible.
    """
    n = len(x)
    if n <= max_points:
        return x, y
    nb = max(1, max_points // 2)
    edges = np.linspace(0, n, nb + 1).astype(np.int64)
    keep: list[int] = []
    for a, b in itertools.pairwise(edges):
        if b <= a:
            continue
        seg = y[a:b]
        fin = np.isfinite(seg)
        if not fin.any():
            keep.append(int(a))
            continue
        idx = np.nonzero(fin)[0]
        i_lo = int(idx[np.argmin(seg[fin])]) + a
        i_hi = int(idx[np.argmax(seg[fin])]) + a
        keep.extend(sorted({i_lo, i_hi}))
    k = np.asarray(keep, dtype=np.int64)
    return x[k], y[k]


def _break_pauses(t_s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN after each time gap longer than :data:`PAUSE_GAP_S`: lines do not bridge it."""
    if len(t_s) < 2:
        return t_s, y
    gaps = np.nonzero(np.diff(t_s) > PAUSE_GAP_S)[0]
    if len(gaps) == 0:
        return t_s, y
    t2 = np.insert(t_s.astype(np.float64), gaps + 1, t_s[gaps] + 1.0)
    y2 = np.insert(y.astype(np.float64), gaps + 1, np.nan)
    return t2, y2


def _spans(t_s: np.ndarray, flag: np.ndarray) -> list[tuple[float, float]]:
    """Time spans (s) where ``flag`` holds, plus pauses in the recording, merged for display."""
    spans: list[tuple[float, float]] = []
    if len(t_s) == 0:
        return spans
    f = flag.astype(np.int8)
    d = np.diff(np.concatenate(([0], f, [0])))
    starts = np.nonzero(d == 1)[0]
    ends = np.nonzero(d == -1)[0] - 1
    for i0, i1 in zip(starts.tolist(), ends.tolist(), strict=True):
        spans.append((float(t_s[i0]), float(t_s[min(i1 + 1, len(t_s) - 1)])))
    gaps = np.nonzero(np.diff(t_s) > PAUSE_GAP_S)[0]
    spans += [(float(t_s[i]), float(t_s[i + 1])) for i in gaps]
    spans.sort()
    gap = MERGE_SPAN_GAP_S
    while True:
        merged: list[tuple[float, float]] = []
        for lo, hi in spans:
            if merged and lo - merged[-1][1] <= gap:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        merged = [(lo, hi) for lo, hi in merged if hi - lo >= MIN_SPAN_S]
        if len(merged) <= MAX_SPANS:
            return merged
        spans, gap = merged, gap * 2


def _add_spans(fig: go.Figure, spans: list[tuple[float, float]], per: float = 60.0) -> None:
    for a, b in spans:
        fig.add_vrect(x0=a / per, x1=b / per, fillcolor=C_GREY, line_width=0, layer="below")


#: Recordings shorter than this (a video clip, a lab trial) are plotted in seconds, not minutes.
SECONDS_AXIS_BELOW_S = 180.0


def _add_onsets(fig: go.Figure, analysis: RunAnalysis, keys: list[str]) -> int:
    n = 0
    for key in keys:
        d = analysis.drifts.get(key)
        if d is None or d.onset_s is None:
            continue
        if d.onset_ci95 is not None:
            fig.add_vrect(
                x0=d.onset_ci95[0] / 60.0,
                x1=d.onset_ci95[1] / 60.0,
                fillcolor="rgba(124,58,237,0.10)",
                line_width=0,
                layer="below",
            )
        fig.add_vline(x=d.onset_s / 60.0, line={"color": C_ONSET, "dash": "dash", "width": 2})
        fig.add_annotation(
            x=d.onset_s / 60.0,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"drift onset ≈ {fmt_clock(d.onset_s)}",
            showarrow=False,
            font={"color": C_ONSET, "size": 12},
            bgcolor="rgba(255,255,255,0.85)",
        )
        n += 1
    return n


def _sa_label(key: str) -> str:
    metric, _, source = key.partition("/")
    name = metric_name(metric)
    return f"{name[:1].upper()}{name[1:]} ({source_name(source)})"


# --- (a) GCT balance over time -------------------------------------------------------------


def _zone_edges() -> dict[str, float]:
    """Shading edges in % left: green = healthy-runner typical, orange = above typical, red =
    marked (assessment.reference_bands; Garmin's user zones are context in the tables only)."""
    h = healthy_gct_balance_edges()
    return {"green_min": h["typical_min"], "green_max": h["typical_max"],
            "red_max": h["marked_max"], "red_min": h["marked_min"]}


def balance_over_time(analysis: RunAnalysis) -> Plot:
    e = _zone_edges()
    caption = (
        "% of contact time on the left foot (above 50 % = left contact longer). Light line: every "
        "sample; bold line: 60-s mean of steady running. Shading: healthy-runner range (green "
        f"{e['green_min']:.1f}–{e['green_max']:.1f} %), above typical (orange, to "
        f"{e['red_max']:.1f}/{e['red_min']:.1f} %), marked beyond (red); grey: stopped, walking "
        "or paused."
    )
    act = analysis.activity
    chans = [
        ch
        for ch in act.sided
        if ch.metric == consts.M_CONTACT_TIME
        and (ch.balance_left_pct is not None or ch.left is not None)
    ]
    if not chans:
        return Plot(
            "fig-balance",
            "",
            caption,
            skipped="this file has no left/right ground-contact-time data (no GCT balance or "
            "per-foot contact time).",
        )
    t = np.asarray(act.samples[consts.TIME_S], dtype=np.float64)
    g = analysis.gating
    # a short clip or lab trial reads in seconds ("0.16 min" says nothing); a run in minutes
    short = len(t) > 1 and float(t[-1] - t[0]) < SECONDS_AXIS_BELOW_S
    per, tu = (1.0, "s") if short else (60.0, "min")
    fig = go.Figure()
    edges = _zone_edges()
    lo_vals, hi_vals = [], []
    for i, ch in enumerate(chans):
        if ch.balance_left_pct is not None:
            bal = np.asarray(ch.balance_left_pct, dtype=np.float64)
        else:
            assert ch.left is not None
            assert ch.right is not None
            bal = np.asarray(sym.balance_left_pct(ch.left, ch.right), dtype=np.float64)
        fin = np.isfinite(bal) & g.steady
        if not fin.any():
            continue
        lo_vals.append(float(np.percentile(bal[fin], 0.5)))
        hi_vals.append(float(np.percentile(bal[fin], 99.5)))
        label = source_name(ch.source) if len(chans) > 1 else "each sample"
        tb, yb = _break_pauses(t, bal)
        xr, yr = decimate_minmax(tb, yb, MAX_RAW_POINTS)
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=_f32(xr / per),
                y=_f32(yr),
                mode="lines",
                line={"color": C_RAW if i == 0 else colour, "width": 1},
                opacity=1.0 if i == 0 else 0.2,
                name=f"{label} (raw)" if len(chans) > 1 else "each sample",
                hovertemplate="%{x:.1f} " + tu + "<br>%{y:.2f} % left<extra></extra>",
            )
        )
        tm, means, cnt = window_means(
            t, {"b": bal}, g.steady & np.isfinite(bal), window_s=DISPLAY_MEAN_WINDOW_S
        )
        if len(cnt):
            t0 = float(t[g.steady & np.isfinite(bal)][0])
            centres = t0 + (np.arange(len(cnt)) + 0.5) * DISPLAY_MEAN_WINDOW_S
            xm = np.where(cnt > 0, tm, centres)
            ym = np.where(cnt > 0, means["b"], np.nan)
            fig.add_trace(
                go.Scatter(
                    x=_f32(xm / per),
                    y=_f32(ym),
                    mode="lines",
                    connectgaps=False,
                    line={"color": C_MAIN if i == 0 else colour, "width": 3},
                    name=f"{source_name(ch.source)}: 60-s mean"
                    if len(chans) > 1
                    else "60-s mean (steady running)",
                    hovertemplate="%{x:.1f} " + tu + "<br>60-s mean %{y:.2f} % left<extra></extra>",
                )
            )
    if not fig.data:
        return Plot(
            "fig-balance",
            "",
            caption,
            skipped="no running sample carries a left/right contact-time value.",
        )
    y_lo = max(30.0, min(min(lo_vals), edges["red_max"] - 1.0) - 0.3)
    y_hi = min(70.0, max(max(hi_vals), edges["red_min"] + 1.0) + 0.3)
    zones = [
        (y_lo, edges["red_max"], C_RED),
        (edges["red_max"], edges["green_min"], C_ORANGE),
        (edges["green_min"], edges["green_max"], C_GREEN),
        (edges["green_max"], edges["red_min"], C_ORANGE),
        (edges["red_min"], y_hi, C_RED),
    ]
    for a, b, c in zones:
        if b > a:
            fig.add_hrect(y0=a, y1=b, fillcolor=c, line_width=0, layer="below")
    fig.add_hline(y=50.0, line={"color": "#6b7280", "width": 1, "dash": "dot"})
    _add_spans(fig, _spans(t, ~g.running), per)
    keys = [k for k in analysis.drifts if k.startswith(consts.M_CONTACT_TIME + "/")]
    if not short:  # a drift onset needs minutes of running
        _add_onsets(fig, analysis, keys)
    _base_layout(
        fig,
        height=440,
        x_title=f"time since start of recording ({tu})",
        y_title=BALANCE_AXIS_TITLE,
    )
    fig.update_yaxes(range=[y_lo, y_hi])
    return Plot("fig-balance", "", caption, fig, height_px=440)


# --- (b) asymmetry by context --------------------------------------------------------------


def context_label(name: str) -> str:
    """Readable label of a context key (``bend_left`` → "left-hand bends", speed bands)."""
    if name in _CONTEXT_LABELS:
        return _CONTEXT_LABELS[name]
    if name.startswith("speed<"):
        return f"speed < {name[6:].replace('m/s', '')} m/s"
    if name.startswith("speed>="):
        return f"speed ≥ {name[7:].replace('m/s', '')} m/s"
    if name.startswith("speed "):
        return "speed " + name[6:].replace("-", "–").replace("m/s", "") + " m/s"
    return name.replace("_", " ")


def _context_colour(name: str) -> str:
    """Bars of one family share a colour: bends, grade, speed bands."""
    if name in ("straight", "bend_left", "bend_right"):
        return SERIES_COLOURS[0]
    if name in ("uphill", "flat", "downhill"):
        return SERIES_COLOURS[2]
    return SERIES_COLOURS[4]


def context_tick(name: str) -> str:
    """:func:`context_label` broken over two lines for a category axis."""
    label = context_label(name)
    if label.startswith("speed "):
        return "speed<br>" + label[6:]
    return label.replace("-hand ", "-hand<br>")


def asymmetry_by_context(analysis: RunAnalysis) -> list[Plot]:
    """One bar chart for all ratio-scale channels (symmetry angle) and one per other channel."""
    caption = (
        "Bars: asymmetry within each context (positive = left larger); whiskers: 95 % interval "
        "(moving-block bootstrap; none where the context has fewer than "
        f"{MIN_CONTEXT_SAMPLES} samples)."
    )
    usable = [r for r in analysis.asymmetry if r.enough_data and r.by_context]
    if not usable:
        why = (
            "this file has no left/right data."
            if not analysis.asymmetry
            else "no left/right channel had enough steady running split into contexts."
        )
        return [Plot("fig-context", "", caption, skipped=why)]
    plots: list[Plot] = []
    ratio = [r for r in usable if r.ratio_scale]
    groups: list[tuple[str, list[Any], str]] = []
    if ratio:
        groups.append(("fig-context", ratio, "symmetry angle (% SA)"))
    for r in usable:
        if not r.ratio_scale:
            groups.append((f"fig-context-{r.metric}-{r.source}", [r], f"left − right ({r.unit})"))
    for key, rs, y_title in groups:
        fig = go.Figure()
        empty: set[str] = set()
        for i, r in enumerate(rs):
            xs, ys, up, down, cols = [], [], [], [], []
            for c in r.by_context:
                v = c.symmetry_angle_pct if r.ratio_scale else c.difference
                if c.n == 0 or v is None or not np.isfinite(v):
                    empty.add(context_label(c.context))
                    continue
                xs.append(
                    f"{context_tick(c.context)}<br>n = {c.n}"
                    if len(rs) == 1
                    else context_tick(c.context)
                )
                ys.append(v)
                cols.append(_context_colour(c.context))
                if c.ci95 is not None:
                    up.append(max(0.0, c.ci95[1] - v))
                    down.append(max(0.0, v - c.ci95[0]))
                else:
                    up.append(np.nan)
                    down.append(np.nan)
            if not xs:
                continue
            fig.add_trace(
                go.Bar(
                    x=xs,
                    y=ys,
                    name=_sa_label(r.key),
                    showlegend=len(rs) > 1,
                    marker_color=cols if len(rs) == 1 else SERIES_COLOURS[i % len(SERIES_COLOURS)],
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": up,
                        "arrayminus": down,
                        "color": "#111827",
                        "thickness": 1.5,
                        "width": 5,
                    },
                    hovertemplate="%{x}<br>%{y:+.2f}<extra>" + _sa_label(r.key) + "</extra>",
                )
            )
            whole = r.index_value
            if whole is not None and len(rs) == 1:
                dash = {"color": "#374151", "dash": "dash", "width": 1.5}
                fig.add_hline(y=whole, line=dash)
                fig.add_trace(  # legend entry for the line
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="lines",
                        line=dash,
                        name=f"whole run {whole:+.2f}".replace("-", "−"),
                    )
                )
        sub = "" if len(rs) > 1 else _sa_label(rs[0].key)
        if not fig.data:
            plots.append(
                Plot(key, sub, caption, skipped="no context had enough samples for a value.")
            )
            continue
        fig.add_hline(y=0.0, line={"color": "#6b7280", "width": 1})
        _base_layout(fig, height=400, x_title="", y_title=y_title)
        fig.update_layout(
            barmode="group",
            bargap=0.25,
            showlegend=True,
            legend={"y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
            margin={"t": 72},
        )
        fig.update_xaxes(tickangle=0, tickfont={"size": 11})
        cap = caption
        if len(rs) == 1:
            cap += (
                " Dashed: whole-run value. Blue: straight vs bends; green: grade; amber: thirds "
                "of this run's speeds."
            )
        if empty:
            cap += " No samples: " + ", ".join(sorted(empty)) + "."
        plots.append(Plot(key, sub, cap, fig, height_px=400))
    return plots


# --- (c) drift -------------------------------------------------------------------------------


def drift_plots(analysis: RunAnalysis) -> list[Plot]:
    """Per-window covariate-adjusted asymmetry with the fitted drift line and quarter levels."""
    caption = (
        "Dots: 1-minute windows of steady running, adjusted to the run's median speed on flat, "
        "straight ground (faint: before adjustment). Line: fitted drift; thick grey bars: first "
        "and last quarter levels; dashed violet: abrupt onset if one was found."
    )
    keys = [k for k in analysis.drifts if "/" in k]
    if not keys:
        why = (
            "this file has no left/right data."
            if not analysis.asymmetry
            else "no left/right channel had enough steady running for a drift estimate."
        )
        return [Plot("fig-drift", "", caption, skipped=why)]
    plots = []
    for n_plot, key in enumerate(keys):
        d = analysis.drifts[key]
        pid = "fig-drift" if n_plot == 0 else f"fig-drift-{key.replace('/', '-')}"
        sub = _sa_label(key)
        if d.window_t_s is None or d.window_adjusted is None or d.slope_per_h is None:
            plots.append(Plot(pid, sub, caption, skipped=(d.reason or "no drift estimate") + "."))
            continue
        tw = np.asarray(d.window_t_s, dtype=np.float64)
        ya = np.asarray(d.window_adjusted, dtype=np.float64)
        fig = go.Figure()
        if d.window_value is not None and d.adjusted_for:
            fig.add_trace(
                go.Scatter(
                    x=_minutes(tw),
                    y=_f32(d.window_value),
                    mode="markers",
                    marker={"color": "rgba(107,114,128,0.35)", "size": 5},
                    name="window mean (not adjusted)",
                    hovertemplate="%{x:.1f} min<br>%{y:.2f}<extra>not adjusted</extra>",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=_minutes(tw),
                y=_f32(ya),
                mode="markers",
                marker={"color": C_LEFT, "size": 7},
                name="window mean, adjusted",
                hovertemplate="%{x:.1f} min<br>%{y:.2f} " + d.unit + "<extra></extra>",
            )
        )
        # The OLS line passes through the means: y_adj = ȳ_adj + b·(t_h − mean t_h).
        th = (tw - tw[0]) / 3600.0
        y_line = float(ya.mean()) + d.slope_per_h * (th[[0, -1]] - float(th.mean()))
        ci = d.slope_ci95
        civ = f" (95 % CI {ci[0]:+.2f} to {ci[1]:+.2f})" if ci else ""
        fig.add_trace(
            go.Scatter(
                x=_minutes(tw[[0, -1]]),
                y=_f32(y_line),
                mode="lines",
                line={"color": C_RIGHT, "width": 3},
                name=f"drift {d.slope_per_h:+.2f} {d.unit}/h{civ}",
                hoverinfo="skip",
            )
        )
        span = tw[-1] - tw[0]
        for lvl, a, b, lab in (
            (d.first_quarter, tw[0], tw[0] + 0.25 * span, "first quarter"),
            (d.last_quarter, tw[0] + 0.75 * span, tw[-1], "last quarter"),
        ):
            if lvl is None:
                continue
            fig.add_trace(
                go.Scatter(
                    x=_minutes(np.array([a, b])),
                    y=_f32([lvl, lvl]),
                    mode="lines",
                    line={"color": "rgba(55,65,81,0.55)", "width": 7},
                    name=f"{lab} {lvl:.2f} {d.unit}",
                    hovertemplate=f"{lab} {lvl:.2f} {d.unit}<extra></extra>",
                )
            )
        _add_onsets(fig, analysis, [key])
        fig.add_hline(y=0.0, line={"color": "#6b7280", "width": 1, "dash": "dot"})
        _base_layout(
            fig,
            height=400,
            x_title="time since start of recording (min)",
            y_title="symmetry angle (% SA)" if d.unit == "% SA" else f"left − right ({d.unit})",
        )
        adj = ", ".join(d.adjusted_for) or "nothing (no covariates)"
        plots.append(Plot(pid, sub, caption + f" Adjusted for: {adj}.", fig, height_px=400))
    return plots


# --- (d) cadence vs speed ------------------------------------------------------------------


def cadence_vs_speed(analysis: RunAnalysis) -> Plot:
    caption = (
        "Dots: 10-s windows of steady running. Line: your own cadence–speed relation in this run; "
        "green band: +5–10 % over it (Heiderscheit et al. 2011), the suggestion if you want to "
        "lower knee loading. Pace is shown under each speed."
    )
    cs = analysis.cadence
    if cs.window_speed is None or cs.window_cadence is None or cs.reference_speed_m_s is None:
        act = analysis.activity
        if not act.has(consts.CADENCE_SPM):
            why = "this file has no cadence."
        elif not act.has(consts.SPEED_M_S):
            why = "this file has no speed."
        else:
            why = (cs.reason or "too little steady running with cadence and speed") + "."
        return Plot("fig-cadence", "", caption, skipped=why)
    s = np.asarray(cs.window_speed, dtype=np.float64)
    c = np.asarray(cs.window_cadence, dtype=np.float64)
    lo_s, hi_s = float(np.percentile(s, 1)), float(np.percentile(s, 99))
    xs = np.linspace(lo_s, hi_s, 24)
    fig = go.Figure()
    if cs.slope_spm_per_m_s is not None and cs.intercept_spm is not None:
        line = cs.intercept_spm + cs.slope_spm_per_m_s * xs
        line_name = f"your line: {cs.slope_spm_per_m_s:+.1f} steps/min per m/s"
    else:
        assert cs.cadence_at_reference_spm is not None
        line = np.full_like(xs, cs.cadence_at_reference_spm)
        line_name = "your median cadence (speed varied too little for a slope)"
    lo_pct, hi_pct = CADENCE_ADVICE_PCT
    fig.add_trace(
        go.Scatter(
            x=_f32(xs),
            y=_f32(line * (1 + lo_pct / 100)),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=_f32(xs),
            y=_f32(line * (1 + hi_pct / 100)),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(34,197,94,0.18)",
            name=f"+{lo_pct:.0f}–{hi_pct:.0f} % suggestion",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=_f32(s),
            y=_f32(c),
            mode="markers",
            marker={"color": "rgba(31,111,178,0.45)", "size": 5},
            name="10-s window",
            hovertemplate="%{x:.2f} m/s<br>%{y:.0f} steps/min<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=_f32(xs),
            y=_f32(line),
            mode="lines",
            line={"color": C_MAIN, "width": 3},
            name=line_name,
            hoverinfo="skip",
        )
    )
    if cs.cadence_at_reference_spm is not None:
        ref = cs.reference_speed_m_s
        fig.add_trace(
            go.Scatter(
                x=_f32([ref]),
                y=_f32([cs.cadence_at_reference_spm]),
                mode="markers",
                marker={
                    "color": C_RIGHT,
                    "size": 13,
                    "symbol": "diamond",
                    "line": {"color": "white", "width": 1.5},
                },
                name=f"typical speed {ref:.2f} m/s ({fmt_pace(ref)}): "
                f"{cs.cadence_at_reference_spm:.0f} steps/min",
            )
        )
    step = 0.25 if hi_s - lo_s < 1.5 else 0.5
    ticks = np.arange(np.floor(lo_s / step) * step, hi_s + step, step)
    ticks = ticks[ticks > 0]
    _base_layout(fig, height=440, x_title="speed (m/s) and pace", y_title="cadence (steps/min)")
    fig.update_xaxes(
        tickvals=[float(v) for v in ticks],
        ticktext=[f"{v:.2f}<br>{fmt_pace(float(v))}" for v in ticks],
    )
    return Plot("fig-cadence", "", caption, fig, height_px=440)


# --- (e) per km ------------------------------------------------------------------------------


def per_km(analysis: RunAnalysis, rows: list[dict[str, Any]]) -> Plot:
    """Per-km asymmetry: % left balance (with the healthy-runner zones) or symmetry angle per km."""
    if not rows:
        return Plot(
            "fig-km",
            "",
            "",
            skipped="this file has no distance (no GPS, foot pod or treadmill distance).",
        )
    keys = [r.key for r in analysis.asymmetry]

    def present(k: str) -> bool:
        return any(row.get(k) is not None for row in rows)

    bal_keys = [k for k in keys if present(f"{k}:balance_left_pct")]
    other = [k for k in keys if k not in bal_keys and present(k)]
    if not bal_keys and not other:
        why = (
            "this file has no left/right data."
            if not keys
            else "no kilometre has a left/right value from steady running."
        )
        return Plot("fig-km", "", "", skipped=why)
    if len(rows) < 2:
        return Plot("fig-km", "", "", skipped="the run covered less than 2 km; see the table.")
    x = _f32([(row["start"] + row["end"]) / 2000.0 for row in rows])
    fig = go.Figure()
    if bal_keys:
        edges = _zone_edges()
        vals = [row.get(f"{k}:balance_left_pct") for k in bal_keys for row in rows]
        fv = [v for v in vals if v is not None]
        y_lo = min(min(fv), edges["red_max"] - 0.6) - 0.3
        y_hi = max(max(fv), edges["red_min"] + 0.6) + 0.3
        for a, b, col in (
            (y_lo, edges["red_max"], C_RED),
            (edges["red_max"], edges["green_min"], C_ORANGE),
            (edges["green_min"], edges["green_max"], C_GREEN),
            (edges["green_max"], edges["red_min"], C_ORANGE),
            (edges["red_min"], y_hi, C_RED),
        ):
            fig.add_hrect(y0=a, y1=b, fillcolor=col, line_width=0, layer="below")
        for i, k in enumerate(bal_keys):
            y = [row.get(f"{k}:balance_left_pct") for row in rows]
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=_f32([np.nan if v is None else v for v in y]),
                    mode="lines+markers",
                    line={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2.5},
                    marker={"size": 8},
                    name=f"{_sa_label(k)}: % left",
                    hovertemplate="km %{x:.1f}<br>%{y:.2f} % left<extra></extra>",
                )
            )
        fig.update_yaxes(range=[y_lo, y_hi])
        y_title = BALANCE_AXIS_TITLE
        cap = ("Mean % left balance of steady running in each kilometre, over the healthy-runner "
               "range (green), above typical (orange) and marked (red).")
    else:
        for i, k in enumerate(other):
            y = [row.get(k) for row in rows]
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=_f32([np.nan if v is None else v for v in y]),
                    mode="lines+markers",
                    line={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2.5},
                    name=_sa_label(k),
                )
            )
        fig.add_hline(y=0.0, line={"color": "#6b7280", "width": 1})
        y_title = "symmetry angle (% SA) or left − right"
        cap = "Mean asymmetry of steady running in each kilometre (positive = left larger)."
    _base_layout(fig, height=360, x_title="distance (km)", y_title=y_title)
    fig.update_layout(showlegend=len(fig.data) > 1)
    return Plot("fig-km", "", cap, fig, height_px=360)


def build_plots(analysis: RunAnalysis, km_rows: list[dict[str, Any]]) -> dict[str, list[Plot]]:
    """All report figures, grouped by report section."""
    return {
        "balance": [balance_over_time(analysis)],
        "context": asymmetry_by_context(analysis),
        "drift": drift_plots(analysis),
        "cadence": [cadence_vs_speed(analysis)],
        "km": [per_km(analysis, km_rows)],
    }
