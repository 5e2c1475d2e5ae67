# SPDX-License-Identifier: MIT
"""Regimes per source: a metric's baseline restarts only when the device producing it changes;
device names are clean; each restart is listed once per metric."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.history import AsymmetryEntry, HistoryParams, RunRecord, build_history
from evenstride.history._devices import clean_device_name, sensor_key, setup_label

RD = "contact_time/running_dynamics"
RS = "impact_g/runscribe"
T0 = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
FAST = HistoryParams(n_boot=100, n_boot_changepoint=60)
WATCH, STRAP, HR_ONLY = "garmin fr965", "garmin hrm_pro", "garmin hrm_dual"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("garmin fr965", "Garmin Forerunner 965"),
        ("garmin hrm_pro_plus", "Garmin HRM-Pro Plus"),
        ("garmin hrm4_run", "Garmin HRM4-Run"),
        ("garmin hrm_600", "Garmin HRM 600"),
        ("scribe_labs RunScribe", "RunScribe"),
        ("stryd 4660", "Stryd"),
        ("stryd Stryd", "Stryd"),
        ("coros COROS APEX Pro", "COROS APEX Pro"),
        ("polar_electro 2", None),
        ("garmin 0", None),
        ("garmin 3107", None),
        ("garmin gnss", None),
        ("development", None),
        ("garmin", None),
        ("watch", "watch"),
    ],
)
def test_clean_device_names(raw, clean):
    assert clean_device_name(raw) == clean


def test_sensor_key_per_source():
    devs = [WATCH, "garmin 0", STRAP, "stryd 4660", "stryd 1", "scribe_labs RunScribe",
            "polar_electro 2", "development"]
    assert sensor_key(devs, "running_dynamics") == "Garmin Forerunner 965 + Garmin HRM-Pro"
    assert sensor_key(devs, "runscribe") == "RunScribe"
    assert sensor_key(devs, "stryd") == "Stryd"
    # a heart-rate-only strap does not feed running dynamics
    assert sensor_key([WATCH, HR_ONLY], "running_dynamics") == "Garmin Forerunner 965"
    # a Stryd-made file: its running dynamics are the Stryd's
    assert sensor_key(["stryd", "development"], "running_dynamics") == "Stryd"
    assert setup_label(devs) == (
        "Garmin Forerunner 965 + Garmin HRM-Pro + RunScribe + Stryd"
    )


def _entry(key: str, v: float) -> AsymmetryEntry:
    return AsymmetryEntry(key=key, index="symmetry_angle_pct", value=v, ci95=(v - 0.1, v + 0.1),
                          balance_left_pct=50.0 + v * math.pi / 4.0, n=1500, real=True)


def _history(n: int, devices_of, rs_every: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    runs = []
    for i in range(n):
        devs = devices_of(i)
        asym = {RD: _entry(RD, 1.0 + rng.normal(0.0, 0.3))}
        if "scribe_labs RunScribe" in devs:
            asym[RS] = _entry(RS, 4.0 + rng.normal(0.0, 0.5))
        runs.append(RunRecord(activity_id=i, start_time=T0 + timedelta(days=2 * i),
                              duration_s=1800.0, devices=tuple(devs),
                              device_key=setup_label(devs), asymmetry=asym,
                              median_speed_m_s=3.0))
    return build_history(runs, params=FAST)


def test_pods_and_heart_rate_straps_do_not_restart_the_strap_metric():
    # pods every other run, Stryd every third, an HR-only strap on a few runs
    def devs(i):
        d = [WATCH, STRAP]
        d += ["scribe_labs RunScribe"] * (i % 2 == 0) + ["stryd 4660"] * (i % 3 == 0)
        return d + [HR_ONLY] * (i % 5 == 0) + ["garmin 0"]

    h = _history(30, devs)
    m = h.metrics[RD]
    assert [g.reason for g in m.regimes] == ["first run"] and m.device_steps == []
    assert m.current["baseline"]["n_runs"] >= 20
    assert m.current["baseline"]["device_key"] == "Garmin Forerunner 965 + Garmin HRM-Pro"
    assert [g.reason for g in h.metrics[RS].regimes] == ["first run"]
    assert h.device_changes == []


def test_a_strap_change_restarts_only_the_strap_metric_and_is_listed_once():
    def devs(i):
        strap = STRAP if i < 16 else "garmin hrm_600"
        return [WATCH, strap] + ["scribe_labs RunScribe"] * (i % 2 == 0) + ["garmin 0"]

    h = _history(32, devs)
    assert [g.reason for g in h.metrics[RD].regimes] == ["first run", "device change"]
    assert [g.reason for g in h.metrics[RS].regimes] == ["first run"]
    (dc,) = h.device_changes
    assert dc["metrics"] == [RD] and [s["metric"] for s in dc["steps"]] == [RD]
    assert dc["date"] == (T0 + timedelta(days=32)).date().isoformat()
    (step,) = dc["steps"]
    assert step["from_device"] == "Garmin Forerunner 965 + Garmin HRM-Pro"
    assert step["to_device"] == "Garmin Forerunner 965 + Garmin HRM 600"
    for name in (dc["from"], dc["to"], step["from_device"], step["to_device"]):
        assert "garmin 0" not in name and "development" not in name


def test_the_html_report_lists_each_restart_once_per_metric():
    import re

    from evenstride.report.history import render_history_report

    def devs(i):
        strap = STRAP if i < 16 else "garmin hrm_600"
        return [WATCH, strap] + ["scribe_labs RunScribe"] * (i % 2 == 0) + ["stryd 4660"] * (
            i % 3 == 0
        ) + ["garmin 0", "development"]

    h = _history(32, devs)
    html = render_history_report(h, athlete="Ann")
    text = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    (dc,) = h.to_dict()["device_changes"]
    (step,) = dc["steps"]
    day = dc["date"]
    items = re.findall(r"<li>\s*" + re.escape(day) + r":", text)
    assert len(items) == 1  # one bullet: the strap metric, once
    assert "garmin 0" not in text and "development" not in text
    assert step["to_device"] in text


def test_the_history_modules_doctests():
    import doctest

    from evenstride.history import _baseline, _devices, _noise

    for mod in (_devices, _noise, _baseline):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted >= 2, mod.__name__
