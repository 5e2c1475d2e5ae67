# SPDX-License-Identifier: MIT
"""Import files, folders and export archives into an open store (``evenstride import`` and the
web app's uploads): one set of rules, :func:`evenstride.importer.import_paths`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["import_files", "item_rows"]


def import_files(
    store: Any,
    paths: Sequence[str | os.PathLike[str]],
    *,
    athlete: str | None = None,
    athlete_id: int | None = None,
    jobs: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    db_label: str | None = None,
    tmp_root: str | os.PathLike[str] | None = None,
    display_names: Mapping[str, str] | None = None,
) -> Any:
    """Import ``paths`` for the athlete ``athlete_id`` (or named ``athlete``, created when
    new); returns the :class:`evenstride.importer.ImportReport`. Importing twice stores
    nothing twice; the same run from two exports is stored once (the richer file is kept)."""
    from evenstride.importer import import_paths
    from evenstride.store import DEFAULT_ATHLETE

    return import_paths(paths, store, athlete=athlete or DEFAULT_ATHLETE, athlete_id=athlete_id,
                        jobs=jobs, seed=seed, progress=progress, db_label=db_label,
                        tmp_root=tmp_root, display_names=display_names)


def item_rows(report: Any) -> list[dict[str, Any]]:
    """Each file of an import: source, status, reason and the stored activity's id."""
    return [{"source": it.source, "status": it.status, "reason": it.reason,
             "activity_id": it.activity_id} for it in report.items]
