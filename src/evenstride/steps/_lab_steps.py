# SPDX-License-Identifier: MIT
"""Lab step detectors: contacts from a force plate (:class:`ForcePlateDetection`, events in
:mod:`._force`) or from the foot markers alone (:class:`MarkerDetection`, events in
:mod:`._markers`), each giving one :class:`~evenstride.steps.StepTable` with the marker
kinematics at every contact (:mod:`._kinematics`).

The event modules do not import each other's tables or the kinematics: ``_markers`` ←
``_force`` ← ``_kinematics`` ← this module, one direction only.
"""

from __future__ import annotations

import numpy as np

from evenstride.exceptions import NotEnoughDataError
from evenstride.io import ForceData, G, MarkerData
from evenstride.steps._force import (
    LOADING_WINDOW_S,
    _resample,
    assign_sides,
    force_contacts,
)
from evenstride.steps._kinematics import contact_kinematics_with_origins
from evenstride.steps._markers import describe_layout, marker_contacts, to_rbds_frame
from evenstride.steps._table import StepDetector, StepTable

__all__ = ["ForcePlateDetection", "MarkerDetection", "marker_step_metrics", "step_metrics"]


def step_metrics(fd: ForceData, md: MarkerData, mass_kg: float) -> StepTable:
    """Contacts, sides and per-step metrics of one trial."""
    # review fix: assign_sides reads Y as the vertical; a Z-up lab voted from a horizontal axis
    md = to_rbds_frame(md)
    ic, tc = force_contacts(fd)
    if len(ic) < 4:  # e.g. a trial cut after a few frames (issue 14): one line, not a crash
        raise NotEnoughDataError(f"only {len(ic)} foot contacts in the force data (need at "
                                 "least 4)", path=fd.path)
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
    kin, origins = contact_kinematics_with_origins(md, ic_s, tc_s, side)
    return StepTable.from_timing(
        ic_s=ic_s,
        tc_s=tc_s,
        side=side,
        side_consistency=consistency,
        contact_time_s=ct,
        flight_time_s=flight,
        step_time_s=step,
        stride_time_s=stride,
        peak_vgrf_bw=peak,
        loading_rate_bw_s=lr,
        vertical_impulse_bw_s=vimp,
        braking_impulse_bw_s=brake,
        propulsive_impulse_bw_s=prop,
        ap_axis=ap_name,
        curves_bw=curves,
        kinematics=kin,
        kinematic_origins=origins,
    )


def marker_step_metrics(md: MarkerData) -> StepTable:
    """Per-contact timing metrics from marker-only events (force metrics are NaN).

    Step time, flight time and stride time use only consecutive contacts of alternating sides
    (a missed contact leaves NaN, never a doubled step); kinematics at each contact when the
    markers are the RBDS running set (:func:`~evenstride.steps._kinematics.contact_kinematics`).
    """
    ev = marker_contacts(md)
    ic, tc, side = ev.ic_s, ev.tc_s, ev.side
    n = len(ic)
    nan = np.full(n, np.nan)
    fs = md.fs_hz
    ct = tc - ic
    alt_next = np.zeros(n, bool)
    alt_next[:-1] = side[1:] != side[:-1]
    step, flight, stride = nan.copy(), nan.copy(), nan.copy()
    step[:-1] = np.where(alt_next[:-1], np.diff(ic), np.nan)
    flight[:-1] = np.where(alt_next[:-1], ic[1:] - tc[:-1], np.nan)
    for k in range(n):  # this foot's next IC (its own stride), when within 1.5 median strides
        later = np.nonzero((side == side[k]) & (ic > ic[k]))[0]
        if len(later):
            stride[k] = ic[later[0]] - ic[k]
    med = float(np.nanmedian(stride)) if np.isfinite(stride).any() else float("nan")
    stride[stride > 1.5 * med] = np.nan  # a missed contact, not a stride (engineering rule)
    kin, origins = contact_kinematics_with_origins(md, ic, tc, side)
    extra: dict[str, object] = {
        "event_method": "foot-marker pitch angular velocity (Falbriard 2018 rules)",
        "contacts_per_side": dict(ev.per_side),
        "contacts_excluded": dict(ev.dropped),
        "alternating_pairs": ev.n_alternating,
        "marker_layout": describe_layout(ev.layout),
        "fs_hz": fs,
    }
    if ev.speed_m_s is not None:
        extra["belt_speed_from_markers_m_s"] = round(ev.speed_m_s, 3)
    return StepTable.from_timing(
        ic_s=ic,
        tc_s=tc,
        side=side,
        side_consistency=ev.n_alternating + 1,
        contact_time_s=ct,
        flight_time_s=flight,
        step_time_s=step,
        stride_time_s=stride,
        peak_vgrf_bw=nan.copy(),
        loading_rate_bw_s=nan.copy(),
        vertical_impulse_bw_s=nan.copy(),
        braking_impulse_bw_s=nan.copy(),
        propulsive_impulse_bw_s=nan.copy(),
        ap_axis="",
        kinematics=kin,
        kinematic_origins=origins,
        event_source="markers",
        extra=extra,
    )


class ForcePlateDetection(StepDetector[tuple[ForceData, MarkerData]]):
    """Contacts from the vertical force, sides from the foot markers (:func:`step_metrics`)."""

    def __init__(self, *, mass_kg: float) -> None:
        self.mass_kg = mass_kg

    def detect(
        self, samples: tuple[ForceData, MarkerData], *, sampling_rate_hz: float
    ) -> ForcePlateDetection:
        """``samples`` = (forces, markers); the forces carry their own rate."""
        fd, md = samples
        self.steps_ = step_metrics(fd, md, self.mass_kg)
        return self


class MarkerDetection(StepDetector[MarkerData]):
    """Contacts and sides from the foot markers alone (:func:`marker_step_metrics`)."""

    def detect(self, samples: MarkerData, *, sampling_rate_hz: float) -> MarkerDetection:
        self.steps_ = marker_step_metrics(samples)
        return self
