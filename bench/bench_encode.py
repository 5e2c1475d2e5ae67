#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""FIT encoding and CRC speed, each against a baseline measured in the same run (were the
wall-clock unit tests ``test_five_hour_file_encodes_fast`` and ``test_crc_is_fast``).

    python bench/bench_encode.py [--rounds 5] [--hours 5]

- Encoding a simulated ``--hours`` run (plain and with compressed timestamps) against fitdecode
  decoding the bytes it wrote: writing should cost a fraction of reading.
- The table-driven ``crc16`` against the byte-by-byte ``crc16_reference`` (the FIT SDK loop) over
  the 3 MB shared MultiSport file (or the encoded run when the shared data is missing).

Prints medians and ratios; absolute times vary by ±40 % on the shared machine.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import fitdecode

from evenstride.io._crc import crc16, crc16_reference
from evenstride.io._fit_writer import encode_activity_fit
from evenstride.simulate import simulate_run

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("EVENSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
CRC_FILE = DATA / "goldencheetah" / "MultiSport-2019-11-24.fit"


def _median_s(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fitdecode_all(blob: bytes) -> None:
    with fitdecode.FitReader(io.BytesIO(blob), check_crc=fitdecode.CrcCheck.DISABLED) as fr:
        for _ in fr:
            pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--hours", type=float, default=5.0)
    args = ap.parse_args()
    act = simulate_run(duration_s=args.hours * 3600.0, seed=0).activity
    blob = encode_activity_fit(act)  # warm-up
    plain = _median_s(lambda: encode_activity_fit(act), args.rounds)
    packed = _median_s(lambda: encode_activity_fit(act, compressed_timestamps=True), args.rounds)
    dec = _median_s(lambda: _fitdecode_all(blob), max(1, args.rounds // 2))
    print(f"encode {args.hours:g} h ({act.n_samples:,} samples, {len(blob) / 1e6:.1f} MB): "
          f"{plain:.3f} s; compressed timestamps {packed:.3f} s")
    print(f"fitdecode decoding the same bytes: {dec:.3f} s; ratio encode / decode "
          f"{plain / dec:.3f} (compressed {packed / dec:.3f})")
    data = CRC_FILE.read_bytes() if CRC_FILE.is_file() else blob
    crc16(data)  # builds the tables
    fast = _median_s(lambda: crc16(data), args.rounds)
    ref = _median_s(lambda: crc16_reference(data), 1)
    print(f"crc16 over {len(data) / 1e6:.1f} MB: {fast * 1e3:.1f} ms; reference loop "
          f"{ref * 1e3:.0f} ms; ratio {fast / ref:.4f}")


if __name__ == "__main__":
    main()
