# SPDX-License-Identifier: MIT
"""Platform scale: the single-machine pipeline on Dask over millions of files (an adapter,
like the store: it imports the core, the core never imports it).

Input: files, folders, globs and export zips, local or through fsspec URLs. Output: a lake
(``docs/``, ``summary/``, ``errors/``, ``manifest/``, ``history/``, ``cohort/``; layout and
schemas in :mod:`evenstride.batch._lake` and ``docs/scale.md``).

- :func:`analyse_unit` — the unit of work, a pure function: file bytes → run document +
  summary rows, keyed by content hash; the rows are the store's ``asymmetry`` rows.
- :func:`run_batch` — the batch on a Dask cluster (``evenstride batch``).
- :func:`build_cohort` — cohort percentiles with DuckDB over the summary Parquet, written as a
  versioned reference table that :mod:`evenstride.assessment.cohort` loads as a band source.

Needs the ``batch`` extra (``pip install 'evenstride[batch]'``: dask[distributed], pyarrow,
duckdb).
"""

from __future__ import annotations

from typing import Any

from evenstride.batch._engine import BatchReport, run_batch
from evenstride.batch._unit import UnitResult, analyse_unit, bucket_of, code_version

__all__ = ["BatchReport", "UnitResult", "analyse_unit", "bucket_of", "build_cohort",
           "code_version", "run_batch"]


def build_cohort(lake: str, *, athletes: str | None = None,
                 min_athletes: int | None = None) -> dict[str, Any]:
    """Cohort percentiles of the lake, written as ``cohort/cohort-vN.json|.parquet`` when they
    changed (:func:`evenstride.batch._cohort.build_cohort`; needs duckdb)."""
    from evenstride.batch._cohort import DEFAULT_MIN_ATHLETES
    from evenstride.batch._cohort import build_cohort as _build

    return _build(lake, athletes=athletes, min_athletes=min_athletes or DEFAULT_MIN_ATHLETES)
