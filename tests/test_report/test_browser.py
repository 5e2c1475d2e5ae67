# SPDX-License-Identifier: MIT
"""Open the report in a real headless browser, offline, and check that plotly drew every figure.

Skipped only when Debian's ``chromium`` is not installed (CI installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

from evenstride import consts as C
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.exceptions import EvenstrideWarning
from evenstride.pipeline import analyze
from evenstride.report import write_report

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


def _activity(n: int = 2400, *, sided: bool = True) -> Activity:
    rng = np.random.default_rng(1)
    t = np.arange(n, dtype=float)
    speed = 3.2 + 0.3 * np.sin(t / 400) + rng.normal(0, 0.05, n)
    cad = 150 + 5.6 * speed + rng.normal(0, 1, n)
    dist = np.cumsum(speed)
    ang = dist / 150.0  # a 150-m-radius circle: left-hand bends throughout
    lat = 47 + 150 * np.sin(ang) / 6_371_000 * 180 / np.pi
    lon = 8 + 150 * (1 - np.cos(ang)) / (6_371_000 * np.cos(np.radians(47))) * 180 / np.pi
    gct = 0.25 - 0.02 * (speed - 3.2)
    bal = 51.0 + np.where(t > n / 2, (t - n / 2) / 3600 * 2.0, 0.0) + rng.normal(0, 0.3, n)
    samples = {
        C.TIME_S: t,
        C.SPEED_M_S: speed,
        C.CADENCE_SPM: cad,
        C.DISTANCE_M: dist,
        C.LAT_DEG: lat,
        C.LON_DEG: lon,
        C.ALTITUDE_M: 400 + 10 * np.sin(dist / 500),
        C.CONTACT_TIME_S: gct,
    }
    chans = []
    if sided:
        chans.append(
            SidedChannel(
                C.M_CONTACT_TIME,
                C.SRC_RUNNING_DYNAMICS,
                "s",
                left=2 * gct * bal / 100,
                right=2 * gct * (1 - bal / 100),
                balance_left_pct=bal,
                derived_from_balance=True,
            )
        )
    return Activity(samples, chans, ActivityMeta(path="browser_test.fit", file_format="fit"))


def _dump_dom(page: Path, tmp_path: Path) -> str:
    """Load ``page`` offline (every host name fails to resolve) and return the DOM after scripts."""
    cmd = [
        shutil.which("chromium") or CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,4000",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def _render(analysis: object, tmp_path: Path) -> tuple[str, str]:
    page = write_report(analysis, tmp_path / "report.html")  # type: ignore[arg-type]
    return page.read_text(encoding="utf-8"), _dump_dom(page, tmp_path)


def test_plotly_draws_every_figure_offline(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        analysis = analyze(_activity())
    source, dom = _render(analysis, tmp_path)
    n_figures = source.count("Plotly.newPlot(")
    assert n_figures >= 5
    assert dom.count('class="plot-container plotly"') == n_figures
    # each figure has its main SVG, sized to the page (not 0 × 0, not plotly's 700 px default)
    widths = [int(w) for w in re.findall(r'<svg class="main-svg"[^>]*?width="(\d+)"', dom)]
    assert len(widths) >= n_figures
    assert min(widths) > 700
    # data were drawn: lines, bars and markers exist
    assert 'class="scatterlayer' in dom
    assert 'class="barlayer' in dom
    assert dom.count('class="point"') > 50


def test_report_without_sides_opens_with_skip_lines(tmp_path: Path) -> None:
    with pytest.warns(EvenstrideWarning):
        analysis = analyze(_activity(sided=False))
    source, dom = _render(analysis, tmp_path)
    n_figures = source.count("Plotly.newPlot(")
    assert dom.count('class="plot-container plotly"') == n_figures
    assert dom.lower().count("plot skipped because") >= 3
