# SPDX-License-Identifier: MIT
"""Sagittal knee and shank angles from segment marker clusters calibrated on a static trial.

For cluster-only running data (the Running Injury Clinic files: 4-marker thigh, shank and foot
clusters, no joint landmarks while running), a static standing trial holds both the clusters
and the joint landmarks (``L_hip``, ``L_lat_knee``/``L_med_knee``, ``L_lat_ankle``/
``L_med_ankle``, …). The calibrated anatomical systems technique (Cappozzo A, Catani F, Della
Croce U, Leardini A (1995) Clin Biomech 10:171–178): each landmark is expressed relative to its
segment cluster in the static trial and carried into every running frame by the cluster's rigid
motion (least-squares rotation, Kabsch/SVD, from the static cluster shape to the running one).

- Knee centre = midpoint of the lateral and medial knee landmarks; ankle centre = midpoint of
  the malleoli; the thigh axis runs from the ``hip`` landmark to the knee centre. Whether the
  ``hip`` landmark is the hip-joint centre or the greater trochanter is not documented in the
  files; it matters little here because only the **sagittal** projection (forward, up) is used.
- Shank angle = sagittal angle of knee → ankle from the downward vertical, + = ankle ahead of the
  knee; thigh angle likewise (hip → knee); knee flexion = thigh − shank angle (0 when straight,
  + = flexed; the static trial gives the standing offset, reported but not subtracted).
- A cluster is refused (no kinematics, a warning) when its static shape does not fit the
  running shape within ``MAX_FIT_RMS_MM`` = 10 mm RMS (a different or relabelled cluster).
"""

from __future__ import annotations

import warnings

import numpy as np

from evenstride import consts
from evenstride.exceptions import EvenstrideWarning
from evenstride.lab._fukuchi import MarkerData
from evenstride.lab._markers_only import SIDES, MarkerLayout, marker_side, rigid_fit

#: Largest RMS distance (mm) between the static cluster shape and the running one.
MAX_FIT_RMS_MM = 10.0

ORIGINS = {
    consts.M_SHANK_ANGLE_IC_DEG: "sagittal knee-centre → ankle-centre angle from vertical at IC "
    "(+ = ankle ahead of knee); landmarks from the static trial carried by the shank cluster",
    consts.M_KNEE_FLEXION_IC_DEG: "sagittal thigh (hip landmark → knee centre) minus shank angle "
    "at IC; landmarks from the static trial carried by the thigh/shank clusters",
}


def _find(md: MarkerData, side: str, *words: str) -> list[str]:
    out = []
    for name in md.markers:
        s, rest = marker_side(name)
        r = rest.lower()
        if s == side and all(w in r for w in words):
            out.append(name)
    return sorted(out)


def _landmark(static: MarkerData, side: str, joint: str) -> np.ndarray | None:
    names = _find(static, side, joint)
    if joint != "hip":
        lat = [n for n in names if "lat" in n.lower()]
        med = [n for n in names if "med" in n.lower()]
        names = lat[:1] + med[:1] if lat and med else []
    vals = [np.nanmean(static.markers[n], axis=0) for n in names]
    vals = [v for v in vals if np.all(np.isfinite(v))]
    return np.mean(vals, axis=0) if vals else None


def _carry(
    run: MarkerData, static: MarkerData, cluster: list[str], points: list[np.ndarray]
) -> list[np.ndarray] | None:
    """Running-trial positions (n, 3) of static-trial ``points`` carried by ``cluster``."""
    s = np.stack([np.nanmean(static.markers[m], axis=0) for m in cluster])
    p = np.stack([run.markers[m] for m in cluster], axis=1)
    if not np.all(np.isfinite(s)):
        return None
    r, rms = rigid_fit(p, s)
    if not np.nanmedian(rms) <= MAX_FIT_RMS_MM:
        warnings.warn(
            f"{run.path}: cluster {cluster} does not match the static trial "
            f"(median fit {np.nanmedian(rms):.0f} mm RMS); no calibrated kinematics",
            EvenstrideWarning,
            stacklevel=3,
        )
        return None
    c_run = p.mean(axis=1)
    c_st = s.mean(axis=0)
    return [c_run + np.einsum("nij,j->ni", r, q - c_st) for q in points]


def _angle(vec: np.ndarray, lay: MarkerLayout) -> np.ndarray:
    return np.degrees(np.arctan2(vec @ lay.forward, -(vec @ lay.up)))


def calibrated_kinematics(
    run: MarkerData,
    static: MarkerData,
    lay: MarkerLayout,
    ic_s: np.ndarray,
    side: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Per-contact shank angle and knee flexion at IC (metric → one value per contact, NaN
    where unavailable) and the standing (static) values per side (``"<side>_knee_flexion"``,
    ``"<side>_shank_angle"``). Empty when the clusters or landmarks are missing."""
    out = {m: np.full(len(ic_s), np.nan) for m in ORIGINS}
    standing: dict[str, float] = {}
    found = False
    for s in SIDES:
        thigh = _find(run, s, "thigh")
        shank = _find(run, s, "shank")
        hip, knee, ankle = (_landmark(static, s, j) for j in ("hip", "knee", "ankle"))
        if len(shank) < 3 or knee is None or ankle is None:
            continue
        if not all(m in static.markers for m in shank + thigh):
            continue
        sh = _carry(run, static, shank, [knee, ankle])
        if sh is None:
            continue
        m = side == s
        k_sh, a_sh = sh
        shank_ang = _angle(a_sh - k_sh, lay)
        out[consts.M_SHANK_ANGLE_IC_DEG][m] = np.interp(ic_s[m], run.time_s, shank_ang)
        standing[f"{s}_shank_angle_deg"] = float(_angle((ankle - knee)[None, :], lay)[0])
        found = True
        if len(thigh) >= 3 and hip is not None:
            th = _carry(run, static, thigh, [hip, knee])
            if th is not None:
                h_th, k_th = th
                thigh_ang = _angle(k_th - h_th, lay)
                out[consts.M_KNEE_FLEXION_IC_DEG][m] = np.interp(
                    ic_s[m], run.time_s, thigh_ang - shank_ang
                )
                standing[f"{s}_knee_flexion_deg"] = float(
                    _angle((knee - hip)[None, :], lay)[0] - _angle((ankle - knee)[None, :], lay)[0]
                )
    if not found:
        return {}, {}
    return {k: v for k, v in out.items() if np.isfinite(v).any()}, standing
