# SPDX-License-Identifier: MIT
"""The pipeline's layers only look backwards, checked by scanning every import with ``ast``.

1. An **allow-list per package**: which evenstride packages each package may import
   (:data:`ALLOWED`, derived from the code and the intended direction io → preprocessing →
   steps/lab → metrics → assessment → pipeline → history/clinical → adapters). A new edge fails
   until it is added here, on purpose.
2. The **core never imports an adapter** (store, CLI, web, importer, report, services), except the
   listed :data:`KNOWN_UPWARD` edges, each with its reason, which may only shrink.
3. **No cross-package import of a private module** (``from evenstride.X._y import …`` from
   outside package X): today's violations are :data:`KNOWN_PRIVATE`, which may only shrink.

A "package" is the first name under ``evenstride`` (``evenstride.metrics.context`` → ``metrics``;
top-level modules ``hrv.py``, ``consts.py`` … are their own package; ``evenstride/__init__.py``
is ``(root)``). Imports inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import evenstride

SRC = Path(evenstride.__file__).parent

#: Adapters around the core: persistence, command line, web, import orchestration, rendering.
ADAPTERS = frozenset({"store", "cli", "__main__", "_cli_types", "web", "importer", "report",
                      "services"})
#: Leaf modules every package may import.
LEAVES = frozenset({"consts", "datatypes", "exceptions"})

#: package → evenstride packages it may import (besides itself and :data:`LEAVES`).
ALLOWED: dict[str, frozenset[str]] = {
    "consts": frozenset(),
    "exceptions": frozenset(),
    "datatypes": frozenset(),
    "io": frozenset(),
    "preprocessing": frozenset(),
    "metrics": frozenset({"preprocessing"}),
    "assessment": frozenset({"metrics", "preprocessing"}),
    "pipeline": frozenset({"io", "preprocessing", "metrics", "assessment"}),
    # steps builds an Activity and analyses it with the run pipeline (steps/_document.py)
    "steps": frozenset({"io", "metrics", "pipeline"}),
    "lab": frozenset({"io", "steps"}),
    "simulate": frozenset({"io"}),
    "hrv": frozenset({"io", "metrics"}),
    "history": frozenset({"metrics", "assessment"}),
    "clinical": frozenset({"assessment", "(root)"}),
    "(root)": frozenset({"io", "pipeline", "report", "simulate"}),
    # adapters
    "report": frozenset({"(root)", "metrics", "assessment", "pipeline", "history", "clinical"}),
    "importer": frozenset({"io", "pipeline", "store"}),
    "store": frozenset({"(root)", "_cli_types", "assessment", "clinical", "history", "hrv",
                        "importer", "pipeline", "report"}),
    "_cli_types": frozenset(),
    "cli": frozenset({"(root)", "_cli_types", "assessment", "lab", "metrics", "pipeline",
                      "report", "simulate", "steps", "store", "web"}),
    "__main__": frozenset({"cli"}),
    "web": frozenset({"(root)", "clinical", "importer", "pipeline", "report", "store"}),
}

#: Core → adapter edges that break the intended direction: (package, imported package), reason.
#: Fix them, then delete the line; never add one.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
    # `import evenstride` for __version__ in the calendar file; it loads the report adapter too.
    ("clinical", "(root)"): "clinical/ics.py reads evenstride.__version__",
    # the root package is the public API: it re-exports the report writer and the simulator.
    ("(root)", "report"): "public API write_report",
}

#: Cross-package imports of private modules today: (importing package, private module).
#: Fix them (make the name public in the package's __init__ or move the code), then delete the
#: line; the test fails on any new one.
KNOWN_PRIVATE: frozenset[tuple[str, str]] = frozenset({
    # CLI orchestrates per-step analysis itself (issue 13: moves into steps/pipeline)
    ("cli", "evenstride.lab._c3d"),
    ("cli", "evenstride.lab._force_events"),
    ("cli", "evenstride.lab._fukuchi"),
    ("cli", "evenstride.lab._to_activity"),
    ("cli", "evenstride.steps._accel_only"),
    ("cli", "evenstride.steps._runscribe_csv"),
    ("cli", "evenstride.steps._trunk"),
    ("cli", "evenstride.store._doctor"),
    # assessment's class bands/labels used by history and report
    ("history", "evenstride.assessment._assess"),
    ("report", "evenstride.assessment._assess"),
    ("report", "evenstride.metrics._bootstrap"),
    # bounded file reading and FIT decoding, to be public io functions (readers move into io/)
    ("hrv", "evenstride.io._bounded"),
    ("hrv", "evenstride.io._fit_decode"),
    ("importer", "evenstride.io._bounded"),
    ("lab", "evenstride.io._bounded"),
    ("steps", "evenstride.io._bounded"),
    # the accelerometer CSV reader splits at clock jumps; it moves into io/ (issue 13)
    ("steps", "evenstride.io._time_gaps"),
    ("simulate", "evenstride.io._fit_writer"),
    ("importer", "evenstride.store._blob"),
    # force/marker step events reuse the IMU detector (one step model: issue 13)
    ("lab", "evenstride.steps._falbriard"),
    ("pipeline", "evenstride.metrics._family"),
    ("pipeline", "evenstride.metrics._intervals"),
    ("store", "evenstride.history._shoes"),
    # web calls store-level CLI helpers (to be a services layer)
    ("web", "evenstride.store._clinical"),
    ("web", "evenstride.store._history_cache"),
    ("web", "evenstride.store._plans"),
})


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(SRC.rglob("*.py")):
        rel = p.relative_to(SRC.parent).with_suffix("")
        out[".".join(rel.parts).removesuffix(".__init__")] = p
    return out


MODULES = _modules()


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(root)"


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every evenstride module ``name`` imports (relative imports resolved; ``from X import y``
    gives ``X.y`` when that is a module)."""
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: None if is_pkg else -1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                yield sub if sub in MODULES else mod


def _edges() -> list[tuple[str, str]]:
    out = []
    for name, path in MODULES.items():
        for imp in _imports(name, path):
            if imp == "evenstride" or imp.startswith("evenstride."):
                out.append((name, imp))
    return out


EDGES = _edges()


def _private_crossings() -> set[tuple[str, str]]:
    out = set()
    for name, imp in EDGES:
        if _package(name) != _package(imp) and any(
            p.startswith("_") and not p.startswith("__") for p in imp.split(".")[2:]
        ):
            out.add((_package(name), imp))
    return out


def test_scanner_sees_imports():
    # the scan must find real edges, relative imports and private crossings, or it proves nothing
    assert ("evenstride.pipeline", "evenstride.metrics") in {
        (a, ".".join(b.split(".")[:2])) for a, b in EDGES}
    assert ("evenstride.metrics.context", "evenstride.metrics.hrv") in EDGES
    assert _private_crossings() & KNOWN_PRIVATE


@pytest.mark.parametrize("package", sorted({_package(m) for m in MODULES}))
def test_package_imports_only_what_its_allow_list_names(package):
    assert package in ALLOWED, f"new package {package!r}: add its allow-list to ALLOWED"
    allowed = ALLOWED[package] | LEAVES | {package}
    bad = sorted({(a, b) for a, b in EDGES if _package(a) == package
                  and _package(b) not in allowed})
    assert not bad, f"{package} imports outside its allow-list: {bad}"


def test_core_never_imports_an_adapter():
    core = set(ALLOWED) - ADAPTERS
    for package in core:
        for target in ALLOWED[package] & (ADAPTERS | {"(root)"}):
            assert (package, target) in KNOWN_UPWARD, f"core {package} may not import {target}"
    for (package, target), reason in KNOWN_UPWARD.items():
        assert package in core and target in ADAPTERS | {"(root)"} and reason


def test_io_never_imports_analysis():
    analysis = {"preprocessing", "metrics", "assessment", "pipeline", "steps", "lab", "history",
                "clinical"}
    assert not ALLOWED["io"] & analysis
    assert not {(a, b) for a, b in EDGES if _package(a) == "io" and _package(b) in analysis}


def test_no_new_cross_package_private_imports():
    new = sorted(_private_crossings() - KNOWN_PRIVATE)
    assert not new, (
        "imports of another package's private module (make the name public in that package, "
        f"or move the code): {new}")


def test_public_api_sorted_and_resolvable():
    assert evenstride.__all__ == sorted(evenstride.__all__)
    for name in evenstride.__all__:
        assert getattr(evenstride, name) is not None
