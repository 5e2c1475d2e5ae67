# SPDX-License-Identifier: MIT
"""Every supported input is recognised by its content, and ``analyze`` reads all of them:
watch files as they are, raw recordings through step detection (issue 13)."""

from __future__ import annotations

import json
import shutil

import pytest

from evenstride.cli import main
from evenstride.exceptions import UserInputError
from evenstride.io import detect_input, write_generic_csv
from evenstride.pipeline import analyze, analyze_steps
from evenstride.simulate import write_simulated_fit
from evenstride.steps import StepOptions
from evenstride.steps.simulate_imu import simulate_imu_run


@pytest.mark.parametrize(("rel", "kind"), [
    ("fukuchi-bmc-ric/RBDS001runT35.c3d", "c3d"),
    ("fukuchi-bmc-ric/RIC_20140515T133244_run.c3d", "c3d"),
    ("fukuchi-bmc-ric/RBDS001runT25forces.txt", "fukuchi"),
    ("fukuchi-bmc-ric/RBDS032runT35markers.txt", "fukuchi"),
    ("adeptdata/acc_running_converted.csv.gz", "accel"),
    ("gaitmap/imu_sample.csv", "imu"),
    ("read-runscribe/run_37075right.csv", "runscribe"),
    ("runpandas/run.gpx", "gpx"),
    ("runpandas/11km.tcx", "tcx"),
    ("goldencheetah/HRV-Data.fit", "fit"),
    # not a recording: metadata and a binary R file
    ("fukuchi-bmc-ric/RBDSinfo.txt", None),
    ("fukuchi-bmc-ric/RIC_info.csv", None),
    ("adeptdata/acc_running.rda", None),
])
def test_real_files_are_recognised_by_content(shared_data, tmp_path, rel, kind):
    src = shared_data / rel
    assert detect_input(src) == kind
    # the name is no part of it: the same bytes under a misleading name
    renamed = tmp_path / ("renamed.fit" if kind != "fit" else "renamed.csv")
    shutil.copyfile(src, renamed)
    assert detect_input(renamed) == kind


def test_sensor_logger_exports_are_recognised(tmp_path):
    head = "time,seconds_elapsed,z,y,x\n1700000000000000000,0.0,0.1,9.7,0.2\n"
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Accelerometer.csv").write_text(head)
    assert detect_input(folder) == "phone"
    assert detect_input(folder / "Accelerometer.csv") == "phone"
    (tmp_path / "rec.json").write_text('[{"sensor": "Accelerometer", "time": "1", "x": "0"}]')
    assert detect_input(tmp_path / "rec.json") == "phone"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert detect_input(empty) is None
    assert detect_input(tmp_path / "missing.csv") is None


def test_imu_csv_analyze_equals_steps(tmp_path, capsys):
    sim = simulate_imu_run(duration_s=300, seed=5, contact_left_s=0.250, contact_right_s=0.240)
    p = tmp_path / "trial.dat"  # no telling extension: the header says what it is
    write_generic_csv(sim.recording, p)
    assert detect_input(p) == "imu"
    a = analyze(p)
    b = analyze_steps(p)
    assert a.to_dict() == b.to_dict()
    ct = next(x for x in a.to_dict()["asymmetry"] if x["metric"] == "contact_time")
    assert ct["left"] == pytest.approx(0.250, abs=0.004)
    assert ct["right"] == pytest.approx(0.240, abs=0.004)
    assert main(["analyze", str(p), "--json", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["file_format"] == "imu_generic"


def test_analyze_reads_a_c3d_trial(shared_data, capsys):
    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d"
    assert main(["analyze", str(f), "--json", "--no-progress"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["file_format"] == "c3d"
    assert {a["source"] for a in doc["asymmetry"]} == {"force_plate", "markers"}
    assert "not a FIT, TCX or GPX" not in out.err


def test_steps_is_an_alias_that_also_reads_watch_files(tmp_path, capsys):
    p = write_simulated_fit(tmp_path / "run.fit", duration_s=900, seed=2)
    assert main(["steps", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["file_format"] == "fit"
    assert doc == {**analyze(p).to_dict(), "variability": doc["variability"]}


def test_format_overrides_the_content(shared_data, capsys):
    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d"
    assert main(["steps", str(f), "--format", "runscribe"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(f) in err[0]
    with pytest.raises(UserInputError, match="RBDS001runT35"):
        analyze_steps(f, fmt="imu", options=StepOptions())


def test_unknown_content_is_one_line_naming_the_file(tmp_path, capsys):
    p = tmp_path / "notes.txt"
    p.write_text("hello, not a run\n")
    assert main(["analyze", str(p), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(p) in err[0] and "not a FIT, TCX or GPX" in err[0]
