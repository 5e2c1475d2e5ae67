# SPDX-License-Identifier: MIT
"""The phases of a simulated run: drills, stops, walk breaks and the speed ramps after them, laid
out deterministically (module docstring of :mod:`evenstride.simulate`)."""

from __future__ import annotations

import numpy as np

from evenstride.simulate._truth import (
    ACCEL_S,
    DRILL_S,
    PHASE_ACCEL,
    PHASE_DRILL_LEFT,
    PHASE_DRILL_RIGHT,
    PHASE_RUN,
    PHASE_STOP,
    PHASE_WALK,
)


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
