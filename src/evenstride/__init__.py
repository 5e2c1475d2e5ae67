# SPDX-License-Identifier: MIT
"""evenstride: find, explain and help fix left/right imbalances in running.

Pipeline: readers (:mod:`evenstride.io`) → samples → gating (:mod:`evenstride.preprocessing`)
→ metrics (:mod:`evenstride.metrics`) → assessment (:mod:`evenstride.assessment`)
→ report (:mod:`evenstride.report`). :func:`analyze` runs the whole chain.
"""

from __future__ import annotations

__version__ = "0.1.0"
