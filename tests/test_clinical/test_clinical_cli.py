# SPDX-License-Identifier: MIT
"""profile set → test add ×N → symptom add → assessment --json on a temporary store."""

import argparse
import json

import pytest

from evenstride.cli.clinical import CLINICAL_COMMANDS, add_clinical_parsers


def run(argv):
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command")
    add_clinical_parsers(sub)
    args = p.parse_args(argv)
    assert args.command in CLINICAL_COMMANDS
    return args.func(args)


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    from datetime import UTC, datetime, timedelta

    from evenstride.simulate import write_simulated_fit

    d = tmp_path_factory.mktemp("runs")
    t0 = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    for i in range(4):
        write_simulated_fit(d / f"run{i}.fit", duration_s=1500, seed=300 + i,
                            balance_left_pct=52.0, drift_pct_per_h=0.0,
                            start_time=t0 + timedelta(days=2 * i))
    return d


def test_round_trip_without_runs(tmp_path, capsys):
    db = ["--db", str(tmp_path / "h.sqlite"), "--athlete", "ann"]
    assert run(["profile", "set", "--dominant", "left", "--injury",
                "right:knee:surgery:ACL reconstruction:2019", "--sport", "tennis",
                "--habit", "long sitting", "--mass-kg", "64",
                "--leg-length-cm", "left=92", "right=92", *db]) == 0
    assert "involved side right" in capsys.readouterr().out
    for side, force in (("left", 250), ("right", 200)):
        assert run(["test", "add", "hhd_hip_abduction", side, str(force), "--extra",
                    "lever_arm_m=0.8", "--date", "2025-03-01", *db]) == 0
    for side, reach in (("left", 66), ("right", 60)):  # limb length from the profile
        assert run(["test", "add", "y_balance", side, str(reach), "--extra",
                    "posteromedial_cm=100", "posterolateral_cm=95", *db]) == 0
    assert run(["symptom", "add", "--side", "right", "--region", "knee_lateral", "--kind",
                "soreness", "--severity", "3", "--timing", "after", "--date", "2025-03-02",
                *db]) == 0
    capsys.readouterr()
    assert run(["test", "list", "--json", *db]) == 0
    tests = json.loads(capsys.readouterr().out)["tests"]
    assert len(tests) == 4
    hip = next(t for t in tests if t["protocol"] == "hhd_hip_abduction")
    assert hip["extra"]["body_mass_kg"] == 64.0 and hip["extra"]["torque_nm_per_kg"] > 0
    yb = next(t for t in tests if t["protocol"] == "y_balance")
    assert yb["extra"]["limb_length_cm"] == 92.0 and "composite_pct" in yb["extra"]
    assert run(["profile", "show", "--json", *db]) == 0
    prof = json.loads(capsys.readouterr().out)["profile"]
    assert prof["other_sports"] == ["tennis"] and prof["injuries"][0]["year"] == 2019
    assert run(["assessment", "--json", *db]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["involved_side"] == "right" and doc["n_runs"] == 0
    kinds = [f["kind"] for f in doc["findings"]]
    hip_f = next(f for f in doc["findings"] if f["retest"] == "hhd_hip_abduction")
    assert hip_f["side"] == "right" and {"hip_abductors", "trunk_lateral"} <= set(
        hip_f["targets"])
    assert hip_f["values"]["lsi_pct"] == 80.0
    assert "balance_reach" in kinds
    assert run(["assessment", *db]) == 0
    assert "Hip abduction" in capsys.readouterr().out


def test_assessment_with_runs_and_red_flag(runs_dir, tmp_path, capsys):
    from evenstride.cli import main

    dbp = str(tmp_path / "h.sqlite")
    db = ["--db", dbp, "--athlete", "sam"]
    assert main(["import", str(runs_dir), *db, "--no-progress"]) == 0
    assert run(["symptom", "add", "--side", "left", "--region", "shin_medial", "--kind",
                "pain", "--severity", "4", "--timing", "during", "--activity", "1",
                "--onset-km", "2.5", "--flag", "pin-point", *db]) == 0
    assert "see a clinician" in capsys.readouterr().err
    assert run(["assessment", "--json", *db]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_runs"] == 4
    first = doc["findings"][0]
    assert (first["kind"], first["severity"], first["region"]) == ("red_flag", 3, "shin_medial")
    assert any(f["kind"] == "gait_asymmetry" for f in doc["findings"])


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["test", "add", "single_hop", "both", "150"], "done per side"),
        (["test", "add", "timed_hop_6m", "left", "400"], "outside the possible range"),
        (["test", "add", "y_balance", "left", "60", "--extra", "posteromedial_cm=90",
          "posterolateral_cm=90"], "limb length"),
        (["test", "add", "single_hop", "left", "150", "--extra", "quality"], "KEY=VALUE"),
        (["test", "add", "single_hop", "left", "150", "--date", "2999-01-01"], "future"),
        (["symptom", "add", "--side", "left", "--region", "knee", "--kind", "pain",
          "--severity", "12", "--timing", "after"], "severity must be 0–10"),
        (["symptom", "add", "--side", "left", "--region", "knee_medial", "--kind", "pain",
          "--severity", "2", "--timing", "after", "--flag", "itchy"], "unknown --flag"),
        (["profile", "set", "--injury", "right:knee"], "--injury: expected"),
        (["profile", "set", "--mass-kg", "700"], "--mass-kg"),
        (["profile", "show"], "no profile"),
    ],
)
def test_errors_are_one_line_exit_2(tmp_path, capsys, argv, match):
    db = ["--db", str(tmp_path / "h.sqlite"), "--athlete", "ann"]
    if argv[:2] == ["profile", "show"]:
        assert run(["test", "add", "single_hop", "left", "150", *db]) == 0
        capsys.readouterr()
    assert run([*argv, *db]) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and "\n" not in err


def test_assessment_needs_a_store(tmp_path, capsys):
    assert run(["assessment", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "no history store" in capsys.readouterr().err


def test_test_and_symptom_add_print_json(tmp_path, capsys):
    from evenstride.cli import main

    args = ["--db", str(tmp_path / "j.sqlite"), "--athlete", "jo"]
    assert main(["test", "add", "single_hop", "left", "152", *args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["protocol"], doc["side"], doc["value"], doc["unit"]) == (
        "single_hop", "left", 152.0, "cm")
    assert main(["symptom", "add", "--side", "right", "--region", "achilles", "--kind", "pain",
                 "--severity", "3", "--timing", "after", *args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["severity"] == 3
    assert doc["flags"] == []


def test_road_side_from_the_profile_reaches_the_history(tmp_path, capsys, runs_dir):
    """``profile set --road-side`` is what the history uses for camber when ``--road-side``
    is not given (the web app's profile form sets the same field)."""
    from evenstride.cli import main

    db = ["--db", str(tmp_path / "h.sqlite"), "--athlete", "ann"]
    assert main(["import", str(runs_dir), "--no-progress", *db]) == 0
    assert run(["profile", "set", "--road-side", "left", *db]) == 0
    assert "runs on the left of the road" in capsys.readouterr().out
    assert main(["history", "--json", *db]) == 0
    cam = json.loads(capsys.readouterr().out)["surface"]["camber_exposure"]
    assert cam["declared_road_side"] == "left"
    assert main(["history", "--json", "--road-side", "right", *db]) == 0  # the option wins
    assert json.loads(capsys.readouterr().out)["surface"]["camber_exposure"][
        "declared_road_side"] == "right"
    from evenstride.cli.clinical import build_profile
    from evenstride.exceptions import UserInputError

    with pytest.raises(UserInputError, match="--road-side must be left or right"):
        build_profile(None, "ann", road_side="middle")  # what the web form calls


def test_symptom_onset_must_lie_within_its_run(tmp_path, capsys, runs_dir):
    from evenstride.cli import main

    db = ["--db", str(tmp_path / "h.sqlite"), "--athlete", "ann"]
    assert main(["import", str(runs_dir), "--no-progress", *db]) == 0
    capsys.readouterr()
    assert main(["activities", "--json", *db]) == 0
    out = capsys.readouterr().out
    act = json.loads(out)["activities"][0]
    km = act["distance_km"]
    base = ["symptom", "add", "--side", "left", "--region", "achilles", "--kind", "pain",
            "--severity", "3", "--timing", "during", "--activity", str(act["id"]), *db]
    assert run([*base, "--onset-km", f"{km * 0.5:.2f}"]) == 0
    assert run([*base, "--onset-km", f"{km + 1:.2f}"]) == 2
    assert "beyond the end of run" in capsys.readouterr().err
    assert run([*base, "--onset-min", "500"]) == 2
