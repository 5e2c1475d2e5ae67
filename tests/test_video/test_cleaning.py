# SPDX-License-Identifier: MIT
"""Keypoint cleaning on synthetic trajectories with known faults."""

from __future__ import annotations

import numpy as np

from evenstride.steps.video import KP, PoseSeries, clean, cutoff_hz
from evenstride.steps.video._clean import fill_gaps, fix_swaps, hampel


def _legs(n: int = 120, fps: float = 60.0) -> np.ndarray:
    t = np.arange(n) / fps
    xy = np.zeros((n, len(KP), 2))
    for name, i in KP.items():
        off = 40.0 if name.startswith("l_") else -40.0
        xy[:, i, 0] = 300 + off * np.sin(2 * np.pi * 1.4 * t) + 3 * i
        xy[:, i, 1] = 100 + 20 * i + 5 * np.cos(2 * np.pi * 2.8 * t)
    return xy


def test_swap_fix_restores_labels_on_swapped_frames():
    xy = _legs()
    bad = xy.copy()
    for f in (30, 31, 77):
        for j in ("hip", "knee", "ankle", "heel", "toe"):
            bad[f, KP[f"l_{j}"]], bad[f, KP[f"r_{j}"]] = xy[f, KP[f"r_{j}"]], xy[f, KP[f"l_{j}"]]
    fixed, n = fix_swaps(bad)
    assert n == 3
    assert np.allclose(fixed, xy)


def test_hampel_drops_a_spike_and_gap_fill_bridges_short_gaps_only():
    x = np.sin(np.linspace(0, 3, 50))
    x[20] += 5.0
    h = hampel(x)
    assert np.isnan(h[20]) and np.isfinite(np.delete(h, 20)).all()
    g = fill_gaps(h, max_gap=2)
    assert abs(g[20] - np.sin(3 * 20 / 49)) < 0.01
    y = x.copy()
    y[10:15] = np.nan
    assert np.isnan(fill_gaps(y, max_gap=3)[10:15]).all()


def test_low_likelihood_points_are_dropped_then_filled_and_cutoff_follows_fps():
    xy = _legs()
    score = np.ones(xy.shape[:2])
    score[50, KP["l_knee"]] = 0.1
    pose = PoseSeries(xy, score, 60.0, 640, 480, "synthetic")
    out, info = clean(pose)
    assert info["likelihood_dropped_pct"] > 0
    assert abs(out[50, KP["l_knee"], 0] - xy[50, KP["l_knee"], 0]) < 2.0
    assert cutoff_hz(30.0) == 7.5 and cutoff_hz(60.0) == 12.0 and cutoff_hz(240.0) == 12.0


def test_swap_fix_does_not_keep_a_lost_state():
    """A two-frame flip whose end comes as the legs cross (both labellings equally far from the
    previous frame) must not leave every later frame exchanged. The old fix kept its state on
    such a frame: frames 40 to the end came out exchanged (then the complement, 0–39)."""
    xy = _legs()
    bad = xy.copy()
    for f in (40, 41):
        for j in ("hip", "knee", "ankle", "heel", "toe"):
            bad[f, KP[f"l_{j}"]], bad[f, KP[f"r_{j}"]] = xy[f, KP[f"r_{j}"]], xy[f, KP[f"l_{j}"]]
    # frame 42: legs crossing, both labellings equally far from frame 41 (no clear margin)
    for j in ("hip", "knee", "ankle", "heel", "toe"):
        mid = 0.5 * (xy[42, KP[f"l_{j}"]] + xy[42, KP[f"r_{j}"]])
        bad[42, KP[f"l_{j}"]] = bad[42, KP[f"r_{j}"]] = mid
    for max_run in (None, 8):
        fixed, n = fix_swaps(bad, max_run=max_run)
        assert n == 2, max_run
        assert np.allclose(fixed[:42], xy[:42]) and np.allclose(fixed[43:], xy[43:])


def test_a_long_exchanged_run_gets_the_model_labels_back():
    xy = _legs()
    long = xy.copy()
    for f in range(40, 60):
        for j in ("hip", "knee", "ankle", "heel", "toe"):
            long[f, KP[f"l_{j}"]], long[f, KP[f"r_{j}"]] = xy[f, KP[f"r_{j}"]], xy[f, KP[f"l_{j}"]]
    assert fix_swaps(long)[1] == 20
    assert fix_swaps(long, max_run=8)[1] == 0
