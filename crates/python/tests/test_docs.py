"""Every ```python block of docs/python.md runs, in order, in one namespace."""

from __future__ import annotations

import os
import re

import pytest


def blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_tutorial_blocks_run(root, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    text = (root / "docs" / "python.md").read_text(encoding="utf-8")
    code = blocks(text)
    assert len(code) >= 4
    monkeypatch.chdir(tmp_path)
    # The tutorial names files relative to the repository's root.
    os.symlink(root / "experiments", tmp_path / "experiments")
    os.symlink(root / "calibration", tmp_path / "calibration")
    ns: dict = {"__name__": "__tutorial__"}
    for i, block in enumerate(code):
        try:
            exec(compile(block, f"docs/python.md block {i + 1}", "exec"), ns)
        except Exception as e:  # pragma: no cover - the message says which block
            raise AssertionError(f"block {i + 1} of docs/python.md failed: {e!r}\n{block}") from e


def test_readme_python_blocks_run(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (root / "README.md").read_text(encoding="utf-8")
    ns: dict = {"__name__": "__readme__"}
    for block in blocks(text):
        exec(compile(block, "README.md", "exec"), ns)
