# SPDX-License-Identifier: MIT
"""Sign conventions of the landmark → metric formulas on hand-placed 2D points (image y down)."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.steps.video import geometry as geo


def P(x: float, y: float) -> np.ndarray:
    return np.array([[x, y]], dtype=float)


@pytest.mark.parametrize("fwd", [1.0, -1.0])
def test_sagittal_signs_do_not_depend_on_running_direction(fwd):
    # knee at (0, 0); ankle 40 px below and 10 px ahead (in the running direction)
    knee, ankle = P(0, 0), P(10 * fwd, 40)
    assert geo.shank_angle_deg(knee, ankle, fwd)[0] == pytest.approx(np.degrees(np.arctan(0.25)))
    # straight leg: no flexion; ankle behind the thigh line: flexed (+)
    hip = P(-10 * fwd, -40)
    assert geo.knee_flexion_deg(hip, knee, ankle, fwd)[0] == pytest.approx(0.0, abs=1e-9)
    # knee ahead of the hip–ankle line (hip behind and above, ankle behind and below): flexed,
    # thigh +26.6° minus shank −14.0°
    hip2, ankle2 = P(-20 * fwd, -40), P(-10 * fwd, 40)
    assert geo.knee_flexion_deg(hip2, knee, ankle2, fwd)[0] == pytest.approx(
        np.degrees(np.arctan(0.5) + np.arctan(0.25)))
    # knee behind that line: hyperextension (−)
    assert geo.knee_flexion_deg(P(20 * fwd, -40), knee, ankle, fwd)[0] < 0
    # shoulders ahead of the hips: forward lean (+)
    assert geo.trunk_lean_deg(P(0, 0), P(10 * fwd, -100), fwd)[0] == pytest.approx(
        np.degrees(np.arctan(0.1)))
    # heel 20 px ahead of the hip centre with a 200 px leg: +10 % leg
    assert geo.foot_ahead_pct(P(0, 0), P(20 * fwd, 180), fwd, 200.0)[0] == pytest.approx(10.0)


def test_pelvic_obliquity_and_fppa_are_mirror_consistent():
    # rear view: runner's left is image-left (lat = −1); left hip 5 px higher (smaller y)
    lh, rh = P(-50, 95), P(50, 100)
    rear = geo.pelvic_obliquity_deg(lh, rh, -1.0)[0]
    assert rear == pytest.approx(np.degrees(np.arctan(5 / 100)))
    # the same pelvis seen from the front (mirror image: left hip image-right): same angle
    front = geo.pelvic_obliquity_deg(P(50, 95), P(-50, 100), 1.0)[0]
    assert front == pytest.approx(rear)
    # left knee drawn toward the midline (image-right in a rear view) = valgus (+); the
    # lateral side of the left leg is image-left (−1)
    hip, knee, ankle = P(-50, 0), P(-35, 100), P(-50, 200)
    v = geo.fppa_deg(hip, knee, ankle, -1.0)[0]
    assert v == pytest.approx(2 * np.degrees(np.arctan(15 / 100)))
    # right leg mirrored: also valgus (+) with its own lateral side (image-right, +1)
    assert geo.fppa_deg(P(50, 0), P(35, 100), P(50, 200), 1.0)[0] == pytest.approx(v)
    # knee outward: varus (−)
    assert geo.fppa_deg(P(-50, 0), P(-65, 100), P(-50, 200), -1.0)[0] == pytest.approx(-v)


def test_interp_at_gives_nan_outside_and_next_to_gaps():
    t = np.arange(5.0)
    x = np.array([0.0, 1.0, np.nan, 3.0, 4.0])
    out = geo.interp_at(t, x, np.array([0.5, 1.5, 3.5, 9.0]))
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1]) and out[2] == pytest.approx(3.5)
    assert np.isnan(out[3])
    assert geo.leg_length_px(P(0, 0), P(0, 30), P(40, 60)) == pytest.approx(80.0)


def test_peak_between_finds_the_stance_peak_between_frames():
    """A sampled parabola peaking between two frames: the peak value is recovered, and the
    window's edges bound the search (a bigger value outside the stance is ignored)."""
    t = np.arange(20) / 30.0
    x = 40.0 - 2000.0 * (t - 0.2166) ** 2
    x[15:] = 90.0  # swing-phase flexion after TC
    got = geo.peak_between(t, x, np.array([0.1, 5.0]), np.array([0.4, 6.0]))
    assert got[0] == pytest.approx(40.0, abs=1e-6)
    assert np.isnan(got[1])  # no frame in the window
    # a plateau at the window edge: the largest sample, no extrapolation
    assert geo.peak_between(t, t, np.array([0.0]), np.array([0.3]))[0] == pytest.approx(9 / 30)


def test_interp_at_follows_the_curve_between_frames():
    """Catmull-Rom through four frames reproduces a parabola exactly between frames (a knee
    trough at contact); a straight chord would read it 0.25·a·h² too high at mid-frame. Next to
    an edge or a NaN it falls back to the chord."""
    t = np.arange(10) / 30.0
    x = 9000.0 * (t - 0.13) ** 2
    at = np.array([0.115, 0.1667, 0.01])
    got = geo.interp_at(t, x, at)
    assert got[0] == pytest.approx(9000.0 * (0.115 - 0.13) ** 2, abs=1e-9)
    assert got[1] == pytest.approx(9000.0 * (0.1667 - 0.13) ** 2, abs=1e-9)
    # frame 0 → 1: no frame before, linear
    assert got[2] == pytest.approx(0.7 * x[0] + 0.3 * x[1])
    y = x.copy()
    y[2] = np.nan
    assert np.isnan(geo.interp_at(t, y, np.array([0.05]))[0])  # a NaN neighbour
    lin = geo.interp_at(t, y, np.array([0.115]))[0]  # frames 3, 4 finite, frame 2 not
    assert lin == pytest.approx(0.55 * x[3] + 0.45 * x[4])
