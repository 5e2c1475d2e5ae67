# SPDX-License-Identifier: MIT
"""Build an athlete's :class:`~evenstride.history._model.History` from their runs: each part comes
from its own module (baseline and changes per metric, load, shoes, surface, links, HRV); here they
are put together, with the list of device changes that restarted a metric's baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from evenstride.history._baseline import DEVICE_EVIDENCE, MetricHistory, analyse_metric
from evenstride.history._links import links_for_metric
from evenstride.history._load import load_status
from evenstride.history._model import HistoryParams, RunRecord
from evenstride.history._resting_hrv import hrv_report
from evenstride.history._result import History
from evenstride.history._session_load import run_trimps, session_rpe_load
from evenstride.history._shoes import ShoeInfo, shoe_asymmetry, shoe_report
from evenstride.history._surface import surface_report

__all__ = ["build_history", "device_changes"]


def device_changes(
    runs: Sequence[RunRecord], metrics: Mapping[str, MetricHistory]
) -> list[dict[str, Any]]:
    """One entry per run at which the sensor producing at least one metric changed, listing
    each restarted metric once (its step at that run); other device changes restart nothing."""
    by_run: dict[Any, list[Any]] = {}
    for m in metrics.values():
        for s in m.device_steps:
            by_run.setdefault((s.at, str(s.activity_id)), []).append(s)
    out = []
    for (at, _aid), steps in sorted(by_run.items(), key=lambda kv: kv[0][0]):
        first = steps[0]
        out.append(
            {
                "date": at.date().isoformat(),
                "activity_id": first.activity_id,
                "from": first.from_setup,
                "to": first.to_setup,
                "metrics": [s.key for s in steps],
                "baseline_restarts": True,
                "steps": [s.to_dict() for s in steps],
                "evidence": DEVICE_EVIDENCE.to_dict(),
            }
        )
    return out


def build_history(
    runs: Sequence[RunRecord],
    *,
    declared_road_side: str | None = None,
    crosses_at_turnaround: bool = False,
    shoes: Sequence[ShoeInfo] = (),
    resting_hrv: Sequence[tuple[datetime, float]] = (),
    hr_rest_bpm: float | None = None,
    hr_max_bpm: float | None = None,
    sex: str = "male",
    params: HistoryParams | None = None,
    metrics_only: bool = False,
) -> History:
    """Analyse an athlete's runs across time (see the module docstring and docs).

    Parameters
    ----------
    runs
        One record per run (any order; non-running sports are ignored).
    declared_road_side
        ``"left"`` or ``"right"``: the side of the road the athlete runs on, relative to the
        direction of travel at the start (camber exposure; evidence U). ``None``: use the side
        stored with each run, if any.
    crosses_at_turnaround
        The athlete crosses the road at the turnaround of an out-and-back.
    shoes
        Optional attributes per pair (type, drop, reminder distance).
    resting_hrv
        ``(time, RMSSD ms)`` of resting recordings the athlete imported (``evenstride hrv
        import``); trended in ``hrv.resting`` against the athlete's own range.
    hr_rest_bpm, hr_max_bpm, sex
        Heart-rate settings for TRIMP (defaults: 60 bpm; 190 bpm raised to the highest HR seen).
    params
        Matching, monitoring, load and bootstrap settings.
    metrics_only
        Only what places one run against the runner's own baseline
        (:func:`~evenstride.history.personal_baseline`): the per-metric analyses, the same
        values as in the whole history (they come first and draw the same random numbers); no
        load, shoes, surface, links or HRV. Such a history is not a document
        (:meth:`History.to_dict` refuses it).
    """
    if declared_road_side not in (None, "left", "right"):
        raise ValueError("declared_road_side must be 'left', 'right' or None")
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female' (TRIMP weighting)")
    p = params or HistoryParams()
    rs = sorted(
        (r for r in runs if (r.sport or "running") == "running"), key=lambda r: r.start_time
    )
    if not rs:
        raise ValueError("no running activities to build a history from")
    rng = np.random.default_rng(p.seed)
    counts: dict[str, int] = {}
    for r in rs:
        for k, e in r.asymmetry.items():
            if e.usable:
                counts[k] = counts.get(k, 0) + 1
    metrics: dict[str, MetricHistory] = {}
    for key in sorted(counts, key=lambda k: (-counts[k], k)):
        m = analyse_metric(rs, key, p, rng)
        if m is not None:
            metrics[key] = m
    if metrics_only:
        return History(runs=rs, params=p, metrics=metrics,
                       device_changes=device_changes(rs, metrics), load={}, shoes={},
                       surface={}, links=[], hrv={}, declared_road_side=declared_road_side,
                       metrics_only=True)
    trimps, tparams = run_trimps(rs, hr_rest_bpm, hr_max_bpm, sex)
    load = load_status(rs, p, trimp=trimps, trimp_params=tparams)
    load["session_rpe"] = session_rpe_load(rs, load)
    shoe = shoe_report(rs, shoes, p)
    shoe["asymmetry"] = {k: shoe_asymmetry(m, p, rng) for k, m in metrics.items()}
    surface, one_sided = surface_report(rs, declared_road_side, crosses_at_turnaround)
    links: list[dict[str, Any]] = []
    for m in metrics.values():
        links += links_for_metric(
            m,
            rs,
            spikes=load["longest_run_flags"],
            camber_week_share=one_sided or None,
            p=p,
            rng=rng,
        )
    return History(
        runs=rs,
        params=p,
        metrics=metrics,
        device_changes=device_changes(rs, metrics),
        load=load,
        shoes=shoe,
        surface=surface,
        links=links,
        hrv=hrv_report(rs, resting_hrv),
        declared_road_side=declared_road_side,
    )
