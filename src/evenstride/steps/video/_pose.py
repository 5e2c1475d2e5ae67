# SPDX-License-Identifier: MIT
"""2D body landmarks per frame: the pose model (mediapipe) and the keypoint layout we use.

The model is BlazePose GHUM 3D "full" (``pose_landmark_full.tflite``) with its person detector
(``pose_detection.tflite``), both shipped inside the ``mediapipe==0.10.21`` wheel (Apache-2.0;
the last release that carries them): nothing is downloaded at run time. Provenance and sha256 in
docs/steps.md ("Video"). It tracks one person: the detector picks the most prominent one and the
landmark model follows it from frame to frame (re-detecting when it loses it).

Keypoints (:data:`KEYPOINTS`) are in image pixels (x right, y down) with a per-point likelihood in
0…1 (mediapipe's ``visibility``); a frame without a person is all NaN with likelihood 0.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evenstride.exceptions import ParseError, UserInputError

#: The keypoints every later stage reads (side-labelled; ``toe`` = tip of the foot).
KEYPOINTS = (
    "nose",
    "l_shoulder", "r_shoulder",
    "l_hip", "r_hip",
    "l_knee", "r_knee",
    "l_ankle", "r_ankle",
    "l_heel", "r_heel",
    "l_toe", "r_toe",
)
KP = {name: i for i, name in enumerate(KEYPOINTS)}

#: mediapipe BlazePose landmark index of each keypoint (toe = ``foot_index``).
_MEDIAPIPE = (0, 11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32)
#: Halpe-26 names (RTMPose) of each keypoint, for reading a precomputed ``pose.json``.
_HALPE = ("nose", "l_shoulder", "r_shoulder", "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle",
          "r_ankle", "l_heel", "r_heel", "l_big_toe", "r_big_toe")

#: Model files inside the mediapipe wheel (relative to the package folder).
MODEL_FILES = ("modules/pose_landmark/pose_landmark_full.tflite",
               "modules/pose_detection/pose_detection.tflite")
#: sha256 of the model files of mediapipe 0.10.21 (checked when the model is loaded).
MODEL_SHA256 = {
    "pose_landmark_full.tflite":
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_detection.tflite":
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
}


@dataclass
class PoseSeries:
    """Keypoints of one clip: ``xy`` (frames × keypoints × 2, px) and ``score`` (0…1)."""

    xy: np.ndarray
    score: np.ndarray
    fps: float
    width: int
    height: int
    model: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.xy.shape[0])

    @property
    def time_s(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps

    def point(self, name: str) -> np.ndarray:
        """(frames × 2) pixel positions of keypoint ``name``."""
        return self.xy[:, KP[name], :]


def model_provenance() -> dict[str, str]:
    """Package version and sha256 of each model file actually loaded."""
    mp = _mediapipe()
    base = Path(mp.__file__).parent
    out = {"package": f"mediapipe {getattr(mp, '__version__', '?')}"}
    for rel in MODEL_FILES:
        p = base / rel
        out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "missing"
    return out


def _mediapipe() -> Any:
    try:
        import mediapipe as mp
    except ImportError as exc:
        raise UserInputError("pose estimation is not installed: pip install "
                             "'evenstride[video]'") from exc
    return mp


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence the C++ log lines (TFLite/absl) the model writes straight to file descriptor 2,
    so that the command line keeps its one-line messages."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (embedded use): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def estimate_pose(frames: Iterable[np.ndarray], *, fps: float, width: int, height: int,
                  path: str | None = None) -> PoseSeries:
    """Run the pose model over RGB ``frames`` (tracking mode: one person followed)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    with _quiet_native_stderr():
        return _estimate(_prefetch(frames), fps=fps, width=width, height=height, path=path)


def _prefetch(frames: Iterable[np.ndarray], depth: int = 8) -> Iterator[np.ndarray]:
    """Decode in a background thread while the model runs (OpenCV and TFLite both release the
    GIL, so on 2 cores decoding overlaps inference instead of adding to it)."""
    import queue
    import threading

    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for f in frames:
                if stop.is_set():
                    return
                q.put(f)
        except BaseException as exc:  # re-raised in the consumer (one-line errors upstream)
            q.put(exc)
        finally:
            q.put(done)

    th = threading.Thread(target=work, daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while th.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(0.01)


def _estimate(frames: Iterable[np.ndarray], *, fps: float, width: int, height: int,
              path: str | None) -> PoseSeries:
    mp = _mediapipe()
    rows: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                                smooth_landmarks=False, enable_segmentation=False,
                                min_detection_confidence=0.5,
                                min_tracking_confidence=0.5) as pose:
        for frame in frames:
            h, w = frame.shape[:2]
            res = pose.process(frame)
            if res.pose_landmarks is None:
                rows.append(np.full((len(KEYPOINTS), 2), np.nan))
                scores.append(np.zeros(len(KEYPOINTS)))
                continue
            lm = res.pose_landmarks.landmark
            rows.append(np.array([[lm[i].x * w, lm[i].y * h] for i in _MEDIAPIPE]))
            scores.append(np.array([lm[i].visibility for i in _MEDIAPIPE]))
    if not rows:
        raise ParseError("no frame decodes", path=path)
    return PoseSeries(np.array(rows, dtype=float), np.array(scores, dtype=float), fps, width,
                      height, "mediapipe BlazePose full (0.10.21)")


def read_pose_json(path: str | os.PathLike[str]) -> PoseSeries:
    """A precomputed Halpe-26 ``pose.json`` (``gaitlab.pose/v1``: frames × [x, y, score])."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        names = list(doc["keypoint_names"])
        arr = np.asarray(doc["frames"], dtype=float)
        idx = [names.index(n) for n in _HALPE]
        fps = float(doc["fps"])
        w, h = int(doc["width"]), int(doc["height"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"not a pose JSON ({type(exc).__name__}: {exc})", path=p) from exc
    xy = arr[:, idx, :2]
    score = np.clip(arr[:, idx, 2], 0.0, 1.0)
    return PoseSeries(xy, score, fps, w, h, str(doc.get("source", "pose.json")))
