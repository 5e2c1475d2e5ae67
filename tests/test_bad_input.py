# SPDX-License-Identifier: MIT
"""Damaged and odd files through the whole pipeline: a result (possibly partial, with a warning) or
a one-line user error — never another exception, never a hang."""

import shutil
import warnings

import numpy as np
import pytest

from evenstride.exceptions import EvenstrideWarning, UnsupportedActivityError, UserInputError
from evenstride.io._fit_writer import SessionSpec, write_activity_fit
from evenstride.pipeline import analyze
from evenstride.simulate import simulate_run, write_simulated_fit


@pytest.fixture(scope="module")
def fit_bytes(tmp_path_factory):
    p = write_simulated_fit(tmp_path_factory.mktemp("bad") / "s.fit", duration_s=1200, seed=8,
                            include_runscribe=True)
    return p.read_bytes()


def _analyze_bytes(tmp_path, data, name="x.fit"):
    p = tmp_path / name
    p.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        try:
            return analyze(p)
        except UserInputError as exc:
            msg = str(exc)
            assert "\n" not in msg
            assert str(p) in msg
            return exc


@pytest.mark.parametrize("seed", range(12))
def test_random_bit_flips_give_result_or_clean_error(tmp_path, fit_bytes, seed):
    rng = np.random.default_rng(seed)
    data = bytearray(fit_bytes)
    for pos in rng.integers(0, len(data), size=10):
        data[pos] ^= 1 << int(rng.integers(0, 8))
    _analyze_bytes(tmp_path, bytes(data))


@pytest.mark.parametrize("frac", [0.0, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999])
def test_truncation_at_many_points(tmp_path, fit_bytes, frac):
    out = _analyze_bytes(tmp_path, fit_bytes[: int(len(fit_bytes) * frac)])
    if not isinstance(out, Exception):
        assert any("truncat" in w for w in out.warnings)


def test_gpx_with_a_fit_name_is_read_by_content(tmp_path, shared_data):
    src = shared_data / "runpandas" / "run.gpx"
    dst = tmp_path / "really_a_gpx.fit"
    shutil.copy(src, dst)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(dst)
    assert res.activity.meta.file_format == "gpx"


@pytest.mark.parametrize("sport", ["cycling", "swimming"])
def test_non_running_sports_refused_by_name(tmp_path, sport):
    act = simulate_run(duration_s=900, seed=4).activity
    p = tmp_path / f"{sport}.fit"
    write_activity_fit(act, p, sessions=[SessionSpec(sport, None, 0.0, 900.0)])
    with pytest.raises(UnsupportedActivityError, match=sport):
        analyze(p)


def test_gzip_garbage_is_a_clean_error(tmp_path):
    out = _analyze_bytes(tmp_path, b"\x1f\x8b\x08\x00garbage", name="x.fit.gz")
    assert isinstance(out, UserInputError)
    assert "gzip" in str(out)
