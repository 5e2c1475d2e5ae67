# SPDX-License-Identifier: MIT
"""④ Assessment. Input: per-channel asymmetry, drift and form numbers. Output: an
:class:`Assessment` (class per asymmetry with evidence, disagreements, ranked findings)."""

from evenstride.assessment._assess import (
    Assessment,
    AsymmetryJudgement,
    Disagreement,
    Finding,
    FormGrade,
    assess,
    fmt_clock,
    fmt_pace,
    form_column_sensor,
    garmin_form_band_applies,
    gct_balance_band_edges,
    grade_form,
    judge_asymmetry,
    verdict_words,
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
    "FormGrade",
    "assess",
    "fmt_clock",
    "fmt_pace",
    "form_column_sensor",
    "garmin_form_band_applies",
    "gct_balance_band_edges",
    "grade_form",
    "judge_asymmetry",
    "verdict_words",
]
