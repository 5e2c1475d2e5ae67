# SPDX-License-Identifier: MIT
"""GPX reader (GPX 1.0/1.1 tracks with Garmin ``TrackPointExtension`` and similar extensions).

Input: the bytes of a ``.gpx`` file. Output: an :class:`~evenstride.datatypes.Activity` with time,
position, altitude, distance and speed (from the positions), heart rate, cadence (steps/min),
power and air temperature when present. Routes and waypoints are ignored: only ``<trk>`` is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from evenstride.datatypes import Activity
from evenstride.exceptions import UnsupportedActivityError
from evenstride.io._xml_track import (
    CYCLING_SPEED_M_S,
    F_ALT,
    F_CAD,
    F_HR,
    F_LAT,
    F_LON,
    F_POWER,
    F_TEMP,
    N_FIELDS,
    Group,
    TrackParse,
    XmlEvents,
    build_activity,
    check_xml_safety,
    clean_track,
    group_slices,
    make_segments,
    median_moving_speed,
)

__all__ = ["read_gpx"]

_NAN = float("nan")

#: Lower-cased local names of trackpoint children and extensions → value index. ``hr``/``cad``/
#: ``atemp`` are Garmin's TrackPointExtension; ``heartrate``/``cadence``/``temp`` are cluetrust
#: gpxdata; ``power`` is the de-facto power element (bare or namespaced).
_GPX_FIELDS: dict[str, int] = {
    "ele": F_ALT,
    "hr": F_HR,
    "heartrate": F_HR,
    "cad": F_CAD,
    "cadence": F_CAD,
    "runcadence": F_CAD,
    "atemp": F_TEMP,
    "temp": F_TEMP,
    "temperature": F_TEMP,
    "power": F_POWER,
    "watts": F_POWER,
    "powerinwatts": F_POWER,
}

#: Strava writes its activity type as a number: 9 is Run. (Other numbers clash with other
#: producers' numbering, e.g. Garmin's 1 = running vs Strava's 1 = Ride, so they are not trusted.)
_NUMERIC_RUN_TYPES = frozenset({"9"})
#: Words in a ``<type>`` that mean a sport other than running, checked after the running words.
_OTHER_SPORTS: tuple[tuple[str, str], ...] = (
    (r"cycl|bik|ride|velo|bicycle", "cycling"),
    (r"walk", "walking"),
    (r"hik", "hiking"),
    (r"swim", "swimming"),
    (r"ski|snowboard", "skiing"),
    (r"row|paddl|kayak|canoe", "rowing"),
    (r"skat", "skating"),
    (r"driv|car\b|motor|flight|fly", "motorised"),
)
#: Sub-sport hints inside a running ``<type>`` (same names as FIT sub-sports).
_SUB_SPORTS: tuple[tuple[str, str], ...] = (
    ("treadmill", "treadmill"),
    ("indoor", "indoor_running"),
    ("trail", "trail"),
    ("track", "track"),
    ("virtual", "virtual_activity"),
)


def _classify_type(label: str | None) -> tuple[str | None, str | None]:
    """``(sport, sub_sport)`` for a GPX ``<type>``; sport ``None`` when unknown or absent."""
    if label is None:
        return None, None
    text = label.strip().lower()
    if not text:
        return None, None
    if text in _NUMERIC_RUN_TYPES or re.search(r"run|jog", text):
        sub = next((sub for word, sub in _SUB_SPORTS if word in text), None)
        return "running", sub
    for pattern, sport in _OTHER_SPORTS:
        if re.search(pattern, text):
            return sport, None
    return None, None


@dataclass
class _GpxParse(TrackParse):
    creator: str | None = None
    n_segments: int = 0


def _parse_gpx(data: bytes, path: str) -> _GpxParse:
    out = _GpxParse()
    tp = out.points
    number = tp.number
    events = XmlEvents(data, path)
    depth = 0
    trk_depth = -1
    group = -1
    names: dict[str, str] = {}
    for event, name, elem in events:
        if event == "start":
            depth += 1
            if name == "trk":
                out.groups.append(Group())
                group = len(out.groups) - 1
                trk_depth = depth
            elif name == "trkseg":
                out.n_segments += 1
            elif name == "gpx" and depth == 1:
                out.creator = elem.get("creator")
            continue
        if name == "trkpt":
            if group >= 0:
                row = [_NAN] * N_FIELDS
                row[F_LAT] = number(elem.get("lat"))
                row[F_LON] = number(elem.get("lon"))
                time_text = None
                for child in elem.iter():
                    tag = child.tag
                    local = names.get(tag)
                    if local is None:
                        local = names[tag] = tag.rpartition("}")[2].lower()
                    index = _GPX_FIELDS.get(local)
                    if index is not None:
                        row[index] = number(child.text)
                    elif local == "time" and time_text is None:
                        time_text = child.text
                tp.add(time_text, row, group)
            elem.clear()
        elif name == "type" and depth == trk_depth + 1 and group >= 0:
            out.groups[group].label = (elem.text or "").strip() or None
        elif name == "trk":
            trk_depth = -1
            elem.clear()
        depth -= 1
    out.truncated = events.truncated
    out.junk_after_root = events.junk_after_root
    return out


def read_gpx(data: bytes, *, path: str) -> Activity:
    """Read a GPX file's tracks into an :class:`Activity`.

    Every ``<trk>`` becomes a :class:`~evenstride.datatypes.Segment` whose sport comes from its
    ``<type>`` (``running``, ``trail_running``, Strava's ``9`` …). Without a type the track is
    taken for a run unless its median moving speed is a cyclist's (> 7 m/s). Distance is the
    haversine length of the track, speed its 5-s median derivative, and the Garmin ``cad``
    extension (strides/min for running) becomes steps/min.

    Raises
    ------
    ParseError
        Malformed XML (line and column named), a DTD, or a file truncated before any trackpoint.
    UnsupportedActivityError
        No running track (typed as another sport, or untyped and too fast for running).
    NotEnoughDataError
        A well-formed file without any trackpoint that has a time.

    Examples
    --------
    >>> gpx = b'''<gpx creator="demo"><trk><type>running</type><trkseg>
    ... <trkpt lat="45.0" lon="7.0"><time>2024-05-01T07:00:00Z</time></trkpt>
    ... <trkpt lat="45.0001" lon="7.0"><time>2024-05-01T07:00:04Z</time></trkpt>
    ... </trkseg></trk></gpx>'''
    >>> act = read_gpx(gpx, path="run.gpx")
    >>> act.n_samples, round(act.distance_m, 1), act.meta.devices
    (2, 11.1, ['demo'])
    """
    data = check_xml_safety(data, path)
    parse = _parse_gpx(data, path)
    notes: list[str] = []
    pts, t0, derived = clean_track(parse, path=path, notes=notes, prefer_device=False)

    sports: dict[int, str] = {}
    keep: dict[int, str] = {}
    sub_sports: dict[int, str | None] = {}
    refusal: str | None = None
    for sl in group_slices(pts.group):
        g = int(pts.group[sl.start])
        label = parse.groups[g].label
        sport, sub = _classify_type(label)
        if sport is None:
            moving = median_moving_speed(derived.speed[sl])
            if moving is not None and moving > CYCLING_SPEED_M_S:
                sports[g] = "cycling"
                if refusal is None:
                    what = "no activity type" if label is None else f"activity type {label!r}"
                    refusal = (
                        f"{what} and a median moving speed of {moving:.1f} m/s (cycling?):"
                        " no running to analyse"
                    )
                continue
            sport = "running"
            if label is not None:
                notes.append(f"track type {label!r} is not a known sport: read as a run")
        sports[g] = sport
        if sport == "running":
            keep[g] = sport
            sub_sports[g] = sub
        elif refusal is None:
            refusal = f"{sport} activity: no running to analyse"
    if not keep:
        raise UnsupportedActivityError(refusal or "no running to analyse", path=path)
    if parse.junk_after_root:
        notes.append("ignored data after the end of the XML document")

    extra: dict[str, Any] = {"gpx_track_segments": parse.n_segments}
    creator = " ".join((parse.creator or "").split())
    return build_activity(
        pts,
        derived,
        keep_groups=keep,
        segments=make_segments(pts, sports, keep, t0, sub_sports),
        cadence_raw=pts.col(F_CAD),
        cadence_what="cadence (cad)",
        path=path,
        file_format="gpx",
        devices=[creator] if creator else [],
        sub_sport=next((s for s in sub_sports.values() if s), None),
        extra=extra,
        notes=notes,
        truncated=parse.truncated,
        t0=t0,
    )
