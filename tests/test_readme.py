"""The README's Python example runs as written (its shell commands are run by CI or other tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_a_python_example() -> None:
    assert python_blocks()


@pytest.mark.parametrize("block", python_blocks())
def test_readme_python_example_runs(block: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(block, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()  # it printed what it promised


def test_readme_quickstart_markers_are_what_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    for marker in ("<!-- quickstart:main -->", "<!-- quickstart:test -->"):
        assert marker in text
        fence, command = text.split(marker, 1)[1].lstrip("\n").splitlines()[:2]
        assert fence == "```bash" and command.startswith("python3 -m venv .venv && ")
    assert "quickstart main" in ci and "quickstart test" in ci
