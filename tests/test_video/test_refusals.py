# SPDX-License-Identifier: MIT
"""Bad video input: a one-line message naming the file, exit 2, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from evenstride import cli

from .conftest import clip

cv2 = pytest.importorskip("cv2")


def _run(capsys, *args: str) -> tuple[int, str]:
    rc = cli.main(["analyze", *args])
    err = capsys.readouterr().err
    return rc, err.strip()


def _write(path, fps: float, n: int, frame) -> None:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (160, 120))
    for i in range(n):
        w.write(frame(i))
    w.release()


def test_not_a_video(tmp_path, capsys):
    p = tmp_path / "clip.mp4"
    p.write_text("this is not a video\n")
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1
    assert str(p) in err and "not a video" in err


def test_truncated_mp4_header_is_refused(tmp_path, capsys):
    src = clip("video-running/zzzhushi_male_side_treadmill.mp4")
    p = tmp_path / "cut.mp4"
    p.write_bytes(src.read_bytes()[:3000])
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1 and str(p) in err


def test_frame_rate_too_low(tmp_path, capsys):
    p = tmp_path / "slow.mp4"
    _write(p, 15.0, 30, lambda i: np.full((120, 160, 3), 40 + i, np.uint8))
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1
    assert "15.0 fps is too low" in err and "25 fps" in err


def test_no_person(tmp_path, capsys):
    pytest.importorskip("mediapipe")
    p = tmp_path / "empty.mp4"
    rng = np.random.default_rng(0)
    _write(p, 30.0, 45, lambda i: rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1
    assert "no person found" in err


@pytest.mark.shared_data
@pytest.mark.slow
def test_several_people_none_running(capsys):
    """Sports2D demo: a person jumping about on a roof and others walking past (up to 3 in a
    frame): the largest, most central one is followed, and none runs steadily."""
    pytest.importorskip("mediapipe")
    p = clip("video/sports2d_demo.mp4")
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1
    assert "several people are in view (up to 3 in a frame" in err
    assert "none is running" in err


@pytest.mark.shared_data
@pytest.mark.slow
def test_short_treadmill_clip_is_too_short(capsys):
    """Pose2Sim demo camera: 1.7 s of a person on a treadmill, not running."""
    pytest.importorskip("mediapipe")
    p = clip("video/p2s_cam01.mp4")
    rc, err = _run(capsys, str(p))
    assert rc == 2 and len(err.splitlines()) == 1
    assert "too short" in err and "need 10 per side" in err


@pytest.mark.shared_data
@pytest.mark.slow
def test_too_short_and_walking_from_the_real_runner(treadmill_pose):
    """The real treadmill run cut to 4 s is too short; the same run slowed to half its frame
    rate has the cadence of a walk (≈ 84 steps/min) and is refused as walking."""
    from evenstride.exceptions import NotEnoughDataError, UnsupportedActivityError
    from evenstride.steps.video import PoseSeries, analyze_pose

    _info, pose = treadmill_pose
    short = PoseSeries(pose.xy[:120], pose.score[:120], pose.fps, pose.width, pose.height,
                       pose.model)
    with pytest.raises(NotEnoughDataError, match=r"too short: .* need 10 per side"):
        analyze_pose(short, path="short.mp4")
    slow = PoseSeries(pose.xy, pose.score, pose.fps / 2, pose.width, pose.height, pose.model)
    with pytest.raises(UnsupportedActivityError, match="walking, not running"):
        analyze_pose(slow, path="slow.mp4")
