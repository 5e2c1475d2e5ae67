# SPDX-License-Identifier: MIT
"""Contacts from a single-belt treadmill's vertical force, sides from foot markers, marker-only
events, and per-step metrics.

Choices (documented here so they can be cited in reports):

- **Contacts**: the vertical force is smoothed with a 5-sample (≈17 ms at 300 Hz) moving mean;
  a contact starts when it rises above ``ON_N`` = 50 N and ends when it falls below
  ``OFF_N`` = 30 N (hysteresis, so noise near the threshold does not split a contact). Contacts
  shorter than 0.08 s are dropped and gaps shorter than 0.02 s are merged. Initial contact (IC)
  and toe-off (TC) are then placed at the 50 N crossings of the *raw* signal next to these
  edges, so the contact time does not depend on the hysteresis.
- **Side**: at mid-contact (IC + 40 % of the contact) the stance foot is on the belt, the other
  foot is swinging: the side whose lowest foot marker (heel bottom, MT1, MT5; vertical Y) is
  lower is the stance side. Sides must alternate (there is no double support in running):
  the alternating L/R sequence that agrees with most marker votes is kept, and the number of
  contacts where marker vote and alternation agree is reported (``side_consistency``).
- **Forward direction** (:func:`forward_sign`): relative to the pelvis (mean of the PSIS
  markers) the stance foot always moves backward — on a treadmill the belt carries it back, over
  ground the pelvis passes it. So forward is the opposite of the median along-belt velocity of
  the heel and MT1 relative to the pelvis while that foot is on the ground (its lowest marker in
  the bottom 20 % of its height range), pooled over both feet and the whole trial. (The earlier
  rule, "the relative heel position decreases more often than it increases", only holds when
  stance is longer than swing, i.e. in walking; in running it picked the wrong sign on the
  3.5 m/s C3D trial.)
- **Marker-only events, coordinate method** (:func:`marker_events`): Zeni JA, Richards JG,
  Higginson JS (2008) Gait Posture 27:710–714: IC at the maxima and TC at the minima of the
  heel's (IC) and MT1's (TC) forward position relative to the pelvis. Validated in walking; in
  running its toe-off is ≈ 110–120 ms late (the toe keeps moving back after it leaves the belt).
- **Marker-only events, heel/toe vertical-velocity method** (:func:`foot_velocity_events`): IC =
  the first landing trough of the heel's or MT1's vertical velocity (a local minimum below
  −``LANDING_VEL_M_S`` while that marker is in the bottom ``LANDING_HEIGHT`` of its height
  range). This follows the foot-velocity idea of O'Connor CM, Thorpe SK, O'Malley MJ, Vaughan CL
  (2007) "Automatic detection of gait events using kinematic data", Gait Posture 25:469–474
  (events from features of the heel/toe vertical velocity; walking; their exact feature rules
  were not retrieved, so this rule is ours), applied per marker because the best running
  foot-strike marker depends on the strike type (Leitch J, Stebbins J, Paolini G, Zavatsky AB
  (2011) Gait Posture 33:130–132). TC = the first frame after IC + 50 ms at which MT1's upward
  velocity exceeds ``TOE_OFF_VEL_M_S`` = 0.5 m/s (Leitch 2011 found toe-off best from the
  hallux's vertical profile for all strike types; the set has no hallux marker). The thresholds
  were chosen on the 2.5 m/s trial and checked on the 3.5 m/s trial (docs/steps.md). Heights
  are low-passed at 10 Hz (zero-phase).
- **Marker-only events, foot-pitch method** (the default wherever there is no force; in
  :mod:`._markers`): Falbriard et al. 2018's IMU rules on the foot markers' pitch angular
  velocity. The velocity method above missed most contacts of a rear-foot striker (RBDS032) and
  needs heel and MT1 markers; it is kept for comparison.
- **Loading rate**: average vertical loading rate over the first 50 ms after IC,
  (F(IC+50 ms) − F(IC)) / 50 ms, in BW/s. The "20–80 % of the impact peak" definition
  (Milner et al. 2006) needs an impact peak, which forefoot strikers (this subject, RBDSinfo
  ``RFSI25``/``LFSI25`` = Forefoot) do not have; a fixed early window works for all.
- **AP axis**: of the two horizontal components, the one with the larger mean |force| during
  contacts; its sign is set so that the first half of the mean stance curve is negative
  (braking), the second positive (propulsion).
"""

from __future__ import annotations

import numpy as np

from evenstride.exceptions import ParseError
from evenstride.filters import lowpass
from evenstride.io import ForceData, G, MarkerData
from evenstride.steps._markers import foot_pitch_events, to_rbds_frame
from evenstride.steps._table import StepTable

ON_N = 50.0
OFF_N = 30.0
MIN_CONTACT_S = 0.08
MIN_GAP_S = 0.02
LOADING_WINDOW_S = 0.05
#: Window to pair a marker event with a force event (s).
MATCH_WINDOW_S = 0.15
#: Foot-velocity method: low-pass cut-off of the marker heights (Hz).
FOOT_VEL_CUTOFF_HZ = 10.0
#: Foot-velocity method: MT1 upward velocity that marks toe-off (m/s).
TOE_OFF_VEL_M_S = 0.5
#: Foot-velocity method: a landing trough is a local minimum of a foot marker's vertical
#: velocity below −LANDING_VEL_M_S while the marker is in the bottom LANDING_HEIGHT of its range.
LANDING_VEL_M_S = 0.2
LANDING_HEIGHT = 0.3
#: Forward-direction rule: a foot is "on the ground" in the bottom fraction of its height range.
GROUND_FRACTION = 0.2


def _smooth(x: np.ndarray, k: int = 5) -> np.ndarray:
    return np.convolve(x, np.ones(k) / k, mode="same")


def force_contacts(fd: ForceData) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices of IC and TC (first and last sample ≥ ON_N) of complete contacts."""
    f = fd.vertical
    fs = fd.fs_hz
    s = _smooth(f)
    state = False
    starts, ends = [], []
    for i, v in enumerate(s):
        if not state and v > ON_N:
            state = True
            starts.append(i)
        elif state and v < OFF_N:
            state = False
            ends.append(i)
    if state:
        starts.pop()  # incomplete at the end
    st, en = np.array(starts, int), np.array(ends, int)
    if len(st) and st[0] == 0:  # incomplete at the start
        st, en = st[1:], en[1:]
    # merge short gaps, drop short contacts
    keep_s: list[int] = []
    keep_e: list[int] = []
    for a, b in zip(st, en, strict=True):
        if keep_e and (a - keep_e[-1]) / fs < MIN_GAP_S:
            keep_e[-1] = b
        else:
            keep_s.append(a)
            keep_e.append(b)
    ic, tc = [], []
    for a, b in zip(keep_s, keep_e, strict=True):
        if (b - a) / fs < MIN_CONTACT_S:
            continue
        seg = np.nonzero(f[a:b] >= ON_N)[0]
        i0 = a + int(seg[0]) if len(seg) else a
        while i0 > 0 and f[i0 - 1] >= ON_N:
            i0 -= 1
        i1 = a + int(seg[-1]) if len(seg) else b
        while i1 + 1 < len(f) and f[i1 + 1] >= ON_N:
            i1 += 1
        ic.append(i0)
        tc.append(i1)
    return np.array(ic, int), np.array(tc, int)


def _lowest(md: MarkerData, side: str) -> np.ndarray:
    p = "L." if side == "left" else "R."
    names = [p + n for n in ("Heel.Bottom", "MT1", "MT5")]
    ys = [md.markers[n][:, 1] for n in names if n in md.markers]
    if not ys:  # e.g. damaged labels: one line, not an internal error (issue 14)
        raise ParseError(f"no {side} foot markers ({', '.join(names)}) to tell the sides apart",
                         path=md.path)
    return np.min(np.vstack(ys), axis=0)


def assign_sides(ic_s: np.ndarray, tc_s: np.ndarray, md: MarkerData) -> tuple[np.ndarray, int]:
    """Side of each contact (see module docstring) and the number of agreeing marker votes."""
    mid = ic_s + 0.4 * (tc_s - ic_s)
    yl = np.interp(mid, md.time_s, _lowest(md, "left"))
    yr = np.interp(mid, md.time_s, _lowest(md, "right"))
    vote_left = yl < yr
    n = len(ic_s)
    alt = np.arange(n) % 2 == 0
    agree_a = int(np.sum(vote_left == alt))
    agree_b = n - agree_a
    first_left = agree_a >= agree_b
    is_left = alt if first_left else ~alt
    side = np.where(is_left, "left", "right")
    return side, max(agree_a, agree_b)


def _pelvis_x(md: MarkerData) -> np.ndarray:
    if "L.PSIS" in md.markers and "R.PSIS" in md.markers:
        return 0.5 * (md.markers["L.PSIS"][:, 0] + md.markers["R.PSIS"][:, 0])
    return np.zeros(len(md.time_s))


def forward_sign(md: MarkerData) -> float:
    """+1 when forward is +X, −1 when it is −X (see module docstring, "Forward direction")."""
    pelvis = _pelvis_x(md)
    votes: list[np.ndarray] = []
    for side in ("left", "right"):
        p = "L." if side == "left" else "R."
        low = _lowest(md, side)
        if not np.isfinite(low).any():
            continue
        lo, hi = np.nanpercentile(low, [1, 99])
        on_ground = low < lo + GROUND_FRACTION * (hi - lo)
        for name in ("Heel.Bottom", "MT1"):
            if p + name not in md.markers:
                continue
            v = np.gradient(md.markers[p + name][:, 0] - pelvis)
            votes.append(v[on_ground & np.isfinite(v)])
    pooled = np.concatenate(votes) if votes else np.zeros(0)
    if len(pooled) == 0 or not np.isfinite(np.median(pooled)) or np.median(pooled) == 0:
        raise ValueError(f"{md.path}: cannot tell the forward direction from the foot markers")
    return -1.0 if np.median(pooled) > 0 else 1.0


def _window_maxima(x: np.ndarray, half: int) -> np.ndarray:
    """Indices that are the maximum of the ±``half`` window around them (not at the edges)."""
    idx = []
    for i in range(half, len(x) - half):
        if x[i] == np.max(x[i - half : i + half + 1]):
            idx.append(i)
    return np.array(idx, int)


def marker_events(md: MarkerData, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Zeni et al. 2008 IC and TC times (s) of one side from the marker trajectories."""
    md = to_rbds_frame(md)  # review fix: the code below reads X = belt, Y = up (Z-up labs)
    p = "L." if side == "left" else "R."
    pelvis = _pelvis_x(md)
    sign = forward_sign(md)
    heel = sign * (md.markers[p + "Heel.Bottom"][:, 0] - pelvis)
    toe = sign * (md.markers[p + "MT1"][:, 0] - pelvis)
    half = int(0.15 * md.fs_hz)  # a step is ≥0.3 s: extrema at least 0.15 s from any larger one
    return md.time_s[_window_maxima(heel, half)], md.time_s[_window_maxima(-toe, half)]


def _vertical(md: MarkerData, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Low-passed vertical velocity (m/s) and height relative to its 1–99 % range (0–1)."""
    y = md.markers[name][:, 1]
    ok = np.isfinite(y)
    if ok.sum() < 2:
        nan = np.full(len(y), np.nan)
        return nan, nan
    idx = np.arange(len(y))
    y = lowpass(np.interp(idx, idx[ok], y[ok]), md.fs_hz, FOOT_VEL_CUTOFF_HZ)
    v = np.gradient(y) * md.fs_hz / 1000.0
    lo, hi = np.percentile(y, [1, 99])
    return v, (y - lo) / (hi - lo if hi > lo else 1.0)


def foot_velocity_events(md: MarkerData, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Heel/toe vertical-velocity IC and TC times (s) of one side (see module docstring).

    Returns paired arrays: each TC is the toe-off of the stance that starts at the IC with the
    same index (a stance without a toe-off before the next IC is dropped).
    """
    md = to_rbds_frame(md)  # review fix: the code below reads X = belt, Y = up (Z-up labs)
    p = "L." if side == "left" else "R."
    fs = md.fs_hz
    cands: list[np.ndarray] = []
    for name in ("Heel.Bottom", "MT1"):
        v, rel = _vertical(md, p + name)
        c = v[1:-1]
        lmin = (c < v[:-2]) & (c <= v[2:]) & (rel[1:-1] < LANDING_HEIGHT) & (c < -LANDING_VEL_M_S)
        cands.append(np.nonzero(lmin)[0] + 1)
    v_toe, _ = _vertical(md, p + "MT1")
    ic: list[int] = []
    for j in np.sort(np.concatenate(cands)):  # the first landing trough of heel or toe wins
        if not ic or j - ic[-1] > 0.15 * fs:
            ic.append(int(j))
    ic_out, tc_out = [], []
    for k, i in enumerate(ic):
        nxt = ic[k + 1] if k + 1 < len(ic) else len(v_toe)
        start = i + int(0.05 * fs)  # past the landing transient
        up = np.nonzero(v_toe[start:nxt] > TOE_OFF_VEL_M_S)[0]
        if len(up) == 0 or start + int(up[0]) == 0:
            continue
        j = start + int(up[0])
        lo_v, hi_v = v_toe[j - 1], v_toe[j]
        frac = (TOE_OFF_VEL_M_S - lo_v) / (hi_v - lo_v) if hi_v > lo_v else 0.0
        ic_out.append(md.time_s[i])
        tc_out.append(md.time_s[j - 1] + min(max(frac, 0.0), 1.0) / fs)
    return np.array(ic_out), np.array(tc_out)


def _matched(force_t: np.ndarray, marker_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (force, marker) of events within ``MATCH_WINDOW_S`` of each other."""
    fi, mi = [], []
    for k, t in enumerate(force_t):
        if len(marker_t) == 0:
            break
        j = int(np.argmin(np.abs(marker_t - t)))
        if abs(marker_t[j] - t) <= MATCH_WINDOW_S:
            fi.append(k)
            mi.append(j)
    return np.array(fi, int), np.array(mi, int)


def _stats_ms(d_s: np.ndarray) -> dict[str, float]:
    arr = np.asarray(d_s, float) * 1000.0
    if len(arr) < 2:
        nan = float("nan")
        keys = ("bias_ms", "sd_ms", "loa_low_ms", "loa_high_ms", "mae_ms", "median_ae_ms")
        return {"n": float(len(arr)), **dict.fromkeys(keys, nan)}
    b, sd = float(arr.mean()), float(arr.std(ddof=1))
    return {
        "n": float(len(arr)),
        "bias_ms": b,
        "sd_ms": sd,
        "loa_low_ms": b - 1.96 * sd,
        "loa_high_ms": b + 1.96 * sd,
        "mae_ms": float(np.mean(np.abs(arr))),
        "median_ae_ms": float(np.median(np.abs(arr))),
    }


def agreement_ms(force_t: np.ndarray, marker_t: np.ndarray) -> dict[str, float]:
    """Agreement of marker − force event times, ms: Bland–Altman (1986) bias, SD and 95 % limits
    of agreement, plus the mean and median absolute error, over events paired within
    ``MATCH_WINDOW_S``."""
    fi, mi = _matched(force_t, marker_t)
    return _stats_ms(marker_t[mi] - force_t[fi] if len(fi) else np.zeros(0))


def event_agreement(
    steps: StepTable, md: MarkerData, *, method: str = "foot_velocity"
) -> dict[str, dict[str, dict[str, float]]]:
    """Marker-only events vs force events, per side: ``{side: {"ic"|"tc"|"contact_time": stats}}``
    (stats of marker − force, see :func:`agreement_ms`). ``method`` is ``"foot_velocity"``
    (:func:`foot_velocity_events`), ``"zeni"`` (:func:`marker_events`) or ``"foot_pitch"``
    (:func:`~evenstride.steps._markers.foot_pitch_events`). Contact time is compared
    for stances whose marker IC matched a force IC and whose marker TC falls before the next
    force IC."""
    if method not in ("foot_velocity", "zeni", "foot_pitch"):
        raise ValueError(f"unknown marker event method {method!r}")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for side in ("left", "right"):
        if method == "foot_pitch":
            ic_m, tc_m = foot_pitch_events(md, side)
        else:
            ic_m, tc_m = (foot_velocity_events if method == "foot_velocity" else marker_events)(
                md, side
            )
        m = steps.side == side
        ic_f, tc_f = steps.ic_s[m], steps.tc_s[m]
        res = {"ic": agreement_ms(ic_f, ic_m), "tc": agreement_ms(tc_f, tc_m)}
        d_ct = []
        fi, mi = _matched(ic_f, ic_m)
        for k, j in zip(fi, mi, strict=True):
            later = tc_m[(tc_m > ic_m[j]) & (tc_m < ic_m[j] + 0.6)]
            if len(later):
                d_ct.append((later[0] - ic_m[j]) - (tc_f[k] - ic_f[k]))
        res["contact_time"] = _stats_ms(np.array(d_ct))
        out[side] = res
    return out


def _resample(x: np.ndarray, n: int = 101) -> np.ndarray:
    return np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(x)), x)


def processed_stance_curve(proc: dict[str, np.ndarray], side: str, speed: str = "25") -> np.ndarray:
    """The data set's mean stance vGRF of ``side`` (finite part of the gait-cycle curve), BW."""
    c = proc[("L" if side == "left" else "R") + "grfY" + speed]
    c = c[np.isfinite(c)]
    return _resample(c / G)


def curve_agreement(mine: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Pearson r and RMSE (BW) of two 101-point stance curves."""
    r = float(np.corrcoef(mine, ref)[0, 1])
    rmse = float(np.sqrt(np.mean((mine - ref) ** 2)))
    return {"r": r, "rmse_bw": rmse}
