# SPDX-License-Identifier: MIT
"""What to simulate: :class:`RunSpec`, the settings of :func:`~evenstride.simulate.simulate_run`
grouped by what they describe (the runner, the planted balance law, the course, the noise, the
sensors). Each field keeps the name and default of the old keyword argument, so
``RunSpec().replace(route="track", seed=3)`` and ``simulate_run(route="track", seed=3)`` are the
same run.

>>> spec = RunSpec().replace(route="track", balance_left_pct=52.0)
>>> spec.course.route, spec.balance.balance_left_pct, spec.runner.speed_m_s
('track', 52.0, 3.2)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["BalanceSpec", "CourseSpec", "NoiseSpec", "RunSpec", "RunnerSpec", "SensorSpec"]


@dataclass(frozen=True)
class BalanceSpec:
    """The planted GCT balance law ``b(τ)`` (% left; module docstring)."""

    balance_left_pct: float = 51.0
    #: pct-points per hour after ``drift_onset_s`` (seconds into the run; None → 0).
    drift_pct_per_h: float = 0.8
    drift_onset_s: float | None = 1800.0
    #: pct-points per % grade.
    grade_effect_pct_per_pct: float = 0.05
    #: pct-points on left-hand bends (minus that on right-hand bends).
    bend_effect_pct: float = 0.0


@dataclass(frozen=True)
class RunnerSpec:
    """The runner apart from the balance: speed, contact time, cadence and mass."""

    speed_m_s: float = 3.2
    #: SD of the slow speed variation, % of the speed.
    speed_variation_pct: float = 4.0
    #: Mean GCT at 3.2 m/s for a fresh runner, s, and its increase per hour, %.
    gct_ref_s: float = 0.250
    gct_fatigue_pct_per_h: float = 2.0
    cadence_intercept_spm: float = 152.0
    #: A planted low-cadence-for-speed segment (window in seconds into the run; None: 45–60 %).
    cadence_deficit_pct: float = 0.0
    cadence_deficit_window_s: tuple[float, float] | None = None
    #: Mass used for power, kg.
    runner_mass_kg: float = 70.0


@dataclass(frozen=True)
class CourseSpec:
    """Where and how the run goes: route, hills, stops, walks, drills and a bike leg before it."""

    #: ``"loop"``, ``"track"``, ``"out_and_back"`` or ``"treadmill"``.
    route: str = "loop"
    hills: bool = True
    hill_amplitude_m: float = 12.0
    stops: int = 2
    walk_breaks: int = 0
    walk_break_s: int = 60
    #: 20 s of left then 20 s of right single-leg hops at ``drill_start_s``.
    drills: bool = False
    drill_start_s: float = 600.0
    #: A cycling leg of this length before the run in the FIT file (multisport).
    bike_leg_s: float = 0.0


@dataclass(frozen=True)
class NoiseSpec:
    """Measurement noise and missing data (defaults fitted on real files: docs/methods.md)."""

    #: Total marginal SD of the balance noise, its fast AR(1) coefficient, the share of the
    #: variance in the slow AR(1) part and that part's coefficient.
    balance_noise_sd_pct: float = 0.55
    balance_noise_phi: float = 0.96
    balance_noise_slow_share: float = 0.3
    balance_noise_slow_phi: float = 0.993
    #: The slow wander of real files in contact time, cadence and vertical oscillation.
    form_noise_slow: bool = True
    #: Share of samples with missing running dynamics (bursts of 1–8 s).
    dropouts_fraction: float = 0.02
    #: SD of the AR(1) GPS position noise per axis, m.
    gps_noise_m: float = 1.0


@dataclass(frozen=True)
class SensorSpec:
    """Which devices record the run, and how."""

    include_stryd: bool = True
    include_runscribe: bool = False
    #: Planted RunScribe symmetry indices (L − R)/mean × 100; contact None: 4·(balance − 50).
    runscribe_contact_asym_pct: float | None = None
    runscribe_impact_asym_pct: float = 6.0
    runscribe_braking_asym_pct: float = 12.0
    #: Keep an irregular subset of samples (gaps of 1–7 s), like Garmin "smart recording".
    smart_recording: bool = False


_GROUPS: dict[str, type] = {
    "balance": BalanceSpec,
    "runner": RunnerSpec,
    "course": CourseSpec,
    "noise": NoiseSpec,
    "sensors": SensorSpec,
}
#: Old keyword → the group holding it.
_GROUP_OF: dict[str, str] = {
    f.name: group for group, cls in _GROUPS.items() for f in dataclasses.fields(cls)
}


@dataclass(frozen=True)
class RunSpec:
    """Everything :func:`~evenstride.simulate.simulate_run` needs (module docstring of
    :mod:`evenstride.simulate` for the model)."""

    #: Length of the run (not counting ``course.bike_leg_s``), s; at least 600 s.
    duration_s: float = 3600.0
    #: Seed of all random components (same seed and spec: same run, bit for bit).
    seed: int = 0
    #: UTC start of the recording (None: 2024-06-01 06:30 UTC).
    start_time: datetime | None = None
    balance: BalanceSpec = field(default_factory=BalanceSpec)
    runner: RunnerSpec = field(default_factory=RunnerSpec)
    course: CourseSpec = field(default_factory=CourseSpec)
    noise: NoiseSpec = field(default_factory=NoiseSpec)
    sensors: SensorSpec = field(default_factory=SensorSpec)

    def replace(self, **overrides: Any) -> RunSpec:
        """A copy with fields changed by their flat names (the old ``simulate_run`` keywords,
        e.g. ``route=``, ``seed=``) or whole groups (``course=CourseSpec(...)``).

        Raises ``TypeError`` for a name that is no setting, as a function call would.
        """
        top: dict[str, Any] = {}
        grouped: dict[str, dict[str, Any]] = {}
        for name, value in overrides.items():
            if name in _GROUP_OF:
                grouped.setdefault(_GROUP_OF[name], {})[name] = value
            elif name in ("duration_s", "seed", "start_time", *_GROUPS):
                top[name] = value
            else:
                raise TypeError(f"simulate_run() got an unexpected keyword argument {name!r}")
        out = dataclasses.replace(self, **top)
        if grouped:
            out = dataclasses.replace(
                out,
                **{g: dataclasses.replace(getattr(out, g), **kw) for g, kw in grouped.items()},
            )
        return out
