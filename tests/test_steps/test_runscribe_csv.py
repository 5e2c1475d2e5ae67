# SPDX-License-Identifier: MIT
"""RunScribe per-stride CSV exports: the real right-pod file, a synthetic pair, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evenstride import consts
from evenstride.exceptions import ParseError, UserInputError
from evenstride.io import read_runscribe_csv, read_runscribe_side
from evenstride.metrics.variability import dfa_alpha, stride_cv

RIGHT = "read-runscribe/run_37075right.csv"


@pytest.fixture
def right_file(shared_data: Path) -> Path:
    p = shared_data / RIGHT
    if not p.is_file():
        pytest.skip(f"{p} not found")
    return p


def test_real_right_pod(right_file: Path) -> None:
    d = read_runscribe_side(right_file)
    n = len(d["time_s"])
    assert n == 5859  # MANIFEST: 5 859 strides
    assert all(len(v) == n for v in d.values())
    assert 0.15 < np.nanmedian(d["contact_time_s"]) < 0.35
    assert 150 < np.nanmedian(d["cadence_spm"]) < 200
    # US export: miles → metres; 8.88 mi active distance (example_runlog right summary)
    assert np.nanmax(d["distance_m"]) == pytest.approx(8.88 * 1609.344, rel=0.01)
    # feet → metres: ~8 ft stride (runlog right 8.01 ft)
    assert 2.2 < np.nanmedian(d["stride_length_m"]) < 2.7
    assert -20 < np.nanmedian(d["pronation_deg"]) < -10
    assert 5 < np.nanmedian(d["impact_g"]) < 20


def test_real_right_pod_variability(right_file: Path) -> None:
    s = read_runscribe_side(right_file)["stride_s"]
    ok = np.isfinite(s)
    assert ok.sum() > 5800
    assert 0.6 < np.nanmedian(s) < 0.8
    cv = stride_cv(s)
    assert 1.0 < cv < 6.0  # 3.5 % over the whole run, pauses excluded
    r = dfa_alpha(s)
    assert r.alpha is not None and 0.5 < r.alpha < 1.2  # ≈ 0.98
    assert not r.low_confidence


def test_one_foot_refused(right_file: Path) -> None:
    with pytest.raises(UserInputError, match="needs both pods") as ei:
        read_runscribe_csv(right_path=right_file)
    assert str(right_file) in str(ei.value) and "\n" not in str(ei.value)
    with pytest.raises(UserInputError, match="left"):
        read_runscribe_csv(left_path=right_file)


def _fake_left(right_file: Path, tmp: Path) -> Path:
    """The right export shifted by half a stride and with braking +2 g, as a left export."""
    lines = right_file.read_text().splitlines()
    out = lines[:2]
    for line in lines[2:]:
        cells = [c.strip() for c in line.split(",")]
        cells[1] = f"{float(cells[1]) - 0.36:.3f}"
        cells[11] = f"{float(cells[11]) + 2.0:.3f}"
        out.append(", ".join(cells))
    p = tmp / "run_left.csv"
    p.write_text("\n".join(out) + "\n")
    return p


def test_both_pods_activity(right_file: Path, tmp_path: Path) -> None:
    left = _fake_left(right_file, tmp_path)
    act = read_runscribe_csv(left, right_file)
    assert act.n_samples == 5859
    assert act.meta.file_format == "runscribe_csv"
    keys = {ch.key for ch in act.sided}
    for m in (
        consts.M_CONTACT_TIME,
        consts.M_IMPACT_G,
        consts.M_BRAKING_G,
        consts.M_FOOTSTRIKE,
        consts.M_PRONATION_DEG,
    ):
        assert f"{m}/{consts.SRC_RUNSCRIBE}" in keys
    br = act.channel(consts.M_BRAKING_G, consts.SRC_RUNSCRIBE)
    assert br is not None and br.left is not None and br.right is not None
    diff = br.left - br.right
    assert np.nanmedian(diff) == pytest.approx(2.0, abs=1e-6)
    assert np.isfinite(br.right).mean() > 0.99
    assert 150 < np.nanmedian(act.samples[consts.CADENCE_SPM]) < 200
    assert 0.15 < np.nanmedian(act.samples[consts.CONTACT_TIME_S]) < 0.35


def test_wrong_header_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ParseError, match="not a RunScribe per-stride export") as ei:
        read_runscribe_side(p)
    assert str(p) in str(ei.value) and "\n" not in str(ei.value)


def test_unknown_unit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "furlong.csv"
    p.write_text(
        "time (s), step_rate (s/min), contact_time (ms), impact_gs, braking_gs,"
        " stride_length (furlong)\n1.0, 165, 290, 10, 7, 0.01\n1.7, 165, 290, 10, 7, 0.01\n"
    )
    with pytest.raises(ParseError, match="furlong"):
        read_runscribe_side(p)


def test_metric_units(tmp_path: Path) -> None:
    p = tmp_path / "metric.csv"
    p.write_text(
        "time (s), active_dist (km), step_rate (s/min), stride_length (m), contact_time (s),"
        " impact_gs, braking_gs\n1.0, 0.001, 165, 2.4, 0.29, 10, 7\n"
        "1.72, 0.0034, 166, 2.5, 0.30, 11, 8\n"
    )
    d = read_runscribe_side(p)
    assert d["distance_m"][1] == pytest.approx(3.4)
    assert d["stride_length_m"][0] == pytest.approx(2.4)
    assert d["contact_time_s"][1] == pytest.approx(0.30)
    assert d["stride_s"][0] == pytest.approx(0.72)
