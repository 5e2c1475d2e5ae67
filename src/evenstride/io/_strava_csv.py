# SPDX-License-Identifier: MIT
"""Reader of a Strava bulk export's ``activities.csv``: each activity's file, type, name and
gear."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Final

from evenstride.io._archive import ArchiveError

#: Columns of a Strava export's activities.csv that the importer needs.
STRAVA_REQUIRED_COLUMNS: Final = ("Activity ID", "Activity Type", "Filename")
_STRAVA_NAME = "Activity Name"
_STRAVA_GEAR = "Activity Gear"
_STRAVA_DATE = "Activity Date"
_RUN_TYPE = re.compile(r"\brun(ning)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class StravaRow:
    activity_id: str
    activity_type: str
    filename: str
    name: str | None
    gear: str | None
    date: str | None

    @property
    def is_running(self) -> bool | None:
        """True/False from the activity type; None when the type is empty."""
        t = self.activity_type.strip()
        return None if not t else bool(_RUN_TYPE.search(t))


def parse_strava_csv(data: bytes, source: str) -> list[StravaRow]:
    """Rows of a Strava export's ``activities.csv`` (real headers repeat some names, e.g.
    "Elapsed Time" and "Distance"; the first occurrence is used).

    Raises
    ------
    ArchiveError
        Not UTF-8, malformed, or missing one of :data:`STRAVA_REQUIRED_COLUMNS`.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError("activities.csv is not UTF-8 text", path=source) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise ArchiveError("activities.csv is empty", path=source)
        col: dict[str, int] = {}
        for i, h in enumerate(header):
            col.setdefault(h.strip(), i)
        missing = [c for c in STRAVA_REQUIRED_COLUMNS if c not in col]
        if missing:
            raise ArchiveError(
                f"activities.csv lacks the column(s) {', '.join(repr(m) for m in missing)} "
                "(expected a Strava bulk export with English headers)",
                path=source,
            )

        def get(row: list[str], name: str) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        rows = []
        for row in reader:
            if not row or not any(x.strip() for x in row):
                continue
            rows.append(
                StravaRow(
                    activity_id=get(row, "Activity ID"),
                    activity_type=get(row, "Activity Type"),
                    filename=get(row, "Filename"),
                    name=get(row, _STRAVA_NAME) or None,
                    gear=get(row, _STRAVA_GEAR) or None,
                    date=get(row, _STRAVA_DATE) or None,
                )
            )
    except csv.Error as exc:
        raise ArchiveError(f"activities.csv is malformed (line {reader.line_num}: {exc})",
                           path=source) from None
    return rows
