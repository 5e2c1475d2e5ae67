# SPDX-License-Identifier: MIT
"""The README's Python API block is a doc example: it runs verbatim on a fresh store."""

from __future__ import annotations

import re
from pathlib import Path

from evenstride.simulate import write_simulated_fit

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_api_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The Python API", 1)[1]
    m = re.search(r"```python\n(.*?)\n```", section, flags=re.S)
    assert m is not None, "no ```python block in the README's Python API section"
    return m.group(1)


def test_readme_python_api_block_runs_verbatim(tmp_path, monkeypatch, capsys):
    code = _python_api_block()
    monkeypatch.chdir(tmp_path)
    write_simulated_fit(tmp_path / "run.fit", duration_s=900.0, seed=3)
    assert not (tmp_path / "history.sqlite").exists()  # a fresh store
    ns: dict = {"__name__": "__readme__"}
    exec(compile(code, str(README), "exec"), ns)
    out = capsys.readouterr().out
    assert "1 run(s) in the history" in out
    assert (tmp_path / "report.html").stat().st_size > 0
    assert (tmp_path / "history.sqlite").is_file()
    doc = ns["history"].to_dict()
    assert doc["schema"] == "evenstride.history/1" and doc["runs"]["n"] == 1
    assert ns["doc"]["schema"] == "evenstride.run/1"
    assert ns["sim"].truth is not None
