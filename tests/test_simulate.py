# SPDX-License-Identifier: MIT
"""The run simulator: determinism, planted truth, realistic ranges and the FIT round trip."""

from __future__ import annotations

import io
from datetime import datetime

import fitdecode
import numpy as np
import pytest
from fitdecode import CrcCheck

from evenstride import consts
from evenstride.datatypes import assert_sample_table
from evenstride.simulate import (
    DRILL_BALANCE_LEFT_PCT,
    DRILL_BALANCE_RIGHT_PCT,
    PHASE_ACCEL,
    PHASE_DRILL_LEFT,
    PHASE_DRILL_RIGHT,
    PHASE_RUN,
    PHASE_STOP,
    PHASE_WALK,
    simulate_run,
    write_simulated_fit,
)

SEMI = 180.0 / 2**31


@pytest.fixture(scope="module")
def sim():
    return simulate_run(
        seed=7,
        walk_breaks=1,
        drills=True,
        include_runscribe=True,
        bend_effect_pct=0.4,
        cadence_deficit_pct=5.0,
    )


def fit_records(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, list]]:
    """Record columns (NaN for invalid) and all data messages, decoded by fitdecode."""
    msgs: dict[str, list] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=CrcCheck.RAISE) as fr:
        for f in fr:
            if isinstance(f, fitdecode.FitDataMessage):
                msgs.setdefault(f.name, []).append(f)
    recs = msgs["record"]
    cols: dict[str, np.ndarray] = {}
    for i, msg in enumerate(recs):
        for fd in msg.fields:
            col = cols.setdefault(fd.name, np.full(len(recs), np.nan))
            v = fd.value
            if v is not None:
                col[i] = v.timestamp() if isinstance(v, datetime) else float(v)
    return cols, msgs


def zero_as_nan(v: np.ndarray) -> np.ndarray:
    return np.where(v == 0, np.nan, v)


# --- determinism and validity ---------------------------------------------------------------
def test_deterministic_for_a_seed() -> None:
    a, b = simulate_run(seed=3), simulate_run(seed=3)
    for k, v in a.activity.samples.items():
        np.testing.assert_array_equal(v, b.activity.samples[k], err_msg=k)
    np.testing.assert_array_equal(a.activity.sided[0].left, b.activity.sided[0].left)
    np.testing.assert_array_equal(a.truth.balance_noise_pct, b.truth.balance_noise_pct)
    assert a.to_fit_bytes() == b.to_fit_bytes()
    c = simulate_run(seed=4)
    assert not np.array_equal(c.truth.balance_noise_pct, a.truth.balance_noise_pct)


def test_options_do_not_change_other_components_noise() -> None:
    a = simulate_run(seed=5)
    b = simulate_run(seed=5, include_runscribe=True, include_stryd=False)
    np.testing.assert_array_equal(a.truth.balance_noise_pct, b.truth.balance_noise_pct)
    np.testing.assert_array_equal(
        a.activity.samples[consts.CADENCE_SPM], b.activity.samples[consts.CADENCE_SPM]
    )


def test_activity_is_valid(sim) -> None:
    act = sim.activity
    assert_sample_table(act.samples)
    assert set(act.samples) <= set(consts.SAMPLE_COLUMN_UNITS)
    assert all(v.dtype == np.float64 for v in act.samples.values())
    assert all(len(ch) == act.n_samples for ch in act.sided)
    assert act.n_samples == 3600
    assert act.meta.sport == "running"
    assert act.meta.segments[0].analysed
    rd = act.channel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS)
    assert rd is not None
    assert rd.derived_from_balance
    keys = {ch.key for ch in act.sided}
    assert {"contact_time/runscribe", "impact_g/runscribe", "braking_g/runscribe"} <= keys
    for name, arr in vars(sim.truth).items():
        if isinstance(arr, np.ndarray):
            assert len(arr) == act.n_samples, name


# --- the planted truth -------------------------------------------------------------------------
def test_balance_truth_follows_the_documented_law(sim) -> None:
    tr = sim.truth
    tau = tr.run_time_s
    expected = (
        51.0
        + 0.8 * np.maximum(0.0, tau - 1800.0) / 3600.0
        + 0.05 * tr.grade_pct
        + 0.4 * tr.turn_sign
    )
    np.testing.assert_allclose(tr.balance_true_pct, expected, atol=1e-12)
    np.testing.assert_allclose(
        tr.balance_model(tau, grade_pct=tr.grade_pct, turn_sign=tr.turn_sign), expected
    )
    assert tr.true_balance_at_reference() == 51.0
    assert tr.true_balance_at_reference(3600.0) == pytest.approx(51.4)
    assert tr.true_si_at_reference_pct() == pytest.approx(4.0)
    assert tr.drift_at(1800.0) == 0.0
    assert tr.drift_at(5400.0) == pytest.approx(0.8)


def test_drift_onset_none_means_from_the_start() -> None:
    tr = simulate_run(duration_s=1200, drift_onset_s=None, drift_pct_per_h=1.2, hills=False).truth
    assert tr.drift_onset_s == 0.0
    np.testing.assert_allclose(tr.balance_true_pct, 51.0 + 1.2 * tr.run_time_s / 3600.0)


def test_grade_and_bend_effects_are_separable(sim) -> None:
    tr = sim.truth
    resid = tr.balance_true_pct - 51.0 - tr.drift_at(tr.run_time_s)
    design = np.column_stack([tr.grade_pct, tr.turn_sign])
    coef, *_ = np.linalg.lstsq(design, resid, rcond=None)
    np.testing.assert_allclose(coef, [0.05, 0.4], atol=1e-10)
    assert np.ptp(tr.grade_pct) > 8.0  # real hills
    assert {-1.0, 0.0, 1.0} <= set(np.unique(tr.turn_sign))


def test_observed_balance_is_truth_plus_ar1_noise(sim) -> None:
    tr = sim.truth
    e = tr.balance_noise_pct
    # default: fast + slow AR(1) fitted on real files (SD 0.55, lag-1 0.7·0.96 + 0.3·0.993)
    assert np.std(e) == pytest.approx(0.55, rel=0.3)
    assert np.corrcoef(e[:-1], e[1:])[0, 1] == pytest.approx(0.97, abs=0.02)
    bal = sim.activity.sided[0].balance_left_pct
    run = tr.running_mask & np.isfinite(bal)
    np.testing.assert_allclose(bal[run], tr.balance_true_pct[run] + e[run], atol=0.005 + 1e-9)
    np.testing.assert_allclose(bal[run], np.round(bal[run], 2), atol=1e-9)  # FIT resolution
    assert np.mean(bal[run]) == pytest.approx(np.mean(tr.balance_true_pct[run]), abs=0.1)


def test_sides_are_derived_from_balance_and_mean_gct(sim) -> None:
    ch = sim.activity.sided[0]
    gct = sim.activity.samples[consts.CONTACT_TIME_S]
    np.testing.assert_allclose(ch.left, 2 * gct * ch.balance_left_pct / 100)
    np.testing.assert_allclose(ch.right, 2 * gct * (1 - ch.balance_left_pct / 100))
    np.testing.assert_allclose((ch.left + ch.right) / 2, gct)


def test_cadence_law_and_planted_deficit(sim) -> None:
    tr = sim.truth
    v_c = np.clip(tr.speed_true_m_s, 2.2, 6.0)
    law = 152.0 + 5.6 * v_c
    run = tr.running_mask
    lo, hi = tr.cadence_deficit_window_s
    inside = run & (tr.time_s >= lo) & (tr.time_s < hi)
    outside = run & ~inside
    assert inside.sum() > 300
    np.testing.assert_allclose(tr.cadence_true_spm[outside], law[outside])
    np.testing.assert_allclose(tr.cadence_true_spm[inside], 0.95 * law[inside])
    cad = sim.activity.samples[consts.CADENCE_SPM]
    np.testing.assert_allclose(cad * 64, np.round(cad * 64), atol=1e-9)  # 1/128 stride
    ratio = np.mean(cad[inside]) / np.mean(law[inside])
    assert ratio == pytest.approx(0.95, abs=0.01)


def test_gct_law_with_speed_and_fatigue() -> None:
    tr = simulate_run(seed=2, stops=0, hills=False, duration_s=7200).truth
    v_c = np.clip(tr.speed_true_m_s, 2.2, 6.0)
    law = 0.25 * (1 + 0.02 * tr.run_time_s / 3600) - 0.04 * (v_c - 3.2)
    np.testing.assert_allclose(tr.gct_true_s, law)


def test_runscribe_planted_asymmetry(sim) -> None:
    tr = sim.truth
    assert tr.runscribe_contact_asym_pct == pytest.approx(4.0)  # default 4·(51 − 50)
    left, right = tr.runscribe_contact_left_true_s, tr.runscribe_contact_right_true_s
    ok = np.isfinite(left)
    si = (left[ok] - right[ok]) / ((left[ok] + right[ok]) / 2) * 100
    np.testing.assert_allclose(si, 4.0)
    act = sim.activity
    for metric, planted in (
        (consts.M_CONTACT_TIME, 4.0),
        (consts.M_IMPACT_G, 6.0),
        (consts.M_BRAKING_G, 12.0),
    ):
        ch = act.channel(metric, consts.SRC_RUNSCRIBE)
        run = tr.running_mask
        lm, rm = np.nanmean(ch.left[run]), np.nanmean(ch.right[run])
        assert (lm - rm) / ((lm + rm) / 2) * 100 == pytest.approx(planted, abs=0.6), metric


# --- realistic ranges -----------------------------------------------------------------------------
def test_realistic_ranges(sim) -> None:
    s, tr = sim.activity.samples, sim.truth
    run = tr.phase == PHASE_RUN
    cad = s[consts.CADENCE_SPM][run]
    assert cad.min() >= 150
    assert cad.max() <= 190
    gct = s[consts.CONTACT_TIME_S][run]
    assert np.nanpercentile(gct, 1) >= 0.2
    assert np.nanpercentile(gct, 99) <= 0.3
    assert 0.24 <= np.nanmean(gct) <= 0.26
    bal = sim.activity.sided[0].balance_left_pct[tr.running_mask]
    assert np.nanmin(bal) >= 45
    assert np.nanmax(bal) <= 55
    vo = s[consts.VERTICAL_OSCILLATION_M][run]
    assert np.nanmin(vo) >= 0.07
    assert np.nanmax(vo) <= 0.10
    assert 0.08 <= np.nanmean(vo) <= 0.09
    sl = s[consts.STEP_LENGTH_M][run]
    assert np.nanmin(sl) >= 0.8
    assert np.nanmax(sl) <= 1.5
    vr = s[consts.VERTICAL_RATIO_PCT][run]
    np.testing.assert_allclose(vr, s[consts.VERTICAL_OSCILLATION_M][run] / sl * 100, atol=0.02)
    speed = s[consts.SPEED_M_S][run]
    assert np.percentile(speed, 1) >= 2.3
    assert np.percentile(speed, 99) <= 4.2
    hr = s[consts.HEART_RATE_BPM]
    late, early = tr.run_time_s > 3000, (tr.run_time_s > 300) & (tr.run_time_s < 900)
    assert np.nanmean(hr[late & run]) > np.nanmean(hr[early & run])  # cardiac drift
    assert 120 < np.nanmean(hr[run]) < 170
    lss = s[consts.LEG_SPRING_STIFFNESS_KN_M][run]
    assert 8 < np.nanmean(lss) < 13
    assert np.all(np.diff(s[consts.DISTANCE_M]) >= 0)
    assert abs(sim.activity.distance_m - np.sum(tr.speed_true_m_s)) < 0.01 * sim.activity.distance_m


# --- segments where planted -----------------------------------------------------------------------
def test_stops_walks_drills_exist_where_planted(sim) -> None:
    s, tr = sim.activity.samples, sim.truth
    t = s[consts.TIME_S]
    assert len(tr.stop_windows_s) == 2
    for a, b in tr.stop_windows_s:
        m = (t >= a) & (t < b)
        assert 20 <= b - a <= 60
        assert (tr.phase[m] == PHASE_STOP).all()
        assert (s[consts.SPEED_M_S][m] == 0).all()
        assert (s[consts.CADENCE_SPM][m] == 0).all()
        assert np.isnan(sim.activity.sided[0].balance_left_pct[m]).all()
        assert np.isnan(s[consts.CONTACT_TIME_S][m]).all()
        after = (t >= b) & (t < b + 10)
        assert (tr.phase[after] == PHASE_ACCEL).all()
        assert np.all(np.diff(tr.speed_true_m_s[after]) > -0.05)  # ramps up
    ((a, b),) = tr.walk_windows_s
    m = (t >= a) & (t < b)
    assert (tr.phase[m] == PHASE_WALK).all()
    assert 108 <= s[consts.CADENCE_SPM][m].mean() <= 127
    assert s[consts.SPEED_M_S][m].mean() == pytest.approx(1.5, abs=0.15)
    (a1, b1, side1), (a2, b2, side2) = tr.drill_windows_s
    assert (side1, side2, b1 - a1, b2 - a2) == ("left", "right", 20, 20)
    bal = sim.activity.sided[0].balance_left_pct
    left_hops = (t >= a1) & (t < b1)
    right_hops = (t >= a2) & (t < b2)
    assert (tr.phase[left_hops] == PHASE_DRILL_LEFT).all()
    assert (tr.phase[right_hops] == PHASE_DRILL_RIGHT).all()
    assert np.nanmean(bal[left_hops]) == pytest.approx(DRILL_BALANCE_LEFT_PCT, abs=1.0)
    assert np.nanmean(bal[right_hops]) == pytest.approx(DRILL_BALANCE_RIGHT_PCT, abs=1.0)
    assert np.nanmin(bal[left_hops]) > 90
    assert np.nanmax(bal[right_hops]) < 10


def test_dropouts(sim) -> None:
    tr = sim.truth
    frac = tr.dropout_mask.mean()
    assert 0.01 < frac < 0.03
    bal = sim.activity.sided[0].balance_left_pct
    assert np.isnan(bal[tr.dropout_mask]).all()
    assert np.isnan(sim.activity.samples[consts.CONTACT_TIME_S][tr.dropout_mask]).all()
    assert np.isfinite(sim.activity.samples[consts.CADENCE_SPM]).all()


# --- routes ---------------------------------------------------------------------------------------
def test_track_is_a_counter_clockwise_400m_oval() -> None:
    sim = simulate_run(route="track", seed=1, bend_effect_pct=1.0, stops=0)
    tr = sim.truth
    assert tr.route_length_m == pytest.approx(400.0, abs=0.01)
    assert set(np.unique(tr.turn_sign)) == {0.0, 1.0}  # only left-hand bends
    bend_share = np.mean(tr.turn_sign[tr.running_mask] == 1)
    assert bend_share == pytest.approx(2 * np.pi * 36.8 / 400, abs=0.03)
    assert np.ptp(tr.grade_pct) == 0.0
    assert sim.activity.meta.sub_sport == "track"
    # the GPS trace is an oval about 84 + 2·36.8 m long and 2·36.8 m wide
    lat, lon = sim.activity.samples[consts.LAT_DEG], sim.activity.samples[consts.LON_DEG]
    height = np.ptp(lat) * np.pi / 180 * 6_371_008.8
    width = np.ptp(lon) * np.pi / 180 * 6_371_008.8 * np.cos(np.radians(lat.mean()))
    assert height == pytest.approx(73.6, abs=10)  # + GPS noise (SD 1 m)
    assert width == pytest.approx(84.39 + 73.6, abs=10)
    # heading turns counter-clockwise: unwrapped heading increases
    assert np.unwrap(np.radians(tr.heading_deg))[-1] > 20 * np.pi


def test_out_and_back_flips_bends_and_grades() -> None:
    tr = simulate_run(route="out_and_back", seed=2, stops=0, dropouts_fraction=0.0).truth
    turn_pos = int(np.argmax(tr.route_pos_m))
    assert 0.4 * len(tr.time_s) < turn_pos < 0.6 * len(tr.time_s)
    out, back = slice(0, turn_pos), slice(turn_pos + 1, None)
    assert (tr.turn_sign[out] == 1).sum() > 0
    assert (tr.turn_sign[back] == 1).sum() > 0
    # same place on the way back: opposite grade and opposite bend
    for i in (200, 500, 900):
        j = turn_pos + 1 + int(np.argmin(np.abs(tr.route_pos_m[back] - tr.route_pos_m[i])))
        assert tr.grade_pct[j] == pytest.approx(-tr.grade_pct[i], abs=0.3)
    bends_out = tr.turn_sign[out][tr.turn_sign[out] != 0]
    bends_back = tr.turn_sign[back][tr.turn_sign[back] != 0]
    assert np.mean(bends_out) == pytest.approx(-np.mean(bends_back), abs=0.15)


def test_treadmill_has_no_gps_and_is_indoor() -> None:
    sim = simulate_run(route="treadmill", seed=1)
    s = sim.activity.samples
    assert consts.LAT_DEG not in s
    assert consts.ALTITUDE_M not in s
    assert sim.activity.meta.indoor
    assert sim.activity.meta.sub_sport == "treadmill"
    assert not sim.truth.turn_sign.any()
    assert not sim.truth.grade_pct.any()
    cols, msgs = fit_records(sim.to_fit_bytes())
    assert "position_lat" not in cols
    assert msgs["session"][0].get_value("sub_sport") == "treadmill"


# --- FIT round trip -------------------------------------------------------------------------------
ROUND_TRIP = {
    # Activity column: (FIT field, factor FIT → Activity, zero means missing)
    consts.SPEED_M_S: ("enhanced_speed", 1.0, False),
    consts.DISTANCE_M: ("distance", 1.0, False),
    consts.ALTITUDE_M: ("enhanced_altitude", 1.0, False),
    consts.HEART_RATE_BPM: ("heart_rate", 1.0, False),
    consts.POWER_W: ("power", 1.0, False),
    consts.TEMPERATURE_C: ("temperature", 1.0, False),
    consts.CONTACT_TIME_S: ("stance_time", 1e-3, True),
    consts.CONTACT_TIME_PCT: ("stance_time_percent", 1.0, True),
    consts.VERTICAL_OSCILLATION_M: ("vertical_oscillation", 1e-3, True),
    consts.VERTICAL_RATIO_PCT: ("vertical_ratio", 1.0, True),
    consts.STEP_LENGTH_M: ("step_length", 1e-3, True),
    consts.FORM_POWER_W: ("Form Power", 1.0, False),
    consts.AIR_POWER_W: ("Air Power", 1.0, False),
    consts.LEG_SPRING_STIFFNESS_KN_M: ("Leg Spring Stiffness", 1.0, False),
}


def assert_round_trip(sim, data: bytes) -> dict[str, np.ndarray]:
    cols, _ = fit_records(data)
    s = sim.activity.samples
    np.testing.assert_array_equal(cols["timestamp"], s[consts.TIMESTAMP_S])
    for column, (field, factor, zero_missing) in ROUND_TRIP.items():
        got = cols[field] * factor
        if zero_missing:
            got = zero_as_nan(got)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(s[column]), err_msg=column)
        np.testing.assert_allclose(
            got, s[column], rtol=1e-7, atol=1e-9, equal_nan=True, err_msg=column
        )
    if consts.LAT_DEG in s:
        np.testing.assert_allclose(cols["position_lat"] * SEMI, s[consts.LAT_DEG], atol=1e-12)
        np.testing.assert_allclose(cols["position_long"] * SEMI, s[consts.LON_DEG], atol=1e-12)
    spm = 2 * (cols["cadence"] + cols["fractional_cadence"])
    np.testing.assert_allclose(spm, s[consts.CADENCE_SPM], atol=1e-9)
    rd = sim.activity.channel(consts.M_CONTACT_TIME, consts.SRC_RUNNING_DYNAMICS)
    bal = zero_as_nan(cols["stance_time_balance"])
    np.testing.assert_allclose(bal, rd.balance_left_pct, atol=1e-9, equal_nan=True)
    gct = zero_as_nan(cols["stance_time"]) / 1000
    np.testing.assert_allclose(2 * gct * bal / 100, rd.left, atol=1e-12, equal_nan=True)
    return cols


def test_fit_round_trip_reproduces_the_activity(sim) -> None:
    data = sim.to_fit_bytes()
    cols = assert_round_trip(sim, data)
    # Garmin-style zeros at stops, invalid (missing) at dropouts
    stop = sim.truth.phase == PHASE_STOP
    assert (cols["stance_time_balance"][stop] == 0).all()
    assert (cols["stance_time"][stop] == 0).all()
    assert np.isnan(cols["stance_time_balance"][sim.truth.dropout_mask]).all()
    for metric, (fl, fr, factor) in {
        consts.M_CONTACT_TIME: ("GCT_L", "GCT_R", 1e-3),
        consts.M_IMPACT_G: ("IG_L", "IG_R", 1.0),
        consts.M_BRAKING_G: ("BG_L", "BG_R", 1.0),
    }.items():
        ch = sim.activity.channel(metric, consts.SRC_RUNSCRIBE)
        np.testing.assert_allclose(cols[fl] * factor, ch.left, rtol=1e-7, equal_nan=True)
        np.testing.assert_allclose(cols[fr] * factor, ch.right, rtol=1e-7, equal_nan=True)


@pytest.mark.parametrize(
    "options",
    [{"compressed_timestamps": True}, {"big_endian": True}, {"chain_at_s": [1800.0]}],
    ids=["compressed", "big_endian", "chained"],
)
def test_fit_round_trip_with_writer_options(options) -> None:
    sim = simulate_run(seed=11, duration_s=1800, smart_recording=True, include_runscribe=True)
    assert np.diff(sim.activity.samples[consts.TIME_S]).max() <= 7
    assert_round_trip(sim, sim.to_fit_bytes(**options))


def test_garmin_sdk_accepts_the_simulated_file(sim) -> None:
    from garmin_fit_sdk import Decoder, Stream

    data = sim.to_fit_bytes()
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    msgs, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    assert len(msgs["record_mesgs"]) == sim.activity.n_samples


def test_bike_leg_makes_a_multisport_file() -> None:
    sim = simulate_run(seed=1, duration_s=1200, bike_leg_s=900)
    act = sim.activity
    assert act.samples[consts.TIME_S][0] == 900.0
    assert sim.truth.run_start_s == 900.0
    assert sim.truth.run_time_s[0] == 0.0
    assert [(s.sport, s.analysed) for s in act.meta.segments] == [
        ("cycling", False),
        ("running", True),
    ]
    cols, msgs = fit_records(sim.to_fit_bytes())
    assert [m.get_value("sport") for m in msgs["session"]] == ["cycling", "running"]
    assert len(cols["timestamp"]) == 900 + 1200
    np.testing.assert_array_equal(cols["timestamp"][900:], act.samples[consts.TIMESTAMP_S])
    bike_cad = cols["cadence"][:900] + cols["fractional_cadence"][:900]
    assert 75 < np.mean(bike_cad) < 95  # rpm, not doubled


def test_write_simulated_fit(tmp_path) -> None:
    p = write_simulated_fit(
        tmp_path / "run.fit", duration_s=600, seed=1, fit_options={"compressed_timestamps": True}
    )
    assert p.exists()
    cols, msgs = fit_records(p.read_bytes())
    assert len(cols["timestamp"]) == 600
    assert msgs["session"][0].get_value("sport") == "running"


def test_short_runs_and_bad_arguments() -> None:
    simulate_run(duration_s=600)  # default stops fit in ten minutes
    with pytest.raises(ValueError, match="route"):
        simulate_run(route="moon")
    with pytest.raises(ValueError, match="at least 600"):
        simulate_run(duration_s=100)
    with pytest.raises(ValueError, match="too short"):
        simulate_run(duration_s=600, stops=5, walk_breaks=3)


def test_phase_codes_cover_every_sample(sim) -> None:
    codes = {PHASE_RUN, PHASE_STOP, PHASE_WALK, PHASE_DRILL_LEFT, PHASE_DRILL_RIGHT, PHASE_ACCEL}
    assert set(np.unique(sim.truth.phase)) == codes
    exp = sim.truth.balance_expected_pct
    assert np.isnan(exp[sim.truth.phase == PHASE_STOP]).all()
    assert np.isfinite(exp[sim.truth.phase != PHASE_STOP]).all()


def test_gentle_single_ar1_noise_is_still_available() -> None:
    tr = simulate_run(duration_s=3600, seed=4, balance_noise_sd_pct=0.4, balance_noise_phi=0.9,
                      balance_noise_slow_share=0.0).truth
    e = tr.balance_noise_pct
    assert np.std(e) == pytest.approx(0.4, rel=0.25)
    assert np.corrcoef(e[:-1], e[1:])[0, 1] == pytest.approx(0.9, abs=0.05)


def test_default_balance_noise_is_as_persistent_as_real_files() -> None:
    """The integrated autocorrelation time of the default noise is the real-file median (~2 min),
    far above the old AR(1) 0.9 (19 s)."""
    from evenstride.metrics._intervals import WATCH_PRIOR

    taus = []
    for seed in range(4):
        e = simulate_run(duration_s=10800, seed=seed, stops=0).truth.balance_noise_pct
        e = e - e.mean()
        acf = np.array([1.0] + [np.dot(e[:-k], e[k:]) / np.dot(e, e) for k in range(1, 900)])
        taus.append(1.0 + 2.0 * acf[1:].sum())
    assert 70.0 < np.median(taus) < 170.0
    assert WATCH_PRIOR.tau_s == pytest.approx(120.0, rel=0.1)
