# SPDX-License-Identifier: MIT
"""Shared pieces of the per-run context modules (:mod:`~evenstride.metrics.track`,
:mod:`~evenstride.metrics.route`, :mod:`~evenstride.metrics.load`): the settings
(:class:`ContextParams`), rounding for the document, the distance along the run and the running
path in local metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity
from evenstride.preprocessing import Gating, fill_monotonic, local_xy

__all__ = [
    "TRIMP_WEIGHTING",
    "ContextParams",
    "RunPath",
    "cumulative_distance",
    "increments_m",
    "rounded",
    "running_path",
]

#: Banister's weighting ``a·e^(b·x)`` by sex (TRIMP, :mod:`~evenstride.metrics.load`).
TRIMP_WEIGHTING: Final[dict[str, tuple[float, float]]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
}


@dataclass(frozen=True)
class ContextParams:
    """Settings of the per-run context (each documented in the module that uses it:
    :mod:`~evenstride.metrics.track`, :mod:`~evenstride.metrics.route`,
    :mod:`~evenstride.metrics.load`)."""

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


def rounded(x: float | None, nd: int = 1) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), nd)


def cumulative_distance(act: Activity) -> np.ndarray:
    """Cumulative distance (m), filled and non-decreasing; from speed when the file has none."""
    d = act.column(consts.DISTANCE_M)
    if np.isfinite(d).any():
        return fill_monotonic(d)
    t = act.samples[consts.TIME_S]
    v = np.nan_to_num(act.column(consts.SPEED_M_S))
    if len(t) < 2:
        return np.zeros(len(t))
    dt = np.clip(np.diff(t), 0.0, 10.0)
    return np.concatenate(([0.0], np.cumsum(v[:-1] * dt)))


def increments_m(act: Activity) -> np.ndarray:
    """Metres covered from each sample to the next (the last sample gets 0)."""
    d = cumulative_distance(act)
    if len(d) < 2:
        return np.zeros(len(d))
    inc = np.diff(d, append=d[-1])
    return np.clip(np.nan_to_num(inc), 0.0, None)


@dataclass
class RunPath:
    """Running samples with positions, in local metres, and their cumulative distance."""

    idx: np.ndarray
    x: np.ndarray
    y: np.ndarray
    d: np.ndarray
    w: np.ndarray


def running_path(act: Activity, g: Gating) -> RunPath | None:
    if not g.has_position or g.indoor:
        return None
    lat = act.column(consts.LAT_DEG)
    lon = act.column(consts.LON_DEG)
    ok = g.running & np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 30:
        return None
    idx = np.flatnonzero(ok)
    x, y = local_xy(lat[idx], lon[idx])
    d = cumulative_distance(act)[idx]
    return RunPath(idx, x, y, d, g.weight_s[idx])
