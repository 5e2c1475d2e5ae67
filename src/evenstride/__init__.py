# SPDX-License-Identifier: MIT
"""evenstride: find, explain and help fix left/right imbalances in running.

Pipeline: readers (:mod:`evenstride.io`) → samples → gating (:mod:`evenstride.preprocessing`)
→ metrics (:mod:`evenstride.metrics`) → assessment (:mod:`evenstride.assessment`)
→ report (:mod:`evenstride.report`). :func:`analyze` runs the whole chain.

>>> import evenstride
>>> sorted(evenstride.__all__)[:3]
['Activity', 'RunAnalysis', 'SidedChannel']

Public names are imported lazily so that ``import evenstride`` (and ``evenstride --help``) stays
fast; nothing touches the disk or network at import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Activity": "evenstride.datatypes",
    "ActivityMeta": "evenstride.datatypes",
    "SidedChannel": "evenstride.datatypes",
    "RunAnalysis": "evenstride.pipeline",
    "analyze": "evenstride.pipeline",
    "read_activity": "evenstride.io",
    "simulate_run": "evenstride.simulate",
    "write_report": "evenstride.report",
    "render_report": "evenstride.report",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from evenstride.datatypes import Activity, ActivityMeta, SidedChannel  # noqa: F401
    from evenstride.io import read_activity  # noqa: F401
    from evenstride.pipeline import RunAnalysis, analyze  # noqa: F401
    from evenstride.report import render_report, write_report  # noqa: F401
    from evenstride.simulate import simulate_run  # noqa: F401


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'evenstride' has no attribute {name!r}")
    return getattr(importlib.import_module(mod), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]
