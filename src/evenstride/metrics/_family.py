# SPDX-License-Identifier: MIT
"""Family-wise control of everything one run says is "real" or "changed" (issue 10).

Called by :func:`evenstride.pipeline.analyze` after all asymmetries and drifts are computed,
before the assessment reads them. Design (docs/methods.md, "Intervals and false alarms"):

- **Primary statements**, one p-value each from the calibrated interval method of
  :mod:`evenstride.metrics._intervals`: the asymmetry of every channel and source, the drift
  slope of every series, and every pair of sources of the same metric ("these two sensors
  disagree": the difference of their indices). Holm (1979) step-down over all of them at
  :data:`~evenstride.metrics.asymmetry.FAMILY_ALPHA` = 5 % family-wise.
- **Secondary statements** are only examined under a rejected parent (hierarchical gate): the
  first-vs-last-quarter change and the onset of a series only when its slope is "real"; the
  per-context asymmetry (bends, hills, speed bands) only when the channel's asymmetry is "real".
  Each secondary is tested at ``α / m`` (Bonferroni over the ``m`` primary statements, the most
  stringent Holm level), so for a symmetric runner (all primaries null) no secondary can fire
  unless a primary falsely did: the family-wise rate is that of the primary Holm step.
- Displayed intervals stay 95 %; ``decision_level`` in the JSON says how the decision was made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evenstride.metrics._intervals import holm, t_two_sided_p
from evenstride.metrics.asymmetry import FAMILY_ALPHA, ChannelAsymmetry
from evenstride.metrics.drift import SMALLEST_IMPORTANT_CHANGE, DriftResult


def _below_smallest_important(d: DriftResult) -> str | None:
    sid = SMALLEST_IMPORTANT_CHANGE.get(d.name) or SMALLEST_IMPORTANT_CHANGE.get(d.unit)
    if sid is None or d.slope_per_h is None or d.window_t_s is None or len(d.window_t_s) < 2:
        return None
    hours = float(d.window_t_s[-1] - d.window_t_s[0]) / 3600.0
    change = abs(d.slope_per_h) * hours
    if change >= sid.change:
        return None
    return (
        f"detectable but small: {change:.3g} {d.unit} over the run, below the smallest important "
        f"change {sid.change:g} ({sid.source})"
    )


@dataclass(frozen=True)
class FamilySummary:
    """What the family-wise step did (for the JSON ``quality`` block and the calibration)."""

    n_statements: int
    alpha: float
    n_real: int

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "Holm step-down over the run's primary statements; quarters, onset and "
            "contexts only under a real parent, at alpha/m",
            "n_statements": self.n_statements,
            "family_alpha": self.alpha,
            "n_real": self.n_real,
        }


def _disagreement_p(a: ChannelAsymmetry, b: ChannelAsymmetry) -> float | None:
    va, vb = a.index_value, b.index_value
    if (
        va is None
        or vb is None
        or a.index_se is None
        or b.index_se is None
        or a.index_df is None
        or b.index_df is None
        or a.verdict == "cant_tell"
        or b.verdict == "cant_tell"
    ):
        return None
    se = math.hypot(a.index_se, b.index_se)
    if not math.isfinite(se) or se <= 0:
        return None
    return t_two_sided_p((va - vb) / se, min(a.index_df, b.index_df))


def control_family(
    asymmetry: list[ChannelAsymmetry],
    drifts: dict[str, DriftResult],
    *,
    alpha: float = FAMILY_ALPHA,
) -> FamilySummary:
    """Set ``verdict`` / ``real`` / ``significant`` of every statement to the family-wise
    controlled decision (in place) and return a summary."""
    tests: list[tuple[str, object, float]] = []
    for r in asymmetry:
        if r.verdict != "cant_tell" and r.p_value is not None:
            tests.append(("asym", r, r.p_value))
    for d in drifts.values():
        if d.verdict != "cant_tell" and d.slope_p is not None:
            tests.append(("drift", d, d.slope_p))
    pairs: list[tuple[ChannelAsymmetry, ChannelAsymmetry]] = []
    for i, a in enumerate(asymmetry):
        for b in asymmetry[i + 1 :]:
            if a.metric != b.metric or a.source == b.source:
                continue
            p = _disagreement_p(a, b)
            if p is not None:
                tests.append(("pair", (a, b), p))
                pairs.append((a, b))
            else:
                a.disagreement_verdicts[b.key] = "cant_tell"
                b.disagreement_verdicts[a.key] = "cant_tell"
    m = len(tests)
    rejected, adjusted = holm([p for _k, _o, p in tests], alpha)
    level = f"Holm-adjusted p ≤ {alpha:g} over {m} run statements (family-wise)"
    secondary_alpha = alpha / max(m, 1)
    n_real = 0
    for (kind, obj, _p), rej, p_adj in zip(tests, rejected, adjusted, strict=True):
        n_real += int(rej)
        verdict = "real" if rej else "not_detected"
        if kind == "asym":
            assert isinstance(obj, ChannelAsymmetry)
            obj.verdict, obj.p_adjusted, obj.decision = verdict, p_adj, level
            if not rej:
                obj.verdict_reason = (
                    "the interval is compatible with no left/right difference once all of this "
                    f"run's {m} statements are accounted for (adjusted p = {p_adj:.2g})"
                )
            for c in obj.by_context:
                if c.p_value is None:
                    continue
                c.verdict = "real" if rej and c.p_value <= secondary_alpha else "not_detected"
                if not rej:
                    c.verdict_reason = "the channel's overall asymmetry is not real"
        elif kind == "drift":
            assert isinstance(obj, DriftResult)
            obj.verdict, obj.p_adjusted, obj.decision = verdict, p_adj, level
            small = _below_smallest_important(obj) if rej else None
            if small is not None:
                rej = False
                obj.verdict, obj.verdict_reason = "not_detected", small
            if rej:
                qp = obj.quarter_p
                obj.quarter_verdict = (
                    "real" if qp is not None and qp <= secondary_alpha else "not_detected"
                )
            elif small is None:
                obj.verdict_reason = (
                    f"no change beyond this run's noise (adjusted p = {p_adj:.2g} over {m} "
                    "statements)"
                )
            if not rej:
                obj.quarter_verdict = "not_detected"
                # hierarchical gate: no onset statement without a real change
                obj.onset_s = obj.onset_ci95 = obj.onset_kind = None
        else:
            a, b = obj  # type: ignore[misc]
            a.disagreement_verdicts[b.key] = verdict
            b.disagreement_verdicts[a.key] = verdict
    for d in drifts.values():
        if d.verdict == "cant_tell":
            d.onset_s = d.onset_ci95 = d.onset_kind = None
    return FamilySummary(n_statements=m, alpha=alpha, n_real=n_real)
