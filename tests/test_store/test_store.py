# SPDX-License-Identifier: MIT
"""The store itself: sample blobs, schema and migrations, the ActivityStore API."""

from __future__ import annotations

import sqlite3
import warnings
from datetime import UTC, date, datetime

import numpy as np
import pytest
from store_helpers import sim_fit_bytes

from evenstride.exceptions import EvenstrideWarning
from evenstride.importer import analyse_file
from evenstride.pipeline import analyze
from evenstride.store import (
    ActivityStore,
    Fingerprint,
    StoreError,
    default_db_path,
    open_store,
)
from evenstride.store._blob import (
    BlobError,
    blob_header,
    decode_samples,
    encode_samples,
    pack_activity,
    unpack_activity,
)
from evenstride.store._sqlite import known_migrations

# --- blobs ------------------------------------------------------------------------------------


def test_blob_round_trip_is_exact_for_float32_values_and_keeps_nan():
    rng = np.random.default_rng(1)
    x = rng.normal(size=5000).astype(np.float32).astype(np.float64)
    x[::7] = np.nan
    cols = {"a": x, "b": np.arange(5000.0), "c": np.full(5000, np.nan)}
    for codec in ("zlib", "lzma"):
        out = decode_samples(encode_samples(cols, codec=codec))
        assert list(out) == ["a", "b", "c"]
        for k, v in cols.items():
            assert out[k].dtype == np.float64
            np.testing.assert_array_equal(out[k], v)  # NaN positions included


def test_blob_float64_only_where_asked():
    t = 1.7e9 + np.arange(100.0)  # epoch seconds: float32 would round them to 128 s
    blob = encode_samples({"timestamp_s": t, "speed": t / 1e9}, float64_columns=["timestamp_s"])
    specs = {c["name"]: c["dtype"] for c in blob_header(blob)["columns"]}
    assert specs == {"timestamp_s": "<f8", "speed": "<f4"}
    out = decode_samples(blob)
    np.testing.assert_array_equal(out["timestamp_s"], t)
    np.testing.assert_allclose(out["speed"], t / 1e9, rtol=1e-7)
    assert set(decode_samples(blob, columns=["speed"])) == {"speed"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[:-10],  # truncated payload
        lambda b: b"XXXX" + b[4:],  # bad magic
        lambda b: b[:4] + b"\xff\xff\xff\x7f" + b[8:],  # absurd header length
        lambda b: b[:12] + b"#" + b[13:],  # header no longer JSON
    ],
)
def test_corrupt_blobs_raise_blob_error(mangle):
    blob = encode_samples({"a": np.arange(100.0)})
    with pytest.raises(BlobError):
        decode_samples(mangle(blob))


def test_blob_refuses_ragged_columns():
    with pytest.raises(ValueError, match="expected 3"):
        encode_samples({"a": np.zeros(3), "b": np.zeros(4)})


def test_activity_pack_round_trip_rebuilds_an_analysable_activity(tmp_path):
    p = tmp_path / "r.fit"
    p.write_bytes(sim_fit_bytes(3, minutes=20, include_runscribe=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(str(p))
        doc = res.to_dict()
        act = unpack_activity(pack_activity(res.activity), doc)
        again = analyze(act).to_dict()
    assert act.n_samples == res.activity.n_samples
    assert [c.key for c in act.sided] == [c.key for c in res.activity.sided]
    np.testing.assert_array_equal(act.samples["time_s"], res.activity.samples["time_s"])
    # float32 storage moves values by < 1e-7 relative: the judgement does not change
    for a, b in zip(doc["asymmetry"], again["asymmetry"], strict=True):
        assert a["class"] == b["class"] and a["real"] == b["real"]
        assert a["symmetry_angle_pct"] == pytest.approx(b["symmetry_angle_pct"], abs=0.01)


# --- schema -----------------------------------------------------------------------------------


def test_migrations_are_numbered_and_recorded(tmp_path):
    migs = known_migrations()
    assert [v for v, _, _ in migs] == list(range(1, len(migs) + 1))
    db = tmp_path / "s.sqlite"
    for _ in range(2):  # reopening applies nothing twice
        with open_store(db) as st:
            assert st.schema_version() == len(migs)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT version, name FROM schema_version").fetchall()
    assert rows == [(v, n) for v, n, _ in migs]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_newer_store_is_refused_with_a_clear_message(tmp_path):
    db = tmp_path / "s.sqlite"
    open_store(db).close()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_version VALUES (99, 'future', '2030-01-01')")
    con.commit()
    con.close()
    for ro in (False, True):
        with pytest.raises(StoreError, match="schema version 99, newer than this evenstride"):
            open_store(db, readonly=ro)


def test_not_a_database_and_missing_readonly_store(tmp_path):
    bad = tmp_path / "junk.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not an evenstride store"):
        open_store(bad)
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "missing.sqlite", readonly=True)


def test_default_db_path(monkeypatch, tmp_path):
    monkeypatch.delenv("EVENSTRIDE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "evenstride" / "evenstride.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home/.local/share/evenstride/evenstride.sqlite"
    monkeypatch.setenv("EVENSTRIDE_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"


# --- API --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysed():
    """Two analysed simulated runs (worker results), one with RunScribe pods."""
    out = []
    for i, extra in ((1, {}), (2, {"include_runscribe": True})):
        data = sim_fit_bytes(i, minutes=15, **extra)
        res = analyse_file(data, f"/runs/sim_{i}.fit")
        assert res.status == "ok", res.reason
        out.append((data, res))
    return out


def _sha(i: int) -> str:
    return f"{i:064x}"


def test_store_api_end_to_end(tmp_path, analysed):
    with open_store(tmp_path / "s.sqlite") as st:
        assert isinstance(st, ActivityStore)
        me, other = st.athlete("me"), st.athlete("other")
        assert st.athlete("me") == me and [a.name for a in st.list_athletes()] == ["me", "other"]
        with pytest.raises(KeyError):
            st.athlete("nobody", create=False)
        ids = []
        for k, (_, res) in enumerate(analysed):
            ids.append(st.add_activity(
                me.id, res.doc, res.samples_blob, sha256=_sha(k), source_name=f"f{k}.fit",
                gear=["Pegasus", None][k], name=f"run {k}", load=res.load,
            ))
        assert st.has_file(me.id, _sha(0)) == ids[0] and st.has_file(other.id, _sha(0)) is None
        assert st.activities(other.id) == []
        rows = st.activities(me.id)
        assert [r.id for r in rows] == ids  # by start time
        r0, doc0 = rows[0], analysed[0][1].doc
        assert r0.start_time == datetime.fromisoformat(doc0["start_time"])
        assert (r0.duration_s, r0.distance_m, r0.sport, r0.file_format) == (
            doc0["duration_s"], doc0["distance_m"], doc0["sport"], "fit")
        assert r0.gear == "Pegasus" and r0.name == "run 0" and r0.hr_mean_bpm > 100
        assert r0.running_s > 0 and r0.n_asymmetry == len(doc0["asymmetry"])
        assert st.analysis_doc(ids[1]) == analysed[1][1].doc
        pairs = list(st.analysis_docs(me.id))
        assert [(r.id, d) for r, d in pairs] == [(i, res.doc) for i, (_, res) in zip(
            ids, analysed, strict=True)]
        assert [r.id for r, _ in st.analysis_docs(me.id, since=rows[1].start_time)] == [ids[1]]
        cols = st.samples(ids[0])
        assert "time_s" in cols and "contact_time/running_dynamics:balance_left_pct" in cols
        asym = st.asymmetry_rows(me.id)
        assert len(asym) == sum(len(res.doc["asymmetry"]) for _, res in analysed)
        rd = st.asymmetry_rows(me.id, metric="contact_time", source="running_dynamics")
        assert [a.activity_id for a in rd] == ids
        j = doc0["asymmetry"][0]
        assert rd[0].balance_left_pct == j["balance_left_pct"] and rd[0].class_ == j["class"]
        assert rd[0].ci95 == tuple(j["ci95"]) and rd[0].real == j["real"]
        f = doc0["fatigue"]["contact_time/running_dynamics"]
        assert rd[0].drift_slope_per_h == f["slope_per_h"]
        assert [s.name for s in st.shoes(me.id)] == ["Pegasus"]
        assert st.shoes(me.id)[0].distance_m == pytest.approx(doc0["distance_m"])
        # date filters: since inclusive, until exclusive
        day1 = r0.start_time.date()
        assert [r.id for r in st.activities(me.id, since=day1, until=rows[1].start_time)] == [
            ids[0]]
        assert [r.id for r in st.activities(me.id, since=rows[1].start_time.isoformat())] == [
            ids[1]]
        assert st.activities(me.id, until=date(2000, 1, 1)) == []
        assert st.integrity_problems() == []


def test_duplicates_link_and_replace_in_one_transaction(tmp_path, analysed):
    (_, res) = analysed[0]
    poor = dict(res.doc, file_format="gpx", asymmetry=[], file="/x/run.gpx")
    with open_store(tmp_path / "s.sqlite") as st:
        me = st.athlete("me")
        a = st.add_activity(me.id, poor, res.samples_blob, sha256=_sha(1), source_name="run.gpx",
                            gear="Kinvara")
        fp = Fingerprint.from_doc(res.doc)
        near = Fingerprint(fp.start_ts + 59, fp.duration_s * 1.019, fp.distance_m * 0.981)
        assert st.find_duplicate(me.id, near).id == a
        assert st.find_duplicate(me.id, Fingerprint(fp.start_ts + 61, fp.duration_s)) is None
        assert st.find_duplicate(
            me.id, Fingerprint(fp.start_ts, fp.duration_s, fp.distance_m * 1.03)) is None
        st.link_duplicate(a, sha256=_sha(2), source_name="run.tcx", name="Sunday long run")
        b = st.add_activity(me.id, res.doc, res.samples_blob, sha256=_sha(3),
                            source_name="run.fit", replaces=a)
        rows = st.activities(me.id)
        assert [r.id for r in rows] == [b]
        assert (rows[0].file_format, rows[0].gear, rows[0].name) == (
            "fit", "Kinvara", "Sunday long run")
        assert {f["source_name"]: f["role"] for f in st.files(b)} == {
            "run.fit": "kept", "run.gpx": "duplicate", "run.tcx": "duplicate"}
        assert all(st.has_file(me.id, _sha(k)) == b for k in (1, 2, 3))
        with pytest.raises(KeyError):
            st.analysis_doc(a)
        # the same hash twice is refused, and nothing of the failed call remains
        with pytest.raises(ValueError, match="already stored"):
            st.add_activity(me.id, res.doc, res.samples_blob, sha256=_sha(3), source_name="x")
        assert len(st.activities(me.id)) == 1 and st.integrity_problems() == []


def test_readonly_store_refuses_writes(tmp_path):
    db = tmp_path / "s.sqlite"
    open_store(db).close()
    with open_store(db, readonly=True) as st, pytest.raises(StoreError, match="read-only"):
        st.athlete("new")


def test_fingerprint_needs_a_start_time():
    assert Fingerprint.from_doc({"start_time": None, "duration_s": 10}) is None
    fp = Fingerprint.from_doc({"start_time": "2024-01-01T00:00:00", "duration_s": 10})
    assert fp.start_ts == datetime(2024, 1, 1, tzinfo=UTC).timestamp()
