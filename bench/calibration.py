# SPDX-License-Identifier: MIT
"""Calibration of the per-run verdicts (issue 10): interval coverage and family-wise false alarms.

For every cell of the grid (run duration × noise persistence of the strap balance) it simulates
seeded runs and reports

- **coverage** of the nominal 95 % intervals of the asymmetry index (symmetry angle) for the strap
  GCT balance (planted 51 % left), the foot-pod (RunScribe) contact time, impact and braking
  (planted SI 2 %, 6 %, 12 %), and a lab-like per-step channel (30 s and 2 min treadmill trials,
  ~40 and ~160 steps per side, planted SI 3 %); a run whose verdict is "can't tell" shows no
  interval and is counted separately (share in the "cant" column);
- **false alarms**: the share of runs of a perfectly symmetric runner (no asymmetry, no drift, no
  grade or bend effect, no fatigue) in which ANY statement is made: an asymmetry "real", a drift
  "changed", a quarter change, an onset, a context asymmetry "real" or a source disagreement.

Targets: coverage ≥ 0.93 for every channel kind and cell; false alarms ≤ 0.05 per run.

Usage::

    .venv/bin/python bench/calibration.py --reps 40          # full grid (~15 min on one core)
    .venv/bin/python bench/calibration.py --reps 10 --durations 20 45 --noise real 0.995
"""

from __future__ import annotations

import argparse
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta, SidedChannel
from evenstride.metrics.symmetry import symmetry_angle, symmetry_angle_from_balance
from evenstride.pipeline import RunAnalysis, analyze
from evenstride.simulate import simulate_run

DURATIONS_MIN = (20, 45, 90, 180)
#: "real": the simulator default fitted on real files; numbers: single AR(1) with that lag-1.
NOISE_CELLS = ("real", "0.9", "0.99", "0.995")
COVERAGE_TARGET = 0.93
FALSE_ALARM_TARGET = 0.05
PLANTED_BALANCE_PCT = 51.0
POD_SI_PCT = {consts.M_CONTACT_TIME: 2.0, consts.M_IMPACT_G: 6.0, consts.M_BRAKING_G: 12.0}
LAB_SI_PCT = 3.0


def noise_kwargs(cell: str) -> dict[str, float]:
    """Simulator balance-noise arguments of a grid cell."""
    if cell == "real":
        return {}
    return {"balance_noise_phi": float(cell), "balance_noise_slow_share": 0.0,
            "balance_noise_sd_pct": 0.55}


def _sa_from_si(si_pct: float) -> float:
    return float(symmetry_angle(1.0 + si_pct / 200.0, 1.0 - si_pct / 200.0))


@dataclass
class Tally:
    covered: int = 0
    shown: int = 0
    cant: int = 0

    def add(self, ci: tuple[float, float] | None, truth: float, cant: bool) -> None:
        if cant or ci is None or not all(map(math.isfinite, ci)):
            self.cant += 1
            return
        self.shown += 1
        self.covered += int(ci[0] <= truth <= ci[1])

    @property
    def coverage(self) -> float:
        return self.covered / self.shown if self.shown else float("nan")

    @property
    def cant_share(self) -> float:
        n = self.shown + self.cant
        return self.cant / n if n else float("nan")


@dataclass
class CellResult:
    duration_min: int
    noise: str
    strap: Tally = field(default_factory=Tally)
    pod: Tally = field(default_factory=Tally)
    runs_false_alarm: int = 0
    runs_symmetric: int = 0
    what_fired: dict[str, int] = field(default_factory=dict)

    @property
    def false_alarm_rate(self) -> float:
        return self.runs_false_alarm / self.runs_symmetric if self.runs_symmetric else float("nan")


def statements(res: RunAnalysis) -> list[str]:
    """Every "real"/"changed" statement one analysed run makes."""
    out = []
    for r in res.asymmetry:
        if r.real:
            out.append(f"asymmetry {r.key}")
        out += [f"context {r.key} {c.context}" for c in r.by_context if c.verdict == "real"]
        out += [f"disagree {r.key}~{k}" for k, v in r.disagreement_verdicts.items() if v == "real"]
    for k, d in res.drifts.items():
        if d.significant:
            out.append(f"drift {k}")
        if d.quarter_verdict == "real":
            out.append(f"quarters {k}")
        if d.onset_s is not None:
            out.append(f"onset {k}")
    return out


def run_cell(duration_min: int, noise: str, reps: int, seed0: int = 0) -> CellResult:
    cell = CellResult(duration_min, noise)
    truth_strap = float(symmetry_angle_from_balance(PLANTED_BALANCE_PCT))
    base = {"duration_s": duration_min * 60.0, "drift_pct_per_h": 0.0,
            "grade_effect_pct_per_pct": 0.0, "gct_fatigue_pct_per_h": 0.0,
            "include_runscribe": True, **noise_kwargs(noise)}
    for i in range(reps):
        seed = seed0 + 1000 * duration_min + i
        # coverage: planted asymmetry
        sim = simulate_run(seed=seed, balance_left_pct=PLANTED_BALANCE_PCT,
                           runscribe_contact_asym_pct=POD_SI_PCT[consts.M_CONTACT_TIME],
                           runscribe_impact_asym_pct=POD_SI_PCT[consts.M_IMPACT_G],
                           runscribe_braking_asym_pct=POD_SI_PCT[consts.M_BRAKING_G], **base)
        res = analyze(sim.activity, seed=seed)
        for r in res.asymmetry:
            cant = r.verdict == "cant_tell"
            if r.source == consts.SRC_RUNNING_DYNAMICS:
                cell.strap.add(r.symmetry_angle_ci95, truth_strap, cant)
            elif r.metric in POD_SI_PCT:
                cell.pod.add(r.symmetry_angle_ci95, _sa_from_si(POD_SI_PCT[r.metric]), cant)
        # false alarms: a perfectly symmetric runner
        sym = simulate_run(seed=seed + 500, balance_left_pct=50.0, runscribe_contact_asym_pct=0.0,
                           runscribe_impact_asym_pct=0.0, runscribe_braking_asym_pct=0.0, **base)
        fired = statements(analyze(sym.activity, seed=seed))
        cell.runs_symmetric += 1
        cell.runs_false_alarm += int(bool(fired))
        for f in fired:
            k = f.split(" ")[0]
            cell.what_fired[k] = cell.what_fired.get(k, 0) + 1
    return cell


def lab_activity(n_strides: int, si_pct: float, rng: np.random.Generator) -> Activity:
    """A per-stride treadmill trial like the lab readers build: contact time per foot, step
    noise AR(1) φ = 0.3 per stride (real RunScribe strides: lag-1 0.04–0.61, docs/methods.md)."""
    stride_s = 0.72 + 0.01 * rng.standard_normal(n_strides)
    t = np.cumsum(stride_s)

    def ar(phi: float, sd: float) -> np.ndarray:
        e = rng.standard_normal(n_strides) * sd * math.sqrt(1 - phi * phi)
        out = np.empty(n_strides)
        acc = 0.0
        for j in range(n_strides):
            acc = phi * acc + e[j]
            out[j] = acc
        return out

    ct = 0.25
    left = ct * (1 + si_pct / 200.0) + ar(0.3, 0.012)
    right = ct * (1 - si_pct / 200.0) + ar(0.3, 0.012)
    samples = {consts.TIME_S: t, consts.CADENCE_SPM: 120.0 / stride_s,
               consts.CONTACT_TIME_S: 0.5 * (left + right),
               consts.SPEED_M_S: np.full(n_strides, 3.5)}
    ch = SidedChannel(consts.M_CONTACT_TIME, "force_plate", "s", left=left, right=right,
                      origin="simulated per-stride contact")
    meta = ActivityMeta(path=None, file_format="simulated_lab", sport="running",
                        sub_sport="treadmill", devices=["simulated"], indoor=True)
    return Activity(samples=samples, sided=[ch], meta=meta)


def run_lab(n_strides: int, reps: int, seed0: int = 0) -> tuple[Tally, int, int]:
    """Coverage (planted SI) and false alarms (SI 0) of the lab-like per-step channel."""
    tally = Tally()
    alarms = 0
    truth = _sa_from_si(LAB_SI_PCT)
    for i in range(reps):
        rng = np.random.default_rng(seed0 + 7919 * n_strides + i)
        res = analyze(lab_activity(n_strides, LAB_SI_PCT, rng))
        r = res.asymmetry[0]
        tally.add(r.symmetry_angle_ci95, truth, r.verdict == "cant_tell")
        null = analyze(lab_activity(n_strides, 0.0, rng))
        alarms += int(bool(statements(null)))
    return tally, alarms, reps


def _fmt(x: float) -> str:
    return "  –  " if not math.isfinite(x) else f"{x:5.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=40, help="replicates per cell (default 40)")
    ap.add_argument("--durations", type=int, nargs="+", default=list(DURATIONS_MIN))
    ap.add_argument("--noise", nargs="+", default=list(NOISE_CELLS),
                    help="'real' (fitted default) and/or AR(1) lag-1 values")
    ap.add_argument("--lab-strides", type=int, nargs="+", default=[40, 160])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"evenstride calibration: {args.reps} replicates per cell, seed {args.seed}")
    print(f"targets: coverage ≥ {COVERAGE_TARGET}, family-wise false alarms ≤ "
          f"{FALSE_ALARM_TARGET}\n")
    hdr = (f"{'min':>4} {'noise':>6} | {'strap cov':>9} {'cant':>5} | {'pod cov':>7} {'cant':>5} |"
           f" {'false alarm':>11} | met  what fired")
    print(hdr)
    print("-" * len(hdr))
    all_ok = True
    for dmin in args.durations:
        for noise in args.noise:
            c = run_cell(dmin, noise, args.reps, args.seed)
            ok = (
                (not c.strap.shown or c.strap.coverage >= COVERAGE_TARGET)
                and (not c.pod.shown or c.pod.coverage >= COVERAGE_TARGET)
                and c.false_alarm_rate <= FALSE_ALARM_TARGET
            )
            all_ok &= ok
            fired = ", ".join(f"{k} {v}" for k, v in sorted(c.what_fired.items())) or "–"
            print(f"{dmin:>4} {noise:>6} | {_fmt(c.strap.coverage):>9} {_fmt(c.strap.cant_share)} |"
                  f" {_fmt(c.pod.coverage):>7} {_fmt(c.pod.cant_share)} |"
                  f" {_fmt(c.false_alarm_rate):>11} | {'yes' if ok else 'NO ':3}  {fired}",
                  flush=True)
    print("\nlab-like per-step channel (treadmill trial, contact time per foot)")
    for ns in args.lab_strides:
        t, alarms, n = run_lab(ns, args.reps * 2, args.seed)
        ok = (not t.shown or t.coverage >= COVERAGE_TARGET) and alarms / n <= FALSE_ALARM_TARGET
        all_ok &= ok
        print(f"  {ns:4d} steps/side: coverage {_fmt(t.coverage)}, can't tell {_fmt(t.cant_share)},"
              f" false alarms {alarms / n:5.3f} | {'yes' if ok else 'NO'}")
    print(f"\nall targets met: {'yes' if all_ok else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
