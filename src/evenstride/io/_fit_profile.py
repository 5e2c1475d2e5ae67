# SPDX-License-Identifier: MIT
"""The FIT profile, taken from fitdecode's generated copy and reshaped for columnar decoding.

Message names, field names, types, scales, offsets, units, enums, components and sub-fields all
come from ``fitdecode.profile`` (MIT; generated from Garmin's FIT SDK profile). This module only
turns them into small immutable records the decoder can use per definition layout, and caches
them, so nothing here is a hand-typed table except the base-type storage rules of the FIT protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from fitdecode import profile as _fd_profile
from fitdecode import types as _fd_types

__all__ = [
    "BASE_BYTE",
    "BASE_STRING",
    "FIT_EPOCH_S",
    "BaseType",
    "ComponentInfo",
    "FieldInfo",
    "SubFieldInfo",
    "base_type",
    "enum_of_type",
    "field_info",
    "mesg_name",
]

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631065600

BASE_STRING = 0x07
BASE_BYTE = 0x0D

#: FIT profile type names whose values are seconds since the FIT epoch.
_DATETIME_TYPES = frozenset({"date_time", "local_date_time"})


@dataclass(frozen=True)
class BaseType:
    """Storage rules of one FIT base type."""

    #: Base type identifier with the endian bit (0x84 for uint16).
    ident: int
    name: str
    #: numpy type code without byte order (``"u2"``); ``"S"`` for strings.
    np_code: str
    size: int
    #: Raw value meaning "invalid", or ``None`` (floats: NaN; strings/bytes: special rules).
    invalid: int | None

    def np_dtype(self, big_endian: bool, count: int = 1) -> np.dtype:
        """numpy dtype of a field of ``count`` values (``count`` bytes for strings)."""
        if self.np_code == "S":
            return np.dtype(f"S{count}")
        order = ">" if big_endian and self.size > 1 else "<"
        dt = np.dtype(order + self.np_code)
        return dt if count == 1 else np.dtype((dt, (count,)))


def _build_base_types() -> dict[int, BaseType]:
    codes = {
        "enum": "u1", "sint8": "i1", "uint8": "u1", "sint16": "i2", "uint16": "u2",
        "sint32": "i4", "uint32": "u4", "string": "S", "float32": "f4", "float64": "f8",
        "uint8z": "u1", "uint16z": "u2", "uint32z": "u4", "byte": "u1", "sint64": "i8",
        "uint64": "u8", "uint64z": "u8",
    }  # fmt: skip
    out: dict[int, BaseType] = {}
    for ident, bt in _fd_types.BASE_TYPES.items():
        code = codes[bt.name]
        if bt.name.endswith("z"):
            invalid: int | None = 0
        elif code[0] == "u":
            invalid = (1 << (8 * bt.size)) - 1
        elif code[0] == "i":
            invalid = (1 << (8 * bt.size - 1)) - 1
        else:  # float (NaN), string (empty), byte (all 0xFF; handled by the decoder)
            invalid = None
        if bt.name == "byte":
            invalid = 0xFF
        out[ident & 0x1F] = BaseType(ident, bt.name, code, bt.size, invalid)
    return out


#: Base types by base type *number* (identifier & 0x1F), as the FIT SDK looks them up.
_BASE_TYPES = _build_base_types()


def base_type(ident: int) -> BaseType | None:
    """The base type for a definition's base-type byte, or ``None`` when unknown."""
    return _BASE_TYPES.get(ident & 0x1F)


@dataclass(frozen=True)
class ComponentInfo:
    """One component of a field (bits unpacked from the raw value into another field)."""

    #: Name and number of the field the component fills.
    name: str
    def_num: int
    bits: int
    bit_offset: int
    scale: float | None
    offset: float | None
    accumulate: bool
    #: Profile type name of the target field (for enums and date_time).
    type_name: str


@dataclass(frozen=True)
class SubFieldInfo:
    """A sub-field: the field's bytes read with another meaning when a reference field matches."""

    name: str
    type_name: str
    scale: float | None
    offset: float | None
    units: str | None
    is_datetime: bool
    #: (reference field number, raw value) pairs; any match selects this sub-field.
    refs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class FieldInfo:
    """Profile information about one field of one message."""

    name: str
    def_num: int
    #: Profile type name (``"uint16"``, ``"sport"``, ``"date_time"``…).
    type_name: str
    scale: float | None
    offset: float | None
    units: str | None
    is_datetime: bool
    components: tuple[ComponentInfo, ...]
    subfields: tuple[SubFieldInfo, ...]


def _type_name(ftype: object) -> str:
    return str(getattr(ftype, "name", "byte"))


@cache
def _message_fields(mesg_num: int) -> dict[int, FieldInfo]:
    mtype = _fd_profile.MESSAGE_TYPES.get(mesg_num)
    if mtype is None:
        return {}
    out: dict[int, FieldInfo] = {}
    for num, f in mtype.fields.items():
        comps: list[ComponentInfo] = []
        targets = [c.def_num for c in (f.components or ())]
        for c in f.components or ():
            if targets.count(c.def_num) != 1:
                # Repeated targets (hr.event_timestamp_12, ant_rx.mesg_data, raw_bbi.data) make
                # the target an array of unpacked values; not needed for running analysis.
                continue
            target = mtype.fields.get(c.def_num)
            if target is None:
                continue
            comps.append(
                ComponentInfo(
                    name=target.name,
                    def_num=c.def_num,
                    bits=int(c.bits),
                    bit_offset=int(c.bit_offset or 0),
                    scale=c.scale or None,
                    offset=c.offset or None,
                    accumulate=bool(c.accumulate),
                    type_name=_type_name(target.type),
                )
            )
        subs = tuple(
            SubFieldInfo(
                name=sf.name,
                type_name=_type_name(sf.type),
                scale=sf.scale or None,
                offset=sf.offset or None,
                units=sf.units,
                is_datetime=_type_name(sf.type) in _DATETIME_TYPES,
                refs=tuple((int(r.def_num), int(r.raw_value)) for r in sf.ref_fields),
            )
            for sf in (f.subfields or ())
        )
        out[num] = FieldInfo(
            name=f.name,
            def_num=num,
            type_name=_type_name(f.type),
            scale=f.scale or None,
            offset=f.offset or None,
            units=f.units,
            is_datetime=_type_name(f.type) in _DATETIME_TYPES,
            components=tuple(comps),
            subfields=subs,
        )
    return out


def field_info(mesg_num: int, def_num: int) -> FieldInfo | None:
    """Profile information of field ``def_num`` of message ``mesg_num`` (``None`` if unknown)."""
    return _message_fields(mesg_num).get(def_num)


def mesg_name(mesg_num: int) -> str:
    """Profile name of a global message number, ``f"mesg_{num}"`` when unknown."""
    mtype = _fd_profile.MESSAGE_TYPES.get(mesg_num)
    return mtype.name if mtype is not None else f"mesg_{mesg_num}"


@cache
def enum_of_type(type_name: str) -> dict[int, str] | None:
    """The value → name mapping of a profile type (``"sport"``…), or ``None``."""
    ftype = _fd_profile.FIELD_TYPES.get(type_name)
    enum = getattr(ftype, "enum", None)
    return dict(enum) if enum else None
