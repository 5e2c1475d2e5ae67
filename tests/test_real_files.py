# SPDX-License-Identifier: MIT
"""Every running file in ../shared/data is analysed or cleanly refused, and the key numbers are
pinned in a named snapshot (tests/snapshots/real_files.json).

A change to any of these numbers must be deliberate: re-run with ``EVENSTRIDE_SNAPSHOT_UPDATE=1``
and add a "Scientific changes" entry to CHANGELOG.md saying why.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from conftest import shared_data_dir
from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.pipeline import analyze

SNAPSHOT = Path(__file__).parent / "snapshots" / "real_files.json"
SUFFIXES = (".fit", ".tcx", ".gpx")


def _files() -> list[str]:
    root = shared_data_dir()
    if not root.is_dir():
        return []
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.suffix.lower() in SUFFIXES
    )


def _summary(rel: str) -> dict[str, object]:
    path = shared_data_dir() / rel
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            d = analyze(path).to_dict()
    except UserInputError as exc:
        msg = str(exc)
        assert "\n" not in msg and str(path) in msg
        return {"refused": msg.replace(str(path), "<file>")}
    out: dict[str, object] = {
        "sport": d["sport"],
        "sub_sport": d["sub_sport"],
        "duration_s": round(d["duration_s"]),
        "distance_m": None if d["distance_m"] is None else round(d["distance_m"]),
        "running_share": d["quality"]["labels"]["running"],
        "analysed_segments": sum(s["analysed"] for s in d["segments"]),
        "asymmetry": [
            {
                "key": f"{a['metric']}/{a['source']}",
                "balance_left_pct": a["balance_left_pct"],
                "symmetry_angle_pct": a["symmetry_angle_pct"],
                "ci95": a["ci95"],
                "real": a["real"],
                "class": a["class"],
                "n": a["n"],
            }
            for a in d["asymmetry"]
        ],
        "cadence_at_reference_spm": d["form"]["cadence_speed"]["cadence_at_reference_spm"],
        "onsets": {k: v["onset_s"] for k, v in d["fatigue"].items() if v["onset_s"] is not None},
        "n_warnings": len(d["warnings"]),
    }
    return out


FILES = _files()


@pytest.fixture(scope="module")
def snapshot() -> dict[str, object]:
    if SNAPSHOT.is_file():
        return json.loads(SNAPSHOT.read_text())
    return {}


@pytest.mark.skipif(not FILES, reason="shared data folder not found")
@pytest.mark.parametrize("rel", FILES)
def test_real_file_matches_snapshot(rel, snapshot):
    got = _summary(rel)
    if os.environ.get("EVENSTRIDE_SNAPSHOT_UPDATE"):
        data = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.is_file() else {}
        data[rel] = got
        SNAPSHOT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        pytest.skip("snapshot updated")
    assert rel in snapshot, f"no snapshot for {rel}: run with EVENSTRIDE_SNAPSHOT_UPDATE=1"
    assert _close(got, snapshot[rel])


def _close(a: object, b: object, path: str = "") -> bool:
    """Structural equality with a small float tolerance (bootstrap CIs are seeded, exact)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        return all(_close(a[k], b[k], f"{path}.{k}") for k in a)
    if isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        return all(_close(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b, strict=True)))
    if isinstance(a, float) and isinstance(b, (int, float)):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-6), f"{path}: {a} != {b}"
        return True
    assert a == b, f"{path}: {a!r} != {b!r}"
    return True


def test_known_values_from_the_manifest():
    """Independent anchors from ../shared/data/MANIFEST.md (fitdecode-verified session values)."""
    root = shared_data_dir()
    if not root.is_dir():
        pytest.skip("shared data folder not found")
    cases = {
        # file: (session/record mean GCT balance stated in MANIFEST, tolerance)
        "goldencheetah/4077461142.fit": (48.72, 0.35),
        "goldencheetah/2019-09-07-11-22-19.fit": (48.33, 0.35),
        "goldencheetah/Garmin920_withFirstbeat.fit": (47.99, 0.5),
        "sports-lib/run_6916663933_coros.fit": (49.3, 0.4),
    }
    for rel, (expected, tol) in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            d = analyze(root / rel).to_dict()
        rd = next(a for a in d["asymmetry"] if a["source"] == "running_dynamics")
        assert rd["balance_left_pct"] == pytest.approx(expected, abs=tol), rel
