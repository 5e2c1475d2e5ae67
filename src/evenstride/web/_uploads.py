# SPDX-License-Identifier: MIT
"""Uploads of the web app: kept inside the store's folder, imported with the CLI's rules.

- :class:`StoreRequest` spools request bodies over 500 kB into ``<store folder>/`` +
  :data:`UPLOAD_DIR_NAME` (werkzeug's default is the system's temporary folder).
- :func:`import_uploads` saves the files whose content is an activity file or archive (sniffed,
  never by name), imports them with :func:`evenstride.importer.import_paths` and deletes them.
- :func:`import_stream` does the same in a worker thread and yields NDJSON progress lines, then
  the per-file results (the upload page's live progress).
- At most :data:`MAX_PARALLEL_IMPORTS` uploads are imported at a time; more wait for a slot.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

from flask import Flask, Request
from werkzeug.utils import secure_filename

from evenstride.exceptions import UserInputError
from evenstride.web._security import sniff_upload

__all__ = ["MAX_PARALLEL_IMPORTS", "UPLOAD_DIR_NAME", "StoreRequest", "import_stream",
           "import_uploads"]

#: Uploads imported at the same time; later ones wait for a slot (issue 14: eight gzip bombs
#: uploaded at once took 1.95 GB). Each import reads one file at a time (``jobs=1``) with the
#: importer's size limits (200 MB a member, 128 MB of gzip output), so two stay well under
#: 1 GB. Engineering bound.
MAX_PARALLEL_IMPORTS: Final = 2
_IMPORT_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_IMPORTS)

#: Temporary upload files live in this folder next to the store (never outside it).
UPLOAD_DIR_NAME = ".evenstride-uploads"


class StoreRequest(Request):
    """A request whose uploaded files are spooled inside the store's folder (werkzeug's default
    spools bodies over 500 kB to the system's temporary folder)."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> IO[bytes]:
        from flask import current_app

        if total_content_length is not None and total_content_length <= 500 * 1024:
            return io.BytesIO()
        root = Path(current_app.config["EVENSTRIDE_DB"]).parent / UPLOAD_DIR_NAME
        root.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryFile("w+b", dir=root)  # unlinked at once; gone on close


def _save_uploads(root: Path, files: list[Any]) -> tuple[Path, list[str], dict[str, str],
                                                         list[dict[str, Any]]]:
    """Save the uploads whose content is an activity file or archive into a new folder under
    ``root`` (inside the store's folder). Returns the folder, the saved paths, their shown names
    and a failed item for each file refused by its content."""
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    paths: list[str] = []
    names: dict[str, str] = {}
    refused: list[dict[str, Any]] = []
    try:
        for i, f in enumerate(files):
            shown = (f.filename or f"file {i + 1}").replace("\\", "/").rsplit("/", 1)[-1][:200]
            head = f.stream.read(512)
            f.stream.seek(0)
            kind = sniff_upload(head)
            if kind is None:
                refused.append({"source": shown, "status": "failed", "activity_id": None,
                                "reason": "not an activity file or export archive (FIT, TCX, "
                                          "GPX, .gz or .zip by content)"})
                continue
            target = work / f"{i:03d}-{secure_filename(shown) or 'upload'}"
            if kind == "zip" and target.suffix.lower() != ".zip":
                target = target.with_name(target.name + ".zip")
            f.save(target)
            paths.append(str(target))
            names[str(target)] = shown
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work, paths, names, refused


def _run_import(db: Path, athlete_id: int, paths: list[str], names: dict[str, str],
                progress: Callable[[int, int, str], None] | None = None
                ) -> tuple[list[dict[str, Any]], str | None]:
    """Import saved uploads with the CLI's rules (own store connection: may run in a thread)
    for the athlete resolved by the request (by id: a rename meanwhile keeps them theirs).
    Returns the items and the athlete's name at import time (None when nothing was imported)."""
    from evenstride.services.imports import import_files, item_rows
    from evenstride.store import open_store

    if not paths:
        return [], None
    with _IMPORT_SLOTS, open_store(db) as st:
        report = import_files(st, paths, athlete_id=athlete_id, jobs=1, db_label=db.name,
                              tmp_root=db.parent / UPLOAD_DIR_NAME, display_names=names,
                              progress=progress)
    return item_rows(report), report.athlete


def import_uploads(app: Flask, athlete: Any, files: list[Any]) -> list[dict[str, Any]]:
    """Save uploads inside the store's folder, import them with the CLI's rules, delete them."""
    db: Path = app.config["EVENSTRIDE_DB"]
    work, paths, names, items = _save_uploads(db.parent / UPLOAD_DIR_NAME, files)
    try:
        items += _run_import(db, athlete.id, paths, names)[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return items


def import_stream(app: Flask, athlete: Any, files: list[Any]) -> Iterator[str]:
    """The import as NDJSON lines: ``{"progress": done, "total": n, "source": name}`` after
    each file, then ``{"items": [...], "new": n}``. The uploads are saved now (while the
    request is open); the import runs in a thread so progress can be sent while it works, and
    it finishes (and cleans up) even if the browser goes away."""
    db: Path = app.config["EVENSTRIDE_DB"]
    saved = _save_uploads(db.parent / UPLOAD_DIR_NAME, files)
    return _stream_import(app, db, athlete.id, *saved)


def _stream_import(app: Flask, db: Path, athlete_id: int, work: Path, paths: list[str],
                   names: dict[str, str], refused: list[dict[str, Any]]) -> Iterator[str]:
    import queue

    q: queue.Queue[tuple[str, Any]] = queue.Queue()

    def progress(done: int, total: int, source: str) -> None:
        q.put(("progress", {"progress": done, "total": total,
                            "source": source.split("!")[-1].rsplit("/", 1)[-1]}))

    def work_thread() -> None:
        out: tuple[str, Any] = ("error", "the import failed on our side; the terminal running "
                                         "'evenstride serve' shows the details")
        try:
            items, name = _run_import(db, athlete_id, paths, names, progress)
            out = ("done", items)
            warm = app.extensions.get("evenstride_warm")
            if warm is not None and name is not None:  # the history pages viewed next find
                warm.warm(name)                          # the new runs built
        except UserInputError as exc:
            out = ("error", str(exc))
        except Exception:  # a bug: logged, one line to the page
            app.logger.exception("upload import failed")
        finally:
            shutil.rmtree(work, ignore_errors=True)  # before the page hears it is done
            q.put(out)

    # started now, not when the response is first read: the import and the clean-up happen
    # whatever the browser does
    threading.Thread(target=work_thread, name="evenstride-upload", daemon=True).start()

    def lines() -> Iterator[str]:
        while True:
            kind, payload = q.get()
            if kind == "progress":
                yield json.dumps(payload, ensure_ascii=False) + "\n"
            elif kind == "error":
                yield json.dumps({"error": payload}, ensure_ascii=False) + "\n"
                return
            else:
                items = refused + payload
                yield json.dumps({"items": items,
                                  "new": sum(1 for it in items if it["status"] == "new")},
                                 ensure_ascii=False) + "\n"
                return

    return lines()
