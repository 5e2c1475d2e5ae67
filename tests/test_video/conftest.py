# SPDX-License-Identifier: MIT
"""Video fixtures: the real clips, and the pose model run once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_data_dir

TREADMILL = "video-running/zzzhushi_male_side_treadmill.mp4"
#: Independent cadence of the treadmill clip (groundtruth.json: pose-free, two methods).
TREADMILL_CADENCE_SPM = 168.9


def clip(rel: str) -> Path:
    p = shared_data_dir() / rel
    if not p.is_file():
        pytest.skip(f"shared clip not found: {p} (set EVENSTRIDE_SHARED_DATA)")
    return p


@pytest.fixture(scope="session")
def treadmill_pose():
    """(VideoInfo, PoseSeries) of the real treadmill clip: the model runs once per session."""
    pytest.importorskip("mediapipe")
    from evenstride.steps.video import pose_from_video

    return pose_from_video(clip(TREADMILL))


@pytest.fixture(scope="session")
def treadmill_analysis(treadmill_pose):
    from evenstride.steps.video import analyze_pose

    info, pose = treadmill_pose
    return analyze_pose(pose, path=str(clip(TREADMILL)), info=info)
