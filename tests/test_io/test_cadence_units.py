# SPDX-License-Identifier: MIT
"""Cadence unit of TCX/GPX files decided from plausibility against speed, and walking at jogging
speeds kept apart from running (issue 10, item 5 "Cadence units").

Files are written here as TCX/GPX text with a known unit, speed and cadence per trackpoint.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from evenstride import consts
from evenstride.datatypes import Activity, ActivityMeta
from evenstride.exceptions import EvenstrideWarning
from evenstride.io import read_bytes
from evenstride.metrics import cadence_speed
from evenstride.metrics.form import CADENCE_ADVICE_MAX_SPM
from evenstride.preprocessing import label_samples

T0 = 1_714_546_800  # 2024-05-01T07:00:00Z
M_PER_DEG = 111_195.0


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "Z"


def _profile(parts: list[tuple[int, float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-second speed (m/s) and raw cadence from ``(seconds, speed, cadence)`` parts."""
    v = np.concatenate([np.full(n, s) for n, s, _ in parts])
    c = np.concatenate([np.full(n, c) for n, _, c in parts])
    return v, c


def _tcx(v: np.ndarray, cad: np.ndarray) -> bytes:
    d = np.concatenate(([0.0], np.cumsum(v[:-1])))
    pts = "".join(
        f"<Trackpoint><Time>{_iso(T0 + i)}</Time><Position>"
        f"<LatitudeDegrees>{45.0 + d[i] / M_PER_DEG:.8f}</LatitudeDegrees>"
        "<LongitudeDegrees>7.0</LongitudeDegrees></Position>"
        f"<DistanceMeters>{d[i]:.2f}</DistanceMeters>"
        f"<Extensions><ns3:TPX><ns3:RunCadence>{cad[i]:.0f}</ns3:RunCadence></ns3:TPX>"
        "</Extensions></Trackpoint>"
        for i in range(len(v))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin'
        '.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/'
        f'ActivityExtension/v2"><Activities><Activity Sport="Running"><Id>{_iso(T0)}</Id>'
        f'<Lap StartTime="{_iso(T0)}"><Track>{pts}</Track></Lap></Activity></Activities>'
        "</TrainingCenterDatabase>"
    ).encode()


def _gpx(v: np.ndarray, cad: np.ndarray) -> bytes:
    d = np.concatenate(([0.0], np.cumsum(v[:-1])))
    pts = "".join(
        f'<trkpt lat="{45.0 + d[i] / M_PER_DEG:.8f}" lon="7.0"><time>{_iso(T0 + i)}</time>'
        "<extensions><gpxtpx:TrackPointExtension>"
        f"<gpxtpx:cad>{cad[i]:.0f}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        for i in range(len(v))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>running</type><trkseg>{pts}</trkseg></trk></gpx>"
    ).encode()


def _read(data: bytes, name: str) -> tuple[Activity, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        act = read_bytes(data, path=name)
    return act, [str(w.message) for w in caught if issubclass(w.category, EvenstrideWarning)]


@pytest.mark.parametrize("fmt", ["tcx", "gpx"])
def test_steps_per_min_at_walking_and_jogging_speeds_is_not_doubled(fmt: str) -> None:
    # A run-walk in steps/min: 5 min brisk walking at 1.7 m/s (118 steps/min), 2 min jogging at
    # 2.3 m/s (152 steps/min), repeated. The median (118) looked like strides/min before.
    v, c = _profile([(300, 1.7, 118), (120, 2.3, 152)] * 2)
    act, notes = _read((_tcx if fmt == "tcx" else _gpx)(v, c), f"walkjog.{fmt}")
    assert act.meta.extra["cadence_unit_in_file"] == "steps/min"
    spm = act.samples[consts.CADENCE_SPM]
    np.testing.assert_allclose(spm[:300], 118)
    np.testing.assert_allclose(spm[300:420], 152)
    assert not any("ambiguous" in n for n in notes)
    # and the walking at 1.7 m/s is walking, the jogging running
    g = label_samples(act)
    assert g.walking[20:290].all() and not g.running[20:290].any()
    assert g.running[320:410].all()


@pytest.mark.parametrize("fmt", ["tcx", "gpx"])
def test_garmin_strides_per_min_still_doubled_when_walking_too(fmt: str) -> None:
    # Garmin convention (strides/min) for the same walk-jog: 59 and 76 strides/min, and an easy
    # run at 3.2 m/s (84). 72 strides/min at 1.7 m/s read as steps would be a 1.4 m walking step.
    v, c = _profile([(200, 1.7, 59), (200, 1.7, 72), (300, 3.2, 84)])
    act, notes = _read((_tcx if fmt == "tcx" else _gpx)(v, c), f"garmin.{fmt}")
    assert act.meta.extra["cadence_unit_in_file"] == "strides/min"
    np.testing.assert_allclose(act.samples[consts.CADENCE_SPM][-100:], 168)
    assert not any("ambiguous" in n for n in notes)


def _hand(speed: float, cad_spm: float, n: int = 600) -> Activity:
    t = np.arange(n, dtype=float)
    samples = {
        consts.TIME_S: t,
        consts.SPEED_M_S: np.full(n, speed),
        consts.CADENCE_SPM: np.full(n, cad_spm),
        consts.DISTANCE_M: speed * t,
    }
    return Activity(samples, [], ActivityMeta(path="hand"))


def test_walking_at_1_7_m_s_is_not_running_even_with_a_doubled_cadence() -> None:
    # A walker's 118 steps/min written as "strides" and doubled by a reader: 236 at 1.7 m/s.
    g = label_samples(_hand(1.7, 236.0))
    assert g.walking.all() and not g.running.any()
    # a genuine slow jog at the same speed stays running, and a fast runner's 236 too
    assert label_samples(_hand(1.7, 156.0)).running.all()
    assert label_samples(_hand(5.5, 236.0)).running.all()


def test_cadence_advice_never_above_about_200() -> None:
    # A runner already at ~186-192 steps/min: +5-10 % would be 196-211.
    rng = np.random.default_rng(4)
    n = 2400
    t = np.arange(n, dtype=float)
    v = 3.6 + 0.6 * np.sin(t / 200.0)
    cad = 188.0 + 5.6 * (v - 3.6) + rng.normal(0, 1.0, n)
    act = Activity(
        {consts.TIME_S: t, consts.SPEED_M_S: v, consts.CADENCE_SPM: cad},
        [],
        ActivityMeta(path="hand"),
    )
    cs = cadence_speed(act, label_samples(act))
    assert cs.cadence_at_reference_spm == pytest.approx(188, abs=2)
    assert cs.suggestion_spm is not None
    assert max(cs.suggestion_spm) <= CADENCE_ADVICE_MAX_SPM == 200
    # an already high cadence gets no "increase" advice at all
    act.samples[consts.CADENCE_SPM] = cad + 8.0
    cs = cadence_speed(act, label_samples(act))
    assert cs.suggestion_spm is None
    assert cs.reason is not None and "already" in cs.reason


def test_a_walk_at_1_7_m_s_labelled_running_is_refused_as_walking(tmp_path, capsys) -> None:
    from evenstride.cli import main

    v, c = _profile([(900, 1.7, 118)])  # steps/min, 15 min brisk walk in a "Running" TCX
    path = tmp_path / "walk.tcx"
    path.write_bytes(_tcx(v, c))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        rc = main(["analyze", str(path), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and "walk.tcx" in err
    assert "walking" in err and "118 steps/min" in err
