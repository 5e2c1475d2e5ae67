# SPDX-License-Identifier: MIT
"""2D body landmarks per frame: the pose model (mediapipe) and the keypoint layout we use.

The model is BlazePose GHUM 3D "full" (``pose_landmark_full.tflite``) with its person detector
(``pose_detection.tflite``), both shipped inside the ``mediapipe==0.10.21`` wheel (Apache-2.0;
the last release that carries them): nothing is downloaded at run time. Provenance and sha256 in
docs/steps.md ("Video").

**Scout, then track one** (the default, :func:`estimate_pose` with ``rewind``). mediapipe's
Tasks ``PoseLandmarker`` follows one person in VIDEO mode (its crop tracked from the previous
frame's landmarks) while a :class:`Scout` looks for up to :data:`NUM_POSES` people on one frame
every :data:`SCOUT_EVERY_S`. If the scout sees several people, or a phantom the one-person
landmarker could lock onto, the clip is decoded again and the runner is picked as follows.

**Picking the runner** (issue 16: "the largest, most central person, tracked over time"). The
Tasks ``PoseLandmarker`` runs in VIDEO mode with up to :data:`NUM_POSES` people per frame. Its
``.task`` bundle is built on first use from the wheel's
two model files (with the input-normalisation metadata the Tasks graph needs: detector
mean/std 127.5/127.5, landmark model 0/255), nothing downloaded, and cached under the user cache
directory keyed by the models' sha256 (:func:`task_bundle`). Each frame's people are associated
frame to frame into tracks (:func:`track_people`: box IoU, then centroid distance), and the
track with the largest summed "size × centrality" is the runner; only its landmarks go on. If
the bundle cannot be built or loaded, the single-person ``solutions.pose`` path runs instead,
with a warning. That path follows whoever its detector picked first and re-detects when it loses
them, so a switch to another person is detected later (``_gait``), not prevented.

Keypoints (:data:`KEYPOINTS`) are in image pixels (x right, y down) with a per-point likelihood in
0…1 (mediapipe's ``visibility``); a frame without a person is all NaN with likelihood 0.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evenstride.exceptions import EvenstrideWarning, ParseError, UserInputError

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


#: sha256 of the ``.task`` bundle :func:`task_bundle` builds from the two files above with
#: mediapipe 0.10.21's metadata writer (byte-reproducible: fixed zip timestamps).
BUNDLE_SHA256 = "523e679ffb549543c4089c4a36f1db223bcc61caaade3a889edf829ae6734d18"
#: People the Tasks landmarker looks for per frame (the runner plus bystanders).
NUM_POSES = 3
#: The scout looks for up to :data:`NUM_POSES` people on one frame in every this many seconds
#: (≈ 3 per second). A bystander in view for less than this can fall between two scouted
#: frames and is not seen; the cost is one IMAGE-mode detection per scouted frame (≈ 1/10 of
#: the frames at 30 fps).
SCOUT_EVERY_S = 1.0 / 3.0
#: Detection and presence confidence of the scout, lower than the full pass's 0.5 so that it
#: errs towards seeing a bystander (a wrong "several" only costs speed). Each scouted frame is
#: seen on its own (IMAGE mode), without the crops a tracked pass carries over: at 0.5 the
#: sports2d demo (up to 3 people in the tracked pass) gave 0–1 person per scouted frame; at
#: 0.3 it gives 2 people in 6 of 23 scouted frames, and the treadmill clip 1 in all 36.
SCOUT_MIN_CONFIDENCE = 0.3
#: Bundle member names the Tasks PoseLandmarker expects.
_BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
#: Two detections in consecutive frames are the same person when their boxes overlap this much
#: (IoU), or failing that when their centres are closer than this share of the box diagonal.
TRACK_MIN_IOU = 0.3
TRACK_MAX_CENTRE_DIAG = 0.5
#: A track may miss this many frames (detector drop-out) and still be continued.
TRACK_MAX_GAP_S = 0.5
#: Landmarks below this visibility do not shape a person's box.
_BOX_MIN_VIS = 0.3
#: A detection whose box is less tall than this share of its width is not an upright person:
#: a runner seen from the side spans about its height or less in stride (a sprinter in full
#: flight ≈ 0.8 of it). The landmark model sometimes "finds" a flattened body in foliage or
#: on a building: on the hato72 a1 clip such a phantom (box 611 × 215 px, mean visibility
#: 0.45) outscored the sprinter (139 × 170 px, 0.8) on size alone.
MIN_UPRIGHT = 0.6
#: Two detections in one frame whose boxes overlap this much (IoU) are the same body found
#: twice (the detector's second box on a person already tracked: 0.82–0.98 on the shared
#: clips); the one with the higher mean landmark visibility is kept.
DUPLICATE_IOU = 0.6


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


def scout_step(fps: float) -> int:
    """Scout every this many frames (:data:`SCOUT_EVERY_S`)."""
    return max(1, round(SCOUT_EVERY_S * fps))


def estimate_pose(frames: Iterable[np.ndarray], *, fps: float, width: int, height: int,
                  path: str | None = None,
                  rewind: Callable[[], Iterable[np.ndarray]] | None = None,
                  num_poses: int | None = None) -> PoseSeries:
    """Run the pose model over RGB ``frames`` (module docstring).

    - With ``rewind`` (a function giving the same clip's frames again from the start, e.g.
      ``lambda: iter_frames(path)``) and no ``num_poses`` (what ``pose_from_video`` does):
      **scout, then track one**. The one-person landmarker runs over every frame while the
      scout (:class:`Scout`) looks for up to :data:`NUM_POSES` people on every
      :func:`scout_step`-th frame. If the scout never sees more than one person, that pass is
      the result (one decode). As soon as it sees several, the pass stops and the clip is
      decoded again with up to :data:`NUM_POSES` people per frame and the runner's track.
    - ``num_poses`` forces the number of people (no scout); with neither, :data:`NUM_POSES`.
    - ``solutions.pose`` (one person) when the Tasks bundle cannot be built, or with
      ``EVENSTRIDE_POSE_BACKEND=solutions``."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    with _quiet_native_stderr():
        return _estimate(frames, fps=fps, width=width, height=height, path=path,
                         rewind=rewind, num_poses=num_poses)


def _prefetch(frames: Iterable[np.ndarray], depth: int = 8) -> Generator[np.ndarray, None, None]:
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
              path: str | None, rewind: Callable[[], Iterable[np.ndarray]] | None,
              num_poses: int | None) -> PoseSeries:
    backend = os.environ.get("EVENSTRIDE_POSE_BACKEND", "tasks")
    if backend != "solutions":
        try:
            bundle = task_bundle()
        except Exception as exc:  # any build failure falls back, with a warning
            warnings.warn(f"could not build the multi-person pose bundle ({type(exc).__name__}: "
                          f"{exc}); following one person with mediapipe solutions.pose",
                          EvenstrideWarning, stacklevel=3)
        else:
            kw: dict[str, Any] = {"fps": fps, "width": width, "height": height, "path": path,
                                  "bundle": bundle}
            if num_poses is not None or rewind is None:
                return _estimate_tasks(_prefetch(frames), num_poses=num_poses or NUM_POSES,
                                       **kw)
            scout = Scout(bundle, scout_step(fps))
            first = _prefetch(frames)
            try:
                return _estimate_tasks(first, num_poses=1, scout=scout, **kw)
            except _SeveralPeople:
                first.close()  # stop the first decoding thread before the second starts
                return _estimate_tasks(_prefetch(rewind()), num_poses=NUM_POSES,
                                       scout=scout, **kw)
            finally:
                scout.close()
    return _estimate_solutions(_prefetch(frames), fps=fps, width=width, height=height,
                               path=path)


class _SeveralPeople(Exception):
    """The scout saw several people during a one-person pass."""


class Scout:
    """Looks for up to :data:`NUM_POSES` people on every ``step``-th frame, each frame on its
    own (IMAGE mode, confidence :data:`SCOUT_MIN_CONFIDENCE`), after the same phantom and
    duplicate filters as :func:`track_people`. :meth:`report` says what it saw: frames
    scouted, the most people in one, how many had several, phantoms seen, and each scouted
    frame's people as boxes ``[frame, [[x0, y0, x1, y1], …]]`` (px; frames with nobody left
    out). Its decision is "several people" when a frame had several or a phantom was seen."""

    def __init__(self, bundle: Path, step: int) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        self.step = step
        self.counts: list[int] = []
        self.boxes: list[list[Any]] = []
        self.phantoms = 0
        self.stopped_at: int | None = None
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(bundle)),
            running_mode=vision.RunningMode.IMAGE, num_poses=NUM_POSES,
            min_pose_detection_confidence=SCOUT_MIN_CONFIDENCE,
            min_pose_presence_confidence=SCOUT_MIN_CONFIDENCE)
        self._lmk = vision.PoseLandmarker.create_from_options(opts)

    def look(self, frame: np.ndarray, index: int) -> bool:
        """Look at frame ``index``; True when a one-person pass is not safe: several people
        (after the filters), or a phantom (a detection that is not upright), which the
        one-person landmarker could lock onto instead of the runner (on hato72 a1 it returned
        the phantom in the trees in 38 frames, where the 3-person tracks keep the sprinter)."""
        mp = _mediapipe()
        h, w = frame.shape[:2]
        img = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame))
        res = self._lmk.detect(img)
        cands = [np.array([[p.x * w, p.y * h, p.visibility] for p in pl])
                 for pl in res.pose_landmarks]
        ids, allb, flat, _dup = _frame_people(cands)
        self.counts.append(len(ids))
        self.phantoms += flat
        if ids:
            self.boxes.append([index, [[round(float(v)) for v in allb[k]] for k in ids]])
        return len(ids) >= 2 or flat > 0

    def report(self) -> dict[str, Any]:
        most = int(max(self.counts)) if self.counts else 0
        return {"every_frames": self.step, "frames_scouted": len(self.counts),
                "max_people": most,
                "frames_with_several": int(sum(c >= 2 for c in self.counts)),
                "phantoms": self.phantoms,
                "stopped_one_person_pass_at_frame": self.stopped_at, "boxes": self.boxes,
                "decision": "several people" if most >= 2 or self.phantoms else "one person"}

    def close(self) -> None:
        self._lmk.close()


def scout_people(frames: Iterable[np.ndarray], *, step: int, bundle: Path) -> dict[str, Any]:
    """The scout alone over frames 0, ``step``, 2·``step``, … of a clip (e.g.
    ``iter_frames(path, step=step)``): :meth:`Scout.report`."""
    scout = Scout(bundle, step)
    try:
        for j, frame in enumerate(frames):
            scout.look(frame, j * step)
        return scout.report()
    finally:
        scout.close()


def cache_dir() -> Path:
    """``$EVENSTRIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/evenstride``, else
    ``~/.cache/evenstride``."""
    env = os.environ.get("EVENSTRIDE_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "evenstride"


def _with_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    """The model with TFLite metadata naming its input normalisation (what the Tasks graph
    reads to convert an RGB image into the model's input tensor)."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer as mw
    from mediapipe.tasks.python.metadata.metadata_writers import writer_utils

    buf = bytearray(model)
    w = mw.MetadataWriter.create(buf).add_general_info(name).add_image_input([mean], [std])
    for _ in writer_utils.get_output_tensor_types(buf):
        w.add_feature_output()
    content, _json = w.populate()
    return bytes(content)


def task_bundle() -> Path:
    """The PoseLandmarker ``.task`` bundle built from the wheel's two Apache-2.0 model files
    (nothing downloaded), cached as ``pose_landmarker_full_<landmark sha>_<detector sha>.task``
    (12 hex digits each) under :func:`cache_dir`; built once, atomically."""
    mp = _mediapipe()
    base = Path(mp.__file__).parent
    lm = (base / MODEL_FILES[0]).read_bytes()
    det = (base / MODEL_FILES[1]).read_bytes()
    sha_lm, sha_det = hashlib.sha256(lm).hexdigest(), hashlib.sha256(det).hexdigest()
    out = cache_dir() / f"pose_landmarker_full_{sha_lm[:12]}_{sha_det[:12]}.task"
    if out.is_file() and out.stat().st_size > len(lm):
        return out
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils as mab

    members = {
        _BUNDLE_MEMBERS[0]: _with_metadata(det, "BlazePose person detector", 127.5, 127.5),
        _BUNDLE_MEMBERS[1]: _with_metadata(lm, "BlazePose GHUM 3D landmarks, full", 0.0, 255.0),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pose_", suffix=".task", dir=out.parent)
    os.close(fd)
    try:
        # as mab.create_model_asset_bundle (members stored, 4-byte aligned for mmap), with a
        # fixed timestamp so that the same models always give the same bundle bytes
        with mab.AlignZipFile(tmp, mode="w", alignment=4) as zf:
            for name, data in members.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _estimate_tasks(frames: Iterable[np.ndarray], *, fps: float, width: int, height: int,
                    path: str | None, bundle: Path, num_poses: int = NUM_POSES,
                    scout: Scout | None = None) -> PoseSeries:
    """Tasks PoseLandmarker (VIDEO mode, up to ``num_poses`` people), then the runner's track
    (:func:`track_people`; with one person it only drops phantoms). With ``num_poses`` = 1 and
    a ``scout``, the scout looks at every ``scout.step``-th frame too, and the pass stops
    (:class:`_SeveralPeople`) when it sees several people."""
    mp = _mediapipe()
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(bundle)),
        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses,
        min_pose_detection_confidence=0.5, min_pose_presence_confidence=0.5,
        min_tracking_confidence=0.5)
    watch = scout if num_poses == 1 else None
    people: list[list[np.ndarray]] = []
    with vision.PoseLandmarker.create_from_options(opts) as lmk:
        for i, frame in enumerate(frames):
            if watch is not None and i % watch.step == 0 and watch.look(frame, i):
                watch.stopped_at = i
                raise _SeveralPeople
            h, w = frame.shape[:2]
            img = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame))
            res = lmk.detect_for_video(img, round(i * 1000.0 / fps))
            people.append([np.array([[p.x * w, p.y * h, p.visibility] for p in pl])
                           for pl in res.pose_landmarks])
    if not people:
        raise ParseError("no frame decodes", path=path)
    chosen, info = track_people(people, width, height, fps)
    n = len(people)
    xy = np.full((n, len(KEYPOINTS), 2), np.nan)
    score = np.zeros((n, len(KEYPOINTS)))
    for i, k in enumerate(chosen):
        if k >= 0:
            lm = people[i][k]
            xy[i] = lm[list(_MEDIAPIPE), :2]
            score[i] = lm[list(_MEDIAPIPE), 2]
    info["num_poses"] = num_poses
    info["path"] = "one person" if num_poses == 1 else "several people"
    if scout is not None:
        rep = info["scout"] = scout.report()
        every = f"one frame in {rep['every_frames']}"
        info["why"] = (
            f"scout: at most one person in each of {rep['frames_scouted']} frames ({every})"
            if num_poses == 1 else
            f"scout, by frame {rep['stopped_one_person_pass_at_frame']}: up to "
            f"{_count(rep['max_people'], 'person', 'people')} in a frame"
            + (f", {_count(rep['phantoms'], 'phantom', 'phantoms')} (not upright)"
               if rep["phantoms"] else "")
            + f" ({every} scouted)")
    else:
        info["why"] = (f"up to {num_poses} people looked for in every frame, the runner tracked"
                       if num_poses > 1 else "one person asked for (no scout)")
    what = "one person" if num_poses == 1 else f"up to {num_poses} people"
    return PoseSeries(xy, score, fps, width, height,
                      f"mediapipe BlazePose full (0.10.21), Tasks PoseLandmarker, {what}"
                      + (f" ({info['why']})" if scout is not None else ""),  # else said once
                      extra={"people": info})


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _box(lm: np.ndarray) -> np.ndarray:
    """(x0, y0, x1, y1) of a person's landmarks (the visible ones when there are enough)."""
    ok = lm[:, 2] >= _BOX_MIN_VIS
    pts = lm[ok, :2] if ok.sum() >= 4 else lm[:, :2]
    return np.r_[pts.min(axis=0), pts.max(axis=0)]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def track_people(people: list[list[np.ndarray]], width: int, height: int,
                 fps: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Associate each frame's people (landmarks × (x, y, visibility), px) into tracks and pick
    the runner.

    - Detections that are not upright (:data:`MIN_UPRIGHT`) or that repeat another in the same
      frame (:data:`DUPLICATE_IOU`) are dropped first.
    - Association frame to frame, greedy: box IoU ≥ :data:`TRACK_MIN_IOU` first, then box
      centres closer than :data:`TRACK_MAX_CENTRE_DIAG` × the box diagonal; a track survives
      :data:`TRACK_MAX_GAP_S` without a detection.
    - The runner is the track with the largest sum over its frames of box area (share of the
      image) × centrality (1 at the image centre, 0 at a corner): large, central and present
      for long.

    Returns the chosen person's index in each frame (−1: not seen) and a summary."""
    n = len(people)
    max_gap = max(1, round(TRACK_MAX_GAP_S * fps))
    centre = np.array([width / 2.0, height / 2.0])
    half_diag = float(np.hypot(width, height)) / 2.0
    tracks: list[dict[str, Any]] = []
    kept: list[list[int]] = []
    n_dup = n_flat = 0
    for i, cands in enumerate(people):
        ids, allb, flat, dup = _frame_people(cands)
        n_dup += dup
        n_flat += flat
        kept.append(ids)
        boxes = [allb[k] for k in ids]
        live = [t for t in tracks if i - t["last"] <= max_gap]
        free = set(range(len(boxes)))
        pairs = sorted(((_iou(t["box"], boxes[k]), ti, k) for ti, t in enumerate(live)
                        for k in free), reverse=True)
        used: set[int] = set()
        for iou, ti, k in pairs:
            if iou < TRACK_MIN_IOU:
                break
            if ti in used or k not in free:
                continue
            used.add(ti)
            free.discard(k)
            _extend(live[ti], i, k, boxes[k])
        dists = []
        for ti, t in enumerate(live):
            if ti in used:
                continue
            b = t["box"]
            diag = float(np.hypot(b[2] - b[0], b[3] - b[1])) or 1.0
            for k in free:
                d = float(np.hypot(*(0.5 * (b[:2] + b[2:]) - 0.5 * (boxes[k][:2]
                                                                     + boxes[k][2:]))))
                if d < TRACK_MAX_CENTRE_DIAG * diag:
                    dists.append((d / diag, ti, k))
        for _d, ti, k in sorted(dists):
            if ti in used or k not in free:
                continue
            used.add(ti)
            free.discard(k)
            _extend(live[ti], i, k, boxes[k])
        for k in sorted(free):
            tracks.append({"frames": [], "idx": [], "score": 0.0, "last": i, "box": boxes[k]})
            _extend(tracks[-1], i, k, boxes[k])
    for t in tracks:
        t["score"] = 0.0
    for t in tracks:
        for b in t["boxes"]:
            area = (b[2] - b[0]) * (b[3] - b[1]) / float(width * height)
            c = 0.5 * (b[:2] + b[2:])
            central = max(0.0, 1.0 - float(np.hypot(*(c - centre))) / half_diag)
            t["score"] += area * central
    chosen = np.full(n, -1, dtype=int)
    best = max(tracks, key=lambda t: t["score"]) if tracks else None
    if best is not None:
        chosen[best["frames"]] = [kept[f][k] for f, k in zip(best["frames"], best["idx"],
                                                             strict=True)]
    counts = [len(k) for k in kept]
    lasting = [t for t in tracks if len(t["frames"]) >= max(3, round(0.5 * fps))]
    info = {
        "backend": "tasks",
        "not_upright_dropped": n_flat,
        "duplicates_dropped": n_dup,
        "max_people_in_a_frame": int(max(counts)) if counts else 0,
        "frames_with_several": int(sum(c >= 2 for c in counts)),
        "tracks": len(lasting),
        "runner_frames": len(best["frames"]) if best is not None else 0,
        "runner_score_share": round(best["score"] / sum(t["score"] for t in tracks), 3)
        if best is not None and sum(t["score"] for t in tracks) > 0 else None,
    }
    return chosen, info


def _frame_people(cands: list[np.ndarray]) -> tuple[list[int], list[np.ndarray], int, int]:
    """One frame's detections without phantoms (:data:`MIN_UPRIGHT`) and duplicates
    (:data:`DUPLICATE_IOU`, the more visible copy kept): kept indices (sorted), every
    detection's box, and how many were dropped as phantoms and as duplicates."""
    allb = [_box(c) for c in cands]
    upright = [k for k, b in enumerate(allb) if b[3] - b[1] >= MIN_UPRIGHT * (b[2] - b[0])]
    ids: list[int] = []
    for k in sorted(upright, key=lambda k: -float(np.mean(cands[k][:, 2]))):
        if all(_iou(allb[k], allb[j]) < DUPLICATE_IOU for j in ids):
            ids.append(k)
    return sorted(ids), allb, len(cands) - len(upright), len(upright) - len(ids)


def _extend(t: dict[str, Any], i: int, k: int, box: np.ndarray) -> None:
    t["frames"].append(i)
    t["idx"].append(k)
    t.setdefault("boxes", []).append(box)
    t["box"] = box
    t["last"] = i


def _estimate_solutions(frames: Iterable[np.ndarray], *, fps: float, width: int, height: int,
                        path: str | None) -> PoseSeries:
    """mediapipe ``solutions.pose`` (one person, tracking mode): the fallback."""
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
                      height, "mediapipe BlazePose full (0.10.21), solutions.pose, one person",
                      extra={"people": {"backend": "solutions"}})


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
