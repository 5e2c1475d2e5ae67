# SPDX-License-Identifier: MIT
"""The result of :func:`~evenstride.history.build_history`: :class:`History`, whose
:meth:`History.to_dict` is the ``evenstride.history/1`` document (docs/json-schema.md). Kept apart
from the input types (:mod:`~evenstride.history._model`) so that no two modules of the package
import each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from evenstride.history._baseline import MetricHistory
from evenstride.history._model import SCHEMA, HistoryParams, RunRecord

__all__ = ["History"]


@dataclass
class History:
    """The result of :func:`build_history`; :meth:`to_dict` is ``evenstride.history/1``."""

    runs: list[RunRecord]
    params: HistoryParams
    metrics: dict[str, MetricHistory]
    device_changes: list[dict[str, Any]]
    load: dict[str, Any]
    shoes: dict[str, Any]
    surface: dict[str, Any]
    links: list[dict[str, Any]]
    hrv: dict[str, Any]
    declared_road_side: str | None = None
    #: Built with ``build_history(..., metrics_only=True)``: the per-metric analyses only.
    metrics_only: bool = False

    @property
    def changes(self) -> list[dict[str, Any]]:
        """Real changes in the runner across all metrics, oldest first."""
        out = [c.to_dict() for m in self.metrics.values() for c in m.changes]
        return sorted(out, key=lambda c: c["started"] or "")

    def to_dict(self) -> dict[str, Any]:
        if self.metrics_only:
            raise ValueError("a metrics-only history (build_history(metrics_only=True)) has no "
                             "load, shoes, surface, links or HRV: build the whole history for "
                             "its document")
        p = asdict(self.params)
        return {
            "schema": SCHEMA,
            "runs": {
                "n": len(self.runs),
                "first": self.runs[0].start_time.isoformat() if self.runs else None,
                "last": self.runs[-1].start_time.isoformat() if self.runs else None,
                "distance_km": round(sum((r.distance_m or 0.0) for r in self.runs) / 1000.0, 1),
                "duration_h": round(sum(r.duration_s for r in self.runs) / 3600.0, 2),
            },
            "declared_road_side": self.declared_road_side,
            "params": p,
            "sign_convention": (
                "indices are positive when the LEFT value is larger (symmetry angle % SA for "
                "ratio-scale metrics, left − right otherwise)"
            ),
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "changes": self.changes,
            "device_changes": self.device_changes,
            "load": self.load,
            "shoes": self.shoes,
            "surface": self.surface,
            "links": self.links,
            "hrv": self.hrv,
            "evidence_grades": {
                "V": "verified against a published abstract, table or manual",
                "S": "secondary source only",
                "U": "unverified, extrapolated or evenstride design",
            },
        }
