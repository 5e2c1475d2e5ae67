# SPDX-License-Identifier: MIT
"""Measure the noise of real running-dynamics series on the shared FIT files (issue 10).

For every file with GCT balance (and, with ``--all``, contact time, cadence and vertical ratio) it
prints, on the steady-running samples after removing a linear trend (real drift is modelled by the
drift analysis, not by the noise): marginal SD, lag-1/10/60/300 s autocorrelation, the integrated
autocorrelation time (sum of the ACF up to its first non-positive value) and a two-component fit
``ρ(Δt) = w·φ_f^Δt + (1 − w)·φ_s^Δt`` (grid search, lags 1–600 s). The medians of the fit are the
simulator's default noise and the persistence floor of the intervals
(:data:`evenstride.metrics._intervals.WATCH_PRIOR`).

Usage: ``.venv/bin/python bench/noise_real.py [--data ../shared/data] [--all]``
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

from evenstride import consts
from evenstride.io import read_activity
from evenstride.preprocessing import label_samples

FILES = (
    "goldencheetah/4077461142.fit",
    "goldencheetah/Garmin920_withFirstbeat.fit",
    "goldencheetah/MultiSport-2019-11-24.fit",
    "sports-lib/run_6860622783_fr945_treadmill.fit",
    "sports-lib/run_6916663933_coros.fit",
    "sports-lib/tri_4623204522_fr935.fit",
    "sports-lib/tri_6788312639-1_fr945.fit",
)


def acf_on_grid(t_s: np.ndarray, x: np.ndarray, max_lag: int) -> np.ndarray:
    """ACF on a 1-s grid with gaps (pairs where both samples exist)."""
    t0 = int(t_s[0])
    g = np.full(int(t_s[-1]) - t0 + 1, np.nan)
    g[(t_s - t0).astype(int)] = x
    g = g - np.nanmean(g)
    v = np.nanvar(g)
    out = [1.0]
    for k in range(1, max_lag + 1):
        a, b = g[:-k], g[k:]
        ok = np.isfinite(a) & np.isfinite(b)
        out.append(float(np.mean(a[ok] * b[ok]) / v) if ok.sum() > 50 else np.nan)
    return np.array(out)


def fit_two_ar1(r: np.ndarray) -> tuple[float, float, float]:
    """Least-squares ``(w, φ_f, φ_s)`` of ``w·φ_f^k + (1 − w)·φ_s^k`` to the ACF ``r``."""
    k = np.arange(len(r))
    ok = np.isfinite(r) & (k > 0)
    best = (np.inf, 1.0, 0.5, 0.99)
    for pf in np.linspace(0.3, 0.98, 35):
        for ps in 1.0 - np.geomspace(1e-4, 0.05, 60):
            a, b = pf**k, ps**k
            d = (a - b)[ok]
            w = float(np.clip(d @ (r - b)[ok] / max(d @ d, 1e-12), 0.0, 1.0))
            e = float(np.sum((w * a + (1 - w) * b - r)[ok] ** 2))
            if e < best[0]:
                best = (e, w, float(pf), float(ps))
    return best[1], best[2], best[3]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--all", action="store_true", help="also contact time, cadence, vertical ratio")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    cols = ["balance"] + (
        [consts.CONTACT_TIME_S, consts.CADENCE_SPM, consts.VERTICAL_RATIO_PCT] if args.all else []
    )
    for col in cols:
        print(f"== {col} (steady running, linear trend removed)")
        print(f"{'file':46s} {'n':>6} {'sd':>6} {'lag1':>6} {'lag10':>6} {'lag60':>6} "
              f"{'lag300':>6} {'tau_s':>6} {'w_fast':>6} {'phi_f':>6} {'phi_s':>7}")
        fits = []
        for rel in FILES:
            p = Path(args.data) / rel
            if not p.is_file():
                continue
            act = read_activity(p)
            g = label_samples(act)
            x = act.sided[0].balance_left_pct if col == "balance" else act.column(col)
            if x is None:
                continue
            t = act.samples[consts.TIME_S]
            m = g.steady & np.isfinite(x)
            if m.sum() < 300:
                continue
            xs, ts = x[m], t[m]
            xs = xs - np.polyval(np.polyfit(ts, xs, 1), ts)
            r = acf_on_grid(ts, xs, 600)
            neg = np.nonzero(r[1:] <= 0)[0]
            cut = int(neg[0]) + 1 if len(neg) else len(r)
            tau = 1.0 + 2.0 * float(np.nansum(r[1:cut]))
            w, pf, ps = fit_two_ar1(r)
            fits.append((float(np.std(xs)), r[1], tau, w, pf, ps))
            print(f"{rel:46s} {int(m.sum()):6d} {np.std(xs):6.3f} {r[1]:6.3f} {r[10]:6.3f} "
                  f"{r[60]:6.3f} {r[300]:6.3f} {tau:6.0f} {w:6.2f} {pf:6.3f} {ps:7.4f}")
        if fits:
            med = np.median(np.array(fits), axis=0)
            print(f"{'median':46s} {'':6s} {med[0]:6.3f} {med[1]:6.3f} {'':6s} {'':6s} {'':6s} "
                  f"{med[2]:6.0f} {med[3]:6.2f} {med[4]:6.3f} {med[5]:7.4f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
