# SPDX-License-Identifier: MIT
"""The video section of the HTML report (issue 16): key frames with the skeleton drawn at
contact for each side (embedded JPEG, no external file) and angle traces over the gait cycle,
left against right (inline SVG), with the per-side medians and their evidence grades.

Self-contained: the images are data URIs and the traces are SVG drawn here, so the report stays
one offline file.
"""

from __future__ import annotations

import base64
import html
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from evenstride.pipeline import RunAnalysis
    from evenstride.steps.video import VideoAnalysis

_BONES = (("l_shoulder", "r_shoulder"), ("l_hip", "r_hip"), ("l_shoulder", "l_hip"),
          ("r_shoulder", "r_hip"), ("l_hip", "l_knee"), ("l_knee", "l_ankle"),
          ("l_ankle", "l_heel"), ("l_heel", "l_toe"), ("l_ankle", "l_toe"),
          ("r_hip", "r_knee"), ("r_knee", "r_ankle"), ("r_ankle", "r_heel"),
          ("r_heel", "r_toe"), ("r_ankle", "r_toe"))
#: Colours (BGR for OpenCV, hex for SVG): left blue, right orange.
_BGR = {"l": (200, 110, 30), "r": (20, 120, 240), "c": (200, 200, 200)}
_HEX = {"left": "#1f6ec8", "right": "#f07814"}


def cycle_curves(t: np.ndarray, x: np.ndarray, ic: np.ndarray,
                 n: int = 101) -> np.ndarray:
    """Each stride (IC to the next IC of the same foot) of trace ``x`` resampled to 0–100 %
    (strides × n); strides longer than 1.5 median strides are skipped."""
    if len(ic) < 2:
        return np.zeros((0, n))
    d = np.diff(ic)
    med = float(np.median(d))
    out = []
    for a, b in itertools.pairwise(ic):
        if b - a > 1.5 * med:
            continue
        tt = np.linspace(a, b, n)
        y = np.interp(tt, t, x, left=np.nan, right=np.nan)
        if np.isfinite(y).all():
            out.append(y)
    return np.array(out) if out else np.zeros((0, n))


def _svg_traces(title: str, curves: dict[str, np.ndarray], unit: str) -> str:
    w, h, pad = 420, 220, 36
    means = {s: c.mean(axis=0) for s, c in curves.items() if len(c)}
    if not means:
        return ""
    allv = np.concatenate(list(means.values()))
    lo, hi = float(np.min(allv)), float(np.max(allv))
    if hi - lo < 1e-6:
        hi = lo + 1.0
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)

    def px(i: int, v: float, n: int) -> tuple[float, float]:
        return (pad + (w - 2 * pad) * i / (n - 1), h - pad - (h - 2 * pad) * (v - lo) / (hi - lo))

    parts = [f'<svg class="video-trace" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
             f'role="img" aria-label="{html.escape(title)}">',
             f'<text x="{pad}" y="16" font-size="13">{html.escape(title)} ({unit})</text>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<text x="{pad}" y="{h - 12}" font-size="11">0 % (contact)</text>',
             f'<text x="{w - pad - 60}" y="{h - 12}" font-size="11">100 % of stride</text>',
             f'<text x="2" y="{pad + 4}" font-size="11">{hi:.0f}</text>',
             f'<text x="2" y="{h - pad}" font-size="11">{lo:.0f}</text>']
    for k, (side, m) in enumerate(means.items()):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(i, float(v), len(m))
                                                       for i, v in enumerate(m)))
        parts.append(f'<polyline fill="none" stroke="{_HEX[side]}" stroke-width="2" '
                     f'points="{pts}"/>')
        parts.append(f'<text x="{w - pad - 70}" y="{30 + 14 * k}" font-size="12" '
                     f'fill="{_HEX[side]}">{side} (n={len(curves[side])})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _key_frame(va: VideoAnalysis, side: str) -> str:
    """A JPEG data URI of the frame at this side's median-knee contact, skeleton drawn."""
    if va.info is None:
        return ""
    try:
        import cv2
    except ImportError:
        return ""
    from evenstride.io.video import iter_frames
    from evenstride.steps.video import KP

    ic = va.gait.sides[side].ic_s
    if not len(ic):
        return ""
    frame_i = round(float(ic[len(ic) // 2]) * va.pose.fps)
    frame = None
    for i, f in enumerate(iter_frames(va.info.path, max_frames=frame_i + 1)):
        if i == frame_i:
            frame = f
    if frame is None:
        return ""
    img = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
    xy = va.keypoints[min(frame_i, len(va.keypoints) - 1)]
    th = max(2, round(img.shape[0] / 300))
    for a, b in _BONES:
        pa, pb = xy[KP[a]], xy[KP[b]]
        if not (np.isfinite(pa).all() and np.isfinite(pb).all()):
            continue
        col = _BGR[a[0]] if a[0] == b[0] else _BGR["c"]
        if a[0] == side[0] and b[0] == side[0]:
            col = (0, 220, 0)  # the contact leg
        cv2.line(img, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), col, th)
    scale = 480.0 / img.shape[0]
    img = cv2.resize(img, (int(img.shape[1] * scale), 480))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def video_section_html(va: VideoAnalysis, block: dict[str, Any]) -> str:
    """The ``<section>`` inserted into the run report."""
    from evenstride.metrics.registry import spec

    g = va.gait
    info = block.get("video") or {}
    out = ['<section id="video"><h2>Video</h2>',
           f"<p>{info.get('width')}×{info.get('height')}, {info.get('fps')} fps, "
           f"{info.get('duration_s')} s; {block['frames_used']} frames with the runner; view "
           f"{html.escape(block['view'])}; cadence {block['cadence_spm']:.1f} steps/min; "
           f"steps L/R {block['steps_per_side']['left']}/{block['steps_per_side']['right']}; "
           f"pose model {html.escape(block['pose_model'])}.</p>"]
    people = block.get("people") or {}
    if (people.get("max_people_in_a_frame") or 0) >= 2:
        out.append(f"<p>Up to {int(people['max_people_in_a_frame'])} people in a frame: the "
                   f"largest, most central one, tracked over {int(people['runner_frames'])} "
                   "frames, is the one analysed.</p>")
    elif people.get("backend") == "solutions":
        out.append("<p><em>One-person pose fallback: if someone else walks into view, the "
                   "model may follow them.</em></p>")
    if people.get("path") and people.get("why"):
        why = str(people["why"])
        out.append(f"<p>Pose: {html.escape(why[:1].upper() + why[1:])}.</p>")
    if block.get("timing_indicative"):
        out.append("<p><em>Contact and flight times are indicative at this frame rate.</em></p>")
    frames = []
    for side in ("left", "right"):
        uri = _key_frame(va, side)
        if uri:
            frames.append(f'<figure class="video-key-frame"><img alt="{side} contact" '
                          f'src="{uri}"/><figcaption>{side} foot contact (green leg)'
                          "</figcaption></figure>")
    if frames:
        out.append('<div class="video-key-frames" style="display:flex;gap:1em">'
                   + "".join(frames) + "</div>")
    traces = (("knee flexion", "knee", "deg"), ("shank angle", "shank", "deg"),
              ("knee frontal projection angle", "fppa", "deg"))
    svgs = []
    for title, key, unit in traces:
        if f"{key}_left" not in g.traces:
            continue
        curves = {s: cycle_curves(g.time_s, g.traces[f"{key}_{s}"], g.sides[s].ic_s)
                  for s in ("left", "right")}
        svgs.append(_svg_traces(f"{title}, left vs right over the gait cycle", curves, unit))
    if svgs:
        out.append('<div class="video-traces">' + "".join(svgs) + "</div>")
    rows = []
    for metric, e in block["metrics"].items():
        s = spec(metric)
        f = s.display_factor

        def show(x: float | None, f: float = f) -> str:
            return "–" if x is None else f"{x * f:.1f}"

        rows.append(f"<tr><td>{html.escape(s.name)}</td><td>{show(e['left']['median'])}</td>"
                    f"<td>{show(e['right']['median'])}</td><td>{html.escape(s.shown_unit)}</td>"
                    f"<td title=\"{html.escape(e['why'])}\">{e['grade']}</td></tr>")
    out.append('<table class="video-metrics"><thead><tr><th>metric (median per step)</th>'
               "<th>left</th><th>right</th><th>unit</th><th>grade</th></tr></thead><tbody>"
               + "".join(rows) + "</tbody></table></section>")
    return "".join(out)


def render_video_report(va: VideoAnalysis, res: RunAnalysis, doc: dict[str, Any],
                        **render_kwargs: Any) -> str:
    """The run report of a clip with its video section (key frames, L/R traces, per-side
    medians) right after "What this means", and a contents link to it. ``render_kwargs`` go
    to :func:`evenstride.report.render_report` (the web app's head and navigation)."""
    from evenstride.report import render_report

    page = render_report(res, **render_kwargs)
    section = video_section_html(va, doc["video"])
    i = page.find('<section id="asymmetry">')
    if i < 0:
        i = page.rfind("</main>")
    page = page[:i] + section + "\n" + page[i:] if i >= 0 else page + section
    return page.replace('<a href="#asymmetry">Asymmetry table</a>',
                        '<a href="#video">Video</a>\n    <a href="#asymmetry">Asymmetry table</a>',
                        1)
