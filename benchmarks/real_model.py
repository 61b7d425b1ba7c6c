"""A real model end to end: SmolLM2-135M on llama-cpp-python's server, beside the rules baseline.

Starts the server on 127.0.0.1 (``benchmarks/llama_server.py``; it installs nothing), runs
``extractor run`` on the articles with ``--model openai/smollm2``, scores the records with
``extractor eval`` against the gold labels, does the same with ``rules``, and prints a table per
article (outcome, attempts, prompt/completion tokens, seconds) and the two micro P/R/F1.

    .venv/bin/python benchmarks/real_model.py                          # the three seeds
    .venv/bin/python benchmarks/real_model.py --articles seeds evals/articles --limit 10

A 135M-parameter model on a CPU: this shows that the path works with real answers and what they
break, never what the tool achieves with a hosted model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.llama_server import llama_server  # noqa: E402

EXTRACTOR = [sys.executable, "-m", "extractor"]


def extractor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXTRACTOR, *args], env=env, capture_output=True, text=True, check=False)


def micro(report: Path) -> tuple[float | None, float | None, float | None]:
    data = json.loads(report.read_text())["micro"]
    return data["precision"], data["recall"], data["f1"]


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", nargs="*", default=["seeds"])
    parser.add_argument("--gold", default="evals/gold")
    parser.add_argument("--prompt", default="incident@v3")
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles")
    parser.add_argument("--timeout", default="900")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="real-model-"))
    inputs = work / "articles"
    inputs.mkdir()
    files = sorted(p for a in args.articles for p in (ROOT / a).rglob("*.txt"))[: args.limit]
    for path in files:
        (inputs / path.name).write_bytes(path.read_bytes())
    env = {**os.environ, "EXTRACTOR_HOME": str(work / "home")}
    # score only the articles run: the gold labels of those, not the whole gold set
    gold_dir = work / "gold"
    gold_dir.mkdir()
    for path in files:
        label = ROOT / args.gold / f"{path.stem}.json"
        if label.exists():
            (gold_dir / label.name).write_bytes(label.read_bytes())
    gold = str(gold_dir)

    with llama_server(n_ctx=4096) as server:
        started = time.perf_counter()
        run = extractor(
            "run", str(inputs), "-o", str(work / "smollm2.jsonl"), "--quiet",
            "--model", "openai/smollm2", "--base-url", server.base_url, "--prompt", args.prompt,
            "--timeout", args.timeout, "--max-retries", "1", "--http-retries", "1", "--no-cache",
            "--context-window", "4096",
            "-c", "1", env=env,
        )  # fmt: skip
        wall = time.perf_counter() - started
    if "bug in extractor" in run.stderr + run.stdout:
        sys.exit(f"a bug, not a model failure:\n{run.stderr}")
    extractor("run", str(inputs), "-o", str(work / "rules.jsonl"), "--quiet", env=env)
    for name in ("smollm2", "rules"):
        extractor(
            "eval", "--predictions", str(work / f"{name}.jsonl"), "--gold", gold,
            "--json", str(work / f"{name}.eval.json"), env=env,
        )  # fmt: skip

    lines = [json.loads(t) for t in (work / "smollm2.jsonl").read_text().splitlines()]
    print(
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs {platform.machine()}, "
        f"Python {platform.python_version()}; SmolLM2-135M-Instruct Q4_1 on llama-cpp-python, "
        f"n_ctx 4096, {args.prompt}, --mode tools; {len(lines)} articles in {wall:.0f} s\n"
    )
    print(
        "| article | outcome | attempts | prompt tokens | completion tokens | seconds | values filled |"
    )
    print("|---|---|---|---|---|---|---|")
    for line in lines:
        outcome = line["error"]["type"] if line["error"] else "record"
        if line["record"] is not None and not line["evidence"]:
            outcome = "empty record"
        print(
            f"| {line['doc_id']} | {outcome} | {line['attempts']} | {line['usage']['prompt_tokens']:,} "
            f"| {line['usage']['completion_tokens']:,} | {line['latency_s'] or 0:.0f} | {len(line['evidence'])} |"
        )
    print("\n| extractor | micro P | micro R | micro F1 |")
    print("|---|---|---|---|")
    for name in ("smollm2", "rules"):
        p, r, f = micro(work / f"{name}.eval.json")
        label = "SmolLM2-135M (CPU, not a hosted model)" if name == "smollm2" else "rules baseline"
        print(f"| {label} | {fmt(p)} | {fmt(r)} | {fmt(f)} |")
    print(f"\n(files in {work})")


if __name__ == "__main__":
    main()
