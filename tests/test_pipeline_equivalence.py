# SPDX-License-Identifier: MIT
"""Speed work must not change any output: every shared real FIT/TCX/GPX file gives the same
``analyze(path).to_dict()`` document as the code had before the optimisations (issue 15).

The snapshot (tests/snapshots/pipeline_equivalence.json) holds, per file, a sha256 of the
canonical JSON of the whole document plus a few readable values. Canonical means: keys sorted,
the file's own path replaced by ``<file>``, and every float written with 12 significant digits,
so dict order and last-bit summation noise never count, but any real change to any value does.

Regenerate only for a deliberate output change (with a CHANGELOG "Scientific changes" entry):
``EVENSTRIDE_SNAPSHOT_UPDATE=1 pytest tests/test_pipeline_equivalence.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_data_dir
from evenstride.exceptions import EvenstrideWarning, UserInputError
from evenstride.pipeline import analyze

SNAPSHOT = Path(__file__).parent / "snapshots" / "pipeline_equivalence.json"
SUFFIXES = (".fit", ".tcx", ".gpx")
SIGNIFICANT_DIGITS = 12


def _files() -> list[str]:
    root = shared_data_dir()
    if not root.is_dir():
        return []
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.suffix.lower() in SUFFIXES
    )


def canonical(value: Any, path_text: str) -> Any:
    """The document with floats at 12 significant digits and the file's path as ``<file>``."""
    if isinstance(value, dict):
        return {str(k): canonical(v, path_text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v, path_text) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, str):
        return value.replace(path_text, "<file>")
    return canonical(str(value), path_text)


def digest(rel: str) -> dict[str, Any]:
    """Digest and a few readable values of one shared file's analysis (or its refusal)."""
    path = shared_data_dir() / rel
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            doc = analyze(path).to_dict()
    except UserInputError as exc:
        return {"refused": str(exc).replace(str(path), "<file>")}
    canon = canonical(doc, str(path))
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return {
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "n_values": _count_leaves(canon),
        "duration_s": canon["duration_s"],
        "n_asymmetry": len(canon["asymmetry"]),
        "first_balance_left_pct": (
            canon["asymmetry"][0]["balance_left_pct"] if canon["asymmetry"] else None
        ),
        "n_warnings": len(canon["warnings"]),
    }


def _count_leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_count_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_leaves(v) for v in value)
    return 1


FILES = _files()


def test_canonical_ignores_key_order_and_last_bit_noise_only() -> None:
    a = canonical({"b": 1.0, "a": [0.1 + 0.2, "x /p/f.fit"]}, "/p/f.fit")
    b = canonical({"a": [0.3, "x /p/f.fit"], "b": 1.0}, "/p/f.fit")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    c = canonical({"a": [0.3000001, "x"], "b": 1.0}, "/p/f.fit")
    assert json.dumps(a, sort_keys=True) != json.dumps(c, sort_keys=True)


@pytest.mark.skipif(not FILES, reason="shared data folder not found (../shared/data)")
def test_documents_unchanged_on_shared_files() -> None:
    got = {rel: digest(rel) for rel in FILES}
    if os.environ.get("EVENSTRIDE_SNAPSHOT_UPDATE") == "1" or not SNAPSHOT.is_file():
        SNAPSHOT.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        if os.environ.get("EVENSTRIDE_SNAPSHOT_UPDATE") != "1":
            pytest.fail(f"snapshot was missing; written to {SNAPSHOT}, re-run to compare")
    want = json.loads(SNAPSHOT.read_text())
    changed = sorted(rel for rel in want if rel in got and got[rel] != want[rel])
    assert not changed, f"analysis output changed for: {changed}"
    assert set(got) >= set(want), f"files missing now: {sorted(set(want) - set(got))}"


def test_context_to_dict_is_a_fresh_copy_equal_to_a_deep_copy() -> None:
    """``RunContext.to_dict`` no longer uses ``copy.deepcopy`` but must still hand out fresh
    containers: editing a document must not reach the shared evidence constants."""
    import copy

    from evenstride.metrics import context as ctx_mod
    from evenstride.simulate import simulate_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvenstrideWarning)
        res = analyze(simulate_run(duration_s=1200, seed=3).activity)
    ctx = res.context
    assert ctx is not None
    d1 = ctx.to_dict()
    assert d1 == copy.deepcopy(d1)
    before = copy.deepcopy(ctx_mod._TURN_EVIDENCE)
    turning_ev = d1["turning"].get("evidence")
    assert isinstance(turning_ev, dict)
    turning_ev.clear()
    d1["notes"].append("edited")
    assert ctx_mod._TURN_EVIDENCE == before
    d2 = ctx.to_dict()
    assert d2["turning"]["evidence"] == before and "edited" not in d2["notes"]
