"""Rate limits: a run given the provider's limits stays under them instead of bouncing off 429s.

Two scenarios run at the same time, each against its own simulator process (latency 200 ms,
concurrency 32, far more capacity than the limits allow, so the limiter is what binds):

* requests: simulator ``rpm=600``; the run gets ``rpm=600`` (``--rpm 600``);
* tokens: simulator ``tpm=1,000,000``; the run gets ``tpm=1,000,000`` (``--tpm 1000000``).

The simulator enforces its limits over sliding 60 s windows, the way providers state them, so a
run must last longer than one window for the measurement to mean anything: each scenario is
sized to take ~75 s (``--seconds``). Measured from the simulator's own records: the most
requests that arrived within any 60 s window (must be <= 600), 429s as a share of requests
(target < 1 %), and the achieved rate as a share of the limit (how much of the allowance the run
used). ``--unlimited`` adds a third run against an rpm=600 simulator without the client-side
limit, for contrast: what bouncing off the provider's 429s looks like.

    python benchmarks/bench_ratelimit.py                 # ~80 s
    python benchmarks/bench_ratelimit.py --unlimited     # + the contrast run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (
    API_KEY,
    MODEL,
    RemoteSimulator,
    articles,
    machine,
    simulator_process,
    table,
)
from extractor.backends import make_backend
from extractor.pool import RunSummary, run_items
from extractor.predictions import PredictionWriter
from extractor.settings import Settings

RPM = 600
TPM = 1_000_000
#: Tokens the simulator counts per request here: request body bytes / 4 (~14.6 KB: messages and
#: the tool schema) plus the answer's bytes / 4; used only to size the token scenario.
TOKENS_PER_REQUEST = 3_800
WINDOW_S = 60.0


async def one_run(
    name: str, sim: RemoteSimulator, n: int, limits: dict[str, int], out: Path
) -> RunSummary:
    settings = Settings(
        model=MODEL, base_url=sim.base_url, api_key=API_KEY, concurrency=32, **limits
    )
    backend = make_backend(MODEL, settings)
    with PredictionWriter(out, model=backend.model, overwrite=True) as writer:
        return await run_items(
            articles(n, prefix=f"{name}-"), backend, concurrency=32, on_line=writer.write
        )


def describe(name: str, limit: str, stats: dict[str, Any], summary: RunSummary) -> dict[str, Any]:
    stamps = stats["timestamps"]
    duration = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    requests = stats["requests"]
    n429 = stats["by_kind"]["429"]
    tokens = stats["prompt_tokens"] + stats["completion_tokens"]
    # most arrivals within any 60 s window (the simulator's own bookkeeping, monotonic clock)
    best, j = 0, 0
    for i, start in enumerate(stamps):
        while j < len(stamps) and stamps[j] < start + WINDOW_S:
            j += 1
        best = max(best, j - i)
    return {
        "scenario": name,
        "limit": limit,
        "articles": summary.total,
        "records": summary.succeeded,
        "requests": requests,
        "duration_s": duration,
        "max_in_60s": best,
        "429": n429,
        "429_share": n429 / requests if requests else 0.0,
        "rate_rpm": (requests - 1) / duration * 60 if duration else 0.0,
        "tokens_per_min": tokens / duration * 60 if duration else 0.0,
        "rate_limited": stats["rate_limited"],
    }


async def run_all(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    n_rpm = int(RPM / 60 * args.seconds)
    n_tpm = int(TPM / TOKENS_PER_REQUEST / 60 * args.seconds)
    scenarios: list[tuple[str, str, dict[str, Any], dict[str, int], int]] = [
        ("requests", f"rpm {RPM}", {"rpm": RPM}, {"rpm": RPM}, n_rpm),
        ("tokens", f"tpm {TPM:,}", {"tpm": TPM}, {"tpm": TPM}, n_tpm),
    ]
    if args.unlimited:
        scenarios.append(("no client limit", f"rpm {RPM}", {"rpm": RPM}, {}, n_rpm))
    with contextlib.ExitStack() as stack:
        sims = [
            stack.enter_context(simulator_process(latency_ms=200, seed=3, **sim_limits))
            for _, _, sim_limits, _, _ in scenarios
        ]
        summaries = await asyncio.gather(
            *(
                one_run(name.replace(" ", "-"), sim, n, limits, tmp / f"{i}.jsonl")
                for i, ((name, _, _, limits, n), sim) in enumerate(
                    zip(scenarios, sims, strict=True)
                )
            )
        )
        stats = [sim.stats() for sim in sims]
    return [
        describe(name, limit, stat, summary)
        for (name, limit, _, _, _), stat, summary in zip(scenarios, stats, summaries, strict=True)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=75.0, help="planned length of each run")
    parser.add_argument("--unlimited", action="store_true", help="add the no-limit contrast run")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run_all(args, Path(tmp)))
    print(f"machine: {machine()}")
    print(
        f"simulator latency 200 ms, concurrency 32, sliding {WINDOW_S:g} s windows; "
        f"total {time.perf_counter() - started:.0f} s"
    )
    rows = []
    for r in results:
        limit_value = RPM if r["limit"].startswith("rpm") else TPM
        used = r["rate_rpm"] if r["limit"].startswith("rpm") else r["tokens_per_min"]
        rows.append(
            [
                r["scenario"],
                r["limit"],
                f"{r['articles']} ({r['records']} ok)",
                f"{r['duration_s']:.1f}",
                str(r["requests"]),
                f"{r['max_in_60s']}" + (f" (limit {RPM})" if r["limit"].startswith("rpm") else ""),
                f"{r['429']} ({100 * r['429_share']:.2f} %)",
                f"{used:,.0f}/min = {used / limit_value:.3f} of the limit",
            ]
        )
    print(
        table(
            [
                "scenario",
                "simulator limit",
                "articles",
                "duration s",
                "requests",
                "max requests in any 60 s",
                "429s",
                "achieved rate",
            ],
            rows,
        )
    )
    limited = [r for r in results if r["scenario"] != "no client limit"]
    ok = all(r["429_share"] < 0.01 for r in limited) and all(
        r["max_in_60s"] <= RPM for r in limited if r["limit"].startswith("rpm")
    )
    print("within the limits, 429s < 1 %:", "yes" if ok else "NO")
    print(json.dumps({"bench": "ratelimit", "results": results}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
