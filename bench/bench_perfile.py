#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Per-file analysis CPU, current code against the pre-issue-15 reference implementations kept
below, measured in the same run on the shared real files (FIT/TCX/GPX).

    python bench/bench_perfile.py [--rounds 3] [--limit N]

For each file the activity is decoded once per round (not timed); then
``analyze(activity).to_dict()`` is timed (process CPU) with the current code and with the
reference functions swapped in (``linear_interval`` as before issue 15: every persistence
factor recomputed, ``_geometric_quad`` filtering block by block; ``RunContext.to_dict`` through
``copy.deepcopy``), alternating to share machine noise. Prints
per-file medians and the ratio reference/current, the total ratio, and whether both documents
are exactly equal (they must be: the speed work changes no output value).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib
import itertools
import json
import math
import os
import statistics
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from evenstride.exceptions import UserInputError
from evenstride.io import read_activity
from evenstride.metrics import _intervals
from evenstride.metrics.context import RunContext
from evenstride.pipeline import analyze

asym_mod = importlib.import_module("evenstride.metrics.asymmetry")
drift_mod = importlib.import_module("evenstride.metrics.drift")  # the package exports drift()
REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("EVENSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
SUFFIXES = (".fit", ".tcx", ".gpx")


# ------------------------------------------------------------- reference (pre-issue-15) versions
def _geometric_quad_ref(weights: np.ndarray, phi: float) -> float:
    n = len(weights)
    if n == 0:
        return 0.0
    blk = 64
    m = -(-n // blk) * blk
    wp = np.zeros(m)
    wp[:n] = weights
    seg = wp.reshape(-1, blk)
    lag = np.arange(blk)[:, None] - np.arange(blk)[None, :]
    toep = np.where(lag >= 0, phi ** np.maximum(lag, 0), 0.0)
    local = seg @ toep.T
    carry_w = phi ** (np.arange(blk) + 1.0)
    y = np.empty_like(seg)
    prev = 0.0
    for i in range(seg.shape[0]):
        y[i] = local[i] + prev * carry_w
        prev = float(y[i, -1])
    yy = y.reshape(-1)[:n]
    return float(2.0 * weights @ yy - weights @ weights)


def _prior_variance_factor_ref(
    weights: np.ndarray, dt_s: float, prior: _intervals.PersistencePrior
) -> float:
    w = prior.fast_share
    return w * _geometric_quad_ref(weights, prior.fast_phi_per_s**dt_s) + (
        1.0 - w
    ) * _geometric_quad_ref(weights, prior.slow_phi_per_s**dt_s)


def _linear_interval_ref(
    estimate: float,
    z: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    t_s: np.ndarray | None = None,
    prior: _intervals.PersistencePrior | None = None,
    tau_series: np.ndarray | None = None,
    min_tau: float = 1.0,
    series_tau: float | None = None,
    dt_s: float | None = None,
) -> _intervals.LinearInterval:
    """``_intervals.linear_interval`` as it was before issue 15 (``series_tau`` and ``dt_s``,
    which callers now pass to skip recomputing them, are ignored: recomputed as before)."""
    z = np.asarray(z, dtype=np.float64)
    n = len(z)
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=np.float64)
    if n < 4:
        return _intervals.LinearInterval(estimate, float("nan"), 1.0, n, float(n), 0, float("nan"))
    tau = max(_intervals.data_tau(z if tau_series is None else tau_series), float(min_tau))
    v_prior = 0.0
    if prior is not None and t_s is not None:
        ts = np.asarray(t_s, dtype=np.float64)
        dt = float(np.median(np.diff(ts))) if n > 1 else 1.0
        # the prior's own τ in samples of this series, and the variance it implies
        tau = max(tau, prior.tau_s / max(dt, 1e-6))
        f_w = _prior_variance_factor_ref(w, dt, prior)
        f_mean = _prior_variance_factor_ref(np.full(n, 1.0 / n), dt, prior)
        # E[s²] = σ²(1 − F_mean) under the prior; undo that bias before scaling.
        sigma2 = float(z.var(ddof=1)) / max(1.0 - f_mean, 1.0 / n)
        v_prior = sigma2 * f_w
        # A second model floor from the run itself: AR(1) at the upper 1-SE bound of the
        # bias-corrected lag-1 coefficient (prewhitening in the spirit of Andrews & Monahan 1992),
        # which catches runs more persistent than the real-file median.
        phi_up = _intervals._ar1_upper(z)
        if phi_up > 0.0:
            f_w_ar = _geometric_quad_ref(w, phi_up)
            f_mean_ar = _geometric_quad_ref(np.full(n, 1.0 / n), phi_up)
            s2_ar = float(z.var(ddof=1)) / max(1.0 - f_mean_ar, 1.0 / n)
            v_prior = max(v_prior, s2_ar * f_w_ar)
    batch = max(1, round(_intervals.BATCH_TAU_FACTOR * tau))
    k = int(np.clip(n // batch, 2, _intervals.MAX_BATCHES))
    edges = np.linspace(0, n, k + 1).round().astype(int)
    contrib = np.array([float(w[a:b] @ z[a:b]) for a, b in itertools.pairwise(edges)])
    # batch contributions sum to the statistic's fluctuation; their spread estimates its variance
    v_bm = float(k * contrib.var(ddof=1))
    n_eff = n / max(tau, 1.0)
    if v_bm >= v_prior:
        var, df, src = v_bm, float(k - 1), "batches"
    else:
        var, df, src = v_prior, float(max(k - 1, math.floor(n_eff) - 1, 1)), "prior"
    return _intervals.LinearInterval(estimate, math.sqrt(max(var, 0.0)), df, n, n_eff, k, tau, src)


def _context_to_dict_ref(self: RunContext) -> dict[str, Any]:
    return copy.deepcopy(
        {
            "surface": self.surface,
            "route_shape": self.route_shape,
            "route": self.route,
            "track": self.track,
            "turning": self.turning,
            "grade_exposure": self.grade_exposure,
            "camber_exposure": self.camber_exposure,
            "load": self.load,
            "hrv_rmssd_ms": self.hrv_rmssd_ms,
            "legs": self.legs,
            "notes": list(self.notes),
        }
    )


@contextlib.contextmanager
def reference() -> Iterator[None]:
    saved = (drift_mod.linear_interval, asym_mod.linear_interval, RunContext.to_dict)
    drift_mod.linear_interval = _linear_interval_ref  # type: ignore[assignment]
    asym_mod.linear_interval = _linear_interval_ref  # type: ignore[assignment]
    RunContext.to_dict = _context_to_dict_ref  # type: ignore[method-assign]
    try:
        yield
    finally:
        drift_mod.linear_interval, asym_mod.linear_interval, RunContext.to_dict = saved


def _run(path: Path) -> tuple[float, str]:
    act = read_activity(path)
    t0 = time.process_time()
    doc = analyze(act).to_dict()
    dt = time.process_time() - t0
    return dt, json.dumps(doc, sort_keys=True, default=str)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"shared data not found: {DATA} (set EVENSTRIDE_SHARED_DATA)")
        return 2
    files = sorted(p for p in DATA.rglob("*") if p.suffix.lower() in SUFFIXES)
    if args.limit:
        files = files[: args.limit]
    warnings.simplefilter("ignore")
    rows = []
    all_equal = True
    for path in files:
        new_t, ref_t = [], []
        try:
            for _ in range(args.rounds):
                with reference():
                    t, ref_doc = _run(path)
                ref_t.append(t)
                t, new_doc = _run(path)
                new_t.append(t)
        except UserInputError:
            continue  # refused files (walking etc.): nothing to time
        equal = ref_doc == new_doc
        all_equal &= equal
        rows.append((str(path.relative_to(DATA)), statistics.median(ref_t),
                     statistics.median(new_t), equal))
    print(f"{'file':58s} {'ref ms':>8s} {'now ms':>8s} {'ratio':>6s} same")
    for rel, r, n, eq in rows:
        print(f"{rel[:58]:58s} {r * 1e3:8.1f} {n * 1e3:8.1f} {r / n:6.2f} {'yes' if eq else 'NO'}")
    tot_r, tot_n = sum(r for _, r, _, _ in rows), sum(n for _, _, n, _ in rows)
    med = statistics.median(r / n for _, r, n, _ in rows)
    print(f"{len(rows)} files, {args.rounds} rounds: total CPU reference {tot_r:.2f} s, "
          f"now {tot_n:.2f} s, ratio {tot_r / tot_n:.2f}x (median per file {med:.2f}x); "
          f"documents identical: {'yes' if all_equal else 'NO'}")
    return 0 if all_equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
