# SPDX-License-Identifier: MIT
"""Across-run history of one athlete. Input: a list of :class:`RunRecord` (one per analysed run;
:meth:`RunRecord.from_run_doc` builds one from an ``evenstride.run/1`` document, e.g. the one a
store keeps). Output: a :class:`History` whose :meth:`History.to_dict` is the
``evenstride.history/1`` document (docs/json-schema.md).

What it answers, each part in its own module:

- :mod:`~evenstride.history._baseline` — per metric: personal baseline from comparable runs,
  noise floor (typical error, MDC95), real changes in the runner with the date they started,
  steps at device changes (attributed to the device), asymmetry against speed, grade and bends.
- :mod:`~evenstride.history._load` — daily load, ACWR (descriptive only), monotony and strain,
  weekly ramps, the longest-run rule.
- :mod:`~evenstride.history._shoes` — use, rotation, mileage reminders, per-shoe asymmetry.
- :mod:`~evenstride.history._links` — associations between asymmetry and load spikes, shoe
  switches, track weeks and camber exposure.
- here — surface and direction per week (track sessions, turning balance, easy mileage on the
  track, grade exposure, trail/road share, camber exposure) and HRV.

The history is pure: it reads numbers, never files or a database, so any store can feed it.

>>> from datetime import UTC, datetime, timedelta
>>> runs = [RunRecord(activity_id=i, start_time=datetime(2024, 1, 1, tzinfo=UTC)
...                   + timedelta(days=2 * i), duration_s=1800.0, distance_m=5000.0)
...         for i in range(20)]
>>> build_history(runs).to_dict()["schema"]
'evenstride.history/1'
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from evenstride.assessment.reference_bands import Evidence
from evenstride.history._baseline import (
    DEVICE_EVIDENCE,
    MetricHistory,
    analyse_metric,
    mdc95,
    step_fit,
    typical_error,
)
from evenstride.history._devices import setup_label
from evenstride.history._links import (
    links_for_metric,
    stratified_difference,
    weekly_groups,
)
from evenstride.history._load import (
    ACWR_CAVEAT,
    LONGEST_RUN_BANDS,
    acwr_ewma,
    acwr_ewma_uncoupled,
    acwr_rolling_uncoupled,
    daily_load,
    ewma,
    load_status,
    longest_run_band,
    longest_run_flags,
    monotony_strain,
    session_minutes,
    weekly_ramp_flags,
)
from evenstride.history._personal import personal_baseline as personal_baseline
from evenstride.history._shoes import ShoeInfo, shoe_asymmetry, shoe_report
from evenstride.metrics.context import (
    CAMBER_EVIDENCE,
    DEFAULT_HR_MAX_BPM,
    DEFAULT_HR_REST_BPM,
    trimp_from_histogram,
)

__all__ = [
    "ACWR_CAVEAT",
    "LONGEST_RUN_BANDS",
    "SCHEMA",
    "AsymmetryEntry",
    "ContextValue",
    "History",
    "HistoryParams",
    "MetricHistory",
    "RunRecord",
    "ShoeInfo",
    "acwr_ewma",
    "acwr_ewma_uncoupled",
    "acwr_rolling_uncoupled",
    "build_history",
    "daily_load",
    "ewma",
    "longest_run_band",
    "longest_run_flags",
    "mdc95",
    "monotony_strain",
    "step_fit",
    "stratified_difference",
    "typical_error",
    "weekly_ramp_flags",
]

SCHEMA = "evenstride.history/1"

_INDOOR = frozenset({"treadmill", "indoor_running", "virtual_activity"})

SURFACE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Beukeboom et al. 2000 Clin J Sport Med (counter-clockwise track: asymmetric strength "
        "changes)",
        "J Exp Biol 2024 227:jeb246649 (curve running)",
        "science.md §9",
    ),
    note=(
        "Time on left- and right-hand bends is measured; that always turning one way loads the "
        "legs differently is supported, that it causes injury is not shown. Alternating track "
        "direction is low-cost advice with weak evidence."
    ),
)
RESTING_RANGE_EVIDENCE = Evidence(
    grade="S",
    sources=(
        "Plews et al. 2013 Sports Med 43:773 (individual resting HRV trends, secondary)",
        "evenstride design: mean ± 1 SD of the last 28 days' values",
    ),
    note=(
        "Reading resting HRV against your own recent values, not a population norm, is common "
        "practice in athlete monitoring; the mean ± 1 SD band and the 28-day window are our "
        "choice, and a value outside it is a prompt to look at sleep, illness and load, not a "
        "diagnosis."
    ),
)
SESSION_RPE_EVIDENCE = Evidence(
    grade="V",
    sources=(
        "Foster 1998 Med Sci Sports Exerc 30:1164",
        "Foster et al. 2001 J Strength Cond Res 15:109 (session RPE × minutes)",
    ),
    note=(
        "Session load = your rating of the whole session on the CR-10 scale × its minutes of "
        "moving time (stops not counted); it reflects how hard the runs felt to you, so rate "
        "every run the same way."
    ),
)
#: Resting HRV: the athlete's own range is the mean ± SD of the values in this many days before
#: the latest one (all earlier values when fewer than RESTING_RANGE_MIN lie in the window).
RESTING_RANGE_DAYS = 28
RESTING_RANGE_MIN = 5
#: Values needed for a range at all.
RESTING_RANGE_NEEDED = 3

HRV_EVIDENCE = Evidence(
    grade="V",
    sources=("Task Force ESC/NASPE 1996 Eur Heart J 17:354-381",),
    note=(
        "A resting HRV trend needs short still recordings (e.g. on waking); RMSSD during a run "
        "is not resting HRV and is listed only for reference."
    ),
)


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
            else (int(hist["start_bpm"]), tuple(float(s) for s in hist["seconds"])),
            hr_peak_bpm=load.get("hr_peak_bpm"),
            session_rpe=session_rpe,
            in_run_rmssd_ms=hrv.get("in_run"),
            resting_rmssd_ms=hrv.get("resting"),
        )


def _surface_from_sub_sport(sub: str | None) -> str:
    s = (sub or "").lower()
    if s in _INDOOR:
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
    #: Change detector: |z| threshold ``a + b·ln(runs so far)`` (calibrated on simulated
    #: histories with run-to-run correlation up to 0.5: bench/calibration_history.py; 3.15 since
    #: the GLS window contrast, docs/methods.md §10a).
    change_z_a: float = 3.15
    change_z_b: float = 0.2
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


@dataclass
class History:
    """The result of :func:`build_history`; :meth:`to_dict` is ``evenstride.history/1``."""

    runs: list[RunRecord]
    params: HistoryParams
    metrics: dict[str, MetricHistory]
    device_changes: list[dict[str, Any]]
    load: dict[str, Any]
    shoes: dict[str, Any]
    surface: dict[str, Any]
    links: list[dict[str, Any]]
    hrv: dict[str, Any]
    declared_road_side: str | None = None

    @property
    def changes(self) -> list[dict[str, Any]]:
        """Real changes in the runner across all metrics, oldest first."""
        out = [c.to_dict() for m in self.metrics.values() for c in m.changes]
        return sorted(out, key=lambda c: c["started"] or "")

    def to_dict(self) -> dict[str, Any]:
        p = asdict(self.params)
        return {
            "schema": SCHEMA,
            "runs": {
                "n": len(self.runs),
                "first": self.runs[0].start_time.isoformat() if self.runs else None,
                "last": self.runs[-1].start_time.isoformat() if self.runs else None,
                "distance_km": round(sum((r.distance_m or 0.0) for r in self.runs) / 1000.0, 1),
                "duration_h": round(sum(r.duration_s for r in self.runs) / 3600.0, 2),
            },
            "declared_road_side": self.declared_road_side,
            "params": p,
            "sign_convention": (
                "indices are positive when the LEFT value is larger (symmetry angle % SA for "
                "ratio-scale metrics, left − right otherwise)"
            ),
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "changes": self.changes,
            "device_changes": self.device_changes,
            "load": self.load,
            "shoes": self.shoes,
            "surface": self.surface,
            "links": self.links,
            "hrv": self.hrv,
            "evidence_grades": {
                "V": "verified against a published abstract, table or manual",
                "S": "secondary source only",
                "U": "unverified, extrapolated or evenstride design",
            },
        }


# ----------------------------------------------------------------------------------- helpers
def _trimps(
    runs: Sequence[RunRecord],
    hr_rest_bpm: float | None,
    hr_max_bpm: float | None,
    sex: str,
) -> tuple[list[float | None], dict[str, Any]]:
    """TRIMP of every run with one HR_rest/HR_max for the whole history."""
    peaks = [r.hr_peak_bpm for r in runs if r.hr_peak_bpm is not None]
    rest = hr_rest_bpm if hr_rest_bpm is not None else DEFAULT_HR_REST_BPM
    if hr_max_bpm is not None:
        hmax, src = hr_max_bpm, "given"
    elif peaks and max(peaks) > DEFAULT_HR_MAX_BPM:
        hmax, src = float(max(peaks)), "highest 99.5th-percentile HR of any run (above default)"
    else:
        hmax, src = DEFAULT_HR_MAX_BPM, "default"
    out: list[float | None] = []
    for r in runs:
        if r.hr_histogram is not None:
            lo, secs = r.hr_histogram
            out.append(
                trimp_from_histogram(lo, list(secs), hr_rest_bpm=rest, hr_max_bpm=hmax, sex=sex)
            )
        else:
            out.append(r.trimp)
    params = {
        "hr_rest_bpm": rest,
        "hr_rest_source": "given" if hr_rest_bpm is not None else "default",
        "hr_max_bpm": round(hmax, 1),
        "hr_max_source": src,
        "sex": sex,
    }
    return out, params


def _device_changes(
    runs: Sequence[RunRecord], metrics: Mapping[str, MetricHistory]
) -> list[dict[str, Any]]:
    """One entry per run at which the sensor producing at least one metric changed, listing
    each restarted metric once (its step at that run); other device changes restart nothing."""
    by_run: dict[Any, list[Any]] = {}
    for m in metrics.values():
        for s in m.device_steps:
            by_run.setdefault((s.at, str(s.activity_id)), []).append(s)
    out = []
    for (at, _aid), steps in sorted(by_run.items(), key=lambda kv: kv[0][0]):
        first = steps[0]
        out.append(
            {
                "date": at.date().isoformat(),
                "activity_id": first.activity_id,
                "from": first.from_setup,
                "to": first.to_setup,
                "metrics": [s.key for s in steps],
                "baseline_restarts": True,
                "steps": [s.to_dict() for s in steps],
                "evidence": DEVICE_EVIDENCE.to_dict(),
            }
        )
    return out


def _week_of(t: datetime) -> str:
    d = t.date()
    return (d - timedelta(days=d.weekday())).isoformat()


def _camber_run(r: RunRecord, side: str | None, crosses: bool) -> tuple[float, float, float] | None:
    """(road seconds, left-foot-low seconds, right-foot-low seconds) of a road run."""
    side = side or r.declared_road_side
    if side is None or r.surface != "road" or not r.road_running_s:
        return None
    same = r.same_side_as_start_pct
    if crosses and r.route_shape == "out_and_back":
        same = 100.0
    if same is None:
        return None
    left = same if side == "left" else 100.0 - same
    road = float(r.road_running_s)
    return road, road * left / 100.0, road * (100.0 - left) / 100.0


def _time(r: RunRecord) -> float:
    return float(r.running_s if r.running_s is not None else r.duration_s)


def _surface_report(
    runs: Sequence[RunRecord], side: str | None, crosses: bool
) -> tuple[dict[str, Any], dict[str, float]]:
    speeds = [r.median_speed_m_s for r in runs if r.median_speed_m_s is not None]
    med_speed = float(np.median(speeds)) if speeds else None
    weekly = []
    one_sided: dict[str, float] = {}
    for wk, rs in sorted(weekly_groups(runs).items()):
        tot = sum(_time(r) for r in rs) or 1.0
        share = {
            s: round(100.0 * sum(_time(r) for r in rs if r.surface == s) / tot, 1)
            for s in ("road", "trail", "track", "treadmill")
        }
        tr = [r for r in rs if r.surface == "track"]
        easy = [
            r
            for r in tr
            if med_speed is not None
            and r.median_speed_m_s is not None
            and r.median_speed_m_s < med_speed
        ]
        bl = sum(r.bend_left_s or 0.0 for r in rs)
        br = sum(r.bend_right_s or 0.0 for r in rs)
        cam = [c for c in (_camber_run(r, side, crosses) for r in rs) if c is not None]
        road_s = sum(c[0] for c in cam)
        camber = None
        if road_s > 0:
            lpct = 100.0 * sum(c[1] for c in cam) / road_s
            camber = {
                "road_s": round(road_s, 0),
                "left_foot_low_pct": round(lpct, 1),
                "right_foot_low_pct": round(100.0 - lpct, 1),
            }
            one_sided[wk] = abs(2.0 * lpct - 100.0)

        def s_(name: str, rs: list[RunRecord] = rs) -> float | None:
            v = [getattr(r, name) for r in rs if getattr(r, name) is not None]
            return round(float(sum(v)), 1) if v else None

        weekly.append(
            {
                "week": wk,
                "runs": len(rs),
                "distance_km": round(sum((r.distance_m or 0.0) for r in rs) / 1000.0, 2),
                "surface_share_pct": share,
                "trail_vs_road": {"trail_pct": share["trail"], "road_pct": share["road"]},
                "track_sessions": len(tr),
                "track_laps": round(sum(r.track_laps or 0.0 for r in tr), 1),
                "track_directions": {
                    d: sum(1 for r in tr if r.track_direction == d)
                    for d in ("counter-clockwise", "clockwise")
                },
                "easy_track_runs": len(easy),
                "easy_track_km": round(sum((r.distance_m or 0.0) for r in easy) / 1000.0, 2),
                "turning": {
                    "left_s": round(bl, 0),
                    "right_s": round(br, 0),
                    "left_share_pct": round(100.0 * bl / (bl + br), 1) if bl + br > 0 else None,
                },
                "grade": {
                    "uphill_s": s_("uphill_s"),
                    "flat_s": s_("flat_s"),
                    "downhill_s": s_("downhill_s"),
                    "ascent_m": s_("ascent_m"),
                    "descent_m": s_("descent_m"),
                },
                "camber_exposure": camber,
            }
        )

    def turning(rs: Sequence[RunRecord]) -> dict[str, Any]:
        bl = sum(r.bend_left_s or 0.0 for r in rs)
        br = sum(r.bend_right_s or 0.0 for r in rs)
        return {
            "left_s": round(bl, 0),
            "right_s": round(br, 0),
            "left_share_pct": round(100.0 * bl / (bl + br), 1) if bl + br > 0 else None,
        }

    last = runs[-1].start_time
    recent = [r for r in runs if r.start_time > last - timedelta(days=28)]
    tr = [r for r in runs if r.surface == "track"]
    ccw = sum(1 for r in tr if r.track_direction == "counter-clockwise")
    cw = sum(1 for r in tr if r.track_direction == "clockwise")
    easy = [
        r
        for r in tr
        if med_speed is not None
        and r.median_speed_m_s is not None
        and r.median_speed_m_s < med_speed
    ]
    cam_all = [c for c in (_camber_run(r, side, crosses) for r in runs) if c is not None]
    road_all = sum(c[0] for c in cam_all)
    tot_all = sum(_time(r) for r in runs) or 1.0
    no_side = side is None and not any(r.declared_road_side for r in runs)
    no_camber = "no road side declared" if no_side else "no road runs with a route shape"
    surface = {
        "athlete_median_speed_m_s": None if med_speed is None else round(med_speed, 3),
        "turning_balance": {
            "all": turning(runs),
            "last_28_days": turning(recent),
            "track_only": turning(tr),
        },
        "track": {
            "sessions": len(tr),
            "counter_clockwise": ccw,
            "clockwise": cw,
            "laps": round(sum(r.track_laps or 0.0 for r in tr), 1),
            "easy_runs": len(easy),
            "easy_km": round(sum((r.distance_m or 0.0) for r in easy) / 1000.0, 2),
            "easy_definition": "track runs with a median speed below the athlete's median",
            "sentence": (
                f"{len(tr)} track sessions, {ccw} counter-clockwise and {cw} clockwise"
                + (f"; {len(easy)} were easy runs on the track" if easy else "")
                + (
                    ". Always turning the same way loads the inside and outside leg differently; "
                    "alternating direction or keeping easy miles off the track is low-cost "
                    "advice with weak evidence."
                    if tr
                    else "."
                )
            ),
        },
        "surface_share_pct": {
            s: round(100.0 * sum(_time(r) for r in runs if r.surface == s) / tot_all, 1)
            for s in ("road", "trail", "track", "treadmill")
        },
        "camber_exposure": {
            "declared_road_side": side,
            "crosses_at_turnaround": crosses,
            "road_s": round(road_all, 0),
            "left_foot_low_pct": round(100.0 * sum(c[1] for c in cam_all) / road_all, 1)
            if road_all > 0
            else None,
            "right_foot_low_pct": round(100.0 * sum(c[2] for c in cam_all) / road_all, 1)
            if road_all > 0
            else None,
            "reason": None if road_all > 0 else no_camber,
            "evidence": copy.deepcopy(CAMBER_EVIDENCE),
        },
        "weekly": weekly,
        "evidence": SURFACE_EVIDENCE.to_dict(),
    }
    return surface, one_sided


def _own_range(
    values: Sequence[tuple[datetime, float]], at: datetime
) -> tuple[float, float, int, str] | None:
    """Mean, SD, count and window of the values before ``at`` (module constants)."""
    before = [(t, v) for t, v in values if t < at]
    window = [v for t, v in before if t >= at - timedelta(days=RESTING_RANGE_DAYS)]
    basis = f"last {RESTING_RANGE_DAYS} days"
    if len(window) < RESTING_RANGE_MIN:
        window, basis = [v for _, v in before], "all earlier values"
    if len(window) < RESTING_RANGE_NEEDED:
        return None
    return float(np.mean(window)), float(np.std(window, ddof=1)), len(window), basis


def _hrv(
    runs: Sequence[RunRecord], resting: Sequence[tuple[datetime, float]] = ()
) -> dict[str, Any]:
    rest = [(r.start_time, float(r.resting_rmssd_ms), "run file") for r in runs
            if r.resting_rmssd_ms is not None]
    for t, v in resting:
        when = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
        rest.append((when.astimezone(UTC), float(v), "imported"))
    rest.sort(key=lambda x: x[0])
    inrun = [(r.start_time, r.in_run_rmssd_ms) for r in runs if r.in_run_rmssd_ms is not None]
    pairs = [(t, v) for t, v, _ in rest]
    values = []
    for t, v, src in rest:
        rg = _own_range(pairs, t)
        status = None
        if rg is not None:
            lo, hi = rg[0] - rg[1], rg[0] + rg[1]
            status = "below" if v < lo else "above" if v > hi else "within"
        values.append(
            {
                "date": t.date().isoformat(),
                "time": t.isoformat(),
                "rmssd_ms": round(v, 2),
                "source": src,
                "range_low_ms": None if rg is None else round(rg[0] - rg[1], 2),
                "range_high_ms": None if rg is None else round(rg[0] + rg[1], 2),
                "status": status,
            }
        )
    current: dict[str, Any] | None = None
    if values:
        last = values[-1]
        rg = _own_range(pairs, rest[-1][0])
        if rg is None:
            sentence = (
                f"latest resting RMSSD {last['rmssd_ms']:.0f} ms; your own range needs at "
                f"least {RESTING_RANGE_NEEDED} earlier recordings"
            )
        else:
            sentence = (
                f"latest resting RMSSD {last['rmssd_ms']:.0f} ms ({last['date']}) is "
                f"{last['status']} "
                f"your own range of {last['range_low_ms']:.0f}–{last['range_high_ms']:.0f} ms "
                f"(mean ± SD of {rg[2]} recordings, {rg[3]})"
            )
            if last["status"] != "within":
                sentence += "; one value outside your range is common, a run of them is worth "
                sentence += "a look at sleep, illness and recent load"
        current = {
            "date": last["date"],
            "rmssd_ms": last["rmssd_ms"],
            "range_mean_ms": None if rg is None else round(rg[0], 2),
            "range_sd_ms": None if rg is None else round(rg[1], 2),
            "range_low_ms": last["range_low_ms"],
            "range_high_ms": last["range_high_ms"],
            "range_n": None if rg is None else rg[2],
            "range_basis": None if rg is None else rg[3],
            "status": last["status"],
            "flag": last["status"] in ("below", "above"),
            "sentence": sentence,
        }
    return {
        "resting": {
            "available": bool(rest),
            "values": values,
            "current": current,
            "normal_range": {
                "definition": (
                    f"your own range: mean ± 1 SD of your resting RMSSD values of the "
                    f"{RESTING_RANGE_DAYS} days before each value (all earlier values when "
                    f"fewer than {RESTING_RANGE_MIN}; none with fewer than "
                    f"{RESTING_RANGE_NEEDED})"
                ),
                "window_days": RESTING_RANGE_DAYS,
            },
            "evidence": RESTING_RANGE_EVIDENCE.to_dict(),
            "reason": None
            if rest
            else (
                "not available: no resting recording (a still R-R recording, e.g. on waking: "
                "'evenstride hrv import FILE'); RMSSD measured during runs is not resting HRV"
            ),
        },
        "in_run": {
            "values": [{"date": t.date().isoformat(), "rmssd_ms": v} for t, v in inrun],
            "note": "in-run RMSSD, measured while running: not a recovery or readiness marker",
        },
        "evidence": HRV_EVIDENCE.to_dict(),
    }


def _session_rpe_load(runs: Sequence[RunRecord], load: dict[str, Any]) -> dict[str, Any]:
    """Foster session load (RPE × minutes) next to distance and duration, when some runs have an
    RPE: a ``session_rpe_load`` column in ``load.daily`` and ``load.weekly`` and a summary."""
    rated = [r for r in runs if r.session_rpe is not None]
    if not rated:
        return {
            "available": False,
            "reason": "no session RPE entered (evenstride rpe ACTIVITY_ID RPE)",
            "evidence": SESSION_RPE_EVIDENCE.to_dict(),
        }
    per_day: dict[str, float] = {}
    per_week: dict[str, float] = {}
    n_week: dict[str, int] = {}
    detail = []
    total = 0.0
    for r in rated:
        minutes = session_minutes(r)
        au = float(r.session_rpe or 0.0) * minutes
        total += round(au, 1)
        day = r.start_time.date()
        per_day[day.isoformat()] = per_day.get(day.isoformat(), 0.0) + au
        wk = (day - timedelta(days=day.weekday())).isoformat()
        per_week[wk] = per_week.get(wk, 0.0) + au
        n_week[wk] = n_week.get(wk, 0) + 1
        detail.append(
            {
                "activity_id": r.activity_id,
                "date": day.isoformat(),
                "rpe": r.session_rpe,
                "duration_min": round(r.duration_s / 60.0, 1),
                "moving_min": round(minutes, 1),
                "session_load": round(au, 1),
            }
        )
    for d in load.get("daily") or []:
        d["session_rpe_load"] = round(per_day.get(d["date"], 0.0), 1)
    for w in load.get("weekly") or []:
        w["session_rpe_load"] = round(per_week.get(w["week"], 0.0), 1)
        w["runs_with_rpe"] = n_week.get(w["week"], 0)
    n, k = len(runs), len(rated)
    return {
        "available": True,
        "unit": "AU (RPE × min)",
        "formula": (
            "session load = session RPE (CR-10) × moving time (min; elapsed time when the "
            "moving time is unknown)"
        ),
        "runs_with_rpe": k,
        "runs": n,
        "coverage_pct": round(100.0 * k / n, 1),
        "total": round(total, 1),
        "note": None
        if k == n
        else (
            f"{n - k} of {n} runs have no RPE and add nothing to these sums; ACWR, monotony and "
            "strain use session load only when every run has an RPE"
        ),
        "runs_detail": detail,
        "evidence": SESSION_RPE_EVIDENCE.to_dict(),
    }


def build_history(
    runs: Sequence[RunRecord],
    *,
    declared_road_side: str | None = None,
    crosses_at_turnaround: bool = False,
    shoes: Sequence[ShoeInfo] = (),
    resting_hrv: Sequence[tuple[datetime, float]] = (),
    hr_rest_bpm: float | None = None,
    hr_max_bpm: float | None = None,
    sex: str = "male",
    params: HistoryParams | None = None,
) -> History:
    """Analyse an athlete's runs across time (see the module docstring and docs).

    Parameters
    ----------
    runs
        One record per run (any order; non-running sports are ignored).
    declared_road_side
        ``"left"`` or ``"right"``: the side of the road the athlete runs on, relative to the
        direction of travel at the start (camber exposure; evidence U). ``None``: use the side
        stored with each run, if any.
    crosses_at_turnaround
        The athlete crosses the road at the turnaround of an out-and-back.
    shoes
        Optional attributes per pair (type, drop, reminder distance).
    resting_hrv
        ``(time, RMSSD ms)`` of resting recordings the athlete imported (``evenstride hrv
        import``); trended in ``hrv.resting`` against the athlete's own range.
    hr_rest_bpm, hr_max_bpm, sex
        Heart-rate settings for TRIMP (defaults: 60 bpm; 190 bpm raised to the highest HR seen).
    params
        Matching, monitoring, load and bootstrap settings.
    """
    if declared_road_side not in (None, "left", "right"):
        raise ValueError("declared_road_side must be 'left', 'right' or None")
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female' (TRIMP weighting)")
    p = params or HistoryParams()
    rs = sorted(
        (r for r in runs if (r.sport or "running") == "running"), key=lambda r: r.start_time
    )
    if not rs:
        raise ValueError("no running activities to build a history from")
    rng = np.random.default_rng(p.seed)
    counts: dict[str, int] = {}
    for r in rs:
        for k, e in r.asymmetry.items():
            if e.usable:
                counts[k] = counts.get(k, 0) + 1
    metrics: dict[str, MetricHistory] = {}
    for key in sorted(counts, key=lambda k: (-counts[k], k)):
        m = analyse_metric(rs, key, p, rng)
        if m is not None:
            metrics[key] = m
    trimps, tparams = _trimps(rs, hr_rest_bpm, hr_max_bpm, sex)
    load = load_status(rs, p, trimp=trimps, trimp_params=tparams)
    load["session_rpe"] = _session_rpe_load(rs, load)
    shoe = shoe_report(rs, shoes, p)
    shoe["asymmetry"] = {k: shoe_asymmetry(m, p, rng) for k, m in metrics.items()}
    surface, one_sided = _surface_report(rs, declared_road_side, crosses_at_turnaround)
    links: list[dict[str, Any]] = []
    for m in metrics.values():
        links += links_for_metric(
            m,
            rs,
            spikes=load["longest_run_flags"],
            camber_week_share=one_sided or None,
            p=p,
            rng=rng,
        )
    return History(
        runs=rs,
        params=p,
        metrics=metrics,
        device_changes=_device_changes(rs, metrics),
        load=load,
        shoes=shoe,
        surface=surface,
        links=links,
        hrv=_hrv(rs, resting_hrv),
        declared_road_side=declared_road_side,
    )
