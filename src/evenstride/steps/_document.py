# SPDX-License-Identifier: MIT
"""The ``evenstride steps`` document: the run document of a per-step recording plus what only
per-step data has (stride variability, how the events were found, one-sided recordings).

Input: the analysed activity built from steps. Output: the ``evenstride.run/1`` document with the
keys ``variability``, ``events`` (lab recordings) and ``one_sided`` (docs/json-schema.md).
"""

from __future__ import annotations

from typing import Any, Protocol

from evenstride.datatypes import Activity


class _RunDocument(Protocol):
    """What the document needs of :class:`evenstride.pipeline.RunAnalysis` (steps/ comes before
    the pipeline and does not import it)."""

    activity: Activity

    def to_dict(self) -> dict[str, Any]: ...


__all__ = ["steps_document", "stride_variability"]

#: Lab-recording keys of ``meta.extra`` copied to the document's ``events`` block.
_EVENT_KEYS = ("event_source", "event_method", "n_contacts", "contacts_per_side",
               "contacts_excluded", "alternating_pairs", "side_consistency",
               "belt_speed_from_markers_m_s", "marker_layout", "kinematics",
               "standing_angles_deg")


def steps_document(res: _RunDocument, act: Activity) -> dict[str, Any]:
    """``res.to_dict()`` with ``variability``, and ``events`` / ``one_sided`` when they apply."""
    doc = res.to_dict()
    # the analysed activity: implausible values already excluded (preprocessing.plausibility)
    doc["variability"] = stride_variability(res.activity if res.activity.meta is act.meta else act)
    ex = act.meta.extra
    if ex.get("event_source") in ("force", "markers"):  # lab recordings: how steps were found
        doc["events"] = {k: ex[k] for k in _EVENT_KEYS if k in ex}
    if ex.get("one_sided"):
        doc["one_sided"] = {
            "location": ex.get("location"),
            "instrumented_side": ex.get("instrumented_side"),
            "left_right_asymmetry": None,
            "reason": ex.get("asymmetry"),
        }
    return doc


def stride_variability(act: Activity) -> dict[str, Any]:
    """Stride-time CV and DFA α of the per-stride rows (one row per left stride), with the
    minimum-length rule of docs/methods.md (≥ 600 strides, else low confidence)."""
    import numpy as np

    from evenstride import consts
    from evenstride.metrics.variability import dfa_alpha, stride_cv

    only_running = bool(act.meta.extra.get("one_sided"))
    if only_running:  # one leg: a row per impact, cadence = 120 / stride; running strides only
        from evenstride.steps._accel_only import RUNNING_MAX_STRIDE_S

        cad = act.samples[consts.CADENCE_SPM]
        d = 120.0 / cad[np.isfinite(cad) & (cad > 0)]
        d = d[d < RUNNING_MAX_STRIDE_S]
    else:
        t = act.samples[consts.TIME_S]
        d = np.diff(t)
        med = float(np.median(d)) if len(d) else 0.0
        d = d[(d > 0) & (d < 1.6 * med)] if med > 0 else d[:0]  # pauses and gaps are not strides
    if len(d) < 10:
        return {"n_strides": len(d), "stride_cv_pct": None, "dfa_alpha": None,
                "dfa_note": "too few strides"}
    r = dfa_alpha(d)
    out: dict[str, Any] = {"strides": "running strides only (< 0.9 s)"} if only_running else {}
    return out | {
        "n_strides": len(d),
        "stride_cv_pct": round(float(stride_cv(d)), 3),
        "dfa_alpha": None if r.alpha is None else round(float(r.alpha), 3),
        "dfa_low_confidence": bool(r.low_confidence),
        "dfa_note": r.reason or None,
    }
