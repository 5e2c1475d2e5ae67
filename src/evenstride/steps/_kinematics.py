# SPDX-License-Identifier: MIT
"""Sagittal/frontal kinematics at initial contact (IC) and mid-stance, per side.

Marker set: the Fukuchi 2017 / RBDS set (ASIS, PSIS, thigh and shank 4-marker clusters, heel,
MT1, MT5; X along the belt, Y vertical, Z medio-lateral). Choices:

- **Events**: with forces, IC/TC from :func:`~evenstride.steps.force_contacts` and sides from
  :func:`~evenstride.steps._force.assign_sides`; without, the foot-pitch method
  (:func:`~evenstride.steps._markers.foot_pitch_events`: Falbriard 2018's rules on the foot
  markers' pitch angular velocity; its agreement with force events is in docs/steps.md; the
  older heel/toe vertical-velocity rule missed most contacts of the rear-foot striker RBDS032).
  Mid-stance = IC + 50 % of the contact.
- **Forward**: :func:`~evenstride.steps._force.forward_sign` (the stance foot moves backward
  relative to the pelvis).
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
- **Hip adduction at IC and its peak in stance**: frontal-plane (Z–Y) angle of the thigh-cluster
  axis (mean of the Thigh.Top markers → mean of the Thigh.Bottom markers) from vertical, positive
  when its distal end is medial (toward the other leg; medial from the ASIS–ASIS line), plus the
  pelvis obliquity (the ASIS line's frontal angle, stance side higher = +, **as measured**: the
  trial mean is not removed here) so that the angle is relative to the pelvis. The running
  marker set has no hip-joint-centre or knee landmarks: the lateral thigh cluster stands in for
  the femur, so the absolute value has a subject-specific offset (uncalibrated); the within-run
  change and the L − R difference are what it is good for. Scientific fix: the trial-mean
  obliquity used to be removed from the pelvis but not from the thigh, which is inconsistent
  for a joint angle and subtracted twice the mean obliquity from L − R (RBDS001: −1.8° instead of
  the dataset's processed +3.4° at 2.5 m/s; now +2.6°). With the static trial beside the run
  (``RBDSxxxstatic.c3d``/``.txt``), knee flexion and hip adduction are calibrated on its
  landmarks (:func:`~evenstride.steps._static_calibration.rbds_calibrated_kinematics`).

Sides are compared as L − R differences (degrees / mm), not a symmetry angle/index: the angles
cross zero and the distance is measured from an arbitrary origin (science.md §1.1, §1.6).
:func:`contact_kinematics` gives the values per force contact for the per-step activity.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io import ForceData, MarkerData
from evenstride.steps._force import (
    assign_sides,
    force_contacts,
    forward_sign,
)
from evenstride.steps._markers import foot_pitch_events, marker_layout, to_rbds_frame
from evenstride.steps._static_calibration import (
    RBDS_ORIGINS,
    rbds_calibrated_kinematics,
    rbds_static_for,
)

SIDES = ("left", "right")
METRICS = (
    "shank_angle_ic_deg",
    "foot_ahead_mm",
    "foot_ahead_leg",
    "pelvic_drop_deg",
    "knee_flexion_ic_deg",
    "hip_adduction_ic_deg",
    "hip_adduction_peak_deg",
)
#: Per-contact kinematics → side-labelled metric (consts) of the per-step activity.
CHANNEL_METRICS = {
    "shank_angle_ic_deg": consts.M_SHANK_ANGLE_IC_DEG,
    "foot_ahead_mm": consts.M_FOOT_AHEAD_IC_MM,
    "pelvic_drop_deg": consts.M_PELVIC_DROP_DEG,
    "knee_flexion_ic_deg": consts.M_KNEE_FLEXION_IC_DEG,
    "hip_adduction_ic_deg": consts.M_HIP_ADDUCTION_IC_DEG,
    "hip_adduction_peak_deg": consts.M_HIP_ADDUCTION_PEAK_DEG,
}
#: Markers (per side, after the ``L.``/``R.`` prefix) the kinematics need.
REQUIRED_SIDE_MARKERS = (
    *(
        f"{seg}.{end}.{face}"
        for seg in ("Thigh", "Shank")
        for end in ("Top", "Bottom")
        for face in ("Lateral", "Medial")
    ),
    "Heel.Bottom",
    "MT1",
    "ASIS",
    "PSIS",
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


def has_marker_set(md: MarkerData) -> bool:
    """True when ``md`` has every marker the kinematics need (the RBDS running set)."""
    return all(p + n in md.markers for p in ("L.", "R.") for n in REQUIRED_SIDE_MARKERS)


def _events(
    md: MarkerData, fd: ForceData | None
) -> tuple[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    if fd is not None:
        ic, tc = force_contacts(fd)
        ic_s, tc_s = fd.time_s[ic], fd.time_s[tc]
        side, _ = assign_sides(ic_s, tc_s, md)
        return "force", {s: (ic_s[side == s], tc_s[side == s]) for s in SIDES}
    lay = marker_layout(md)
    ev = {s: foot_pitch_events(md, s, lay) for s in SIDES}
    _warn_if_sparse(md, ev)
    return "markers", ev


def _stride_period_s(md: MarkerData) -> float:
    """Stride period from the autocorrelation of the left heel height: its highest peak after
    the first zero crossing, within 2 s."""
    y = md.markers["L.Heel.Bottom"][:, 1]
    ok = np.isfinite(y)
    if ok.sum() < 3 * md.fs_hz:
        return float("nan")
    idx = np.arange(len(y))
    y = np.interp(idx, idx[ok], y[ok])
    y = y - y.mean()
    n = len(y)
    f = np.fft.rfft(y, 2 * n)
    ac = np.fft.irfft(f * np.conj(f))[:n]
    neg = np.nonzero(ac < 0)[0]
    lo, hi = (int(neg[0]) if len(neg) else n), min(n - 1, int(2.0 * md.fs_hz))
    if hi <= lo:
        return float("nan")
    return float((lo + int(np.argmax(ac[lo:hi]))) / md.fs_hz)


#: Marker-only events covering less than this share of the expected strides trigger a warning.
MIN_EVENT_COVERAGE = 0.8


def _warn_if_sparse(md: MarkerData, ev: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Warn when marker-only events miss many strides: the rules were checked against force on
    one forefoot-striking runner (docs/steps.md) and can miss other landing patterns."""
    duration = float(md.time_s[-1] - md.time_s[0]) if len(md.time_s) else 0.0
    found = {s: len(ev[s][0]) for s in SIDES}
    expected = duration / _stride_period_s(md) if duration > 0 else float("nan")
    if not np.isfinite(expected) or min(found.values()) < MIN_EVENT_COVERAGE * expected:
        warnings.warn(
            f"{md.path}: marker-only events found {found['left']} left / {found['right']} right "
            f"contacts in {duration:.0f} s (about {expected:.0f} per side expected); the "
            "marker-only event rules are validated against force on one forefoot striker only",
            EvenstrideWarning,
            stacklevel=3,
        )


def _obliquity_left_up(md: MarkerData, *, centred: bool = True) -> np.ndarray:
    """Frontal angle of the ASIS line, left ASIS higher = positive; trial mean removed when
    ``centred`` (pelvic drop), as measured otherwise (the pelvis frame of hip adduction)."""
    la, ra = md.markers["L.ASIS"], md.markers["R.ASIS"]
    obl = np.degrees(np.arctan2(la[:, 1] - ra[:, 1], np.abs(la[:, 2] - ra[:, 2])))
    return obl - np.nanmean(obl) if centred else obl


def _side_values(
    md: MarkerData,
    side: str,
    ic: np.ndarray,
    tc: np.ndarray,
    *,
    fwd: float,
    obliq_lr: np.ndarray,
    leg_length_mm: float | None,
) -> dict[str, np.ndarray]:
    m = md.markers
    p = "L." if side == "left" else "R."
    ms = ic + 0.5 * (tc - ic)
    psis = _mid(md, "L.PSIS", "R.PSIS")
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
    drop_sign = 1.0 if side == "left" else -1.0
    # hip adduction: medial = toward the other ASIS along Z
    other = "R.ASIS" if side == "left" else "L.ASIS"
    medial = np.sign(np.nanmean(m[other][:, 2] - m[p + "ASIS"][:, 2])) or 1.0
    thigh_vec = tb - tt
    frontal = np.degrees(np.arctan2(medial * thigh_vec[:, 2], -thigh_vec[:, 1]))
    hip = frontal + drop_sign * _obliquity_left_up(md, centred=False)
    hip_ic = _at(md, hip, ic)
    hip_peak = np.full(len(ic), np.nan)
    for k, (a, b) in enumerate(zip(ic, tc, strict=True)):
        w = (md.time_s >= a) & (md.time_s <= b)
        if np.any(w & np.isfinite(hip)):
            hip_peak[k] = float(np.nanmax(hip[w]))
    return {
        "shank_angle_ic_deg": shank,
        "foot_ahead_mm": ahead,
        "foot_ahead_leg": ahead / leg_length_mm if leg_length_mm else np.full_like(ahead, np.nan),
        "pelvic_drop_deg": drop_sign * _at(md, obliq_lr, ms),
        "knee_flexion_ic_deg": thigh - shank,
        "hip_adduction_ic_deg": hip_ic,
        "hip_adduction_peak_deg": hip_peak,
    }


def contact_kinematics(
    md: MarkerData, ic_s: np.ndarray, tc_s: np.ndarray, side: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-contact kinematics aligned with the contacts (``side[k]`` is contact k's side):
    side-labelled metric (:data:`CHANNEL_METRICS` values) → one value per contact. Empty when
    the markers are not the RBDS running set."""
    return contact_kinematics_with_origins(md, ic_s, tc_s, side)[0]


def contact_kinematics_with_origins(
    md: MarkerData,
    ic_s: np.ndarray,
    tc_s: np.ndarray,
    side: np.ndarray,
    *,
    static: MarkerData | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """:func:`contact_kinematics` and the origin text of each metric calibrated on the static
    trial (``static``, else the ``RBDSxxxstatic`` file beside ``md.path``); the origins are
    empty when nothing was calibrated."""
    if not has_marker_set(md) or len(ic_s) == 0:
        return {}, {}
    md = to_rbds_frame(md)  # review fix: the formulas below read X = belt, Y = up (Z-up labs)
    try:
        fwd = forward_sign(md)
    except ValueError as exc:
        warnings.warn(f"marker kinematics skipped: {exc}", EvenstrideWarning, stacklevel=2)
        return {}, {}
    obl = _obliquity_left_up(md)
    out = {metric: np.full(len(ic_s), np.nan) for metric in CHANNEL_METRICS.values()}
    for s in SIDES:
        m = side == s
        vals = _side_values(md, s, ic_s[m], tc_s[m], fwd=fwd, obliq_lr=obl, leg_length_mm=None)
        for name, metric in CHANNEL_METRICS.items():
            out[metric][m] = vals[name]
    cal = _calibrated(md, static, ic_s, tc_s, side, fwd=fwd)
    out.update(cal)
    return out, {k: RBDS_ORIGINS[k] for k in cal}


def _calibrated(
    md: MarkerData,
    static: MarkerData | None,
    ic_s: np.ndarray,
    tc_s: np.ndarray,
    side: np.ndarray,
    *,
    fwd: float,
) -> dict[str, np.ndarray]:
    """Static-calibrated knee flexion / hip adduction (metric → per contact), or empty."""
    if static is None:
        static = rbds_static_for(md.path)
    if static is None:
        return {}
    return rbds_calibrated_kinematics(
        md,
        static,
        ic_s,
        tc_s,
        side,
        fwd=fwd,
        obliquity_left_up_deg=_obliquity_left_up(md, centred=False),
    )


def ic_kinematics(
    md: MarkerData,
    fd: ForceData | None = None,
    *,
    leg_length_mm: float | None = None,
    static: MarkerData | None = None,
    calibrate: bool = True,
) -> Kinematics:
    """Kinematics at IC / mid-stance per side (see module docstring); knee flexion and hip
    adduction are calibrated on ``static`` (else the ``RBDSxxxstatic`` trial beside
    ``md.path``) when ``calibrate`` and one is found."""
    md = to_rbds_frame(md)  # review fix: the formulas below read X = belt, Y = up (Z-up labs)
    if not has_marker_set(md):  # review fix: was a KeyError on any other marker set (e.g. RIC)
        missing = sorted(
            p + n for p in ("L.", "R.") for n in REQUIRED_SIDE_MARKERS if p + n not in md.markers
        )
        raise ParseError(
            f"kinematics need the RBDS running marker set (missing {', '.join(missing[:4])}"
            f"{', …' if len(missing) > 4 else ''})",
            path=md.path,
        )
    source, ev = _events(md, fd)
    fwd = forward_sign(md)
    if calibrate and static is None:
        from evenstride.steps._static_calibration import rbds_static_for

        static = rbds_static_for(md.path)
    if not calibrate:
        static = None
    obl = _obliquity_left_up(md)
    k = Kinematics(event_source=source)
    for s in SIDES:
        ic, tc = ev[s]
        vals = _side_values(md, s, ic, tc, fwd=fwd, obliq_lr=obl, leg_length_mm=leg_length_mm)
        if static is not None:
            sides = np.full(len(ic), s)
            for metric, v in _calibrated(md, static, ic, tc, sides, fwd=fwd).items():
                vals[next(n for n, c in CHANNEL_METRICS.items() if c == metric)] = v
        k.per_step[s] = vals
        k.mean[s] = {
            n: float(np.nanmean(v)) if np.any(np.isfinite(v)) else float("nan")
            for n, v in vals.items()
        }
        k.n_contacts[s] = len(ic)
    k.diff_l_minus_r = {n: k.mean["left"][n] - k.mean["right"][n] for n in METRICS}
    return k
