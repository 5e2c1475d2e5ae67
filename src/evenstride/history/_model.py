# SPDX-License-Identifier: MIT
"""The history's input types: one run reduced to plain numbers (:class:`RunRecord`, built from an
``evenstride.run/1`` document by :meth:`RunRecord.from_run_doc`) and the settings
(:class:`HistoryParams`). The result type is in :mod:`~evenstride.history._result`. Every other
module of the package imports its types from these two, never from the package itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evenstride import consts
from evenstride.history._devices import setup_label

__all__ = [
    "MIN_HISTORY_SAMPLES",
    "SCHEMA",
    "AsymmetryEntry",
    "ContextValue",
    "HistoryParams",
    "RunRecord",
]

SCHEMA = "evenstride.history/1"


@dataclass(frozen=True)
class ContextValue:
    """The index of one metric within one context of a run (``by_context`` of the run doc)."""

    context: str
    n: int
    value: float | None
    mean_speed_m_s: float | None = None


#: Steady-running samples (1 Hz: five minutes) a run's value needs to enter the history when the
#: run alone could not judge it (design choice: the run-to-run noise floor absorbs the rest).
MIN_HISTORY_SAMPLES = 300


@dataclass(frozen=True)
class AsymmetryEntry:
    """One metric/source of one run: the index, its 95 % interval, balance and class."""

    key: str
    #: ``"symmetry_angle_pct"`` (ratio-scale metrics) or ``"difference"`` (L − R).
    index: str
    value: float | None
    ci95: tuple[float, float] | None = None
    balance_left_pct: float | None = None
    n: int = 0
    #: True/False from the run's interval; None when the run had too little data.
    real: bool | None = None
    cls: str | None = None
    #: ``"% SA"`` or the metric's unit for a difference.
    unit: str = "% SA"
    by_context: tuple[ContextValue, ...] = ()

    @property
    def usable(self) -> bool:
        """A value the history can use: the run's mean is one observation of the runner, also
        when the run alone was too short or too persistent to judge it ("can't tell": ``real``
        is None), as long as it rests on at least :data:`MIN_HISTORY_SAMPLES` samples."""
        if self.value is None or not math.isfinite(self.value):
            return False
        return self.real is not None or self.n >= MIN_HISTORY_SAMPLES


@dataclass(frozen=True)
class RunRecord:
    """One analysed run, reduced to what the history needs (plain numbers, no samples)."""

    activity_id: int | str
    #: UTC start (timezone-aware).
    start_time: datetime
    duration_s: float
    distance_m: float | None = None
    sport: str | None = "running"
    sub_sport: str | None = None
    #: The devices that recorded the run, clean names sorted and joined (the set-up).
    device_key: str = "unknown"
    #: The devices as the file lists them, recording device first (``doc.devices``); each
    #: metric's baseline restarts only when the device(s) producing it change
    #: (:func:`~evenstride.history._devices.sensor_key`). Empty: taken from ``device_key``.
    devices: tuple[str, ...] = ()
    #: Shoe (gear) name, or None.
    gear: str | None = None
    #: ``metric/source`` → entry.
    asymmetry: Mapping[str, AsymmetryEntry] = field(default_factory=dict)
    #: Median speed over steady running, m/s.
    median_speed_m_s: float | None = None
    running_s: float | None = None
    #: Time moving (not stopped), s; session load uses it (elapsed time when unknown).
    moving_s: float | None = None
    #: ``"road"``, ``"trail"``, ``"track"`` or ``"treadmill"``.
    surface: str = "road"
    route_shape: str | None = None
    is_track: bool = False
    track_direction: str | None = None
    track_laps: float | None = None
    bend_left_s: float | None = None
    bend_right_s: float | None = None
    uphill_s: float | None = None
    flat_s: float | None = None
    downhill_s: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    #: Road running time and the share of it with the road edge on the starting side.
    road_running_s: float | None = None
    same_side_as_start_pct: float | None = None
    declared_road_side: str | None = None
    trimp: float | None = None
    #: ``(start_bpm, seconds per bpm)`` to recompute TRIMP with the athlete's HR settings.
    hr_histogram: tuple[int, tuple[float, ...]] | None = None
    hr_peak_bpm: float | None = None
    #: Session RPE (CR-10) entered by the athlete.
    session_rpe: float | None = None
    in_run_rmssd_ms: float | None = None
    resting_rmssd_ms: float | None = None

    @classmethod
    def from_run_doc(
        cls,
        doc: Mapping[str, Any],
        *,
        activity_id: int | str,
        gear: str | None = None,
        session_rpe: float | None = None,
    ) -> RunRecord:
        """Build a record from an ``evenstride.run/1`` document (docs/json-schema.md).

        Raises ``ValueError`` when the document has no start time (a history needs dates).
        """
        st = doc.get("start_time")
        if not st:
            raise ValueError("the run document has no start_time")
        start = datetime.fromisoformat(str(st).replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        devices = doc.get("devices") or []
        asym: dict[str, AsymmetryEntry] = {}
        for a in doc.get("asymmetry") or []:
            key = f"{a['metric']}/{a['source']}"
            index = a.get("index") or "symmetry_angle_pct"
            ratio = index == "symmetry_angle_pct"
            ci = a.get("ci95")
            ctx = tuple(
                ContextValue(
                    context=c["context"],
                    n=int(c.get("n") or 0),
                    value=c.get("symmetry_angle_pct") if ratio else c.get("difference"),
                    mean_speed_m_s=c.get("mean_speed_m_s"),
                )
                for c in a.get("by_context") or []
            )
            asym[key] = AsymmetryEntry(
                key=key,
                index=index,
                value=a.get(index),
                ci95=None if not ci or None in ci else (float(ci[0]), float(ci[1])),
                balance_left_pct=a.get("balance_left_pct"),
                n=int(a.get("n") or 0),
                real=a.get("real"),
                cls=a.get("class"),
                unit="% SA" if ratio else str(a.get("unit") or ""),
                by_context=ctx,
            )
        c = doc.get("context") or {}
        load = c.get("load") or {}
        track = c.get("track") or {}
        turn = c.get("turning") or {}
        grade = c.get("grade_exposure") or {}
        camber = c.get("camber_exposure") or {}
        hrv = c.get("hrv_rmssd_ms") or {}
        sub = doc.get("sub_sport")
        surface = c.get("surface") or _surface_from_sub_sport(sub)
        speed = load.get("median_speed_m_s")
        if speed is None:
            cs = ((doc.get("form") or {}).get("cadence_speed")) or {}
            speed = cs.get("reference_speed_m_s")
        if speed is None and doc.get("distance_m") and doc.get("duration_s"):
            speed = float(doc["distance_m"]) / float(doc["duration_s"])
        hist = load.get("hr_histogram")
        return cls(
            activity_id=activity_id,
            start_time=start.astimezone(UTC),
            # moving time: a paused run's stop (or a multisport bike leg) is not load
            duration_s=float(load.get("duration_s") or doc.get("duration_s") or 0.0),
            distance_m=doc.get("distance_m"),
            sport=doc.get("sport"),
            sub_sport=sub,
            device_key=setup_label([str(x) for x in devices]),
            devices=tuple(str(x) for x in devices),
            gear=gear,
            asymmetry=asym,
            median_speed_m_s=speed,
            running_s=load.get("running_s"),
            moving_s=load.get("moving_s"),
            surface=surface,
            route_shape=c.get("route_shape"),
            is_track=bool(track.get("is_track")) or surface == "track",
            track_direction=track.get("direction"),
            track_laps=track.get("laps"),
            bend_left_s=turn.get("left_s"),
            bend_right_s=turn.get("right_s"),
            uphill_s=grade.get("uphill_s"),
            flat_s=grade.get("flat_s"),
            downhill_s=grade.get("downhill_s"),
            ascent_m=grade.get("ascent_m"),
            descent_m=grade.get("descent_m"),
            road_running_s=camber.get("road_running_s"),
            same_side_as_start_pct=camber.get("same_side_as_start_pct"),
            declared_road_side=camber.get("declared_road_side"),
            trimp=load.get("trimp"),
            hr_histogram=None
            if not hist
            else (int(hist["start_bpm"]), tuple(map(float, hist["seconds"]))),
            hr_peak_bpm=load.get("hr_peak_bpm"),
            session_rpe=session_rpe,
            in_run_rmssd_ms=hrv.get("in_run"),
            resting_rmssd_ms=hrv.get("resting"),
        )


def _surface_from_sub_sport(sub: str | None) -> str:
    s = (sub or "").lower()
    if s in consts.INDOOR_SUB_SPORTS:
        return "treadmill"
    if s in ("track", "trail"):
        return s
    return "road"


@dataclass(frozen=True)
class HistoryParams:
    """Settings of the history (each documented in the module that uses it)."""

    # baseline (_baseline)
    speed_band_m_s: float = 0.3
    match_surface: bool = True
    match_device: bool = True
    min_baseline_runs: int = 5
    recent_runs: int = 5
    baseline_lookback_days: float = 180.0
    device_window_runs: int = 10
    device_tolerance_runs: int = 2
    #: Change detector, online monitor: |z| threshold ``a + b·ln(runs so far)``; whole-regime
    #: test: likelihood-ratio threshold ``a + b·ln(runs of the regime)``. Calibrated together on
    #: simulated histories of 30–200 runs with run-to-run correlation up to 0.5 (≤ 4 % false
    #: alarms, most of the budget to the whole-regime test): bench/calibration_history.py
    #: ``--null``, docs/methods.md §10a.
    change_z_a: float = 3.4
    change_z_b: float = 0.2
    change_lr_a: float = 11.25
    change_lr_b: float = 0.5
    speed_bin_m_s: float = 0.25
    n_boot: int = 1000
    n_boot_changepoint: int = 300
    seed: int = 0
    # load (_load)
    load_measure: str = "auto"
    acute_days: int = 7
    chronic_days: int = 28
    longest_run_window_days: int = 30
    longest_run_increase: float = 0.10
    weekly_ramp_threshold: float = 0.30
    # shoes (_shoes)
    rotation_days: int = 28
    shoe_retire_km: float = 800.0
    # links (_links)
    spike_window_days: int = 7
    shoe_switch_window_days: int = 28

    def __post_init__(self) -> None:
        if self.load_measure not in ("auto", "srpe", "trimp", "duration_min", "distance_km"):
            raise ValueError("load_measure must be auto, srpe, trimp, duration_min or distance_km")
        if self.recent_runs < 1 or self.min_baseline_runs < 2:
            raise ValueError("recent_runs must be ≥ 1 and min_baseline_runs ≥ 2")
