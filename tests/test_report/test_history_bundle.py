# SPDX-License-Identifier: MIT
"""Light reports: the plotly.js *basic* bundle draws every figure we make, a per-run report of a
long run stays ≤ 1.5 MB, and reports written together share one ``plotly.min.js`` beside them
(and still draw offline in headless chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evenstride.cli import main
from evenstride.exceptions import EvenstrideWarning
from evenstride.history import AsymmetryEntry, RunRecord, build_history
from evenstride.pipeline import analyze
from evenstride.report import figures as F
from evenstride.report import render_history_report, render_report
from evenstride.simulate import simulate_run, write_simulated_fit

CHROMIUM = "/usr/bin/chromium"
#: Issue 11: a per-run report is at most this large.
MAX_RUN_REPORT_BYTES = 1_500_000


def _trace_types(html: str) -> set[str]:
    """The ``type`` of every trace passed to ``Plotly.newPlot(id, data, layout, config)``."""
    dec = json.JSONDecoder()
    types: set[str] = set()
    for m in re.finditer(r"Plotly\.newPlot\(\s*", html):
        _id, end = dec.raw_decode(html, m.end())
        end = html.index("[", end)
        data, _ = dec.raw_decode(html, end)
        types |= {t.get("type", "scatter") for t in data}
    return types


def _records(n: int = 30) -> list[RunRecord]:
    """A quick history: one metric, a device change at run 12, every fifth run on the track."""
    t0 = datetime(2024, 1, 1, 7, tzinfo=UTC)
    out = []
    for i in range(n):
        bal = 51.0 + 0.3 * ((i * 7919) % 11 - 5) / 5 + (0.8 if i >= 12 else 0.0)
        sa = (bal - 50.0) * 1.273
        e = AsymmetryEntry(key="contact_time/running_dynamics", index="symmetry_angle_pct",
                           value=sa, ci95=(sa - 0.3, sa + 0.3), balance_left_pct=bal, n=2000,
                           real=True, cls="typical")
        out.append(RunRecord(activity_id=i, start_time=t0 + timedelta(days=2 * i),
                             duration_s=2400.0, distance_m=8000.0, median_speed_m_s=3.3,
                             device_key="fr965 + hrm_pro" if i < 12 else "fr965 + hrm_600",
                             surface="track" if i % 5 == 0 else "road",
                             asymmetry={e.key: e}, bend_left_s=300.0, bend_right_s=100.0))
    return out


@pytest.fixture(scope="module")
def long_run_html() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        sim = simulate_run(duration_s=3 * 3600.0, seed=5, include_runscribe=True, drills=True,
                           stops=3, walk_breaks=1)
        return render_report(analyze(sim.activity))


def test_inlined_bundle_is_the_basic_one(long_run_html: str) -> None:
    js = F.plotly_js()
    assert "plotly.js (basic - minified) v" + F.PLOTLY_BASIC_VERSION in js[:200]
    assert long_run_html.count(js) == 1
    assert len(js) < 1_300_000  # not the 4.8 MB full bundle


def test_every_figure_uses_trace_types_of_the_basic_bundle(long_run_html: str) -> None:
    used = _trace_types(long_run_html.replace(F.plotly_js(), ""))
    assert used and used <= F.BASIC_TRACE_TYPES, used
    hist = render_history_report(build_history(_records()), athlete="A")
    used_h = _trace_types(hist.replace(F.plotly_js(), ""))
    assert {"scatter", "bar"} <= used_h <= F.BASIC_TRACE_TYPES, used_h


def test_per_run_report_of_a_three_hour_run_is_light(long_run_html: str) -> None:
    size = len(long_run_html.encode("utf-8"))
    assert size <= MAX_RUN_REPORT_BYTES, f"{size:,} bytes"


def test_write_plotly_js_writes_once(tmp_path: Path) -> None:
    assert F.write_plotly_js(tmp_path) == "plotly.min.js"
    p = tmp_path / "plotly.min.js"
    assert p.read_text(encoding="utf-8") == F.plotly_js()
    before = p.stat().st_mtime_ns
    os.utime(p, ns=(before - 10**9, before - 10**9))
    F.write_plotly_js(tmp_path)  # identical: left alone
    assert p.stat().st_mtime_ns == before - 10**9
    p.write_text("stale", encoding="utf-8")
    F.write_plotly_js(tmp_path)  # a different file: replaced
    assert p.read_text(encoding="utf-8") == F.plotly_js()


def _fits(folder: Path, n: int) -> list[Path]:
    t0 = datetime(2024, 3, 1, 7, tzinfo=UTC)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_simulated_fit(folder / f"run{i}.fit", duration_s=1200.0, seed=i,
                            start_time=t0 + timedelta(days=i))
        for i in range(n)
    ]


def _dump_dom(page: Path, tmp_path: Path) -> str:
    """``page`` loaded offline in headless chromium: the DOM after scripts ran (and no message
    on the browser console: no script error, no failed load)."""
    cmd = [shutil.which("chromium") or CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--no-first-run", "--enable-logging=stderr",
           "--log-level=0",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
           "--window-size=1280,3000", "--virtual-time-budget=10000", "--dump-dom",
           page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    console = [ln for ln in res.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], console
    return res.stdout


@pytest.mark.slow
def test_analyze_several_files_share_one_bundle(tmp_path: Path) -> None:
    paths = _fits(tmp_path / "in", 2)
    out = tmp_path / "reports"
    code = main(["analyze", *map(str, paths), "--html", str(out), "--no-progress", "--quiet"])
    assert code == 0
    pages = sorted(out.glob("*.html"))
    assert [p.name for p in pages] == ["run0.html", "run1.html"]
    assert (out / "plotly.min.js").read_text(encoding="utf-8") == F.plotly_js()
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert '<script src="plotly.min.js"></script>' in html
        assert F.plotly_js()[:200] not in html
        assert len(html.encode()) < 400_000
    if os.path.exists(CHROMIUM):
        dom = _dump_dom(pages[0], tmp_path)
        n_fig = pages[0].read_text(encoding="utf-8").count("Plotly.newPlot(")
        assert n_fig >= 3
        assert dom.count('class="plot-container plotly"') == n_fig


@pytest.mark.slow
def test_report_runs_share_one_bundle_beside_them(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    paths = _fits(tmp_path / "in", 3)
    assert main(["import", *map(str, paths), "--db", str(db), "--athlete", "Ann",
                 "--no-progress", "--jobs", "1"]) == 0
    target = tmp_path / "out" / "ann history.html"
    target.parent.mkdir()
    assert main(["report", "--db", str(db), "--athlete", "Ann", "--html", str(target),
                 "--runs"]) == 0
    run_dir = tmp_path / "out" / "ann history-runs"
    assert (run_dir / "plotly.min.js").read_text(encoding="utf-8") == F.plotly_js()
    assert list(tmp_path.rglob("plotly.min.js")) == [run_dir / "plotly.min.js"]
    run_pages = sorted(run_dir.glob("run-*.html"))
    assert len(run_pages) == 3
    for p in run_pages:
        html = p.read_text(encoding="utf-8")
        assert '<script src="plotly.min.js"></script>' in html
        assert F.plotly_js()[:200] not in html
    page = target.read_text(encoding="utf-8")
    assert F.plotly_js()[:200] not in page
    assert "ann%20history-runs/run-" in page
    if os.path.exists(CHROMIUM):
        dom = _dump_dom(run_pages[0], tmp_path)
        n_fig = run_pages[0].read_text(encoding="utf-8").count("Plotly.newPlot(")
        assert n_fig >= 3 and dom.count('class="plot-container plotly"') == n_fig
