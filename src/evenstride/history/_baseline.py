# SPDX-License-Identifier: MIT
"""Personal baseline, noise floor and real change of each asymmetry metric across runs.

Method (formulas cited; matching, monitoring and change-point rules are evenstride *design*):

1. **Series.** For each ``metric/source`` the run values of the index (% SA for ratio-scale
   metrics, else L − R) of runs with enough data, in time order.
2. **Comparable runs** (the personal baseline of a run): earlier runs of the same *regime* (no
   change of the device(s) producing the metric, :mod:`~evenstride.history._devices`, and no
   detected change in the runner in between) with the same producing device(s), the same
   surface class and a median speed within ± ``speed_band_m_s`` (0.3 m/s) of the run's, at most
   ``baseline_lookback_days`` (180) old.
3. **Noise floor.** The *typical error* (Hopkins 2000, Sports Med 30:1–15: the within-subject SD
   of repeated measurements) is the SD of one run about the runner's level with consecutive runs
   allowed to be correlated: an AR(1) model fitted to the semivariances of comparable runs 1–6
   runs apart (:mod:`~evenstride.history._noise`; the best single step of a regime is removed
   first when it is large, :func:`_without_best_step`). ``SEM = TE`` and ``MDC95 = 1.96·√2·SEM``
   (science.md §2.3, V). Hopkins' ``SD(d)/√2`` of consecutive differences is kept for reference
   (it is ``σ·√(1 − φ)``, too small with correlated runs). We do not use ``SEM = SD·√(1 − ICC)``
   with an ICC built from within-run intervals: for one athlete, the between-run variance is the
   day-to-day variation we want to count as noise, and that ICC route would leave only the
   within-run sampling error (reported separately as ``within_run_se``, the median of the
   per-run 95 % interval half-widths / 1.96).
4. **Change in the runner.** Two tests share a false-alarm budget of ≤ 5 % per history
   (calibrated on simulated histories with run-to-run correlation up to 0.5:
   bench/calibration_history.py, docs/methods.md §10a):

   - *online monitor*: walking forward through the runs, at each run the windows of the last
     ``L`` runs (:func:`window_lengths`, at most :data:`WINDOW_MAX_RUNS`) are compared with
     their own comparable baselines (≥ ``min_baseline_runs`` (5) runs before the window);
     ``z`` = mean deviation / its standard error under the fitted AR(1) (exact: ``σ²·wᵀRw``); a
     change is flagged when the largest ``|z|`` exceeds :func:`change_threshold`;
   - *whole-regime test*: each regime (runs between restarts, majority surface class) is tested
     at once for one level shift anywhere in it by the generalised-least-squares likelihood
     ratio under the fitted AR(1) (speed as a covariate; :func:`_regime_test`), against
     :func:`regime_threshold`; its detection date is the first run at which the runs so far
     passed the test.
5. **When it started.** A level shift ``x = a + c·1[run ≥ τ] + β·(speed − mean)`` is fitted by
   generalised least squares under the fitted AR(1) (Prais–Winsten prewhitening) for every τ
   (all τ in O(n) by suffix sums, :func:`_step_scan`) over the regime's runs of the majority
   surface class, between the restarts around the change (the analysis is retrospective),
   with τ ≥ 3 runs from either end. Each τ gets its posterior probability (flat priors;
   :func:`step_log_posterior`) and the start is the centre of the 5-run span with the most
   probability (:func:`date_step`, the Bayes rule for "within 2 runs"; the single most likely
   τ is often 1–3 runs off when runs are correlated); the start date's 95 % interval and the
   shift's come from a bootstrap over runs (runs resampled with replacement, kept in time order,
   τ refitted by ordinary least squares). The baseline restarts at τ.
6. **Device changes.** A metric's baseline restarts at every change of the device(s) producing
   it. Around each change (± ``device_window_runs``) the same level-shift fit locates the
   largest step; a step whose bootstrap 95 % interval excludes 0 and that lies within
   ± ``device_tolerance_runs`` (2) runs of the device change is attributed to the device, not
   to the runner.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence
from evenstride.history._devices import run_sensor
from evenstride.history._noise import MAX_LAG, PHI_FALLBACK, contrast_var, fit_ar1

if TYPE_CHECKING:
    from evenstride.history._model import AsymmetryEntry, HistoryParams, RunRecord

__all__ = [
    "BASELINE_EVIDENCE",
    "DEVICE_EVIDENCE",
    "MetricHistory",
    "Point",
    "analyse_metric",
    "date_step",
    "mdc95",
    "metric_points",
    "step_fit",
    "step_log_posterior",
    "typical_error",
]

BASELINE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Hopkins 2000 Sports Med 30:1-15 (typical error of measurement)",
        "science.md §2.3: SEM = SD·√(1 − ICC), MDC95 = 1.96·√2·SEM (standard formulae; Weir "
        "2005 primary not retrieved)",
    ),
    note=(
        "The formulas are standard; matching comparable runs, the AR(1) noise model, the "
        "window detector with its calibrated threshold and the change-point fit are evenstride "
        "design. A change beyond the noise floor is real for "
        "the measurement, not proof of an injury risk."
    ),
)
DEVICE_EVIDENCE = Evidence(
    grade="U",
    sources=(
        "Godfrey et al. 2015 (single trunk sensors agree poorly on asymmetry, science.md §0.6)",
    ),
    note=(
        "Different sensors (chest strap, pod, watch) estimate contact-time balance differently; "
        "a step that coincides with a device change is attributed to the device. evenstride "
        "design: no study of device-to-device offsets was retrieved."
    ),
)
SPEED_EVIDENCE = Evidence(
    grade="V",
    sources=("Girard et al. 2019 (velocity did not change SA on a force treadmill)",),
    note="Described from your own runs; absolute contact time changes with speed.",
)
GRADE_EVIDENCE = Evidence(
    grade="V",
    sources=("Garmin Running Dynamics manual (gradient moves GCT balance)",),
    note="Within-run differences between hill and flat sections, averaged over runs.",
)
BEND_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Elite 5 km track time trial: left GCT longer on bends (science.md §2.1)",
        "Taboga et al.: inside leg GCT ~8 % longer in curve sprinting (S)",
    ),
    note="Within-run differences between bends and straights, averaged over runs.",
)

#: The best single step of a regime is removed before the noise floor is estimated when its
#: naive t reaches this (:func:`_without_best_step`; evenstride design, calibrated).
PROFILE_T = 7.0
#: Minimum runs on each side of a level shift.
MIN_SIDE = 3
#: Minimum comparable pairs for a typical error.
MIN_PAIRS = 5
#: Minimum samples in a within-run context for it to be used (as metrics.asymmetry).
MIN_CONTEXT_N = 60


@dataclass(frozen=True)
class Point:
    """One run's value of one metric, with what makes runs comparable."""

    pos: int
    run: RunRecord
    x: float
    balance: float | None
    speed: float | None
    surface: str
    device: str
    se: float | None
    entry: AsymmetryEntry

    @property
    def t(self) -> datetime:
        return self.run.start_time


#: :func:`run_sensor` per distinct set-up (parsing device names was ~0.3 ms a run: issue 15).
_run_sensor = functools.lru_cache(maxsize=4096)(run_sensor)


def metric_points(runs: Sequence[RunRecord], key: str) -> list[Point]:
    """The runs (already in time order) with a usable value of ``key``."""
    out: list[Point] = []
    source = key.split("/", 1)[1] if "/" in key else key
    for run in runs:
        e = run.asymmetry.get(key)
        if e is None or e.value is None or not e.usable:
            continue
        se = None
        if e.ci95 is not None:
            se = (e.ci95[1] - e.ci95[0]) / (2 * 1.96)
        out.append(
            Point(
                pos=len(out),
                run=run,
                x=e.value,
                balance=e.balance_left_pct,
                speed=run.median_speed_m_s,
                surface=run.surface,
                device=_run_sensor(tuple(run.devices), run.device_key, source),
                se=se,
                entry=e,
            )
        )
    return out


def mdc95(typical_error: float) -> float:
    """Minimal detectable change at 95 %: ``1.96·√2·SEM`` (science.md §2.3).

    >>> round(mdc95(0.5), 3)
    1.386
    """
    return 1.96 * math.sqrt(2.0) * typical_error


def _comparable(a: Point, b: Point, p: HistoryParams) -> bool:
    if p.match_device and a.device != b.device:
        return False
    if p.match_surface and a.surface != b.surface:
        return False
    if p.speed_band_m_s is not None:
        if a.speed is None or b.speed is None:
            return a.speed is None and b.speed is None
        if abs(a.speed - b.speed) > p.speed_band_m_s + 1e-9:
            return False
    return True


def typical_error(
    points: Sequence[Point], regime_of: Sequence[int], p: HistoryParams
) -> tuple[float | None, int]:
    """Hopkins typical error from each run and the next comparable run of the same regime.

    Returns ``(TE, n_pairs)``; TE is None with fewer than :data:`MIN_PAIRS` pairs.
    """
    diffs = []
    for a in range(len(points)):
        for b in range(a + 1, len(points)):
            if regime_of[b] != regime_of[a]:
                break
            if _comparable(points[a], points[b], p):
                diffs.append(points[b].x - points[a].x)
                break
    if len(diffs) < MIN_PAIRS:
        return None, len(diffs)
    return float(np.std(diffs, ddof=1) / math.sqrt(2.0)), len(diffs)


def _without_best_step(x: np.ndarray, regime_of: Sequence[int]) -> np.ndarray:
    """``x`` with the best single level shift of each regime removed.

    A change not yet found would otherwise add to the differences that straddle it and be
    read as noise (a larger typical error and correlation, so less power to find it). Only a
    step whose naive t (independent runs assumed) reaches :data:`PROFILE_T` is removed: runs
    without change rarely give one even when correlated, so the noise floor of a stable
    history is left as it is (calibrated: bench/calibration_history.py).
    """
    out = x.copy()
    lo = 0
    for hi in range(1, len(x) + 1):
        if hi == len(x) or regime_of[hi] != regime_of[lo]:
            fit = step_fit(x[lo:hi], None)
            if fit is not None:
                tau, c, sse = fit
                n = hi - lo
                se = math.sqrt(sse / max(n - 2, 1) * (1.0 / tau + 1.0 / (n - tau)))
                if se > 0 and abs(c) / se >= PROFILE_T:
                    out[lo + tau : hi] -= c
            lo = hi
    return out


@dataclass(frozen=True)
class NoiseFloor:
    """Typical error ``sd`` (marginal SD of one run) and lag-1 correlation ``phi``."""

    sd: float | None
    phi: float
    phi_estimated: bool
    n_pairs: int


def noise_floor(points: Sequence[Point], regime_of: Sequence[int], p: HistoryParams) -> NoiseFloor:
    """AR(1) noise floor from comparable runs of the same regime up to ``MAX_LAG`` apart
    (:mod:`~evenstride.history._noise`); ``sd`` is None with fewer than :data:`MIN_PAIRS`
    pairs."""
    acc: dict[int, list[float]] = {}
    n = len(points)
    xs = _without_best_step(np.array([q.x for q in points]), regime_of)
    for a in range(n):
        for b in range(a + 1, min(n, a + MAX_LAG + 1)):
            if regime_of[b] != regime_of[a]:
                break
            if _comparable(points[a], points[b], p):
                d = xs[b] - xs[a]
                row = acc.setdefault(b - a, [0.0, 0.0])
                row[0] += 1
                row[1] += 0.5 * d * d
    gamma = {h: (int(c), s_ / c) for h, (c, s_) in acc.items() if c > 0}
    n_pairs = sum(c for c, _ in gamma.values())
    sd, phi = fit_ar1(gamma)
    estimated = sum(1 for c, _ in gamma.values() if c >= 3) >= 2
    if n_pairs < MIN_PAIRS:
        sd = None
    return NoiseFloor(sd, phi, estimated, n_pairs)


def _step_scan(
    x: np.ndarray, speed: np.ndarray | None, phi: float, min_side: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float] | None:
    """Every single level shift of ``x`` at once, in O(n) (issue 15).

    For each ``τ`` in ``min_side…n − min_side``: the regression ``x = a + c·1[i ≥ τ]
    (+ β·(speed − mean))`` by generalised least squares under AR(1) errors (Prais–Winsten
    prewhitening, ``φ = 0``: ordinary least squares). With ``C`` the prewhitened fixed columns,
    ``U`` an orthonormal basis of them, ``ỹ`` the prewhitened ``x`` with ``C`` projected out and
    ``d_τ`` the prewhitened step (``0`` before ``τ``, ``1`` at ``τ``, ``1 − φ`` after), the
    Frisch–Waugh–Lovell theorem gives ``c_τ = d_τᵀỹ / ‖d̃_τ‖²`` and
    ``SSE_τ = ‖ỹ‖² − (d_τᵀỹ)² / ‖d̃_τ‖²`` with ``‖d̃_τ‖² = ‖d_τ‖² − Σ_k (d_τᵀu_k)²``; every
    ``d_τᵀv`` is ``(1 − φ)·Σ_{i ≥ τ} v_i + φ·v_τ``, a suffix sum. ``det(AᵀA) = det(CᵀC)·‖d̃_τ‖²``.
    The same numbers as one least-squares fit per ``τ`` (to rounding) without the O(n²) loop.

    Returns ``(taus, c, sse, logdet, sse_without_step)`` or None with fewer than ``2·min_side``
    values.
    """
    n = len(x)
    if n < 2 * min_side:
        return None
    use_speed = speed is not None and bool(np.all(np.isfinite(speed))) and np.ptp(speed) > 0.05
    ph = min(max(phi, 0.0), 0.99)
    head = math.sqrt(1.0 - ph * ph)

    def white(v: np.ndarray) -> np.ndarray:
        out = np.asarray(v, dtype=float).copy()
        if ph > 0:
            out[1:] = v[1:] - ph * v[:-1]
            out[0] = head * v[0]
        return out

    # an orthonormal basis of the prewhitened fixed columns by Gram–Schmidt (one or two
    # columns; cheaper than a QR call in the bootstrap's many refits)
    c1 = white(np.ones(n))
    n1 = float(c1 @ c1)
    u1 = c1 / math.sqrt(n1)
    basis = [u1]
    logdet_c = math.log(n1)
    if use_speed:
        assert speed is not None
        c2 = white(speed - speed.mean())
        v = c2 - float(u1 @ c2) * u1
        n2 = float(v @ v)
        if n2 > 1e-12 * max(1.0, float(c2 @ c2)):
            basis.append(v / math.sqrt(n2))
            logdet_c += math.log(n2)
    u = np.column_stack(basis)
    y = white(x)
    yt = y - u @ (u.T @ y)
    sse0 = float(yt @ yt)
    taus = np.arange(min_side, n - min_side + 1)

    def dot_d(v: np.ndarray) -> np.ndarray:  # d_τᵀv for every τ (v: (n,) or (n, k))
        suffix = np.cumsum(v[::-1], axis=0)[::-1]
        return (1.0 - ph) * suffix[taus] + ph * v[taus]

    num = dot_d(yt)
    dd = 1.0 + (n - taus - 1) * (1.0 - ph) ** 2
    den = dd - (dot_d(u) ** 2).sum(axis=1)
    den = np.maximum(den, 1e-12)
    coef = num / den
    sse = np.maximum(sse0 - num * num / den, 0.0)
    logdet = logdet_c + np.log(den)
    return taus, coef, sse, logdet, sse0


def step_fit(
    x: np.ndarray,
    speed: np.ndarray | None,
    *,
    min_side: int = MIN_SIDE,
    phi: float = 0.0,
    taus: Sequence[int] | None = None,
) -> tuple[int, float, float] | None:
    """Least-squares level shift ``x = a + c·1[i ≥ τ] (+ β·(speed − mean))``.

    Returns ``(τ, c, sse)`` for the τ with the smallest residual sum of squares (runs ``i ≥ τ``
    are "after"), or None when fewer than ``2·min_side`` values. With ``phi > 0`` the fit is
    generalised least squares under AR(1) errors (Prais–Winsten transform of both sides), which
    dates a step more sharply when consecutive runs are correlated. ``taus``: the candidate τ
    (default: every τ leaving ``min_side`` runs on each side). All τ in O(n)
    (:func:`_step_scan`).

    >>> tau, c, _ = step_fit(np.array([0.0, 0.1, -0.1, 0.0, 2.0, 2.1, 1.9, 2.0]), None)
    >>> tau, round(c, 3)
    (4, 2.0)
    """
    scan = _step_scan(np.asarray(x, dtype=float), speed, phi, min_side)
    if scan is None:
        return None
    tt, coef, sse, _ld, _s0 = scan
    ok = np.ones(len(tt), dtype=bool) if taus is None else np.isin(tt, list(taus))
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    j = int(idx[np.argmin(sse[idx])])
    return int(tt[j]), float(coef[j]), float(sse[j])


#: A change's start is dated to the centre of the span of ``2·DATE_TOLERANCE_RUNS + 1`` runs that
#: holds the most posterior probability of the step's position (:func:`date_step`).
DATE_TOLERANCE_RUNS = 2


def step_log_posterior(
    x: np.ndarray,
    speed: np.ndarray | None,
    *,
    sd: float,
    phi: float,
    min_side: int = MIN_SIDE,
) -> tuple[np.ndarray, np.ndarray]:
    """Log posterior (up to a constant) of the position ``τ`` of one level shift in ``x``.

    Model: ``x = a + c·1[i ≥ τ] (+ β·(speed − mean)) + e`` with AR(1) errors of marginal SD
    ``sd`` and lag-1 correlation ``phi`` (the fitted noise floor). Each candidate is fitted by
    generalised least squares (Prais–Winsten prewhitening of both sides); with flat priors on
    τ and on the coefficients, ``log p(τ | x) = −SSE_τ / (2·s²) − ½·log det(AᵀA) + const``,
    ``s² = sd²·(1 − φ²)`` the innovation variance (the coefficients integrated out). Returns
    ``(taus, log_posterior)``; empty arrays with fewer than ``2·min_side`` values.
    """
    n = len(x)
    if n < 2 * min_side or sd <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    scan = _step_scan(np.asarray(x, dtype=float), speed, phi, min_side)
    assert scan is not None
    taus, _coef, sse, logdet, _s0 = scan
    ph = min(max(phi, 0.0), 0.99)
    s2 = sd * sd * (1.0 - ph * ph)
    return taus, -sse / (2.0 * s2) - 0.5 * logdet


def date_step(
    x: np.ndarray,
    speed: np.ndarray | None,
    *,
    sd: float,
    phi: float,
    candidates: Sequence[int] | None = None,
    tolerance: int = DATE_TOLERANCE_RUNS,
) -> int | None:
    """The start of a level shift: the centre ``τ̂`` (among ``candidates``, default all) of the
    ``2·tolerance + 1`` consecutive positions with the largest posterior probability
    (:func:`step_log_posterior`). This is the Bayes estimate for "dated within ``tolerance``
    runs"; under run-to-run correlation the single most likely position (the GLS/ML estimate)
    is often one or two runs off, because a correlated series blurs where a step begins.

    >>> x = np.array([0.0, 0.1, -0.1, 0.0, 0.1, 2.0, 2.1, 1.9, 2.0, 2.1])
    >>> date_step(x, None, sd=0.1, phi=0.0)
    5
    """
    taus, lp = step_log_posterior(x, speed, sd=sd, phi=phi)
    if len(taus) == 0:
        return None
    post = np.exp(lp - lp.max())
    # ties (a sharp peak inside several spans) go to the span whose centre is most probable
    # the mass of each span (clipped at the ends) from a prefix sum; np.convolve(mode="same")
    # returned the kernel's length for fewer than 2·tolerance + 1 candidates
    cs = np.concatenate(([0.0], np.cumsum(post)))
    j = np.arange(len(post))
    hi = np.minimum(j + tolerance + 1, len(post))
    lo = np.maximum(j - tolerance, 0)
    mass = cs[hi] - cs[lo] + 1e-9 * post
    ok = np.ones(len(taus), dtype=bool) if candidates is None else np.isin(taus, candidates)
    if not ok.any():
        return None
    return int(taus[np.flatnonzero(ok)[np.argmax(mass[ok])]])


def _speeds(pts: Sequence[Point]) -> np.ndarray | None:
    if any(q.speed is None for q in pts):
        return None
    return np.array([q.speed for q in pts], dtype=float)


def _boot_step(
    pts: Sequence[Point], rng: np.random.Generator, n_boot: int
) -> tuple[list[datetime], list[float]]:
    """Bootstrap over runs: start dates and step sizes of refitted level shifts.

    All resamples at once (the same random numbers as one ``rng.integers(0, n, n)`` per
    resample), each refitted by ordinary least squares (+ speed) at every τ from row-wise
    suffix sums: the numbers of one :func:`step_fit` per resample, without the Python loop
    (issue 15)."""
    n = len(pts)
    if n_boot <= 0 or n < 2 * MIN_SIDE:
        return [], []
    idx = np.sort(rng.integers(0, n, (n_boot, n)), axis=1)
    xs = np.array([q.x for q in pts])[idx]
    sp_all = _speeds(pts)
    taus = np.arange(MIN_SIDE, n - MIN_SIDE + 1)
    yt = xs - xs.mean(axis=1, keepdims=True)
    # the intercept's share of the step column: Σ_{i ≥ τ} 1/√n, squared
    den = (n - taus)[None, :] - ((n - taus) ** 2 / n)[None, :].astype(float)
    if sp_all is not None:
        sp = sp_all[idx]
        ok = np.all(np.isfinite(sp), axis=1) & (np.ptp(sp, axis=1) > 0.05)
        c2 = np.where(ok[:, None], sp - sp.mean(axis=1, keepdims=True), 0.0)
        nrm = np.sqrt((c2 * c2).sum(axis=1, keepdims=True))
        u2 = np.divide(c2, nrm, out=np.zeros_like(c2), where=nrm > 0)
        yt = yt - (u2 * yt).sum(axis=1, keepdims=True) * u2
        su2 = np.cumsum(u2[:, ::-1], axis=1)[:, ::-1][:, taus]
        den = den - su2 * su2
    num = np.cumsum(yt[:, ::-1], axis=1)[:, ::-1][:, taus]
    den = np.maximum(np.broadcast_to(den, num.shape), 1e-12)
    sse = (yt * yt).sum(axis=1, keepdims=True) - num * num / den
    best = np.argmin(sse, axis=1)
    rows = np.arange(n_boot)
    steps = (num[rows, best] / den[rows, best]).tolist()
    dates = [pts[int(k)].t for k in idx[rows, taus[best]].tolist()]
    return dates, steps


def _date_ci(dates: list[datetime]) -> tuple[datetime, datetime] | None:
    if len(dates) < 20:
        return None
    ts = np.array([d.timestamp() for d in dates])
    lo, hi = np.percentile(ts, [2.5, 97.5])
    return datetime.fromtimestamp(float(lo), tz=UTC), datetime.fromtimestamp(float(hi), tz=UTC)


def _majority(pts: Sequence[Point]) -> list[Point]:
    """The points of the most common surface class (ties: the first seen)."""
    if not pts:
        return []
    top = Counter(q.surface for q in pts).most_common(1)[0][0]
    return [q for q in pts if q.surface == top]


@dataclass
class Change:
    """A change in the runner (beyond the noise floor) or a step at a device change."""

    kind: str  # "runner" or "device"
    key: str
    last_before: datetime | None
    started: datetime
    started_ci95: tuple[datetime, datetime] | None
    detected: datetime | None
    shift: float
    shift_ci95: tuple[float, float] | None
    shift_balance_pct: float | None
    level_before: float
    level_after: float
    n_before: int
    n_after: int
    monitor_deviation: float | None
    mdc95: float | None
    unit: str
    sentence: str
    #: The detector's standardised deviation and its threshold (runner changes).
    z: float | None = None
    z_threshold: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "metric": self.key,
            "unit": self.unit,
            "last_run_before": _iso(self.last_before),
            "started": _iso(self.started),
            "started_ci95": None
            if self.started_ci95 is None
            else [_iso(self.started_ci95[0]), _iso(self.started_ci95[1])],
            "detected": _iso(self.detected),
            "shift": _r(self.shift, 3),
            "shift_ci95": _rci(self.shift_ci95),
            "shift_balance_pct": _r(self.shift_balance_pct, 3),
            "level_before": _r(self.level_before, 3),
            "level_after": _r(self.level_after, 3),
            "n_before": self.n_before,
            "n_after": self.n_after,
            "recent_mean_deviation": _r(self.monitor_deviation, 3),
            "z": _r(self.z, 2),
            "z_threshold": _r(self.z_threshold, 2),
            "mdc95": _r(self.mdc95, 3),
            "sentence": self.sentence,
            "evidence": (BASELINE_EVIDENCE if self.kind == "runner" else DEVICE_EVIDENCE).to_dict(),
        }


@dataclass
class DeviceStep:
    """What happened to one metric at one device change."""

    key: str
    at: datetime
    from_device: str
    to_device: str
    step: float | None
    step_ci95: tuple[float, float] | None
    located_offset_runs: int | None
    attributed: bool
    n_before: int
    n_after: int
    unit: str
    sentence: str
    activity_id: int | str | None = None
    #: The whole set-ups (clean names) of the last run before and the first run after.
    from_setup: str = ""
    to_setup: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.key,
            "unit": self.unit,
            "date": _iso(self.at),
            "activity_id": self.activity_id,
            "from_device": self.from_device,
            "to_device": self.to_device,
            "step": _r(self.step, 3),
            "step_ci95": _rci(self.step_ci95),
            "located_offset_runs": self.located_offset_runs,
            "attributed_to_device": self.attributed,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "sentence": self.sentence,
        }


@dataclass
class Regime:
    start: datetime
    end: datetime
    reason: str
    device: str
    n: int
    mean: float
    mean_balance_pct: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "reason": self.reason,
            "device_key": self.device,
            "n_runs": self.n,
            "mean": _r(self.mean, 3),
            "mean_balance_left_pct": _r(self.mean_balance_pct, 3),
        }


@dataclass
class MetricHistory:
    """Everything the history says about one ``metric/source``."""

    key: str
    unit: str
    n_runs: int
    #: Typical error: SD of one run about the runner's level, allowing for run-to-run
    #: correlation (:mod:`~evenstride.history._noise`).
    typical_error: float | None
    n_pairs: int
    mdc95: float | None
    within_run_se: float | None
    regimes: list[Regime]
    changes: list[Change]
    device_steps: list[DeviceStep]
    current: dict[str, Any]
    speed_curve: dict[str, Any]
    context_effects: dict[str, Any]
    #: Regime number of every point (positions of :func:`metric_points`).
    regime_of: list[int] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    #: Lag-1 correlation of consecutive runs used by the noise floor (estimated or fallback).
    autocorrelation: float | None = None
    autocorrelation_estimated: bool = False
    #: Hopkins' classic SD(consecutive differences)/√2, for reference (too small when φ > 0).
    typical_error_consecutive: float | None = None
    change_z: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "n_runs": self.n_runs,
            "noise_floor": {
                "typical_error": _r(self.typical_error, 3),
                "sem": _r(self.typical_error, 3),
                "mdc95": _r(self.mdc95, 3),
                "n_pairs": self.n_pairs,
                "within_run_se": _r(self.within_run_se, 3),
                "lag1_autocorrelation": _r(self.autocorrelation, 2),
                "lag1_autocorrelation_source": "estimated"
                if self.autocorrelation_estimated
                else f"assumed ({PHI_FALLBACK}): too few comparable pairs to estimate it",
                "typical_error_consecutive_runs": _r(self.typical_error_consecutive, 3),
                "change_threshold_z": _r(self.change_z, 2),
                "method": (
                    "typical error = SD of one run about your level, with consecutive runs "
                    "allowed to resemble each other (AR(1) fitted to half mean squared "
                    "differences of comparable runs 1–6 runs apart); SEM = typical error; "
                    "MDC95 = 1.96·√2·SEM (one run against one run). A change in the runner is "
                    "flagged when the mean deviation of recent runs from their baseline, "
                    "divided by its standard error under that correlation, exceeds the "
                    "calibrated threshold, or when a test of all runs since the last restart "
                    "finds one level shift (likelihood ratio under that correlation; "
                    "docs/methods.md)"
                ),
                "evidence": BASELINE_EVIDENCE.to_dict(),
            },
            "current": self.current,
            "regimes": [g.to_dict() for g in self.regimes],
            "changes": [c.to_dict() for c in self.changes],
            "device_steps": [s.to_dict() for s in self.device_steps],
            "speed_curve": self.speed_curve,
            "context_effects": self.context_effects,
        }


def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def _rci(ci: tuple[float, float] | None, nd: int = 3) -> list[float | None] | None:
    return None if ci is None else [_r(ci[0], nd), _r(ci[1], nd)]


def _iso(d: datetime | None) -> str | None:
    return None if d is None else d.date().isoformat()


def _baseline_for(
    points: Sequence[Point], r: int, lo: int, hi: int, p: HistoryParams
) -> list[Point]:
    """Comparable points of ``points[lo:hi]`` for ``points[r]`` within the lookback."""
    ref = points[r]
    oldest = ref.t - timedelta(days=p.baseline_lookback_days)
    # points are in time order: skip straight to the lookback window
    start = bisect.bisect_left(points, oldest, lo=lo, hi=max(lo, hi), key=lambda q: q.t)
    return [q for q in points[start:hi] if _comparable(q, ref, p)]


def _balance_shift(before: Sequence[Point], after: Sequence[Point]) -> float | None:
    b = [q.balance for q in before if q.balance is not None]
    a = [q.balance for q in after if q.balance is not None]
    if not b or not a:
        return None
    return float(np.mean(a) - np.mean(b))


def _describe_shift(key: str, unit: str, shift: float, bal: float | None) -> str:
    what = key.split("/")[0].replace("_", " ")
    side = "left" if shift > 0 else "right"
    txt = f"{what} asymmetry moved by {shift:+.2f} {unit} (toward a larger {side} value"
    if bal is not None:
        txt += f"; balance {bal:+.2f} %-points"
    return txt + ")"


def _device_starts(points: Sequence[Point]) -> list[int]:
    return [i for i in range(1, len(points)) if points[i].device != points[i - 1].device]


def _comparable_before(points: Sequence[Point], p: HistoryParams) -> list[np.ndarray]:
    """For each point, the positions of the earlier comparable points within the lookback
    (the rule of :func:`_comparable`, one array comparison per point: issue 15)."""
    n = len(points)
    if n == 0:
        return []
    ts = np.array([q.t.timestamp() for q in points])
    oldest = ts - p.baseline_lookback_days * 86400.0
    # points are in time order; the first point not older than each point's lookback
    first = np.searchsorted(ts, oldest, side="left")
    dev_code = np.unique([q.device for q in points], return_inverse=True)[1]
    surf_code = np.unique([q.surface for q in points], return_inverse=True)[1]
    sp = np.array([np.nan if q.speed is None else q.speed for q in points], dtype=float)
    has = np.array([q.speed is not None for q in points])
    band = p.speed_band_m_s
    out = []
    for r in range(n):
        lo = int(first[r])
        ok = np.ones(r - lo, dtype=bool)
        if p.match_device:
            ok &= dev_code[lo:r] == dev_code[r]
        if p.match_surface:
            ok &= surf_code[lo:r] == surf_code[r]
        if band is not None:
            if has[r]:
                # written as "not beyond" so that a NaN speed compares as _comparable does
                ok &= has[lo:r] & ~(np.abs(sp[lo:r] - sp[r]) > band + 1e-9)
            else:
                ok &= ~has[lo:r]
        out.append(lo + np.flatnonzero(ok))
    return out


@dataclass(frozen=True)
class _Window:
    """Mean deviation of a window of runs from their baselines, and its z under AR(1)."""

    deviation: float
    z: float
    n_runs: int


#: Runs searched for a change's start before the first run of the window that flagged it: one
#: window length, at least this many (design choice; calibrated: bench/calibration_history.py).
DATE_SEARCH_MIN_RUNS = 3


def _window(
    xs: np.ndarray,
    comp: Sequence[np.ndarray],
    rows: range,
    regime_start: int,
    nf: NoiseFloor,
    p: HistoryParams,
    need: int,
) -> _Window | None:
    """Runs ``rows`` against their comparable runs in ``[regime_start, rows.start)``: the
    equal-weight contrast (mean of each run minus the mean of its own comparable baseline) and
    its exact standard error under the fitted AR(1)."""
    used = []
    for r in rows:
        c = comp[r]
        base = c[bisect.bisect_left(c, regime_start) : bisect.bisect_left(c, rows.start)]
        if len(base) >= p.min_baseline_runs:
            used.append((r, base))
    if len(used) < need or nf.sd is None or nf.sd <= 0:
        return None
    m = len(used)
    # the baselines' weights in one bincount, not one fancy-index update per run (issue 15): the
    # same sums in the same order, as a window's runs never lie in a baseline
    bases = [b for _, b in used]
    lens = np.fromiter(map(len, bases), dtype=np.int64, count=m)
    weights = np.repeat(-(1.0 / (m * lens)), lens)
    w: np.ndarray = np.bincount(np.concatenate(bases), weights=weights, minlength=len(xs))
    w[[r for r, _ in used]] += 1.0 / m
    idx = np.flatnonzero(w)
    wv = w[idx]
    dev = float(wv @ xs[idx])
    var = nf.sd**2 * contrast_var(idx, wv, nf.phi)
    return _Window(dev, dev / math.sqrt(var) if var > 0 else 0.0, m)


#: Runs screened together by the online monitor (:func:`_screen`; memory only).
SCREEN_BLOCK_RUNS = 256
#: Longest window (runs) of the online monitor. A sustained shift raises the mean of every
#: window that lies after it, so a window of this length sees any step that a longer one would
#: (with a baseline of runs before it); a small shift that only a longer stretch of runs can
#: reveal is the job of the whole-regime test (:func:`_regime_test`), which sees all runs of a
#: regime at once in O(n). Capping the windows keeps the monitor linear in the number of runs
#: (issue 15). evenstride design; calibrated with the thresholds (docs/methods.md §10a).
WINDOW_MAX_RUNS = 24


def window_lengths(longest: int) -> list[int]:
    """Window lengths tried at each run: ``MIN_SIDE`` upward, each ~25 % longer than the last
    (geometric, so long histories add few looks), up to ``longest`` and at most
    :data:`WINDOW_MAX_RUNS`.

    >>> window_lengths(40)
    [3, 4, 5, 6, 8, 10, 12, 15, 19, 24]
    """
    out: list[int] = []
    n_rows = MIN_SIDE
    while n_rows <= min(longest, WINDOW_MAX_RUNS):
        out.append(n_rows)
        n_rows = max(n_rows + 1, round(n_rows * 1.25))
    return out


def change_threshold(n_runs: int, p: HistoryParams) -> float:
    """|z| a window must exceed at the ``n_runs``-th run of a metric: ``a + b·ln(n_runs)``
    (``change_z_a``, ``change_z_b``), growing with the number of looks so that the online
    monitor and the whole-regime test together report a change in ≤ 5 % of histories without
    one, whatever their length (calibrated: bench/calibration_history.py).
    """
    return p.change_z_a + p.change_z_b * math.log(max(n_runs, 2))


def regime_threshold(n_runs: int, p: HistoryParams) -> float:
    """The likelihood ratio the whole-regime test must exceed on a regime of ``n_runs`` runs:
    ``a + b·ln(n_runs)`` (``change_lr_a``, ``change_lr_b``; calibrated with estimated σ and φ:
    bench/calibration_history.py)."""
    return p.change_lr_a + p.change_lr_b * math.log(max(n_runs, 2))


@functools.lru_cache(maxsize=64)
def _lengths_array(longest: int) -> np.ndarray:
    """:func:`window_lengths` as a read-only array (cached: the monitor asks at every run)."""
    out = np.array(window_lengths(longest), dtype=np.int64)
    out.flags.writeable = False
    return out


def _need(n_rows: int) -> int:
    return max(MIN_SIDE, math.ceil(0.6 * n_rows))


#: Fewest runs (of the majority surface) a regime needs for the whole-regime test.
REGIME_TEST_MIN_RUNS = 12


def _regime_lr(
    x: np.ndarray, speed: np.ndarray | None, nf: NoiseFloor
) -> tuple[float, float] | None:
    """The GLS likelihood-ratio statistic for one level shift anywhere in ``x`` (AR(1) errors
    with the metric's fitted σ and φ, speed as a covariate):
    ``max_τ (SSE₀ − SSE_τ) / (σ²·(1 − φ²))`` and the shift at that τ; O(n) (:func:`_step_scan`).

    (Tried and not kept: σ and φ of the regime itself with its best step removed. As powerful
    at the same false-alarm rate on 80 runs, but its null distribution is much wider on short
    regimes, where σ and φ come from few runs.)"""
    assert nf.sd is not None
    scan = _step_scan(x, speed, nf.phi, MIN_SIDE)
    if scan is None:
        return None
    _taus, coef, sse, _ld, sse0 = scan
    ph = min(max(nf.phi, 0.0), 0.99)
    j = int(np.argmin(sse))
    return (sse0 - float(sse[j])) / (nf.sd**2 * (1.0 - ph * ph)), float(coef[j])


def _regime_test(
    seg: Sequence[Point], nf: NoiseFloor, p: HistoryParams
) -> tuple[int, int, float, float] | None:
    """The whole-regime test: one level shift anywhere in the regime's runs ``seg`` (one surface
    class, in time order) when the likelihood ratio (:func:`_regime_lr`) exceeds
    :func:`regime_threshold`. Returns ``(τ, detected, lr, threshold)``: ``τ`` dated by
    :func:`date_step` (indices into ``seg``) and ``detected`` the first run at which the test on
    the runs so far would have exceeded its threshold; None without a change."""
    n = len(seg)
    if n < REGIME_TEST_MIN_RUNS or nf.sd is None or nf.sd <= 0:
        return None
    x = np.array([q.x for q in seg])
    sp = _speeds(seg)
    res = _regime_lr(x, sp, nf)
    thr = regime_threshold(n, p)
    if res is None or res[0] <= thr:
        return None
    tau = date_step(x, sp, sd=nf.sd, phi=nf.phi)
    if tau is None:
        return None
    # the first run at which the runs so far passed the test (prefixes on a ~2 % grid)
    detected = n - 1
    e = max(REGIME_TEST_MIN_RUNS, tau + MIN_SIDE)
    while e < n:
        r = _regime_lr(x[:e], None if sp is None else sp[:e], nf)
        if r is not None and r[0] > regime_threshold(e, p):
            detected = e - 1
            break
        e += max(1, e // 50)
    return tau, detected, res[0], thr


def _screen(
    i0: int,
    i1: int,
    regime_start: int,
    xs: np.ndarray,
    comp: Sequence[np.ndarray],
    tabs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    nf: NoiseFloor,
    p: HistoryParams,
    z_crit: np.ndarray,
) -> np.ndarray:
    """Which windows of runs ``i0…i1 − 1`` (one regime, no device change inside) may have
    ``|z| > z_crit[i − i0]``: a boolean array (runs × :func:`window_lengths` up to
    :data:`WINDOW_MAX_RUNS`).

    Each window's mean deviation comes from per-run prefix sums of its baseline values in O(1)
    per run and window; its variance is at least ``σ²·(1 − φ)/(1 + φ)·(1/m + 1/U)`` (the smallest
    eigenvalue of an AR(1) correlation matrix times the squared norm of the contrast: ``m`` runs
    weighted ``1/m``, baseline weights summing to −1 over at most ``U`` runs), which bounds
    ``|z|`` from above. Only the windows that pass are computed exactly (:func:`_window`), so
    the largest ``|z|`` beyond the threshold is found exactly, with a few array operations per
    block of runs instead of one contrast per run and window (issue 15).
    """
    assert nf.sd is not None
    cum, off, hi_tab, _n = tabs
    lengths = _lengths_array(WINDOW_MAX_RUNS)
    runs = np.arange(i0, i1)
    j = np.arange(WINDOW_MAX_RUNS)  # row = run − j
    longest = runs - regime_start + 1 - p.min_baseline_runs
    l_ok = lengths[None, :] <= longest[:, None]  # (B, W)
    rows = np.clip(runs[:, None] - j[None, :], 0, None)  # (B, J)
    r0 = max(regime_start, i0 - WINDOW_MAX_RUNS + 1)
    lo_of = np.zeros(i1 - r0 + 1, dtype=np.int64)
    for r in range(r0, i1):
        lo_of[r - r0] = np.searchsorted(comp[r], regime_start, side="left")
    lo = lo_of[np.clip(rows - r0, 0, None)][:, None, :]  # (B, 1, J)
    d = lengths[None, :, None] - 1 - j[None, None, :]  # (1, W, J): row's offset in the window
    in_win = (d >= 0) & l_ok[:, :, None] & (rows[:, None, :] >= r0)
    hi = hi_tab[rows[:, None, :], np.clip(d, 0, None)]  # (B, W, J)
    k = hi - lo
    used = in_win & (k >= p.min_baseline_runs)
    o = off[rows][:, None, :]
    base_mean = (cum[o + np.maximum(hi, lo)] - cum[o + lo]) / np.maximum(k, 1)
    m = used.sum(axis=2)
    dev = np.where(used, xs[rows][:, None, :] - base_mean, 0.0).sum(axis=2) / np.maximum(m, 1)
    need = np.maximum(MIN_SIDE, np.ceil(0.6 * lengths))[None, :]
    span = np.maximum(runs[:, None] - lengths[None, :] + 1 - regime_start, 1).astype(float)
    ph = min(max(nf.phi, 0.0), 0.99)
    var_lb = nf.sd**2 * (1.0 - ph) / (1.0 + ph) * (1.0 / np.maximum(m, 1) + 1.0 / span)
    zub = np.abs(dev) / np.sqrt(0.999 * var_lb)
    return l_ok & (m >= need) & (zub > z_crit[:, None])


def _monitor_tables(
    xs: np.ndarray, comp: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-run prefix sums of the comparable runs' values (one flat array, ``off[r]`` where run
    ``r``'s start) and ``hi_tab[r, d]``: how many of run ``r``'s comparable runs lie before
    position ``r − d`` (d < :data:`WINDOW_MAX_RUNS`). O(N·WINDOW_MAX_RUNS) memory, not the former
    N×N table (issue 15)."""
    n = len(comp)
    lens = np.fromiter(map(len, comp), dtype=np.int64, count=n)
    off = np.concatenate(([0], np.cumsum(lens + 1)[:-1])).astype(np.int64)
    cum = np.zeros(int((lens + 1).sum()))
    hi_tab = np.zeros((n, WINDOW_MAX_RUNS), dtype=np.int64)
    steps = np.arange(WINDOW_MAX_RUNS)
    for r, c in enumerate(comp):
        if len(c):
            cum[off[r] + 1 : off[r] + 1 + len(c)] = np.cumsum(xs[c])
            hi_tab[r] = np.searchsorted(c, r - steps, side="left")
    return cum, off, hi_tab, lens


def _monitor(
    points: Sequence[Point],
    nf: NoiseFloor,
    dev_starts: Sequence[int],
    p: HistoryParams,
    key: str,
    unit: str,
    rng: np.random.Generator,
    comp: Sequence[np.ndarray],
) -> tuple[list[tuple[int, str]], list[Change]]:
    """Walk forward; at each run, the windows of the last ``L`` runs (:func:`window_lengths`)
    against their baselines; flag a change when the largest ``|z|`` exceeds
    :func:`change_threshold`, locate its start, restart the baseline there. Then test every
    regime as a whole (:func:`_regime_test`) for a shift the walk did not find."""
    assert nf.sd is not None
    xs = np.array([q.x for q in points])
    tabs = _monitor_tables(xs, comp)
    starts: list[tuple[int, str]] = [(0, "first run")]
    changes: list[Change] = []
    regime_start = 0
    dev = set(dev_starts)
    dev_sorted = sorted(dev_starts)
    all_lengths = _lengths_array(WINDOW_MAX_RUNS)
    n = len(points)
    block: tuple[int, int, int, np.ndarray] | None = None  # regime start, first, end, screen
    found: list[tuple[int, int, _Window, float]] = []  # τ, detection, window, |z| threshold
    i = 0
    while i < n:
        if i in dev and i > regime_start:
            regime_start = i
            starts.append((i, "device change"))
        if block is None or block[0] != regime_start or not block[1] <= i < block[2]:
            # screen a block of runs at once (up to the next device change)
            k_dev = bisect.bisect_right(dev_sorted, i)
            end = min(i + SCREEN_BLOCK_RUNS, dev_sorted[k_dev] if k_dev < len(dev_sorted) else n)
            zc = p.change_z_a + p.change_z_b * np.log(np.maximum(np.arange(i, end) + 1, 2))
            block = (regime_start, i, end, _screen(i, end, regime_start, xs, comp, tabs, nf, p,
                                                   zc))
        _g, b0, b1, mask = block
        hits = np.flatnonzero(mask[i - b0 :].any(axis=1))
        if not len(hits):
            i = b1
            continue
        i += int(hits[0])
        cand = all_lengths[mask[i - b0]]
        z_crit = change_threshold(i + 1, p)
        cur, i = i, i + 1  # judge run ``cur``; the walk goes on at the next run
        best: _Window | None = None
        best_start = cur
        for n_rows in cand.tolist():
            w = _window(xs, comp, range(cur - n_rows + 1, cur + 1), regime_start, nf, p,
                        _need(n_rows))
            if w is not None and (best is None or abs(w.z) > abs(best.z)):
                best = w
                best_start = cur - n_rows + 1
        if best is None or abs(best.z) <= z_crit:
            continue
        # locate the start on the regime so far plus up to 4·k later runs of the same device:
        # at detection only a few runs show the new level (retrospective analysis)
        nxt = min([c for c in dev_starts if c > cur] + [len(points)])
        seg = _majority(points[regime_start : min(cur + 1 + 4 * p.recent_runs, nxt)])
        x = np.array([q.x for q in seg])
        # date the step near the window that flagged it: from one window length before the
        # window's first run to the detection (a step found there started there)
        span = max(DATE_SEARCH_MIN_RUNS, cur - best_start + 1)
        cand_t = [j for j, q in enumerate(seg) if best_start - span <= q.pos <= cur]
        tau_local = date_step(x, _speeds(seg), sd=nf.sd, phi=nf.phi, candidates=cand_t)
        if tau_local is None:
            continue
        tau = seg[tau_local].pos
        found.append((tau, cur, best, z_crit))
        regime_start = tau
        starts.append((tau, "change in the runner"))
    # date each change found by the walk again with every run between the restarts around it
    # (the walk dated it from the runs up to 4·k after its detection, near the flagging window)
    for tau0, cur, best, z_crit in found:
        bounds = sorted({s_ for s_, _ in starts})
        k_at = bounds.index(tau0)
        prev = bounds[k_at - 1] if k_at > 0 else 0
        nxt = bounds[k_at + 1] if k_at + 1 < len(bounds) else len(points)
        seg = _majority(points[prev:nxt])
        x = np.array([q.x for q in seg])
        cand_t = [j for j, q in enumerate(seg) if q.pos > prev]
        t_local = date_step(x, _speeds(seg), sd=nf.sd, phi=nf.phi, candidates=cand_t)
        if t_local is None or seg[t_local].pos == tau0:
            t_local = next(j for j, q in enumerate(seg) if q.pos >= tau0)
        tau = seg[t_local].pos
        starts = [(s_, r_) for s_, r_ in starts if s_ != tau0] + [(tau, "change in the runner")]
        sentence_tail = (
            f"; the mean of your last {best.n_runs} runs is {best.deviation:+.2f} {unit} from "
            f"your baseline, {abs(best.z):.1f} standard errors away (threshold "
            f"{z_crit:.1f}, allowing for how much consecutive runs resemble each other): "
            "beyond your noise floor."
        )
        changes.append(_runner_change(points, seg, t_local, cur, best.z, z_crit, best.deviation,
                                      sentence_tail, nf, p, key, unit, rng))
    # the whole-regime test on every regime, splitting a regime where it finds a shift (at most
    # a few rounds: each split is tested again, as the walk restarts after a change)
    for _round in range(8):
        bounds = [*sorted({s for s, _ in starts}), len(points)]
        added = False
        for lo, hi in itertools.pairwise(bounds):
            seg = _majority(points[lo:hi])
            res = _regime_test(seg, nf, p)
            if res is None:
                continue
            t_local, d_local, lr, thr = res
            tau, det = seg[t_local].pos, seg[d_local].pos
            if tau <= lo:
                continue
            z = math.copysign(math.sqrt(lr), float(np.mean([q.x for q in seg[t_local:]]))
                              - float(np.mean([q.x for q in seg[:t_local]])))
            sentence_tail = (
                f"; a test of all {len(seg)} comparable-surface runs since "
                f"{_iso(points[lo].t)} finds one level shift (likelihood ratio {lr:.1f}, "
                f"threshold {thr:.1f}, allowing for how much consecutive runs resemble each "
                "other): beyond your noise floor."
            )
            changes.append(_runner_change(points, seg, t_local, det, z, math.sqrt(thr), None,
                                          sentence_tail, nf, p, key, unit, rng))
            starts.append((tau, "change in the runner"))
            added = True
        if not added:
            break
    changes.sort(key=lambda c: c.started)
    return starts, changes


def _runner_change(
    points: Sequence[Point],
    seg: Sequence[Point],
    tau_local: int,
    detected: int,
    z: float,
    z_crit: float,
    deviation: float | None,
    sentence_tail: str,
    nf: NoiseFloor,
    p: HistoryParams,
    key: str,
    unit: str,
    rng: np.random.Generator,
) -> Change:
    """A change in the runner starting at ``seg[tau_local]``, detected at run ``detected``."""
    assert nf.sd is not None
    tau = seg[tau_local].pos
    before = [q for q in seg if q.pos < tau]
    after = [q for q in seg if q.pos >= tau]
    dates, steps = _boot_step(seg, rng, p.n_boot_changepoint)
    shift = float(np.mean([q.x for q in after]) - np.mean([q.x for q in before]))
    bal = _balance_shift(before, after)
    ci = _date_ci(dates)
    sci = None
    if len(steps) >= 20:
        lo_s, hi_s = np.percentile(steps, [2.5, 97.5])
        sci = (float(lo_s), float(hi_s))
    sentence = (
        f"{_describe_shift(key, unit, shift, bal)} from about {_iso(points[tau].t)}"
        + (f" (95 % interval {_iso(ci[0])} to {_iso(ci[1])})" if ci else "")
        + sentence_tail
    )
    return Change(
        kind="runner",
        key=key,
        last_before=before[-1].t if before else None,
        started=points[tau].t,
        started_ci95=ci,
        detected=points[detected].t,
        shift=shift,
        shift_ci95=sci,
        shift_balance_pct=bal,
        level_before=float(np.mean([q.x for q in before])),
        level_after=float(np.mean([q.x for q in after])),
        n_before=len(before),
        n_after=len(after),
        monitor_deviation=deviation,
        mdc95=mdc95(nf.sd),
        unit=unit,
        sentence=sentence,
        z=z,
        z_threshold=z_crit,
    )


def _regime_of(n: int, starts: Sequence[tuple[int, str]]) -> list[int]:
    bounds = np.array(sorted({s for s, _ in starts}))
    if n == 0:
        return []
    return (np.searchsorted(bounds, np.arange(n), side="right") - 1).clip(0).tolist()


def _device_steps(
    points: Sequence[Point],
    dev_starts: Sequence[int],
    p: HistoryParams,
    key: str,
    unit: str,
    rng: np.random.Generator,
) -> list[DeviceStep]:
    out = []
    bounds = [0, *dev_starts, len(points)]
    for j, c in enumerate(dev_starts):
        lo = max(bounds[j], c - p.device_window_runs)
        hi = min(bounds[j + 2], c + p.device_window_runs)
        win = _majority(points[lo:hi])
        before = [q for q in win if q.pos < c]
        after = [q for q in win if q.pos >= c]
        frm, to = points[c - 1].device, points[c].device
        change: dict[str, Any] = {
            "key": key, "at": points[c].t, "from_device": frm, "to_device": to,
            "activity_id": points[c].run.activity_id,
            "from_setup": points[c - 1].run.device_key, "to_setup": points[c].run.device_key,
            "unit": unit, "n_before": len(before), "n_after": len(after)}
        if len(before) < MIN_SIDE or len(after) < MIN_SIDE:
            out.append(DeviceStep(
                **change, step=None, step_ci95=None, located_offset_runs=None, attributed=False,
                sentence="too few comparable runs on one side of the device change to "
                "measure a step; the baseline restarts here"))
            continue
        xb = np.array([q.x for q in before])
        xa = np.array([q.x for q in after])
        step = float(xa.mean() - xb.mean())
        # all resamples in one draw: the same random numbers as one rng.choice(xa, na) and one
        # rng.choice(xb, nb) per resample, in that order (issue 15)
        na, nb = len(xa), len(xb)
        highs = np.tile(np.r_[np.full(na, na), np.full(nb, nb)], p.n_boot)
        draw = rng.integers(0, highs).reshape(p.n_boot, na + nb)
        boots = xa[draw[:, :na]].mean(axis=1) - xb[draw[:, na:]].mean(axis=1)
        ci = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
        fit = step_fit(np.array([q.x for q in win]), _speeds(win))
        offset = None
        if fit is not None:
            located = win[fit[0]].pos
            # offset in runs of this surface class
            pos_list = [q.pos for q in win]
            offset = pos_list.index(located) - pos_list.index(after[0].pos)
        real = ci[0] > 0 or ci[1] < 0
        attributed = bool(real and offset is not None and abs(offset) <= p.device_tolerance_runs)
        if attributed:
            sentence = (
                f"a step of {step:+.2f} {unit} (95 % CI {ci[0]:+.2f} to {ci[1]:+.2f}) coincides "
                f"with the change from '{frm}' to '{to}' and is attributed to the device, not to "
                "you; your baseline restarts here"
            )
        elif real:
            sentence = (
                f"the level differs by {step:+.2f} {unit} across the device change, but the "
                f"step is located {offset:+d} runs away from it; the baseline restarts here and "
                "the runner-change check judges it"
            )
        else:
            sentence = (
                f"no step at the change from '{frm}' to '{to}' ({step:+.2f} {unit}, 95 % CI "
                f"{ci[0]:+.2f} to {ci[1]:+.2f}); the baseline restarts here anyway"
            )
        out.append(DeviceStep(**change, step=step, step_ci95=ci, located_offset_runs=offset,
                              attributed=attributed, sentence=sentence))
    return out


def _regimes(points: Sequence[Point], starts: Sequence[tuple[int, str]]) -> list[Regime]:
    bounds = sorted(dict(starts).items())
    out = []
    for j, (s, reason) in enumerate(bounds):
        e = bounds[j + 1][0] if j + 1 < len(bounds) else len(points)
        seg = points[s:e]
        if not seg:
            continue
        bal = [q.balance for q in seg if q.balance is not None]
        out.append(
            Regime(
                start=seg[0].t,
                end=seg[-1].t,
                reason=reason,
                device=seg[0].device,
                n=len(seg),
                mean=float(np.mean([q.x for q in seg])),
                mean_balance_pct=float(np.mean(bal)) if bal else None,
            )
        )
    return out


def _current(
    points: Sequence[Point],
    starts: Sequence[tuple[int, str]],
    changes: Sequence[Change],
    nf: NoiseFloor,
    p: HistoryParams,
    unit: str,
    comp: Sequence[np.ndarray],
) -> dict[str, Any]:
    last = len(points) - 1
    regime_start = max(s for s, _ in starts)
    reason = dict(starts).get(regime_start, "")
    k = p.recent_runs
    lo = max(regime_start, last - k + 1)
    te = nf.sd
    mdc = None if te is None else mdc95(te)
    latest = points[last]
    # "your usual": the comparable runs of the current regime before the latest run
    base = _baseline_for(points, last, regime_start, last, p)
    bx = [q.x for q in base]
    bb = [q.balance for q in base if q.balance is not None]
    xs = np.array([q.x for q in points])
    win = None
    if te is not None and lo > regime_start:
        win = _window(xs, comp, range(lo, last + 1), regime_start, nf, p, 1)
    latest_dev = latest.x - float(np.mean(bx)) if len(bx) >= p.min_baseline_runs else None
    just_changed = [
        c
        for c in changes
        if c.detected is not None and c.detected >= points[max(0, last - k + 1)].t
    ]
    forming = reason == "change in the runner" and (win is None or win.n_runs < _need(k))
    if just_changed or forming:
        # the change is the news; a new baseline forms at the new level
        status = "changed"
    elif win is None or win.n_runs < _need(min(k, last - regime_start + 1)):
        status = "insufficient baseline"
    elif abs(win.z) > change_threshold(last + 1, p):
        status = "changed"
    else:
        status = "stable"
    lo_s = None if latest.speed is None else latest.speed - p.speed_band_m_s
    hi_s = None if latest.speed is None else latest.speed + p.speed_band_m_s
    return {
        "status": status,
        "latest": {
            "date": _iso(latest.t),
            "activity_id": latest.run.activity_id,
            "value": _r(latest.x),
            "balance_left_pct": _r(latest.balance),
            "deviation": _r(latest_dev),
            "beyond_mdc95": None
            if latest_dev is None or mdc is None
            else bool(abs(latest_dev) > mdc),
            "note": "one run: a single run beyond the noise floor is not yet a change",
        },
        "recent": {
            "n_runs": 0 if win is None else win.n_runs,
            "mean_deviation": None if win is None else _r(win.deviation),
            "z": None if win is None else _r(win.z, 2),
            "z_threshold": _r(change_threshold(last + 1, p), 2),
            "beyond_noise_floor": None
            if win is None
            else bool(abs(win.z) > change_threshold(last + 1, p)),
            "beyond_mdc95": None
            if win is None or mdc is None
            else bool(abs(win.deviation) > mdc),
        },
        "baseline": {
            "mean": _r(float(np.mean(bx))) if bx else None,
            "sd": _r(float(np.std(bx, ddof=1))) if len(bx) > 1 else None,
            "balance_left_pct": _r(float(np.mean(bb))) if bb else None,
            "n_runs": len(bx),
            "since": _iso(points[regime_start].t),
            "since_reason": reason,
            "forming": bool(forming),
            "device_key": latest.device,
            "surface": latest.surface,
            "speed_band_m_s": None if lo_s is None else [round(lo_s, 2), round(hi_s or 0.0, 2)],
        },
        "mdc95": _r(mdc),
        "unit": unit,
    }


def _boot_mean_ci(
    v: np.ndarray, rng: np.random.Generator, n_boot: int
) -> tuple[float, float] | None:
    if len(v) < 3:
        return None
    # the resamples in blocks of draws: the same random numbers as n_boot rng.choice(v, len(v))
    # calls, and each block's index array stays small (cache-sized) however many runs there are
    m = np.empty(n_boot)
    for s in range(0, n_boot, _BOOT_BLOCK):
        k = min(_BOOT_BLOCK, n_boot - s)
        m[s : s + k] = v[rng.integers(0, len(v), (k, len(v)))].mean(axis=1)
    return float(np.percentile(m, 2.5)), float(np.percentile(m, 97.5))


#: Bootstrap draws per block in :func:`_boot_mean_ci` (memory only: values do not depend on it).
_BOOT_BLOCK = 100


def _slope_boot(
    dx: Sequence[np.ndarray], dy: Sequence[np.ndarray], rng: np.random.Generator, n_boot: int
) -> np.ndarray:
    """Bootstrap over runs of the pooled within-run slope ``Σxy / Σxx`` (NaN when ``Σxx`` is
    0): from each run's own sums, O(runs) per draw with no concatenation of the runs' arrays;
    all draws in one call, the same random numbers as one ``rng.integers`` call per draw."""
    sxx = np.array([float(np.dot(a, a)) for a in dx])
    sxy = np.array([float(np.dot(a, b)) for a, b in zip(dx, dy, strict=True)])
    den = np.empty(n_boot)
    num = np.empty(n_boot)
    for s in range(0, n_boot, _BOOT_BLOCK):  # blocks of draws: small index arrays
        k = min(_BOOT_BLOCK, n_boot - s)
        ix = rng.integers(0, len(dx), (k, len(dx)))
        den[s : s + k] = sxx[ix].sum(axis=1)
        num[s : s + k] = sxy[ix].sum(axis=1)
    out = np.full(n_boot, math.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _speed_curve(
    points: Sequence[Point],
    regime_of: Sequence[int],
    p: HistoryParams,
    rng: np.random.Generator,
    unit: str,
) -> dict[str, Any]:
    """Asymmetry against speed: across runs (relative to each regime's mean) and within runs
    (the per-run speed tertiles of ``by_context``)."""
    # across runs
    rows: dict[float, list[float]] = {}
    groups: dict[tuple[int, str], list[float]] = {}
    for o, h in zip(points, regime_of, strict=True):
        groups.setdefault((h, o.surface), []).append(o.x)
    group_mean = {gs: float(np.mean(v)) for gs, v in groups.items()}
    for q, g in zip(points, regime_of, strict=True):
        if q.speed is None:
            continue
        b = math.floor(q.speed / p.speed_bin_m_s) * p.speed_bin_m_s
        rows.setdefault(round(b, 3), []).append(q.x - group_mean[(g, q.surface)])
    across = [
        {
            "speed_from_m_s": k,
            "speed_to_m_s": round(k + p.speed_bin_m_s, 3),
            "n_runs": len(v),
            "mean_relative": _r(float(np.mean(v))),
            "sd": _r(float(np.std(v, ddof=1))) if len(v) > 1 else None,
        }
        for k, v in sorted(rows.items())
    ]
    # within runs: value in each speed tertile relative to the run's tertile mean
    dx: list[np.ndarray] = []
    dy: list[np.ndarray] = []
    bins: dict[float, list[float]] = {}
    for q in points:
        entry = q.entry
        ctx = [
            c
            for c in entry.by_context
            if c.context.startswith("speed")
            and c.n >= MIN_CONTEXT_N
            and c.value is not None
            and c.mean_speed_m_s is not None
        ]
        if len(ctx) < 2:
            continue
        sv = np.array([c.mean_speed_m_s for c in ctx], dtype=float)
        yv = np.array([c.value for c in ctx], dtype=float)
        dx.append(sv - sv.mean())
        dy.append(yv - yv.mean())
        for s, y in zip(sv, yv - yv.mean(), strict=True):
            b = round(math.floor(s / p.speed_bin_m_s) * p.speed_bin_m_s, 3)
            bins.setdefault(b, []).append(float(y))
    slope = slope_ci = None
    if len(dx) >= 5:

        def fit(ix: np.ndarray) -> float:
            xx = np.concatenate([dx[i] for i in ix])
            yy = np.concatenate([dy[i] for i in ix])
            den = float(np.dot(xx, xx))
            return float(np.dot(xx, yy) / den) if den > 0 else math.nan

        slope = fit(np.arange(len(dx)))
        bs = _slope_boot(dx, dy, rng, p.n_boot // 2)
        bs = bs[np.isfinite(bs)]
        if len(bs) > 20:
            slope_ci = (float(np.percentile(bs, 2.5)), float(np.percentile(bs, 97.5)))
    within = [
        {
            "speed_from_m_s": k,
            "speed_to_m_s": round(k + p.speed_bin_m_s, 3),
            "n": len(v),
            "mean_relative": _r(float(np.mean(v))),
        }
        for k, v in sorted(bins.items())
    ]
    return {
        "unit": unit,
        "across_runs": across,
        "across_runs_note": (
            "run values relative to the mean of the runs of the same regime (same device, no "
            "change in the runner) and surface, by the run's median speed"
        ),
        "within_runs_note": (
            "each run's speed tertiles relative to the run's own mean; not matched for grade "
            "(uphill sections are slower), so hills can show up as a speed effect"
        ),
        "within_runs": within,
        "within_run_slope_per_m_s": _r(slope),
        "within_run_slope_ci95": _rci(slope_ci),
        "n_runs_within": len(dx),
        "evidence": SPEED_EVIDENCE.to_dict(),
    }


def _context_effects(
    points: Sequence[Point], p: HistoryParams, rng: np.random.Generator, unit: str
) -> dict[str, Any]:
    """Within-run differences uphill/downhill − flat and left/right bend − straight."""
    pairs = {
        "uphill_minus_flat": ("uphill", "flat", GRADE_EVIDENCE),
        "downhill_minus_flat": ("downhill", "flat", GRADE_EVIDENCE),
        "bend_left_minus_straight": ("bend_left", "straight", BEND_EVIDENCE),
        "bend_right_minus_straight": ("bend_right", "straight", BEND_EVIDENCE),
    }
    out: dict[str, Any] = {"unit": unit}
    by_run = [{c.context: c for c in q.entry.by_context} for q in points]  # once per run
    for name, (a, b, ev) in pairs.items():
        vals = []
        for ctx in by_run:
            ca, cb = ctx.get(a), ctx.get(b)
            if (
                ca is None
                or cb is None
                or ca.value is None
                or cb.value is None
                or ca.n < MIN_CONTEXT_N
                or cb.n < MIN_CONTEXT_N
            ):
                continue
            vals.append(ca.value - cb.value)
        v = np.array(vals)
        ci = _boot_mean_ci(v, rng, p.n_boot) if len(v) else None
        out[name] = {
            "mean": _r(float(v.mean())) if len(v) else None,
            "ci95": _rci(ci),
            "n_runs": len(v),
            "evidence": ev.to_dict(),
        }
    return out


def analyse_metric(
    runs: Sequence[RunRecord], key: str, p: HistoryParams, rng: np.random.Generator
) -> MetricHistory | None:
    """Baseline, noise floor, changes, device steps, speed and context effects of one metric."""
    points = metric_points(runs, key)
    if not points:
        return None
    unit = next(iter(r.asymmetry[key].unit for r in runs if key in r.asymmetry))
    dev_starts = _device_starts(points)
    starts: list[tuple[int, str]] = [(0, "first run")] + [(c, "device change") for c in dev_starts]
    regime_of = _regime_of(len(points), starts)
    comp = _comparable_before(points, p)
    nf = noise_floor(points, regime_of, p)
    changes: list[Change] = []
    if nf.sd is not None and nf.sd > 0:
        # two passes: the noise floor without pairs that straddle a detected change
        for _ in range(2):
            starts, changes = _monitor(points, nf, dev_starts, p, key, unit, rng, comp)
            regime_of = _regime_of(len(points), starts)
            nf2 = noise_floor(points, regime_of, p)
            if nf2.sd is None or (abs(nf2.sd - nf.sd) < 1e-9 and nf2.phi == nf.phi):
                break
            nf = nf2
    te_classic, _n = typical_error(points, regime_of, p)
    dsteps = _device_steps(points, dev_starts, p, key, unit, rng)
    ses = [q.se for q in points if q.se is not None]
    return MetricHistory(
        key=key,
        unit=unit,
        n_runs=len(points),
        typical_error=nf.sd,
        n_pairs=nf.n_pairs,
        mdc95=None if nf.sd is None else mdc95(nf.sd),
        within_run_se=float(np.median(ses)) if ses else None,
        regimes=_regimes(points, starts),
        changes=changes,
        device_steps=dsteps,
        current=_current(points, starts, changes, nf, p, unit, comp),
        speed_curve=_speed_curve(points, regime_of, p, rng, unit),
        context_effects=_context_effects(points, p, rng, unit),
        regime_of=regime_of,
        points=list(points),
        autocorrelation=nf.phi if nf.sd is not None else None,
        autocorrelation_estimated=nf.phi_estimated,
        typical_error_consecutive=te_classic,
        change_z=change_threshold(len(points), p),
    )
