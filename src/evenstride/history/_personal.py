# SPDX-License-Identifier: MIT
""""Is this normal for me?": one run placed against the runner's own history.

Input: a built :class:`~evenstride.history.History` and one :class:`RunRecord` (a stored run of
that history, or a new run that is not stored). Output: the ``personal_baseline`` part of the
run document (docs/json-schema.md): per asymmetry metric of the run, the runner's usual value
(mean ± SD of the comparable earlier runs), how many runs it rests on, the noise floor (MDC95)
and whether this run is within it, beyond it, or "can't tell" and why.

Method (the history's own rules, :mod:`evenstride.history._baseline`): the comparable runs are
the earlier runs of the same regime (no device change or real change in the runner in between)
that the history itself would compare (same device set-up, surface and speed band, within the
lookback); the noise floor is the metric's MDC95 = 1.96·√2·typical error (Hopkins 2000,
science.md §2.3). This run's deviation from the mean of those runs is compared with MDC95. One
run beyond the noise floor is a reason to look, not yet a change: a change needs several runs,
which :func:`~evenstride.history.build_history` judges.

Everything that reads the history's internals is in :func:`_comparable_earlier`, so a change of
the history's regime rules (e.g. regimes per sensor source) touches one function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride.assessment._assess import metric_name, source_name
from evenstride.history._baseline import BASELINE_EVIDENCE, _comparable, metric_points

if TYPE_CHECKING:
    from evenstride.history._model import RunRecord
    from evenstride.history._result import History

__all__ = ["PERSONAL_NOTE", "personal_baseline"]

#: Said once under the comparison, wherever it is shown.
PERSONAL_NOTE = (
    "One run beyond your noise floor is a reason to look, not yet a change: a real change needs "
    "several runs in a row ('evenstride history' judges that)."
)
_WORDS = {"within": "within your noise floor", "beyond": "beyond your noise floor",
          "cannot tell": "can't tell"}


@dataclass(frozen=True)
class _Earlier:
    """What the history says about the runs this run is compared with (adapter output)."""

    values: list[float]
    balances: list[float]
    since: str | None
    since_reason: str
    device_key: str | None
    mdc95: float | None
    typical_error: float | None
    #: Why there are no comparable runs at all ("" when there are some).
    why_none: str


def _comparable_earlier(history: History, key: str, run: RunRecord) -> _Earlier | None:
    """The comparable earlier runs of ``run`` for metric ``key`` under the history's rules.

    The one adapter over the history's internals (``MetricHistory.points``/``regime_of`` and the
    baseline module's comparability rule). ``None`` when the history has no such metric.
    """
    m = history.metrics.get(key)
    if m is None:
        return None
    me = metric_points([run], key)
    if not me:
        return None
    this = me[0]
    p = history.params
    pts, regime = m.points, m.regime_of
    own = [i for i, q in enumerate(pts) if q.run.activity_id == run.activity_id]
    earlier = [i for i, q in enumerate(pts)
               if q.t < run.start_time and q.run.activity_id != run.activity_id]
    mdc, te = m.mdc95, m.typical_error
    if not earlier:
        return _Earlier([], [], None, "", None, mdc, te, "no earlier run has this metric")
    # the regime this run belongs to: its own when stored, else that of the latest earlier run
    g = regime[own[0]] if own else regime[earlier[-1]]
    same = [i for i in earlier if regime[i] == g]
    starts = [r for r in m.regimes if r.n > 0]
    since_reason = ""
    since = None
    if same:
        first = pts[same[0]]
        since = first.t.date().isoformat()
        for r in starts:
            if r.start.date().isoformat() == since:
                since_reason = r.reason
    oldest = run.start_time - timedelta(days=p.baseline_lookback_days)
    base = [pts[i] for i in same if pts[i].t >= oldest and _comparable(pts[i], this, p)]
    why = ""
    if not same:
        reason = (m.regimes[g].reason if 0 <= g < len(m.regimes) else "") or "a new period"
        why = f"your baseline restarts at this run ({reason})"
    elif not base:
        last = pts[same[-1]]
        if p.match_device and last.device != this.device:
            why = (f"this run was recorded with '{this.device}', your baseline with "
                   f"'{last.device}'")
        else:
            why = ("no earlier run of the same period on the same surface at a similar speed "
                   f"(± {p.speed_band_m_s:g} m/s)")
    return _Earlier(
        values=[q.x for q in base],
        balances=[q.balance for q in base if q.balance is not None],
        since=since,
        since_reason=since_reason,
        device_key=base[-1].device if base else None,
        mdc95=mdc,
        typical_error=te,
        why_none=why,
    )


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _sd(v: Sequence[float]) -> float | None:
    return float(np.std(v, ddof=1)) if len(v) > 1 else None


def _fmt(x: float | None, unit: str, nd: int, *, signed: bool = False) -> str:
    if x is None:
        return "–"
    s = f"{x:+.{nd}f}" if signed else f"{x:.{nd}f}"
    return f"{s} {unit}".replace("-", "−")


def _metric_label(key: str) -> str:
    metric, _, source = key.partition("/")
    name = metric_name(metric)
    return f"{name[:1].upper()}{name[1:]} ({source_name(source)})"


def _one(history: History, key: str, run: RunRecord) -> dict[str, Any] | None:
    e = run.asymmetry.get(key)
    if e is None or e.value is None or not e.usable:
        return None
    metric, _, source = key.partition("/")
    ratio = e.index == "symmetry_angle_pct"
    unit = "% SA" if ratio else e.unit
    nd = 2 if ratio else 3
    need = history.params.min_baseline_runs
    ear = _comparable_earlier(history, key, run)
    values = ear.values if ear else []
    n = len(values)
    mean = float(np.mean(values)) if values else None
    bal = ear.balances if ear else []
    bal_mean = float(np.mean(bal)) if bal else None
    mdc = ear.mdc95 if ear else None
    dev = None if mean is None else float(e.value) - mean
    reason = None
    if ear is None:
        reason = "your history has no earlier runs with this metric"
    elif n == 0:
        reason = ear.why_none or "no comparable earlier runs"
    elif n < need:
        reason = (f"only {n} comparable earlier run{'s' if n != 1 else ''} (same device set-up, "
                  f"surface and speed band; at least {need} needed)")
    elif mdc is None:
        reason = ("no noise floor yet: too few pairs of comparable runs to measure your "
                  "run-to-run variation")
    if reason is not None or dev is None or mdc is None:
        status = "cannot tell"
    else:
        status = "beyond" if abs(dev) > mdc else "within"
    label = _metric_label(key)
    today = (f"{e.balance_left_pct:.1f} % left today" if e.balance_left_pct is not None
             else f"{_fmt(e.value, unit, nd, signed=True)} today")
    if e.balance_left_pct is not None and bal_mean is not None:
        bsd = _sd(bal)
        usual = f"your usual {bal_mean:.1f}" + (f" ± {bsd:.1f}" if bsd is not None else "")
        usual += " % left"
    elif mean is not None:
        sd = _sd(values)
        usual = f"your usual {_fmt(mean, unit, nd, signed=True)}" + (
            f" ± {sd:.{nd}f}" if sd is not None else "")
    else:
        usual = ""
    if n:
        usual += f" ({n} comparable run{'s' if n != 1 else ''}"
        usual += f" since {ear.since})" if ear and ear.since else ")"
    if status == "cannot tell":
        verdict = f"can't tell: {reason}"
    else:
        move = _fmt(dev, unit, nd, signed=True)
        verdict = (f"{move} from your usual, {_WORDS[status]} (MDC95 "
                   f"{_fmt(mdc, unit, nd)})")
    if not usual:
        sentence = f"{label}: {today}; {verdict}."
    elif status == "cannot tell":
        sentence = f"{label}: {today}; {usual}; {verdict}."
    else:
        sentence = f"{label}: {today}; {usual}: {verdict}."
    sd_v = _sd(values)
    return {
        "metric": metric,
        "source": source,
        "key": key,
        "index": e.index,
        "unit": unit,
        "value": _r(e.value),
        "balance_left_pct": _r(e.balance_left_pct),
        "usual": None
        if not n
        else {
            "mean": _r(mean),
            "sd": _r(sd_v),
            "balance_left_pct": _r(bal_mean),
            "balance_sd": _r(_sd(bal)),
            "n_runs": n,
            "since": ear.since if ear else None,
            "since_reason": ear.since_reason if ear else "",
            "device_key": ear.device_key if ear else None,
        },
        "n_comparable_runs": n,
        "min_runs": need,
        "deviation": _r(dev),
        "mdc95": _r(mdc),
        "typical_error": _r(ear.typical_error if ear else None),
        "status": status,
        "reason": reason,
        "sentence": sentence,
    }


def personal_baseline(
    history: History, run: RunRecord, *, athlete: str | None = None
) -> dict[str, Any]:
    """Place ``run`` against the runner's own history (see the module docstring).

    Parameters
    ----------
    history
        The athlete's history (:func:`evenstride.history.build_history`).
    run
        A run of that history (matched by ``activity_id``; it is never its own baseline) or a
        new run; only runs before its start time are its baseline.
    athlete
        The athlete's name, for the document.

    Returns
    -------
    dict
        The ``personal_baseline`` document part (docs/json-schema.md).
    """
    stored = any(r.activity_id == run.activity_id for r in history.runs)
    rows = [x for k in run.asymmetry if (x := _one(history, k, run)) is not None]
    # the history's order of metrics (most runs first), then any the history does not know
    order = {k: i for i, k in enumerate(history.metrics)}
    rows.sort(key=lambda x: (order.get(x["key"], len(order)), x["key"]))
    counts = {s: sum(1 for x in rows if x["status"] == s) for s in ("within", "beyond",
                                                                     "cannot tell")}
    parts = [f"{counts[s]} {_WORDS[s]}" for s in ("beyond", "within", "cannot tell") if counts[s]]
    summary = (f"Against your own {len(history.runs)} runs: " + ", ".join(parts) + "."
               if rows else "This run has no left/right metric to compare with your history.")
    return {
        "athlete": athlete,
        "history_runs": len(history.runs),
        "run_in_history": stored,
        "summary": summary,
        "metrics": rows,
        "note": PERSONAL_NOTE,
        "method": (
            "usual = mean ± SD of the comparable earlier runs (same period since the last device "
            "change or real change, same device set-up, surface and speed band, last "
            f"{history.params.baseline_lookback_days:g} days); noise floor = MDC95 = "
            "1.96·√2·typical error of your consecutive comparable runs (Hopkins 2000)"
        ),
        "evidence": BASELINE_EVIDENCE.to_dict(),
    }
