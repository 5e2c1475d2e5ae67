# SPDX-License-Identifier: MIT
"""Strength, mobility and symptoms: from assessment to a prescribed program and a retest.

Input: an :class:`~evenstride.clinical.models.AthleteProfile`, test results, symptoms, and the
athlete's running asymmetry (per run and history). Output: ranked
:class:`~evenstride.clinical.models.ClinicalFinding` objects, then a program.
"""
