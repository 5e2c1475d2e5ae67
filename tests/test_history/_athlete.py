# SPDX-License-Identifier: MIT
"""A generated athlete: 23 weeks, 4 runs a week, every run simulated and analysed.

The planted truth (all balances are % of contact time on the LEFT foot):

- baseline balance 51.0 %, day-to-day SD 0.3 %-points (each run's ``balance_left_pct`` is drawn);
- week 8 (day 56): the chest strap changes (device key) and reads +0.8 %-points higher;
- day 112 (week 16): a real change in the runner, +1.2 %-points;
- a load spike: the long run of week 12 is 50 % longer than usual;
- shoes: "Pegasus 40" until day 77, then "Novablast 4"; track sessions in "Vaporfly 3";
- track weeks 5, 13 and 20 (one counter-clockwise session each; week 13's is an easy run);
- treadmill runs in weeks 3 and 18, trail runs in weeks 7, 15 and 21;
- loops on Tuesday/Thursday/Sunday, an out-and-back on Saturday;
- left-hand bends add 0.6 %-points (right-hand bends subtract it), grade 0.05 %-points per %.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from evenstride.exceptions import EvenstrideWarning
from evenstride.metrics.context import ContextParams
from evenstride.pipeline import analyze
from evenstride.simulate import simulate_run

START = datetime(2024, 1, 1, 6, 30, tzinfo=UTC)  # a Monday
WEEKS = 23
BASE_BALANCE = 51.0
DAY_SD = 0.3
DEVICE_DAY = 56
DEVICE_OFFSET = 0.8
SHIFT_DAY = 112
SHIFT = 1.2
SPIKE_WEEK = 12
SHOE_SWITCH_DAY = 77
TRACK_WEEKS = (5, 13, 20)
EASY_TRACK_WEEK = 13
TREADMILL_WEEKS = (3, 18)
TRAIL_WEEKS = (7, 15, 21)
DEVICES_A = ["garmin fr965", "garmin hrm_pro"]
DEVICES_B = ["garmin fr965", "garmin hrm_600"]
LONG_MIN = 35.0


@dataclass(frozen=True)
class PlannedRun:
    activity_id: int
    start: datetime
    day: int
    route: str
    sub_sport: str | None
    minutes: float
    speed_m_s: float
    balance_left_pct: float
    devices: tuple[str, ...]
    gear: str
    hill_amplitude_m: float = 12.0


def plan() -> list[PlannedRun]:
    rng = np.random.default_rng(20240101)
    out = []
    for week in range(WEEKS):
        for dow in (1, 3, 5, 6):
            day = 7 * week + dow
            route, sub, minutes, speed, amp = "loop", None, 24.0, 3.1, 12.0
            gear = "Pegasus 40" if day < SHOE_SWITCH_DAY else "Novablast 4"
            if dow == 1 and week in TREADMILL_WEEKS:
                route = "treadmill"
            elif dow == 3:
                minutes, speed = 22.0, 3.2
                if week in TRACK_WEEKS:
                    route, minutes, gear = "track", 25.0, "Vaporfly 3"
                    speed = 3.0 if week == EASY_TRACK_WEEK else 3.8
            elif dow == 5:
                route, minutes = "out_and_back", 26.0
                if week in TRAIL_WEEKS:
                    route, sub, speed, amp = "loop", "trail", 2.9, 25.0
            elif dow == 6:
                minutes, speed = LONG_MIN, 3.0
                if week == SPIKE_WEEK:
                    minutes = 1.5 * LONG_MIN
            jitter = 0.0 if dow == 6 else float(rng.uniform(-0.1, 0.1))
            bal = BASE_BALANCE + float(rng.normal(0.0, DAY_SD))
            bal += DEVICE_OFFSET * (day >= DEVICE_DAY) + SHIFT * (day >= SHIFT_DAY)
            out.append(
                PlannedRun(
                    activity_id=len(out) + 1,
                    start=START + timedelta(days=day),
                    day=day,
                    route=route,
                    sub_sport=sub,
                    minutes=minutes,
                    speed_m_s=speed + jitter,
                    balance_left_pct=bal,
                    devices=tuple(DEVICES_A if day < DEVICE_DAY else DEVICES_B),
                    gear=gear,
                    hill_amplitude_m=amp,
                )
            )
    return out


def run_doc(r: PlannedRun) -> dict:
    """Simulate and analyse one planned run; returns its ``evenstride.run/1`` document."""
    sim = simulate_run(
        duration_s=60.0 * r.minutes,
        seed=1000 + r.activity_id,
        balance_left_pct=r.balance_left_pct,
        drift_pct_per_h=0.0,
        bend_effect_pct=0.6,
        # the simulator's old gentle balance noise (issue 10 made the default real-file noise)
        balance_noise_sd_pct=0.4,
        balance_noise_phi=0.9,
        balance_noise_slow_share=0.0,
        speed_m_s=r.speed_m_s,
        route=r.route,
        hill_amplitude_m=r.hill_amplitude_m,
        include_stryd=False,
        start_time=r.start,
    )
    act = sim.activity
    act.meta.devices = list(r.devices)
    if r.sub_sport is not None:
        act.meta.sub_sport = r.sub_sport
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(act, context_params=ContextParams())
    return res.to_dict()


def generate() -> list[dict]:
    """Every planned run's document, with ``_plan`` (activity id, gear) attached."""
    docs = []
    for r in plan():
        d = run_doc(r)
        d["_plan"] = {"activity_id": r.activity_id, "gear": r.gear, "day": r.day}
        docs.append(d)
    return docs
