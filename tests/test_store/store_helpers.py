# SPDX-License-Identifier: MIT
"""Helpers of the store tests: simulated runs written as FIT files, each with its own start time
(runs sharing a start would be the same activity to the importer's fingerprint), and zips built
member by member (unsafe names included)."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evenstride.io._fit_writer import write_activity_fit
from evenstride.simulate import simulate_run

SEASON_START = datetime(2023, 3, 1, 7, 0, tzinfo=UTC)


def sim_fit_bytes(i: int, *, minutes: float = 12.0, **kw) -> bytes:
    """FIT bytes of simulated run ``i`` (start: day ``i`` of the season)."""
    sim = simulate_run(
        duration_s=minutes * 60.0,
        seed=i,
        start_time=SEASON_START + timedelta(days=i, minutes=7 * (i % 5)),
        balance_left_pct=50.0 + 0.25 * (i % 9),
        stops=i % 3,
        **kw,
    )
    buf = io.BytesIO()
    write_activity_fit(sim.activity, buf)
    return buf.getvalue()


def write_sims(folder: Path, indices, **kw) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in indices:
        p = folder / f"sim_{i:03d}.fit"
        p.write_bytes(sim_fit_bytes(i, **kw))
        out.append(p)
    return out


def make_zip(path: Path, members: dict[str, bytes], *, compress=zipfile.ZIP_DEFLATED) -> Path:
    """Write a zip whose member names are used exactly as given (even unsafe ones)."""
    with zipfile.ZipFile(path, "w", compression=compress) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data,
                        compress_type=compress)
    return path


def zip_bytes(members: dict[str, bytes], *, compress=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)
