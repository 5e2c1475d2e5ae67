# SPDX-License-Identifier: MIT
"""The whole per-run chain in one place: read → gate → metrics → assess.

>>> from evenstride.simulate import simulate_run
>>> a = analyze(simulate_run(duration_s=1800, seed=3).activity)
>>> a.to_dict()["schema"]
'evenstride.run/1'
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evenstride import consts
from evenstride.assessment import Assessment, assess
from evenstride.datatypes import Activity
from evenstride.exceptions import EvenstrideWarning, NotEnoughDataError, UnsupportedActivityError
from evenstride.io import RECORDING_FORMATS, detect_input, read_activity
from evenstride.metrics import (
    CadenceSpeed,
    ChannelAsymmetry,
    DriftResult,
    FormSummary,
    cadence_speed,
    channel_asymmetry,
    drift,
    form_summaries,
)
from evenstride.metrics._family import FamilySummary, control_family
from evenstride.metrics._intervals import WATCH_PRIOR
from evenstride.metrics.asymmetry import MIN_SAMPLES
from evenstride.metrics.context import ContextParams, RunContext, run_context
from evenstride.metrics.drift import window_means
from evenstride.metrics.load import legs_totals
from evenstride.preprocessing import Gating, GatingParams, check_plausibility, label_samples
from evenstride.steps import StepOptions, read_recording

SCHEMA = "evenstride.run/1"

SIGN_CONVENTION = (
    "All indices are positive when the LEFT value is larger and negative when the RIGHT is: "
    "balance_left_pct = 100·L/(L+R); symmetry_angle_pct = (atan(L/R) − 45°)/90°·100 (Zifchock "
    "2008 with the sign flipped so that left-larger is positive); symmetry_index_pct = "
    "(L−R)/(0.5·(L+R))·100 (Robinson 1987); log_ratio = ln(L/R); difference = L − R."
)

#: Shortest running time analysed at all (shorter files are refused; short runs are analysed but
#: most results then read "insufficient data").
MIN_RUNNING_S = 10.0

#: Bilateral columns whose within-run drift is reported next to the asymmetry drift.
DRIFT_COLUMNS = (consts.CONTACT_TIME_S, consts.CADENCE_SPM, consts.VERTICAL_RATIO_PCT)


@dataclass
class RunAnalysis:
    """The result of :func:`analyze`; :meth:`to_dict` gives the JSON of docs/json-schema.md."""

    activity: Activity
    gating: Gating
    asymmetry: list[ChannelAsymmetry]
    drifts: dict[str, DriftResult]
    cadence: CadenceSpeed
    form: list[FormSummary]
    assessment: Assessment
    warnings: list[str] = field(default_factory=list)
    #: Where and how the run was done and its load (``"context"`` in the JSON document).
    context: RunContext | None = None
    #: The family-wise decision step over all of the run's statements.
    family: FamilySummary | None = None

    @property
    def file(self) -> str | None:
        return self.activity.meta.path

    def profile(self, *, by: str = "time", step: float = 300.0) -> list[dict[str, Any]]:
        """Per-5-min (``by="time"``) or per-km (``by="distance"``, step 1000) asymmetry profile."""
        return _profile(self, by=by, step=step)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)


def analyze(
    path_or_activity: str | os.PathLike[str] | Activity,
    *,
    seed: int = 0,
    gating_params: GatingParams | None = None,
    context_params: ContextParams | None = None,
) -> RunAnalysis:
    """Analyse one run for left/right asymmetry, drift and form.

    Parameters
    ----------
    path_or_activity
        A file path or an :class:`Activity`. Any input evenstride reads, recognised by its
        content (:func:`read_input`): FIT/TCX/GPX (optionally gzipped) or a raw recording
        (C3D, foot-IMU CSV, RunScribe CSV, phone Sensor Logger export, …) whose steps are found
        first with default options (:func:`analyze_steps` takes them).
    seed
        Seed of the bootstrap (results are reproducible for a given seed).
    gating_params
        Thresholds for sample labelling (defaults documented in :mod:`evenstride.preprocessing`).
    context_params
        Declared road side, heart-rate settings and track/route rules of the run context
        (:mod:`evenstride.metrics.context`).

    Raises
    ------
    ParseError, UnsupportedActivityError, NotEnoughDataError
        With a one-line message naming the file.
    """
    if isinstance(path_or_activity, Activity):
        act = path_or_activity
    else:
        act = read_input(path_or_activity)
    # physically impossible values are excluded, counted and named before anything reads them
    act = check_plausibility(act)
    gating = label_samples(act, gating_params)
    run_w = float(gating.weight_s[gating.running].sum())
    walk_w = float(gating.weight_s[gating.walking].sum())
    if run_w < MIN_RUNNING_S:
        if walk_w > max(run_w, 60.0):
            cad = act.column(consts.CADENCE_SPM)[gating.walking]
            spd = act.column(consts.SPEED_M_S)[gating.walking]
            how = []
            if np.isfinite(cad).any():
                how.append(f"median cadence {np.nanmedian(cad):.0f} steps/min")
            if np.isfinite(spd).any():
                how.append(f"{np.nanmedian(spd):.1f} m/s")
            detail = f" ({', '.join(how)})" if how else ""
            raise UnsupportedActivityError(
                f"labelled {act.meta.sport}, but the movement is walking{detail}: "
                f"only {run_w:.0f} s look like running",
                path=act.meta.path,
            )
        raise NotEnoughDataError(
            f"only {run_w:.0f} s of running found (need at least {MIN_RUNNING_S:.0f} s)",
            path=act.meta.path,
        )
    notes = list(act.warnings)
    asym = [channel_asymmetry(act, ch, gating, seed=seed) for ch in act.sided]
    t = act.samples[consts.TIME_S]
    cov = _covariates(act, gating)
    drifts: dict[str, DriftResult] = {}
    drift_mask = gating.steady_main_leg  # within one leg: never across a multisport file's bike
    for r in asym:
        if r.per_sample is None or r.n < MIN_SAMPLES:
            continue
        unit = "% SA" if r.ratio_scale else r.unit
        drifts[r.key] = drift(
            r.key, unit, t, r.per_sample, drift_mask, cov, seed=seed, prior=r.prior
        )
    for col in DRIFT_COLUMNS:
        if act.has(col):
            unit = consts.SAMPLE_COLUMN_UNITS[col]
            drifts[col] = drift(
                col, unit, t, act.column(col), drift_mask, cov, seed=seed, prior=WATCH_PRIOR
            )
    # Family-wise step (issue 10): every "real"/"changed" statement of the run is decided here,
    # after all results exist and before the assessment reads them.
    family = control_family(asym, drifts)
    cs = cadence_speed(act, gating)
    summaries = form_summaries(act, gating)
    assessment = assess(asym, drifts, cs, summaries, gating=gating, activity=act)
    if not act.sided:
        msg = (
            "no left/right data in this file (no GCT balance or per-foot pod fields): only form "
            "and drift are reported"
        )
        notes.append(msg)
        warnings.warn(f"{act.meta.path}: {msg}", EvenstrideWarning, stacklevel=2)
    context = run_context(act, gating, context_params)
    return RunAnalysis(
        act, gating, asym, drifts, cs, summaries, assessment, notes, context, family
    )


def read_input(
    path: str | os.PathLike[str], *, fmt: str | None = None, options: StepOptions | None = None
) -> Activity:
    """Any supported file → :class:`Activity`, by its content (:func:`evenstride.io.detect_input`)
    unless ``fmt`` names the format: watch files are read as they are, raw recordings go through
    step detection (:func:`evenstride.steps.read_recording`). Content that is neither gets the
    watch reader's one-line error naming the file."""
    kind = fmt if fmt is not None else detect_input(path)
    if kind in RECORDING_FORMATS:
        return read_recording(path, kind, options)
    return read_activity(path)


def analyze_steps(
    recording: str | os.PathLike[str] | Activity,
    *,
    fmt: str | None = None,
    options: StepOptions | None = None,
    seed: int = 0,
) -> RunAnalysis:
    """Per-step analysis of a raw recording (or of any input :func:`analyze` reads): find each
    step's events and side, build the per-step :class:`Activity` and judge it like a watch
    file. ``fmt`` overrides the format found from the content; ``options`` carries what a
    format needs besides the file (body mass, treadmill speed, the right pod's file, …).
    The ``evenstride steps`` document is :func:`evenstride.steps.steps_document` of the result.
    """
    if isinstance(recording, Activity):
        return analyze(recording, seed=seed)
    if fmt is None:  # unrecognised content: the foot-IMU reader (the command's old default) says
        fmt = detect_input(recording) or "imu"  # what is wrong with it, naming the file
    return analyze(read_input(recording, fmt=fmt, options=options), seed=seed)


def merge_warnings(notes: list[str], caught: list[warnings.WarningMessage],
                   path: str | None) -> list[str]:
    """Add the caught :class:`EvenstrideWarning` messages to ``notes`` (in place), each once.

    Readers and the pipeline both keep a note (``"no left/right data …"``) and warn with the file
    name in front (``"run.fit: no left/right data …"``): the same message is recognised with or
    without that prefix, so the terminal and the HTML report print it once.
    """

    def bare(msg: str) -> str:
        return msg.removeprefix(f"{path}: ") if path else msg

    seen = {bare(n) for n in notes}
    for w in caught:
        if not issubclass(w.category, EvenstrideWarning):
            continue
        msg = bare(str(w.message))
        if msg not in seen:
            notes.append(msg)
            seen.add(msg)
    return notes


def _covariates(act: Activity, g: Gating) -> dict[str, np.ndarray]:
    cov: dict[str, np.ndarray] = {}
    if act.has(consts.SPEED_M_S):
        cov["speed"] = act.column(consts.SPEED_M_S)
    if g.has_altitude and not g.indoor:
        cov["grade"] = g.grade_pct
    if g.has_position and not g.indoor:
        cov["bend"] = g.bend_left.astype(float) - g.bend_right.astype(float)
    return cov


def _profile(a: RunAnalysis, *, by: str, step: float) -> list[dict[str, Any]]:
    act, g = a.activity, a.gating
    if by == "time":
        x = act.samples[consts.TIME_S]
    else:
        x = act.column(consts.DISTANCE_M)
        if not np.isfinite(x).any():
            return []
    series: dict[str, np.ndarray] = {
        "speed_m_s": act.column(consts.SPEED_M_S),
        "grade_pct": g.grade_pct,
        "cadence_spm": act.column(consts.CADENCE_SPM),
        "contact_time_s": act.column(consts.CONTACT_TIME_S),
    }
    for r in a.asymmetry:
        if r.per_sample is not None:
            series[r.key] = r.per_sample
        ch = act.channel(r.metric, r.source)
        if ch is not None and ch.balance_left_pct is not None:
            series[f"{r.key}:balance_left_pct"] = ch.balance_left_pct
    out = []
    legs = g.leg_ids
    for leg in np.unique(legs):  # per leg of a multisport file, from the leg's own start
        on = legs == leg
        origin = float(np.nanmin(x[on])) if np.isfinite(x[on]).any() else 0.0
        m = g.steady & np.isfinite(x) & on
        xs = np.where(np.isfinite(x) & on, x - origin, -1.0)
        _centre, means, cnt = window_means(xs, series, m, window_s=step)
        x0 = float(xs[m][0]) if m.any() else 0.0
        # plain Python floats and ints (tolist) for the per-window loop: the same values
        counts = cnt.tolist()
        cols = [(k, v.tolist()) for k, v in means.items()]
        leg_no = int(leg) + 1
        for i, n_i in enumerate(counts):
            if n_i == 0:
                continue
            row: dict[str, Any] = {
                "leg": leg_no,
                "start": round(x0 + i * step, 1),
                "end": round(x0 + (i + 1) * step, 1),
                "n": int(n_i),
            }
            for k, vals in cols:
                val = vals[i]
                row[k] = round(val, 4) if math.isfinite(val) else None
            out.append(row)
    return out


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _to_dict(a: RunAnalysis) -> dict[str, Any]:
    act = a.activity
    meta = act.meta
    cs = a.cadence
    form: dict[str, Any] = {
        "cadence_speed": {
            "n_windows": cs.n_windows,
            "intercept_spm": _r(cs.intercept_spm, 2),
            "slope_spm_per_m_s": _r(cs.slope_spm_per_m_s, 2),
            "residual_sd_spm": _r(cs.residual_sd_spm, 2),
            "reference_speed_m_s": _r(cs.reference_speed_m_s, 3),
            "cadence_at_reference_spm": _r(cs.cadence_at_reference_spm, 1),
            "low_for_speed_share": cs.low_for_speed_share,
            "low_segments_s": [[round(s, 0), round(e, 0)] for s, e in cs.low_segments],
            "suggestion_spm": None if cs.suggestion_spm is None else list(cs.suggestion_spm),
            "reason": cs.reason,
        },
        "summary": {
            s.column: {
                "unit": s.unit,
                "median": _r(s.median, 4),
                "p10": _r(s.p10, 4),
                "p90": _r(s.p90, 4),
                "n": s.n,
            }
            for s in a.form
        },
    }
    for col, grade in a.assessment.form_grades.items():  # a foot pod's values get no band
        form["summary"][col].update(grade.to_dict())
    cov = a.gating.coverage()
    duration_s, distance_m = act.duration_s, act.distance_m
    if a.context is not None and len(a.context.legs) > 1:  # multisport: the running legs only
        duration_s, distance_m = legs_totals(a.context.legs)
    return {
        "schema": SCHEMA,
        "file": meta.path,
        "file_format": meta.file_format,
        "sport": meta.sport,
        "sub_sport": meta.sub_sport,
        "start_time": None if meta.start_time is None else meta.start_time.isoformat(),
        "duration_s": _r(duration_s, 1),
        "distance_m": _r(distance_m, 1),
        "devices": list(meta.devices),
        "segments": [
            {
                "sport": s.sport,
                "sub_sport": s.sub_sport,
                "start_s": _r(s.start_s, 1),
                "end_s": _r(s.end_s, 1),
                "analysed": s.analysed,
            }
            for s in meta.segments
        ],
        "sign_convention": SIGN_CONVENTION,
        "quality": {
            "n_samples": act.n_samples,
            "labels": cov,
            "dropouts": a.gating.dropout_coverage(),
            "analysed_s": _r(float(a.gating.weight_s[a.gating.steady].sum()), 1),
            "family_wise": None if a.family is None else a.family.to_dict(),
        },
        "context": None if a.context is None else a.context.to_dict(),
        "asymmetry": [j.to_dict() for j in a.assessment.judgements],
        "fatigue": {k: d.to_dict() for k, d in a.drifts.items()},
        "form": form,
        "disagreements": [d.to_dict() for d in a.assessment.disagreements],
        "headline_findings": [f.to_dict() for f in a.assessment.headlines],
        "findings": [f.to_dict() for f in a.assessment.findings],
        "profile_5min": a.profile(by="time", step=300.0),
        "profile_km": a.profile(by="distance", step=1000.0),
        "warnings": list(a.warnings),
    }
