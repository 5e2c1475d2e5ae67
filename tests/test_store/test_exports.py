# SPDX-License-Identifier: MIT
"""Bulk exports built here with zipfile — a Garmin Connect data export (activity files inside a
zip inside the zip) and a Strava bulk export (activities.csv + activities/…) — and archives that
must be refused as a whole: corrupt, unsafe member names, zip bombs, a CSV without its columns."""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path

import pytest
from store_helpers import gz, make_zip, sim_fit_bytes, write_sims, zip_bytes

from evenstride.cli.inputs import main as cli_main
from evenstride.importer import (
    DUPLICATE,
    FAILED,
    MAX_MEMBER_BYTES,
    NEW,
    SKIPPED,
    STORED,
    parse_strava_csv,
)
from evenstride.store import open_store

#: The real header of a Strava bulk export's activities.csv (names repeat: "Elapsed Time",
#: "Distance", "Max Heart Rate", "Relative Effort", "Commute").
STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,"
    "Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,"
    "Average Grade Adjusted Pace,Timer Time,Total Cycles,Media"
)
_NCOLS = len(STRAVA_HEADER.split(","))


def strava_row(aid, date, name, kind, gear, filename) -> str:
    cells = [""] * _NCOLS
    cols = STRAVA_HEADER.split(",")
    for key, value in (("Activity ID", aid), ("Activity Date", f'"{date}"'),
                       ("Activity Name", f'"{name}"'), ("Activity Type", kind),
                       ("Activity Gear", gear), ("Filename", filename),
                       ("Elapsed Time", "720")):
        cells[cols.index(key)] = value
    cells[cols.index("Gear")] = "not the shoe column"  # the later, unrelated "Gear" column
    return ",".join(cells)


def strava_csv(rows: list[str], header: str = STRAVA_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "s.sqlite"


def _import(paths, db, capsys, *extra) -> tuple[int, dict, list[str]]:
    rc = cli_main(["import", *map(str, paths), "--db", str(db), "--json", *extra])
    cap = capsys.readouterr()
    return rc, json.loads(cap.out), cap.err.strip().splitlines()


def _leaf(source: str) -> str:
    return re.split(r"[/!]", source)[-1]


def _state(db: Path):
    with open_store(db) as st:
        me = st.athlete("default")
        acts = [(a.id, a.sha256, a.gear, a.name) for a in st.activities(me.id)]
        files = sorted((f["sha256"], f["role"]) for a in acts for f in st.files(a[0]))
        return acts, files



@pytest.fixture(scope="module")
def sim_folder(tmp_path_factory) -> Path:
    """Six short simulated runs (12 min) on different days."""
    d = tmp_path_factory.mktemp("sims")
    write_sims(d, range(6))
    return d

# --- Garmin ------------------------------------------------------------------------------------


def test_garmin_export_nested_zips(tmp_path, db, capsys, shared_data):
    fit = (shared_data / "sports-lib" / "run_6916663933_coros.fit").read_bytes()
    part1 = zip_bytes({"user@example.com_1001.fit": sim_fit_bytes(11),
                       "user@example.com_1002.fit": fit})
    part2 = zip_bytes({"nested/user@example.com_1003.fit": sim_fit_bytes(12)})
    export = make_zip(tmp_path / "garmin.zip", {
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part1,
        "DI_CONNECT/DI-Connect-Fitness/user_0_summarizedActivities.json": b"[]",
        "Elsewhere/Some Other Name.zip": part2,  # other folder names are searched too
    })
    rc, out, err = _import([export], db, capsys)
    assert rc == 0 and err == []
    assert out["counts"][NEW] == 3
    srcs = sorted(i["source"] for i in out["items"])
    assert srcs[0].endswith(
        "garmin.zip!DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!"
        "user@example.com_1001.fit")
    # the same export again: known by hash, nothing decoded or stored twice
    rc, out, _ = _import([export], db, capsys)
    assert rc == 0 and out["counts"][STORED] == 3 and out["counts"][NEW] == 0
    acts, _ = _state(db)
    assert len(acts) == 3


# --- Strava ------------------------------------------------------------------------------------


def _strava_zip(tmp_path: Path, shared_data: Path, name="strava.zip") -> Path:
    gpx = (shared_data / "sports-lib" / "run_6782987395.gpx").read_bytes()
    rows = [
        strava_row("2001", "Mar 12, 2023, 7:00:00 AM", "Easy run, with commas", "Run",
                   "Pegasus 39", "activities/2001.fit.gz"),
        strava_row("2002", "Jun 15, 2019, 9:42:23 AM", "Long run", "Run", "Kinvara 13",
                   "activities/2002.gpx.gz"),
        strava_row("2003", "Mar 13, 2023, 7:07:00 AM", "Hills", "Trail Run", "Speedgoat 5",
                   "activities/2003.fit"),
        strava_row("2004", "Mar 14, 2023, 8:00:00 AM", "Commute", "Ride", "Topstone",
                   "activities/2004.fit"),
        strava_row("2005", "Mar 15, 2023, 8:00:00 AM", "Treadmill, no file", "Run", "", ""),
    ]
    return make_zip(tmp_path / name, {
        "export_12345/activities.csv": strava_csv(rows),
        "export_12345/activities/2001.fit.gz": gz(sim_fit_bytes(11)),
        "export_12345/activities/2002.gpx.gz": gz(gpx),
        "export_12345/activities/2003.fit": sim_fit_bytes(12),
        # a ride is skipped from the CSV without decoding: this would fail to decode
        "export_12345/activities/2004.fit": b"not a fit file at all",
        "export_12345/profile.csv": b"Email,First Name\n",
    })


def test_strava_export_names_gear_and_skipped_ride(tmp_path, db, capsys, shared_data):
    export = _strava_zip(tmp_path, shared_data)
    rc, out, err = _import([export], db, capsys)
    assert rc == 0 and err == []
    by = {i["source"].rsplit("/", 1)[-1]: i for i in out["items"]}
    assert by["2004.fit"]["status"] == SKIPPED
    assert by["2004.fit"]["reason"] == "Strava activity type 'Ride'"
    assert {k: v["status"] for k, v in by.items()} == {
        "2001.fit.gz": NEW, "2002.gpx.gz": NEW, "2003.fit": NEW, "2004.fit": SKIPPED}
    with open_store(db) as st:
        me = st.athlete("default")
        rows = {a.source_name.rsplit("/", 1)[-1]: a for a in st.activities(me.id)}
        assert rows["2001.fit.gz"].name == "Easy run, with commas"
        assert rows["2003.fit"].gear == "Speedgoat 5"
        assert rows["2002.gpx.gz"].file_format == "gpx"
        assert [s.name for s in st.shoes(me.id)] == ["Speedgoat 5", "Pegasus 39", "Kinvara 13"]
        files = st.files(rows["2001.fit.gz"].id)
        assert files[0]["external_id"] == "strava:2001"


def test_garmin_and_strava_exports_of_the_same_runs(tmp_path, db, capsys, shared_data):
    """The FIT from Garmin and the GPX from Strava are one run: the FIT is kept, with the
    Strava shoe; a Strava .fit.gz holding the very same bytes as a Garmin file is that file."""
    fit = (shared_data / "sports-lib" / "run_6782987395_fr945_stryd.fit").read_bytes()
    part = zip_bytes({"u_1.fit": fit, "u_2.fit": sim_fit_bytes(11)})
    garmin = make_zip(tmp_path / "garmin.zip", {
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part})
    strava = _strava_zip(tmp_path, shared_data)
    for first, second in ((strava, garmin), (garmin, strava)):
        if db.exists():
            for p in db.parent.glob(db.name + "*"):
                p.unlink()
        rc1, _, _ = _import([first], db, capsys)
        rc2, out2, _ = _import([second], db, capsys)
        assert rc1 == rc2 == 0
        with open_store(db) as st:
            me = st.athlete("default")
            acts = st.activities(me.id)
            assert len(acts) == 3  # the long run, sim 11, sim 12
            long_run = next(a for a in acts if a.start_time.year == 2019)
            assert long_run.file_format == "fit" and long_run.source_name.endswith("u_1.fit")
            assert long_run.gear == "Kinvara 13" and long_run.name == "Long run"
            sim11 = next(a for a in acts if a.name == "Easy run, with commas")
            assert sim11.gear == "Pegasus 39"
            assert {f["role"] for f in st.files(long_run.id)} == {"kept", "duplicate"}
            assert st.integrity_problems() == []
        statuses = {_leaf(i["source"]): i["status"] for i in out2["items"]}
        if first is strava:
            assert statuses["u_1.fit"] == NEW and statuses["u_2.fit"] == STORED
        else:
            assert statuses["2002.gpx.gz"] == DUPLICATE and statuses["2001.fit.gz"] == STORED


def test_strava_csv_parsing_keeps_the_first_of_repeated_columns():
    rows = parse_strava_csv(strava_csv([
        strava_row("1", "Oct 7, 2020, 2:43:11 PM", "A, b", "Virtual Run", "Shoe", "a/1.fit"),
        strava_row("2", "Oct 8, 2020, 2:43:11 PM", "Walk", "Walk", "", "a/2.gpx"),
    ]), "x.csv")
    assert [(r.activity_id, r.name, r.gear, r.is_running) for r in rows] == [
        ("1", "A, b", "Shoe", True), ("2", "Walk", None, False)]


# --- refused archives --------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _bomb_by_declared_size(path: Path) -> Path:
    """A zip whose member declares 250 MB uncompressed (central directory patched)."""
    make_zip(path, {"activities/bomb.fit": b"\0" * 1000})
    raw = bytearray(path.read_bytes())
    cd = raw.index(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = struct.pack("<I", 250 * 1024 * 1024)
    path.write_bytes(bytes(raw))
    assert zipfile.ZipFile(path).infolist()[0].file_size > MAX_MEMBER_BYTES
    return path


BAD_ARCHIVES = {
    "corrupt": (lambda p: _write(p, b"PK\x03\x04" + bytes(range(256)) * 40),
                "not a readable zip archive"),
    "truncated": (lambda p: _write(p, zip_bytes({"a.fit": sim_fit_bytes(1)})[:-30]),
                  "not a readable zip archive"),
    "no-filename-column": (
        lambda p: make_zip(p, {
            "activities.csv": strava_csv(
                ["1,x,y,Run"], header="Activity ID,Activity Date,Activity Name,Activity Type"),
            "activities/1.fit": sim_fit_bytes(21),
        }),
        "lacks the column(s) 'Filename'",
    ),
    "traversal": (lambda p: make_zip(p, {"good.fit": sim_fit_bytes(22),
                                         "../../evil.fit": sim_fit_bytes(23)}),
                  "'../../evil.fit' has a '..' path (path traversal)"),
    "absolute": (lambda p: make_zip(p, {"good.fit": sim_fit_bytes(22),
                                        "/abs.fit": sim_fit_bytes(23)}),
                 "'/abs.fit' has an absolute path"),
    "csv-traversal": (
        lambda p: make_zip(p, {
            "activities.csv": strava_csv([strava_row("1", "d", "n", "Run", "", "../x.fit")]),
            "good.fit": sim_fit_bytes(22),
        }),
        "activities.csv names '../x.fit'",
    ),
    "bomb-declared": (_bomb_by_declared_size, "declares 262 MB uncompressed"),
    "bomb-ratio": (lambda p: make_zip(p, {"good.fit": sim_fit_bytes(22),
                                          "z.gpx": b"\0" * (8 * 1024 * 1024)}),
                   "expands"),
    "nested-corrupt": (lambda p: make_zip(p, {"good.fit": sim_fit_bytes(22),
                                              "inner/part.zip": b"PK\x03\x04 broken"}),
                       "part.zip: not a readable zip archive"),
}


@pytest.mark.parametrize("kind", sorted(BAD_ARCHIVES))
def test_bad_archives_are_refused_whole_with_one_line(tmp_path, db, capsys, sim_folder, kind):
    # a store that already holds something, to show it is left exactly as it was
    rc, _, _ = _import([sim_folder / "sim_000.fit"], db, capsys)
    assert rc == 0
    before = _state(db)
    make, needle = BAD_ARCHIVES[kind]
    archive = make(tmp_path / f"{kind}.zip")
    rc, out, err = _import([archive], db, capsys)
    assert rc == 2
    assert len(err) == 1, err
    assert err[0].startswith(f"evenstride: {archive}") and needle in err[0], err[0]
    assert out["counts"][FAILED] == 1 and out["counts"][NEW] == 0
    assert _state(db) == before
    # nothing was extracted next to the archive
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("s.sqlite")) == [
        archive.name]


def test_a_bad_archive_does_not_stop_other_inputs(tmp_path, db, capsys, sim_folder):
    archive = BAD_ARCHIVES["traversal"][0](tmp_path / "evil.zip")
    rc, out, err = _import([archive, sim_folder / "sim_003.fit"], db, capsys)
    assert rc == 2 and len(err) == 1
    assert out["counts"][NEW] == 1 and out["counts"][FAILED] == 1


def test_a_corrupt_member_fails_alone(tmp_path, db, capsys):
    """A readable archive with one unreadable member: that member fails, the rest is stored."""
    good, bad = sim_fit_bytes(31), sim_fit_bytes(32)
    path = make_zip(tmp_path / "a.zip", {"good.fit": good, "bad.fit.gz": gz(bad)[:-40]},
                    compress=zipfile.ZIP_STORED)
    rc, out, err = _import([path], db, capsys)
    assert rc == 2 and len(err) == 1 and "bad.fit.gz" in err[0] and "gzip" in err[0]
    assert out["counts"][NEW] == 1
