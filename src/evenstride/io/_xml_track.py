# SPDX-License-Identifier: MIT
"""The XML track machinery shared by the TCX (:mod:`evenstride.io._tcx`) and GPX
(:mod:`evenstride.io._gpx`) readers:

- :func:`check_xml_safety` refuses DTDs and entity declarations (the "billion laughs" family) and
  text encodings a byte-level check cannot see through;
- :class:`XmlEvents` streams ``(event, local_name, element)`` with namespaces stripped, turns a
  syntax error into a :class:`~evenstride.exceptions.ParseError` naming the line and column, and
  keeps what was parsed before the end of a truncated file;
- :class:`Trackpoints` collects per-point values and :func:`build_activity` turns them into a
  sorted, de-duplicated sample table with derived distance, speed and cadence in steps/min.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment
from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
)
from evenstride.io._time_gaps import plausible_stretch, stretch_note

__all__ = [
    "CYCLING_SPEED_M_S",
    "Group",
    "TrackParse",
    "Trackpoints",
    "XmlEvents",
    "build_activity",
    "check_xml_safety",
    "clean_track",
    "derive_distance_speed",
    "drop_gps_glitches",
    "group_slices",
    "haversine_m",
    "make_segments",
    "median_moving_speed",
    "sorted_points",
]

_NAN = math.nan

# --- XML safety and streaming -------------------------------------------------

#: Bytes handed to the XML parser at a time (elements are processed and cleared in between).
_CHUNK_BYTES = 256 * 1024
#: Expat error code for data after the root element closed (the document itself is complete).
_XML_ERROR_JUNK_AFTER_DOC_ELEMENT = 9
#: Encodings whose markup is plain ASCII bytes, so the DOCTYPE check below cannot be evaded.
_ASCII_COMPATIBLE_ENCODING = re.compile(
    r"(utf-?8|us-ascii|ascii|iso[-_]?8859[-_]?\d{1,2}|latin-?1|(windows|cp)-?125\d)", re.IGNORECASE
)
_XML_DECLARED_ENCODING = re.compile(
    rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE
)


def check_xml_safety(data: bytes, path: str) -> bytes:
    """Refuse XML the stdlib parser should not see; return ``data`` without trailing NUL padding.

    Sports devices never write a DTD, and a DTD is what entity-expansion attacks ("billion laughs",
    external entities) need, so any ``<!DOCTYPE`` or ``<!ENTITY`` is refused. The check is a byte
    search, so encodings whose markup is not ASCII bytes (UTF-16/32, EBCDIC) are refused as well.
    """
    head = data[:4]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        raise ParseError(
            "unsupported text encoding (UTF-16/UTF-32): re-save the file as UTF-8", path=path
        )
    declared = _XML_DECLARED_ENCODING.match(data[:512].lstrip(b"\xef\xbb\xbf"))
    if declared is not None:
        enc = declared.group(1).decode("ascii")
        if not _ASCII_COMPATIBLE_ENCODING.fullmatch(enc):
            raise ParseError(
                f"unsupported XML encoding {enc!r}: re-save the file as UTF-8", path=path
            )
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ParseError(
            "XML with a DOCTYPE or ENTITY declaration is refused (sports devices never write one,"
            " and it can hide an entity-expansion attack)",
            path=path,
        )
    # Failed downloads are sometimes padded with NUL bytes up to the expected size.
    return data.rstrip(b"\x00")


class XmlEvents:
    """Iterate ``(event, local_name, element)`` over an XML document, ``event`` in start/end.

    Namespaces are dropped from tag names (``{http://…/v2}Trackpoint`` → ``Trackpoint``), so
    prefixes and default namespaces of different producers all match. After iteration,
    :attr:`truncated` tells whether the document ended before its root element closed: the events
    up to that point were delivered and the caller decides what to keep. Any other syntax error
    raises :class:`ParseError` with the line and (1-based) column.
    """

    def __init__(self, data: bytes, path: str) -> None:
        self._data = data
        self._path = path
        #: The input ended inside the document (a cut download): events so far were delivered.
        self.truncated = False
        #: Bytes after the root element were ignored.
        self.junk_after_root = False

    def __iter__(self) -> Iterator[tuple[str, str, ET.Element]]:
        # typeshed types events as "Element | namespace tuple"; only start/end are asked for.
        parser: Any = ET.XMLPullParser(events=("start", "end"))
        names: dict[str, str] = {}
        data = self._data
        for offset in range(0, len(data), _CHUNK_BYTES):
            parser.feed(data[offset : offset + _CHUNK_BYTES])
            try:
                for event, elem in parser.read_events():
                    tag = elem.tag
                    name = names.get(tag)
                    if name is None:
                        name = names[tag] = tag.rpartition("}")[2]
                    yield event, name, elem
            except ET.ParseError as exc:
                if exc.code == _XML_ERROR_JUNK_AFTER_DOC_ELEMENT:
                    self.junk_after_root = True
                    return
                raise self._malformed(exc) from None
        try:
            parser.close()
        except ET.ParseError:
            self.truncated = True
            return
        for event, elem in parser.read_events():  # anything flushed by close()
            yield event, elem.tag.rpartition("}")[2], elem

    def _malformed(self, exc: ET.ParseError) -> ParseError:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        return ParseError(
            f"malformed XML at line {line}, column {column + 1} ({reason})", path=self._path
        )


def local_children(elem: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    """``(local_name, child)`` for the direct children of ``elem``."""
    for child in elem:
        yield child.tag.rpartition("}")[2], child


# --- shared with _gpx: trackpoint collection ---------------------------------------------------

#: Indices of the per-trackpoint values collected by the readers.
F_LAT, F_LON, F_ALT, F_DIST, F_HR, F_CAD, F_RUNCAD, F_SPEED, F_POWER, F_TEMP = range(10)
N_FIELDS = 10


def parse_time(text: str) -> tuple[float, bool] | None:
    """Epoch seconds of an ISO 8601 time, and whether it had no time zone (then UTC is assumed)."""
    text = text.strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text.upper())
        except ValueError:
            return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC).timestamp(), True
    return dt.timestamp(), False


@dataclass
class Group:
    """One TCX ``<Activity>`` or GPX ``<trk>``: the unit a sport is attached to."""

    #: The sport as written in the file (TCX ``Sport`` attribute, GPX ``<type>``), or ``None``.
    label: str | None = None


@dataclass
class Trackpoints:
    """Per-point values as parsed, in file order (see :func:`build_activity`)."""

    times: list[float] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    rows: list[list[float]] = field(default_factory=list)
    #: Trackpoints dropped because they had no (parsable) time.
    without_time: int = 0
    #: Non-empty numbers that could not be parsed (read as NaN).
    bad_numbers: int = 0
    #: Times without a time zone (read as UTC).
    naive_times: int = 0

    def number(self, text: str | None) -> float:
        """``float(text)``, NaN (and counted) when the text is not a number."""
        if text is None:
            return _NAN
        try:
            return float(text)
        except ValueError:
            if text.strip():
                self.bad_numbers += 1
            return _NAN

    def add(self, time_text: str | None, row: list[float], group: int) -> None:
        parsed = None if time_text is None else parse_time(time_text)
        if parsed is None:
            self.without_time += 1
            return
        ts, naive = parsed
        self.naive_times += naive
        self.times.append(ts)
        self.groups.append(group)
        self.rows.append(row)

    def __len__(self) -> int:
        return len(self.times)


# --- shared with _gpx: from trackpoints to an Activity -------------------------------------------

#: Earth's mean radius (IUGG), metres, for the haversine distance.
_EARTH_RADIUS_M = 6_371_008.8
#: Consecutive GPS fixes implying more than this are a glitch, not a runner (or a cyclist).
_MAX_GPS_SPEED_M_S = 15.0
#: Speed below which a sample does not count as moving.
_MOVING_SPEED_M_S = 1.0
#: Samples slower than this are not used for the median running cadence (walking, standing).
_RUNNING_SPEED_M_S = 1.5
#: Width of the centred median filter applied to the instantaneous speed.
_SPEED_MEDIAN_WINDOW_S = 5.0
#: Plausible (cadence, speed) combinations used to decide whether a TCX/GPX cadence is strides/min
#: (Garmin's convention, doubled) or already steps/min. Each sample's cadence, read either way, is
#: scored by how far (steps/min) it lies outside the nearest plausible gait band at its speed; the
#: unit with the smaller total is chosen (docs/methods.md §1).
CADENCE_PLAUSIBILITY: Final[dict[str, Any]] = {
    # Running: at or above the walk-run transition cadence (135-140 steps/min in adults, Hum Mov
    # Sci 2023 90:103117, V) up to the top of elite ultra-runners' range (155-203 steps/min,
    # Burns et al. 2019, science.md §4.1, V) with a small margin.
    "run_spm": (140.0, 210.0),
    # Walking: 70-140 steps/min (walking cadences 60-130+, Tudor-Locke et al. 2018 BJSM 52:776, V;
    # upper end = the transition cadence above), and only below 2.5 m/s: the walk-run transition
    # speed is ~2.0-2.1 m/s (Hum Mov Sci 2023 90:103117, V), walking faster than 2.5 m/s is
    # race walking, not in running files (*design* margin).
    "walk_spm": (70.0, 140.0),
    "walk_max_speed_m_s": 2.5,
    # A walking step longer than 1.0 m is implausible (step ~0.40-0.45 x height; *design*):
    # speed = cadence x step length, so walking cadence must be >= 60·speed/1.0.
    "walk_max_step_m": 1.0,
    # The unit is reported as ambiguous when the chosen reading's median sample still lies this
    # far (steps/min) outside every band, or the other reading is less than twice as far off.
    "ambiguous_median_spm": 0.5,
    "decisive_ratio": 2.0,
}
#: Median moving speed above which a recording without a sport label is taken for cycling.
CYCLING_SPEED_M_S = 7.0


def haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres between points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def format_duration(seconds: float) -> str:
    """``mm:ss`` below an hour, ``h:mm:ss`` above."""
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


@dataclass
class Points:
    """Trackpoints sorted by time and de-duplicated, as arrays (one row per sample)."""

    ts: np.ndarray
    group: np.ndarray
    values: np.ndarray  # (n, N_FIELDS)

    def col(self, index: int) -> np.ndarray:
        return self.values[:, index]

    def take(self, mask: np.ndarray) -> Points:
        return Points(self.ts[mask], self.group[mask], self.values[mask])


def sorted_points(tp: Trackpoints, *, truncated: bool, path: str, notes: list[str]) -> Points:
    """Arrays sorted by time, keeping the last of duplicate timestamps; raise when empty."""
    if not tp.times:
        if truncated:
            raise ParseError("file is truncated before its first complete trackpoint", path=path)
        extra = f" ({tp.without_time} trackpoints have no time)" if tp.without_time else ""
        raise NotEnoughDataError(f"no trackpoints with time{extra}", path=path)
    ts = np.asarray(tp.times, dtype=np.float64)
    group = np.asarray(tp.groups, dtype=np.int64)
    values = np.asarray(tp.rows, dtype=np.float64).reshape(len(ts), N_FIELDS)
    values[~np.isfinite(values)] = np.nan
    if len(ts) > 1 and not bool(np.all(np.diff(ts) >= 0)):
        order = np.argsort(ts, kind="stable")
        ts, group, values = ts[order], group[order], values[order]
        notes.append("trackpoints were out of time order: sorted by time")
    keep = np.ones(len(ts), dtype=bool)
    keep[:-1] = ts[1:] != ts[:-1]  # of equal timestamps keep the last (stable order)
    n_dup = int((~keep).sum())
    if n_dup:
        ts, group, values = ts[keep], group[keep], values[keep]
        # One repeat per lap boundary is how Garmin writes TCX: only many repeats are news.
        if n_dup > max(2, 0.01 * len(ts)):
            notes.append(f"{n_dup} trackpoints repeated an earlier time: kept the last of each")
    stretch = plausible_stretch(ts)  # a jump of years: keep one plausible stretch (issue 14)
    if stretch.n_dropped:
        ts, group, values = ts[stretch.keep], group[stretch.keep], values[stretch.keep]
        notes.append(str(stretch_note(stretch, "trackpoints")))
    if tp.without_time:
        notes.append(f"skipped {tp.without_time} trackpoints without a valid time")
    if tp.bad_numbers:
        notes.append(f"{tp.bad_numbers} values were not numbers: read as missing")
    if tp.naive_times:
        notes.append("times have no time zone: read as UTC")
    _clean_values(values)
    return Points(ts, group, values)


def _clean_values(values: np.ndarray) -> None:
    """Blank out values that are placeholders rather than measurements (in place)."""
    lat, lon = values[:, F_LAT], values[:, F_LON]
    bad_pos = (
        (np.abs(lat) > 90)
        | (np.abs(lon) > 180)
        | ((lat == 0) & (lon == 0))
        | np.isnan(lat)
        | np.isnan(lon)
    )
    values[bad_pos, F_LAT] = np.nan
    values[bad_pos, F_LON] = np.nan
    hr = values[:, F_HR]
    hr[hr <= 0] = np.nan
    dist = values[:, F_DIST]
    dist[dist < 0] = np.nan


def drop_gps_glitches(pts: Points) -> int:
    """Blank isolated fixes that jump away and back implausibly fast; return how many."""
    lat, lon = pts.col(F_LAT), pts.col(F_LON)
    idx = np.flatnonzero(np.isfinite(lat))
    if len(idx) < 3:
        return 0
    t = pts.ts[idx]
    d = haversine_m(lat[idx[:-1]], lon[idx[:-1]], lat[idx[1:]], lon[idx[1:]])
    v = d / np.maximum(np.diff(t), 1e-9)
    fast = v > _MAX_GPS_SPEED_M_S
    cand = np.flatnonzero(fast[:-1] & fast[1:]) + 1  # positions in idx: fast in and fast out
    if not len(cand):
        return 0
    before, after = idx[cand - 1], idx[cand + 1]
    skip = haversine_m(lat[before], lon[before], lat[after], lon[after])
    ok = skip / np.maximum(t[cand + 1] - t[cand - 1], 1e-9) <= _MAX_GPS_SPEED_M_S
    bad = idx[cand[ok]]
    pts.values[bad, F_LAT] = np.nan
    pts.values[bad, F_LON] = np.nan
    return len(bad)


def group_slices(group: np.ndarray) -> list[slice]:
    """Contiguous runs of equal group ids (after sorting, groups are normally contiguous)."""
    if not len(group):
        return []
    cuts = np.flatnonzero(group[1:] != group[:-1]) + 1
    bounds = [0, *cuts.tolist(), len(group)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def distance_increments_from_device(dist: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """Per-sample distance increments (m) of one group from a device's cumulative distance.

    Missing values are interpolated in time. A drop of more than 10 m is a counter reset (some
    producers restart at each lap): the new value counts from zero. Smaller drops count as zero.
    ``None`` when the group has no distance at all.
    """
    ok = np.isfinite(dist)
    if not ok.any():
        return None
    d = dist if ok.all() else np.interp(ts, ts[ok], dist[ok])
    inc = np.zeros(len(d))
    if len(d) > 1:
        step = np.diff(d)
        reset = step < -10.0
        inc[1:] = np.where(reset, np.maximum(d[1:], 0.0), np.maximum(step, 0.0))
    return inc


def distance_increments_from_positions(
    lat: np.ndarray, lon: np.ndarray, ts: np.ndarray
) -> np.ndarray | None:
    """Per-sample haversine increments (m) of one group; points without a fix are interpolated."""
    idx = np.flatnonzero(np.isfinite(lat))
    if len(idx) < 2:
        return None
    seg = haversine_m(lat[idx[:-1]], lon[idx[:-1]], lat[idx[1:]], lon[idx[1:]])
    cum_at_fix = np.concatenate(([0.0], np.cumsum(seg)))
    cum = np.interp(ts, ts[idx], cum_at_fix)
    inc = np.zeros(len(ts))
    inc[1:] = np.diff(cum)
    return inc


def distance_increments_from_speed(speed: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """Per-sample increments (m) integrating a device speed (rectangle rule, previous sample)."""
    ok = np.isfinite(speed)
    if not ok.any():
        return None
    v = speed if ok.all() else np.interp(ts, ts[ok], speed[ok])
    inc = np.zeros(len(ts))
    inc[1:] = np.maximum(v[:-1], 0.0) * np.diff(ts)
    return inc


def smoothed_speed(inc: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Instantaneous speed ``Δdistance/Δt`` of one group, then a centred median over ~5 s."""
    n = len(ts)
    v = np.full(n, np.nan)
    if n < 2:
        return v
    dt = np.diff(ts)
    v[1:] = inc[1:] / dt  # dt > 0 after de-duplication
    v[0] = v[1]
    k = max(1, round(_SPEED_MEDIAN_WINDOW_S / float(np.median(dt))))
    k += 1 - k % 2  # odd, so the window is centred
    if k == 1 or n < k:
        return v
    padded = np.concatenate((np.full(k // 2, np.nan), v, np.full(k // 2, np.nan)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.asarray(np.nanmedian(windows, axis=1))


@dataclass
class Derived:
    """Distance and speed for all points, computed group by group."""

    inc: np.ndarray  # distance increments, 0 at each group start, NaN where unknown
    speed: np.ndarray


def derive_distance_speed(pts: Points, *, prefer_device: bool) -> Derived:
    """Distance increments and smoothed speed, from device distance, positions or device speed."""
    n = len(pts.ts)
    inc = np.full(n, np.nan)
    speed = np.full(n, np.nan)
    for sl in group_slices(pts.group):
        ts = pts.ts[sl]
        g_inc = None
        if prefer_device:
            g_inc = distance_increments_from_device(pts.col(F_DIST)[sl], ts)
        if g_inc is None:
            g_inc = distance_increments_from_positions(pts.col(F_LAT)[sl], pts.col(F_LON)[sl], ts)
        if g_inc is None:
            g_inc = distance_increments_from_speed(pts.col(F_SPEED)[sl], ts)
        if g_inc is not None:
            inc[sl] = g_inc
            speed[sl] = smoothed_speed(g_inc, ts)
    return Derived(inc, speed)


def median_moving_speed(speed: np.ndarray) -> float | None:
    """Median speed over samples faster than a walk's start, ``None`` with fewer than 10."""
    moving = speed[np.isfinite(speed) & (speed > _MOVING_SPEED_M_S)]
    return float(np.median(moving)) if len(moving) >= 10 else None


def running_cadence_median(raw: np.ndarray, speed: np.ndarray) -> float | None:
    """Median of the non-zero raw cadence over samples that move at running speed."""
    has = np.isfinite(raw) & (raw > 0)
    if not has.any():
        return None
    running = has & ~(np.isfinite(speed) & (speed < _RUNNING_SPEED_M_S))
    use = running if running.sum() >= 10 else has
    return float(np.median(raw[use]))


def cadence_misfit_spm(spm: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Steps/min by which each (cadence, speed) lies outside the nearest plausible gait band.

    0 inside the running band, or inside the walking band at a walking speed and step length
    (:data:`CADENCE_PLAUSIBILITY`). Samples without a speed are judged against the running band
    only (the file says it is a run, and walking cannot be told from running without speed).
    """
    p = CADENCE_PLAUSIBILITY
    run_lo, run_hi = p["run_spm"]
    run_cost = np.maximum(run_lo - spm, 0.0) + np.maximum(spm - run_hi, 0.0)
    v = np.where(np.isfinite(speed), speed, 0.0)
    walk_lo = np.maximum(p["walk_spm"][0], 60.0 * v / p["walk_max_step_m"])
    walk_hi = p["walk_spm"][1]
    walk_cost = np.maximum(walk_lo - spm, 0.0) + np.maximum(spm - walk_hi, 0.0)
    walkable = np.isfinite(speed) & (v <= p["walk_max_speed_m_s"])
    walk_cost = np.where(walkable, walk_cost, np.inf)
    return np.asarray(np.minimum(run_cost, walk_cost))


def cadence_steps_per_min(
    raw: np.ndarray, speed: np.ndarray, *, what: str, notes: list[str]
) -> tuple[np.ndarray, str]:
    """Cadence in steps/min and the unit the file was read in (``"strides/min"``/``"steps/min"``).

    Garmin writes running cadence as strides (one foot) per minute, 75–105 while running; some
    producers write steps (both feet) per minute, 150–210 running and 90–130 walking. A raw 115
    is a walker's steps/min at 1.7 m/s but a runner's strides/min at 3 m/s, so the unit is decided
    per file from plausibility against speed (:func:`cadence_misfit_spm`): each moving sample's
    cadence is read both ways, and the reading that puts the samples closer to a plausible
    walking or running cadence for their speed wins (ties: strides/min, Garmin's convention).
    """
    has = np.isfinite(raw) & (raw > 0)
    moving = has & ~(np.isfinite(speed) & (speed < _MOVING_SPEED_M_S))
    use = moving if moving.sum() >= 10 else has
    if not use.any():
        return raw * 2.0, "strides/min"
    cost_strides = cadence_misfit_spm(raw[use] * 2.0, speed[use])
    cost_steps = cadence_misfit_spm(raw[use], speed[use])
    total_strides, total_steps = float(cost_strides.sum()), float(cost_steps.sum())
    if total_steps < total_strides:
        unit, out, won, lost = "steps/min", raw.copy(), cost_steps, total_strides
    else:
        unit, out, won, lost = "strides/min", raw * 2.0, cost_strides, total_steps
    p = CADENCE_PLAUSIBILITY
    ambiguous = float(np.median(won)) > p["ambiguous_median_spm"] or lost <= p[
        "decisive_ratio"
    ] * float(won.sum())
    if ambiguous:
        med = float(np.median(raw[use]))
        notes.append(
            f"{what} is ambiguous (median {med:.0f} while moving could be strides/min or"
            f" steps/min at this speed): read as {unit}"
        )
    return out, unit


def build_activity(
    pts: Points,
    derived: Derived,
    *,
    keep_groups: dict[int, str],
    segments: list[Segment],
    cadence_raw: np.ndarray | None,
    cadence_what: str,
    path: str,
    file_format: str,
    devices: list[str],
    sub_sport: str | None,
    extra: dict[str, Any],
    notes: list[str],
    truncated: bool,
    t0: float,
) -> Activity:
    """Assemble the sample table from the analysed groups and emit the collected warnings."""
    mask = np.isin(pts.group, np.fromiter(keep_groups, dtype=np.int64))
    sub = pts.take(mask)
    inc = derived.inc[mask]
    speed = derived.speed[mask]
    samples: dict[str, np.ndarray] = {
        consts.TIME_S: sub.ts - t0,
        consts.TIMESTAMP_S: sub.ts.copy(),
    }
    if np.isfinite(inc).any():
        first = sub.col(F_DIST)[0] if np.isfinite(sub.col(F_DIST)[0]) else 0.0
        samples[consts.DISTANCE_M] = first + np.cumsum(np.nan_to_num(inc))
        samples[consts.DISTANCE_M][~np.isfinite(inc)] = np.nan
        samples[consts.SPEED_M_S] = speed
    for col, index in (
        (consts.ALTITUDE_M, F_ALT),
        (consts.LAT_DEG, F_LAT),
        (consts.LON_DEG, F_LON),
        (consts.HEART_RATE_BPM, F_HR),
        (consts.POWER_W, F_POWER),
        (consts.TEMPERATURE_C, F_TEMP),
    ):
        values = sub.col(index)
        if np.isfinite(values).any():
            samples[col] = np.ascontiguousarray(values)
    if cadence_raw is not None:
        raw = cadence_raw[mask]
        if np.isfinite(raw).any():
            spm, unit = cadence_steps_per_min(raw, speed, what=cadence_what, notes=notes)
            samples[consts.CADENCE_SPM] = spm
            extra["cadence_unit_in_file"] = unit
    has_position = consts.LAT_DEG in samples
    if truncated:
        duration = format_duration(float(sub.ts[-1] - sub.ts[0]))
        notes.insert(0, f"file is truncated: recovered {len(sub.ts)} trackpoints ({duration})")
    meta = ActivityMeta(
        path=path,
        file_format=file_format,
        sport="running",
        sub_sport=sub_sport,
        start_time=datetime.fromtimestamp(t0, tz=UTC),
        devices=devices,
        segments=segments,
        indoor=not has_position or sub_sport in ("treadmill", "indoor_running"),
        extra=extra,
    )
    for note in notes:
        warnings.warn(note, EvenstrideWarning, stacklevel=4)
    return Activity(samples=samples, meta=meta, warnings=list(notes))


def make_segments(
    pts: Points,
    sports: dict[int, str],
    keep: dict[int, str],
    t0: float,
    sub_sports: dict[int, str | None] | None = None,
) -> list[Segment]:
    """One :class:`Segment` per group that has samples, in time order."""
    segs = []
    for sl in group_slices(pts.group):
        g = int(pts.group[sl.start])
        segs.append(
            Segment(
                sport=keep.get(g, sports[g]),
                sub_sport=(sub_sports or {}).get(g),
                start_s=float(pts.ts[sl.start] - t0),
                end_s=float(pts.ts[sl.stop - 1] - t0),
                analysed=g in keep,
            )
        )
    return segs


@dataclass
class TrackParse:
    """What a reader's pass over the XML events collected: points, their groups (one per
    activity or track) and how the document ended."""

    points: Trackpoints = field(default_factory=Trackpoints)
    groups: list[Group] = field(default_factory=list)
    truncated: bool = False
    junk_after_root: bool = False


def clean_track(
    parse: TrackParse, *, path: str, notes: list[str], prefer_device: bool
) -> tuple[Points, float, Derived]:
    """The parsed points sorted and de-duplicated (:func:`sorted_points`), implausible GPS
    jumps dropped (noted), and distance and speed derived (the device's own distance first when
    ``prefer_device``); also the first time stamp ``t0``."""
    pts = sorted_points(parse.points, truncated=parse.truncated, path=path, notes=notes)
    t0 = float(pts.ts[0])
    n_glitches = drop_gps_glitches(pts)
    if n_glitches:
        notes.append(f"ignored {n_glitches} GPS positions that jumped away implausibly fast")
    return pts, t0, derive_distance_speed(pts, prefer_device=prefer_device)
