# SPDX-License-Identifier: MIT
"""A foot pod's contact time and vertical oscillation are never graded with Garmin's
torso-sensor (HRM-Run) percentile bands (issue 10): the sensor is named, the value given, and the
missing band said. Cases: Stryd-made real files, and a Garmin watch's FIT file whose contact time
comes only from a Stryd "Ground Time" developer field (written with the project's FIT writer),
which must keep that provenance through the store. A Garmin strap file is still graded."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from rich.console import Console

from evenstride import consts as C
from evenstride.assessment._assess import file_sensor
from evenstride.datatypes import Activity, ActivityMeta
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import read_activity
from evenstride.io._fit_writer import STRYD_APP_ID, DevFieldSpec, encode_activity_fit
from evenstride.pipeline import analyze
from evenstride.simulate import simulate_run

GARMIN_CT_LABELS = ("shorter than 95 % of runners", "shorter than 70 %", "middle 40 %",
                    "longer than 70 %", "longer than 95 %")


def _analyze(src):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        return analyze(src)


def _stryd_dev_field_fit(tmp_path, *, native: bool):
    """A Garmin watch (FR965) file with no running dynamics: contact time only as a Stryd
    "Ground Time" developer field (``native=False``), or the same values as the native
    ``stance_time`` field (``native=True``, the control)."""
    sim = simulate_run(duration_s=1200.0, seed=3, stops=0, include_stryd=False)
    s = dict(sim.activity.samples)
    ct = s.pop(C.CONTACT_TIME_S)
    for col in (C.VERTICAL_OSCILLATION_M, C.VERTICAL_RATIO_PCT):
        s.pop(col, None)
    if native:
        s[C.CONTACT_TIME_S] = ct
    act = Activity(s, [], sim.activity.meta)
    dev = [] if native else [DevFieldSpec("Ground Time", STRYD_APP_ID, 5, "uint16",
                                          "Milliseconds", values=ct * 1000.0)]
    p = tmp_path / ("native.fit" if native else "stryd_ground_time.fit")
    p.write_bytes(encode_activity_fit(act, developer_fields=dev))
    return p, float(np.nanmedian(ct))


def _terminal(res):
    from evenstride.cli import print_summary

    con = Console(file=io.StringIO(), width=200, record=True)
    print_summary(res, con)
    return con.export_text()


def _assert_not_graded(res, sensor="Stryd foot pod"):
    d = res.to_dict()
    ct = d["form"]["summary"][C.CONTACT_TIME_S]
    assert ct["garmin_band"] is None
    assert ct["sensor"] == sensor
    assert "no validated reference band" in ct["band_note"]
    ms = f"{ct['median'] * 1000:.0f} ms"
    f = next(f for f in d["findings"] if f["metric"] == C.CONTACT_TIME_S and f["topic"] == "form")
    assert f["sensor"] == sensor and ms in f["sentence"] and "no validated" in f["sentence"]
    assert not any(lab in f["title"] + f["text"] + f["sentence"] for lab in GARMIN_CT_LABELS)
    # HTML form table: the row names the sensor and says why it is not graded
    from evenstride.report.html import _form_rows

    row = next(r for r in _form_rows(d) if r["name"].lower().startswith("ground contact time"))
    assert sensor in row["name"] and row["band"].startswith("not graded: no validated")
    # terminal: the finding names the sensor and value; no Garmin label on contact time
    text = _terminal(res)
    assert f"Ground contact time, {sensor}: {ms}, no validated band" in text
    assert not any(f"contact time, {sensor}: {lab}" in text for lab in GARMIN_CT_LABELS)
    return d


@pytest.mark.parametrize("rel", ["python-fitparse/developer-types-sample.fit",
                                 "goldencheetah/HRV-Data.fit"])
def test_stryd_made_file_gets_no_garmin_band(shared_data, rel):
    path = shared_data / rel
    if not path.is_file():
        pytest.skip(f"missing {rel}")
    res = _analyze(path)
    assert file_sensor(res.activity.meta.devices) == "Stryd foot pod"
    _assert_not_graded(res)


def test_stryd_ground_time_dev_field_in_a_garmin_file_gets_no_garmin_band(tmp_path):
    p, median = _stryd_dev_field_fit(tmp_path, native=False)
    act = read_activity(p)
    # the watch made the file: the device alone cannot tell; the column's provenance does
    assert file_sensor(act.meta.devices).startswith("Watch (")
    assert act.meta.extra["column_origins"][C.CONTACT_TIME_S] == {"app": "Stryd",
                                                                 "field": "Ground Time"}
    d = _assert_not_graded(_analyze(act))
    assert d["form"]["summary"][C.CONTACT_TIME_S]["median"] == pytest.approx(median, abs=2e-3)


def test_same_values_from_the_watch_itself_are_graded(tmp_path):
    # the control: the same contact times as the watch's native field get Garmin's band
    p, _ = _stryd_dev_field_fit(tmp_path, native=True)
    act = read_activity(p)
    assert "column_origins" not in act.meta.extra
    ct = _analyze(act).to_dict()["form"]["summary"][C.CONTACT_TIME_S]
    assert ct["garmin_band"] in GARMIN_CT_LABELS and "band_note" not in ct


def test_garmin_strap_file_is_still_graded(tmp_path):
    sim = simulate_run(duration_s=1200.0, seed=4, stops=0)  # HRM-Pro running dynamics
    res = _analyze(sim.activity)
    d = res.to_dict()
    ct = d["form"]["summary"][C.CONTACT_TIME_S]
    assert ct["garmin_band"] in GARMIN_CT_LABELS and "sensor" not in ct
    assert any(f["metric"] == C.CONTACT_TIME_S and "Garmin users" in f["text"]
               for f in d["findings"])


def test_real_garmin_hrm_file_is_still_graded(shared_data):
    path = shared_data / "goldencheetah/2019-09-07-11-22-19.fit"  # fenix 5 Plus + HRM-Run
    if not path.is_file():
        pytest.skip("missing shared file")
    ct = _analyze(path).to_dict()["form"]["summary"][C.CONTACT_TIME_S]
    assert ct["garmin_band"] == "middle 40 %"


def test_dev_field_provenance_survives_the_store(tmp_path):
    from evenstride.importer import import_paths
    from evenstride.store import open_store

    p, _ = _stryd_dev_field_fit(tmp_path, native=False)
    with open_store(tmp_path / "s.sqlite") as st:
        import_paths([p], st, athlete="a", jobs=1)
        row = st.activities(st.athlete("a", create=False).id)[0]
        stored = st.analysis_doc(row.id)
        act = st.load_activity(row.id)
        assert act.meta.extra["column_origins"][C.CONTACT_TIME_S]["app"] == "Stryd"
        again = _analyze(act).to_dict()
    stored.pop("file"), again.pop("file")
    assert again == stored
    assert stored["form"]["summary"][C.CONTACT_TIME_S]["sensor"] == "Stryd foot pod"


def test_hand_made_activity_without_origins_keeps_the_band():
    # no devices, no origins: a plain recording's contact time is graded as before
    n = 1200
    act = Activity({C.TIME_S: np.arange(n, dtype=float), C.SPEED_M_S: np.full(n, 3.2),
                    C.CADENCE_SPM: np.full(n, 170.0), C.CONTACT_TIME_S: np.full(n, 0.26)},
                   [], ActivityMeta(path="hand"))
    ct = _analyze(act).to_dict()["form"]["summary"][C.CONTACT_TIME_S]
    assert ct["garmin_band"] == "middle 40 %"
