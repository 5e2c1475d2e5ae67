# SPDX-License-Identifier: MIT
"""Properties every asymmetry index must have, over any positive inputs."""

import math

from hypothesis import given
from hypothesis import strategies as st

from evenstride.metrics import symmetry as sym

pos = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
scale = st.floats(min_value=1e-2, max_value=1e2)


@given(pos, pos)
def test_swapping_sides_flips_the_sign(a, b):
    assert math.isclose(sym.symmetry_angle(a, b), -sym.symmetry_angle(b, a), abs_tol=1e-9)
    assert math.isclose(sym.symmetry_index(a, b), -sym.symmetry_index(b, a), abs_tol=1e-9)
    assert math.isclose(sym.log_ratio(a, b), -sym.log_ratio(b, a), abs_tol=1e-9)


@given(pos, pos, scale)
def test_indices_are_scale_free(a, b, k):
    assert math.isclose(sym.symmetry_angle(a * k, b * k), sym.symmetry_angle(a, b), abs_tol=1e-7)
    assert math.isclose(sym.symmetry_index(a * k, b * k), sym.symmetry_index(a, b), abs_tol=1e-7)


@given(pos, pos)
def test_bounds_and_sign_agree(a, b):
    sa = sym.symmetry_angle(a, b)
    si = sym.symmetry_index(a, b)
    assert -50.0 <= sa <= 50.0  # positive inputs: at most one side zero
    assert -200.0 <= si <= 200.0
    assert (sa > 0) == (a > b) or a == b
    assert (si > 0) == (sa > 0) or a == b
    # |SA| ≤ |SI| / π·(1 + small): SA never exaggerates relative to SI
    assert abs(sa) <= abs(si) / math.pi + 1e-9


@given(st.floats(min_value=0.5, max_value=99.5))
def test_balance_round_trip(b):
    assert math.isclose(
        sym.balance_from_symmetry_angle(sym.symmetry_angle_from_balance(b)), b, abs_tol=1e-9
    )
