# SPDX-License-Identifier: MIT
"""The pipeline's layers only look backwards, checked by scanning every import with ``ast``.

1. An **allow-list per package**: which evenstride packages each package may import
   (:data:`ALLOWED`; the layout and its reasons are in docs/architecture.md). Core:
   readers (``io``) → samples (``preprocessing``) → ``steps`` → ``metrics`` → ``assessment``
   → ``pipeline`` → ``history``/``clinical``; adapters around it: ``report`` (rendering),
   ``store`` (persistence), ``services`` (operations over an open store), ``cli``, ``web``.
   A new module inside a listed package is covered by its package's line; a new edge or a new
   package fails until it is added here, on purpose.
2. The **core never imports an adapter**, except the listed :data:`KNOWN_UPWARD` edges, each
   with its reason, which may only shrink.
3. **No cross-package import of a private module** (``from evenstride.X._y import …`` from
   outside package X): the adapters ``services``, ``cli``, ``web`` and ``store`` have none;
   the core's remaining ones are :data:`KNOWN_PRIVATE`, which may only shrink.
4. The adapters' own rules: ``store`` is persistence only (no history, report, importer,
   assessment, pipeline or CLI code), ``web`` never calls the CLI, ``services`` never parse
   arguments or render pages, nothing outside ``cli`` imports ``argparse``.

A "package" is the first name under ``evenstride`` (``evenstride.metrics.context`` → ``metrics``;
top-level modules ``hrv.py``, ``consts.py`` … are their own package, and stay the same package
when they become a folder, e.g. ``simulate.py`` → ``simulate/``; ``evenstride/__init__.py``
is ``(root)``). Imports inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import evenstride

SRC = Path(evenstride.__file__).parent

#: Adapters around the core: rendering, persistence, import orchestration, the services over the
#: store, the command line and the web app.
ADAPTERS = frozenset({"report", "store", "importer", "services", "cli", "__main__", "web",
                      "batch"})
#: Leaf modules every package may import.
LEAVES = frozenset({"consts", "datatypes", "exceptions", "filters", "_threads"})
#: The core's packages, lowest first (each may import those before it, as listed in ALLOWED).
_READERS = frozenset({"io"})
_SAMPLES = _READERS | {"preprocessing"}

#: package → evenstride packages it may import (besides itself and :data:`LEAVES`).
ALLOWED: dict[str, frozenset[str]] = {
    "consts": frozenset(),
    "exceptions": frozenset(),
    "datatypes": frozenset(),
    # signal filters shared by readers and detectors (low-pass, peaks, parabolic)
    "filters": frozenset(),
    # every file → Activity or recording (readers of all formats, archives)
    "io": frozenset(),
    "preprocessing": _READERS,
    "metrics": _SAMPLES,
    # samples → one step table → Activity; analysed with the run pipeline (steps/_document.py)
    "steps": _SAMPLES | {"metrics"},
    "hrv": _SAMPLES | {"metrics"},
    "assessment": _SAMPLES | {"metrics"},
    # analyze(path or activity) and analyze_steps(recording): every reader and detector
    "pipeline": _SAMPLES | {"steps", "metrics", "assessment"},
    # simulated runs and IMU ground truth (written as files, detected as steps)
    "simulate": _SAMPLES | {"steps"},
    "history": frozenset({"metrics", "assessment"}),
    "clinical": frozenset({"metrics", "assessment", "(root)"}),
    "(root)": frozenset({"io", "pipeline", "report", "simulate"}),
    # --- adapters
    # io/steps: the video section re-reads key frames and keypoint names (issue 16)
    "report": frozenset({"(root)", "metrics", "assessment", "pipeline", "history", "clinical",
                         "io", "steps"}),
    "importer": frozenset({"io", "pipeline", "store"}),
    # persistence only: typed rows; the clinical records are stored as their model types
    "store": frozenset({"(root)", "clinical"}),
    "services": frozenset({"store", "importer", "io", "hrv", "metrics", "steps", "pipeline",
                           "assessment", "history", "clinical"}),
    "cli": frozenset({"(root)", "services", "store", "web", "report", "io", "steps", "batch",
                      "pipeline", "metrics", "assessment", "history", "clinical", "hrv",
                      "simulate"}),
    "_threads": frozenset(),  # BLAS thread limit of the CLI and import workers
    "__main__": frozenset({"cli"}),
    "web": frozenset({"(root)", "services", "store", "report", "pipeline", "clinical"}),
    # platform scale on Dask: the import path's unit of work, the store's rows, the history
    "batch": frozenset({"(root)", "importer", "store", "history", "simulate"}),
}

#: Packages the adapters must never import (beyond what ALLOWED already leaves out), with why.
FORBIDDEN: dict[str, frozenset[str]] = {
    "store": frozenset({"history", "report", "importer", "assessment", "pipeline", "services",
                        "cli", "web", "hrv"}),
    "services": frozenset({"cli", "web", "report"}),
    "web": frozenset({"cli", "importer"}),
    "report": frozenset({"store", "services", "cli", "web", "importer"}),
}

#: Core → adapter edges that break the intended direction: (package, imported package), reason.
#: Fix them, then delete the line; never add one.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
    # `import evenstride` for __version__ in the calendar file; it loads the report adapter too.
    ("clinical", "(root)"): "clinical/ics.py reads evenstride.__version__",
    # the root package is the public API: it re-exports the report writer and the simulator.
    ("(root)", "report"): "public API write_report",
}

#: Adapters that import no other package's private module.
NO_PRIVATE_CROSSINGS = frozenset({"services", "web", "store", "__main__"})

#: Cross-package imports of private modules today: (importing package, private module).
#: Fix them (make the name public in the package's __init__ or move the code), then delete the
#: line; the test fails on any new one.
KNOWN_PRIVATE: frozenset[tuple[str, str]] = frozenset({
    # assessment's class bands/labels used by history and report
    ("history", "evenstride.assessment._assess"),
    ("report", "evenstride.assessment._assess"),
    ("report", "evenstride.metrics._bootstrap"),
    # the simulator writes its runs with the FIT encoder (to be a public io function)
    ("simulate", "evenstride.io._fit_writer"),
    # the importer stores sample blobs in the store's own blob format
    ("importer", "evenstride.store._blob"),
    # the per-run family-wise budget and intervals, used by the pipeline's judgement
    ("pipeline", "evenstride.metrics._family"),
    ("pipeline", "evenstride.metrics._intervals"),
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


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_adapters_keep_to_their_job(package):
    assert not ALLOWED[package] & FORBIDDEN[package], "ALLOWED contradicts FORBIDDEN"
    bad = sorted({(a, b) for a, b in EDGES if _package(a) == package
                  and _package(b) in FORBIDDEN[package]})
    assert not bad, f"{package} imports what it must not: {bad}"


def test_argparse_only_in_the_cli():
    users = sorted(name for name, path in MODULES.items() if _package(name) != "cli"
                   and any(isinstance(n, (ast.Import, ast.ImportFrom))
                           and "argparse" in ({a.name for a in n.names}
                                              if isinstance(n, ast.Import) else {n.module})
                           for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))))
    assert not users, f"argparse outside evenstride.cli: {users}"


@pytest.mark.parametrize("package", sorted(NO_PRIVATE_CROSSINGS))
def test_adapters_use_only_public_modules(package):
    bad = sorted(imp for pkg, imp in _private_crossings() if pkg == package)
    assert not bad, f"{package} imports private modules of other packages: {bad}"


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


def test_known_private_crossings_are_all_still_there():
    """A fixed crossing must leave :data:`KNOWN_PRIVATE` too, so the list only shrinks."""
    stale = sorted(KNOWN_PRIVATE - _private_crossings())
    assert not stale, f"delete these fixed lines from KNOWN_PRIVATE: {stale}"


def test_no_new_cross_package_private_imports():
    new = sorted(_private_crossings() - KNOWN_PRIVATE)
    assert not new, (
        "imports of another package's private module (make the name public in that package, "
        f"or move the code): {new}")


def test_public_api_sorted_and_resolvable():
    assert evenstride.__all__ == sorted(evenstride.__all__)
    for name in evenstride.__all__:
        assert getattr(evenstride, name) is not None
