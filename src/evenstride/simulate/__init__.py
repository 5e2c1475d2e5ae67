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

The settings
============
:class:`RunSpec` holds every setting named above, grouped: ``balance`` (:class:`BalanceSpec`, the
planted law), ``runner`` (:class:`RunnerSpec`: speed, contact time, cadence, mass), ``course``
(:class:`CourseSpec`: route, hills, stops, walks, drills, bike leg), ``noise`` (:class:`NoiseSpec`)
and ``sensors`` (:class:`SensorSpec`: Stryd, RunScribe, smart recording). ``simulate_run(spec,
**overrides)`` also takes each setting by its flat name, so ``simulate_run(route="track")`` and
``simulate_run(RunSpec(course=CourseSpec(route="track")))`` are the same run.

Modules: :mod:`~evenstride.simulate._spec` (settings), :mod:`~evenstride.simulate._run` (the
stages of :func:`simulate_run`), :mod:`~evenstride.simulate._truth` (constants, truth, result),
:mod:`~evenstride.simulate._timeline`, :mod:`~evenstride.simulate._route` and
:mod:`~evenstride.simulate._noise`.
"""

from __future__ import annotations

from evenstride.simulate._run import simulate_run, write_simulated_fit
from evenstride.simulate._spec import (
    BalanceSpec,
    CourseSpec,
    NoiseSpec,
    RunnerSpec,
    RunSpec,
    SensorSpec,
)
from evenstride.simulate._truth import (
    ACCEL_FROM_M_S,
    ACCEL_S,
    BALANCE_RESOLUTION_PCT,
    CADENCE_SPEED_SLOPE_SPM_PER_M_S,
    DRILL_BALANCE_LEFT_PCT,
    DRILL_BALANCE_RIGHT_PCT,
    DRILL_S,
    GCT_SPEED_SLOPE_S_PER_M_S,
    PHASE_ACCEL,
    PHASE_BIKE,
    PHASE_DRILL_LEFT,
    PHASE_DRILL_RIGHT,
    PHASE_RUN,
    PHASE_STOP,
    PHASE_WALK,
    REFERENCE_SPEED_M_S,
    SimTruth,
    SimulatedRun,
)

__all__ = [
    "ACCEL_FROM_M_S",
    "ACCEL_S",
    "BALANCE_RESOLUTION_PCT",
    "CADENCE_SPEED_SLOPE_SPM_PER_M_S",
    "DRILL_BALANCE_LEFT_PCT",
    "DRILL_BALANCE_RIGHT_PCT",
    "DRILL_S",
    "GCT_SPEED_SLOPE_S_PER_M_S",
    "PHASE_ACCEL",
    "PHASE_BIKE",
    "PHASE_DRILL_LEFT",
    "PHASE_DRILL_RIGHT",
    "PHASE_RUN",
    "PHASE_STOP",
    "PHASE_WALK",
    "REFERENCE_SPEED_M_S",
    "BalanceSpec",
    "CourseSpec",
    "NoiseSpec",
    "RunSpec",
    "RunnerSpec",
    "SensorSpec",
    "SimTruth",
    "SimulatedRun",
    "simulate_run",
    "write_simulated_fit",
]
