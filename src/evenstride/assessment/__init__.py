# SPDX-License-Identifier: MIT
"""④ Assessment. Input: per-channel asymmetry, drift and form numbers. Output: an
:class:`Assessment` (class per asymmetry with evidence, disagreements, ranked findings)."""

from evenstride.assessment._assess import (
    Assessment,
    AsymmetryJudgement,
    Disagreement,
    Finding,
    assess,
    fmt_clock,
    fmt_pace,
    gct_balance_band_edges,
    judge_asymmetry,
)
from evenstride.assessment.reference_bands import ASYMMETRY_BANDS, FORM_BANDS, Evidence

__all__ = [
    "ASYMMETRY_BANDS",
    "FORM_BANDS",
    "Assessment",
    "AsymmetryJudgement",
    "Disagreement",
    "Evidence",
    "Finding",
    "assess",
    "fmt_clock",
    "fmt_pace",
    "gct_balance_band_edges",
    "judge_asymmetry",
]
