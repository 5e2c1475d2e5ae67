# SPDX-License-Identifier: MIT
"""The services over a real (temporary) store: typed values in and out, errors that name inputs
in the form's words for the web and as options for the command line."""

from __future__ import annotations

from datetime import date

import pytest

from evenstride.cli.common import user_message
from evenstride.exceptions import UserInputError
from evenstride.services import athletes, clinical, inputs, plan
from evenstride.services.errors import InputError, field
from evenstride.store import open_store


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "s.sqlite") as st:
        yield st


def test_an_input_is_named_per_adapter():
    e = InputError(f"give {field('onset_km')} or {field('onset_min')}, not both", path="x.csv")
    assert str(e) == "x.csv: give onset km or onset min, not both"
    assert user_message(e) == "x.csv: give --onset-km or --onset-min, not both"
    v = InputError(f"{field('value', cli='VALUE')} must be a finite number (got nan)")
    assert (str(v), user_message(v)) == ("value must be a finite number (got nan)",
                                         "VALUE must be a finite number (got nan)")
    assert user_message(UserInputError("plain")) == "plain"


def test_shoes_validated_and_stored(store):
    aid = athletes.athlete_id(store, "ann", create=True)
    with pytest.raises(InputError) as bad:
        inputs.set_shoe(store, aid, inputs.ShoeChange("Ghost", drop_mm=41.0))
    assert str(bad.value) == "drop mm must be 0–40 mm (got 41)"
    assert user_message(bad.value) == "--drop-mm must be 0–40 mm (got 41)"
    got = inputs.set_shoe(store, aid, inputs.ShoeChange("Ghost", type="road", drop_mm=10.0))
    assert (got.name, got.type, got.drop_mm, got.retired) == ("Ghost", "road", 10.0, False)
    rows = inputs.shoe_table(store, aid)
    assert [(r["name"], r["drop_mm"], r["runs"], r["retire_km_source"]) for r in rows] == [
        ("Ghost", 10.0, 0, "default")]


def test_unknown_athlete_names_the_known_ones(store):
    athletes.athlete_id(store, "ann", create=True)
    with pytest.raises(UserInputError, match=r"no athlete 'bob' in this store \(known: ann\)"):
        athletes.athlete_id(store, "bob")
    with pytest.raises(UserInputError, match="already an athlete named 'ann'"):
        athletes.create_athlete(store, "ann")
    assert [(r.athlete.name, r.n_runs, r.km) for r in athletes.overview(store)] == [
        ("ann", 0, 0.0)]


def test_symptom_validator_speaks_form_words(store):
    aid = athletes.athlete_id(store, "ann", create=True)
    with pytest.raises(InputError) as bad:
        clinical.validate_symptom(store, aid, side="left", region="knee_lateral", kind="pain",
                                  severity=11, timing="during")
    assert str(bad.value) == "severity must be 0–10 (got 11)"
    sym = clinical.validate_symptom(store, aid, side="left", region="inner knee", kind="pain",
                                    severity=3, timing="after", when="2025-03-01")
    assert (sym.region, sym.severity, sym.when) == ("knee_medial", 3, date(2025, 3, 1))


def test_plan_needs_an_active_plan_and_a_sane_start(store):
    aid = athletes.athlete_id(store, "ann", create=True)
    assert plan.active_program(store, aid) is None
    with pytest.raises(InputError, match="no active plan for athlete 'ann'"):
        plan.log_session(store, aid, plan.SessionEntry(done=True))
    with pytest.raises(InputError) as bad:
        plan.make_plan(store, aid, plan.PlanRequest(start="1999-12-31"))
    assert str(bad.value) == "start 1999-12-31 is before 2000-01-01"
    assert user_message(bad.value) == "--start 1999-12-31 is before 2000-01-01"
    made = plan.make_plan(store, aid, plan.PlanRequest(start="2025-03-03", weeks=8))
    assert made.source == "assessment" and made.program.weeks == 8
    active = plan.active_program(store, aid)
    assert active is not None and active.plan_id == made.plan_id and active.logs == []


def test_import_summary_builds_only_what_places_a_run(tmp_path):
    """``place_new_runs`` (the import summary) builds the per-metric analyses only, once, and
    reuses a whole history already built for the same data (the web app after a page view);
    the placement is the same either way."""
    import io
    import warnings
    from datetime import UTC, datetime, timedelta

    from evenstride.exceptions import EvenstrideWarning
    from evenstride.importer import import_paths
    from evenstride.io._fit_writer import write_activity_fit
    from evenstride.services.history import load_history, place_new_runs
    from evenstride.simulate import simulate_run
    from evenstride.store.history_cache import HISTORY_CACHE

    paths = []
    for i in range(8):
        sim = simulate_run(duration_s=10 * 60, seed=900 + i, balance_left_pct=50.7,
                           start_time=datetime(2024, 5, 1, 7, tzinfo=UTC) + timedelta(days=2 * i))
        buf = io.BytesIO()
        write_activity_fit(sim.activity, buf)
        paths.append(tmp_path / f"r{i}.fit")
        paths[-1].write_bytes(buf.getvalue())
    HISTORY_CACHE.clear()
    with warnings.catch_warnings(), open_store(tmp_path / "h.sqlite") as st:
        warnings.simplefilter("ignore", EvenstrideWarning)
        import_paths(paths, st, athlete="ann", jobs=1)
        ann = st.athlete("ann", create=False).id
        new = {a.id for a in st.activities(ann)[-2:]}
        misses = HISTORY_CACHE.misses
        placed = place_new_runs(st, ann, new)
        assert set(placed) == new and all(p["metrics"] for p in placed.values())
        assert HISTORY_CACHE.misses == misses + 1  # one build for the whole import
        (only,) = [v[0] for v in HISTORY_CACHE._d.values()]
        assert only.metrics_only and only.load == {} and only.links == []
        whole = load_history(st, ann).history  # a page view builds the whole history …
        assert not whole.metrics_only and whole.load
        hits = HISTORY_CACHE.hits
        assert place_new_runs(st, ann, new) == placed  # … which placing then reuses
        assert HISTORY_CACHE.hits == hits + 1 and HISTORY_CACHE.misses == misses + 2
