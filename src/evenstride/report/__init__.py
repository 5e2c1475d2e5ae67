# SPDX-License-Identifier: MIT
"""⑤ Report. Input: a :class:`~evenstride.pipeline.RunAnalysis`. Output: one self-contained HTML
page (findings first, then tables, plots, form, data quality and methods) that loads nothing
from the network."""

from evenstride.report.history import render_history_report, write_history_report
from evenstride.report.html import render_report, write_report

__all__ = ["render_history_report", "render_report", "write_history_report", "write_report"]
