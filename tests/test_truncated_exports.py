# SPDX-License-Identifier: MIT
"""Issue 14: exports cut mid-line are analysed up to the cut, with a warning (as a truncated FIT
is); and the per-step CSV/text readers refuse files larger than their bound in one line instead
of reading gigabytes."""

from __future__ import annotations

import json
import warnings

import pytest

from evenstride.cli import main
from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io import read_imu, write_generic_csv
from evenstride.io._bounded import MAX_TEXT_BYTES
from evenstride.steps import read_fukuchi_trial
from evenstride.steps.simulate_imu import simulate_imu_run


def _cut_mid_line(text: str, frac: float = 0.7) -> str:
    i = int(len(text) * frac)
    while text[i] in ",\t\n":  # inside a cell, not on a separator
        i += 1
    return text[: i + 1] if text[i - 1] not in ",\t\n" else text[: i + 2]


def test_imu_csv_cut_mid_line_is_analysed_up_to_the_cut(tmp_path, capsys):
    sim = simulate_imu_run(duration_s=90, seed=3)
    p = tmp_path / "imu.csv"
    write_generic_csv(sim.recording, p)
    full = p.read_text()
    p.write_text(_cut_mid_line(full))
    with pytest.warns(EvenstrideWarning, match="ends mid-line"):
        rec = read_imu(p)
    # the long layout holds the left rows, then the right ones: the cut shortens the right side
    assert rec.sides["left"].time_s[-1] > 89.0
    assert 0.3 * 90 < rec.sides["right"].time_s[-1] < 0.5 * 90
    assert main(["steps", str(p), "--format", "imu", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("ends mid-line" in w for w in doc["warnings"])
    # the right side's rows were cut: left/right is compared only where both sides have strides
    hit = [w for w in doc["warnings"] if "compared only over" in w]
    assert len(hit) == 1 and "the right sensor's recording ends" in hit[0], doc["warnings"]


def test_complete_last_line_without_newline_is_kept(tmp_path):
    sim = simulate_imu_run(duration_s=60, seed=4)
    p = tmp_path / "imu.csv"
    write_generic_csv(sim.recording, p)
    full = p.read_text()
    p.write_text(full.rstrip("\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvenstrideWarning)
        rec = read_imu(p)
    p.write_text(full)
    ref = read_imu(p)
    assert len(rec.sides["left"].time_s) == len(ref.sides["left"].time_s)


@pytest.mark.shared_data
def test_runscribe_csv_cut_mid_line(shared_data, tmp_path, capsys):
    src = shared_data / "read-runscribe" / "run_37075right.csv"
    p = tmp_path / "cut.csv"
    p.write_text(_cut_mid_line(src.read_text(), 0.5))
    assert main(["steps", str(p), "--format", "runscribe", "--right", str(src), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("ends mid-line" in w for w in doc["warnings"]), doc["warnings"]


@pytest.mark.shared_data
def test_fukuchi_forces_export_cut_mid_line(shared_data, tmp_path):
    d = shared_data / "fukuchi-bmc-ric"
    for name in ("RBDSinfo.txt", "RBDS001runT25markers.txt"):
        (tmp_path / name).write_bytes((d / name).read_bytes())
    p = tmp_path / "RBDS001runT25forces.txt"
    p.write_text(_cut_mid_line((d / "RBDS001runT25forces.txt").read_text(), 0.8))
    with pytest.warns(EvenstrideWarning, match="ends mid-line"):
        read_fukuchi_trial(p, tmp_path / "RBDSinfo.txt")


def _sparse(path, size=MAX_TEXT_BYTES + 10):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


@pytest.mark.parametrize("fmt", ["imu", "runscribe", "fukuchi"])
def test_per_step_readers_refuse_oversized_files(tmp_path, fmt, capsys):
    name = {"imu": "big.csv", "runscribe": "big.csv", "fukuchi": "RBDS001runT25forces.txt"}[fmt]
    p = _sparse(tmp_path / name)
    (tmp_path / "RBDSinfo.txt").write_text("FileName\tMass\nRBDS001runT25forces.txt\t70\n")
    argv = ["steps", str(p), "--format", fmt]
    if fmt == "runscribe":
        argv += ["--right", str(p)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "too large" in err[0] and str(p) in err[0], err


def test_read_text_bounded_refuses_over_the_limit(tmp_path):
    from evenstride.io._bounded import read_text_bounded

    p = tmp_path / "x.csv"
    p.write_text("a,b\n" * 10)
    assert read_text_bounded(p, 100) == "a,b\n" * 10
    with pytest.raises(ParseError, match="too large"):
        read_text_bounded(p, 20)


@pytest.mark.shared_data
@pytest.mark.parametrize("cut", ["left", "right"])
def test_truncated_pod_file_of_a_pair_is_warned(shared_data, tmp_path, capsys, cut):
    src = shared_data / "read-runscribe" / "run_37075right.csv"
    lines = src.read_text().splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[: len(lines) * 6 // 10]) + "\n")
    left, right = (short, src) if cut == "left" else (src, short)
    assert main(["steps", str(left), "--format", "runscribe", "--right", str(right),
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    hit = [w for w in doc["warnings"] if "compared only over" in w]
    assert len(hit) == 1 and f"the {cut} pod's file ends" in hit[0], doc["warnings"]
    assert "compared only over the" in hit[0]


@pytest.mark.shared_data
def test_complete_pod_pair_has_no_overlap_warning(shared_data, capsys):
    src = shared_data / "read-runscribe" / "run_37075right.csv"
    assert main(["steps", str(src), "--format", "runscribe", "--right", str(src),
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not [w for w in doc["warnings"] if "compared only over" in w]


def test_phone_json_export_over_the_bound_is_one_line(tmp_path, capsys):
    p = _sparse(tmp_path / "export.json")
    assert main(["steps", str(p), "--format", "phone"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "larger than 128 MB" in err[0] and str(p) in err[0], err


def test_rr_csv_cut_mid_row_keeps_the_rows_before(tmp_path, capsys):
    import numpy as np

    rr = 900 + 30 * np.sin(np.arange(400) / 5.0)
    t = np.cumsum(rr) / 1000.0
    text = "time_s,rr_ms\n" + "".join(f"{a:.3f},{b:.0f}\n" for a, b in zip(t, rr, strict=True))
    p = tmp_path / "rr.csv"
    p.write_text(text[: text.index("\n", len(text) // 2) + 4])  # cut inside a time cell
    code = main(["hrv", "import", str(p), "--db", str(tmp_path / "s.sqlite"), "--when",
                 "2025-05-01T07:00"])
    assert code == 0
    cap = capsys.readouterr()
    assert "from 2" in cap.out  # about 200 beats, not an error
    # the reader's warning is one line in the CLI's words, not Python's two-line warning format
    err = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("warning: ") and "ends mid-line" in err[0], err
    assert "EvenstrideWarning" not in cap.err
