# SPDX-License-Identifier: MIT
"""Physical plausibility (issue 14): an impossible value is excluded with a counted warning,
never turned silently into a number, for sample streams (FIT) and per-step sources (RunScribe
CSV, C3D lab trials) alike; and no real recording loses a value."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from evenstride import consts
from evenstride.cli import main
from evenstride.datatypes import Activity, SidedChannel
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import read_activity
from evenstride.io._fit_writer import write_activity_fit
from evenstride.pipeline import analyze
from evenstride.preprocessing import check_plausibility
from evenstride.preprocessing.plausibility import BALANCE_RANGE, COLUMN_RANGES, METRIC_RANGES
from evenstride.simulate import simulate_run


def _quiet_analyze(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return analyze(x)


def test_every_range_names_a_source_and_a_grade():
    for rng in [*COLUMN_RANGES.values(), *METRIC_RANGES.values(), BALANCE_RANGE]:
        assert rng.source and rng.grade in ("V", "S", "U")
        assert rng.low < rng.high
    # every side-specific metric has a range
    assert set(METRIC_RANGES) == set(consts.SIDED_METRIC_UNITS)


def test_counted_warning_and_nan_for_absurd_columns():
    t = np.arange(10.0)
    cad = np.full(10, 170.0)
    cad[[2, 5]] = 9999.0
    gct = np.full(10, 0.25)
    gct[7] = 1e6  # 1e9 ms
    act = Activity({consts.TIME_S: t, consts.CADENCE_SPM: cad, consts.CONTACT_TIME_S: gct})
    out = check_plausibility(act, emit=False)
    assert np.isnan(out.samples[consts.CADENCE_SPM][[2, 5]]).all()
    assert np.isfinite(out.samples[consts.CADENCE_SPM]).sum() == 8
    assert np.isnan(out.samples[consts.CONTACT_TIME_S][7])
    assert "excluded 2 of 10 samples of cadence outside 0–400 steps/min" in out.warnings[0]
    assert "excluded 1 of 10 samples of ground contact time outside 50–2000 ms" in out.warnings[1]
    # idempotent: a second pass finds nothing more and adds no warning
    again = check_plausibility(out, emit=False)
    assert again is out


def test_balance_of_100_percent_in_half_a_fit_file_is_a_counted_warning(tmp_path):
    sim = simulate_run(duration_s=1800, seed=5)
    act = sim.activity
    ch = act.sided[0]
    assert ch.balance_left_pct is not None
    bal = ch.balance_left_pct.copy()
    half = np.arange(len(bal)) >= len(bal) // 2
    bal[half & np.isfinite(bal)] = 100.0
    edited = Activity(dict(act.samples), [SidedChannel(ch.metric, ch.source, ch.unit,
                                                       balance_left_pct=bal)], act.meta)
    p = tmp_path / "half100.fit"
    write_activity_fit(edited, p)
    n_100 = int(np.sum(read_activity(p).sided[0].balance_left_pct == 100.0))
    assert n_100 > 500
    res = _quiet_analyze(p)
    hit = [w for w in res.warnings if "GCT balance" in w]
    assert hit, res.warnings
    assert f"excluded {n_100} of" in hit[0] and "outside 0–100 %" in hit[0]


def _runscribe_with_absurd_contact(src: Path, dst: Path, every: int) -> int:
    lines = src.read_text().splitlines()
    header = [c.strip() for c in lines[0].split(",")]
    ci = next(i for i, c in enumerate(header) if c.startswith("contact_time"))
    n = 0
    for k in range(2, len(lines)):
        if (k - 2) % every == 0:
            cells = lines[k].split(",")
            if len(cells) > ci:
                cells[ci] = " 1000000000.0"
                lines[k] = ",".join(cells)
                n += 1
    dst.write_text("\n".join(lines) + "\n")
    return n


@pytest.mark.shared_data
def test_runscribe_absurd_contact_time_every_7th_row_is_warned(shared_data, tmp_path, capsys):
    right = shared_data / "read-runscribe" / "run_37075right.csv"
    left = tmp_path / "left.csv"
    n_bad = _runscribe_with_absurd_contact(right, left, 7)
    assert main(["steps", str(left), "--format", "runscribe", "--right", str(right),
                 "--json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    hit = [w for w in doc["warnings"] if "ground contact time" in w and "excluded" in w]
    assert hit, doc["warnings"]
    # the mean column and the left side: both count the same rows
    assert any(f"excluded {n_bad} of" in w for w in hit)
    gct = next(a for a in doc["asymmetry"] if a["metric"] == "contact_time")
    assert gct["balance_left_pct"] is None or 40 < gct["balance_left_pct"] < 60


def _c3d_activity(path: Path):
    from evenstride.steps import read_recording

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return read_recording(path, fmt="c3d")


@pytest.mark.shared_data
@pytest.mark.slow
def test_c3d_hip_adduction_of_174_degrees_is_excluded(shared_data):
    act = _c3d_activity(shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d")
    ch = act.channel(consts.M_HIP_ADDUCTION_PEAK_DEG)
    assert ch is not None and ch.left is not None
    left = ch.left.copy()
    idx = np.flatnonzero(np.isfinite(left))[::5]
    left[idx] = 174.0
    sided = [SidedChannel(c.metric, c.source, c.unit, left=left, right=c.right, origin=c.origin)
             if c is ch else c for c in act.sided]
    res = _quiet_analyze(Activity(act.samples, sided, act.meta, list(act.warnings)))
    hit = [w for w in res.warnings if "peak hip adduction" in w]
    assert hit and f"excluded {len(idx)} of" in hit[0] and "−60–60°" in hit[0], res.warnings
    r = next(a for a in res.asymmetry if a.metric == consts.M_HIP_ADDUCTION_PEAK_DEG)
    assert r.left is not None and abs(r.left) < 60


@pytest.mark.shared_data
def test_no_real_sample_stream_loses_a_value(shared_data):
    files = sorted(p for p in shared_data.rglob("*") if p.suffix.lower() in (".fit", ".tcx",
                                                                                ".gpx"))
    assert len(files) > 20
    for p in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EvenstrideWarning)
                act = read_activity(p)
        except Exception:
            continue
        out = check_plausibility(act, emit=False)
        assert out is act, (p.name, out.warnings)


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize(("seed", "n_peak"), [(0, 1), (9, 84)])
def test_c3d_with_ten_random_bytes_warns_about_absurd_angles(shared_data, tmp_path, capsys,
                                                              seed, n_peak):
    """The issue's case: ten random bytes in a C3D's data gave hip adduction angles far beyond
    any joint's range with exit 0 and no word about it."""
    import json

    src = (shared_data / "fukuchi-bmc-ric" / "RBDS001runT35.c3d").read_bytes()
    rng = np.random.default_rng(seed)
    b = bytearray(src)
    for pos in rng.integers(len(b) // 10, len(b), size=10):
        b[int(pos)] = int(rng.integers(0, 256))
    p = tmp_path / "flipped.c3d"
    p.write_bytes(bytes(b))
    assert main(["steps", str(p), "--format", "c3d", "--mass-kg", "70", "--speed", "3.5",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    hit = [w for w in doc["warnings"] if "of peak hip adduction" in w]
    assert len(hit) == 1 and f"excluded {n_peak} of 8" in hit[0], doc["warnings"]
    for a in doc["asymmetry"]:
        if a["metric"].startswith("hip_adduction") and a.get("left") is not None:
            assert abs(a["left"]) < 60 and abs(a["right"]) < 60


def test_absurd_mean_contact_time_leaves_no_balance_derived_side():
    """FIT sides from a balance are 2·mean·b/100: a 1e9 ms mean must not become a 1e6 s side."""
    n = 6
    gct = np.full(n, 0.25)
    gct[2] = 1e6
    bal = np.full(n, 51.0)
    ch = SidedChannel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS, "s",
                      left=2 * gct * bal / 100, right=2 * gct * (1 - bal / 100),
                      balance_left_pct=bal, derived_from_balance=True)
    act = Activity({consts.TIME_S: np.arange(float(n)), consts.CONTACT_TIME_S: gct}, [ch])
    out = check_plausibility(act, emit=False)
    c = out.sided[0]
    assert np.isnan(c.left[2]) and np.isnan(c.right[2]) and c.balance_left_pct[2] == 51.0
    assert np.isfinite(c.left).sum() == n - 1
    assert len(out.warnings) == 1 and "excluded 1 of 6 samples of ground contact time" in \
        out.warnings[0]
