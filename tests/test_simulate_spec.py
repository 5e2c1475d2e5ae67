# SPDX-License-Identifier: MIT
"""RunSpec: the grouped settings give the same run as the flat keywords, and unknown names fail."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride.simulate import CourseSpec, NoiseSpec, RunSpec, SensorSpec, simulate_run


def test_spec_and_keywords_give_the_same_run():
    spec = RunSpec(
        duration_s=900,
        seed=4,
        course=CourseSpec(route="track", stops=1),
        noise=NoiseSpec(dropouts_fraction=0.05),
        sensors=SensorSpec(include_runscribe=True, runscribe_impact_asym_pct=9.0),
    )
    a = simulate_run(spec)
    b = simulate_run(
        duration_s=900,
        seed=4,
        route="track",
        stops=1,
        dropouts_fraction=0.05,
        include_runscribe=True,
        runscribe_impact_asym_pct=9.0,
    )
    assert a.truth.route == "track" and a.truth.runscribe_impact_asym_pct == 9.0
    assert a.activity.samples.keys() == b.activity.samples.keys()
    for k, v in a.activity.samples.items():
        np.testing.assert_array_equal(v, b.activity.samples[k])
    assert a.to_fit_bytes() == b.to_fit_bytes()
    # overrides apply on top of a spec, and a different seed changes the noise
    c = simulate_run(spec, seed=5)
    assert c.truth.route == "track" and c.truth.seed == 5
    assert not np.array_equal(c.truth.balance_noise_pct, a.truth.balance_noise_pct)


def test_replace_by_flat_name_and_unknown_name():
    spec = RunSpec().replace(route="out_and_back", balance_left_pct=53.0, seed=2)
    assert (spec.course.route, spec.balance.balance_left_pct, spec.seed) == (
        "out_and_back",
        53.0,
        2,
    )
    assert spec.course.stops == 2  # other settings keep their defaults
    with pytest.raises(TypeError, match="no_such_setting"):
        simulate_run(no_such_setting=1)
