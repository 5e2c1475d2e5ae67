# SPDX-License-Identifier: MIT
"""Route geometry of the simulator: the loop, the 400 m track and the out-and-back road as
sequences of straights and arcs, positions/headings/curvature along them and the altitude
profiles (formulas in :mod:`evenstride.simulate`'s docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_ROUTES = ("loop", "track", "out_and_back", "treadmill")
_SUB_SPORT = {"loop": "generic", "track": "track", "out_and_back": "generic",
              "treadmill": "treadmill"}  # fmt: skip
_ORIGIN_LAT_DEG, _ORIGIN_LON_DEG = 46.948, 7.447
_EARTH_RADIUS_M = 6_371_008.8
_SEMICIRCLE_DEG = 180.0 / 2**31


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
