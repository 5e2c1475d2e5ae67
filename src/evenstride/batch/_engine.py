# SPDX-License-Identifier: MIT
"""The batch on Dask: discovery on the client, then three stages of tasks of about
``chunk_size`` files (the central scheduler wants ~100 files per task at a million files).

1. **hash** — each task reads its files and returns their content hashes (cheap: I/O only).
   The client drops hashes the manifest already holds (same code version) and repeats of one
   content within the batch (the first source, in sorted order, is kept).
2. **analyse** — each task reads its files again, checks each hash, runs the unit of work
   (:func:`evenstride.batch._unit.analyse_unit`) and writes its ``docs``, ``summary`` and
   ``errors`` parts; the client writes the task's manifest part when the task is done.
3. **history** — one task per athlete bucket with new runs: the same run from another export
   per athlete (the import's rule, ``duplicates/``), then ``build_history`` per athlete over
   the runs kept.

A worker that dies mid-task is replaced (LocalCluster's nanny; a real cluster's deployment) and
its tasks rerun by the scheduler; the parts are named after the task, so a rerun task
overwrites its own parts: no duplicates. Tasks that still fail leave no manifest part: the next
batch redoes them (no gaps).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from evenstride.batch._inputs import Locator, discover, read_locator
from evenstride.batch._lake import (
    DEFAULT_BUCKETS,
    LAKE_SCHEMA,
    Lake,
    duplicates_schema,
    errors_schema,
    manifest_schema,
    summary_schema,
)
from evenstride.batch._unit import (
    FAILED,
    OK,
    analyse_unit,
    bucket_of,
    code_version,
    content_hash,
    unwrap,
)
from evenstride.exceptions import UserInputError

DEFAULT_CHUNK: Final = 100
#: Times the scheduler reruns a task whose worker died before it gives up on the task.
ALLOWED_FAILURES: Final = 3

#: ``progress(stage, done, total)``
Progress = Callable[[str, int, int], None]


@dataclass
class BatchReport:
    """What one batch did."""

    lake: str
    code_version: str
    discovered: int = 0
    already_in_lake: int = 0
    same_content: int = 0
    analysed: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    tasks: int = 0
    failed_tasks: list[str] = field(default_factory=list)
    history_buckets: int = 0
    #: dropped copies (same run from another export) in the buckets stage 3 recomputed
    duplicates_found: int = 0
    removed_uncommitted_parts: int = 0
    superseded_version: str | None = None
    workers: int = 0
    elapsed_s: float = 0.0
    analyse_s: float = 0.0
    messages: list[str] = field(default_factory=list)

    @property
    def files_per_s(self) -> float:
        return self.analysed / self.analyse_s if self.analyse_s > 0 else 0.0

    @property
    def exit_code(self) -> int:
        return 2 if (self.failed or self.failed_tasks) else 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["schema"] = "evenstride.batch/1"
        d["files_per_s"] = round(self.files_per_s, 2)
        d["elapsed_s"] = round(self.elapsed_s, 2)
        d["analyse_s"] = round(self.analyse_s, 2)
        return d


# --- tasks (run on workers) ----------------------------------------------------------------
def hash_task(locs: Sequence[Locator]) -> list[tuple[Locator, str | None, str | None]]:
    """Content hash of each file, or the one-line reason it cannot be read."""
    out: list[tuple[Locator, str | None, str | None]] = []
    for loc in locs:
        try:
            out.append((loc, content_hash(unwrap(read_locator(loc), loc.source)), None))
        except Exception as exc:  # one file's problem, never the task's
            out.append((loc, None, _reason(exc)))
    return out


def _reason(exc: BaseException) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return f"cannot read ({msg})"


def task_key(shas: Sequence[str], version: str) -> str:
    h = hashlib.sha256(version.encode())
    for s in sorted(shas):
        h.update(s.encode())
    return h.hexdigest()[:20]


def analyse_task(items: Sequence[tuple[Locator, str]], lake_url: str, n_buckets: int,
                 version: str, seed: int = 0) -> list[dict[str, Any]]:
    """Analyse a chunk, write its data parts, return its manifest rows (runs on a worker)."""
    if code_version() != version:
        raise RuntimeError(f"this worker runs evenstride {code_version()}, the client "
                           f"{version}: install the same version everywhere")
    lake = Lake(lake_url)
    task = task_key([s for _, s in items], version)
    docs: dict[int, list[dict[str, Any]]] = {}
    rows: dict[int, list[dict[str, Any]]] = {}
    errors: list[dict[str, Any]] = []
    manifest: list[dict[str, Any]] = []
    for loc, sha in items:
        bucket = bucket_of(loc.athlete_id, n_buckets)
        reason: str | None
        try:
            data = read_locator(loc)
        except Exception as exc:  # one file's problem, never the task's
            u = None
            status, reason = FAILED, _reason(exc)
        else:
            u = analyse_unit(data, loc.source, loc.athlete_id, n_buckets, seed=seed)
            status, reason = u.status, u.reason
            if u.sha256 != sha:
                u, status, reason = None, FAILED, "file changed during the batch"
        if u is not None and status == OK and u.doc is not None:
            docs.setdefault(bucket, []).append({
                "sha256": sha, "athlete_id": loc.athlete_id, "source": loc.source,
                "code_version": version, "load": u.load, "n_columns": u.n_columns,
                "doc": u.doc})
            rows.setdefault(bucket, []).extend(u.rows)
        else:
            errors.append({"sha256": sha, "source": loc.source, "athlete_id": loc.athlete_id,
                           "bucket": bucket, "status": status, "reason": reason,
                           "code_version": version})
        manifest.append({"key": sha, "sha256": sha, "source": loc.source,
                         "athlete_id": loc.athlete_id, "bucket": bucket, "status": status,
                         "task": task, "code_version": version})
    for b, recs in docs.items():
        lake.write_jsonl(lake.path("docs", f"bucket={b:03d}", f"part-{task}.jsonl.gz"), recs)
    for b, rs in rows.items():
        lake.write_parquet(lake.path("summary", f"bucket={b:03d}", f"part-{task}.parquet"), rs,
                           summary_schema())
    if errors:
        lake.write_parquet(lake.path("errors", f"part-{task}.parquet"), errors, errors_schema())
    return manifest


def history_task(lake_url: str, bucket: int, version: str, history: bool = True
                 ) -> dict[str, Any]:
    """Stage 3 for one bucket (runs on a worker): the same run from another export, per athlete
    (:func:`evenstride.batch._dedup.bucket_duplicates`, the import's rule), written whole to
    ``duplicates/bucket=NNN/duplicates.parquet``; then, unless ``history`` is false, each
    athlete's ``build_history`` over their runs in the lake without the dropped copies, written
    to ``history/bucket=NNN/history.jsonl.gz``."""
    from evenstride.batch._dedup import bucket_duplicates
    from evenstride.batch._history import bucket_histories

    lake = Lake(lake_url)
    parts = lake.files(f"docs/bucket={bucket:03d}", ".jsonl.gz")
    dups = bucket_duplicates((r for p in parts for r in lake.read_jsonl(p)), bucket, version)
    lake.write_parquet(lake.path("duplicates", f"bucket={bucket:03d}", "duplicates.parquet"),
                       dups, duplicates_schema())
    res: dict[str, Any] = {"bucket": bucket, "duplicates": len(dups)}
    if history:
        dropped = {d["dropped_sha256"] for d in dups}
        out = bucket_histories((r for p in parts for r in lake.read_jsonl(p)
                                if r["sha256"] not in dropped), version)
        lake.write_jsonl(lake.path("history", f"bucket={bucket:03d}", "history.jsonl.gz"), out)
        res.update(athletes=len(out), errors=sum(1 for r in out if r.get("error")))
    return res


# --- client ---------------------------------------------------------------------------------
def _chunks(xs: Sequence[Any], n: int) -> list[list[Any]]:
    return [list(xs[i:i + n]) for i in range(0, len(xs), n)]


def _client(scheduler: str | None, workers: int | None, memory_limit: str | None) -> Any:
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise UserInputError(f"cannot reach the Dask scheduler {scheduler!r} "
                                 f"({' '.join(str(exc).split())})") from None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, memory_limit=memory_limit or "auto",
                           dashboard_address=":0", silence_logs=logging.ERROR)
    return Client(cluster)


def run_batch(
    inputs: Sequence[str],
    out: str,
    *,
    athlete: str | None = None,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    memory_limit: str | None = None,
    n_buckets: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    seed: int = 0,
    history: bool = True,
    progress: Progress | None = None,
    on_task_done: Callable[[int], None] | None = None,
) -> BatchReport:
    """Run the batch (see the module docstring); returns its :class:`BatchReport`.

    ``client``: an existing ``dask.distributed.Client`` (tests, notebooks); otherwise one is
    made for ``scheduler`` (an address) or a new LocalCluster of ``workers`` processes (default
    one per core) with ``memory_limit`` per worker (Dask's syntax, "2GiB"; default "auto":
    the machine's memory shared out). ``on_task_done(n)`` is called after the n-th analyse task
    is committed (the tests kill a worker there).
    """
    t0 = time.perf_counter()
    if chunk_size < 1:
        raise UserInputError(f"--chunk-size must be at least 1 (got {chunk_size})")
    if n_buckets is not None and not 1 <= n_buckets <= 4096:
        raise UserInputError(f"--buckets must be 1–4096 (got {n_buckets})")
    version = code_version()
    try:
        lake = Lake(out)
    except (ValueError, ImportError) as exc:
        raise UserInputError(f"cannot open the lake ({exc})", path=out) from None
    rep = BatchReport(lake=out, code_version=version)
    meta = lake.meta()
    if meta is not None and meta.get("schema") != LAKE_SCHEMA:
        raise UserInputError(f"not an evenstride lake ({LAKE_SCHEMA})", path=out)
    if meta is None and lake.fs.exists(lake.root) and [
            p for p in lake.fs.ls(lake.root, detail=False)
            if p.rstrip("/").rsplit("/", 1)[-1] != "superseded"]:  # cut short after a move
        raise UserInputError("folder exists and is not an evenstride lake; name a new or "
                             "empty folder", path=out)
    if meta is not None and n_buckets is not None and meta["n_buckets"] != n_buckets:
        raise UserInputError(f"this lake has {meta['n_buckets']} athlete buckets, not "
                             f"{n_buckets}; use a new lake to change them", path=out)
    nb = int(meta["n_buckets"]) if meta is not None else (n_buckets or DEFAULT_BUCKETS)
    locs, unreadable = discover(list(inputs), athlete)  # bad inputs fail before any work
    rep.discovered = len(locs) + len(unreadable)
    if meta is not None and meta.get("code_version") != version:
        old = str(meta.get("code_version"))
        lake.supersede(old)
        rep.superseded_version = old
        rep.messages.append(f"code version changed ({old} → {version}): recomputing every "
                            f"file; the old lake is in superseded/{old}/")
        meta = None
    if meta is None:
        lake.fs.makedirs(lake.root, exist_ok=True)
        lake.write_json(lake.path("_lake.json"), {"schema": LAKE_SCHEMA, "code_version": version,
                                                  "n_buckets": nb})
    done = lake.manifest()
    committed = {r["task"] for r in done}
    rep.removed_uncommitted_parts = lake.remove_uncommitted(committed)
    if rep.removed_uncommitted_parts:
        rep.messages.append(f"resumed: removed {rep.removed_uncommitted_parts} parts of tasks "
                            "an interrupted batch had not finished")
    known = {r["key"] for r in done}

    # unreadable inputs (corrupt zips) are errors at once, written by the client
    new_bad = [u for u in unreadable if f"src:{u.source}" not in known]
    if new_bad:
        _client_errors(lake, [(u.source, u.athlete_id, u.reason) for u in new_bad], nb, version)
        rep.failed += len(new_bad)
        known.update(f"src:{u.source}" for u in new_bad)

    own = client is None
    cl = client if client is not None else _client(scheduler, workers, memory_limit)
    try:
        rep.workers = len(cl.scheduler_info().get("workers", {}))
        from dask.distributed import as_completed

        # stage 1: hashes
        hchunks = _chunks(locs, chunk_size)
        futs = cl.map(hash_task, hchunks, key=[f"hash-{task_key([c.source for c in ch], version)}"
                                                for ch in hchunks], retries=1)
        hashed: list[tuple[Locator, str | None, str | None]] = []
        for i, f in enumerate(as_completed(futs), 1):
            hashed.extend(f.result())
            if progress:
                progress("hash", i, len(hchunks))
        todo: list[tuple[Locator, str]] = []
        seen: set[str] = set()
        read_errors = []
        for loc, sha, why in sorted(hashed, key=lambda x: x[0].source):
            if sha is None:
                if f"src:{loc.source}" not in known:
                    read_errors.append((loc.source, loc.athlete_id, why or "cannot read"))
                continue
            if sha in known:
                rep.already_in_lake += 1
            elif sha in seen:
                rep.same_content += 1
            else:
                seen.add(sha)
                todo.append((loc, sha))
        if read_errors:
            _client_errors(lake, read_errors, nb, version)
            rep.failed += len(read_errors)

        # stage 2: analysis
        t1 = time.perf_counter()
        achunks = _chunks(todo, chunk_size)
        rep.tasks = len(achunks)
        keys = [f"analyse-{task_key([s for _, s in ch], version)}" for ch in achunks]
        afuts = cl.map(analyse_task, achunks, lake_url=out, n_buckets=nb, version=version,
                       seed=seed, key=keys, retries=1)
        new_buckets: set[int] = set()
        n_done = 0
        for f in as_completed(afuts):
            try:
                mrows = f.result()
            except Exception as exc:  # the task failed on every try: its files wait for a rerun
                rep.failed_tasks.append(f"{f.key}: {type(exc).__name__}: "
                                        f"{' '.join(str(exc).split())}")
                continue
            lake.write_parquet(lake.path("manifest", f"part-{mrows[0]['task']}.parquet"), mrows,
                               manifest_schema())
            n_done += 1
            for r in mrows:
                rep.analysed += 1
                if r["status"] == OK:
                    rep.ok += 1
                    new_buckets.add(int(r["bucket"]))
                elif r["status"] == FAILED:
                    rep.failed += 1
                else:
                    rep.skipped += 1
            if progress:
                progress("analyse", n_done, len(achunks))
            if on_task_done:
                on_task_done(n_done)
        rep.analyse_s = time.perf_counter() - t1

        # stage 3: duplicates and per-athlete history, per bucket with new runs (or without
        # them written yet)
        have_docs = {_bucket_dir(p) for p in lake.files("docs", ".jsonl.gz")}
        have_dups = {_bucket_dir(p) for p in lake.files("duplicates", ".parquet")}
        have_hist = ({_bucket_dir(p) for p in lake.files("history", ".jsonl.gz")} if history
                     else have_docs)
        todo_b = sorted(b for b in have_docs if b is not None and (
            b in new_buckets or b not in have_hist or b not in have_dups))
        hfuts = cl.map(history_task, [out] * len(todo_b), todo_b, version=version,
                       history=history,
                       key=[f"history-{version}-{b}-{int(history)}-"
                            f"{task_key(sorted(seen), version)}" for b in todo_b], retries=1)
        for i, f in enumerate(as_completed(hfuts), 1):
            try:
                r = f.result()
                rep.history_buckets += 1
                rep.duplicates_found += int(r["duplicates"])
            except Exception as exc:
                rep.failed_tasks.append(f"{f.key}: {type(exc).__name__}: "
                                        f"{' '.join(str(exc).split())}")
            if progress:
                progress("history", i, len(todo_b))
    finally:
        if own:
            cluster = getattr(cl, "cluster", None)
            cl.close()
            if cluster is not None:
                cluster.close()
    rep.elapsed_s = time.perf_counter() - t0
    return rep


def _bucket_dir(path: str) -> int | None:
    for part in path.split("/"):
        if part.startswith("bucket="):
            return int(part[len("bucket="):])
    return None


def _client_errors(lake: Lake, items: list[tuple[str, str, str]], nb: int, version: str) -> None:
    task = "read-" + task_key([s for s, _, _ in items], version)
    rows = [{"sha256": None, "source": s, "athlete_id": a, "bucket": bucket_of(a, nb),
             "status": FAILED, "reason": r, "code_version": version} for s, a, r in items]
    lake.write_parquet(lake.path("errors", f"part-{task}.parquet"), rows, errors_schema())
    lake.write_parquet(lake.path("manifest", f"part-{task}.parquet"),
                       [{"key": f"src:{r['source']}", "sha256": None, "source": r["source"],
                         "athlete_id": r["athlete_id"], "bucket": r["bucket"],
                         "status": FAILED, "task": task, "code_version": version}
                        for r in rows], manifest_schema())
