# SPDX-License-Identifier: MIT
"""Failures the fuzz campaign found (EVENSTRIDE_FUZZ_N=10, EVENSTRIDE_FUZZ_SEED=7), kept as
plain tests: each exited 1 with an internal error before its fix."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from evenstride import consts
from evenstride.cli import main
from evenstride.datatypes import Activity
from evenstride.exceptions import EvenstrideWarning
from evenstride.pipeline import analyze
from evenstride.simulate import simulate_run


def test_gps_jump_across_the_globe_does_not_size_a_grid_by_the_span():
    """fit:semantic7: one position on the other side of the Earth made the track detector's
    busiest-area grid 1.67 TiB (MemoryError, exit 1)."""
    act = simulate_run(duration_s=1200, seed=3, route="track").activity
    lat, lon = act.column(consts.LAT_DEG).copy(), act.column(consts.LON_DEG).copy()
    assert np.isfinite(lat).sum() > 1000
    k = int(np.flatnonzero(np.isfinite(lat))[500])
    lat[k], lon[k] = -45.0, 170.0  # valid WGS84, 18,000 km away
    samples = dict(act.samples)
    samples[consts.LAT_DEG], samples[consts.LON_DEG] = lat, lon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(Activity(samples, act.sided, act.meta, list(act.warnings)))
    assert res.context is not None
    assert res.to_dict()["context"] is not None


@pytest.mark.shared_data
def test_c3d_without_foot_marker_labels_is_one_line(shared_data, tmp_path, capsys):
    """c3d:semantic1: damaged parameter bytes left no foot-marker labels; side assignment
    failed with "need at least one array to concatenate" (exit 1)."""
    data = (shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d").read_bytes()
    for name in (b"L.Heel.Bottom", b"L.MT1", b"L.MT5"):
        assert name in data
        data = data.replace(name, b"X" * len(name))
    p = tmp_path / "nolabels.c3d"
    p.write_bytes(data)
    assert main(["steps", str(p), "--format", "c3d", "--mass-kg", "70", "--speed", "3.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no left foot markers" in err[0] and str(p) in err[0], err


def test_accel_csv_with_a_carriage_return_inside_a_field(tmp_path, capsys):
    """accel:flip0 (seed 9): a flipped bit made a carriage return inside a field; the csv module
    raised "new-line character seen in unquoted field" (exit 1)."""
    t = np.arange(0.0, 60.0, 0.01)
    base = np.datetime64("2018-10-25T17:57:30", "ns")
    stamps = base + (t * 1e9).astype("timedelta64[ns]")
    z = 1.0 + 4.0 * np.exp(-0.5 * (((t % 0.72) / 0.72 - 0.5) * 0.72 / 0.02) ** 2)
    rows = [f"left_ankle,{str(s).replace('T', ' ')},0.01,-0.02,{v:.3f}"
            for s, v in zip(stamps, z, strict=True)]
    rows[3000] = rows[3000].replace(",0.01,", ",0.0\r1,", 1)
    p = tmp_path / "cr.csv"
    p.write_text("loc_id,date_time,x,y,z\n" + "\n".join(rows) + "\n", newline="")
    code = main(["steps", str(p), "--format", "accel"])
    err = [ln for ln in capsys.readouterr().err.strip().splitlines()
           if ln.startswith("evenstride:")]
    assert code == 2 and len(err) == 1 and str(p) in err[0], (code, err)


@pytest.mark.parametrize("fmt", ["runscribe", "phone", "accel"])
def test_a_field_over_the_csv_size_limit_is_one_line(tmp_path, capsys, fmt):
    """A damaged export with one 300,000-character field: csv's "field larger than field limit"
    was an internal error (exit 1) for the RunScribe and phone readers."""
    header = {"runscribe": "datetime, time (s), step_rate (s/min), contact_time (ms), "
                           "braking_gs, impact_gs",
              "phone": "time,seconds_elapsed,z,y,x",
              "accel": "loc_id,date_time,x,y,z"}[fmt]
    p = tmp_path / ("Accelerometer.csv" if fmt == "phone" else "big_field.csv")
    p.write_text(header + "\n" + "1" * 300_000 + "\n")
    argv = ["steps", str(p), "--format", fmt] + (["--right", str(p)] if fmt == "runscribe"
                                                 else [])
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(p.name) in err[0] and len(err[0]) < 400, err


def test_rr_error_does_not_echo_a_huge_cell(tmp_path, capsys):
    p = tmp_path / "rr.csv"
    p.write_text("rr_ms\n" + "9" * 300_000 + "x\n")
    assert main(["hrv", "import", str(p), "--db", str(tmp_path / "s.sqlite")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a number" in err[0] and len(err[0]) < 400, err


@pytest.mark.shared_data
def test_c3d_without_an_analog_rate_parameter_uses_the_header(shared_data, tmp_path, capsys):
    """c3d:semantic5 (seed 12): a damaged parameter name left ANALOG without RATE; the force
    time base divided by 0 (ZeroDivisionError, exit 1). The rate is then the point rate times
    the header's analog samples per frame, as the C3D standard defines it."""
    src = (shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d").read_bytes()
    assert src.count(b"RATE") == 2  # POINT:RATE (the header holds it too) and ANALOG:RATE
    p = tmp_path / "norate.c3d"
    p.write_bytes(src.replace(b"RATE", b"\x07ATE"))
    assert main(["steps", str(p), "--format", "c3d", "--mass-kg", "70", "--speed", "3.5"]) == 0


@pytest.mark.shared_data
def test_c3d_cut_after_a_few_frames_is_one_line(shared_data, tmp_path, capsys):
    """c3d:truncate4 (seed 3): a C3D cut a few frames into its data (read up to the cut since
    issue 14) found no contacts, and the force metrics failed on an empty list (exit 1)."""
    src = (shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d").read_bytes()
    p = tmp_path / "short.c3d"
    p.write_bytes(src[:17683])
    assert main(["steps", str(p), "--format", "c3d", "--mass-kg", "70", "--speed", "3.5"]) == 2
    err = [ln for ln in capsys.readouterr().err.strip().splitlines()
           if ln.startswith("evenstride:")]
    assert len(err) == 1 and "foot contacts" in err[0] and str(p) in err[0], err
