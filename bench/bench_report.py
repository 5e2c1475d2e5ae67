#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rendering of the history report alone (issue 15), at several history sizes.

    python bench/bench_report.py                          # simulated: 100, 1,000 and 3,000 runs
    python bench/bench_report.py --sizes 100,300          # quicker
    python bench/bench_report.py --db WORKDIR/store-3000.sqlite --athlete bench  # a store kept by
        # bench_scale.py --workdir WORKDIR

``report --html`` is the history build plus this rendering (``bench_scale.py`` times both
through the command line). Here each history is built once (not timed: simulated run records,
one metric, a device change, a planted shift, track and trail runs; or the athlete's history in
``--db``, read only), then :func:`evenstride.report.render_history_report` is timed: median of
``--rounds``, CPU and wall, the rounds interleaving the sizes; the exponent uses each size's
least CPU time (the round least disturbed by other work on a shared machine). The baseline, in
the same run: the same page with every figure put through plotly's validation
(``go.Figure(figure)``), what each figure cost when it was built from plotly's graph objects.
Printed: times, the ratio to the baseline, the growth exponent ``log(t_b / t_a) / log(n_b /
n_a)`` of the two largest sizes, and the targets: rendering ≤ 2.5 s at 3,000 runs with an
exponent ≤ 1.1.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

KEY = "contact_time/running_dynamics"


def _records(n: int) -> list[Any]:
    """``n`` daily runs: a strap change at a third, a +1.4 %-point shift at two thirds."""
    from evenstride.history import AsymmetryEntry, RunRecord

    rng = np.random.default_rng(3)
    t0 = datetime(2020, 1, 1, 7, tzinfo=UTC)
    out = []
    for i in range(n):
        bal = 51.0 + rng.normal(0.0, 0.25) + (0.8 if i >= n // 3 else 0.0) + (
            1.4 if i >= 2 * n // 3 else 0.0)
        sa = (bal - 50.0) * 1.273
        e = AsymmetryEntry(key=KEY, index="symmetry_angle_pct", value=sa,
                           ci95=(sa - 0.3, sa + 0.3), balance_left_pct=bal, n=2000, real=True,
                           cls="typical")
        surface = "track" if i % 9 == 0 else "trail" if i % 7 == 0 else "road"
        dur = 2400.0 + 60.0 * (i % 5) + (4800.0 if i % 97 == 40 else 0.0)
        out.append(RunRecord(
            activity_id=i, start_time=t0 + timedelta(days=i), duration_s=dur,
            distance_m=dur * 3.3, median_speed_m_s=3.0 + 0.1 * (i % 6),
            device_key="fr965 + hrm_pro" if i < n // 3 else "fr965 + hrm_600",
            surface=surface, is_track=surface == "track", asymmetry={KEY: e},
            bend_left_s=300.0 + 10 * (i % 4), bend_right_s=120.0,
            road_running_s=dur if surface == "road" else 0.0, trimp=50.0 + dur / 60.0))
    return out


def _render(hist: Any, validate: bool) -> None:
    import plotly.graph_objects as go

    from evenstride.report import history as H

    if not validate:
        H.render_history_report(hist, athlete="bench")
        return
    plot_html = H._plot_html

    def validated(p: Any) -> Any:
        return plot_html(p.__class__(p.key, p.subtitle, p.caption, figure=go.Figure(p.figure),
                                     skipped=p.skipped, height_px=p.height_px))

    H._plot_html = validated
    try:
        H.render_history_report(hist, athlete="bench")
    finally:
        H._plot_html = plot_html


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,3000", help="simulated history sizes")
    ap.add_argument("--db", help="time the history of this store instead (read only)")
    ap.add_argument("--athlete", default="bench", help="the athlete in --db")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import warnings

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.history import build_history

    warnings.simplefilter("ignore", EvenstrideWarning)
    hists: list[tuple[int, Any]] = []
    if args.db:
        from evenstride.services.history import load_history
        from evenstride.store import open_store

        with open_store(args.db, readonly=True) as st:
            h = load_history(st, st.athlete(args.athlete, create=False).id).history
        hists.append((len(h.runs), h))
    else:
        for n in sorted(int(s) for s in args.sizes.split(",")):
            print(f"building a history of {n} simulated runs (not timed) …", flush=True)
            hists.append((n, build_history(_records(n), declared_road_side="left")))

    for _n, h in hists:
        _render(h, False)  # warm: templates, the plotly bundle
    # rounds interleave the sizes (and the baseline), so that a busy spell on a shared machine
    # slows all of them alike
    t: dict[tuple[int, bool], list[tuple[float, float]]] = {
        (n, v): [] for n, _h in hists for v in (False, True)}
    for _ in range(args.rounds):
        for n, h in hists:
            for validate in (False, True):
                w0, c0 = time.perf_counter(), time.process_time()
                _render(h, validate)
                t[n, validate].append((time.perf_counter() - w0, time.process_time() - c0))
    rows = []
    for n, _h in hists:
        med = {v: (statistics.median(x[0] for x in t[n, v]),
                   statistics.median(x[1] for x in t[n, v]),
                   min(x[1] for x in t[n, v])) for v in (False, True)}
        rows.append((n, med))
    print(f"\nrender_history_report, median of {args.rounds} (and the least CPU); baseline = "
          "every figure validated by plotly, in this run\n")
    print(f"{'runs':>6} {'wall s':>8} {'CPU s':>8} {'least CPU s':>12} {'baseline CPU s':>15} "
          f"{'ratio':>7}")
    for n, med in rows:
        print(f"{n:>6} {med[False][0]:>8.3f} {med[False][1]:>8.3f} {med[False][2]:>12.3f} "
              f"{med[True][1]:>15.3f} {med[False][1] / med[True][1]:>6.2f}×")
    if len(rows) >= 2:
        (na, ma), (nb, mb) = rows[-2], rows[-1]
        e = math.log(mb[False][2] / ma[False][2]) / math.log(nb / na)
        em = math.log(mb[False][1] / ma[False][1]) / math.log(nb / na)
        print(f"\nCPU growth exponent {na} -> {nb} runs: {e:.2f} from the least CPU (median: "
              f"{em:.2f}) (<= 1.1: {'met' if e <= 1.1 else 'NOT met'})")
    n, med = rows[-1]
    if n >= 3000:
        print(f"rendering at {n} runs {med[False][0]:.2f} s wall <= 2.5 s: "
              f"{'met' if med[False][0] <= 2.5 else 'NOT met'}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
