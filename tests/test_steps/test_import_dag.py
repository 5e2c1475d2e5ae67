# SPDX-License-Identifier: MIT
"""The reader and step modules import each other in one direction only (issue 13: the lab
modules ``_force_events`` ↔ ``_kinematics`` ↔ ``_markers_only`` used to form a circle, hidden by
imports inside functions). Every import counts, also those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import evenstride

SRC = Path(evenstride.__file__).parent


def _graph(package: str) -> dict[str, set[str]]:
    mods = {p.stem: p for p in (SRC / package).glob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[:2] != ["evenstride", package]:
                    continue
                if len(parts) == 3:
                    targets = {parts[2]}
                else:  # from the package: a submodule by name, else the package's __init__
                    targets = {a.name if a.name in mods else "__init__" for a in node.names}
                graph[name].update(t for t in targets if t in mods and t != name)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_scanner_sees_the_step_modules_edges():
    g = _graph("steps")
    assert "_force" in g["_kinematics"] and "_markers" in g["_force"]
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_no_import_circle_in_steps_or_io():
    for package in ("steps", "io"):
        assert _cycle(_graph(package)) is None, package
