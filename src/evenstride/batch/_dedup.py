# SPDX-License-Identifier: MIT
"""The same run from another export, per athlete, with the single-machine import's rule.

The import (:mod:`evenstride.importer`, ``_Run._store_ok``) decides, file by file, against the
activities it has kept so far: a recording whose :class:`evenstride.store.Fingerprint` (start
within 60 s, duration and distance within 2 %) matches a kept activity's — the one with the
closest start, then the one kept first, as :meth:`SQLiteStore.find_duplicate` orders them — is
the same run; the copy with the higher :func:`evenstride.store.richness` (left/right channels,
then FIT > TCX > GPX, then sample columns) is kept, and on equal richness the one kept first
stays. :func:`resolve` replays exactly that over one athlete's lake records, in sorted source
order (the order ``import`` meets the files of one folder with ``--jobs 1``).

Not replayed: the import's truncated-copy rule (a copy cut short, matched by comparing samples),
because the lake holds no samples; see docs/scale.md.

The result is a derived table, recomputed whole per athlete bucket from the bucket's documents
(``duplicates/bucket=NNN/duplicates.parquet``): a rerun on the same documents writes the same
rows, and a later batch that adds a richer copy moves the "kept" mark without touching the
append-only ``docs/`` and ``summary/`` parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from evenstride.store import Fingerprint, richness

REASON_RICHER: Final = ("same run from another export (start within 60 s, duration and "
                        "distance within 2 %); kept the richer file")
REASON_FIRST: Final = ("same run from another export (start within 60 s, duration and "
                       "distance within 2 %); equally rich: kept the first source")


@dataclass(frozen=True)
class Copy:
    """One run of the lake as the rule sees it."""

    sha256: str
    source: str
    file_format: str | None
    fingerprint: Fingerprint | None
    richness: int


def copy_of(rec: dict[str, Any]) -> Copy:
    """A lake ``docs`` record (``sha256``, ``source``, ``doc``, ``n_columns``) as a
    :class:`Copy`."""
    doc = rec["doc"]
    return Copy(str(rec["sha256"]), str(rec["source"]), doc.get("file_format"),
                Fingerprint.from_doc(doc), richness(doc, int(rec.get("n_columns") or 0)))


def resolve(copies: Sequence[Copy]) -> list[dict[str, Any]]:
    """One athlete's duplicate pairs: ``{kept_*, dropped_*, reason}`` per dropped copy, the
    kept copy being the one that survives all later copies (as the import relinks them)."""
    kept: list[Copy] = []  # in the order kept, as the store's activity ids
    dropped: list[tuple[Copy, Copy, str]] = []  # (dropped, the copy it lost to, reason)
    for c in sorted(copies, key=lambda x: (x.source, x.sha256)):
        fp = c.fingerprint
        match = None
        if fp is not None:
            cands = [(abs(k.fingerprint.start_ts - fp.start_ts), i) for i, k in enumerate(kept)
                     if k.fingerprint is not None and fp.matches(k.fingerprint)]
            if cands:
                match = kept[min(cands)[1]]
        if match is None:
            kept.append(c)
        elif c.richness > match.richness:  # the new activity gets a new (higher) id
            kept.remove(match)
            kept.append(c)
            dropped.append((match, c, REASON_RICHER))
        else:
            dropped.append((c, match, REASON_RICHER if c.richness < match.richness
                            else REASON_FIRST))
    # a copy dropped for one that was itself replaced later points at the final kept copy
    winner = {d.sha256: k for d, k, _ in dropped}
    out = []
    for d, k, why in dropped:
        while k.sha256 in winner:
            k = winner[k.sha256]
        out.append({"kept_sha256": k.sha256, "kept_source": k.source,
                    "kept_format": k.file_format, "dropped_sha256": d.sha256,
                    "dropped_source": d.source, "dropped_format": d.file_format,
                    "reason": why})
    return sorted(out, key=lambda r: (r["kept_source"], r["dropped_source"]))


def bucket_duplicates(recs: Iterable[dict[str, Any]], bucket: int,
                      version: str) -> list[dict[str, Any]]:
    """The duplicate rows of one athlete bucket's ``docs`` records."""
    by_athlete: dict[str, list[Copy]] = {}
    for r in recs:
        by_athlete.setdefault(str(r["athlete_id"]), []).append(copy_of(r))
    return [{"athlete_id": a, "bucket": bucket, **row, "code_version": version}
            for a in sorted(by_athlete) for row in resolve(by_athlete[a])]
