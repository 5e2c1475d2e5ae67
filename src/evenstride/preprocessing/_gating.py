# SPDX-License-Identifier: MIT
"""Label every sample before any judgement: running, walking, stopped, accelerating, bends, grade,
indoor, single-leg drill artefacts and sensor drop-outs.

The thresholds are design choices grounded in the ranges of science.md and are kept together in
:class:`GatingParams` so they are visible, documented and testable:

- *stopped*: speed < 0.5 m/s, or cadence < 60 steps/min when cadence is recorded.
- *walking*: moving with cadence < 140 steps/min (the adult walk–run transition cadence is
  135–140 steps/min and classifies walking vs running better than speed: Hum Mov Sci 2023
  90:103117, V; running cadence rarely falls below ~150: Garmin's 5th percentile is 153,
  science.md §4.1); without cadence, speed < 2.0 m/s (walk–run transition speed ≈ 2.0–2.1 m/s,
  same source). Speed and cadence are also checked *together*: a cadence above 200 steps/min
  below 2.0 m/s is not a runner's (jogging at < 2 m/s is ~150–170 steps/min, van Oeveren 2017;
  even elite ultra-runners top out at 203, Burns 2019, science.md §4.1) but a walking cadence
  read in the wrong unit (100–130 steps/min doubled), so it is walking when it lasts (at least
  half of a centred 30 s window: a few quick steps on a technical descent stay running).
- *accelerating*: |Δspeed| over a centred 10 s window > 0.08 m/s², and the 20 s after a stop
  or walk (start-up strides).
- *bend*: path curvature over a centred ±15 m window > 1/60 m⁻¹ (radius < 60 m; a 400 m track
  bend is 36.5 m). Left-hand bends have positive curvature (counter-clockwise).
- *grade*: altitude change over a centred ±50 m distance window; uphill > +2 %, downhill < −2 %.
- *drill*: % left balance < 35 or > 65 (single-leg hops, skips: Garmin's red zone starts at
  52.2 %, so these values are not running asymmetry).
- *dropout*: a running sample where a side-labelled channel has no value.
- *leg*: which analysed session (leg) of a multisport file each sample belongs to (0, 1, …, in
  time order; one leg for a single-sport file). Drift is computed within one leg
  (:attr:`Gating.steady_main_leg`), never across a bike leg between two runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity

_EARTH_R_M = 6_371_008.8


@dataclass(frozen=True)
class GatingParams:
    """Thresholds used to label samples (see module docstring for their basis)."""

    stop_speed_m_s: float = 0.5
    stop_cadence_spm: float = 60.0
    walk_cadence_spm: float = 140.0
    walk_speed_m_s: float = 2.0
    #: Above this cadence at a speed below ``walk_speed_m_s`` the sample is a doubled walking
    #: cadence, not running (module docstring).
    max_slow_running_cadence_spm: float = 200.0
    #: ... when it holds for at least half of a centred window of this length (s).
    slow_cadence_window_s: float = 30.0
    accel_window_s: float = 10.0
    accel_m_s2: float = 0.08
    settle_after_stop_s: float = 20.0
    bend_half_window_m: float = 15.0
    bend_radius_m: float = 60.0
    grade_half_window_m: float = 50.0
    grade_threshold_pct: float = 2.0
    drill_low_pct: float = 35.0
    drill_high_pct: float = 65.0
    #: Gaps longer than this (s) are not credited to the previous sample when weighting by time.
    max_sample_dt_s: float = 10.0


@dataclass
class Gating:
    """Per-sample labels (boolean arrays aligned with the sample table) and derived context."""

    running: np.ndarray
    walking: np.ndarray
    stopped: np.ndarray
    accelerating: np.ndarray
    bend_left: np.ndarray
    bend_right: np.ndarray
    uphill: np.ndarray
    downhill: np.ndarray
    drill: np.ndarray
    indoor: bool
    #: Grade in percent (NaN where unknown).
    grade_pct: np.ndarray
    #: Signed path curvature in 1/m (left-hand positive; NaN where unknown).
    curvature_1_m: np.ndarray
    #: Seconds each sample stands for (capped), used to weight coverage.
    weight_s: np.ndarray
    #: Per side-labelled channel key: True where a running sample has no value.
    dropout: dict[str, np.ndarray] = field(default_factory=dict)
    has_position: bool = False
    has_altitude: bool = False
    #: Leg (analysed session) index of each sample, 0-based in time order; ``None``: one leg.
    leg: np.ndarray | None = None

    @property
    def steady(self) -> np.ndarray:
        """Running, not accelerating, not a drill: the samples asymmetry is judged on."""
        return self.running & ~self.accelerating & ~self.drill

    @property
    def leg_ids(self) -> np.ndarray:
        """Leg index per sample (all 0 for a single-leg recording)."""
        if self.leg is None:
            return np.zeros(len(self.running), dtype=np.int64)
        return self.leg

    @property
    def main_leg(self) -> int:
        """The leg with the most steady running time (the one drift is computed on)."""
        legs = self.leg_ids
        if not len(legs):
            return 0
        w = np.bincount(legs, weights=np.where(self.steady, self.weight_s, 0.0))
        return int(np.argmax(w)) if len(w) else 0

    @property
    def steady_main_leg(self) -> np.ndarray:
        """Steady samples of :attr:`main_leg`: a drift's time axis never spans another sport."""
        return self.steady & (self.leg_ids == self.main_leg)

    @property
    def straight(self) -> np.ndarray:
        return ~(self.bend_left | self.bend_right)

    @property
    def flat(self) -> np.ndarray:
        return ~(self.uphill | self.downhill) & np.isfinite(self.grade_pct)

    def coverage(self) -> dict[str, float | None]:
        """Share of the recorded time (0–1) covered by each label; ``None`` when not knowable."""
        w = self.weight_s
        tot = float(w.sum()) or 1.0
        run_w = float(w[self.running].sum()) or 1.0

        def share(mask: np.ndarray, of_running: bool = False) -> float:
            if of_running:
                return round(float(w[mask & self.running].sum()) / run_w, 4)
            return round(float(w[mask].sum()) / tot, 4)

        out: dict[str, float | None] = {
            "running": share(self.running),
            "walking": share(self.walking),
            "stopped": share(self.stopped),
            "accelerating": share(self.accelerating, True),
            "drill": share(self.drill, True),
            "steady_running": share(self.steady),
        }
        if self.has_position and not self.indoor:
            out["bend_left"] = share(self.bend_left, True)
            out["bend_right"] = share(self.bend_right, True)
            out["straight"] = share(self.straight, True)
        else:
            out["bend_left"] = out["bend_right"] = out["straight"] = None
        if self.has_altitude and not self.indoor:
            out["uphill"] = share(self.uphill, True)
            out["downhill"] = share(self.downhill, True)
            out["flat"] = share(self.flat, True)
        else:
            out["uphill"] = out["downhill"] = out["flat"] = None
        out["indoor"] = 1.0 if self.indoor else 0.0
        return out

    def dropout_coverage(self) -> dict[str, float]:
        w = self.weight_s
        run_w = float(w[self.running].sum()) or 1.0
        return {k: round(float(w[m].sum()) / run_w, 4) for k, m in self.dropout.items()}


def _centered_window_index(x: np.ndarray, half: float) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``x``, indices of the first/last sample within ``x_i ± half``."""
    lo = np.searchsorted(x, x - half, side="left")
    hi = np.searchsorted(x, x + half, side="right") - 1
    return lo, hi


def fill_monotonic(d: np.ndarray) -> np.ndarray:
    """Forward-fill NaN in a cumulative distance and force it non-decreasing."""
    d = d.copy()
    ok = np.isfinite(d)
    if not ok.any():
        return d
    idx = np.where(ok, np.arange(len(d)), 0)
    np.maximum.accumulate(idx, out=idx)
    d = d[idx]
    first = int(np.argmax(ok))
    d[:first] = d[first]
    return np.maximum.accumulate(d)


def local_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local east/north metres around the median position (equirectangular; fine over a run)."""
    lat0 = float(np.nanmedian(lat))
    lon0 = float(np.nanmedian(lon))
    x = np.radians(lon - lon0) * _EARTH_R_M * np.cos(np.radians(lat0))
    y = np.radians(lat - lat0) * _EARTH_R_M
    return x, y


def path_curvature(
    lat: np.ndarray, lon: np.ndarray, dist: np.ndarray, *, half_window_m: float
) -> np.ndarray:
    """Signed curvature (1/m, left-hand positive) from GPS positions over a ±window in distance.

    The heading change between the chord entering and the chord leaving each point, divided by
    the path length between the chords' midpoints (half the window span): on a circular arc each
    chord points along the tangent at its own midpoint.
    """
    n = len(lat)
    out = np.full(n, np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(dist)
    if ok.sum() < 5:
        return out
    idx = np.nonzero(ok)[0]
    x, y = local_xy(lat[idx], lon[idx])
    d = dist[idx]
    lo, hi = _centered_window_index(d, half_window_m)
    i = np.arange(len(idx))
    h1 = np.arctan2(y[i] - y[lo], x[i] - x[lo])
    h2 = np.arctan2(y[hi] - y[i], x[hi] - x[i])
    dh = (h2 - h1 + np.pi) % (2 * np.pi) - np.pi
    span = d[hi] - d[lo]
    valid = (lo < i) & (hi > i) & (span > half_window_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(valid, dh / (0.5 * span), np.nan)
    out[idx] = k
    return out


def grade_pct(alt: np.ndarray, dist: np.ndarray, *, half_window_m: float) -> np.ndarray:
    """Grade (%) as the least-squares slope of altitude on distance in a ±window (vectorised)."""
    n = len(alt)
    out = np.full(n, np.nan)
    ok = np.isfinite(alt) & np.isfinite(dist)
    if ok.sum() < 5:
        return out
    idx = np.nonzero(ok)[0]
    a, d = alt[idx], dist[idx]
    lo, hi = _centered_window_index(d, half_window_m)
    cs = lambda v: np.concatenate(([0.0], np.cumsum(v)))  # noqa: E731
    s1, sd, sa, sdd, sda = cs(np.ones_like(d)), cs(d), cs(a), cs(d * d), cs(d * a)
    cnt = s1[hi + 1] - s1[lo]
    Sd = sd[hi + 1] - sd[lo]
    Sa = sa[hi + 1] - sa[lo]
    Sdd = sdd[hi + 1] - sdd[lo]
    Sda = sda[hi + 1] - sda[lo]
    den = cnt * Sdd - Sd * Sd
    span = d[hi] - d[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (cnt * Sda - Sd * Sa) / den
    slope = np.where((cnt >= 3) & (span >= half_window_m) & (den > 0), slope, np.nan)
    out[idx] = slope * 100.0
    return out


def leg_index(activity: Activity) -> np.ndarray:
    """Leg (analysed session) index of each sample, 0-based in time order.

    A sample belongs to the analysed segment whose ``[start_s, end_s]`` (± 1 s: session bounds
    and record times are rounded differently) contains its time; a sample outside every
    analysed segment joins the leg before it (or the first leg).

    >>> import numpy as np
    >>> from evenstride.datatypes import ActivityMeta, Segment
    >>> segs = [Segment("running", None, 0, 9, True), Segment("cycling", None, 10, 99, False),
    ...         Segment("running", None, 100, 120, True)]
    >>> t = np.array([0.0, 5, 9, 100, 110, 120])
    >>> leg_index(Activity({"time_s": t}, meta=ActivityMeta(segments=segs))).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    t = activity.samples[consts.TIME_S]
    legs = sorted((s for s in activity.meta.segments if s.analysed), key=lambda s: s.start_s)
    out = np.zeros(len(t), dtype=np.int64)
    if len(legs) <= 1 or not len(t):
        return out
    out[:] = -1
    for k, seg in enumerate(legs):
        on = (t >= seg.start_s - 1.0) & (t <= seg.end_s + 1.0) & (out < 0)
        out[on] = k
    known = out >= 0
    if not known.any():
        return np.zeros(len(t), dtype=np.int64)
    idx = np.where(known, np.arange(len(t)), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = out[idx]
    filled[: int(np.argmax(known))] = out[int(np.argmax(known))]
    return filled


def label_samples(activity: Activity, params: GatingParams | None = None) -> Gating:
    """Label every sample of ``activity`` (see module docstring).

    Examples
    --------
    >>> from evenstride.simulate import simulate_run
    >>> g = label_samples(simulate_run(duration_s=900, seed=2).activity)
    >>> 0.8 < g.coverage()["running"] <= 1.0
    True
    """
    p = params or GatingParams()
    t = activity.samples[consts.TIME_S]
    n = len(t)
    speed = activity.column(consts.SPEED_M_S)
    cad = activity.column(consts.CADENCE_SPM)
    has_cad = bool(np.isfinite(cad).any())
    has_speed = bool(np.isfinite(speed).any())

    dt = np.diff(t, append=t[-1] if n else 0.0)
    if n > 1:
        dt[-1] = np.median(np.diff(t))
    weight = np.clip(dt, 0.0, p.max_sample_dt_s)
    leg = leg_index(activity)
    if n > 1:
        # the last sample of a leg stands for one sample period, not the gap over the bike leg
        weight[:-1][leg[1:] != leg[:-1]] = min(float(dt[-1]), p.max_sample_dt_s)

    # Speed: if missing, derive from distance.
    if not has_speed and activity.has(consts.DISTANCE_M):
        dist = fill_monotonic(activity.column(consts.DISTANCE_M))
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.gradient(dist, t) if n > 2 else np.full(n, np.nan)
        has_speed = True

    stopped = np.zeros(n, dtype=bool)
    if has_speed:
        stopped |= np.nan_to_num(speed, nan=0.0) < p.stop_speed_m_s
    if has_cad:
        stopped |= np.nan_to_num(cad, nan=0.0) < p.stop_cadence_spm
        if has_speed:
            # A treadmill/indoor file may have no speed at all while cadence is fine.
            stopped &= ~((np.nan_to_num(cad) >= p.walk_cadence_spm) & ~np.isfinite(speed))
    moving = ~stopped
    if has_cad:
        c0 = np.nan_to_num(cad, nan=0.0)
        walking = moving & (c0 < p.walk_cadence_spm)
        if has_speed and n > 0:
            slow = np.isfinite(speed) & (speed < p.walk_speed_m_s)
            odd = slow & (c0 > p.max_slow_running_cadence_spm)
            # sustained, not a few quick steps on a technical descent
            lo, hi = _centered_window_index(t, p.slow_cadence_window_s / 2.0)
            cum = np.concatenate(([0.0], np.cumsum(odd)))
            share = (cum[hi + 1] - cum[lo]) / np.maximum(hi - lo + 1, 1)
            walking |= moving & odd & (share >= 0.5)
    elif has_speed:
        walking = moving & (speed < p.walk_speed_m_s)
    else:
        walking = np.zeros(n, dtype=bool)
    running = moving & ~walking

    # Accelerating: speed change over a centred window, plus a settling period after stops.
    accelerating = np.zeros(n, dtype=bool)
    if has_speed and n > 2:
        lo, hi = _centered_window_index(t, p.accel_window_s / 2.0)
        sp = speed.copy()
        bad = ~np.isfinite(sp)
        if bad.any():
            sp[bad] = np.interp(t[bad], t[~bad], sp[~bad]) if (~bad).any() else 0.0
        span = t[hi] - t[lo]
        with np.errstate(divide="ignore", invalid="ignore"):
            acc = np.where(span > 0, (sp[hi] - sp[lo]) / span, 0.0)
        accelerating |= np.abs(acc) > p.accel_m_s2
    not_run = ~running
    if not_run.any() and n > 1:
        last_stop_t = np.where(not_run, t, -np.inf)
        np.maximum.accumulate(last_stop_t, out=last_stop_t)
        accelerating |= running & ((t - last_stop_t) <= p.settle_after_stop_s)
    accelerating &= running

    indoor = bool(activity.meta.indoor)
    lat = activity.column(consts.LAT_DEG)
    lon = activity.column(consts.LON_DEG)
    has_pos = bool((np.isfinite(lat) & np.isfinite(lon)).sum() >= 10) and not indoor
    dist = activity.column(consts.DISTANCE_M)
    if not np.isfinite(dist).any() and has_speed:
        dist = np.concatenate(([0.0], np.cumsum(np.nan_to_num(speed[:-1]) * np.diff(t))))
    dist = fill_monotonic(dist) if np.isfinite(dist).any() else dist

    curv = np.full(n, np.nan)
    if has_pos:
        curv = path_curvature(lat, lon, dist, half_window_m=p.bend_half_window_m)
    kth = 1.0 / p.bend_radius_m
    bend_left = running & (np.nan_to_num(curv) > kth)
    bend_right = running & (np.nan_to_num(curv) < -kth)

    alt = activity.column(consts.ALTITUDE_M)
    has_alt = bool(np.isfinite(alt).sum() >= 10) and not indoor and np.isfinite(dist).any()
    grade = np.full(n, np.nan)
    if has_alt:
        grade = grade_pct(alt, dist, half_window_m=p.grade_half_window_m)
    uphill = running & (np.nan_to_num(grade) > p.grade_threshold_pct)
    downhill = running & (np.nan_to_num(grade) < -p.grade_threshold_pct)

    drill = np.zeros(n, dtype=bool)
    dropout: dict[str, np.ndarray] = {}
    for ch in activity.sided:
        if ch.balance_left_pct is not None:
            b = ch.balance_left_pct
            drill |= running & np.isfinite(b) & ((b < p.drill_low_pct) | (b > p.drill_high_pct))
        vals = ch.left if ch.left is not None else ch.balance_left_pct
        assert vals is not None
        miss = ~np.isfinite(vals)
        if ch.right is not None:
            miss |= ~np.isfinite(ch.right)
        dropout[ch.key] = running & miss

    return Gating(
        running=running,
        walking=walking,
        stopped=stopped,
        accelerating=accelerating,
        bend_left=bend_left,
        bend_right=bend_right,
        uphill=uphill,
        downhill=downhill,
        drill=drill,
        indoor=indoor,
        grade_pct=grade,
        curvature_1_m=curv,
        weight_s=weight,
        dropout=dropout,
        has_position=has_pos,
        has_altitude=has_alt,
        leg=leg,
    )
