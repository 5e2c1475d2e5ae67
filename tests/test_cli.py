# SPDX-License-Identifier: MIT
"""The CLI as a user meets it: in-process for speed, and as a real subprocess where the exit code,
stderr lines and absence of tracebacks matter."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evenstride.cli import main
from evenstride.simulate import write_simulated_fit


@pytest.fixture(scope="module")
def sim_fit(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    return write_simulated_fit(d / "sim.fit", duration_s=1800, seed=5, balance_left_pct=51.4)


def _write(path, data):
    path.write_bytes(data)
    return path


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "evenstride", *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )


def test_analyze_json_is_one_document_per_file(sim_fit, capsys):
    assert main(["analyze", str(sim_fit), str(sim_fit), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    doc = json.loads(lines[0])
    assert doc["schema"] == "evenstride.run/1"
    rd = doc["asymmetry"][0]
    assert rd["balance_left_pct"] == pytest.approx(51.4, abs=0.3)


def test_analyze_summary_puts_findings_first(sim_fit, capsys):
    assert main(["analyze", str(sim_fit)]) == 0
    out = capsys.readouterr().out
    assert out.index("What this means") < out.index("Left/right asymmetry")
    assert "ms" in out and "% left" in out


def test_analyze_summary_leads_with_numbered_headline_sentences(sim_fit, capsys):
    assert main(["analyze", str(sim_fit), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    heads = doc["headline_findings"]
    assert 1 <= len(heads) <= 5
    assert all(h["headline"] and h["sentence"].startswith(h["sensor"]) for h in heads)
    assert main(["analyze", str(sim_fit), "--quiet"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # undo the panel's line wrapping
    panel = out[out.index("What this means"):]
    first = " ".join(heads[0]["sentence"].split()[:6])
    assert "1. " + first in panel


def test_merge_warnings_keeps_each_message_once():
    import warnings as w

    from evenstride.cli import merge_warnings
    from evenstride.exceptions import EvenstrideWarning

    notes = ["no left/right data in this file"]
    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        w.warn("run.fit: no left/right data in this file", EvenstrideWarning, stacklevel=1)
        w.warn("run.fit: cadence looks doubled", EvenstrideWarning, stacklevel=1)
        w.warn("run.fit: cadence looks doubled", EvenstrideWarning, stacklevel=1)
        w.warn("unrelated", DeprecationWarning, stacklevel=1)
    assert merge_warnings(notes, caught, "run.fit") == [
        "no left/right data in this file", "cadence looks doubled"]


def test_each_warning_prints_once_in_terminal_and_html(tmp_path, capsys):
    from conftest import shared_data_dir

    path = shared_data_dir() / "goldencheetah" / "10kUNLP2014-Garmin15.fit"
    if not path.is_file():
        pytest.skip("shared data not available")
    target = tmp_path / "r.html"
    assert main(["analyze", str(path), "--html", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.count("no left/right data in this file") == 1
    html = target.read_text()
    assert html.count("no left/right data in this file") == 1
    # "What this means" is never empty, even without cadence or sides
    panel = out[out.index("What this means"):out.index("warning:")]
    assert "1. Watch (Garmin fr15): this file has no cadence" in " ".join(panel.split())


def test_html_report_written(sim_fit, tmp_path):
    target = tmp_path / "r.html"
    assert main(["analyze", str(sim_fit), "--html", str(target)]) == 0
    html = target.read_text()
    assert "What this means" in html and len(html) < 8_000_000


def test_several_files_html_goes_to_a_folder(sim_fit, tmp_path):
    out = tmp_path / "reports"
    assert main(["analyze", str(sim_fit), str(sim_fit), "--html", str(out), "-q"]) == 0
    assert (out / "sim.html").is_file()


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: d / "missing.fit", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "empty.fit", b""), "empty"),
        (lambda d: _write(d / "notes.fit", b"hello, not a run\n"), "not a FIT, TCX or GPX"),
    ],
)
def test_bad_input_one_line_exit_2_no_traceback(tmp_path, make, needle):
    path = make(tmp_path)
    p = _run("analyze", path)
    assert p.returncode == 2
    err = p.stderr.strip().splitlines()
    assert len(err) == 1, p.stderr
    assert needle in err[0] and str(path) in err[0]
    assert "Traceback" not in p.stderr + p.stdout


def test_one_bad_file_does_not_stop_the_others(sim_fit, tmp_path):
    bad = tmp_path / "bad.gpx"
    bad.write_text("<gpx><trk><trkseg><trkpt lat='1' lon='2'><time>2020-01-01T00:00:00Z")
    p = _run("analyze", bad, sim_fit, "--json")
    assert p.returncode == 2
    docs = [json.loads(x) for x in p.stdout.splitlines()]
    assert docs[0]["schema"] == "evenstride.error/1" and str(bad) in docs[0]["error"]
    assert docs[1]["schema"] == "evenstride.run/1"


def test_truncated_fit_is_analysed_with_a_warning(sim_fit, tmp_path):
    data = sim_fit.read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    p = _run("analyze", cut, "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert any("truncated" in w for w in doc["warnings"])
    assert doc["duration_s"] < 1800 * 0.8


def test_cycling_file_refused(tmp_path):
    from evenstride.io._fit_writer import SessionSpec, write_activity_fit
    from evenstride.simulate import simulate_run

    act = simulate_run(duration_s=900, seed=3).activity
    p = tmp_path / "ride.fit"
    write_activity_fit(act, p, sessions=[SessionSpec("cycling", None, 0.0, 900.0)])
    r = _run("analyze", p)
    assert r.returncode == 2 and "cycling" in r.stderr and "Traceback" not in r.stderr


NOBODY_UID = 65534


def _as_nobody(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_UID}", "--clear-groups", *argv],
        capture_output=True, text=True, timeout=120, cwd="/tmp",
        env={**os.environ, "HOME": "/tmp"},
    )


def _why_nobody_cannot_run_evenstride() -> str | None:
    """The reason the permission test cannot run here, or None when it can."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "needs root and setpriv to drop to another user"
    import pwd

    try:
        pwd.getpwuid(NOBODY_UID)
    except KeyError:
        return f"no unprivileged user with uid {NOBODY_UID} on this machine"
    probe = _as_nobody(sys.executable, "-c", "import evenstride")
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["(no message)"])[-1]
        return (f"uid {NOBODY_UID} cannot run this checkout's Python or import evenstride "
                f"(e.g. a parent folder is not readable): {last}")
    return None


def test_unreadable_file_reports_permission(sim_fit, tmp_path):
    reason = _why_nobody_cannot_run_evenstride()
    if reason is not None:
        pytest.skip(reason)
    d = Path("/tmp") / f"evenstride-perm-{os.getpid()}"
    d.mkdir(exist_ok=True)
    f = d / "locked.fit"
    shutil.copy(sim_fit, f)
    d.chmod(0o755)
    f.chmod(0o600)  # owned by root: the unprivileged user cannot read it
    try:
        p = _as_nobody(sys.executable, "-m", "evenstride", "analyze", str(f))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert p.returncode == 2, p.stderr
    assert "permission denied" in p.stderr and "Traceback" not in p.stderr


def test_demo_writes_fit_and_report(tmp_path):
    p = _run("demo", "--out", tmp_path / "demo", "--duration-min", "30")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "demo" / "demo-run.fit").is_file()
    assert (tmp_path / "demo" / "demo-report.html").is_file()
    assert "planted vs recovered" in p.stdout


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["analyze"])
    assert e.value.code == 2
    assert main([]) == 2


def test_unwritable_report_target_is_a_one_line_error(sim_fit, tmp_path):
    blocker = tmp_path / "file.html"
    blocker.write_text("x")
    # several inputs make --html a folder; a file is in the way
    p = _run("analyze", sim_fit, sim_fit, "--html", blocker, "-q")
    assert p.returncode == 2
    assert "cannot write the report" in p.stderr
    assert "Traceback" not in p.stderr
    p = _run("demo", "--out", blocker / "sub")
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_drift_table_gives_contact_time_in_ms_like_the_findings(sim_fit, capsys):
    """The drift table's form columns are in their display unit: contact time in ms (the
    findings say '352 ms'), not '+0.0025 s' and '0.3484'."""
    import re

    from evenstride.cli import main

    assert main(["analyze", str(sim_fit)]) == 0
    out = capsys.readouterr().out
    drift = out[out.index("Drift along the run"):]
    row = next(ln for ln in drift.splitlines()
               if ln.startswith("│ ground contact time ") and "asymmetry" not in ln)
    assert " ms " in row and " s " not in row, row
    quarters = [float(x) for x in re.findall(r"│\s+(\d+(?:\.\d+)?) ms\s+", row)]
    assert len(quarters) == 2 and all(150.0 < q < 400.0 for q in quarters), row  # ms, not s
    assert all(q == int(q) for q in quarters), row  # whole ms, one precision per unit
