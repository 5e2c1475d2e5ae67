# SPDX-License-Identifier: MIT
"""A small numpy reader of C3D files (markers + analog), no extra dependency.

Format (c3d.org "The C3D File Format User Guide"): 512-byte blocks.

- Header (block 1, 16-bit words): byte 0 = first parameter block (1-based), byte 1 = 0x50;
  word 2 = number of points; word 3 = analog measurements per video frame (channels ×
  samples per frame); words 4/5 = first/last frame; words 7–8 = scale factor (float; negative
  = data stored as float32); word 9 = first data block; words 11–12 = video frame rate.
- Parameter section: 4 bytes (reserved, reserved, number of blocks, processor type: 84 Intel,
  85 DEC, 86 MIPS), then records: int8 name length (negative = locked), int8 id (negative =
  group, positive = parameter of group id), name, int16 offset to the next record (0 = end),
  then for a parameter: int8 type (-1 char, 1 byte, 2 int16, 4 float32), uint8 number of
  dimensions, the dimensions, the data (first dimension fastest), then a description.
- Data: per video frame, for each point X, Y, Z and a residual word (int16 × |scale| or
  float32); the residual's low byte × |scale| is the residual, negative marks an invalid
  point. Then the analog samples of the frame (int16 or float32), channel fastest.
  Physical value = (raw − ANALOG:OFFSET) × ANALOG:SCALE × ANALOG:GEN_SCALE.

Only Intel byte order (processor type 84) is supported; other files are refused.
Every problem raises a one-line :class:`ParseError` naming the file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io._bounded import read_file_bounded
from evenstride.io._fukuchi import ForceData, MarkerData, to_newtons

BLOCK = 512
INTEL = 84
_PROCESSORS = {84: "Intel", 85: "DEC", 86: "MIPS (SGI)"}


@dataclass
class C3DData:
    """Contents of one C3D file: markers (mm, NaN where invalid) and analog (physical units)."""

    path: str
    point_rate_hz: float
    analog_rate_hz: float
    first_frame: int
    markers: dict[str, np.ndarray]
    analog: dict[str, np.ndarray]
    point_units: str = "mm"
    analog_units: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        """Number of video frames."""
        return len(next(iter(self.markers.values()))) if self.markers else 0


def _s8(b: int) -> int:
    return b - 256 if b > 127 else b


def _parse_parameters(buf: bytes, start: int, path: Path) -> dict[str, dict[str, Any]]:
    """Group name → {parameter name → value} of the parameter section starting at ``start``."""
    if len(buf) < start + 4:
        raise ParseError("truncated C3D: parameter section missing", path=path)
    proc = buf[start + 3]
    if proc != INTEL:
        name = _PROCESSORS.get(proc, f"unknown ({proc})")
        raise ParseError(f"C3D processor type {name} not supported (Intel only)", path=path)
    nblocks = buf[start + 2]
    end = min(len(buf), start + max(nblocks, 1) * BLOCK)
    groups: dict[int, str] = {}
    raw: list[tuple[int, str, Any]] = []
    i = start + 4
    try:
        while i + 2 <= end:
            nlen = abs(_s8(buf[i]))
            gid = _s8(buf[i + 1])
            if nlen == 0:
                break
            name = buf[i + 2 : i + 2 + nlen].decode("latin-1").strip().upper()
            j = i + 2 + nlen
            off = int(np.frombuffer(buf, "<i2", 1, j)[0])
            nxt = j + off
            j += 2
            if gid < 0:
                groups[-gid] = name
            else:
                typ = _s8(buf[j])
                ndim = buf[j + 1]
                dims = list(buf[j + 2 : j + 2 + ndim])
                j += 2 + ndim
                n = int(np.prod(dims)) if dims else 1
                size = abs(typ)
                if typ == -1:
                    b = buf[j : j + n]
                    if len(b) < n:
                        raise ParseError("truncated C3D parameter section", path=path)
                    if ndim >= 2:
                        w = dims[0]
                        val: Any = [
                            b[k * w : (k + 1) * w].decode("latin-1").strip()
                            for k in range(n // w if w else 0)
                        ]
                    else:
                        val = b.decode("latin-1").strip()
                else:
                    dt = {1: "<u1", 2: "<i2", 4: "<f4"}.get(typ)
                    if dt is None or j + n * size > len(buf):
                        raise ParseError(f"bad C3D parameter {name} (type {typ})", path=path)
                    val = np.frombuffer(buf, dt, n, j).astype(float)
                    if ndim >= 2:
                        val = val.reshape(dims[::-1])
                raw.append((gid, name, val))
            if off == 0:
                break
            if nxt <= i:
                raise ParseError("corrupt C3D parameter section (offset loops)", path=path)
            i = nxt
    except (IndexError, ValueError) as exc:
        raise ParseError(f"corrupt C3D parameter section ({exc})", path=path) from exc
    out: dict[str, dict[str, Any]] = {g: {} for g in groups.values()}
    for gid, name, val in raw:
        out.setdefault(groups.get(gid, f"GROUP{gid}"), {})[name] = val
    return out


def _labels(group: dict[str, Any], n: int, prefix: str) -> list[str]:
    labs: list[str] = []
    for key in ("LABELS", "LABELS2", "LABELS3", "LABELS4"):
        v = group.get(key)
        if v is not None:
            labs.extend([v] if isinstance(v, str) else list(v))
    labs = labs[:n]
    labs += [f"{prefix}{k + 1}" for k in range(len(labs), n)]
    # make unique
    seen: dict[str, int] = {}
    out = []
    for lab in labs:
        lab = lab or prefix
        if lab in seen:
            seen[lab] += 1
            lab = f"{lab}_{seen[lab]}"
        else:
            seen[lab] = 0
        out.append(lab)
    return out


def _per_channel(v: Any, n: int, default: float) -> np.ndarray:
    if v is None:
        return np.full(n, default)
    a = np.atleast_1d(np.asarray(v, float)).ravel()
    if len(a) == 0:
        return np.full(n, default)
    if len(a) < n:
        a = np.concatenate([a, np.full(n - len(a), a[-1])])
    return a[:n]


def read_c3d(path: str | Path) -> C3DData:
    """Read a C3D file (see module docstring)."""
    p = Path(path)
    try:
        buf = read_file_bounded(p)
    except OSError as exc:
        raise ParseError(f"cannot open: {exc.strerror}", path=p) from exc
    if len(buf) < BLOCK or buf[1] != 0x50:
        raise ParseError("not a C3D file (no 0x50 key in the header)", path=p)
    h = np.frombuffer(buf, "<i2", 12)
    pblock = buf[0]
    n_points = int(h[1])
    n_analog_per_frame = int(h[2])
    first, last = int(h[3]) & 0xFFFF, int(h[4]) & 0xFFFF
    scale = float(np.frombuffer(buf, "<f4", 1, 12)[0])
    data_block = int(h[8]) & 0xFFFF
    rate = float(np.frombuffer(buf, "<f4", 1, 20)[0])
    if pblock < 1:
        raise ParseError("not a C3D file (parameter block pointer 0)", path=p)
    params = _parse_parameters(buf, (pblock - 1) * BLOCK, p)
    point = params.get("POINT", {})
    ana = params.get("ANALOG", {})
    if "DATA_START" in point:
        data_block = int(np.atleast_1d(point["DATA_START"])[0]) & 0xFFFF or data_block
    if "FRAMES" in point:
        fr = int(np.atleast_1d(point["FRAMES"])[0]) & 0xFFFF
        n_frames = fr if fr > 0 else last - first + 1
    else:
        n_frames = last - first + 1
    if "RATE" in point:
        rate = float(np.atleast_1d(point["RATE"])[0])
    if "SCALE" in point:
        scale = float(np.atleast_1d(point["SCALE"])[0])
    if "USED" in point:
        n_points = int(np.atleast_1d(point["USED"])[0])
    if not np.isfinite(rate) or rate <= 0 or n_frames <= 0 or data_block < 2:
        raise ParseError(
            f"implausible C3D header (rate {rate}, {n_frames} frames, data block {data_block})",
            path=p,
        )
    n_ch = int(np.atleast_1d(ana.get("USED", [0]))[0]) if ana else 0
    analog_rate = float(np.atleast_1d(ana.get("RATE", [0.0]))[0]) if ana else 0.0
    if n_points < 0 or n_ch < 0:
        raise ParseError(
            f"implausible C3D header (POINT:USED {n_points}, ANALOG:USED {n_ch})", path=p
        )
    if n_ch and "RATE" in ana and not (np.isfinite(analog_rate) and analog_rate > 0):
        raise ParseError(
            f"implausible C3D header (ANALOG:RATE {analog_rate} for {n_ch} analog channels)",
            path=p,
        )
    per = round(analog_rate / rate) if n_ch and analog_rate > 0 else 0
    if n_ch and per * n_ch != n_analog_per_frame:
        per = n_analog_per_frame // n_ch if n_ch else 0
    if n_ch and per and not analog_rate > 0:  # no ANALOG:RATE (a damaged name): the header's
        analog_rate = rate * per               # samples per frame give it (C3D standard)
    is_float = scale < 0
    dt = np.dtype("<f4") if is_float else np.dtype("<i2")
    frame_words = 4 * n_points + n_ch * per
    need = (data_block - 1) * BLOCK + n_frames * frame_words * dt.itemsize
    if len(buf) < need:
        # cut mid-data (issue 14): the whole frames before the cut are analysed, with a warning
        frame_bytes = frame_words * dt.itemsize
        whole = (len(buf) - (data_block - 1) * BLOCK) // frame_bytes if frame_bytes > 0 else 0
        if whole < 2:
            raise ParseError(
                f"truncated C3D: {len(buf)} bytes, data needs {need} "
                f"({n_frames} frames × {n_points} points)",
                path=p,
            )
        warnings.warn(f"{p}: truncated C3D: {whole} of {n_frames} frames present "
                      f"({whole / rate:.1f} of {n_frames / rate:.1f} s); the frames before the "
                      "cut are analysed", EvenstrideWarning, stacklevel=2)
        n_frames = int(whole)
    raw_d = np.frombuffer(buf, dt, n_frames * frame_words, (data_block - 1) * BLOCK)
    d: np.ndarray = np.asarray(raw_d.reshape(n_frames, frame_words), dtype=np.float64)
    pts = d[:, : 4 * n_points].reshape(n_frames, n_points, 4)
    xyz = pts[:, :, :3] * (1.0 if is_float else scale)
    resid_word: np.ndarray = np.trunc(pts[:, :, 3])
    invalid = resid_word < 0
    xyz[invalid] = np.nan
    units = str(point.get("UNITS", "mm")).strip() or "mm"
    if units.lower() in ("m", "meters", "metres"):
        xyz *= 1000.0
    elif units.lower() == "cm":
        xyz *= 10.0
    mlab = _labels(point, n_points, "POINT")
    markers = {lab: xyz[:, k, :].copy() for k, lab in enumerate(mlab)}
    analog: dict[str, np.ndarray] = {}
    aunits: dict[str, str] = {}
    if n_ch and per:
        a: np.ndarray = d[:, 4 * n_points :].reshape(n_frames * per, n_ch)
        if not is_float and str(ana.get("FORMAT", "")).upper().startswith("UNSIGNED"):
            a = np.where(a < 0, a + 65536.0, a)
        off = _per_channel(ana.get("OFFSET"), n_ch, 0.0)
        sc = _per_channel(ana.get("SCALE"), n_ch, 1.0)
        gen = float(np.atleast_1d(ana.get("GEN_SCALE", [1.0]))[0])
        a = (a - off) * sc * gen
        alab = _labels(ana, n_ch, "ANALOG")
        u = ana.get("UNITS", [])
        ul = [u] if isinstance(u, str) else list(u)
        for k, lab in enumerate(alab):
            analog[lab] = a[:, k].copy()
            aunits[lab] = ul[k] if k < len(ul) else ""
    return C3DData(
        path=str(p),
        point_rate_hz=rate,
        analog_rate_hz=analog_rate if analog else 0.0,
        first_frame=first,
        markers=markers,
        analog=analog,
        point_units="mm",
        analog_units=aunits,
        parameters=params,
    )


def c3d_markers(c: C3DData) -> MarkerData:
    """The markers as :class:`MarkerData` (mm, time from 0) for the force-path helpers."""
    t = np.arange(c.n_frames) / c.point_rate_hz
    return MarkerData(c.path, c.point_rate_hz, t, c.markers)


def c3d_forces(
    c: C3DData, *, mass_kg: float | None = None, prefix: str = "F1", vertical: str | None = None
) -> ForceData:
    """The treadmill force channels ``{prefix}X/Y/Z`` as :class:`ForceData` in N.

    The vertical axis is ``vertical``, by default the channel with the largest force (Z in
    the Fukuchi C3D plate frame, whereas the markers have Y vertical); its sign is set so that
    contacts are positive. With
    ``mass_kg`` the unit is checked as in :func:`~evenstride.io.read_forces`: the 99th
    percentile of the vertical force must be 1.2–5 BW; if it is only after ×1000 the channels
    are kN (the Fukuchi C3D files, despite their "N" label) and are converted with a warning.
    """
    axes = "XYZ"
    names = [prefix + a for a in axes]
    missing = [n for n in names if n not in c.analog]
    if missing:
        raise ParseError(f"no force channels {missing} in the C3D analog data", path=c.path)
    chans = [c.analog[n] for n in names]
    if vertical is None:
        v = int(np.argmax([np.percentile(np.abs(x), 99) for x in chans]))
    else:
        v = axes.index(vertical.upper())
    horiz = [a for a in range(3) if a != v]
    sign = 1.0 if np.percentile(chans[v], 99) >= -np.percentile(chans[v], 1) else -1.0
    fx, fv, fz = chans[horiz[0]], sign * chans[v], chans[horiz[1]]
    n = len(fv)
    t = np.arange(n) / c.analog_rate_hz
    fd = ForceData(c.path, c.analog_rate_hz, t, fx.copy(), fv.copy(), fz.copy(), np.zeros((n, 3)))
    if mass_kg is not None:
        to_newtons(fd, mass_kg, path=c.path, what="C3D force",
                   label=f" (label {c.analog_units.get(names[v], '?')!r})")
    return fd
