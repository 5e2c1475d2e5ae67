# SPDX-License-Identifier: MIT
"""Oracle: our columnar decoder against fitdecode on every real FIT file in ../shared/data.

fitdecode runs with ``DataProcessorBase`` (no unit conversion), so its values are the profile's
scaled values; we compare them with ours exactly (NaN == None). Timestamps: fitdecode gives FIT
seconds, we give Unix seconds (+631065600).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import fitdecode
import numpy as np
import pytest

from conftest import shared_data_dir
from evenstride.io._fit_decode import FitData, decode_fit

FIT_EPOCH_S = 631065600
#: Files above this size take fitdecode seconds: marked slow (they still run in CI).
_SLOW_BYTES = 600_000

#: The record columns the running analysis relies on; they must exist in our output whenever
#: fitdecode reports them. (Every other record field is compared as well.)
RECORD_FIELDS = (
    "timestamp", "heart_rate", "cadence", "fractional_cadence", "stance_time_balance",
    "stance_time", "stance_time_percent", "vertical_oscillation", "vertical_ratio", "step_length",
    "distance", "enhanced_speed", "enhanced_altitude", "position_lat", "position_long", "power",
)  # fmt: skip
SESSION_FIELDS = ("sport", "sub_sport", "start_time", "total_elapsed_time", "total_distance")
_DATETIME_FIELDS = {"timestamp", "start_time", "time_created", "local_timestamp"}


def _files() -> list[Any]:
    root = shared_data_dir()
    if not root.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason="no shared data folder"))]
    out = []
    for p in sorted(root.glob("*/*.fit")):
        marks = [pytest.mark.shared_data]
        if p.stat().st_size > _SLOW_BYTES:
            marks.append(pytest.mark.slow)
        out.append(pytest.param(p, marks=marks, id=f"{p.parent.name}/{p.name}"))
    return out


def _fd_messages(data: bytes) -> list[fitdecode.FitDataMessage]:
    out = []
    with fitdecode.FitReader(
        data, check_crc=fitdecode.CrcCheck.DISABLED, processor=fitdecode.DataProcessorBase()
    ) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                out.append(frame)
    return out


def _fd_field(msg: fitdecode.FitDataMessage, name: str) -> Any:
    """The field ``name`` (or the field a sub-field was resolved from, as ``get_value`` does): the
    message's own field wins over one expanded from a component."""
    expanded = None
    for f in msg.fields:
        if f.field_def is not None and f.field_def.is_dev:
            continue
        if f.name == name or (f.parent_field is not None and f.parent_field.name == name):
            if f.field_def is not None:
                return f
            expanded = expanded or f
    return expanded


def _norm(value: Any, name: str) -> Any:
    """fitdecode value → comparable Python value (None → NaN, tuples of numbers)."""
    if value is None:
        return math.nan
    if isinstance(value, tuple):
        if all(v is None for v in value):
            return math.nan  # an all-invalid array is compared with our all-NaN row
        return tuple(math.nan if v is None else v for v in value)
    if name in _DATETIME_FIELDS and isinstance(value, int):
        return value + FIT_EPOCH_S
    return value


def _ours(col: np.ndarray | None, n: int) -> list[Any]:
    if col is None:
        return [math.nan] * n
    if col.ndim == 2:
        return [_trim(tuple(row)) for row in col.tolist()]
    return [math.nan if v is None else v for v in col.tolist()]


def _trim(row: tuple[Any, ...]) -> Any:
    """A padded 2-D row, compared with fitdecode's tuple (all-NaN byte rows are None)."""
    if all(isinstance(v, float) and math.isnan(v) for v in row):
        return math.nan
    return row


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        b = b[: len(a)] if all(_isnan(x) for x in b[len(a) :]) else b
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _mismatches(expected: list[Any], got: list[Any]) -> list[tuple[int, Any, Any]]:
    return [
        (i, a, b) for i, (a, b) in enumerate(zip(expected, got, strict=True)) if not _same(a, b)
    ]


def _compare_native(
    ours: FitData, fd_msgs: list[fitdecode.FitDataMessage], mesg: str, required: tuple[str, ...]
) -> list[str]:
    problems = []
    table = ours.messages.get(mesg, {})
    n = len(fd_msgs)
    got_n = len(table.get("_index", []))
    if got_n != n:
        return [f"{mesg}: {got_n} messages, fitdecode has {n}"]
    names: dict[str, None] = {}
    for m in fd_msgs:
        for f in m.fields:
            if f.field_def is None or not f.field_def.is_dev:
                names[f.name] = None
    enums = ours.enum_types.get(mesg, {})
    for name in names:
        expected = [_norm(getattr(_fd_field(m, name), "value", None), name) for m in fd_msgs]
        col = table.get(name)
        if name in enums or (col is not None and col.dtype == object):
            # fitdecode renders enum names (raw number when unnamed); we keep numbers in the
            # column and give names through enum_names(); strings are object columns
            got = ours.enum_names(mesg, name).tolist() if name in enums else col.tolist()
            expected = [None if _isnan(v) else v for v in expected]
            expected = [str(v) if name in enums and isinstance(v, int) else v for v in expected]
        else:
            if col is None and all(_isnan(v) for v in expected):
                continue
            got = _ours(col, n)
        bad = _mismatches(expected, got)
        if bad:
            problems.append(f"{mesg}.{name}: {len(bad)} of {n} differ, e.g. {bad[:3]}")
    for name in required:
        if any(
            not _isnan(_norm(getattr(_fd_field(m, name), "value", None), name)) for m in fd_msgs
        ):
            assert name in table, f"{mesg}.{name} missing from our columns"
    return problems


def _compare_dev(ours: FitData, fd_msgs: list[fitdecode.FitDataMessage], mesg: str) -> list[str]:
    table = ours.messages.get(mesg, {})
    n = len(fd_msgs)
    expected: dict[tuple[int, int, str | None], list[Any]] = {}
    for i, m in enumerate(fd_msgs):
        for f in m.fields:
            if f.field_def is not None and f.field_def.is_dev:
                key = (f.field_def.dev_data_index, f.field_def.def_num, f.field.name)
                expected.setdefault(key, [math.nan] * n)[i] = _norm(f.value, "")
    problems = []
    for (ddi, num, name), values in expected.items():
        keys = [
            info.key
            for info in ours.dev_fields.values()
            if (info.developer_data_index, info.field_num, info.name) == (ddi, num, name)
        ]
        assert keys, f"developer field {ddi}/{num} {name!r} not found"
        got: list[Any] = [math.nan] * n
        for key in keys:
            for i, v in enumerate(_ours(table.get(key), n)):
                if not _isnan(v):
                    got[i] = v
        bad = _mismatches(values, got)
        if bad:
            problems.append(f"{mesg} dev {ddi}/{num} {name!r}: {len(bad)} differ, e.g. {bad[:3]}")
    return problems


@pytest.mark.parametrize("path", _files())
def test_decoder_matches_fitdecode(path: Path) -> None:
    data = path.read_bytes()
    ours = decode_fit(data)
    assert not ours.truncated
    assert ours.crc_ok is True
    frames = _fd_messages(data)
    problems = []
    for mesg, required in (("record", RECORD_FIELDS), ("session", SESSION_FIELDS)):
        msgs = [m for m in frames if m.name == mesg]
        problems += _compare_native(ours, msgs, mesg, required)
        problems += _compare_dev(ours, msgs, mesg)
    for mesg in ("lap", "event", "file_id", "device_info", "sport", "hrv", "activity"):
        msgs = [m for m in frames if m.name == mesg]
        table = ours.messages.get(mesg, {})
        assert len(table.get("_index", [])) == len(msgs), mesg
    lap = [m for m in frames if m.name == "lap"]
    problems += _compare_native(ours, lap, "lap", ())
    assert not problems, "\n".join(problems)
    # message counts of every type, and the global stream positions
    counts: dict[str, int] = {}
    for m in frames:
        counts[m.name] = counts.get(m.name, 0) + 1
    ours_counts = {k: len(v["_index"]) for k, v in ours.messages.items()}
    fd_named = {
        (k if not k.startswith("unknown_") else f"mesg_{k[8:]}"): v for k, v in counts.items()
    }
    assert ours_counts == fd_named
    all_index = np.sort(np.concatenate([v["_index"] for v in ours.messages.values()]))
    assert np.array_equal(all_index, np.arange(len(frames)))
