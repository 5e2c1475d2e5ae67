# SPDX-License-Identifier: MIT
"""TCX reader (Garmin Training Center Database v2).

Input: the bytes of a ``.tcx`` file. Output: an :class:`~evenstride.datatypes.Activity` with time,
position, altitude, distance, speed, heart rate, cadence (steps/min) and power when present.
The XML safety checks, streaming and the track → activity steps are shared with the GPX reader
(:mod:`evenstride.io._xml_track`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evenstride.datatypes import Activity
from evenstride.exceptions import UnsupportedActivityError
from evenstride.io._xml_track import (
    CYCLING_SPEED_M_S,
    F_ALT,
    F_CAD,
    F_DIST,
    F_HR,
    F_LAT,
    F_LON,
    F_POWER,
    F_RUNCAD,
    F_SPEED,
    N_FIELDS,
    Group,
    TrackParse,
    XmlEvents,
    build_activity,
    check_xml_safety,
    clean_track,
    group_slices,
    local_children,
    make_segments,
    median_moving_speed,
    parse_time,
    running_cadence_median,
)

__all__ = ["read_tcx"]

_NAN = math.nan


#: TCX trackpoint element (local name) → value index.
_TCX_FIELDS: dict[str, int] = {
    "LatitudeDegrees": F_LAT,
    "LongitudeDegrees": F_LON,
    "AltitudeMeters": F_ALT,
    "DistanceMeters": F_DIST,
    "Value": F_HR,  # the only <Value> in a trackpoint is HeartRateBpm/Value
    "Cadence": F_CAD,
    "RunCadence": F_RUNCAD,
    "Speed": F_SPEED,
    "Watts": F_POWER,
}
#: TCX ``Sport`` attribute → evenstride sport name.
_TCX_SPORTS = {"running": "running", "biking": "cycling", "other": "other"}
#: Raw running cadences accepted as evidence that an ``Other`` activity is a run.
_STRIDES_RANGE = (65.0, 110.0)
_STEPS_RANGE = (130.0, 220.0)


@dataclass
class _TcxLap:
    group: int
    start_text: str | None
    first_point: int
    last_point: int = -1
    distance_m: float = _NAN
    total_time_s: float = _NAN


@dataclass
class _TcxParse(TrackParse):
    laps: list[_TcxLap] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    #: Trackpoints outside any <Activity> (a TCX course, i.e. a planned route): not read.
    outside_activity: int = 0


def _parse_tcx(data: bytes, path: str) -> _TcxParse:
    out = _TcxParse()
    tp = out.points
    number = tp.number
    events = XmlEvents(data, path)
    group = -1
    in_activity = False
    lap: _TcxLap | None = None
    names: dict[str, str] = {}
    for event, name, elem in events:
        if event == "start":
            if name == "Activity":
                out.groups.append(Group(label=elem.get("Sport")))
                group = len(out.groups) - 1
                in_activity = True
            elif name == "Lap" and in_activity:
                lap = _TcxLap(group, elem.get("StartTime"), len(tp))
                out.laps.append(lap)
            continue
        if name == "Trackpoint":
            if in_activity:
                row = [_NAN] * N_FIELDS
                time_text = None
                for child in elem.iter():
                    tag = child.tag
                    local = names.get(tag)
                    if local is None:
                        local = names[tag] = tag.rpartition("}")[2]
                    index = _TCX_FIELDS.get(local)
                    if index is not None:
                        row[index] = number(child.text)
                    elif local == "Time":
                        time_text = child.text
                tp.add(time_text, row, group)
            else:
                out.outside_activity += 1
            elem.clear()
        elif name == "Lap" and lap is not None:
            lap.last_point = len(tp)
            for local, child in local_children(elem):
                if local == "DistanceMeters":
                    lap.distance_m = number(child.text)
                elif local == "TotalTimeSeconds":
                    lap.total_time_s = number(child.text)
            lap = None
            elem.clear()
        elif name == "Creator" and in_activity:
            for local, child in local_children(elem):
                if local == "Name" and child.text and child.text.strip():
                    device = " ".join(child.text.split())
                    if device not in out.devices:
                        out.devices.append(device)
        elif name == "Activity":
            in_activity = False
            elem.clear()
    out.truncated = events.truncated
    out.junk_after_root = events.junk_after_root
    if lap is not None:  # the file ended inside this lap
        lap.last_point = len(tp)
    return out


def _lap_extra(parse: _TcxParse, keep: dict[int, str], t0: float) -> list[dict[str, float]]:
    laps = []
    times = parse.points.times
    for lap in parse.laps:
        if lap.group not in keep:
            continue
        # Bounds from the lap's own trackpoints, so they match the sample table (a lap's
        # StartTime may precede its first trackpoint); StartTime only for an empty lap.
        lap_times = times[lap.first_point : lap.last_point]
        if lap_times:
            start, end = min(lap_times), max(lap_times)
        else:
            parsed = None if lap.start_text is None else parse_time(lap.start_text)
            if parsed is None:
                continue
            start = parsed[0]
            end = start + (lap.total_time_s if math.isfinite(lap.total_time_s) else 0.0)
        laps.append({"start_s": start - t0, "end_s": end - t0, "distance_m": lap.distance_m})
    return laps


def _looks_like_running(run_cad: np.ndarray, cad: np.ndarray, speed: np.ndarray) -> float | None:
    """Median running cadence (raw) if the cadence of an ``Other`` activity is a runner's."""
    med = running_cadence_median(run_cad, speed)
    if med is not None and (
        _STRIDES_RANGE[0] <= med <= _STRIDES_RANGE[1] or _STEPS_RANGE[0] <= med <= _STEPS_RANGE[1]
    ):
        return med
    # <Cadence> is the bike's crank cadence in TCX: in stride range it could be pedalling.
    med = running_cadence_median(cad, speed)
    if med is not None and _STEPS_RANGE[0] <= med <= _STEPS_RANGE[1]:
        return med
    return None


def read_tcx(data: bytes, *, path: str) -> Activity:
    """Read a Garmin TCX file (``TrainingCenterDatabase`` v2) into an :class:`Activity`.

    Every ``<Activity>`` becomes a :class:`~evenstride.datatypes.Segment`; running ones (and
    ``Other`` ones whose cadence is a runner's, with a warning) are analysed. Distance comes from
    ``DistanceMeters`` (else positions, else the ``Speed`` extension), speed is its 5-s median
    derivative, and ``RunCadence`` (strides/min in Garmin files) becomes steps/min.

    Raises
    ------
    ParseError
        Malformed XML (line and column named), a DTD, or a file truncated before any trackpoint.
    UnsupportedActivityError
        No running in the file (e.g. a bike ride).
    NotEnoughDataError
        A well-formed file without any trackpoint that has a time.

    Examples
    --------
    >>> tcx = b'''<TrainingCenterDatabase><Activities><Activity Sport="Running"><Lap>
    ... <Track><Trackpoint><Time>2024-05-01T07:00:00Z</Time><DistanceMeters>0</DistanceMeters>
    ... </Trackpoint><Trackpoint><Time>2024-05-01T07:00:01Z</Time>
    ... <DistanceMeters>3.1</DistanceMeters></Trackpoint></Track></Lap></Activity>
    ... </Activities></TrainingCenterDatabase>'''
    >>> act = read_tcx(tcx, path="run.tcx")
    >>> act.n_samples, act.distance_m, act.meta.indoor
    (2, 3.1, True)
    """
    data = check_xml_safety(data, path)
    parse = _parse_tcx(data, path)
    if not parse.groups and parse.outside_activity:
        raise UnsupportedActivityError(
            "a TCX course (planned route) without any <Activity>: no run to analyse", path=path
        )
    notes: list[str] = []
    pts, t0, derived = clean_track(parse, path=path, notes=notes, prefer_device=True)

    sports: dict[int, str] = {}
    keep: dict[int, str] = {}
    refusal: str | None = None
    for sl in group_slices(pts.group):
        g = int(pts.group[sl.start])
        label = parse.groups[g].label or "Other"
        sport = _TCX_SPORTS.get(label.strip().lower(), label.strip().lower() or "other")
        sports[g] = sport
        if sport == "running":
            keep[g] = "running"
        elif sport == "other":
            med = _looks_like_running(pts.col(F_RUNCAD)[sl], pts.col(F_CAD)[sl], derived.speed[sl])
            moving = median_moving_speed(derived.speed[sl])
            if med is not None and (moving is None or moving <= CYCLING_SPEED_M_S):
                keep[g] = "running"
                notes.append(
                    f"activity sport is {label!r}: read as a run because its cadence looks like"
                    f" running (median {med:.0f}/min)"
                )
            elif refusal is None:
                refusal = f"{label!r} activity without a running cadence: no running to analyse"
        elif refusal is None:
            refusal = f"{label.strip().lower()} activity: no running to analyse"
    if not keep:
        raise UnsupportedActivityError(refusal or "no running to analyse", path=path)

    kept_rows = np.isin(pts.group, np.fromiter(keep, dtype=np.int64))
    run_cad = pts.col(F_RUNCAD)
    if np.isfinite(run_cad[kept_rows]).any():
        cadence_raw, what = run_cad, "RunCadence"
    elif np.isfinite(pts.col(F_CAD)[kept_rows]).any():
        cadence_raw, what = pts.col(F_CAD), "Cadence"
    else:
        cadence_raw, what = None, "cadence"
    if parse.junk_after_root:
        notes.append("ignored data after the end of the XML document")
    extra: dict[str, Any] = {"laps": _lap_extra(parse, keep, t0)}
    return build_activity(
        pts,
        derived,
        keep_groups=keep,
        segments=make_segments(pts, sports, keep, t0),
        cadence_raw=cadence_raw,
        cadence_what=what,
        path=path,
        file_format="tcx",
        devices=parse.devices,
        sub_sport=None,
        extra=extra,
        notes=notes,
        truncated=parse.truncated,
        t0=t0,
    )
