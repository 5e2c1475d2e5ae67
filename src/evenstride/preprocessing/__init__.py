# SPDX-License-Identifier: MIT
"""Gating. Input: an :class:`~evenstride.datatypes.Activity`. Output: a :class:`Gating` with
per-sample labels (running, walking, stopped, accelerating, bends, grade, drills, drop-outs)."""

from evenstride.preprocessing._gating import (
    Gating,
    GatingParams,
    fill_monotonic,
    label_samples,
    local_xy,
)
from evenstride.preprocessing.plausibility import check_plausibility

__all__ = ["Gating", "GatingParams", "check_plausibility", "fill_monotonic", "label_samples",
           "local_xy"]
