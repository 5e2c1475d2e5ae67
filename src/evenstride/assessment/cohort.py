# SPDX-License-Identifier: MIT
"""Cohort bands: the percentiles of an evenstride lake's own runs (``evenstride batch`` writes
them as ``cohort/cohort-vN.json``, schema ``evenstride.cohort/1``) as a band source the
assessment can use next to the published bands of :mod:`~evenstride.assessment.reference_bands`.

What a cohort band is, and is not: it says where a run stands among the athletes of one
platform's data (by speed band, sex, age band or device, where known), graded ``U`` and named
"evenstride cohort vN, n=… athletes": the population is whoever uploaded, not a screened
healthy sample, and no cohort percentile is an injury threshold (science.md §0.1, §2.2).

Classes from a cohort band: "typical" up to the cohort's 90th percentile of the magnitude
(|symmetry angle| or |left − right|), "marked" beyond its 95th, "notable" in between. A stratum
is used only with at least ``min_athletes`` athletes (default :data:`MIN_ATHLETES`); otherwise
the next coarser one (speed × sex × age → speed × sex → speed → sex → all).

>>> t = CohortTable.from_dict({"schema": "evenstride.cohort/1", "version": "v1", "rows": [
...     {"metric": "contact_time", "source": "running_dynamics",
...      "index_name": "symmetry_angle_pct", "value": "abs_index", "speed_band": "all",
...      "sex": "all", "age_band": "all", "device": "all", "n_athletes": 120, "n_runs": 360,
...      "p05": 0.1, "p10": 0.2, "p25": 0.4, "p50": 0.8, "p75": 1.3, "p90": 1.8, "p95": 2.2}]})
>>> b = t.band("contact_time", "running_dynamics")
>>> b.typical_max, b.marked_min, b.evidence.sources[0]
(1.8, 2.2, 'evenstride cohort v1, n=120 athletes (360 runs), stratum all')
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from evenstride.assessment.reference_bands import AsymmetryBand, Evidence
from evenstride.exceptions import UserInputError

COHORT_SCHEMA: Final = "evenstride.cohort/1"
#: Fewest athletes a stratum needs before its percentiles grade a run.
MIN_ATHLETES: Final = 30
#: Percentile columns giving the "typical" upper edge and the "marked" lower edge.
TYPICAL_PERCENTILE: Final = "p90"
MARKED_PERCENTILE: Final = "p95"
COHORT_NOTE: Final = (
    "Where this run stands among the athletes of this platform's own data (an evenstride "
    "cohort), not a published healthy range; the cohort is whoever uploaded, and no percentile "
    "is an injury threshold."
)
_STRATA: Final = ("speed_band", "sex", "age_band", "device")


def speed_band(speed_m_s: float | None, edges: Sequence[float]) -> str:
    """The table's label of a mean running speed (``"3.0-3.5"``; ``"unknown"`` when None)."""
    if speed_m_s is None:
        return "unknown"
    if speed_m_s < edges[0]:
        return f"<{edges[0]:.1f}"
    for lo, hi in itertools.pairwise(edges):
        if speed_m_s < hi:
            return f"{lo:.1f}-{hi:.1f}"
    return f">={edges[-1]:.1f}"


def age_band(age_years: float | None, edges: Sequence[float]) -> str:
    if age_years is None:
        return "unknown"
    if age_years < edges[0]:
        return f"<{edges[0]:.0f}"
    for lo, hi in itertools.pairwise(edges):
        if age_years < hi:
            return f"{lo:.0f}-{hi:.0f}"
    return f">={edges[-1]:.0f}"


@dataclass(frozen=True)
class CohortRow:
    metric: str
    source: str
    index_name: str
    value: str
    strata: Mapping[str, str]
    n_athletes: int
    n_runs: int
    percentiles: Mapping[str, float]

    def label(self) -> str:
        parts = [f"{k.replace('_', ' ')} {v}" for k, v in self.strata.items() if v != "all"]
        return ", ".join(parts) or "all"


class CohortTable:
    """A loaded ``evenstride.cohort/1`` reference table."""

    def __init__(self, version: str, rows: Sequence[CohortRow],
                 speed_edges: Sequence[float] = (2.5, 3.0, 3.5, 4.0),
                 age_edges: Sequence[float] = (30, 40, 50, 60)) -> None:
        self.version = version
        self.rows = list(rows)
        self.speed_edges = tuple(speed_edges)
        self.age_edges = tuple(age_edges)
        self._index = {(r.metric, r.source, r.value, tuple(r.strata[k] for k in _STRATA)): r
                       for r in self.rows}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CohortTable:
        if d.get("schema") != COHORT_SCHEMA:
            raise ValueError(f"not an {COHORT_SCHEMA} table")
        rows = []
        for r in d.get("rows") or []:
            rows.append(CohortRow(
                metric=str(r["metric"]), source=str(r["source"]),
                index_name=str(r["index_name"]), value=str(r["value"]),
                strata={k: str(r.get(k, "all")) for k in _STRATA},
                n_athletes=int(r["n_athletes"]), n_runs=int(r["n_runs"]),
                percentiles={k: float(v) for k, v in r.items()
                             if k.startswith("p") and k[1:].isdigit() and v is not None}))
        return cls(str(d.get("version", "?")), rows,
                   d.get("speed_edges_m_s") or (2.5, 3.0, 3.5, 4.0),
                   d.get("age_edges_years") or (30, 40, 50, 60))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CohortTable:
        """Read a table file; a missing or malformed file is a one-line UserInputError."""
        try:
            with open(path, encoding="utf-8") as f:
                return cls.from_dict(json.load(f))
        except FileNotFoundError:
            raise UserInputError("no such cohort table", path=os.fspath(path)) from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserInputError(f"not a readable cohort table ({exc})",
                                 path=os.fspath(path)) from None

    def lookup(self, metric: str, source: str, value: str = "abs_index", *,
               speed_m_s: float | None = None, sex: str | None = None,
               age_years: float | None = None, device: str | None = None,
               min_athletes: int = MIN_ATHLETES) -> CohortRow | None:
        """The most specific stratum with at least ``min_athletes`` athletes, or None."""
        sp = speed_band(speed_m_s, self.speed_edges) if speed_m_s is not None else None
        sx = sex.upper() if sex else None
        ag = age_band(age_years, self.age_edges) if age_years is not None else None
        tries: list[tuple[str, str, str, str]] = []
        if sp and sx and ag:
            tries.append((sp, sx, ag, "all"))
        if sp and sx:
            tries.append((sp, sx, "all", "all"))
        if sp:
            tries.append((sp, "all", "all", "all"))
        if sx and ag:
            tries.append(("all", sx, ag, "all"))
        if sx:
            tries.append(("all", sx, "all", "all"))
        if device:
            tries.append(("all", "all", "all", device))
        tries.append(("all", "all", "all", "all"))
        for key in tries:
            r = self._index.get((metric, source, value, key))
            if r is not None and r.n_athletes >= min_athletes:
                return r
        return None

    def band(self, metric: str, source: str, **kw: Any) -> AsymmetryBand | None:
        """An :class:`AsymmetryBand` from the cohort's magnitude percentiles (see the module
        docstring), or None when no stratum has enough athletes."""
        r = self.lookup(metric, source, "abs_index", **kw)
        if r is None or TYPICAL_PERCENTILE not in r.percentiles:
            return None
        scale = "difference" if r.index_name == "difference" else "symmetry_angle_pct"
        name = (f"evenstride cohort {self.version}, n={r.n_athletes} athletes "
                f"({r.n_runs} runs), stratum {r.label()}")
        return AsymmetryBand(
            metric=metric, scale=scale, typical_max=r.percentiles[TYPICAL_PERCENTILE],
            marked_min=r.percentiles.get(MARKED_PERCENTILE),
            basis=(f"typical: up to the cohort's 90th percentile; marked: beyond its 95th "
                   f"({name})"),
            evidence=Evidence("U", (name,), COHORT_NOTE))

    def bands(self, source: str, **kw: Any) -> dict[str, AsymmetryBand]:
        """``metric → band`` for one source (the shape of ``ASYMMETRY_BANDS``)."""
        out = {}
        for metric in sorted({r.metric for r in self.rows if r.source == source}):
            b = self.band(metric, source, **kw)
            if b is not None:
                out[metric] = b
        return out
