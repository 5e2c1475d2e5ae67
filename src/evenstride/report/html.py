# SPDX-License-Identifier: MIT
"""Render a :class:`~evenstride.pipeline.RunAnalysis` as one self-contained HTML page.

Formatting only. The numbers come from :meth:`RunAnalysis.to_dict` (so the page and the JSON
agree digit for digit), from :meth:`RunAnalysis.profile` and, for the figures, from the arrays of
the analysis (:mod:`evenstride.report.figures`). The only arithmetic here is unit conversion for
display (s → ms, m → cm, m → km, m/s → pace).

The page loads nothing: CSS is inline, the plotly.js bundle is inlined once in ``<head>``
(the 1.2 MB *basic* bundle, :func:`evenstride.report.figures.plotly_js`; or one
``plotly.min.js`` beside several reports written together), and every figure is written
with ``include_plotlyjs=False``. The Jinja2 template autoescapes, so file names, device names
and every other string that comes from a file are inert.

Examples
--------
>>> from evenstride.simulate import simulate_run
>>> from evenstride.pipeline import analyze
>>> html = render_report(analyze(simulate_run(duration_s=1800, seed=3).activity))
>>> html.startswith("<!DOCTYPE html>"), html.count("Plotly.newPlot(") >= 5
(True, True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import plotly.io as pio
from markupsafe import Markup

import evenstride
from evenstride import consts
from evenstride.assessment import verdict_words
from evenstride.assessment._assess import metric_name, source_name
from evenstride.assessment.reference_bands import FORM_BANDS, NO_BAND_FOR_SENSOR
from evenstride.metrics import registry as reg
from evenstride.metrics._bootstrap import N_BOOT
from evenstride.metrics.asymmetry import MIN_CONTEXT_SAMPLES, MIN_STEPS_PER_SIDE
from evenstride.metrics.context import header_lines
from evenstride.metrics.drift import MIN_WINDOWS, ONSET_DELTA_BIC, WINDOW_S
from evenstride.report import figures
from evenstride.report.figures import fmt_pace

if TYPE_CHECKING:
    from evenstride.pipeline import RunAnalysis

__all__ = ["render_report", "write_report"]

_TEMPLATE_DIR = Path(__file__).with_name("templates")
_TEMPLATE = "report.html.j2"

#: Evidence grades, as explained in the legend of the report.
GRADE_TEXT = {
    "V": "verified: checked against a published source (abstract, table, manual page)",
    "S": "secondary: seen only in a secondary source",
    "U": "unverified or extrapolated beyond the population or sensor it came from",
}

#: CSS class of each assessment class (colour of the chip).
CLASS_CSS = {
    "marked": "cls-marked",
    "notable": "cls-notable",
    "typical": "cls-typical",
    "no reference": "cls-noref",
    "within noise": "cls-noise",
    "insufficient data": "cls-insufficient",
}

# Display names and unit conversions of bilateral columns: from the metric registry.
_COLUMN_DISPLAY: dict[str, tuple[str, str, float, int]] = {
    # column: (name, display unit, factor from the canonical unit, decimals)
    c.column: (c.title, c.display_unit, c.display_factor, c.decimals)
    for c in reg.COLUMNS.values()
}

#: Key of the grade in :meth:`RunAnalysis.profile` rows (computed by gating, not a sample column).
_PROFILE_GRADE = "grade_pct"

_LABEL_ROWS = (
    # key, label, share of
    ("running", "Running", "recorded time"),
    ("walking", "Walking", "recorded time"),
    ("stopped", "Stopped", "recorded time"),
    ("steady_running", "Steady running (analysed)", "recorded time"),
    ("accelerating", "Accelerating / settling after a stop", "running time"),
    ("drill", "Drills (single-leg hops, skips: balance far from 50 %)", "running time"),
    ("straight", "Straight", "running time"),
    ("bend_left", "Left-hand bends", "running time"),
    ("bend_right", "Right-hand bends", "running time"),
    ("uphill", "Uphill", "running time"),
    ("flat", "Flat", "running time"),
    ("downhill", "Downhill", "running time"),
)


# --- formatting helpers ----------------------------------------------------------------------


def fmt_hms(seconds: float | None) -> str:
    """``h:mm:ss`` (always with hours), "–" for None."""
    if seconds is None:
        return "–"
    s = round(seconds)
    sign = "−" if s < 0 else ""
    h, rem = divmod(abs(s), 3600)
    m, sec = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}"


def fmt_num(x: float | None, nd: int = 2, *, signed: bool = False, unit: str = "") -> str:
    """A number with ``nd`` decimals (Unicode minus), its unit after a thin space; "–" if None."""
    if x is None:
        return "–"
    s = f"{x:+.{nd}f}" if signed else f"{x:.{nd}f}"
    if float(s) == 0.0:  # no "−0.0" or "+0.0"
        s = f"{0.0:.{nd}f}"
    s = s.replace("-", "−")
    return f"{s}\u202f{unit}" if unit else s


def fmt_ci(ci: list[float | None] | None, nd: int = 2, *, signed: bool = False) -> str:
    if ci is None or ci[0] is None or ci[1] is None:
        return ""
    return f"{fmt_num(ci[0], nd, signed=signed)} to {fmt_num(ci[1], nd, signed=signed)}"


#: Class words on the page (the JSON keeps the class keys).
_CLASS_WORDS = {"notable": "above typical", "insufficient data": "can't tell"}


def _display_unit(unit: str) -> tuple[str, float, int]:
    """Display unit, factor and decimals for a side-specific metric's values."""
    if unit == "s":
        return "ms", 1000.0, 1
    if unit == "g":
        return "g", 1.0, 2
    if unit == "m":
        return "m", 1.0, 3
    if unit == "W":
        return "W", 1.0, 0
    return unit, 1.0, consts.UNIT_DISPLAY_DECIMALS.get(unit, 2)  # impulses: 4 (issue 10)


def _scaled(x: float | None, factor: float) -> float | None:
    return None if x is None else x * factor


def _metric_title(metric: str) -> str:
    name = metric_name(metric)
    return name[:1].upper() + name[1:]


def _key_title(key: str) -> str:
    metric, sep, source = key.partition("/")
    if sep:
        return f"{_metric_title(metric)} asymmetry ({source_name(source)})"
    disp = _COLUMN_DISPLAY.get(key)
    return disp[0] if disp else key.replace("_", " ")


# --- context builders --------------------------------------------------------------------------



def device_names(devices: Sequence[str]) -> list[str]:
    """The file's devices as a reader knows them, each once ("Garmin HRM4-Run", "Stryd"), and
    one entry counting those that name no model ("garmin 3107", "development 0")."""
    from evenstride.history import clean_device_name

    names: list[str] = []
    unnamed = 0
    for raw in devices:
        n = clean_device_name(raw)
        if n is None:
            unnamed += 1
        elif n not in names:
            names.append(n)
    if unnamed:
        names.append(f"{unnamed} more without a model name")
    return names

def _header(analysis: RunAnalysis, d: dict[str, Any]) -> dict[str, Any]:
    meta = analysis.activity.meta
    path = d["file"] or ""
    start = meta.start_time
    if start is None:
        date = "unknown"
    else:
        if start.tzinfo is not None:
            start = start.astimezone(UTC)
        date = start.strftime("%Y-%m-%d %H:%M") + " UTC"
    name = os.path.basename(path.rstrip("/\\")) or path
    if not name:
        name = f"{d['file_format'].capitalize()} run" + (f", {date}" if start else "")
    sport = d["sport"] or "unknown"
    if d["sub_sport"]:
        sport += f" / {d['sub_sport']}"
    segments = [
        {
            "sport": s["sport"] + (f" / {s['sub_sport']}" if s["sub_sport"] else ""),
            "start": fmt_hms(s["start_s"]),
            "end": fmt_hms(s["end_s"]),
            "analysed": s["analysed"],
        }
        for s in d["segments"]
    ]
    dist = d["distance_m"]
    return {
        "name": name,
        "path": path,
        "file_format": d["file_format"],
        "date": date,
        "sport": sport,
        "duration": fmt_hms(d["duration_s"]),
        "distance": "–" if dist is None else fmt_num(dist / 1000.0, 2, unit="km"),
        "devices": device_names(d["devices"]),
        "segments": segments,
        "multisport": len(segments) > 1,
        "analysed": fmt_hms(d["quality"]["analysed_s"]),
        "context_lines": header_lines(d.get("context")),  # track, multisport legs
        "indoor": analysis.gating.indoor,
        "warnings": list(d["warnings"]),
    }


def _evidence(ev: dict[str, Any]) -> dict[str, Any]:
    return {
        "grade": ev["grade"],
        "grade_text": GRADE_TEXT.get(ev["grade"], ev["grade"]),
        "sources": list(ev["sources"]),
        "note": ev["note"],
    }


def _findings(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "rank": f.get("rank"),
            "headline": bool(f.get("headline")),
            "topic": f["topic"],
            "title": f["title"],
            "sentence": f.get("sentence") or f["title"],
            "text": f["text"],
            "sensor": f.get("sensor") or "",
            "verdict": verdict_words(f.get("verdict")),
            "score": fmt_num(f.get("score"), 2),
            "trivial": bool(f.get("trivial")),
            "evidence": _evidence(f["evidence"]),
        }
        for f in d["findings"]
    ]


def _asymmetry_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for a in d["asymmetry"]:
        unit, factor, nd = _display_unit(a["unit"])
        is_sa = a["index"] == "symmetry_angle_pct"
        if is_sa:
            index = fmt_num(a["symmetry_angle_pct"], 2, signed=True, unit="%")
            index_ci = fmt_ci(a["ci95"], 2, signed=True)
            index_label = "SA"
        else:
            index = fmt_num(_scaled(a["difference"], factor), nd, signed=True, unit=unit)
            ci = a["ci95"]
            index_ci = fmt_ci(
                None if ci is None else [_scaled(ci[0], factor), _scaled(ci[1], factor)],
                nd,
                signed=True,
            )
            index_label = "L − R"
        bal_ci = a["balance_left_pct_ci95"]
        real = a["real"]
        spec = reg.spec(a["metric"])
        side = a.get("side_doing_more") if a.get("verdict", "real") == "real" else None
        miss = a.get("missing_share")
        rows.append(
            {
                "metric": _metric_title(a["metric"]),
                "source": a.get("sensor") or source_name(a["source"]),
                "side_more": "neither (not real for this run)" if side is None
                else spec.more_phrase(side),
                "larger_means": "" if spec.more_is_larger else spec.larger_means,
                "verdict": verdict_words(a.get("verdict")),
                "missing": None if miss is None else fmt_num(miss * 100.0, 0, unit="%"),
                "missing_high": miss is not None and miss > 0.2,
                "garmin_context": a.get("garmin_context"),
                "cls_words": _CLASS_WORDS.get(a["class"], a["class"]),
                "origin": a["origin"],
                "derived": a["derived_from_balance"],
                "unit": unit,
                "left": fmt_num(_scaled(a["left"], factor), nd, unit=unit),
                "right": fmt_num(_scaled(a["right"], factor), nd, unit=unit),
                "balance": fmt_num(a["balance_left_pct"], 2, unit="%"),
                "balance_ci": fmt_ci(bal_ci, 2),
                "index_label": index_label,
                "index": index,
                "index_ci": index_ci,
                "si": fmt_num(a["symmetry_index_pct"], 2, signed=True, unit="%"),
                "n": a["n"],
                "n_steps": "–" if a["n_steps"] is None else f"{a['n_steps']:.0f}",
                "n_eff": "–" if a["n_effective"] is None else f"{a['n_effective']:.0f}",
                "real": "–" if real is None else ("yes" if real else "no"),
                "real_css": "" if real is None else ("real-yes" if real else "real-no"),
                "cls": a["class"],
                "cls_css": CLASS_CSS.get(a["class"], "cls-noref"),
                "cls_reason": a["class_reason"],
                "evidence": _evidence(a["evidence"]),
            }
        )
    return rows


def _drift_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, f in d["fatigue"].items():
        unit, factor, nd = f["unit"], 1.0, 2
        if key == consts.CONTACT_TIME_S:
            unit, factor, nd = "ms", 1000.0, 1
        elif key == consts.CADENCE_SPM:
            nd = 1

        def sc(x: float | None, _f: float = factor) -> float | None:
            return _scaled(x, _f)

        ci = f["slope_ci95"]
        qci = f["quarter_difference_ci95"]
        onset_ci = f["onset_ci95"]
        rows.append(
            {
                "name": _key_title(key),
                "unit": unit,
                "slope": fmt_num(sc(f["slope_per_h"]), nd, signed=True, unit=f"{unit}/h"),
                "slope_ci": fmt_ci(None if ci is None else [sc(ci[0]), sc(ci[1])], nd, signed=True),
                "first": fmt_num(sc(f["first_quarter"]), nd, unit=unit),
                "last": fmt_num(sc(f["last_quarter"]), nd, unit=unit),
                "qdiff": fmt_num(sc(f["quarter_difference"]), nd, signed=True, unit=unit),
                "qdiff_ci": fmt_ci(
                    None if qci is None else [sc(qci[0]), sc(qci[1])], nd, signed=True
                ),
                "onset": fmt_hms(f["onset_s"]) if f["onset_s"] is not None else "none",
                "onset_ci": ""
                if onset_ci is None
                else f"{fmt_hms(onset_ci[0])}–{fmt_hms(onset_ci[1])}",
                "significant": "yes" if f["significant"] else "no",
                "adjusted_for": ", ".join(f["adjusted_for"]) or "–",
                "n_windows": f["n_windows"],
                "reason": f["reason"],
            }
        )
    return rows


def _form_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for col, s in d["form"]["summary"].items():
        name, unit, factor, nd = _COLUMN_DISPLAY.get(
            col, (col.replace("_", " "), s["unit"], 1.0, 2)
        )
        band = FORM_BANDS.get(col)
        evidence = None if band is None else band.evidence
        if s.get("band_note"):  # measured by a foot pod or per-foot/lab sensors: no Garmin band
            name = f"{name} ({s['sensor']})"
            shown = f"not graded: {s['band_note']}"
            evidence = NO_BAND_FOR_SENSOR
        else:
            shown = s.get("garmin_band") or "no Garmin band"
        rows.append(
            {
                "name": name,
                "median": fmt_num(_scaled(s["median"], factor), nd, unit=unit),
                "range": f"{fmt_num(_scaled(s['p10'], factor), nd)}–"
                f"{fmt_num(_scaled(s['p90'], factor), nd)}\u202f{unit}",
                "n": s["n"],
                "band": shown,
                "evidence": None if evidence is None else _evidence(evidence.to_dict()),
            }
        )
    return rows


def _cadence(d: dict[str, Any]) -> dict[str, Any]:
    cs = d["form"]["cadence_speed"]
    sug = cs["suggestion_spm"]
    return {
        "n_windows": cs["n_windows"],
        "reference_speed": fmt_num(cs["reference_speed_m_s"], 2, unit="m/s"),
        "reference_pace": fmt_pace(cs["reference_speed_m_s"]),
        "cadence_at_reference": fmt_num(cs["cadence_at_reference_spm"], 0, unit="steps/min"),
        "slope": fmt_num(cs["slope_spm_per_m_s"], 1, signed=True, unit="steps/min per m/s"),
        "intercept": fmt_num(cs["intercept_spm"], 1, unit="steps/min"),
        "residual_sd": fmt_num(cs["residual_sd_spm"], 1, unit="steps/min"),
        "low_share": None
        if cs["low_for_speed_share"] is None
        else fmt_num(cs["low_for_speed_share"] * 100.0, 0, unit="%"),
        "low_segments": [f"{fmt_hms(a)}–{fmt_hms(b)}" for a, b in cs["low_segments_s"]],
        "suggestion": None
        if sug is None
        else f"{fmt_num(sug[0], 0)}–{fmt_num(sug[1], 0)}\u202fsteps/min",
        "reason": cs["reason"],
    }


def _quality(d: dict[str, Any]) -> dict[str, Any]:
    q = d["quality"]
    labels = q["labels"]
    rows = []
    for key, label, of in _LABEL_ROWS:
        v = labels.get(key)
        rows.append(
            {
                "label": label,
                "value": "not known" if v is None else fmt_num(v * 100.0, 1, unit="%"),
                "of": of,
                "known": v is not None,
            }
        )
    drop = [
        {
            "label": f"Drop-outs: {_key_title(k)}",
            "value": fmt_num(v * 100.0, 1, unit="%"),
            "of": "running time",
            "known": True,
        }
        for k, v in q["dropouts"].items()
    ]
    why_unknown = []
    if labels.get("straight") is None:
        why_unknown.append("bends need GPS positions outdoors")
    if labels.get("flat") is None:
        why_unknown.append("grade needs altitude and distance outdoors")
    return {
        "rows": rows + drop,
        "n_samples": q["n_samples"],
        "analysed": fmt_hms(q["analysed_s"]),
        "indoor": bool(labels.get("indoor")),
        "why_unknown": why_unknown,
    }


def _km_table(d: dict[str, Any], analysis: RunAnalysis) -> dict[str, Any]:
    rows_in = d["profile_km"]
    cols: list[tuple[str, str, str, float, int, bool]] = []
    # (row key, header, unit, factor, decimals, signed)

    def present(k: str) -> bool:
        return any(r.get(k) is not None for r in rows_in)

    several = len({r.source for r in analysis.asymmetry}) > 1
    for r in analysis.asymmetry:
        src = f" ({source_name(r.source)})" if several else ""
        bk = f"{r.key}:balance_left_pct"
        if present(bk):
            cols.append((bk, f"{_metric_title(r.metric)} balance{src}", "% left", 1.0, 2, False))
    for r in analysis.asymmetry:
        src = f" ({source_name(r.source)})" if several else ""
        if present(r.key):
            unit, factor, nd = ("% SA", 1.0, 2) if r.ratio_scale else _display_unit(r.unit)
            head = "symmetry angle" if r.ratio_scale else "L − R"
            cols.append((r.key, f"{_metric_title(r.metric)} {head}{src}", unit, factor, nd, True))
    for k, head, unit, factor, nd in (
        (consts.CADENCE_SPM, "Cadence", "steps/min", 1.0, 0),
        (consts.CONTACT_TIME_S, "Contact time", "ms", 1000.0, 0),
        (_PROFILE_GRADE, "Grade", "%", 1.0, 1),
    ):
        if present(k):
            cols.append((k, head, unit, factor, nd, k == _PROFILE_GRADE))
    rows = []
    several_legs = len({r.get("leg", 1) for r in rows_in}) > 1
    for r in rows_in:
        cells = [fmt_num(_scaled(r.get(k), f), nd, signed=sg) for k, _, _, f, nd, sg in cols]
        leg = f"leg {r.get('leg', 1)}: " if several_legs else ""
        rows.append(
            {
                "km": f"{leg}{r['start'] / 1000:.1f}–{r['end'] / 1000:.1f}",
                "pace": fmt_pace(r.get(consts.SPEED_M_S)),
                "cells": cells,
            }
        )
    return {"headers": [(h, u) for _, h, u, _, _, _ in cols], "rows": rows}


def _references(d: dict[str, Any], analysis: RunAnalysis) -> list[dict[str, Any]]:
    seen: dict[str, set[str]] = {}
    evs: list[dict[str, Any]] = [a["evidence"] for a in d["asymmetry"]]
    evs += [f["evidence"] for f in d["findings"]]
    evs += [x["evidence"] for x in d["disagreements"]]
    evs += [
        FORM_BANDS[s.column].evidence.to_dict() for s in analysis.form if s.column in FORM_BANDS
    ]
    for ev in evs:
        for src in ev["sources"]:
            seen.setdefault(src, set()).add(ev["grade"])
    return [{"source": s, "grades": "/".join(sorted(g))} for s, g in seen.items()]


def _plot_html(plot: figures.Plot) -> Markup:
    assert plot.figure is not None
    # a figure dict (the history report's) is written as it is (validate=False: its builder
    # answers for it); a graph object's dict comes from its own Figure.to_dict()
    html = pio.to_html(
        plot.figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=plot.key,
        config=figures.CONFIG,
        default_width="100%",
        default_height=f"{plot.height_px}px",
        validate=False,
    )
    # plotly writes "<" inside the figure JSON as \u003c, so no string can close the script.
    return Markup(html)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@lru_cache(maxsize=1)
def _plotly_js() -> Markup:
    """The plotly.js bundle to inline (:func:`evenstride.report.figures.plotly_js`)."""
    return Markup(figures.plotly_js())


#: Chip of each "is this normal for you?" verdict.
_PERSONAL_CSS = {"within": "cls-typical", "beyond": "cls-notable",
                 "cannot tell": "cls-insufficient"}


def _personal_ctx(pb: dict[str, Any] | None) -> dict[str, Any] | None:
    """The "Is this normal for you?" section from the ``personal_baseline`` document part
    (:func:`evenstride.history.personal_baseline`); ``None`` hides the section."""
    if not pb:
        return None
    rows = []
    for m in pb["metrics"]:
        ratio = m["index"] == "symmetry_angle_pct"
        nd = 2 if ratio else 3
        u = m.get("usual") or {}
        bal = m.get("balance_left_pct")
        if bal is not None and u.get("balance_left_pct") is not None:
            usual = fmt_num(u["balance_left_pct"], 1, unit="% left")
            if u.get("balance_sd") is not None:
                usual = f"{fmt_num(u['balance_left_pct'], 1)} ± {fmt_num(u['balance_sd'], 1)}" \
                        "\u202f% left"
        elif u:
            usual = fmt_num(u.get("mean"), nd, signed=True, unit=m["unit"])
            if u.get("sd") is not None:
                usual += f" ± {fmt_num(u['sd'], nd)}"
        else:
            usual = "–"
        today = (fmt_num(bal, 1, unit="% left") if bal is not None
                 else fmt_num(m["value"], nd, signed=True, unit=m["unit"]))
        n = m["n_comparable_runs"]
        rows.append({
            "title": _key_title(m["key"]),
            "today": today,
            "usual": usual,
            "n": f"{n} run{'s' if n != 1 else ''}"
            + (f" since {u['since']}" if u.get("since") else ""),
            "move": fmt_num(m["deviation"], nd, signed=True, unit=m["unit"]),
            "mdc": "no noise floor yet" if m["mdc95"] is None
            else f"MDC95 {fmt_num(m['mdc95'], nd, unit=m['unit'])}",
            "status": {"within": "within your noise floor", "beyond": "beyond your noise floor",
                       "cannot tell": "can't tell"}[m["status"]],
            "css": _PERSONAL_CSS[m["status"]],
            "reason": m["reason"] or "",
        })
    return {"summary": pb["summary"], "rows": rows, "note": pb["note"],
            "method": pb["method"][:1].upper() + pb["method"][1:],
            "grade": (pb.get("evidence") or {}).get("grade", "V")}


def render_report(
    analysis: RunAnalysis,
    *,
    plotly_src: str | None = None,
    app_head: Markup | None = None,
    app_nav: Markup | None = None,
    personal: dict[str, Any] | None = None,
) -> str:
    """Render ``analysis`` as a self-contained HTML page (see module docstring).

    Parameters
    ----------
    analysis
        The result of :func:`evenstride.pipeline.analyze`.
    plotly_src
        Load plotly.js from this URL instead of inlining it (the web app serves it once, from
        its own origin); ``None`` (default) inlines it, so the file works offline on its own.
    app_head, app_nav
        Trusted markup put at the end of ``<head>`` and at the start of ``<body>`` (the web
        app's style sheet and navigation). Never user text: it is not escaped here.
    personal
        The run against the runner's own history (``personal_baseline`` of
        :func:`evenstride.history.personal_baseline`): shown as "Is this normal for you?".

    Returns
    -------
    str
        The HTML page. It loads no external resource.
    """
    d = analysis.to_dict()
    plot_groups = figures.build_plots(analysis, d["profile_km"])
    rendered: dict[str, list[dict[str, Any]]] = {}
    n_fig = 0
    for section, plots in plot_groups.items():
        items = []
        for p in plots:
            items.append(
                {
                    "key": p.key,
                    "subtitle": p.subtitle,
                    "caption": p.caption,
                    "html": None if p.figure is None else _plot_html(p),
                    "skipped": p.skipped,
                    "height": p.height_px,
                }
            )
            n_fig += p.figure is not None
        rendered[section] = items
    ctx = {
        "version": evenstride.__version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "header": _header(analysis, d),
        "findings": _findings(d),
        "headlines": [f for f in _findings(d) if f["headline"]],
        "grades": GRADE_TEXT,
        "sign_convention": d["sign_convention"],
        "has_sided": bool(analysis.activity.sided),
        "asymmetry": _asymmetry_rows(d),
        "plots": rendered,
        "drift_rows": _drift_rows(d),
        "form_rows": _form_rows(d),
        "cadence": _cadence(d),
        "quality": _quality(d),
        "km": _km_table(d, analysis),
        "references": _references(d, analysis),
        "methods": {
            "n_boot": N_BOOT,
            "min_steps": MIN_STEPS_PER_SIDE,
            "min_context": MIN_CONTEXT_SAMPLES,
            "drift_window_s": f"{WINDOW_S:.0f}",
            "min_windows": MIN_WINDOWS,
            "onset_bic": f"{ONSET_DELTA_BIC:.0f}",
        },
        "class_css": CLASS_CSS,
        "plotly_js": _plotly_js() if n_fig and plotly_src is None else None,
        "plotly_src": plotly_src if n_fig else None,
        "app_head": app_head or Markup(""),
        "app_nav": app_nav or Markup(""),
        "personal": _personal_ctx(personal),
    }
    return _environment().get_template(_TEMPLATE).render(**ctx)


def write_report(
    analysis: RunAnalysis,
    path: str | os.PathLike[str],
    *,
    plotly_src: str | None = None,
    personal: dict[str, Any] | None = None,
) -> Path:
    """Render ``analysis`` and write it to ``path`` (UTF-8); returns the path written.

    ``plotly_src`` (e.g. the name :func:`evenstride.report.figures.write_plotly_js` returned
    for the same folder) makes several reports written together share one bundle beside them.
    """
    out = Path(path)
    out.write_text(render_report(analysis, plotly_src=plotly_src, personal=personal),
                   encoding="utf-8")
    return out
