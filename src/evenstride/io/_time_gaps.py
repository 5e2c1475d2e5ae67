# SPDX-License-Identifier: MIT
"""Implausible time jumps in one recording (issue 14): the readers keep one plausible stretch.

A FIT, TCX or GPX file whose timestamps jump by years (a clock reset, a corrupt byte, a
year-9999 time) would otherwise report a duration of hundreds of millions of seconds, and every
later step that lays samples on a regular time grid would size that grid by the wall-clock span
(gigabytes). :func:`plausible_stretch` keeps the stretch of records an activity can span and
says how many records it dropped, so the reader can warn with the count.

The bounds are engineering limits on one activity file, not physiology (evidence grade: none
needed, they only decide what is certainly not one run):

- :data:`MAX_GAP_S`: a pause longer than 12 h within one recording is not a pause of that
  recording (watches stop or split the activity well before; multi-day ultras stop for sleep
  for a few hours);
- :data:`MAX_SPAN_S`: 48 h, above the longest single-stage mountain ultra cut-offs (UTMB
  171 km: 46 h 30 min, UTMB race regulations 2024).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["MAX_GAP_S", "MAX_SPAN_S", "Stretch", "overlap_notes", "plausible_stretch",
           "stretch_note"]

#: Largest gap between consecutive samples of one recording (see the module text).
MAX_GAP_S: Final = 12 * 3600.0
#: Largest span of one recording (see the module text).
MAX_SPAN_S: Final = 48 * 3600.0


@dataclass(frozen=True)
class Stretch:
    """The records kept: ``keep`` (mask over the sorted timestamps) and what was dropped."""

    keep: np.ndarray
    n_dropped: int
    #: Largest gap split at (s), 0 when none.
    largest_gap_s: float
    #: Whether records past :data:`MAX_SPAN_S` from the stretch's start were dropped.
    span_cut: bool


def plausible_stretch(ts_sorted: np.ndarray) -> Stretch:
    """The plausible stretch of sorted timestamps ``ts_sorted`` (s).

    Split at gaps over :data:`MAX_GAP_S`, keep the piece with the most records (the earliest of
    equal ones), then drop its records past :data:`MAX_SPAN_S` from its start. Memory is
    proportional to the number of records, never to the span.

    >>> s = plausible_stretch(np.array([0.0, 1.0, 2.0, 6.3e8, 6.3e8 + 1]))
    >>> s.keep.tolist(), s.n_dropped
    ([True, True, True, False, False], 2)
    """
    ts = np.asarray(ts_sorted, dtype=np.float64)
    n = len(ts)
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return Stretch(keep, 0, 0.0, False)
    gaps = np.diff(ts)
    cut = np.flatnonzero(gaps > MAX_GAP_S)
    largest = float(gaps[cut].max()) if len(cut) else 0.0
    if len(cut):
        starts = np.concatenate(([0], cut + 1))
        ends = np.concatenate((cut + 1, [n]))
        best = int(np.argmax(ends - starts))  # first of the largest pieces
        keep[:] = False
        keep[starts[best]:ends[best]] = True
    first = ts[keep][0]
    over = keep & (ts - first > MAX_SPAN_S)
    keep &= ~over
    return Stretch(keep, int(n - keep.sum()), largest, bool(over.any()))


def stretch_note(s: Stretch, what: str) -> str | None:
    """The warning for a :class:`Stretch` (``what``: "records", "trackpoints"), or ``None``."""
    if not s.n_dropped:
        return None
    why = []
    if s.largest_gap_s:
        why.append(f"the time jumps by up to {_span_text(s.largest_gap_s)} "
                   f"(more than {MAX_GAP_S / 3600:.0f} h)")
    if s.span_cut:
        why.append(f"one recording spans at most {MAX_SPAN_S / 3600:.0f} h")
    return (f"dropped {s.n_dropped} {what} with implausible times ({'; '.join(why)}): "
            "analysed the longest plausible stretch")


def _span_text(seconds: float) -> str:
    """A long time span in words: years, days or hours.

    >>> _span_text(6.3e8), _span_text(2 * 86400.0), _span_text(13 * 3600.0)
    ('20 years', '2 days', '13 h')
    """
    if seconds >= 365.25 * 86400:
        return f"{seconds / (365.25 * 86400):.0f} years"
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / 3600:.0f} h"


def overlap_notes(lt: np.ndarray, rt: np.ndarray, med_stride_s: float, *,
                  what: str) -> list[str]:
    """A warning when one side's series (sorted times, s) starts later or ends earlier than the
    other's by more than 5 median strides (a truncated pod file or export, issue 14): only the
    overlap is compared.

    >>> overlap_notes(np.arange(0.0, 100.0), np.arange(0.0, 60.0), 1.0, what="pod's file")[0][:45]
    "the right pod's file ends 39 s earlier than t"
    """
    if not (len(lt) and len(rt)):
        return []
    tol = 5.0 * med_stride_s if np.isfinite(med_stride_s) else 5.0
    lo, hi = max(lt[0], rt[0]), min(lt[-1], rt[-1])
    notes = []
    for side, t in (("left", lt), ("right", rt)):
        late, early = float(t[0] - min(lt[0], rt[0])), float(max(lt[-1], rt[-1]) - t[-1])
        if late > tol or early > tol:
            how = " and ".join(x for x in (f"starts {late:.0f} s later" if late > tol else "",
                                           f"ends {early:.0f} s earlier" if early > tol else "")
                               if x)
            notes.append(f"the {side} {what} {how} than the other side's (truncated?): "
                         f"left/right is compared only over the {max(hi - lo, 0.0):.0f} s both "
                         "sides cover")
    return notes
