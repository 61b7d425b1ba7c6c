"""Shared helpers of the ``--batch`` tests: inputs, the command, and what to check after a run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from benchmarks.simulator import Simulator
from extractor.predictions import PredictionLine

#: The simulator's model at a made-up price, with a batch price at half of it.
PRICE = {"input_per_mtok": 1.0, "output_per_mtok": 4.0, "batch_input_per_mtok": 0.5,
         "batch_output_per_mtok": 2.0}  # fmt: skip


def article(i: int) -> str:
    return (
        f"CHICAGO - A police officer shot a man on the {i} block of West Maypole Avenue late "
        f"Tuesday, police said. Report number {i}. The officer was not hurt."
    )


def write_inputs(path: Path, n: int, text=article) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"doc_id": f"doc{i:04d}", "text": text(i)}) + "\n")
    return path


def write_prices(path: Path) -> Path:
    path.write_text(json.dumps({"openai/sim-1": PRICE}), encoding="utf-8")
    return path


def run_args(inputs: Path, output: Path, sim: Simulator, prices: Path) -> list[str]:
    return [
        "run", str(inputs), "-o", str(output), "--model", "openai/sim-1",
        "--base-url", sim.base_url, "--prices", str(prices), "--batch", "--concurrency", "4",
    ]  # fmt: skip


def lines_of(path: Path) -> list[PredictionLine]:
    return [PredictionLine.from_json(raw) for raw in path.read_bytes().splitlines()]


def check_each_article_once(output: Path, n: int, sim: Simulator) -> list[PredictionLine]:
    """Every article has exactly one line, all records; none was ever in two batches."""
    lines = lines_of(output)
    assert Counter(line.doc_id for line in lines) == Counter(f"doc{i:04d}" for i in range(n))
    assert all(line.ok for line in lines), [line.error for line in lines if not line.ok]
    in_batches = Counter(d for ids in sim.batches.snapshot()["created"].values() for d in ids)
    assert set(in_batches) == {f"doc{i:04d}" for i in range(n)}
    assert max(in_batches.values()) == 1, "an article was submitted in two batches"
    return lines
