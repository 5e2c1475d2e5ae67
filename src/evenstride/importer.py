# SPDX-License-Identifier: MIT
"""Bulk import into the athlete history store (an adapter, like the CLI).

Input: paths — activity files (FIT/TCX/GPX, ``.gz`` too), folders (searched recursively), zip
archives including a Garmin Connect data export (activity files inside zips inside the zip) and a
Strava bulk export (``activities.csv`` + ``activities/…``). Output: activities in an
:class:`~evenstride.store.ActivityStore` and an :class:`ImportReport`.

How one import runs:

1. **Discover** every candidate file. Archives are checked first, as a whole: a corrupt zip, a
   member with an absolute or ``..`` path, a member declaring more than
   :data:`MAX_MEMBER_BYTES` or a compression ratio above :data:`MAX_RATIO`, or an
   ``activities.csv`` without the columns we need refuses the archive with one line before
   anything from it is stored. Members are read into memory with size limits; nested zips are
   copied (size-limited) into a private temporary directory, never next to user files.
   Strava rows whose activity type is not running are skipped without decoding.
2. **Identify** each file by the SHA-256 of its bytes (gzip unwrapped): a file already in the
   store is reported "already stored" without decoding.
3. **Decode and analyse** in worker processes (all cores); workers return compact picklable
   results — the ``evenstride.run/1`` document, load inputs and the compressed sample blob.
4. **Store** in the parent only, one transaction per activity, which also holds the checks
   deciding it (already stored? same run?), so concurrent imports cannot both store one run.
   A recording matching a stored activity's :class:`~evenstride.store.Fingerprint` (same
   athlete, start within 60 s, duration and distance within 2 %) is the same run from another
   export: the richer file is kept (left/right data first, then FIT > TCX > GPX), the other is
   recorded as its duplicate. A truncated copy (same start and devices, samples a prefix) is the
   same run too: the longer recording is kept.

Killing an import loses nothing already committed and leaves no half-written activity;
running it again reports the stored files as "already stored" and continues.
"""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import os
import posixpath
import signal
import tempfile
import threading
import time
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from evenstride import consts
from evenstride._threads import limit_blas_threads
from evenstride.exceptions import (
    EvenstrideWarning,
    NotEnoughDataError,
    ParseError,
    UnsupportedActivityError,
    UserInputError,
)
from evenstride.io import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_NESTED_ZIP_BYTES,
    MAX_RATIO,
    MAX_ZIP_DEPTH,
    ArchiveError,
    StravaRow,
    check_member_size,
    maybe_gunzip,
    member_reader,
    parse_strava_csv,
    read_member_or_refuse,
    read_path,
    unsafe_member_reason,
)
from evenstride.store import ActivityRow, ActivityStore, Fingerprint, richness

__all__ = [
    "DUPLICATE",
    "FAILED",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "NEW",
    "SKIPPED",
    "STORED",
    "ArchiveError",
    "ImportItem",
    "ImportReport",
    "StravaRow",
    "WorkResult",
    "analyse_file",
    "import_paths",
    "load_inputs",
    "parse_strava_csv",
]

# --- outcomes ---------------------------------------------------------------------------------
#: Stored as a new activity.
NEW: Final = "new"
#: This exact file (same bytes) was stored before, as an activity or as a duplicate.
STORED: Final = "already stored"
#: Another file of the same activity is kept (another export or format).
DUPLICATE: Final = "duplicate"
#: Not imported, for a reason: not running, too little running, not an activity.
SKIPPED: Final = "skipped"
#: Could not be imported (unreadable file, refused archive, internal error).
FAILED: Final = "failed"
OUTCOMES: Final = (NEW, STORED, DUPLICATE, SKIPPED, FAILED)

ACTIVITY_SUFFIXES: Final = (".fit", ".tcx", ".gpx")
_STRAVA_CSV = "activities.csv"


@dataclass
class ImportItem:
    """The outcome of one file."""

    source: str
    status: str
    reason: str | None = None
    activity_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "reason": self.reason,
                "activity_id": self.activity_id}


@dataclass
class ImportReport:
    """Everything one import did, one :class:`ImportItem` per file (or refused archive)."""

    db: str
    athlete: str
    items: list[ImportItem] = field(default_factory=list)
    elapsed_s: float = 0.0
    workers: int = 1

    def counts(self) -> dict[str, int]:
        c = Counter(i.status for i in self.items)
        return {k: c.get(k, 0) for k in OUTCOMES}

    @property
    def failed(self) -> list[ImportItem]:
        return [i for i in self.items if i.status == FAILED]

    @property
    def exit_code(self) -> int:
        """0 when every file was imported or skipped for a reason, 2 when any failed."""
        return 2 if self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "evenstride.import/1",
            "db": self.db,
            "athlete": self.athlete,
            "counts": self.counts(),
            "elapsed_s": round(self.elapsed_s, 3),
            "workers": self.workers,
            "items": [i.to_dict() for i in self.items],
        }


# --- worker -----------------------------------------------------------------------------------
@dataclass
class WorkResult:
    """What a worker sends back: small and picklable."""

    status: str  # "ok", SKIPPED or FAILED
    reason: str | None = None
    doc: dict[str, Any] | None = None
    samples_blob: bytes | None = None
    load: dict[str, float | None] | None = None
    n_columns: int = 0


def _wmean(x: np.ndarray, w: np.ndarray, m: np.ndarray) -> float | None:
    m = m & np.isfinite(x)
    tw = float(w[m].sum())
    return None if tw <= 0 else round(float((x[m] * w[m]).sum() / tw), 3)


def load_inputs(result: Any) -> dict[str, float | None]:
    """Per-activity load columns of the store, from a ``RunAnalysis``.

    Moving and running time, heart rate and ascent are the core's own numbers (``context.load``
    and ``context.grade_exposure`` of :mod:`evenstride.metrics.context`), not recomputed here:
    ``moving_s``/``running_s``, ``hr_mean_bpm`` and ``hr_s`` (time-weighted over moving samples),
    ``hr_max_bpm`` (the run's peak HR, ``hr_peak_bpm``: 99.5th percentile) and ``ascent_m``
    (None indoors). ``mean_speed_m_s`` is the time-weighted mean speed over running samples.
    """
    act, g = result.activity, result.gating
    ctx = result.context
    load: dict[str, Any] = ctx.load if ctx is not None else {}
    grade: dict[str, Any] = ctx.grade_exposure if ctx is not None else {}
    return {
        "moving_s": load.get("moving_s"),
        "running_s": load.get("running_s"),
        "mean_speed_m_s": _wmean(act.column(consts.SPEED_M_S), g.weight_s, g.running),
        "ascent_m": grade.get("ascent_m"),
        "hr_mean_bpm": load.get("hr_mean_bpm"),
        "hr_max_bpm": load.get("hr_peak_bpm"),
        "hr_s": load.get("hr_s"),
    }


def analyse_file(data: bytes, source: str, seed: int = 0) -> WorkResult:
    """Decode and analyse one file's bytes (runs in a worker process; never raises).

    Returns the document of ``analyze(...).to_dict()`` (identical to analysing the file from
    disk under the name ``source``), the load inputs and the packed sample blob.
    """
    from evenstride.io import read_bytes
    from evenstride.pipeline import analyze
    from evenstride.store._blob import blob_header, pack_activity

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            act = read_bytes(data, path=source)
            res = analyze(act, seed=seed)
            doc = res.to_dict()
        blob = pack_activity(act)
        return WorkResult("ok", doc=doc, samples_blob=blob, load=load_inputs(res),
                          n_columns=len(blob_header(blob)["columns"]))
    except (UnsupportedActivityError, NotEnoughDataError) as exc:
        return WorkResult(SKIPPED, reason=exc.reason)
    except UserInputError as exc:
        return WorkResult(FAILED, reason=exc.reason)
    except Exception as exc:  # a bug: report it for this file, keep the batch going
        return WorkResult(
            FAILED, reason=f"internal error ({type(exc).__name__}: {exc}); please report this"
        )


# --- discovery --------------------------------------------------------------------------------
@dataclass
class _Candidate:
    """One file to consider: where to read it, and what an export's CSV says about it."""

    source: str
    read: Callable[[], bytes] | None = None
    name: str | None = None
    gear: str | None = None
    external_id: str | None = None
    #: Set when the outcome is known without decoding.
    status: str | None = None
    reason: str | None = None


def _is_activity_name(name: str) -> bool:
    n = name.lower()
    if n.endswith(".gz"):
        n = n[:-3]
    return n.endswith(ACTIVITY_SUFFIXES)


class _Discovery:
    """Finds candidates in paths; keeps archives and the temporary directory open."""

    def __init__(self, stack: ExitStack, tmp_root: Path | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        self.stack = stack
        self._tmp: Path | None = None
        self._tmp_root = tmp_root
        self._names = dict(names or {})

    def tmpdir(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(self.stack.enter_context(
                tempfile.TemporaryDirectory(prefix="evenstride-import-", dir=self._tmp_root)))
        return self._tmp

    def paths(self, paths: Iterable[str | os.PathLike[str]]) -> tuple[list[_Candidate], list[
            ImportItem]]:
        cands: list[_Candidate] = []
        refused: list[ImportItem] = []
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                files = [(f, False) for f in self._walk(p)]
            elif p.exists():
                files = [(p, True)]
            else:
                refused.append(ImportItem(str(p.absolute()), FAILED, "no such file or folder"))
                continue
            for f, explicit in files:
                shown = (self._names.get(str(raw)) if explicit else None) or str(f.absolute())
                try:
                    self._file(f, shown, cands, explicit=explicit)
                except ArchiveError as exc:
                    refused.append(ImportItem(exc.path or shown, FAILED, exc.reason))
        return cands, refused

    @staticmethod
    def _walk(root: Path) -> Iterator[Path]:
        for d, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            for f in sorted(files):
                if f.startswith("."):
                    continue
                if _is_activity_name(f) or f.lower().endswith(".zip"):
                    yield Path(d) / f

    def _file(self, p: Path, shown: str, out: list[_Candidate], *, explicit: bool) -> None:
        is_zip = p.suffix.lower() == ".zip"
        if not is_zip and explicit:
            try:
                with p.open("rb") as fh:
                    is_zip = fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
            except OSError:
                is_zip = False
        if is_zip:
            # An archive is discovered as a whole before any of it is stored: a refused archive
            # adds nothing.
            found: list[_Candidate] = []
            self._zip(p, shown, found, depth=1)
            out.extend(found)
            return

        def read(p: Path = p) -> bytes:
            from evenstride.io import MAX_FILE_BYTES

            return read_path(p, MAX_FILE_BYTES)

        out.append(_Candidate(shown, read))

    def _zip(self, file: Path | Any, shown: str, out: list[_Candidate], *, depth: int) -> None:
        try:
            zf = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveError(f"not a readable zip archive ({exc})", path=shown) from None
        self.stack.callback(zf.close)
        try:
            infos = zf.infolist()
        except Exception as exc:  # pragma: no cover - infolist is already parsed
            raise ArchiveError(f"not a readable zip archive ({exc})", path=shown) from None
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"too many members ({len(infos):,})", path=shown)
        for info in infos:
            why = unsafe_member_reason(info.filename)
            if why:
                raise ArchiveError(f"member {info.filename!r} has {why}: refusing the archive",
                                   path=shown)
        files = [i for i in infos if not i.is_dir()]
        csvs = sorted(
            (i for i in files if posixpath.basename(i.filename).lower() == _STRAVA_CSV),
            key=lambda i: (i.filename.count("/"), i.filename),
        )
        zips = [i for i in files if i.filename.lower().endswith(".zip")]
        acts = [i for i in files if _is_activity_name(i.filename)]
        for i in [*csvs[:1], *acts]:
            check_member_size(i, shown, MAX_MEMBER_BYTES)
        for i in zips:
            check_member_size(i, shown, MAX_NESTED_ZIP_BYTES)
        by_name = {i.filename: i for i in files}
        hints: dict[str, StravaRow] = {}
        if csvs:
            csv_info = csvs[0]
            rows = parse_strava_csv(
                read_member_or_refuse(zf, csv_info, shown), f"{shown}!{csv_info.filename}"
            )
            base = posixpath.dirname(csv_info.filename)
            for row in rows:
                if not row.filename:
                    continue  # a manual entry without a file
                why = unsafe_member_reason(row.filename)
                if why:
                    raise ArchiveError(
                        f"activities.csv names {row.filename!r}, {why}: refusing the archive",
                        path=shown,
                    )
                member = posixpath.normpath(posixpath.join(base, row.filename))
                hints[member] = row
                src = f"{shown}!{member}"
                ext = f"strava:{row.activity_id}" if row.activity_id else None
                if row.is_running is False:
                    out.append(_Candidate(src, status=SKIPPED,
                                          reason=f"Strava activity type {row.activity_type!r}",
                                          external_id=ext))
                elif member not in by_name:
                    out.append(_Candidate(src, status=FAILED,
                                          reason="listed in activities.csv but not in the archive",
                                          external_id=ext))
                elif not _is_activity_name(member):
                    out.append(_Candidate(src, status=SKIPPED,
                                          reason="not a FIT, TCX or GPX file", external_id=ext))
        for info in acts:
            src = f"{shown}!{info.filename}"
            hint = hints.get(info.filename)
            if hint is not None and hint.is_running is False:
                continue  # reported above, never read
            out.append(_Candidate(
                src,
                read=member_reader(zf, info, src),
                name=hint.name if hint else None,
                gear=hint.gear if hint else None,
                external_id=f"strava:{hint.activity_id}" if hint and hint.activity_id else None,
            ))
        for info in zips:
            inner = f"{shown}!{info.filename}"
            if depth >= MAX_ZIP_DEPTH:
                raise ArchiveError(f"zips nested deeper than {MAX_ZIP_DEPTH} levels",
                                   path=inner)
            tmp = self._extract(zf, info, inner)
            self._zip(tmp, inner, out, depth=depth + 1)

    def _extract(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> Path:
        """Copy a nested zip into the private temporary directory (never its own name)."""
        fd, name = tempfile.mkstemp(suffix=".zip", dir=self.tmpdir())
        copied = 0
        try:
            with os.fdopen(fd, "wb") as dst, zf.open(info) as src:
                while chunk := src.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_NESTED_ZIP_BYTES:
                        raise ArchiveError("nested zip larger than declared: refusing",
                                           path=shown)
                    dst.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                RuntimeError) as exc:
            raise ArchiveError(f"cannot read the nested zip ({exc})", path=shown) from None
        except OSError as exc:
            raise ArchiveError(f"cannot copy the nested zip to a temporary folder ({exc})",
                               path=shown) from None
        return Path(name)


# --- the import loop --------------------------------------------------------------------------
ProgressCallback = Callable[[int, int, str], None]


def _pool(workers: int) -> ProcessPoolExecutor:
    # "fork" when this process has no other thread: workers start at once and need not re-import
    # the caller's __main__ (a script without a main guard, stdin, a notebook). With threads
    # alive (a web app), fork could copy a held lock: start workers from a clean "forkserver"
    # instead. Workers never touch the parent's SQLite connection either way.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["evenstride.importer", "evenstride.pipeline"])
    elif method == "fork":
        # what every worker runs, imported once here and shared by the forked workers instead of
        # imported by each of them after the fork (~90 ms CPU per worker)
        importlib.import_module("evenstride.pipeline")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(),))


#: How often a worker checks that the import that started it is still running (s).
PARENT_POLL_S: Final = 0.5


def _worker_init(import_pid: int) -> None:
    # Ctrl-C is the parent's to handle (it stops the pool); workers would only print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One BLAS thread per worker: the pool already runs one worker per core (evenstride._threads).
    limit_blas_threads()
    # A killed import (kill -9) cannot stop its pool: each worker leaves by itself, and with it
    # the copies of the import's stdout/stderr it holds (a caller reading them sees the end).
    threading.Thread(target=_exit_with, args=(import_pid, os.getppid()),
                     name="evenstride-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # POSIX only: on Windows this would terminate the process
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user (a reused pid): not ours any more
        return False
    return True


def _exit_with(import_pid: int, parent_pid: int) -> None:
    """Exit this worker as soon as the import is gone: multiprocessing's parent sentinel (a pipe
    end or process handle that becomes ready when the parent dies; every platform), and on
    POSIX a new parent pid (orphaned) or a vanished import pid (forkserver workers)."""
    from multiprocessing.connection import wait as wait_ready

    parent = multiprocessing.parent_process()
    sentinel = None if parent is None else parent.sentinel
    while True:
        if sentinel is not None:
            if wait_ready([sentinel], timeout=PARENT_POLL_S):
                os._exit(1)
        else:
            time.sleep(PARENT_POLL_S)
        if os.name != "nt" and (os.getppid() != parent_pid or not _alive(import_pid)):
            os._exit(1)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Run:
    def __init__(self, store: ActivityStore, athlete_id: int, report: ImportReport,
                 progress: ProgressCallback | None) -> None:
        self.store = store
        self.athlete_id = athlete_id
        self.report = report
        self.progress = progress
        self.done = 0
        self.total = 0
        #: activity id → indices in report.items of this run's files stored as / linked to it
        self.by_activity: dict[int, list[int]] = {}

    def add(self, item: ImportItem) -> None:
        if item.activity_id is not None and item.status in (NEW, DUPLICATE):
            self.by_activity.setdefault(item.activity_id, []).append(len(self.report.items))
        self.report.items.append(item)
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, item.source)

    def store_result(self, c: _Candidate, sha: str, res: WorkResult) -> ImportItem:
        if res.status == SKIPPED and res.reason:
            self.store.record_skipped(self.athlete_id, sha, c.source, res.reason)
        if res.status != "ok" or res.doc is None or res.samples_blob is None:
            return ImportItem(c.source, res.status, res.reason)
        # The checks and the insert they decide are one transaction: a concurrent import (another
        # process, a web upload) cannot store the same file or run in between.
        with self.store.transaction():
            return self._store_ok(c, sha, res)

    def _store_ok(self, c: _Candidate, sha: str, res: WorkResult) -> ImportItem:
        assert res.doc is not None
        assert res.samples_blob is not None
        doc = res.doc
        aid = self.store.has_file(self.athlete_id, sha)
        if aid is not None:  # another import stored this file while it was being analysed
            return ImportItem(c.source, STORED, None, aid)
        fp = Fingerprint.from_doc(doc)
        dup = None if fp is None else self.store.find_duplicate(self.athlete_id, fp)
        if dup is not None:
            rich = richness(doc, res.n_columns)
            keep_new = rich > dup.richness
            poorer = f"the poorer copy {dup.source_name} ({dup.file_format})"
            if rich == dup.richness:  # a copy cut near its end matches too: keep the longer
                prefix = self.store.find_prefix_copy(self.athlete_id, doc, res.samples_blob)
                if prefix is not None and prefix[0].id == dup.id and _longer(prefix[1], doc, dup):
                    keep_new, poorer = True, f"the truncated copy {dup.source_name}"
        else:
            prefix = self.store.find_prefix_copy(self.athlete_id, doc, res.samples_blob)
            if prefix is not None:  # one is the other cut short: the longer one holds both
                dup, keep_new = prefix[0], _longer(prefix[1], doc, prefix[0])
                poorer = f"the truncated copy {dup.source_name}"
        if dup is None or keep_new:
            aid = self.store.add_activity(
                self.athlete_id, doc, res.samples_blob, sha256=sha, source_name=c.source,
                gear=c.gear, name=c.name, load=res.load, external_id=c.external_id,
                replaces=None if dup is None else dup.id,
            )
            if dup is None:
                return ImportItem(c.source, NEW, None, aid)
            # files of this run stored as or linked to the replaced copy now point to this one
            for k in self.by_activity.pop(dup.id, []):
                old = self.report.items[k]
                old.status, old.reason, old.activity_id = (
                    DUPLICATE, f"same activity as {c.source} (kept: richer file)", aid)
                self.by_activity.setdefault(aid, []).append(k)
            return ImportItem(c.source, NEW, f"replaces {poorer}", aid)
        self.store.link_duplicate(dup.id, sha256=sha, source_name=c.source,
                                  file_format=doc.get("file_format"), gear=c.gear, name=c.name,
                                  external_id=c.external_id)
        return ImportItem(c.source, DUPLICATE, f"same activity as {dup.source_name}", dup.id)


def _longer(more_samples: int, doc: Mapping[str, Any], stored: ActivityRow) -> bool:
    """Whether a recording whose samples extend (or equal) a stored one's should replace it:
    more samples, or the same samples with fewer warnings (the stored file was cut only in its
    closing summary and was read with a truncation warning)."""
    if more_samples != 0:
        return more_samples > 0
    return len(doc.get("warnings") or []) < (stored.n_warnings or 0)


def import_paths(
    paths: Sequence[str | os.PathLike[str]],
    store: ActivityStore,
    *,
    athlete: str = "default",
    athlete_id: int | None = None,
    jobs: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    db_label: str | None = None,
    tmp_root: str | os.PathLike[str] | None = None,
    display_names: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import files, folders and export archives into ``store`` for ``athlete``.

    Parameters
    ----------
    paths
        Files (FIT/TCX/GPX, optionally ``.gz``), folders (recursive) and zip archives.
    store
        An open, writable store.
    athlete
        Athlete name (created when new).
    athlete_id
        The athlete's id, when the caller resolved it already (a web upload): wins over
        ``athlete``, so a rename while the files upload cannot send them to a new athlete with
        the old name. An unknown id is a :class:`~evenstride.exceptions.UserInputError`.
    jobs
        Worker processes for decoding and analysis (default: all cores; 1 = in this process).
    seed
        Bootstrap seed of the analysis (as ``evenstride analyze --seed``).
    progress
        Called as ``progress(done, total, source)`` after each file.
    db_label
        How the store is named in the report (default: its path).
    tmp_root
        Folder for the temporary copies of nested archives (default: the system's temporary
        folder); the web app keeps them inside the store's folder.
    display_names
        ``path as given → name shown and stored`` (an uploaded file's own name instead of the
        path it was saved under).

    Returns
    -------
    ImportReport
        One item per file; a refused archive is one failed item.
    """
    t0 = time.perf_counter()
    if athlete_id is None:
        ath = store.athlete(athlete)
    else:
        try:
            ath = store.athlete_by_id(athlete_id)
        except KeyError:
            raise UserInputError(f"athlete {athlete_id} no longer exists (deleted during the "
                                 "import?)") from None
    report = ImportReport(db=db_label or str(getattr(store, "path", "")), athlete=ath.name)
    run = _Run(store, ath.id, report, progress)
    with ExitStack() as stack:
        cands, refused = _Discovery(
            stack, None if tmp_root is None else Path(tmp_root), display_names).paths(paths)
        run.total = len(cands) + len(refused)
        for item in refused:
            run.add(item)
        todo = []
        for c in cands:
            if c.status is not None:
                run.add(ImportItem(c.source, c.status, c.reason))
            else:
                todo.append(c)
        workers = max(1, min(jobs or _cpu_count(), len(todo)))
        in_batch: dict[str, _Candidate] = {}
        deferred: list[tuple[_Candidate, str]] = []

        def ready() -> Iterator[tuple[_Candidate, str, bytes]]:
            for c in todo:
                try:
                    assert c.read is not None
                    data = maybe_gunzip(c.read(), c.source)
                    if not data:
                        raise ParseError("file is empty", path=c.source)
                except UserInputError as exc:
                    run.add(ImportItem(c.source, FAILED, exc.reason))
                    continue
                sha = hashlib.sha256(data).hexdigest()
                aid = store.has_file(ath.id, sha)
                if aid is not None:
                    if c.name or c.gear or c.external_id:  # e.g. a Strava copy of a Garmin file
                        store.link_duplicate(aid, sha256=sha, source_name=c.source,
                                             gear=c.gear, name=c.name, external_id=c.external_id)
                    run.add(ImportItem(c.source, STORED, None, aid))
                    continue
                why = store.skipped_reason(ath.id, sha)
                if why is not None:
                    run.add(ImportItem(c.source, SKIPPED, why))
                    continue
                if sha in in_batch:
                    deferred.append((c, sha))
                    continue
                in_batch[sha] = c
                yield c, sha, data

        def finish(c: _Candidate, sha: str, res: WorkResult) -> None:
            try:
                item = run.store_result(c, sha, res)
            except Exception as exc:  # the store refused this one (disk full, a bug): go on
                aid = store.has_file(ath.id, sha)
                if aid is not None:  # another import stored the same file meanwhile
                    item = ImportItem(c.source, STORED, None, aid)
                else:
                    item = ImportItem(c.source, FAILED,
                                      f"cannot store ({type(exc).__name__}: {exc})")
            run.add(item)

        if workers == 1:
            report.workers = 1
            for c, sha, data in ready():
                finish(c, sha, analyse_file(data, c.source, seed))
        else:
            report.workers = 0
            ex: ProcessPoolExecutor | None = None
            pending: dict[Future[WorkResult], tuple[_Candidate, str]] = {}
            window = 2 * workers + 2
            try:
                for c, sha, data in ready():
                    if ex is None:  # started only when something needs decoding
                        ex = stack.enter_context(_pool(workers))
                        report.workers = workers
                    pending[ex.submit(analyse_file, data, c.source, seed)] = (c, sha)
                    while len(pending) >= window:
                        _drain(pending, finish)
                while pending:
                    _drain(pending, finish)
            except BaseException:
                for f in pending:
                    f.cancel()
                if ex is not None:
                    ex.shutdown(wait=False, cancel_futures=True)
                raise
        for c, sha in deferred:
            first = in_batch[sha]
            aid = store.has_file(ath.id, sha)
            if aid is not None:
                run.add(ImportItem(c.source, STORED, f"same file as {first.source}", aid))
            else:
                prior = next((i for i in report.items if i.source == first.source), None)
                status = prior.status if prior else FAILED
                reason = prior.reason if prior else "same file as another one that failed"
                run.add(ImportItem(c.source, status, reason))
    report.elapsed_s = time.perf_counter() - t0
    return report


def _drain(
    pending: dict[Future[WorkResult], tuple[_Candidate, str]],
    finish: Callable[[_Candidate, str, WorkResult], None],
) -> None:
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for f in done:
        c, sha = pending.pop(f)
        try:
            res = f.result()
        except Exception as exc:  # the worker process died (e.g. out of memory)
            res = WorkResult(FAILED, reason=f"worker failed ({type(exc).__name__}: {exc})")
        finish(c, sha, res)

