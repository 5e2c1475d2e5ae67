# SPDX-License-Identifier: MIT
"""From cleaned keypoints to foot contacts and per-step metrics, per side.

**View** (:func:`detect_view`): the hip width seen by the camera relative to the thigh length. In a
side view the two hips nearly overlap (median hip width < :data:`SIDE_MAX_HIP_RATIO` of the
thigh; the real side-view clips here measure 0.13–0.27, the rear/front cameras 0.38–0.57);
seen from behind or in front they are a pelvis apart. Rear versus front: the nose
likelihood (the face is visible from the front only) and which side of the image the left hip is
on. It can be forced with ``view=``.

**Contacts** (:func:`detect_contacts`): from foot kinematics, per side.

- foot low point = the lower (larger image y) of heel and toe; ground level = the rolling 95th
  percentile of it over :data:`GROUND_WINDOW_S`; the foot is "on the ground" while its low point
  is within :data:`GROUND_TOL_LEG` × leg length of the ground level;
- stance = a run of such frames of at least 2 frames; IC and TC are the threshold crossings
  interpolated between frames (sub-frame timing: at 30 fps a stance is only ≈ 7 frames, and a
  frame is 33 ms), runs closer than a fifth of the stride are merged;
- the stride period (autocorrelation of the foot height, 0.4–1.8 s) rejects stances closer than
  half a stride.

In a rear/front view each stance is then re-centred on the pelvis's lowest point, keeping the
band's duration (:func:`_pelvis_centred`): seen from behind, the stance foot sinks in the image
as it comes toward the camera, and the band alone put IC ≈ 75 ms and TC ≈ 95 ms late.

The tolerance and windows are engineering choices (grade U). Contact and flight time from a
30 fps clip have ±1 frame (33 ms) resolution, so they are labelled **indicative** below 100 fps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evenstride.exceptions import NotEnoughDataError, UnsupportedActivityError
from evenstride.steps.video import _geometry as geo
from evenstride.steps.video._pose import KP

SIDES = ("left", "right")
SIDE_MAX_HIP_RATIO = 0.3
GROUND_WINDOW_S = 2.0
GROUND_TOL_LEG = 0.05
#: Zeni's heel-forward IC precedes the force-plate IC by 25–31 ms in running (RBDS001 at 2.5
#: and 3.5 m/s, both sides: docs/steps.md "Marker-only events"); this offset moves it onto IC.
#: One runner: grade U.
ZENI_IC_OFFSET_S = 0.028
#: A stance shorter than this share of the side's median stance is a blip, not a stance.
MIN_STANCE_SHARE = 0.4
#: Fewest steps per side analysed (issue 16: "a clip too short for 10 steps per side").
MIN_STEPS_PER_SIDE = 10
#: Below this frame rate a stance (≈ 0.2 s) has fewer than 5 frames: refused.
MIN_FPS = 25.0
#: Contact and flight times are indicative below this frame rate.
TIMING_FPS = 100.0
#: Share of frames that must hold a person.
MIN_PERSON_SHARE = 0.5
#: Walking: median duty factor at or above this (running has a flight phase, duty factor < 0.5;
#: Novacheck 1998 Gait Posture 7:77–95), or cadence below :data:`WALK_MAX_CADENCE`.
WALK_DUTY = 0.5
WALK_MAX_CADENCE = 130.0
#: The hip centre moving more than this many leg lengths between two frames is the pose model
#: switching to another person (a runner moves < 0.3 leg lengths per frame at 25 fps and 8 m/s).
PERSON_JUMP_LEG = 0.6
#: Share of strides within ±20 % of the median stride below which the gait is not steady
#: running (a steady treadmill run: 100 %; a sprint start or several people: ≤ 67 %).
MIN_REGULAR_SHARE = 0.7


@dataclass
class SideSteps:
    """Stances of one side (times in s, aligned arrays)."""

    ic_s: np.ndarray
    tc_s: np.ndarray
    mid_s: np.ndarray

    def __len__(self) -> int:
        return len(self.ic_s)


@dataclass
class VideoGait:
    """What the gait stage found: view, scale, stances, and per-frame angle traces."""

    view: str
    fwd: float
    leg_px: float
    stride_s: float
    sides: dict[str, SideSteps]
    traces: dict[str, np.ndarray]
    time_s: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


def _pt(xy: np.ndarray, name: str) -> np.ndarray:
    return xy[:, KP[name], :]


def _mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint, or whichever one is finite."""
    out = 0.5 * (a + b)
    out = np.where(np.isfinite(out), out, a)
    return np.where(np.isfinite(out), out, b)


def detect_view(xy: np.ndarray, score: np.ndarray) -> str:
    """``"side"``, ``"rear"`` or ``"front"`` (see module docstring)."""
    lh, rh = _pt(xy, "l_hip"), _pt(xy, "r_hip")
    thigh = 0.5 * (np.linalg.norm(_pt(xy, "l_knee") - lh, axis=-1)
                   + np.linalg.norm(_pt(xy, "r_knee") - rh, axis=-1))
    width = np.abs(lh[:, 0] - rh[:, 0])
    ratio = width / thigh
    ratio = ratio[np.isfinite(ratio)]
    if not len(ratio) or float(np.median(ratio)) < SIDE_MAX_HIP_RATIO:
        return "side"
    left_on_right = float(np.nanmedian(lh[:, 0] - rh[:, 0])) > 0
    face = float(np.nanmedian(score[:, KP["nose"]])) > 0.5
    if left_on_right:  # mirror image of a rear view
        return "front"
    return "rear" if not face else "front"


def stride_period_s(sig: np.ndarray, fps: float) -> float:
    """Stride period from the autocorrelation of a foot signal (0.4–1.8 s)."""
    x = sig[np.isfinite(sig)]
    if len(x) < 3 * fps * 0.4:
        return float("nan")
    x = x - x.mean()
    n = len(x)
    f = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(f * np.conj(f))[:n]
    ac = ac / ac[0] if ac[0] > 0 else ac
    lo, hi = int(0.4 * fps), min(n - 1, int(1.8 * fps))
    if hi <= lo + 2:
        return float("nan")
    seg = ac[lo:hi]
    # first clear local maximum (the stride), not a harmonic further out
    for i in range(1, len(seg) - 1):
        if seg[i] >= seg[i - 1] and seg[i] >= seg[i + 1] and seg[i] > 0.3:
            j = lo + i
            a, b, c = ac[j - 1], ac[j], ac[j + 1]
            den = a - 2 * b + c
            off = 0.5 * (a - c) / den if den != 0 else 0.0
            return float((j + off) / fps)
    return float((lo + int(np.argmax(seg))) / fps)


def _rolling_pct(x: np.ndarray, win: int, q: float) -> np.ndarray:
    out = np.full(len(x), np.nan)
    h = max(1, win // 2)
    for i in range(len(x)):
        w = x[max(0, i - h): i + h + 1]
        w = w[np.isfinite(w)]
        if len(w) >= 3:
            out[i] = np.percentile(w, q)
    return out


def _ground_line(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """The ground seen in the image as a line y = a + b·x through the foot's lowest positions
    (a treadmill belt or a track is rarely level in the image: the camera looks slightly down
    or across it); the lowest 35 % of foot positions are fitted, twice, dropping points more
    than ``tol`` above the first line. Returns the fitted ground height at each frame's x
    (0 where it cannot be fitted: the rolling percentile then does all the work)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 10:
        return np.zeros(len(y))
    sel = ok & (y >= np.percentile(y[ok], 65))
    for _ in range(2):
        if sel.sum() < 5 or np.ptp(x[sel]) <= 0:
            return np.zeros(len(y))
        b, a = np.polyfit(x[sel], y[sel], 1)
        r = y - (a + b * x)
        sel = ok & (r > -tol) & (y >= np.percentile(y[ok], 50))
    line = a + b * x
    line = line - np.nanmedian(line)  # only the slope is removed; the level stays rolling
    return np.where(np.isfinite(line), line, 0.0)


def _crossings(inside: np.ndarray, d: np.ndarray) -> list[tuple[float, float]]:
    """Runs of ``inside`` as (start, end) in fractional frames, interpolated on ``d`` (the
    signed distance into the band, > 0 inside)."""
    runs = []
    n = len(inside)
    edges = np.flatnonzero(np.diff(np.r_[0, inside.astype(np.int8), 0]))
    for a, b in zip(edges[0::2], edges[1::2], strict=True):
        start = float(a)
        if a > 0 and np.isfinite(d[a - 1]) and d[a] != d[a - 1]:
            start = (a - 1) + (-d[a - 1]) / (d[a] - d[a - 1])
        end = float(b - 1)
        if b < n and np.isfinite(d[b]) and d[b] != d[b - 1]:
            end = (b - 1) + d[b - 1] / (d[b - 1] - d[b])
        runs.append((start, end))
    return runs


def detect_contacts(xy: np.ndarray, fps: float, leg_px: float) -> tuple[dict[str, SideSteps],
                                                                         float]:
    """Stances per side from the foot's height above the ground (module docstring)."""
    win = max(5, round(GROUND_WINDOW_S * fps))
    tol = GROUND_TOL_LEG * leg_px
    lows = {}
    for side in SIDES:
        s = side[0]
        heel, toe = _pt(xy, f"{s}_heel"), _pt(xy, f"{s}_toe")
        low = np.fmax(heel[:, 1], toe[:, 1])
        low = np.where(np.isfinite(low), low, _pt(xy, f"{s}_ankle")[:, 1])
        foot_x = np.where(heel[:, 1] >= toe[:, 1], heel[:, 0], toe[:, 0])
        foot_x = np.where(np.isfinite(foot_x), foot_x, _pt(xy, f"{s}_ankle")[:, 0])
        lows[side] = low - _ground_line(foot_x, low, tol)
    periods = [stride_period_s(lows[s], fps) for s in SIDES]
    periods = [p for p in periods if np.isfinite(p)]
    stride = float(np.median(periods)) if periods else float("nan")
    out: dict[str, SideSteps] = {}
    for side in SIDES:
        low = lows[side]
        ground = _rolling_pct(low, win, 95.0)
        d = low - (ground - tol)  # > 0: within the band above the ground
        inside = np.isfinite(d) & (d > 0)
        runs = _crossings(inside, d)
        # merge runs split by a one-frame flicker (closer than a fifth of a stride)
        merged: list[list[float]] = []
        gap = 0.2 * stride * fps if np.isfinite(stride) else 2.0
        for a, b in runs:
            if merged and a - merged[-1][1] < gap:
                merged[-1][1] = b
            else:
                merged.append([a, b])
        keep = [(a, b) for a, b in merged if b - a >= 1.0]
        # one stance per half stride at most: keep the longer of two too-close runs
        if np.isfinite(stride):
            pruned: list[tuple[float, float]] = []
            for a, b in keep:
                if pruned and a - pruned[-1][0] < 0.7 * stride * fps:
                    if b - a > pruned[-1][1] - pruned[-1][0]:
                        pruned[-1] = (a, b)
                    continue
                pruned.append((a, b))
            keep = pruned
        # a stance touching the first or last frame is incomplete; a blip much shorter than
        # this side's typical stance is not a stance
        keep = [(a, b) for a, b in keep if a > 0.5 and b < len(low) - 1.5]
        if keep:
            typical = float(np.median([b - a for a, b in keep]))
            keep = [(a, b) for a, b in keep if b - a >= MIN_STANCE_SHARE * typical]
        ic = np.array([a for a, _ in keep]) / fps
        tc = np.array([b for _, b in keep]) / fps
        out[side] = SideSteps(ic, tc, 0.5 * (ic + tc))
    return out, stride


def _zeni_ic(ss: SideSteps, ahead: np.ndarray, fps: float, stride: float) -> SideSteps:
    """Side view: IC = the heel's most forward position relative to the hip centre before the
    foot-height stance (Zeni et al. 2008 coordinate rule, parabolic sub-frame peak), plus
    :data:`ZENI_IC_OFFSET_S`. Steadier than the foot-height band, which a low-swinging foot
    enters 50–150 ms early (virtual camera on RBDS001, docs/steps.md)."""
    ic = ss.ic_s.copy()
    n = len(ahead)
    for k, t in enumerate(ss.ic_s):
        i0 = max(1, round(float(t - 0.35 * stride) * fps))
        i1 = min(n - 1, round(float(t) * fps + 0.25 * stride * fps) + 1)
        if i1 - i0 < 3 or not np.isfinite(ahead[i0:i1]).any():
            continue
        j = i0 + int(np.nanargmax(ahead[i0:i1]))
        if j <= 0 or j >= n - 1 or j in (i0, i1 - 1):
            continue  # the maximum sits on the window edge: not a clear peak
        y0, y1, y2 = ahead[j - 1], ahead[j], ahead[j + 1]
        den = y0 - 2 * y1 + y2
        off = 0.5 * (y0 - y2) / den if den != 0 and np.isfinite(den) else 0.0
        new = (j + float(np.clip(off, -0.5, 0.5))) / fps + ZENI_IC_OFFSET_S
        if new < ss.tc_s[k]:
            ic[k] = new
    return SideSteps(ic, ss.tc_s, 0.5 * (ic + ss.tc_s))


def pelvis_low_s(ss: SideSteps, hip_y: np.ndarray, fps: float, stride: float) -> np.ndarray:
    """Rear/front view: the time of the pelvis's lowest point (largest image y, parabolic
    sub-frame peak) in each stance's window [IC − ¼ stride, TC]; NaN where there is no clear
    peak inside the window. The body's centre of mass is lowest at mid-stance in running
    (spring-mass model; Cavagna et al. 1976)."""
    out = np.full(len(ss), np.nan)
    n = len(hip_y)
    for k, (a, b) in enumerate(zip(ss.ic_s, ss.tc_s, strict=True)):
        i0 = max(1, round((a - 0.25 * stride) * fps))
        i1 = min(n - 1, round(b * fps) + 1)
        if i1 - i0 < 3 or not np.isfinite(hip_y[i0:i1]).any():
            continue
        j = i0 + int(np.nanargmax(hip_y[i0:i1]))
        if j in (i0, i1 - 1):
            continue
        y0, y1, y2 = hip_y[j - 1], hip_y[j], hip_y[j + 1]
        den = y0 - 2 * y1 + y2
        off = 0.5 * (y0 - y2) / den if den != 0 and np.isfinite(den) else 0.0
        out[k] = (j + float(np.clip(off, -0.5, 0.5))) / fps
    return out


def _pelvis_centred(ss: SideSteps, hip_y: np.ndarray, fps: float, stride: float) -> SideSteps:
    """Rear/front view: each stance re-centred on the pelvis's lowest point, keeping the foot
    band's duration. Seen from behind, the stance foot moves toward the camera and sinks in the
    image, so it enters and leaves the ground band ≈ 75–95 ms late; its duration is nearly
    right. The pelvis's lowest point is at mid-stance (:func:`pelvis_low_s`)."""
    mid = pelvis_low_s(ss, hip_y, fps, stride)
    half = 0.5 * (ss.tc_s - ss.ic_s)
    ok = np.isfinite(mid)
    ic = np.where(ok, mid - half, ss.ic_s)
    tc = np.where(ok, mid + half, ss.tc_s)
    return SideSteps(ic, tc, np.where(ok, mid, 0.5 * (ic + tc)))


def gait_from_keypoints(xy: np.ndarray, score: np.ndarray, fps: float, *,
                        view: str | None = None, path: str | None = None) -> VideoGait:
    """View, leg length, contacts and angle traces of cleaned keypoints."""
    v = view or detect_view(xy, score)
    legs = [geo.leg_length_px(_pt(xy, f"{s}_hip"), _pt(xy, f"{s}_knee"), _pt(xy, f"{s}_ankle"))
            for s in "lr"]
    legs = [x for x in legs if np.isfinite(x)]
    if not legs:
        raise UnsupportedActivityError("the runner's legs are not visible", path=path)
    leg_px = float(np.median(legs))
    sides, stride = detect_contacts(xy, fps, leg_px)
    t = np.arange(len(xy)) / fps
    hip_c = _mid(_pt(xy, "l_hip"), _pt(xy, "r_hip"))
    sh_c = _mid(_pt(xy, "l_shoulder"), _pt(xy, "r_shoulder"))
    traces: dict[str, np.ndarray] = {}
    fwd = 1.0
    if v == "side":
        heel = np.concatenate([_pt(xy, "l_heel"), _pt(xy, "r_heel")])
        toe = np.concatenate([_pt(xy, "l_toe"), _pt(xy, "r_toe")])
        dx = toe[:, 0] - heel[:, 0]
        fwd = 1.0 if np.nanmedian(dx) >= 0 else -1.0
        traces["trunk_lean"] = geo.trunk_lean_deg(hip_c, sh_c, fwd)
        for s, side in (("l", "left"), ("r", "right")):
            hip, knee, ankle = (_pt(xy, f"{s}_{j}") for j in ("hip", "knee", "ankle"))
            traces[f"shank_{side}"] = geo.shank_angle_deg(knee, ankle, fwd)
            traces[f"knee_{side}"] = geo.knee_flexion_deg(hip, knee, ankle, fwd)
            traces[f"foot_ahead_{side}"] = geo.foot_ahead_pct(hip_c, _pt(xy, f"{s}_heel"), fwd,
                                                              leg_px)
    else:
        lat = 1.0 if v == "front" else -1.0  # image-x sign of the runner's left
        fwd = lat
        traces["pelvic_obliquity"] = geo.pelvic_obliquity_deg(_pt(xy, "l_hip"),
                                                              _pt(xy, "r_hip"), lat)
        traces["hip_y"] = hip_c[:, 1]  # image y, down: the pelvis is lowest at mid-stance
        for s, side, lateral in (("l", "left", lat), ("r", "right", -lat)):
            hip, knee, ankle = (_pt(xy, f"{s}_{j}") for j in ("hip", "knee", "ankle"))
            traces[f"fppa_{side}"] = geo.fppa_deg(hip, knee, ankle, lateral)
            traces[f"ankle_x_{side}"] = lat * ankle[:, 0] / leg_px * 100.0
    if v == "side" and np.isfinite(stride):
        for side in SIDES:
            sides[side] = _zeni_ic(sides[side], traces[f"foot_ahead_{side}"], fps, stride)
    elif v != "side" and np.isfinite(stride):
        for side in SIDES:
            sides[side] = _pelvis_centred(sides[side], traces["hip_y"], fps, stride)
    hc = np.diff(hip_c, axis=0)
    jumps = np.linalg.norm(hc, axis=1) / leg_px
    switches = int(np.sum(jumps[np.isfinite(jumps)] > PERSON_JUMP_LEG))
    return VideoGait(v, fwd, leg_px, stride, sides, traces, t,
                     extra={"person_switches": switches})


def clip_cadence_spm(g: VideoGait) -> float:
    """120 / the mean stride time of both feet (IC to IC of the same foot), strides outside
    0.7–1.3 × the median dropped (a missed or doubled contact); sub-frame IC times make the mean
    finer than a frame."""
    strides = np.concatenate([np.diff(g.sides[s].ic_s) for s in SIDES])
    if not len(strides):
        return float("nan")
    med = float(np.median(strides))
    ok = strides[(strides > 0.7 * med) & (strides < 1.3 * med)]
    return 120.0 / float(np.mean(ok)) if len(ok) else float("nan")


def check_running(g: VideoGait, fps: float, *, path: str | None = None) -> dict[str, float]:
    """Refuse walking clips and clips with too few steps; the clip's cadence and duty factor."""
    n = {s: len(g.sides[s]) for s in SIDES}
    cad = clip_cadence_spm(g)
    duty = []
    for s in SIDES:
        ss = g.sides[s]
        if len(ss) >= 2:
            duty.extend(((ss.tc_s - ss.ic_s)[:-1] / np.diff(ss.ic_s)).tolist())
    duty_med = float(np.median(duty)) if duty else float("nan")
    strides = [np.diff(g.sides[s].ic_s) for s in SIDES if len(g.sides[s]) >= 2]
    d = np.concatenate(strides) if strides else np.zeros(0)
    regular = float("nan")
    if len(d) >= 2:
        med = float(np.median(d))
        regular = float(np.mean((d > 0.8 * med) & (d < 1.2 * med)))
    switches = int(g.extra.get("person_switches", 0))
    people = int(g.extra.get("max_people_in_a_frame") or 0)
    if min(n.values()) >= 3 and np.isfinite(regular) and regular >= MIN_REGULAR_SHARE and (
        (np.isfinite(duty_med) and duty_med >= WALK_DUTY)
        or (np.isfinite(cad) and cad < WALK_MAX_CADENCE)
    ):
        raise UnsupportedActivityError(
            f"this clip shows walking, not running (cadence {cad:.0f} steps/min, each foot on "
            f"the ground {100 * duty_med:.0f} % of the stride; running has a flight phase)",
            path=path,
        )
    if len(d) >= 4 and np.isfinite(regular) and regular < MIN_REGULAR_SHARE:
        if people >= 2:
            who = (f"several people are in view (up to {people} in a frame; the largest, most "
                   "central one was followed) and none is running steadily")
        elif switches >= 2:
            who = (f"several people seem to be in view (the tracked body jumped {switches} "
                   "times) and none is running steadily")
        else:
            who = "no steady running found"
        raise UnsupportedActivityError(
            f"{who}: only {100 * regular:.0f} % of the strides are within ±20 % of the median "
            f"(steady running: ≥ {100 * MIN_REGULAR_SHARE:.0f} %); film one runner at a steady "
            "pace",
            path=path,
        )
    if min(n.values()) < MIN_STEPS_PER_SIDE:
        dur = float(g.time_s[-1] + (g.time_s[1] - g.time_s[0])) if len(g.time_s) > 1 else 0.0
        raise NotEnoughDataError(
            f"too short: {n['left']} left and {n['right']} right steps found in {dur:.1f} s, "
            f"need {MIN_STEPS_PER_SIDE} per side (about 8 s of steady running in view)",
            path=path,
        )
    return {"cadence_spm": cad, "duty_factor": duty_med}
