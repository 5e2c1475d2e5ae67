# SPDX-License-Identifier: MIT
"""The history report's figures, built as plain dicts (issue 15: no plotly validation per point,
shape or annotation), are the figures plotly would write, and show every point, line, shape and
annotation of the history they draw: nothing lost, nothing changed.

Each figure is checked two ways. Through plotly: the dict, validated by ``go.Figure``, gives
the same JSON (plotly neither rejects nor rewrites any property). Against the history: each run
is a marker at its date with its value, each baseline period a band and a line at its mean ± the
MDC95, each device change of the metric a dashed line, each real change a purple line with its
label, each longest-run flag a red line, each track week a "track" note, each day a load bar.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.io.json import to_json_plotly

from evenstride.history import AsymmetryEntry, History, RunRecord, build_history
from evenstride.report import history as H
from evenstride.report import render_history_report

KEY = "contact_time/running_dynamics"
T0 = datetime(2024, 1, 1, 7, tzinfo=UTC)  # a Monday
N = 84


def _records() -> list[RunRecord]:
    """12 weeks, a run every day: a strap change at run 30, a planted shift of +1.4 %-points of
    balance at run 56, a long run (3× the usual) at run 40, track runs every 9th day, trail
    runs every 7th, bends on every run, road runs with a declared road side."""
    rng = np.random.default_rng(11)
    out = []
    for i in range(N):
        bal = 51.0 + rng.normal(0.0, 0.25) + (0.8 if i >= 30 else 0.0) + (1.4 if i >= 56 else 0.0)
        sa = (bal - 50.0) * 1.273
        e = AsymmetryEntry(key=KEY, index="symmetry_angle_pct", value=sa,
                           ci95=(sa - 0.3, sa + 0.3), balance_left_pct=bal, n=2000, real=True,
                           cls="typical")
        surface = "track" if i % 9 == 0 else "trail" if i % 7 == 0 else "road"
        dur = 3 * 2400.0 if i == 40 else 2400.0 + 60.0 * (i % 5)
        out.append(RunRecord(
            activity_id=1000 + i, start_time=T0 + timedelta(days=i), duration_s=dur,
            distance_m=dur * 3.3, median_speed_m_s=3.0 + 0.1 * (i % 6),
            device_key="fr965 + hrm_pro" if i < 30 else "fr965 + hrm_600",
            surface=surface, is_track=surface == "track",
            track_direction="counterclockwise" if surface == "track" else None,
            asymmetry={KEY: e}, bend_left_s=300.0 + 10 * (i % 4), bend_right_s=120.0,
            road_running_s=dur if surface == "road" else 0.0,
            same_side_as_start_pct=60.0 if surface == "road" else None,
            trimp=50.0 + dur / 60.0))
    return out


@pytest.fixture(scope="module")
def history() -> History:
    return build_history(_records(), declared_road_side="left")


@pytest.fixture(scope="module")
def doc(history: History) -> dict:
    return history.to_dict()


@pytest.fixture(scope="module")
def plots(history: History, doc: dict) -> dict:
    ps = [H._asymmetry_plot(history, KEY, doc), H._load_plot(doc), H._weekly_distance_plot(doc),
          H._turning_plot(doc), H._camber_plot(doc), H._speed_plot(doc, KEY)]
    return {p.key: p for p in ps}


def _json(fig: object) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def _f32(arr: object) -> np.ndarray:
    """A typed array of the figure JSON back to numbers."""
    assert isinstance(arr, dict) and arr["dtype"] == "f4", arr
    return np.frombuffer(base64.b64decode(arr["bdata"]), dtype="<f4")


def test_every_history_plot_is_drawn(plots: dict) -> None:
    skipped = {k: p.skipped for k, p in plots.items() if p.figure is None}
    assert not skipped


def test_each_figure_is_what_plotly_writes_for_it(plots: dict) -> None:
    for key, p in plots.items():
        assert isinstance(p.figure, dict), key
        mine = _json(p.figure)
        theirs = json.loads(go.Figure(p.figure).to_json())  # validated: raises on a bad property
        assert mine == theirs, key
        assert mine["layout"]["template"] == json.loads(H.figures.TEMPLATE.to_json()), key


def test_asymmetry_figure_shows_every_run_period_and_change(plots, history, doc) -> None:
    fig = _json(plots["hist-asym-contact-time-running-dynamics"].figure)
    md = doc["metrics"][KEY]
    pts = history.metrics[KEY].points
    assert len(pts) == N
    # every run once, at its date, with its value (float32), its id in the hover data
    runs = [t for t in fig["data"] if t["name"].startswith("run (")]
    assert {t["name"] for t in runs} == {f"run ({s})" for s in ("road", "track", "trail")}
    got = sorted((x, float(y), c[0]) for t in runs
                 for x, y, c in zip(t["x"], _f32(t["y"]), t["customdata"], strict=True))
    want = sorted((p.t.date().isoformat(), float(np.float32(p.x)), str(p.run.activity_id))
                  for p in pts)
    assert got == want
    # one band and one line for all baseline periods, at each period's mean ± MDC95
    regs, mdc = md["regimes"], md["noise_floor"]["mdc95"]
    assert len(regs) >= 2 and mdc is not None
    band, = (t for t in fig["data"] if t["name"] == "baseline ± noise floor (MDC95)")
    line, = (t for t in fig["data"] if t["name"] == "personal baseline (per period)")
    assert len(band["x"]) == 6 * len(regs) and len(line["x"]) == 3 * len(regs)
    for i, r in enumerate(regs):
        assert band["x"][6 * i:6 * i + 5] == [r["start"], r["end"], r["end"], r["start"],
                                              r["start"]]
        assert band["y"][6 * i:6 * i + 5] == pytest.approx(
            [r["mean"] + mdc, r["mean"] + mdc, r["mean"] - mdc, r["mean"] - mdc, r["mean"] + mdc])
        assert line["y"][3 * i:3 * i + 2] == [r["mean"], r["mean"]]
        assert line["text"][3 * i] == r["reason"]
    # every device change of the metric a dashed line on the hidden axis; every real change a
    # purple line with its label
    dates = sorted({dc["date"] for dc in doc["device_changes"]
                    if any(s["metric"] == KEY for s in dc["steps"])})
    assert dates
    dev, = (t for t in fig["data"] if t["name"] == f"device change ({len(dates)})")
    assert dev["x"] == [v for d in dates for v in (d, d, None)] and dev["yaxis"] == "y2"
    assert fig["layout"]["yaxis2"]["visible"] is False
    started = [c["started"] for c in md["changes"] if c["started"]]
    assert started
    assert [s["x0"] for s in fig["layout"]["shapes"]] == started
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["change in the runner"] * len(
        started)
    assert all(s["line"]["color"] == H.C_CHANGE for s in fig["layout"]["shapes"])
    weekly, = (t for t in fig["data"] if t["name"] == "weekly mean")
    assert len(weekly["x"]) == len({(p.t.date() - timedelta(days=p.t.date().weekday() - 3))
                                    for p in pts})


def test_load_figures_show_every_day_week_and_flag(plots, doc) -> None:
    load = doc["load"]
    fig = _json(plots["hist-load"].figure)
    bars, _acute, _chronic, acwr = fig["data"]
    assert bars["type"] == "bar" and bars["x"] == [r["date"] for r in load["daily"]]
    assert _f32(bars["y"]).tolist() == pytest.approx(
        [r["load"] or 0.0 for r in load["daily"]], rel=1e-6)
    assert acwr["yaxis"] == "y2" and fig["layout"]["yaxis2"]["title"]["text"] == "ACWR"
    flags = load["longest_run_flags"]
    assert flags, "the planted long run is flagged"
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [f["date"] for f in flags]
    assert [a["text"] for a in fig["layout"]["annotations"]] == [
        f"long run {f['band']}" for f in flags]
    week = _json(plots["hist-weekly"].figure)["data"][0]
    assert week["x"] == [w["week"] for w in load["weekly"]]
    assert _f32(week["y"]).tolist() == pytest.approx(
        [w["distance_km"] for w in load["weekly"]], rel=1e-6)


def test_surface_and_speed_figures(plots, doc) -> None:
    rows = [w for w in doc["surface"]["weekly"]
            if (w["turning"]["left_s"] or 0) + (w["turning"]["right_s"] or 0)]
    turn = _json(plots["hist-turning"].figure)
    assert [t["name"] for t in turn["data"]] == ["left-hand bends", "right-hand bends"]
    assert _f32(turn["data"][0]["y"]).tolist() == pytest.approx(
        [w["turning"]["left_s"] / 60.0 for w in rows], rel=1e-6)
    track = [w["week"] for w in rows if w["track_sessions"]]
    assert len(track) >= 5
    assert [a["x"] for a in turn["layout"]["annotations"]] == track
    cam = _json(plots["hist-camber"].figure)
    assert cam["layout"]["barmode"] == "stack" and cam["layout"]["yaxis"]["range"] == [0, 100]
    speed = _json(plots["hist-speed-contact-time-running-dynamics"].figure)
    sc = doc["metrics"][KEY]["speed_curve"]
    across = speed["data"][0]
    assert _f32(across["y"]).tolist() == pytest.approx(
        [r["mean_relative"] for r in sc["across_runs"]], rel=1e-6, abs=1e-7)
    assert speed["layout"]["shapes"][0]["xref"] == "x domain"  # the zero line


def test_page_embeds_each_figure_as_built(history, plots) -> None:
    html = render_history_report(history, athlete="A")
    for key, p in plots.items():
        assert f'<div id="{key}"' in html
        # the page holds the figure's data exactly as the figure dict serialises
        assert to_json_plotly(p.figure["data"]) in html


#: Per-figure values that come from the history (checked above against it), left out of the
#: style digest below so that a change in the history's numbers does not move it.
_DATA_KEYS = frozenset({"x", "y", "x0", "x1", "customdata", "text", "array", "bdata", "range"})


def _style(obj: object) -> object:
    """``obj`` without its data values, each list reduced to its distinct styles (so neither
    the number of runs, weeks or changes nor their values count, only how each is drawn)."""
    if isinstance(obj, dict):
        return {k: _style(v) for k, v in sorted(obj.items()) if k not in _DATA_KEYS}
    if isinstance(obj, list):
        return sorted({json.dumps(_style(v), sort_keys=True) for v in obj})
    if isinstance(obj, str):
        return "".join("#" if c.isdigit() else c for c in obj) if "(" in obj else obj
    return obj


#: sha256 of every figure's style (colours, widths, dashes, names, hover templates, axes,
#: legend, template), frozen from the figures plotly's graph objects built before the figures
#: became plain dicts (the same bytes). A deliberate change of how the page draws updates it.
STYLE_DIGEST = "66356453d263bc89fe2fdbcf0fdb3e2c376172a28c3d7e964f60b267e6e4c706"


def test_figures_are_drawn_as_before(plots) -> None:
    import hashlib

    style = {k: _style(_json(p.figure)) for k, p in sorted(plots.items())}
    got = hashlib.sha256(json.dumps(style, sort_keys=True).encode()).hexdigest()
    assert got == STYLE_DIGEST, json.dumps(style, indent=1)[:3000]
