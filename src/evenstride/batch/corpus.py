# SPDX-License-Identifier: MIT
"""A generated corpus for the batch's tests and benchmark: simulated FIT runs of many athletes
drawn from a planted population, one folder per athlete, one athlete's runs in an export zip,
plus corrupt files.

The planted population: each athlete's true GCT balance (% left) is drawn once from
``N(mean_by_sex[sex], sd)`` and every run of that athlete is simulated with it (no drift, flat
route, so a run's measured balance is the athlete's balance plus measurement noise). The truth
(:class:`CorpusTruth`) holds each athlete's sex, birth year, speed and balance, so a test can
check that the cohort percentiles recover the population.
"""

from __future__ import annotations

import csv
import gzip
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from evenstride.simulate import simulate_run

#: Planted mean GCT balance (% left) by sex and the between-athlete SD (pct-points).
MEAN_BY_SEX = {"F": 50.3, "M": 50.9}
BALANCE_SD = 0.7


@dataclass
class Athlete:
    athlete_id: str
    sex: str
    birth_year: int
    speed_m_s: float
    balance_left_pct: float


@dataclass
class CorpusTruth:
    root: Path
    athletes: list[Athlete]
    #: athlete id → the run files written for them (paths, or ``zip!member``)
    files: dict[str, list[str]] = field(default_factory=dict)
    corrupt: list[Path] = field(default_factory=list)
    zip_path: Path | None = None
    athletes_csv: Path | None = None


def write_corpus(root: str | Path, *, n_athletes: int = 100, runs_per_athlete: int = 3,
                 duration_s: float = 900.0, seed: int = 2026, zip_athletes: int = 1,
                 corrupt: bool = True) -> CorpusTruth:
    """Write the corpus under ``root`` (see the module docstring) and return its truth."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    base = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    truth = CorpusTruth(root, [])
    zip_ids = {f"a{i:04d}" for i in range(n_athletes - zip_athletes, n_athletes)}
    zbuf: dict[str, bytes] = {}
    for i in range(n_athletes):
        sex = "F" if rng.random() < 0.5 else "M"
        ath = Athlete(f"a{i:04d}", sex, int(rng.integers(1960, 2001)),
                      float(rng.uniform(2.5, 4.3)),
                      float(rng.normal(MEAN_BY_SEX[sex], BALANCE_SD)))
        truth.athletes.append(ath)
        for k in range(runs_per_athlete):
            sim = simulate_run(
                duration_s=duration_s, seed=seed * 10_000 + i * 100 + k,
                balance_left_pct=ath.balance_left_pct, drift_pct_per_h=0.0, drift_onset_s=None,
                grade_effect_pct_per_pct=0.0, hills=False, stops=0, balance_noise_sd_pct=0.3,
                speed_m_s=ath.speed_m_s, include_stryd=False,
                start_time=base + timedelta(days=i * runs_per_athlete + k, minutes=i % 60))
            name = f"run-{k:02d}.fit"
            if ath.athlete_id in zip_ids:
                tmp = root / f".{ath.athlete_id}-{name}"
                sim.write_fit(tmp)
                zbuf[name] = tmp.read_bytes()
                tmp.unlink()
                truth.files.setdefault(ath.athlete_id, []).append(
                    f"{root / (ath.athlete_id + '.zip')}!{name}")
            else:
                d = root / ath.athlete_id
                d.mkdir(exist_ok=True)
                p = d / (name + (".gz" if k == 1 else ""))  # some gzip-compressed, as exports
                sim.write_fit(d / name)
                if k == 1:
                    p.write_bytes(gzip.compress((d / name).read_bytes(), mtime=0))
                    (d / name).unlink()
                truth.files.setdefault(ath.athlete_id, []).append(str(p))
        if ath.athlete_id in zip_ids:
            truth.zip_path = root / f"{ath.athlete_id}.zip"
            with zipfile.ZipFile(truth.zip_path, "w") as zf:
                for name, data in sorted(zbuf.items()):
                    zf.writestr(name, data)
            zbuf = {}
    if corrupt:
        bad = root / "corrupt"
        bad.mkdir(exist_ok=True)
        good = Path(truth.files[truth.athletes[0].athlete_id][0]).read_bytes()
        specimens = {
            "random.fit": rng.bytes(4096),
            "empty.fit": b"",
            "truncated.fit": good[:200] if good[8:12] == b".FIT" else b".FIT",
            "not-xml.gpx": b"this is not a GPX file\n",
            "bad.fit.gz": b"\x1f\x8b\x08\x00" + rng.bytes(100),
            "header-only.fit": good[:14] if good[8:12] == b".FIT" else b"\x0e",
        }
        for name, data in specimens.items():
            (bad / name).write_bytes(data)
            truth.corrupt.append(bad / name)
    truth.athletes_csv = root.parent / f"{root.name}-athletes.csv"
    with truth.athletes_csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["athlete_id", "sex", "birth_year"])
        for a in truth.athletes:
            w.writerow([a.athlete_id, a.sex, a.birth_year])
    return truth
