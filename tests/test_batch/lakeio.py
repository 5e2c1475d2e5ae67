# SPDX-License-Identifier: MIT
"""Reading a lake back in tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

#: The session corpus: 100 athletes × 3 runs of 15 min (one athlete's runs in an export zip,
#: one run in three gzip-compressed), plus 6 corrupt files.
N_ATHLETES = 100
RUNS = 3


def parquet_rows(lake: Path, sub: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for p in sorted((lake / sub).rglob("*.parquet")):
        rows.extend(pq.read_table(p, partitioning=None).to_pylist())
    return rows


def docs(lake: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in sorted((lake / "docs").rglob("*.jsonl.gz")):
        for line in gzip.decompress(p.read_bytes()).decode().splitlines():
            r = json.loads(line)
            assert r["sha256"] not in out, f"duplicate document {r['sha256']}"
            out[r["sha256"]] = r
    return out


def histories(lake: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in sorted((lake / "history").rglob("*.jsonl.gz")):
        for line in gzip.decompress(p.read_bytes()).decode().splitlines():
            r = json.loads(line)
            out[r["athlete_id"]] = r
    return out


def summary_keyed(lake: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in parquet_rows(lake, "summary"):
        k = (r["sha256"], r["metric"], r["source_channel"])
        assert k not in out, f"duplicate summary row {k}"
        out[k] = r
    return out


def snapshot(lake: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(lake)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in lake.rglob("*") if p.is_file()}
