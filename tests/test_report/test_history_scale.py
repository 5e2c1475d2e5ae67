# SPDX-License-Identifier: MIT
"""The history report's figures built as plain dicts (issue 15: linear in runs) are the figures
plotly built one ``add_annotation`` at a time."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from evenstride.report import figures
from evenstride.report.history import _turning_plot


def _weeks(n: int) -> list[dict]:
    return [
        {"week": f"2024-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d}",
         "turning": {"left_s": 60.0 * (1 + i % 3), "right_s": 45.0 * (1 + i % 2)},
         "track_sessions": i % 3 == 0}
        for i in range(n)
    ]


def _old_turning(rows: list[dict]) -> go.Figure:
    """The figure as built before the batching (bars, then one add_annotation per track week)."""
    fig = go.Figure()
    x = [w["week"] for w in rows]
    for side, colour in (("left", figures.C_LEFT), ("right", figures.C_RIGHT)):
        fig.add_trace(go.Bar(
            x=x, y=figures._f32([w["turning"][f"{side}_s"] / 60.0 for w in rows]),
            name=f"{side}-hand bends", marker_color=colour,
            hovertemplate="week of %{x}<br>%{y:.1f} min<extra>" + side + "</extra>"))
    for w in rows:
        if w["track_sessions"]:
            fig.add_annotation(x=w["week"], y=1.0, yref="paper", text="track", showarrow=False,
                               font={"size": 11, "color": figures.C_RIGHT})
    fig.update_layout(template=figures.TEMPLATE, height=340, xaxis_title="",
                      yaxis_title="time on bends (min)",
                      legend={"orientation": "h", "y": -0.18, "x": 0})
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_xaxes(type="date")
    return fig


def test_turning_plot_annotations_batched_give_the_same_figure():
    rows = _weeks(40)
    p = _turning_plot({"surface": {"weekly": rows}})
    assert isinstance(p.figure, dict)  # built as plotly's dict, written without validation
    new = p.figure["layout"]["annotations"]
    assert len(new) == sum(w["track_sessions"] for w in rows) == 14
    # byte for byte the JSON plotly's graph objects wrote
    assert pio.to_json(p.figure, validate=False) == _old_turning(rows).to_json()
