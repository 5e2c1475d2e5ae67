# SPDX-License-Identifier: MIT
"""The simulator itself: :func:`simulate_run` turns a :class:`~evenstride.simulate.RunSpec` into a
:class:`~evenstride.simulate.SimulatedRun`, one stage per function (timeline, motion along the
route, balance, form, observed channels, heart rate, position, Stryd, per-foot channels, the
Activity, its truth and the FIT view). The model is in :mod:`evenstride.simulate`'s docstring.

Every random component draws from its own stream spawned from the seed (:class:`_Streams`), so
switching an option on or off does not change the other components' noise, and each stage draws
from its streams in a fixed order: the same seed and spec give the same run, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.io._fit_writer import SessionSpec
from evenstride.simulate._noise import _ar1, _dropout_mask, _lag, _quantise
from evenstride.simulate._route import (
    _EARTH_RADIUS_M,
    _ORIGIN_LAT_DEG,
    _ORIGIN_LON_DEG,
    _ROUTES,
    _SEMICIRCLE_DEG,
    _SUB_SPORT,
    _altitude,
    _loop_route,
    _out_and_back_route,
    _Route,
    _track_route,
)
from evenstride.simulate._spec import RunSpec
from evenstride.simulate._timeline import _timeline
from evenstride.simulate._truth import (
    ACCEL_FROM_M_S,
    ACCEL_S,
    BALANCE_RESOLUTION_PCT,
    CADENCE_SPEED_SLOPE_SPM_PER_M_S,
    DRILL_BALANCE_LEFT_PCT,
    DRILL_BALANCE_RIGHT_PCT,
    GCT_SPEED_SLOPE_S_PER_M_S,
    PHASE_ACCEL,
    PHASE_DRILL_LEFT,
    PHASE_DRILL_RIGHT,
    PHASE_RUN,
    PHASE_STOP,
    PHASE_WALK,
    REFERENCE_SPEED_M_S,
    SimTruth,
    SimulatedRun,
)

__all__ = ["simulate_run", "write_simulated_fit"]

#: Default UTC start of a simulated recording.
DEFAULT_START = datetime(2024, 6, 1, 6, 30, tzinfo=UTC)


# --- the public entry point -------------------------------------------------------------------
def simulate_run(spec: RunSpec | None = None, **overrides: Any) -> SimulatedRun:
    """Simulate a run with planted left/right asymmetry, drift and confounders.

    The model, every setting's role and the sign conventions are in the docstring of
    :mod:`evenstride.simulate`; the settings and their defaults are the fields of
    :class:`~evenstride.simulate.RunSpec` and its groups.

    Parameters
    ----------
    spec
        What to simulate (default: ``RunSpec()``).
    **overrides
        Settings changed by their flat names (``duration_s``, ``seed``, ``route``,
        ``balance_left_pct`` …, see :meth:`RunSpec.replace`), applied on top of ``spec``.

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
    s = (spec or RunSpec()).replace(**overrides) if overrides else (spec or RunSpec())
    n = _validate(s)
    rng = _Streams.from_seed(s.seed)
    tau = np.arange(n, dtype=np.float64)
    ph = _Phases.lay_out(n, s, rng.time)
    mo = _motion(s, n, tau, ph, rng.speed)
    bal = _balance(s, n, tau, mo, ph, rng.bal)
    form = _form(s, n, tau, mo, ph, rng)
    obs = _observed(s, n, mo, ph, bal, form, rng)
    samples = _position(s, n, mo, rng)
    samples.update(
        {
            consts.DISTANCE_M: obs.distance,
            consts.SPEED_M_S: obs.v_obs,
            consts.HEART_RATE_BPM: _heart_rate(s, n, tau, mo, ph, rng.hr),
            consts.CADENCE_SPM: form.cad_obs,
            consts.CONTACT_TIME_S: form.gct_obs,
            consts.CONTACT_TIME_PCT: obs.gct_pct,
            consts.VERTICAL_OSCILLATION_M: form.vo_obs,
            consts.VERTICAL_RATIO_PCT: obs.vr,
            consts.STEP_LENGTH_M: obs.step_len,
            consts.TEMPERATURE_C: np.round(18.0 + 2.0 * tau / 3600.0),
        }
    )
    if s.sensors.include_stryd:
        samples.update(_stryd(s, n, mo, ph, rng.stryd))
    sided = _sided_channels(s, n, mo, ph, bal, form, rng.rs)
    return _assemble(s, n, tau, rng, ph, mo, bal, form, obs, samples, sided)


def _validate(s: RunSpec) -> int:
    """The number of 1 Hz samples; ``ValueError`` for settings the model cannot run."""
    if s.course.route not in _ROUTES:
        raise ValueError(f"route must be one of {_ROUTES}, not {s.course.route!r}")
    n = round(s.duration_s)
    if n < 600:
        raise ValueError("duration_s must be at least 600 s")
    if not 0.0 <= s.noise.balance_noise_slow_share <= 1.0:
        raise ValueError("balance_noise_slow_share must be in [0, 1]")
    if not 0.0 <= s.noise.dropouts_fraction < 0.5:
        raise ValueError("dropouts_fraction must be in [0, 0.5)")
    return int(n)


# --- random streams and phases ------------------------------------------------------------------
@dataclass(frozen=True)
class _Streams:
    """One independent generator per random component (spawned from the seed, in this order)."""

    time: np.random.Generator
    speed: np.random.Generator
    bal: np.random.Generator
    gct: np.random.Generator
    cad: np.random.Generator
    hr: np.random.Generator
    gps: np.random.Generator
    alt: np.random.Generator
    stryd: np.random.Generator
    rs: np.random.Generator
    drop: np.random.Generator
    smart: np.random.Generator
    bike: np.random.Generator
    vo: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int) -> _Streams:
        streams = np.random.SeedSequence(seed).spawn(14)
        return cls(*(np.random.default_rng(s) for s in streams))


@dataclass(frozen=True)
class _Phases:
    """The timeline (:func:`_timeline`) and a boolean mask per kind of phase."""

    phase: np.ndarray
    windows: dict[str, list[tuple[int, int]]]
    drill_windows: list[tuple[int, int, str]]
    is_stop: np.ndarray
    is_walk: np.ndarray
    is_accel: np.ndarray
    is_drill_l: np.ndarray
    is_drill_r: np.ndarray
    is_drill: np.ndarray
    running: np.ndarray

    @classmethod
    def lay_out(cls, n: int, s: RunSpec, rng: np.random.Generator) -> _Phases:
        c = s.course
        phase, windows, drill_windows = _timeline(
            n,
            stops=c.stops,
            walk_breaks=c.walk_breaks,
            walk_break_s=c.walk_break_s,
            drills=c.drills,
            drill_start_s=c.drill_start_s,
            rng=rng,
        )
        is_accel = phase == PHASE_ACCEL
        is_drill_l = phase == PHASE_DRILL_LEFT
        is_drill_r = phase == PHASE_DRILL_RIGHT
        return cls(
            phase=phase,
            windows=windows,
            drill_windows=drill_windows,
            is_stop=phase == PHASE_STOP,
            is_walk=phase == PHASE_WALK,
            is_accel=is_accel,
            is_drill_l=is_drill_l,
            is_drill_r=is_drill_r,
            is_drill=is_drill_l | is_drill_r,
            running=(phase == PHASE_RUN) | is_accel,
        )


# --- motion along the route -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Motion:
    """True speed and where it takes the runner: route position, direction, grade, heading."""

    geom: _Route | None
    hilly: bool
    v_true: np.ndarray
    route_pos: np.ndarray
    direction: np.ndarray
    grade: np.ndarray
    #: True speed clipped to 2.2–6.0 m/s (the speed the form laws use).
    v_c: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    heading: np.ndarray
    turn: np.ndarray


def _geometry(s: RunSpec, n: int) -> _Route | None:
    route = s.course.route
    if route == "loop":
        return _loop_route()
    if route == "track":
        return _track_route()
    if route == "out_and_back":
        return _out_and_back_route(0.6 * n * s.runner.speed_m_s * 1.3 + 2000.0)
    return None


def _grade_at(
    s: RunSpec, geom: _Route | None, hilly: bool, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Route position, direction (+1/−1) and grade (%) after ``dist`` metres."""
    route = s.course.route
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
    _, dz = _altitude(route, pos, s.course.hill_amplitude_m, geom.length_m if geom else 1.0)
    return pos, direction, 100.0 * dz * direction


def _motion(
    s: RunSpec, n: int, tau: np.ndarray, ph: _Phases, r_speed: np.random.Generator
) -> _Motion:
    geom = _geometry(s, n)
    hilly = s.course.hills and s.course.route in ("loop", "out_and_back")
    speed_m_s = s.runner.speed_m_s
    if s.course.route == "treadmill":
        blocks = r_speed.choice([-0.2, -0.1, 0.0, 0.1, 0.2], size=n // 300 + 1)
        blocks[0] = 0.0
        v_run = speed_m_s + blocks[(tau // 300).astype(int)]
    else:
        x = _ar1(r_speed, n, 0.995, s.runner.speed_variation_pct / 100.0)
        v_base = speed_m_s * (1.0 + x)
        _, _, g1 = _grade_at(s, geom, hilly, np.concatenate(([0.0], np.cumsum(v_base)[:-1])))
        v_run = v_base * (1.0 - 0.015 * g1)
    v_run = np.maximum(v_run, 1.5)
    walk_noise = _ar1(r_speed, n, 0.99, 0.03)
    v_true = v_run.copy()
    v_true[ph.is_walk] = 1.5 * (1.0 + walk_noise[ph.is_walk])
    v_true[ph.is_drill] = 1.2
    v_true[ph.is_stop] = 0.0
    for a, b in ph.windows["accel"]:
        v_from = max(float(v_true[a - 1]), ACCEL_FROM_M_S)
        ramp = (np.arange(b - a) + 1.0) / (ACCEL_S + 1.0)
        v_true[a:b] = v_from + (v_run[a:b] - v_from) * ramp
    dist_true = np.concatenate(([0.0], np.cumsum(v_true)[:-1]))
    route_pos, direction, grade = _grade_at(s, geom, hilly, dist_true)
    v_c = np.clip(v_true, 2.2, 6.0)

    # geometry → heading, turn sign, GPS
    if geom is not None:
        gx, gy, heading, kappa = geom.locate(route_pos)
        heading = np.where(direction > 0, heading, heading + math.pi)
        turn = np.sign(kappa) * direction
    else:
        gx = gy = np.zeros(n)
        heading = np.zeros(n)
        turn = np.zeros(n)
    return _Motion(geom, hilly, v_true, route_pos, direction, grade, v_c, gx, gy, heading, turn)


# --- balance and form -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Balance:
    b_true: np.ndarray
    #: The noise e(τ) (fast + slow AR(1)).
    e_bal: np.ndarray
    b_expected: np.ndarray
    #: Observed balance, quantised (NaN at stops and dropouts after :func:`_observed`).
    b_obs: np.ndarray


def _balance(
    s: RunSpec, n: int, tau: np.ndarray, mo: _Motion, ph: _Phases, r_bal: np.random.Generator
) -> _Balance:
    bl, nz = s.balance, s.noise
    onset = 0.0 if bl.drift_onset_s is None else float(bl.drift_onset_s)
    b_true = (
        bl.balance_left_pct
        + bl.drift_pct_per_h * np.maximum(0.0, tau - onset) / 3600.0
        + bl.grade_effect_pct_per_pct * mo.grade
        + bl.bend_effect_pct * mo.turn
    )
    share = nz.balance_noise_slow_share
    e_bal = _ar1(r_bal, n, nz.balance_noise_phi, nz.balance_noise_sd_pct * math.sqrt(1.0 - share))
    hop_noise = r_bal.standard_normal(n)
    if share > 0.0:
        slow_sd = nz.balance_noise_sd_pct * math.sqrt(share)
        e_bal = e_bal + _ar1(r_bal, n, nz.balance_noise_slow_phi, slow_sd)
    b_expected = b_true.copy()
    b_expected[ph.is_drill_l] = DRILL_BALANCE_LEFT_PCT
    b_expected[ph.is_drill_r] = DRILL_BALANCE_RIGHT_PCT
    b_expected[ph.is_stop] = np.nan
    b_obs = b_true + e_bal
    b_obs[ph.is_walk] = b_true[ph.is_walk] + 2.0 * e_bal[ph.is_walk]
    b_obs[ph.is_drill] = b_expected[ph.is_drill] + hop_noise[ph.is_drill]
    b_obs = _quantise(np.clip(b_obs, 0.0, 100.0), BALANCE_RESOLUTION_PCT)
    return _Balance(b_true, e_bal, b_expected, b_obs)


@dataclass(frozen=True)
class _Form:
    gct_true: np.ndarray
    gct_obs: np.ndarray
    cad_true: np.ndarray
    cad_obs: np.ndarray
    vo_true: np.ndarray
    vo_obs: np.ndarray
    #: The cadence deficit window in run seconds ``τ``.
    deficit_window: tuple[float, float]


def _form(s: RunSpec, n: int, tau: np.ndarray, mo: _Motion, ph: _Phases, rng: _Streams) -> _Form:
    """Contact time, cadence and vertical oscillation: true and observed."""
    r, slow = s.runner, s.noise.form_noise_slow
    v_c = mo.v_c
    gct_true = r.gct_ref_s * (1.0 + r.gct_fatigue_pct_per_h / 100.0 * tau / 3600.0) + (
        GCT_SPEED_SLOPE_S_PER_M_S * (v_c - REFERENCE_SPEED_M_S)
    )
    gct_true[ph.is_walk] = 0.60
    gct_true[ph.is_drill] = 0.19
    gct_obs = gct_true + _ar1(rng.gct, n, 0.8, 0.004)
    gct_obs[ph.is_walk] = gct_true[ph.is_walk] + 0.01 * rng.gct.standard_normal(
        int(ph.is_walk.sum())
    )
    if slow:
        gct_obs = gct_obs + _ar1(rng.gct, n, 0.993, 0.003)
    gct_obs = _quantise(np.maximum(gct_obs, 0.05), 1e-4)

    if r.cadence_deficit_window_s is None:
        win = (0.45 * n, 0.60 * n)
    else:
        win = (float(r.cadence_deficit_window_s[0]), float(r.cadence_deficit_window_s[1]))
    in_deficit = ph.running & (tau >= win[0]) & (tau < win[1])
    cad_true = r.cadence_intercept_spm + CADENCE_SPEED_SLOPE_SPM_PER_M_S * v_c
    cad_true = np.where(in_deficit, cad_true * (1.0 - r.cadence_deficit_pct / 100.0), cad_true)
    for a, b in ph.windows["walk"]:
        cad_true[a:b] = rng.cad.uniform(110.0, 125.0)
    cad_true[ph.is_drill] = 150.0
    cad_true[ph.is_stop] = 0.0
    cad_obs = cad_true + _ar1(rng.cad, n, 0.7, 1.5)
    if slow:
        cad_obs = cad_obs + _ar1(rng.cad, n, 0.993, 1.0)
    cad_obs[ph.is_stop] = 0.0
    cad_obs = _quantise(np.maximum(cad_obs, 0.0), 1.0 / 64.0)

    vo_true = 0.085 + 0.004 * (v_c - REFERENCE_SPEED_M_S)
    vo_true[ph.is_walk] = 0.045
    vo_true[ph.is_drill] = 0.10
    vo_noise = _ar1(rng.vo, n, 0.8, 0.002)
    if slow:
        vo_noise = vo_noise + _ar1(rng.vo, n, 0.993, 0.0015)
    vo_obs = _quantise(vo_true + vo_noise, 1e-4)
    return _Form(gct_true, gct_obs, cad_true, cad_obs, vo_true, vo_obs, win)


# --- observed channels ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Observed:
    v_obs: np.ndarray
    distance: np.ndarray
    step_len: np.ndarray
    vr: np.ndarray
    gct_pct: np.ndarray
    #: Dropped running-dynamics samples (not at stops).
    drop: np.ndarray


def _observed(
    s: RunSpec, n: int, mo: _Motion, ph: _Phases, bal: _Balance, form: _Form, rng: _Streams
) -> _Observed:
    """Observed speed and distance, derived running dynamics, and the missing values: stops and
    dropouts set the running-dynamics arrays of ``bal`` and ``form`` to NaN (in place)."""
    treadmill = s.course.route == "treadmill"
    v_noise = rng.speed.standard_normal(n) * (0.02 if treadmill else 0.04)
    v_obs = _quantise(np.maximum(mo.v_true + v_noise, 0.0), 1e-3)
    v_obs[ph.is_stop] = 0.0
    distance = _quantise(np.concatenate(([0.0], np.cumsum(v_obs)[:-1])), 0.01)

    cad_obs, gct_obs, vo_obs = form.cad_obs, form.gct_obs, form.vo_obs
    with np.errstate(divide="ignore", invalid="ignore"):
        step_len = np.where((cad_obs > 0) & (v_obs > 0), v_obs / (cad_obs / 60.0), np.nan)
    step_len = _quantise(step_len, 1e-4)
    with np.errstate(divide="ignore", invalid="ignore"):
        vr = _quantise(vo_obs / step_len * 100.0, 0.01)
    gct_pct = _quantise(gct_obs * (cad_obs / 2.0) / 60.0 * 100.0, 0.01)

    drop = _dropout_mask(n, s.noise.dropouts_fraction, rng.drop) & ~ph.is_stop
    rd_missing = drop | ph.is_stop
    for arr in (bal.b_obs, gct_obs, vo_obs, step_len, vr, gct_pct):
        arr[rd_missing] = np.nan
    return _Observed(v_obs, distance, step_len, vr, gct_pct, drop)


def _heart_rate(
    s: RunSpec, n: int, tau: np.ndarray, mo: _Motion, ph: _Phases, r_hr: np.random.Generator
) -> np.ndarray:
    hr_target = (
        140.0 + 10.0 * (mo.v_true - REFERENCE_SPEED_M_S) + 1.2 * mo.grade + 6.0 * tau / 3600.0
    )
    hr_target[ph.is_stop] = 100.0
    hr_target[ph.is_walk] = 115.0
    hr_target[ph.is_drill] = 150.0
    hr = np.round(_lag(hr_target, 40.0, 90.0) + r_hr.standard_normal(n))
    hr[_dropout_mask(n, s.noise.dropouts_fraction / 4.0, r_hr)] = np.nan
    return hr


def _position(s: RunSpec, n: int, mo: _Motion, rng: _Streams) -> dict[str, np.ndarray]:
    """Latitude, longitude and altitude (none on a treadmill)."""
    samples: dict[str, np.ndarray] = {}
    if s.course.route == "treadmill":
        return samples
    gps_noise_m = s.noise.gps_noise_m
    ex = _ar1(rng.gps, n, 0.95, gps_noise_m)
    ey = _ar1(rng.gps, n, 0.95, gps_noise_m)
    lat = _ORIGIN_LAT_DEG + np.degrees((mo.gy + ey) / _EARTH_RADIUS_M)
    lon = _ORIGIN_LON_DEG + np.degrees(
        (mo.gx + ex) / (_EARTH_RADIUS_M * math.cos(math.radians(_ORIGIN_LAT_DEG)))
    )
    samples[consts.LAT_DEG] = _quantise(lat, _SEMICIRCLE_DEG)
    samples[consts.LON_DEG] = _quantise(lon, _SEMICIRCLE_DEG)
    geom = mo.geom
    z = (
        _altitude(
            s.course.route,
            mo.route_pos,
            s.course.hill_amplitude_m,
            geom.length_m if geom else 1.0,
        )[0]
        if mo.hilly
        else np.full(n, 540.0)
    )
    samples[consts.ALTITUDE_M] = _quantise(z + _ar1(rng.alt, n, 0.98, 0.3) + 500.0, 0.2) - 500.0
    return samples


def _stryd(
    s: RunSpec, n: int, mo: _Motion, ph: _Phases, r_stryd: np.random.Generator
) -> dict[str, np.ndarray]:
    """Stryd power, form power, air power and leg spring stiffness."""
    m = s.runner.runner_mass_kg
    v_true, is_stop = mo.v_true, ph.is_stop
    power = np.maximum(m * v_true * (1.05 + 0.098 * mo.grade), 0.3 * m * v_true)
    form = 0.28 * 1.05 * m * v_true + 2.0 * r_stryd.standard_normal(n)
    lss = 10.5 + 0.5 * (mo.v_c - REFERENCE_SPEED_M_S) + 0.2 * r_stryd.standard_normal(n)
    air = 0.144 * v_true**3
    return {
        consts.POWER_W: np.where(is_stop, 0.0, np.round(power)),
        consts.FORM_POWER_W: np.where(is_stop, 0.0, np.round(np.maximum(form, 0.0))),
        consts.AIR_POWER_W: np.where(is_stop, 0.0, np.round(air)),
        consts.LEG_SPRING_STIFFNESS_KN_M: np.where(
            is_stop, np.nan, lss.astype(np.float32).astype(np.float64)
        ),
    }


# --- per-foot channels ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sided:
    channels: list[SidedChannel]
    #: The RunScribe contact-time SI planted (also when RunScribe is off).
    rs_asym: float
    rs_l_true: np.ndarray
    rs_r_true: np.ndarray


def _runscribe_contact_asym(s: RunSpec) -> float:
    rs = s.sensors.runscribe_contact_asym_pct
    return 4.0 * (s.balance.balance_left_pct - 50.0) if rs is None else float(rs)


def _sided_channels(
    s: RunSpec,
    n: int,
    mo: _Motion,
    ph: _Phases,
    bal: _Balance,
    form: _Form,
    r_rs: np.random.Generator,
) -> _Sided:
    """The Garmin contact-time channel from balance × GCT, and RunScribe's per-foot channels."""
    gct_obs, b_obs = form.gct_obs, bal.b_obs
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
    rs_asym = _runscribe_contact_asym(s)
    rs_l_true = np.full(n, np.nan)
    rs_r_true = np.full(n, np.nan)
    if s.sensors.include_runscribe:
        channels, rs_l_true, rs_r_true = _runscribe(s, n, mo, ph, form, rs_asym, r_rs)
        sided += channels
    return _Sided(sided, rs_asym, rs_l_true, rs_r_true)


def _runscribe(
    s: RunSpec,
    n: int,
    mo: _Motion,
    ph: _Phases,
    form: _Form,
    rs_asym: float,
    r_rs: np.random.Generator,
) -> tuple[list[SidedChannel], np.ndarray, np.ndarray]:
    """RunScribe contact time, impact and braking per foot, and the noise-free contact times."""
    sn, v_c = s.sensors, mo.v_c
    rs_off = ph.is_stop | ph.is_drill
    rs_gct = np.where(ph.is_walk, 0.60, form.gct_true)
    rs_l_true = np.where(rs_off, np.nan, rs_gct * (1.0 + rs_asym / 200.0))
    rs_r_true = np.where(rs_off, np.nan, rs_gct * (1.0 - rs_asym / 200.0))
    ct_l = np.round((rs_l_true + _ar1(r_rs, n, 0.5, 0.006)) * 1000.0) / 1000.0
    ct_r = np.round((rs_r_true + _ar1(r_rs, n, 0.5, 0.006)) * 1000.0) / 1000.0
    impact = 9.0 + 1.2 * (v_c - REFERENCE_SPEED_M_S)
    braking = 7.5 + 0.8 * (v_c - REFERENCE_SPEED_M_S)

    def f32(v: np.ndarray) -> np.ndarray:
        return np.where(rs_off, np.nan, v.astype(np.float32).astype(np.float64))

    imp, brk = sn.runscribe_impact_asym_pct, sn.runscribe_braking_asym_pct
    ig_l = f32(impact * (1 + imp / 200) + 0.6 * r_rs.standard_normal(n))
    ig_r = f32(impact * (1 - imp / 200) + 0.6 * r_rs.standard_normal(n))
    bg_l = f32(braking * (1 + brk / 200) + 0.5 * r_rs.standard_normal(n))
    bg_r = f32(braking * (1 - brk / 200) + 0.5 * r_rs.standard_normal(n))
    origin = "RunScribe developer fields"
    channels = [
        SidedChannel(
            consts.M_CONTACT_TIME, consts.SRC_RUNSCRIBE, "s", left=ct_l, right=ct_r, origin=origin
        ),
        SidedChannel(
            consts.M_IMPACT_G, consts.SRC_RUNSCRIBE, "g", left=ig_l, right=ig_r, origin=origin
        ),
        SidedChannel(
            consts.M_BRAKING_G, consts.SRC_RUNSCRIBE, "g", left=bg_l, right=bg_r, origin=origin
        ),
    ]
    return channels, rs_l_true, rs_r_true


# --- the Activity, its truth and the FIT view -----------------------------------------------------
def _run_overrides(ph: _Phases, bal: _Balance, form: _Form, obs: _Observed) -> dict[str, Any]:
    """FIT record values that differ from the Activity: Garmin writes 0 for running dynamics at
    stops."""
    overrides_run = {
        "stance_time_balance": bal.b_obs,
        "stance_time": form.gct_obs * 1000.0,
        "stance_time_percent": obs.gct_pct,
        "vertical_oscillation": form.vo_obs * 1000.0,
        "vertical_ratio": obs.vr,
        "step_length": obs.step_len * 1000.0,
    }
    return {k: np.where(ph.is_stop, 0.0, v) for k, v in overrides_run.items()}


def _kept(s: RunSpec, n: int, r_smart: np.random.Generator) -> np.ndarray:
    """Indices of the recorded samples (all, or an irregular subset with smart recording)."""
    keep = np.arange(n)
    if s.sensors.smart_recording:
        keep = np.cumsum(np.concatenate(([0], r_smart.integers(1, 8, size=n))))
        keep = keep[keep < n]
    return keep


def _assemble(
    s: RunSpec,
    n: int,
    tau: np.ndarray,
    rng: _Streams,
    ph: _Phases,
    mo: _Motion,
    bal: _Balance,
    form: _Form,
    obs: _Observed,
    samples: dict[str, np.ndarray],
    sided: _Sided,
) -> SimulatedRun:
    """Select the recorded samples and build the Activity, its truth and the FIT view."""
    overrides_run = _run_overrides(ph, bal, form, obs)
    keep = _kept(s, n, rng.smart)

    def sel(a: np.ndarray) -> np.ndarray:
        return a[keep]

    start = s.start_time or DEFAULT_START
    route = s.course.route
    run_start = float(round(s.course.bike_leg_s))
    time_s = tau + run_start
    samples = {k: sel(v) for k, v in samples.items()}
    samples[consts.TIME_S] = sel(time_s)
    samples[consts.TIMESTAMP_S] = start.timestamp() + samples[consts.TIME_S]
    channels = [ch.take(keep) for ch in sided.channels]
    overrides_run = {k: sel(v) for k, v in overrides_run.items()}
    sub_sport = _SUB_SPORT[route]
    end_s = run_start + float(n - 1)
    segments = [Segment("running", sub_sport, run_start, end_s, True)]
    devices = ["garmin fr965", "garmin hrm_pro"]
    if s.sensors.include_stryd:
        devices.append("stryd")
    if s.sensors.include_runscribe:
        devices.append("scribe_labs runscribe")
    if run_start > 0:
        segments.insert(0, Segment("cycling", "road", 0.0, run_start, False))
    params = {"seed": s.seed, "route": route, "duration_s": float(n), "bike_leg_s": run_start}
    meta = ActivityMeta(
        path=None,
        file_format="simulated",
        sport="running",
        sub_sport=sub_sport,
        start_time=start,
        devices=devices,
        segments=segments,
        indoor=route == "treadmill",
        extra={"simulator": params},
    )
    activity = Activity(samples=samples, sided=channels, meta=meta)
    truth = _truth(s, n, run_start, sel(time_s), sel, ph, mo, bal, form, obs, sided)

    # the FIT view: optional bike leg before the run
    sessions = [SessionSpec("running", sub_sport, run_start, end_s)]
    fit_activity: Activity = activity
    fit_overrides = overrides_run
    if run_start > 0:
        bike = _bike_leg(int(run_start), rng.bike, start, samples)
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
            for ch in channels
        ]
        fit_activity = Activity(fit_samples, fit_sided, dataclasses.replace(meta))
        fit_overrides = {k: np.concatenate((pad, v)) for k, v in overrides_run.items()}
        sessions.insert(0, SessionSpec("cycling", "road", 0.0, run_start))
    return SimulatedRun(activity, truth, fit_activity, sessions, fit_overrides)


def _truth(
    s: RunSpec,
    n: int,
    run_start: float,
    time_s: np.ndarray,
    sel: Callable[[np.ndarray], np.ndarray],
    ph: _Phases,
    mo: _Motion,
    bal: _Balance,
    form: _Form,
    obs: _Observed,
    sided: _Sided,
) -> SimTruth:
    """The ground truth of the run, aligned with the recorded samples (``sel``)."""
    bl, r, sn = s.balance, s.runner, s.sensors
    rs_on = sn.include_runscribe
    win = form.deficit_window

    def win_s(ws: list[tuple[int, int]]) -> tuple[tuple[float, float], ...]:
        return tuple((run_start + a, run_start + b) for a, b in ws)

    return SimTruth(
        seed=s.seed,
        route=s.course.route,
        duration_s=float(n),
        run_start_s=run_start,
        balance_left_pct=bl.balance_left_pct,
        drift_pct_per_h=bl.drift_pct_per_h,
        drift_onset_s=0.0 if bl.drift_onset_s is None else float(bl.drift_onset_s),
        grade_effect_pct_per_pct=bl.grade_effect_pct_per_pct,
        bend_effect_pct=bl.bend_effect_pct,
        balance_noise_sd_pct=s.noise.balance_noise_sd_pct,
        balance_noise_phi=s.noise.balance_noise_phi,
        balance_noise_slow_share=s.noise.balance_noise_slow_share,
        balance_noise_slow_phi=s.noise.balance_noise_slow_phi,
        speed_m_s=r.speed_m_s,
        gct_ref_s=r.gct_ref_s,
        gct_fatigue_pct_per_h=r.gct_fatigue_pct_per_h,
        cadence_intercept_spm=r.cadence_intercept_spm,
        cadence_deficit_pct=r.cadence_deficit_pct,
        cadence_deficit_window_s=(run_start + win[0], run_start + win[1]),
        runscribe_contact_asym_pct=sided.rs_asym if rs_on else None,
        runscribe_impact_asym_pct=sn.runscribe_impact_asym_pct if rs_on else None,
        runscribe_braking_asym_pct=sn.runscribe_braking_asym_pct if rs_on else None,
        route_length_m=mo.geom.length_m
        if s.course.route in ("loop", "track") and mo.geom
        else None,
        stop_windows_s=win_s(ph.windows["stop"]),
        walk_windows_s=win_s(ph.windows["walk"]),
        accel_windows_s=win_s(ph.windows["accel"]),
        drill_windows_s=tuple(
            (run_start + a, run_start + b, side) for a, b, side in ph.drill_windows
        ),
        time_s=time_s,
        phase=sel(ph.phase),
        speed_true_m_s=sel(mo.v_true),
        grade_pct=sel(mo.grade),
        turn_sign=sel(mo.turn),
        route_pos_m=sel(mo.route_pos),
        heading_deg=sel(np.mod(np.degrees(mo.heading), 360.0)),
        balance_true_pct=sel(bal.b_true),
        balance_expected_pct=sel(bal.b_expected),
        balance_noise_pct=sel(bal.e_bal),
        gct_true_s=sel(form.gct_true),
        cadence_true_spm=sel(form.cad_true),
        vertical_oscillation_true_m=sel(form.vo_true),
        dropout_mask=sel(obs.drop),
        runscribe_contact_left_true_s=sel(sided.rs_l_true),
        runscribe_contact_right_true_s=sel(sided.rs_r_true),
    )


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
