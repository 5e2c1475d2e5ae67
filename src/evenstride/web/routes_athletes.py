# SPDX-License-Identifier: MIT
"""The athlete list, an athlete's overview and profile, shoes and run details."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from evenstride.exceptions import UserInputError
from evenstride.services import athletes, clinical, inputs
from evenstride.store.clinical import load_profile
from evenstride.web._common import (
    _MAX_INJURY_ROWS,
    _activity,
    _athlete,
    _form_errors,
    _nav,
    _num,
    _store,
    _text,
)

bp = Blueprint("athletes", __name__)


@bp.get("/")
def index() -> Any:
    return render_template("index.html.j2", athletes=athletes.overview(_store()))


@bp.post("/athletes")
def athlete_create() -> Any:
    def run() -> Any:
        name = _text("name", 100)
        a = athletes.create_athlete(_store(), name)
        flash(f"Athlete {name} created. Upload their runs below.", "ok")
        return redirect(url_for("athletes.athlete_page", aid=a.id))

    return _form_errors(run, url_for("athletes.index"))


@bp.get("/a/<int:aid>")
def athlete_page(aid: int) -> Any:
    from evenstride.clinical.assess import lsi_results
    from evenstride.store.clinical import symptoms, tests

    a = _athlete(aid)
    st = _store()
    prof = load_profile(st, aid)
    acts = list(reversed(st.activities(aid)))
    ts = tests(st, aid)
    return render_template(
        "athlete.html.j2", athlete=a, profile=prof, activities=acts,
        lsis=lsi_results(ts, prof), symptoms=list(reversed(symptoms(st, aid)))[:10],
        shoes=inputs.shoe_table(st, aid), rpes=st.session_rpes(aid), nav=_nav(a, "overview"))


@bp.get("/a/<int:aid>/edit")
def athlete_edit(aid: int) -> Any:
    from evenstride.store import SHOE_TYPES

    a = _athlete(aid)
    st = _store()
    return render_template("athlete_edit.html.j2", athlete=a, profile=load_profile(st, aid),
                           shoes=inputs.shoe_table(st, aid), shoe_types=SHOE_TYPES,
                           nav=_nav(a, "edit"), this_year=date.today().year)


@bp.post("/a/<int:aid>/edit")
def athlete_save(aid: int) -> Any:
    a = _athlete(aid)

    def run() -> Any:
        st = _store()
        name = _text("name", 100)
        injuries = []
        # the row count comes from the page; a forged one must neither fail (int() of
        # "abc" was an HTTP 500) nor loop for ever (n_injuries=10**9)
        n_rows = _num("n_injuries", integer=True) or 0
        if not 0 <= n_rows <= _MAX_INJURY_ROWS:
            raise UserInputError(f"at most {_MAX_INJURY_ROWS} injury rows (got {n_rows})")
        for i in range(n_rows):
            side = _text(f"inj_side_{i}", 10)
            region = _text(f"inj_region_{i}", 40).replace(":", " ")
            kind = _text(f"inj_kind_{i}", 10)
            desc = _text(f"inj_desc_{i}", 200).replace(":", " ")
            year = _text(f"inj_year_{i}", 4)
            if not region and not desc:
                continue
            if not region or not desc:
                raise UserInputError(f"injury {i + 1}: give both the region and a "
                                     "description (or clear both)")
            injuries.append(f"{side}:{region}:{kind}:{desc}" + (f":{year}" if year else ""))
        legs = [f"{s}={v}" for s in ("left", "right")
                if (v := _text(f"leg_{s}", 10))]
        dominant, road_side = _text("dominant", 10) or None, _text("road_side", 10) or None
        mass_kg = _num("mass_kg")
        prof = clinical.build_profile(
            load_profile(st, aid), name or a.name,
            dominant=dominant, injuries=injuries,
            sports=[x for x in _text("sports", 300).split(",")],
            habits=[x for x in _text("habits", 300).split(",")],
            mass_kg=mass_kg, leg_length_cm=legs or None,
            road_side=road_side)
        # The page shows every field, so an emptied field ("not known", no mass, no leg
        # length) means "not known": build_profile keeps the stored value for None (the
        # CLI's ``profile set`` semantics), which made clearing impossible while the page
        # said "Profile saved" (review fix). The values were validated above.
        prof = replace(prof, dominant_leg=dominant, road_side=road_side,
                       body_mass_kg=None if mass_kg is None else float(mass_kg),
                       leg_length_cm={k: v for k, v in prof.leg_length_cm.items()
                                      if _text(f"leg_{k}", 10)})
        clinical.save_profile(st, aid, prof, rename_to=name or None)
        flash("Profile saved.", "ok")
        return redirect(url_for("athletes.athlete_page", aid=aid))

    return _form_errors(run, url_for("athletes.athlete_edit", aid=aid))


@bp.post("/a/<int:aid>/shoes")
def shoe_save(aid: int) -> Any:
    _athlete(aid)

    def run() -> Any:
        name = _text("shoe_name", 100)
        shoe_type = _text("shoe_type", 20) or None
        drop_mm, retire_km = _num("drop_mm"), _num("retire_km")
        inputs.check_shoe(inputs.ShoeChange(name, type=shoe_type, drop_mm=drop_mm,
                                            retire_km=retire_km))
        # as 'shoe set': retired, active again, or (blank) as stored. An unticked checkbox
        # meant "not retired", so setting the drop of a retired pair brought it back into
        # use without a word (review fix)
        status = _text("status", 10) or ("retired" if request.form.get("retired") == "on"
                                          else "")
        if status not in ("", "active", "retired"):
            raise UserInputError(f"status must be active or retired (got {status!r})")
        retired = {"": None, "active": False, "retired": True}[status]
        inputs.set_shoe(_store(), aid, inputs.ShoeChange(name, type=shoe_type, drop_mm=drop_mm,
                                                         retire_km=retire_km, retired=retired))
        flash(f"Shoe {name} saved.", "ok")
        return redirect(url_for("athletes.athlete_edit", aid=aid) + "#shoes")

    return _form_errors(run, url_for("athletes.athlete_edit", aid=aid) + "#shoes")


@bp.post("/runs/<int:rid>/details")
def run_details(rid: int) -> Any:
    """Session RPE and the shoe worn for one run (what ``evenstride rpe`` and ``shoe use``
    record); an empty field leaves the stored value as it is."""
    st = _store()
    row = _activity(rid)
    back = url_for("athletes.athlete_page", aid=row.athlete_id) + "#runs"

    def run() -> Any:
        rpe = _num("rpe")
        shoe = _text("shoe", 100)
        inputs.set_run_details(st, rid, rpe=rpe, shoe=shoe)
        done = [f"RPE {rpe:g}" if rpe is not None else "", f"shoe {shoe}" if shoe else ""]
        flash(f"Run {rid}: {' and '.join(x for x in done if x)} saved.", "ok")
        return redirect(back)

    return _form_errors(run, back)
