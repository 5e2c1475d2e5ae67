# SPDX-License-Identifier: MIT
"""Readers for the Fukuchi et al. 2017 treadmill-running text exports (BMC-RIC data set).

Fukuchi RK, Fukuchi CA, Duarte M (2017) "A public dataset of running biomechanics and the
effects of running speed on lower extremity kinematics and kinetics", PeerJ 5:e3298.

- ``RBDSxxxrunTssforces.txt``: ``Time Fx Fy Fz COPx COPy COPz Ty``; ``Time`` is the frame
  number (1…N) at 300 Hz; ``Fy`` is vertical; combined-belt GRF in N.
- ``RBDSxxxrunTssmarkers.txt``: ``Time`` (s) then ``<name>X <name>Y <name>Z`` triplets, mm,
  150 Hz; ``Y`` is vertical, ``X`` is along the belt.
- ``RBDSxxxprocessed.txt``: mean curves over 0–100 % gait cycle; GRF in N/kg (NaN after stance).
- ``RBDSinfo.txt``: one row per file with ``FileName`` and ``Mass`` (kg).

Every reader checks the header and raises a one-line :class:`ParseError` naming the file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError
from evenstride.io._bounded import MAX_TEXT_BYTES, cut_line_warned, read_text_bounded

G = 9.80665
FORCE_HEADER = ("Time", "Fx", "Fy", "Fz", "COPx", "COPy", "COPz", "Ty")
#: Sampling rate of the force export (its ``Time`` column holds frame numbers).
FORCE_FS_HZ = 300.0
#: Plausible range of the peak vertical force (99th percentile) in body weights while running.
PEAK_BW_RANGE = (1.2, 5.0)


@dataclass
class ForceData:
    """Combined-belt ground-reaction force, N; ``vertical`` is the export's ``Fy``."""

    path: str
    fs_hz: float
    time_s: np.ndarray
    fx: np.ndarray
    vertical: np.ndarray
    fz: np.ndarray
    cop: np.ndarray
    #: Factor applied to reach N (1.0, or 1000.0 when the file was in kN).
    scale_applied: float = 1.0


@dataclass
class MarkerData:
    """Marker trajectories, mm: ``markers[name]`` is an (n, 3) array of X, Y (vertical), Z."""

    path: str
    fs_hz: float
    time_s: np.ndarray
    markers: dict[str, np.ndarray]


def _header(path: Path) -> list[str]:
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:  # before reading a line of unbounded length
            raise ParseError(f"file is too large (more than {MAX_TEXT_BYTES // 2**20} MB)",
                             path=path)
        with open(path, encoding="utf-8", errors="replace") as fh:
            line = fh.readline(1 << 16)
    except OSError as exc:
        raise ParseError(f"cannot open: {exc.strerror}", path=path) from exc
    return line.rstrip("\r\n").split("\t")


def _table(path: Path, ncol: int, *, blanks_are_nan: bool = False) -> np.ndarray:
    """The numeric body of a tab-separated export; with ``blanks_are_nan`` empty cells (marker
    gaps) are NaN, anything else non-numeric is still refused."""
    conv = (lambda c: float(c) if c.strip() else np.nan) if blanks_are_nan else None
    try:
        text = cut_line_warned(read_text_bounded(path, encoding="utf-8", errors="replace"),
                               path, sep="\t")
    except OSError as exc:
        raise ParseError(f"cannot open: {exc.strerror}", path=path) from exc
    try:
        data = np.loadtxt(
            io.StringIO(text), delimiter="\t", skiprows=1, ndmin=2, dtype=float,
            converters=conv,  # type: ignore[call-overload, unused-ignore]
        )
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise ParseError(f"non-numeric or ragged rows ({first})", path=path) from exc
    if data.shape[1] != ncol or data.shape[0] < 2:
        raise ParseError(f"expected {ncol} columns and ≥2 rows, got {data.shape}", path=path)
    return data


def read_info_mass(info_path: str | Path, file_name: str) -> float:
    """Body mass (kg) of the subject of ``file_name`` from ``RBDSinfo.txt``."""
    path = Path(info_path)
    head = _header(path)
    if "FileName" not in head or "Mass" not in head:
        raise ParseError("not an RBDSinfo table (no FileName/Mass columns)", path=path)
    i_f, i_m = head.index("FileName"), head.index("Mass")
    with open(path, encoding="utf-8", errors="replace") as fh:
        next(fh)
        for line in fh:
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) > max(i_f, i_m) and cells[i_f] == file_name:
                try:
                    mass = float(cells[i_m])
                except ValueError:
                    break
                if not 20.0 <= mass <= 200.0:
                    raise ParseError(f"implausible mass {mass} kg for {file_name}", path=path)
                return mass
    raise ParseError(f"no usable row for {file_name}", path=path)


def read_forces(
    path: str | Path, *, mass_kg: float | None = None, fs_hz: float = FORCE_FS_HZ
) -> ForceData:
    """Read a ``…forces.txt`` export; with ``mass_kg`` the vertical force's unit is checked.

    Unit check: the 99th percentile of the vertical force should be 1.2–5 body weights (peak
    vGRF in running is typically 2–3 BW). If it is that only after ×1000 the file is in kN
    (as the C3D analog channels are despite their "N" label): it is converted with a warning.
    Anything else is refused.
    """
    p = Path(path)
    head = _header(p)
    if tuple(head) != FORCE_HEADER:
        raise ParseError(
            f"not a Fukuchi forces export: header {head[:8]} != {list(FORCE_HEADER)}", path=p
        )
    d = _table(p, len(FORCE_HEADER))
    frame = d[:, 0]
    if np.all(np.diff(frame) == 1.0):
        t = (frame - frame[0]) / fs_hz
    else:  # a Time column in seconds
        t = frame - frame[0]
        fs_hz = float(1.0 / np.median(np.diff(t)))
    fd = ForceData(str(p), fs_hz, t, d[:, 1], d[:, 2], d[:, 3], d[:, 4:7])
    if mass_kg is not None:
        to_newtons(fd, mass_kg, path=p, what="vertical force")
    return fd


def to_newtons(
    fd: ForceData, mass_kg: float, *, path: str | Path, what: str, label: str = ""
) -> None:
    """Check the force unit from the body weight: a 99th-percentile vertical force of
    :data:`PEAK_BW_RANGE` body weights is newtons; the same in kilonewtons (a common C3D and
    export mislabel) is converted to N with a warning; anything else is a one-line
    :class:`ParseError` naming the file. ``what`` and ``label`` name the channel in messages."""
    bw = mass_kg * G
    peak = float(np.percentile(fd.vertical, 99)) / bw
    lo, hi = PEAK_BW_RANGE
    if lo <= peak * 1000.0 <= hi:
        warnings.warn(
            f"{path}: {what} peak {peak:.4f} BW{label} looks like kN; converted to N",
            EvenstrideWarning,
            stacklevel=3,
        )
        for name in ("fx", "vertical", "fz"):
            setattr(fd, name, getattr(fd, name) * 1000.0)
        fd.scale_applied = 1000.0
    elif not lo <= peak <= hi:
        raise ParseError(
            f"{what} peak {peak:.3g} BW for {mass_kg} kg is implausible in N or kN", path=path
        )


def read_markers(path: str | Path) -> MarkerData:
    """Read a ``…markers.txt`` export (Time in s, then X/Y/Z triplets in mm)."""
    p = Path(path)
    head = _header(p)
    names = head[1:]
    ok = head[0] == "Time" and len(names) >= 3 and len(names) % 3 == 0
    if ok:
        for i in range(0, len(names), 3):
            base = names[i][:-1]
            if [names[i], names[i + 1], names[i + 2]] != [base + "X", base + "Y", base + "Z"]:
                ok = False
                break
    if not ok:
        raise ParseError("not a Fukuchi markers export: expected Time then X/Y/Z triplets", path=p)
    d = _table(p, len(head), blanks_are_nan=True)
    if not np.all(np.isfinite(d[:, 0])):
        raise ParseError("Time column has blank cells", path=p)
    t = d[:, 0] - d[0, 0]
    # The export rounds Time to ms (0.007 s steps at 150 Hz): take the rate from the span.
    fs = float(round((len(t) - 1) / t[-1], 1)) if t[-1] > 0 else float("nan")
    if not np.isfinite(fs) or fs <= 0:
        raise ParseError("Time column does not increase", path=p)
    markers = {names[i][:-1]: d[:, 1 + i : 4 + i] for i in range(0, len(names), 3)}
    # Units: mm expected (a body spans ~1000 mm vertically). Metres → ×1000 with a warning.
    spans = [
        float(np.nanmax(m[:, 1]) - np.nanmin(m[:, 1]))
        for m in markers.values()
        if np.isfinite(m[:, 1]).any()
    ]
    if not spans:
        raise ParseError("every marker is empty", path=p)
    span = max(spans)
    if span < 5.0:
        warnings.warn(
            f"{p}: marker coordinates look like metres; converted to mm",
            EvenstrideWarning,
            stacklevel=2,
        )
        markers = {k: v * 1000.0 for k, v in markers.items()}
    elif span > 5000.0:
        raise ParseError(f"marker vertical span {span:.0f} is implausible for mm", path=p)
    return MarkerData(str(p), fs, t, markers)


def read_processed(path: str | Path) -> dict[str, np.ndarray]:
    """Read ``RBDSxxxprocessed.txt``: column name → 101-point curve (0–100 % gait cycle)."""
    p = Path(path)
    head = _header(p)
    if not head or head[0] != "PercGcycle" or "LgrfY25" not in head:
        raise ParseError("not a Fukuchi processed export (PercGcycle … LgrfY25)", path=p)
    d = _table(p, len(head))
    return {name: d[:, i] for i, name in enumerate(head)}
