# SPDX-License-Identifier: MIT
"""A video clip → its per-step analysis and JSON document (issue 16), for the CLI and the web app.

:func:`run_video`: :func:`evenstride.steps.video.analyze_video` →
:func:`evenstride.pipeline.analyze` (the same engine as every per-step source) → the
``evenstride steps`` document plus a ``video`` block (docs/json-schema.md): clip facts, frames
used, view, cleaning, cadence, evidence grades and the per-step values per side. Nothing is
stored.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError

if TYPE_CHECKING:
    from evenstride.pipeline import RunAnalysis
    from evenstride.steps.video import VideoAnalysis

__all__ = ["LEG_LENGTH_RANGE_CM", "run_video", "video_block"]


#: Plausible leg length (greater trochanter or hip joint centre to the floor), cm.
LEG_LENGTH_RANGE_CM = (50.0, 130.0)


def run_video(path: str, *, view: str | None = None, seed: int = 0,
              leg_length_cm: float | None = None,
              ) -> tuple[VideoAnalysis, RunAnalysis, dict[str, Any]]:
    """Video → per-step activity → run pipeline → the JSON document.

    The engine's distances stay a share of the leg length measured in the clip (scale-free);
    ``leg_length_cm`` (the profile's, or ``--leg-length-cm``) adds each one in centimetres."""
    if leg_length_cm is not None and not (
            LEG_LENGTH_RANGE_CM[0] <= leg_length_cm <= LEG_LENGTH_RANGE_CM[1]):
        raise UserInputError(f"leg length {leg_length_cm:g} cm is not plausible "
                             f"({LEG_LENGTH_RANGE_CM[0]:g}–{LEG_LENGTH_RANGE_CM[1]:g} cm)",
                             path=path)
    from evenstride.io import detect_input
    from evenstride.pipeline import analyze, merge_warnings
    from evenstride.steps import steps_document
    from evenstride.steps.video import analyze_video

    if detect_input(path) != "video":
        raise ParseError("not a video clip (MP4, MOV, MKV or AVI)", path=path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EvenstrideWarning)
        va = analyze_video(path, view=view)
        res = analyze(va.activity, seed=seed)
    merge_warnings(res.warnings, caught, res.file)
    doc = steps_document(res, va.activity)
    doc["video"] = video_block(va, leg_length_cm=leg_length_cm)
    return va, res, doc


def _r(x: float, nd: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def video_block(va: VideoAnalysis, *, leg_length_cm: float | None = None) -> dict[str, Any]:
    """The ``video`` block of the JSON document (with ``leg_length_cm``: each per-side median of
    a "% leg" metric also as ``median_cm``)."""
    import numpy as np

    from evenstride.steps.video import GRADES, per_step_values

    vals = per_step_values(va.gait)
    metrics: dict[str, Any] = {}
    for metric, by_side in vals.items():
        grade, why = GRADES[metric]
        entry: dict[str, Any] = {"grade": grade, "why": why}
        for side, v in by_side.items():
            f = v[np.isfinite(v)]
            entry[side] = {"median": _r(float(np.median(f)), 4) if len(f) else None,
                           "n": len(f), "per_step": [_r(float(x), 4) for x in v]}
            if leg_length_cm is not None and metric.endswith("_pct_leg") and len(f):
                entry[side]["median_cm"] = _r(float(np.median(f)) / 100.0 * leg_length_cm, 2)
        metrics[metric] = entry
    out = {k: v for k, v in va.summary.items() if k != "grades"}
    out["leg_length_cm"] = leg_length_cm  # None: distances only as a share of the leg
    out["metrics"] = metrics
    out["contacts"] = {side: {"ic_s": [round(float(x), 4) for x in ss.ic_s],
                              "tc_s": [round(float(x), 4) for x in ss.tc_s]}
                       for side, ss in va.gait.sides.items()}
    return out
