# SPDX-License-Identifier: MIT
"""The program calendar, parsed with a real iCalendar library."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from evenstride.clinical.ics import escape_text, fold_line, program_to_ics, write_ics
from evenstride.clinical.prescribe import prescribe

from ._plan_helpers import hip_abductor_finding, itb_finding

START = date(2025, 3, 3)
STAMP = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def program():
    return prescribe([hip_abductor_finding(), itb_finding()], start=START, weeks=8,
                     sessions_per_week=3)


def _events(text: str):
    cal = icalendar.Calendar.from_ical(text)
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_events_dates_and_uids(program):
    text = program_to_ics(program, dtstamp=STAMP, athlete="Ann; O'Neil, \\x")
    events = _events(text)
    sessions = [e for e in events if "session" in str(e["UID"])]
    retests = [e for e in events if "retest" in str(e["UID"])]
    assert len(sessions) == 24 and len(retests) == len(program.retests) == 2
    assert [e.decoded("DTSTART") for e in sessions] == [s.date for s in program.sessions]
    for e, s in zip(sessions, program.sessions, strict=True):
        assert e.decoded("DTEND") == s.date + timedelta(days=1)
        desc = str(e["DESCRIPTION"])
        for p in s.prescriptions:
            assert p.name in desc and p.dosage_text() in desc
        assert "Ann; O'Neil, \\x" in str(e["SUMMARY"])  # escaping round-trips
    assert len({str(e["UID"]) for e in events}) == len(events)
    # stable UIDs: same program, same UIDs
    again = _events(program_to_ics(program))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in events]


def test_timed_events(program):
    events = _events(program_to_ics(program, at=time(18, 30), duration_min=40,
                                     include_retests=False))
    assert len(events) == 24
    assert events[0].decoded("DTSTART") == datetime(2025, 3, 3, 18, 30)
    assert events[0].decoded("DTEND") == datetime(2025, 3, 3, 19, 10)


def test_crlf_and_folding(program, tmp_path):
    path = write_ics(program, tmp_path / "p.ics", dtstamp=STAMP)
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
    raw.decode("utf-8")  # folding never splits a character


def test_escape_and_fold_units():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold_line("X:" + "é" * 100)
    parts = folded.removesuffix("\r\n").split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in parts[:1])
    assert all(len(p.encode()) <= 74 for p in parts[1:])
    assert "".join(parts) == "X:" + "é" * 100
