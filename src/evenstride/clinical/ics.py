# SPDX-License-Identifier: MIT
"""The program's sessions (and retests) as an RFC 5545 iCalendar file.

One VEVENT per session: all-day by default, or at a local (floating) time of day with a
duration. The SUMMARY names the session; the DESCRIPTION lists every exercise with its dosage,
weaker side first. UIDs are stable: the same program always writes the same UID for the same
session, so re-importing an updated file updates the events instead of duplicating them.

Text is escaped (``\\``, ``;``, ``,``, newlines) and content lines are folded at 75 octets
(UTF-8, never inside a character) with CRLF line endings.

>>> from datetime import date
>>> from evenstride.assessment.reference_bands import Evidence
>>> from evenstride.clinical.models import ClinicalFinding
>>> from evenstride.clinical.prescribe import prescribe
>>> f = ClinicalFinding("strength_lsi", "Weak right calf", "LSI 82 %", Evidence("V", (), ""),
...                     side="right", targets=("calf_soleus",), severity=2)
>>> text = program_to_ics(prescribe([f], start=date(2025, 3, 3), weeks=8))
>>> text.count("BEGIN:VEVENT"), text.endswith("END:VCALENDAR\\r\\n")
(18, True)
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import evenstride
from evenstride.clinical.prescribe import Program, Session

__all__ = ["escape_text", "fold_line", "program_to_ics", "write_ics"]

_MAX_OCTETS = 75


def escape_text(s: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping."""
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 §3.1), CRLF-terminated."""
    out: list[str] = []
    cur = b""
    limit = _MAX_OCTETS
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            out.append(cur.decode("utf-8"))
            cur = b""
            limit = _MAX_OCTETS - 1  # continuation lines start with one space
        cur += b
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out) + "\r\n"


def _describe(session: Session, program: Program) -> str:
    lines = [f"Week {session.week} of {program.weeks}, {session.phase} phase."]
    for i, p in enumerate(session.prescriptions, 1):
        side = "" if p.weaker_side is None else f" — {p.weaker_side} side first"
        lines.append(f"{i}. {p.name}: {p.dosage_text()}{side}; {p.speed}.")
    lines.append("Pain rule: up to 3/10 and settled next morning is fine; 4–5/10 hold; "
                 "above 5/10 go back a step and see a clinician.")
    return "\n".join(lines)


def _event(uid: str, stamp: str, start: date, summary: str, description: str,
           at: time | None, duration_min: int) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    if at is None:
        lines += [f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
                  "TRANSP:TRANSPARENT"]
    else:
        begin = datetime.combine(start, at)
        end = begin + timedelta(minutes=duration_min)
        lines += [f"DTSTART:{begin:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
    lines += [f"SUMMARY:{escape_text(summary)}", f"DESCRIPTION:{escape_text(description)}",
              "END:VEVENT"]
    return lines


def program_to_ics(
    program: Program,
    *,
    at: time | None = None,
    duration_min: int = 45,
    include_retests: bool = True,
    athlete: str | None = None,
    dtstamp: datetime | None = None,
) -> str:
    """The iCalendar text (CRLF, folded) of ``program``'s sessions and retests.

    ``at`` gives timed events (floating local time) of ``duration_min``; default all-day.
    ``dtstamp`` (default: now, UTC) is the DTSTAMP of every event.
    """
    if duration_min <= 0:
        raise ValueError("duration must be positive")
    stamp = (dtstamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    pid = program.id
    who = f" ({athlete})" if athlete else ""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0",
             f"PRODID:-//evenstride//evenstride {evenstride.__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text('evenstride strength program' + who)}"]
    for s in program.sessions:
        summary = f"Strength session {s.index}/{len(program.sessions)} — {s.phase}{who}"
        lines += _event(f"{pid}-session-{s.index}@evenstride", stamp, s.date, summary,
                        _describe(s, program), at, duration_min)
    if include_retests:
        for i, d in enumerate(program.retests, 1):
            lines += _event(
                f"{pid}-retest-{i}@evenstride", stamp, d, f"Retest {i}{who}",
                "Repeat the tests behind your findings (same protocol, same time of day) and "
                "compare with the minimal detectable change.", None, duration_min)
    lines.append("END:VCALENDAR")
    return "".join(fold_line(ln) for ln in lines)


def write_ics(program: Program, path: str | os.PathLike[str], **kwargs: object) -> Path:
    """Write :func:`program_to_ics` to ``path`` (bytes, so CRLF is kept on every platform)."""
    out = Path(path)
    out.write_bytes(program_to_ics(program, **kwargs).encode("utf-8"))  # type: ignore[arg-type]
    return out
