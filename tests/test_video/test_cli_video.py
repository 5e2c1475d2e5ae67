# SPDX-License-Identifier: MIT
"""``evenstride analyze clip.mp4`` and ``steps --format video``: terminal and JSON give the same
numbers, and the per-step metrics reach the run engine as side channels.

The pose model runs once per session (``treadmill_pose``); the command line is then driven with
that model output so that it does not run the model again.
"""

from __future__ import annotations

import json

import pytest

from evenstride import cli, consts

from .conftest import TREADMILL, TREADMILL_CADENCE_SPM, clip

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


@pytest.fixture
def cached_model(treadmill_pose, monkeypatch):
    import evenstride.steps.video as video

    monkeypatch.setattr(video, "pose_from_video", lambda path, **kw: treadmill_pose)


def test_analyze_json_has_video_block_and_engine_channels(cached_model, capsys):
    rc = cli.main(["analyze", str(clip(TREADMILL)), "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    v = doc["video"]
    assert v["video"] == {"fps": 30.0, "width": 720, "height": 1280, "n_frames": 360,
                          "duration_s": 12.0, "codec": "h264"}
    assert v["frames_used"] == 360 and v["view"] == "side"
    assert abs(v["cadence_spm"] - TREADMILL_CADENCE_SPM) <= 2.0
    assert v["timing_indicative"] is True
    # up to 3 people followed in every frame (one in this clip), and the JSON says which path
    assert v["people"]["backend"] == "tasks" and "Tasks PoseLandmarker" in v["pose_model"]
    assert v["people"]["max_people_in_a_frame"] == 1 and v["people"]["runner_frames"] == 360
    assert v["people"]["path"] == "several people" and v["people"]["num_poses"] == 3
    # the engine judged the video channels like any per-step source
    judged = {(j["metric"], j["source"]) for j in doc["asymmetry"]}
    for m in (consts.M_STEP_TIME, consts.M_SHANK_ANGLE_IC_DEG, consts.M_KNEE_FLEXION_IC_DEG,
              consts.M_FOOT_AHEAD_IC_PCT_LEG, consts.M_KNEE_FLEXION_MIDSTANCE_DEG,
              consts.M_TRUNK_LEAN_DEG, consts.M_CONTACT_TIME):
        assert (m, "video_pose") in judged
        assert v["metrics"][m]["grade"] in ("S", "U")
    assert v["metrics"][consts.M_CONTACT_TIME]["grade"] == "U"  # indicative at 30 fps
    assert any("indicative at 30 fps" in w for w in doc["warnings"])
    # per-step values: ≈ 15–17 stances a side, physiologically plausible medians
    knee = v["metrics"][consts.M_KNEE_FLEXION_MIDSTANCE_DEG]
    assert knee["left"]["n"] >= 14 and knee["right"]["n"] >= 14
    assert 5.0 < knee["left"]["median"] < 60.0 and 5.0 < knee["right"]["median"] < 60.0
    lean = v["metrics"][consts.M_TRUNK_LEAN_DEG]
    assert 0.0 < lean["left"]["median"] < 20.0  # leaning forward, as runners do
    # 17 strides a foot in 12 s, 13 consecutive (the one-person scout path missed the left
    # contact at 5.54 s and split them)
    assert doc["variability"]["n_strides"] >= 13


def test_terminal_prints_the_same_cadence_and_medians(cached_model, capsys):
    rc = cli.main(["analyze", str(clip(TREADMILL)), "--json"])
    doc = json.loads(capsys.readouterr().out)
    rc2 = cli.main(["analyze", str(clip(TREADMILL))])
    text = capsys.readouterr().out
    assert rc == rc2 == 0
    assert f"cadence {doc['video']['cadence_spm']:.1f} steps/min" in text
    knee = doc["video"]["metrics"][consts.M_KNEE_FLEXION_IC_DEG]
    assert f"{knee['left']['median']:.1f}" in text
    assert "knee flexion at mid-stance" in text
    assert "people in a frame" not in text  # one person in this clip: nothing to say


def test_steps_format_video(cached_model, capsys):
    rc = cli.main(["steps", str(clip(TREADMILL)), "--format", "video", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert doc["file_format"] == "video"
    assert any(j["source"] == "video_pose" for j in doc["asymmetry"])
    # forcing the wrong view gives the rear-view channels instead of the sagittal ones
    rc = cli.main(["steps", str(clip(TREADMILL)), "--format", "video", "--view", "rear",
                   "--json"])
    out = capsys.readouterr()
    if rc == 0:
        metrics = {j["metric"] for j in json.loads(out.out)["asymmetry"]}
        assert consts.M_SHANK_ANGLE_IC_DEG not in metrics
    else:  # or a one-line refusal: a side view read as rear finds no steady contacts
        assert rc == 2 and len(out.err.strip().splitlines()) == 1


def test_html_report_has_key_frames_and_traces(cached_model, tmp_path, capsys):
    target = tmp_path / "clip.html"
    rc = cli.main(["analyze", str(clip(TREADMILL)), "--html", str(target)])
    capsys.readouterr()
    assert rc == 0
    text = target.read_text(encoding="utf-8")
    assert '<section id="video">' in text
    assert text.count('class="video-key-frame"') == 2  # one contact frame per side
    assert text.count("data:image/jpeg;base64,") >= 2
    assert "knee flexion, left vs right over the gait cycle" in text
    assert text.count("<polyline") >= 4  # knee and shank, left and right
    assert "knee flexion at mid-stance" in text


def test_cycle_curves_resample_each_stride():
    import numpy as np

    from evenstride.report.video import cycle_curves

    t = np.arange(0, 10, 0.01)
    x = np.sin(2 * np.pi * t / 0.7)
    ic = np.arange(0.1, 9.0, 0.7)
    c = cycle_curves(t, x, ic)
    assert c.shape == (len(ic) - 1, 101)
    assert np.allclose(c[:, 0], c[0, 0], atol=1e-2) and np.allclose(c[:, 50], -c[:, 0], atol=0.05)


def test_leg_length_puts_distances_in_cm(cached_model, capsys):
    rc = cli.main(["analyze", str(clip(TREADMILL)), "--json", "--leg-length-cm", "90"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["video"]["leg_length_cm"] == 90.0
    e = doc["video"]["metrics"][consts.M_FOOT_AHEAD_IC_PCT_LEG]["left"]
    assert e["median_cm"] == pytest.approx(e["median"] / 100 * 90, abs=0.01)
    assert "median_cm" not in doc["video"]["metrics"][consts.M_KNEE_FLEXION_IC_DEG]["left"]


def test_implausible_leg_length_is_a_one_line_error(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["analyze", "x.mp4", "--leg-length-cm", "300"])
    assert e.value.code == 2
    assert "must be 50–130 cm" in capsys.readouterr().err
