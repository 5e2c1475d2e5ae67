# SPDX-License-Identifier: MIT
"""Issue 14, "Timestamps": a FIT or GPX whose times jump by years is read as its plausible
stretch with a counted warning, in bounded memory (the CLI runs under a 1 GB address-space cap;
before, a 20-year jump allocated about 2 GB and a year-9999 time raised MemoryError)."""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride import consts
from evenstride.io import read_activity
from evenstride.io._time_gaps import MAX_GAP_S, MAX_SPAN_S, plausible_stretch

TWENTY_YEARS_S = 20 * 365 * 86400
_CAP_BYTES = 1024**3


def _gpx(n: int, jump_at: int | None = None, jump_s: float = 0.0,
         last_time: str | None = None) -> bytes:
    t0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    pts = []
    for i in range(n):
        t = t0 + timedelta(seconds=i + (jump_s if jump_at is not None and i >= jump_at else 0))
        ts = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        if last_time is not None and i == n - 1:
            ts = last_time
        pts.append(f'<trkpt lat="{52.0 + i * 0.00003:.6f}" lon="13.0"><ele>40</ele>'
                   f"<time>{ts}</time></trkpt>")
    return ('<?xml version="1.0"?><gpx version="1.1" creator="t" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
            + "".join(pts) + "</trkseg></trk></gpx>").encode()


def _fit_with_jump(jump_s: float) -> bytes:
    """A simulated 10-min run written as FIT, its last 40 % of records moved ``jump_s`` later."""
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.simulate import simulate_run

    act = simulate_run(duration_s=600, seed=3).activity
    t = act.samples[consts.TIME_S]
    start = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()
    ts = start + t
    ts[int(0.6 * len(ts)):] += jump_s
    act.samples[consts.TIMESTAMP_S] = ts
    buf = io.BytesIO()
    write_activity_fit(act, buf)
    return buf.getvalue()


def _cli_capped(args: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -m evenstride ARGS`` with its address space capped at 1 GB."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (_CAP_BYTES, _CAP_BYTES))

    env = {**os.environ, "COLUMNS": "200", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "evenstride", *args], capture_output=True,
                          text=True, timeout=300, preexec_fn=cap, env=env)


def test_the_stretch_rule():
    ts = np.array([0.0, 1, 2, 3, 3 + TWENTY_YEARS_S, 4 + TWENTY_YEARS_S])
    s = plausible_stretch(ts)
    assert s.keep.tolist() == [True] * 4 + [False] * 2 and s.n_dropped == 2
    # equal pieces: the earlier; a gap just under the bound is a pause, not a split
    assert plausible_stretch(np.array([0.0, 1, 1e9, 1e9 + 1])).keep.tolist() == [1, 1, 0, 0]
    assert plausible_stretch(np.array([0.0, MAX_GAP_S - 1, MAX_GAP_S])).n_dropped == 0
    # many small steps past the span bound: cut at the span
    steps = np.arange(0.0, 3 * MAX_SPAN_S, 3600.0)
    s = plausible_stretch(steps)
    assert s.span_cut and steps[s.keep][-1] <= MAX_SPAN_S and s.n_dropped > 0


def test_gpx_with_a_20_year_jump_keeps_the_longer_stretch(tmp_path):
    f = tmp_path / "jump.gpx"
    f.write_bytes(_gpx(600, jump_at=400, jump_s=TWENTY_YEARS_S))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        act = read_activity(f)
    t = act.samples[consts.TIME_S]
    assert len(t) == 400 and float(t[-1] - t[0]) == pytest.approx(399.0)
    note = next(w for w in act.warnings if "implausible times" in w)
    assert "dropped 200 trackpoints" in note and "20 years" in note


def test_fit_with_a_20_year_jump_keeps_the_longer_stretch(tmp_path):
    f = tmp_path / "jump.fit"
    f.write_bytes(_fit_with_jump(TWENTY_YEARS_S))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        act = read_activity(f)
    t = act.samples[consts.TIME_S]
    assert float(t[-1] - t[0]) < 600 and float(t[0]) < 60
    note = next(w for w in act.warnings if "implausible times" in w)
    assert re.search(r"dropped \d+ records", note) and "20 years" in note


@pytest.mark.parametrize("kind", ["gpx_jump", "gpx_9999", "fit_jump"])
def test_cli_on_time_jumps_exits_0_with_a_warning_under_a_1_gb_cap(tmp_path, kind):
    if kind == "fit_jump":
        f = tmp_path / "jump.fit"
        f.write_bytes(_fit_with_jump(TWENTY_YEARS_S))
    else:
        f = tmp_path / f"{kind}.gpx"
        f.write_bytes(_gpx(600, jump_at=300 if kind == "gpx_jump" else None,
                           jump_s=TWENTY_YEARS_S,
                           last_time="9999-12-31T23:59:59Z" if kind == "gpx_9999" else None))
    p = _cli_capped(["analyze", str(f)])
    assert p.returncode == 0, p.stderr[-2000:]
    out = " ".join((p.stdout + p.stderr).split())
    assert "implausible times" in out and "Traceback" not in out
    m = re.search(r"running\s+\S+ \S+\s+(\d+):(\d\d)\s", p.stdout)
    assert m, p.stdout[:300]
    assert int(m.group(1)) * 60 + int(m.group(2)) < 600  # minutes:seconds, not 630,000,000 s


def test_nothing_plausible_left_is_a_one_line_exit_2(tmp_path):
    f = tmp_path / "two.gpx"
    f.write_bytes(_gpx(2, jump_at=1, jump_s=TWENTY_YEARS_S))
    p = _cli_capped(["analyze", str(f)])
    assert p.returncode == 2, (p.returncode, p.stderr[-1000:])
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("evenstride:")]
    assert len(errors) == 1 and "two.gpx" in errors[0] and "Traceback" not in p.stderr


def test_fit_with_early_glitch_records_starts_at_the_kept_stretch(tmp_path):
    """Ten records stamped 20 years too early: dropped, and the run's clock starts at the kept
    stretch (not 630,000,000 s before it)."""
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.simulate import simulate_run

    act = simulate_run(duration_s=600, seed=3).activity
    ts = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp() + act.samples[consts.TIME_S]
    ts[:10] -= TWENTY_YEARS_S
    act.samples[consts.TIMESTAMP_S] = ts
    f = tmp_path / "early.fit"
    buf = io.BytesIO()
    write_activity_fit(act, buf)
    f.write_bytes(buf.getvalue())
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        got = read_activity(f)
    t = got.samples[consts.TIME_S]
    assert len(t) == len(ts) - 10 and float(t[0]) == 0.0 and float(t[-1]) < 600
    assert any("dropped 10 records with implausible times" in w for w in got.warnings)
