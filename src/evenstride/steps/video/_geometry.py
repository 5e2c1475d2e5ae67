# SPDX-License-Identifier: MIT
"""Landmark → metric geometry in the image plane (pure functions; no pose model needed).

Image coordinates: x to the right, y **down** (pixels). Every function takes arrays of points
(N × 2) and works frame by frame.

Side view (``fwd`` = +1 when the runner faces image-right, −1 when image-left):

- segment angle from the downward vertical, + = the lower end ahead of the upper one:
  ``atan2(fwd·(x_low − x_up), y_low − y_up)``;
- **shank angle** = angle of knee → ankle (+ = ankle ahead of the knee, as the marker metric
  ``shank_angle_ic_deg``); **thigh angle** = angle of hip → knee;
- **knee flexion** = thigh − shank angle (0 straight, + flexed), as the lab metric
  (lab/_static_calibration.py); at mid-stance it is the **peak** of this angle during the
  stance (:func:`peak_between`), as gait labs report "mid-stance knee flexion";
- **trunk lean** = angle of hip centre → shoulder centre from the upward vertical, + = forward;
- **foot ahead** = fwd·(heel − hip centre) along x, as a share of leg length (%).

Rear view (camera behind the runner) or front view: ``lat`` = +1 when the runner's left is
image-right (front view), −1 when image-left (rear view):

- **pelvic obliquity**, + = left hip higher: ``atan2(y_R − y_L, lat·(x_L − x_R))``;
- **frontal-plane knee projection angle** (FPPA, + = knee medial of the hip–ankle line, valgus):
  shank minus thigh angle from the downward vertical, each + toward that leg's lateral side.
"""

from __future__ import annotations

import numpy as np


def segment_angle_deg(upper: np.ndarray, lower: np.ndarray, fwd: float) -> np.ndarray:
    """Angle of ``upper → lower`` from the downward vertical, + = lower end ahead (deg)."""
    d = lower - upper
    return np.degrees(np.arctan2(fwd * d[..., 0], d[..., 1]))


def shank_angle_deg(knee: np.ndarray, ankle: np.ndarray, fwd: float) -> np.ndarray:
    return segment_angle_deg(knee, ankle, fwd)


def knee_flexion_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
                     fwd: float) -> np.ndarray:
    return segment_angle_deg(hip, knee, fwd) - segment_angle_deg(knee, ankle, fwd)


def trunk_lean_deg(hip_c: np.ndarray, shoulder_c: np.ndarray, fwd: float) -> np.ndarray:
    d = shoulder_c - hip_c
    return np.degrees(np.arctan2(fwd * d[..., 0], -d[..., 1]))


def foot_ahead_pct(hip_c: np.ndarray, heel: np.ndarray, fwd: float,
                   leg_px: float) -> np.ndarray:
    return 100.0 * fwd * (heel[..., 0] - hip_c[..., 0]) / leg_px


def leg_length_px(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    """Median over frames of thigh + shank length (px) of one leg."""
    seg = np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
    seg = seg[np.isfinite(seg)]
    return float(np.median(seg)) if len(seg) else float("nan")


def pelvic_obliquity_deg(l_hip: np.ndarray, r_hip: np.ndarray, lat: float) -> np.ndarray:
    """+ = left hip higher in the image."""
    return np.degrees(np.arctan2(r_hip[..., 1] - l_hip[..., 1],
                                 lat * (l_hip[..., 0] - r_hip[..., 0])))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, lateral: float) -> np.ndarray:
    """Frontal-plane knee projection angle, + = valgus; ``lateral`` = image-x sign of this
    leg's lateral side."""
    return segment_angle_deg(knee, ankle, lateral) - segment_angle_deg(hip, knee, lateral)


def peak_between(t: np.ndarray, x: np.ndarray, start: np.ndarray,
                 end: np.ndarray) -> np.ndarray:
    """Largest value of ``x`` (sampled at ``t``) between each ``start`` and ``end`` time,
    refined by a parabola through the top frame and its neighbours when the top is inside the
    window (at 30 fps a stance holds only ≈ 7 frames); NaN when fewer than 2 finite frames."""
    out = np.full(len(start), np.nan)
    n = len(t)
    for k, (a, b) in enumerate(zip(start, end, strict=True)):
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        idx = np.flatnonzero((t >= a - 1e-9) & (t <= b + 1e-9))
        idx = idx[np.isfinite(x[idx])]
        if len(idx) < 2:
            continue
        j = int(idx[np.argmax(x[idx])])
        peak = float(x[j])
        if idx[0] < j < idx[-1] and 0 < j < n - 1:
            y0, y1, y2 = x[j - 1], x[j], x[j + 1]
            den = y0 - 2 * y1 + y2
            if np.isfinite(den) and den < 0:
                off = float(np.clip(0.5 * (y0 - y2) / den, -0.5, 0.5))
                peak = float(y1 - 0.25 * (y0 - y2) * off)
        out[k] = peak
    return out


def interp_at(t: np.ndarray, x: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``x`` (sampled at ``t``) at times ``at``; NaN where a neighbour is NaN or outside.

    Cubic (Catmull-Rom through the two frames either side) where those four frames are finite,
    else linear between the two neighbours. At 30 fps the knee turns from extension to flexion
    within about two frames of contact, and a straight chord across that trough read the knee
    ≈ 0.6° more flexed than the curve through it (virtual camera on RBDS001, docs/steps.md)."""
    out = np.full(len(at), np.nan)
    n = len(t)
    if n < 2:
        return out
    pos = np.interp(at, t, np.arange(n), left=np.nan, right=np.nan)
    ok = np.isfinite(pos)
    i0 = np.floor(pos[ok]).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    w = pos[ok] - i0
    val = (1 - w) * x[i0] + w * x[i1]
    ia, ib = np.clip(i0 - 1, 0, n - 1), np.clip(i0 + 2, 0, n - 1)
    p0, p1, p2, p3 = x[ia], x[i0], x[i1], x[ib]
    cub = 0.5 * (2 * p1 + (p2 - p0) * w + (2 * p0 - 5 * p1 + 4 * p2 - p3) * w ** 2
                 + (3 * p1 - p0 - 3 * p2 + p3) * w ** 3)
    use = (i0 >= 1) & (i0 + 2 <= n - 1) & np.isfinite(p0) & np.isfinite(p3) & np.isfinite(cub)
    out[ok] = np.where(use, cub, val)
    return out
