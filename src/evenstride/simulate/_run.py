# SPDX-License-Identifier: MIT
r"""Simulated runs with a known ground truth, for testing the analysis engine end to end.

:func:`simulate_run` returns an :class:`~evenstride.datatypes.Activity` shaped exactly like a FIT
reader would return it (values already quantised to FIT resolution) plus a :class:`SimTruth` with
every planted effect and the noise-free per-sample arrays. :func:`write_simulated_fit` writes the
same run as a FIT file (via :mod:`evenstride.io._fit_writer`), so reading that file back must give
the same Activity up to FIT resolution.

The model
=========
Time. ``τ`` = seconds since the start of the *run* (``τ = time_s − run_start_s``;
``run_start_s`` is 0 unless a bike leg precedes the run). Samples are at 1 Hz,
``τ = 0, 1, …, N−1`` with ``N = round(duration_s)`` (``smart_recording`` keeps an irregular
subset, gaps of 1–7 s).

Phases (``SimTruth.phase``), laid out deterministically:

- ``PHASE_DRILL_LEFT`` / ``PHASE_DRILL_RIGHT`` (``drills=True``): single-leg hops, 20 s on the
  left leg from ``drill_start_s``, then 20 s on the right leg.
- ``PHASE_STOP``: ``stops`` standstills of 20–60 s (length drawn from the seed).
- ``PHASE_WALK``: ``walk_breaks`` walks of ``walk_break_s`` (60 s) at ~1.5 m/s.
- ``PHASE_ACCEL``: the ``ACCEL_S`` = 10 s after each stop or walk, speed ramps linearly back up.
- ``PHASE_RUN``: everything else.

Stops and walks are interleaved (the more numerous kind first) and centred at
``lo + (j+1)·(hi − lo)/(K+1)``, ``j = 0…K−1``, with ``lo = min(300 s, N/10)`` (or drill end
+ 120 s when later) and ``hi = N − min(180 s, N/10)``. The exact windows are in
``SimTruth.stop_windows_s`` etc. (``time_s`` axis, half-open ``[start, end)``).

Route (``route=``), positions ``p`` (m along the route) from integrating the true speed:

- ``"loop"``: a closed 2,965.6 m loop, counter-clockwise overall. Each half: 450 m straight,
  S-bend (right 90° r = 30 m, 60 m straight, left 90° r = 30 m), 450 m straight, left 90° corner
  r = 25 m, 350 m straight, left 90° corner r = 25 m. Per lap: 251 m of left-hand bends (94 m
  at r = 30 m, 157 m at r = 25 m) and 94 m of right-hand bends. Hills:
  ``z(p) = 540 + A·[sin(2πp/L) + ½·sin(4πp/L + 1) + ¼·sin(6πp/L + 2)]``,
  ``A = hill_amplitude_m`` (grades up to ≈ ±7 % for A = 12 m).
- ``"track"``: a 400 m standard oval, counter-clockwise: 84.39 m straights and 180° bends of
  36.8 m radius on the running line (kerb radius 36.5 m + 0.3 m), flat.
- ``"out_and_back"``: out along a repeating pattern (500 m straight, left 45° r = 40 m, 300 m,
  right 90° r = 30 m, 400 m, left 45° r = 40 m) until half the distance, then back along the same
  road: on the way back every bend and every grade has the opposite sign. Hills
  ``z(p) = 540 + A·[sin(2πp/2400) + 0.4·sin(2πp/1100 + 1) + 0.15·sin(2πp/700 + 2)]``.
- ``"treadmill"``: no GPS, no altitude, grade 0, no bends; sub-sport ``treadmill``; belt speed
  changes by −0.2…+0.2 m/s every 5 min.

``grade_pct(τ)`` = 100·dz/dp in the direction of travel (0 with ``hills=False``);
``turn_sign(τ)`` = +1 on a left-hand (counter-clockwise) bend, −1 on a right-hand bend, 0 on
straights; both are exact functions of the route position (GPS noise does not change them).

**GCT balance (the planted asymmetry).** For every sample the runner's true balance is::

    b(τ) = balance_left_pct
           + drift_pct_per_h · max(0, τ − drift_onset_s) / 3600       (drift_onset_s=None → 0)
           + grade_effect_pct_per_pct · grade_pct(τ)
           + bend_effect_pct · turn_sign(τ)

(``SimTruth.balance_true_pct``; % of total ground contact time on the LEFT foot, Garmin's
convention: > 50 means the left contact is longer). The observed (FIT) balance is

- running (RUN, ACCEL): ``b(τ) + e(τ)``, ``e = e_f + e_s`` the sum of two stationary AR(1)
  series: a fast one, φ = ``balance_noise_phi`` (0.96 per s), and a slow one, φ =
  ``balance_noise_slow_phi`` (0.993 per s) carrying ``balance_noise_slow_share`` (30 %) of the
  variance; total marginal SD ``balance_noise_sd_pct`` (0.55 pct-points). Lag-1 ≈ 0.97,
  integrated autocorrelation time ≈ 120 s. These defaults are the medians of per-file fits on
  seven shared real FIT files with GCT balance (linearly detrended; docs/methods.md, table
  "Noise of real files"); ``balance_noise_slow_share=0, balance_noise_phi=0.9,
  balance_noise_sd_pct=0.4`` gives the old gentle AR(1);
- walking: ``b(τ) + 2·e(τ)``;
- drills: ``98 + u`` (left hops) and ``2 + u`` (right hops), ``u ~ N(0, 1)`` iid (a reader
  that treats implausible balances as missing will drop these; the Activity keeps what the file
  holds);
- clipped to [0, 100] and rounded to 0.01 % (FIT resolution);
- stops: NaN in the Activity, but **0.00** in the FIT file (real Garmin files write 0 at stops,
  as they do for stance_time, stance_time_percent, vertical_oscillation, vertical_ratio and
  step_length: readers must treat those zeros as missing);
- dropouts (``dropouts_fraction`` of the samples, bursts of 1–8 s, ``SimTruth.dropout_mask``):
  NaN in the Activity and the FIT invalid value 0xFFFF, for all running-dynamics fields.

``SimTruth.balance_expected_pct`` is the noise-free expected observation (``b`` while running or
walking, 98/2 in drills, NaN at stops). Symmetry index at the reference: ``SI = 4·(b − 50)``.

**Speed** (m/s). Running: ``speed_m_s · (1 + x(τ)) · (1 − 0.015·grade_pct)`` with ``x`` an AR(1)
(φ = 0.995, SD ``speed_variation_pct``/100), floored at 1.5 m/s (the grade factor uses the grade
at the position of a first integration pass). Stops 0, walks ``1.5·(1 + x')`` (``x'`` AR(1),
φ = 0.99, SD 0.03), drills 1.2,
ACCEL a linear ramp over 10 s from max(previous speed, 2.0 m/s) to the running speed.
Observed speed = true + N(0, 0.04²) (treadmill 0.02), ≥ 0, exactly 0 at stops, to 0.001 m/s;
distance = cumulative observed speed, to 0.01 m.

**Contact time** (both-feet mean, s), with ``v_c = clip(true speed, 2.2, 6.0)``::

    gct(τ) = gct_ref_s · (1 + gct_fatigue_pct_per_h/100 · τ/3600) − 0.040 · (v_c − 3.2)

observed = ``gct + AR(1)`` (φ = 0.8, SD 4 ms) ``+ slow AR(1)`` (φ = 0.993, SD 3 ms; the slow
wander of real contact times, ``form_noise_slow=True``), walking 0.60 s, drills 0.19 s; rounded to
0.1 ms.
Per-foot values of the running-dynamics channel are derived from the *observed* (quantised)
balance and GCT exactly as a reader does: ``left = 2·gct·b/100``, ``right = 2·gct·(1 − b/100)``.

**Cadence** (steps/min; Burns et al. 2019 slope, science.md §4.1)::

    cadence(τ) = (cadence_intercept_spm + 5.6 · v_c)
                 × (1 − cadence_deficit_pct/100)   if RUN/ACCEL and τ in cadence_deficit_window_s

observed = ``cadence + AR(1)`` (φ = 0.7, SD 1.5 spm) ``+ slow AR(1)`` (φ = 0.993, SD 1 spm,
``form_noise_slow``), walks U(110, 125) per walk + noise, drills
150, stops 0; quantised to 1/64 spm (FIT strides/min with 1/128 fractional cadence). The
deficit window is given in run seconds ``τ`` (default ``[0.45, 0.60] × duration``);
``SimTruth.cadence_deficit_window_s`` holds it on the ``time_s`` axis.

**Derived running dynamics.** Vertical oscillation ``0.085 + 0.004·(v_c − 3.2)`` m + AR(1)
(φ = 0.8, SD 2 mm) + slow AR(1) (φ = 0.993, SD 1.5 mm, ``form_noise_slow``) (walk 0.045 m,
drill 0.10 m), to 0.1 mm; step length = observed speed /
(observed cadence/60), to 0.1 mm; vertical ratio = VO / step length × 100, to 0.01 %; stance time
percent = GCT · (cadence/2)/60 × 100 (share of the stride), to 0.01 %.

**Heart rate**: first-order lag (time constant 40 s, from 90 bpm) towards ``140 + 10·(v − 3.2) +
1.2·grade + 6·τ/3600`` (stops 100, walks 115, drills 150), + N(0, 1), rounded; NaN on
``dropouts_fraction/4`` of samples. **Temperature**: ``18 + 2·τ/3600`` °C, rounded.

**Stryd** (``include_stryd``): power ``m·v·(1.05 + 0.098·grade)`` (≥ ``0.3·m·v``, m =
``runner_mass_kg``), form power ``0.28·1.05·m·v`` + N(0, 2²), air power ``0.144·v³``, all
rounded to W, 0 at stops; leg spring stiffness ``10.5 + 0.5·(v_c − 3.2)`` kN/m + N(0, 0.2²)
(float32, NaN at stops). Written as native ``power`` and Stryd developer fields.

**RunScribe** (``include_runscribe``), per foot, with their own planted symmetry indices
``SI = (L − R)/((L + R)/2) × 100``::

    contact_L,R = gct(τ)·(1 ± runscribe_contact_asym_pct/200) + AR(1) φ 0.5, SD 6 ms → whole ms
    impact_L,R  = (9.0 + 1.2·(v_c − 3.2))·(1 ± runscribe_impact_asym_pct/200) + N(0, 0.6²) g
    braking_L,R = (7.5 + 0.8·(v_c − 3.2))·(1 ± runscribe_braking_asym_pct/200) + N(0, 0.5²) g

(float32 for g values; NaN at stops and drills). ``runscribe_contact_asym_pct=None`` uses
``4·(balance_left_pct − 50)``, the SI matching the Garmin balance at the reference.

Every random component has its own stream spawned from ``seed``, so switching an option on or off
does not change the other components' noise.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.io._fit_writer import SessionSpec, encode_activity_fit

__all__ = [
    "PHASE_ACCEL",
    "PHASE_BIKE",
    "PHASE_DRILL_LEFT",
    "PHASE_DRILL_RIGHT",
    "PHASE_RUN",
    "PHASE_STOP",
    "PHASE_WALK",
    "SimTruth",
    "SimulatedRun",
    "simulate_run",
    "write_simulated_fit",
]

#: Phase codes of :attr:`SimTruth.phase`.
PHASE_RUN: Final = 0
PHASE_STOP: Final = 1
PHASE_WALK: Final = 2
PHASE_DRILL_LEFT: Final = 3
PHASE_DRILL_RIGHT: Final = 4
PHASE_ACCEL: Final = 5
#: Only in the written FIT file (bike leg before the run); never in the returned Activity.
PHASE_BIKE: Final = 6

#: Speed at which ``gct_ref_s`` holds, m/s.
REFERENCE_SPEED_M_S: Final = 3.2
#: Change of mean contact time per m/s of speed, s/(m/s).
GCT_SPEED_SLOPE_S_PER_M_S: Final = -0.040
#: Cadence gain per m/s of speed, steps/min per m/s (Burns et al. 2019).
CADENCE_SPEED_SLOPE_SPM_PER_M_S: Final = 5.6
#: Length of the speed ramp after a stop or walk, s.
ACCEL_S: Final = 10
#: Speed at which the ramp after a stop or walk starts, m/s (a jog-off, not a standing start).
ACCEL_FROM_M_S: Final = 2.0
#: Length of each single-leg-hop drill, s.
DRILL_S: Final = 20
#: Expected observed balance during left / right single-leg hops, %.
DRILL_BALANCE_LEFT_PCT: Final = 98.0
DRILL_BALANCE_RIGHT_PCT: Final = 2.0
#: FIT resolution of stance_time_balance, %.
BALANCE_RESOLUTION_PCT: Final = 0.01

_ROUTES = ("loop", "track", "out_and_back", "treadmill")
_SUB_SPORT = {"loop": "generic", "track": "track", "out_and_back": "generic",
              "treadmill": "treadmill"}  # fmt: skip
_ORIGIN_LAT_DEG, _ORIGIN_LON_DEG = 46.948, 7.447
_EARTH_RADIUS_M = 6_371_008.8
_SEMICIRCLE_DEG = 180.0 / 2**31


# --- truth ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SimTruth:
    """Every planted effect of a simulated run and the noise-free per-sample arrays.

    Scalars are the :func:`simulate_run` arguments that define the model (see the module
    docstring for the formulas); arrays are aligned with the returned Activity's samples.
    Windows are ``(start_s, end_s)`` on the ``time_s`` axis, half-open.
    """

    seed: int
    route: str
    duration_s: float
    #: ``time_s`` of the first run sample (> 0 when a bike leg precedes the run).
    run_start_s: float
    balance_left_pct: float
    drift_pct_per_h: float
    #: Effective drift onset, seconds after the run start (``None`` in the call → 0).
    drift_onset_s: float
    grade_effect_pct_per_pct: float
    bend_effect_pct: float
    balance_noise_sd_pct: float
    balance_noise_phi: float
    balance_noise_slow_share: float
    balance_noise_slow_phi: float
    speed_m_s: float
    gct_ref_s: float
    gct_fatigue_pct_per_h: float
    cadence_intercept_spm: float
    cadence_deficit_pct: float
    cadence_deficit_window_s: tuple[float, float]
    runscribe_contact_asym_pct: float | None
    runscribe_impact_asym_pct: float | None
    runscribe_braking_asym_pct: float | None
    #: Route length (one loop or lap), m; ``None`` for out-and-back and treadmill.
    route_length_m: float | None
    stop_windows_s: tuple[tuple[float, float], ...]
    walk_windows_s: tuple[tuple[float, float], ...]
    accel_windows_s: tuple[tuple[float, float], ...]
    #: ``(start_s, end_s, side)`` of each single-leg-hop drill.
    drill_windows_s: tuple[tuple[float, float, str], ...]
    # per-sample arrays ------------------------------------------------------------------------
    time_s: np.ndarray
    phase: np.ndarray
    speed_true_m_s: np.ndarray
    grade_pct: np.ndarray
    turn_sign: np.ndarray
    route_pos_m: np.ndarray
    heading_deg: np.ndarray
    #: The balance model ``b(τ)`` at every sample (including stops, walks and drills).
    balance_true_pct: np.ndarray
    #: Noise-free expected observed balance (``b`` running/walking, 98/2 drills, NaN stops).
    balance_expected_pct: np.ndarray
    #: The balance noise ``e(τ)`` (fast + slow AR(1)) added to ``b`` while running.
    balance_noise_pct: np.ndarray
    gct_true_s: np.ndarray
    cadence_true_spm: np.ndarray
    vertical_oscillation_true_m: np.ndarray
    #: True where the running-dynamics fields are dropped (NaN / FIT invalid).
    dropout_mask: np.ndarray
    #: Noise-free RunScribe per-foot contact time, s (NaN arrays when RunScribe is off).
    runscribe_contact_left_true_s: np.ndarray
    runscribe_contact_right_true_s: np.ndarray

    # --- helpers ---------------------------------------------------------------------------------
    @property
    def run_time_s(self) -> np.ndarray:
        """``τ``: seconds since the run start, per sample."""
        return self.time_s - self.run_start_s

    @property
    def running_mask(self) -> np.ndarray:
        """Samples where the runner runs (``PHASE_RUN`` or ``PHASE_ACCEL``)."""
        return (self.phase == PHASE_RUN) | (self.phase == PHASE_ACCEL)

    def phase_mask(self, phase: int) -> np.ndarray:
        """Samples in ``phase`` (one of the ``PHASE_*`` codes)."""
        return self.phase == phase

    def drift_at(self, run_time_s: float | np.ndarray) -> float | np.ndarray:
        """Planted balance drift (pct-points) at ``τ`` = ``run_time_s`` seconds into the run."""
        tau = np.asarray(run_time_s, dtype=np.float64)
        out = self.drift_pct_per_h * np.maximum(0.0, tau - self.drift_onset_s) / 3600.0
        return float(out) if out.ndim == 0 else out

    def balance_model(
        self,
        run_time_s: float | np.ndarray,
        *,
        grade_pct: float | np.ndarray = 0.0,
        turn_sign: float | np.ndarray = 0.0,
    ) -> float | np.ndarray:
        """The balance law ``b(τ, grade, turn)`` in % left (see the module docstring)."""
        out = (
            self.balance_left_pct
            + np.asarray(self.drift_at(run_time_s))
            + self.grade_effect_pct_per_pct * np.asarray(grade_pct, dtype=np.float64)
            + self.bend_effect_pct * np.asarray(turn_sign, dtype=np.float64)
        )
        return float(out) if np.ndim(out) == 0 else out

    def true_balance_at_reference(self, run_time_s: float | None = None) -> float:
        """True balance on flat, straight ground: ``balance_left_pct`` + drift at ``τ``.

        ``run_time_s=None`` gives the fresh-runner value (no drift): ``balance_left_pct``.
        """
        tau = 0.0 if run_time_s is None else run_time_s
        return float(self.balance_model(tau))

    def true_si_at_reference_pct(self, run_time_s: float | None = None) -> float:
        """Symmetry index (L − R)/mean × 100 of the true reference balance: 4·(b − 50)."""
        return 4.0 * (self.true_balance_at_reference(run_time_s) - 50.0)


@dataclass
class SimulatedRun:
    """A simulated run: the Activity a reader would return, and its ground truth."""

    activity: Activity
    truth: SimTruth
    #: The Activity written to FIT: ``activity`` plus any non-running leg (bike) before it.
    fit_activity: Activity | None = None
    #: Sessions of the FIT file.
    fit_sessions: list[SessionSpec] = field(default_factory=list)
    #: FIT record values that differ from the Activity (zeros at stops, as Garmin writes).
    fit_record_overrides: dict[str, np.ndarray] = field(default_factory=dict)

    def to_fit_bytes(self, **options: Any) -> bytes:
        """Encode the run as FIT bytes; ``options`` go to :func:`encode_activity_fit`."""
        opts: dict[str, Any] = {
            "sessions": self.fit_sessions,
            "record_overrides": self.fit_record_overrides,
        }
        opts.update(options)
        return encode_activity_fit(self.fit_activity or self.activity, **opts)

    def write_fit(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write the run as a FIT file and return its path."""
        p = Path(path)
        p.write_bytes(self.to_fit_bytes(**options))
        return p


# --- random helpers -------------------------------------------------------------------------------
def _ar1_filter(e: np.ndarray, phi: float) -> np.ndarray:
    """``y[i] = phi·y[i−1] + e[i]`` (``y[−1] = 0``), vectorised in blocks of 64 samples."""
    n = len(e)
    if n == 0 or phi == 0.0:
        return e.astype(np.float64, copy=True)
    block = 64
    nb = -(-n // block)
    padded = np.zeros(nb * block)
    padded[:n] = e
    k = np.arange(block)
    lag = k[:, None] - k[None, :]
    toeplitz = np.where(lag >= 0, phi ** np.maximum(lag, 0), 0.0)
    y = padded.reshape(nb, block) @ toeplitz.T
    carry = phi ** (k + 1)
    for b in range(1, nb):
        y[b] += y[b - 1, -1] * carry
    return y.reshape(-1)[:n]


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) series of length ``n`` with coefficient ``phi`` and marginal SD ``sd``."""
    e = rng.standard_normal(n) * sd * math.sqrt(1.0 - phi * phi)
    if n:
        e[0] = rng.standard_normal() * sd
    return _ar1_filter(e, phi)


def _lag(u: np.ndarray, tau_s: float, start: float) -> np.ndarray:
    """First-order lag (time constant ``tau_s``, 1 Hz) of ``u`` starting from ``start``."""
    alpha = math.exp(-1.0 / tau_s)
    e = (1.0 - alpha) * u
    e[0] += alpha * start
    return _ar1_filter(e, alpha)


def _quantise(v: np.ndarray, resolution: float) -> np.ndarray:
    return np.round(v / resolution) * resolution


# --- route geometry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Route:
    start: np.ndarray  # cumulative length at segment start
    kappa: np.ndarray  # 1/m, positive = left
    x0: np.ndarray
    y0: np.ndarray
    h0: np.ndarray  # heading at segment start, rad from east, counter-clockwise
    length_m: float

    @classmethod
    def from_segments(cls, segments: list[tuple[float, float]]) -> _Route:
        n = len(segments)
        start, kappa = np.zeros(n), np.zeros(n)
        x0, y0, h0 = np.zeros(n), np.zeros(n), np.zeros(n)
        s = x = y = h = 0.0
        for i, (length, k) in enumerate(segments):
            start[i], kappa[i], x0[i], y0[i], h0[i] = s, k, x, y, h
            if k == 0.0:
                x += length * math.cos(h)
                y += length * math.sin(h)
            else:
                h1 = h + k * length
                x += (math.sin(h1) - math.sin(h)) / k
                y -= (math.cos(h1) - math.cos(h)) / k
                h = h1
            s += length
        return cls(start, kappa, x0, y0, h0, s)

    def locate(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        """x, y (m), heading (rad) and curvature (1/m) at route positions ``p``."""
        seg = np.clip(np.searchsorted(self.start, p, side="right") - 1, 0, len(self.start) - 1)
        ds = p - self.start[seg]
        k, h0 = self.kappa[seg], self.h0[seg]
        arc = k != 0.0
        safe_k = np.where(arc, k, 1.0)
        h = h0 + k * ds
        x = self.x0[seg] + np.where(arc, (np.sin(h) - np.sin(h0)) / safe_k, ds * np.cos(h0))
        y = self.y0[seg] + np.where(arc, -(np.cos(h) - np.cos(h0)) / safe_k, ds * np.sin(h0))
        return x, y, h, k


def _arc(deg: float, radius_m: float) -> tuple[float, float]:
    """An arc segment: positive ``deg`` turns left (counter-clockwise)."""
    return (abs(math.radians(deg)) * radius_m, math.copysign(1.0 / radius_m, deg))


def _loop_route() -> _Route:
    long_side = [(450.0, 0.0), _arc(-90, 30), (60.0, 0.0), _arc(90, 30), (450.0, 0.0)]
    half = [*long_side, _arc(90, 25), (350.0, 0.0), _arc(90, 25)]
    return _Route.from_segments(half + half)


def _track_route() -> _Route:
    straight = 84.39
    return _Route.from_segments(
        [(straight, 0.0), _arc(180, 36.8), (straight, 0.0), _arc(180, 36.8)]
    )


def _out_and_back_route(min_length_m: float) -> _Route:
    pattern = [(500.0, 0.0), _arc(45, 40), (300.0, 0.0), _arc(-90, 30), (400.0, 0.0), _arc(45, 40)]
    plen = sum(seg[0] for seg in pattern)
    reps = int(min_length_m // plen) + 2
    return _Route.from_segments(pattern * reps)


def _altitude(route: str, p: np.ndarray, amp_m: float, length_m: float) -> tuple[np.ndarray, ...]:
    """Altitude (m) and its derivative dz/dp at route positions ``p``."""
    if route == "loop":
        w = 2.0 * math.pi / length_m
        terms = ((1.0, 1.0, 0.0), (0.5, 2.0, 1.0), (0.25, 3.0, 2.0))
    elif route == "out_and_back":
        terms = (
            (1.0, 2.0 * math.pi / 2400.0, 0.0),
            (0.4, 2.0 * math.pi / 1100.0, 1.0),
            (0.15, 2.0 * math.pi / 700.0, 2.0),
        )
        w = 1.0
    else:
        return np.full_like(p, 540.0), np.zeros_like(p)
    z = np.full_like(p, 540.0)
    dz = np.zeros_like(p)
    for a, f, ph in terms:
        z += amp_m * a * np.sin(f * w * p + ph)
        dz += amp_m * a * f * w * np.cos(f * w * p + ph)
    return z, dz


# --- timeline -------------------------------------------------------------------------------------
def _timeline(
    n: int,
    *,
    stops: int,
    walk_breaks: int,
    walk_break_s: int,
    drills: bool,
    drill_start_s: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, list[tuple[int, int]]], list[tuple[int, int, str]]]:
    phase = np.full(n, PHASE_RUN, dtype=np.int8)
    windows: dict[str, list[tuple[int, int]]] = {"stop": [], "walk": [], "accel": []}
    drill_windows: list[tuple[int, int, str]] = []
    lo = min(300, n // 10)
    if drills:
        a = round(drill_start_s)
        if a < 0 or a + 2 * DRILL_S > n - 240:
            raise ValueError("the run is too short for the drill at drill_start_s")
        phase[a : a + DRILL_S] = PHASE_DRILL_LEFT
        phase[a + DRILL_S : a + 2 * DRILL_S] = PHASE_DRILL_RIGHT
        drill_windows = [(a, a + DRILL_S, "left"), (a + DRILL_S, a + 2 * DRILL_S, "right")]
        lo = max(lo, a + 2 * DRILL_S + 120)
    stop_lengths = rng.integers(20, 61, size=stops).tolist()
    kinds: list[str] = []
    first, second = ("stop", "walk") if stops >= walk_breaks else ("walk", "stop")
    counts = {"stop": stops, "walk": walk_breaks}
    while counts[first] or counts[second]:
        for kind in (first, second):
            if counts[kind]:
                kinds.append(kind)
                counts[kind] -= 1
    if not kinds:
        return phase, windows, drill_windows
    hi = n - min(180, n // 10)
    spacing = (hi - lo) / (len(kinds) + 1)
    if spacing < max(60, walk_break_s) + ACCEL_S + 30:
        raise ValueError("the run is too short for the requested stops and walk breaks")
    stop_iter = iter(stop_lengths)
    for j, kind in enumerate(kinds):
        length = next(stop_iter) if kind == "stop" else walk_break_s
        centre = lo + (j + 1) * spacing
        a = round(centre - length / 2)
        b = a + length
        phase[a:b] = PHASE_STOP if kind == "stop" else PHASE_WALK
        phase[b : b + ACCEL_S] = PHASE_ACCEL
        windows[kind].append((a, b))
        windows["accel"].append((b, b + ACCEL_S))
    return phase, windows, drill_windows


def _dropout_mask(n: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Bursts of 1–8 samples covering about ``fraction`` of ``n``."""
    count = round(fraction * n / 4.5)
    if count <= 0:
        return np.zeros(n, dtype=bool)
    starts = rng.integers(0, n, size=count)
    ends = np.minimum(starts + rng.integers(1, 9, size=count), n)
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, ends, -1)
    return np.cumsum(delta[:n]) > 0


# --- the simulator --------------------------------------------------------------------------------
def simulate_run(
    *,
    duration_s: float = 3600.0,
    seed: int = 0,
    balance_left_pct: float = 51.0,
    drift_pct_per_h: float = 0.8,
    drift_onset_s: float | None = 1800.0,
    grade_effect_pct_per_pct: float = 0.05,
    bend_effect_pct: float = 0.0,
    balance_noise_sd_pct: float = 0.55,
    balance_noise_phi: float = 0.96,
    balance_noise_slow_share: float = 0.3,
    balance_noise_slow_phi: float = 0.993,
    form_noise_slow: bool = True,
    speed_m_s: float = 3.2,
    speed_variation_pct: float = 4.0,
    hills: bool = True,
    hill_amplitude_m: float = 12.0,
    route: str = "loop",
    stops: int = 2,
    walk_breaks: int = 0,
    walk_break_s: int = 60,
    drills: bool = False,
    drill_start_s: float = 600.0,
    dropouts_fraction: float = 0.02,
    include_stryd: bool = True,
    include_runscribe: bool = False,
    runscribe_contact_asym_pct: float | None = None,
    runscribe_impact_asym_pct: float = 6.0,
    runscribe_braking_asym_pct: float = 12.0,
    cadence_intercept_spm: float = 152.0,
    cadence_deficit_pct: float = 0.0,
    cadence_deficit_window_s: tuple[float, float] | None = None,
    gct_ref_s: float = 0.250,
    gct_fatigue_pct_per_h: float = 2.0,
    gps_noise_m: float = 1.0,
    runner_mass_kg: float = 70.0,
    smart_recording: bool = False,
    bike_leg_s: float = 0.0,
    start_time: datetime | None = None,
) -> SimulatedRun:
    """Simulate a run with planted left/right asymmetry, drift and confounders.

    The model, every parameter's role and the sign conventions are in the module docstring;
    this docstring only lists the parameters.

    Parameters
    ----------
    duration_s
        Length of the run (not counting ``bike_leg_s``), s; at least 600 s.
    seed
        Seed of all random components (deterministic output for a given seed and arguments).
    balance_left_pct, drift_pct_per_h, drift_onset_s, grade_effect_pct_per_pct, bend_effect_pct
        The balance law ``b(τ)`` (% left; pct-points per hour after the onset; pct-points per %
        grade; pct-points on left-hand bends, minus that on right-hand bends).
    balance_noise_sd_pct, balance_noise_phi, balance_noise_slow_share, balance_noise_slow_phi
        Total marginal SD of the balance noise, lag-1 coefficient of its fast AR(1) part, the
        share of the variance in the slow AR(1) part and that part's lag-1 coefficient (fitted on
        real files; ``balance_noise_slow_share=0`` gives a single AR(1)).
    form_noise_slow
        Add the slow wander of real files to contact time, cadence and vertical oscillation.
    speed_m_s, speed_variation_pct
        Mean running speed and the SD of its slow variation (% of the speed).
    hills, hill_amplitude_m
        Whether the route has an altitude profile, and its amplitude.
    route
        ``"loop"``, ``"track"``, ``"out_and_back"`` or ``"treadmill"``.
    stops, walk_breaks, walk_break_s
        Number of standstills, number and length of walk breaks.
    drills, drill_start_s
        Add 20 s of left then 20 s of right single-leg hops at ``drill_start_s``.
    dropouts_fraction
        Share of samples with missing running dynamics (bursts).
    include_stryd, include_runscribe
        Add Stryd power/form power/LSS/air power, and RunScribe per-foot channels.
    runscribe_contact_asym_pct, runscribe_impact_asym_pct, runscribe_braking_asym_pct
        Planted RunScribe symmetry indices (L − R)/mean × 100.
    cadence_intercept_spm, cadence_deficit_pct, cadence_deficit_window_s
        Cadence law intercept, and a planted low-cadence-for-speed segment (window in seconds
        into the run, ``τ``).
    gct_ref_s, gct_fatigue_pct_per_h
        Mean GCT at 3.2 m/s for a fresh runner, and its increase per hour.
    gps_noise_m
        SD of the AR(1) GPS position noise per axis.
    runner_mass_kg
        Mass used for power.
    smart_recording
        Keep an irregular subset of samples (gaps of 1–7 s), like Garmin "smart recording".
    bike_leg_s
        Put a cycling leg of this length before the run in the FIT file (multisport); the
        returned Activity holds the run only, with ``time_s`` starting at ``bike_leg_s``.
    start_time
        UTC start of the recording (default 2024-06-01 06:30 UTC).

    Returns
    -------
    SimulatedRun

    Examples
    --------
    >>> sim = simulate_run(duration_s=1200, seed=3, stops=1)
    >>> round(sim.truth.true_balance_at_reference(), 2)
    51.0
    >>> sim.activity.meta.sub_sport, sim.activity.n_samples
    ('generic', 1200)
    """
    if route not in _ROUTES:
        raise ValueError(f"route must be one of {_ROUTES}, not {route!r}")
    n = round(duration_s)
    if n < 600:
        raise ValueError("duration_s must be at least 600 s")
    if not 0.0 <= balance_noise_slow_share <= 1.0:
        raise ValueError("balance_noise_slow_share must be in [0, 1]")
    if not 0.0 <= dropouts_fraction < 0.5:
        raise ValueError("dropouts_fraction must be in [0, 0.5)")
    streams = np.random.SeedSequence(seed).spawn(14)
    (
        r_time,
        r_speed,
        r_bal,
        r_gct,
        r_cad,
        r_hr,
        r_gps,
        r_alt,
        r_stryd,
        r_rs,
        r_drop,
        r_smart,
        r_bike,
        r_vo,
    ) = (np.random.default_rng(s) for s in streams)
    onset = 0.0 if drift_onset_s is None else float(drift_onset_s)
    start = start_time or datetime(2024, 6, 1, 6, 30, tzinfo=UTC)
    treadmill = route == "treadmill"
    tau = np.arange(n, dtype=np.float64)

    # --- timeline ------------------------------------------------------------------------------
    phase, windows, drill_windows = _timeline(
        n,
        stops=stops,
        walk_breaks=walk_breaks,
        walk_break_s=walk_break_s,
        drills=drills,
        drill_start_s=drill_start_s,
        rng=r_time,
    )
    is_stop = phase == PHASE_STOP
    is_walk = phase == PHASE_WALK
    is_accel = phase == PHASE_ACCEL
    is_drill_l = phase == PHASE_DRILL_LEFT
    is_drill_r = phase == PHASE_DRILL_RIGHT
    is_drill = is_drill_l | is_drill_r
    running = (phase == PHASE_RUN) | is_accel

    # --- route ------------------------------------------------------------------------------------
    if route == "loop":
        geom: _Route | None = _loop_route()
    elif route == "track":
        geom = _track_route()
    elif route == "out_and_back":
        geom = _out_and_back_route(0.6 * n * speed_m_s * 1.3 + 2000.0)
    else:
        geom = None
    hilly = hills and route in ("loop", "out_and_back")

    def grade_at(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Route position, direction (+1/−1) and grade (%) after ``dist`` metres."""
        if route == "out_and_back":
            half = 0.5 * float(dist[-1])
            pos = np.where(dist <= half, dist, 2.0 * half - dist)
            direction = np.where(dist <= half, 1.0, -1.0)
        elif geom is not None:
            pos, direction = np.mod(dist, geom.length_m), np.ones_like(dist)
        else:
            pos, direction = dist, np.ones_like(dist)
        if not hilly:
            return pos, direction, np.zeros_like(dist)
        _, dz = _altitude(route, pos, hill_amplitude_m, geom.length_m if geom else 1.0)
        return pos, direction, 100.0 * dz * direction

    # --- speed ------------------------------------------------------------------------------------
    if treadmill:
        blocks = r_speed.choice([-0.2, -0.1, 0.0, 0.1, 0.2], size=n // 300 + 1)
        blocks[0] = 0.0
        v_run = speed_m_s + blocks[(tau // 300).astype(int)]
    else:
        x = _ar1(r_speed, n, 0.995, speed_variation_pct / 100.0)
        v_base = speed_m_s * (1.0 + x)
        _, _, g1 = grade_at(np.concatenate(([0.0], np.cumsum(v_base)[:-1])))
        v_run = v_base * (1.0 - 0.015 * g1)
    v_run = np.maximum(v_run, 1.5)
    walk_noise = _ar1(r_speed, n, 0.99, 0.03)
    v_true = v_run.copy()
    v_true[is_walk] = 1.5 * (1.0 + walk_noise[is_walk])
    v_true[is_drill] = 1.2
    v_true[is_stop] = 0.0
    for a, b in windows["accel"]:
        v_from = max(float(v_true[a - 1]), ACCEL_FROM_M_S)
        ramp = (np.arange(b - a) + 1.0) / (ACCEL_S + 1.0)
        v_true[a:b] = v_from + (v_run[a:b] - v_from) * ramp
    dist_true = np.concatenate(([0.0], np.cumsum(v_true)[:-1]))
    route_pos, direction, grade = grade_at(dist_true)
    v_c = np.clip(v_true, 2.2, 6.0)

    # geometry → heading, turn sign, GPS
    if geom is not None:
        gx, gy, heading, kappa = geom.locate(route_pos)
        heading = np.where(direction > 0, heading, heading + math.pi)
        turn = np.sign(kappa) * direction
    else:
        gx = gy = kappa = np.zeros(n)
        heading = np.zeros(n)
        turn = np.zeros(n)

    # --- balance ----------------------------------------------------------------------------------
    b_true = (
        balance_left_pct
        + drift_pct_per_h * np.maximum(0.0, tau - onset) / 3600.0
        + grade_effect_pct_per_pct * grade
        + bend_effect_pct * turn
    )
    share = balance_noise_slow_share
    e_bal = _ar1(r_bal, n, balance_noise_phi, balance_noise_sd_pct * math.sqrt(1.0 - share))
    hop_noise = r_bal.standard_normal(n)
    if share > 0.0:
        slow_sd = balance_noise_sd_pct * math.sqrt(share)
        e_bal = e_bal + _ar1(r_bal, n, balance_noise_slow_phi, slow_sd)
    b_expected = b_true.copy()
    b_expected[is_drill_l] = DRILL_BALANCE_LEFT_PCT
    b_expected[is_drill_r] = DRILL_BALANCE_RIGHT_PCT
    b_expected[is_stop] = np.nan
    b_obs = b_true + e_bal
    b_obs[is_walk] = b_true[is_walk] + 2.0 * e_bal[is_walk]
    b_obs[is_drill] = b_expected[is_drill] + hop_noise[is_drill]
    b_obs = _quantise(np.clip(b_obs, 0.0, 100.0), BALANCE_RESOLUTION_PCT)

    # --- contact time, cadence, VO ----------------------------------------------------------------
    gct_true = gct_ref_s * (1.0 + gct_fatigue_pct_per_h / 100.0 * tau / 3600.0) + (
        GCT_SPEED_SLOPE_S_PER_M_S * (v_c - REFERENCE_SPEED_M_S)
    )
    gct_true[is_walk] = 0.60
    gct_true[is_drill] = 0.19
    gct_obs = gct_true + _ar1(r_gct, n, 0.8, 0.004)
    gct_obs[is_walk] = gct_true[is_walk] + 0.01 * r_gct.standard_normal(int(is_walk.sum()))
    if form_noise_slow:
        gct_obs = gct_obs + _ar1(r_gct, n, 0.993, 0.003)
    gct_obs = _quantise(np.maximum(gct_obs, 0.05), 1e-4)

    if cadence_deficit_window_s is None:
        win = (0.45 * n, 0.60 * n)
    else:
        win = (float(cadence_deficit_window_s[0]), float(cadence_deficit_window_s[1]))
    in_deficit = running & (tau >= win[0]) & (tau < win[1])
    cad_true = cadence_intercept_spm + CADENCE_SPEED_SLOPE_SPM_PER_M_S * v_c
    cad_true = np.where(in_deficit, cad_true * (1.0 - cadence_deficit_pct / 100.0), cad_true)
    for a, b in windows["walk"]:
        cad_true[a:b] = r_cad.uniform(110.0, 125.0)
    cad_true[is_drill] = 150.0
    cad_true[is_stop] = 0.0
    cad_obs = cad_true + _ar1(r_cad, n, 0.7, 1.5)
    if form_noise_slow:
        cad_obs = cad_obs + _ar1(r_cad, n, 0.993, 1.0)
    cad_obs[is_stop] = 0.0
    cad_obs = _quantise(np.maximum(cad_obs, 0.0), 1.0 / 64.0)

    vo_true = 0.085 + 0.004 * (v_c - REFERENCE_SPEED_M_S)
    vo_true[is_walk] = 0.045
    vo_true[is_drill] = 0.10
    vo_noise = _ar1(r_vo, n, 0.8, 0.002)
    if form_noise_slow:
        vo_noise = vo_noise + _ar1(r_vo, n, 0.993, 0.0015)
    vo_obs = _quantise(vo_true + vo_noise, 1e-4)

    # --- observed speed, distance -----------------------------------------------------------------
    v_noise = r_speed.standard_normal(n) * (0.02 if treadmill else 0.04)
    v_obs = _quantise(np.maximum(v_true + v_noise, 0.0), 1e-3)
    v_obs[is_stop] = 0.0
    distance = _quantise(np.concatenate(([0.0], np.cumsum(v_obs)[:-1])), 0.01)

    with np.errstate(divide="ignore", invalid="ignore"):
        step_len = np.where((cad_obs > 0) & (v_obs > 0), v_obs / (cad_obs / 60.0), np.nan)
    step_len = _quantise(step_len, 1e-4)
    with np.errstate(divide="ignore", invalid="ignore"):
        vr = _quantise(vo_obs / step_len * 100.0, 0.01)
    gct_pct = _quantise(gct_obs * (cad_obs / 2.0) / 60.0 * 100.0, 0.01)

    # --- missing values: stops and dropouts -------------------------------------------------------
    drop = _dropout_mask(n, dropouts_fraction, r_drop) & ~is_stop
    rd_missing = drop | is_stop
    for arr in (b_obs, gct_obs, vo_obs, step_len, vr, gct_pct):
        arr[rd_missing] = np.nan

    # --- heart rate, temperature ------------------------------------------------------------------
    hr_target = 140.0 + 10.0 * (v_true - REFERENCE_SPEED_M_S) + 1.2 * grade + 6.0 * tau / 3600.0
    hr_target[is_stop] = 100.0
    hr_target[is_walk] = 115.0
    hr_target[is_drill] = 150.0
    hr = np.round(_lag(hr_target, 40.0, 90.0) + r_hr.standard_normal(n))
    hr[_dropout_mask(n, dropouts_fraction / 4.0, r_hr)] = np.nan
    temperature = np.round(18.0 + 2.0 * tau / 3600.0)

    # --- position, altitude -----------------------------------------------------------------------
    samples: dict[str, np.ndarray] = {}
    if not treadmill:
        ex = _ar1(r_gps, n, 0.95, gps_noise_m)
        ey = _ar1(r_gps, n, 0.95, gps_noise_m)
        lat = _ORIGIN_LAT_DEG + np.degrees((gy + ey) / _EARTH_RADIUS_M)
        lon = _ORIGIN_LON_DEG + np.degrees(
            (gx + ex) / (_EARTH_RADIUS_M * math.cos(math.radians(_ORIGIN_LAT_DEG)))
        )
        samples[consts.LAT_DEG] = _quantise(lat, _SEMICIRCLE_DEG)
        samples[consts.LON_DEG] = _quantise(lon, _SEMICIRCLE_DEG)
        z = (
            _altitude(route, route_pos, hill_amplitude_m, geom.length_m if geom else 1.0)[0]
            if hilly
            else np.full(n, 540.0)
        )
        samples[consts.ALTITUDE_M] = _quantise(z + _ar1(r_alt, n, 0.98, 0.3) + 500.0, 0.2) - 500.0

    samples.update(
        {
            consts.DISTANCE_M: distance,
            consts.SPEED_M_S: v_obs,
            consts.HEART_RATE_BPM: hr,
            consts.CADENCE_SPM: cad_obs,
            consts.CONTACT_TIME_S: gct_obs,
            consts.CONTACT_TIME_PCT: gct_pct,
            consts.VERTICAL_OSCILLATION_M: vo_obs,
            consts.VERTICAL_RATIO_PCT: vr,
            consts.STEP_LENGTH_M: step_len,
            consts.TEMPERATURE_C: temperature,
        }
    )

    # --- Stryd ------------------------------------------------------------------------------------
    if include_stryd:
        m = runner_mass_kg
        power = np.maximum(m * v_true * (1.05 + 0.098 * grade), 0.3 * m * v_true)
        form = 0.28 * 1.05 * m * v_true + 2.0 * r_stryd.standard_normal(n)
        lss = 10.5 + 0.5 * (v_c - REFERENCE_SPEED_M_S) + 0.2 * r_stryd.standard_normal(n)
        air = 0.144 * v_true**3
        samples[consts.POWER_W] = np.where(is_stop, 0.0, np.round(power))
        samples[consts.FORM_POWER_W] = np.where(is_stop, 0.0, np.round(np.maximum(form, 0.0)))
        samples[consts.AIR_POWER_W] = np.where(is_stop, 0.0, np.round(air))
        samples[consts.LEG_SPRING_STIFFNESS_KN_M] = np.where(
            is_stop, np.nan, lss.astype(np.float32).astype(np.float64)
        )

    # --- sided channels ---------------------------------------------------------------------------
    left = 2.0 * gct_obs * b_obs / 100.0
    right = 2.0 * gct_obs * (1.0 - b_obs / 100.0)
    sided = [
        SidedChannel(
            consts.M_CONTACT_TIME,
            consts.SRC_RUNNING_DYNAMICS,
            "s",
            left=left,
            right=right,
            balance_left_pct=b_obs,
            derived_from_balance=True,
            origin="record.stance_time_balance × record.stance_time",
        )
    ]
    rs_asym = (
        4.0 * (balance_left_pct - 50.0)
        if runscribe_contact_asym_pct is None
        else float(runscribe_contact_asym_pct)
    )
    rs_l_true = np.full(n, np.nan)
    rs_r_true = np.full(n, np.nan)
    if include_runscribe:
        rs_off = is_stop | is_drill
        rs_gct = np.where(is_walk, 0.60, gct_true)
        rs_l_true = np.where(rs_off, np.nan, rs_gct * (1.0 + rs_asym / 200.0))
        rs_r_true = np.where(rs_off, np.nan, rs_gct * (1.0 - rs_asym / 200.0))
        ct_l = np.round((rs_l_true + _ar1(r_rs, n, 0.5, 0.006)) * 1000.0) / 1000.0
        ct_r = np.round((rs_r_true + _ar1(r_rs, n, 0.5, 0.006)) * 1000.0) / 1000.0
        impact = 9.0 + 1.2 * (v_c - REFERENCE_SPEED_M_S)
        braking = 7.5 + 0.8 * (v_c - REFERENCE_SPEED_M_S)

        def f32(v: np.ndarray) -> np.ndarray:
            return np.where(rs_off, np.nan, v.astype(np.float32).astype(np.float64))

        ig_l = f32(impact * (1 + runscribe_impact_asym_pct / 200) + 0.6 * r_rs.standard_normal(n))
        ig_r = f32(impact * (1 - runscribe_impact_asym_pct / 200) + 0.6 * r_rs.standard_normal(n))
        bg_l = f32(braking * (1 + runscribe_braking_asym_pct / 200) + 0.5 * r_rs.standard_normal(n))
        bg_r = f32(braking * (1 - runscribe_braking_asym_pct / 200) + 0.5 * r_rs.standard_normal(n))
        origin = "RunScribe developer fields"
        sided += [
            SidedChannel(
                consts.M_CONTACT_TIME,
                consts.SRC_RUNSCRIBE,
                "s",
                left=ct_l,
                right=ct_r,
                origin=origin,
            ),
            SidedChannel(
                consts.M_IMPACT_G, consts.SRC_RUNSCRIBE, "g", left=ig_l, right=ig_r, origin=origin
            ),
            SidedChannel(
                consts.M_BRAKING_G, consts.SRC_RUNSCRIBE, "g", left=bg_l, right=bg_r, origin=origin
            ),
        ]

    # --- FIT record overrides: Garmin writes 0 for running dynamics at stops ----------------------
    overrides_run = {
        "stance_time_balance": b_obs,
        "stance_time": gct_obs * 1000.0,
        "stance_time_percent": gct_pct,
        "vertical_oscillation": vo_obs * 1000.0,
        "vertical_ratio": vr,
        "step_length": step_len * 1000.0,
    }
    overrides_run = {k: np.where(is_stop, 0.0, v) for k, v in overrides_run.items()}

    # --- irregular recording ----------------------------------------------------------------------
    keep = np.arange(n)
    if smart_recording:
        keep = np.cumsum(np.concatenate(([0], r_smart.integers(1, 8, size=n))))
        keep = keep[keep < n]

    def sel(a: np.ndarray) -> np.ndarray:
        return a[keep]

    run_start = float(round(bike_leg_s))
    time_s = tau + run_start
    samples = {k: sel(v) for k, v in samples.items()}
    samples[consts.TIME_S] = sel(time_s)
    samples[consts.TIMESTAMP_S] = start.timestamp() + samples[consts.TIME_S]
    sided = [ch.take(keep) for ch in sided]
    overrides_run = {k: sel(v) for k, v in overrides_run.items()}
    sub_sport = _SUB_SPORT[route]
    end_s = run_start + float(n - 1)
    segments = [Segment("running", sub_sport, run_start, end_s, True)]
    devices = ["garmin fr965", "garmin hrm_pro"]
    if include_stryd:
        devices.append("stryd")
    if include_runscribe:
        devices.append("scribe_labs runscribe")
    if run_start > 0:
        segments.insert(0, Segment("cycling", "road", 0.0, run_start, False))
    params = {"seed": seed, "route": route, "duration_s": float(n), "bike_leg_s": run_start}
    meta = ActivityMeta(
        path=None,
        file_format="simulated",
        sport="running",
        sub_sport=sub_sport,
        start_time=start,
        devices=devices,
        segments=segments,
        indoor=treadmill,
        extra={"simulator": params},
    )
    activity = Activity(samples=samples, sided=sided, meta=meta)

    def win_s(ws: list[tuple[int, int]]) -> tuple[tuple[float, float], ...]:
        return tuple((run_start + a, run_start + b) for a, b in ws)

    truth = SimTruth(
        seed=seed,
        route=route,
        duration_s=float(n),
        run_start_s=run_start,
        balance_left_pct=balance_left_pct,
        drift_pct_per_h=drift_pct_per_h,
        drift_onset_s=onset,
        grade_effect_pct_per_pct=grade_effect_pct_per_pct,
        bend_effect_pct=bend_effect_pct,
        balance_noise_sd_pct=balance_noise_sd_pct,
        balance_noise_phi=balance_noise_phi,
        balance_noise_slow_share=balance_noise_slow_share,
        balance_noise_slow_phi=balance_noise_slow_phi,
        speed_m_s=speed_m_s,
        gct_ref_s=gct_ref_s,
        gct_fatigue_pct_per_h=gct_fatigue_pct_per_h,
        cadence_intercept_spm=cadence_intercept_spm,
        cadence_deficit_pct=cadence_deficit_pct,
        cadence_deficit_window_s=(run_start + win[0], run_start + win[1]),
        runscribe_contact_asym_pct=rs_asym if include_runscribe else None,
        runscribe_impact_asym_pct=runscribe_impact_asym_pct if include_runscribe else None,
        runscribe_braking_asym_pct=runscribe_braking_asym_pct if include_runscribe else None,
        route_length_m=geom.length_m if route in ("loop", "track") and geom else None,
        stop_windows_s=win_s(windows["stop"]),
        walk_windows_s=win_s(windows["walk"]),
        accel_windows_s=win_s(windows["accel"]),
        drill_windows_s=tuple((run_start + a, run_start + b, side) for a, b, side in drill_windows),
        time_s=sel(time_s),
        phase=sel(phase),
        speed_true_m_s=sel(v_true),
        grade_pct=sel(grade),
        turn_sign=sel(turn),
        route_pos_m=sel(route_pos),
        heading_deg=sel(np.mod(np.degrees(heading), 360.0)),
        balance_true_pct=sel(b_true),
        balance_expected_pct=sel(b_expected),
        balance_noise_pct=sel(e_bal),
        gct_true_s=sel(gct_true),
        cadence_true_spm=sel(cad_true),
        vertical_oscillation_true_m=sel(vo_true),
        dropout_mask=sel(drop),
        runscribe_contact_left_true_s=sel(rs_l_true),
        runscribe_contact_right_true_s=sel(rs_r_true),
    )

    # --- the FIT view: optional bike leg before the run -------------------------------------------
    sessions = [SessionSpec("running", sub_sport, run_start, end_s)]
    fit_activity: Activity = activity
    fit_overrides = overrides_run
    if run_start > 0:
        bike = _bike_leg(int(run_start), r_bike, start, samples)
        nb = len(bike[consts.TIME_S])
        fit_samples = {
            k: np.concatenate((bike.get(k, np.full(nb, np.nan)), v)) for k, v in samples.items()
        }
        pad = np.full(nb, np.nan)
        fit_sided = [
            dataclasses.replace(
                ch,
                left=None if ch.left is None else np.concatenate((pad, ch.left)),
                right=None if ch.right is None else np.concatenate((pad, ch.right)),
                balance_left_pct=None
                if ch.balance_left_pct is None
                else np.concatenate((pad, ch.balance_left_pct)),
            )
            for ch in sided
        ]
        fit_activity = Activity(fit_samples, fit_sided, dataclasses.replace(meta))
        fit_overrides = {k: np.concatenate((pad, v)) for k, v in overrides_run.items()}
        sessions.insert(0, SessionSpec("cycling", "road", 0.0, run_start))
    return SimulatedRun(activity, truth, fit_activity, sessions, fit_overrides)


def _bike_leg(
    nb: int, rng: np.random.Generator, start: datetime, run_samples: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A plain cycling leg of ``nb`` seconds ending where the run starts (FIT only)."""
    t = np.arange(nb, dtype=np.float64)
    v = 8.0 * (1.0 + _ar1(rng, nb, 0.99, 0.05))
    out = {
        consts.TIME_S: t,
        consts.TIMESTAMP_S: start.timestamp() + t,
        consts.SPEED_M_S: _quantise(v, 1e-3),
        consts.DISTANCE_M: np.full(nb, np.nan),
        consts.HEART_RATE_BPM: np.round(135.0 + 3.0 * rng.standard_normal(nb)),
        consts.CADENCE_SPM: _quantise(85.0 + 3.0 * rng.standard_normal(nb), 1.0 / 128.0),
        consts.POWER_W: np.round(180.0 + 20.0 * rng.standard_normal(nb)),
        consts.TEMPERATURE_C: np.full(nb, 18.0),
    }
    if consts.LAT_DEG in run_samples:
        back = np.cumsum(v[::-1])[::-1]  # metres still to ride
        lat0 = float(run_samples[consts.LAT_DEG][0])
        lon0 = float(run_samples[consts.LON_DEG][0])
        out[consts.LAT_DEG] = _quantise(
            np.full(nb, lat0) - np.degrees(200.0 / _EARTH_RADIUS_M), _SEMICIRCLE_DEG
        )
        out[consts.LON_DEG] = _quantise(
            lon0 - np.degrees(back / (_EARTH_RADIUS_M * math.cos(math.radians(lat0)))),
            _SEMICIRCLE_DEG,
        )
        out[consts.ALTITUDE_M] = np.full(nb, float(run_samples[consts.ALTITUDE_M][0]))
    return out


def write_simulated_fit(
    path: str | os.PathLike[str],
    *,
    fit_options: Mapping[str, Any] | None = None,
    **simulate_kwargs: Any,
) -> Path:
    """Simulate a run (:func:`simulate_run`) and write it as a FIT file.

    Parameters
    ----------
    path
        Where to write the file.
    fit_options
        Options of :func:`evenstride.io._fit_writer.encode_activity_fit`
        (``compressed_timestamps``, ``big_endian``, ``runscribe_named`` …).
    **simulate_kwargs
        Arguments of :func:`simulate_run`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_simulated_fit(os.path.join(tempfile.mkdtemp(), "run.fit"), duration_s=600)
    >>> p.read_bytes()[8:12]
    b'.FIT'
    """
    sim = simulate_run(**simulate_kwargs)
    return sim.write_fit(path, **dict(fit_options or {}))
