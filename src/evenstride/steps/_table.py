# SPDX-License-Identifier: MIT
"""The one step model: :class:`StepTable` (one row per contact, every detector's output) and
:class:`StepDetector` (the base every step detector implements).

Every per-step source — two foot IMUs, a force plate, foot markers — gives the same table, so the
activity builders and the documents read the same column names whatever found the steps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Any, Generic, Self, TypeVar

import numpy as np

__all__ = ["StepDetector", "StepTable"]

_EMPTY = np.zeros(0)


def _empty() -> np.ndarray:
    return _EMPTY


@dataclass
class StepTable:
    """Per-contact values, one row per detected contact (stance) in time order; s unless stated.

    Timing (every source): ``ic_s``/``tc_s`` (initial contact, toe-off), ``side`` ("left" or
    "right"), ``contact_time_s`` (TC − IC), ``flight_time_s`` (this foot's TC to the other foot's
    next IC), ``step_time_s`` (this IC to the other foot's next IC), ``stride_time_s`` (this IC to
    this foot's next IC), ``cadence_spm`` (60 / step time) and ``duty_factor`` (contact / stride).
    How each detector fills them (gaps, missed contacts) is documented with the detector.

    Source-specific values are per-contact arrays too, empty when the source has none:
    ``peak_acc_g`` (foot IMU), ``peak_vgrf_bw``, ``loading_rate_bw_s`` and the impulses (force
    plate), ``kinematics`` (marker angles per metric). ``table["left"]`` is the table of one side.
    """

    ic_s: np.ndarray
    tc_s: np.ndarray
    side: np.ndarray
    contact_time_s: np.ndarray
    flight_time_s: np.ndarray
    step_time_s: np.ndarray
    stride_time_s: np.ndarray
    cadence_spm: np.ndarray
    duty_factor: np.ndarray
    #: Foot IMU: the largest |acc| between IC and TC (g, gravity included).
    peak_acc_g: np.ndarray = field(default_factory=_empty)
    #: Force plate (body weights): peak vertical force, loading rate, impulses.
    peak_vgrf_bw: np.ndarray = field(default_factory=_empty)
    loading_rate_bw_s: np.ndarray = field(default_factory=_empty)
    vertical_impulse_bw_s: np.ndarray = field(default_factory=_empty)
    braking_impulse_bw_s: np.ndarray = field(default_factory=_empty)
    propulsive_impulse_bw_s: np.ndarray = field(default_factory=_empty)
    #: Contacts whose side vote agrees with the L/R alternation (None: sides are not voted).
    side_consistency: int | None = None
    #: Force plate: the horizontal force component taken as antero-posterior.
    ap_axis: str = ""
    #: Force plate: mean 101-point stance curve per side (BW).
    curves_bw: dict[str, np.ndarray] = field(default_factory=dict)
    #: Marker kinematics per contact: side-labelled metric (consts) → one value per contact.
    kinematics: dict[str, np.ndarray] = field(default_factory=dict)
    #: Origin text per kinematic metric when it differs from the default.
    kinematic_origins: dict[str, str] = field(default_factory=dict)
    #: What found the contacts: "foot_imu", "force" or "markers".
    event_source: str = "force"
    #: Extra facts for ``meta.extra`` (marker layout, inferred belt speed, …).
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_timing(
        cls,
        *,
        ic_s: np.ndarray,
        tc_s: np.ndarray,
        side: np.ndarray,
        contact_time_s: np.ndarray,
        flight_time_s: np.ndarray,
        step_time_s: np.ndarray,
        stride_time_s: np.ndarray,
        **rest: Any,
    ) -> StepTable:
        """A table from a detector's timing: ``cadence_spm`` = 60 / step time and
        ``duty_factor`` = contact time / stride time (NaN where those are NaN or 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            cadence, duty = 60.0 / step_time_s, contact_time_s / stride_time_s
        return cls(ic_s=ic_s, tc_s=tc_s, side=side, contact_time_s=contact_time_s,
                   flight_time_s=flight_time_s, step_time_s=step_time_s,
                   stride_time_s=stride_time_s, cadence_spm=cadence, duty_factor=duty, **rest)

    @property
    def n_contacts(self) -> int:
        return len(self.ic_s)

    def __len__(self) -> int:
        return len(self.ic_s)

    def __getitem__(self, side: str) -> StepTable:
        """The rows of one side (``"left"`` or ``"right"``), in time order."""
        m = self.side == side
        n = len(self.ic_s)
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray) and len(v) == n:
                kw[f.name] = v[m]
            elif f.name == "kinematics":
                kw[f.name] = {k: a[m] for k, a in v.items()}
            else:
                kw[f.name] = v
        return StepTable(**kw)

    @classmethod
    def from_sides(cls, tables: dict[str, StepTable], **meta: Any) -> StepTable:
        """One table from per-side tables: rows merged in IC order (each side keeps its order);
        ``meta`` sets the non-column fields (``event_source``, ``extra`` …)."""
        parts = [tables[s] for s in ("left", "right") if s in tables]
        order = np.argsort(np.concatenate([p.ic_s for p in parts]), kind="stable")
        kw: dict[str, Any] = {}
        for f in fields(cls):
            vals = [getattr(p, f.name) for p in parts]
            if all(isinstance(v, np.ndarray) and len(v) == len(p)
                   for v, p in zip(vals, parts, strict=True)):
                kw[f.name] = np.concatenate(vals)[order]
        return cls(**kw, **meta)


S = TypeVar("S")


class StepDetector(ABC, Generic[S]):
    """Base of every step detector: ``detect(samples, sampling_rate_hz=…)`` finds the contacts
    (and their sides) and returns the detector with its results in ``steps_``."""

    @abstractmethod
    def detect(self, samples: S, *, sampling_rate_hz: float) -> Self:
        """Find the steps of ``samples``; results in attributes ending in ``_``."""
