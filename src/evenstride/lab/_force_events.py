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
- **Marker-only events**: Zeni JA, Richards JG, Higginson JS (2008) Gait Posture 27:710–714,
  coordinate method: IC at the maxima and TC at the minima of the heel's (IC) and MT1's (TC)
  position along the belt relative to the sacrum (mean of the PSIS markers). The forward
  direction is taken from the data (the stance foot moves backward with the belt).
- **Loading rate**: average vertical loading rate over the first 50 ms after IC,
  (F(IC+50 ms) − F(IC)) / 50 ms, in BW/s. The "20–80 % of the impact peak" definition
  (Milner et al. 2006) needs an impact peak, which forefoot strikers (this subject, RBDSinfo
  ``RFSI25``/``LFSI25`` = Forefoot) do not have; a fixed early window works for all.
- **AP axis**: of the two horizontal components, the one with the larger mean |force| during
  contacts; its sign is set so that the first half of the mean stance curve is negative
  (braking), the second positive (propulsion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride.lab._fukuchi import ForceData, G, MarkerData

ON_N = 50.0
OFF_N = 30.0
MIN_CONTACT_S = 0.08
MIN_GAP_S = 0.02
LOADING_WINDOW_S = 0.05
#: Window to pair a marker event with a force event (s).
MATCH_WINDOW_S = 0.15


@dataclass
class Steps:
    """Per-contact arrays (one entry per contact, time order)."""

    ic_s: np.ndarray
    tc_s: np.ndarray
    side: np.ndarray  # "left"/"right"
    side_consistency: int
    n_contacts: int
    contact_time_s: np.ndarray
    flight_time_s: np.ndarray
    step_time_s: np.ndarray
    stride_time_s: np.ndarray
    cadence_spm: np.ndarray
    duty_factor: np.ndarray
    peak_vgrf_bw: np.ndarray
    loading_rate_bw_s: np.ndarray
    vertical_impulse_bw_s: np.ndarray
    braking_impulse_bw_s: np.ndarray
    propulsive_impulse_bw_s: np.ndarray
    ap_axis: str
    curves_bw: dict[str, np.ndarray] = field(default_factory=dict)


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
    ys = [md.markers[p + n][:, 1] for n in ("Heel.Bottom", "MT1", "MT5") if p + n in md.markers]
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


def marker_events(md: MarkerData, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Zeni et al. 2008 IC and TC times (s) of one side from the marker trajectories."""
    p = "L." if side == "left" else "R."
    sacrum = 0.5 * (md.markers["L.PSIS"][:, 0] + md.markers["R.PSIS"][:, 0])
    heel = md.markers[p + "Heel.Bottom"][:, 0] - sacrum
    toe = md.markers[p + "MT1"][:, 0] - sacrum
    # forward: the foot moves backward during stance with the belt, i.e. the heel's relative
    # position spends more time decreasing than increasing.
    v = np.diff(heel)
    sign = 1.0 if np.sum(v < 0) > np.sum(v > 0) else -1.0
    heel, toe = sign * heel, sign * toe
    fs = md.fs_hz
    half = int(0.15 * fs)  # a step is ≥0.3 s: extrema at least 0.15 s from any larger one

    def extrema(x: np.ndarray) -> np.ndarray:
        idx = []
        for i in range(1, len(x) - 1):
            lo, hi = max(0, i - half), min(len(x), i + half + 1)
            if x[i] == x[lo:hi].max() and lo > 0 and hi < len(x):
                idx.append(i)
        return np.array(idx, int)

    ic = extrema(heel)
    tc = extrema(-toe)
    return md.time_s[ic], md.time_s[tc]


def agreement_ms(force_t: np.ndarray, marker_t: np.ndarray) -> dict[str, float]:
    """Bland–Altman (1986) agreement of marker − force event times, ms: bias, SD, 95 % LoA."""
    d = []
    for t in force_t:
        if len(marker_t) == 0:
            break
        j = int(np.argmin(np.abs(marker_t - t)))
        if abs(marker_t[j] - t) <= MATCH_WINDOW_S:
            d.append(marker_t[j] - t)
    arr = np.array(d) * 1000.0
    if len(arr) < 2:
        return {
            "n": float(len(arr)),
            "bias_ms": np.nan,
            "sd_ms": np.nan,
            "loa_low_ms": np.nan,
            "loa_high_ms": np.nan,
        }
    b, sd = float(arr.mean()), float(arr.std(ddof=1))
    return {
        "n": float(len(arr)),
        "bias_ms": b,
        "sd_ms": sd,
        "loa_low_ms": b - 1.96 * sd,
        "loa_high_ms": b + 1.96 * sd,
    }


def _resample(x: np.ndarray, n: int = 101) -> np.ndarray:
    return np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(x)), x)


def step_metrics(fd: ForceData, md: MarkerData, mass_kg: float) -> Steps:
    """Contacts, sides and per-step metrics of one trial."""
    ic, tc = force_contacts(fd)
    fs = fd.fs_hz
    ic_s, tc_s = fd.time_s[ic], fd.time_s[tc]
    side, consistency = assign_sides(ic_s, tc_s, md)
    bw = mass_kg * G
    n = len(ic)
    nan = np.full(n, np.nan)
    ct = tc_s - ic_s + 1.0 / fs
    step = nan.copy()
    step[:-1] = np.diff(ic_s)
    flight = nan.copy()
    flight[:-1] = ic_s[1:] - (tc_s[:-1] + 1.0 / fs)
    stride = nan.copy()
    stride[:-2] = ic_s[2:] - ic_s[:-2]
    f = fd.vertical
    w = round(LOADING_WINDOW_S * fs)
    peak, lr, vimp = nan.copy(), nan.copy(), nan.copy()
    segs = [slice(a, b + 1) for a, b in zip(ic, tc, strict=True)]
    # AP axis from the data
    mag = {k: np.mean([np.mean(np.abs(getattr(fd, k)[s])) for s in segs]) for k in ("fx", "fz")}
    ap_name = max(mag, key=lambda k: mag[k])
    ap = getattr(fd, ap_name)
    mean_ap = np.mean([_resample(ap[s]) for s in segs], axis=0)
    if mean_ap[:50].mean() > 0:
        ap = -ap
    brake, prop = nan.copy(), nan.copy()
    for k, s in enumerate(segs):
        fv = f[s]
        peak[k] = fv.max() / bw
        if ic[k] + w < len(f):
            lr[k] = (f[ic[k] + w] - f[ic[k]]) / bw / LOADING_WINDOW_S
        vimp[k] = fv.sum() / fs / bw
        a = ap[s]
        brake[k] = np.clip(a, None, 0).sum() / fs / bw
        prop[k] = np.clip(a, 0, None).sum() / fs / bw
    curves = {}
    for sd in ("left", "right"):
        mine = [_resample(f[s]) / bw for s, x in zip(segs, side, strict=True) if x == sd]
        curves[sd] = np.mean(mine, axis=0)
    return Steps(
        ic_s=ic_s,
        tc_s=tc_s,
        side=side,
        side_consistency=consistency,
        n_contacts=n,
        contact_time_s=ct,
        flight_time_s=flight,
        step_time_s=step,
        stride_time_s=stride,
        cadence_spm=60.0 / step,
        duty_factor=ct / stride,
        peak_vgrf_bw=peak,
        loading_rate_bw_s=lr,
        vertical_impulse_bw_s=vimp,
        braking_impulse_bw_s=brake,
        propulsive_impulse_bw_s=prop,
        ap_axis=ap_name,
        curves_bw=curves,
    )


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
