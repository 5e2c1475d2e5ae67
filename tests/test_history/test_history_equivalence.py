# SPDX-License-Identifier: MIT
"""``build_history`` gives the same output, value for value, after its speed-ups.

A seeded record-level corpus (no simulation of samples: two metrics, an AR(1) run-to-run noise,
a strap change, a real step, speeds, surfaces, shoes, heart rate, per-run contexts) is built and
``build_history(...).to_dict()`` hashed. The digest computed with the code BEFORE the speed-ups
of H11 (commit c09d911: per-draw bootstrap loops, O(N²) regime scans) was
``a5290c91bce359b6764b20cac48998edbdcb051f7ff5bb363364083b979c1746``, and the sped-up code
(commit abe7a82) gave the same. The change detector then changed on purpose (GLS window
contrast, threshold 3.15, dating searched near the flagging window: CHANGELOG "Scientific
changes"), which moves this corpus's change values. It changed again on purpose in H-detect
(monitor windows ≤ 24 runs, threshold 3.3 + 0.4·ln n, a whole-regime test, changes dated with
every run up to the next restart: CHANGELOG "Scientific changes"): the planted step keeps its
start (2024-06-29) and is detected 3 days later (threshold 5.1 instead of 4.1), its shift is
measured on 18 runs after it (+1.32, was +1.41 on 13), and bootstrap intervals drawn later
from the same generator move by ≤ 0.03 (a different number of draws before them: the change's
bootstrap resamples its longer segment); the noise floor's "method" sentence names the new
test. In H-detect2 the false-alarm budget was rebalanced on purpose (monitor 3.4 + 0.2·ln n,
whole-regime test 11.25 + 0.5·ln n: CHANGELOG "Scientific changes"): the planted step keeps its
start, shift and intervals and is detected 3 days earlier (2024-07-10, monitor threshold 4.31
instead of 5.12, z 4.6 on a shorter window); the thresholds shown and the params move, nothing
else. ``EXPECTED_SHA256`` is the digest since.
Any further change of an output value, also of a bootstrap interval (the same random draws must
feed them), fails: a speed-up must leave it as is.

Since issue 15 a store builds the history from each run's summary row (``activities.history_doc``)
instead of the whole document: :func:`test_history_from_store_rows_equals_history_from_documents`
fails if the two differ (and tests/test_store/test_history_part.py checks each record over real
files). ``build_history(..., metrics_only=True)`` (the import summary) must place runs exactly
as the whole history does.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.history import (
    AsymmetryEntry,
    ContextValue,
    HistoryParams,
    RunRecord,
    ShoeInfo,
    build_history,
    personal_baseline,
)

T0 = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
N_RUNS = 120
#: sha256 of ``json.dumps(build_history(corpus()).to_dict(), sort_keys=True, default=str)``
#: (see the module docstring for its history).
EXPECTED_SHA256 = "6292ac72d01efbf9b83495ac9ad8bb5ce5b2e408b2b0b0ac938c09c4f20e94ae"


def _entry(key: str, v: float, rng: np.random.Generator, speed: float) -> AsymmetryEntry:
    ctx = []
    for name in ("uphill", "flat", "downhill", "bend_left", "bend_right", "straight"):
        ctx.append(ContextValue(name, int(rng.integers(20, 400)), float(v + rng.normal(0, 0.4))))
    for j, name in enumerate(("speed_slow", "speed_mid", "speed_fast")):
        s = speed + 0.3 * (j - 1) + float(rng.normal(0, 0.05))
        ctx.append(ContextValue(name, 200, float(v + 0.5 * (s - speed) + rng.normal(0, 0.2)), s))
    return AsymmetryEntry(
        key=key,
        index="symmetry_angle_pct",
        value=float(v),
        ci95=(v - 0.2, v + 0.2),
        balance_left_pct=50.0 + float(v) * math.pi / 4.0,
        n=1800,
        real=bool(abs(v) > 1.0),
        by_context=tuple(ctx),
    )


def corpus(seed: int = 11) -> list[RunRecord]:
    """``N_RUNS`` runs 1–3 days apart with everything ``build_history`` looks at."""
    rng = np.random.default_rng(seed)
    out = []
    t = T0
    noise = 0.0
    for i in range(N_RUNS):
        t = t + timedelta(days=int(rng.integers(1, 4)), minutes=int(rng.integers(0, 90)))
        noise = 0.5 * noise + float(rng.normal(0.0, 0.3))
        strap = "garmin hrm_pro" if i < 50 else "garmin hrm_600"
        surface = ["road", "road", "road", "trail", "treadmill", "track"][int(rng.integers(0, 6))]
        speed = float(3.0 + rng.normal(0, 0.25))
        ct = 1.5 + noise + (0.4 if i >= 50 else 0.0) + (1.5 if i >= 85 else 0.0)
        vo = 2.5 + float(rng.normal(0, 0.5))
        dur = float(rng.uniform(1800, 5400))
        hist = tuple(float(x) for x in rng.uniform(0, 30, 60))
        out.append(
            RunRecord(
                activity_id=i + 1,
                start_time=t,
                duration_s=dur,
                distance_m=dur * speed,
                device_key=f"garmin fr965 + {strap}",
                devices=("garmin fr965", strap),
                gear="Pegasus 40" if i < 70 else "Novablast 4",
                asymmetry={
                    "contact_time/running_dynamics": _entry(
                        "contact_time/running_dynamics", ct, rng, speed
                    ),
                    "vertical_oscillation/running_dynamics": _entry(
                        "vertical_oscillation/running_dynamics", vo, rng, speed
                    ),
                },
                median_speed_m_s=speed,
                running_s=dur * 0.95,
                moving_s=dur * 0.97,
                surface=surface,
                route_shape="loop" if i % 3 else "out_and_back",
                bend_left_s=float(rng.uniform(50, 300)),
                bend_right_s=float(rng.uniform(50, 300)),
                uphill_s=float(rng.uniform(100, 600)),
                flat_s=float(rng.uniform(600, 2000)),
                downhill_s=float(rng.uniform(100, 600)),
                road_running_s=dur * 0.9 if surface == "road" else None,
                same_side_as_start_pct=float(rng.uniform(30, 90)) if surface == "road" else None,
                hr_histogram=(100, hist),
                hr_peak_bpm=float(rng.uniform(160, 185)),
                session_rpe=float(rng.integers(2, 9)) if i % 4 == 0 else None,
            )
        )
    return out


def _digest() -> str:
    h = build_history(
        corpus(),
        declared_road_side="left",
        shoes=[ShoeInfo("Pegasus 40", type="daily trainer", drop_mm=10.0, retire_km=600.0)],
        resting_hrv=[(T0 + timedelta(days=2 * i), 60.0 + (i % 7)) for i in range(40)],
        params=HistoryParams(n_boot=300, n_boot_changepoint=100),
    )
    doc = json.dumps(h.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()


def test_build_history_output_is_unchanged_by_the_speed_ups():
    assert _digest() == EXPECTED_SHA256


def test_metrics_only_history_places_runs_as_the_whole_history():
    runs = corpus()
    p = HistoryParams(n_boot=300, n_boot_changepoint=100)
    whole = build_history(runs, params=p)
    part = build_history(runs, params=p, metrics_only=True)
    assert [m.to_dict() for m in part.metrics.values()] == [
        m.to_dict() for m in whole.metrics.values()]
    assert len(whole.metrics) == 2 and any(m.changes for m in whole.metrics.values())
    for r in runs[-15:]:
        assert personal_baseline(part, r, athlete="a") == personal_baseline(whole, r, athlete="a")
    with pytest.raises(ValueError, match="metrics-only"):
        part.to_dict()


def test_history_from_store_rows_equals_history_from_documents(tmp_path):
    """Simulated FIT files (pods and Stryd coming and going) → a store → the history the
    services build from the summary rows, against ``build_history`` of the whole documents."""
    from evenstride.exceptions import EvenstrideWarning
    from evenstride.importer import import_paths
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.services.history import load_history
    from evenstride.simulate import simulate_run
    from evenstride.store import open_store
    from evenstride.store.history_cache import HISTORY_CACHE

    paths = []
    for i in range(12):
        sim = simulate_run(duration_s=10 * 60, seed=700 + i, balance_left_pct=50.6 + 0.05 * i,
                           include_runscribe=i % 2 == 0, include_stryd=i % 3 == 0,
                           start_time=T0 + timedelta(days=2 * i))
        buf = io.BytesIO()
        write_activity_fit(sim.activity, buf)
        (tmp_path / f"r{i:02d}.fit").write_bytes(buf.getvalue())
        paths.append(tmp_path / f"r{i:02d}.fit")
    HISTORY_CACHE.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        with open_store(tmp_path / "h.sqlite") as store:
            import_paths(paths, store, athlete="ann", jobs=1)
            ann = store.athlete("ann", create=False).id
            rows = load_history(store, ann).history.to_dict()
            docs = [RunRecord.from_run_doc(doc, activity_id=row.id, gear=row.gear)
                    for row, doc in store.analysis_docs(ann)]
    assert rows["runs"]["n"] == 12 and rows["metrics"]
    assert json.dumps(rows, sort_keys=True) == json.dumps(build_history(docs).to_dict(),
                                                          sort_keys=True)


if __name__ == "__main__":  # print the digest of the code as it is
    print(_digest())
