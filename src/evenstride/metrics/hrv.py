# SPDX-License-Identifier: MIT
"""The one RMSSD of evenstride: resting HRV (``evenstride.hrv``) and in-run HRV
(:func:`hrv_summary`, part of the per-run context) both call :func:`rmssd_ms`.

**RMSSD** = √mean((RR_{i+1} − RR_i)²) over successive normal-to-normal (NN) intervals, in ms:
the square root of the mean squared difference of *adjacent* NN intervals, computed after
artefacts are removed (Task Force of the ESC/NASPE 1996, Eur Heart J 17:354–381, section V
"time domain methods", evidence V).

**Artefact filter**, a common convention in HRV software rather than a validated standard
(the 20 % rule is usually traced to Malik et al. 1989, evidence S; the exact rules here are
evenstride's, U):

1. intervals outside :data:`RR_VALID_S` (0.3–2.0 s, 200–30 bpm) are rejected;
2. an in-range interval differing by more than :data:`MAX_CHANGE` (20 %) from the median of the
   :data:`MEDIAN_BEATS` (11) in-range intervals centred on it is an artefact (ectopic, missed
   or extra beat). A local median follows slow level changes and large but real respiratory
   swings at rest, and one artefact cannot move it (a reference that is the *previous* accepted
   beat rejects real beats after a >20 % respiratory swing and follows an accepted artefact);
3. a successive difference is only taken between two accepted intervals that are adjacent in
   the recording as given, so no difference spans a rejected or out-of-range beat (Task Force:
   differences of *successive* NN intervals).

**In a run file** (:func:`hrv_summary`, the ``hrv_rmssd_ms`` part of the run's context): RMSSD
while running is **not** resting HRV (vagal activity is withdrawn during exercise): it is
reported as "in-run RMSSD". A recording counts as *resting* only when it is shorter than 10 min
(:data:`RESTING_MAX_S`) and has no movement (no running or walking samples).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from evenstride.datatypes import Activity
from evenstride.preprocessing import Gating

__all__ = [
    "IN_RUN_HRV_EVIDENCE",
    "MAX_CHANGE",
    "MEDIAN_BEATS",
    "MIN_RR",
    "RESTING_MAX_S",
    "RR_VALID_S",
    "hrv_summary",
    "rmssd_ms",
]

#: Plausible R-R intervals, s (200–30 bpm).
RR_VALID_S: Final = (0.3, 2.0)
#: Largest accepted deviation from the local median interval (fraction of it).
MAX_CHANGE: Final = 0.20
#: In-range intervals in the centred median that is the artefact rule's reference.
MEDIAN_BEATS: Final = 11


def rmssd_ms(
    rr_s: Sequence[float] | np.ndarray, *, min_diffs: int = 2
) -> tuple[float | None, int, int]:
    """RMSSD (ms) of R-R intervals in seconds, with the artefact filter of the module docstring.

    Parameters
    ----------
    rr_s
        R-R intervals in recording order, s.
    min_diffs
        Fewest accepted successive differences for a value.

    Returns
    -------
    tuple
        ``(rmssd_ms, n_accepted, n_rejected)``, RMSSD rounded to 0.01 ms; ``rmssd_ms`` is None
        with fewer than ``min_diffs`` differences. ``n_rejected`` counts every interval not
        accepted: non-finite, out-of-range and artefact.

    Examples
    --------
    >>> rmssd_ms([0.80, 0.82, 0.80, 0.50, 0.81, 0.80])  # 0.50: an artefact
    (17.32, 5, 1)
    """
    rr = np.asarray(rr_s, dtype=np.float64).reshape(-1)
    in_range = np.isfinite(rr) & (rr >= RR_VALID_S[0]) & (rr <= RR_VALID_S[1])
    keep = np.zeros(len(rr), dtype=bool)
    idx = np.flatnonzero(in_range)
    if len(idx):
        x = rr[idx]
        half = MEDIAN_BEATS // 2
        padded = np.pad(x, half, mode="edge")
        ref = np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)
        keep[idx] = np.abs(x - ref) <= MAX_CHANGE * ref + 1e-12
    pair = keep[1:] & keep[:-1]
    diffs = np.diff(rr)[pair]
    n_ok = int(keep.sum())
    n_bad = len(rr) - n_ok
    if len(diffs) < max(min_diffs, 1):
        return None, n_ok, n_bad
    return round(1000.0 * math.sqrt(float(np.mean(np.square(diffs)))), 2), n_ok, n_bad


#: A resting HRV recording: shorter than this, no movement.
RESTING_MAX_S: Final = 600.0
#: Minimum accepted successive R-R differences for an in-run RMSSD.
MIN_RR: Final = 30
IN_RUN_HRV_EVIDENCE: Final = {
    "grade": "V",
    "sources": ["Task Force ESC/NASPE 1996 Eur Heart J 17:354-381 (RMSSD definition)"],
    "note": (
        "RMSSD during running reflects exercise, not recovery: it is not resting HRV and is not "
        "used for a readiness or recovery trend."
    ),
}


def hrv_summary(act: Activity, g: Gating) -> dict[str, Any]:
    """In-run RMSSD, or resting RMSSD for a short still recording (module docstring)."""
    rr = act.meta.extra.get("rr_intervals_s")
    out: dict[str, Any] = {
        "in_run": None,
        "resting": None,
        "n_intervals": 0,
        "n_rejected": 0,
        "reason": None,
        "evidence": IN_RUN_HRV_EVIDENCE,
    }
    if rr is None or len(rr) == 0:
        out["reason"] = "no R-R intervals in the file"
        return out
    value, n_ok, n_bad = rmssd_ms(np.asarray(rr, dtype=np.float64), min_diffs=MIN_RR)
    out.update(n_intervals=n_ok, n_rejected=n_bad)
    if value is None:
        out["reason"] = f"too few clean R-R intervals ({n_ok})"
        return out
    still = not bool((g.running | g.walking).any())
    if act.duration_s < RESTING_MAX_S and still:
        out["resting"] = value
    else:
        out["in_run"] = value
        out["reason"] = (
            "in-run RMSSD: measured while moving, not resting HRV (a resting value needs a "
            "recording under 10 min without movement)"
        )
    return out
