# SPDX-License-Identifier: MIT
"""The part of a run document the athlete's history is built from, kept in its own column.

Building a history of 3,000 runs from the whole stored documents (about 18.6 KB of JSON each,
zlib-compressed: findings, profiles, drift, notes …) spent most of its time decompressing and
decoding what it never reads. :func:`history_part` keeps exactly the keys that
``evenstride.history.RunRecord.from_run_doc`` reads — each kept as the document has it (same
JSON value, so the same Python type and float) — and the store writes it to
``activities.history_doc`` (schema version 5) with every run. A history built from those rows is
the history built from the documents, value for value (``tests/test_store/test_history_part.py``
compares the records built both ways over the shared real files and the simulated ones).

The store is persistence only and does not import the history; this projection is therefore
spelled out here, as data. A key the record starts reading must be added to :data:`PART`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["PART", "history_part", "history_part_json"]

#: Keys kept at each level: ``True`` keeps the value whole, a mapping keeps those keys of a
#: nested object, a one-element list applies its spec to each element of a list.
#: ``asymmetry[]`` entries also keep the key their ``index`` names (the run's index value).
PART: Final[Mapping[str, Any]] = {
    "start_time": True,
    "duration_s": True,
    "distance_m": True,
    "sport": True,
    "sub_sport": True,
    "devices": True,
    "asymmetry": [{
        "metric": True,
        "source": True,
        "index": True,
        "symmetry_angle_pct": True,
        "difference": True,
        "ci95": True,
        "balance_left_pct": True,
        "n": True,
        "real": True,
        "class": True,
        "unit": True,
        "by_context": [{
            "context": True,
            "n": True,
            "symmetry_angle_pct": True,
            "difference": True,
            "mean_speed_m_s": True,
        }],
    }],
    "context": {
        "surface": True,
        "route_shape": True,
        "load": {
            "duration_s": True,
            "median_speed_m_s": True,
            "running_s": True,
            "moving_s": True,
            "trimp": True,
            "hr_histogram": True,
            "hr_peak_bpm": True,
        },
        "track": {"is_track": True, "direction": True, "laps": True},
        "turning": {"left_s": True, "right_s": True},
        "grade_exposure": {"uphill_s": True, "flat_s": True, "downhill_s": True,
                           "ascent_m": True, "descent_m": True},
        "camber_exposure": {"road_running_s": True, "same_side_as_start_pct": True,
                            "declared_road_side": True},
        "hrv_rmssd_ms": {"in_run": True, "resting": True},
    },
    "form": {"cadence_speed": {"reference_speed_m_s": True}},
}


def _project(value: Any, spec: Any) -> Any:
    if spec is True:
        return value
    if isinstance(spec, list):
        if not isinstance(value, list):
            return value  # not what the record expects: kept, so it fails the same way
        return [_project(v, spec[0]) for v in value]
    if not isinstance(value, Mapping):
        return value
    out = {k: _project(value[k], s) for k, s in spec.items() if k in value}
    index = value.get("index") if "by_context" in spec else None
    if isinstance(index, str) and index in value:  # the entry's own index value
        out[index] = value[index]
    return out


def history_part(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``doc`` (an ``evenstride.run/1`` document) the history reads (:data:`PART`).

    >>> history_part({"start_time": "2024-05-01T07:00:00+00:00", "findings": [1, 2],
    ...               "context": {"surface": "road", "route": {"n": 3}}})
    {'start_time': '2024-05-01T07:00:00+00:00', 'context': {'surface': 'road'}}
    """
    out: dict[str, Any] = _project(doc, PART)
    return out


def history_part_json(doc: Mapping[str, Any]) -> str:
    """:func:`history_part` as the compact JSON stored in ``activities.history_doc``."""
    return json.dumps(history_part(doc), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
