"""Data flows one way: scoring (``extractor.eval``) never reaches back into extraction."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import extractor.eval

EVAL_DIR = Path(extractor.eval.__file__).parent
#: What sits above the scoring package, or beside it on the extraction side.
ABOVE = ("extractor.runner", "extractor.store", "extractor.api", "extractor.cli")


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _is_above(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in ABOVE)


def test_no_eval_module_imports_the_runner_or_the_store() -> None:
    offending = {
        f"{path.name}: {name}"
        for path in sorted(EVAL_DIR.glob("*.py"))
        for name in _imported(path)
        if _is_above(name)
    }
    assert offending == set()


def test_importing_and_using_eval_loads_neither_the_runner_nor_the_store() -> None:
    modules = sorted(f"extractor.eval.{path.stem}" for path in EVAL_DIR.glob("*.py"))
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from extractor.eval import load_gold, score\n"
        "from extractor.eval.paired import Side, compare_sides\n"
        "gold = load_gold('evals/gold')\n"
        "report = compare_sides([Side('a', []), Side('b', [])], gold)\n"
        "from rich.console import Console\n"
        "Console(file=open('/dev/null', 'w')).print(report, score([], gold))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(done.stdout)
    assert "extractor.eval.paired" in loaded
    assert [name for name in loaded if _is_above(name)] == []
