# SPDX-License-Identifier: MIT
"""Sagittal/frontal kinematics at initial contact (IC) and mid-stance, per side.

Marker set: the Fukuchi 2017 / RBDS set (ASIS, PSIS, thigh and shank 4-marker clusters, heel,
MT1, MT5; X along the belt, Y vertical, Z medio-lateral). Choices:

- **Events**: with forces, IC/TC from :func:`~evenstride.lab.force_contacts` and sides from
  :func:`~evenstride.lab._force_events.assign_sides`; without, the Zeni et al. 2008 coordinate
  method (:func:`~evenstride.lab.marker_events`). Mid-stance = IC + 50 % of the contact.
- **Forward**: the sign of the mean ASIS-midpoint − PSIS-midpoint along X (ASIS are anterior).
- **Shank angle at IC**: sagittal (X–Y) angle from vertical of the shank-cluster axis (mean of
  the two Shank.Top markers → mean of the two Shank.Bottom markers). The set has no knee or
  ankle landmarks, so the cluster axis stands in for the tibia (offset of a few degrees
  possible). Positive = distal end ahead of proximal (foot ahead of the knee).
- **Foot ahead of pelvis at IC**: forward heel (Heel.Bottom) position minus the PSIS midpoint,
  mm; also divided by ``leg_length_mm`` when given. Overstride has no validated cut-off:
  continuous values are reported.
- **Pelvic drop at mid-stance**: frontal (Z–Y) angle of the ASIS–ASIS line, stance-side ASIS
  higher than the swing side = contralateral drop, positive. The trial-mean obliquity is
  subtracted (it holds the marker-placement offset).
- **Knee flexion at IC**: sagittal angle between the thigh-cluster axis and the shank-cluster
  axis (0 when aligned, positive = flexed); cluster-based, uncalibrated.

Sides are compared as L − R differences (degrees / mm), not a symmetry angle/index: the angles
cross zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride.lab._force_events import assign_sides, force_contacts, marker_events
from evenstride.lab._fukuchi import ForceData, MarkerData

SIDES = ("left", "right")
METRICS = (
    "shank_angle_ic_deg",
    "foot_ahead_mm",
    "foot_ahead_leg",
    "pelvic_drop_deg",
    "knee_flexion_ic_deg",
)


@dataclass
class Kinematics:
    """Per-contact values by side, their means and L − R differences."""

    event_source: str  # "force" or "markers"
    per_step: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    mean: dict[str, dict[str, float]] = field(default_factory=dict)
    diff_l_minus_r: dict[str, float] = field(default_factory=dict)
    n_contacts: dict[str, int] = field(default_factory=dict)


def _mid(md: MarkerData, a: str, b: str) -> np.ndarray:
    return 0.5 * (md.markers[a] + md.markers[b])


def _at(md: MarkerData, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.interp(t, md.time_s, x)


def _sagittal_angle(vec: np.ndarray, fwd: float) -> np.ndarray:
    """Angle from the downward vertical of (n, 3) vectors, degrees, positive = forward."""
    return np.degrees(np.arctan2(fwd * vec[:, 0], -vec[:, 1]))


def _maxima(x: np.ndarray, half: int) -> np.ndarray:
    """Indices that are the maximum of the ±``half`` window around them (not at the edges)."""
    idx = [i for i in range(half, len(x) - half) if x[i] == x[i - half : i + half + 1].max()]
    return np.array(idx, int)


def _events(
    md: MarkerData, fd: ForceData | None
) -> tuple[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    if fd is not None:
        ic, tc = force_contacts(fd)
        ic_s, tc_s = fd.time_s[ic], fd.time_s[tc]
        side, _ = assign_sides(ic_s, tc_s, md)
        return "force", {s: (ic_s[side == s], tc_s[side == s]) for s in SIDES}
    out = {}
    psis = _mid(md, "L.PSIS", "R.PSIS")[:, 0]
    fwd = 1.0 if np.nanmean(_mid(md, "L.ASIS", "R.ASIS")[:, 0] - psis) > 0 else -1.0
    half = int(0.15 * md.fs_hz)
    for s in SIDES:
        p = "L." if s == "left" else "R."
        ic_s, tc_s = marker_events(md, s)
        heel = fwd * (md.markers[p + "Heel.Bottom"][:, 0] - psis)
        if np.mean(_at(md, heel, ic_s)) < 0:  # the helper took the wrong forward sign
            toe = fwd * (md.markers[p + "MT1"][:, 0] - psis)
            ic_s = md.time_s[_maxima(heel, half)]
            tc_s = md.time_s[_maxima(-toe, half)]
        tc_next = np.array([tc_s[tc_s > t][0] if np.any(tc_s > t) else np.nan for t in ic_s])
        ok = np.isfinite(tc_next) & (tc_next - ic_s < 0.5)
        out[s] = (ic_s[ok], tc_next[ok])
    return "markers", out


def ic_kinematics(
    md: MarkerData, fd: ForceData | None = None, *, leg_length_mm: float | None = None
) -> Kinematics:
    """Kinematics at IC / mid-stance per side (see module docstring)."""
    source, ev = _events(md, fd)
    m = md.markers
    psis = _mid(md, "L.PSIS", "R.PSIS")
    asis_mid = _mid(md, "L.ASIS", "R.ASIS")
    fwd = 1.0 if np.nanmean(asis_mid[:, 0] - psis[:, 0]) > 0 else -1.0
    la, ra = m["L.ASIS"], m["R.ASIS"]
    obliq_lr = np.degrees(np.arctan2(la[:, 1] - ra[:, 1], np.abs(la[:, 2] - ra[:, 2])))
    obliq_lr = obliq_lr - np.nanmean(obliq_lr)  # left-ASIS-higher, placement offset removed
    k = Kinematics(event_source=source)
    for s in SIDES:
        p = "L." if s == "left" else "R."
        ic, tc = ev[s]
        ms = ic + 0.5 * (tc - ic)
        st = _mid(md, p + "Shank.Top.Lateral", p + "Shank.Top.Medial")
        sb = _mid(md, p + "Shank.Bottom.Lateral", p + "Shank.Bottom.Medial")
        tt = _mid(md, p + "Thigh.Top.Lateral", p + "Thigh.Top.Medial")
        tb = _mid(md, p + "Thigh.Bottom.Lateral", p + "Thigh.Bottom.Medial")

        def at(x: np.ndarray, t: np.ndarray) -> np.ndarray:
            return np.column_stack([_at(md, x[:, j], t) for j in range(3)])

        shank = _sagittal_angle(at(sb, ic) - at(st, ic), fwd)
        thigh = _sagittal_angle(at(tb, ic) - at(tt, ic), fwd)
        heel = m[p + "Heel.Bottom"][:, 0]
        ahead = fwd * (_at(md, heel, ic) - _at(md, psis[:, 0], ic))
        drop_sign = 1.0 if s == "left" else -1.0
        drop = drop_sign * _at(md, obliq_lr, ms)
        vals = {
            "shank_angle_ic_deg": shank,
            "foot_ahead_mm": ahead,
            "foot_ahead_leg": ahead / leg_length_mm
            if leg_length_mm
            else np.full_like(ahead, np.nan),
            "pelvic_drop_deg": drop,
            "knee_flexion_ic_deg": thigh - shank,
        }
        k.per_step[s] = vals
        k.mean[s] = {
            n: float(np.nanmean(v)) if np.any(np.isfinite(v)) else float("nan")
            for n, v in vals.items()
        }
        k.n_contacts[s] = len(ic)
    k.diff_l_minus_r = {n: k.mean["left"][n] - k.mean["right"][n] for n in METRICS}
    return k
