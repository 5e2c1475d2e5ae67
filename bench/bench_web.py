#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Web app page times over a generated season, next to the renderers called directly.

    python bench/bench_web.py [--n 200] [--rounds 3]

A season of ``--n`` simulated runs (as in bench_import.py) is imported into a fresh store (not
timed). Then, through a real HTTP server on 127.0.0.1 (werkzeug, threaded, as ``evenstride
serve``), each page is fetched ``--rounds`` times and the median wall time printed, beside the
baseline measured in the same run: the same work done directly, without the web app and
without the history cache (load and build the history, render the page or the assessment; a run
report as a self-contained file). The ratio shows what the caches save: a history is built once
per version of the athlete's data (any write, also from another process, makes a new version:
the "after a write" rows measure that rebuild) and the page rendered once per version. Also
four viewers of the history page, and of the assessment page, at once right after a
write; the load average is printed at the end (the machine is shared). Target (issue 11):
history and assessment pages under 1 s for a season of 200 runs on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _fetch(url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:  # our own loopback server
        body = r.read()
    return time.perf_counter() - t0, len(body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="runs in the season (default 200)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from bench_import import _generate
    from werkzeug.serving import make_server

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.importer import import_paths
    from evenstride.pipeline import analyze
    from evenstride.report import render_history_report, render_report
    from evenstride.store import open_store
    from evenstride.web import create_app

    warnings.simplefilter("ignore", EvenstrideWarning)
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"generating {args.n} runs …", flush=True)
        paths = _generate(root / "runs", args.n)
        db = root / "s.sqlite"
        with open_store(db) as st:
            import_paths(paths, st, athlete="bench")
            aid = st.athlete("bench", create=False).id
            rid = st.activities(aid)[-1].id

        # baseline: the same work without the web app and without the history cache (what
        # every history or assessment page view cost before the cache)
        from evenstride.services.clinical import assess
        from evenstride.services.history import load_history
        from evenstride.store.history_cache import HISTORY_CACHE

        def history_direct() -> int:
            HISTORY_CACHE.clear()
            with open_store(db) as st:
                hist = load_history(st, aid).history
            return len(render_history_report(hist, athlete="bench"))

        def assessment_direct() -> int:
            HISTORY_CACHE.clear()
            with open_store(db) as st:
                return len(assess(st, aid)[1])

        def run_direct() -> int:
            with open_store(db) as st:
                act = st.load_activity(rid)
            return len(render_report(analyze(act)))

        base: dict[str, tuple[float, int]] = {}
        for name, fn in (("history", history_direct), ("assessment", assessment_direct),
                         ("run", run_direct)):
            times, size = [], 0
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                size = fn()
                times.append(time.perf_counter() - t0)
            base[name] = (statistics.median(times), size)
        HISTORY_CACHE.clear()

        app = create_app(db)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        th = threading.Thread(target=server.serve_forever, daemon=True)
        th.start()
        url = f"http://127.0.0.1:{server.server_port}"

        def write() -> None:  # what 'evenstride rpe' does from a terminal: another connection
            with open_store(db) as st:
                st.set_session_rpe(rid, float(len(write_log) % 10), None)
            write_log.append(1)

        write_log: list[int] = []
        # (label, path, baseline key, what happens before each fetch)
        pages: list[tuple[str, str, str | None, str]] = [
            ("athletes", "/", None, ""),
            ("overview", f"/a/{aid}", None, ""),
            ("history (first view)", f"/a/{aid}/history", "history", "once"),
            ("history (cached)", f"/a/{aid}/history", "history", ""),
            ("history (after a write)", f"/a/{aid}/history", "history", "write"),
            ("assessment (cached)", f"/a/{aid}/assessment", "assessment", ""),
            ("assessment (after a write)", f"/a/{aid}/assessment", "assessment", "write"),
            ("run (first view)", f"/runs/{rid}", "run", "once"),
            ("run (cached)", f"/runs/{rid}", "run", ""),
            ("tests & symptoms", f"/a/{aid}/clinical", None, ""),
            ("plan", f"/a/{aid}/plan", None, ""),
            ("plotly.js (once)", "/static/plotly.min.js", None, ""),
        ]
        print(f"\n{args.n} runs; median of {args.rounds} fetches over HTTP on loopback; baseline"
              " = the same page's work done directly without any cache, in this run\n")
        print(f"{'page':<27} {'time':>9} {'bytes':>11} {'baseline':>10} {'ratio':>7}")
        try:
            for name, path, key, before in pages:
                times, size = [], 0
                for _ in range(1 if before == "once" else args.rounds):
                    if before == "write":
                        write()
                    t, size = _fetch(url + path)
                    times.append(t)
                med = statistics.median(times)
                if key:
                    bt, _bsize = base[key]
                    print(f"{name:<27} {med * 1000:>7.0f}ms {size:>11,} {bt * 1000:>8.0f}ms "
                          f"{med / bt:>6.3f}×")
                else:
                    print(f"{name:<27} {med * 1000:>7.0f}ms {size:>11,}")
            # a write through the app (an RPE in the run's form): the app rebuilds the history
            # in the background; the view after it renders the page from the rebuilt history
            import http.cookiejar
            import re
            import urllib.parse

            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            warm = app.extensions["evenstride_warm"]
            times = []
            for k in range(args.rounds):
                page = opener.open(url + f"/a/{aid}", timeout=120).read().decode()
                tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                # RPE values not stored before: a new version of the data each time
                body = urllib.parse.urlencode({"csrf_token": tok, "rpe": f"{k + 6.5:g}"}).encode()
                opener.open(url + f"/runs/{rid}/details", data=body, timeout=120).read()
                warm.wait_idle(120)
                times.append(_fetch(url + f"/a/{aid}/history")[0])
            bt = base["history"][0]
            med = statistics.median(times)
            print(f"{'history (after an app write)':<27} {med * 1000:>7.0f}ms {'':>11} "
                  f"{bt * 1000:>8.0f}ms {med / bt:>6.3f}×   (rebuilt in the background)")
            # four viewers at once, right after a write from another process (one build, three
            # waits): the history page, then the assessment page
            for label, page_path in (("history", f"/a/{aid}/history"),
                                     ("assessment", f"/a/{aid}/assessment")):
                write()
                res: list[float] = []

                def viewer(p: str = page_path, out: list[float] = res) -> None:
                    out.append(_fetch(url + p)[0])

                ths = [threading.Thread(target=viewer) for _ in range(4)]
                for t_ in ths:
                    t_.start()
                for t_ in ths:
                    t_.join()
                print(f"{label + ', 4 viewers at once':<27} "
                      f"{statistics.median(res) * 1000:>7.0f}ms "
                      f"(median; slowest {max(res) * 1000:.0f}ms) after a write")
            print(f"\nload average (1, 5, 15 min) at the end: "
                  f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
            print(f"\nfiles written by 'report': history {base['history'][1]:,} bytes, a run "
                  f"{base['run'][1]:,} bytes, each with the plotly.js bundle inlined")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
