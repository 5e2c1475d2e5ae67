# SPDX-License-Identifier: MIT
"""Per-run context for the athlete history: where and how the run was done, and how much load it
carried. Input: an :class:`~evenstride.datatypes.Activity` and its
:class:`~evenstride.preprocessing.Gating`. Output: a :class:`RunContext` (``to_dict()`` is the
``"context"`` key of the ``evenstride.run/1`` document, docs/json-schema.md).

Every function here is pure and describes *one* run; the across-run analyses
(:mod:`evenstride.history`) only read these numbers, so a stored document is enough to rebuild an
athlete's history.

- **track** (:func:`detect_track`): a 400 m track session is recognised from the file's sub-sport
  ``"track"``, or from the *geometry* of the GPS path, not from its lap length (GPS laps in an
  outer lane read 440–460 m: lane 8's running line alone is 453 m). A standard track is two
  84.39 m straights joined by two semicircular bends of 36.50 m radius, lanes 1.22 m wide, the
  running line 0.30 m outside lane 1's kerb and 0.20 m inside each other lane (IAAF/World
  Athletics Rule 160 as quoted by track builders, S; equal-quadrant tracks have 100 m straights
  and 31.8 m bends). A *stadium* — the set of points at distance r from a segment of length s —
  is fitted to the path by least squares (centre, orientation, s, r; Levenberg–Marquardt,
  re-fitted without points beyond 3 robust SD). It is a track when at least half of the running
  time lies within 125 m of the busiest point of the path (a warm-up and cool-down on the roads
  are allowed), the fit's RMS distance is ≤ 6 m (consumer GPS error)
  and its *systematic* misfit ≤ 2 m (RMS over 36 sectors around the centre of the mean distance
  from the stadium: GPS noise averages out over laps, another shape does not — on simulated
  paths with 3–5 m correlated GPS noise, tracks in lanes 1 and 8 gave 0.4–1.2 m, a 160 × 90 m
  ellipse 2.3–3.0 m, rounded polygons of ~450 m 4–7 m),
  s is 70–105 m and r is 30–52 m (lane 1 of an equal-quadrant track to lane 9 of a standard one,
  with GPS slack), every straight and bend holds at least half its expected share of the points,
  and the path covers at least 2 laps. Reported: direction from the signed area of the path
  (shoelace: positive = counter-clockwise), turn share (share of track running time on the
  bends), the fitted straight and radius, lap length 2s + 2πr and the lane that radius suggests.
  *design* on top of the track geometry.
- **turning** (:func:`turning`): time and distance on left-hand and right-hand bends (gating:
  radius < 60 m) and the left share of bend time. Curve running lengthens the inside leg's
  contact (science.md §9, V/S).
- **grade exposure** (:func:`grade_exposure`): time and distance uphill/flat/downhill (gating:
  ±2 %), ascent and descent as ``Σ max(±grade, 0)·Δdistance`` over moving samples (the ±50 m
  least-squares grade, so GPS/barometer noise does not add up as it does in a sum of altitude
  steps). *design*
- **surface**: ``"trail"`` (sub-sport trail), ``"track"``, ``"treadmill"`` (treadmill/indoor
  sub-sport, or an indoor file without positions), ``"road"`` otherwise.
- **route shape** (:func:`route_shape`): ``"track"``, ``"treadmill"``; ``"out_and_back"`` when at
  least 70 % of the path after the turnaround (the point farthest from the start) lies within
  ``retrace_m`` (30 m) of the path before it *travelled the other way*; ``"loop"`` when it ends
  within max(150 m, 3 % of the distance) of its start, or passes within 30 m of its start again,
  in the starting direction, after at least 1 km (a lapped loop stopped part-way round);
  ``"point_to_point"`` otherwise. *design*
- **camber exposure** (:func:`camber_exposure`, evidence **U**, science.md §9): on a crowned road
  the low side is toward the road edge. Running along the left edge of the road (edge on your
  left) puts the left foot lower; along the right edge, the right foot. The runner declares the
  side they run on *relative to their direction of travel at the start* (``"left"``: facing
  traffic where traffic drives on the right). An out-and-back that stays on the same side of the
  road (no crossing at the turnaround) has the edge on the other foot on the way back, so the
  exposure roughly balances; a loop or point-to-point run on one side stays one-sided. Track,
  trail and treadmill runs have no camber exposure. Reported as shares of road running time; no
  study links these shares to injury or asymmetry.
- **legs** (:func:`legs_summary`): each analysed running leg of a multisport file (run–bike–run)
  or the one leg of a single-sport run: start (UTC and seconds since the file start), elapsed,
  moving and running time, distance from the leg's own start, and whether drift was computed on
  it (the leg with the most steady running; drift never spans another sport).
- **load** (:func:`load_summary`): moving time (``duration_s``: what the load refers to; a paused
  run's café stop does not count), elapsed time, running time, distance, median steady speed, and
  Banister's training impulse (TRIMP) from heart rate over the moving samples::

      TRIMP = Σ Δt_min · x · a · e^(b·x),   x = (HR − HR_rest)/(HR_max − HR_rest) ∈ [0, 1]
      a, b = 0.64, 1.92 (men, default) or 0.86, 1.67 (women)

  (Banister 1991 in *Physiological Testing of Elite Athletes*; Morton, Fitz-Clarke & Banister 1990;
  formula as given by Runalyze and calculator pages — evidence S). Defaults when the athlete gives
  none: HR_rest 60 bpm, HR_max 190 bpm raised to the run's own 99.5th-percentile HR when that is
  higher. The per-bpm time histogram is stored so that the history can recompute TRIMP with the
  athlete's own HR_rest/HR_max.
- **HRV** (:func:`hrv_summary`): RMSSD from :func:`evenstride.metrics.hrv.rmssd_ms`, the one
  implementation shared with resting HRV (Task Force of the ESC/NASPE 1996, Eur Heart J
  17:354–381, V; its artefact filter — 0.3–2.0 s, 20 % from the local median of 11 beats, no
  difference spanning a rejected beat — is a convention, S/U). RMSSD while running
  is **not** resting HRV (vagal activity is withdrawn during exercise): it is reported as
  "in-run RMSSD". A recording counts as *resting* only when it is shorter than 10 min and has no
  movement (no running or walking samples).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.metrics.hrv import rmssd_ms
from evenstride.preprocessing import Gating

__all__ = [
    "CAMBER_EVIDENCE",
    "DEFAULT_HR_MAX_BPM",
    "DEFAULT_HR_REST_BPM",
    "ContextParams",
    "RunContext",
    "camber_exposure",
    "detect_track",
    "grade_exposure",
    "header_lines",
    "hrv_summary",
    "legs_summary",
    "legs_totals",
    "load_summary",
    "rmssd_ms",
    "route_shape",
    "run_context",
    "surface_class",
    "trimp_from_histogram",
    "turning",
]

_EARTH_R_M = 6_371_008.8

#: Resting and maximum heart rate assumed for TRIMP when the athlete gives none (*design*).
DEFAULT_HR_REST_BPM: Final = 60.0
DEFAULT_HR_MAX_BPM: Final = 190.0
#: Banister's weighting ``a·e^(b·x)`` by sex.
TRIMP_WEIGHTING: Final[dict[str, tuple[float, float]]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
}
#: A resting HRV recording: shorter than this, no movement.
RESTING_MAX_S: Final = 600.0
#: A loop that ends part-way round must have passed its start after at least this distance, m.
LOOP_MIN_LAP_M: Final = 1000.0
#: Minimum accepted successive R-R differences for an in-run RMSSD.
MIN_RR: Final = 30

_INDOOR_SUB_SPORTS = frozenset({"treadmill", "indoor_running", "virtual_activity"})

_ROAD_EVIDENCE = {
    "grade": "U",
    "sources": [
        "science.md §9: road camber evidence is weak and conflicting (Slowtwitch summary, S); "
        "no primary study retrieved",
    ],
    "note": (
        "Modelled, not measured: assumes a crowned road whose low side is toward the edge you "
        "run on, and the road side you declared. No study links these shares to asymmetry or "
        "injury; alternating road sides is low-cost advice with weak evidence."
    ),
}
#: Evidence of the camber-exposure model (weak; science.md §9).
CAMBER_EVIDENCE: Final = _ROAD_EVIDENCE

_TURN_EVIDENCE = {
    "grade": "V",
    "sources": [
        "J Exp Biol 2024 227:jeb246649 (curve running, inside-leg forces)",
        "Beukeboom et al. 2000 Clin J Sport Med (counter-clockwise indoor track)",
        "Elite 5 km track time trial: left GCT longer on bends",
    ],
    "note": (
        "Bend time is measured from the GPS path; on a counter-clockwise track the left leg is "
        "the inside leg, whose contact time is longer on the bends."
    ),
}
_TRACK_EVIDENCE = {
    "grade": "S",
    "sources": [
        "IAAF/World Athletics Rule 160 track geometry as quoted by track builders: two 84.39 m "
        "straights, 36.50 m bend radius, 1.22 m lanes, running line 0.30 m / 0.20 m from the "
        "inner edge",
        "evenstride design: least-squares stadium fit to the GPS path",
    ],
    "note": (
        "Detected from the shape of the path (two straights, two semicircular bends) or the "
        "file's sub-sport, so outer lanes whose GPS laps read 440-460 m are found too."
    ),
}
#: Standard 400 m track (Rule 160 as quoted by track builders, S): straight, bend radius at the
#: kerb, lane width, running line offset from the inner edge (lane 1 / other lanes), m.
TRACK_GEOMETRY_M: Final[dict[str, float]] = {
    "straight": 84.39,
    "bend_radius": 36.50,
    "lane_width": 1.22,
    "line_lane1": 0.30,
    "line_other": 0.20,
}
_TRIMP_EVIDENCE = {
    "grade": "S",
    "sources": [
        "Banister 1991, Modeling elite athletic performance (Physiological Testing of Elite "
        "Athletes)",
        "Morton, Fitz-Clarke & Banister 1990 J Appl Physiol 69:1171-1177",
        "Formula as given by runalyze.com/glossary/trimp and TRIMP calculator pages",
    ],
    "note": (
        "A heart-rate load for comparing your own runs; it depends on the resting and maximum "
        "heart rates used, which are estimates unless you enter them."
    ),
}
_HRV_EVIDENCE = {
    "grade": "V",
    "sources": ["Task Force ESC/NASPE 1996 Eur Heart J 17:354-381 (RMSSD definition)"],
    "note": (
        "RMSSD during running reflects exercise, not recovery: it is not resting HRV and is not "
        "used for a readiness or recovery trend."
    ),
}


@dataclass(frozen=True)
class ContextParams:
    """Settings of the per-run context (defaults documented in the module docstring)."""

    #: Side of the road the runner runs on, relative to the direction of travel at the start:
    #: ``"left"`` (facing traffic where traffic drives on the right), ``"right"`` or ``None``
    #: (camber exposure not computed).
    declared_road_side: str | None = None
    #: True when the runner crosses the road at the turnaround of an out-and-back (keeps the
    #: same side relative to travel, e.g. always facing traffic).
    crosses_at_turnaround: bool = False
    hr_rest_bpm: float | None = None
    hr_max_bpm: float | None = None
    #: TRIMP weighting: ``"male"`` (default) or ``"female"``.
    sex: str = "male"
    #: Area searched for a track: within this distance (m) of the path's median point.
    track_area_radius_m: float = 125.0
    #: Share of the running time in that area (a warm-up and cool-down on the roads are allowed).
    track_min_share: float = 0.5
    #: Accepted stadium fits (module docstring): straight length and bend radius, m.
    track_straight_m: tuple[float, float] = (70.0, 105.0)
    track_radius_m: tuple[float, float] = (30.0, 52.0)
    track_fit_rms_m: float = 6.0
    track_fit_systematic_m: float = 2.0
    track_min_laps: float = 2.0
    retrace_m: float = 30.0
    retrace_min_share: float = 0.70
    loop_close_m: float = 150.0
    loop_close_fraction: float = 0.03

    def __post_init__(self) -> None:
        if self.declared_road_side not in (None, "left", "right"):
            raise ValueError("declared_road_side must be 'left', 'right' or None")
        if self.sex not in TRIMP_WEIGHTING:
            raise ValueError(f"sex must be one of {sorted(TRIMP_WEIGHTING)}")


@dataclass
class RunContext:
    """Context of one run; :meth:`to_dict` is the ``"context"`` key of the run document."""

    surface: str
    route_shape: str | None
    route: dict[str, Any]
    track: dict[str, Any]
    turning: dict[str, Any]
    grade_exposure: dict[str, Any]
    camber_exposure: dict[str, Any]
    load: dict[str, Any]
    hrv_rmssd_ms: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    legs: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # a fresh copy of every dict/list: the evidence objects are shared module constants
        # (a plain recursive copy, ~10x cheaper than copy.deepcopy's memo and dispatch)
        return _plain_copy(
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


# --------------------------------------------------------------------------------- helpers
def _plain_copy(value: Any) -> Any:
    """Copy of nested dicts, lists and tuples (fresh containers); scalars and strings shared,
    anything else deep-copied, so the result equals ``copy.deepcopy(value)``."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain_copy(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return copy.deepcopy(value)


def _r(x: float | None, nd: int = 1) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), nd)


def _fill_monotonic(d: np.ndarray) -> np.ndarray:
    d = d.copy()
    ok = np.isfinite(d)
    if not ok.any():
        return d
    idx = np.where(ok, np.arange(len(d)), 0)
    np.maximum.accumulate(idx, out=idx)
    d = d[idx]
    d[: int(np.argmax(ok))] = d[int(np.argmax(ok))]
    return np.maximum.accumulate(d)


def _distance(act: Activity) -> np.ndarray:
    """Cumulative distance (m), filled and non-decreasing; from speed when the file has none."""
    d = act.column(consts.DISTANCE_M)
    if np.isfinite(d).any():
        return _fill_monotonic(d)
    t = act.samples[consts.TIME_S]
    v = np.nan_to_num(act.column(consts.SPEED_M_S))
    if len(t) < 2:
        return np.zeros(len(t))
    dt = np.clip(np.diff(t), 0.0, 10.0)
    return np.concatenate(([0.0], np.cumsum(v[:-1] * dt)))


def _increments_m(act: Activity) -> np.ndarray:
    """Metres covered from each sample to the next (the last sample gets 0)."""
    d = _distance(act)
    if len(d) < 2:
        return np.zeros(len(d))
    inc = np.diff(d, append=d[-1])
    return np.clip(np.nan_to_num(inc), 0.0, None)


def _local_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat0 = float(np.nanmedian(lat))
    lon0 = float(np.nanmedian(lon))
    x = np.radians(lon - lon0) * _EARTH_R_M * math.cos(math.radians(lat0))
    y = np.radians(lat - lat0) * _EARTH_R_M
    return x, y


@dataclass
class _Path:
    """Running samples with positions, in local metres, and their cumulative distance."""

    idx: np.ndarray
    x: np.ndarray
    y: np.ndarray
    d: np.ndarray
    w: np.ndarray


def _path(act: Activity, g: Gating) -> _Path | None:
    if not g.has_position or g.indoor:
        return None
    lat = act.column(consts.LAT_DEG)
    lon = act.column(consts.LON_DEG)
    ok = g.running & np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 30:
        return None
    idx = np.flatnonzero(ok)
    x, y = _local_xy(lat[idx], lon[idx])
    d = _distance(act)[idx]
    return _Path(idx, x, y, d, g.weight_s[idx])


def surface_class(act: Activity, g: Gating, *, is_track: bool) -> str:
    """``"treadmill"``, ``"track"``, ``"trail"`` or ``"road"`` (see module docstring)."""
    sub = (act.meta.sub_sport or "").lower()
    if sub in _INDOOR_SUB_SPORTS or (act.meta.indoor and not g.has_position):
        return "treadmill"
    if is_track or sub == "track":
        return "track"
    if sub == "trail":
        return "trail"
    return "road"


# --------------------------------------------------------------------------------- track
def _signed_area(x: np.ndarray, y: np.ndarray) -> float:
    """Shoelace sum over consecutive points: > 0 for a counter-clockwise path."""
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def _stadium_residual(q: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Signed distance (m) of each point from the stadium ``q = (cx, cy, θ, half_straight, r)``."""
    cx, cy, th, a, r = q
    c, sn = math.cos(th), math.sin(th)
    u = (x - cx) * c + (y - cy) * sn
    v = -(x - cx) * sn + (y - cy) * c
    return np.asarray(np.hypot(np.maximum(np.abs(u) - abs(a), 0.0), v) - r)


def _stadium_frame(q: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cx, cy, th = q[0], q[1], q[2]
    c, sn = math.cos(th), math.sin(th)
    return (x - cx) * c + (y - cy) * sn, -(x - cx) * sn + (y - cy) * c


def stadium_systematic_misfit_m(q: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """RMS over 36 angular sectors (around the centre) of the mean distance from the stadium.

    GPS noise averages out over laps within a sector; a loop of another shape (an ellipse, a
    rounded polygon) leaves a systematic pattern. Sectors with fewer than 5 points are skipped.
    """
    res = _stadium_residual(q, x, y)
    u, v = _stadium_frame(q, x, y)
    b = np.floor((np.arctan2(v, u) + np.pi) / (2 * np.pi) * 36).astype(np.int64) % 36
    cnt = np.bincount(b, minlength=36)
    tot = np.bincount(b, weights=res, minlength=36)
    ok = cnt >= 5
    if not ok.any():
        return math.inf
    return float(np.sqrt(np.mean((tot[ok] / cnt[ok]) ** 2)))


def fit_stadium(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares stadium through points ``(x, y)`` (m): ``(cx, cy, θ, half_straight, r)``
    and the RMS distance of the points from it (Levenberg–Marquardt from a principal-axes start,
    refitted once without points beyond 3 robust SD).

    Examples
    --------
    >>> s = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    >>> x, y = 1.5 * np.cos(s), np.sin(s)  # an ellipse is not a stadium: a large RMS
    >>> q, rms = fit_stadium(60 * x, 40 * y)
    >>> bool(rms > 1.0)
    True
    """
    pts = np.column_stack((x - x.mean(), y - y.mean()))
    _, _, vt = np.linalg.svd(pts, full_matrices=False)
    th = math.atan2(vt[0, 1], vt[0, 0])
    proj = pts @ vt.T
    ext = np.percentile(proj, 99, axis=0) - np.percentile(proj, 1, axis=0)
    r0 = max(ext[1] / 2.0, 1.0)
    q = np.array([x.mean(), y.mean(), th, max(ext[0] / 2.0 - r0, 1.0), r0])
    use = np.ones(len(x), dtype=bool)
    for _round in range(2):
        q = _levenberg_marquardt(q, x[use], y[use])
        res = _stadium_residual(q, x, y)
        sd = 1.4826 * float(np.median(np.abs(res - np.median(res)))) or 1.0
        use = np.abs(res) <= max(3.0 * sd, 3.0)
        if use.sum() < 10:
            break
    q[3] = abs(q[3])
    res = _stadium_residual(q, x[use], y[use])
    return q, float(np.sqrt(np.mean(res**2))) if len(res) else math.inf


def _levenberg_marquardt(q: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    lam = 1e-2
    res = _stadium_residual(q, x, y)
    cost = float(res @ res)
    steps = np.array([1e-3, 1e-3, 1e-5, 1e-3, 1e-3])
    for _ in range(60):
        jac = np.empty((len(x), 5))
        for k in range(5):
            dq = np.zeros(5)
            dq[k] = steps[k]
            jac[:, k] = (_stadium_residual(q + dq, x, y) - res) / steps[k]
        jtj = jac.T @ jac
        g = jac.T @ res
        while True:
            try:
                delta = np.linalg.solve(jtj + lam * np.diag(np.diag(jtj) + 1e-9), -g)
            except np.linalg.LinAlgError:
                return q
            cand = q + delta
            r2 = _stadium_residual(cand, x, y)
            c2 = float(r2 @ r2)
            if c2 < cost:
                q, res, lam = cand, r2, max(lam / 3.0, 1e-7)
                done = cost - c2 < 1e-9 * max(cost, 1.0)
                cost = c2
                break
            lam *= 4.0
            if lam > 1e8:
                return q
        if done:
            break
    return q


def _busiest_area(path: _Path, radius_m: float) -> tuple[float, float]:
    """Centre of the circle of ``radius_m`` holding the most running time (25 m grid start, then
    three mean-shift steps), so a warm-up on the roads does not pull the centre off the track."""
    cell = 25.0
    ix = np.floor((path.x - path.x.min()) / cell).astype(np.int64)
    iy = np.floor((path.y - path.y.min()) / cell).astype(np.int64)
    # occupied cells only: memory grows with the points, never with the span (a GPS jump across
    # the globe made a dense grid of 1.67 TiB, issue 14)
    _cells, key = np.unique(np.column_stack((ix, iy)), axis=0, return_inverse=True)
    key = key.ravel()
    k = int(np.argmax(np.bincount(key, weights=path.w)))
    on = key == k
    cx, cy = float(path.x[on].mean()), float(path.y[on].mean())
    for _ in range(3):
        near = np.hypot(path.x - cx, path.y - cy) <= radius_m
        wn = path.w[near]
        if wn.sum() <= 0:
            break
        cx = float(np.sum(path.x[near] * wn) / wn.sum())
        cy = float(np.sum(path.y[near] * wn) / wn.sum())
    return cx, cy


def detect_track(act: Activity, g: Gating, params: ContextParams | None = None) -> dict[str, Any]:
    """Is this a 400 m track session? See the module docstring for the rule.

    Returns a dict: ``is_track``, ``detected_by`` (``"gps"``, ``"sub_sport"`` or null),
    ``laps``, ``lap_length_m`` (of the fitted stadium), ``direction``
    (``"counter-clockwise"``/``"clockwise"``/null), ``turn_share_pct`` (share of track running
    time on the bends), ``straight_m``, ``bend_radius_m``, ``lane_estimate``, ``fit_rms_m``,
    ``share_in_area`` (of running time), ``reason`` and ``evidence``.
    """
    p = params or ContextParams()
    out: dict[str, Any] = {
        "is_track": False,
        "detected_by": None,
        "laps": None,
        "lap_length_m": None,
        "direction": None,
        "turn_share_pct": None,
        "straight_m": None,
        "bend_radius_m": None,
        "lane_estimate": None,
        "fit_rms_m": None,
        "fit_systematic_m": None,
        "share_in_area": None,
        "reason": None,
        "evidence": _TRACK_EVIDENCE,
    }
    sub_track = (act.meta.sub_sport or "").lower() == "track"
    path = _path(act, g)
    run_m = float(_increments_m(act)[g.running].sum())
    geo = TRACK_GEOMETRY_M
    lap1 = 2 * geo["straight"] + 2 * math.pi * (geo["bend_radius"] + geo["line_lane1"])
    if path is None:
        if sub_track:
            out.update(
                is_track=True,
                detected_by="sub_sport",
                laps=_r(run_m / lap1, 1),
                reason="the file's sub-sport is 'track'; no positions for the lap geometry",
            )
        else:
            out["reason"] = "no GPS positions"
        return out
    cx, cy = _busiest_area(path, p.track_area_radius_m)
    inside = np.hypot(path.x - cx, path.y - cy) <= p.track_area_radius_m
    share = float(path.w[inside].sum() / max(path.w.sum(), 1e-9))
    out["share_in_area"] = round(share, 3)
    on = np.zeros(len(path.x), dtype=bool)
    geometry_ok = False
    q: np.ndarray | None = None
    if share >= p.track_min_share and inside.sum() >= 30:
        idx = np.flatnonzero(inside)
        sub = idx[:: max(1, len(idx) // 2000)]
        q, rms = fit_stadium(path.x[sub], path.y[sub])
        straight, radius = 2.0 * float(q[3]), float(q[4])
        out.update(
            straight_m=_r(straight, 1), bend_radius_m=_r(radius, 1), fit_rms_m=_r(rms, 1),
            lap_length_m=_r(2 * straight + 2 * math.pi * radius, 1),
        )
        res = _stadium_residual(q, path.x, path.y)
        on = inside & (np.abs(res) <= max(3.0 * rms, 10.0))
        u, _v = _stadium_frame(q, path.x, path.y)
        a = float(q[3])
        lap = 2 * straight + 2 * math.pi * radius
        sections = (u > a, u < -a, (np.abs(u) <= a) & (_v > 0), (np.abs(u) <= a) & (_v <= 0))
        expected = (math.pi * radius / lap,) * 2 + (straight / lap,) * 2
        counts = [float(np.mean(m[on])) if on.any() else 0.0 for m in sections]
        dist_on = float(np.sum(np.diff(path.d)[on[1:] & on[:-1]].clip(0.0, 50.0)))
        problems = []
        systematic = stadium_systematic_misfit_m(q, path.x[on], path.y[on])
        out["fit_systematic_m"] = _r(systematic, 1)
        if rms > p.track_fit_rms_m or systematic > p.track_fit_systematic_m:
            problems.append(
                f"the path is {rms:.0f} m (RMS; {systematic:.1f} m systematic) off the best "
                "two-straight, two-bend track shape"
            )
        if not p.track_straight_m[0] <= straight <= p.track_straight_m[1]:
            problems.append(f"its straights would be {straight:.0f} m long")
        if not p.track_radius_m[0] <= radius <= p.track_radius_m[1]:
            problems.append(f"its bends would have a {radius:.0f} m radius")
        if any(c < 0.5 * e for c, e in zip(counts, expected, strict=True)):
            problems.append("the path does not go all the way round both bends and straights")
        if dist_on < p.track_min_laps * lap:
            problems.append(f"only {dist_on / lap:.1f} laps")
        if problems:
            out["reason"] = "not a track: " + "; ".join(problems)
        else:
            geometry_ok = True
            wb = float(path.w[on & ((u > a) | (u < -a))].sum())
            lane = 1 + (radius - geo["bend_radius"] - geo["line_lane1"]) / geo["lane_width"]
            out.update(
                laps=_r(dist_on / lap, 1),
                turn_share_pct=_r(100.0 * wb / max(float(path.w[on].sum()), 1e-9), 1),
                lane_estimate=int(min(max(round(lane), 1), 9)),
            )
    else:
        out["reason"] = (
            f"only {100 * share:.0f} % of the running time is within one track-sized area"
        )
    if geometry_ok or sub_track:
        sel = on if geometry_ok else np.ones(len(path.x), dtype=bool)
        area = _signed_area(path.x[sel], path.y[sel])
        if not geometry_ok:
            out["laps"] = _r(run_m / lap1, 1)
            share_bend = g.bend_left | g.bend_right
            run_w = float(g.weight_s[g.running].sum())
            if run_w > 0:
                out["turn_share_pct"] = _r(
                    100.0 * float(g.weight_s[g.running & share_bend].sum()) / run_w, 1
                )
        out.update(
            is_track=True,
            detected_by="gps" if geometry_ok else "sub_sport",
            direction="counter-clockwise" if area > 0 else "clockwise",
            reason=None if geometry_ok else "the file's sub-sport is 'track'",
        )
    return out


# --------------------------------------------------------------------------------- turning / grade
def turning(act: Activity, g: Gating) -> dict[str, Any]:
    """Seconds and metres of running on left-hand and right-hand bends; left share of bend time."""
    if not g.has_position or g.indoor:
        return {
            "left_s": None,
            "right_s": None,
            "left_m": None,
            "right_m": None,
            "left_share_pct": None,
            "reason": "no GPS positions",
            "evidence": _TURN_EVIDENCE,
        }
    w = g.weight_s
    inc = _increments_m(act)
    ls, rs = float(w[g.bend_left].sum()), float(w[g.bend_right].sum())
    return {
        "left_s": _r(ls),
        "right_s": _r(rs),
        "left_m": _r(float(inc[g.bend_left].sum())),
        "right_m": _r(float(inc[g.bend_right].sum())),
        "left_share_pct": _r(100.0 * ls / (ls + rs), 1) if ls + rs > 0 else None,
        "reason": None if ls + rs > 0 else "no bends",
        "evidence": _TURN_EVIDENCE,
    }


def grade_exposure(act: Activity, g: Gating) -> dict[str, Any]:
    """Running time and distance uphill/flat/downhill; ascent and descent (module docstring)."""
    keys = ("uphill_s", "flat_s", "downhill_s", "uphill_m", "flat_m", "downhill_m")
    if not g.has_altitude or g.indoor:
        out: dict[str, Any] = dict.fromkeys(keys)
        out.update(ascent_m=None, descent_m=None, reason="no altitude")
        return out
    w = g.weight_s
    inc = _increments_m(act)
    out = {}
    for name, m in (("uphill", g.uphill), ("flat", g.flat & g.running), ("downhill", g.downhill)):
        out[f"{name}_s"] = _r(float(w[m].sum()))
        out[f"{name}_m"] = _r(float(inc[m].sum()))
    moving = ~g.stopped & np.isfinite(g.grade_pct)
    gr = np.where(moving, g.grade_pct, 0.0) / 100.0
    out["ascent_m"] = _r(float(np.sum(np.clip(gr, 0.0, None) * inc)))
    out["descent_m"] = _r(float(np.sum(np.clip(-gr, 0.0, None) * inc)))
    out["reason"] = None
    return {k: out[k] for k in (*keys, "ascent_m", "descent_m", "reason")}


# --------------------------------------------------------------------------------- route / camber
def _nearest(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each point a, the distance to the nearest point b and that point's index (chunked)."""
    dist = np.empty(len(ax))
    arg = np.empty(len(ax), dtype=np.int64)
    for s in range(0, len(ax), 500):
        dx = ax[s : s + 500, None] - bx[None, :]
        dy = ay[s : s + 500, None] - by[None, :]
        d2 = dx * dx + dy * dy
        k = np.argmin(d2, axis=1)
        arg[s : s + 500] = k
        dist[s : s + 500] = np.sqrt(d2[np.arange(len(k)), k])
    return dist, arg


def _heading(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hx = np.gradient(x) if len(x) > 1 else np.zeros_like(x)
    hy = np.gradient(y) if len(y) > 1 else np.zeros_like(y)
    n = np.hypot(hx, hy)
    n[n == 0] = 1.0
    return hx / n, hy / n


def route_shape(
    act: Activity, g: Gating, *, is_track: bool, params: ContextParams | None = None
) -> tuple[str | None, dict[str, Any]]:
    """Classify the route (module docstring) and return ``(shape, details)``.

    ``details`` holds ``start_end_m`` (start-to-end distance), ``retrace_share`` (share of the
    path after the turnaround that retraces the path before it in the opposite direction),
    ``turnaround_s`` (``time_s`` of the point farthest from the start) and ``laps_past_start``
    (the path passed its start again in the starting direction).
    """
    p = params or ContextParams()
    det: dict[str, Any] = {
        "start_end_m": None,
        "retrace_share": None,
        "turnaround_s": None,
        "laps_past_start": False,
    }
    if surface_class(act, g, is_track=False) == "treadmill":
        return "treadmill", det
    if is_track:
        return "track", det
    path = _path(act, g)
    if path is None:
        return None, det
    # ≤ 1,200 points: the nearest-point search is quadratic, and 10–40 m spacing resolves the
    # 30 m retrace tolerance on runs up to ~50 km.
    step = max(1, len(path.x) // 1200)
    x, y, d = path.x[::step], path.y[::step], path.d[::step]
    t = act.samples[consts.TIME_S][path.idx[::step]]
    start_end = float(math.hypot(x[-1] - x[0], y[-1] - y[0]))
    far = int(np.argmax(np.hypot(x - x[0], y - y[0])))
    det["start_end_m"] = round(start_end, 1)
    det["turnaround_s"] = round(float(t[far]), 1)
    total = float(d[-1] - d[0])
    hx, hy = _heading(x, y)
    if 10 <= far <= len(x) - 10:
        a = slice(far, len(x))
        b = slice(0, far)
        dist, arg = _nearest(x[a], y[a], x[b], y[b])
        opposite = (hx[a] * hx[b][arg] + hy[a] * hy[b][arg]) < -0.5
        share = float(np.mean((dist <= p.retrace_m) & opposite))
        det["retrace_share"] = round(share, 3)
        if share >= p.retrace_min_share:
            return "out_and_back", det
    if start_end <= max(p.loop_close_m, p.loop_close_fraction * total):
        return "loop", det
    # a lapped loop that ends part-way round: the path passes the start again, in the same
    # direction, after at least LOOP_MIN_LAP_M
    later = (d - d[0]) >= LOOP_MIN_LAP_M
    near = np.hypot(x - x[0], y - y[0]) <= p.retrace_m
    k = min(len(x) - 1, 5)
    h0x, h0y = x[k] - x[0], y[k] - y[0]
    n0 = math.hypot(h0x, h0y) or 1.0
    same_dir = (hx * h0x + hy * h0y) / n0 > 0.5
    if bool(np.any(later & near & same_dir)):
        det["laps_past_start"] = True
        return "loop", det
    return "point_to_point", det


def camber_exposure(
    act: Activity,
    g: Gating,
    *,
    surface: str,
    shape: str | None,
    turnaround_s: float | None,
    params: ContextParams | None = None,
) -> dict[str, Any]:
    """Share of road running time with the road edge on the same side (relative to travel) as at
    the start, and — when a road side is declared — with the LEFT or RIGHT foot on the low side.

    Model and evidence (U) in the module docstring.
    """
    p = params or ContextParams()
    out: dict[str, Any] = {
        "declared_road_side": p.declared_road_side,
        "crosses_at_turnaround": p.crosses_at_turnaround,
        "road_running_s": None,
        "same_side_as_start_pct": None,
        "left_foot_low_pct": None,
        "right_foot_low_pct": None,
        "reason": None,
        "evidence": _ROAD_EVIDENCE,
    }
    if surface != "road":
        out["road_running_s"] = 0.0
        out["reason"] = f"{surface} run: no road camber"
        return out
    if shape is None:
        out["reason"] = "no GPS positions: the route shape is unknown"
        return out
    w = g.weight_s
    run = g.running
    total = float(w[run].sum())
    out["road_running_s"] = _r(total)
    if total <= 0:
        out["reason"] = "no running"
        return out
    same = np.ones(len(w), dtype=bool)
    if shape == "out_and_back" and not p.crosses_at_turnaround and turnaround_s is not None:
        same = act.samples[consts.TIME_S] < turnaround_s
    same_pct = 100.0 * float(w[run & same].sum()) / total
    out["same_side_as_start_pct"] = round(same_pct, 1)
    if p.declared_road_side is None:
        out["reason"] = "no road side declared"
        return out
    left = same_pct if p.declared_road_side == "left" else 100.0 - same_pct
    out["left_foot_low_pct"] = round(left, 1)
    out["right_foot_low_pct"] = round(100.0 - left, 1)
    return out


# --------------------------------------------------------------------------------- load / HRV
def trimp_from_histogram(
    start_bpm: int,
    seconds: np.ndarray | list[float],
    *,
    hr_rest_bpm: float,
    hr_max_bpm: float,
    sex: str = "male",
) -> float:
    """Banister TRIMP from the time (s) spent at each whole bpm from ``start_bpm`` upwards.

    Examples
    --------
    A 45 min session at 150 bpm (rest 60, max 190, men): x = 90/130 = 0.6923, weighting
    0.64·e^(1.92·0.6923) = 2.418, TRIMP = 45 · 0.6923 · 2.418 (calculator pages that round the
    weighting to 2.4191 print 75.36).

    >>> round(trimp_from_histogram(150, [45 * 60.0], hr_rest_bpm=60, hr_max_bpm=190), 2)
    75.33
    """
    a, b = TRIMP_WEIGHTING[sex]
    s = np.asarray(seconds, dtype=np.float64)
    hr = start_bpm + np.arange(len(s), dtype=np.float64)
    x = np.clip((hr - hr_rest_bpm) / max(hr_max_bpm - hr_rest_bpm, 1.0), 0.0, 1.0)
    return float(np.sum(s / 60.0 * x * a * np.exp(b * x)))


def legs_summary(act: Activity, g: Gating) -> list[dict[str, Any]]:
    """One entry per analysed leg (module docstring), in time order."""
    t = act.samples[consts.TIME_S]
    legs = g.leg_ids
    segs = sorted((s for s in act.meta.segments if s.analysed), key=lambda s: s.start_s)
    d = _distance(act)
    w = g.weight_s
    main = g.main_leg
    out = []
    for k in np.unique(legs):
        on = legs == k
        tk = t[on]
        seg = segs[int(k)] if int(k) < len(segs) else None
        start_s = float(tk[0])
        start = (
            None
            if act.meta.start_time is None
            else (act.meta.start_time + timedelta(seconds=start_s)).isoformat()
        )
        dk = d[on]
        out.append(
            {
                "leg": int(k) + 1,
                "sport": seg.sport if seg is not None else act.meta.sport,
                "sub_sport": seg.sub_sport if seg is not None else act.meta.sub_sport,
                "start_time": start,
                "start_s": _r(start_s),
                "end_s": _r(float(tk[-1])),
                "elapsed_s": _r(float(tk[-1] - tk[0])),
                "moving_s": _r(float(w[on & ~g.stopped].sum())),
                "running_s": _r(float(w[on & g.running].sum())),
                "distance_m": _r(float(dk[-1] - dk[0])) if np.isfinite(dk).all() else None,
                "drift": int(k) == main,
            }
        )
    return out


def legs_totals(legs: list[dict[str, Any]]) -> tuple[float, float | None]:
    """Elapsed time (s) and distance (m) summed over the legs: a run–bike–run's running, not the
    span from the first run's start to the second run's end (which holds the bike)."""
    dur = float(sum(leg["elapsed_s"] or 0.0 for leg in legs))
    dists = [leg["distance_m"] for leg in legs]
    return dur, None if any(d is None for d in dists) else float(sum(dists))


def load_summary(act: Activity, g: Gating, params: ContextParams | None = None) -> dict[str, Any]:
    """Moving and elapsed time, distance, running time, median steady speed, HR summary and TRIMP
    (over the moving samples: a paused run's stop is not load)."""
    p = params or ContextParams()
    w = g.weight_s
    spd = act.column(consts.SPEED_M_S)
    steady_spd = spd[g.steady & np.isfinite(spd)]
    hr = act.column(consts.HEART_RATE_BPM)
    ok = np.isfinite(hr) & (hr >= 30) & (hr <= 240) & ~g.stopped
    moving_s = float(w[~g.stopped].sum())
    elapsed_s, distance_m = legs_totals(legs_summary(act, g))
    out: dict[str, Any] = {
        "duration_s": _r(moving_s),
        "elapsed_s": _r(elapsed_s),
        "moving_s": _r(moving_s),
        "running_s": _r(float(w[g.running].sum())),
        "distance_m": _r(distance_m),
        "median_speed_m_s": _r(float(np.median(steady_spd)), 3) if len(steady_spd) else None,
        "hr_s": None,
        "hr_mean_bpm": None,
        "hr_peak_bpm": None,
        "trimp": None,
        "trimp_params": None,
        "hr_histogram": None,
        "evidence": _TRIMP_EVIDENCE,
    }
    if ok.sum() < 60:
        out["trimp_reason"] = "no heart rate"
        return out
    hw = w[ok]
    hv = hr[ok]
    peak = float(np.percentile(hv, 99.5))
    bpm = np.rint(hv).astype(np.int64)
    lo = int(bpm.min())
    hist = np.bincount(bpm - lo, weights=hw)
    rest = p.hr_rest_bpm if p.hr_rest_bpm is not None else DEFAULT_HR_REST_BPM
    if p.hr_max_bpm is not None:
        hmax, src = p.hr_max_bpm, "given"
    elif peak > DEFAULT_HR_MAX_BPM:
        hmax, src = peak, "this run's 99.5th percentile (above the default)"
    else:
        hmax, src = DEFAULT_HR_MAX_BPM, "default"
    out.update(
        hr_s=_r(float(hw.sum())),
        hr_mean_bpm=_r(float(np.sum(hv * hw) / max(hw.sum(), 1e-9))),
        hr_peak_bpm=_r(peak),
        trimp=_r(trimp_from_histogram(lo, hist, hr_rest_bpm=rest, hr_max_bpm=hmax, sex=p.sex)),
        trimp_params={
            "hr_rest_bpm": rest,
            "hr_rest_source": "given" if p.hr_rest_bpm is not None else "default",
            "hr_max_bpm": round(hmax, 1),
            "hr_max_source": src,
            "sex": p.sex,
        },
        hr_histogram={"start_bpm": lo, "seconds": [round(float(s), 1) for s in hist]},
    )
    return out


def hrv_summary(act: Activity, g: Gating) -> dict[str, Any]:
    """In-run RMSSD, or resting RMSSD for a short still recording (module docstring)."""
    rr = act.meta.extra.get("rr_intervals_s")
    out: dict[str, Any] = {
        "in_run": None,
        "resting": None,
        "n_intervals": 0,
        "n_rejected": 0,
        "reason": None,
        "evidence": _HRV_EVIDENCE,
    }
    if rr is None or len(rr) == 0:
        out["reason"] = "no R-R intervals in the file"
        return out
    value, n_ok, n_bad = rmssd_ms(np.asarray(rr, dtype=np.float64), min_diffs=MIN_RR)
    out.update(n_intervals=n_ok, n_rejected=n_bad)
    if value is None:
        out["reason"] = f"too few clean R-R intervals ({n_ok})"
        return out
    still = not bool((g.running | g.walking).any())
    if act.duration_s < RESTING_MAX_S and still:
        out["resting"] = value
    else:
        out["in_run"] = value
        out["reason"] = (
            "in-run RMSSD: measured while moving, not resting HRV (a resting value needs a "
            "recording under 10 min without movement)"
        )
    return out


# --------------------------------------------------------------------------------- header
def _clock(seconds: float | None) -> str:
    s = round(seconds or 0.0)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def header_lines(context: dict[str, Any] | None) -> list[str]:
    """Plain lines for a report header: the track (direction, turn share) and, for a multisport
    file, each running leg. ``context`` is :meth:`RunContext.to_dict`.

    >>> header_lines({"track": {"is_track": True, "detected_by": "gps",
    ...     "direction": "clockwise", "turn_share_pct": 62.8, "lane_estimate": 8, "laps": 10.2},
    ...     "legs": []})[0]
    'Track: clockwise, 63 % of the time on the bends, 10.2 laps, about lane 8 (from the GPS shape)'

    """
    if not context:
        return []
    out = []
    tr = context.get("track") or {}
    if tr.get("is_track"):
        parts = [tr.get("direction") or "direction unknown"]
        if tr.get("turn_share_pct") is not None:
            parts.append(f"{tr['turn_share_pct']:.0f} % of the time on the bends")
        if tr.get("laps") is not None:
            parts.append(f"{tr['laps']} laps")
        if tr.get("lane_estimate") is not None:
            parts.append(f"about lane {tr['lane_estimate']}")
        gps = tr.get("detected_by") == "gps"
        how = "from the GPS shape" if gps else "from the file's sub-sport"
        out.append(f"Track: {', '.join(parts)} ({how})")
    legs = context.get("legs") or []
    # several legs, or one leg that starts after other sports (a triathlon's run)
    if len(legs) > 1 or (legs and (legs[0].get("start_s") or 0.0) > 60.0):
        items = []
        for leg in legs:
            dist = "" if leg.get("distance_m") is None else f", {leg['distance_m'] / 1000:.2f} km"
            start = (leg.get("start_time") or "")[11:16]
            when = f"{start} UTC" if start else _clock(leg["start_s"])
            num = f"{leg['leg']}) " if len(legs) > 1 else ""
            mark = " (drift measured on this leg)" if leg.get("drift") and len(legs) > 1 else ""
            items.append(f"{num}from {when}, {_clock(leg['elapsed_s'])}{dist}{mark}")
        out.append(("Running legs: " if len(legs) > 1 else "Running leg: ") + "; ".join(items))
    return out


# --------------------------------------------------------------------------------- all together
def run_context(act: Activity, g: Gating, params: ContextParams | None = None) -> RunContext:
    """Every context feature of one run (module docstring).

    Examples
    --------
    >>> from evenstride.simulate import simulate_run
    >>> from evenstride.preprocessing import label_samples
    >>> act = simulate_run(duration_s=1200, seed=1, route="track").activity
    >>> c = run_context(act, label_samples(act))
    >>> c.surface, c.track["direction"], c.route_shape
    ('track', 'counter-clockwise', 'track')
    """
    p = params or ContextParams()
    track = detect_track(act, g, p)
    surface = surface_class(act, g, is_track=bool(track["is_track"]))
    shape, route = route_shape(act, g, is_track=bool(track["is_track"]), params=p)
    camber = camber_exposure(
        act, g, surface=surface, shape=shape, turnaround_s=route["turnaround_s"], params=p
    )
    notes = []
    if (act.meta.sub_sport or "").lower() == "track" and track["detected_by"] == "sub_sport":
        notes.append("track session from the file's sub-sport; the GPS path did not confirm it")
    return RunContext(
        surface=surface,
        route_shape=shape,
        route=route,
        track=track,
        turning=turning(act, g),
        grade_exposure=grade_exposure(act, g),
        camber_exposure=camber,
        load=load_summary(act, g, p),
        hrv_rmssd_ms=hrv_summary(act, g),
        notes=notes,
        legs=legs_summary(act, g),
    )
