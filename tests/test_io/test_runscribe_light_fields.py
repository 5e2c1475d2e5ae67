# SPDX-License-Identifier: MIT
"""RunScribe Light's unnamed developer fields 0/1 (issue 10): braking g in field 0 (left) / 6
(right), impact g in 1 / 7, as the Connect IQ app's own source writes them (evidence in
:mod:`evenstride.io._fit_fields`). Runalyze's mapping (0 = impact) was followed before, so the
project's own writer (which follows the app) and reader disagreed: an unnamed round trip swapped
the two channels. Checked on value ranges too: RunScribe's own export has impact above braking
in most strides, and a file where it is not gets a warning."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from _fit_bytes import FLOAT32, REC, UINT8, UINT32, data, definition, developer_prelude, fit_file
from test_fit_writer import make_activity

from evenstride import consts
from evenstride.datatypes import SidedChannel
from evenstride.exceptions import EvenstrideWarning
from evenstride.io._fit_fields import IMPACT_ABOVE_BRAKING_MIN_SHARE, runscribe_light_field
from evenstride.io._fit_reader import read_fit
from evenstride.io._fit_writer import encode_activity_fit

LIGHT_APP = bytes.fromhex("aee3c518b4bf11e7abc4cec278b6b50a")  # Scribe Labs app_ids.txt


def _read(blob: bytes, path: str = "rs.fit"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return read_fit(blob, path=path)


def _rs(act) -> dict[str, SidedChannel]:
    return {c.metric: c for c in act.sided if c.source == consts.SRC_RUNSCRIBE}


def test_unnamed_round_trip_keeps_impact_and_braking_apart() -> None:
    act = make_activity(300)
    n = act.n_samples
    t = np.arange(n)
    brake = np.float32(6.5 + 0.5 * np.sin(t / 7)).astype(np.float64)
    act.sided.append(
        SidedChannel(consts.M_BRAKING_G, consts.SRC_RUNSCRIBE, "g", brake * 1.05, brake * 0.95)
    )
    written = _rs(act)
    # empty field names, as the app's unnamed revision writes them (createField("", 0, …))
    got = _rs(_read(encode_activity_fit(act, runscribe_name_format="")))
    for metric in (consts.M_IMPACT_G, consts.M_BRAKING_G):
        for side in consts.SIDES:
            np.testing.assert_allclose(
                getattr(got[metric], side), getattr(written[metric], side), rtol=1e-6
            )
    assert "RunScribe Light field 1" in got[consts.M_IMPACT_G].origin
    assert "RunScribe Light field 0" in got[consts.M_BRAKING_G].origin


def _light_file(values: dict[int, float], units: str | None = "G", n: int = 40) -> bytes:
    nums = sorted(values)
    fields = [(k, FLOAT32, None, units if k < 12 else ("W" if k == 18 else units)) for k in nums]
    body = developer_prelude(LIGHT_APP, fields)
    body += definition(1, REC, [(253, 4, UINT32), (4, 1, UINT8)], dev=[(k, 4, 0) for k in nums])
    for i in range(n):
        vals = [values[k] + 0.01 * (i % 5) for k in nums]
        payload = struct.pack("<IB", 1_000_000_000 + i, 85) + struct.pack(f"<{len(nums)}f", *vals)
        body += data(1, payload)
    return fit_file(body)


def test_a_file_whose_impact_is_below_braking_is_flagged() -> None:
    good = _read(_light_file({0: 6.0, 1: 12.0, 6: 6.5, 7: 11.0}))
    assert not any("may be swapped" in w for w in good.warnings)
    ch = _rs(good)
    assert ch[consts.M_IMPACT_G].left[0] == pytest.approx(12.0)
    assert ch[consts.M_BRAKING_G].right[0] == pytest.approx(6.5)
    bad = _read(_light_file({0: 12.0, 1: 6.0, 6: 11.0, 7: 6.5}))
    notes = [w for w in bad.warnings if "may be swapped" in w]
    assert len(notes) == 2 and all("impact/braking order unverified" in w for w in notes)


def test_field_12_is_power_only_in_watts() -> None:
    assert runscribe_light_field(12, "W") == consts.POWER_W
    assert runscribe_light_field(12, None) == consts.POWER_W
    assert runscribe_light_field(12, "G") is None  # later revisions: single-channel braking avg
    assert runscribe_light_field(18, "W") == consts.POWER_W
    act = _read(_light_file({0: 6.0, 1: 12.0, 12: 6.2, 18: 250.0}))
    np.testing.assert_allclose(act.samples[consts.POWER_W][:5] // 1, 250.0)


@pytest.mark.shared_data
def test_runscribe_export_has_impact_above_braking(shared_data: Path) -> None:
    """The value-range evidence: RunScribe's own per-stride export (right pod, 75 min)."""
    path = shared_data / "read-runscribe" / "run_37075right.csv"
    if not path.exists():
        pytest.skip("read-runscribe export missing")
    lines = path.read_text().splitlines()
    head = [c.strip() for c in lines[0].split(",")]
    rows = [r.split(",") for r in lines[2:]]
    rows = [r for r in rows if len(r) == len(head) and r[head.index("impact_gs")].strip()]
    imp = np.array([float(r[head.index("impact_gs")]) for r in rows])
    brk = np.array([float(r[head.index("braking_gs")]) for r in rows])
    share = float(np.mean(imp > brk))  # 0.81 over 5 859 strides
    assert share > 0.75 > IMPACT_ABOVE_BRAKING_MIN_SHARE
    assert np.median(imp) > 1.5 * np.median(brk)  # 11.7 vs 7.0 g
