# SPDX-License-Identifier: MIT
"""The simulator's constants and results: phase codes, the fixed parts of the model, the ground
truth of a run (:class:`SimTruth`) and the run itself (:class:`SimulatedRun`). The model is in
:mod:`evenstride.simulate`'s docstring.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from evenstride.datatypes import Activity
from evenstride.io._fit_writer import SessionSpec, encode_activity_fit

#: Phase codes of :attr:`SimTruth.phase`.
PHASE_RUN: Final = 0
PHASE_STOP: Final = 1
PHASE_WALK: Final = 2
PHASE_DRILL_LEFT: Final = 3
PHASE_DRILL_RIGHT: Final = 4
PHASE_ACCEL: Final = 5
#: Only in the written FIT file (bike leg before the run); never in the returned Activity.
PHASE_BIKE: Final = 6

#: Speed at which ``gct_ref_s`` holds, m/s.
REFERENCE_SPEED_M_S: Final = 3.2
#: Change of mean contact time per m/s of speed, s/(m/s).
GCT_SPEED_SLOPE_S_PER_M_S: Final = -0.040
#: Cadence gain per m/s of speed, steps/min per m/s (Burns et al. 2019).
CADENCE_SPEED_SLOPE_SPM_PER_M_S: Final = 5.6
#: Length of the speed ramp after a stop or walk, s.
ACCEL_S: Final = 10
#: Speed at which the ramp after a stop or walk starts, m/s (a jog-off, not a standing start).
ACCEL_FROM_M_S: Final = 2.0
#: Length of each single-leg-hop drill, s.
DRILL_S: Final = 20
#: Expected observed balance during left / right single-leg hops, %.
DRILL_BALANCE_LEFT_PCT: Final = 98.0
DRILL_BALANCE_RIGHT_PCT: Final = 2.0
#: FIT resolution of stance_time_balance, %.
BALANCE_RESOLUTION_PCT: Final = 0.01


# --- truth ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SimTruth:
    """Every planted effect of a simulated run and the noise-free per-sample arrays.

    Scalars are the :func:`simulate_run` arguments that define the model (see the module
    docstring for the formulas); arrays are aligned with the returned Activity's samples.
    Windows are ``(start_s, end_s)`` on the ``time_s`` axis, half-open.
    """

    seed: int
    route: str
    duration_s: float
    #: ``time_s`` of the first run sample (> 0 when a bike leg precedes the run).
    run_start_s: float
    balance_left_pct: float
    drift_pct_per_h: float
    #: Effective drift onset, seconds after the run start (``None`` in the call → 0).
    drift_onset_s: float
    grade_effect_pct_per_pct: float
    bend_effect_pct: float
    balance_noise_sd_pct: float
    balance_noise_phi: float
    balance_noise_slow_share: float
    balance_noise_slow_phi: float
    speed_m_s: float
    gct_ref_s: float
    gct_fatigue_pct_per_h: float
    cadence_intercept_spm: float
    cadence_deficit_pct: float
    cadence_deficit_window_s: tuple[float, float]
    runscribe_contact_asym_pct: float | None
    runscribe_impact_asym_pct: float | None
    runscribe_braking_asym_pct: float | None
    #: Route length (one loop or lap), m; ``None`` for out-and-back and treadmill.
    route_length_m: float | None
    stop_windows_s: tuple[tuple[float, float], ...]
    walk_windows_s: tuple[tuple[float, float], ...]
    accel_windows_s: tuple[tuple[float, float], ...]
    #: ``(start_s, end_s, side)`` of each single-leg-hop drill.
    drill_windows_s: tuple[tuple[float, float, str], ...]
    # per-sample arrays ------------------------------------------------------------------------
    time_s: np.ndarray
    phase: np.ndarray
    speed_true_m_s: np.ndarray
    grade_pct: np.ndarray
    turn_sign: np.ndarray
    route_pos_m: np.ndarray
    heading_deg: np.ndarray
    #: The balance model ``b(τ)`` at every sample (including stops, walks and drills).
    balance_true_pct: np.ndarray
    #: Noise-free expected observed balance (``b`` running/walking, 98/2 drills, NaN stops).
    balance_expected_pct: np.ndarray
    #: The balance noise ``e(τ)`` (fast + slow AR(1)) added to ``b`` while running.
    balance_noise_pct: np.ndarray
    gct_true_s: np.ndarray
    cadence_true_spm: np.ndarray
    vertical_oscillation_true_m: np.ndarray
    #: True where the running-dynamics fields are dropped (NaN / FIT invalid).
    dropout_mask: np.ndarray
    #: Noise-free RunScribe per-foot contact time, s (NaN arrays when RunScribe is off).
    runscribe_contact_left_true_s: np.ndarray
    runscribe_contact_right_true_s: np.ndarray

    # --- helpers ---------------------------------------------------------------------------------
    @property
    def run_time_s(self) -> np.ndarray:
        """``τ``: seconds since the run start, per sample."""
        return self.time_s - self.run_start_s

    @property
    def running_mask(self) -> np.ndarray:
        """Samples where the runner runs (``PHASE_RUN`` or ``PHASE_ACCEL``)."""
        return (self.phase == PHASE_RUN) | (self.phase == PHASE_ACCEL)

    def phase_mask(self, phase: int) -> np.ndarray:
        """Samples in ``phase`` (one of the ``PHASE_*`` codes)."""
        return self.phase == phase

    def drift_at(self, run_time_s: float | np.ndarray) -> float | np.ndarray:
        """Planted balance drift (pct-points) at ``τ`` = ``run_time_s`` seconds into the run."""
        tau = np.asarray(run_time_s, dtype=np.float64)
        out = self.drift_pct_per_h * np.maximum(0.0, tau - self.drift_onset_s) / 3600.0
        return float(out) if out.ndim == 0 else out

    def balance_model(
        self,
        run_time_s: float | np.ndarray,
        *,
        grade_pct: float | np.ndarray = 0.0,
        turn_sign: float | np.ndarray = 0.0,
    ) -> float | np.ndarray:
        """The balance law ``b(τ, grade, turn)`` in % left (see the module docstring)."""
        out = (
            self.balance_left_pct
            + np.asarray(self.drift_at(run_time_s))
            + self.grade_effect_pct_per_pct * np.asarray(grade_pct, dtype=np.float64)
            + self.bend_effect_pct * np.asarray(turn_sign, dtype=np.float64)
        )
        return float(out) if np.ndim(out) == 0 else out

    def true_balance_at_reference(self, run_time_s: float | None = None) -> float:
        """True balance on flat, straight ground: ``balance_left_pct`` + drift at ``τ``.

        ``run_time_s=None`` gives the fresh-runner value (no drift): ``balance_left_pct``.
        """
        tau = 0.0 if run_time_s is None else run_time_s
        return float(self.balance_model(tau))

    def true_si_at_reference_pct(self, run_time_s: float | None = None) -> float:
        """Symmetry index (L − R)/mean × 100 of the true reference balance: 4·(b − 50)."""
        return 4.0 * (self.true_balance_at_reference(run_time_s) - 50.0)


@dataclass
class SimulatedRun:
    """A simulated run: the Activity a reader would return, and its ground truth."""

    activity: Activity
    truth: SimTruth
    #: The Activity written to FIT: ``activity`` plus any non-running leg (bike) before it.
    fit_activity: Activity | None = None
    #: Sessions of the FIT file.
    fit_sessions: list[SessionSpec] = field(default_factory=list)
    #: FIT record values that differ from the Activity (zeros at stops, as Garmin writes).
    fit_record_overrides: dict[str, np.ndarray] = field(default_factory=dict)

    def to_fit_bytes(self, **options: Any) -> bytes:
        """Encode the run as FIT bytes; ``options`` go to :func:`encode_activity_fit`."""
        opts: dict[str, Any] = {
            "sessions": self.fit_sessions,
            "record_overrides": self.fit_record_overrides,
        }
        opts.update(options)
        return encode_activity_fit(self.fit_activity or self.activity, **opts)

    def write_fit(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write the run as a FIT file and return its path."""
        p = Path(path)
        p.write_bytes(self.to_fit_bytes(**options))
        return p
