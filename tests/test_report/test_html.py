# SPDX-License-Identifier: MIT
"""The HTML report: content (findings, tables, units), self-containment, escaping, size."""

from __future__ import annotations

import re
import time
import warnings
from datetime import UTC, datetime
from html.parser import HTMLParser

import numpy as np
import pytest
from markupsafe import escape

from evenstride import consts as C
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import EvenstrideWarning
from evenstride.pipeline import RunAnalysis, analyze
from evenstride.report import figures as F
from evenstride.report import html as H
from evenstride.report import render_report, write_report
from evenstride.report.figures import plotly_js as get_plotlyjs

# --- a hand-built run: stops, a walk, bends both ways, hills, a drill and a late GCT drift ----


def make_activity(
    duration_s: float = 3600,
    *,
    sided: bool = True,
    gps: bool = True,
    distance: bool = True,
    seed: int = 0,
    path: str = "morning_run.fit",
    devices: tuple[str, ...] = ("Garmin Forerunner 965", "Garmin HRM-Pro Plus"),
    segments: list[Segment] | None = None,
    warnings_: tuple[str, ...] = (),
) -> Activity:
    rng = np.random.default_rng(seed)
    n = int(duration_s)
    t = np.arange(n, dtype=float)
    speed = 3.2 + 0.35 * np.sin(t / 500.0) + rng.normal(0, 0.05, n)
    cad = 150 + 5.6 * speed + rng.normal(0, 1.0, n)
    for s0 in (0.3 * n, 0.62 * n):  # two 60-s stops
        m = (t >= s0) & (t < s0 + 60)
        speed[m] = 0.0
        cad[m] = 0.0
    walk = (t >= 0.8 * n) & (t < 0.8 * n + 90)
    speed[walk], cad[walk] = 1.4, 110.0
    dist = np.concatenate(([0.0], np.cumsum(speed[:-1])))
    lap = dist % 2000.0  # a 2-km lap: one tight left, one tight right, one wide left bend
    k = np.where((lap > 400) & (lap < 447), 1 / 30, 0.0)
    k = np.where((lap > 1200) & (lap < 1247), -1 / 30, k)
    k = np.where((lap > 1600) & (lap < 1700), 1 / 40, k)
    dd = np.diff(dist, prepend=0.0)
    heading = np.cumsum(k * dd)
    x, y = np.cumsum(np.cos(heading) * dd), np.cumsum(np.sin(heading) * dd)
    lat = 47.0 + y / 6_371_000 * 180 / np.pi
    lon = 8.0 + x / (6_371_000 * np.cos(np.radians(47.0))) * 180 / np.pi
    alt = 400 + 15 * np.sin(dist / 400.0)
    e = np.zeros(n)
    for i in range(1, n):  # AR(1) sample-to-sample noise
        e[i] = 0.9 * e[i - 1] + rng.normal(0, 0.4 * np.sqrt(1 - 0.81))
    onset = 0.55 * n
    bal = 51.0 + np.where(t > onset, (t - onset) / 3600 * 2.0, 0.0) + e + 0.4 * (k > 0)
    bal[(t >= 0.45 * n) & (t < 0.45 * n + 40)] = 70.0  # a drill
    bal[speed == 0] = np.nan
    gct = 0.25 - 0.02 * (speed - 3.2)
    gct[speed == 0] = np.nan
    vo = 0.085 + rng.normal(0, 0.003, n)
    step = np.where(cad > 0, speed / np.maximum(cad, 1.0) * 60.0, np.nan)
    samples = {
        C.TIME_S: t,
        C.SPEED_M_S: speed,
        C.CADENCE_SPM: cad,
        C.CONTACT_TIME_S: gct,
        C.VERTICAL_OSCILLATION_M: vo,
        C.VERTICAL_RATIO_PCT: vo / step * 100,
        C.STEP_LENGTH_M: step,
        C.HEART_RATE_BPM: 140 + t / n * 20,
    }
    if distance:
        samples[C.DISTANCE_M] = dist
    if gps:
        samples.update({C.LAT_DEG: lat, C.LON_DEG: lon, C.ALTITUDE_M: alt})
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
                origin="stance_time_balance x stance_time",
            )
        )
    meta = ActivityMeta(
        path=path,
        file_format="fit",
        sport="running",
        sub_sport="road" if gps else "treadmill",
        start_time=datetime(2024, 5, 12, 6, 30, tzinfo=UTC),
        devices=list(devices),
        segments=segments or [Segment("running", "road", 0.0, float(n - 1), True)],
        indoor=not gps,
    )
    return Activity(samples, chans, meta, warnings=list(warnings_))


def _analyze(act: Activity) -> RunAnalysis:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return analyze(act)


@pytest.fixture(scope="module")
def run_1h() -> RunAnalysis:
    return _analyze(make_activity(3600))


@pytest.fixture(scope="module")
def html_1h(run_1h: RunAnalysis) -> str:
    t0 = time.perf_counter()
    html = render_report(run_1h)
    dt = time.perf_counter() - t0
    print(f"\n1-h report: {len(html.encode()) / 1e6:.2f} MB rendered in {dt:.3f} s")
    return html


@pytest.fixture(scope="module")
def bare() -> tuple[RunAnalysis, str]:
    """Treadmill-style run: no left/right channel, no GPS, no distance."""
    act = make_activity(1800, sided=False, gps=False, distance=False)
    with pytest.warns(EvenstrideWarning, match="no left/right data"):
        a = analyze(act)
    return a, render_report(a)


def _strip_bundle(html: str) -> str:
    js = get_plotlyjs()
    assert html.count(js) == 1
    return html.replace(js, "")


# --- content -----------------------------------------------------------------------------------


def test_page_structure(html_1h: str) -> None:
    assert html_1h.startswith("<!DOCTYPE html>")
    for section in ("findings", "asymmetry", "plots", "form", "quality", "methods"):
        assert f'<section id="{section}"' in html_1h
    # findings come before the table, the table before the plots
    assert html_1h.index('id="findings"') < html_1h.index('id="asymmetry"')
    assert html_1h.index('id="asymmetry"') < html_1h.index('id="plots"')


def test_findings_in_plain_language_with_evidence(run_1h: RunAnalysis, html_1h: str) -> None:
    findings = run_1h.to_dict()["findings"]
    assert findings
    pos = []
    for f in findings:
        assert str(escape(f["title"])) in html_1h
        assert str(escape(f["text"])) in html_1h
        assert str(escape(f["evidence"]["note"])) in html_1h
        pos.append(html_1h.index(str(escape(f["text"]))))
    assert pos == sorted(pos), "findings keep their ranking"
    # the legend explains every grade, and there is a badge per finding
    for g in ("V", "S", "U"):
        assert f'<span class="grade grade-{g}">{g}</span>' in html_1h
    heads = run_1h.to_dict()["headline_findings"]
    assert 1 <= len(heads) <= 5
    assert html_1h.count('class="finding topic-') == len(heads)
    assert "No validated injury threshold exists for running gait asymmetry" in html_1h
    assert "Sign convention:" in html_1h


def test_page_leads_with_the_headline_sentences(run_1h: RunAnalysis, html_1h: str) -> None:
    d = run_1h.to_dict()
    heads = d["headline_findings"]
    sect = html_1h.index('id="findings"')
    pos = [html_1h.index(str(escape(f["sentence"]))) for f in heads]
    # the sentences come first in "What this means", in rank order, before the notice and before
    # the full ranked table (which lists every finding)
    assert sect < pos[0] and pos == sorted(pos)
    assert pos[-1] < html_1h.index("No validated injury threshold exists")
    assert pos[-1] < html_1h.index("All " + str(len(d["findings"])) + " findings, ranked")
    for f in heads:
        assert f["sentence"].startswith(f["sensor"])
    # the asymmetry table names the sensor and the side doing more in the registry's words
    a = d["asymmetry"][0]
    assert str(escape(a["sensor"])) in html_1h and "Side doing more" in html_1h


def test_asymmetry_table_matches_json(run_1h: RunAnalysis, html_1h: str) -> None:
    a = run_1h.to_dict()["asymmetry"][0]
    lo, hi = a["balance_left_pct_ci95"]
    assert f"{a['balance_left_pct']:.2f}\u202f%" in html_1h
    assert f"{lo:.2f} to {hi:.2f}" in html_1h
    sa = f"{a['symmetry_angle_pct']:+.2f}".replace("-", "−")
    assert f"{sa}\u202f%" in html_1h
    # contact time in ms, not s
    assert f"{a['left'] * 1000:.1f}\u202fms" in html_1h
    assert f"{a['right'] * 1000:.1f}\u202fms" in html_1h
    assert f">{a['n']}<" in html_1h
    assert f"{a['n_steps']:.0f} · {a['n_effective']:.0f}" in html_1h
    assert f'<span class="chip {H.CLASS_CSS[a["class"]]}">{a["class"]}</span>' in html_1h
    assert str(escape(a["class_reason"])) in html_1h


def test_header_units_and_formats(run_1h: RunAnalysis, html_1h: str) -> None:
    d = run_1h.to_dict()
    assert "<h1>morning_run.fit</h1>" in html_1h
    assert "2024-05-12 06:30 UTC" in html_1h
    assert "running / road" in html_1h
    assert f"{H.fmt_hms(d['duration_s'])} <small>h:mm:ss</small>" in html_1h
    assert f"{d['distance_m'] / 1000:.2f}\u202fkm" in html_1h
    assert "Garmin Forerunner 965, Garmin HRM-Pro Plus" in html_1h
    assert "the whole recording" in html_1h


def test_form_drift_quality_and_km_tables(run_1h: RunAnalysis, html_1h: str) -> None:
    d = run_1h.to_dict()
    gct = d["form"]["summary"][C.CONTACT_TIME_S]
    assert f"{gct['median'] * 1000:.0f}\u202fms" in html_1h
    assert str(escape(gct["garmin_band"])) in html_1h
    cad = d["form"]["summary"][C.CADENCE_SPM]
    assert f"{cad['median']:.0f}\u202fsteps/min" in html_1h
    vo = d["form"]["summary"][C.VERTICAL_OSCILLATION_M]
    assert f"{vo['median'] * 100:.1f}\u202fcm" in html_1h
    drift = d["fatigue"]["contact_time/running_dynamics"]
    assert f"{drift['slope_per_h']:+.2f}\u202f% SA/h".replace("-", "−") in html_1h
    labels = d["quality"]["labels"]
    assert f"{labels['running'] * 100:.1f}\u202f%" in html_1h
    assert "Left-hand bends" in html_1h
    assert "Drop-outs: Ground contact time asymmetry" in html_1h
    km = d["profile_km"]
    assert len(km) >= 10
    assert f"{km[0]['contact_time/running_dynamics:balance_left_pct']:.2f}" in html_1h
    assert "Garmin Running Dynamics manual (GCT balance zones)" in html_1h  # references


def test_all_plots_present_with_unique_ids(html_1h: str) -> None:
    ids = re.findall(r'Plotly\.newPlot\(\s*"([^"]+)"', html_1h)
    for key in ("fig-balance", "fig-context", "fig-drift", "fig-cadence", "fig-km"):
        assert key in ids
    assert len(ids) == len(set(ids))
    assert "skipped because" not in html_1h.lower()


# --- self-contained, one bundle, escaping --------------------------------------------------


_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)|(?:@import)""",
    re.IGNORECASE,
)


def test_no_external_resource_loads(html_1h: str) -> None:
    page = _strip_bundle(html_1h)
    assert _EXTERNAL.findall(page) == []
    assert re.findall(r"\bsrc\s*=", page) == [], "no src attributes at all"
    assert "<link" not in page
    hrefs = re.findall(r'href\s*=\s*"([^"]*)"', page)
    assert hrefs
    assert all(h.startswith("#") for h in hrefs)


def test_exactly_one_plotly_bundle(html_1h: str) -> None:
    js = get_plotlyjs()
    assert html_1h.count(js) == 1
    assert html_1h.count(js[:60]) == 1  # the version banner
    assert html_1h.count("<script") == html_1h.count("Plotly.newPlot(") + 2  # + bundle + print


def test_user_strings_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    act = make_activity(
        900,
        path=evil,
        devices=('<img src=x onerror="alert(2)">', "Pod & <b>bold</b>"),
        warnings_=("field <i>x</i> unknown",),
    )
    html = render_report(_analyze(act))
    page = _strip_bundle(html)
    assert "alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "<b>bold</b>" not in page
    assert "<i>x</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    assert "Pod &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "field &lt;i&gt;x&lt;/i&gt; unknown" in page
    # the only scripts are ours: the bundle, the figures and the print helper
    assert page.count("<script") == page.count("Plotly.newPlot(") + 2


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    _VOID = frozenset({"meta", "br", "img", "input", "hr", "link"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
        else:
            self.open.pop()


def test_markup_is_balanced(html_1h: str) -> None:
    p = _Tags()
    p.feed(_strip_bundle(html_1h))
    assert p.errors == []
    assert p.open == []


# --- missing data: skip with a reason, never an empty chart ------------------------------------


def test_run_without_sides_gps_or_distance(bare: tuple[RunAnalysis, str]) -> None:
    a, html = bare
    page = _strip_bundle(html)
    low = page.lower()
    assert "plot skipped because this file has no left/right ground-contact-time data" in low
    assert "plot skipped because this file has no left/right data." in low
    assert "plot skipped because this file has no distance" in low
    assert "table skipped because this file has no left/right data." in low
    assert low.count("skipped because") >= 4
    ids = re.findall(r'Plotly\.newPlot\(\s*"([^"]+)"', page)
    assert ids == ["fig-cadence"]  # the only plot this run supports
    assert "not known" in page  # bends and grade without GPS
    assert "no left/right data in this file" in page  # the warning in the header
    for f in a.to_dict()["findings"]:
        assert str(escape(f["title"])) in page


def test_run_without_cadence_has_no_bundle() -> None:
    act = make_activity(1200, sided=False, gps=False, distance=False)
    del act.samples[C.CADENCE_SPM]
    with pytest.warns(EvenstrideWarning):
        a = analyze(act)
    html = render_report(a)
    assert "Plotly.newPlot(" not in html
    assert get_plotlyjs()[:60] not in html, "no plotly bundle when there is nothing to plot"
    assert "plot skipped because this file has no cadence." in html.lower()


def test_multisport_legs_listed() -> None:
    segs = [
        Segment("swimming", "open_water", 0.0, 1800.0, False),
        Segment("running", None, 1800.0, 3599.0, True),
    ]
    html = render_report(_analyze(make_activity(1800, segments=segs)))
    assert "running leg 0:30:00–0:59:59" in html
    assert "(of 2 legs)" in html
    assert "swimming / open_water" in html


def test_write_report(tmp_path, run_1h: RunAnalysis) -> None:
    out = write_report(run_1h, tmp_path / "r.html")
    assert out == tmp_path / "r.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- size and speed ----------------------------------------------------------------------------


def test_five_hour_report_size_and_time() -> None:
    a = _analyze(make_activity(5 * 3600))
    t0 = time.perf_counter()
    html = render_report(a)
    dt = time.perf_counter() - t0
    size = len(html.encode("utf-8"))
    print(f"\n5-h report: {size / 1e6:.2f} MB rendered in {dt:.3f} s")
    assert size <= 8_000_000  # its render time is in bench/bench_web.py, not asserted here
    assert a.drifts["contact_time/running_dynamics"].onset_s is not None
    assert "drift onset" in html


def test_simulated_multisport_run_with_foot_pods() -> None:
    sim = pytest.importorskip("evenstride.simulate")
    act = sim.simulate_run(
        duration_s=2400,
        seed=3,
        include_runscribe=True,
        drills=True,
        bike_leg_s=1200.0,
        smart_recording=True,
        walk_breaks=1,
    ).activity
    a = _analyze(act)
    html = render_report(a)
    page = _strip_bundle(html)
    assert _EXTERNAL.findall(page) == []
    assert "(of 2 legs)" in page
    assert "cycling / road" in page
    assert "RunScribe foot pods" in page
    for j in a.to_dict()["asymmetry"]:
        if j["balance_left_pct"] is not None:
            assert f"{j['balance_left_pct']:.2f}\u202f%" in page
    ids = re.findall(r'Plotly\.newPlot\(\s*"([^"]+)"', page)
    for key in ("fig-balance", "fig-context", "fig-drift", "fig-cadence", "fig-km"):
        assert key in ids
    assert len(ids) == len(set(ids))


# --- presentation helpers ----------------------------------------------------------------------


def test_format_helpers() -> None:
    assert H.fmt_hms(3599.6) == "1:00:00"
    assert H.fmt_hms(59) == "0:00:59"
    assert H.fmt_hms(None) == "–"
    assert H.fmt_num(-0.00001, 1, signed=True) == "0.0"
    assert H.fmt_num(-1.234, 2, unit="ms") == "−1.23\u202fms"
    assert F.fmt_pace(1000 / 300) == "5:00 /km"
    assert F.fmt_pace(1000 / 299.7) == "5:00 /km"  # not "4:60"
    assert F.fmt_pace(None) == "–"
    assert F.context_label("speed<3.09m/s") == "speed < 3.09 m/s"
    assert F.context_label("speed 3.09-3.39m/s") == "speed 3.09–3.39 m/s"
    assert F.context_label("bend_left") == "left-hand bends"


def test_decimation_keeps_extremes_and_gaps() -> None:
    x = np.arange(100_000, dtype=float)
    y = np.sin(x / 1000.0)
    y[50_000] = 9.0
    y[70_000:70_100] = np.nan
    xd, yd = F.decimate_minmax(x, y, 2000)
    assert len(xd) <= 2000
    assert np.nanmax(yd) == 9.0
    assert np.all(np.diff(xd) > 0)
    small_x, _ = F.decimate_minmax(x[:10], y[:10], 2000)
    assert len(small_x) == 10


def test_spans_merge_and_pauses() -> None:
    t = np.concatenate([np.arange(0, 100.0), np.arange(200, 300.0)])  # a 100-s pause
    flag = np.zeros(len(t), dtype=bool)
    flag[10:20] = True
    flag[25:30] = True  # 5 s later: merged with the first
    spans = F._spans(t, flag)
    assert spans[0] == (10.0, 30.0)
    assert (99.0, 200.0) in spans


@pytest.mark.parametrize(("duration_s", "unit", "x_end"),
                         [(120.0, "s", 100.0), (600.0, "min", 9.0)])
def test_balance_plot_time_axis_fits_the_recording(duration_s, unit, x_end):
    """A two-minute foot-IMU trial (or clip) is plotted in seconds ('0.16 min' says nothing), a
    ten-minute run in minutes; the data's x values are in the axis' unit."""
    import warnings as _w

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.pipeline import analyze
    from evenstride.report.figures import balance_over_time
    from evenstride.steps import activity_from_recording
    from evenstride.steps.simulate_imu import simulate_imu_run

    sim = simulate_imu_run(duration_s=duration_s, seed=5)
    with _w.catch_warnings():
        _w.simplefilter("ignore", EvenstrideWarning)
        res = analyze(activity_from_recording(sim.recording))
    plot = balance_over_time(res)
    assert plot.figure is not None
    assert plot.figure.layout.xaxis.title.text == f"time since start of recording ({unit})"
    assert max(float(max(tr.x)) for tr in plot.figure.data) > x_end
