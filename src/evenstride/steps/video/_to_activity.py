# SPDX-License-Identifier: MIT
"""Per-step video metrics per side → :class:`~evenstride.datatypes.Activity`, so that
:func:`evenstride.pipeline.analyze` judges them like every other per-step source.

Per stance (IC → TC of one foot; mid-stance = the moment the foot passes under the hip centre in a
side view, else the middle of the stance):

- timing: ``step_time`` (the other foot's previous IC → this IC), ``contact_time`` (TC − IC),
  ``flight_time`` (TC → the other foot's next IC), ``duty_factor`` (contact / stride, %);
  **indicative** below 100 fps (a 30 fps frame is 33 ms);
- side view: ``foot_ahead_ic_pct_leg`` (heel ahead of the hip centre at IC, % of leg length),
  ``shank_angle_ic_deg``, ``knee_flexion_ic_deg``, ``knee_flexion_midstance_deg`` (the peak
  knee flexion between IC and TC, as gait labs report mid-stance knee flexion) and
  ``trunk_lean_deg`` (at this side's mid-stance);
- rear/front view: ``pelvic_drop_deg`` (pelvic obliquity at mid-stance, swing side lower = +,
  clip median removed as in the marker metric), ``knee_fppa_deg`` (at mid-stance; **grade low**:
  2D frontal-plane knee angles agree poorly with 3D in running) and ``step_width_pct_leg``.

One sample row per left stride that has a right stance before the next left IC (as the lab
activity): ``time_s`` = left IC, ``cadence_spm`` = 120 / stride, ``contact_time_s`` = mean of the
two contacts; the side channels (source :data:`SRC_VIDEO`) hold that stride's left and right
values. Everything is an L − R difference in the unit (not ratio-scale) except the timing
channels, which the engine treats as it does for other sources.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import NotEnoughDataError
from evenstride.steps.video import _geometry as geo
from evenstride.steps.video._gait import SIDES, TIMING_FPS, VideoGait, pelvis_low_s

#: ``SidedChannel.source`` of values computed from 2D pose in a video.
SRC_VIDEO = "video_pose"

#: Evidence grade (science.md letters) and the reason, per video metric.
GRADES: dict[str, tuple[str, str]] = {
    consts.M_STEP_TIME: ("S", "step timing from foot contacts; cadence within ±2 steps/min of a "
                         "pose-free measurement on the real treadmill clip (docs/steps.md)"),
    consts.M_CONTACT_TIME: ("U", "indicative: frame-rate limited (±1 frame), contact threshold "
                            "not calibrated against force data"),
    consts.M_FLIGHT_TIME: ("U", "indicative: frame-rate limited (±1 frame)"),
    consts.M_DUTY_FACTOR: ("U", "indicative: frame-rate limited (±1 frame)"),
    consts.M_FOOT_AHEAD_IC_PCT_LEG: ("S", "sagittal 2D geometry checked against 3D markers "
                                     "projected through a virtual camera (docs/steps.md)"),
    consts.M_SHANK_ANGLE_IC_DEG: ("S", "sagittal 2D geometry checked against 3D markers"),
    consts.M_KNEE_FLEXION_IC_DEG: ("S", "sagittal 2D geometry checked against 3D markers"),
    consts.M_KNEE_FLEXION_MIDSTANCE_DEG: ("S", "sagittal 2D geometry checked against 3D "
                                          "markers"),
    consts.M_TRUNK_LEAN_DEG: ("U", "shoulder/hip keypoints stand in for the trunk; not "
                              "validated here"),
    consts.M_PELVIC_DROP_DEG: ("S", "frontal 2D geometry checked against 3D markers"),
    consts.M_KNEE_FPPA_DEG: ("U", "low: 2D frontal-plane knee projection agrees poorly with 3D "
                             "knee kinematics in running"),
    consts.M_STEP_WIDTH_PCT_LEG: ("U", "rear-view ankle positions; not validated here"),
}

_SIDE_VIEW = (consts.M_FOOT_AHEAD_IC_PCT_LEG, consts.M_SHANK_ANGLE_IC_DEG,
              consts.M_KNEE_FLEXION_IC_DEG, consts.M_KNEE_FLEXION_MIDSTANCE_DEG,
              consts.M_TRUNK_LEAN_DEG)
_REAR_VIEW = (consts.M_PELVIC_DROP_DEG, consts.M_KNEE_FPPA_DEG, consts.M_STEP_WIDTH_PCT_LEG)

_ORIGINS = {
    consts.M_STEP_TIME: "video: other foot's IC to this foot's IC (foot-height contacts)",
    consts.M_CONTACT_TIME: "video: IC to TC from the foot's height above the ground",
    consts.M_FLIGHT_TIME: "video: this foot's TC to the other foot's next IC",
    consts.M_DUTY_FACTOR: "video: contact time / stride time",
    consts.M_FOOT_AHEAD_IC_PCT_LEG: "video: heel ahead of the hip centre at IC, % leg length",
    consts.M_SHANK_ANGLE_IC_DEG: "video: knee → ankle from vertical at IC (+ = ankle ahead)",
    consts.M_KNEE_FLEXION_IC_DEG: "video: thigh − shank angle at IC",
    consts.M_KNEE_FLEXION_MIDSTANCE_DEG: "video: peak thigh − shank angle during the stance "
    "(mid-stance knee flexion)",
    consts.M_TRUNK_LEAN_DEG: "video: hip → shoulder centre from vertical at mid-stance",
    consts.M_PELVIC_DROP_DEG: "video (rear view): hip-line obliquity at mid-stance, swing side "
    "lower = +, clip median removed",
    consts.M_KNEE_FPPA_DEG: "video (rear view): frontal-plane knee projection angle at "
    "mid-stance, + = knee inward (grade low)",
    consts.M_STEP_WIDTH_PCT_LEG: "video (rear view): ankle lateral distance to the other "
    "foot's previous contact, % leg length",
}


def _lowest_pelvis(g: VideoGait, side: str) -> np.ndarray:
    """Rear/front view: mid-stance = the pelvis's lowest point (largest image y) near this
    stance (:func:`~evenstride.steps.video._gait.pelvis_low_s`: the centre of mass is lowest at
    mid-stance in running). The stances themselves are centred on it (foot contacts seen from
    behind come out ≈ 75–95 ms late, docs/steps.md); the middle of the stance where there is
    no clear low point."""
    ss = g.sides[side]
    if len(g.time_s) < 2 or not np.isfinite(g.stride_s):
        return ss.mid_s
    fps = 1.0 / (g.time_s[1] - g.time_s[0])
    mid = pelvis_low_s(ss, g.traces["hip_y"], fps, g.stride_s)
    return np.where(np.isfinite(mid), mid, ss.mid_s)


def _mid_stance(g: VideoGait, side: str) -> np.ndarray:
    ss = g.sides[side]
    if g.view != "side":
        return _lowest_pelvis(g, side) if "hip_y" in g.traces else ss.mid_s
    fa = g.traces[f"foot_ahead_{side}"]
    out = ss.mid_s.copy()
    for k, (a, b) in enumerate(zip(ss.ic_s, ss.tc_s, strict=True)):
        m = (g.time_s >= a) & (g.time_s <= b + 1e-9)
        idx = np.flatnonzero(m)
        if len(idx) < 2:
            continue
        v = fa[idx]
        sgn = np.flatnonzero(np.diff(np.sign(v)) < 0)  # ahead (+) → behind (−)
        if len(sgn) and np.isfinite(v[sgn[0]]) and np.isfinite(v[sgn[0] + 1]):
            i = sgn[0]
            w = v[i] / (v[i] - v[i + 1])
            out[k] = g.time_s[idx[i]] + w * (g.time_s[1] - g.time_s[0])
    return out


def per_step_values(g: VideoGait) -> dict[str, dict[str, np.ndarray]]:
    """metric → side → one value per stance of that side."""
    out: dict[str, dict[str, np.ndarray]] = {}
    t = g.time_s
    for side in SIDES:
        other = "right" if side == "left" else "left"
        ss, oo = g.sides[side], g.sides[other]
        ic, tc = ss.ic_s, ss.tc_s
        j = np.searchsorted(oo.ic_s, ic) - 1  # other foot's previous IC
        prev = np.where(j >= 0, oo.ic_s[np.clip(j, 0, None)], np.nan) if len(oo) else ic * np.nan
        step = ic - prev
        nxt_j = np.searchsorted(oo.ic_s, ic, side="right")
        nxt = (np.where(nxt_j < len(oo), oo.ic_s[np.clip(nxt_j, 0, len(oo) - 1)], np.nan)
               if len(oo) else ic * np.nan)
        stride = np.r_[np.diff(ic), np.nan]
        med = float(np.nanmedian(stride)) if np.isfinite(stride).any() else np.nan
        # a missed contact makes a step or stride too long: drop it rather than average it in
        step = np.where(step < 0.75 * med, step, np.nan)
        stride = np.where(stride < 1.5 * med, stride, np.nan)
        vals: dict[str, np.ndarray] = {
            consts.M_STEP_TIME: step,
            consts.M_CONTACT_TIME: tc - ic,
            consts.M_FLIGHT_TIME: np.where(nxt - ic < 0.75 * med, nxt - tc, np.nan),
            consts.M_DUTY_FACTOR: 100.0 * (tc - ic) / stride,
        }
        mid = _mid_stance(g, side)
        if g.view == "side":
            vals[consts.M_FOOT_AHEAD_IC_PCT_LEG] = geo.interp_at(t, g.traces[f"foot_ahead_{side}"],
                                                                 ic)
            vals[consts.M_SHANK_ANGLE_IC_DEG] = geo.interp_at(t, g.traces[f"shank_{side}"], ic)
            vals[consts.M_KNEE_FLEXION_IC_DEG] = geo.interp_at(t, g.traces[f"knee_{side}"], ic)
            # the stance's peak knee flexion (≈ 40–45 % of stance), not the knee when the heel
            # passes under the hip (≈ 25 % of stance, still flexing): that read 15–20° low
            vals[consts.M_KNEE_FLEXION_MIDSTANCE_DEG] = geo.peak_between(
                t, g.traces[f"knee_{side}"], ic, tc)
            vals[consts.M_TRUNK_LEAN_DEG] = geo.interp_at(t, g.traces["trunk_lean"], mid)
        else:
            obl = g.traces["pelvic_obliquity"]
            obl = obl - np.nanmedian(obl)
            sign = 1.0 if side == "left" else -1.0  # left stance: right (swing) lower = left up
            vals[consts.M_PELVIC_DROP_DEG] = sign * geo.interp_at(t, obl, mid)
            vals[consts.M_KNEE_FPPA_DEG] = geo.interp_at(t, g.traces[f"fppa_{side}"], mid)
            ax = geo.interp_at(t, g.traces[f"ankle_x_{side}"], mid)
            ox = geo.interp_at(t, g.traces[f"ankle_x_{other}"], prev + 0.5 * (tc - ic))
            vals[consts.M_STEP_WIDTH_PCT_LEG] = np.abs(ax - ox)
        for k, v in vals.items():
            out.setdefault(k, {})[side] = np.asarray(v, dtype=float)
    return out


def video_activity(g: VideoGait, *, fps: float, path: str | None = None,
                   extra: dict[str, Any] | None = None,
                   warnings: list[str] | None = None) -> Activity:
    """One row per left stride with its right stance (module docstring)."""
    vals = per_step_values(g)
    L, R = g.sides["left"], g.sides["right"]
    rows_l, rows_r = [], []
    for k in range(len(L) - 1):
        a, b = L.ic_s[k], L.ic_s[k + 1]
        j = np.flatnonzero((R.ic_s > a) & (R.ic_s < b))
        if len(j) == 1 and b - a < 1.5 * g.stride_s:
            rows_l.append(k)
            rows_r.append(int(j[0]))
    if len(rows_l) < 2:
        raise NotEnoughDataError("fewer than 2 complete left strides", path=path)
    li, ri = np.array(rows_l), np.array(rows_r)
    t = L.ic_s[li]
    stride = L.ic_s[li + 1] - t
    samples = {
        consts.TIME_S: t.astype(float),
        consts.CADENCE_SPM: 120.0 / stride,
        consts.CONTACT_TIME_S: 0.5 * ((L.tc_s - L.ic_s)[li] + (R.tc_s - R.ic_s)[ri]),
    }
    indicative = fps < TIMING_FPS
    sided = []
    for metric, by_side in vals.items():
        lv, rv = by_side["left"][li], by_side["right"][ri]
        if not (np.isfinite(lv).any() and np.isfinite(rv).any()):
            continue
        grade, _why = GRADES[metric]
        origin = f"{_ORIGINS[metric]} [grade {grade}]"
        if indicative and metric in (consts.M_CONTACT_TIME, consts.M_FLIGHT_TIME,
                                     consts.M_DUTY_FACTOR):
            origin += f" (indicative at {fps:.0f} fps)"
        sided.append(SidedChannel(metric, SRC_VIDEO, consts.SIDED_METRIC_UNITS[metric],
                                  left=lv, right=rv, origin=origin))
    ex = dict(extra or {})
    ex.update({"event_source": "video", "step_rows": "one row per left stride",
               "n_contacts": len(L) + len(R), "contacts_per_side": [len(L), len(R)]})
    meta = ActivityMeta(
        path=path, file_format="video", sport="running",
        devices=["video (2D pose)"],
        segments=[Segment("running", None, float(t[0]), float(t[-1]), True)],
        extra=ex,
    )
    return Activity(samples=samples, sided=sided, meta=meta, warnings=list(warnings or []))
