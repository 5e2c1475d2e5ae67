# SPDX-License-Identifier: MIT
"""Synthetic bilateral foot-IMU running recordings with known events and a planted asymmetry.

The pitch angular velocity ``w`` of each foot (deg/s, positive = mid-swing direction) is a sum of
Gaussian bumps per stride: a narrow negative one at IC (σ 8 ms, −250…−350 deg/s), a wider negative
one at TC (σ 15 ms, −400…−500 deg/s) and a broad positive mid-swing peak (≈ 600 deg/s) centred
in the swing, plus noise. The bumps are separated so that each minimum lies at its event time to
within a fraction of a millisecond: the true IC/TC times are the bump centres.
The recording is written in the gaitmap/NilsPod sensor frame (gyr_y = −w), so the default
:class:`~evenstride.steps.FalbriardEventDetection` applies. Acceleration: gravity on z plus an
impact spike at IC (≈ 6–8 g) and swing accelerations, in m/s².

>>> sim = simulate_imu_run(duration_s=20, seed=0)
>>> sorted(sim.recording.sides)
['left', 'right']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evenstride.io import G, ImuRecording, SensorData


@dataclass
class SimulatedImu:
    """A simulated recording and its ground truth (per side: IC and TC times, s)."""

    recording: ImuRecording
    ic_s: dict[str, np.ndarray]
    tc_s: dict[str, np.ndarray]
    contact_s: dict[str, float]


def _add_bumps(
    sig: np.ndarray, fs: float, centres_s: np.ndarray, amp: np.ndarray, sigma_s: float
) -> None:
    half = int(np.ceil(5 * sigma_s * fs))
    k = np.arange(-half, half + 1)
    c = centres_s * fs
    i0 = np.round(c).astype(np.int64)
    idx = i0[:, None] + k[None, :]
    vals = amp[:, None] * np.exp(-0.5 * ((idx - c[:, None]) / (sigma_s * fs)) ** 2)
    ok = (idx >= 0) & (idx < len(sig))
    np.add.at(sig, idx[ok], vals[ok])


def simulate_imu_run(
    *,
    duration_s: float = 600.0,
    fs: float = 200.0,
    cadence_spm: float = 170.0,
    contact_left_s: float = 0.250,
    contact_right_s: float = 0.235,
    stride_cv: float = 0.015,
    noise_dps: float = 8.0,
    seed: int = 0,
) -> SimulatedImu:
    """Simulate a steady bilateral run (see module docstring).

    ``contact_left_s``/``contact_right_s`` are the mean contact times: the planted asymmetry.
    Contact times vary per step by 3 % (SD).
    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * fs)
    t = np.arange(n) / fs
    stride_mean = 120.0 / cadence_spm
    n_str = int(duration_s / stride_mean) + 2
    strides = stride_mean * (1 + stride_cv * rng.standard_normal(n_str))
    ic_left = 0.5 + np.concatenate(([0.0], np.cumsum(strides[:-1])))
    # right IC half a stride later (with its own jitter)
    ic_right = ic_left + 0.5 * strides * (1 + 0.01 * rng.standard_normal(n_str))
    sides: dict[str, SensorData] = {}
    ic_out: dict[str, np.ndarray] = {}
    tc_out: dict[str, np.ndarray] = {}
    for side, ic_all, ct in (
        ("left", ic_left, contact_left_s),
        ("right", ic_right, contact_right_s),
    ):
        contact = ct * (1 + 0.03 * rng.standard_normal(n_str))
        tc_all = ic_all + contact
        nxt_ic = np.concatenate((ic_all[1:], [ic_all[-1] + stride_mean]))
        ms = 0.5 * (tc_all + nxt_ic)  # mid-swing
        swing = nxt_ic - tc_all
        w = noise_dps * rng.standard_normal(n)
        _add_bumps(w, fs, ic_all, -rng.uniform(250, 350, n_str), 0.008)
        _add_bumps(w, fs, tc_all, -rng.uniform(400, 500, n_str), 0.015)
        _add_bumps(w, fs, ms, rng.uniform(550, 650, n_str), float(np.median(swing)) / 7.0)
        acc = np.zeros((n, 3))
        acc[:, 2] = G + 0.3 * G * rng.standard_normal(n) * 0.1
        az = np.zeros(n)
        _add_bumps(az, fs, ic_all + 0.01, rng.uniform(5, 7, n_str) * G, 0.006)
        ax = np.zeros(n)
        _add_bumps(ax, fs, ms, np.full(n_str, 3.0 * G), float(np.median(swing)) / 5.0)
        acc[:, 2] += az
        acc[:, 0] += ax + 0.05 * G * rng.standard_normal(n)
        acc[:, 1] += 0.05 * G * rng.standard_normal(n)
        gyr = np.zeros((n, 3))
        gyr[:, 1] = -w
        gyr[:, 0] = 20.0 * rng.standard_normal(n)
        gyr[:, 2] = 20.0 * rng.standard_normal(n)
        inside = (ic_all > 0.2) & (tc_all < t[-1] - 0.2)
        ic_out[side] = ic_all[inside]
        tc_out[side] = tc_all[inside]
        sides[side] = SensorData(
            t, acc, gyr, np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64)
        )
    rec = ImuRecording(sides, fs, None, "simulated", [])
    return SimulatedImu(rec, ic_out, tc_out, {"left": contact_left_s, "right": contact_right_s})
