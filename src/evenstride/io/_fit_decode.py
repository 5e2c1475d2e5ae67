# SPDX-License-Identifier: MIT
"""A columnar FIT decoder: Python walks the record headers, numpy decodes whole columns.

Design ("npfit", see ``docs/libs.md`` §1.1):

1. **Walk.** A tight Python loop visits each record header once. Data messages cost one table
   lookup and one ``list.append`` (their size is known from the header byte); definition
   messages, and the rare ``developer_data_id`` / ``field_description`` messages that change how
   later definitions are read, take a slower path.
2. **Layouts.** Each distinct definition becomes a numpy structured dtype (byte order, field
   offsets, array counts, developer fields typed from their ``field_description``).
3. **Gather.** All data messages sharing a layout are copied with one fancy index and viewed
   through that dtype; every field then becomes a float64 column (NaN for the base type's invalid
   value), scaled and offset as the profile says, ``date_time`` fields as Unix seconds.
4. **Whole-column rules.** Compressed-timestamp headers, accumulated components
   (``compressed_speed_distance``), component expansion (``speed`` → ``enhanced_speed``) and
   sub-fields (``product`` → ``garmin_product``) are vectorised over the message stream.

Field names, types, scales, offsets, units and enums come from fitdecode's generated profile
(MIT) through :mod:`evenstride.io._fit_profile`. Columns match what fitdecode reports (the oracle
tests compare every shared FIT file).

Error policy: malformed structure raises :class:`~evenstride.exceptions.ParseError` with a
one-line reason and byte offset; data that simply stops early (or a header that claims more data
than the file holds) returns what was complete with ``truncated=True``; a CRC mismatch returns
the data with ``crc_ok=False`` and a warning, unless the values are then implausible.

Damage partway (issue 18): a data message of an undefined local type or a definition with an
invalid architecture byte keeps every message decoded before it (less the last few whose
timestamps show they were read from damaged bytes), then **resynchronises** at the earliest of
(1) the next plausible definition message — reserved byte 0, architecture 0/1, a known global
message number, every field of a known base type with a size that is a multiple of it — confirmed
by the two record headers that follow it and, when it has a timestamp, by one no earlier than
the last before the damage and within :data:`RESYNC_MAX_GAP_S`; (2) the next run of
:data:`RESYNC_CHAIN` consecutive data messages of the current definitions whose timestamps run
forward from the last one before the damage. Both scans are linear (a C-level regex search; numpy
over 64 KB windows), never quadratic on garbage. One warning names the byte, the bytes skipped,
the gap in time and the share of the declared data recovered; nothing is invented across the gap
(the reader sees a time gap, i.e. a drop-out). Only when nothing was decoded before the damage
and no resync point exists is it a ParseError. A last message that runs past the header's
declared data size (a file not closed properly) is read on to the end of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from evenstride.exceptions import ParseError
from evenstride.io import _fit_profile as prof
from evenstride.io._crc import crc16

__all__ = ["DevFieldInfo", "FitData", "decode_fit"]

_MESG_FIELD_DESCRIPTION = 206
_MESG_DEVELOPER_DATA_ID = 207
_FIELD_TIMESTAMP = 253
_HEADER_MIN = 12
#: Layouts with at most this many messages convert their simple fields in blocks.
_BLOCK_MAX_ROWS = 1024
#: Largest time gap (s) accepted between the last timestamp before damage and the first after a
#: resynchronisation point (engineering choice: a paused watch can sit for hours, not days).
RESYNC_MAX_GAP_S = 24 * 3600
#: Consecutive data messages that confirm a resynchronisation point inside a run of data.
RESYNC_CHAIN = 8
#: Candidate definition headers: header byte 0x40–0x4F or 0x60–0x6F, reserved 0, arch 0/1.
_DEF_CANDIDATE = re.compile(rb"[\x40-\x4f\x60-\x6f]\x00[\x00\x01]", re.DOTALL)
#: Prefix of the temporary columns holding raw accumulated components until they are summed.
_ACC_PREFIX = "\0acc:"


@dataclass(frozen=True)
class DevFieldInfo:
    """A developer field, as described by its ``field_description`` message."""

    #: Column name in :attr:`FitData.messages`: ``f"dev{developer_data_index}_{field_num}"``
    #: (a second, different description of the same field in one stream gets a ``_2`` suffix).
    key: str
    developer_data_index: int
    field_num: int
    #: ``field_description.field_name``; ``None`` when not described or unnamed.
    name: str | None
    units: str | None
    #: FIT base type identifier of the values (0x0D ``byte`` when not described).
    base_type: int
    scale: float | None
    offset: float | None
    native_mesg_num: int | None
    native_field_num: int | None
    #: Lower-case hex of ``developer_data_id.application_id`` (16 bytes), or ``None``.
    application_id: str | None
    manufacturer_id: int | None
    developer_id: str | None
    application_version: int | None


@dataclass
class FitData:
    """Everything :func:`decode_fit` found, as columns."""

    #: Message name → column name → array (one row per message, in stream order). Numeric fields
    #: are float64 (NaN = invalid), arrays 2-D float64 padded with NaN, strings object arrays.
    #: Every table has ``_index`` (position in the data-message stream) and ``_file`` (chain index).
    messages: dict[str, dict[str, np.ndarray]]
    #: Developer fields by column key.
    dev_fields: dict[str, DevFieldInfo]
    #: The data ended early; what was complete is returned.
    truncated: bool
    #: Whether every CRC matched; ``None`` when not checked (or no CRC was present).
    crc_ok: bool | None
    #: One-line, user-readable warnings.
    warnings: list[str]
    #: Number of (chained) FIT files found in the stream.
    n_files: int
    #: Message → column → profile type name, for columns whose type has an enum.
    enum_types: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def enum_names(self, mesg: str, field: str) -> np.ndarray:
        """Profile enum names of a column (e.g. ``session.sport`` → ``"running"``).

        Parameters
        ----------
        mesg, field
            Message and column name.

        Returns
        -------
        numpy.ndarray
            Object array: the enum name, the raw integer as ``str`` when the profile has no
            name for it, ``None`` for invalid values. All ``None`` when the column is missing.

        Examples
        --------
        >>> fd = FitData({"session": {"sport": np.array([1.0, 250.0, np.nan])}}, {}, False,
        ...              None, [], 1, {"session": {"sport": "sport"}})
        >>> fd.enum_names("session", "sport").tolist()
        ['running', '250', None]
        """
        table = self.messages.get(mesg, {})
        values = table.get(field)
        if values is None:
            n = len(table["_index"]) if "_index" in table else 0
            return np.full(n, None, dtype=object)
        if values.dtype == object:  # a string field (or a number written as a string)
            return np.array([v if isinstance(v, str) else None for v in values], dtype=object)
        type_name = self.enum_types.get(mesg, {}).get(field)
        enum = prof.enum_of_type(type_name) if type_name else None
        out = np.full(len(values), None, dtype=object)
        flat = values if values.ndim == 1 else values[:, 0]
        for i, v in enumerate(flat.tolist()):
            if v != v or v in (float("inf"), float("-inf")):  # NaN / inf
                continue
            iv = int(v)
            out[i] = enum.get(iv, str(iv)) if enum else str(iv)
        return out


@dataclass(frozen=True)
class _FieldSpec:
    """One field of a layout."""

    col: str  # column name
    offset: int  # byte offset in the message (header byte at 0)
    base: prof.BaseType
    count: int  # number of values (bytes for strings)
    def_num: int
    info: prof.FieldInfo | None
    dev: DevFieldInfo | None


@dataclass(frozen=True)
class _Group:
    """Simple fields of one layout sharing a storage type, converted in one block."""

    dtype: np.dtype  # element type of the block (byte order included)
    byte_index: np.ndarray  # byte offsets of all the fields' bytes within a message
    cols: tuple[str, ...]
    invalid: int | None
    scale: np.ndarray | None  # per-field divisors (1 where none)
    offset: np.ndarray | None  # per-field offsets (0 where none)
    epoch: np.ndarray | None  # FIT epoch for date_time fields (0 otherwise)


@dataclass(frozen=True)
class _Plan:
    """How to turn a layout's bytes into columns (computed once per layout)."""

    groups: tuple[_Group, ...]
    grouped: frozenset[int]  # field indices converted by a group
    other: tuple[int, ...]  # field indices needing per-field work
    native: frozenset[int]  # native field numbers present
    by_num: dict[int, str]  # native field number → structured dtype name
    enum_types: dict[str, str]  # column → profile enum type


@dataclass(frozen=True)
class _Layout:
    """A definition message turned into a numpy dtype."""

    mesg_num: int
    name: str
    size: int  # message size including the header byte
    fields: list[_FieldSpec]
    dtype: np.dtype
    #: (target def_num, source def_num) of accumulated components in this layout.
    accumulates: tuple[tuple[int, int], ...]

    @cached_property
    def plan(self) -> _Plan:
        return _make_plan(self)


def decode_fit(data: bytes, *, check_crc: bool = True) -> FitData:
    """Decode a FIT file (possibly chained, compressed-timestamp, big-endian) into columns.

    Parameters
    ----------
    data
        The file content.
    check_crc
        Verify the header and file CRCs (fast: a few ms for 3 MB).

    Returns
    -------
    FitData
        One column table per message type, developer field descriptions, and status flags.

    Raises
    ------
    ParseError
        Empty input, not a FIT file, corrupt structure, or a CRC mismatch with implausible values.

    Examples
    --------
    >>> import struct
    >>> from evenstride.io._crc import crc16
    >>> body = bytes([0x40, 0, 0, 20, 0, 2, 253, 4, 0x86, 3, 1, 2])  # record: timestamp, HR
    >>> body += bytes([0x00]) + struct.pack("<IB", 1000, 150)
    >>> head = struct.pack("<BBHI4s", 12, 0x20, 2100, len(body), b".FIT")
    >>> fit = head + body + struct.pack("<H", crc16(head + body))
    >>> rec = decode_fit(fit).messages["record"]
    >>> rec["heart_rate"].tolist(), rec["timestamp"].tolist()
    ([150.0], [631066600.0])
    """
    if not data:
        raise ParseError("file is empty")
    # garbage bytes can hold signalling NaNs or huge integers; their casts are not worth a warning
    with np.errstate(invalid="ignore", over="ignore"):
        return _Decoder(bytes(data), check_crc).run()


class _Decoder:
    """State of one :func:`decode_fit` call."""

    def __init__(self, buf: bytes, check_crc: bool) -> None:
        self.buf = buf
        self.check_crc = check_crc
        self.positions: list[int] = []
        #: (data messages seen so far, local type, layout id) per definition message
        self.def_events: list[tuple[int, int, int]] = []
        self.def_pos: list[int] = []  # byte offset of each definition in def_events
        self.body_start = 0  # first data byte of the current FIT file
        self.file_starts: list[int] = []
        self.layouts: list[_Layout] = []
        self.layout_ids: dict[tuple[Any, ...], int] = {}
        self.warnings: list[str] = []
        self.truncated = False
        self.fail_pos = -1  # byte offset of the structural error being raised
        self.crc_ok: bool | None = None
        self.dev_fields: dict[str, DevFieldInfo] = {}
        self._dev_identity: dict[tuple[Any, ...], str] = {}
        # per FIT file
        self.dev_apps: dict[int, dict[str, Any]] = {}
        self.dev_desc: dict[tuple[int, int], DevFieldInfo] = {}
        self.enum_types: dict[str, dict[str, str]] = {}
        self.step: list[int] = [0] * 256  # data-message size per header byte; 0 = slow path
        self.local_layout: list[int] = [-1] * 16
        #: damage partway: (byte, reason, resync byte or -1, messages before, data end, byte
        #: where the trusted data ends)
        self.faults: list[tuple[int, str, int, int, int, int]] = []
        self.declared_bytes = 0
        self.overrun_pos = -1  # a message running past the declared data size (complete file)
        self._fault_reason = ""

    # ---------------------------------------------------------------- messages & warnings
    def warn(self, msg: str) -> None:
        if msg not in self.warnings:
            self.warnings.append(msg)

    def set_crc(self, ok: bool) -> None:
        self.crc_ok = ok if self.crc_ok is None else (self.crc_ok and ok)

    # ---------------------------------------------------------------- top level
    def run(self) -> FitData:
        buf = self.buf
        n = len(buf)
        pos = 0
        n_files = 0
        while True:
            start = pos
            if not _looks_like_header(buf, pos):
                if n_files == 0:
                    if n < _HEADER_MIN:
                        raise ParseError(f"not a FIT file (only {n} bytes, too short for a header)")
                    raise ParseError("not a FIT file (bad header signature)")
                self.warn(f"ignored {n - pos} bytes of trailing data after the FIT data")
                break
            header_size = buf[pos]
            if pos + header_size > n:
                if n_files == 0:
                    raise ParseError("FIT file is truncated inside its header")
                self.truncated = True
                self.warn("FIT data is truncated: the last chained FIT file has no complete header")
                break
            body_size = int.from_bytes(buf[pos + 4 : pos + 8], "little")
            if header_size >= 14 and self.check_crc:
                header_crc = int.from_bytes(buf[pos + 12 : pos + 14], "little")
                # 0 means "not computed"; a good header CRC alone does not make crc_ok True
                if header_crc and crc16(buf[pos : pos + 12]) != header_crc:
                    self.set_crc(False)
                    self.warn("FIT header CRC mismatch")
            n_files += 1
            self.reset_file_state()
            body_start = pos + header_size
            self.body_start = body_start
            if body_size == 0 and n - body_start > 2:
                # A device that stopped before closing the file never wrote the data size:
                # read everything that follows (the last 2 bytes may or may not be a CRC).
                self.truncated = True
                self.warn("FIT header gives no data size (file not closed): read to the end")
                try:
                    self.walk(body_start, n, False)
                except ParseError:
                    if self.fail_pos < n - 2:  # not just the CRC bytes at the end
                        raise
                break
            claimed_end = body_start + body_size
            complete = claimed_end <= n
            self.declared_bytes += body_size
            self.walk(body_start, min(claimed_end, n), complete)
            if self.overrun_pos >= 0:
                self.read_on(start, claimed_end)
                break
            if not complete:
                self.truncated = True
                self.warn(
                    f"FIT data is truncated: the header announces {claimed_end + 2} bytes, "
                    f"the file has {n}"
                )
                break
            if claimed_end + 2 > n:
                self.truncated = True
                self.warn("FIT data is truncated: the file ends inside its CRC; CRC not checked")
                break
            if self.check_crc:
                stored = int.from_bytes(buf[claimed_end : claimed_end + 2], "little")
                ok = crc16(memoryview(buf)[start:claimed_end]) == stored  # no copy
                self.set_crc(ok)
                if not ok:
                    self.warn("FIT CRC mismatch: the file may be corrupt")
            pos = claimed_end + 2
            if pos >= n:
                break
        return self.finish(n_files)

    def reset_file_state(self) -> None:
        self.file_starts.append(len(self.positions))
        self.dev_apps = {}
        self.dev_desc = {}
        self.reset_definitions()

    def reset_definitions(self) -> None:
        self.step = [0] * 256
        self.local_layout = [-1] * 16

    def read_on(self, start: int, claimed_end: int) -> None:
        """The message at ``overrun_pos`` runs past the declared data size: the file was not
        closed properly. Read on to the end of the file (to its last 2 bytes when they are the
        CRC of everything before them)."""
        buf, n, at = self.buf, len(self.buf), self.overrun_pos
        self.overrun_pos = -1
        has_crc = n - 2 > at and crc16(memoryview(buf)[start : n - 2]) == int.from_bytes(
            buf[n - 2 :], "little"
        )
        end = n - 2 if has_crc else n
        self.walk(at, end, has_crc)
        if self.overrun_pos >= 0:  # still runs past the end of the file
            self.overrun_pos = -1
            self.truncated = True
        crc = "its CRC matches" if has_crc else "no CRC checked"
        self.warn(
            f"FIT header declares {claimed_end - start - self.buf[start]} data bytes but the "
            f"message at byte {at} runs past them (file not closed properly): read on to byte "
            f"{end}, {crc}"
        )
        if has_crc:
            self.set_crc(True)

    # ---------------------------------------------------------------- the header walk
    def walk(self, start: int, end: int, complete: bool) -> None:
        """Visit every record header in ``buf[start:end]`` (the hot loop)."""
        buf = self.buf
        step = self.step
        local_layout = self.local_layout
        positions = self.positions
        append = positions.append
        pos = start
        while pos < end:
            s = step[buf[pos]]
            if s:
                append(pos)
                pos += s
                continue
            h = buf[pos]
            if h & 0xC0 == 0x40:  # definition message
                new_pos = self.read_definition(pos, end, complete, step, local_layout)
                if new_pos == -2:  # a bad definition: damage partway
                    new_pos = self.recover(pos, end, self._fault_reason)
                    step, local_layout = self.step, self.local_layout
                if new_pos < 0:
                    return
                pos = new_pos
                continue
            local = (h >> 5) & 0x03 if h & 0x80 else h & 0x0F
            lid = local_layout[local]
            if lid < 0:
                pos = self.recover(pos, end, f"undefined local message type {local}")
                step, local_layout = self.step, self.local_layout
                if pos < 0:
                    return
                continue
            size = self.layouts[lid].size
            if pos + size > end:
                self.message_overrun(pos, complete)
                return
            append(pos)
            self.read_developer_message(lid, pos)
            pos += size
        if pos > end:  # the last fast-path message is incomplete
            self.message_overrun(positions.pop(), complete)

    def recover(self, pos: int, end: int, reason: str) -> int:
        """Damage at ``pos``: keep what came before, and return the resynchronisation point or
        -1 to stop this data section. ParseError when nothing was decoded and nothing follows."""
        if self.truncated and pos >= len(self.buf) - 2:
            return -1  # the CRC bytes of a file read to its end (no data size in the header)
        self._roll_back(pos)
        n_before = len(self.positions)
        # the damage starts where the last trusted message ends (it may precede ``pos``)
        good_end = pos
        if n_before > self.file_starts[-1]:
            last = self.positions[-1]
            lid = self.local_layout[
                (self.buf[last] >> 5) & 0x03 if self.buf[last] & 0x80 else self.buf[last] & 0x0F
            ]
            if lid >= 0:
                good_end = min(pos, last + self.layouts[lid].size)
        self._forget_definitions_after(good_end)
        last_ts = self._last_timestamp()
        candidates = [self._definition_resync(good_end, end, last_ts)]
        candidates.append(self._data_resync(good_end, end, last_ts))
        found = [c for c in candidates if c >= 0]
        resync = min(found) if found else -1
        if n_before == self.file_starts[-1] and resync < 0:
            self.fail_pos = pos
            raise ParseError(f"corrupt FIT data at byte {pos}: {reason}")
        self.faults.append((pos, reason, resync, n_before, end, good_end))
        return resync

    def _timestamp_at(self, p: int) -> float | None:
        """FIT timestamp of the data message at ``p`` read with the current definitions; None
        when its layout has no native 4-byte timestamp (or a compressed header), NaN when the
        value is the invalid one."""
        buf = self.buf
        h = buf[p]
        if h & 0x80:
            return None
        lid = self.local_layout[h & 0x0F]
        if lid < 0:
            return None
        layout = self.layouts[lid]
        for i, spec in enumerate(layout.fields):
            if spec.def_num == _FIELD_TIMESTAMP and spec.dev is None and spec.base.size == 4:
                big = layout.dtype[f"c{i}"].byteorder == ">"
                v = int.from_bytes(
                    buf[p + spec.offset : p + spec.offset + 4], "big" if big else "little"
                )
                return float(v) if v != 0xFFFFFFFF else float("nan")
        return None

    def _last_timestamp(self) -> float | None:
        """FIT timestamp of the last timestamped message among the recent ones, or None."""
        for p in reversed(self.positions[-64:]):
            ts = self._timestamp_at(p)
            if ts is not None and ts == ts:
                return ts
        return None

    def _roll_back(self, pos: int) -> None:
        """Drop the messages just before the damage that were read from damaged bytes. Over the
        last 64 messages of this file, the timestamps must run forward (each no earlier than the
        previous and at most :data:`RESYNC_MAX_GAP_S` after it): the first that does not, and
        everything after it, is dropped; so is anything after the last timestamped message
        (untimestamped messages there cannot be told from damaged bytes)."""
        floor = max(self.file_starts[-1], len(self.positions) - 64)
        window = self.positions[floor:]
        prev: float | None = None
        keep = 0  # messages of the window kept
        for i, p in enumerate(window):
            ts = self._timestamp_at(p)
            if ts is None:
                continue
            if ts != ts or (prev is not None and not prev <= ts <= prev + RESYNC_MAX_GAP_S):
                break
            prev, keep = ts, i + 1
        if prev is None:
            return  # nothing to judge by
        del self.positions[floor + keep :]

    def _definition_resync(self, pos: int, end: int, last_ts: float | None) -> int:
        at = _DEF_CANDIDATE.search(self.buf, pos + 1, end)
        while at is not None:
            if self._plausible_definition(at.start(), end, last_ts):
                return at.start()
            at = _DEF_CANDIDATE.search(self.buf, at.start() + 1, end)
        return -1

    def _data_resync(self, pos: int, end: int, last_ts: float | None) -> int:
        """First byte after ``pos`` that starts :data:`RESYNC_CHAIN` consecutive data messages
        of the current definitions (or fewer ending at a definition or at ``end``) whose
        timestamps run forward from ``last_ts``. Vectorised over 64 KB windows: linear."""
        step = np.asarray(self.step, dtype=np.int64)
        if last_ts is None or not step.any():
            return -1
        # byte offset of a native 4-byte timestamp per (normal) header byte, -1 when none
        ts_off = np.full(256, -1, dtype=np.int64)
        ts_big = np.zeros(256, dtype=bool)
        for local, lid in enumerate(self.local_layout):
            if lid < 0 or not step[local]:
                continue
            layout = self.layouts[lid]
            for i, spec in enumerate(layout.fields):
                if spec.def_num == _FIELD_TIMESTAMP and spec.dev is None and spec.base.size == 4:
                    ts_off[local] = spec.offset
                    ts_big[local] = layout.dtype[f"c{i}"].byteorder == ">"
                    break
        u8 = np.frombuffer(self.buf, dtype=np.uint8)[:end]
        for lo in range(pos + 1, end, 1 << 16):
            cand = lo + np.flatnonzero(ts_off[u8[lo : min(end, lo + (1 << 16))]] >= 0)
            off = ts_off[u8[cand]]
            fits = cand + off + 4 <= end
            cand, off = cand[fits], off[fits]
            big = ts_big[u8[cand]]
            b = [u8[cand + off + k].astype(np.int64) for k in range(4)]
            ts = np.where(
                big,
                (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3],
                (b[3] << 24) | (b[2] << 16) | (b[1] << 8) | b[0],
            )
            near = (ts >= last_ts) & (ts <= last_ts + RESYNC_MAX_GAP_S)
            cand = cand[near]  # the first message carries a timestamp running forward
            ok = np.ones(len(cand), dtype=bool)
            done = np.zeros(len(cand), dtype=bool)
            q = cand.copy()
            for _ in range(RESYNC_CHAIN):
                at_end = q >= end
                done |= at_end
                h = u8[np.where(at_end, 0, q)]
                done |= ~at_end & (h & 0xD0 == 0x40)  # a definition follows
                size = step[h]
                ok &= done | (size > 0)
                q = np.where(done, q, q + size)
            ok &= q <= end
            for p in cand[ok].tolist():
                if self._chain_times_ok(int(p), end, last_ts):
                    return int(p)
        return -1

    def _chain_times_ok(self, p: int, end: int, last_ts: float) -> bool:
        """The timestamps of the data chain at ``p`` run forward from ``last_ts`` (the first
        message has a native timestamp; none is invalid or more than :data:`RESYNC_MAX_GAP_S`
        after the previous)."""
        prev, seen = last_ts, False
        for i in range(RESYNC_CHAIN):
            if p >= end or self.buf[p] & 0xD0 == 0x40:
                break
            ts = self._timestamp_at(p)
            if i == 0 and ts is None:
                return False  # the first message must carry its own timestamp
            if ts is not None:
                if not prev <= ts <= prev + RESYNC_MAX_GAP_S:
                    return False
                prev, seen = ts, True
            p += self.step[self.buf[p]]
        return seen

    def _plausible_definition(self, p: int, end: int, last_ts: float | None) -> bool:
        """True when a definition message at ``p`` is plausible (module docstring)."""
        buf = self.buf
        if p + 6 > end:
            return False
        h, arch = buf[p], buf[p + 2]
        mesg = int.from_bytes(buf[p + 3 : p + 5], "big" if arch else "little")
        n_fields = buf[p + 5]
        if n_fields == 0 or prof.mesg_name(mesg).startswith("mesg_"):
            return False
        stop = p + 6 + 3 * n_fields
        if stop + (1 if h & 0x20 else 0) > end:
            return False
        size, ts_at = 1, -1
        for i in range(p + 6, stop, 3):
            num, fsize, ident = buf[i], buf[i + 1], buf[i + 2]
            base = prof.base_type(ident)
            if base is None or base.ident != ident or fsize == 0 or fsize % base.size:
                return False
            if num == _FIELD_TIMESTAMP and fsize == 4 and base.size == 4:
                ts_at = size
            size += fsize
        if h & 0x20:
            n_dev = buf[stop]
            stop += 1 + 3 * n_dev
            if stop > end:
                return False
            size += sum(buf[stop - 3 * n_dev + 3 * k + 1] for k in range(n_dev))
        local = h & 0x0F
        if mesg in (_MESG_FIELD_DESCRIPTION, _MESG_DEVELOPER_DATA_ID):
            return False  # their data changes later definitions: not a safe restart
        # the next two record headers: a definition, or a data message of this local type
        q, first_data = stop, -1
        for _ in range(2):
            if q >= end:
                if q > end:
                    return False
                break
            nh = buf[q]
            if nh & 0xC0 == 0x40:
                if not (nh & 0x10 == 0 and q + 2 < end and buf[q + 1] == 0 and buf[q + 2] <= 1):
                    return False
                break
            if nh & 0x80:  # compressed-timestamp header
                data_local = (nh >> 5) & 0x03
            elif nh & 0xF0 == 0:
                data_local = nh & 0x0F
            else:
                return False
            if data_local != local:
                return False
            if first_data < 0:
                first_data = q
            q += size
            if q > end:
                return False
        # confirmed by time: a native timestamp in its first data message, running forward
        if last_ts is None or ts_at < 0 or first_data < 0 or buf[first_data] & 0x80:
            return False
        ts = int.from_bytes(
            buf[first_data + ts_at : first_data + ts_at + 4], "big" if arch else "little"
        )
        return last_ts <= ts <= last_ts + RESYNC_MAX_GAP_S

    def message_overrun(self, pos: int, complete: bool) -> None:
        if complete:
            if not len(self.positions):
                raise ParseError(
                    f"corrupt FIT data at byte {pos}: message runs past the end of the data "
                    "section"
                )
            self.overrun_pos = pos  # the caller reads on (:meth:`read_on`)
            return
        self.truncated = True
        self.warn(f"FIT data is truncated: the file ends inside a message at byte {pos}")

    def read_definition(
        self, pos: int, end: int, complete: bool, step: list[int], local_layout: list[int]
    ) -> int:
        """Read a definition at ``pos``; returns the next position, or -1 if truncated."""
        buf = self.buf
        h = buf[pos]
        if pos + 6 > end:
            self.message_overrun(pos, complete)
            return -1
        arch = buf[pos + 2]
        if arch > 1:
            self._fault_reason = f"invalid architecture byte {arch} in a definition"
            return -2
        mesg_num = int.from_bytes(buf[pos + 3 : pos + 5], "big" if arch else "little")
        n_fields = buf[pos + 5]
        fend = pos + 6 + 3 * n_fields
        dev_defs = b""
        if h & 0x20:
            if fend + 1 > end:
                self.message_overrun(pos, complete)
                return -1
            dend = fend + 1 + 3 * buf[fend]
            if dend > end:
                self.message_overrun(pos, complete)
                return -1
            dev_defs = buf[fend + 1 : dend]
            next_pos = dend
        else:
            if fend > end:
                self.message_overrun(pos, complete)
                return -1
            next_pos = fend
        field_defs = buf[pos + 6 : fend]
        dev_resolved = tuple(
            self.dev_field_for(dev_defs[i + 2], dev_defs[i], pos)
            for i in range(0, len(dev_defs), 3)
        )
        key = (mesg_num, arch, field_defs, dev_defs, tuple(d.key for d in dev_resolved))
        lid = self.layout_ids.get(key)
        if lid is None:
            lid = len(self.layouts)
            self.layouts.append(
                self.make_layout(mesg_num, arch == 1, field_defs, dev_defs, dev_resolved)
            )
            self.layout_ids[key] = lid
        local = h & 0x0F
        self.def_events.append((len(self.positions), local, lid))
        self.def_pos.append(pos)
        self._set_local(local, lid, step, local_layout)
        return next_pos

    def _set_local(self, local: int, lid: int, step: list[int], local_layout: list[int]) -> None:
        layout = self.layouts[lid]
        local_layout[local] = lid
        size = (
            layout.size
            if layout.mesg_num not in (_MESG_FIELD_DESCRIPTION, _MESG_DEVELOPER_DATA_ID)
            else 0
        )
        for extra in (0x00, 0x10, 0x20, 0x30):
            step[local | extra] = size
        if local < 4:
            base = 0x80 | (local << 5)
            for t in range(32):
                step[base | t] = size

    def _forget_definitions_after(self, good_end: int) -> None:
        """Drop the definitions read from damaged bytes (at or after ``good_end``, or recorded
        after the last kept message) and rebuild the current ones from this file's others."""
        n = len(self.positions)
        keep = [
            i
            for i, (count, _, _) in enumerate(self.def_events)
            if self.def_pos[i] < good_end and count <= n
        ]
        self.def_events = [self.def_events[i] for i in keep]
        self.def_pos = [self.def_pos[i] for i in keep]
        self.reset_definitions()
        for (_, local, lid), at in zip(self.def_events, self.def_pos, strict=True):
            if at >= self.body_start:
                self._set_local(local, lid, self.step, self.local_layout)

    # ---------------------------------------------------------------- developer fields
    def dev_field_for(self, ddi: int, field_num: int, pos: int) -> DevFieldInfo:
        desc = self.dev_desc.get((ddi, field_num))
        if desc is not None:
            return desc
        if ddi not in self.dev_apps:
            self.warn(f"developer data index {ddi} is used but never declared (byte {pos})")
        self.warn(f"developer field {ddi}/{field_num} has no field_description: kept as raw bytes")
        app = self.dev_apps.get(ddi, {})
        desc = self.register_dev_field(
            ddi, field_num, None, None, prof.BASE_BYTE, None, None, None, None, app
        )
        self.dev_desc[(ddi, field_num)] = desc
        return desc

    def register_dev_field(
        self,
        ddi: int,
        field_num: int,
        name: str | None,
        units: str | None,
        base_ident: int,
        scale: float | None,
        offset: float | None,
        native_mesg: int | None,
        native_field: int | None,
        app: dict[str, Any],
    ) -> DevFieldInfo:
        identity = (
            ddi, field_num, name, units, base_ident, scale, offset, native_mesg, native_field,
            app.get("application_id"), app.get("manufacturer_id"), app.get("developer_id"),
            app.get("application_version"),
        )  # fmt: skip
        key = self._dev_identity.get(identity)
        if key is None:
            key = f"dev{ddi}_{field_num}"
            k = 2
            while key in self.dev_fields:
                key = f"dev{ddi}_{field_num}_{k}"
                k += 1
            self._dev_identity[identity] = key
            self.dev_fields[key] = DevFieldInfo(
                key=key,
                developer_data_index=ddi,
                field_num=field_num,
                name=name,
                units=units,
                base_type=base_ident,
                scale=scale,
                offset=offset,
                native_mesg_num=native_mesg,
                native_field_num=native_field,
                application_id=app.get("application_id"),
                manufacturer_id=app.get("manufacturer_id"),
                developer_id=app.get("developer_id"),
                application_version=app.get("application_version"),
            )
        return self.dev_fields[key]

    def read_developer_message(self, lid: int, pos: int) -> None:
        """Decode a developer_data_id / field_description message during the walk."""
        layout = self.layouts[lid]
        cols = self.decode_layout(layout, np.array([pos], dtype=np.int64), raw_timestamps=None)

        def num(name: str) -> int | None:
            """An integer field (first value of an array), ``None`` if invalid or not integral."""
            col = cols.get(name)
            if col is None or col.dtype == object or not col.size:
                return None
            v = float(col.reshape(-1)[0])
            return int(v) if v == v and v.is_integer() else None

        def text(name: str) -> str | None:
            col = cols.get(name)
            return col[0] if col is not None and col.dtype == object else None

        def hex_bytes(name: str) -> str | None:
            """The field's bytes as stored, in hex (``None`` when all 0xFF)."""
            spec = next((f for f in layout.fields if f.col == name), None)
            if spec is None:
                return None
            nbytes = spec.count if spec.base.np_code == "S" else spec.count * spec.base.size
            raw = self.buf[pos + spec.offset : pos + spec.offset + nbytes]
            return None if raw.count(0xFF) == len(raw) else raw.hex()

        if layout.mesg_num == _MESG_DEVELOPER_DATA_ID:
            ddi = num("developer_data_index")
            if ddi is None:
                self.warn(f"developer_data_id without developer_data_index at byte {pos}: ignored")
                return
            self.dev_apps[ddi] = {
                "application_id": hex_bytes("application_id"),
                "developer_id": hex_bytes("developer_id"),
                "manufacturer_id": num("manufacturer_id"),
                "application_version": num("application_version"),
            }
            for k in [k for k in self.dev_desc if k[0] == ddi]:
                del self.dev_desc[k]
            return
        ddi = num("developer_data_index")
        fnum = num("field_definition_number")
        if ddi is None or fnum is None:
            self.warn(
                f"field_description without developer index or field number at byte {pos}: ignored"
            )
            return
        if ddi not in self.dev_apps:
            self.warn(f"field_description for undeclared developer data index {ddi} (byte {pos})")
        base_ident = num("fit_base_type_id")
        bt = prof.base_type(base_ident) if base_ident is not None else None
        if bt is None:
            self.warn(
                f"developer field {ddi}/{fnum} has an unknown base type {base_ident}: "
                "kept as raw bytes"
            )
        scale = num("scale")
        offset = num("offset")
        self.dev_desc[(ddi, fnum)] = self.register_dev_field(
            ddi,
            fnum,
            text("field_name"),
            text("units"),
            prof.BASE_BYTE if bt is None else bt.ident,
            float(scale) if scale else None,
            float(offset) if offset else None,
            num("native_mesg_num"),
            num("native_field_num"),
            self.dev_apps.get(ddi, {}),
        )

    # ---------------------------------------------------------------- layouts
    def make_layout(
        self,
        mesg_num: int,
        big_endian: bool,
        field_defs: bytes,
        dev_defs: bytes,
        dev_resolved: tuple[DevFieldInfo, ...],
    ) -> _Layout:
        layout, notes = _layout(mesg_num, big_endian, field_defs, dev_defs, dev_resolved)
        for note in notes:
            self.warn(note)
        return layout

    # ---------------------------------------------------------------- column decoding
    def decode_layout(
        self, layout: _Layout, pos: np.ndarray, raw_timestamps: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """Columns of the messages of ``layout`` found at byte positions ``pos``."""
        n = len(pos)
        cols: dict[str, np.ndarray] = {}
        if not layout.fields:
            return cols
        u8 = np.frombuffer(self.buf, dtype=np.uint8)
        size = layout.size
        if n > 1 and pos[-1] - pos[0] == size * (n - 1):  # contiguous run: a view, no copy
            rows = u8[pos[0] : pos[0] + size * n].reshape(n, size)
        elif n <= _BLOCK_MAX_ROWS:
            rows = u8[pos[:, None] + np.arange(size)]
        else:
            rows = sliding_window_view(u8, size)[pos]
        rec = rows.view(layout.dtype).reshape(n)
        types = self.enum_types.setdefault(layout.name, {})
        plan = layout.plan
        # Few messages: per-field numpy calls dominate, so convert fields in blocks. Many
        # messages: per-field strided conversion is cheaper than the block gather.
        blocks = n <= _BLOCK_MAX_ROWS
        for group in plan.groups if blocks else ():
            # all simple fields of one storage type at once: gather, convert, scale, split
            block = np.ascontiguousarray(rows[:, group.byte_index]).view(group.dtype)
            values = block.astype(np.float64)
            if group.invalid is not None:
                values[block == group.invalid] = np.nan
            if group.scale is not None:
                values /= group.scale
            if group.offset is not None:
                values -= group.offset
            if group.epoch is not None:
                values += group.epoch
            out = np.ascontiguousarray(values.T)
            for j, col in enumerate(group.cols):
                cols[col] = out[j]
        types.update(plan.enum_types)
        native = plan.native
        for i in plan.other if blocks else range(len(layout.fields)):
            spec = layout.fields[i]
            raw = rec[f"c{i}"]
            info = spec.info
            if spec.base.np_code == "S":
                cols[spec.col] = _strings(raw)
                continue
            is_byte = spec.base.name == "byte"
            valid = _valid_mask(raw, spec.base, is_byte)
            if not (blocks and i in plan.grouped):
                scale, offset, is_dt = _scaling(spec)
                cols[spec.col] = _scaled(raw, valid, scale, offset, is_dt, force_2d=is_byte)
            if (
                raw_timestamps is not None
                and spec.def_num == _FIELD_TIMESTAMP
                and spec.dev is None
                and raw.ndim == 1
                and not is_byte
            ):
                raw_timestamps[:] = np.where(valid, raw.astype(np.float64), np.nan)
            if info is None:
                continue
            if info.components:
                self._components(cols, raw, valid, spec, native, types)
            if info.subfields and raw.ndim == 1 and not is_byte:
                self._subfields(cols, raw, valid, spec, rec, plan.by_num, types)
        return cols

    def _components(
        self,
        cols: dict[str, np.ndarray],
        raw: np.ndarray,
        valid: np.ndarray,
        spec: _FieldSpec,
        native: frozenset[int],
        types: dict[str, str],
    ) -> None:
        assert spec.info is not None
        if spec.base.name == "byte":
            raw2 = raw.reshape(len(raw), -1)
            packed = np.zeros(len(raw), dtype=np.uint64)
            for k in range(min(spec.count, 8)):
                packed |= raw2[:, k].astype(np.uint64) << np.uint64(8 * k)
            n_bits = 8 * spec.count
        elif raw.ndim == 1 and spec.base.np_code[0] in "ui":
            packed = raw.astype(np.int64).astype(np.uint64)
            n_bits = 64
        else:
            return
        for comp in spec.info.components:
            if comp.def_num in native or comp.bit_offset >= n_bits:
                continue
            value = (packed >> np.uint64(comp.bit_offset)) & np.uint64((1 << comp.bits) - 1)
            fvalue = np.where(valid, value.astype(np.float64), np.nan)
            if comp.accumulate:
                cols[_ACC_PREFIX + comp.name] = fvalue
                continue
            cols[comp.name] = _apply_scale(
                fvalue, comp.scale, comp.offset, comp.type_name in ("date_time", "local_date_time")
            )
            if prof.enum_of_type(comp.type_name):
                types[comp.name] = comp.type_name

    def _subfields(
        self,
        cols: dict[str, np.ndarray],
        raw: np.ndarray,
        valid: np.ndarray,
        spec: _FieldSpec,
        rec: np.ndarray,
        by_num: dict[int, str],
        types: dict[str, str],
    ) -> None:
        assert spec.info is not None
        for sub in spec.info.subfields:
            mask = np.zeros(len(raw), dtype=bool)
            for ref_num, ref_value in sub.refs:
                ref = by_num.get(ref_num)
                if ref is not None and rec[ref].ndim == 1:
                    mask |= rec[ref] == ref_value
            mask &= valid
            if not mask.any():
                continue
            value = _apply_scale(
                np.where(mask, raw.astype(np.float64), np.nan),
                sub.scale,
                sub.offset,
                sub.is_datetime,
            )
            if sub.name in cols and cols[sub.name].shape == value.shape:
                value = np.where(mask, value, cols[sub.name])
            cols[sub.name] = value
            if prof.enum_of_type(sub.type_name):
                types[sub.name] = sub.type_name

    # ---------------------------------------------------------------- assembling
    def finish(self, n_files: int) -> FitData:
        u8 = np.frombuffer(self.buf, dtype=np.uint8)
        pos = np.asarray(self.positions, dtype=np.int64)
        n = len(pos)
        headers = u8[pos] if n else np.zeros(0, dtype=np.uint8)
        local = np.where(headers & 0x80, (headers >> 5) & 0x03, headers & 0x0F)
        layout_of = np.zeros(n, dtype=np.int64)
        events = np.asarray(self.def_events, dtype=np.int64).reshape(-1, 3)
        for loc in np.unique(local):
            sel = events[:, 1] == loc
            idx = np.flatnonzero(local == loc)
            k = np.searchsorted(events[sel, 0], idx, side="right") - 1
            layout_of[idx] = events[sel, 2][k]
        file_starts = np.asarray(self.file_starts, dtype=np.int64)
        file_of = np.searchsorted(file_starts, np.arange(n), side="right") - 1

        # decode every layout
        order = np.argsort(layout_of, kind="stable")
        bounds = np.searchsorted(layout_of[order], np.arange(len(self.layouts) + 1))
        raw_ts = np.full(n, np.nan)
        parts: dict[str, list[tuple[np.ndarray, dict[str, np.ndarray]]]] = {}
        for lid, layout in enumerate(self.layouts):
            idx = order[bounds[lid] : bounds[lid + 1]]
            if len(idx) == 0:
                continue
            ts_slot = np.full(len(idx), np.nan)
            cols = self.decode_layout(layout, pos[idx], ts_slot)
            raw_ts[idx] = ts_slot
            parts.setdefault(layout.name, []).append((idx, cols))

        compressed = np.flatnonzero(headers & 0x80)
        if len(compressed):
            ts = _compressed_timestamps(compressed, headers[compressed] & 0x1F, raw_ts, file_starts)
            unix = ts + prof.FIT_EPOCH_S
            lookup = np.full(n, np.nan)
            lookup[compressed] = unix
            for plist in parts.values():
                for idx, cols in plist:
                    got = lookup[idx]
                    if np.isnan(got).all():
                        continue
                    old = cols.get("timestamp")
                    if old is None or old.ndim != 1 or old.dtype == object:
                        cols["timestamp"] = got  # no usable native timestamp in this layout
                    else:
                        cols["timestamp"] = np.where(np.isnan(old), got, old)

        msg_ts = raw_ts.copy()
        if len(compressed):
            msg_ts[compressed] = ts
        self._fault_warnings(msg_ts)

        messages: dict[str, dict[str, np.ndarray]] = {}
        for name, plist in parts.items():
            idx, table = _merge_parts(plist)
            self._accumulate(name, idx, table, events)
            table["_index"] = idx
            table["_file"] = file_of[idx]
            messages[name] = table

        if self.crc_ok is False:
            problem = _implausible(messages)
            if problem:
                raise ParseError(f"FIT CRC mismatch and {problem}: the file is corrupt")
        return FitData(
            messages=messages,
            dev_fields=dict(self.dev_fields),
            truncated=self.truncated,
            crc_ok=self.crc_ok,
            warnings=list(self.warnings),
            n_files=n_files,
            enum_types=self.enum_types,
        )

    def _fault_warnings(self, msg_ts: np.ndarray) -> None:
        """One warning per damage point: where, what was skipped, the time gap, the share of
        the declared data recovered."""
        if not self.faults:
            return
        skipped = sum((r if r >= 0 else e) - g for _, _, r, _, e, g in self.faults)
        share = 100.0 * max(0.0, 1.0 - skipped / max(self.declared_bytes, 1))
        if len(self.faults) > 3:  # one line, not one per damaged spot
            p0, r0 = self.faults[0][:2]
            self.warn(
                f"corrupt FIT data at {len(self.faults)} places (first at byte {p0}: {r0}); "
                f"{skipped} bytes skipped, {share:.1f} % of the declared data recovered"
            )
            return
        for p, reason, resync, n_before, end, good_end in self.faults:
            where = f"byte {p}" if good_end == p else f"byte {p} (readable up to byte {good_end})"
            before = msg_ts[:n_before]
            before = before[np.isfinite(before)]
            if resync < 0:
                self.warn(
                    f"corrupt FIT data at {where}: {reason}; kept the {n_before} messages "
                    f"before it, skipped the last {end - good_end} bytes ({share:.1f} % of the "
                    "declared data recovered)"
                )
                continue
            after = msg_ts[n_before:]
            after = after[np.isfinite(after)]
            gap = (
                f", a {after[0] - before[-1]:.0f} s gap in time"
                if len(before) and len(after)
                else ""
            )
            self.warn(
                f"corrupt FIT data at {where}: {reason}; resynchronised at byte {resync} "
                f"({resync - good_end} bytes skipped{gap}; {share:.1f} % of the declared data "
                "recovered)"
            )

    def _accumulate(
        self, name: str, idx: np.ndarray, table: dict[str, np.ndarray], events: np.ndarray
    ) -> None:
        """Sum accumulated components (e.g. distance in ``compressed_speed_distance``)."""
        acc_cols = [c for c in table if c.startswith(_ACC_PREFIX)]
        for col in acc_cols:
            raw = table.pop(col)
            target = col[len(_ACC_PREFIX) :]
            comp, source = self._component_for(name, target)
            if comp is None:
                continue
            # accumulators restart at every definition of this message that has the source field
            lids = [
                i for i, lay in enumerate(self.layouts)
                if lay.name == name and (comp.def_num, source) in lay.accumulates
            ]  # fmt: skip
            resets = np.sort(events[np.isin(events[:, 2], lids), 0])
            ok = np.isfinite(raw)
            values = raw[ok].astype(np.int64)
            segment = np.searchsorted(resets, idx[ok], side="right")
            prev = np.concatenate(([0], values[:-1]))
            first = np.concatenate(([True], segment[1:] != segment[:-1]))
            prev[first] = 0
            wraps = np.cumsum(values < prev)
            base = np.maximum.accumulate(np.where(first, wraps - (values < prev), 0))
            total = values + (wraps - base) * (1 << comp.bits)
            out = table.get(target)
            out = np.full(len(idx), np.nan) if out is None or out.ndim != 1 else out.copy()
            out[ok] = _apply_scale(total.astype(np.float64), comp.scale, comp.offset, False)
            table[target] = out

    def _component_for(self, name: str, target: str) -> tuple[prof.ComponentInfo | None, int]:
        for lay in self.layouts:
            if lay.name != name:
                continue
            for spec in lay.fields:
                if spec.info is None:
                    continue
                for comp in spec.info.components:
                    if comp.accumulate and comp.name == target:
                        return comp, spec.def_num
        return None, -1


# ---------------------------------------------------------------------- layouts (cached)
@lru_cache(maxsize=4096)
def _layout(
    mesg_num: int,
    big_endian: bool,
    field_defs: bytes,
    dev_defs: bytes,
    dev_resolved: tuple[DevFieldInfo, ...],
) -> tuple[_Layout, tuple[str, ...]]:
    """The layout of a definition message, and warnings about its fields.

    Cached across calls: files from the same device repeat the same definitions, so decoding a
    season of files builds each numpy dtype (and conversion plan) once.
    """
    name = prof.mesg_name(mesg_num)
    specs: list[_FieldSpec] = []
    notes: list[str] = []
    offset = 1
    accumulates: list[tuple[int, int]] = []
    for i in range(0, len(field_defs), 3):
        fnum, size, ident = field_defs[i], field_defs[i + 1], field_defs[i + 2]
        if size == 0:
            notes.append(f"{name} field {fnum} has size 0 in its definition: ignored")
            continue
        info = prof.field_info(mesg_num, fnum)
        if info is not None:
            col = info.name
            accumulates += [(c.def_num, fnum) for c in info.components if c.accumulate]
        else:
            col = "timestamp" if fnum == _FIELD_TIMESTAMP else f"unknown_{fnum}"
        base, note = _checked_base(ident, size, f"{name}.{col}")
        if note:
            notes.append(note)
        count = size if base.np_code == "S" else size // base.size
        specs.append(_FieldSpec(col, offset, base, count, fnum, info, None))
        offset += size
    for j, dev in enumerate(dev_resolved):
        size = dev_defs[3 * j + 1]
        if size == 0:
            continue
        base, note = _checked_base(dev.base_type, size, f"{name}.{dev.key}")
        if note:
            notes.append(note)
        count = size if base.np_code == "S" else size // base.size
        specs.append(_FieldSpec(dev.key, offset, base, count, dev.field_num, None, dev))
        offset += size
    layout = _Layout(
        mesg_num, name, offset, specs, _dtype(specs, big_endian, offset), tuple(accumulates)
    )
    return layout, tuple(notes)


def _scaling(spec: _FieldSpec) -> tuple[float | None, float | None, bool]:
    """(scale, offset, is_datetime) of a field."""
    if spec.dev is not None:
        return spec.dev.scale, spec.dev.offset, False
    if spec.info is not None:
        return spec.info.scale, spec.info.offset, spec.info.is_datetime
    return None, None, spec.def_num == _FIELD_TIMESTAMP


def _make_plan(layout: _Layout) -> _Plan:
    by_dtype: dict[str, list[int]] = {}
    other: list[int] = []
    enum_types: dict[str, str] = {}
    for i, spec in enumerate(layout.fields):
        info = spec.info
        if info is not None and spec.dev is None and prof.enum_of_type(info.type_name):
            enum_types[spec.col] = info.type_name
        simple = spec.base.np_code != "S" and spec.base.name != "byte" and spec.count == 1
        if simple:
            key = spec.base.np_dtype(layout.dtype[f"c{i}"].byteorder == ">").str
            by_dtype.setdefault(key, []).append(i)
        needs_raw = (
            not simple
            or spec.def_num == _FIELD_TIMESTAMP
            or (info is not None and (info.components or info.subfields))
        )
        if needs_raw:
            other.append(i)
    groups = []
    grouped: set[int] = set()
    for key, idx in by_dtype.items():
        dt = np.dtype(key)
        specs = [layout.fields[i] for i in idx]
        byte_index = np.concatenate([s.offset + np.arange(dt.itemsize) for s in specs])
        scaling = [_scaling(s) for s in specs]
        scale = np.array([sc or 1.0 for sc, _, _ in scaling])
        offset = np.array([off or 0.0 for _, off, _ in scaling])
        epoch = np.array([float(prof.FIT_EPOCH_S) if dt_ else 0.0 for _, _, dt_ in scaling])
        base = specs[0].base
        groups.append(
            _Group(
                dtype=dt,
                byte_index=byte_index,
                cols=tuple(s.col for s in specs),
                invalid=base.invalid,
                scale=scale if any(sc for sc, _, _ in scaling) else None,
                offset=offset if offset.any() else None,
                epoch=epoch if epoch.any() else None,
            )
        )
        grouped.update(idx)
    return _Plan(
        groups=tuple(groups),
        grouped=frozenset(grouped),
        other=tuple(other),
        native=frozenset(s.def_num for s in layout.fields if s.dev is None),
        by_num={s.def_num: f"c{i}" for i, s in enumerate(layout.fields) if s.dev is None},
        enum_types=enum_types,
    )


def _dtype(specs: list[_FieldSpec], big_endian: bool, itemsize: int) -> np.dtype:
    return np.dtype(
        {
            "names": [f"c{i}" for i in range(len(specs))],
            "formats": [s.base.np_dtype(big_endian, s.count) for s in specs],
            "offsets": [s.offset for s in specs],
            "itemsize": itemsize,
        }
    )


def _checked_base(ident: int, size: int, where: str) -> tuple[prof.BaseType, str | None]:
    """The base type to read a field with, falling back to bytes (with a warning)."""
    base = prof.base_type(ident)
    byte = prof.base_type(prof.BASE_BYTE)
    assert byte is not None
    if base is None:
        return byte, f"{where}: unknown base type 0x{ident:02x}, read as bytes"
    if base.np_code != "S" and size % base.size:
        return byte, f"{where}: field size {size} is not a multiple of {base.name}, read as bytes"
    return base, None


# ---------------------------------------------------------------------- column helpers
def _looks_like_header(buf: bytes, pos: int) -> bool:
    """True when a FIT file header starts at ``pos``."""
    return (
        len(buf) - pos >= _HEADER_MIN
        and buf[pos] >= _HEADER_MIN
        and buf[pos + 8 : pos + 12] == b".FIT"
    )


def _valid_mask(raw: np.ndarray, base: prof.BaseType, is_byte: bool) -> np.ndarray:
    """True where a raw value is not the base type's invalid value (rows for byte arrays)."""
    if is_byte:
        return ~np.all(raw.reshape(len(raw), -1) == 0xFF, axis=1)
    if base.invalid is None:  # floats
        return ~np.isnan(raw)
    return raw != base.invalid


def _apply_scale(
    values: np.ndarray, scale: float | None, offset: float | None, is_datetime: bool
) -> np.ndarray:
    """``values / scale - offset`` (in that order, like the FIT SDK), date_time → Unix s."""
    if scale:
        values = values / scale
    if offset:
        values = values - offset
    if is_datetime:
        values = values + prof.FIT_EPOCH_S
    return values


def _scaled(
    raw: np.ndarray,
    valid: np.ndarray,
    scale: float | None,
    offset: float | None,
    is_datetime: bool,
    *,
    force_2d: bool,
) -> np.ndarray:
    values = raw.astype(np.float64)
    if force_2d:
        values = values.reshape(len(raw), -1)
        values[~valid] = np.nan
    else:
        values[~valid] = np.nan
    return _apply_scale(values, scale, offset, is_datetime)


def _strings(raw: np.ndarray) -> np.ndarray:
    """Decode fixed-size string fields: up to the first NUL, UTF-8 with replacement, '' → None."""
    out = np.empty(len(raw), dtype=object)
    for i, b in enumerate(raw.tolist()):
        s = b.split(b"\0", 1)[0].decode("utf-8", errors="replace")
        out[i] = s or None
    return out


def _compressed_timestamps(
    idx: np.ndarray, offsets: np.ndarray, raw_ts: np.ndarray, file_starts: np.ndarray
) -> np.ndarray:
    """FIT seconds of compressed-timestamp messages (FIT protocol "Compressed Timestamp Header").

    The reference is the last full ``timestamp`` seen in any message (or 0 at the start of a
    file); each compressed header holds the 5 low bits of the time and rolls over (+32 s) when
    they are smaller than the previous ones.
    """
    full = np.flatnonzero(np.isfinite(raw_ts) & (np.abs(raw_ts) < 2.0**53))
    anchor_key = np.concatenate((2 * file_starts, 2 * full + 1))
    anchor_val = np.concatenate((np.zeros(len(file_starts)), raw_ts[full])).astype(np.int64)
    o = np.argsort(anchor_key, kind="stable")
    anchor_key, anchor_val = anchor_key[o], anchor_val[o]
    g = np.searchsorted(anchor_key, 2 * idx + 1, side="right") - 1
    ref = anchor_val[g]
    t = offsets.astype(np.int64)
    first = np.concatenate(([True], g[1:] != g[:-1]))
    prev = np.concatenate(([0], t[:-1]))
    prev[first] = ref[first] & 0x1F
    wrap = (t < prev).astype(np.int64)
    cum = np.cumsum(wrap)
    base = np.maximum.accumulate(np.where(first, cum - wrap, 0))
    return ((ref & ~0x1F) + t + 32 * (cum - base)).astype(np.float64)


def _merge_parts(
    plist: list[tuple[np.ndarray, dict[str, np.ndarray]]],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Combine the column tables of several layouts of one message type, in stream order."""
    if len(plist) == 1:
        idx, cols = plist[0]
        return idx, dict(cols)
    idx = np.concatenate([p[0] for p in plist])
    sort = np.argsort(idx, kind="stable")
    # None when the layouts follow each other in the stream: no reordering needed
    order = None if np.array_equal(sort, np.arange(len(idx))) else sort
    total = len(idx)
    names: dict[str, None] = {}
    for _, cols in plist:
        names.update(dict.fromkeys(cols))
    bounds = np.cumsum([0] + [len(p[0]) for p in plist])
    # plain numeric columns share one block: one allocation and one reordering for all of them
    simple = [
        c
        for c in names
        if all(
            cols.get(c) is None or (cols[c].ndim == 1 and cols[c].dtype != object)
            for _, cols in plist
        )
    ]
    table: dict[str, np.ndarray] = {}
    if simple:
        block = np.full((len(simple), total), np.nan)
        for j, col in enumerate(simple):
            for k, (_, cols) in enumerate(plist):
                a = cols.get(col)
                if a is not None:
                    block[j, bounds[k] : bounds[k + 1]] = a
        if order is not None:
            block = block[:, order]
        table.update(zip(simple, block, strict=True))
    for col in names:
        if col in table:
            continue
        arrays = [cols.get(col) for _, cols in plist]
        present = [a for a in arrays if a is not None]
        is_obj = any(a.dtype == object for a in present)
        width = max((a.shape[1] for a in present if a.ndim == 2), default=0)
        if is_obj:
            out: np.ndarray = np.full(total, None, dtype=object)
        else:
            out = np.full((total, max(width, 1)), np.nan)
        for k, a in enumerate(arrays):
            if a is None:
                continue
            sl = slice(bounds[k], bounds[k + 1])
            if not is_obj:
                a2 = a.reshape(len(a), -1)
                out[sl, : a2.shape[1]] = a2
            elif a.dtype == object:
                out[sl] = a
            elif a.ndim == 1:
                out[sl] = [None if v != v else v for v in a.tolist()]
        table[col] = out if order is None else out[order]
    table = {c: table[c] for c in names}
    return (idx if order is None else idx[order]), table


def _implausible(messages: dict[str, dict[str, np.ndarray]]) -> str | None:
    """A reason why decoded values cannot be trusted (used only after a CRC mismatch)."""
    rec = messages.get("record")
    if rec is None:
        return None
    ts = rec.get("timestamp")
    if ts is not None and ts.ndim == 1:
        t = ts[np.isfinite(ts)]
        if len(t) > 1:
            back = np.diff(t) < -60
            if back.sum() > max(2, 0.01 * len(t)):
                return "record timestamps jump backwards"
            if t.max() - t.min() > 30 * 86400:
                return "record timestamps span more than 30 days"
    for col, limit in (("position_lat", 90.0), ("position_long", 180.0)):
        v = rec.get(col)
        if v is not None and v.ndim == 1:
            deg = np.abs(v[np.isfinite(v)]) * (180.0 / 2**31)
            if (deg > limit).any():
                return f"{col} is out of range"
    hr = rec.get("heart_rate")
    if hr is not None and hr.ndim == 1:
        h = hr[np.isfinite(hr)]
        if len(h) and (h > 250).mean() > 0.01:
            return "heart rates are out of range"
    return None
