# SPDX-License-Identifier: MIT
"""Judge the numbers: class per asymmetry, disagreements between sources, fatigue and form
findings, each with the evidence behind it, ranked for the reader.

Ranking (docs/methods.md, "Findings that lead"): every finding gets

- an **importance** in 0…1: the weight of its kind and class (:data:`KIND_WEIGHT`: marked >
  above typical > disagreement > drift > typical > …), times the metric's weight (registry),
  times an effect factor ``0.5 + 0.5·min(|effect|/SID, 3)/3`` that grows with the effect size in
  units of the metric's smallest important difference (SID);
- a **confidence** in 0…1: from the verdict (:data:`VERDICT_CONFIDENCE`), times the evidence
  grade of its reference (:data:`GRADE_CONFIDENCE`), times :data:`MISSING_CONFIDENCE` when more
  than :data:`MISSING_SHARE_NOTE` of the channel is missing in steady running.

``score = importance × confidence``. At most :data:`MAX_HEADLINES` findings with a score of at
least :data:`HEADLINE_MIN_SCORE` become headlines: one plain sentence each, naming the sensor. A
statistically real effect below the SID is never a headline (it stays in the tables). The list of
headlines is never empty: when nothing qualifies, the best-ranked finding leads, and a file with
nothing to judge gets a sentence saying what it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride import consts
from evenstride.assessment import reference_bands as rb
from evenstride.metrics import CadenceSpeed, ChannelAsymmetry, DriftResult, FormSummary
from evenstride.metrics import registry as reg
from evenstride.metrics.drift import SMALLEST_IMPORTANT_CHANGE
from evenstride.metrics.symmetry import balance_from_symmetry_angle

if TYPE_CHECKING:
    from collections.abc import Mapping

    from evenstride.datatypes import Activity
    from evenstride.preprocessing import Gating

#: Classes, in the order a reader should care about them.
CLASSES = ("marked", "notable", "typical", "no reference", "within noise", "insufficient data")

#: Words for each class in sentences and tables ("notable" is shown as "above typical").
CLASS_WORDS = {
    "marked": "well above typical",
    "notable": "above typical",
    "typical": "typical",
    "no reference": "no reference range",
    "within noise": "within noise",
    "insufficient data": "can't tell",
}

# --- ranking as data (engineering choices, docs/methods.md "Findings that lead", grade U) --------
#: Weight of each kind of statement (importance before metric weight and effect size).
KIND_WEIGHT = {
    "asymmetry:marked": 1.0,
    "asymmetry:notable": 0.75,
    "disagreement": 0.7,
    "drift:asymmetry": 0.6,
    "asymmetry:typical": 0.45,
    "asymmetry:no reference": 0.45,
    "drift:form": 0.35,
    "cadence": 0.2,
    "asymmetry:within noise": 0.25,
    "form": 0.1,
    # the user's main question about a side channel: "can't tell" is said up front (0.45 × 0.4
    # confidence clears HEADLINE_MIN_SCORE), below every judged asymmetry
    "asymmetry:insufficient data": 0.45,
    "drift:stable": 0.1,
    "data": 0.1,
}
#: Confidence of each verdict ("real": the interval excludes 0 after the run's error control).
VERDICT_CONFIDENCE = {"real": 1.0, "not_detected": 0.8, "cant_tell": 0.4, None: 0.8}
#: Confidence of each evidence grade (science.md: V verified, S secondary, U unverified).
GRADE_CONFIDENCE = {"V": 1.0, "S": 0.85, "U": 0.7}
#: A finding says so when more than this share of its channel is missing in steady running
#: (issue #10 requirement; engineering choice).
MISSING_SHARE_NOTE = 0.20
#: Confidence factor of a finding whose channel is missing in more than MISSING_SHARE_NOTE.
MISSING_CONFIDENCE = 0.75
#: At most this many headline findings per run.
MAX_HEADLINES = 5
#: Lowest score of a headline (a symmetric runner's "no difference" still qualifies).
HEADLINE_MIN_SCORE = 0.15
#: Effect sizes beyond this many SIDs add no further importance.
EFFECT_CAP_SIDS = 3.0


# --- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """What a source is, for sentences: its sensor name and whether it measures each foot."""

    label: str
    measures_each_foot: bool
    how: str


SOURCES: dict[str, SourceSpec] = {
    consts.SRC_RUNNING_DYNAMICS: SourceSpec(
        "Chest strap, pod or watch", False, "infers each foot from torso movement"),
    consts.SRC_RUNSCRIBE: SourceSpec(
        "RunScribe foot pods", True, "a pod on each shoe measures each foot directly"),
    consts.SRC_STRYD: SourceSpec(
        "Stryd foot pod", False, "a pod on one shoe; the other foot is inferred"),
    consts.SRC_SIMULATED: SourceSpec("Simulator", True, "ground truth of the simulation"),
    "force_plate": SourceSpec(
        "Force treadmill", True, "measures each foot's ground force directly"),
    "markers": SourceSpec(
        "Motion capture", True, "tracks markers on each leg directly"),
    "foot_imu": SourceSpec(
        "Foot IMUs", True, "a sensor on each foot measures it directly"),
    "trunk_imu": SourceSpec(
        "Trunk phone/IMU", False,
        "infers each foot from trunk movement (side assignment about 82 % accurate)"),
    "video_pose": SourceSpec(
        "Video (2D pose)", True, "a camera tracks each leg's landmarks, frame by frame"),
}

#: What to record for a verdict when a recording was too short to judge, by source.
_LONGER = {"video_pose": "a longer clip (at least 20 steps per side) would tell",
           "force_plate": "a longer trial would tell", "markers": "a longer trial would tell"}


def metric_name(metric: str) -> str:
    """Display name of a metric or form column (from :mod:`evenstride.metrics.registry`)."""
    return reg.metric_name(metric)


def source_name(source: str) -> str:
    s = SOURCES.get(source)
    return s.label if s is not None else source.replace("_", " ")


def _device_name(device: str) -> str:
    """'garmin hrm4_run' → 'HRM-Run'; 'garmin fenix6x' → 'Garmin fenix6x'."""
    words = device.split()
    prod = words[-1] if words else device
    low = prod.lower()
    if low.startswith("hrm"):
        rest = low.removeprefix("hrm").lstrip("0123456789_").replace("_", " ").strip()
        return "HRM-" + rest.title() if rest else "HRM"
    if len(words) > 1 and words[1].lower().startswith(words[0].lower()):
        words = words[1:]  # "coros COROS APEX Pro"
    return " ".join(w[:1].upper() + w[1:] if i == 0 else w for i, w in enumerate(words))


def sensor_label(source: str, devices: list[str] | tuple[str, ...] = ()) -> str:
    """The sensor a source stands for, named from the file's devices where possible:
    "Chest strap (HRM-Run)", "Watch (COROS APEX Pro)", "RunScribe foot pods"."""
    if source != consts.SRC_RUNNING_DYNAMICS:
        return source_name(source)
    names = [d for d in devices if d.strip()]
    hrm = [d for d in names if d.split()[-1].lower().startswith("hrm")]
    if hrm:
        return f"Chest strap ({_device_name(hrm[0])})"
    pod = [d for d in names if "pod" in d.lower() or "rdp" in d.lower()]
    if pod:
        return f"Running dynamics pod ({_device_name(pod[0])})"
    named = [d for d in names if not d.split()[-1].isdigit()]
    if named:
        return f"Watch or pod ({_device_name(named[0])})"
    return source_name(source)


#: Sensor name of a Stryd foot pod (a Stryd-made file, or Stryd developer fields).
STRYD_POD = "Stryd foot pod"


def file_sensor(devices: list[str] | tuple[str, ...] = ()) -> str:
    """The recording device, for form and drift sentences ("Watch (Garmin fenix6x)")."""
    named = [d for d in devices if d.strip() and not d.split()[-1].isdigit()
             and not d.split()[-1].lower().startswith("hrm")]
    if (named and named[0].lower().startswith("stryd")) or (
        not named and any(d.lower().startswith("stryd") for d in devices)
    ):
        return STRYD_POD
    if not named:
        return "This recording"
    return f"Watch ({_device_name(named[0])})"


def verdict_words(code: str | None) -> str:
    """A verdict code as a reader reads it: ``cant_tell`` → "can't tell", ``not_detected`` →
    "not detected"."""
    if not code:
        return "–"
    return "can't tell" if code == "cant_tell" else code.replace("_", " ")


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


# --- verdicts (read through one helper: the statistics own them) ------------------------------


def verdict(r: ChannelAsymmetry) -> str:
    """``"real"``, ``"not_detected"`` or ``"cant_tell"`` for one asymmetry result."""
    v = getattr(r, "verdict", None)
    if v:
        return str(v)
    real = r.real
    if real is None:
        return "cant_tell"
    return "real" if real else "not_detected"


def drift_verdict(d: DriftResult) -> str:
    """``"real"``, ``"not_detected"`` or ``"cant_tell"`` for one drift result."""
    v = getattr(d, "verdict", None)
    if v:
        return str(v)
    if d.slope_per_h is None or d.slope_ci95 is None:
        return "cant_tell"
    return "real" if d.significant else "not_detected"


def _reason(r: object) -> str | None:
    why = getattr(r, "verdict_reason", None)
    return str(why) if why else None


# --- asymmetry judgements -----------------------------------------------------------------------


@dataclass
class AsymmetryJudgement:
    """A :class:`ChannelAsymmetry` with its class and evidence."""

    result: ChannelAsymmetry
    cls: str
    reason: str
    evidence: rb.Evidence
    band: rb.AsymmetryBand | None
    #: Sensor name for sentences ("Chest strap (HRM-Run)").
    sensor: str = ""
    #: Share of steady-running time in which this channel is missing (None: unknown).
    missing_share: float | None = None
    #: Where a strap/pod/watch balance sits in Garmin's user percentiles (context only).
    garmin_context: str | None = None

    @property
    def spec(self) -> reg.MetricSpec:
        return reg.spec(self.result.metric)

    @property
    def verdict(self) -> str:
        return verdict(self.result)

    @property
    def above_sid(self) -> bool | None:
        return self.spec.above_sid(self.result.index_value)

    def to_dict(self) -> dict[str, object]:
        r = self.result
        spec = self.spec

        def rd(x: float | None, nd: int = 4) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), nd)

        ci = r.index_ci95
        src = SOURCES.get(r.source)
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
            "side_doing_more": spec.side_doing_more(r.index_value),
            "larger_means": spec.larger_means,
            "smallest_important_difference": spec.sid.to_dict(),
            "above_sid": self.above_sid,
            "sensor": self.sensor or source_name(r.source),
            "measures_each_foot": None if src is None else src.measures_each_foot,
            "missing_share": None if self.missing_share is None else round(self.missing_share, 3),
            "garmin_context": self.garmin_context,
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


def judge_asymmetry(
    r: ChannelAsymmetry,
    *,
    sensor: str | None = None,
    missing_share: float | None = None,
    bands: Mapping[str, rb.AsymmetryBand] | None = None,
) -> AsymmetryJudgement:
    """Class of one asymmetry against the healthy-runner band of its metric (any source).

    Garmin's GCT-balance zones are population percentiles of torso-sensor users: they are given
    as context for strap/pod/watch balance only, never used as the class, and never applied to
    foot-pod, force-plate or other per-foot contact times.
    """
    band = (rb.ASYMMETRY_BANDS if bands is None else bands).get(r.metric)  # e.g. cohort bands
    if band is not None and band.scale == "symmetry_angle_pct" and not r.ratio_scale:
        band = None
    ev = band.evidence if band is not None else rb.NO_REFERENCE
    context = None
    if r.source == consts.SRC_RUNNING_DYNAMICS:
        ev = rb.Evidence(ev.grade, ev.sources, f"{ev.note} {rb.TORSO_BALANCE_CAVEAT}")
        if r.metric == consts.M_CONTACT_TIME and r.balance_left_pct is not None:
            context = rb.garmin_gct_context(r.balance_left_pct)
            ev = rb.Evidence(ev.grade, ev.sources + rb.GARMIN_GCT_EVIDENCE.sources, ev.note)
    value = r.index_value
    extra: dict[str, Any] = {"sensor": sensor or sensor_label(r.source),
                             "missing_share": missing_share, "garmin_context": context}
    v = verdict(r)
    if not r.enough_data or value is None or v == "cant_tell":
        need = f"{rb_min_steps()} steps per side"
        why = _reason(r) or (
            f"only {r.n} steady-running samples ({r.n_steps or 0} steps); need about {need}"
        )
        return AsymmetryJudgement(r, "insufficient data", why, ev, band, **extra)
    if v != "real":
        why = _reason(r) or (
            "no asymmetry beyond this run's noise at the family-wise 5 % level "
            f"({getattr(r, 'decision', None) or 'per test'})"
        )
        return AsymmetryJudgement(r, "within noise", why, ev, band, **extra)
    if band is None:
        return AsymmetryJudgement(
            r, "no reference", "real for this run; no published range to compare with", ev, band,
            **extra,
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
    return AsymmetryJudgement(r, cls, reason, ev, band, **extra)


def rb_min_steps() -> int:
    from evenstride.metrics.asymmetry import MIN_STEPS_PER_SIDE

    return MIN_STEPS_PER_SIDE


# --- disagreements --------------------------------------------------------------------------


@dataclass
class Disagreement:
    metric: str
    sources: tuple[str, str]
    kind: str  # "direction" or "magnitude"
    detail: str
    #: Gap between the two sources' left − right differences, in the metric's unit (s for
    #: contact time), when both give per-side values; None otherwise.
    gap: float | None = None
    #: Sources of the pair that measure each foot directly.
    direct_sources: tuple[str, ...] = ()
    sensors: tuple[str, str] = ("", "")
    #: A magnitude gap smaller than the metric's smallest important difference: real, but
    #: described in the tables only (never a headline).
    trivial: bool = False

    def to_dict(self) -> dict[str, object]:
        spec = reg.spec(self.metric)
        return {
            "metric": self.metric,
            "sources": list(self.sources),
            "sensors": list(self.sensors),
            "kind": self.kind,
            "detail": self.detail,
            "gap": None if self.gap is None else round(self.gap, 5),
            "gap_unit": spec.unit,
            "measures_each_foot": list(self.direct_sources),
            "below_smallest_important_difference": self.trivial,
            "evidence": rb.DISAGREEMENT_EVIDENCE.to_dict(),
        }


def _lr_diff(r: ChannelAsymmetry) -> float | None:
    if r.left is None or r.right is None:
        return None
    d = float(r.left - r.right)
    return d if np.isfinite(d) else None


def _fmt_value(spec: reg.MetricSpec, x: float, *, signed: bool = True, nd: int | None = None
               ) -> str:
    v = x * spec.display_factor
    if nd is None:
        nd = 0 if spec.shown_unit == "ms" else (1 if spec.shown_unit in ("deg", "mm") else 2)
    unit = "°" if spec.shown_unit == "deg" else f" {spec.shown_unit}"
    return (f"{v:+.{nd}f}" if signed else f"{v:.{nd}f}").replace("-", "−") + unit


def _who_measures(sources: tuple[str, str], sensors: tuple[str, str]) -> str:
    parts = []
    for src, sen in zip(sources, sensors, strict=True):
        spec = SOURCES.get(src)
        if spec is not None:
            parts.append(f"{sen}: {spec.how}")
    return "; ".join(parts)


def find_disagreements(
    results: list[ChannelAsymmetry], sensors: dict[str, str] | None = None
) -> list[Disagreement]:
    """Two sources of the same side-metric disagree when both are real with opposite directions,
    or their 95 % intervals do not overlap. They are reported side by side, never averaged; the
    gap is also given in the metric's own unit (ms for contact time), with which source measures
    each foot directly."""
    sensors = sensors or {}
    out: list[Disagreement] = []
    for i, a in enumerate(results):
        for b in results[i + 1 :]:
            if a.metric != b.metric or a.source == b.source:
                continue
            va, vb, ca, cb = a.index_value, b.index_value, a.index_ci95, b.index_ci95
            if va is None or vb is None or ca is None or cb is None:
                continue
            spec = reg.spec(a.metric)
            what = spec.name
            sa = sensors.get(a.key) or sensor_label(a.source)
            sb = sensors.get(b.key) or sensor_label(b.source)
            da, db = _lr_diff(a), _lr_diff(b)
            gap = None if da is None or db is None else abs(da - db)
            direct = tuple(s for s in (a.source, b.source)
                           if (SOURCES.get(s) is not None and SOURCES[s].measures_each_foot))
            gap_txt = ""
            if gap is not None and da is not None and db is not None:
                gap_txt = (f"; left − right {_fmt_value(spec, da)} vs {_fmt_value(spec, db)}, a "
                           f"gap of {_fmt_value(spec, gap, signed=False)}")
            who = _who_measures((a.source, b.source), (sa, sb))
            kind = None
            if verdict(a) == "real" and verdict(b) == "real" and np.sign(va) != np.sign(vb):
                side_a = spec.side_doing_more(va)
                side_b = spec.side_doing_more(vb)
                kind = "direction"
                detail = (f"{what}: {sa} says {spec.more_phrase(side_a or 'neither')}, {sb} says "
                          f"{spec.more_phrase(side_b or 'neither')}{gap_txt}")
            elif a.disagreement_verdicts.get(b.key) == "real":
                kind = "magnitude"
                detail = (f"{what}: {sa} {va:+.2f} (95 % CI {ca[0]:+.2f}…{ca[1]:+.2f}) vs {sb} "
                          f"{vb:+.2f} ({cb[0]:+.2f}…{cb[1]:+.2f}); the gap is beyond both "
                          f"sensors' noise (family-wise 5 %){gap_txt}")
            if kind is not None:
                # the two indices differ by less than the SID: real, but not worth acting on
                trivial = kind == "magnitude" and spec.above_sid(va - vb) is False
                out.append(Disagreement(a.metric, (a.source, b.source), kind,
                                        f"{detail}. {who[:1].upper()}{who[1:]}.", gap, direct,
                                        (sa, sb), trivial))
    return out


# --- findings -------------------------------------------------------------------------------


@dataclass
class Finding:
    """One statement about the run: a title and detail for the tables, a one-sentence
    ``sentence`` for the headline, and its rank (see module docstring)."""

    topic: str
    title: str
    text: str
    evidence: rb.Evidence
    #: One plain sentence with its "so what", naming the sensor.
    sentence: str = ""
    #: Sensor the finding rests on ("Chest strap (HRM-Run)").
    sensor: str = ""
    #: Key of KIND_WEIGHT.
    kind: str = "data"
    metric: str | None = None
    source: str | None = None
    verdict: str | None = None
    #: Effect size in SIDs (|effect| / SID); None when the finding has no effect size.
    effect_sids: float | None = None
    metric_weight: float = 1.0
    missing_share: float | None = None
    #: A real effect below the SID: described in the tables, never a headline.
    trivial: bool = False
    rank: int = 0
    headline: bool = False

    @property
    def importance(self) -> float:
        w = KIND_WEIGHT.get(self.kind, 0.1) * self.metric_weight
        if self.effect_sids is None:
            return w
        return w * (0.5 + 0.5 * min(self.effect_sids, EFFECT_CAP_SIDS) / EFFECT_CAP_SIDS)

    @property
    def confidence(self) -> float:
        c = VERDICT_CONFIDENCE.get(self.verdict, 0.8) * GRADE_CONFIDENCE.get(
            self.evidence.grade, 0.7)
        if self.missing_share is not None and self.missing_share > MISSING_SHARE_NOTE:
            c *= MISSING_CONFIDENCE
        return c

    @property
    def score(self) -> float:
        return 0.0 if self.trivial else self.importance * self.confidence

    def to_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "headline": self.headline,
            "topic": self.topic,
            "title": self.title,
            "sentence": self.sentence,
            "text": self.text,
            "sensor": self.sensor,
            "metric": self.metric,
            "source": self.source,
            "verdict": self.verdict,
            "importance": round(self.importance, 3),
            "confidence": round(self.confidence, 3),
            "score": round(self.score, 3),
            "effect_sids": None if self.effect_sids is None else round(self.effect_sids, 2),
            "trivial": self.trivial,
            "missing_share": None if self.missing_share is None else round(self.missing_share, 3),
            "evidence": self.evidence.to_dict(),
        }


def _signed(x: float | None, nd: int = 2) -> str:
    return "–" if x is None else f"{x:+.{nd}f}".replace("-", "−")


def _missing_clause(share: float | None) -> str:
    if share is None or share <= MISSING_SHARE_NOTE:
        return ""
    return (f"; this channel is missing in {share * 100:.0f} % of steady running, so this rests "
            f"on the remaining {(1 - share) * 100:.0f} %")


def _magnitude(r: ChannelAsymmetry, spec: reg.MetricSpec) -> str:
    """'by 15 ms (1.66 % SA)' or 'by 4.6°'."""
    d = _lr_diff(r) if r.ratio_scale else r.difference
    parts = []
    if d is not None:
        parts.append(_fmt_value(spec, abs(d), signed=False))
    if r.ratio_scale and r.symmetry_angle_pct is not None:
        sa = f"{abs(r.symmetry_angle_pct):.1f} % SA"
        if r.metric == consts.M_CONTACT_TIME and r.balance_left_pct is not None:
            sa = f"{r.balance_left_pct:.1f} % of contact time on the left, {sa}"
        parts = [f"{parts[0]} ({sa})"] if parts else [sa]
    return f" by {parts[0]}" if parts else ""


#: Per class: where the effect sits, and its "so what".
_SO_WHAT = {
    "marked": ("well above the healthy-runner range",
               "worth a check with a coach or physio, and watching over your next runs"),
    "notable": ("above the healthy-runner range", "worth watching, especially on long runs"),
    "typical": ("within the healthy-runner range", "nothing to change"),
    "no reference": ("with no published range to compare with",
                     "see whether it repeats across runs"),
}


def _band_clause(j: AsymmetryJudgement) -> str:
    b = j.band
    if b is None:
        return ""
    unit = "% SA" if b.scale == "symmetry_angle_pct" else ("°" if j.result.unit == "deg"
                                                           else f" {j.result.unit}")
    sp = " " if unit == "% SA" else ""
    return f" (up to {b.typical_max:.1f}{sp}{unit})"


def _asymmetry_finding(j: AsymmetryJudgement) -> Finding:
    r = j.result
    spec = j.spec
    sensor = j.sensor or sensor_label(r.source)
    v = j.verdict
    miss = _missing_clause(j.missing_share)
    common: dict[str, Any] = {
        "sensor": sensor, "metric": r.metric, "source": r.source, "verdict": v,
        "metric_weight": spec.weight, "missing_share": j.missing_share,
    }
    if j.cls == "insufficient data":
        return Finding(
            "asymmetry", f"{spec.title}, {sensor}: can't tell",
            f"{sensor}: {j.reason}.", j.evidence,
            sentence=f"{sensor}: {_seen_text(r, spec.name)}this run can't tell whether your "
            f"{spec.name} really differs between left and right — {j.reason}{miss}; "
            f"{_LONGER.get(r.source, 'a longer steady run would tell')}.",
            kind="asymmetry:insufficient data", **common,
        )
    if j.cls == "within noise":
        return Finding(
            "asymmetry", f"{spec.title}, {sensor}: no real left/right difference",
            f"{sensor}: {_value_text(r)}; {j.reason}.", j.evidence,
            sentence=f"{sensor}: no left/right difference in {spec.name} beyond this run's "
            f"noise{miss}; nothing to act on.",
            kind="asymmetry:within noise", **common,
        )
    side = spec.side_doing_more(r.index_value) or "left"
    other = "right" if side == "left" else "left"
    phrase = spec.more_phrase(side)
    effect = r.index_value
    sids = None if effect is None or not np.isfinite(spec.sid.value) else (
        abs(effect) / spec.sid.value)
    trivial = sids is not None and sids < 1.0
    cls_words = CLASS_WORDS.get(j.cls, j.cls)
    title = f"{spec.title}, {sensor}: {phrase.removeprefix('your ')}, {cls_words}"
    text = (f"{sensor}: {_value_text(r)}. Real for this run (beyond its noise, family-wise 5 %); "
            f"{j.reason}.")
    if j.band is not None:
        text += f" {j.band.basis}"
    if j.garmin_context:
        text += f" Among Garmin users this balance is in {j.garmin_context}."
    if trivial:
        text += (f" Below the smallest important difference ({spec.sid.value:g} "
                 f"{'% SA' if spec.sid.scale == 'symmetry_angle_pct' else spec.unit}), so too "
                 "small to matter.")
    where, so_what = _SO_WHAT[j.cls]
    sentence = (f"{sensor}: {phrase} than the {other}{_magnitude(r, spec)} — {where}"
                f"{_band_clause(j) if j.cls != 'no reference' else ''}; {so_what}{miss}.")
    if trivial:
        sid_unit = "% SA" if spec.sid.scale == "symmetry_angle_pct" else spec.unit
        sentence = (f"{sensor}: {phrase} than the {other}{_magnitude(r, spec)}, real but below "
                    f"the smallest difference that matters ({spec.sid.value:g} {sid_unit}); "
                    f"nothing to change{miss}.")
    return Finding("asymmetry", title, text, j.evidence, sentence=sentence,
                   kind=f"asymmetry:{j.cls}", effect_sids=sids, trivial=trivial, **common)


def asymmetry_findings(judgements: list[AsymmetryJudgement]) -> list[Finding]:
    return [_asymmetry_finding(j) for j in judgements]


def _seen_text(r: ChannelAsymmetry, name: str) -> str:
    """``"your … was 48.3 % on the left; "`` (the observed value, before a "can't tell")."""
    if r.balance_left_pct is not None and np.isfinite(r.balance_left_pct):
        return f"{r.balance_left_pct:.1f} % of your {name} was on the left, but "
    if r.symmetry_angle_pct is not None and np.isfinite(r.symmetry_angle_pct):
        return f"your {name} symmetry angle was {r.symmetry_angle_pct:+.2f} %, but "
    return ""


def _value_text(r: ChannelAsymmetry) -> str:
    spec = reg.spec(r.metric)
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
        parts.append(f"left − right {r.difference:+.2f} {r.unit}{civ} ({spec.larger_means})")
    if r.left is not None and r.right is not None and r.ratio_scale:
        f, u = spec.display_factor, spec.shown_unit
        parts.append(f"left {r.left * f:.3g} vs right {r.right * f:.3g} {u}")
    return "; ".join(parts) or "no value"


def drift_findings(
    drifts: dict[str, DriftResult],
    sensors: dict[str, str] | None = None,
    missing: dict[str, float | None] | None = None,
    *,
    device_sensor: str = "This recording",
) -> list[Finding]:
    sensors = sensors or {}
    missing = missing or {}
    out = []
    for key, d in drifts.items():
        if d.slope_per_h is None or d.slope_ci95 is None:
            continue
        metric = key.split("/")[0]
        is_asym = "/" in key
        v = drift_verdict(d)
        sensor = sensors.get(key) or (
            sensor_label(key.split("/")[1]) if is_asym else device_sensor)
        if is_asym:
            spec = reg.spec(metric)
            name, sid, weight = spec.name, spec.sid.value, spec.weight
            title_name = f"{spec.title} asymmetry, {sensor},"
        else:
            col = reg.column_spec(key)
            name = col.name if col else metric_name(key)
            sid = col.sid.value if col else float("inf")
            weight = 1.0
            title_name = f"{name[:1].upper()}{name[1:]}, {sensor},"
        common: dict[str, Any] = {"sensor": sensor, "metric": metric,
                                  "source": key.split("/")[1] if is_asym else None,
                                  "verdict": v, "metric_weight": weight,
                                  "missing_share": missing.get(key)}
        if v == "cant_tell" and d.onset_s is None:
            why = _reason(d) or "too little steady running"
            out.append(
                Finding(
                    "fatigue", f"{title_name} can't tell whether it changed",
                    f"Can't tell from this run whether it changed: {why}.",
                    rb.FATIGUE_EVIDENCE if is_asym else rb.FORM_DRIFT_EVIDENCE,
                    sentence=f"{sensor}: can't tell from this run whether your {name}"
                    f"{' balance' if is_asym else ''} changed as you went ({why}).",
                    kind="drift:stable", **common,
                )
            )
            continue
        small = (d.verdict_reason or "").startswith("detectable but small")
        if v != "real" and d.onset_s is None and small and is_asym and d.window_t_s is not None:
            # a drift beyond the run's noise but below the smallest important change: say that it
            # moved a little, not that it "stayed stable" beside a 95 % CI that excludes zero
            hours = float(d.window_t_s[-1] - d.window_t_s[0]) / 3600.0
            change = d.slope_per_h * hours
            toward = "the left" if change > 0 else "the right"
            sid_v = SMALLEST_IMPORTANT_CHANGE.get(d.name) or SMALLEST_IMPORTANT_CHANGE.get(d.unit)
            limit = f"{sid_v.change:g} {d.unit}" if sid_v is not None else "what matters"
            out.append(
                Finding(
                    "fatigue", f"{title_name} shifted slightly (below what matters)",
                    f"A small drift toward {toward} at matched "
                    f"{', '.join(d.adjusted_for) or 'conditions'}: {change:+.2f} {d.unit} over "
                    f"the run ({d.slope_per_h:+.2f} per hour, 95 % CI {d.slope_ci95[0]:+.2f} to "
                    f"{d.slope_ci95[1]:+.2f}), below the smallest important change ({limit}).",
                    rb.FATIGUE_EVIDENCE,
                    sentence=f"{sensor}: your left/right {name} balance shifted slightly toward "
                    f"{toward} through the run ({abs(change):.1f} {d.unit}), less than the "
                    f"{limit} that matters; nothing to act on.",
                    kind="drift:stable", **common,
                )
            )
            continue
        if v != "real" and d.onset_s is None:
            if is_asym:
                out.append(
                    Finding(
                        "fatigue", f"{title_name} stayed stable",
                        f"No drift at matched {', '.join(d.adjusted_for) or 'conditions'}: "
                        f"{d.slope_per_h:+.2f} {d.unit} per hour (95 % CI {d.slope_ci95[0]:+.2f} "
                        f"to {d.slope_ci95[1]:+.2f}).",
                        rb.FATIGUE_EVIDENCE,
                        sentence=f"{sensor}: your left/right {name} balance stayed stable through "
                        "the run; no sign of fatigue changing it.",
                        kind="drift:stable", **common,
                    )
                )
            continue
        qd = d.quarter_difference
        if qd is None and d.first_quarter is not None and d.last_quarter is not None:
            qd = d.last_quarter - d.first_quarter
        sids = None if qd is None or not np.isfinite(sid) else abs(qd) / sid
        trivial = sids is not None and sids < 1.0
        direction = "rose" if d.slope_per_h > 0 else "fell"
        toward = ""
        if is_asym:
            toward = " (toward the left)" if d.slope_per_h > 0 else " (toward the right)"
        text = (
            f"{name.capitalize()}{' asymmetry' if is_asym else ''} {direction}{toward} by "
            f"{abs(d.slope_per_h):.2f} {d.unit} per hour at matched "
            f"{', '.join(d.adjusted_for) or 'conditions'} (95 % CI "
            f"{d.slope_ci95[0]:+.2f} to {d.slope_ci95[1]:+.2f}); first quarter "
            f"{d.first_quarter:.2f}, last quarter {d.last_quarter:.2f} {d.unit}."
        )
        onset = ""
        if d.onset_s is not None:
            ci = d.onset_ci95
            civ = f" (95 % CI {fmt_clock(ci[0])}–{fmt_clock(ci[1])})" if ci else ""
            kind = {"shift": "a step change", "drift": "a drift after a stable start"}.get(
                d.onset_kind or "", "a change"
            )
            text += f" It looks like {kind} starting at about {fmt_clock(d.onset_s)}{civ}."
            onset = f", starting at about {fmt_clock(d.onset_s)}"
        if trivial:
            text += " The change is below the smallest important difference, so too small to "
            text += "matter."
        matched = ", ".join(d.adjusted_for) or "conditions"
        fq, lq = d.first_quarter, d.last_quarter
        if is_asym:
            spec = reg.spec(metric)
            side = spec.side_doing_more(d.slope_per_h) or "left"
            sentence = (
                f"{sensor}: during the run your {name} balance shifted so that "
                f"{spec.more_phrase(side)} ({_signed(fq)} → {_signed(lq)} {d.unit}, first to last "
                f"quarter, at matched {matched}{onset}); imbalance can grow late in long runs, "
                "so compare with your next long run"
            )
        else:
            col = reg.column_spec(key)
            f, u, nd = (col.display_factor, col.display_unit, col.decimals) if col else (
                1.0, d.unit, 2)
            sentence = (
                f"{sensor}: your {name} {direction} from {(fq or 0) * f:.{nd}f} to "
                f"{(lq or 0) * f:.{nd}f} {u} between the first and last quarter (matched "
                f"{matched}{onset}); form often changes late in long runs with fatigue, heat "
                "or pacing"
            )
        sentence += f"{_missing_clause(missing.get(key))}."
        out.append(
            Finding("fatigue", f"{title_name} changed during the run", text,
                    rb.FATIGUE_EVIDENCE if is_asym else rb.FORM_DRIFT_EVIDENCE,
                    sentence=sentence, kind="drift:asymmetry" if is_asym else "drift:form",
                    effect_sids=sids, trivial=trivial, **common)
        )
    return out


#: Sources whose presence (without a strap/pod/watch balance) means the contact time of the file
#: is not a torso-sensor contact time, so Garmin's population bands do not apply to it.
_NOT_TORSO_CONTACT = frozenset({consts.SRC_RUNSCRIBE, "force_plate", "markers", "foot_imu",
                                "trunk_imu"})

#: Form columns whose Garmin percentile bands Garmin derived from its own torso sensor (HRM-Run
#: strap, science.md §4.1 and §4.3): a value measured elsewhere (a foot pod, per-foot or lab
#: sensors) is not on their scale. Cadence is a count, the same whoever measures it.
TORSO_BAND_COLUMNS = frozenset({consts.CONTACT_TIME_S, consts.VERTICAL_OSCILLATION_M,
                                consts.VERTICAL_RATIO_PCT})

def garmin_form_band_applies(column: str, sources: frozenset[str] | set[str]) -> bool:
    """Whether Garmin's torso-sensor population bands may grade this form column: not for the
    contact time of a file whose sides come only from per-foot or lab sensors. (The sensor of
    the column itself is checked by :func:`form_column_sensor`.)"""
    if column != consts.CONTACT_TIME_S:
        return True
    return consts.SRC_RUNNING_DYNAMICS in sources or not (set(sources) & _NOT_TORSO_CONTACT)


@dataclass(frozen=True)
class FormGrade:
    """How one form column is graded: by Garmin's band (``garmin_band``) when a torso sensor
    measured it, else not at all, with the sensor that did measure it and why (``band_note``)."""

    column: str
    sensor: str
    garmin_band: str | None
    band_note: str | None = None

    @property
    def graded(self) -> bool:
        return self.band_note is None

    def to_dict(self) -> dict[str, Any]:
        """Document keys: ``garmin_band`` always; ``sensor`` and ``band_note`` when not graded."""
        if self.graded:
            return {"garmin_band": self.garmin_band}
        return {"garmin_band": None, "sensor": self.sensor, "band_note": self.band_note}


def form_column_sensor(
    column: str,
    devices: list[str] | tuple[str, ...] = (),
    origins: Mapping[str, Any] | None = None,
    sources: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, bool]:
    """The sensor that measured a form column and whether Garmin's torso-sensor bands fit it.

    ``origins`` is the reader's ``meta.extra["column_origins"]``: the developer field (and its
    app) that filled a column whose native field was empty, e.g. a Stryd "Ground Time" in a
    Garmin watch's file. A developer field is never Garmin's own running dynamics; a Stryd-made
    file's native fields are the pod's; contact time in a file whose sides come only from
    per-foot or lab sensors is theirs.
    """
    origin = (origins or {}).get(column)
    if isinstance(origin, Mapping):
        app = str(origin.get("app") or "")
        if app.lower() == "stryd":
            return STRYD_POD, False
        return f"{app or 'Connect IQ'} field '{origin.get('field') or column}'", False
    device = file_sensor(devices)
    if column not in TORSO_BAND_COLUMNS:
        return device, True
    if device == STRYD_POD:
        return device, False
    if not garmin_form_band_applies(column, sources):
        per_foot = sorted(set(sources) & _NOT_TORSO_CONTACT)
        return " and ".join(source_name(s) for s in per_foot), False
    return device, True


def grade_form(
    summaries: list[FormSummary],
    *,
    devices: list[str] | tuple[str, ...] = (),
    origins: Mapping[str, Any] | None = None,
    sources: frozenset[str] | set[str] = frozenset(),
) -> dict[str, FormGrade]:
    """Garmin band, or the reason for none, of every form column that has a Garmin band."""
    out: dict[str, FormGrade] = {}
    for s in summaries:
        band = rb.FORM_BANDS.get(s.column)
        if band is None:
            continue
        sensor, torso = form_column_sensor(s.column, devices, origins, sources)
        if torso:
            out[s.column] = FormGrade(s.column, sensor, band.classify(s.median))
        else:
            out[s.column] = FormGrade(s.column, sensor, None, rb.NO_BAND_FOR_SENSOR_NOTE.format(
                sensor=sensor))
    return out


def form_findings(
    cs: CadenceSpeed,
    summaries: list[FormSummary],
    *,
    device_sensor: str = "This recording",
    sources: frozenset[str] | set[str] = frozenset(),
    grades: dict[str, FormGrade] | None = None,
) -> list[Finding]:
    if grades is None:
        grades = grade_form(summaries, sources=sources)
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
        sentence = (f"{device_sensor}: at your usual {fmt_pace(cs.reference_speed_m_s)} your "
                    f"cadence was {cref:.0f} steps/min")
        if cs.suggestion_spm:
            lo, hi = cs.suggestion_spm
            text += (
                f" If you want to reduce knee loading, try {lo:.0f}–{hi:.0f} steps/min at that "
                "speed (+5–10 % over your own value, not a fixed 180)."
            )
            sentence += (f"; if you want less load on your knees, try {lo:.0f}–{hi:.0f} "
                         "steps/min at that pace (+5–10 %)")
        else:
            sentence += f" ({band.classify(cref)} of Garmin users); nothing to change"
        out.append(Finding("form", f"Cadence for your speed, {device_sensor}", text,
                           rb.CADENCE_ADVICE_EVIDENCE, sentence=sentence + ".",
                           sensor=device_sensor, kind="cadence", metric=consts.CADENCE_SPM))
    for s in summaries:
        fband = rb.FORM_BANDS.get(s.column)
        if fband is None or s.column == consts.CADENCE_SPM:
            continue
        grade = grades.get(s.column)
        col = reg.column_spec(s.column)
        name = col.name if col else s.column
        val = (f"{s.median * col.display_factor:.{col.decimals}f} {col.display_unit}" if col
               else f"{s.median:.1f} {s.unit}")
        title = f"{name[:1].upper()}{name[1:]}"
        if grade is not None and grade.band_note is not None:
            # measured by a foot pod or per-foot/lab sensors: say so, give the value, no band
            out.append(
                Finding("form", f"{title}, {grade.sensor}: {val}, no validated band",
                        f"Median {name} {val}, measured by the {grade.sensor}. "
                        f"{grade.band_note[:1].upper()}{grade.band_note[1:]}",
                        rb.NO_BAND_FOR_SENSOR,
                        sentence=f"{grade.sensor}: median {name} {val}; {grade.band_note}",
                        sensor=grade.sensor, kind="form", metric=s.column)
            )
            continue
        cls = fband.classify(s.median)
        out.append(
            Finding("form", f"{title}, {device_sensor}: {cls}",
                    f"Median {name} {val} ({cls} of Garmin users).", fband.evidence,
                    sentence=f"{device_sensor}: median {name} {val} ({cls}, Garmin user "
                    "percentiles); a description, not a target.",
                    sensor=device_sensor, kind="form", metric=s.column)
        )
    return out


def _data_finding(device_sensor: str, has_sided: bool) -> Finding:
    """What to say when nothing else can be said (never leave "What this means" empty)."""
    lacks = "no cadence, running dynamics or left/right data" if not has_sided else (
        "too little steady running to judge anything")
    return Finding(
        "data", f"Nothing to judge, {device_sensor}",
        f"This file has {lacks}. Only pace, distance and duration are known.",
        rb.Evidence("V", (), "What the file contains, not a judgement of your running."),
        sentence=f"{device_sensor}: this file has {lacks}, so nothing about left/right balance "
        "or form can be said; record with a chest strap, foot pods or a watch with running "
        "dynamics to get these answers.",
        sensor=device_sensor, kind="data", verdict="cant_tell",
    )


def rank_findings(findings: list[Finding], *, fallback: Finding | None = None) -> list[Finding]:
    """Sort by score, number the ranks and mark at most :data:`MAX_HEADLINES` headlines; at
    least one finding leads (``fallback`` when the list is empty)."""
    if not findings and fallback is not None:
        findings = [fallback]
    out = sorted(findings, key=lambda f: (-f.score, f.trivial))
    n_head = 0
    for i, f in enumerate(out, start=1):
        f.rank = i
        f.headline = (not f.trivial and f.score >= HEADLINE_MIN_SCORE
                      and n_head < MAX_HEADLINES)
        n_head += f.headline
    if out and n_head == 0:  # never empty: the best non-trivial finding, else the best one
        next((f for f in out if not f.trivial), out[0]).headline = True
    return out


@dataclass
class Assessment:
    """Everything judged about one run."""

    judgements: list[AsymmetryJudgement]
    disagreements: list[Disagreement]
    findings: list[Finding] = field(default_factory=list)
    #: Garmin band (or why none) of each banded form column, by column.
    form_grades: dict[str, FormGrade] = field(default_factory=dict)

    @property
    def headlines(self) -> list[Finding]:
        """The findings that lead (at most :data:`MAX_HEADLINES`, never none)."""
        return [f for f in self.findings if f.headline]


def missing_shares(
    asymmetry: list[ChannelAsymmetry], gating: Gating, activity: Activity | None = None
) -> dict[str, float | None]:
    """Share of steady-running time (sample weights) in which each channel (``metric/source``)
    or drifting form column is missing."""
    steady = np.asarray(gating.steady, dtype=bool)
    w = np.asarray(gating.weight_s, dtype=float)
    total = float(w[steady].sum())
    out: dict[str, float | None] = {}
    if total <= 0:
        return out
    for r in asymmetry:
        if r.per_sample is None or len(r.per_sample) != len(steady):
            out[r.key] = None
            continue
        have = steady & np.isfinite(r.per_sample)
        out[r.key] = 1.0 - float(w[have].sum()) / total
    if activity is not None:
        for col in reg.COLUMNS:
            if activity.has(col):
                have = steady & np.isfinite(activity.column(col))
                out[col] = 1.0 - float(w[have].sum()) / total
    return out


def assess(
    asymmetry: list[ChannelAsymmetry],
    drifts: dict[str, DriftResult],
    cadence: CadenceSpeed,
    summaries: list[FormSummary],
    *,
    gating: Gating | None = None,
    activity: Activity | None = None,
) -> Assessment:
    """Classify, rank and pick the headlines (see module docstring).

    ``gating`` and ``activity`` are optional: with them each finding knows its sensor by name
    and the share of steady running in which its channel is missing.
    """
    devices = list(activity.meta.devices) if activity is not None else []
    origins = activity.meta.extra.get("column_origins") if activity is not None else None
    device_sensor = file_sensor(devices)
    sources = {r.source for r in asymmetry}
    grades = grade_form(summaries, devices=devices, origins=origins, sources=sources)
    sensors = {r.key: sensor_label(r.source, devices) for r in asymmetry}
    # a drifting form column is named by the sensor that measured it (a Stryd "Ground Time" in
    # a watch's file is the pod's, not the watch's)
    sensors.update({c: form_column_sensor(c, devices, origins, sources)[0]
                    for c in drifts if "/" not in c})
    missing = missing_shares(asymmetry, gating, activity) if gating is not None else {}
    judgements = [
        judge_asymmetry(r, sensor=sensors[r.key], missing_share=missing.get(r.key))
        for r in asymmetry
    ]
    dis = find_disagreements(asymmetry, sensors)
    findings = asymmetry_findings(judgements)
    findings += drift_findings(drifts, sensors, missing, device_sensor=device_sensor)
    findings += form_findings(cadence, summaries, device_sensor=device_sensor,
                              sources=sources, grades=grades)
    for d in dis:
        findings.append(
            Finding("disagreement", f"Two sensors disagree on {metric_name(d.metric)}",
                    d.detail + " Both are shown; neither is averaged away.",
                    rb.DISAGREEMENT_EVIDENCE, sentence=_disagreement_sentence(d),
                    sensor=" and ".join(d.sensors), kind="disagreement", metric=d.metric,
                    verdict="real", trivial=d.trivial)
        )
    fallback = _data_finding(device_sensor, bool(asymmetry))
    return Assessment(judgements=judgements, disagreements=dis,
                      findings=rank_findings(findings, fallback=fallback), form_grades=grades)


def _disagreement_sentence(d: Disagreement) -> str:
    spec = reg.spec(d.metric)
    sa, sb = d.sensors
    gap = ("" if d.gap is None
           else f" by {_fmt_value(spec, d.gap, signed=False)} in the left − right difference")
    direct = [s for s, src in zip(d.sensors, d.sources, strict=True) if src in d.direct_sources]
    if len(direct) == 1:
        plural = direct[0].endswith("s")
        trust = (f"; {direct[0]} measure{'' if plural else 's'} each foot directly, so trust "
                 f"{'them' if plural else 'it'} for which side is which")
    elif direct:
        trust = "; both measure each foot directly, so check how each sensor is worn"
    else:
        trust = "; neither measures each foot directly, so treat the sides as uncertain"
    return f"{sa} and {sb} disagree on your {spec.name}{gap}{trust}."


def gct_balance_band_edges() -> dict[str, float]:
    """Garmin GCT-balance zone edges in % left, for plots."""
    return {
        "green_max": rb.GARMIN_GCT_GREEN_MAX_PCT,
        "red_min": rb.GARMIN_GCT_RED_MIN_PCT,
        "green_min": 100.0 - rb.GARMIN_GCT_GREEN_MAX_PCT,
        "red_max": 100.0 - rb.GARMIN_GCT_RED_MIN_PCT,
    }


def healthy_gct_balance_edges() -> dict[str, float]:
    """Healthy-runner contact-time "typical" and "marked" edges in % left, for plots."""
    t = float(balance_from_symmetry_angle(rb.GCT_TYPICAL_MAX_SA_PCT))
    m = float(balance_from_symmetry_angle(rb.GCT_MARKED_MIN_SA_PCT))
    return {"typical_max": t, "typical_min": 100.0 - t, "marked_min": m,
            "marked_max": 100.0 - m}


__all__ = [
    "CLASSES",
    "Assessment",
    "AsymmetryJudgement",
    "Disagreement",
    "Finding",
    "FormGrade",
    "assess",
    "balance_from_symmetry_angle",
    "drift_verdict",
    "fmt_clock",
    "fmt_pace",
    "form_column_sensor",
    "garmin_form_band_applies",
    "gct_balance_band_edges",
    "grade_form",
    "healthy_gct_balance_edges",
    "judge_asymmetry",
    "rank_findings",
    "sensor_label",
    "verdict",
]
