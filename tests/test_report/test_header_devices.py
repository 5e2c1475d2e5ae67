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


def test_verdict_words_read_as_english():
    from evenstride.assessment import verdict_words

    assert verdict_words("cant_tell") == "can't tell"
    assert verdict_words("not_detected") == "not detected"
    assert verdict_words("real") == "real"
    assert verdict_words(None) == "–"


def test_short_recording_tables_say_cant_tell(tmp_path, capsys):
    """A per-step recording too short for a verdict: the HTML and terminal tables say
    "can't tell", never "cant tell" (the verdict code with its underscore dropped)."""
    from evenstride.cli import main
    from evenstride.io import write_generic_csv
    from evenstride.steps.simulate_imu import simulate_imu_run

    sim = simulate_imu_run(duration_s=12, seed=3)
    p = tmp_path / "imu.csv"
    write_generic_csv(sim.recording, p)
    html = tmp_path / "imu.html"
    assert main(["steps", str(p), "--html", str(html)]) == 0
    out = capsys.readouterr().out
    text = html.read_text()
    assert "can't tell" in text or "can&#39;t tell" in text
    assert "cant tell" not in text and "cant tell" not in out
    # its rows are strides: the reason counts strides, not "samples"
    assert "steady-running strides" in text and "steady-running samples" not in text
