"""``run --batch`` at 2,000 articles: each article once, only the failures re-asked, batch prices.

Against the simulator's Batch API (in a thread of this process; the client mostly waits on the
batch, so sharing a core does not matter here), 2,000 real-sized articles (the seeds and the
synthetic eval articles, each made unique by a wire-copy line), 3 % of the batch answers
violating the schema, split into batch files of ``--per-batch`` requests. Checked and printed:
every article has exactly one line; the synchronous re-asks equal the simulator's failure count;
the cost at batch prices next to what the same tokens cost at the list price (the price table's
``openai/gpt-4o-mini``, applied to the simulator's model). The same run SIGKILLed at each stage
and rerun is ``benchmarks/bench_batch_crash.py``.

    python benchmarks/bench_batch.py                  # ~1 min
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import API_KEY, MODEL, articles, machine, table
from benchmarks.simulator import SimConfig, Simulator, run_simulator
from extractor.pricing import load_prices
from extractor.runner import run
from extractor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PRICED_AS = "openai/gpt-4o-mini"


def write_jsonl(path: Path, n: int) -> Path:
    """The harness's articles, each with a dateline the simulator's answer quotes (a city), so
    that no clean answer is empty (an empty record is re-asked, like an invalid one)."""
    with path.open("w", encoding="utf-8") as handle:
        for doc in articles(n):
            text = f"{doc.text} Filed by the Chicago bureau."
            handle.write(
                json.dumps({"doc_id": doc.doc_id, "text": text, "published": doc.published}) + "\n"
            )
    return path


def _prices(folder: Path) -> Path:
    entry = json.loads((ROOT / "extractor/data/prices.json").read_text())[PRICED_AS]
    path = folder / "prices.json"
    path.write_text(json.dumps({MODEL: entry}))
    return path


def _check(output: Path, n: int, sim: Simulator) -> dict[str, Any]:
    lines = [json.loads(raw) for raw in output.read_text().splitlines()]
    ids = Counter(line["doc_id"] for line in lines)
    in_batches = Counter(d for ids_ in sim.batches.snapshot()["created"].values() for d in ids_)
    invalid = sim.batches.snapshot()["outcomes"].get("schema_violation", 0)
    return {
        "lines": len(lines),
        "each_once": len(ids) == n and max(ids.values()) == 1,
        "all_ok": all(line["error"] is None for line in lines),
        "batches": len(sim.batches.snapshot()["created"]),
        "max_batches_per_article": max(in_batches.values()),
        "articles_in_batches": len(in_batches),
        "invalid_in_batch": invalid,
        "sync_requests": sim.stats.requests,
        "cost_usd": round(sum(line["cost_usd"] for line in lines), 6),
        "prompt_tokens": sum(line["usage"]["prompt_tokens"] for line in lines),
        "completion_tokens": sum(line["usage"]["completion_tokens"] for line in lines),
    }


def clean_run(n: int, per_batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["EXTRACTOR_HOME"] = str(folder / "home")
        inputs = write_jsonl(folder / "in.jsonl", n)
        with run_simulator(SimConfig(batch_p_invalid=0.03, seed=1)) as sim:
            settings = Settings(
                model=MODEL, base_url=sim.base_url, api_key=API_KEY, prices=_prices(folder),
                batch_poll_s=0.05, batch_max_requests=per_batch,
            )  # fmt: skip
            started = time.perf_counter()
            summary = run([inputs], folder / "out.jsonl", settings=settings, batch=True)
            wall = time.perf_counter() - started
            result = _check(folder / "out.jsonl", n, sim)
    price = load_prices()[PRICED_AS]
    result["list_price_cost_usd"] = round(
        price.cost(result["prompt_tokens"], result["completion_tokens"]), 6
    )
    result["summary_cost_usd"] = summary.cost_usd
    result["wall_s"] = round(wall, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-batch", type=int, default=500)
    args = parser.parse_args()
    print(machine())
    clean = clean_run(args.articles, args.per_batch)
    rows = [[
        f"{args.articles:,}", str(clean["batches"]), str(clean["each_once"]),
        str(clean["invalid_in_batch"]), str(clean["sync_requests"]),
        f"${clean['cost_usd']:.4f}", f"${clean['list_price_cost_usd']:.4f}", f"{clean['wall_s']}",
    ]]  # fmt: skip
    print(table(
        ["articles", "batches", "each once", "invalid in batch", "sync re-asks",
         "cost (batch prices)", "same tokens at list price", "wall s"],
        rows,
    ))  # fmt: skip
    results: dict[str, Any] = {"clean": clean}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
