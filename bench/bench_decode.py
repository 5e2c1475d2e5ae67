# SPDX-License-Identifier: MIT
"""Decode speed: evenstride's columnar FIT decoder against fitdecode and garmin-fit-sdk.

Run from the repository root::

    python bench/bench_decode.py              # 5 interleaved rounds
    python bench/bench_decode.py --rounds 9 --files MultiSport-2019-11-24.fit

Every round decodes each file once with every parser, in a new random order (``gc.collect()``
runs before each timed decode), so all parsers see the same machine conditions (the shared
machine varies by ±40 % between runs; read the ratios). The table
gives the median time per decode, records per second and the ratio to our decoder (with CRC)
measured in the same run.

What "decode" means for each parser:

- ``evenstride`` / ``evenstride, no CRC``: :func:`decode_fit` (every message, as columns).
- ``fitdecode fast``: ``FitReader(check_crc=CrcCheck.DISABLED, processor=DataProcessorBase())``,
  iterating every frame and building one ``{name: value}`` dict per record.
- ``fitdecode defaults``: ``FitReader(data)``, same loop.
- ``garmin-fit-sdk fast``: ``Decoder.read(convert_datetimes_to_dates=False,
  enable_crc_check=False, merge_heart_rates=False, convert_types_to_strings=False)``
  (libs.md footnote 1); ``garmin-fit-sdk defaults``: ``Decoder.read()``.

Real files come from ``../shared/data`` (or ``$EVENSTRIDE_SHARED_DATA``); they are never copied.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evenstride.io._fit_decode import decode_fit

#: The largest shared files plus a one-hour run.
DEFAULT_FILES = (
    "goldencheetah/MultiSport-2019-11-24.fit",
    "sports-lib/tri_4623204522_fr935.fit",
    "python-fitparse/activity-large-fenxi2-multisport.fit",
    "sports-lib/run_6860622783_fr945_treadmill.fit",
)


def _shared_data_dir() -> Path:
    env = os.environ.get("EVENSTRIDE_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _ours(data: bytes) -> int:
    return len(decode_fit(data).messages["record"]["_index"])


def _ours_no_crc(data: bytes) -> int:
    return len(decode_fit(data, check_crc=False).messages["record"]["_index"])


def _fitdecode(fast: bool) -> Callable[[bytes], int]:
    import fitdecode

    def run(data: bytes) -> int:
        kwargs = (
            {"check_crc": fitdecode.CrcCheck.DISABLED, "processor": fitdecode.DataProcessorBase()}
            if fast
            else {}
        )
        rows = []
        with fitdecode.FitReader(data, **kwargs) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                    rows.append({f.name: f.value for f in frame.fields})
        return len(rows)

    return run


def _garmin(fast: bool) -> Callable[[bytes], int]:
    from garmin_fit_sdk import Decoder, Stream

    def run(data: bytes) -> int:
        decoder = Decoder(Stream.from_byte_array(bytearray(data)))
        if fast:
            messages, _errors = decoder.read(
                convert_datetimes_to_dates=False,
                enable_crc_check=False,
                merge_heart_rates=False,
                convert_types_to_strings=False,
            )
        else:
            messages, _errors = decoder.read()
        return len(messages.get("record_mesgs", []))

    return run


def _parsers(include_others: bool) -> dict[str, Callable[[bytes], int]]:
    parsers: dict[str, Callable[[bytes], int]] = {
        "evenstride": _ours,
        "evenstride, no CRC": _ours_no_crc,
    }
    if include_others:
        parsers["fitdecode fast"] = _fitdecode(fast=True)
        parsers["fitdecode defaults"] = _fitdecode(fast=False)
        try:
            parsers["garmin-fit-sdk fast"] = _garmin(fast=True)
            parsers["garmin-fit-sdk defaults"] = _garmin(fast=False)
        except ImportError:
            print("garmin-fit-sdk not installed: skipped", file=sys.stderr)
    return parsers


def bench(paths: list[Path], rounds: int, include_others: bool) -> list[dict[str, object]]:
    """Interleaved rounds over files × parsers; returns one result row per (file, parser)."""
    parsers = _parsers(include_others)
    blobs = {p: p.read_bytes() for p in paths}
    times: dict[tuple[Path, str], list[float]] = {(p, n): [] for p in paths for n in parsers}
    records: dict[tuple[Path, str], int] = {}
    for p in paths:  # warm-up (imports, profile caches), not timed
        _ours(blobs[p])
    names = list(parsers)
    rng = random.Random(0)
    for r in range(rounds):
        for p in paths:
            # a new random order each time: the parser that runs right after a memory-hungry
            # one pays for page faults, so nobody should always sit in that seat
            order = rng.sample(names, len(names))
            for name in order:
                fn = parsers[name]
                gc.collect()  # the previous parser's garbage is not charged to this one
                t0 = time.perf_counter()
                n = fn(blobs[p])
                times[(p, name)].append(time.perf_counter() - t0)
                records[(p, name)] = n
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    rows = []
    for p in paths:
        ours = statistics.median(times[(p, "evenstride")])
        for name in parsers:
            med = statistics.median(times[(p, name)])
            n = records[(p, name)]
            rows.append(
                {
                    "file": p.name,
                    "kb": len(blobs[p]) / 1024,
                    "parser": name,
                    "records": n,
                    "median_ms": med * 1e3,
                    "min_ms": min(times[(p, name)]) * 1e3,
                    "records_per_s": n / med if med else float("nan"),
                    "ratio": med / ours,
                }
            )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    print("| file | KB | parser | records | median ms | min ms | records/s | × ours |")
    print("|---|---|---|---|---|---|---|---|")
    last = None
    for row in rows:
        name = row["file"] if row["file"] != last else ""
        kb = f"{row['kb']:,.0f}" if row["file"] != last else ""
        last = row["file"]
        print(
            f"| {name} | {kb} | {row['parser']} | {row['records']:,} | {row['median_ms']:,.1f} "
            f"| {row['min_ms']:,.1f} | {row['records_per_s']:,.0f} | ×{row['ratio']:,.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--files", nargs="*", help="file names or paths (default: the large files)")
    ap.add_argument("--ours-only", action="store_true", help="skip fitdecode and garmin-fit-sdk")
    args = ap.parse_args(argv)
    root = _shared_data_dir()
    wanted = args.files or list(DEFAULT_FILES)
    paths = []
    for w in wanted:
        p = Path(w)
        if not p.exists():
            hits = sorted(root.glob(f"**/{p.name}")) if root.is_dir() else []
            p = hits[0] if hits else root / w
        if not p.exists():
            print(f"missing: {w} (set EVENSTRIDE_SHARED_DATA)", file=sys.stderr)
            return 1
        paths.append(p)
    rows = bench(paths, args.rounds, include_others=not args.ours_only)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
