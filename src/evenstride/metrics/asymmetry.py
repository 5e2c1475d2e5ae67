# SPDX-License-Identifier: MIT
"""Per-run left/right asymmetry of every side-labelled channel, with an interval that respects
serial correlation.

For each :class:`~evenstride.datatypes.SidedChannel` the steady-running samples give per-sample
left and right values (or, for a balance-only channel, ``L = b`` and ``R = 100 − b``, which gives
the same ratio). The run's asymmetry is computed from the *means* of each side (the convention of
the running-asymmetry literature: an index of per-limb means), and its 95 % interval from a
moving-block bootstrap of those means (:mod:`evenstride.metrics._bootstrap`). "Real for this run"
means the interval of the index excludes 0 (science.md §2.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, SidedChannel
from evenstride.metrics import symmetry as sym
from evenstride.metrics._bootstrap import block_bootstrap_means, percentile_ci
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
MIN_SAMPLES = 30
#: Minimum steps per side (science.md §11: ≥ 100 per side recommended; a design choice).
MIN_STEPS_PER_SIDE = 100
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

    def to_dict(self) -> dict[str, object]:
        return {
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
        """True when the 95 % interval excludes 0; None when there is too little data."""
        ci = self.index_ci95
        if not self.enough_data or ci is None or not np.all(np.isfinite(ci)):
            return None
        return bool(ci[0] > 0.0 or ci[1] < 0.0)

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


def _stat(mean_l: np.ndarray, mean_r: np.ndarray, ratio: bool) -> np.ndarray:
    if ratio:
        return np.asarray(sym.symmetry_angle(mean_l, mean_r))
    return mean_l - mean_r


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
    enough = n >= MIN_SAMPLES and (n_steps is None or n_steps >= 2 * MIN_STEPS_PER_SIDE)
    res.enough_data = enough
    if n < 10:
        return res
    bb = block_bootstrap_means([lv, rv], driver=per[valid], seed=seed)
    res.n_effective = round(bb.n_effective, 1)
    res.block_len = bb.block_len
    bl, br = bb.means[:, 0], bb.means[:, 1]
    stat = _stat(bl, br, ratio)
    if ratio:
        res.symmetry_angle_ci95 = percentile_ci(stat)
        res.balance_ci95 = percentile_ci(np.asarray(sym.balance_left_pct(bl, br)))
    if has_sides or not ratio:
        res.difference_ci95 = percentile_ci(bl - br)
    if not ratio and not has_sides:
        res.difference = ml - mr
    res.by_context = _contexts(activity, gating, valid, left, right, ratio, has_sides, seed)
    return res


def _contexts(
    activity: Activity,
    gating: Gating,
    valid: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    ratio: bool,
    has_sides: bool,
    seed: int,
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
            out.append(ContextAsymmetry(name, 0, None, None, None, None, None))
            continue
        lv, rv = left[mm], right[mm]
        ml, mr = float(lv.mean()), float(rv.mean())
        sa = float(sym.symmetry_angle(ml, mr)) if ratio else None
        bal = float(sym.balance_left_pct(ml, mr)) if ratio else None
        ci = None
        if k >= MIN_CONTEXT_SAMPLES:
            per = np.asarray(sym.symmetry_angle(lv, rv)) if ratio else lv - rv
            bb = block_bootstrap_means([lv, rv], driver=per, seed=seed, n_boot=500)
            ci = percentile_ci(_stat(bb.means[:, 0], bb.means[:, 1], ratio))
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
            )
        )
    return out
