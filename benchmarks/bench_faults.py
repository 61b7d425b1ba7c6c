"""Faults: a flaky provider costs retries, never articles, and not much time.

Two runs side by side, each against its own simulator process (latency 200 ms): a clean one, and
one where requests fail at random — 10 % HTTP 500, 5 % HTTP 429 (retry-after 1 s), 2 % malformed
tool-call arguments, 1 % hung (no answer for 30 s). Both go through ``extractor.runner.run`` (the
``extractor run`` path: JSONL output, run store) with the same settings. A per-attempt timeout
turns a hung request into a retry; it is the one setting chosen for this benchmark
(``--timeout``, default 5 s here, 60 s in the product), because a hung request costs exactly
that long. Checked: every article ends as exactly one record or error line; retries are in the
summary (``model_calls``) and agree with the simulator's request count.

    python benchmarks/bench_faults.py                  # 500 articles, concurrency 32, timeout 5 s
    python benchmarks/bench_faults.py --articles 5000  # a longer run: less dominated by its tail
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (
    API_KEY,
    MODEL,
    machine,
    simulator_process,
    table,
    write_jsonl,
)
from extractor import retrying
from extractor.predictions import PredictionLine
from extractor.runner import run
from extractor.settings import Settings

FAULTS = {"p_500": 0.10, "p_429": 0.05, "p_malformed": 0.02, "p_hang": 0.01, "hang_s": 30.0}


def scenario(
    name: str, sim_config: dict[str, Any], n: int, concurrency: int, timeout: float, tmp: Path
) -> dict[str, Any]:
    inputs = write_jsonl(tmp / f"{name}-in.jsonl", n, prefix=f"{name}-")
    output = tmp / f"{name}-out.jsonl"
    with simulator_process(**sim_config) as sim:
        settings = Settings(
            model=MODEL,
            base_url=sim.base_url,
            api_key=API_KEY,
            concurrency=concurrency,
            timeout=timeout,
            cache=False,
        )
        started = time.perf_counter()
        finished: list[float] = []
        summary = run(
            [inputs],
            output,
            settings=settings,
            on_line=lambda line: finished.append(time.perf_counter() - started),
        )
        stats = sim.stats()
    lines = [PredictionLine.from_json(raw) for raw in output.read_bytes().splitlines()]
    ids = collections.Counter(line.doc_id for line in lines)
    expected = {f"{name}-{i:06d}" for i in range(n)}
    errors = collections.Counter(
        (line.error.type if line.error else "") for line in lines if not line.ok
    )
    finished.sort()
    return {
        "name": name,
        "wall_s": summary.wall_s,
        "p50_s": finished[len(finished) // 2],
        "p99_s": finished[min(len(finished) - 1, int(len(finished) * 0.99))],
        "records": sum(line.ok for line in lines),
        "error_lines": sum(not line.ok for line in lines),
        "errors_by_type": dict(errors),
        "error_messages": [line.error.message[:300] for line in lines if line.error][:5],
        "missing": len(expected - set(ids)),
        "duplicated": sum(count > 1 for count in ids.values()),
        "unexpected": len(set(ids) - expected),
        "model_calls": summary.model_calls,
        "retries": summary.retries,
        "sim_requests": stats["requests"],
        "by_kind": {k: v for k, v in stats["by_kind"].items() if v},
        "summary_total": summary.total,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per HTTP attempt")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--wait-scale",
        type=float,
        default=1.0,
        help="what-if only: multiply extractor.retrying's backoff waits (1 = as shipped)",
    )
    args = parser.parse_args(argv)
    retrying.WAIT_SCALE = args.wait_scale
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EXTRACTOR_HOME"] = str(Path(tmp) / "home")  # a throwaway run store
        base = {"latency_ms": args.latency_ms, "seed": args.seed}
        for name, config in (("clean", base), ("faults", {**base, **FAULTS})):
            results.append(
                scenario(name, config, args.articles, args.concurrency, args.timeout, Path(tmp))
            )
    clean, faults = results
    print(f"machine: {machine()}")
    print(
        f"{args.articles} articles, simulator latency {args.latency_ms:g} ms, concurrency "
        f"{args.concurrency}, --timeout {args.timeout:g} s, faults {FAULTS}, seed {args.seed}"
        + ("" if args.wait_scale == 1 else f", WHAT-IF backoff x{args.wait_scale:g}")
    )
    rows = [
        [
            r["name"],
            f"{r['wall_s']:.2f}",
            f"{r['p50_s']:.2f} / {r['p99_s']:.2f}",
            str(r["records"]),
            str(r["error_lines"]),
            f"{r['missing']}/{r['duplicated']}",
            str(r["model_calls"]),
            str(r["retries"]),
            str(r["sim_requests"]),
            ", ".join(f"{k} {v}" for k, v in r["by_kind"].items()),
        ]
        for r in results
    ]
    print(
        table(
            [
                "run",
                "wall s",
                "half / 99 % of articles done by (s)",
                "records",
                "error lines",
                "lost/duplicated",
                "model calls",
                "retries + re-asks",
                "simulator requests",
                "simulator outcomes",
            ],
            rows,
        )
    )
    ratio = faults["wall_s"] / clean["wall_s"]
    print(
        f"wall time under faults ÷ clean: {ratio:.2f}x (99 % of articles: "
        f"{faults['p99_s'] / clean['p99_s']:.2f}x, half: {faults['p50_s'] / clean['p50_s']:.2f}x)"
    )
    if faults["errors_by_type"]:
        print(f"error lines by type: {faults['errors_by_type']}")
        for message in faults["error_messages"]:
            print(f"  {message}")
    ok = all(
        r["missing"] == 0
        and r["duplicated"] == 0
        and r["unexpected"] == 0
        and r["records"] + r["error_lines"] == args.articles
        and r["model_calls"] == r["sim_requests"]
        for r in results
    )
    print("every article exactly once, calls = simulator requests:", "yes" if ok else "NO")
    print(json.dumps({"bench": "faults", "ratio": ratio, "results": results}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
