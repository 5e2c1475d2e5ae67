# SPDX-License-Identifier: MIT
"""A run re-analysed from the store gives exactly the document stored at import.

The web app's run page and ``evenstride report --runs`` re-render runs from the stored samples,
so storage must be lossless: a value on a band edge (a 278 ms median contact time is "longer
than 70 % of Garmin users", 277.99999 ms is "middle 40 %") must not move when re-analysed, and
beat-to-beat R-R intervals (in-run RMSSD) must survive.
"""

from __future__ import annotations

import warnings

import pytest

from evenstride.exceptions import EvenstrideWarning
from evenstride.importer import import_paths
from evenstride.pipeline import analyze
from evenstride.store import open_store

pytestmark = pytest.mark.shared_data

#: Real files with running dynamics, Stryd developer fields, R-R intervals and a multisport file.
FILES = (
    "goldencheetah/14211916346_ACTIVITY.fit",   # Stryd + HRM: GCT median exactly 278 ms
    "goldencheetah/2019-09-07-11-22-19.fit",    # Garmin running dynamics
    "goldencheetah/10kUNLP2014-Garmin15.fit",   # no left/right data
)


def test_reanalysis_from_store_equals_import(shared_data, tmp_path):
    paths = [shared_data / f for f in FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"missing shared files: {missing}")
    with open_store(tmp_path / "s.sqlite") as st:
        rep = import_paths(paths, st, athlete="a", jobs=1)
        assert rep.counts()["new"] == len(FILES)
        rows = st.activities(st.athlete("a", create=False).id)
        for row in rows:
            stored = st.analysis_doc(row.id)
            act = st.load_activity(row.id)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EvenstrideWarning)
                again = analyze(act).to_dict()
            stored.pop("file"), again.pop("file")  # absolute path at import, name from the store
            assert again == stored, row.source_name
        stryd = next(r for r in rows if r.source_name.endswith("14211916346_ACTIVITY.fit"))
        doc = st.analysis_doc(stryd.id)
        assert doc["form"]["summary"]["contact_time_s"]["garmin_band"] == "longer than 70 %"
        assert doc["context"]["hrv_rmssd_ms"]["n_intervals"] > 10_000
