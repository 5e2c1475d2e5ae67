# SPDX-License-Identifier: MIT
"""Per-run left/right asymmetry of every side-labelled channel, with an interval that respects
serial correlation.

For each :class:`~evenstride.datatypes.SidedChannel` the steady-running samples give per-sample
left and right values (or, for a balance-only channel, ``L = b`` and ``R = 100 − b``, which gives
the same ratio). The run's asymmetry is computed from the *means* of each side (the convention of
the running-asymmetry literature: an index of per-limb means), and its 95 % interval from the
linearised index with a batch-means standard error and, for 1 Hz watch/strap channels, a
persistence floor measured on real files (:mod:`evenstride.metrics._intervals`; calibration in
docs/methods.md). The verdict ("real" / "not_detected" / "cant_tell") is set per test here and
replaced by the family-wise controlled decision of :mod:`evenstride.metrics._family` in
:func:`evenstride.pipeline.analyze`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, SidedChannel
from evenstride.metrics import symmetry as sym
from evenstride.metrics._intervals import (
    WATCH_PRIOR,
    LinearInterval,
    PersistencePrior,
    data_tau,
    linear_interval,
    linear_p_below,
    median_step,
)
from evenstride.preprocessing import Gating

#: Metrics on a ratio scale (positive values): symmetry angle/index and log ratio apply.
#: Others (pronation angles, foot-strike type) are compared as left − right differences only,
#: because SA/SI blow up near zero or across sign changes (science.md §1.1, §1.6).
RATIO_SCALE_METRICS = frozenset(
    {
        consts.M_CONTACT_TIME,
        consts.M_IMPACT_G,
        consts.M_BRAKING_G,
        consts.M_SHOCK_G,
        consts.M_POWER,
        consts.M_STEP_LENGTH,
        consts.M_FLIGHT_RATIO,
        consts.M_PEAK_VGRF_BW,
        consts.M_LOADING_RATE_BW_S,
        consts.M_STEP_TIME,
        # impulses are positive magnitudes per contact (the braking one as |impulse|)
        consts.M_VERTICAL_IMPULSE_BW_S,
        consts.M_BRAKING_IMPULSE_BW_S,
        consts.M_PROPULSIVE_IMPULSE_BW_S,
    }
)

#: Minimum steady-running samples for a judgement.
MIN_SAMPLES = 20
#: Minimum steps per side for any verdict (a design floor; the real gate is the effective sample
#: size, :data:`~evenstride.metrics._intervals.MIN_N_EFFECTIVE`). science.md §2.3 recommends
#: ≥ 100 per side for stable estimates; a 30 s lab trial (~40 per side of nearly independent
#: steps) still gets a verdict when its calibrated interval allows.
MIN_STEPS_PER_SIDE = 20
#: Remove a clear linear trend from the influence series before estimating the noise (a trend
#: is a drift, judged separately); see docs/methods.md.
DETREND_FOR_NOISE = True
#: p-value below which a linear trend is treated as drift rather than noise (design choice).
TREND_P = 0.01
#: Family-wise error rate of the run's "real / changed" statements (issue 10; docs/methods.md).
FAMILY_ALPHA = 0.05
#: Verdict values.
VERDICTS = ("real", "not_detected", "cant_tell")
#: Minimum samples in a context (bend, hill, speed band) for its own interval.
MIN_CONTEXT_SAMPLES = 60


@dataclass
class ContextAsymmetry:
    """Asymmetry within one context (straight, left-hand bends, uphill, a speed band…)."""

    context: str
    n: int
    symmetry_angle_pct: float | None
    ci95: tuple[float, float] | None
    balance_left_pct: float | None
    difference: float | None
    mean_speed_m_s: float | None
    p_value: float | None = None
    verdict: str = "cant_tell"
    verdict_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "p_value": _r(self.p_value, 5),
            "context": self.context,
            "n": self.n,
            "symmetry_angle_pct": _r(self.symmetry_angle_pct),
            "ci95": None if self.ci95 is None else [_r(self.ci95[0]), _r(self.ci95[1])],
            "balance_left_pct": _r(self.balance_left_pct),
            "difference": _r(self.difference, 5),
            "mean_speed_m_s": _r(self.mean_speed_m_s),
        }


@dataclass
class ChannelAsymmetry:
    """The per-run asymmetry of one metric from one source (numbers only; no judgement)."""

    metric: str
    source: str
    unit: str
    ratio_scale: bool
    derived_from_balance: bool
    origin: str
    n: int
    n_steps: float | None
    n_effective: float | None
    block_len: int | None
    left: float | None = None
    right: float | None = None
    balance_left_pct: float | None = None
    balance_ci95: tuple[float, float] | None = None
    symmetry_angle_pct: float | None = None
    symmetry_angle_ci95: tuple[float, float] | None = None
    symmetry_index_pct: float | None = None
    log_ratio: float | None = None
    difference: float | None = None
    difference_ci95: tuple[float, float] | None = None
    enough_data: bool = True
    by_context: list[ContextAsymmetry] = field(default_factory=list)
    #: Per-sample index (SA for ratio-scale metrics, else L−R) for drift analysis; NaN off-mask.
    per_sample: np.ndarray | None = None
    #: Standard error, degrees of freedom and two-sided p of the index (same method as ci95).
    index_se: float | None = None
    index_df: float | None = None
    p_value: float | None = None
    #: Holm-adjusted p over all statements of the run (set by the family-wise step).
    p_adjusted: float | None = None
    #: How the verdict was decided (e.g. "Holm over 9 run statements, family-wise 5 %").
    decision: str | None = None
    verdict: str = "cant_tell"
    verdict_reason: str | None = None
    #: Persistence floor used for the interval (None: data-driven batch means only).
    prior: PersistencePrior | None = None
    #: Decisions on "this source disagrees with that one" (other key → verdict), family-wise.
    disagreement_verdicts: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.metric}/{self.source}"

    @property
    def index_value(self) -> float | None:
        """SA for ratio-scale metrics, else the L−R difference."""
        return self.symmetry_angle_pct if self.ratio_scale else self.difference

    @property
    def index_ci95(self) -> tuple[float, float] | None:
        return self.symmetry_angle_ci95 if self.ratio_scale else self.difference_ci95

    @property
    def real(self) -> bool | None:
        """The calibrated, family-wise controlled decision: True ("real"), False ("not
        detected") or None ("can't tell from this run", see :attr:`verdict_reason`)."""
        if self.verdict == "cant_tell":
            return None
        return self.verdict == "real"

    def verdict_dict(self) -> dict[str, object]:
        """The decision fields for the JSON document."""
        return {
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "p_value": _r(self.p_value, 6),
            "p_adjusted": _r(self.p_adjusted, 6),
            "decision_level": self.decision,
            "index_se": _r(self.index_se, 5),
            "index_df": _r(self.index_df, 1),
            "interval_method": "batch means (t, k−1 df)"
            + ("" if self.prior is None else " with the real-file persistence floor"),
        }

    def to_dict(self) -> dict[str, object]:
        return {"metric": self.metric, "source": self.source, **self.verdict_dict()}

    @property
    def larger_side(self) -> str | None:
        v = self.index_value
        if v is None or v == 0:
            return None
        return "left" if v > 0 else "right"


def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), nd)


def _pseudo_sides(ch: SidedChannel) -> tuple[np.ndarray, np.ndarray]:
    if ch.left is not None and ch.right is not None:
        return ch.left, ch.right
    assert ch.balance_left_pct is not None
    return ch.balance_left_pct, 100.0 - ch.balance_left_pct


def channel_asymmetry(
    activity: Activity,
    channel: SidedChannel,
    gating: Gating,
    *,
    seed: int = 0,
) -> ChannelAsymmetry:
    """Compute the asymmetry of ``channel`` over the steady-running samples of ``activity``."""
    ratio = channel.metric in RATIO_SCALE_METRICS
    left, right = _pseudo_sides(channel)
    valid = gating.steady & np.isfinite(left) & np.isfinite(right)
    if ratio:
        valid &= (left > 0) & (right > 0)
    n = int(valid.sum())
    cad = activity.column(consts.CADENCE_SPM)
    n_steps: float | None = None
    if np.isfinite(cad[valid]).any():
        n_steps = float(np.nansum(cad[valid] / 60.0 * gating.weight_s[valid]))
    has_sides = channel.left is not None
    unit = channel.unit
    res = ChannelAsymmetry(
        metric=channel.metric,
        source=channel.source,
        unit=unit,
        ratio_scale=ratio,
        derived_from_balance=channel.derived_from_balance,
        origin=channel.origin,
        n=n,
        n_steps=None if n_steps is None else round(n_steps),
        n_effective=None,
        block_len=None,
    )
    per = np.full(activity.n_samples, np.nan)
    if n == 0:
        res.enough_data = False
        res.verdict_reason = "no steady-running samples with both sides"
        res.per_sample = per
        return res
    lv, rv = left[valid], right[valid]
    if ratio:
        per[valid] = np.asarray(sym.symmetry_angle(lv, rv))
    else:
        per[valid] = lv - rv
    res.per_sample = per
    ml, mr = float(lv.mean()), float(rv.mean())
    if has_sides:
        res.left, res.right = ml, mr
        res.difference = ml - mr
    if channel.balance_left_pct is not None or (ratio and has_sides):
        res.balance_left_pct = float(sym.balance_left_pct(ml, mr)) if ratio else None
    if ratio:
        res.symmetry_angle_pct = float(sym.symmetry_angle(ml, mr))
        res.symmetry_index_pct = float(sym.symmetry_index(ml, mr))
        res.log_ratio = float(sym.log_ratio(ml, mr))
    t_s = activity.samples[consts.TIME_S][valid]
    prior = prior_for(channel, t_s)
    res.prior = prior
    # a per-step recording's rows are strides, not seconds: say so in a "can't tell"
    rows = "strides" if "step_rows" in activity.meta.extra else "samples"
    if n < 4:
        res.enough_data = False
        res.verdict_reason = f"only {n} steady-running {rows}"
        return res
    ix = _index_interval(lv, rv, ratio, t_s, prior)
    res.n_effective = round(ix.n_effective, 1)
    res.block_len = ix.n // max(ix.n_batches, 1)
    res.index_se, res.index_df, res.p_value = ix.se, ix.df, ix.p_value
    steps_ok = n_steps is None or n_steps >= 2 * MIN_STEPS_PER_SIDE
    enough = n >= MIN_SAMPLES and steps_ok and ix.enough and np.isfinite(ix.se)
    res.enough_data = bool(enough)
    if not enough:
        res.verdict_reason = _not_enough_reason(n, n_steps, ix, rows)
        res.verdict = "cant_tell"
    else:
        res.verdict = "real" if ix.p_value <= FAMILY_ALPHA else "not_detected"
        res.decision = "per-test 95 % (not yet family-wise)"
    if not enough:
        # an interval resting on too few independent stretches is not shown (it would be absurd)
        if not ratio and not has_sides:
            res.difference = ml - mr
        return res
    ci = ix.ci()
    if ratio:
        res.symmetry_angle_ci95 = ci
        bal = _linear_interval_of(
            lambda a, b: sym.balance_left_pct(a, b), lv, rv, t_s, prior
        )
        res.balance_ci95 = bal.ci()
    if has_sides or not ratio:
        res.difference_ci95 = ci if not ratio else _linear_interval_of(
            lambda a, b: a - b, lv, rv, t_s, prior
        ).ci()
    if not ratio and not has_sides:
        res.difference = ml - mr
    res.by_context = _contexts(activity, gating, valid, left, right, ratio, has_sides, prior)
    return res


def prior_for(channel: SidedChannel, t_s: np.ndarray) -> PersistencePrior | None:
    """The persistence floor of a channel: the real-file watch model for 1 Hz running-dynamics
    (strap/watch/pod GCT balance) recordings; none for per-step channels (lab, IMU, RunScribe),
    whose step-to-step noise is nearly independent (docs/methods.md, noise table)."""
    if channel.source != consts.SRC_RUNNING_DYNAMICS or len(t_s) < 2:
        return None
    return WATCH_PRIOR


def _not_enough_reason(n: int, n_steps: float | None, ix: LinearInterval,
                       rows: str = "samples") -> str:
    if n < MIN_SAMPLES:
        return f"only {n} steady-running {rows} (need {MIN_SAMPLES})"
    if n_steps is not None and n_steps < 2 * MIN_STEPS_PER_SIDE:
        return f"only about {n_steps / 2:.0f} steps per side (need {MIN_STEPS_PER_SIDE})"
    return (
        f"only ~{ix.n_effective:.0f} independent stretches of data in this run (need "
        f"{ix.n_effective_needed:.0f}): the signal wanders too slowly for this run's length"
    )


def _linear_interval_of(
    fn: object,
    lv: np.ndarray,
    rv: np.ndarray,
    t_s: np.ndarray,
    prior: PersistencePrior | None,
) -> LinearInterval:
    """Interval of ``fn(mean L, mean R)`` by the delta method (numerical gradient)."""
    f = fn  # a callable of two floats
    ml, mr = float(lv.mean()), float(rv.mean())
    est = float(f(ml, mr))  # type: ignore[operator]
    hl = 1e-6 * max(abs(ml), 1e-3)
    hr = 1e-6 * max(abs(mr), 1e-3)
    gl = (float(f(ml + hl, mr)) - float(f(ml - hl, mr))) / (2 * hl)  # type: ignore[operator]
    gr = (float(f(ml, mr + hr)) - float(f(ml, mr - hr))) / (2 * hr)  # type: ignore[operator]
    z = gl * (lv - ml) + gr * (rv - mr)
    if DETREND_FOR_NOISE and len(z) > 10:
        # A clear linear trend over the run is a drift (judged by the drift analysis), not noise;
        # it is removed only when it is beyond the noise itself (p < TREND_P, same interval
        # method), so slow wander that merely looks like a trend still counts as noise.
        tc = t_s - t_s.mean()
        den = float(tc @ tc)
        if den > 0:
            w_tr = tc / den
            z_detrended = z - tc * float(w_tr @ z)
            # both intervals below judge persistence on it, at the same sample times
            tau_d = data_tau(z_detrended)
            dt = median_step(t_s)
            if prior is not None:  # the same decision, mostly without the floor variance
                clear = linear_p_below(TREND_P, float(w_tr @ z), z, w_tr, t_s=t_s,
                                       prior=prior, series_tau=tau_d, dt_s=dt)
            else:
                trend = linear_interval(
                    float(w_tr @ z), z, w_tr, t_s=t_s, prior=prior, tau_series=z_detrended,
                    series_tau=tau_d, dt_s=dt,
                )
                clear = trend.enough and trend.p_value < TREND_P
            if clear:
                z = z_detrended
            # the persistence (batch length) is always judged without the straight-line trend,
            # which would otherwise read as slow noise; the variance keeps it unless it is clear
            return linear_interval(est, z, t_s=t_s, prior=prior, tau_series=z_detrended,
                                   series_tau=tau_d, dt_s=dt)
    return linear_interval(est, z, t_s=t_s, prior=prior)


def _index_interval(
    lv: np.ndarray, rv: np.ndarray, ratio: bool, t_s: np.ndarray, prior: PersistencePrior | None
) -> LinearInterval:
    if ratio:
        return _linear_interval_of(lambda a, b: sym.symmetry_angle(a, b), lv, rv, t_s, prior)
    return _linear_interval_of(lambda a, b: a - b, lv, rv, t_s, prior)


def _contexts(
    activity: Activity,
    gating: Gating,
    valid: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    ratio: bool,
    has_sides: bool,
    prior: PersistencePrior | None,
) -> list[ContextAsymmetry]:
    speed = activity.column(consts.SPEED_M_S)
    masks: list[tuple[str, np.ndarray]] = []
    if gating.has_position and not gating.indoor:
        masks += [
            ("straight", gating.straight),
            ("bend_left", gating.bend_left),
            ("bend_right", gating.bend_right),
        ]
    if gating.has_altitude and not gating.indoor:
        masks += [
            ("uphill", gating.uphill),
            ("flat", gating.flat),
            ("downhill", gating.downhill),
        ]
    sp = speed[valid]
    if np.isfinite(sp).sum() >= 3 * MIN_CONTEXT_SAMPLES:
        q1, q2 = np.nanpercentile(sp, [100 / 3, 200 / 3])
        if q2 - q1 > 0.05:
            masks += [
                (f"speed<{q1:.2f}m/s", np.nan_to_num(speed, nan=-1) < q1),
                (f"speed {q1:.2f}-{q2:.2f}m/s", (speed >= q1) & (speed < q2)),
                (f"speed>={q2:.2f}m/s", np.nan_to_num(speed, nan=-1) >= q2),
            ]
    out: list[ContextAsymmetry] = []
    for name, m in masks:
        mm = valid & m
        k = int(mm.sum())
        if k == 0:
            out.append(
                ContextAsymmetry(
                    name, 0, None, None, None, None, None, verdict_reason="no samples here"
                )
            )
            continue
        lv, rv = left[mm], right[mm]
        ml, mr = float(lv.mean()), float(rv.mean())
        sa = float(sym.symmetry_angle(ml, mr)) if ratio else None
        bal = float(sym.balance_left_pct(ml, mr)) if ratio else None
        ci = None
        p = None
        reason: str | None = f"only {k} samples in this context (need {MIN_CONTEXT_SAMPLES})"
        if k >= MIN_CONTEXT_SAMPLES:
            t_s = activity.samples[consts.TIME_S][mm]
            ix = _index_interval(lv, rv, ratio, t_s, prior)
            if ix.enough and np.isfinite(ix.se):
                ci, p, reason = ix.ci(), ix.p_value, None
            else:
                reason = (
                    f"only ~{ix.n_effective:.0f} independent stretches in this context (need "
                    f"{ix.n_effective_needed:.0f})"
                )
        spd = speed[mm]
        out.append(
            ContextAsymmetry(
                context=name,
                n=k,
                symmetry_angle_pct=sa,
                ci95=ci,
                balance_left_pct=bal,
                difference=(ml - mr) if (has_sides or not ratio) else None,
                mean_speed_m_s=float(np.nanmean(spd)) if np.isfinite(spd).any() else None,
                p_value=p,
                verdict="cant_tell" if p is None else "not_detected",
                verdict_reason=reason,
            )
        )
    return out
