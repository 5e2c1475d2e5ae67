# SPDX-License-Identifier: MIT
"""The pipeline's layers only look backwards: readers know nothing of metrics, metrics nothing of
assessment, and no core module imports an adapter (CLI, report). Checked by scanning imports."""

import ast
from pathlib import Path

import pytest

import evenstride

SRC = Path(evenstride.__file__).parent

# module prefix → prefixes it must never import
FORBIDDEN = {
    "evenstride.io": ["evenstride.preprocessing", "evenstride.metrics", "evenstride.assessment",
                      "evenstride.pipeline", "evenstride.report", "evenstride.cli"],
    "evenstride.preprocessing": ["evenstride.metrics", "evenstride.assessment",
                                 "evenstride.pipeline", "evenstride.report", "evenstride.cli"],
    "evenstride.metrics": ["evenstride.assessment", "evenstride.pipeline", "evenstride.report",
                           "evenstride.cli"],
    "evenstride.assessment": ["evenstride.pipeline", "evenstride.report", "evenstride.cli"],
    "evenstride.pipeline": ["evenstride.report", "evenstride.cli"],
    "evenstride.report": ["evenstride.cli"],
    # across-run and clinical analyses are core: they read numbers, never the store or the CLI
    "evenstride.history": ["evenstride.store", "evenstride.importer", "evenstride.report",
                           "evenstride.cli"],
    "evenstride.clinical": ["evenstride.store", "evenstride.importer", "evenstride.report",
                            "evenstride.cli"],
}


def _modules():
    for p in sorted(SRC.rglob("*.py")):
        rel = p.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        yield name, p


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize(("name", "path"), list(_modules()))
def test_no_upward_imports(name, path):
    rules = [bad for prefix, bad in FORBIDDEN.items() if name.startswith(prefix)]
    for imported in _imports(path):
        for bad in (b for r in rules for b in r):
            # module boundary: evenstride.clinical is not evenstride.cli
            assert not (imported == bad or imported.startswith(bad + ".")), (
                f"{name} imports {imported}")


def test_public_api_sorted_and_resolvable():
    assert evenstride.__all__ == sorted(evenstride.__all__)
    for name in evenstride.__all__:
        assert getattr(evenstride, name) is not None
