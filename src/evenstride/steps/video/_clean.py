# SPDX-License-Identifier: MIT
"""Cleaning of 2D keypoint trajectories, in the order the open video-gait tools use
(Sports2D/Pose2Sim, docs/libs.md "Video pose estimation"):

1. **likelihood**: points below :data:`MIN_LIKELIHOOD` = 0.3 are dropped (the anchors' default);
2. **left/right swap fix** (frame to frame): a pose model sometimes labels the near leg as the far
   one for a frame or two in a side view. For every frame the leg keypoints (hip, knee, ankle,
   heel, toe) are compared with the previous frame as labelled and as swapped; when swapped is
   closer by a clear margin (:data:`SWAP_MARGIN`) the labels are exchanged; when neither
   labelling is clearly closer (legs crossing) the model's labels stand. The model's own
   labelling wins overall: if more than half of the frames would be exchanged, the complement is;
   and a run of exchanged frames longer than :data:`MAX_SWAP_RUN_S` is given back the model's
   labels (a flip lasts a few frames; a long run is the fix having missed a flip's end).
3. **Hampel filter**: a point further than 3 scaled MADs from the median of a 7-frame window is an
   outlier and dropped;
4. **short gaps** (≤ :data:`MAX_GAP_S`) are filled linearly; longer ones stay NaN;
5. **zero-lag Butterworth low-pass** (order 2, applied forward and backward in effect: the
   ``lowpass`` of :mod:`evenstride.steps`), cut-off :func:`cutoff_hz` = min(12 Hz, fps/4):
   12 Hz suits running at ≥ 48 fps (docs/libs.md: ≈ 10–12 Hz at ≥ 60 fps); at 30 fps it is
   7.5 Hz so that the filter does not pass the noise band near Nyquist (engineering choice,
   grade U). Each run of finite values is filtered on its own.
"""

from __future__ import annotations

import numpy as np

from evenstride.steps import lowpass
from evenstride.steps.video._pose import KP, PoseSeries

MIN_LIKELIHOOD = 0.3
HAMPEL_HALF_WINDOW = 3
HAMPEL_K = 3.0
MAX_GAP_S = 0.1
#: Swapped labels must be closer than this share of the as-labelled distance to be swapped.
SWAP_MARGIN = 0.6
#: A run of exchanged frames longer than this is the fix losing its state, not a model flip: a
#: label flip lasts a few frames, and when the legs cross at mid-stance the distances cannot
#: tell the labels apart, so a fix that caught a flip may miss its end. On the treadmill clip
#: with the Tasks landmarker a 1–2-frame flip at frame 283 left every later frame exchanged
#: (77 frames, left and right contacts traded for the last 2.5 s).
MAX_SWAP_RUN_S = 0.25

_LEG = ("hip", "knee", "ankle", "heel", "toe")
_L = [KP[f"l_{j}"] for j in _LEG]
_R = [KP[f"r_{j}"] for j in _LEG]


def cutoff_hz(fps: float) -> float:
    return float(min(12.0, fps / 4.0))


def _swap(frame: np.ndarray) -> np.ndarray:
    out = frame.copy()
    out[_L], out[_R] = frame[_R], frame[_L]
    return out


def fix_swaps(xy: np.ndarray, max_run: int | None = None) -> tuple[np.ndarray, int]:
    """Exchange left/right leg labels on frames where swapped fits the last frame better;
    runs of exchanged frames longer than ``max_run`` frames are given back the model's
    labels."""
    n = len(xy)
    swapped = np.zeros(n, dtype=bool)
    prev: np.ndarray | None = None
    for i in range(n):
        raw = xy[i]
        if not np.isfinite(raw[_L + _R]).any():
            continue
        # exchanged only on clear evidence against the previous (corrected) frame; when the
        # two labellings are about as far (legs crossing), the model's labels stand, so a
        # missed end of a flip cannot carry over to the rest of the clip
        state = False
        if prev is not None:
            d_raw = _dist(raw[_L], prev[_L]) + _dist(raw[_R], prev[_R])
            d_swp = _dist(raw[_L], prev[_R]) + _dist(raw[_R], prev[_L])
            state = bool(np.isfinite(d_raw) and np.isfinite(d_swp)
                         and d_swp < SWAP_MARGIN * d_raw)
        swapped[i] = state
        prev = _swap(raw) if state else raw
    if swapped.sum() > 0.5 * n:  # the model's labelling wins overall
        swapped = ~swapped
    if max_run is not None:
        edges = np.flatnonzero(np.diff(np.r_[0, swapped.astype(np.int8), 0]))
        for a, b in zip(edges[0::2], edges[1::2], strict=True):
            if b - a > max_run:
                swapped[a:b] = False
    out = xy.copy()
    for i in np.flatnonzero(swapped):
        out[i] = _swap(xy[i])
    return out, int(swapped.sum())


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    d = np.sqrt(np.sum((a - b) ** 2, axis=-1))
    d = d[np.isfinite(d)]
    return float(np.sum(d)) if len(d) else np.nan


def hampel(x: np.ndarray, half: int = HAMPEL_HALF_WINDOW, k: float = HAMPEL_K) -> np.ndarray:
    """``x`` with outliers (> k scaled MADs from the rolling median) set to NaN."""
    n = len(x)
    if n < 2 * half + 1:
        return x.copy()
    pad = np.pad(x, half, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(win, axis=1)
            mad = 1.4826 * np.nanmedian(np.abs(win - med[:, None]), axis=1)
    out = x.copy()
    bad = np.isfinite(x) & np.isfinite(mad) & (np.abs(x - med) > k * np.maximum(mad, 1e-9))
    # a flat window (MAD 0) flags everything off the median: only reject with a real spread
    bad &= mad > 0
    out[bad] = np.nan
    return out


def fill_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear fill of NaN runs of at most ``max_gap`` samples between finite values."""
    out = x.copy()
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return out
    idx = np.arange(len(x))
    i = 0
    n = len(x)
    while i < n:
        if ok[i]:
            i += 1
            continue
        j = i
        while j < n and not ok[j]:
            j += 1
        if i > 0 and j < n and (j - i) <= max_gap:
            out[i:j] = np.interp(idx[i:j], [i - 1, j], [x[i - 1], x[j]])
        i = j
    return out


def _lowpass_runs(x: np.ndarray, fs: float, fc: float) -> np.ndarray:
    out = np.full_like(x, np.nan)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(np.int8), 0]))
    for a, b in zip(edges[0::2], edges[1::2], strict=True):
        out[a:b] = lowpass(x[a:b], fs, fc) if b - a >= 4 else x[a:b]
    return out


def clean(pose: PoseSeries) -> tuple[np.ndarray, dict[str, float]]:
    """Cleaned keypoints (frames × keypoints × 2) and what the cleaning did."""
    xy = pose.xy.copy()
    xy[pose.score < MIN_LIKELIHOOD] = np.nan
    n_pts = np.isfinite(pose.xy[..., 0]).sum()
    dropped_lk = int(n_pts - np.isfinite(xy[..., 0]).sum())
    xy, n_swapped = fix_swaps(xy, max_run=max(2, round(MAX_SWAP_RUN_S * pose.fps)))
    max_gap = max(1, round(MAX_GAP_S * pose.fps))
    fc = cutoff_hz(pose.fps)
    n_outliers = 0
    for k in range(xy.shape[1]):
        for c in range(2):
            s = xy[:, k, c]
            h = hampel(s)
            n_outliers += int(np.isfinite(s).sum() - np.isfinite(h).sum())
            xy[:, k, c] = _lowpass_runs(fill_gaps(h, max_gap), pose.fps, fc)
    total = max(1, xy.shape[0] * xy.shape[1])
    return xy, {
        "likelihood_dropped_pct": round(100.0 * dropped_lk / total, 2),
        "swapped_frames": n_swapped,
        "swapped_frames_pct": round(100.0 * n_swapped / max(1, xy.shape[0]), 2),
        "hampel_outliers_pct": round(100.0 * n_outliers / (2 * total), 2),
        "lowpass_cutoff_hz": round(fc, 2),
        "missing_after_cleaning_pct": round(
            100.0 * float(np.isnan(xy[..., 0]).sum()) / total, 2),
    }
