# SPDX-License-Identifier: MIT
"""Per-step events and timing from motion-capture markers alone (no force plate).

Choices (docs/steps.md, "Marker-only events", has the validation):

- **Marker names and sides**: a marker's side is its name prefix — ``L.``/``R.``, ``L_``/``R_``,
  ``left_``/``right_`` (any case, separator ``.``, ``_``, ``-`` or space), or ``L``/``R`` followed
  by a capital (Plug-in Gait style ``LHEE``). Foot markers are the sided markers whose remaining
  name contains ``heel``, ``hee``, ``toe``, ``mt``, ``met``, ``foot``, ``calc`` or ``hal``
  (not ``ankle``/``mal``): the Fukuchi/RBDS heel and metatarsal markers, the Running Injury
  Clinic foot cluster ``L_foot_1..4``. Pelvis markers contain ``pelvis``, ``asis``, ``psis``,
  ``asi``, ``psi``, ``sacr`` or ``iliac``. A marker is used when it is finite in ≥ 80 % of the
  frames; gaps up to ``MAX_GAP_S`` = 0.1 s are filled linearly, longer ones stay missing; each
  frame's orientation is fitted on the markers present in it, and the stride cycles touching
  frames with fewer than 3 are dropped. At least 3 foot markers per side are needed (a
  rigid-body orientation).
- **Axes from the data**: vertical = the lab axis along which the pelvis is farthest from the
  feet (sign: feet → pelvis is up); belt axis = the horizontal axis with the larger spread of the
  foot relative to the pelvis; forward = opposite of the median along-belt velocity of the stance
  foot relative to the pelvis (the stance foot always moves backward relative to the pelvis; a
  foot is "on the ground" in the bottom 20 % of its height range, as in
  :func:`~evenstride.steps.forward_sign`). The RBDS files have Y up and X along the belt, the RIC
  files Y up and Z along the belt: both are found by these rules.
- **Events** (:func:`foot_pitch_events`): Falbriard M, Meyer F, Mariani B, Millet GP, Aminian K
  (2018) "Accurate estimation of running temporal parameters using foot-worn inertial sensors",
  Front Physiol 9:610 (science.md §10, [V]) — IC and TC are minima of the foot's sagittal
  (pitch) angular velocity between two mid-swing peaks. Here the angular velocity comes from the
  foot markers instead of a gyroscope: the foot's orientation is the least-squares rigid
  rotation of its markers (Kabsch/SVD) relative to their median shape, ω from Ṙ·Rᵀ, and pitch =
  ω · (forward × up) (toe up = +). The filters and mid-swing rule are those of the repository's
  IMU implementation (:mod:`evenstride.steps._falbriard`: 30 Hz and 3 Hz zero-phase low-pass,
  mid-swing peaks above max(100 °/s, 0.3 × 95th percentile), ≥ 0.4 s apart). Two changes,
  ours: (1) the cycle is split at **mid-stance** (the lowest point of the 5 Hz low-passed foot
  centroid) instead of at half-time — with halves, the deeper toe-off trough fell into the first
  half on the 2.5 m/s RBDS001 trial; (2) TC = the **first** local minimum after mid-stance that
  reaches ``TC_TROUGH_FRACTION`` = 0.7 of the deepest one — a second plantar-flexion trough
  ≈ 130 ms after toe-off is almost as deep at 3.5 m/s (this rule was added after looking at the
  3.5 m/s trial, so that trial is not a clean hold-out for it; docs/steps.md says so).
- **Belt speed** (:func:`belt_speed_m_s`): on a treadmill the stance foot moves with the belt,
  so the median along-belt lab velocity of the foot centroid at mid-stance is the belt speed
  (RBDS001: 2.51 and 3.53 m/s for the 2.5 and 3.5 m/s trials). Below 0.5 m/s the recording is
  taken to be over ground and no speed is inferred.
"""

from __future__ import annotations

import itertools
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.filters import lowpass, parabolic, peaks
from evenstride.io import MarkerData

SIDES = ("left", "right")
# Unless a line names a source, the numbers below are engineering choices (plausibility bounds,
# filters, gap handling) made for this implementation, not published thresholds; the ones tuned
# on a trial say which (docs/steps.md, "Marker-only events").
#: Longest marker gap filled by linear interpolation (s).
MAX_GAP_S = 0.1
#: A marker is used when finite in at least this share of the frames.
MIN_FINITE_SHARE = 0.8
#: Minimum foot markers per side (rigid-body orientation).
MIN_FOOT_MARKERS = 3
#: Falbriard filters and mid-swing rule (as in :class:`evenstride.steps.FalbriardEventDetection`).
FINE_LOWPASS_HZ = 30.0
SWING_LOWPASS_HZ = 3.0
MIN_SWING_PEAK_DPS = 100.0
SWING_PEAK_FRAC = 0.3
#: Stride durations accepted (s): walking-to-sprinting plausibility bounds, not from a source.
MIN_STRIDE_S = 0.4
MAX_STRIDE_S = 2.5
#: Low-pass of the foot centroid height used to find mid-stance (Hz; chosen on RBDS001 2.5 m/s).
MIDSTANCE_LOWPASS_HZ = 5.0
#: TC = first trough after mid-stance reaching this fraction of the deepest one (see docstring).
TC_TROUGH_FRACTION = 0.7
#: Foot "on the ground" = bottom fraction of its height range (forward direction rule).
GROUND_FRACTION = 0.2
#: Below this the stance foot is not carried by a belt: no treadmill speed is inferred (m/s).
MIN_BELT_SPEED_M_S = 0.5

_SIDE_SEP = re.compile(r"^(left|right|l|r)[._\- ](.+)$", re.IGNORECASE)
_SIDE_CAP = re.compile(r"^([LR])([A-Z].*)$")
_FOOT_WORDS = ("heel", "hee", "toe", "mt", "met", "foot", "calc", "hal")
_NOT_FOOT = ("ankle", "ank", "mal")
_PELVIS_WORDS = ("pelvis", "asis", "psis", "asi", "psi", "sacr", "iliac")


def marker_side(name: str) -> tuple[str | None, str]:
    """``("left" | "right" | None, rest of the name)`` from the name's side prefix."""
    m = _SIDE_SEP.match(name) or _SIDE_CAP.match(name)
    if not m:
        return None, name
    side = "left" if m.group(1).lower().startswith("l") else "right"
    return side, m.group(2)


def _is_foot(rest: str) -> bool:
    r = rest.lower()
    return any(w in r for w in _FOOT_WORDS) and not any(w in r for w in _NOT_FOOT)


def _fill_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear interpolation over runs of NaN rows no longer than ``max_gap`` frames."""
    out = x.copy()
    bad = ~np.all(np.isfinite(x), axis=1)
    if not bad.any() or bad.all():
        return out
    idx = np.arange(len(x))
    good = ~bad
    edges = np.diff(np.concatenate(([0], bad.astype(int), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    for a, b in zip(starts, ends, strict=True):
        if b - a <= max_gap and a > 0 and b < len(x):
            for j in range(3):
                out[a:b, j] = np.interp(idx[a:b], idx[good], x[good, j])
    return out


@dataclass
class MarkerLayout:
    """Which markers are the feet and the pelvis, and the lab axes found from the data."""

    foot: dict[str, list[str]]
    pelvis: list[str]
    up: np.ndarray
    forward: np.ndarray
    #: Marker positions after gap filling (mm), only the markers used.
    pos: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def pitch_axis(self) -> np.ndarray:
        """Unit axis of toe-up rotation (forward × up)."""
        return np.cross(self.forward, self.up)


def _axis_name(v: np.ndarray) -> str:
    k = int(np.argmax(np.abs(v)))
    return ("+" if v[k] > 0 else "−") + "XYZ"[k]


def marker_layout(md: MarkerData) -> MarkerLayout:
    """Find the foot and pelvis markers and the lab axes (module docstring); a one-line
    :class:`ParseError` when the markers needed are missing."""
    n = len(md.time_s)
    max_gap = round(MAX_GAP_S * md.fs_hz)
    usable: dict[str, np.ndarray] = {}
    for name, x in md.markers.items():
        if x.ndim == 2 and x.shape[1] == 3 and np.all(np.isfinite(x), axis=1).mean() >= (
            MIN_FINITE_SHARE
        ):
            usable[name] = _fill_gaps(np.asarray(x, float), max_gap)
    foot: dict[str, list[str]] = {s: [] for s in SIDES}
    pelvis: list[str] = []
    for name in usable:
        side, rest = marker_side(name)
        if side is not None and _is_foot(rest):
            foot[side].append(name)
        elif any(w in name.lower() for w in _PELVIS_WORDS):
            pelvis.append(name)
    short = [s for s in SIDES if len(foot[s]) < MIN_FOOT_MARKERS]
    if short:
        found = "; ".join(f"{s}: {foot[s] or 'none'}" for s in SIDES)
        raise ParseError(
            f"marker-only events need ≥ {MIN_FOOT_MARKERS} tracked foot markers per side (names "
            f"starting L/R with heel/toe/MT/foot; found {found})",
            path=md.path,
        )
    others = pelvis or [m for m in usable if m not in foot["left"] + foot["right"]]
    if not others or n < 2:
        raise ParseError("marker-only events need pelvis (or other body) markers", path=md.path)
    cent = {s: np.nanmean(np.stack([usable[m] for m in foot[s]]), axis=0) for s in SIDES}
    pel = np.nanmean(np.stack([usable[m] for m in others]), axis=0)
    feet = 0.5 * (cent["left"] + cent["right"])
    d = np.nanmean(pel - feet, axis=0)
    k_up = int(np.argmax(np.abs(d)))
    up = np.zeros(3)
    up[k_up] = np.sign(d[k_up])
    horiz = [k for k in range(3) if k != k_up]
    spread = [sum(float(np.nanstd(cent[s][:, k] - pel[:, k])) for s in SIDES) for k in horiz]
    k_belt = horiz[int(np.argmax(spread))]
    votes = []
    for s in SIDES:
        h = cent[s] @ up
        lo, hi = np.nanpercentile(h, [1, 99])
        on_ground = h < lo + GROUND_FRACTION * (hi - lo)
        v = np.gradient(cent[s][:, k_belt] - pel[:, k_belt])
        votes.append(v[on_ground & np.isfinite(v)])
    pooled = np.concatenate(votes)
    med = float(np.median(pooled)) if len(pooled) else float("nan")
    if not np.isfinite(med) or med == 0:
        raise ParseError("cannot tell the forward direction from the foot markers", path=md.path)
    fwd = np.zeros(3)
    fwd[k_belt] = -np.sign(med)
    pos = {m: usable[m] for m in foot["left"] + foot["right"] + others}
    return MarkerLayout(foot=foot, pelvis=others, up=up, forward=fwd, pos=pos)


def to_rbds_frame(md: MarkerData) -> MarkerData:
    """``md`` re-expressed in the RBDS lab frame the fixed-axis code assumes (X = the belt axis,
    + forward; Y = up; Z = X × Y), using the axes :func:`marker_layout` finds in the data.

    Review fix: :mod:`._kinematics`, :func:`~evenstride.steps._force.assign_sides` and
    :func:`~evenstride.steps.forward_sign` read X as the belt and Y as the vertical. A Z-up lab
    (most C3D files) with the RBDS marker names gave silently wrong angles (shank 12° → 4°, knee
    14° → −4° on RBDS001 turned Z-up) and side votes from a horizontal coordinate. ``md`` itself
    is returned when it already is in that frame or when the layout cannot be found (then the
    old fixed-axis behaviour is kept)."""
    try:
        lay = marker_layout(md)
    except ParseError:
        return md
    if lay.up[1] == 1.0 and lay.forward[0] == 1.0:
        return md
    basis = np.stack([lay.forward, lay.up, np.cross(lay.forward, lay.up)])  # rows: new X, Y, Z
    markers = {k: np.asarray(v, float) @ basis.T for k, v in md.markers.items()}
    return MarkerData(md.path, md.fs_hz, md.time_s, markers)


def rigid_fit(p: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares rotation (Kabsch, SVD) per frame of the centred (k, 3) shape ``ref`` onto
    the (n, k, 3) marker cloud ``p``, and the RMS residual per frame (mm).

    Review fix: each frame is fitted on the markers present in it (both clouds centred on the
    centroid of that subset); frames with fewer than ``MIN_FOOT_MARKERS`` markers get NaN.
    Before, one missing marker of a 4–5-marker cluster for more than ``MAX_GAP_S`` voided the
    frame and so the whole stride cycle, although the others define the rotation."""
    fin = np.all(np.isfinite(p), axis=2)  # (n, k)
    w = fin.astype(float)
    nk = w.sum(axis=1)
    ok = nk >= MIN_FOOT_MARKERS
    safe = np.where(nk > 0, nk, 1.0)[:, None]
    ref = ref - ref.mean(axis=0)
    x = np.where(fin[..., None], p, 0.0)
    xc = np.einsum("nk,nkj->nj", w, x) / safe  # centroid of the markers present
    rc = (w @ ref) / safe  # centroid of the same markers in the reference shape
    x0 = (x - xc[:, None, :]) * w[..., None]
    r0 = (ref[None, :, :] - rc[:, None, :]) * w[..., None]
    h = np.einsum("nki,nkj->nij", r0, x0)
    u, _, vt = np.linalg.svd(h)
    v = np.transpose(vt, (0, 2, 1))
    ut = np.transpose(u, (0, 2, 1))
    d = np.zeros_like(h)
    d[:, 0, 0] = 1.0
    d[:, 1, 1] = 1.0
    d[:, 2, 2] = np.sign(np.linalg.det(v @ ut))
    r = v @ d @ ut
    resid = (x0 - np.einsum("nij,nkj->nki", r, r0)) * w[..., None]
    rms = np.sqrt(np.sum(resid**2, axis=(1, 2)) / safe[:, 0])
    r[~ok] = np.nan
    rms[~ok] = np.nan
    return r, rms


def _cluster_centre(p: np.ndarray) -> np.ndarray:
    """Centroid (n, 3) of the whole (n, k, 3) cluster, also in frames where some markers are
    missing: the subset centroid minus the rotated offset of that subset's centroid in the
    median shape (a plain mean would jump when a marker drops out). NaN where the fit is."""
    full = np.all(np.isfinite(p), axis=(1, 2))
    if not full.any():
        return np.full((len(p), 3), np.nan)
    x = p - p.mean(axis=1, keepdims=True)
    ref = np.median(x[full], axis=0)
    ref = ref - ref.mean(axis=0)
    r, _ = rigid_fit(p, ref)
    fin = np.all(np.isfinite(p), axis=2)
    w = fin.astype(float)
    safe = np.where(w.sum(axis=1) > 0, w.sum(axis=1), 1.0)[:, None]
    xc = np.einsum("nk,nkj->nj", w, np.where(fin[..., None], p, 0.0)) / safe
    rc = (w @ ref) / safe
    return xc - np.einsum("nij,nj->ni", r, rc)


def _rotations(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame rigid rotation (n, 3, 3) of the (n, k, 3) marker cloud relative to its median
    shape (from the frames where every marker is present) and the frames where it is valid."""
    full = np.all(np.isfinite(p), axis=(1, 2))
    if not full.any():  # no reference shape: every frame invalid (was a RuntimeWarning)
        return np.full((len(p), 3, 3), np.nan), np.zeros(len(p), bool)
    x = p - p.mean(axis=1, keepdims=True)
    r, _ = rigid_fit(p, np.median(x[full], axis=0))
    return r, np.all(np.isfinite(r), axis=(1, 2))


def angular_velocity(p: np.ndarray, fs: float) -> np.ndarray:
    """Lab-frame angular velocity (n, 3), rad/s, of the rigid (n, k, 3) marker cloud."""
    r, _ = _rotations(p)
    rd = np.gradient(r, axis=0) * fs
    w = np.einsum("nij,nkj->nik", rd, r)  # Ṙ·Rᵀ = [ω]×
    return 0.5 * np.stack([w[:, 2, 1] - w[:, 1, 2], w[:, 0, 2] - w[:, 2, 0],
                           w[:, 1, 0] - w[:, 0, 1]], axis=1)


def _foot_cloud(lay: MarkerLayout, side: str) -> np.ndarray:
    return np.stack([lay.pos[m] for m in lay.foot[side]], axis=1)


def foot_pitch_rate(md: MarkerData, lay: MarkerLayout, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Foot pitch angular velocity (deg/s, toe up = +) and the frames where it is valid."""
    p = _foot_cloud(lay, side)
    w = np.degrees(angular_velocity(p, md.fs_hz)) @ lay.pitch_axis
    ok = np.isfinite(w)
    return np.where(ok, w, 0.0), ok


def foot_pitch_events(
    md: MarkerData, side: str, lay: MarkerLayout | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """IC and TC times (s) of one side from the foot markers' pitch angular velocity
    (module docstring, "Events"); paired arrays, one entry per detected stance."""
    lay = lay or marker_layout(md)
    fs = md.fs_hz
    w, ok = foot_pitch_rate(md, lay, side)
    fine = lowpass(w, fs, FINE_LOWPASS_HZ)
    coarse = lowpass(w, fs, SWING_LOWPASS_HZ)
    # review fix: the cluster centre from the rigid fit, so that a marker gap neither moves
    # mid-stance nor (with no complete frame) crashes np.interp below
    height_raw = _cluster_centre(_foot_cloud(lay, side)) @ lay.up
    hok = np.isfinite(height_raw)
    if not ok.any() or not hok.any():
        raise ParseError(
            f"marker-only events: the {side} foot markers ({', '.join(lay.foot[side])}) are "
            f"never tracked together (≥ {MIN_FOOT_MARKERS} in one frame, all in some frame)",
            path=md.path,
        )
    idx = np.arange(len(w))
    h = lowpass(np.interp(idx, idx[hok], height_raw[hok]), fs, MIDSTANCE_LOWPASS_HZ)
    thr = max(MIN_SWING_PEAK_DPS, SWING_PEAK_FRAC * float(np.percentile(coarse, 95)))
    pk = peaks(coarse, thr, int(MIN_STRIDE_S * fs))
    n_bad = np.concatenate(([0], np.cumsum(~ok)))
    ic: list[float] = []
    tc: list[float] = []
    for a, b in itertools.pairwise(pk):
        if not MIN_STRIDE_S <= (b - a) / fs <= MAX_STRIDE_S or n_bad[b + 1] - n_bad[a] > 0:
            continue
        mid = a + int(np.argmin(h[a:b]))
        if mid - a < 2 or b - mid < 3:
            continue
        i1 = int(np.argmin(fine[a:mid]))
        second = fine[mid : b + 1]
        deepest = float(second.min())
        if i1 == 0 or deepest >= 0:
            continue
        c = second[1:-1]
        troughs = np.nonzero((c < second[:-2]) & (c <= second[2:])
                             & (c <= TC_TROUGH_FRACTION * deepest))[0] + 1
        if len(troughs) == 0:
            continue
        i2 = int(troughs[0])
        ic.append(a + i1 + parabolic(fine[a : mid + 1], i1))
        tc.append(mid + i2 + parabolic(second, i2))
    return np.interp(ic, idx, md.time_s), np.interp(tc, idx, md.time_s)


def belt_speed_m_s(md: MarkerData, lay: MarkerLayout, ic_s: np.ndarray, tc_s: np.ndarray,
                   side: np.ndarray) -> float | None:
    """Treadmill belt speed (m/s) from the stance foot's lab velocity at mid-stance, or None
    when it is below ``MIN_BELT_SPEED_M_S`` (over ground) or cannot be measured."""
    vals = []
    for s in SIDES:
        m = side == s
        if not m.any():
            continue
        x = _cluster_centre(_foot_cloud(lay, s)) @ lay.forward  # as the mid-stance height
        v = np.gradient(x) * md.fs_hz / 1000.0
        mid = 0.5 * (ic_s[m] + tc_s[m])
        vals.append(np.interp(mid, md.time_s, v))
    if not vals:
        return None
    speed = -float(np.nanmedian(np.concatenate(vals)))
    return speed if np.isfinite(speed) and speed >= MIN_BELT_SPEED_M_S else None


@dataclass
class MarkerEvents:
    """Contacts of both feet in time order (marker-only)."""

    ic_s: np.ndarray
    tc_s: np.ndarray
    side: np.ndarray
    #: Consecutive contact pairs with alternating sides (running has no double support).
    n_alternating: int
    layout: MarkerLayout
    per_side: dict[str, int]
    speed_m_s: float | None = None
    warnings: list[str] = field(default_factory=list)
    #: Contacts excluded per side as event errors (``CONTACT_OUTLIER_FRACTION``).
    dropped: dict[str, int] = field(default_factory=dict)


#: Plausible running contact times (s), a plausibility bound (not a published threshold);
#: outside it a warning names the share of contacts.
CONTACT_RANGE_S = (0.1, 0.45)
#: A contact whose duration differs from its side's median by more than this fraction is an
#: event error and is excluded (ours: > 6 typical SDs of running contact time, CV ≈ 3–5 %;
#: it excludes no contact of RBDS001, RBDS032 or two of the three RIC trials).
CONTACT_OUTLIER_FRACTION = 0.3


def marker_contacts(md: MarkerData) -> MarkerEvents:
    """Both sides' marker-only events merged in time order, with plausibility checks."""
    lay = marker_layout(md)
    ics, tcs, sides = [], [], []
    per: dict[str, int] = {}
    for s in SIDES:
        ic, tc = foot_pitch_events(md, s, lay)
        ics.append(ic)
        tcs.append(tc)
        sides.append(np.full(len(ic), s))
        per[s] = len(ic)
    ic_a, tc_a, side_a = np.concatenate(ics), np.concatenate(tcs), np.concatenate(sides)
    order = np.argsort(ic_a)
    ic_a, tc_a, side_a = ic_a[order], tc_a[order], side_a[order]
    if min(per.values()) < 3:
        raise ParseError(
            f"marker-only events: only {per['left']} left / {per['right']} right contacts found",
            path=md.path,
        )
    msgs: list[str] = []
    ct_all = tc_a - ic_a
    keep = np.ones(len(ic_a), bool)
    dropped: dict[str, int] = {}
    for s in SIDES:
        m = side_a == s
        med = float(np.median(ct_all[m]))
        bad_s = m & (np.abs(ct_all - med) > CONTACT_OUTLIER_FRACTION * med)
        keep &= ~bad_s
        dropped[s] = int(bad_s.sum())
    if sum(dropped.values()):
        msgs.append(
            f"{md.path}: {dropped['left']} left / {dropped['right']} right marker-only contacts "
            f"excluded (contact time more than {100 * CONTACT_OUTLIER_FRACTION:.0f} % from that "
            "side's median: marker glitches or misplaced events)"
        )
        ic_a, tc_a, side_a = ic_a[keep], tc_a[keep], side_a[keep]
        per = {s: int(np.sum(side_a == s)) for s in SIDES}
    alt = int(np.sum(side_a[1:] != side_a[:-1]))
    ct = tc_a - ic_a
    lo, hi = CONTACT_RANGE_S
    bad = np.mean((ct < lo) | (ct > hi))
    if bad > 0.1:
        msgs.append(f"{md.path}: {100 * bad:.0f} % of marker-only contact times are outside "
                    f"{lo}–{hi} s; check the foot markers")
    if alt < 0.9 * (len(ic_a) - 1):
        msgs.append(f"{md.path}: marker-only contacts alternate sides in only {alt} of "
                    f"{len(ic_a) - 1} consecutive pairs (missed contacts); step and flight "
                    "times are computed only across alternating pairs")
    for m in msgs:
        warnings.warn(m, EvenstrideWarning, stacklevel=2)
    ev = MarkerEvents(ic_a, tc_a, side_a, alt, lay, per, warnings=msgs, dropped=dropped)
    ev.speed_m_s = belt_speed_m_s(md, lay, ic_a, tc_a, side_a)
    return ev


def describe_layout(lay: MarkerLayout) -> dict[str, object]:
    """JSON-friendly summary of the layout (for ``meta.extra``)."""
    return {
        "foot_markers": {s: list(lay.foot[s]) for s in SIDES},
        "pelvis_markers": list(lay.pelvis),
        "up_axis": _axis_name(lay.up),
        "forward_axis": _axis_name(lay.forward),
    }
