"""Throughput: how close the runner gets to the ideal rate the provider's latency allows.

With ``concurrency`` requests in flight and a fixed answer latency, no client can finish more
than ``concurrency / latency`` articles per second (32 / 0.2 s = 160/s): the ideal. In one run,
against the same simulator (its own process, fixed latency), this measures:

* ours: ``extractor.pool.run_items`` with the LLM backend (``make_backend``) pointed at the simulator, writing a
  JSONL predictions file to a temp dir (rendering, validation, evidence grounding, writing);
* the instructor loop a user would write instead: ``instructor.from_openai(AsyncOpenAI)``,
  ``asyncio.Semaphore(concurrency)`` and ``asyncio.gather``, same prompt messages and response
  model (``IncidentExtraction``), results written as JSON lines at the end;
* a plain sequential instructor loop (sync client), on fewer articles, extrapolated.

Achieved articles/s ÷ ideal, and the client's CPU time per article (``time.process_time`` of this
process; the simulator's CPU is not in it). Each variant first warms up on a few articles.

    python benchmarks/bench_throughput.py                    # 1,000 articles, 200 ms, 32
    python benchmarks/bench_throughput.py --rounds 3         # repeat, report medians
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import instructor
import openai

from benchmarks.harness import (
    API_KEY,
    MODEL,
    articles,
    machine,
    measure,
    simulator_process,
    table,
)
from extractor.backends import make_backend
from extractor.contract import IncidentExtraction
from extractor.documents import Document
from extractor.pool import run_items
from extractor.predictions import PredictionWriter
from extractor.prompts import DEFAULT_PROMPT, load_prompt
from extractor.settings import Settings

TEMPLATE = load_prompt(DEFAULT_PROMPT)
PARAMS = {k: v for k, v in TEMPLATE.params.items() if k in {"temperature", "max_tokens", "top_p"}}
SIM_MODEL = MODEL.split("/", 1)[1]


async def run_ours(
    base_url: str, docs: Iterable[Document], concurrency: int, out: Path
) -> dict[str, Any]:
    settings = Settings(model=MODEL, base_url=base_url, api_key=API_KEY, concurrency=concurrency)
    backend = make_backend(MODEL, settings)
    with PredictionWriter(out, model=backend.model, overwrite=True) as writer:
        summary = await run_items(docs, backend, concurrency=concurrency, on_line=writer.write)
    return {"ok": summary.succeeded, "failed": summary.failed}


async def run_instructor_loop(
    base_url: str, docs: Iterable[Document], concurrency: int, out: Path
) -> dict[str, Any]:
    openai_client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY)
    client = instructor.from_openai(openai_client, mode=instructor.Mode.TOOLS)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(doc: Document) -> IncidentExtraction | None:
        async with semaphore:
            try:
                return await client.chat.completions.create(
                    model=SIM_MODEL,
                    messages=TEMPLATE.render(doc),  # type: ignore[arg-type]
                    response_model=IncidentExtraction,
                    max_retries=2,
                    **PARAMS,
                )
            except Exception:
                return None

    try:
        results = await asyncio.gather(*(one(doc) for doc in docs))
    finally:
        await openai_client.close()
    with out.open("w", encoding="utf-8") as handle:
        for result in results:
            if result is not None:
                handle.write(result.model_dump_json() + "\n")
    ok = sum(result is not None for result in results)
    return {"ok": ok, "failed": len(results) - ok}


def run_sequential(base_url: str, docs: Iterable[Document], out: Path) -> dict[str, Any]:
    openai_client = openai.OpenAI(base_url=base_url, api_key=API_KEY)
    client = instructor.from_openai(openai_client, mode=instructor.Mode.TOOLS)
    ok = failed = 0
    with openai_client, out.open("w", encoding="utf-8") as handle:
        for doc in docs:
            try:
                result = client.chat.completions.create(
                    model=SIM_MODEL,
                    messages=TEMPLATE.render(doc),  # type: ignore[arg-type]
                    response_model=IncidentExtraction,
                    max_retries=2,
                    **PARAMS,
                )
            except Exception:
                failed += 1
                continue
            handle.write(result.model_dump_json() + "\n")
            ok += 1
    return {"ok": ok, "failed": failed}


def one_round(
    base_url: str, n: int, sequential_n: int, concurrency: int, tmp: Path, tag: str
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    variants = {
        "ours (run_items + LLM backend)": lambda docs, out: asyncio.run(
            run_ours(base_url, docs, concurrency, out)
        ),
        "instructor loop (Semaphore + gather)": lambda docs, out: asyncio.run(
            run_instructor_loop(base_url, docs, concurrency, out)
        ),
    }
    for i, (name, go) in enumerate(variants.items()):
        go(list(articles(concurrency, prefix=f"w{tag}{i}-")), tmp / "warmup.jsonl")
        docs = list(articles(n, prefix=f"{tag}{i}-"))
        with measure() as m:
            counts = go(docs, tmp / f"{i}.jsonl")
        results[name] = {"n": n, "wall_s": m.wall_s, "cpu_s": m.cpu_s, **counts}
    docs = list(articles(sequential_n, prefix=f"{tag}s-"))
    run_sequential(base_url, list(articles(3, prefix=f"w{tag}s-")), tmp / "warmup.jsonl")
    with measure() as m:
        counts = run_sequential(base_url, docs, tmp / "seq.jsonl")
    results["sequential instructor loop"] = {
        "n": sequential_n,
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        **counts,
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sequential-articles", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    ideal = args.concurrency / (args.latency_ms / 1000)
    rounds: list[dict[str, dict[str, Any]]] = []
    with (
        simulator_process(latency_ms=args.latency_ms, seed=1) as sim,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for r in range(args.rounds):
            rounds.append(
                one_round(
                    sim.base_url,
                    args.articles,
                    args.sequential_articles,
                    args.concurrency,
                    Path(tmp),
                    f"r{r}",
                )
            )
        stats = sim.stats()
    print(f"machine: {machine()}")
    print(
        f"simulator: latency {args.latency_ms:g} ms (separate process); concurrency "
        f"{args.concurrency}; ideal = {args.concurrency} / {args.latency_ms / 1000:g} s = "
        f"{ideal:g} articles/s; {args.rounds} round(s), medians"
    )
    rows, figures = [], {}
    for name in rounds[0]:
        n = rounds[0][name]["n"]
        rate = statistics.median(r[name]["n"] / r[name]["wall_s"] for r in rounds)
        cpu_ms = statistics.median(1000 * r[name]["cpu_s"] / r[name]["n"] for r in rounds)
        wall = statistics.median(r[name]["wall_s"] for r in rounds)
        failed = sum(r[name]["failed"] for r in rounds)
        sequential = name.startswith("sequential")
        ratio = rate / ideal
        figures[name] = {"rate": rate, "ratio": ratio, "cpu_ms": cpu_ms, "wall_s": wall}
        rows.append(
            [
                name,
                f"{n:,}",
                f"{wall:.2f}"
                + (f" ({args.articles / rate:.1f} for {args.articles:,}*)" if sequential else ""),
                f"{rate:.1f}",
                f"{ratio:.3f}" + ("*" if sequential else ""),
                f"{cpu_ms:.2f}",
                str(failed),
            ]
        )
    print(
        table(
            [
                "client",
                "articles",
                "wall s",
                "articles/s",
                "÷ ideal",
                "client CPU ms/article",
                "failed",
            ],
            rows,
        )
    )
    print(
        f"* sequential: {args.sequential_articles} articles, one request at a time; the 1,000-"
        "article time is extrapolated, and its ratio is to the concurrent ideal."
    )
    names = list(figures)
    print(
        f"ours ÷ instructor loop (same run): {figures[names[0]]['rate'] / figures[names[1]]['rate']:.2f}x "
        f"throughput, {figures[names[0]]['cpu_ms'] / figures[names[1]]['cpu_ms']:.2f}x CPU per article"
    )
    print(
        f"simulator: {stats['requests']:,} requests, max {stats['max_in_flight']} in flight, "
        f"{stats['by_kind']}"
    )
    print(json.dumps({"bench": "throughput", "ideal": ideal, "figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
