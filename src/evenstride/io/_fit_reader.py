# SPDX-License-Identifier: MIT
"""FIT → :class:`~evenstride.datatypes.Activity`.

Input: the bytes of a FIT file. Output: an activity holding the running part of the recording:
a sample table (one row per ``record`` message of a running session), side-specific channels
(GCT balance, RunScribe per-foot pods) and metadata (sessions, devices, developer apps).

Which field feeds which column, in which unit, is data in :mod:`evenstride.io._fit_fields`;
this module applies it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
    UnsupportedActivityError,
)
from evenstride.io import _fit_fields as ff
from evenstride.io._fit_decode import DevFieldInfo, FitData, decode_fit
from evenstride.io._time_gaps import MAX_GAP_S, plausible_stretch, stretch_note

__all__ = ["read_fit"]

_RUNNING = "running"
_TRANSITION = "transition"
_WALKING_SPORTS = frozenset({"walking", "hiking"})
_INDOOR_SUB_SPORTS = frozenset({"treadmill", "indoor_running", "virtual_activity"})
#: Running cadence range (strides/min) used when a file says nothing about its sport.
_RUNNING_STRIDES_PER_MIN = (70.0, 115.0)
#: Seconds of slack when matching record timestamps to a session's time range.
_SESSION_SLACK_S = 2.0


@dataclass(frozen=True)
class _Session:
    sport: str
    sub_sport: str | None
    start: float  # Unix s (NaN when unknown)
    end: float
    index: int  # position in the message stream


def read_fit(data: bytes, *, path: str) -> Activity:
    """Read a FIT file into evenstride's side-labelled model (running sessions only).

    Parameters
    ----------
    data
        Content of the file.
    path
        File name, used in messages.

    Returns
    -------
    Activity
        Samples sorted by time (duplicate timestamps keep the last record), side channels and
        metadata. Every warning is in ``activity.warnings`` and is also emitted as an
        :class:`~evenstride.exceptions.EvenstrideWarning`.

    Raises
    ------
    ParseError
        The file is not FIT or is corrupt.
    UnsupportedActivityError
        No running in the file (cycling, swimming, walking…).
    NotEnoughDataError
        The running part has no usable samples.

    Examples
    --------
    >>> act = read_fit(open("run.fit", "rb").read(), path="run.fit")  # doctest: +SKIP
    >>> act.meta.sport, round(float(np.nanmean(act.sided[0].balance_left_pct)), 1)  # doctest: +SKIP
    ('running', 49.1)
    """
    try:
        fit = decode_fit(data)
    except ParseError as exc:
        raise ParseError(exc.reason, path=path) from None
    notes: list[str] = [w for w in fit.warnings if not _is_status_warning(w)]
    if fit.crc_ok is False:
        notes.append("FIT CRC mismatch: the file may be corrupt, some values may be wrong")

    sessions = _sessions(fit)
    rec = fit.messages.get("record")
    n_rec = 0 if rec is None else len(rec["_index"])
    keep, analysed, sport_note = _running_records(fit, sessions, rec, path)
    if sport_note:
        notes.append(sport_note)
    if n_rec == 0 or rec is None or not keep.any():
        raise NotEnoughDataError("no record (sample) messages in the running part", path=path)

    origins: dict[str, dict[str, str | None]] = {}
    samples, sided = _samples_and_channels(fit, rec, keep, notes, origins)
    n = len(samples[consts.TIME_S])
    if n == 0:
        raise NotEnoughDataError("no record with a valid timestamp in the running part", path=path)
    start_unix = _activity_start(sessions, rec)
    if samples[consts.TIMESTAMP_S][0] - start_unix > MAX_GAP_S:  # the start was a dropped time
        start_unix = float(samples[consts.TIMESTAMP_S][0])
    samples[consts.TIME_S] = samples[consts.TIMESTAMP_S] - start_unix
    if fit.truncated:
        dur = float(samples[consts.TIME_S][-1] - samples[consts.TIME_S][0])
        notes.insert(0, f"file is truncated: analysed the first {_clock(dur)} of data")

    run_sessions = [s for s, a in zip(sessions, analysed, strict=True) if a]
    sub_sport = next((s.sub_sport for s in run_sessions if s.sub_sport), None)
    has_position = consts.LAT_DEG in samples and bool(np.isfinite(samples[consts.LAT_DEG]).any())
    meta = ActivityMeta(
        path=path,
        file_format="fit",
        sport=_RUNNING,
        sub_sport=sub_sport,
        start_time=_utc(start_unix, path),
        devices=_devices(fit),
        segments=[
            Segment(
                sport=s.sport,
                sub_sport=s.sub_sport,
                start_s=float(s.start - start_unix),
                end_s=float(s.end - start_unix),
                analysed=a,
            )
            for s, a in zip(sessions, analysed, strict=True)
        ],
        indoor=(sub_sport in _INDOOR_SUB_SPORTS) or not has_position,
        extra={"developer_apps": _developer_apps(fit), "fit_files": fit.n_files},
    )
    origins = {c: o for c, o in origins.items() if c in samples}
    if origins:  # which sample columns a developer field filled (which sensor measured them)
        meta.extra["column_origins"] = origins
    rr = _rr_intervals(fit)
    if rr is not None:
        meta.extra["rr_intervals_s"] = rr
    for note in notes:
        warnings.warn(f"{path}: {note}", EvenstrideWarning, stacklevel=3)
    return Activity(samples=samples, sided=sided, meta=meta, warnings=notes)


# ------------------------------------------------------------------------------- sessions / sport
def _is_status_warning(msg: str) -> bool:
    """Decoder warnings the reader rephrases (truncation, CRC)."""
    return msg.startswith(("FIT data is truncated", "FIT CRC mismatch", "FIT header CRC"))


def _sessions(fit: FitData) -> list[_Session]:
    ses = fit.messages.get("session")
    if ses is None:
        return []
    n = len(ses["_index"])
    sports = fit.enum_names("session", "sport")
    subs = fit.enum_names("session", "sub_sport")
    start = _col(ses, "start_time", n)
    elapsed = _col(ses, "total_elapsed_time", n)
    elapsed = np.where(np.isfinite(elapsed), elapsed, _col(ses, "total_timer_time", n))
    stamp = _col(ses, "timestamp", n)
    end = np.where(np.isfinite(elapsed), start + elapsed, stamp)
    out = []
    for i in range(n):
        sub = subs[i]
        out.append(
            _Session(
                sport=sports[i] or "unknown",
                sub_sport=None if sub in (None, "generic") else sub,
                start=float(start[i]),
                end=float(end[i]),
                index=int(ses["_index"][i]),
            )
        )
    order = np.argsort([s.index for s in out], kind="stable")
    return [out[i] for i in order]


def _col(table: dict[str, np.ndarray], name: str, n: int) -> np.ndarray:
    col = table.get(name)
    if col is None or col.ndim != 1 or col.dtype == object:
        return np.full(n, np.nan)
    return col


def _running_records(
    fit: FitData, sessions: list[_Session], rec: dict[str, np.ndarray] | None, path: str
) -> tuple[np.ndarray, list[bool], str | None]:
    """Mask of records to analyse, which sessions are analysed, and a multisport note."""
    n = 0 if rec is None else len(rec["_index"])
    if not sessions:
        if n == 0:
            return np.zeros(0, dtype=bool), [], None
        sport = _sport_without_session(fit, rec)
        if sport != _RUNNING:
            raise UnsupportedActivityError(_not_running_message([sport]), path=path)
        return np.ones(n, dtype=bool), [], None
    analysed = [s.sport == _RUNNING for s in sessions]
    if not any(analysed):
        raise UnsupportedActivityError(_not_running_message([s.sport for s in sessions]), path=path)
    if rec is None:
        return np.zeros(0, dtype=bool), analysed, None
    owner = _assign_records(sessions, rec)
    keep = np.isin(owner, np.flatnonzero(analysed))
    note = None
    if len(sessions) > 1 and not all(analysed):
        n_run = sum(analysed)
        listing = ", ".join(s.sport for s in sessions)
        plural = "s" if n_run > 1 else ""
        note = (
            f"multisport file: analysed {n_run} running session{plural} of {len(sessions)} "
            f"({listing})"
        )
    return keep, analysed, note


def _not_running_message(sports: list[str]) -> str:
    main = [s for s in dict.fromkeys(sports) if s != _TRANSITION] or ["unknown"]
    if all(s in _WALKING_SPORTS for s in main):
        return f"{' + '.join(main)} activity: walking is not analysed, only running"
    return f"{' + '.join(main)} activity: no running session to analyse"


def _sport_without_session(fit: FitData, rec: dict[str, np.ndarray] | None) -> str:
    """Sport from the ``sport`` message, else guessed from the cadence."""
    names = [s for s in fit.enum_names("sport", "sport").tolist() if s]
    if names:
        return _RUNNING if _RUNNING in names else names[0]
    cad = None if rec is None else _col(rec, ff.CADENCE_FIELD, len(rec["_index"]))
    if cad is not None:
        cad = cad[np.isfinite(cad) & (cad > 0)]
        lo, hi = _RUNNING_STRIDES_PER_MIN
        if len(cad) and lo <= float(np.median(cad)) <= hi:
            return _RUNNING
    return "unknown"


def _assign_records(sessions: list[_Session], rec: dict[str, np.ndarray]) -> np.ndarray:
    """Session number of every record (-1 when no session claims it).

    By time range first (``start_time`` … ``start_time + total_elapsed_time``; the latest
    session starting before a record wins, so an overlapping summary session does not hide a
    leg), then by stream order for records without a usable time: a record belongs to the first
    session message written after it.
    """
    n = len(rec["_index"])
    if len(sessions) == 1:
        return np.zeros(n, dtype=np.int64)
    ts = _col(rec, "timestamp", n)
    owner = np.full(n, -1, dtype=np.int64)
    starts = np.array([s.start for s in sessions])
    ends = np.array([s.end for s in sessions])
    timed = np.flatnonzero(np.isfinite(starts) & np.isfinite(ends))
    if len(timed):
        order = timed[np.argsort(starts[timed], kind="stable")]
        s_start, s_end = starts[order], ends[order]
        ok = np.flatnonzero(np.isfinite(ts))
        t = ts[ok]
        k = np.searchsorted(s_start, t, side="right") - 1  # latest session starting before t
        kc = np.maximum(k, 0)
        inside = (k >= 0) & (t <= s_end[kc])
        # a record a moment outside every range goes to the session it is closest to
        after_prev = ~inside & (k >= 0) & (t <= s_end[kc] + _SESSION_SLACK_S)
        kn = np.minimum(k + 1, len(order) - 1)
        before_next = (
            ~inside & ~after_prev & (k + 1 < len(order)) & (t >= s_start[kn] - _SESSION_SLACK_S)
        )
        got = np.full(len(t), -1, dtype=np.int64)
        got[inside | after_prev] = order[kc[inside | after_prev]]
        got[before_next] = order[kn[before_next]]
        owner[ok] = got
    rest = owner < 0
    if rest.any():
        sess_idx = np.array([s.index for s in sessions])
        j = np.searchsorted(sess_idx, rec["_index"][rest], side="left")
        owner[rest] = np.where(j < len(sessions), j, -1)
    return owner


def _activity_start(sessions: list[_Session], rec: dict[str, np.ndarray]) -> float:
    ts = _col(rec, "timestamp", len(rec["_index"]))
    cands = [float(np.nanmin(ts))] if np.isfinite(ts).any() else []
    cands += [s.start for s in sessions if np.isfinite(s.start)]
    return min(cands) if cands else 0.0


# ------------------------------------------------------------------------------- samples
def _samples_and_channels(
    fit: FitData,
    rec: dict[str, np.ndarray],
    keep: np.ndarray,
    notes: list[str],
    origins: dict[str, dict[str, str | None]] | None = None,
) -> tuple[dict[str, np.ndarray], list[SidedChannel]]:
    n_all = len(rec["_index"])
    ts_all = _col(rec, "timestamp", n_all)
    sel = np.flatnonzero(keep & np.isfinite(ts_all))
    dropped = int(keep.sum()) - len(sel)
    if dropped:
        notes.append(f"{dropped} records without a timestamp were ignored")
    if len(sel) > 1 and not bool(np.all(np.diff(ts_all[sel]) >= 0)):  # as TCX/GPX (issue 14)
        notes.append("records were out of time order: sorted by time")
    # sort by time, keep the last record of each timestamp
    order = sel[np.argsort(ts_all[sel], kind="stable")]
    ts_sorted = ts_all[order]
    last = (
        np.concatenate((ts_sorted[1:] != ts_sorted[:-1], [True]))
        if len(order)
        else np.zeros(0, bool)
    )
    if len(order) and not last.all():
        notes.append(f"{int((~last).sum())} records with a duplicate timestamp were dropped")
    rows = order[last]
    stretch = plausible_stretch(ts_all[rows])  # a jump of years: one plausible stretch
    if stretch.n_dropped:
        rows = rows[stretch.keep]
        notes.append(str(stretch_note(stretch, "records")))

    def take(name: str) -> np.ndarray | None:
        col = rec.get(name)
        if col is None or col.ndim != 1 or col.dtype == object:
            return None
        return col[rows].astype(np.float64)

    samples: dict[str, np.ndarray] = {consts.TIME_S: np.zeros(len(rows))}
    for name, (column, factor) in ff.NATIVE_RECORD_COLUMNS.items():
        v = take(name)
        if v is not None:
            samples[column] = v * factor if factor != 1.0 else v
    for column, names in (
        (consts.SPEED_M_S, ff.SPEED_FIELDS),
        (consts.ALTITUDE_M, ff.ALTITUDE_FIELDS),
    ):
        v = _first_with_data([take(nm) for nm in names])
        if v is not None:
            samples[column] = v
    for name, column in ff.POSITION_FIELDS.items():
        v = take(name)
        if v is not None:
            samples[column] = v * ff.SEMICIRCLE_DEG
    cad = take(ff.CADENCE_FIELD)
    if cad is not None:
        frac = take(ff.FRACTIONAL_CADENCE_FIELD)
        frac = np.zeros_like(cad) if frac is None else np.nan_to_num(frac)
        samples[consts.CADENCE_SPM] = ff.STEPS_PER_STRIDE * (cad + frac)

    dev_origins: dict[str, dict[str, str | None]] = {}
    dev_cols = _developer_columns(fit, rec, rows, dev_origins)
    for column, values in dev_cols.items():
        if column in samples and np.isfinite(samples[column]).any():
            continue  # the native field wins
        samples[column] = values
        if origins is not None and column in dev_origins:
            origins[column] = dev_origins[column]
    for column in ff.ZERO_IS_MISSING:
        if column in samples:
            v = samples[column]
            samples[column] = np.where(v == 0, np.nan, v)
    samples = {
        k: v
        for k, v in samples.items()
        if k in (consts.TIME_S, consts.TIMESTAMP_S) or np.isfinite(v).any()
    }
    sided = _balance_channel(rec, rows, samples) + _runscribe_channels(fit, rec, rows, samples)
    notes.extend(_impact_braking_notes(sided))
    return samples, sided


def _impact_braking_notes(sided: list[SidedChannel]) -> list[str]:
    """Flag RunScribe impact/braking channels whose values look swapped (issue 10)."""
    by = {c.metric: c for c in sided if c.source == consts.SRC_RUNSCRIBE}
    imp, brk = by.get(consts.M_IMPACT_G), by.get(consts.M_BRAKING_G)
    if imp is None or brk is None:
        return []
    out = []
    for side in consts.SIDES:
        a, b = getattr(imp, side), getattr(brk, side)
        if a is not None and b is not None:
            note = ff.runscribe_impact_braking_note(a, b, side)
            if note:
                out.append(note)
    return out


def _first_with_data(cands: list[np.ndarray | None]) -> np.ndarray | None:
    for v in cands:
        if v is not None and np.isfinite(v).any():
            return v
    return None


def _record_dev_fields(fit: FitData, rec: dict[str, np.ndarray]) -> list[DevFieldInfo]:
    return [
        info
        for key, info in fit.dev_fields.items()
        if key in rec and rec[key].ndim == 1 and rec[key].dtype != object
    ]


def _developer_columns(
    fit: FitData,
    rec: dict[str, np.ndarray],
    rows: np.ndarray,
    origins: dict[str, dict[str, str | None]] | None = None,
) -> dict[str, np.ndarray]:
    """Sample columns filled from developer fields (Stryd and friends), first with data wins;
    ``origins`` receives each column's app (``KNOWN_APPS`` name or None) and field name."""
    out: dict[str, np.ndarray] = {}
    for info in _record_dev_fields(fit, rec):
        if info.name is None:
            if info.application_id in ff.RUNSCRIBE_APP_IDS:
                target = ff.runscribe_light_field(info.field_num, info.units)
                if isinstance(target, str) and target not in out:
                    out[target] = rec[info.key][rows].astype(np.float64)
            continue
        spec = ff.DEV_COLUMNS.get(ff.normalise_name(info.name))
        if spec is None or spec.column in out:
            continue
        values = rec[info.key][rows].astype(np.float64) * ff.unit_factor(spec, info.units)
        if np.isfinite(values).any():
            out[spec.column] = values
            if origins is not None:
                origins[spec.column] = {"app": ff.KNOWN_APPS.get(info.application_id or ""),
                                        "field": info.name}
    return out


# ------------------------------------------------------------------------------- side channels
def _balance_channel(
    rec: dict[str, np.ndarray], rows: np.ndarray, samples: dict[str, np.ndarray]
) -> list[SidedChannel]:
    col = rec.get(ff.BALANCE_FIELD)
    if col is None or col.ndim != 1 or col.dtype == object:
        return []
    b = col[rows].astype(np.float64)
    lo, _hi = ff.BALANCE_VALID_PCT
    # 0.00 is the stopped placeholder (missing); 100 % and above are kept here so that the
    # central plausibility check (preprocessing.plausibility) excludes them with a counted warning
    b = np.where(b > lo, b, np.nan)
    if not np.isfinite(b).any():
        return []
    gct = samples.get(consts.CONTACT_TIME_S)
    if gct is None or not np.isfinite(gct).any():
        return [
            SidedChannel(
                metric=consts.M_CONTACT_TIME,
                source=consts.SRC_RUNNING_DYNAMICS,
                unit=consts.SIDED_METRIC_UNITS[consts.M_CONTACT_TIME],
                balance_left_pct=b,
                origin=f"record.{ff.BALANCE_FIELD}",
            )
        ]
    return [
        SidedChannel(
            metric=consts.M_CONTACT_TIME,
            source=consts.SRC_RUNNING_DYNAMICS,
            unit=consts.SIDED_METRIC_UNITS[consts.M_CONTACT_TIME],
            left=2.0 * gct * b / 100.0,
            right=2.0 * gct * (1.0 - b / 100.0),
            balance_left_pct=b,
            derived_from_balance=True,
            origin=f"record.{ff.BALANCE_FIELD} × stance_time",
        )
    ]


def _runscribe_channels(
    fit: FitData, rec: dict[str, np.ndarray], rows: np.ndarray, samples: dict[str, np.ndarray]
) -> list[SidedChannel]:
    found: dict[str, dict[str, tuple[np.ndarray, str]]] = {}
    for info in _record_dev_fields(fit, rec):
        from_rs = info.application_id in ff.RUNSCRIBE_APP_IDS
        if info.name is not None:
            target = ff.match_runscribe_name(info.name, from_runscribe_app=from_rs)
            label = info.name
        elif from_rs:
            hit = ff.runscribe_light_field(info.field_num, info.units)
            target = hit if isinstance(hit, ff.SidedField) else None
            label = f"{info.key} (RunScribe Light field {info.field_num})"
        else:
            target = None
        if target is None:
            continue
        values = rec[info.key][rows].astype(np.float64) * target.factor
        values = np.where(values == 0, np.nan, values)  # 0 = no step data from that pod
        if not np.isfinite(values).any():
            continue
        found.setdefault(target.metric, {}).setdefault(target.side, (values, label))
    n = len(rows)
    out = []
    for metric, sides in found.items():
        left = sides.get(consts.SIDES[0])
        right = sides.get(consts.SIDES[1])
        nan = np.full(n, np.nan)
        out.append(
            SidedChannel(
                metric=metric,
                source=consts.SRC_RUNSCRIBE,
                unit=consts.SIDED_METRIC_UNITS[metric],
                left=left[0] if left else nan,
                right=right[0] if right else nan,
                origin=", ".join(x[1] for x in (left, right) if x),
            )
        )
    return out


# ------------------------------------------------------------------------------- metadata
def _devices(fit: FitData) -> list[str]:
    names: list[str] = []
    for mesg in ("file_id", "device_info"):
        table = fit.messages.get(mesg)
        if table is None:
            continue
        makers = fit.enum_names(mesg, "manufacturer").tolist()
        products = fit.enum_names(mesg, "garmin_product").tolist()
        raw_products = fit.enum_names(mesg, "product").tolist()
        product_names = table.get("product_name")
        for i, maker in enumerate(makers):
            if maker is None or maker.isdigit():  # no or unknown manufacturer: not worth listing
                continue
            product = products[i]
            if product is None and product_names is not None and product_names.dtype == object:
                product = product_names[i]
            if product is None and raw_products[i] not in (None, "0"):
                product = raw_products[i]
            text = f"{maker} {product}" if product else maker
            if text not in names:
                names.append(text)
    return names


def _developer_apps(fit: FitData) -> list[dict[str, Any]]:
    apps: dict[tuple[int, str | None], dict[str, Any]] = {}
    for info in fit.dev_fields.values():
        key = (info.developer_data_index, info.application_id)
        app = apps.setdefault(
            key,
            {
                "application_id": info.application_id,
                "name": ff.KNOWN_APPS.get(info.application_id or ""),
                "developer_data_index": info.developer_data_index,
                "fields": [],
            },
        )
        label = info.name if info.name is not None else info.key
        if label not in app["fields"]:
            app["fields"].append(label)
    return list(apps.values())


#: Plausible R-R intervals, s (200–30 bpm); values outside are dropped.
_RR_VALID_S = (0.3, 2.0)


def _rr_intervals(fit: FitData) -> np.ndarray | None:
    """Beat-to-beat (R-R) intervals in seconds from ``hrv`` messages, in file order.

    Each ``hrv`` message holds up to five intervals (``time`` is a 2-D array, NaN-padded); NaN
    and values outside 0.3–2.0 s are dropped. ``None`` when the file has no ``hrv`` messages.
    """
    hrv = fit.messages.get("hrv")
    if hrv is None:
        return None
    t = hrv.get("time")
    if t is None or t.dtype == object:
        return None
    rr = np.asarray(t, dtype=np.float64).reshape(-1)
    lo, hi = _RR_VALID_S
    rr = rr[np.isfinite(rr) & (rr >= lo) & (rr <= hi)]
    return rr if len(rr) else None


def _utc(unix_s: float, path: str) -> datetime:
    try:
        return datetime.fromtimestamp(unix_s, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ParseError(
            f"implausible start time ({unix_s:.0f} s): corrupt file", path=path
        ) from None


def _clock(seconds: float) -> str:
    """``41:10`` or ``2:03:05``."""
    s = max(round(seconds), 0)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
