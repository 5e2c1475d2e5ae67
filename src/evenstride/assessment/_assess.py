# SPDX-License-Identifier: MIT
"""Judge the numbers: class per asymmetry, disagreements between sources, fatigue and form
findings, each with the evidence behind it, ranked for the reader."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.assessment import reference_bands as rb
from evenstride.metrics import CadenceSpeed, ChannelAsymmetry, DriftResult, FormSummary
from evenstride.metrics.symmetry import balance_from_symmetry_angle

#: Classes, in the order a reader should care about them.
CLASSES = ("marked", "notable", "typical", "no reference", "within noise", "insufficient data")

_METRIC_NAMES = {
    consts.M_CONTACT_TIME: "ground contact time",
    consts.M_IMPACT_G: "impact",
    consts.M_BRAKING_G: "braking",
    consts.M_SHOCK_G: "shock",
    consts.M_FOOTSTRIKE: "foot strike type",
    consts.M_PRONATION_DEG: "pronation",
    consts.M_POWER: "power",
    consts.M_FLIGHT_RATIO: "flight ratio",
    consts.M_STEP_LENGTH: "step length",
}
_SOURCE_NAMES = {
    consts.SRC_RUNNING_DYNAMICS: "running dynamics (strap/pod/watch)",
    consts.SRC_RUNSCRIBE: "RunScribe foot pods",
    consts.SRC_STRYD: "Stryd",
    consts.SRC_SIMULATED: "simulator",
}


def metric_name(metric: str) -> str:
    return _METRIC_NAMES.get(metric, metric.replace("_", " "))


def source_name(source: str) -> str:
    return _SOURCE_NAMES.get(source, source)


def fmt_clock(seconds: float) -> str:
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_pace(speed_m_s: float) -> str:
    if speed_m_s <= 0:
        return "–"
    sec = round(1000.0 / speed_m_s)
    return f"{sec // 60}:{sec % 60:02d} /km"


@dataclass
class AsymmetryJudgement:
    """A :class:`ChannelAsymmetry` with its class and evidence."""

    result: ChannelAsymmetry
    cls: str
    reason: str
    evidence: rb.Evidence
    band: rb.AsymmetryBand | None

    def to_dict(self) -> dict[str, object]:
        r = self.result

        def rd(x: float | None, nd: int = 4) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), nd)

        ci = r.index_ci95
        return {
            "metric": r.metric,
            "source": r.source,
            "unit": r.unit,
            "left": rd(r.left, 5),
            "right": rd(r.right, 5),
            "balance_left_pct": rd(r.balance_left_pct, 3),
            "balance_left_pct_ci95": None
            if r.balance_ci95 is None
            else [rd(r.balance_ci95[0], 3), rd(r.balance_ci95[1], 3)],
            "symmetry_angle_pct": rd(r.symmetry_angle_pct, 3),
            "symmetry_index_pct": rd(r.symmetry_index_pct, 3),
            "log_ratio": rd(r.log_ratio, 5),
            "difference": rd(r.difference, 5),
            "index": "symmetry_angle_pct" if r.ratio_scale else "difference",
            "ci95": None if ci is None else [rd(ci[0], 4), rd(ci[1], 4)],
            "n": r.n,
            "n_steps": r.n_steps,
            "n_effective": r.n_effective,
            "block_length_samples": r.block_len,
            "real": r.real,
            **r.verdict_dict(),
            "larger_side": r.larger_side,
            "class": self.cls,
            "class_reason": self.reason,
            "band": None
            if self.band is None
            else {
                "scale": self.band.scale,
                "typical_max": round(self.band.typical_max, 3),
                "marked_min": None
                if self.band.marked_min is None
                else round(self.band.marked_min, 3),
                "basis": self.band.basis,
            },
            "evidence": self.evidence.to_dict(),
            "derived_from_balance": r.derived_from_balance,
            "origin": r.origin,
            "by_context": [c.to_dict() for c in r.by_context],
        }


def judge_asymmetry(r: ChannelAsymmetry) -> AsymmetryJudgement:
    band = rb.ASYMMETRY_BANDS.get(r.metric)
    if band is not None and band.scale == "symmetry_angle_pct" and not r.ratio_scale:
        band = None
    ev = band.evidence if band is not None else rb.NO_REFERENCE
    if r.source == consts.SRC_RUNNING_DYNAMICS:
        ev = rb.Evidence(ev.grade, ev.sources, f"{ev.note} {rb.TORSO_BALANCE_CAVEAT}")
    value = r.index_value
    if not r.enough_data or value is None or r.real is None:
        why = r.verdict_reason or f"only {r.n} steady-running samples ({r.n_steps or 0} steps)"
        return AsymmetryJudgement(r, "insufficient data", f"can't tell from this run: {why}", ev,
                                  band)
    if not r.real:
        return AsymmetryJudgement(
            r,
            "within noise",
            "no asymmetry beyond this run's noise at the family-wise 5 % level "
            f"({r.decision or 'per test'})",
            ev,
            band,
        )
    if band is None:
        return AsymmetryJudgement(
            r, "no reference", "real for this run; no published range to compare with", ev, band
        )
    cls = band.classify(value)
    unit = "% SA" if band.scale == "symmetry_angle_pct" else r.unit
    value = abs(value)
    if cls == "typical":
        reason = f"{value:.2f} {unit} is within the typical range (≤ {band.typical_max:.2f})"
    elif cls == "marked":
        reason = f"{value:.2f} {unit} is beyond {band.marked_min:.2f}"
    else:
        hi = f" and ≤ {band.marked_min:.2f}" if band.marked_min is not None else ""
        reason = f"{value:.2f} {unit} is above the typical {band.typical_max:.2f}{hi}"
    return AsymmetryJudgement(r, cls, reason, ev, band)


def rb_min_steps() -> int:
    from evenstride.metrics.asymmetry import MIN_STEPS_PER_SIDE

    return MIN_STEPS_PER_SIDE


@dataclass
class Disagreement:
    metric: str
    sources: tuple[str, str]
    kind: str  # "direction" or "magnitude"
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "sources": list(self.sources),
            "kind": self.kind,
            "detail": self.detail,
            "evidence": rb.DISAGREEMENT_EVIDENCE.to_dict(),
        }


def find_disagreements(results: list[ChannelAsymmetry]) -> list[Disagreement]:
    """Two sources of the same side-metric disagree when both are real with opposite directions,
    or their 95 % intervals do not overlap. They are reported side by side, never averaged."""
    out: list[Disagreement] = []
    for i, a in enumerate(results):
        for b in results[i + 1 :]:
            if a.metric != b.metric or a.source == b.source:
                continue
            va, vb, ca, cb = a.index_value, b.index_value, a.index_ci95, b.index_ci95
            if va is None or vb is None or ca is None or cb is None:
                continue
            what = metric_name(a.metric)
            sa, sb = source_name(a.source), source_name(b.source)
            if a.real and b.real and np.sign(va) != np.sign(vb):
                out.append(
                    Disagreement(
                        a.metric,
                        (a.source, b.source),
                        "direction",
                        f"{sa} says the {a.larger_side} {what} is larger, {sb} says the "
                        f"{b.larger_side}",
                    )
                )
            elif a.disagreement_verdicts.get(b.key) == "real":
                out.append(
                    Disagreement(
                        a.metric,
                        (a.source, b.source),
                        "magnitude",
                        f"{what}: {sa} {va:+.2f} (95 % CI {ca[0]:+.2f}…{ca[1]:+.2f}) vs {sb} "
                        f"{vb:+.2f} ({cb[0]:+.2f}…{cb[1]:+.2f}); the gap is beyond both "
                        "sensors' noise (family-wise 5 %)",
                    )
                )
    return out


@dataclass
class Finding:
    """One plain-language statement, ranked by ``priority`` (lower first)."""

    priority: int
    topic: str
    title: str
    text: str
    evidence: rb.Evidence

    def to_dict(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "title": self.title,
            "text": self.text,
            "evidence": self.evidence.to_dict(),
        }


_CLASS_PRIORITY = {"marked": 10, "notable": 20, "typical": 40, "no reference": 45}


def asymmetry_findings(judgements: list[AsymmetryJudgement]) -> list[Finding]:
    out = []
    for j in judgements:
        r = j.result
        what = metric_name(r.metric)
        src = source_name(r.source)
        if j.cls in ("insufficient data",):
            out.append(
                Finding(80, "asymmetry", f"{what.capitalize()}: not enough data",
                        f"{src}: {j.reason}.", j.evidence)
            )
            continue
        if j.cls == "within noise":
            out.append(
                Finding(
                    50,
                    "asymmetry",
                    f"{what.capitalize()}: no real left/right difference",
                    f"{src}: {_value_text(r)}; {j.reason}.",
                    j.evidence,
                )
            )
            continue
        side = r.larger_side or "neither"
        cls_text = {
            "typical": "within the range typical of healthy runners",
            "notable": "above the typical range",
            "marked": "well above the typical range",
            "no reference": "with no published range to compare against",
        }[j.cls]
        title = f"{what.capitalize()}: {side} side larger, {cls_text}"
        text = f"{src}: {_value_text(r)}. Real for this run (interval excludes 0); {j.reason}."
        if j.band is not None:
            text += f" {j.band.basis}"
        out.append(Finding(_CLASS_PRIORITY.get(j.cls, 60), "asymmetry", title, text, j.evidence))
    return out


def _value_text(r: ChannelAsymmetry) -> str:
    parts = []
    if r.balance_left_pct is not None and r.metric == consts.M_CONTACT_TIME:
        ci = r.balance_ci95
        civ = f" (95 % CI {ci[0]:.1f}–{ci[1]:.1f} %)" if ci else ""
        parts.append(f"{r.balance_left_pct:.1f} % of contact time on the left foot{civ}")
    if r.ratio_scale and r.symmetry_angle_pct is not None:
        ci = r.symmetry_angle_ci95
        civ = f", 95 % CI {ci[0]:+.2f} to {ci[1]:+.2f}" if ci else ""
        parts.append(f"symmetry angle {r.symmetry_angle_pct:+.2f} %{civ}")
    elif r.difference is not None:
        ci = r.difference_ci95
        civ = f", 95 % CI {ci[0]:+.2f} to {ci[1]:+.2f}" if ci else ""
        parts.append(f"left − right {r.difference:+.2f} {r.unit}{civ}")
    if r.left is not None and r.right is not None and r.ratio_scale:
        parts.append(f"left {r.left:.3g} vs right {r.right:.3g} {r.unit}")
    return "; ".join(parts) or "no value"


def drift_findings(drifts: dict[str, DriftResult]) -> list[Finding]:
    out = []
    for key, d in drifts.items():
        if d.slope_per_h is None or d.slope_ci95 is None:
            continue
        metric = key.split("/")[0]
        is_asym = "/" in key
        if not d.significant and d.onset_s is None:
            if is_asym:
                out.append(
                    Finding(
                        55,
                        "fatigue",
                        f"{metric_name(metric).capitalize()} asymmetry stayed stable",
                        f"No drift at matched {', '.join(d.adjusted_for) or 'conditions'}: "
                        f"{d.slope_per_h:+.2f} {d.unit} per hour (95 % CI {d.slope_ci95[0]:+.2f} "
                        f"to {d.slope_ci95[1]:+.2f}).",
                        rb.FATIGUE_EVIDENCE,
                    )
                )
            continue
        label = (
            f"{metric_name(metric)} asymmetry" if is_asym else _COLUMN_NAMES.get(key, key)
        )
        direction = "rose" if d.slope_per_h > 0 else "fell"
        toward = ""
        if is_asym:
            toward = " (toward the left)" if d.slope_per_h > 0 else " (toward the right)"
        text = (
            f"{label.capitalize()} {direction}{toward} by {abs(d.slope_per_h):.2f} {d.unit} per "
            f"hour at matched {', '.join(d.adjusted_for) or 'conditions'} (95 % CI "
            f"{d.slope_ci95[0]:+.2f} to {d.slope_ci95[1]:+.2f}); first quarter "
            f"{d.first_quarter:.2f}, last quarter {d.last_quarter:.2f} {d.unit}."
        )
        if d.onset_s is not None:
            ci = d.onset_ci95
            civ = f" (95 % CI {fmt_clock(ci[0])}–{fmt_clock(ci[1])})" if ci else ""
            kind = {"shift": "a step change", "drift": "a drift after a stable start"}.get(
                d.onset_kind or "", "a change"
            )
            text += f" It looks like {kind} starting at about {fmt_clock(d.onset_s)}{civ}."
        out.append(
            Finding(30 if is_asym else 60, "fatigue", f"{label.capitalize()} changed during "
                    "the run", text, rb.FATIGUE_EVIDENCE if is_asym else rb.FORM_DRIFT_EVIDENCE)
        )
    return out


_COLUMN_NAMES = {
    consts.CONTACT_TIME_S: "ground contact time",
    consts.CADENCE_SPM: "cadence",
    consts.VERTICAL_RATIO_PCT: "vertical ratio",
    consts.VERTICAL_OSCILLATION_M: "vertical oscillation",
    consts.STEP_LENGTH_M: "step length",
}


def form_findings(cs: CadenceSpeed, summaries: list[FormSummary]) -> list[Finding]:
    out = []
    if cs.cadence_at_reference_spm is not None and cs.reference_speed_m_s is not None:
        band = rb.FORM_BANDS[consts.CADENCE_SPM]
        cref = cs.cadence_at_reference_spm
        text = (
            f"At your typical speed of {cs.reference_speed_m_s:.2f} m/s "
            f"({fmt_pace(cs.reference_speed_m_s)}) your cadence was {cref:.0f} steps/min "
            f"({band.classify(cref)} of Garmin users)."
        )
        if cs.slope_spm_per_m_s is not None:
            text += (
                f" It rose {cs.slope_spm_per_m_s:.1f} steps/min per 1 m/s of speed (elite "
                f"ultra-runners: {rb.CADENCE_SPEED_SLOPE_REFERENCE} in Burns et al. 2019)."
            )
        if cs.low_for_speed_share:
            text += (
                f" Cadence was more than 3 % below your own speed-matched value in "
                f"{cs.low_for_speed_share * 100:.0f} % of the run."
            )
        if cs.suggestion_spm:
            lo, hi = cs.suggestion_spm
            text += (
                f" If you want to reduce knee loading, try {lo:.0f}–{hi:.0f} steps/min at that "
                "speed (+5–10 % over your own value, not a fixed 180)."
            )
        out.append(Finding(65, "form", "Cadence for your speed", text,
                           rb.CADENCE_ADVICE_EVIDENCE))
    for s in summaries:
        fband = rb.FORM_BANDS.get(s.column)
        if fband is None or s.column == consts.CADENCE_SPM:
            continue
        name = _COLUMN_NAMES.get(s.column, s.column)
        val = f"{s.median * 1000:.0f} ms" if s.column == consts.CONTACT_TIME_S else (
            f"{s.median * 100:.1f} cm" if s.column == consts.VERTICAL_OSCILLATION_M
            else f"{s.median:.1f} {s.unit}"
        )
        out.append(
            Finding(70, "form", f"{name.capitalize()}: {fband.classify(s.median)}",
                    f"Median {name} {val} ({fband.classify(s.median)} of Garmin users).",
                    fband.evidence)
        )
    return out


@dataclass
class Assessment:
    """Everything judged about one run."""

    judgements: list[AsymmetryJudgement]
    disagreements: list[Disagreement]
    findings: list[Finding] = field(default_factory=list)


def assess(
    asymmetry: list[ChannelAsymmetry],
    drifts: dict[str, DriftResult],
    cadence: CadenceSpeed,
    summaries: list[FormSummary],
) -> Assessment:
    """Classify and rank (see module docstring)."""
    judgements = [judge_asymmetry(r) for r in asymmetry]
    dis = find_disagreements(asymmetry)
    findings = asymmetry_findings(judgements) + drift_findings(drifts)
    findings += form_findings(cadence, summaries)
    for d in dis:
        findings.append(
            Finding(15, "disagreement", "Two sensors disagree", d.detail + ". Both are shown; "
                    "neither is averaged away.", rb.DISAGREEMENT_EVIDENCE)
        )
    findings.sort(key=lambda f: f.priority)
    return Assessment(judgements=judgements, disagreements=dis, findings=findings)


def gct_balance_band_edges() -> dict[str, float]:
    """Garmin GCT-balance zone edges in % left, for plots."""
    return {
        "green_max": rb.GARMIN_GCT_GREEN_MAX_PCT,
        "red_min": rb.GARMIN_GCT_RED_MIN_PCT,
        "green_min": 100.0 - rb.GARMIN_GCT_GREEN_MAX_PCT,
        "red_max": 100.0 - rb.GARMIN_GCT_RED_MIN_PCT,
    }


__all__ = [
    "CLASSES",
    "Assessment",
    "AsymmetryJudgement",
    "Disagreement",
    "Finding",
    "assess",
    "balance_from_symmetry_angle",
    "fmt_clock",
    "fmt_pace",
    "gct_balance_band_edges",
    "judge_asymmetry",
]
