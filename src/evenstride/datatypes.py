# SPDX-License-Identifier: MIT
"""The one side-labelled model every reader produces and every later stage consumes.

An :class:`Activity` is what a reader returns:

- ``samples``: a sample table, ``dict[str, np.ndarray]`` keyed by :mod:`evenstride.consts` column
  names, all arrays float64, equal length, NaN for missing, sorted by ``TIME_S``.
- ``sided``: a list of :class:`SidedChannel`, one per (metric, source), with left/right values
  (and/or a % left balance) aligned with the sample table.
- ``meta``: sport, start time, devices, file format and what was analysed of a multisport file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from evenstride import consts
from evenstride.exceptions import ValidationError

SampleTable = dict[str, np.ndarray]


@dataclass(frozen=True)
class Segment:
    """One session (leg) of the recording, whether analysed or not."""

    #: Sport name as written by the device (``"running"``, ``"cycling"``, ``"transition"``…).
    sport: str
    #: Sub-sport (``"treadmill"``, ``"trail"``, ``"track"``, ``"indoor_running"``…) or ``None``.
    sub_sport: str | None
    #: Start and end, seconds since the activity start.
    start_s: float
    end_s: float
    #: Whether this segment's samples are in the activity's sample table.
    analysed: bool


@dataclass
class ActivityMeta:
    """Descriptive information about a recording."""

    path: str | None = None
    #: ``"fit"``, ``"tcx"``, ``"gpx"``, ``"simulated"``…
    file_format: str = "unknown"
    sport: str = "running"
    sub_sport: str | None = None
    #: UTC start time of the activity.
    start_time: datetime | None = None
    #: Manufacturer/product strings of the devices that wrote or fed the file.
    devices: list[str] = field(default_factory=list)
    #: All sessions of the file (one for a simple run).
    segments: list[Segment] = field(default_factory=list)
    #: True when the run is on a treadmill or indoors (sub-sport, or no position data).
    indoor: bool = False
    #: Free-form extras (e.g. developer-field applications found).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SidedChannel:
    """Left/right values of one metric from one source, aligned with the sample table.

    A channel carries ``left`` and ``right`` (in the metric's unit), and/or ``balance_left_pct``
    (the left foot's share of the total, Garmin's convention: >50 % means the left value is larger).
    When only balance and a bilateral mean exist, readers derive the sides:
    ``left = 2·mean·b/100`` and ``right = 2·mean·(1 − b/100)``.
    """

    metric: str
    source: str
    unit: str
    left: np.ndarray | None = None
    right: np.ndarray | None = None
    balance_left_pct: np.ndarray | None = None
    #: True when left/right were derived from a balance and a bilateral mean.
    derived_from_balance: bool = False
    #: Human description of where the numbers came from (field names), for reports.
    origin: str = ""

    def __post_init__(self) -> None:
        if self.left is None and self.right is None and self.balance_left_pct is None:
            raise ValidationError(f"SidedChannel {self.metric}/{self.source} has no data")
        if (self.left is None) != (self.right is None):
            raise ValidationError(
                f"SidedChannel {self.metric}/{self.source} needs both sides or neither"
            )

    def __len__(self) -> int:
        arr = self.left if self.left is not None else self.balance_left_pct
        assert arr is not None
        return len(arr)

    @property
    def key(self) -> str:
        """``metric/source``: unique within an activity."""
        return f"{self.metric}/{self.source}"

    def take(self, index: np.ndarray) -> SidedChannel:
        """Return a copy restricted to ``index`` (boolean mask or integer index)."""

        def _t(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[index]

        return dataclasses.replace(
            self,
            left=_t(self.left),
            right=_t(self.right),
            balance_left_pct=_t(self.balance_left_pct),
        )


@dataclass
class Activity:
    """A recording in evenstride's side-labelled model (see module docstring)."""

    samples: SampleTable
    sided: list[SidedChannel] = field(default_factory=list)
    meta: ActivityMeta = field(default_factory=ActivityMeta)
    #: Warnings the reader raised while building this activity (also emitted as warnings).
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert_sample_table(self.samples)
        n = len(self.samples[consts.TIME_S])
        for ch in self.sided:
            if len(ch) != n:
                raise ValidationError(
                    f"SidedChannel {ch.key} has {len(ch)} values but the sample table has {n}"
                )

    @property
    def n_samples(self) -> int:
        return len(self.samples[consts.TIME_S])

    def column(self, name: str) -> np.ndarray:
        """The column ``name`` or an all-NaN array when the file does not have it."""
        col = self.samples.get(name)
        if col is None:
            return np.full(self.n_samples, np.nan)
        return col

    def has(self, name: str) -> bool:
        """True when column ``name`` exists and holds at least one finite value."""
        col = self.samples.get(name)
        return col is not None and bool(np.isfinite(col).any())

    def channel(self, metric: str, source: str | None = None) -> SidedChannel | None:
        for ch in self.sided:
            if ch.metric == metric and (source is None or ch.source == source):
                return ch
        return None

    def take(self, index: np.ndarray) -> Activity:
        """A new activity restricted to the sample rows in ``index``."""
        return Activity(
            samples={k: v[index] for k, v in self.samples.items()},
            sided=[ch.take(index) for ch in self.sided],
            meta=self.meta,
            warnings=list(self.warnings),
        )

    @property
    def duration_s(self) -> float:
        t = self.samples[consts.TIME_S]
        return float(t[-1] - t[0]) if len(t) else 0.0

    @property
    def distance_m(self) -> float | None:
        d = self.samples.get(consts.DISTANCE_M)
        if d is None or not np.isfinite(d).any():
            return None
        return float(np.nanmax(d) - np.nanmin(d))


def assert_sample_table(samples: SampleTable) -> None:
    """Raise :class:`ValidationError` unless ``samples`` is a valid sample table."""
    if consts.TIME_S not in samples:
        raise ValidationError(f"sample table has no {consts.TIME_S!r} column")
    n = len(samples[consts.TIME_S])
    bad = [k for k, v in samples.items() if not isinstance(v, np.ndarray) or v.shape != (n,)]
    if bad:
        raise ValidationError(f"sample table columns with wrong type or length: {sorted(bad)}")
    unknown = sorted(set(samples) - set(consts.SAMPLE_COLUMN_UNITS))
    if unknown:
        raise ValidationError(f"sample table has unknown columns: {unknown}")
    t = samples[consts.TIME_S]
    if n > 1 and not bool(np.all(np.diff(t) >= 0)):
        raise ValidationError("sample table is not sorted by time")
