# SPDX-License-Identifier: MIT
"""Athlete history store (an adapter: the analysis core never imports it).

Input: analysed runs (the ``evenstride.run/1`` document, the sample table). Output: per-athlete
history queries — one row per activity, one row per activity × asymmetry metric × source — and,
per activity, the full document and the per-second samples.

Everything goes through :class:`ActivityStore`; :func:`open_store` returns the embedded SQLite
implementation (:class:`evenstride.store._sqlite.Store`), the engine decision is in
``docs/store.md``. Another engine (a server database) only has to implement the protocol.

>>> import tempfile, os
>>> with open_store(os.path.join(tempfile.mkdtemp(), "h.sqlite")) as store:
...     me = store.athlete("default")
...     [a.name for a in store.list_athletes()], store.activities(me.id)
(['default'], [])
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import numpy as np

from evenstride.exceptions import UserInputError

if TYPE_CHECKING:
    from evenstride.datatypes import Activity
    from evenstride.store._sqlite import Store

__all__ = [
    "DEFAULT_ATHLETE",
    "DISTANCE_TOLERANCE",
    "DURATION_TOLERANCE",
    "PREFIX_START_TOLERANCE_S",
    "START_TOLERANCE_S",
    "ActivityRow",
    "ActivityStore",
    "AsymmetryRow",
    "Athlete",
    "Fingerprint",
    "RestingHrv",
    "Shoe",
    "ShoeSettings",
    "StoreError",
    "default_db_path",
    "open_store",
    "parse_time",
    "richness",
]

#: Athlete used when none is named (``--athlete``).
DEFAULT_ATHLETE: Final = "default"
#: Environment variable overriding the store location (``--db`` wins over it).
ENV_DB: Final = "EVENSTRIDE_DB"
#: Two recordings are the same activity when their starts are at most this far apart (s) …
START_TOLERANCE_S: Final = 60.0
#: … their durations differ by at most this fraction of the longer one …
DURATION_TOLERANCE: Final = 0.02
#: … and, when both are known, so do their distances.
DISTANCE_TOLERANCE: Final = 0.02
#: A recording is a truncated copy of another (the same file cut short) when their starts are at
#: most this far apart (s), their devices are the same and its samples are the other's first
#: samples. Both start stamps come from the same recording, so they agree to the second.
PREFIX_START_TOLERANCE_S: Final = 1.0

#: Shoe types the athlete can enter (``evenstride shoe set --type``).
SHOE_TYPES: Final = ("road", "trail", "track", "racing")
#: Session RPE scale: Borg CR-10 as used by Foster's session-RPE method (0 rest … 10 maximal).
RPE_RANGE: Final = (0.0, 10.0)

#: File formats ranked by how much they can carry (FIT holds per-foot and running-dynamics data).
FORMAT_RANK: Final[dict[str, int]] = {"fit": 3, "tcx": 2, "gpx": 1}


class StoreError(UserInputError):
    """The store cannot be opened or used (newer schema, not a database, unwritable …)."""


@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one activity across exports: start, duration and distance.

    >>> a = Fingerprint(1_700_000_000.0, 3600.0, 10_000.0)
    >>> a.matches(Fingerprint(1_700_000_030.0, 3630.0, 10_150.0))
    True
    >>> a.matches(Fingerprint(1_700_000_000.0, 3600.0, 10_500.0))
    False
    """

    #: Start, seconds since the Unix epoch (UTC).
    start_ts: float
    duration_s: float
    distance_m: float | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Fingerprint | None:
        """From an ``evenstride.run/1`` document; ``None`` when it has no start time."""
        start = _parse_time(doc.get("start_time"))
        if start is None or doc.get("duration_s") is None:
            return None
        return cls(start.timestamp(), float(doc["duration_s"]), _float(doc.get("distance_m")))

    def matches(self, other: Fingerprint) -> bool:
        if abs(self.start_ts - other.start_ts) > START_TOLERANCE_S:
            return False
        if not _close(self.duration_s, other.duration_s, DURATION_TOLERANCE):
            return False
        if self.distance_m is not None and other.distance_m is not None:
            return _close(self.distance_m, other.distance_m, DISTANCE_TOLERANCE)
        return True


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9


def richness(doc: Mapping[str, Any], n_columns: int = 0) -> int:
    """How much a recording carries, to keep the richest of several copies of one activity.

    Ordered by: number of side-labelled channels (left/right data), then file format
    (FIT > TCX > GPX), then number of sample columns with data.

    >>> richness({"asymmetry": [{}], "file_format": "fit"}, 12) > richness(
    ...     {"asymmetry": [], "file_format": "fit"}, 30)
    True
    """
    n_sided = len(doc.get("asymmetry") or [])
    fmt = FORMAT_RANK.get(str(doc.get("file_format")), 0)
    return n_sided * 10_000 + fmt * 1_000 + min(int(n_columns), 999)


@dataclass(frozen=True)
class ActivityRow:
    """One stored activity: what it was, where it came from, and its summary numbers."""

    id: int
    athlete_id: int
    start_time: datetime | None
    duration_s: float
    distance_m: float | None
    sport: str | None
    sub_sport: str | None
    file_format: str | None
    devices: tuple[str, ...]
    gear: str | None
    name: str | None
    indoor: bool | None
    #: The kept file: its path (``archive.zip!member`` inside archives) and content hash.
    source_name: str
    sha256: str
    richness: int
    #: doc.quality: samples, seconds of steady running judged, shares of recorded time.
    n_samples: int | None
    analysed_s: float | None
    running_share: float | None
    steady_share: float | None
    #: doc.form.cadence_speed
    cadence_at_reference_spm: float | None
    reference_speed_m_s: float | None
    cadence_slope_spm_per_m_s: float | None
    low_cadence_share: float | None
    #: Load inputs (docs/store.md): moving and running time, mean running speed, ascent,
    #: time-weighted mean and maximum heart rate, seconds with a heart rate.
    moving_s: float | None
    running_s: float | None
    mean_speed_m_s: float | None
    ascent_m: float | None
    hr_mean_bpm: float | None
    hr_max_bpm: float | None
    hr_s: float | None
    n_asymmetry: int
    n_findings: int
    n_warnings: int
    imported_at: str

    @property
    def fingerprint(self) -> Fingerprint | None:
        if self.start_time is None:
            return None
        return Fingerprint(self.start_time.timestamp(), self.duration_s, self.distance_m)


@dataclass(frozen=True)
class AsymmetryRow:
    """One activity × metric × source (doc.asymmetry[] plus that channel's drift)."""

    activity_id: int
    start_time: datetime | None
    metric: str
    source: str
    unit: str | None
    left: float | None
    right: float | None
    balance_left_pct: float | None
    balance_left_pct_ci95: tuple[float, float] | None
    symmetry_angle_pct: float | None
    symmetry_index_pct: float | None
    log_ratio: float | None
    difference: float | None
    #: Which index ``ci95`` and ``class_`` refer to (``symmetry_angle_pct`` or ``difference``).
    index: str | None
    ci95: tuple[float, float] | None
    n: int | None
    n_steps: int | None
    n_effective: float | None
    real: bool | None
    larger_side: str | None
    #: doc "class": typical, notable, marked, no reference, within noise, insufficient data.
    class_: str | None
    evidence_grade: str | None
    derived_from_balance: bool | None
    drift_slope_per_h: float | None
    drift_slope_ci95: tuple[float, float] | None
    drift_onset_s: float | None
    drift_quarter_difference: float | None
    drift_significant: bool | None


@dataclass(frozen=True)
class Shoe:
    """A gear name with its use (from the activities that name it)."""

    name: str
    n_activities: int
    distance_m: float
    duration_s: float
    first_used: datetime | None
    last_used: datetime | None


@dataclass(frozen=True)
class ShoeSettings:
    """What the athlete said about a pair (``evenstride shoe set``): a stored row. The services
    hand it to the history as :class:`evenstride.history.ShoeInfo`."""

    name: str
    type: str | None = None
    drop_mm: float | None = None
    retire_km: float | None = None
    retired: bool = False


@dataclass(frozen=True)
class RestingHrv:
    """One resting heart-rate-variability value the athlete imported (a still R-R recording)."""

    #: Start of the recording (UTC, timezone-aware).
    when: datetime
    rmssd_ms: float
    #: Accepted beats the value was computed from.
    n_beats: int
    #: Where it came from (file name).
    source: str


@runtime_checkable
class ActivityStore(Protocol):
    """Everything the importer, the history analyses and the web app need from a store.

    Athletes are separate histories in one store. Files are known by the SHA-256 of their bytes
    (after gzip is unwrapped); activities by their :class:`Fingerprint`. Every write is one
    transaction: an activity is stored with its rows, document and samples, or not at all.
    """

    def athlete(self, name: str, create: bool = True) -> Athlete:
        """The athlete called ``name`` (created unless ``create`` is false → ``KeyError``)."""
        ...

    def list_athletes(self) -> list[Athlete]: ...

    def has_file(self, athlete_id: int, sha256: str) -> int | None:
        """The activity a file with this hash was stored as (kept or duplicate), else None."""
        ...

    def skipped_reason(self, athlete_id: int, sha256: str) -> str | None:
        """Why an earlier import (same evenstride version) skipped this file, else None."""
        ...

    def record_skipped(self, athlete_id: int, sha256: str, source_name: str, reason: str) -> None:
        """Remember a file that is not imported (not running, too little running) and why."""
        ...

    def find_duplicate(self, athlete_id: int, fingerprint: Fingerprint) -> ActivityRow | None:
        """A stored activity of this athlete matching ``fingerprint`` (closest start first)."""
        ...

    def athlete_by_id(self, athlete_id: int) -> Athlete:
        """The athlete with this id (``KeyError`` when unknown)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Reads and writes inside are one transaction (``BEGIN IMMEDIATE``): no other writer
        stores anything between a check and the insert it decides."""
        ...

    def find_prefix_copy(
        self, athlete_id: int, summary: Mapping[str, Any], samples_blob: bytes
    ) -> tuple[ActivityRow, int] | None:
        """A stored activity this recording is a truncated copy of (or the reverse), and how
        many more samples the new recording has (negative: fewer); else None."""
        ...

    def add_activity(
        self,
        athlete_id: int,
        summary: Mapping[str, Any],
        samples_blob: bytes,
        *,
        sha256: str,
        source_name: str,
        gear: str | None = None,
        name: str | None = None,
        load: Mapping[str, float | None] | None = None,
        external_id: str | None = None,
        replaces: int | None = None,
    ) -> int:
        """Store one analysed activity in one transaction and return its id."""
        ...

    def link_duplicate(
        self,
        activity_id: int,
        *,
        sha256: str,
        source_name: str,
        file_format: str | None = None,
        gear: str | None = None,
        name: str | None = None,
        external_id: str | None = None,
    ) -> None:
        """Record another file of an already stored activity (fills a missing name/gear)."""
        ...

    def activity(self, activity_id: int) -> ActivityRow:
        """One activity (``KeyError`` when unknown)."""
        ...

    def activities(
        self,
        athlete_id: int,
        *,
        since: datetime | date | str | None = None,
        until: datetime | date | str | None = None,
    ) -> list[ActivityRow]:
        """The athlete's activities by start time (``since`` inclusive, ``until`` exclusive)."""
        ...

    def asymmetry_rows(
        self, athlete_id: int, metric: str | None = None, source: str | None = None
    ) -> list[AsymmetryRow]: ...

    def analysis_doc(self, activity_id: int) -> dict[str, Any]:
        """The full ``evenstride.run/1`` document as analysed at import."""
        ...

    def analysis_docs(
        self,
        athlete_id: int,
        *,
        since: datetime | date | str | None = None,
        until: datetime | date | str | None = None,
    ) -> Iterator[tuple[ActivityRow, dict[str, Any]]]:
        """Each activity of the athlete with its document, by start time (one query)."""
        ...

    def history_docs(
        self, athlete_id: int, *, skipped: list[str] | None = None
    ) -> Iterator[tuple[ActivityRow, dict[str, Any]]]:
        """Each activity of the athlete with the part of its document the history reads
        (``activities.history_doc``, schema version 5), by start time: what
        ``evenstride.history.RunRecord.from_run_doc`` needs, without decompressing documents."""
        ...

    def samples(self, activity_id: int) -> dict[str, np.ndarray]:
        """The per-second sample columns (float64; side channels as ``metric/source:side``)."""
        ...

    def load_activity(self, activity_id: int) -> Activity:
        """The stored recording as an :class:`~evenstride.datatypes.Activity` (re-analysis)."""
        ...

    def shoes(self, athlete_id: int) -> list[Shoe]: ...

    def set_gear(self, activity_ids: Sequence[int], gear: str | None) -> int:
        """Record (or clear) the shoe worn for activities; ``KeyError`` for an unknown id."""
        ...

    # --- what the athlete enters (schema version 2) ------------------------------------------
    def set_shoe(
        self,
        athlete_id: int,
        name: str,
        *,
        type: str | None = None,
        drop_mm: float | None = None,
        retire_km: float | None = None,
        retired: bool | None = None,
    ) -> ShoeSettings:
        """Create or update what the athlete says about a pair (``None`` keeps the stored
        value); returns the stored attributes. ``ValueError`` for an unknown type, a negative
        drop or a non-positive reminder distance."""
        ...

    def shoe_infos(self, athlete_id: int) -> list[ShoeSettings]:
        """Every pair the athlete described, by name."""
        ...

    def set_session_rpe(self, activity_id: int, rpe: float, note: str | None = None) -> None:
        """Session RPE (CR-10, 0–10) of one activity, replacing an earlier entry
        (``KeyError`` for an unknown activity, ``ValueError`` outside 0–10)."""
        ...

    def session_rpes(self, athlete_id: int) -> dict[int, float]:
        """Activity id → session RPE, for the athlete's activities that have one."""
        ...

    def add_resting_hrv(
        self, athlete_id: int, when: datetime, rmssd_ms: float, n_beats: int, source: str
    ) -> bool:
        """Store one resting RMSSD; False (nothing changed) when the athlete already has a
        value recorded at that time, or the same recording (same RMSSD and beat count) at any
        time: re-importing a file, from another path or with another ``--when``, is harmless."""
        ...

    def resting_hrv(self, athlete_id: int) -> list[RestingHrv]:
        """The athlete's resting HRV values, oldest first."""
        ...

    def close(self) -> None: ...


def default_db_path() -> Path:
    """``$EVENSTRIDE_DB``, else ``$XDG_DATA_HOME/evenstride/evenstride.sqlite``, else
    ``~/.local/share/evenstride/evenstride.sqlite``."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else None
    if base is None:
        base = Path.home() / ".local" / "share"
    return base / "evenstride" / "evenstride.sqlite"


def open_store(
    path: str | os.PathLike[str] | None = None,
    *,
    readonly: bool = False,
    busy_timeout_s: float = 30.0,
) -> Store:
    """Open (creating and migrating if needed) the store at ``path`` or :func:`default_db_path`.

    ``readonly=True`` opens an existing store for reading only (a web app next to an import).

    Raises
    ------
    StoreError
        Not a database, a schema newer than this evenstride, or not writable.
    """
    from evenstride.store._sqlite import Store

    return Store(default_db_path() if path is None else Path(path), readonly=readonly,
                 busy_timeout_s=busy_timeout_s)


def __getattr__(name: str) -> Any:
    if name == "Store":
        from evenstride.store._sqlite import Store

        return Store
    if name == "asymmetry_table_rows":  # the asymmetry table's rows of one run document
        from evenstride.store._sqlite import asymmetry_table_rows

        return asymmetry_table_rows
    raise AttributeError(f"module 'evenstride.store' has no attribute {name!r}")


def _float(x: Any) -> float | None:
    return None if x is None else float(x)


def _parse_time(x: Any) -> datetime | None:
    if x is None or x == "":
        return None
    if isinstance(x, datetime):
        return x if x.tzinfo is not None else x.replace(tzinfo=UTC)
    try:
        t = datetime.fromisoformat(str(x))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


#: An ISO 8601 date or time (or a datetime) as an aware UTC datetime; ``None`` when it is not one.
parse_time = _parse_time
