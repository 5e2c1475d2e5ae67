#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Video throughput on the real treadmill clip (or any clip): ms per frame and real-time factor.

    python bench/bench_video.py [CLIP] [--rounds 2]

The machine is shared: the load average (``uptime``) is printed before and after, and the
rounds interleave the paths so that load changes hit them alike.

Measured in the same run, each the median over ``--rounds``:

- **decode only** (the baseline: OpenCV/FFmpeg decoding to RGB, what any video tool pays);
- **scout only** (every ~1/3 s, up to 3 people per frame, IMAGE mode, decoding every frame
  and skipping): what the scout costs on its own; in the scout option it rides along the
  one-person pass, which decodes every frame anyway;
- **decode + pose**, the pose paths in the same run: the **3-person** tracking path (the
  default, as ``pose_from_video`` runs it), the **scout** option (one person, or up to 3 as
  the scout decides; faster, but it reads the far knee low, docs/steps.md), the one-person
  Tasks path without the scout (``num_poses=1``: what the scout adds), and the one-person
  **solutions** path (the fallback);
- **post-processing** (cleaning, view, contacts, per-step metrics, run engine) on the default
  path's landmarks.

Real-time factor = clip duration / processing time (> 1 = faster than real time). The ratio pose
/ decode says how much the model costs on top of decoding on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT = "video-running/zzzhushi_male_side_treadmill.mp4"


def _clip(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    root = Path(os.environ.get("EVENSTRIDE_SHARED_DATA",
                               Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    return root / DEFAULT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("clip", nargs="?")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    clip = _clip(args.clip)
    if not clip.is_file():
        sys.exit(f"bench_video: {clip}: not found (give a clip or set EVENSTRIDE_SHARED_DATA)")

    from evenstride.io.video import iter_frames, probe_video
    from evenstride.pipeline import analyze
    from evenstride.steps.video import analyze_pose, estimate_pose, scout_step
    from evenstride.steps.video._pose import scout_people, task_bundle

    info = probe_video(clip)
    step = scout_step(info.fps)
    print("load before:", _uptime())
    paths = ("scout", "1, no scout", "3 people", "solutions")
    t_dec: list[float] = []
    t_scout: list[float] = []
    t_pose: dict[str, list[float]] = {p: [] for p in paths}
    t_post: list[float] = []
    n = 0
    model = ""
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        n = sum(1 for _ in iter_frames(clip))
        t_dec.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scout_people(iter_frames(clip, step=step), step=step, bundle=task_bundle())
        t_scout.append(time.perf_counter() - t0)
        for p in paths:
            os.environ["EVENSTRIDE_POSE_BACKEND"] = "solutions" if p == "solutions" else "tasks"
            t0 = time.perf_counter()
            pose = estimate_pose(
                iter_frames(clip), fps=info.fps, width=info.width, height=info.height,
                rewind=(lambda: iter_frames(clip)) if p == "scout" else None,
                num_poses={"3 people": 3, "1, no scout": 1}.get(p))
            t_pose[p].append(time.perf_counter() - t0)
            if p == "3 people":  # the default: what pose_from_video runs
                model = pose.model
                t0 = time.perf_counter()
                va = analyze_pose(pose, path=str(clip), info=info)
                analyze(va.activity)
                t_post.append(time.perf_counter() - t0)
    os.environ.pop("EVENSTRIDE_POSE_BACKEND", None)
    dur = n / info.fps
    dec, post = statistics.median(t_dec), statistics.median(t_post)
    scout = statistics.median(t_scout)
    print(f"clip: {clip.name}, {info.width}x{info.height}, {info.fps:.2f} fps, {n} frames, "
          f"{dur:.1f} s; {os.cpu_count()} cores; median of {args.rounds} rounds")
    print(f"default path (3 people) ran: {model}")
    print(f"decode only (baseline):   {1000 * dec / n:7.2f} ms/frame, real-time factor "
          f"{dur / dec:6.1f}")
    print(f"scout only (1 in {step}):    {1000 * scout / n:7.2f} ms/frame of the clip "
          f"({1000 * scout / max(1, -(-n // step)):.0f} ms per scouted frame)")
    ps = {p: statistics.median(t_pose[p]) for p in paths}
    for p in paths:
        print(f"decode + pose ({p:11s}): {1000 * ps[p] / n:7.2f} ms/frame, real-time factor "
              f"{dur / ps[p]:6.2f}  ({ps[p] / dec:.1f}x decode only)")
    print(f"scout / 3 people (default): {ps['scout'] / ps['3 people']:.2f}x")
    print(f"3 people / solutions:     {ps['3 people'] / ps['solutions']:.2f}x")
    print(f"1, no scout / solutions:  {ps['1, no scout'] / ps['solutions']:.2f}x")
    print(f"scout riding along:       {1000 * (ps['scout'] - ps['1, no scout']) / n:+7.2f} "
          "ms/frame (scout - 1, no scout)")
    print(f"post-processing:          {1000 * post / n:7.2f} ms/frame ({1000 * post:.0f} ms for "
          "the clip: cleaning, contacts, metrics, engine)")
    for p in ("3 people", "scout"):
        total = ps[p] + post
        print(f"whole chain ({p:9s}):  {1000 * total / n:7.2f} ms/frame, real-time factor "
              f"{dur / total:6.2f}")
    print("load after:", _uptime())


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())

if __name__ == "__main__":
    main()
