# SPDX-License-Identifier: MIT
"""'evenstride steps': raw recordings through the same engine and outputs as watch files."""

import json

import pytest

from evenstride.cli import main
from evenstride.io import write_generic_csv
from evenstride.steps.simulate_imu import simulate_imu_run


def test_imu_csv_through_the_cli(tmp_path, capsys):
    sim = simulate_imu_run(duration_s=600, seed=3, contact_left_s=0.255, contact_right_s=0.240)
    p = tmp_path / "imu.csv"
    write_generic_csv(sim.recording, p)
    html = tmp_path / "imu.html"
    assert main(["steps", str(p), "--json", "--html", str(html)]) == 0
    doc = json.loads(capsys.readouterr().out)
    ct = next(a for a in doc["asymmetry"] if a["metric"] == "contact_time")
    assert ct["source"] == "foot_imu"
    assert ct["larger_side"] == "left"
    assert ct["left"] == pytest.approx(0.255, abs=0.004)
    assert ct["right"] == pytest.approx(0.240, abs=0.004)
    assert "What this means" in html.read_text()


def test_fukuchi_trial_through_the_cli(shared_data, capsys):
    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT25forces.txt"
    assert main(["steps", str(f), "--format", "fukuchi", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # force-plate kinetics plus the marker kinematics at the same contacts
    assert {a["source"] for a in doc["asymmetry"]} == {"force_plate", "markers"}


def test_steps_bad_input_is_one_line(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["steps", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(p) in err[0]
    assert main(["steps", str(tmp_path / "missing.csv")]) == 2


def test_runscribe_pair_and_variability(shared_data, tmp_path, capsys):
    right = shared_data / "read-runscribe" / "run_37075right.csv"
    # only one real pod file exists: pair it with itself to exercise the reader end to end
    assert main(["steps", str(right), "--format", "runscribe", "--right", str(right),
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    v = doc["variability"]
    assert v["n_strides"] > 5000
    assert 2.0 < v["stride_cv_pct"] < 6.0
    assert 0.6 < v["dfa_alpha"] < 1.3
    assert {a["source"] for a in doc["asymmetry"]} == {"runscribe"}


def test_c3d_with_forces_through_the_cli(shared_data, capsys):
    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d"
    assert main(["steps", str(f), "--format", "c3d", "--speed", "3.5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by = {a["metric"]: a for a in doc["asymmetry"]}
    # force-plate kinetics are ratio-scale: judged by symmetry angle against Girard 2019 bands
    assert by["loading_rate_bw_s"]["index"] == "symmetry_angle_pct"
    assert by["peak_vgrf_bw"]["band"]["typical_max"] == pytest.approx(6.4)
    assert 2.0 < by["peak_vgrf_bw"]["left"] < 3.2
    assert any("kN" in w for w in doc["warnings"])


def test_phone_sensor_logger_through_the_cli(tmp_path, capsys):
    import numpy as np

    from test_steps.test_trunk import _sim_trunk

    rec = _sim_trunk(dur=240.0)
    t_ns = (1_700_000_000 * 10**9 + (rec.time_s * 1e9)).astype(np.int64)
    a, g = tmp_path / "Accelerometer.csv", tmp_path / "Gyroscope.csv"
    for path, data in ((a, rec.acc), (g, np.radians(rec.gyr))):
        rows = ["time,seconds_elapsed,z,y,x"] + [
            f"{t_ns[i]},{rec.time_s[i]},{data[i, 2]},{data[i, 1]},{data[i, 0]}"
            for i in range(len(t_ns))
        ]
        path.write_text("\n".join(rows) + "\n")
    assert main(["steps", str(a), "--format", "phone", "--gyro", str(g), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    st = next(x for x in doc["asymmetry"] if x["metric"] == "step_time")
    assert st["source"] == "trunk_imu"
    assert any("indicative" in w for w in doc["warnings"])


def test_accel_one_leg_through_the_cli(shared_data, capsys):
    f = shared_data / "adeptdata" / "acc_running_converted.csv.gz"
    assert main(["steps", str(f), "--format", "accel", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # one leg: no left/right asymmetry at all, and it says why
    assert doc["asymmetry"] == []
    one = doc["one_sided"]
    assert one["location"] == "left_ankle" and one["instrumented_side"] == "left"
    assert one["left_right_asymmetry"] is None and "one-sided" in one["reason"]
    assert any("indicative" in w for w in doc["warnings"])
    assert any("clipped at ±8 g in 42 samples" in w for w in doc["warnings"])
    v = doc["variability"]
    assert v["strides"].startswith("running strides only")
    assert 1300 < v["n_strides"] < 1480  # of 1,478 valid strides, ~94 % are running
    assert 2.0 < v["stride_cv_pct"] < 5.0
    assert 0.8 < v["dfa_alpha"] < 1.2 and v["dfa_low_confidence"] is False
    cad = doc["form"]["summary"]["cadence_spm"]  # 2 × strides/min, equal steps assumed
    assert 150 < cad["median"] < 165


def test_accel_bad_input_is_one_line(shared_data, tmp_path, capsys):
    f = shared_data / "adeptdata" / "acc_running_converted.csv.gz"
    assert main(["steps", str(f), "--format", "accel", "--location", "chest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "left_hip, left_ankle" in err[0]
    bad = tmp_path / "acc.csv"
    bad.write_text("time,x,y,z\n0,1,2,3\n")
    assert main(["steps", str(bad), "--format", "accel"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "loc_id" in err[0] and str(bad) in err[0]
    short = tmp_path / "short.csv"
    rows = ["loc_id,date_time,x,y,z"] + [
        f"left_ankle,2018-10-25 17:57:{30 + i // 100:02d}.{i % 100:02d},0,0,1" for i in range(300)
    ]
    short.write_text("\n".join(rows) + "\n")
    assert main(["steps", str(short), "--format", "accel"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "10 s" in err[0]


def test_phone_zip_export_through_the_cli(tmp_path, capsys):
    import zipfile

    from test_steps.test_phone_layout import _export

    folder = tmp_path / "2024-02-11_15-02-01"
    _export(folder, dur=240.0)
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, arcname=f"{folder.name}/{f.name}")
    html = tmp_path / "phone.html"
    assert main(["steps", str(z), "--format", "phone", "--json", "--html", str(html)]) == 0
    doc = json.loads(capsys.readouterr().out)
    st = next(x for x in doc["asymmetry"] if x["metric"] == "step_time")
    assert st["source"] == "trunk_imu"
    assert sorted([st["left"], st["right"]]) == pytest.approx([0.34, 0.36], abs=0.01)
    # labelled indicative (and the possible left/right mirror said) in the JSON and the report
    assert any("indicative only" in w for w in doc["warnings"])
    assert any("swapped as a whole" in w for w in doc["warnings"])
    assert "indicative only" in html.read_text()


def test_phone_bad_input_is_one_line(tmp_path, capsys):
    from test_steps.test_phone_layout import _export

    def one_line_error(args, *needles):
        assert main(["steps", *args, "--format", "phone"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        for n in needles:
            assert n in err[0], err[0]

    acc = _export(tmp_path / "ok", dur=120.0)
    one_line_error([str(acc), "--gyro", str(tmp_path / "none" / "Gyroscope.csv")],
                   "file not found", "Gyroscope.csv")
    alone = _export(tmp_path / "alone", files=("Accelerometer",))
    one_line_error([str(alone)], "without gravity", "Gravity.csv")
    slow = _export(tmp_path / "slow", fs=10.0)
    one_line_error([str(slow)], "10 Hz")
    # recoverable: unsorted rows and a gyroscope at another rate are warnings (exit 0)
    lines = acc.read_text().splitlines()
    lines[200], lines[201] = lines[201], lines[200]
    acc.write_text("\n".join(lines) + "\n")
    assert main(["steps", str(acc), "--format", "phone", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("not sorted" in w for w in doc["warnings"])
    mixed = _export(tmp_path / "mixed", dur=120.0, gyro_fs=50.0)
    assert main(["steps", str(mixed), "--format", "phone", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("gyroscope at 50 Hz" in w for w in doc["warnings"])


def test_c3d_markers_only_through_the_cli(shared_data, tmp_path, capsys):
    """RIC cluster C3D (no force channels): no body mass needed, events from the foot markers,
    side channels with source "markers", knee/shank angles from the static trial beside it."""
    f = shared_data / "fukuchi-bmc-ric" / "RIC_20140515T133244_run.c3d"
    html = tmp_path / "ric.html"
    assert main(["steps", str(f), "--format", "c3d", "--json", "--html", str(html)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["file_format"] == "c3d"
    by = {a["metric"]: a for a in doc["asymmetry"]}
    assert {a["source"] for a in doc["asymmetry"]} == {"markers"}
    assert {"contact_time", "step_time", "flight_time", "duty_factor", "step_length",
            "shank_angle_ic_deg", "knee_flexion_ic_deg"} <= set(by)
    assert "peak_vgrf_bw" not in by
    assert 0.2 < by["contact_time"]["left"] < 0.25 and 0.2 < by["contact_time"]["right"] < 0.25
    assert by["contact_time"]["index"] == "symmetry_angle_pct"
    ev = doc["events"]
    assert ev["event_source"] == "markers"
    assert ev["contacts_per_side"] == {"left": 37, "right": 31}
    assert ev["marker_layout"]["forward_axis"] == "−Z"
    assert 2.7 < ev["belt_speed_from_markers_m_s"] < 2.9
    assert ev["kinematics"].startswith("calibrated on the static trial")
    assert any("excluded" in w for w in doc["warnings"])
    assert any("within the method's error" in w for w in doc["warnings"])
    assert html.is_file() and "contact" in html.read_text().lower()


def test_fukuchi_markers_only_through_the_cli(shared_data, capsys):
    """RBDS032: a markers export with no forces file beside it (and no RBDSinfo row)."""
    f = shared_data / "fukuchi-bmc-ric" / "RBDS032runT35markers.txt"
    assert main(["steps", str(f), "--format", "fukuchi", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["events"]["contacts_per_side"] == {"left": 38, "right": 37}
    assert {a["source"] for a in doc["asymmetry"]} == {"markers"}
    by = {a["metric"]: a for a in doc["asymmetry"]}
    assert "knee_flexion_ic_deg" in by and "contact_time" in by
    assert any("2.50 m/s differs from the file name's 3.5" in w for w in doc["warnings"])
    # --speed overrides the measured belt speed (no warning then)
    assert main(["steps", str(f), "--format", "fukuchi", "--speed", "3.5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    sl = next(a for a in doc["asymmetry"] if a["metric"] == "step_length")
    assert sl["left"] == pytest.approx(3.5 * 0.385, abs=0.05)
    assert not any("differs from the file name" in w for w in doc["warnings"])


def test_markers_export_with_forces_uses_the_forces(shared_data, capsys):
    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT25markers.txt"
    assert main(["steps", str(f), "--format", "fukuchi", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["events"]["event_source"] == "force"
    assert "force_plate" in {a["source"] for a in doc["asymmetry"]}


def test_markers_only_without_foot_markers_is_one_line(shared_data, tmp_path, capsys):
    src = shared_data / "fukuchi-bmc-ric" / "RBDS032runT35markers.txt"
    lines = src.read_text().splitlines()
    head = lines[0].split("\t")
    keep = [0] + [i for i, h in enumerate(head) if "PSIS" in h or "L.Heel" in h]
    out = tmp_path / "RBDS099runT35markers.txt"
    out.write_text("\n".join("\t".join(r.split("\t")[i] for i in keep) for r in lines[:600]))
    assert main(["steps", str(out), "--format", "fukuchi"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "foot markers per side" in err[0] and "right: none" in err[0]


def test_static_is_not_silently_ignored_on_force_trials(shared_data, capsys):
    d = shared_data / "fukuchi-bmc-ric"
    assert main(["steps", str(d / "RBDS001runT35.c3d"), "--format", "c3d", "--speed", "3.5",
                 "--static", str(d / "RBDS001static.c3d"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("--static is ignored" in w for w in doc["warnings"])


def test_terminal_table_shows_time_differences_in_ms(tmp_path, capsys):
    """A 15 ms L−R flight-time difference printed as '-0.02 s L−R': shown in ms, like the
    left and right columns."""
    sim = simulate_imu_run(duration_s=600, seed=3, contact_left_s=0.255, contact_right_s=0.240)
    p = tmp_path / "imu.csv"
    write_generic_csv(sim.recording, p)
    assert main(["steps", str(p)]) == 0
    out = capsys.readouterr().out
    row = next(ln for ln in out.splitlines() if "flight time" in ln)  # registry name
    assert "ms L−R" in row and " s L−R" not in row, row


def test_terminal_table_one_precision_per_unit(shared_data, capsys):
    """Left and right of a per-step metric share their unit's precision in the terminal table
    ("30.7 deg" and "32.4 deg", "352.0 ms"), not four significant digits each ("8.646 deg"
    beside "7.89 deg")."""
    import re

    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT25forces.txt"
    if not f.is_file():
        pytest.skip("missing shared file")
    assert main(["steps", str(f), "--format", "fukuchi"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("Left/right asymmetry"):]
    table = table[:table.index("└")]  # the asymmetry table only
    cells = re.findall(r"(\d+(?:\.\d+)?) (deg|ms)\b", table)
    assert cells, table[:2000]
    for value, unit in cells:
        assert "." in value and len(value.split(".")[1]) == 1, (value, unit)


def test_terminal_table_fits_without_cut_cells(shared_data, capsys):
    """A lab trial's many metrics fit the 132-column table: long metric and class names wrap,
    no sensor, n or % cell is cut to "…" (the only "…" left are the interval's own)."""
    import re

    f = shared_data / "fukuchi-bmc-ric" / "RBDS001runT25forces.txt"
    if not f.is_file():
        pytest.skip("missing shared file")
    assert main(["steps", str(f), "--format", "fukuchi"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("Left/right asymmetry"):]
    lines = table[:table.index("└")].splitlines()[1:]
    assert all(ln.rstrip()[-1] in "┓┃│┩" for ln in lines), lines[:3]
    cut = [ln for ln in lines if re.search(r"…(?![-+\d])", ln)]
    assert not cut, cut[:3]
