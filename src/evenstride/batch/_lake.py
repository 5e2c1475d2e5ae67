# SPDX-License-Identifier: MIT
"""The lake: its layout, schemas and the writes (atomic per part, idempotent per task).

::

    LAKE/
      _lake.json                      schema, code version, number of athlete buckets
      manifest/part-<task>.parquet    one row per content hash (or unreadable input) done
      docs/bucket=NN/part-<task>.jsonl.gz     one run document per line
      summary/bucket=NN/part-<task>.parquet   one row per run × metric × source
      errors/part-<task>.parquet      one row per file that gave no run, with the reason
      duplicates/bucket=NN/duplicates.parquet the same run from another export: kept, dropped
      history/bucket=NN/history.jsonl.gz      one evenstride.history/1 per athlete
      cohort/cohort-<version>.json|.parquet   the cohort reference table
      superseded/<code version>/…     the lake of an earlier code version

A task's data parts are written first and its manifest part last: a task is done when its
manifest part exists. Part names are the task's key (a hash of its content hashes and the code
version), so a retried task overwrites its own parts and never adds a second copy; a part whose
task has no manifest part (an interrupted batch) is deleted when the next batch starts.
"""

from __future__ import annotations

import gzip
import io
import json
import posixpath
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

LAKE_SCHEMA: Final = "evenstride.lake/1"
DEFAULT_BUCKETS: Final = 64
DATA_DIRS: Final = ("docs", "summary", "errors")


def _pa() -> Any:
    import pyarrow as pa

    return pa


def summary_schema() -> Any:
    pa = _pa()
    s, f, i = pa.string(), pa.float64(), pa.int64()
    cols = [
        ("sha256", s), ("athlete_id", s), ("bucket", i), ("source", s), ("start_time", s),
        ("file_format", s), ("sport", s), ("sub_sport", s), ("device", s), ("devices", s),
        ("duration_s", f), ("distance_m", f), ("mean_speed_m_s", f), ("running_s", f),
        ("hr_mean_bpm", f), ("code_version", s),
        # the store's asymmetry table, column for column (evenstride.store.asymmetry_table_rows)
        ("metric", s), ("source_channel", s), ("unit", s), ("left_value", f),
        ("right_value", f), ("balance_left_pct", f), ("balance_ci_low", f),
        ("balance_ci_high", f), ("symmetry_angle_pct", f), ("symmetry_index_pct", f),
        ("log_ratio", f), ("difference", f), ("index_name", s), ("ci_low", f), ("ci_high", f),
        ("n", i), ("n_steps", i), ("n_effective", f), ("is_real", i), ("larger_side", s),
        ("class", s), ("evidence_grade", s), ("derived_from_balance", i),
        ("drift_slope_per_h", f), ("drift_slope_ci_low", f), ("drift_slope_ci_high", f),
        ("drift_onset_s", f), ("drift_quarter_difference", f), ("drift_significant", i),
    ]
    return pa.schema(cols)


def errors_schema() -> Any:
    pa = _pa()
    s = pa.string()
    return pa.schema([("sha256", s), ("source", s), ("athlete_id", s), ("bucket", pa.int64()),
                      ("status", s), ("reason", s), ("code_version", s)])


def duplicates_schema() -> Any:
    pa = _pa()
    s = pa.string()
    return pa.schema([("athlete_id", s), ("bucket", pa.int64()), ("kept_sha256", s),
                      ("kept_source", s), ("kept_format", s), ("dropped_sha256", s),
                      ("dropped_source", s), ("dropped_format", s), ("reason", s),
                      ("code_version", s)])


def manifest_schema() -> Any:
    pa = _pa()
    s = pa.string()
    return pa.schema([("key", s), ("sha256", s), ("source", s), ("athlete_id", s),
                      ("bucket", pa.int64()), ("status", s), ("task", s),
                      ("code_version", s)])


class Lake:
    """A lake at a local path or fsspec URL."""

    def __init__(self, url: str) -> None:
        from fsspec.core import url_to_fs

        self.url = url
        self.fs, self.root = url_to_fs(url)

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    # --- writes ---------------------------------------------------------------------------
    def _put(self, path: str, data: bytes) -> None:
        self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp-{uuid.uuid4().hex}"
        with self.fs.open(tmp, "wb") as f:
            f.write(data)
        self.fs.mv(tmp, path)

    def write_parquet(self, path: str, rows: Sequence[dict[str, Any]], schema: Any) -> None:
        import pyarrow.parquet as pq

        pa = _pa()
        table = pa.Table.from_pylist(list(rows), schema=schema)
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        self._put(path, buf.getvalue())

    def write_jsonl(self, path: str, records: Iterable[dict[str, Any]]) -> None:
        text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for r in records)
        self._put(path, gzip.compress(text.encode(), 6, mtime=0))

    def write_json(self, path: str, obj: Any) -> None:
        self._put(path, (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode())

    # --- reads ----------------------------------------------------------------------------
    def read_json(self, path: str) -> Any:
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "rb") as f:
            return json.loads(f.read())

    def read_jsonl(self, path: str) -> list[dict[str, Any]]:
        with self.fs.open(path, "rb") as f:
            text = gzip.decompress(f.read()).decode()
        return [json.loads(line) for line in text.splitlines() if line]

    def files(self, sub: str, suffix: str) -> list[str]:
        base = self.path(sub)
        if not self.fs.exists(base):
            return []
        return sorted(p for p in self.fs.find(base) if p.endswith(suffix))

    def read_parquet_dir(self, sub: str) -> Any:
        """All parts of ``sub`` as one pyarrow table (empty when none)."""
        import pyarrow.parquet as pq

        pa = _pa()
        tables = []
        for p in self.files(sub, ".parquet"):
            with self.fs.open(p, "rb") as f:
                tables.append(pq.read_table(f, partitioning=None))
        if not tables:
            return None
        return pa.concat_tables(tables, promote_options="default")

    def manifest(self) -> list[dict[str, Any]]:
        t = self.read_parquet_dir("manifest")
        return [] if t is None else t.to_pylist()

    def meta(self) -> dict[str, Any] | None:
        m = self.read_json(self.path("_lake.json"))
        return m if isinstance(m, dict) else None

    # --- maintenance ----------------------------------------------------------------------
    def task_of(self, path: str) -> str | None:
        name = posixpath.basename(path)
        if not name.startswith("part-"):
            return None
        return name[len("part-"):].split(".", 1)[0]

    def remove_uncommitted(self, committed: set[str]) -> int:
        """Delete data parts of tasks without a manifest part, and stray temporary files;
        returns how many were deleted."""
        n = 0
        for sub in DATA_DIRS:
            base = self.path(sub)
            if not self.fs.exists(base):
                continue
            for p in self.fs.find(base):
                task = self.task_of(p)
                if ".tmp-" in posixpath.basename(p) or (task is not None
                                                        and task not in committed):
                    self.fs.rm(p)
                    n += 1
        return n

    def supersede(self, old_version: str) -> None:
        """Move everything built by an earlier code version to ``superseded/<version>/``."""
        dest = self.path("superseded", old_version.replace("/", "_"))
        for sub in ("manifest", *DATA_DIRS, "duplicates", "history", "cohort",
                    "_lake.json"):
            src = self.path(sub)
            if self.fs.exists(src):
                self.fs.makedirs(dest, exist_ok=True)
                self.fs.mv(src, posixpath.join(dest, sub), recursive=True)
