# SPDX-License-Identifier: MIT
"""Across-run history of one athlete. Input: a list of :class:`RunRecord` (one per analysed run;
:meth:`RunRecord.from_run_doc` builds one from an ``evenstride.run/1`` document, e.g. the one a
store keeps). Output: a :class:`History` whose :meth:`History.to_dict` is the
``evenstride.history/1`` document (docs/json-schema.md).

What it answers, each part in its own module:

- :mod:`~evenstride.history._baseline` — per metric: personal baseline from comparable runs,
  noise floor (typical error, MDC95), real changes in the runner with the date they started,
  steps at device changes (attributed to the device), asymmetry against speed, grade and bends.
- :mod:`~evenstride.history._load` — daily load, ACWR (descriptive only), monotony and strain,
  weekly ramps, the longest-run rule.
- :mod:`~evenstride.history._shoes` — use, rotation, mileage reminders, per-shoe asymmetry.
- :mod:`~evenstride.history._links` — associations between asymmetry and load spikes, shoe
  switches, track weeks and camber exposure.
- :mod:`~evenstride.history._surface` — surface and direction per week (track sessions, turning
  balance, easy mileage on the track, grade exposure, trail/road share, camber exposure).
- :mod:`~evenstride.history._resting_hrv` — resting HRV against the athlete's own range.
- :mod:`~evenstride.history._session_load` — TRIMP with one set of HR settings, session RPE load.
- :mod:`~evenstride.history._model` — the input types (:class:`RunRecord`,
  :class:`HistoryParams`), :mod:`~evenstride.history._result` the result (:class:`History`);
  :mod:`~evenstride.history._build` puts the parts together.

This module is the public facade: it only re-exports.

The history is pure: it reads numbers, never files or a database, so any store can feed it.

>>> from datetime import UTC, datetime, timedelta
>>> runs = [RunRecord(activity_id=i, start_time=datetime(2024, 1, 1, tzinfo=UTC)
...                   + timedelta(days=2 * i), duration_s=1800.0, distance_m=5000.0)
...         for i in range(20)]
>>> build_history(runs).to_dict()["schema"]
'evenstride.history/1'
"""

from __future__ import annotations

from evenstride.history._baseline import MetricHistory, mdc95, step_fit, typical_error
from evenstride.history._build import build_history
from evenstride.history._devices import clean_device_name
from evenstride.history._links import stratified_difference
from evenstride.history._load import (
    ACWR_CAVEAT,
    LONGEST_RUN_BANDS,
    acwr_ewma,
    acwr_ewma_uncoupled,
    acwr_rolling_uncoupled,
    daily_load,
    ewma,
    longest_run_band,
    longest_run_flags,
    monotony_strain,
    weekly_ramp_flags,
)
from evenstride.history._model import (
    SCHEMA,
    AsymmetryEntry,
    ContextValue,
    HistoryParams,
    RunRecord,
)
from evenstride.history._personal import personal_baseline
from evenstride.history._result import History
from evenstride.history._shoes import ShoeInfo

__all__ = [
    "ACWR_CAVEAT",
    "LONGEST_RUN_BANDS",
    "SCHEMA",
    "AsymmetryEntry",
    "ContextValue",
    "History",
    "HistoryParams",
    "MetricHistory",
    "RunRecord",
    "ShoeInfo",
    "acwr_ewma",
    "acwr_ewma_uncoupled",
    "acwr_rolling_uncoupled",
    "build_history",
    "clean_device_name",
    "daily_load",
    "ewma",
    "longest_run_band",
    "longest_run_flags",
    "mdc95",
    "monotony_strain",
    "personal_baseline",
    "step_fit",
    "stratified_difference",
    "typical_error",
    "weekly_ramp_flags",
]
