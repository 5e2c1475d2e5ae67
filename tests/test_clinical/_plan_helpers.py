# SPDX-License-Identifier: MIT
"""Hand-built findings for the prescription tests."""

from __future__ import annotations

from evenstride.assessment.reference_bands import Evidence
from evenstride.clinical.models import ClinicalFinding

EV = Evidence("V", ("test source",), "test note")


def hip_abductor_finding(lsi: float = 80.0) -> ClinicalFinding:
    return ClinicalFinding(
        "strength_lsi", "Weak right hip abductors", f"Right hip abduction is {lsi:.0f} % of the "
        "left (LSI).", EV, side="right", targets=("hip_abductors",), severity=2,
        confidence=0.8, values={"lsi_pct": lsi}, retest="hhd_hip_abduction")


def itb_finding() -> ClinicalFinding:
    return ClinicalFinding(
        "symptom_pattern", "Right-sided ITB soreness", "Lateral knee soreness after 8 km.",
        Evidence("S", (), "pattern"), side="right", targets=("hip_abductors", "trunk_lateral"),
        severity=2, confidence=0.6)


def red_flag(region: str | None) -> ClinicalFinding:
    return ClinicalFinding(
        "red_flag", f"Pin-point bone tenderness ({region})", "Sharp pin-point pain.",
        Evidence("S", (), "see a clinician"), side="left", severity=3, confidence=0.9,
        region=region)
