# SPDX-License-Identifier: MIT
"""Cohort norms from the lake (DuckDB over the summary Parquet) recover the simulator's planted
population, and load as a band source the assessment grades with."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evenstride.batch.corpus import BALANCE_SD, MEAN_BY_SEX

pytestmark = pytest.mark.slow
pytest.importorskip("duckdb")


def _row(table, **strata):
    want = {"metric": "contact_time", "source": "running_dynamics", "value": "balance_left_pct",
            "speed_band": "all", "sex": "all", "age_band": "all", "device": "all", **strata}
    hits = [r for r in table["rows"] if all(r[k] == v for k, v in want.items())]
    assert len(hits) == 1, (want, len(hits))
    return hits[0]


def test_cohort_percentiles_recover_the_planted_population(corpus, lake):
    from evenstride.batch import build_cohort

    path, _ = lake
    table = build_cohort(str(path), athletes=str(corpus.athletes_csv))
    assert table["schema"] == "evenstride.cohort/1" and table["version"] == "v1"
    planted = {a.athlete_id: a for a in corpus.athletes}
    for sex in ("F", "M"):
        r = _row(table, sex=sex)
        truth = np.array([a.balance_left_pct for a in planted.values() if a.sex == sex])
        # athletes with a judged run (a 15-min run is occasionally "insufficient data")
        assert 0.85 * len(truth) <= r["n_athletes"] <= len(truth)
        # against the planted values of these athletes: only measurement noise (~0.1 pct-pt
        # per athlete) and the few athletes left out separate them
        for q, col in ((10, "p10"), (50, "p50"), (90, "p90")):
            assert abs(r[col] - np.percentile(truth, q)) < 0.25, (sex, col)
        # against the population law N(mean, sd): within 3 standard errors of a median
        se = 1.2533 * BALANCE_SD / np.sqrt(r["n_athletes"])
        assert abs(r["p50"] - MEAN_BY_SEX[sex]) < 3 * se + 0.1
    f, m = _row(table, sex="F"), _row(table, sex="M")
    assert m["p50"] - f["p50"] > 0.3  # planted difference 0.6
    # speed bands partition the athletes' runs; every band row names its n
    bands = [r for r in table["rows"] if r["value"] == "balance_left_pct"
             and r["speed_band"] != "all" and r["sex"] == "all" and r["device"] == "all"
             and r["age_band"] == "all"]
    assert {b["speed_band"] for b in bands} <= {"<2.5", "2.5-3.0", "3.0-3.5", "3.5-4.0",
                                                 ">=4.0"}
    assert len(bands) >= 3
    # a rerun on the unchanged lake writes no new version
    again = build_cohort(str(path), athletes=str(corpus.athletes_csv))
    assert again["version"] == "v1"
    assert sorted(p.name for p in (path / "cohort").iterdir()) == [
        "cohort-v0001.json", "cohort-v0001.parquet"]


def test_cohort_band_grades_a_run(corpus, lake):
    from evenstride.assessment import judge_asymmetry
    from evenstride.assessment.cohort import CohortTable
    from evenstride.batch import build_cohort
    from evenstride.pipeline import analyze
    from evenstride.simulate import simulate_run

    path, _ = lake
    build_cohort(str(path), athletes=str(corpus.athletes_csv))
    t = CohortTable.load(path / "cohort" / "cohort-v0001.json")
    band = t.band("contact_time", "running_dynamics", sex="F")
    raw = json.loads((path / "cohort" / "cohort-v0001.json").read_text())
    row = next(r for r in raw["rows"] if r["value"] == "abs_index" and r["sex"] == "F"
               and r["speed_band"] == "all" and r["age_band"] == "all"
               and r["device"] == "all" and r["metric"] == "contact_time")
    assert band is not None
    assert band.typical_max == row["p90"] and band.marked_min == row["p95"]
    assert band.evidence.grade == "U"
    assert band.evidence.sources[0].startswith(
        f"evenstride cohort v1, n={row['n_athletes']} athletes")
    # too few athletes in a stratum: the next coarser one
    assert t.lookup("contact_time", "running_dynamics", sex="F",
                    min_athletes=10**6) is None
    # a run far outside the cohort is "marked" against it
    res = analyze(simulate_run(duration_s=1200, seed=5, balance_left_pct=53.5,
                               drift_pct_per_h=0.0, hills=False, stops=0).activity)
    j = next(j for j in res.assessment.judgements
             if j.result.metric == "contact_time" and j.result.source == "running_dynamics")
    mine = judge_asymmetry(j.result, bands={"contact_time": band})
    assert mine.band is band and mine.cls == "marked"
    assert mine.evidence.sources[0] == band.evidence.sources[0]
