#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Web app page times over a generated season, next to the renderers called directly.

    python bench/bench_web.py [--n 200] [--rounds 3]

A season of ``--n`` simulated runs (as in bench_import.py) is imported into a fresh store (not
timed). Then, through a real HTTP server on 127.0.0.1 (werkzeug, threaded, as ``evenstride
serve``), each page is fetched ``--rounds`` times and the median wall time printed, beside the
baseline measured in the same run: the same work done without the web app (the history report
and a run report written as self-contained files, as ``evenstride report --runs`` does). The
ratio shows what the adapter adds; the byte counts show what serving plotly.js once saves per
page. Target: every page under 1 s for a season of 200 runs on a 2-core machine.
"""

from __future__ import annotations

import argparse
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
    from evenstride.store.cli_commands import load_history as _load_history
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

        # baseline: the same renderers without the web app
        import argparse as _ap

        def history_direct() -> int:
            hist, _ = _load_history(_ap.Namespace(db=str(db), athlete="bench"))
            return len(render_history_report(hist, athlete="bench"))

        def run_direct() -> int:
            with open_store(db) as st:
                act = st.load_activity(rid)
            return len(render_report(analyze(act)))

        base: dict[str, tuple[float, int]] = {}
        for name, fn in (("history", history_direct), ("run", run_direct)):
            times, size = [], 0
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                size = fn()
                times.append(time.perf_counter() - t0)
            base[name] = (statistics.median(times), size)

        app = create_app(db)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        th = threading.Thread(target=server.serve_forever, daemon=True)
        th.start()
        url = f"http://127.0.0.1:{server.server_port}"
        pages = {
            "athletes": "/",
            "overview": f"/a/{aid}",
            "history": f"/a/{aid}/history",
            "run (first view)": f"/runs/{rid}",
            "run (cached)": f"/runs/{rid}",
            "tests & symptoms": f"/a/{aid}/clinical",
            "plan": f"/a/{aid}/plan",
            "plotly.js (once)": "/static/plotly.min.js",
        }
        print(f"\n{args.n} runs; median of {args.rounds} fetches over HTTP on loopback\n")
        print(f"{'page':<20} {'time':>9} {'bytes':>11} {'baseline':>10} {'ratio':>6}")
        try:
            for name, path in pages.items():
                if name == "run (first view)":
                    t, size = _fetch(url + path)  # one fetch: the next ones hit the cache
                    times = [t]
                else:
                    times, size = [], 0
                    for _ in range(args.rounds):
                        t, size = _fetch(url + path)
                        times.append(t)
                med = statistics.median(times)
                key = "history" if name == "history" else "run" if name.startswith("run (f") \
                    else None
                if key:
                    bt, bsize = base[key]
                    print(f"{name:<20} {med * 1000:>7.0f}ms {size:>11,} {bt * 1000:>8.0f}ms "
                          f"{med / bt:>5.2f}×   (file: {bsize:,} bytes with plotly inlined)")
                else:
                    print(f"{name:<20} {med * 1000:>7.0f}ms {size:>11,}")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
