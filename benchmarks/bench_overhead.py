"""Overhead: the client's own CPU per article, and memory that does not grow with the batch.

Against a zero-latency simulator (its own process), so the client is never waiting on the
"network" and its CPU time is all there is:

1. CPU per article, all of it: ``time.process_time()`` of this process over a 1,000-article run,
   divided by 1,000 — for the core (``run_items`` + the ``single_pass`` strategy over the ``openai`` provider + JSONL writer) and for the
   ``extractor run`` library path (``runner.run``: + run store and response cache in SQLite).
2. Our own share of it — rendering, validation, grounding, writing — timed directly: each of our
   per-article steps on the same articles and answers, in isolation (no profiler). Cross-checked
   with ``--profile``: a cProfile run whose self time is attributed to packages (the profiler
   slows Python code unevenly, so its split is approximate; it is scaled to the unprofiled total).
3. Peak RSS of a fresh process running ``runner.run`` over 1,000 and over 10,000 articles read
   from a JSONL file (a generator: the batch is never held in memory).

    python benchmarks/bench_overhead.py              # ~2 minutes (the 10,000-article run)
    python benchmarks/bench_overhead.py --profile    # + the cProfile attribution
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (
    API_KEY,
    MODEL,
    articles,
    machine,
    measure,
    peak_rss_mb,
    simulator_process,
    table,
    write_jsonl,
)
from benchmarks.simulator import default_answer
from extractor.backends import make_backend
from extractor.contract import TOOL_MODEL, VALIDATION_CONTEXT
from extractor.evidence import ArticleText
from extractor.pool import run_items
from extractor.predictions import PredictionLine, PredictionWriter, PromptRef
from extractor.prompts import DEFAULT_PROMPT, load_prompt
from extractor.runner import run
from extractor.settings import Settings
from extractor.usage import Usage

TEMPLATE = load_prompt(DEFAULT_PROMPT)


def settings_for(base_url: str, **extra: Any) -> Settings:
    return Settings(model=MODEL, base_url=base_url, api_key=API_KEY, concurrency=32, **extra)


async def core_run(base_url: str, n: int, out: Path, prefix: str) -> int:
    backend = make_backend(MODEL, settings_for(base_url))
    with PredictionWriter(out, model=backend.model, overwrite=True) as writer:
        summary = await run_items(
            articles(n, prefix=prefix), backend, concurrency=32, on_line=writer.write
        )
    return summary.succeeded


def cpu_per_article(base_url: str, n: int, tmp: Path) -> dict[str, float]:
    asyncio.run(core_run(base_url, 64, tmp / "warm.jsonl", "warm-"))
    with measure() as core:
        ok = asyncio.run(core_run(base_url, n, tmp / "core.jsonl", "core-"))
    assert ok == n, f"only {ok} of {n} articles succeeded"
    inputs = write_jsonl(tmp / "full-in.jsonl", n, prefix="full-")
    with measure() as full:
        summary = run([inputs], tmp / "full.jsonl", settings=settings_for(base_url))
    assert summary.succeeded == n
    return {
        "core_ms": 1000 * core.cpu_s / n,
        "core_rate": n / core.wall_s,
        "full_ms": 1000 * full.cpu_s / n,
        "full_rate": n / full.wall_s,
    }


def our_steps(n: int, tmp: Path) -> dict[str, float]:
    """Our per-article steps, each timed over ``n`` articles, in ms per article."""
    docs = list(articles(n, prefix="steps-"))
    answers = [json.dumps(default_answer(doc.text)) for doc in docs]
    prompt = PromptRef(name=TEMPLATE.name, version=TEMPLATE.version)
    timings: dict[str, float] = {}

    def timed(name: str, fn: Any) -> list[Any]:
        start = time.process_time()
        results = [fn(i) for i in range(n)]
        timings[name] = 1000 * (time.process_time() - start) / n
        return results

    timed("render the prompt", lambda i: TEMPLATE.render(docs[i]))
    texts = timed("normalise the article for grounding", lambda i: ArticleText(docs[i].text))

    def validate(i: int) -> Any:
        token = VALIDATION_CONTEXT.set({"article": texts[i], "published": docs[i].published})
        try:
            return TOOL_MODEL.model_validate_json(answers[i])
        finally:
            VALIDATION_CONTEXT.reset(token)

    parsed = timed("validate the answer and ground its quotes", validate)
    results = timed(
        "record + evidence result",
        lambda i: parsed[i].to_result(Usage(prompt_tokens=3000, completion_tokens=200), 1),
    )

    def line(i: int) -> PredictionLine:
        result = results[i]
        return PredictionLine(
            doc_id=docs[i].doc_id,
            model=MODEL,
            prompt=prompt,
            published=docs[i].published,
            record=result.record,
            evidence=result.evidence,
            usage=result.usage.as_dict(),
            attempts=1,
            cost_usd=None,
            latency_s=0.2,
        )

    lines = timed("build the output line", line)
    with PredictionWriter(tmp / "steps.jsonl", model=MODEL, overwrite=True) as writer:
        timed("write + flush the JSONL line", lambda i: writer.write(lines[i]))
    return timings


def _component(path: str) -> str:
    match = re.search(r"site-packages/([^/]+)", path)
    if match:
        name = match.group(1).removesuffix(".py")
        if name in {"httpx2", "httpcore2", "h11", "anyio", "sniffio"}:
            return "HTTP stack (httpx2, httpcore2, h11, anyio)"
        if name in {"pydantic", "pydantic_core", "typing_extensions"}:
            return "pydantic (validation and models)"
        return name
    if "/extractor/" in path:
        return "extractor (ours)"
    if re.search(r"/(asyncio|selectors|socket|ssl)\b", path):
        return "asyncio event loop and sockets"
    if re.search(r"/(json|typing|copy|inspect|contextlib|enum|abc|functools)\b", path):
        return "stdlib (json, typing, copy...)"
    return "other"


def profile_split(base_url: str, n: int, tmp: Path) -> dict[str, float]:
    """Share of profiled self time per component (builtins charged to their caller)."""
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(core_run(base_url, n, tmp / "profiled.jsonl", "prof-"))
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: collections.Counter[str] = collections.Counter()
    for (path, _, _), (_, _, self_time, _, callers) in stats.items():
        if path == "~" and callers:
            weight = sum(c[3] for c in callers.values()) or 1.0
            for (caller_path, _, _), c in callers.items():
                totals[_component(caller_path)] += self_time * c[3] / weight
        else:
            totals[_component(path)] += self_time
    idle = sum(
        t for (path, _, fn), (_, _, t, _, _) in stats.items() if "poll" in fn and path == "~"
    )
    totals["asyncio event loop and sockets"] -= idle  # waiting in epoll is not CPU
    grand = sum(totals.values())
    return {name: value / grand for name, value in totals.most_common()}


def rss_now_mb() -> float:
    """Resident set size now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_child(base_url: str, inputs: str, out: str) -> None:
    summary = run([inputs], out, settings=settings_for(base_url))
    print(
        json.dumps({"peak_rss_mb": peak_rss_mb(), "rss_mb": rss_now_mb(), "ok": summary.succeeded})
    )


def peak_rss(base_url: str, n: int, tmp: Path) -> dict[str, Any]:
    inputs = write_jsonl(tmp / f"rss-{n}.jsonl", n, prefix=f"rss{n}-")
    env = {**os.environ, "EXTRACTOR_HOME": str(tmp / f"home-{n}")}
    command = [sys.executable, __file__, "--rss-child", base_url, str(inputs)]
    command.append(str(tmp / f"rss-{n}-out.jsonl"))
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rss-articles", type=int, nargs=2, default=[1000, 10000])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rss-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return 0
    with tempfile.TemporaryDirectory() as tmp_name, simulator_process(seed=2) as sim:
        tmp = Path(tmp_name)
        os.environ["EXTRACTOR_HOME"] = str(tmp / "home")
        cpu = cpu_per_article(sim.base_url, args.articles, tmp)
        steps = our_steps(args.articles, tmp)
        split = profile_split(sim.base_url, args.articles, tmp) if args.profile else {}
        rss = [peak_rss(sim.base_url, n, tmp) for n in args.rss_articles]
    print(f"machine: {machine()}")
    print(f"zero-latency simulator (separate process), concurrency 32, {args.articles:,} articles")
    print(
        table(
            ["path", "client CPU ms/article (all of it)", "articles/s"],
            [
                ["core: run_items + LLM backend + JSONL", f"{cpu['core_ms']:.2f}", f"{cpu['core_rate']:.0f}"],
                ["extractor run path: + run store, response cache", f"{cpu['full_ms']:.2f}", f"{cpu['full_rate']:.0f}"],
            ],
        )
    )  # fmt: skip
    ours = sum(steps.values())
    print()
    print(
        table(
            ["our per-article step (timed alone)", "CPU ms/article"],
            [[name, f"{ms:.3f}"] for name, ms in steps.items()] + [["total, ours", f"{ours:.2f}"]],
        )
    )
    if split:
        print()
        print(f"cProfile split of the core run's CPU, scaled to {cpu['core_ms']:.2f} ms/article:")
        print(
            table(
                ["component", "share", "≈ ms/article"],
                [
                    [name, f"{100 * share:.1f} %", f"{share * cpu['core_ms']:.2f}"]
                    for name, share in split.items()
                    if share >= 0.005
                ],
            )
        )
    print()
    print(
        table(
            ["articles (JSONL input, extractor run path)", "peak RSS MB", "RSS at the end MB", "wall s", "records"],
            [[f"{n:,}", f"{r['peak_rss_mb']:.1f}", f"{r['rss_mb']:.1f}", f"{r['wall_s']:.1f}", str(r["ok"])] for n, r in zip(args.rss_articles, rss, strict=True)],
        )
    )  # fmt: skip
    growth = rss[1]["peak_rss_mb"] - rss[0]["peak_rss_mb"]
    print(
        f"RSS growth {args.rss_articles[0]:,} -> {args.rss_articles[1]:,} articles: {growth:+.1f} MB"
    )
    print(json.dumps({"bench": "overhead", "cpu": cpu, "steps": steps, "split": split, "rss": rss}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
