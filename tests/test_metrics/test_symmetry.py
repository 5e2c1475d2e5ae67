# SPDX-License-Identifier: MIT
"""Hand-computed checks of the asymmetry formulas (science.md §1)."""

import math

import numpy as np
import pytest

from evenstride.metrics import symmetry as sym


def test_symmetry_index_hand_computed():
    # (0.26 - 0.24) / 0.25 * 100 = 8 %
    assert sym.symmetry_index(0.26, 0.24) == pytest.approx(8.0)
    assert sym.symmetry_index(0.24, 0.26) == pytest.approx(-8.0)


def test_symmetry_angle_hand_computed_and_sign():
    # atan(1.1) = 47.7263°, (47.7263 - 45) / 90 * 100 = 3.0292 %
    expected = (math.degrees(math.atan(1.1)) - 45.0) / 90.0 * 100.0
    assert sym.symmetry_angle(1.1, 1.0) == pytest.approx(expected)
    assert expected == pytest.approx(3.0292, abs=1e-4)
    # Left-positive: the published (Zifchock) SA would be negative here.
    assert sym.symmetry_angle(1.0, 1.1) == pytest.approx(-expected)
    assert sym.symmetry_angle(5.0, 5.0) == 0.0


def test_symmetry_angle_is_bounded_and_scale_free():
    # One side zero: atan(inf) = 90° → (90 − 45)/90 = 50 %; ±100 % needs opposite signs.
    assert sym.symmetry_angle(1.0, 0.0) == pytest.approx(50.0)
    assert sym.symmetry_angle(0.0, 1.0) == pytest.approx(-50.0)
    assert sym.symmetry_angle(1.0, -1.0) == pytest.approx(100.0)
    assert sym.symmetry_angle(2.2, 2.0) == pytest.approx(sym.symmetry_angle(1.1, 1.0))


def test_small_asymmetry_approximation_sa_is_si_over_pi():
    # science.md §1.2: SI 10 % -> SA 3.18 %
    left, right = 1.0 + 0.05, 1.0 - 0.05  # SI = 0.1/1.0*100 = 10 %
    assert sym.symmetry_index(left, right) == pytest.approx(10.0)
    assert sym.symmetry_angle(left, right) == pytest.approx(3.18, abs=0.01)


def test_opposite_sign_correction_stays_bounded():
    v = sym.symmetry_angle(-1.0, 1.0)
    assert -100.0 <= v <= 100.0


def test_log_ratio_symmetric():
    assert sym.log_ratio(1.1, 1.0) == pytest.approx(-sym.log_ratio(1.0, 1.1))
    assert sym.log_ratio(2.0, 1.0) == pytest.approx(math.log(2.0))


def test_balance_conversions_exact_algebra():
    # SI = 4 (b - 50) exactly (science.md §1.5)
    for b in (47.8, 49.3, 50.0, 50.8, 52.2):
        left, right = b, 100.0 - b
        assert sym.symmetry_index(left, right) == pytest.approx(sym.symmetry_index_from_balance(b))
    # Garmin zone equivalents: 50.8 % ≈ SA 1.0 %, 52.2 % ≈ SA 2.8 %
    assert sym.symmetry_angle_from_balance(50.8) == pytest.approx(1.02, abs=0.01)
    assert sym.symmetry_angle_from_balance(52.2) == pytest.approx(2.80, abs=0.01)
    assert sym.balance_left_pct(0.26, 0.24) == pytest.approx(52.0)
    assert sym.ratio_from_balance(52.0) == pytest.approx(52.0 / 48.0)


def test_inverse_balance_roundtrip_vectorised():
    b = np.linspace(40, 60, 41)
    back = sym.balance_from_symmetry_angle(sym.symmetry_angle_from_balance(b))
    np.testing.assert_allclose(back, b, atol=1e-9)


def test_nan_propagates_and_inputs_untouched():
    left = np.array([1.0, np.nan, 2.0])
    right = np.array([1.0, 1.0, np.nan])
    before = left.copy()
    out = sym.symmetry_angle(left, right)
    assert out[0] == 0.0 and np.isnan(out[1]) and np.isnan(out[2])
    np.testing.assert_array_equal(left, before)


def test_two_numbers_give_exactly_the_array_result():
    """The scalar fast path (issue 15) returns bit for bit what the array path does."""
    rng = np.random.default_rng(5)
    left = np.concatenate([rng.normal(50, 3, 3000), rng.normal(0, 1, 3000), [0.0, -0.0, 1.0]])
    right = np.concatenate([100 - left[:3000], rng.normal(0, 1, 3000), [1.0, 1.0, -1.0]])
    for fn in (sym.symmetry_angle, sym.balance_left_pct):
        arr = fn(left, right)
        for k, (a, b) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
            one = fn(a, b)
            assert isinstance(one, float)
            assert one == arr[k] and math.copysign(1, one) == math.copysign(1, arr[k])
