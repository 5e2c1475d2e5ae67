# SPDX-License-Identifier: MIT
"""Per-step metrics from foot-IMU events, and an :class:`~evenstride.datatypes.Activity` built
from them so that :func:`evenstride.pipeline.analyze` judges them like any other source.

Per stance *k* of one side, the :class:`~evenstride.steps.StepTable` columns (all in seconds
unless stated):

- ``contact_time_s`` = TC(k) − IC(k);
- ``stride_time_s`` = IC(k+1) − IC(k), same side (NaN for the last stance of a segment or when
  the next IC is more than 1.6 median strides later: a missed stance);
- ``step_time_s`` = first IC of the other foot after IC(k) − IC(k);
- ``flight_time_s`` = that other-foot IC − TC(k) (negative = double support, i.e. walking);
- ``cadence_spm`` = 60 / ``step_time_s``; ``duty_factor`` = ``contact_time_s`` /
  ``stride_time_s``;
- ``peak_acc_g`` = the largest |acc| (g, gravity included) between IC(k) and TC(k).

The activity has one row per left stance (``time_s`` = left IC). Each left stride is paired with
the right stride that overlaps it most: the one whose IC is the first after the left IC, if within
0.75 median strides (else the right values are NaN). Columns:
``CADENCE_SPM`` = 60 / mean(left step, paired right step), ``CONTACT_TIME_S`` = mean of both
contact times; sided channels (source :data:`SRC_FOOT_IMU`): ``contact_time`` (s),
``flight_time`` (s: this foot's TC to the other foot's next IC) and ``peak_stance_acc_g`` (g, only
when the recording is given). Flight time can be ≤ 0 (walking) and approaches 0 at slow running
speeds, where a symmetry angle blows up (science.md §1.1), so the engine compares it as an L − R
difference in seconds; peak stance acceleration is also compared as an L − R difference in g (it
is a foot/shank peak including gravity, not the RunScribe ``impact_g`` whose band is an
extrapolation). Neither has a reference band ("no reference", grade U).
"""

from __future__ import annotations

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import NotEnoughDataError
from evenstride.filters import nanmean2
from evenstride.io import SIDES, G, ImuRecording, overlap_notes
from evenstride.steps._falbriard import SideEvents
from evenstride.steps._table import StepTable

#: ``SidedChannel.source`` of per-foot values computed from two foot-worn IMUs.
SRC_FOOT_IMU = "foot_imu"
#: A stride longer than this many median strides means a stance was missed in between.
MISSED_STRIDE_FACTOR = 1.6
#: A right stance is paired with a left one when its IC follows within this many median strides.
PAIR_MAX_STRIDES = 0.75


def _next_other(ic: np.ndarray, other_ic: np.ndarray) -> np.ndarray:
    """First IC of the other foot strictly after each ``ic`` (NaN when none)."""
    j = np.searchsorted(other_ic, ic, side="right")
    out = np.full(len(ic), np.nan)
    ok = j < len(other_ic)
    out[ok] = other_ic[j[ok]]
    return out


def _peak_acc_g(rec: ImuRecording | None, side: str, ic: np.ndarray, tc: np.ndarray) -> np.ndarray:
    out = np.full(len(ic), np.nan)
    if rec is None or side not in rec.sides or not len(ic):
        return out
    s = rec.sides[side]
    mag = np.sqrt(np.sum(s.acc**2, axis=1)) / G
    mag = np.where(s.valid, mag, np.nan)
    i0 = np.searchsorted(s.time_s, ic, side="left")
    i1 = np.searchsorted(s.time_s, tc, side="right")
    ok = i1 > i0
    if not ok.any():
        return out
    # segment maxima with reduceat over [i0, i1) windows (sorted, non-overlapping stances)
    starts = i0[ok]
    ends = i1[ok]
    bounds = np.empty(2 * len(starts), dtype=np.int64)
    bounds[0::2] = starts
    bounds[1::2] = np.minimum(ends, len(mag) - 1)
    m = np.fmax.reduceat(mag, bounds)[0::2]
    out[ok] = m
    return out


def step_metrics(
    events: dict[str, SideEvents], recording: ImuRecording | None = None
) -> StepTable:
    """Per-stance metrics of both sides in one :class:`StepTable` (see module docstring);
    ``table["left"]`` is one side's."""
    out: dict[str, StepTable] = {}
    for side in SIDES:
        other = "right" if side == "left" else "left"
        ev = events[side]
        ic, tc = ev.ic_s, ev.tc_s
        contact = tc - ic
        stride = np.full(len(ic), np.nan)
        next_same = np.full(len(ic), np.inf)
        med = np.nan
        if len(ic) > 1:
            d = np.diff(ic)
            same_seg = np.diff(ev.segment) == 0
            med = float(np.median(d[same_seg])) if same_seg.any() else np.nan
            ok = same_seg & (d < MISSED_STRIDE_FACTOR * med)
            stride[:-1] = np.where(ok, d, np.nan)
            next_same[:-1] = np.where(same_seg, ic[1:], np.inf)
        nxt = _next_other(ic, events[other].ic_s)
        step = nxt - ic
        # the other foot's IC must come before this foot's next IC, within a plausible step
        bad = ~(nxt < next_same) | ~(step < 0.5 * MISSED_STRIDE_FACTOR * med)
        step = np.where(bad, np.nan, step)
        flight = nxt - tc
        flight = np.where(np.isfinite(step), flight, np.nan)
        out[side] = StepTable.from_timing(
            ic_s=ic,
            tc_s=tc,
            side=np.full(len(ic), side),
            contact_time_s=contact,
            flight_time_s=flight,
            step_time_s=step,
            stride_time_s=stride,
            peak_acc_g=_peak_acc_g(recording, side, ic, tc),
        )
    return StepTable.from_sides(out, event_source="foot_imu")


def to_activity(
    steps: StepTable,
    *,
    path: str | None = None,
    file_format: str = "foot_imu",
    devices: list[str] | None = None,
    warnings: list[str] | None = None,
) -> Activity:
    """One row per left stance, paired with the nearest right stance (see module docstring)."""
    left, right = steps["left"], steps["right"]
    if len(left) < 2 or len(right) < 2:
        raise NotEnoughDataError(
            f"only {len(left)} left and {len(right)} right stances detected", path=path
        )
    med_stride = float(np.nanmedian(np.concatenate((left.stride_time_s, right.stride_time_s))))
    # the right stride that overlaps this left stride most: the one starting next
    j = np.searchsorted(right.ic_s, left.ic_s, side="left")
    pick = np.clip(j, 0, len(right) - 1)
    lag = right.ic_s[pick] - left.ic_s
    paired = (j < len(right)) & (lag >= 0) & (lag < PAIR_MAX_STRIDES * med_stride)

    def take(a: np.ndarray) -> np.ndarray:
        return np.where(paired, a[pick], np.nan)

    r_contact = take(right.contact_time_s)
    r_step = take(right.step_time_s)
    step_mean = nanmean2(left.step_time_s, r_step)
    contact_mean = nanmean2(left.contact_time_s, r_contact)
    samples = {
        consts.TIME_S: left.ic_s.astype(float),
        consts.CADENCE_SPM: 60.0 / step_mean,
        consts.CONTACT_TIME_S: contact_mean,
    }
    ch = SidedChannel(
        metric=consts.M_CONTACT_TIME,
        source=SRC_FOOT_IMU,
        unit=consts.SIDED_METRIC_UNITS[consts.M_CONTACT_TIME],
        left=left.contact_time_s.astype(float),
        right=r_contact,
        origin="foot IMU events (Falbriard 2018): TC − IC per stance, right paired to left",
    )
    sided = [ch]
    extra_channels = (
        (consts.M_FLIGHT_TIME, left.flight_time_s, right.flight_time_s,
         "foot IMU events: other foot's next IC − this foot's TC"),
        (consts.M_PEAK_STANCE_ACC_G, left.peak_acc_g, right.peak_acc_g,
         "largest |acc| between IC and TC (gravity included), foot/shank IMU"),
    )
    for metric, lv, rv, origin in extra_channels:
        r_arr = take(rv)
        if np.isfinite(lv).any() and np.isfinite(r_arr).any():
            sided.append(
                SidedChannel(
                    metric=metric,
                    source=SRC_FOOT_IMU,
                    unit=consts.SIDED_METRIC_UNITS[metric],
                    left=lv.astype(float),
                    right=r_arr,
                    origin=origin,
                )
            )
    t = samples[consts.TIME_S]
    meta = ActivityMeta(
        path=path,
        file_format=file_format,
        sport="running",
        devices=list(devices or []),
        segments=[Segment("running", None, float(t[0]), float(t[-1]), True)],
        extra={
            "step_rows": "one row per left stance",
            "pairing_max_s": PAIR_MAX_STRIDES * med_stride,
        },
    )
    # one side's recording shorter than the other's (a cut export): only the overlap is paired
    notes = [*(warnings or []), *overlap_notes(left.ic_s, right.ic_s, med_stride,
                                              what="sensor's recording")]
    return Activity(samples=samples, sided=sided, meta=meta, warnings=notes)
