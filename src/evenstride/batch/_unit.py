# SPDX-License-Identifier: MIT
"""The unit of work: one file's bytes → its run document and its summary rows, keyed by the
SHA-256 of the bytes (gzip unwrapped, as the single-machine import hashes them).

Pure: the same bytes, source name, athlete and code version give the same result on any machine.
The analysis is :func:`evenstride.importer.analyse_file`, the function the ``import`` command runs
in its worker processes, and the per-run × metric × source rows are
:func:`evenstride.store.asymmetry_table_rows`, the rows the store inserts into its ``asymmetry``
table: a lake row equals the store's row for the same file, column for column.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from evenstride import __version__

#: Largest activity file read (after gzip is unwrapped), as the importer's limit.
MAX_FILE_BYTES: Final = 200 * 1024 * 1024

OK: Final = "ok"
SKIPPED: Final = "skipped"
FAILED: Final = "failed"


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+<12 hex digits>``: the version plus a hash of every ``.py`` file of
    the installed package, so any change to the analysis code changes it (and a lake built by
    other code is recomputed, not silently mixed)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def bucket_of(athlete_id: str, n_buckets: int) -> int:
    """Athlete bucket: the first 8 bytes of SHA-256 of the athlete id, modulo ``n_buckets``
    (stable across machines and Python versions, unlike ``hash()``)."""
    return int.from_bytes(hashlib.sha256(athlete_id.encode()).digest()[:8], "big") % n_buckets


def unwrap(data: bytes, source: str) -> bytes:
    """The file's bytes with gzip unwrapped (bounded); raises ``ValueError`` with a one-line
    reason when the gzip stream is corrupt or too large."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
            out = g.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"corrupt gzip ({exc})") from None
    if len(out) > MAX_FILE_BYTES:
        raise ValueError(f"expands beyond {MAX_FILE_BYTES // 2**20} MB")
    return out


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class UnitResult:
    """What one file gives: its run document and summary rows, or the reason it gives none."""

    sha256: str
    source: str
    athlete_id: str
    bucket: int
    status: str  # OK, SKIPPED or FAILED
    reason: str | None = None
    doc: dict[str, Any] | None = None
    load: dict[str, float | None] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: sample columns with data (the import's ``richness`` input; kept in the docs record)
    n_columns: int = 0


#: Run-level columns repeated on every summary row (so one Parquet scan answers cohort queries).
RUN_COLUMNS: Final = (
    "sha256", "athlete_id", "bucket", "source", "start_time", "file_format", "sport",
    "sub_sport", "device", "devices", "duration_s", "distance_m", "mean_speed_m_s",
    "running_s", "hr_mean_bpm", "code_version",
)


#: The store's ``source`` column (the sensor channel) is ``source_channel`` in the lake, because
#: ``source`` there names the file, as in the manifest and the errors.
CHANNEL_RENAME: Final = {"source": "source_channel"}


def run_columns(doc: dict[str, Any], load: dict[str, float | None] | None, *, sha256: str,
                athlete_id: str, bucket: int, source: str, version: str) -> dict[str, Any]:
    devices = [str(d) for d in doc.get("devices") or []]
    ld = load or {}
    return {
        "sha256": sha256,
        "athlete_id": athlete_id,
        "bucket": bucket,
        "source": source,
        "start_time": doc.get("start_time"),
        "file_format": doc.get("file_format"),
        "sport": doc.get("sport"),
        "sub_sport": doc.get("sub_sport"),
        # the recording device (the first one the file names), e.g. "garmin fr965"
        "device": devices[0] if devices else None,
        "devices": ";".join(devices),
        "duration_s": doc.get("duration_s"),
        "distance_m": doc.get("distance_m"),
        "mean_speed_m_s": ld.get("mean_speed_m_s"),
        "running_s": ld.get("running_s"),
        "hr_mean_bpm": ld.get("hr_mean_bpm"),
        "code_version": version,
    }


def analyse_unit(data: bytes, source: str, athlete_id: str, n_buckets: int, *, seed: int = 0,
                 sha256: str | None = None) -> UnitResult:
    """Analyse one file's bytes (never raises): its document and rows, or why there are none.

    ``data`` may be gzip-compressed; ``sha256`` (of the unwrapped bytes) is computed when not
    given. The document is ``evenstride.importer.analyse_file(data, source, seed).doc``, the
    rows are ``run columns + evenstride.store.asymmetry_table_rows(doc)``.
    """
    from evenstride.importer import analyse_file
    from evenstride.store import asymmetry_table_rows

    bucket = bucket_of(athlete_id, n_buckets)
    try:
        raw = unwrap(data, source)
    except ValueError as exc:
        return UnitResult(sha256 or content_hash(data), source, athlete_id, bucket, FAILED,
                          str(exc))
    sha = sha256 or content_hash(raw)
    if not raw:
        return UnitResult(sha, source, athlete_id, bucket, FAILED, "file is empty")
    res = analyse_file(raw, source, seed)
    if res.status != "ok" or res.doc is None:
        status = SKIPPED if res.status == "skipped" else FAILED
        return UnitResult(sha, source, athlete_id, bucket, status,
                          _one_line(res.reason or "unreadable"))
    run = run_columns(res.doc, res.load, sha256=sha, athlete_id=athlete_id, bucket=bucket,
                      source=source, version=code_version())
    rows = [{**run, **{CHANNEL_RENAME.get(k, k): v for k, v in r.items()}}
            for r in asymmetry_table_rows(res.doc)]
    return UnitResult(sha, source, athlete_id, bucket, OK, None, res.doc, res.load, rows,
                      res.n_columns)


def _one_line(s: str) -> str:
    return " ".join(str(s).split())
