# SPDX-License-Identifier: MIT
"""The grid nearest-point search of the route shape (issue 15) against the brute-force search."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.metrics.route import _nearest, _nearest_within


@pytest.mark.parametrize("seed", range(6))
def test_nearest_within_matches_brute_force_within_the_radius(seed: int) -> None:
    rng = np.random.default_rng(seed)
    na, nb = 300 + 50 * seed, 250
    if seed % 2:  # integer metres: many exactly equal distances, ties go to the lowest index
        ax, ay, bx, by = (rng.integers(0, 150, n).astype(float) for n in (na, na, nb, nb))
    else:  # a random walk and its way back, as an out-and-back run
        bx, by = np.cumsum(rng.normal(0, 12, nb)), np.cumsum(rng.normal(0, 12, nb))
        ax = bx[rng.integers(0, nb, na)] + rng.normal(0, 20, na)
        ay = by[rng.integers(0, nb, na)] + rng.normal(0, 20, na)
    radius = 4.0 if seed % 2 else 30.0
    d0, a0 = _nearest(ax, ay, bx, by)
    d1, a1 = _nearest_within(ax, ay, bx, by, radius)
    near = d0 <= radius
    assert 0 < near.sum() < na  # both cases occur
    assert np.array_equal(d1 <= radius, near)
    assert np.array_equal(d1[near], d0[near])  # bit for bit
    assert np.array_equal(a1[near], a0[near])
    assert np.isinf(d1[~near]).all()


def test_nearest_within_edge_cases() -> None:
    e = np.empty(0)
    d, a = _nearest_within(e, e, np.ones(3), np.ones(3), 30.0)
    assert len(d) == 0 and len(a) == 0
    d, a = _nearest_within(np.zeros(2), np.zeros(2), e, e, 30.0)
    assert np.isinf(d).all() and (a == 0).all()
    # a zero radius falls back to the brute force: true distances
    d, a = _nearest_within(np.array([0.0, 5.0]), np.zeros(2), np.array([4.0, 0.0]),
                           np.zeros(2), 0.0)
    assert d.tolist() == [0.0, 1.0] and a.tolist() == [1, 0]
