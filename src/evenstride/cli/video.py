# SPDX-License-Identifier: MIT
"""Command-line glue for video clips (issue 16): ``evenstride analyze clip.mp4`` and
``evenstride steps clip.mp4 --format video``.

The analysis and its document are :func:`evenstride.services.video.run_video` (shared with the
web app); this module only prints them (terminal, JSON, HTML).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evenstride.exceptions import UserInputError
from evenstride.io.video import looks_like_video
from evenstride.services.video import run_video

if TYPE_CHECKING:
    from rich.console import Console

    from evenstride.pipeline import RunAnalysis
    from evenstride.steps.video import VideoAnalysis

EXIT_OK = 0
EXIT_USER = 2


def all_videos(files: list[str]) -> bool:
    """True when every named file is a video (by name or by its first bytes)."""
    return bool(files) and all(looks_like_video(f) for f in files)


def print_video(va: VideoAnalysis, doc: dict[str, Any], con: Console) -> None:
    """The clip facts and the per-side medians with their grades (after the run summary)."""
    from rich.table import Table

    from evenstride.metrics.registry import spec

    v = doc["video"]
    info = v.get("video") or {}
    con.print(
        f"video: {info.get('width')}×{info.get('height')} {info.get('fps')} fps, "
        f"{info.get('duration_s')} s, {v['frames_used']} frames with the runner; view "
        f"{v['view']}{' (detected)' if v['view_detected'] else ''}; cadence "
        f"{v['cadence_spm']:.1f} steps/min; steps L/R {v['steps_per_side']['left']}/"
        f"{v['steps_per_side']['right']}; pose: {v['pose_model']}"
    )
    leg_cm = v.get("leg_length_cm")
    t = Table(title="Per-side video metrics (median per step)"
              + (f"; cm from a {leg_cm:g} cm leg" if leg_cm else ""))
    for col in ("metric", "left", "right", "L − R", "unit", "grade"):
        t.add_column(col)
    for metric, e in v["metrics"].items():
        s = spec(metric)
        f = s.display_factor
        lm, rm = e["left"]["median"], e["right"]["median"]

        def show(x: float | None, f: float = f) -> str:
            return "–" if x is None else f"{x * f:.1f}"

        diff = None if lm is None or rm is None else lm - rm
        t.add_row(s.name, show(lm), show(rm), show(diff), s.shown_unit, e["grade"])
        lc, rc = e["left"].get("median_cm"), e["right"].get("median_cm")
        if lc is not None and rc is not None:
            t.add_row("", f"{lc:.1f}", f"{rc:.1f}", f"{lc - rc:.1f}", "cm", "")
    con.print(t)


def analyze_files(args: argparse.Namespace, view: str | None = None) -> int:
    """``evenstride analyze`` for video files (terminal, ``--json``, ``--html``)."""
    from evenstride.cli.common import console as _console
    from evenstride.cli.common import print_json as _print_json
    from evenstride.cli.summary import print_summary

    out = _console()
    err = _console(stderr=True)
    status = EXIT_OK
    for f in args.files:
        try:
            va, res, doc = run_video(f, view=view or getattr(args, "view", None),
                                     seed=args.seed,
                                     leg_length_cm=getattr(args, "leg_length_cm", None))
        except UserInputError as exc:
            err.print(f"evenstride: {exc}", markup=False, highlight=False)
            if args.json:
                _print_json({"schema": "evenstride.error/1", "file": f, "error": str(exc)})
            status = EXIT_USER
            continue
        if args.html:
            target = Path(args.html)
            if len(args.files) > 1 or target.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                target = target / f"{Path(f).stem}.html"
            write_html(va, res, doc, target)
        if args.json:
            _print_json(doc)
        else:
            print_summary(res, out, quiet=getattr(args, "quiet", False))
            print_video(va, doc, out)
            if args.html:
                out.print(f"[dim]report written to[/dim] {target}")
    return status


def write_html(va: VideoAnalysis, res: RunAnalysis, doc: dict[str, Any], target: Path) -> None:
    """The run report with the video section (key frames, angle traces) added."""
    from evenstride.report.video import render_video_report

    target.write_text(render_video_report(va, res, doc), encoding="utf-8")


def steps_activity(path: str, view: str | None = None) -> Any:
    """The per-step activity of a clip for ``evenstride steps --format video``."""
    from evenstride.steps.video import analyze_video

    return analyze_video(path, view=view).activity
