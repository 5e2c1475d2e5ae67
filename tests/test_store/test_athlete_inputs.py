# SPDX-License-Identifier: MIT
"""What the athlete enters (shoes, session RPE, resting HRV): schema version 2, the commands
``shoe set|list``, ``rpe``, ``activities``, ``hrv import``, the resting-HRV reader and what the
history makes of it (own-range flag, Foster session load)."""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import struct
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evenstride.cli.inputs import add_athlete_input_parsers
from evenstride.history import RunRecord, build_history
from evenstride.hrv import read_rr_csv, resting_value, rmssd_ms
from evenstride.io._crc import crc16
from evenstride.services.history import history_inputs as store_history_inputs
from evenstride.store import ShoeSettings as ShoeInfo
from evenstride.store import _sqlite as sqlite_mod
from evenstride.store import open_store
from evenstride.store._blob import encode_samples

T0 = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)


# --- helpers ---------------------------------------------------------------------------------
def _doc(i: int, minutes: float = 40.0, km: float = 8.0) -> dict:
    return {
        "schema": "evenstride.run/1",
        "start_time": (T0 + timedelta(days=i)).isoformat(),
        "duration_s": minutes * 60.0,
        "distance_m": km * 1000.0,
        "sport": "running",
        "file_format": "fit",
        "devices": ["Forerunner 965"],
        "asymmetry": [],
    }


def _add(store, athlete_id: int, i: int, *, gear: str | None = "Ghost 15", **kw) -> int:
    return store.add_activity(
        athlete_id, _doc(i, **kw), encode_samples({"t": np.arange(3.0)}),
        sha256=f"{i:064x}", source_name=f"run{i}.fit", gear=gear,
    )


@pytest.fixture
def db(tmp_path):
    """A store with athlete 'ann' and three runs (two in 'Ghost 15', one in 'Speed 3')."""
    path = tmp_path / "h.sqlite"
    with open_store(path) as store:
        ann = store.athlete("ann").id
        _add(store, ann, 0)
        _add(store, ann, 1, gear="Speed 3", km=5.0, minutes=25.0)
        _add(store, ann, 2)
    return path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evenstride")
    sub = p.add_subparsers(dest="command", required=True)
    add_athlete_input_parsers(sub)
    return p


def run_cli(argv: list[str], db) -> int:
    args = _parser().parse_args([*argv, "--db", str(db), "--athlete", "ann"])
    return args.func(args)


def _dump(path) -> dict:
    c = sqlite3.connect(path)
    try:
        return {t: sorted(c.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("shoe_info", "session_rpe", "resting_hrv", "activities")}
    finally:
        c.close()


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evenstride: "), err
    return err[0]


# A hand-built FIT file (independent of evenstride's writer): file_id, records, hrv messages.
_FILE_ID, _RECORD, _HRV = 0, 20, 78
_FIT_EPOCH = 631065600


def _definition(local: int, mesg: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = bytes([0x40 | local, 0, 0]) + struct.pack("<H", mesg) + bytes([len(fields)])
    return out + b"".join(bytes(f) for f in fields)


def fit_bytes(rr_s: np.ndarray, *, start: datetime, distance_m: float = 0.0,
              cadence: int = 0, n_records: int = 60) -> bytes:
    ts = int(start.timestamp()) - _FIT_EPOCH
    body = _definition(0, _FILE_ID, [(0, 1, 0x00), (4, 4, 0x86)])
    body += bytes([0]) + struct.pack("<BI", 4, ts)
    body += _definition(1, _RECORD, [(253, 4, 0x86), (5, 4, 0x86), (4, 1, 0x02)])
    for k in range(n_records):
        d = distance_m * k / max(n_records - 1, 1)
        body += bytes([1]) + struct.pack("<IIB", ts + 2 * k, round(d * 100), cadence)
    body += _definition(2, _HRV, [(0, 10, 0x84)])
    ms = np.round(np.asarray(rr_s) * 1000).astype(int).tolist()
    for j in range(0, len(ms), 5):
        chunk = ms[j : j + 5] + [0xFFFF] * (5 - len(ms[j : j + 5]))
        body += bytes([2]) + struct.pack("<5H", *chunk)
    head = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    head += struct.pack("<H", crc16(head))
    out = head + body
    return out + struct.pack("<H", crc16(out))


def rest_rr(n: int = 120, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 1.0 + 0.03 * (-1.0) ** np.arange(n) + rng.normal(0, 0.005, n)


# --- store: migration ------------------------------------------------------------------------
def test_store_created_with_0001_only_is_upgraded_in_place(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    full = sqlite_mod.known_migrations()
    assert [v for v, _, _ in full][:2] == [1, 2] and full[1][1] == "athlete_inputs"
    monkeypatch.setattr(sqlite_mod, "known_migrations", lambda: full[:1])
    with open_store(path) as store:
        assert store.schema_version() == 1
        ann = store.athlete("ann").id
        act = _add(store, ann, 0)
    # upgrade to exactly 0002 (later migrations exist and are tested with their own features)
    monkeypatch.setattr(sqlite_mod, "known_migrations", lambda: full[:2])
    # a read-only open never migrates (documented): it asks for a writable open first
    with pytest.raises(Exception, match="needs upgrading to 2"):
        open_store(path, readonly=True)
    with open_store(path) as store:
        assert store.schema_version() == 2
        assert [a.id for a in store.activities(ann)] == [act]  # the old data is kept
        store.set_session_rpe(act, 6, "hilly")
        store.set_shoe(ann, "Ghost 15", type="road", drop_mm=12)
        assert store.add_resting_hrv(ann, T0, 55.0, 120, "a.csv") is True
        assert store.session_rpes(ann) == {act: 6.0}
        assert store.shoe_infos(ann) == [ShoeInfo("Ghost 15", type="road", drop_mm=12.0)]
        assert [h.rmssd_ms for h in store.resting_hrv(ann)] == [55.0]
        assert store.integrity_problems() == []
    with open_store(path, readonly=True) as store:  # now it opens read-only again
        assert store.schema_version() == 2


def test_store_methods_validate_and_are_idempotent(db):
    with open_store(db) as store:
        ann = store.athlete("ann").id
        ids = [a.id for a in store.activities(ann)]
        info = store.set_shoe(ann, "Ghost 15", type="road", drop_mm=10, retire_km=600)
        assert (info.type, info.drop_mm, info.retire_km, info.retired) == ("road", 10, 600, False)
        info = store.set_shoe(ann, "Ghost 15", retired=True)  # None keeps the other values
        assert (info.type, info.drop_mm, info.retire_km, info.retired) == ("road", 10, 600, True)
        assert store.set_shoe(ann, "Ghost 15", retired=False).retired is False
        for bad, msg in (({"type": "sandal"}, "unknown shoe type"),
                         ({"drop_mm": -1.0}, "drop must be"),
                         ({"retire_km": 0.0}, "reminder distance")):
            with pytest.raises(ValueError, match=msg):
                store.set_shoe(ann, "Ghost 15", **bad)
        with pytest.raises(ValueError, match="CR-10"):
            store.set_session_rpe(ids[0], 10.5)
        with pytest.raises(KeyError):
            store.set_session_rpe(9999, 5)
        store.set_session_rpe(ids[0], 4)
        store.set_session_rpe(ids[0], 5)  # replaces
        assert store.session_rpes(ann) == {ids[0]: 5.0}
        when = datetime(2024, 3, 5, 6, 30, tzinfo=UTC)
        assert store.add_resting_hrv(ann, when, 60.0, 100, "x.csv") is True
        assert store.add_resting_hrv(ann, when, 61.0, 100, "x.csv") is False
        assert [(h.when, h.rmssd_ms) for h in store.resting_hrv(ann)] == [(when, 60.0)]
        other = store.athlete("bob").id
        assert store.session_rpes(other) == {} and store.resting_hrv(other) == []


def test_rpe_follows_the_activity_when_a_richer_copy_replaces_it(db):
    with open_store(db) as store:
        ann = store.athlete("ann").id
        old = store.activities(ann)[0].id
        store.set_session_rpe(old, 7)
        new = store.add_activity(ann, _doc(0), encode_samples({"t": np.arange(3.0)}),
                                 sha256="f" * 64, source_name="better.fit", replaces=old)
        assert store.session_rpes(ann) == {new: 7.0}


# --- CLI ---------------------------------------------------------------------------------------
def test_shoe_set_and_list(db, capsys):
    assert run_cli(["shoe", "set", "Ghost 15", "--type", "road", "--drop-mm", "12",
                    "--retire-km", "10"], db) == 0
    assert "shoe 'Ghost 15': type road, drop 12 mm, reminder at 10 km" in capsys.readouterr().out
    assert run_cli(["shoe", "set", "Old racers", "--type", "racing", "--retired"], db) == 0
    cap = capsys.readouterr()
    assert "retired" in cap.out and "no stored run uses 'Old racers'" in cap.err
    assert run_cli(["shoe", "list", "--json"], db) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["shoes"]}
    assert set(rows) == {"Ghost 15", "Speed 3", "Old racers"}
    g = rows["Ghost 15"]
    assert (g["distance_km"], g["runs"], g["type"], g["drop_mm"]) == (16.0, 2, "road", 12.0)
    assert (g["retire_km"], g["retire_km_source"], g["status"]) == (10.0, "set", "past reminder")
    s = rows["Speed 3"]
    assert (s["distance_km"], s["retire_km"], s["retire_km_source"]) == (5.0, 800.0, "default")
    assert s["status"] == "795 km to reminder"
    assert rows["Old racers"]["status"] == "retired" and rows["Old racers"]["runs"] == 0
    assert run_cli(["shoe", "list"], db) == 0
    out = capsys.readouterr().out
    assert "Ghost 15" in out and "16.0" in out and "past reminder" in out


def test_rpe_and_activities(db, capsys):
    with open_store(db) as store:
        ids = [a.id for a in store.activities(store.athlete("ann").id)]
    assert run_cli(["rpe", str(ids[1]), "6.5", "--note", "tempo"], db) == 0
    assert "RPE 6.5, session load 162 AU" in capsys.readouterr().out  # 6.5 × 25 min
    assert run_cli(["activities", "--json"], db) == 0
    acts = json.loads(capsys.readouterr().out)["activities"]
    assert [a["id"] for a in acts] == ids
    assert [a["rpe"] for a in acts] == [None, 6.5, None]
    assert acts[1]["rpe_note"] == "tempo"
    assert (acts[1]["date"], acts[1]["distance_km"], acts[1]["duration_min"],
            acts[1]["gear"]) == ("2024-03-02", 5.0, 25.0, "Speed 3")
    assert run_cli(["activities"], db) == 0
    out = capsys.readouterr().out
    assert "2024-03-02 07:00" in out and "6.5" in out and "Speed 3" in out


def test_hrv_import_csv_and_fit_is_idempotent(db, tmp_path, capsys):
    csv_path = tmp_path / "2024-03-04 06-55-00.csv"
    csv_path.write_text("RR (ms)\n" + "\n".join(f"{x * 1000:.0f}" for x in rest_rr(120)))
    fit_path = tmp_path / "rest.fit"
    fit_path.write_bytes(fit_bytes(rest_rr(150, seed=1), start=T0 + timedelta(days=5)))
    assert run_cli(["hrv", "import", str(csv_path), str(fit_path), "--json"], db) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in doc["imported"]] == ["new", "new"] and doc["failed"] == []
    assert doc["imported"][0]["when"] == "2024-03-04T06:55:00+00:00"
    assert doc["imported"][1]["when"] == "2024-03-06T07:00:00+00:00"
    assert doc["imported"][1]["kind"] == "fit" and doc["imported"][1]["n_beats"] == 150
    before = _dump(db)
    assert run_cli(["hrv", "import", str(csv_path), str(fit_path)], db) == 0
    assert capsys.readouterr().out.count("already stored") == 2
    assert _dump(db) == before
    with open_store(db) as store:
        shoes, rpes, resting = store_history_inputs(store, store.athlete("ann").id)
    assert shoes == [] and rpes == {} and len(resting) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rpe", "{id}", "11"], "RPE must be 0–10"),
        (["rpe", "{id}", "-1"], "RPE must be 0–10"),
        (["rpe", "424242", "5"], "no activity 424242 for athlete 'ann'"),
        (["shoe", "set", "Ghost 15", "--drop-mm", "-4"], "--drop-mm must be 0–40 mm"),
        (["shoe", "set", "Ghost 15", "--type", "sandal"], "unknown shoe type 'sandal'"),
        (["shoe", "set", "Ghost 15", "--retire-km", "0"], "--retire-km must be above 0"),
    ],
)
def test_refusals_are_one_line_exit_2_and_change_nothing(db, capsys, argv, message):
    with open_store(db) as store:
        first = store.activities(store.athlete("ann").id)[0].id
    before = _dump(db)
    assert run_cli([a.format(id=first) for a in argv], db) == 2
    assert message in _one_line_error(capsys)
    assert _dump(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("RR\n800\nabc\n810\n", "row 3: R-R value 'abc' is not a number"),
        ("RR\n", "only a header line"),
        ("RR\n" + "5\n" * 100, "neither seconds"),
        ("RR\n" + "800\n810\n" * 20, "recording too short"),
        ("when,value,other\n1,2,3\n", "no R-R interval column"),
    ],
)
def test_bad_csv_is_refused(db, tmp_path, capsys, content, message):
    bad = tmp_path / "2024-03-04 06-55-00.csv"
    bad.write_text(content)
    before = _dump(db)
    assert run_cli(["hrv", "import", str(bad)], db) == 2
    line = _one_line_error(capsys)
    assert message in line and str(bad) in line
    assert _dump(db) == before


def test_a_run_offered_as_a_rest_recording_is_refused(db, tmp_path, capsys):
    run = tmp_path / "run.fit"
    run.write_bytes(fit_bytes(rest_rr(300) * 0.4, start=T0, distance_m=3000.0, cadence=85))
    walk_in_place = tmp_path / "steps.fit"
    walk_in_place.write_bytes(fit_bytes(rest_rr(300), start=T0, cadence=80))
    before = _dump(db)
    for f, what in ((run, "3000 m covered"), (walk_in_place, "cadence 80")):
        assert run_cli(["hrv", "import", str(f)], db) == 2
        line = _one_line_error(capsys)
        assert "looks like a run" in line and what in line and str(f) in line
    assert _dump(db) == before


def test_hrv_import_without_a_time_needs_when(db, tmp_path, capsys):
    f = tmp_path / "rr.txt"
    f.write_text("\n".join(f"{x:.3f}" for x in rest_rr(100)))
    assert run_cli(["hrv", "import", str(f)], db) == 2
    assert "--when" in _one_line_error(capsys)
    assert run_cli(["hrv", "import", str(f), "--when", "2024-03-09T06:40"], db) == 0
    assert "2024-03-09 06:40 UTC" in capsys.readouterr().out


def test_parser_defaults_leave_retired_unset():
    args = _parser().parse_args(["shoe", "set", "X"])
    assert args.retired is None and args.shoe_type is None
    assert _parser().parse_args(["shoe", "set", "X", "--active"]).retired is False


# --- resting HRV ----------------------------------------------------------------------------------
def test_rmssd_against_a_hand_computed_case():
    # 0.50 differs from the last accepted 0.80 by 37.5 % (artefact); 2.5 s is out of range.
    rr = [0.80, 0.84, 0.80, 0.50, 0.81, 0.85, 2.50, 0.83, 0.80]
    value, n_ok, n_bad = rmssd_ms(rr)
    # accepted successive pairs: 0.80→0.84, 0.84→0.80, 0.81→0.85, 0.83→0.80
    # (no difference spans the artefact or the dropped 2.5 s)
    expected = 1000 * math.sqrt((0.04**2 + 0.04**2 + 0.04**2 + 0.03**2) / 4)
    assert value == pytest.approx(round(expected, 2)) and value == pytest.approx(37.75, abs=0.01)
    assert (n_ok, n_bad) == (7, 2)
    assert rmssd_ms([0.8, 0.82])[0] is None


def test_csv_in_ms_and_in_s_give_the_same_value(tmp_path):
    rr = np.round(rest_rr(200, seed=3), 3)
    ms = tmp_path / "a.csv"
    ms.write_text("Time,RR interval (ms)\n" + "\n".join(
        f"2024-03-04T06:55:{i % 60:02d},{x * 1000:.0f}" for i, x in enumerate(rr)))
    s = tmp_path / "b.txt"
    s.write_text("\n".join(f"{x:.3f}" for x in rr))
    a, b = read_rr_csv(ms), read_rr_csv(s)
    assert (a.kind, b.kind) == ("csv (ms)", "csv (s)")
    np.testing.assert_allclose(a.rr_s, b.rr_s)
    assert a.start == datetime(2024, 3, 4, 6, 55, tzinfo=UTC) and b.start is None
    va = resting_value(ms)
    vb = resting_value(s, when=T0)
    assert va.rmssd_ms == vb.rmssd_ms == rmssd_ms(rr)[0]
    assert va.n_beats == vb.n_beats == 200


# --- history ------------------------------------------------------------------------------------
def _runs(n: int = 10, rpe=None) -> list[RunRecord]:
    return [
        RunRecord(activity_id=i, start_time=T0 + timedelta(days=i), duration_s=1800.0 + 600 * i,
                  distance_m=5000.0, gear="Ghost 15",
                  session_rpe=None if rpe is None else rpe(i))
        for i in range(n)
    ]


def test_resting_hrv_is_flagged_against_the_own_range():
    base = [60.0, 62.0, 58.0, 61.0, 59.0, 60.0]  # mean 60, SD √2 ≈ 1.41
    series = [(T0 + timedelta(days=i), v) for i, v in enumerate(base)]
    low = build_history(_runs(), resting_hrv=[*series, (T0 + timedelta(days=6), 52.0)])
    cur = low.to_dict()["hrv"]["resting"]["current"]
    sd = float(np.std(base, ddof=1))
    assert cur["range_mean_ms"] == pytest.approx(60.0)
    assert cur["range_sd_ms"] == pytest.approx(round(sd, 2))
    assert (cur["range_low_ms"], cur["range_high_ms"]) == (round(60 - sd, 2), round(60 + sd, 2))
    assert cur["status"] == "below" and cur["flag"] is True and cur["range_n"] == 6
    assert "your own range" in cur["sentence"] and cur["range_basis"] == "last 28 days"
    # fewer than five values in the last 28 days: all earlier values make the range
    sparse = [(T0 - timedelta(days=d), v) for d, v in ((40, 60.0), (35, 62.0), (30, 58.0),
                                                        (1, 60.0))]
    few = build_history(_runs(), resting_hrv=[*sparse, (T0, 56.0)])
    cur = few.to_dict()["hrv"]["resting"]["current"]
    assert (cur["range_basis"], cur["range_n"], cur["status"]) == ("all earlier values", 4,
                                                                   "below")
    ok = build_history(_runs(), resting_hrv=[*series, (T0 + timedelta(days=6), 60.5)])
    hrv = ok.to_dict()["hrv"]["resting"]
    assert hrv["current"]["status"] == "within" and hrv["current"]["flag"] is False
    assert hrv["available"] is True and len(hrv["values"]) == 7
    assert hrv["values"][0]["status"] is None  # no earlier values: no range yet
    assert hrv["evidence"]["grade"] in ("S", "U") and hrv["evidence"]["note"]
    # only the last 28 days count once five values lie in them
    old = [(T0 - timedelta(days=100 - i), 90.0) for i in range(10)]
    recent = build_history(_runs(), resting_hrv=[*old, *series, (T0 + timedelta(days=6), 60.5)])
    cur = recent.to_dict()["hrv"]["resting"]["current"]
    assert cur["range_n"] == 6 and cur["range_basis"] == "last 28 days"
    assert cur["status"] == "within"
    json.dumps(recent.to_dict(), allow_nan=False)


def test_foster_session_load_through_build_history():
    # runs i = 0…9, 30 + 10·i minutes; RPE i/2 + 2 on the even days only
    runs = _runs(10, rpe=lambda i: i / 2 + 2 if i % 2 == 0 else None)
    d = build_history(runs).to_dict()["load"]
    s = d["session_rpe"]
    expected = {i: (i / 2 + 2) * (30 + 10 * i) for i in range(0, 10, 2)}
    assert expected == {0: 60.0, 2: 150.0, 4: 280.0, 6: 450.0, 8: 660.0}
    assert s["available"] is True and s["runs_with_rpe"] == 5 and s["runs"] == 10
    assert [r["session_load"] for r in s["runs_detail"]] == list(expected.values())
    assert s["total"] == 1600.0 and "no RPE" in s["note"]
    daily = {x["date"]: x["session_rpe_load"] for x in d["daily"]}
    for i, v in expected.items():
        assert daily[(T0 + timedelta(days=i)).date().isoformat()] == v
    assert daily[(T0 + timedelta(days=1)).date().isoformat()] == 0.0
    # 2024-03-01 is a Friday: week of 26 Feb holds days 0–2, week of 4 Mar days 3–9
    weekly = {w["week"]: (w["session_rpe_load"], w["runs_with_rpe"]) for w in d["weekly"]}
    assert weekly == {"2024-02-26": (210.0, 2), "2024-03-04": (1390.0, 3)}
    assert d["measure"] != "srpe"  # not every run has an RPE: the load measure is unchanged
    assert s["evidence"]["grade"] == "V"
    every = build_history(_runs(10, rpe=lambda i: 5.0)).to_dict()["load"]
    assert every["measure"] == "srpe" and every["session_rpe"]["note"] is None
    none = build_history(_runs(10)).to_dict()["load"]["session_rpe"]
    assert none["available"] is False and "evenstride rpe" in none["reason"]


def test_store_inputs_feed_the_history_as_the_cli_will(db, tmp_path):
    """The lines the lead adds to cli._load_history, exercised here."""
    with open_store(db) as store:
        ann = store.athlete("ann").id
        first = store.activities(ann)[0].id
        store.set_session_rpe(first, 4)
        store.set_shoe(ann, "Ghost 15", type="road", drop_mm=8, retire_km=10)
        store.add_resting_hrv(ann, T0, 58.0, 100, "x.csv")
    with open_store(db, readonly=True) as store:
        ann = store.athlete("ann", create=False).id
        shoe_infos, rpes, resting = store_history_inputs(store, ann)
        runs = [
            RunRecord.from_run_doc(doc, activity_id=row.id, gear=row.gear,
                                   session_rpe=rpes.get(row.id))
            for row, doc in store.analysis_docs(ann)
        ]
    d = build_history(runs, shoes=shoe_infos, resting_hrv=resting).to_dict()
    pair = next(p for p in d["shoes"]["pairs"] if p["name"] == "Ghost 15")
    assert pair["attributes"]["type"] == "road" and pair["attributes"]["drop_mm"] == 8.0
    assert [r["name"] for r in d["shoes"]["retirement_reminders"]] == ["Ghost 15"]
    assert d["load"]["session_rpe"]["total"] == 160.0  # RPE 4 × 40 min
    assert d["hrv"]["resting"]["values"][0]["rmssd_ms"] == 58.0
