# SPDX-License-Identifier: MIT
"""The run report's header names each device once, cleanly ("Garmin HRM4-Run", "Stryd"), not
the reader's raw product numbers ("garmin 3107", "stryd 4660")."""

from __future__ import annotations

import warnings

import pytest

from evenstride.exceptions import EvenstrideWarning
from evenstride.pipeline import analyze
from evenstride.report import render_report
from evenstride.report.html import device_names


def test_device_names_clean_and_count_the_unnamed():
    raw = ["garmin fenix6x", "garmin 3107", "garmin hrm4_run", "stryd 1", "stryd 4660",
           "garmin 3296"]
    assert device_names(raw) == ["Garmin Fenix6x", "Garmin HRM4-Run", "Stryd",
                                 "2 more without a model name"]
    assert device_names([]) == []


def test_real_file_header(shared_data):
    path = shared_data / "goldencheetah/4077461142.fit"  # fenix 6X + HRM-Run + Stryd
    if not path.is_file():
        pytest.skip("missing shared file")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        html = render_report(analyze(path))
    head = html[html.index("<dt>Devices</dt>"):][:400]
    assert "Garmin HRM4-Run" in head and "Stryd" in head
    assert "garmin 3107" not in head and "stryd 4660" not in head
