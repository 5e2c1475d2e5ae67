# SPDX-License-Identifier: MIT
"""Impulses keep their digits in every output (issue 10): per-contact impulses are 0.01–0.4 BW·s,
so the terminal's 1 decimal and the HTML's 2 decimals showed "0.0 BW·s" / "0.02 BW·s" for the
braking and propulsive impulses. The display decimals per unit are
:data:`evenstride.consts.UNIT_DISPLAY_DECIMALS`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_data_dir
from evenstride import consts
from evenstride.cli import main

IMPULSES = (
    consts.M_VERTICAL_IMPULSE_BW_S,
    consts.M_BRAKING_IMPULSE_BW_S,
    consts.M_PROPULSIVE_IMPULSE_BW_S,
)


@pytest.fixture(scope="module")
def forces() -> Path:
    f = shared_data_dir() / "fukuchi-bmc-ric" / "RBDS001runT25forces.txt"
    if not f.is_file():
        pytest.skip(f"{f} not found")
    return f


def test_impulses_print_with_three_significant_digits(
    forces: Path, capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # the terminal table on one line per metric
    assert main(["steps", str(forces), "--format", "fukuchi", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by = {a["metric"]: a for a in doc["asymmetry"] if a["metric"] in IMPULSES}
    assert set(by) == set(IMPULSES)
    # JSON: at least 3 significant digits of the smallest impulse
    for a in by.values():
        for side in ("left", "right"):
            v = a[side]
            assert 0.01 < v < 0.5
    brake = by[consts.M_BRAKING_IMPULSE_BW_S]
    assert brake["left"] == pytest.approx(0.0189, abs=5e-5)  # RBDS001 2.5 m/s
    html = tmp_path / "r.html"
    assert main(["steps", str(forces), "--format", "fukuchi", "--html", str(html)]) == 0
    term = capsys.readouterr().out
    text = html.read_text()
    for a in by.values():
        for side in ("left", "right"):
            shown = f"{a[side]:.4f} BW·s"
            assert shown in term, (a["metric"], shown)
            assert f"{a[side]:.4f}" in text, (a["metric"], shown)
    assert "0.0 BW·s" not in term
