# SPDX-License-Identifier: MIT
"""Landmark → metric geometry against 3D ground truth (issue 16 validation), no pose model.

The lab marker trajectories of RBDS001 (Fukuchi et al. 2017, treadmill at 2.5 m/s, 150 Hz) give
3D joint centres: hip-joint centres (Bell 1990 from ASIS/PSIS), knee and ankle centres (static-
trial landmarks carried by the shank cluster), heel (``Heel.Bottom``) and toe (MT1/MT5 midpoint).
They are projected through a virtual pinhole phone camera (1080 × 1920 portrait, focal length
1500 px, 4 m from the belt centre at hip height) **beside** the treadmill (side view) and
**behind** it (rear view), sampled at the camera's frame rate, with Gaussian pixel noise of
σ = 1 % of the leg length in the image added to every coordinate. The 2D keypoints then go
through the video chain (cleaning, low-pass, leg-length scaling, angle formulas), and the angles
are read at the marker-based contact times (mid-stance knee flexion: the peak between the marker
IC and TC, as the product reads it); the same quantities are computed from the 3D joint centres
in the lab's sagittal (belt, up) and frontal (lateral, up) planes.

Run ``python tests/test_video/fukuchi_projection.py`` to print the agreement table of
docs/steps.md ("Video").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evenstride.steps.video import KP, PoseSeries, clean, gait_from_keypoints
from evenstride.steps.video import geometry as geo

FOCAL_PX = 1500.0
W, H = 1080, 1920
DIST_MM = 4000.0


@dataclass
class Truth:
    time_s: np.ndarray
    joints: dict[str, np.ndarray]  # keypoint name → (n, 3) mm
    fwd: float
    ic: dict[str, np.ndarray]
    tc: dict[str, np.ndarray]


def load_truth(root: Path) -> Truth:
    from evenstride.io import read_markers
    from evenstride.steps import marker_layout, marker_step_metrics
    from evenstride.steps._static_calibration import (
        _carry,
        _landmark,
        hip_joint_centres,
        rbds_static_for,
    )

    md = read_markers(root / "RBDS001runT25markers.txt")
    static = rbds_static_for(str(root / "RBDS001runT25markers.txt"))  # the static C3D
    assert static is not None
    lay = marker_layout(md)
    fwd = float(np.sign(lay.forward[0]))
    hjc = hip_joint_centres(md)
    joints: dict[str, np.ndarray] = {}
    for s, p in (("l", "L."), ("r", "R.")):
        side = "left" if s == "l" else "right"
        knee, ankle = _landmark(static, side, "knee"), _landmark(static, side, "ankle")
        shank = [p + f"Shank.{e}.{f}" for e in ("Top", "Bottom") for f in ("Lateral", "Medial")]
        carried = _carry(md, static, shank, [knee, ankle])
        assert carried is not None
        joints[f"{s}_hip"] = hjc[side]
        joints[f"{s}_knee"], joints[f"{s}_ankle"] = carried
        joints[f"{s}_heel"] = md.markers[p + "Heel.Bottom"]
        joints[f"{s}_toe"] = 0.5 * (md.markers[p + "MT1"] + md.markers[p + "MT5"])
    steps = marker_step_metrics(md)
    ic = {s: steps.ic_s[steps.side == s] for s in ("left", "right")}
    tc = {s: steps.tc_s[steps.side == s] for s in ("left", "right")}
    return Truth(md.time_s, joints, fwd, ic, tc)


def project(truth: Truth, view: str, fps: float, noise_leg: float,
            seed: int = 0) -> PoseSeries:
    """2D keypoints of the virtual camera (``view`` "side" or "rear")."""
    j = truth.joints
    hip_c = 0.5 * (j["l_hip"] + j["r_hip"])
    centre = np.nanmedian(hip_c, axis=0)
    if view == "side":
        lateral = np.sign(np.nanmedian(j["r_hip"][:, 2] - j["l_hip"][:, 2]))
        cam = centre + np.array([0.0, 0.0, lateral * DIST_MM])  # on the runner's right
        d = np.array([0.0, 0.0, -lateral])
    else:
        cam = centre + np.array([-truth.fwd * DIST_MM, 0.0, 0.0])  # behind the runner
        d = np.array([truth.fwd, 0.0, 0.0])
    ey = np.array([0.0, -1.0, 0.0])  # image y down = lab down
    ex = np.cross(ey, d)
    t_cam = np.arange(truth.time_s[0], truth.time_s[-1], 1.0 / fps)
    xy = np.full((len(t_cam), len(KP), 2), np.nan)
    for name, p3 in j.items():
        p = np.stack([np.interp(t_cam, truth.time_s, p3[:, c]) for c in range(3)], axis=1)
        rel = p - cam
        z = rel @ d
        xy[:, KP[name], 0] = FOCAL_PX * (rel @ ex) / z + W / 2
        xy[:, KP[name], 1] = FOCAL_PX * (rel @ ey) / z + H / 2
    leg = np.nanmedian(np.linalg.norm(xy[:, KP["l_knee"]] - xy[:, KP["l_hip"]], axis=1)
                       + np.linalg.norm(xy[:, KP["l_ankle"]] - xy[:, KP["l_knee"]], axis=1))
    rng = np.random.default_rng(seed)
    xy = xy + rng.normal(0.0, noise_leg * leg, xy.shape)
    score = np.where(np.isfinite(xy[..., 0]), 1.0, 0.0)
    return PoseSeries(xy, score, fps, W, H, f"virtual {view} camera")


def _sag(up: np.ndarray, low: np.ndarray, fwd: float) -> np.ndarray:
    v = low - up
    return np.degrees(np.arctan2(fwd * v[:, 0], -v[:, 1]))


def truth_values(tr: Truth) -> dict[str, dict[str, np.ndarray]]:
    """metric → side → value at each marker contact (3D, lab planes)."""
    j, t, f = tr.joints, tr.time_s, tr.fwd
    hip_c = 0.5 * (j["l_hip"] + j["r_hip"])
    legs = [np.nanmedian(np.linalg.norm(j[f"{s}_knee"] - j[f"{s}_hip"], axis=1)
                         + np.linalg.norm(j[f"{s}_ankle"] - j[f"{s}_knee"], axis=1))
            for s in "lr"]
    leg = float(np.mean(legs))
    lat = np.sign(np.nanmedian(j["l_hip"][:, 2] - j["r_hip"][:, 2]))
    obl = np.degrees(np.arctan2(j["l_hip"][:, 1] - j["r_hip"][:, 1],
                                lat * (j["l_hip"][:, 2] - j["r_hip"][:, 2])))
    obl = obl - np.nanmedian(obl)
    out: dict[str, dict[str, np.ndarray]] = {}
    for s, side in (("l", "left"), ("r", "right")):
        ic, mid = tr.ic[side], 0.5 * (tr.ic[side] + tr.tc[side])
        shank = _sag(j[f"{s}_knee"], j[f"{s}_ankle"], f)
        knee = _sag(j[f"{s}_hip"], j[f"{s}_knee"], f) - shank
        ahead = 100.0 * f * (j[f"{s}_heel"][:, 0] - hip_c[:, 0]) / leg
        sign = 1.0 if side == "left" else -1.0
        vals = {"shank_angle_ic": np.interp(ic, t, shank),
                "knee_flexion_ic": np.interp(ic, t, knee),
                "knee_flexion_mid": geo.peak_between(t, knee, ic, tr.tc[side]),
                "foot_ahead_ic": np.interp(ic, t, ahead),
                "pelvic_drop": sign * np.interp(mid, t, obl)}
        for k, v in vals.items():
            out.setdefault(k, {})[side] = v
    return out


def video_values(tr: Truth, fps: float, noise_leg: float,
                 seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """The same quantities from the projected, noisy, cleaned 2D keypoints."""
    out: dict[str, dict[str, np.ndarray]] = {}
    side_pose = project(tr, "side", fps, noise_leg, seed)
    xy, _ = clean(side_pose)
    g = gait_from_keypoints(xy, side_pose.score, fps, view="side")
    rear_pose = project(tr, "rear", fps, noise_leg, seed + 1)
    xr, _ = clean(rear_pose)
    # hip-joint centres are ≈ 0.37 thigh lengths apart, narrower than a pose model's hip
    # keypoints, so the view is given rather than detected
    gr = gait_from_keypoints(xr, rear_pose.score, fps, view="rear")
    obl = gr.traces["pelvic_obliquity"] - np.nanmedian(gr.traces["pelvic_obliquity"])
    for side in ("left", "right"):
        ic, mid = tr.ic[side], 0.5 * (tr.ic[side] + tr.tc[side])
        t, tt = g.time_s + tr.time_s[0], gr.time_s + tr.time_s[0]
        sign = 1.0 if side == "left" else -1.0
        vals = {
            "shank_angle_ic": geo.interp_at(t, g.traces[f"shank_{side}"], ic),
            "knee_flexion_ic": geo.interp_at(t, g.traces[f"knee_{side}"], ic),
            "knee_flexion_mid": geo.peak_between(t, g.traces[f"knee_{side}"], ic, tr.tc[side]),
            "foot_ahead_ic": geo.interp_at(t, g.traces[f"foot_ahead_{side}"], ic),
            "pelvic_drop": sign * geo.interp_at(tt, obl, mid),
        }
        for k, v in vals.items():
            out.setdefault(k, {})[side] = v
    return out


def agreement(tr: Truth, fps: float, noise_leg: float, seed: int = 0) -> dict[str, dict]:
    """metric → bias, MAE and the L − R difference (video vs 3D)."""
    ref, vid = truth_values(tr), video_values(tr, fps, noise_leg, seed)
    res = {}
    for k in ref:
        errs = np.concatenate([vid[k][s] - ref[k][s] for s in ("left", "right")])
        errs = errs[np.isfinite(errs)]
        lr_ref = np.nanmedian(ref[k]["left"]) - np.nanmedian(ref[k]["right"])
        lr_vid = np.nanmedian(vid[k]["left"]) - np.nanmedian(vid[k]["right"])
        res[k] = {"n": len(errs), "bias": float(np.mean(errs)),
                  "mae": float(np.mean(np.abs(errs))),
                  "p95": float(np.percentile(np.abs(errs), 95)),
                  "lr_3d": float(lr_ref), "lr_video": float(lr_vid)}
    return res


if __name__ == "__main__":  # the table of docs/steps.md
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fukuchi-bmc-ric")
    tr = load_truth(root)
    for fps in (60.0, 30.0):
        for noise in (0.0, 0.01):
            print(f"fps {fps:.0f}, noise {100 * noise:.0f} % leg")
            for k, r in agreement(tr, fps, noise).items():
                print(f"  {k:18s} n={r['n']:3d} bias {r['bias']:+.2f} MAE {r['mae']:.2f} "
                      f"p95 {r['p95']:.2f}  L−R 3D {r['lr_3d']:+.2f} video {r['lr_video']:+.2f}")


def contact_agreement(tr: Truth, view: str, fps: float, noise_leg: float,
                      seed: int = 0) -> dict[str, object]:
    """The whole chain (contacts included) on the projected keypoints: video IC/TC − marker
    IC/TC (ms, matched within 100 ms), cadence from both, and the per-step activity."""
    from evenstride.steps.video import analyze_pose

    va = analyze_pose(project(tr, view, fps, noise_leg, seed), view=view)
    out: dict[str, object] = {"analysis": va}
    ic_err, tc_err = [], []
    for side in ("left", "right"):
        v_ic = va.gait.sides[side].ic_s + tr.time_s[0]
        v_tc = va.gait.sides[side].tc_s + tr.time_s[0]
        for ref, vid, acc in ((tr.ic[side], v_ic, ic_err), (tr.tc[side], v_tc, tc_err)):
            for t in ref:
                if len(vid):
                    d = vid[np.argmin(np.abs(vid - t))] - t
                    if abs(d) <= 0.1:
                        acc.append(1000.0 * d)
    n_ref = sum(len(tr.ic[s]) for s in ("left", "right"))
    ic_all = np.sort(np.concatenate([tr.ic[s] for s in ("left", "right")]))
    strides = np.concatenate([np.diff(tr.ic[s]) for s in ("left", "right")])
    out.update({
        "matched_ic": len(ic_err), "n_ref": n_ref,
        "ic_bias_ms": float(np.mean(ic_err)), "ic_sd_ms": float(np.std(ic_err)),
        "tc_bias_ms": float(np.mean(tc_err)) if tc_err else float("nan"),
        "tc_sd_ms": float(np.std(tc_err)) if tc_err else float("nan"),
        "cadence_markers": 120.0 / float(np.median(strides)),
        "cadence_video": va.summary["cadence_spm"],
        "n_ic_markers": len(ic_all),
    })
    return out
