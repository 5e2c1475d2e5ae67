# SPDX-License-Identifier: MIT
"""The embedded store: SQLite (stdlib ``sqlite3``) in WAL mode, one file per store.

Why SQLite and how the data is laid out: ``docs/store.md``. Schema: ``migrations/*.sql``,
applied in order and recorded in ``schema_version``.

Connections run in autocommit mode; every write is an explicit ``BEGIN IMMEDIATE … COMMIT``, so an
activity is stored with all its rows and blobs or not at all, and a reader (another process, e.g.
the web app) sees either the state before or after. ``busy_timeout`` makes a writer wait for
another writer instead of failing.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evenstride import __version__
from evenstride.store import (
    PREFIX_START_TOLERANCE_S,
    RPE_RANGE,
    SHOE_TYPES,
    START_TOLERANCE_S,
    ActivityRow,
    AsymmetryRow,
    Athlete,
    Fingerprint,
    RestingHrv,
    Shoe,
    ShoeSettings,
    StoreError,
    _parse_time,
    richness,
)
from evenstride.store._blob import BlobError, blob_header, decode_samples, unpack_activity
from evenstride.store._history_part import history_part, history_part_json

if TYPE_CHECKING:
    from evenstride.datatypes import Activity

__all__ = ["Store", "asymmetry_table_rows", "known_migrations"]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_DOC_SCHEMA = "evenstride.run/1"


def known_migrations() -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` of every migration shipped with this evenstride, in order."""
    out = []
    for entry in resources.files("evenstride.store").joinpath("migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    out.sort()
    versions = [v for v, _, _ in out]
    if versions != list(range(1, len(out) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n without gaps: {versions}")
    return out


def _statements(sql: str) -> Iterator[str]:
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise RuntimeError(f"incomplete SQL statement in migration: {buf[:80]!r}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _time_range(
    prefix: str,
    athlete_id: int,
    since: datetime | date | str | None,
    until: datetime | date | str | None,
) -> tuple[str, list[Any]]:
    """``WHERE`` clause and arguments for one athlete's activities in ``[since, until)``."""
    where = f"{prefix}athlete_id = ?"
    args: list[Any] = [athlete_id]
    lo, hi = _ts(since), _ts(until)
    if lo is not None:
        where += f" AND {prefix}start_ts >= ?"
        args.append(lo)
    if hi is not None:
        where += f" AND {prefix}start_ts < ?"
        args.append(hi)
    return where, args


def _ts(x: datetime | date | str | None) -> float | None:
    if x is None:
        return None
    if isinstance(x, datetime):
        t = x
    elif isinstance(x, date):
        t = datetime(x.year, x.month, x.day, tzinfo=UTC)
    else:
        parsed = _parse_time(x)
        if parsed is None:
            raise ValueError(f"not an ISO 8601 date or time: {x!r}")
        t = parsed
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.timestamp()


def _ci(lo: Any, hi: Any) -> tuple[float, float] | None:
    return None if lo is None or hi is None else (float(lo), float(hi))


def _pair(v: Any) -> tuple[Any, Any]:
    if isinstance(v, list | tuple) and len(v) == 2:
        return v[0], v[1]
    return None, None


def _bool(v: Any) -> int | None:
    return None if v is None else int(bool(v))


def _writable(path: Path) -> bool:
    """Whether SQLite can write the store: the file and its folder (journal files) writable."""
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)


def _connect_readonly(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A read-only connection. A WAL store in a folder we cannot write cannot get its shared
    memory file; it is then opened as immutable (no one can write there either)."""
    base = path.absolute().as_uri()
    conn = sqlite3.connect(base + "?mode=ro", uri=True, timeout=busy_timeout_s,
                           isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.absolute().parent, os.W_OK):
            raise
    return sqlite3.connect(base + "?mode=ro&immutable=1", uri=True, timeout=busy_timeout_s,
                           isolation_level=None)


def _n_rows(cols: Mapping[str, np.ndarray]) -> int:
    return max((len(v) for v in cols.values()), default=0)


def _is_prefix_pair(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    """True when the shorter of two sample tables equals the start of the longer one: same
    timestamps and the same values in every column both have (a file cut short)."""
    common = set(a) & set(b)
    if "timestamp_s" not in common and "time_s" not in common:
        return False
    short, long_ = (a, b) if _n_rows(a) <= _n_rows(b) else (b, a)
    n = _n_rows(short)
    if n < 2:
        return False
    for k in common:
        x, y = short[k], long_[k]
        if len(x) != n or len(y) < n or not np.array_equal(x, y[:n], equal_nan=True):
            return False
    return True


def _decode_doc(activity_id: int, codec: Any, raw: Any) -> dict[str, Any]:
    """The stored ``evenstride.run/1`` document, or a one-line :class:`StoreError`."""
    if codec != "zlib":
        raise StoreError(f"activity {activity_id}: unknown document codec {codec!r}")
    try:
        doc = json.loads(zlib.decompress(raw))
    except (zlib.error, TypeError, ValueError) as exc:  # JSON and UTF-8 errors are ValueErrors
        raise StoreError(f"activity {activity_id}: stored document cannot be decoded "
                         f"({type(exc).__name__}: {exc})") from None
    if not isinstance(doc, dict):
        raise StoreError(f"activity {activity_id}: stored document is not a JSON object")
    return doc


def _part(text: Any) -> dict[str, Any] | None:
    """A stored ``history_doc`` as a dict; None when there is none or it does not decode."""
    if not isinstance(text, str):
        return None
    try:
        part = json.loads(text)
    except ValueError:
        return None
    return part if isinstance(part, dict) else None


def _insert(c: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    """INSERT naming every column (so later migrations may add columns); returns the rowid."""
    keys = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cur = c.execute(f"INSERT INTO {table} ({keys}) VALUES ({marks})", tuple(values.values()))
    return int(cur.lastrowid or 0)


def asymmetry_table_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``asymmetry`` table's rows of one ``evenstride.run/1`` document (one per metric ×
    source, with that channel's drift), keyed by column name, without ``activity_id``.

    The one definition of those rows: :meth:`Store.add_activity` inserts exactly these, and the
    batch lake (:mod:`evenstride.batch`) writes exactly these to its ``summary/`` Parquet.
    """
    fatigue = doc.get("fatigue") or {}
    rows = []
    for a in doc.get("asymmetry") or []:
        f = fatigue.get(f"{a.get('metric')}/{a.get('source')}") or {}
        blo, bhi = _pair(a.get("balance_left_pct_ci95"))
        clo, chi = _pair(a.get("ci95"))
        slo, shi = _pair(f.get("slope_ci95"))
        rows.append({
            "metric": a.get("metric"),
            "source": a.get("source"),
            "unit": a.get("unit"),
            "left_value": a.get("left"),
            "right_value": a.get("right"),
            "balance_left_pct": a.get("balance_left_pct"),
            "balance_ci_low": blo,
            "balance_ci_high": bhi,
            "symmetry_angle_pct": a.get("symmetry_angle_pct"),
            "symmetry_index_pct": a.get("symmetry_index_pct"),
            "log_ratio": a.get("log_ratio"),
            "difference": a.get("difference"),
            "index_name": a.get("index"),
            "ci_low": clo,
            "ci_high": chi,
            "n": a.get("n"),
            "n_steps": a.get("n_steps"),
            "n_effective": a.get("n_effective"),
            "is_real": _bool(a.get("real")),
            "larger_side": a.get("larger_side"),
            "class": a.get("class"),
            "evidence_grade": (a.get("evidence") or {}).get("grade"),
            "derived_from_balance": _bool(a.get("derived_from_balance")),
            "drift_slope_per_h": f.get("slope_per_h"),
            "drift_slope_ci_low": slo,
            "drift_slope_ci_high": shi,
            "drift_onset_s": f.get("onset_s"),
            "drift_quarter_difference": f.get("quarter_difference"),
            "drift_significant": _bool(f.get("significant")),
        })
    return rows


def _fill_history_part(c: sqlite3.Connection) -> None:
    """Schema version 5: ``activities.history_doc`` of every run already stored, from its
    document (:mod:`evenstride.store._history_part`). A document that cannot be decoded keeps
    NULL: the history then reads the document itself and names it, as before."""
    for aid, codec, raw in c.execute("SELECT activity_id, doc_codec, doc FROM activity_blobs"):
        try:
            part = history_part_json(_decode_doc(int(aid), codec, raw))
        except (StoreError, ValueError):
            continue
        c.execute("UPDATE activities SET history_doc = ? WHERE id = ?", (part, int(aid)))


#: Work in Python that a migration needs beyond its SQL, by schema version (same transaction).
_BACKFILL = {5: _fill_history_part}


class Store:
    """SQLite implementation of :class:`evenstride.store.ActivityStore`.

    Use :func:`evenstride.store.open_store` rather than this constructor. Usable as a context
    manager (closes the connection).
    """

    def __init__(self, path: Path, *, readonly: bool = False, busy_timeout_s: float = 30.0):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError("is a folder, not a store file (name a file, e.g. "
                             "FOLDER/evenstride.sqlite)", path=self.path)
        #: Why writes are refused when the store was opened read-only without being asked to.
        self.readonly_reason: str | None = None
        if not readonly and self.path.is_file() and not _writable(self.path):
            # a read-only file or folder: reading (history, reports) still works
            readonly = True
            self.readonly_reason = "the store file or its folder is read-only"
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.is_file():
                    raise StoreError("no store here (nothing imported yet?)", path=self.path)
                self._conn = _connect_readonly(self.path, busy_timeout_s)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(
                    str(self.path), timeout=busy_timeout_s, isolation_level=None
                )
        except OSError as exc:
            raise StoreError(f"cannot create the store ({exc.strerror or exc})",
                             path=self.path) from None
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store ({exc})", path=self.path) from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._refuse_foreign()
            if not readonly:
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"cannot switch the store to WAL mode (got {mode})",
                                     path=self.path)
                # WAL + NORMAL: a commit survives a killed process; only a power cut can lose
                # the last commits, never corrupt the file.
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            #: ``activities.history_doc`` exists (schema version 5 or later).
            self._has_history_doc = any(
                r[1] == "history_doc"
                for r in self._conn.execute("PRAGMA table_info(activities)"))
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"not an evenstride store ({exc})", path=self.path) from None
        except BaseException:
            self._conn.close()
            raise

    # --- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, readonly={self.readonly})"

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(self.readonly_reason or "the store was opened read-only",
                             path=self.path)
        if self._conn.in_transaction:  # inside transaction(): one commit at its end
            yield self._conn
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Reads and writes inside are one ``BEGIN IMMEDIATE`` transaction: no other writer
        (thread or process) can store between a check and the insert it decides (the
        importer's "already stored?" / "same run?" checks and its insert)."""
        with self._write():
            yield

    # --- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The store's schema version (0 for an empty file)."""
        has = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
        if not has:
            return 0
        row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _refuse_foreign(self) -> None:
        """Another program's SQLite database (tables, no ``schema_version``) is refused before
        anything is written to it (not even the switch to WAL)."""
        if self.schema_version() != 0:
            return
        foreign = [r[0] for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        if foreign:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            raise StoreError(f"an SQLite database of another program (tables {shown}), "
                             "not an evenstride store", path=self.path)

    def _migrate(self) -> None:
        migrations = known_migrations()
        latest = migrations[-1][0]
        current = self.schema_version()
        if current > latest:
            raise StoreError(
                f"the store has schema version {current}, newer than this evenstride "
                f"{__version__} understands (up to {latest}); upgrade evenstride to use it",
                path=self.path,
            )
        if current == latest:
            return
        if self.readonly:
            raise StoreError(
                f"the store has schema version {current} and needs upgrading to {latest}; "
                "open it once for writing (e.g. run an import)",
                path=self.path,
            )
        with self._write() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = self.schema_version()  # another process may have migrated meanwhile
            if current > latest:
                raise StoreError(f"the store has schema version {current}, newer than "
                                 f"{latest}; upgrade evenstride", path=self.path)
            for version, name, sql in migrations:
                if version <= current:
                    continue
                for stmt in _statements(sql):
                    c.execute(stmt)
                if version in _BACKFILL:
                    _BACKFILL[version](c)
                c.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )

    # --- athletes ----------------------------------------------------------------------------
    def athlete(self, name: str, create: bool = True) -> Athlete:
        name = name.strip()
        if not name:
            raise ValueError("athlete name is empty")
        row = self._conn.execute("SELECT * FROM athletes WHERE name = ?", (name,)).fetchone()
        if row is None:
            if not create:
                raise KeyError(f"no athlete named {name!r}")
            with self._write() as c:
                c.execute(
                    "INSERT OR IGNORE INTO athletes (name, created_at) VALUES (?, ?)",
                    (name, _now()),
                )
            row = self._conn.execute("SELECT * FROM athletes WHERE name = ?", (name,)).fetchone()
        return Athlete(int(row["id"]), row["name"], row["created_at"])

    def list_athletes(self) -> list[Athlete]:
        rows = self._conn.execute("SELECT * FROM athletes ORDER BY name").fetchall()
        return [Athlete(int(r["id"]), r["name"], r["created_at"]) for r in rows]

    def athlete_by_id(self, athlete_id: int) -> Athlete:
        """The athlete with this id (``KeyError`` when unknown)."""
        r = self._conn.execute("SELECT * FROM athletes WHERE id = ?", (athlete_id,)).fetchone()
        if r is None:
            raise KeyError(f"no athlete with id {athlete_id}")
        return Athlete(int(r["id"]), r["name"], r["created_at"])

    def rename_athlete(self, athlete_id: int, name: str) -> Athlete:
        """Give an athlete a new name (``ValueError`` when empty or taken by another athlete,
        ``KeyError`` for an unknown id). Everything stored for the athlete stays with them."""
        name = name.strip()
        if not name:
            raise ValueError("athlete name is empty")
        if len(name) > 100:
            raise ValueError("athlete name is longer than 100 characters")
        current = self.athlete_by_id(athlete_id)
        if name == current.name:
            return current
        with self._write() as c:
            if c.execute("SELECT 1 FROM athletes WHERE name = ?", (name,)).fetchone():
                raise ValueError(f"there is already an athlete named {name!r}")
            c.execute("UPDATE athletes SET name = ? WHERE id = ?", (name, athlete_id))
        return self.athlete_by_id(athlete_id)

    # --- identity ----------------------------------------------------------------------------
    def has_file(self, athlete_id: int, sha256: str) -> int | None:
        row = self._conn.execute(
            "SELECT activity_id FROM files WHERE athlete_id = ? AND sha256 = ?",
            (athlete_id, sha256),
        ).fetchone()
        return None if row is None else int(row[0])

    def skipped_reason(self, athlete_id: int, sha256: str) -> str | None:
        """Why this file was skipped by an import with this evenstride version, else None."""
        row = self._conn.execute(
            "SELECT reason FROM skipped_files WHERE athlete_id = ? AND sha256 = ? "
            "AND evenstride_version = ?",
            (athlete_id, sha256, __version__),
        ).fetchone()
        return None if row is None else str(row[0])

    def record_skipped(self, athlete_id: int, sha256: str, source_name: str, reason: str) -> None:
        """Remember that this file is not imported, and why (see :meth:`skipped_reason`)."""
        with self._write() as c:
            c.execute(
                "INSERT OR REPLACE INTO skipped_files (athlete_id, sha256, source_name, reason, "
                "evenstride_version, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                (athlete_id, sha256, source_name, reason, __version__, _now()),
            )

    def find_duplicate(self, athlete_id: int, fingerprint: Fingerprint) -> ActivityRow | None:
        rows = self._conn.execute(
            "SELECT * FROM activities WHERE athlete_id = ? AND start_ts BETWEEN ? AND ? "
            "ORDER BY abs(start_ts - ?), id",
            (
                athlete_id,
                fingerprint.start_ts - START_TOLERANCE_S,
                fingerprint.start_ts + START_TOLERANCE_S,
                fingerprint.start_ts,
            ),
        ).fetchall()
        for r in rows:
            act = self._activity_row(r)
            fp = act.fingerprint
            if fp is not None and fingerprint.matches(fp):
                return act
        return None

    def find_prefix_copy(
        self, athlete_id: int, summary: Mapping[str, Any], samples_blob: bytes
    ) -> tuple[ActivityRow, int] | None:
        """A stored activity that this recording is a truncated copy of, or that is a truncated
        copy of it: same start (within :data:`PREFIX_START_TOLERANCE_S`), same devices, and the
        shorter one's samples equal the first samples of the longer one in every common column.

        Returns the stored activity and how many more samples the new recording has (negative:
        fewer; 0: the same samples, e.g. a file cut only in its closing summary), else None.
        """
        start = _parse_time(summary.get("start_time"))
        if start is None:
            return None
        devices = json.dumps(list(summary.get("devices") or []), ensure_ascii=False)
        rows = self._conn.execute(
            "SELECT * FROM activities WHERE athlete_id = ? AND start_ts BETWEEN ? AND ? "
            "AND devices = ? ORDER BY abs(start_ts - ?), id",
            (athlete_id, start.timestamp() - PREFIX_START_TOLERANCE_S,
             start.timestamp() + PREFIX_START_TOLERANCE_S, devices, start.timestamp()),
        ).fetchall()
        if not rows:
            return None
        try:
            new = decode_samples(samples_blob)
        except BlobError:
            return None
        for r in rows:
            try:
                old = self.samples(int(r["id"]))
            except (BlobError, KeyError, ValueError):
                continue  # a corrupt stored run is never matched (doctor names it)
            if _is_prefix_pair(new, old):
                return self._activity_row(r), _n_rows(new) - _n_rows(old)
        return None

    # --- writes ------------------------------------------------------------------------------
    def add_activity(
        self,
        athlete_id: int,
        summary: Mapping[str, Any],
        samples_blob: bytes,
        *,
        sha256: str,
        source_name: str,
        gear: str | None = None,
        name: str | None = None,
        load: Mapping[str, float | None] | None = None,
        external_id: str | None = None,
        replaces: int | None = None,
    ) -> int:
        """Store one analysed activity and return its id — all in one transaction.

        Parameters
        ----------
        athlete_id
            From :meth:`athlete`.
        summary
            The ``evenstride.run/1`` document (``RunAnalysis.to_dict()``); kept whole
            (compressed) and its summary numbers are extracted into columns and rows.
        samples_blob
            The sample table from :func:`evenstride.store._blob.pack_activity`.
        sha256
            Hash of the file's bytes after gzip is unwrapped.
        source_name
            Where the file came from (path, or ``archive.zip!member``).
        gear, name
            Shoe and activity name (e.g. from a Strava export's CSV).
        load
            Load inputs (keys as the ``activities`` columns: ``moving_s``, ``running_s``,
            ``mean_speed_m_s``, ``ascent_m``, ``hr_mean_bpm``, ``hr_max_bpm``, ``hr_s``).
        external_id
            Id in the exporting service (``strava:123``).
        replaces
            Id of a poorer copy of the same activity: it is removed, its files become
            duplicates of the new one and its name/gear are kept when the new file has none.

        Raises
        ------
        ValueError
            ``summary`` is not an ``evenstride.run/1`` document, the blob is corrupt, or a file
            with this hash is already stored for the athlete.
        """
        doc = dict(summary)
        if doc.get("schema") != _DOC_SCHEMA:
            raise ValueError(f"summary is not an {_DOC_SCHEMA} document")
        try:
            header = blob_header(samples_blob)  # parsed once (JSON with the channel meta)
            n_columns = len(header["columns"])
            indoor = (header.get("meta") or {}).get("indoor")
        except BlobError as exc:
            raise ValueError(str(exc)) from None
        doc_z = zlib.compress(
            json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(),
            6,
        )
        q = doc.get("quality") or {}
        labels = q.get("labels") or {}
        cs = (doc.get("form") or {}).get("cadence_speed") or {}
        ld = dict(load or {})
        start = _parse_time(doc.get("start_time"))
        now = _now()
        with self._write() as c:
            if replaces is not None:
                old = c.execute(
                    "SELECT name, gear FROM activities WHERE id = ? AND athlete_id = ?",
                    (replaces, athlete_id),
                ).fetchone()
                if old is None:
                    raise KeyError(f"no activity {replaces} for athlete {athlete_id}")
                name = name or old["name"]
                gear = gear or old["gear"]
            values = {
                "athlete_id": athlete_id,
                "sha256": sha256,
                "source_name": source_name,
                "file_format": doc.get("file_format"),
                "richness": richness(doc, n_columns),
                "start_time": None if start is None else start.isoformat(),
                "start_ts": None if start is None else start.timestamp(),
                "duration_s": float(doc.get("duration_s") or 0.0),
                "distance_m": doc.get("distance_m"),
                "sport": doc.get("sport"),
                "sub_sport": doc.get("sub_sport"),
                "indoor": _bool(indoor),
                "devices": json.dumps(list(doc.get("devices") or []), ensure_ascii=False),
                "name": name,
                "gear": gear,
                "n_samples": q.get("n_samples"),
                "analysed_s": q.get("analysed_s"),
                "running_share": labels.get("running"),
                "steady_share": labels.get("steady_running"),
                "cadence_at_reference_spm": cs.get("cadence_at_reference_spm"),
                "reference_speed_m_s": cs.get("reference_speed_m_s"),
                "cadence_slope_spm_per_m_s": cs.get("slope_spm_per_m_s"),
                "low_cadence_share": cs.get("low_for_speed_share"),
                "moving_s": ld.get("moving_s"),
                "running_s": ld.get("running_s"),
                "mean_speed_m_s": ld.get("mean_speed_m_s"),
                "ascent_m": ld.get("ascent_m"),
                "hr_mean_bpm": ld.get("hr_mean_bpm"),
                "hr_max_bpm": ld.get("hr_max_bpm"),
                "hr_s": ld.get("hr_s"),
                "n_asymmetry": len(doc.get("asymmetry") or []),
                "n_findings": len(doc.get("findings") or []),
                "n_warnings": len(doc.get("warnings") or []),
                "doc_schema": _DOC_SCHEMA,
                "evenstride_version": __version__,
                "imported_at": now,
            }
            if self._has_history_doc:
                values["history_doc"] = history_part_json(doc)
            aid = _insert(c, "activities", values)
            c.execute(
                "INSERT INTO activity_blobs (activity_id, doc_codec, doc, samples) "
                "VALUES (?, 'zlib', ?, ?)",
                (aid, doc_z, samples_blob),
            )
            fatigue = doc.get("fatigue") or {}
            for row in asymmetry_table_rows(doc):
                _insert(c, "asymmetry", {"activity_id": aid, **row})
            for series, f in fatigue.items():
                slo, shi = _pair(f.get("slope_ci95"))
                _insert(c, "drift", {
                    "activity_id": aid,
                    "series": series,
                    "unit": f.get("unit"),
                    "slope_per_h": f.get("slope_per_h"),
                    "slope_ci_low": slo,
                    "slope_ci_high": shi,
                    "first_quarter": f.get("first_quarter"),
                    "last_quarter": f.get("last_quarter"),
                    "quarter_difference": f.get("quarter_difference"),
                    "onset_s": f.get("onset_s"),
                    "significant": _bool(f.get("significant")),
                    "n_windows": f.get("n_windows"),
                })
            if replaces is not None:
                c.execute(
                    "UPDATE files SET activity_id = ?, role = 'duplicate' WHERE activity_id = ?",
                    (aid, replaces),
                )
                # what the athlete entered for the poorer copy stays with the activity
                c.execute(
                    "UPDATE OR IGNORE session_rpe SET activity_id = ? WHERE activity_id = ?",
                    (aid, replaces),
                )
                c.execute("DELETE FROM activities WHERE id = ?", (replaces,))
            try:
                c.execute(
                    "INSERT INTO files (athlete_id, sha256, activity_id, source_name, "
                    "file_format, role, external_id, imported_at) "
                    "VALUES (?, ?, ?, ?, ?, 'kept', ?, ?)",
                    (athlete_id, sha256, aid, source_name, doc.get("file_format"), external_id,
                     now),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"a file with sha256 {sha256[:12]}… is already stored") from None
        return aid

    def link_duplicate(
        self,
        activity_id: int,
        *,
        sha256: str,
        source_name: str,
        file_format: str | None = None,
        gear: str | None = None,
        name: str | None = None,
        external_id: str | None = None,
    ) -> None:
        with self._write() as c:
            row = c.execute(
                "SELECT athlete_id FROM activities WHERE id = ?", (activity_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no activity {activity_id}")
            c.execute(
                "INSERT OR IGNORE INTO files (athlete_id, sha256, activity_id, source_name, "
                "file_format, role, external_id, imported_at) "
                "VALUES (?, ?, ?, ?, ?, 'duplicate', ?, ?)",
                (row["athlete_id"], sha256, activity_id, source_name, file_format, external_id,
                 _now()),
            )
            c.execute(
                "UPDATE activities SET name = COALESCE(name, ?), gear = COALESCE(gear, ?) "
                "WHERE id = ?",
                (name, gear, activity_id),
            )

    # --- reads -------------------------------------------------------------------------------
    @staticmethod
    def _activity_row(r: sqlite3.Row) -> ActivityRow:
        return ActivityRow(
            id=int(r["id"]),
            athlete_id=int(r["athlete_id"]),
            start_time=_parse_time(r["start_time"]),
            duration_s=float(r["duration_s"]),
            distance_m=r["distance_m"],
            sport=r["sport"],
            sub_sport=r["sub_sport"],
            file_format=r["file_format"],
            devices=tuple(json.loads(r["devices"] or "[]")),
            gear=r["gear"],
            name=r["name"],
            indoor=None if r["indoor"] is None else bool(r["indoor"]),
            source_name=r["source_name"],
            sha256=r["sha256"],
            richness=int(r["richness"]),
            n_samples=r["n_samples"],
            analysed_s=r["analysed_s"],
            running_share=r["running_share"],
            steady_share=r["steady_share"],
            cadence_at_reference_spm=r["cadence_at_reference_spm"],
            reference_speed_m_s=r["reference_speed_m_s"],
            cadence_slope_spm_per_m_s=r["cadence_slope_spm_per_m_s"],
            low_cadence_share=r["low_cadence_share"],
            moving_s=r["moving_s"],
            running_s=r["running_s"],
            mean_speed_m_s=r["mean_speed_m_s"],
            ascent_m=r["ascent_m"],
            hr_mean_bpm=r["hr_mean_bpm"],
            hr_max_bpm=r["hr_max_bpm"],
            hr_s=r["hr_s"],
            n_asymmetry=int(r["n_asymmetry"]),
            n_findings=int(r["n_findings"]),
            n_warnings=int(r["n_warnings"]),
            imported_at=r["imported_at"],
        )

    def activity(self, activity_id: int) -> ActivityRow:
        r = self._conn.execute("SELECT * FROM activities WHERE id = ?", (activity_id,)).fetchone()
        if r is None:
            raise KeyError(f"no activity {activity_id}")
        return self._activity_row(r)

    def activities(
        self,
        athlete_id: int,
        *,
        since: datetime | date | str | None = None,
        until: datetime | date | str | None = None,
    ) -> list[ActivityRow]:
        where, args = _time_range("", athlete_id, since, until)
        sql = f"SELECT * FROM activities WHERE {where} ORDER BY start_ts NULLS LAST, id"
        return [self._activity_row(r) for r in self._conn.execute(sql, args)]

    def asymmetry_rows(
        self, athlete_id: int, metric: str | None = None, source: str | None = None
    ) -> list[AsymmetryRow]:
        sql = (
            "SELECT s.*, a.start_time AS start_time FROM asymmetry s "
            "JOIN activities a ON a.id = s.activity_id WHERE a.athlete_id = ?"
        )
        args: list[Any] = [athlete_id]
        if metric is not None:
            sql += " AND s.metric = ?"
            args.append(metric)
        if source is not None:
            sql += " AND s.source = ?"
            args.append(source)
        sql += " ORDER BY a.start_ts NULLS LAST, a.id, s.metric, s.source"
        out = []
        for r in self._conn.execute(sql, args):
            out.append(
                AsymmetryRow(
                    activity_id=int(r["activity_id"]),
                    start_time=_parse_time(r["start_time"]),
                    metric=r["metric"],
                    source=r["source"],
                    unit=r["unit"],
                    left=r["left_value"],
                    right=r["right_value"],
                    balance_left_pct=r["balance_left_pct"],
                    balance_left_pct_ci95=_ci(r["balance_ci_low"], r["balance_ci_high"]),
                    symmetry_angle_pct=r["symmetry_angle_pct"],
                    symmetry_index_pct=r["symmetry_index_pct"],
                    log_ratio=r["log_ratio"],
                    difference=r["difference"],
                    index=r["index_name"],
                    ci95=_ci(r["ci_low"], r["ci_high"]),
                    n=r["n"],
                    n_steps=r["n_steps"],
                    n_effective=r["n_effective"],
                    real=None if r["is_real"] is None else bool(r["is_real"]),
                    larger_side=r["larger_side"],
                    class_=r["class"],
                    evidence_grade=r["evidence_grade"],
                    derived_from_balance=None
                    if r["derived_from_balance"] is None
                    else bool(r["derived_from_balance"]),
                    drift_slope_per_h=r["drift_slope_per_h"],
                    drift_slope_ci95=_ci(r["drift_slope_ci_low"], r["drift_slope_ci_high"]),
                    drift_onset_s=r["drift_onset_s"],
                    drift_quarter_difference=r["drift_quarter_difference"],
                    drift_significant=None
                    if r["drift_significant"] is None
                    else bool(r["drift_significant"]),
                )
            )
        return out

    def _blob_row(self, activity_id: int) -> sqlite3.Row:
        r = self._conn.execute(
            "SELECT doc_codec, doc, samples FROM activity_blobs WHERE activity_id = ?",
            (activity_id,),
        ).fetchone()
        if r is None:
            raise KeyError(f"no activity {activity_id}")
        return r

    def analysis_doc(self, activity_id: int) -> dict[str, Any]:
        r = self._conn.execute(
            "SELECT doc_codec, doc FROM activity_blobs WHERE activity_id = ?", (activity_id,)
        ).fetchone()
        if r is None:
            raise KeyError(f"no activity {activity_id}")
        return _decode_doc(activity_id, r["doc_codec"], r["doc"])

    def analysis_docs(
        self,
        athlete_id: int,
        *,
        since: datetime | date | str | None = None,
        until: datetime | date | str | None = None,
        skipped: list[str] | None = None,
    ) -> Iterator[tuple[ActivityRow, dict[str, Any]]]:
        """Each activity with its document, by start time, in one query (e.g. to build
        ``evenstride.history.RunRecord.from_run_doc(doc, activity_id=row.id, gear=row.gear)``).

        A document that cannot be decoded raises a one-line :class:`StoreError`; with a
        ``skipped`` list, that activity is left out instead and the message (naming the activity
        and its file) is appended to the list, so one corrupt run does not hide the others."""
        sql = (
            "SELECT a.*, b.doc_codec AS doc_codec, b.doc AS doc FROM activities a "
            "JOIN activity_blobs b ON b.activity_id = a.id WHERE "
        )
        where, args = _time_range("a.", athlete_id, since, until)
        sql += where + " ORDER BY a.start_ts NULLS LAST, a.id"
        for r in self._conn.execute(sql, args).fetchall():
            try:
                doc = _decode_doc(int(r["id"]), r["doc_codec"], r["doc"])
            except StoreError as exc:
                if skipped is None:
                    raise
                skipped.append(f"{exc} (file {r['source_name']}); skipped — "
                               "'evenstride doctor' checks and repairs the store")
                continue
            yield self._activity_row(r), doc

    def history_docs(
        self,
        athlete_id: int,
        *,
        skipped: list[str] | None = None,
    ) -> Iterator[tuple[ActivityRow, dict[str, Any]]]:
        """Like :meth:`analysis_docs`, but each document reduced to the part the history reads
        (:func:`evenstride.store._history_part.history_part`), read from the activity's own row:
        no document is decompressed unless that row has no part (a document that could not be
        decoded at migration: it is read and reported as :meth:`analysis_docs` does)."""
        if not self._has_history_doc:  # an older store opened read-only: the documents
            yield from ((row, history_part(doc))
                        for row, doc in self.analysis_docs(athlete_id, skipped=skipped))
            return
        where, args = _time_range("", athlete_id, None, None)
        sql = f"SELECT * FROM activities WHERE {where} ORDER BY start_ts NULLS LAST, id"
        for r in self._conn.execute(sql, args).fetchall():
            doc = _part(r["history_doc"])
            if doc is None:  # none stored, or not readable: from the document itself
                try:
                    doc = history_part(self.analysis_doc(int(r["id"])))
                except KeyError:
                    continue  # no document row at all: as analysis_docs (an inner join)
                except StoreError as exc:
                    if skipped is None:
                        raise
                    skipped.append(f"{exc} (file {r['source_name']}); skipped — "
                                   "'evenstride doctor' checks and repairs the store")
                    continue
            yield self._activity_row(r), doc

    def samples(self, activity_id: int) -> dict[str, np.ndarray]:
        r = self._conn.execute(
            "SELECT samples FROM activity_blobs WHERE activity_id = ?", (activity_id,)
        ).fetchone()
        if r is None:
            raise KeyError(f"no activity {activity_id}")
        return decode_samples(r["samples"])

    def load_activity(self, activity_id: int) -> Activity:
        """The stored recording; a corrupt blob is a one-line :class:`StoreError`."""
        r = self._blob_row(activity_id)
        doc = self.analysis_doc(activity_id)
        try:
            return unpack_activity(r["samples"], doc)
        except (BlobError, zlib.error, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"activity {activity_id}: stored recording cannot be decoded "
                             f"({exc})") from None

    def replace_document(self, activity_id: int, doc: Mapping[str, Any]) -> None:
        """Replace an activity's stored document (``evenstride doctor --repair`` re-derives a
        lost one from the stored recording); the summary columns and rows are kept."""
        if doc.get("schema") != _DOC_SCHEMA:
            raise ValueError(f"not an {_DOC_SCHEMA} document")
        doc_z = zlib.compress(
            json.dumps(dict(doc), ensure_ascii=False, allow_nan=False,
                       separators=(",", ":")).encode(),
            6,
        )
        with self._write() as c:
            cur = c.execute("UPDATE activity_blobs SET doc_codec = 'zlib', doc = ? "
                            "WHERE activity_id = ?", (doc_z, activity_id))
            if cur.rowcount != 1:
                raise KeyError(f"no activity {activity_id}")
            if self._has_history_doc:
                c.execute("UPDATE activities SET history_doc = ? WHERE id = ?",
                          (history_part_json(doc), activity_id))

    def shoes(self, athlete_id: int) -> list[Shoe]:
        rows = self._conn.execute(
            "SELECT gear, COUNT(*) AS n, COALESCE(SUM(distance_m), 0) AS dist, "
            "COALESCE(SUM(duration_s), 0) AS dur, MIN(start_time) AS first, "
            "MAX(start_time) AS last FROM activities WHERE athlete_id = ? AND gear IS NOT NULL "
            "AND gear <> '' GROUP BY gear ORDER BY last DESC NULLS LAST, gear",
            (athlete_id,),
        ).fetchall()
        return [
            Shoe(r["gear"], int(r["n"]), float(r["dist"]), float(r["dur"]),
                 _parse_time(r["first"]), _parse_time(r["last"]))
            for r in rows
        ]

    # --- what the athlete enters (schema version 2) ------------------------------------------
    def set_shoe(
        self,
        athlete_id: int,
        name: str,
        *,
        type: str | None = None,
        drop_mm: float | None = None,
        retire_km: float | None = None,
        retired: bool | None = None,
    ) -> ShoeSettings:
        name = name.strip()
        if not name:
            raise ValueError("shoe name is empty")
        if type is not None and type not in SHOE_TYPES:
            raise ValueError(f"unknown shoe type {type!r} (one of {', '.join(SHOE_TYPES)})")
        if drop_mm is not None and not (np.isfinite(drop_mm) and drop_mm >= 0):
            raise ValueError(f"drop must be 0 mm or more (got {drop_mm:g})")
        if retire_km is not None and not (np.isfinite(retire_km) and retire_km > 0):
            raise ValueError(f"reminder distance must be above 0 km (got {retire_km:g})")
        with self._write() as c:
            c.execute(
                "INSERT INTO shoe_info (athlete_id, name, type, drop_mm, retire_km, retired, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (athlete_id, name) DO "
                "UPDATE SET type = COALESCE(excluded.type, type), "
                "drop_mm = COALESCE(excluded.drop_mm, drop_mm), "
                "retire_km = COALESCE(excluded.retire_km, retire_km), "
                "retired = CASE WHEN ? IS NULL THEN retired ELSE excluded.retired END, "
                "updated_at = excluded.updated_at",
                (athlete_id, name, type, drop_mm, retire_km, int(bool(retired)), _now(),
                 None if retired is None else int(retired)),
            )
        return next(s for s in self.shoe_infos(athlete_id) if s.name == name)

    def shoe_infos(self, athlete_id: int) -> list[ShoeSettings]:
        rows = self._conn.execute(
            "SELECT name, type, drop_mm, retire_km, retired FROM shoe_info WHERE athlete_id = ? "
            "ORDER BY name",
            (athlete_id,),
        ).fetchall()
        return [
            ShoeSettings(r["name"], type=r["type"], drop_mm=r["drop_mm"],
                         retire_km=r["retire_km"], retired=bool(r["retired"]))
            for r in rows
        ]

    def set_session_rpe(self, activity_id: int, rpe: float, note: str | None = None) -> None:
        rpe = float(rpe)
        if not (np.isfinite(rpe) and RPE_RANGE[0] <= rpe <= RPE_RANGE[1]):
            raise ValueError(f"session RPE must be 0–10 on the CR-10 scale (got {rpe:g})")
        with self._write() as c:
            known = c.execute("SELECT 1 FROM activities WHERE id = ?", (activity_id,)).fetchone()
            if known is None:
                raise KeyError(f"no activity {activity_id}")
            c.execute(
                "INSERT OR REPLACE INTO session_rpe (activity_id, rpe, note, entered_at) "
                "VALUES (?, ?, ?, ?)",
                (activity_id, rpe, note or None, _now()),
            )

    def set_gear(self, activity_ids: Sequence[int], gear: str | None) -> int:
        """Set (or clear, with ``None``) the shoe of activities; returns how many changed."""
        name = (gear or "").strip() or None
        if name is not None and len(name) > 200:
            raise ValueError("shoe name is longer than 200 characters")
        with self._write() as c:
            n = 0
            for aid in activity_ids:
                cur = c.execute("UPDATE activities SET gear = ? WHERE id = ?", (name, int(aid)))
                if cur.rowcount == 0:
                    raise KeyError(f"no activity {aid}")
                n += cur.rowcount
            return n

    def session_rpes(self, athlete_id: int) -> dict[int, float]:
        rows = self._conn.execute(
            "SELECT r.activity_id, r.rpe FROM session_rpe r JOIN activities a "
            "ON a.id = r.activity_id WHERE a.athlete_id = ? ORDER BY a.start_ts, a.id",
            (athlete_id,),
        ).fetchall()
        return {int(r[0]): float(r[1]) for r in rows}

    def session_rpe_notes(self, athlete_id: int) -> dict[int, str]:
        """Activity id → the note entered with the session RPE (only non-empty notes)."""
        rows = self._conn.execute(
            "SELECT r.activity_id, r.note FROM session_rpe r JOIN activities a "
            "ON a.id = r.activity_id WHERE a.athlete_id = ? AND r.note IS NOT NULL",
            (athlete_id,),
        ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def add_resting_hrv(
        self, athlete_id: int, when: datetime, rmssd_ms: float, n_beats: int, source: str
    ) -> bool:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        rmssd_ms = float(rmssd_ms)
        if not (np.isfinite(rmssd_ms) and rmssd_ms > 0):
            raise ValueError(f"RMSSD must be above 0 ms (got {rmssd_ms:g})")
        with self._write() as c:
            # the same recording imported again (another path, another --when) gives the same
            # R-R values, so the same RMSSD and beat count: stored once
            same = c.execute(
                "SELECT 1 FROM resting_hrv WHERE athlete_id = ? AND n_beats = ? "
                "AND abs(rmssd_ms - ?) <= 1e-9 LIMIT 1",
                (athlete_id, int(n_beats), rmssd_ms),
            ).fetchone()
            if same is not None:
                return False
            cur = c.execute(
                "INSERT OR IGNORE INTO resting_hrv (athlete_id, recorded_at, recorded_ts, "
                "rmssd_ms, n_beats, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (athlete_id, when.isoformat(), when.timestamp(), rmssd_ms, int(n_beats),
                 source, _now()),
            )
            return cur.rowcount == 1

    def resting_hrv(self, athlete_id: int) -> list[RestingHrv]:
        rows = self._conn.execute(
            "SELECT recorded_ts, rmssd_ms, n_beats, source FROM resting_hrv "
            "WHERE athlete_id = ? ORDER BY recorded_ts",
            (athlete_id,),
        ).fetchall()
        return [
            RestingHrv(datetime.fromtimestamp(float(r["recorded_ts"]), tz=UTC),
                       float(r["rmssd_ms"]), int(r["n_beats"]), str(r["source"]))
            for r in rows
        ]

    def files(self, activity_id: int) -> list[dict[str, Any]]:
        """Every file recorded for an activity (the kept one first, then duplicates)."""
        rows = self._conn.execute(
            "SELECT sha256, source_name, file_format, role, external_id, imported_at FROM files "
            "WHERE activity_id = ? ORDER BY role DESC, imported_at, source_name",
            (activity_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def integrity_problems(self) -> list[str]:
        """Consistency check of the whole store (used by tests and a future ``doctor``):
        every activity has its blobs, its kept file, one asymmetry row per document entry, a
        document that decodes and a sample blob that decodes to ``n_samples`` rows."""
        problems: list[str] = []
        ok = self._conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"sqlite integrity_check: {ok}")
        for r in self._conn.execute("SELECT id, sha256, n_samples FROM activities"):
            aid = int(r["id"])
            try:
                doc = self.analysis_doc(aid)
                cols = self.samples(aid)
            except (KeyError, BlobError, zlib.error, ValueError, StoreError) as exc:
                problems.append(f"activity {aid}: {exc}")
                continue
            n = len(next(iter(cols.values()))) if cols else 0
            if r["n_samples"] is not None and n != r["n_samples"]:
                problems.append(f"activity {aid}: {n} sample rows, expected {r['n_samples']}")
            n_asym = self._conn.execute(
                "SELECT COUNT(*) FROM asymmetry WHERE activity_id = ?", (aid,)
            ).fetchone()[0]
            if n_asym != len(doc.get("asymmetry") or []):
                problems.append(f"activity {aid}: {n_asym} asymmetry rows, doc has "
                                f"{len(doc.get('asymmetry') or [])}")
            kept = self._conn.execute(
                "SELECT COUNT(*) FROM files WHERE activity_id = ? AND role = 'kept' "
                "AND sha256 = ?", (aid, r["sha256"]),
            ).fetchone()[0]
            if kept != 1:
                problems.append(f"activity {aid}: kept file row missing")
        return problems
