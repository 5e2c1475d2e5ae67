# SPDX-License-Identifier: MIT
"""RunScribe per-stride CSV exports (one file per foot pod) → :class:`Activity`.

The export (e.g. ``run_37075right.csv`` of richardjy/read-runscribe) has a header row such as::

    datetime, time (s), time (hms), active_status, active_dist (mi), active_time (s),
    pause_time (s), stride_pace (mi/min), step_rate (s/min), stride_length (ft),
    contact_time (ms), braking_gs, impact_gs, footstrike_type, max_pronation_vel,
    pronation_fs_mp, pronation_mp_to, stance_fs_mp, stance_mp_to

followed by a second "labels" row (``datetime, , , , , , , power, cadence, …``) that is skipped,
then one row per stride of that foot. Units are read from the header: distance in ``mi``/``km``/
``m``, stride length in ``ft``/``yd``/``m``, contact time in ``ms``/``s`` (the sample file was
exported with US settings: miles and feet). ``step_rate`` is steps per minute (both feet, about
165 for a 0.73 s stride). ``pronation_fs_mp`` is the pronation excursion from foot strike to
maximum pronation (degrees, negative = pronation), used as
:data:`~evenstride.consts.M_PRONATION_DEG`.

Left/right asymmetry needs both pods: :func:`read_runscribe_csv` refuses a single file, while
:func:`read_runscribe_side` returns one foot's per-stride series (e.g. for stride variability).

With both files the activity has one row per left stride; each is paired with the first right
stride that starts within 0.75 median strides after it (else the right values are NaN), as for
foot IMUs (:mod:`evenstride.steps._to_activity`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import datetime
from pathlib import Path

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, Segment, SidedChannel
from evenstride.exceptions import NotEnoughDataError, ParseError, UserInputError
from evenstride.filters import nanmean2
from evenstride.io._bounded import cut_line_warned, read_text_bounded
from evenstride.io._time_gaps import overlap_notes

#: A right stride is paired with a left one when it starts within this many median strides.
PAIR_MAX_STRIDES = 0.75
#: A stride interval longer than this many median intervals spans a pause or a missed stride.
MISSED_STRIDE_FACTOR = 1.6

_MILE_M = 1609.344
_FOOT_M = 0.3048
_DIST_TO_M = {"mi": _MILE_M, "km": 1000.0, "m": 1.0}
_LEN_TO_M = {"ft": _FOOT_M, "yd": 3 * _FOOT_M, "m": 1.0, "cm": 0.01, "in": _FOOT_M / 12}
_TIME_TO_S = {"ms": 1e-3, "s": 1.0}

#: Base header names this reader needs (unit suffixes are parsed separately).
_REQUIRED = ("time", "step_rate", "contact_time", "impact_gs", "braking_gs")
_HEADER_RE = re.compile(r"^\s*([^()]*?)\s*(?:\(([^)]*)\))?\s*$")


def _parse_header(row: list[str]) -> dict[str, tuple[int, str]]:
    """``{base name: (column index, unit)}``; the first column of a given base name wins."""
    out: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(row):
        m = _HEADER_RE.match(cell)
        if not m or not m.group(1):
            continue
        name = m.group(1).strip().lower()
        unit = (m.group(2) or "").strip().lower()
        out.setdefault(name, (i, unit))
    return out


def _float(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return float("nan")


def _scale(
    path: Path, cols: dict[str, tuple[int, str]], name: str, table: dict[str, float]
) -> float:
    unit = cols[name][1]
    if unit not in table:
        raise ParseError(
            f"column {name!r} has unit {unit!r}; expected one of {sorted(table)}", path=path
        )
    return table[unit]


def read_runscribe_side(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """One foot's per-stride series from a RunScribe per-stride CSV export.

    Keys (float64 arrays, one entry per stride, NaN when missing): ``time_s`` (the export's
    elapsed ``time (s)``), ``stride_s`` (interval to the next stride; NaN for the last stride and
    across pauses/missed strides, i.e. longer than 1.6 median intervals), ``cadence_spm``,
    ``contact_time_s``, ``impact_g``, ``braking_g``, ``footstrike_type``, ``pronation_deg``,
    ``stride_length_m``, ``distance_m`` (active distance, NaN when absent) and
    ``active_status``.
    """
    p = Path(path)
    try:
        rows = list(csv.reader(io.StringIO(cut_line_warned(read_text_bounded(p), p, sep=","),
                                           newline="")))
    except OSError as exc:
        raise ParseError(f"cannot read file ({exc.strerror})", path=p) from exc
    except UnicodeDecodeError as exc:
        raise ParseError("not a text CSV file", path=p) from exc
    except csv.Error as exc:  # e.g. a field over csv's size limit (issue 14)
        raise ParseError(f"not a readable CSV ({exc})", path=p) from None
    if not rows:
        raise ParseError("empty file; expected a RunScribe per-stride CSV export", path=p)
    cols = _parse_header(rows[0])
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise ParseError(
            f"not a RunScribe per-stride export: missing column(s) {', '.join(missing)}"
            f" (header starts {','.join(rows[0][:4])!r})",
            path=p,
        )
    body: list[list[str]] = []
    ti = cols["time"][0]
    for r in rows[1:]:
        if len(r) <= ti or not np.isfinite(_float(r[ti])):
            continue  # the "labels" row, blank lines, footers
        body.append(r)
    if len(body) < 2:
        raise NotEnoughDataError(f"only {len(body)} stride rows in the export", path=p)

    def col(name: str, factor: float = 1.0) -> np.ndarray:
        if name not in cols:
            return np.full(len(body), np.nan)
        i = cols[name][0]
        return np.array([_float(r[i]) if len(r) > i else np.nan for r in body]) * factor

    t = col("time", _scale(p, cols, "time", _TIME_TO_S))
    if not bool(np.all(np.diff(t) >= 0)):
        order = np.argsort(t, kind="stable")
        body = [body[i] for i in order]
        t = t[order]
    stride = np.full(len(t), np.nan)
    d = np.diff(t)
    med = float(np.median(d[d > 0])) if (d > 0).any() else np.nan
    stride[:-1] = np.where((d > 0) & (d < MISSED_STRIDE_FACTOR * med), d, np.nan)
    out = {
        "time_s": t,
        "stride_s": stride,
        "cadence_spm": col("step_rate"),
        "contact_time_s": col("contact_time", _scale(p, cols, "contact_time", _TIME_TO_S)),
        "impact_g": col("impact_gs"),
        "braking_g": col("braking_gs"),
        "footstrike_type": col("footstrike_type"),
        "pronation_deg": col("pronation_fs_mp"),
        "stride_length_m": (
            col("stride_length", _scale(p, cols, "stride_length", _LEN_TO_M))
            if "stride_length" in cols
            else col("stride_length")
        ),
        "distance_m": (
            col("active_dist", _scale(p, cols, "active_dist", _DIST_TO_M))
            if "active_dist" in cols
            else col("active_dist")
        ),
        "active_status": col("active_status"),
    }
    return out


def _start_time(path: Path) -> str | None:
    """The first stride's wall-clock ``datetime`` string (local time, zone unknown)."""
    try:
        with io.StringIO(read_text_bounded(path), newline="") as fh:
            for r in csv.reader(fh):
                if r and re.match(r"^\d{4}-\d\d-\d\d", r[0].strip()):
                    return datetime.fromisoformat(r[0].strip()).isoformat()
    except (OSError, ValueError):
        return None
    return None


_CHANNELS = (
    (consts.M_CONTACT_TIME, "contact_time_s", "contact_time"),
    (consts.M_IMPACT_G, "impact_g", "impact_gs"),
    (consts.M_BRAKING_G, "braking_g", "braking_gs"),
    (consts.M_FOOTSTRIKE, "footstrike_type", "footstrike_type"),
    (consts.M_PRONATION_DEG, "pronation_deg", "pronation_fs_mp"),
)


def read_runscribe_csv(
    left_path: str | os.PathLike[str] | None = None,
    right_path: str | os.PathLike[str] | None = None,
) -> Activity:
    """Both RunScribe per-stride exports → an :class:`Activity` (see module docstring).

    Raises :class:`UserInputError` when only one foot's file is given: left/right asymmetry
    needs both pods (use :func:`read_runscribe_side` for one foot's series).
    """
    if left_path is None or right_path is None:
        given = left_path if left_path is not None else right_path
        have = "left" if left_path is not None else "right"
        raise UserInputError(
            f"only the {have} RunScribe pod export was given; left/right asymmetry needs both"
            " pods (pass left_path and right_path; read_runscribe_side reads one foot)",
            path=None if given is None else Path(given),
        )
    lp, rp = Path(left_path), Path(right_path)
    left = read_runscribe_side(lp)
    right = read_runscribe_side(rp)
    med = float(np.nanmedian(np.concatenate((left["stride_s"], right["stride_s"]))))
    lt, rt = left["time_s"], right["time_s"]
    j = np.searchsorted(rt, lt, side="left")
    pick = np.clip(j, 0, len(rt) - 1)
    lag = rt[pick] - lt
    paired = (j < len(rt)) & (lag >= 0) & (lag < PAIR_MAX_STRIDES * med)
    if not paired.any():
        raise UserInputError(
            f"no right stride of {rp.name} overlaps a left stride in time; are these two files"
            " from the same run?",
            path=lp,
        )

    def take(a: np.ndarray) -> np.ndarray:
        return np.where(paired, a[pick], np.nan)

    r = {k: take(v) for k, v in right.items()}
    samples = {
        consts.TIME_S: lt.astype(np.float64),
        consts.CADENCE_SPM: nanmean2(left["cadence_spm"], r["cadence_spm"]),
        consts.CONTACT_TIME_S: nanmean2(left["contact_time_s"], r["contact_time_s"]),
        consts.STEP_LENGTH_M: nanmean2(left["stride_length_m"], r["stride_length_m"]) / 2.0,
        consts.DISTANCE_M: left["distance_m"],
    }
    sided = [
        SidedChannel(
            metric=metric,
            source=consts.SRC_RUNSCRIBE,
            unit=consts.SIDED_METRIC_UNITS[metric],
            left=left[key].astype(np.float64),
            right=r[key],
            origin=f"RunScribe per-stride CSV {field}, right stride paired to left by time",
        )
        for metric, key, field in _CHANNELS
    ]
    meta = ActivityMeta(
        path=str(lp),
        file_format="runscribe_csv",
        sport="running",
        devices=["RunScribe (left pod)", "RunScribe (right pod)"],
        segments=[Segment("running", None, float(lt[0]), float(lt[-1]), True)],
        extra={
            "right_path": str(rp),
            "step_rows": "one row per left stride",
            "start_local": _start_time(lp),
            "pairing_max_s": PAIR_MAX_STRIDES * med,
            "unpaired_left_strides": int((~paired).sum()),
        },
    )
    warns: list[str] = []
    if (~paired).mean() > 0.1:
        warns.append(f"{int((~paired).sum())} of {len(lt)} left strides have no right partner")
    warns += overlap_notes(lt, rt, med, what="pod's file")
    return Activity(samples=samples, sided=sided, meta=meta, warnings=warns)

