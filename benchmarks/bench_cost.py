"""Tokens and dollars per article for each prompt version, synchronous vs ``--batch``.

The seeds and the dev set's synthetic articles (``seeds/``, ``evals/articles/``: 33 articles) go
through ``extractor.runner.run`` against the simulator, once synchronously and once with
``--batch``, for every prompt version, with the response cache off. The token counts are the
**simulator's** usage counts (prompt: request body bytes / 4; completion: tool-argument bytes / 4;
it reports no cached tokens), not a real tokenizer's, so they measure the size of what is sent
and asked for; the dollars apply the price table (``extractor/data/prices.json``, dated in its
``_prices_as_of``) to them.

    python benchmarks/bench_cost.py            # ~20 s
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import API_KEY, MODEL, table
from benchmarks.simulator import SimConfig, run_simulator
from extractor.pricing import load_prices
from extractor.prompts import list_prompts
from extractor.resources import read_json
from extractor.runner import run
from extractor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "seeds", ROOT / "evals" / "articles"]
PRICED = ("openai/gpt-4o-mini", "openai/gpt-4.1-mini")


def lines_of(prompt: str, batch: bool, folder: Path) -> dict[str, dict]:
    with run_simulator(SimConfig()) as sim:
        settings = Settings(
            model=MODEL, base_url=sim.base_url, api_key=API_KEY, prompt=prompt, cache=False,
            batch_poll_s=0.02,
        )  # fmt: skip
        output = folder / f"{prompt}-{batch}.jsonl"
        run(INPUTS, output, settings=settings, batch=batch)
    lines = [json.loads(raw) for raw in output.read_text().splitlines()]
    return {line["doc_id"]: line for line in lines}


def per_article(lines: list[dict]) -> dict[str, float]:
    n = len(lines)
    return {
        "articles": n,
        "prompt": sum(line["usage"]["prompt_tokens"] for line in lines) / n,
        "cached": 0.0,  # the simulator reports no cached tokens
        "completion": sum(line["usage"]["completion_tokens"] for line in lines) / n,
    }


def main() -> None:
    prices = load_prices()
    rows, results = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EXTRACTOR_HOME"] = str(Path(tmp) / "home")
        for template in list_prompts():
            sync = lines_of(template.ref, False, Path(tmp))
            batch = lines_of(template.ref, True, Path(tmp))
            # articles the batch answered alone (no re-ask): their tokens are one batch request's
            alone = [d for d, line in batch.items() if line["attempts"] == 1]
            same = all(batch[d]["usage"] == sync[d]["usage"] for d in alone)
            m = per_article(list(sync.values()))
            reasked = sum(1 for line in batch.values() if line["attempts"] > 1)
            results[template.ref] = {
                **m,
                "batch_tokens_equal_sync": same,
                "batch_alone": len(alone),
                "batch_reasked": reasked,
            }
            dollars = []
            for model in PRICED:
                for price in (prices[model], prices[model].batch()):
                    assert price is not None
                    dollars.append(f"${price.cost(m['prompt'], m['completion']) * 1000:.3f}")
            rows.append([
                template.ref, f"{m['articles']:.0f}", f"{m['prompt']:,.0f}", f"{m['cached']:.0f}",
                f"{m['completion']:,.0f}", *dollars,
            ])  # fmt: skip
    print(f"prices as of: {read_json('prices.json')['_prices_as_of']}")
    print(table(
        ["prompt", "articles", "prompt tok/article", "cached", "completion tok/article",
         *[f"$/1,000 {m} {path}" for m in PRICED for path in ("sync", "batch")]],
        rows,
    ))  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
