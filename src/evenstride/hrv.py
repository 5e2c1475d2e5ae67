# SPDX-License-Identifier: MIT
"""Resting heart-rate variability from a still R-R recording (pure: no store, no CLI).

Input: a file holding beat-to-beat (R-R) intervals recorded at rest — a CSV export of an HRV app
or a chest strap (:func:`read_rr_csv`), or a FIT file with ``hrv`` messages recorded while still
(:func:`read_rr_fit`). Output: one resting RMSSD per recording (:func:`resting_value`), which the
athlete history trends against the athlete's own range (``evenstride.history``).

**RMSSD** and its artefact filter are the core's :func:`evenstride.metrics.hrv.rmssd_ms` (one
implementation for resting and in-run HRV; Task Force of the ESC/NASPE 1996, Eur Heart J
17:354–381, V; the 20 % local-median artefact rule is a convention, S/U).

A value needs at least :data:`MIN_DURATION_S` (60 s) of recording and :data:`MIN_BEATS` (50)
accepted intervals. Every error is one line naming the file (:class:`UserInputError`).

>>> value, n_ok, n_bad = rmssd_ms([0.80, 0.82] * 30)
>>> value, n_ok, n_bad
(20.0, 60, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from evenstride.exceptions import UserInputError
from evenstride.io import RestRecording, read_rest_recording, read_rr_csv, read_rr_fit
from evenstride.metrics.hrv import MAX_CHANGE, RR_VALID_S, rmssd_ms

__all__ = [
    "MAX_CHANGE",
    "MIN_BEATS",
    "MIN_DURATION_S",
    "RR_VALID_S",
    "RestRecording",
    "read_rest_recording",
    "read_rr_csv",
    "read_rr_fit",
    "resting_value",
    "rmssd_ms",
]

#: A resting value needs at least this much recording (s) …
MIN_DURATION_S: Final = 60.0
#: … and this many accepted intervals.
MIN_BEATS: Final = 50


@dataclass(frozen=True)
class RestingValue:
    """One resting RMSSD with what it came from."""

    source: str
    when: datetime
    rmssd_ms: float
    n_beats: int
    n_rejected: int
    duration_s: float
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "when": self.when.isoformat(),
            "rmssd_ms": self.rmssd_ms,
            "n_beats": self.n_beats,
            "n_rejected": self.n_rejected,
            "duration_s": round(self.duration_s, 1),
            "kind": self.kind,
        }


def resting_value(path: str | Path, *, when: datetime | None = None) -> RestingValue:
    """The resting RMSSD of one recording (module docstring). ``when`` overrides (or supplies)
    the recording's start time.

    Raises :class:`UserInputError` (one line naming the file) when the file cannot be read, is
    a run, is shorter than 60 s, has fewer than 50 accepted beats, or has no start time and
    ``when`` is not given.
    """
    rec = read_rest_recording(path)
    p = Path(path)
    ok = rec.rr_s[np.isfinite(rec.rr_s)]
    dur = float(ok[(ok >= RR_VALID_S[0]) & (ok <= RR_VALID_S[1])].sum())
    if dur < MIN_DURATION_S:
        raise UserInputError(
            f"recording too short ({dur:.0f} s of R-R intervals; at least "
            f"{MIN_DURATION_S:.0f} s needed)",
            path=p,
        )
    value, n_ok, n_bad = rmssd_ms(rec.rr_s)
    if value is None or n_ok < MIN_BEATS:
        raise UserInputError(
            f"too few clean beats ({n_ok} accepted, {n_bad} rejected as artefacts; at least "
            f"{MIN_BEATS} needed)",
            path=p,
        )
    start = when or rec.start
    if start is None:
        raise UserInputError(
            "the file has no date or time (no time column, none in the file name); give it "
            "with --when YYYY-MM-DDTHH:MM",
            path=p,
        )
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return RestingValue(str(path), start.astimezone(UTC), value, n_ok, n_bad, dur, rec.kind)
