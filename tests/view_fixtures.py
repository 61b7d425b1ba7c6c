"""Sources for the view tests and the docs screenshots: a seed run, an eval and a comparison.

Everything is made with the offline ``rules`` baseline through the real commands.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from extractor.store import RunStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTICLES = [ROOT / "seeds", ROOT / "evals" / "articles"]
GOLD = ROOT / "evals" / "gold"

_runner = CliRunner()


def cli(*args: str) -> str:
    """Run ``extractor ARGS`` in-process; return its stderr and stdout, failing on a non-zero exit."""
    result = _runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def seed_run(folder: Path, name: str = "seeds.jsonl") -> Path:
    """``extractor run seeds/`` with the rules baseline: the predictions file."""
    out = folder / name
    cli("run", str(SEEDS), "-o", str(out), "--model", "rules")
    return out


def eval_report(folder: Path) -> Path:
    """``extractor eval --model rules --json``: the dev-set report."""
    out = folder / "eval.json"
    articles = [arg for path in ARTICLES for arg in ("--articles", str(path))]
    cli("eval", "--model", "rules", *articles, "--gold", str(GOLD), "--json", str(out))
    return out


def compare_report(folder: Path) -> Path:
    """``extractor compare rules RUN``: rules on every gold article against a seeds-only run."""
    seed_run(folder, "compare-side.jsonl")
    with RunStore() as store:
        run_id = store.runs(1)[0].run_id
    out = folder / "compare.json"
    articles = [arg for path in ARTICLES for arg in ("--articles", str(path))]
    cli("compare", "rules", run_id, *articles, "--gold", str(GOLD), "--json", str(out))
    assert json.loads(out.read_text())["disagreements"], "the comparison has disagreements"
    return out


def view(source: Path | str, out: Path, *articles: Path) -> Path:
    """``extractor view SOURCE -o OUT``."""
    extra = [arg for path in (articles or tuple(ARTICLES)) for arg in ("--articles", str(path))]
    cli("view", str(source), "-o", str(out), *extra)
    return out
