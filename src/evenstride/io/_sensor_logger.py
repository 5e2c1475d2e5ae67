# SPDX-License-Identifier: MIT
"""Reader of ONE trunk-worn IMU or phone: the Sensor Logger app's exports.

**Phone "Sensor Logger" export** (:func:`read_sensor_logger`; layout checked against public
exports and the app author's documentation, see docs/steps.md): ``FILE`` is a ``.zip`` export, a
``.json`` export, or one CSV of the export (``Accelerometer.csv`` or ``TotalAcceleration.csv``,
whose siblings ``Gravity.csv`` and ``Gyroscope.csv`` are then used). Every axis CSV has the header
``time,seconds_elapsed,z,y,x`` (read by name, in any order): ``time`` in ns since the Unix epoch,
``seconds_elapsed`` in s since the recording was started (slightly negative for buffered samples),
acceleration and gravity in m/s², rotation rate in rad/s (converted to deg/s). ``Accelerometer.csv``
is acceleration **without gravity** (iOS and Android); ``TotalAcceleration.csv`` (Android only) has
it; ``Gravity.csv`` is the gravity vector in the same frame. iOS and Android differ by a sign on
all acceleration and gravity axes. The detector needs the vertical, so the reader builds the
acceleration with gravity (``Accelerometer + Gravity``, else ``TotalAcceleration``) and projects it
on the unit gravity direction sample by sample: this "vertical" signal is +1 g at rest and peaks
at IC on either platform and for any phone tilt. A gravity-free ``Accelerometer.csv`` with neither
``Gravity.csv`` nor ``TotalAcceleration.csv`` is refused (an acceleration file whose median vector
is ≥ 0.5 g long already holds gravity and is used as is; one ~1 long is taken to be in g, as iOS's
uncalibrated accelerometer, and converted). When ``Metadata.csv`` says ``platform`` iOS without
``standardisation`` true, acceleration and gravity are negated to Android's convention (this
only matters for the side from ML acceleration). The axes used for the side come from the
mean gravity direction: the phone lies flat against the body, so roll is about its ``z`` axis
(screen normal) and the ML acceleration is the screen axis that is not vertical. Whether a
positive roll means a left or a right step depends on which way the screen faces, which the data
do not tell: the left/right labels of a phone recording may be swapped as a whole (the size of the
asymmetry is unaffected) and a warning says so. All streams are resampled on a uniform grid at the
accelerometer's median rate over the span they share.
"""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
    UserInputError,
)
from evenstride.filters import lowpass
from evenstride.io._bounded import (
    CONTROL_BYTES,
    MAX_DECOMPRESSED_BYTES,
    plain_ascii,
    read_file_bounded,
)
from evenstride.io._imu_csv import G


@dataclass
class TrunkRecording:
    """One trunk IMU: time (s), acc (n×3, m/s², gravity included), gyr (n×3, deg/s) or ``None``.

    Optional hints from the reader: ``vertical`` (n, m/s², acceleration along the gravity
    direction, +1 g at rest), ``ap_axis`` (gyro axis of roll) and ``ml_axis`` (acc axis of
    medio-lateral acceleration); the detector uses them unless its own parameters say otherwise.
    """

    time_s: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray | None = None
    path: str | None = None
    warnings: list[str] = field(default_factory=list)
    vertical: np.ndarray | None = None
    ap_axis: int | None = None
    ml_axis: int | None = None

    @property
    def sampling_rate_hz(self) -> float:
        return float(1.0 / np.median(np.diff(self.time_s)))




#: File names of a Sensor Logger export (the JSON export names its records' ``sensor`` the same,
#: without ``.csv``).
SL_ACC = "Accelerometer.csv"
SL_TOTAL = "TotalAcceleration.csv"
SL_GRAVITY = "Gravity.csv"
SL_GYRO = "Gyroscope.csv"
SL_META = "Metadata.csv"
_SL_NAMES = (SL_ACC, SL_TOTAL, SL_GRAVITY, SL_GYRO, SL_META)
#: Below this rate the accelerometer is refused (the app's default used to be 10 Hz).
MIN_RATE_HZ = 20.0
#: Below this rate IC times are coarse: warning.
LOW_RATE_HZ = 50.0
# The reader's limits below are engineering choices for data hygiene, not published thresholds.
#: Samples logged more than this before the recording start (``seconds_elapsed``) are stale.
STALE_S = 1.0
#: Gaps longer than this are reported.
GAP_S = 0.5
#: Low-pass (Hz) giving the gravity direction when there is no ``Gravity.csv``.
GRAVITY_LP_HZ = 0.3


@dataclass
class _Xyz:
    """One axis stream: time (s, on the shared clock once aligned), x/y/z, its label."""

    label: str
    t_ns: np.ndarray | None
    elapsed: np.ndarray | None
    xyz: np.ndarray
    t: np.ndarray = field(default_factory=lambda: np.zeros(0))


class _Export:
    """The files of one export: a folder (``base``), a zip, or a JSON export."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: dict[str, str] = {}
        self._json: dict[str, list[dict[str, object]]] | None = None
        suffix = path.suffix.lower()
        if suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    names = [n for n in zf.namelist() if not n.endswith("/")]
            except (OSError, zipfile.BadZipFile) as e:
                raise ParseError(f"cannot read zip ({type(e).__name__})", path=path) from None
            for want in _SL_NAMES:
                hits = [n for n in names if n.rsplit("/", 1)[-1].lower() == want.lower()
                        and not n.rsplit("/", 1)[-1].startswith("._")]
                if len(hits) > 1:
                    raise ParseError(
                        f"{len(hits)} copies of {want} in the zip: export one recording per zip",
                        path=path,
                    )
                if hits:
                    self._zip[want] = hits[0]
        elif suffix == ".json":
            try:
                if path.stat().st_size > MAX_DECOMPRESSED_BYTES:  # parsed whole: bounded
                    raise ParseError(f"JSON export larger than "
                                     f"{MAX_DECOMPRESSED_BYTES // 2**20} MB", path=path)
                with path.open(encoding="utf-8-sig") as fh:
                    doc = json.load(fh)
            except (OSError, UnicodeDecodeError, ValueError) as e:
                raise ParseError(f"cannot read JSON ({type(e).__name__})", path=path) from None
            if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
                raise ParseError(
                    "expected the Sensor Logger JSON export (an array of records with 'sensor')",
                    path=path,
                )
            groups: dict[str, list[dict[str, object]]] = {}
            for r in doc:
                groups.setdefault(str(r.get("sensor", "")).lower(), []).append(r)
            self._json = groups

    def _key(self, name: str) -> str:
        return name.removesuffix(".csv").lower()

    def has(self, name: str) -> bool:
        if self._json is not None:
            return self._key(name) in self._json
        if self.path.suffix.lower() == ".zip":
            return name in self._zip
        return (self.path / name).is_file()

    def label(self, name: str) -> str:
        if self._json is not None or self.path.suffix.lower() == ".zip":
            return f"{self.path}:{name}"
        return str(self.path / name)

    def xyz(self, name: str, notes: list[str]) -> _Xyz:
        """The axis stream ``name``: plain CSV text through ``np.loadtxt``, anything else (and
        the JSON export) row by row."""
        if self._json is None:
            if self.path.suffix.lower() == ".zip":
                raw = self._zip_bytes(name)
                fast = _fast_xyz(raw, self.label(name), notes)
                del raw
            else:
                fast = _fast_xyz_file(self.path / name, self.label(name), notes)
            if fast is not None:
                return fast
        return _parse_xyz(self.rows(name), self.label(name), notes)

    def _zip_bytes(self, name: str) -> bytes:
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(self._zip[name]) as member:
                raw = member.read(MAX_DECOMPRESSED_BYTES + 1)  # bounded: a zip bomb stops
        except (OSError, zipfile.BadZipFile) as e:
            raise ParseError(
                f"cannot read {name} in the zip ({type(e).__name__})", path=self.path
            ) from None
        if len(raw) > MAX_DECOMPRESSED_BYTES:
            raise ParseError(f"{name} in the zip is larger than "
                             f"{MAX_DECOMPRESSED_BYTES // 2**20} MB", path=self.path)
        return raw

    def rows(self, name: str) -> list[list[str]]:
        if self._json is not None:
            recs = self._json[self._key(name)]
            header = [k for k in recs[0] if k != "sensor"]
            return [header] + [[str(r.get(k, "")) for k in header] for r in recs]
        if self.path.suffix.lower() == ".zip":
            raw = self._zip_bytes(name)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise ParseError(
                    f"cannot read {name} in the zip ({type(e).__name__})", path=self.path
                ) from None
            try:
                return list(csv.reader(io.StringIO(text, newline="")))
            except csv.Error as e:  # e.g. a field over csv's size limit (issue 14)
                raise ParseError(f"{name} in the zip is not a readable CSV ({e})",
                                 path=self.path) from None
        return _csv_rows(self.path / name)


def _ios_signs(ex: _Export | None) -> bool:
    """True when ``Metadata.csv`` says iOS without "Standardise Units & Frames": acceleration
    and gravity are then the negative of Android's (and of a standard accelerometer's)."""
    if ex is None or not ex.has(SL_META):
        return False
    try:
        rows = [r for r in ex.rows(SL_META) if r]
    except UserInputError:
        return False
    if len(rows) < 2:
        return False
    meta = dict(zip([h.strip().lower() for h in rows[0]], rows[1], strict=False))
    return (meta.get("platform", "").strip().lower() == "ios"
            and meta.get("standardisation", "").strip().lower() != "true")


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        if path.stat().st_size > MAX_DECOMPRESSED_BYTES:  # read whole into rows: bounded
            raise ParseError(f"CSV larger than {MAX_DECOMPRESSED_BYTES // 2**20} MB", path=path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))
    except FileNotFoundError:
        raise UserInputError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read file ({type(e).__name__})", path=path) from None
    except csv.Error as e:  # e.g. a field over csv's size limit (issue 14)
        raise ParseError(f"not a readable CSV ({e})", path=path) from None


def _note(msg: str, notes: list[str]) -> None:
    notes.append(msg)
    warnings.warn(msg, EvenstrideWarning, stacklevel=3)


def _ns(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return int(float(text))  # e.g. "1.66e18" after a spreadsheet round trip


def _parse_xyz(rows: list[list[str]], label: str, notes: list[str]) -> _Xyz:
    """Columns by name; stale leading samples dropped, unsorted rows sorted and duplicated
    timestamps dropped (warnings)."""
    if len(rows) < 2:
        raise ParseError("no header or data", path=label)
    header = [h.strip().lower() for h in rows[0]]
    if not all(c in header for c in ("x", "y", "z")) or not (
        "time" in header or "seconds_elapsed" in header
    ):
        raise ParseError(
            f"expected columns time or seconds_elapsed and x, y, z (found {', '.join(header)})",
            path=label,
        )
    body = [r for r in rows[1:] if r and any(c.strip() for c in r)]
    if len(body) < 3:
        raise NotEnoughDataError(f"only {len(body)} samples", path=label)
    ix = [header.index(c) for c in ("x", "y", "z")]
    it = header.index("time") if "time" in header else None
    ie = header.index("seconds_elapsed") if "seconds_elapsed" in header else None
    try:
        xyz = np.array([[float(r[i]) for i in ix] for r in body])
        t_ns = None if it is None else np.array([_ns(r[it]) for r in body], dtype=np.int64)
        el = None if ie is None else np.array([float(r[ie]) for r in body])
    except (ValueError, IndexError, OverflowError):
        cols = ix + [i for i in (it, ie) if i is not None]
        bad = next((k for k, r in enumerate(body, start=2) if not _row_ok(r, cols)), None)
        where = f"row {bad}: " if bad is not None else ""
        raise ParseError(f"{where}not a number or too few columns", path=label) from None
    return _finish_xyz(xyz, t_ns, el, label, notes)


def _finish_xyz(xyz: np.ndarray, t_ns: np.ndarray | None, el: np.ndarray | None, label: str,
                notes: list[str]) -> _Xyz:
    """Checks and clean-up shared by both parses (see :func:`_parse_xyz`)."""
    if not np.isfinite(xyz).all():
        raise ParseError("non-finite x/y/z values", path=label)
    keep = np.ones(len(xyz), bool)
    if el is not None:
        keep = el >= -STALE_S
        if not keep.any():
            raise ParseError("all samples are before the recording start", path=label)
        if (~keep).any():
            _note(f"{label}: dropped {int((~keep).sum())} stale samples logged more than "
                  f"{STALE_S:g} s before the recording start", notes)
    key = (t_ns if t_ns is not None else el)[keep]  # type: ignore[index]
    xyz = xyz[keep]
    t_ns = None if t_ns is None else t_ns[keep]
    el = None if el is None else el[keep]
    if (np.diff(key) < 0).any():
        order = np.argsort(key, kind="stable")
        key, xyz = key[order], xyz[order]
        t_ns = None if t_ns is None else t_ns[order]
        el = None if el is None else el[order]
        _note(f"{label}: timestamps were not sorted; sorted them", notes)
    dup = np.concatenate(([False], np.diff(key) == 0))
    if dup.any():
        _note(f"{label}: dropped {int(dup.sum())} duplicated timestamps", notes)
        xyz = xyz[~dup]
        t_ns = None if t_ns is None else t_ns[~dup]
        el = None if el is None else el[~dup]
    if len(xyz) < 3:
        raise NotEnoughDataError(f"only {len(xyz)} distinct samples", path=label)
    return _Xyz(label, t_ns, el, xyz)


_BOM = b"\xef\xbb\xbf"
#: ASCII control bytes other than LF and CR, and the quote: such text is read with ``csv``.
_ODD = CONTROL_BYTES + b'"'


def _xyz_file(path: Path, notes: list[str]) -> _Xyz:
    fast = _fast_xyz_file(path, str(path), notes)
    return fast if fast is not None else _parse_xyz(_csv_rows(path), str(path), notes)


def _fast_xyz_file(path: Path, label: str, notes: list[str]) -> _Xyz | None:
    try:
        if path.stat().st_size > MAX_DECOMPRESSED_BYTES:
            return None  # refused by the row-by-row read, with its message
        raw = read_file_bounded(path, MAX_DECOMPRESSED_BYTES)
    except (OSError, ParseError):
        return None
    return _fast_xyz(raw, label, notes)


def _fast_xyz(raw: bytes, label: str, notes: list[str]) -> _Xyz | None:
    """:func:`_parse_xyz` of a plain CSV (ASCII, no quotes or control bytes, one header, every
    other line a row of as many fields, every cell a number, integer ``time``) through
    ``np.loadtxt``; ``None`` for anything else, read row by row (also every error: its message
    is that parse's)."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    plain = plain_ascii(raw, odd=_ODD, max_line=csv.field_size_limit())
    if plain is None:  # odd bytes, or a field csv refuses (its message): row by row
        return None
    raw = plain
    nl = raw.find(b"\n")
    if nl <= 0 or not raw.strip():
        return None
    cells = raw[:nl].decode("ascii").split(",")
    header = [h.strip().lower() for h in cells]
    if not all(c in header for c in ("x", "y", "z")):
        return None
    it = header.index("time") if "time" in header else None
    ie = header.index("seconds_elapsed") if "seconds_elapsed" in header else None
    if it is None and ie is None:
        return None
    body = raw[nl + 1:]
    del raw
    nlines = body.count(b"\n") + (bool(body) and not body.endswith(b"\n"))
    fields: list[tuple[str, object]] = [(f"f{i}", "S1") for i in range(len(cells))]
    for c in ("x", "y", "z", "seconds_elapsed"):
        if c in header:
            fields[header.index(c)] = (f"f{header.index(c)}", np.float64)
    if it is not None:
        fields[it] = (f"f{it}", "U24")
    try:
        arr = np.loadtxt(io.StringIO(body.decode("ascii")), delimiter=",", comments=None,
                         quotechar=None, dtype=np.dtype(fields), ndmin=1)
    except ValueError:
        return None
    if len(arr) != nlines or len(arr) < 3:  # blank lines, or too short: row by row
        return None
    xyz = np.column_stack([arr[f"f{header.index(c)}"] for c in ("x", "y", "z")])
    t_ns = el = None
    if it is not None:
        ts = arr[f"f{it}"]
        # plain digits (what the app writes: 19 for ns since 1970), at most int64's largest:
        # exact in int64; anything else row by row
        n = np.char.str_len(ts)
        if not (np.char.isdigit(ts).all()
                and ((n < 19) | ((n == 19) & (ts <= "9223372036854775807"))).all()):
            return None
        t_ns = ts.astype(np.int64)
    if ie is not None:
        el = np.ascontiguousarray(arr[f"f{ie}"])
    del arr
    return _finish_xyz(xyz, t_ns, el, label, notes)


def _row_ok(r: list[str], cols: list[int]) -> bool:
    try:
        return all(np.isfinite(float(r[i])) for i in cols)
    except (ValueError, IndexError):
        return False


def _align(streams: list[_Xyz]) -> None:
    """Put all streams on one clock in s: Unix-ns ``time`` when every stream has it (origin:
    the first stream's first sample), else ``seconds_elapsed``."""
    ns = [s.t_ns for s in streams]
    el = [s.elapsed for s in streams]
    if all(a is not None for a in ns):
        t0 = int(ns[0][0])  # type: ignore[index]
        for s, a in zip(streams, ns, strict=True):
            s.t = np.asarray(a - t0, dtype=float) / 1e9  # type: ignore[operator]
    elif all(a is not None for a in el):
        t0f = float(el[0][0])  # type: ignore[index]
        for s, a in zip(streams, el, strict=True):
            s.t = np.asarray(a, dtype=float) - t0f
    else:
        raise ParseError(
            "the files share no time column (time or seconds_elapsed)", path=streams[0].label
        )


def _rate(s: _Xyz) -> float:
    return float(1.0 / np.median(np.diff(s.t)))


def _interp(t: np.ndarray, s: _Xyz) -> np.ndarray:
    return np.column_stack([np.interp(t, s.t, s.xyz[:, k]) for k in range(3)])


def read_sensor_logger(
    path: str | os.PathLike[str], gyroscope: str | os.PathLike[str] | None = None
) -> TrunkRecording:
    """Read a Sensor Logger export (see the module docstring): ``path`` is a ``.zip`` or
    ``.json`` export, a folder, or one acceleration CSV (its siblings ``Gravity.csv`` and
    ``Gyroscope.csv`` are used when it has a Sensor Logger name). ``gyroscope`` overrides the
    export's ``Gyroscope.csv``.
    """
    p = Path(path)
    if not p.exists():
        raise UserInputError("file not found", path=p)
    notes: list[str] = []
    ex: _Export | None = None
    if p.is_dir() or p.suffix.lower() in (".zip", ".json"):
        exp = ex = _Export(p)
        if exp.has(SL_ACC):
            main = exp.xyz(SL_ACC, notes)
        elif exp.has(SL_TOTAL):
            main = exp.xyz(SL_TOTAL, notes)
        else:
            raise ParseError(f"no {SL_ACC} or {SL_TOTAL} in the export", path=p)
    else:
        main = _xyz_file(p, notes)
        ex = _Export(p.parent) if p.name.lower() in {n.lower() for n in _SL_NAMES} else None
    # units: calibrated acceleration is m/s² on both platforms; iOS uncalibrated is in g (and
    # holds gravity, so its median vector is ~1 long; a gravity-free one is ~0 long in any unit)
    mag = float(np.linalg.norm(np.median(main.xyz, axis=0)))
    if 0.5 < mag < 2.0 and float(np.percentile(np.abs(main.xyz), 99)) < 20.0:
        main.xyz = main.xyz * G
        mag *= G
        _note(f"{main.label}: acceleration looks like g (gravity {mag / G:.2f} units): "
              "converted to m/s²", notes)
    has_gravity = mag >= 0.5 * G
    gravity: _Xyz | None = None
    if ex is not None and ex.has(SL_GRAVITY):
        gravity = ex.xyz(SL_GRAVITY, notes)
    if not has_gravity and gravity is None:
        if ex is not None and ex.has(SL_TOTAL) and not main.label.endswith(SL_TOTAL):
            main = ex.xyz(SL_TOTAL, notes)
            has_gravity = True
        else:
            raise UserInputError(
                "acceleration without gravity (Sensor Logger's Accelerometer.csv): the vertical "
                f"needs {SL_GRAVITY} or {SL_TOTAL} beside it, or give the zip export",
                path=main.label,
            )
    gyro: _Xyz | None = None
    if gyroscope is not None:
        gp = Path(gyroscope)
        gyro = _xyz_file(gp, notes)
    elif ex is not None and ex.has(SL_GYRO):
        gyro = ex.xyz(SL_GYRO, notes)
    else:
        _note(f"{main.label}: no {SL_GYRO}: the side comes from the medio-lateral "
              "acceleration (less reliable)", notes)
    _align([s for s in (main, gravity, gyro) if s is not None])
    if _ios_signs(ex):  # to Android's convention: only the ML-acceleration side depends on it
        main.xyz = -main.xyz
        if gravity is not None:
            gravity.xyz = -gravity.xyz

    fs = _rate(main)
    if fs < MIN_RATE_HZ:
        raise UserInputError(
            f"accelerometer sampled at {fs:.0f} Hz: step detection needs ≥ {MIN_RATE_HZ:.0f} Hz "
            "(set Sensor Logger's sampling rate to 100 Hz)",
            path=main.label,
        )
    if fs < LOW_RATE_HZ:
        _note(f"{main.label}: accelerometer sampled at {fs:.0f} Hz: IC times are coarse "
              f"(±{500 / fs:.0f} ms)", notes)
    gaps = np.diff(main.t)
    long = gaps > max(GAP_S, 5.0 / fs)
    if long.any():
        _note(f"{main.label}: {int(long.sum())} gaps in the accelerometer (longest "
              f"{float(gaps.max()):.1f} s): steps across them are not counted", notes)
    lo, hi = float(main.t[0]), float(main.t[-1])
    if gyro is not None:
        fg = _rate(gyro)
        if fg < MIN_RATE_HZ:
            _note(f"{gyro.label}: gyroscope sampled at {fg:.0f} Hz, too slow for the side: "
                  "not used (side from the medio-lateral acceleration)", notes)
            gyro = None
        else:
            if abs(fg / fs - 1.0) > 0.1:
                _note(f"{gyro.label}: gyroscope at {fg:.0f} Hz, accelerometer at {fs:.0f} Hz: "
                      "the gyroscope is interpolated onto the accelerometer's times", notes)
            # 35 rad/s ≈ 2000 °/s, the top of common phone gyroscope ranges: higher is deg/s
            if np.nanpercentile(np.abs(gyro.xyz), 99) > 35.0:
                raise ParseError(
                    "rotation rates above 35 rad/s: expected rad/s (Sensor Logger), not deg/s",
                    path=gyro.label,
                )
            lo, hi = max(lo, float(gyro.t[0])), min(hi, float(gyro.t[-1]))
            if hi - lo < 10.0 / fs:
                raise ParseError(
                    "accelerometer and gyroscope do not overlap in time", path=gyro.label
                )
            if hi - lo < 0.9 * (main.t[-1] - main.t[0]):
                _note(f"{gyro.label}: gyroscope covers {hi - lo:.0f} s of the accelerometer's "
                      f"{main.t[-1] - main.t[0]:.0f} s: only the common span is analysed", notes)
    if gravity is not None:
        lo, hi = max(lo, float(gravity.t[0])), min(hi, float(gravity.t[-1]))
        if hi - lo < 10.0 / fs:
            raise ParseError(
                "accelerometer and gravity do not overlap in time", path=gravity.label
            )
    t = lo + np.arange(int(np.floor((hi - lo) * fs)) + 1) / fs
    acc = _interp(t, main)
    if gravity is not None:
        gvec = _interp(t, gravity)
        if not has_gravity:
            acc = acc + gvec
    else:
        gvec = np.column_stack([lowpass(acc[:, k], fs, GRAVITY_LP_HZ) for k in range(3)])
    gnorm = np.linalg.norm(gvec, axis=1)
    if float(np.median(gnorm)) < 0.5 * G:
        raise ParseError("no gravity direction found (|gravity| ≪ 1 g)", path=main.label)
    unit = gvec / np.where(gnorm > 0, gnorm, 1.0)[:, None]
    vertical = np.sum(acc * unit, axis=1)
    # side axes: the phone lies flat against the body, so roll is about its screen normal (z)
    # and the ML acceleration is along the screen axis that is not vertical
    up = int(np.argmax(np.abs(np.median(unit, axis=0))))
    if up in (0, 1):
        ap_axis, ml_axis = 2, 1 - up
        _note(f"{main.label}: phone: whether a positive roll is a left or a right step depends "
              "on which way the screen faces; the left/right labels may be swapped as a whole "
              "(the size of the asymmetry is not affected)", notes)
    else:  # z vertical: a sensor with x forward, or a phone lying flat (AP vs ML unknown)
        ap_axis, ml_axis = 0, 1
        _note(f"{main.label}: the vertical is the device's z axis (a phone lying flat?): roll "
              "taken about x and ML along y, as for a sensor with x forward; the sides may be "
              "unreliable", notes)
    g = None if gyro is None else np.degrees(_interp(t, gyro))
    # time: s since the accelerometer's first sample
    return TrunkRecording(
        t, acc, g, str(p), notes, vertical=vertical, ap_axis=ap_axis, ml_axis=ml_axis
    )
