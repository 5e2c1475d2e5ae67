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
from evenstride.io import MarkerData
from evenstride.steps._markers import SIDES, MarkerLayout, marker_side, rigid_fit

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
        med = [n for n in names if "med" in n.lower()]
        # RIC: L_lat_knee / L_med_knee; RBDS: L.Knee (lateral) / L.Knee.Medial
        lat = [n for n in names if "lat" in n.lower()] or [n for n in names if n not in med]
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


#: Hip-joint-centre regression (Bell AL, Pedersen DR, Brand RA (1990) J Biomech 23:617–621):
#: from the ASIS midpoint, in fractions of the inter-ASIS distance (engineering choice of a
#: published regression; the RBDS running set has no hip landmark).
HJC_LATERAL, HJC_DISTAL, HJC_POSTERIOR = 0.36, 0.30, 0.19

#: Static-trial markers of the RBDS set the calibration needs, per side (after ``L.``/``R.``).
RBDS_STATIC_LANDMARKS = ("Knee", "Knee.Medial", "Ankle", "Ankle.Medial")

RBDS_ORIGINS = {
    consts.M_KNEE_FLEXION_IC_DEG: "sagittal thigh (hip-joint centre, Bell 1990 → knee centre) "
    "minus shank (knee → ankle centre) angle at IC; knee and ankle landmarks from the static "
    "trial carried by the thigh/shank clusters",
    consts.M_HIP_ADDUCTION_IC_DEG: "frontal femur axis (hip-joint centre, Bell 1990 → knee "
    "centre from the static trial) vs the ASIS line at IC, + = adduction",
    consts.M_HIP_ADDUCTION_PEAK_DEG: "peak frontal femur axis (hip-joint centre, Bell 1990 → "
    "knee centre from the static trial) vs the ASIS line in stance, + = adduction",
}


def rbds_static_for(path: str) -> MarkerData | None:
    """The RBDS static trial beside a running trial (``RBDS001runT35.c3d`` or
    ``RBDS001runT25markers.txt`` → ``RBDS001static.c3d``, else ``RBDS001static.txt``), read;
    None when there is none or it lacks the knee/ankle landmarks."""
    import re
    from pathlib import Path

    p = Path(path)
    m = re.match(r"(RBDS\d+)run", p.name)
    if not m:
        return None
    for ext in (".c3d", ".txt"):
        cand = p.with_name(f"{m.group(1)}static{ext}")
        if not cand.is_file():
            continue
        if ext == ".c3d":
            from evenstride.io import c3d_markers, read_c3d

            static = c3d_markers(read_c3d(cand))
        else:
            from evenstride.io import read_markers

            static = read_markers(cand)
        if all(f"{s}.{n}" in static.markers for s in "LR" for n in RBDS_STATIC_LANDMARKS):
            return static
    return None


def hip_joint_centres(md: MarkerData) -> dict[str, np.ndarray]:
    """Per-frame hip-joint centres (n, 3) by side from the running ASIS/PSIS markers (Bell
    1990 regression, :data:`HJC_LATERAL` …)."""
    m = md.markers
    la, ra = m["L.ASIS"], m["R.ASIS"]
    mid = 0.5 * (la + ra)
    pw = np.linalg.norm(la - ra, axis=1, keepdims=True)
    lat_l = (la - ra) / pw
    back = 0.5 * (m["L.PSIS"] + m["R.PSIS"]) - mid
    back = back - np.sum(back * lat_l, axis=1, keepdims=True) * lat_l
    back = back / np.linalg.norm(back, axis=1, keepdims=True)
    down = np.cross(lat_l, back)
    down = down * np.where(down[:, 1:2] > 0, -1.0, 1.0)  # RBDS frame: Y up
    common = mid + pw * (HJC_DISTAL * down + HJC_POSTERIOR * back)
    return {"left": common + HJC_LATERAL * pw * lat_l, "right": common - HJC_LATERAL * pw * lat_l}


def rbds_calibrated_kinematics(
    run: MarkerData,
    static: MarkerData,
    ic_s: np.ndarray,
    tc_s: np.ndarray,
    side: np.ndarray,
    *,
    fwd: float,
    obliquity_left_up_deg: np.ndarray,
) -> dict[str, np.ndarray]:
    """Knee flexion at IC and hip adduction at IC / peak in stance of the RBDS running set,
    calibrated on its static trial (metric → one value per contact; see :data:`RBDS_ORIGINS`).

    ``run`` is in the RBDS frame (X belt, Y up), ``fwd`` the forward sign along X and
    ``obliquity_left_up_deg`` the as-measured ASIS-line obliquity (left higher = +). Knee and
    ankle centres (midpoints of the lateral/medial landmarks) are carried into each running
    frame by the thigh/shank clusters; the hip-joint centre comes from the running pelvis
    markers. On RBDS001 this agrees with the dataset's own processed curves within 2.5° per side
    and 1° in L − R (tests/test_lab/test_processed_agreement.py). Empty when a cluster does not
    fit the static trial."""
    out = {m: np.full(len(ic_s), np.nan) for m in RBDS_ORIGINS}
    hjc_static = hip_joint_centres(
        MarkerData(static.path, static.fs_hz, static.time_s[:1], {
            n: np.nanmean(static.markers[n], axis=0)[None, :]
            for n in ("L.ASIS", "R.ASIS", "L.PSIS", "R.PSIS")
        })
    )
    run_l = np.nanmean(run.markers["L.ASIS"], axis=0)
    run_r = np.nanmean(run.markers["R.ASIS"], axis=0)
    for s in SIDES:
        p = "L." if s == "left" else "R."
        thigh = [p + f"Thigh.{e}.{f}" for e in ("Top", "Bottom") for f in ("Lateral", "Medial")]
        shank = [p + f"Shank.{e}.{f}" for e in ("Top", "Bottom") for f in ("Lateral", "Medial")]
        knee, ankle = _landmark(static, s, "knee"), _landmark(static, s, "ankle")
        if knee is None or ankle is None:
            return {}
        # calibrated anatomical systems: the femur (hip-joint centre → knee centre, both
        # located in the static trial) and the tibia follow their clusters' rigid motion
        th = _carry(run, static, thigh, [hjc_static[s][0], knee])
        sh = _carry(run, static, shank, [knee, ankle])
        if th is None or sh is None:
            return {}
        (h_th, k_th), (k_sh, a_sh) = th, sh
        femur, tibia = k_th - h_th, a_sh - k_sh
        sag_thigh = np.degrees(np.arctan2(fwd * femur[:, 0], -femur[:, 1]))
        sag_shank = np.degrees(np.arctan2(fwd * tibia[:, 0], -tibia[:, 1]))
        medial = 1.0 if s == "left" else -1.0
        medial *= np.sign(run_r[2] - run_l[2]) or 1.0
        drop_sign = 1.0 if s == "left" else -1.0
        hip = (
            np.degrees(np.arctan2(medial * femur[:, 2], -femur[:, 1]))
            + drop_sign * obliquity_left_up_deg
        )
        m = side == s
        ic, tc = ic_s[m], tc_s[m]
        out[consts.M_KNEE_FLEXION_IC_DEG][m] = np.interp(ic, run.time_s, sag_thigh - sag_shank)
        out[consts.M_HIP_ADDUCTION_IC_DEG][m] = np.interp(ic, run.time_s, hip)
        peak = np.full(len(ic), np.nan)
        for k, (a, b) in enumerate(zip(ic, tc, strict=True)):
            w = (run.time_s >= a) & (run.time_s <= b) & np.isfinite(hip)
            if w.any():
                peak[k] = float(np.max(hip[w]))
        out[consts.M_HIP_ADDUCTION_PEAK_DEG][m] = peak
    return out
