"""``run --batch`` at 2,000 articles, SIGKILLed at each stage and rerun: no article in two batches.

Each stage is a fresh output and run store. ``extractor run --batch`` is started as a real
subprocess against the simulator's Batch API (in a thread of this process, on loopback), 3 % of
the batch answers violating the schema, 500 requests per batch (4 batches). The simulator does
the work of one endpoint call and holds its answer (or keeps the batches running, or slows the
synchronous re-asks), the process is SIGKILLed there, then the same command is run again to the
end. Printed per stage: the batches created, the most batch requests any article was in (must
be 1), the lines in the output and duplicated doc ids (must be 0), the articles re-asked
synchronously next to the simulator's failure count (must be equal) and the synchronous requests
(a re-ask in flight at the kill is sent again), the cost the rerun's summary reports for its
lines and the cost of all the output's lines, and the seconds to the kill and of the rerun.

``--provider openai`` (the default): OpenAI's files and batches endpoints, priced as
``openai/gpt-4o-mini``; the stages include the uploads. ``--provider anthropic``: Anthropic's
Message Batches (no file: the requests go in the create call, ``submitting`` is recorded before
it, and a rerun adopts the one unrecorded batch of that size), as
``anthropic/claude-3-5-haiku-latest``.

    python benchmarks/bench_batch_crash.py             # ~10 min on 2 shared cores
    python benchmarks/bench_batch_crash.py --provider anthropic
    python benchmarks/bench_batch_crash.py --articles 200 --per-batch 64
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_batch import PRICED_AS, write_jsonl
from benchmarks.harness import API_KEY, MODEL, machine, table
from benchmarks.simulator import BatchEngine, SimConfig, Simulator, extract_article, run_simulator

ROOT = Path(__file__).resolve().parents[1]
P_INVALID = 0.03
#: the harness's articles end in this line (see :func:`benchmarks.harness.articles`)
WIRE_COPY = re.compile(r"\(Wire copy (\w+)\.\)")


@dataclass(frozen=True)
class Stage:
    """Where to kill: which endpoint's answer to hold (after how many answered), and when."""

    name: str
    #: (the provider's batch engine, the simulator, the number of articles) -> kill now
    ready: Callable[[BatchEngine, Simulator, int], bool]
    hold: str | None = None
    after: int = 0
    config: dict[str, Any] = field(default_factory=dict)


def held(name: str, endpoint: str, nth: int) -> Stage:
    """Kill once the ``nth`` call of ``endpoint`` is held (its work done, except at Anthropic's
    ``receive``, which holds a create call before any work and then loses it)."""
    return Stage(name, lambda e, s, n: e.calls[endpoint] >= nth, endpoint, after=nth - 1)


NOT_KILLED = Stage("not killed", lambda e, s, n: False)
#: the stages after every batch was created: the same for every provider
LATER = [
    Stage("while polling", lambda e, s, n: e.calls["retrieve"] >= 8,
          config={"batch_in_progress_s": 600.0}),
    held("during the 1st download", "content", 1),
    held("during the 3rd download", "content", 3),
    Stage("during the re-asks", lambda e, s, n: s.stats.requests >= max(2, int(n * P_INVALID / 3)),
          config={"latency_ms": 200.0}),
]  # fmt: skip


@dataclass(frozen=True)
class BatchProvider:
    """A provider's Batch API in the simulator: its model, key, endpoints and stages."""

    model: str
    priced_as: str
    key_variable: str
    engine: Callable[[Simulator], BatchEngine]
    base_url: Callable[[Simulator], str]
    #: (its batch engine, a batch id) -> the doc ids of that batch's requests
    doc_ids: Callable[[BatchEngine, str], list[str]]
    stages: list[Stage]


def _doc_ids_of_lines(engine: BatchEngine, batch_id: str) -> list[str]:
    """The doc ids of a batch's requests, from the article each request carries (for a
    provider that files requests under their position, not the doc id)."""
    found = []
    for line in engine.input_lines(batch_id):
        match = WIRE_COPY.search(extract_article(line["params"]["messages"]))
        assert match is not None, f"no wire-copy line in batch {batch_id}'s request"
        found.append(match.group(1))
    return found


PROVIDERS = {
    "openai": BatchProvider(
        MODEL, PRICED_AS, "OPENAI_API_KEY", lambda s: s.batches, lambda s: s.base_url,
        lambda e, batch_id: e.created[batch_id],
        [
            NOT_KILLED,
            held("after the 1st upload", "upload", 1),
            held("between two uploads (2nd unheard)", "upload", 2),
            held("after the 1st create (id unheard)", "create", 1),
            held("after the 3rd create (id unheard)", "create", 3),
            *LATER,
        ],
    ),
    "anthropic": BatchProvider(
        "anthropic/claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku-latest",
        "ANTHROPIC_API_KEY", lambda s: s.anthropic, lambda s: s.anthropic.base_url,
        _doc_ids_of_lines,
        [
            NOT_KILLED,
            held("after the 1st create (id unheard)", "create", 1),
            held("the 2nd create lost (submitting)", "receive", 2),
            held("after the 3rd create (id unheard)", "create", 3),
            *LATER,
        ],
    ),
}  # fmt: skip


def _prices(folder: Path, provider: BatchProvider) -> Path:
    entry = json.loads((ROOT / "extractor/data/prices.json").read_text())[provider.priced_as]
    path = folder / "prices.json"
    path.write_text(json.dumps({provider.model: entry}))
    return path


def _command(
    inputs: Path, output: Path, sim: Simulator, provider: BatchProvider, prices: Path
) -> list[str]:
    return [
        sys.executable, "-m", "extractor", "run", str(inputs), "-o", str(output),
        "--model", provider.model, "--base-url", provider.base_url(sim), "--prices", str(prices),
        "--batch", "--concurrency", "4",
    ]  # fmt: skip


def _summary_cost(stderr: str) -> float | None:
    found = re.search(r"estimated cost\s*\S?\s*\$(\d+\.\d+)", stderr)
    return float(found.group(1)) if found else None


def run_stage(stage: Stage, n: int, per_batch: int, provider: BatchProvider) -> dict[str, Any]:
    """Kill a run at ``stage`` (unless it is the clean one), rerun it, and check the output."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs, output = write_jsonl(folder / "in.jsonl", n), folder / "out.jsonl"
        env = {
            **os.environ, "EXTRACTOR_HOME": str(folder / "home"), provider.key_variable: API_KEY,
            "EXTRACTOR_BATCH_POLL_S": "0.05", "EXTRACTOR_BATCH_MAX_REQUESTS": str(per_batch),
            "COLUMNS": "200",
        }  # fmt: skip
        config = SimConfig(batch_p_invalid=P_INVALID, seed=1, **stage.config)
        with run_simulator(config) as sim:
            engine = provider.engine(sim)
            command = _command(inputs, output, sim, provider, _prices(folder, provider))
            started = time.perf_counter()
            kill_s = None
            if stage is not NOT_KILLED:
                if stage.hold:
                    engine.hold(stage.hold, after=stage.after)
                with subprocess.Popen(
                    [*command, "--quiet"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
                ) as process:
                    deadline = time.monotonic() + 600
                    while not stage.ready(engine, sim, n):
                        assert process.poll() is None, f"{stage.name}: the run ended first"
                        assert time.monotonic() < deadline, f"{stage.name}: never reached"
                        time.sleep(0.01)
                    process.kill()
                    assert process.wait(10) == -signal.SIGKILL
                kill_s = time.perf_counter() - started
                engine.release()
                engine.set_timing(in_progress_s=0.0)
                sim.config.latency_ms = 0.0
            lines_at_kill = output.read_bytes().count(b"\n") if output.exists() else 0
            batches_at_kill = len(engine.snapshot()["created"])
            started = time.perf_counter()
            done = subprocess.run(
                command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
            )
            rerun_s = time.perf_counter() - started
            assert done.returncode == 0, done.stderr[-2000:]
            return {
                "stage": stage.name,
                "lines_at_kill": lines_at_kill,
                "batches_at_kill": batches_at_kill,
                "kill_s": None if kill_s is None else round(kill_s, 1),
                "rerun_s": round(rerun_s, 1),
                "summary_cost_usd": _summary_cost(done.stderr),
                **_check(output, n, sim, engine, provider),
            }


def _check(
    output: Path, n: int, sim: Simulator, engine: BatchEngine, provider: BatchProvider
) -> dict[str, Any]:
    lines = [json.loads(raw) for raw in output.read_text(encoding="utf-8").splitlines()]
    ids = Counter(line["doc_id"] for line in lines)
    snapshot = engine.snapshot()
    in_batches = Counter(
        d for batch_id in snapshot["created"] for d in provider.doc_ids(engine, batch_id)
    )
    return {
        "batches": len(snapshot["created"]),
        "files": snapshot["files"],
        "max_requests_per_article": max(in_batches.values()),
        "articles_in_batches": len(in_batches),
        "lines": len(lines),
        "articles": len(ids),
        "duplicates": sum(count - 1 for count in ids.values()),
        "all_ok": all(line["error"] is None for line in lines) and len(ids) == n,
        "failures_in_batch": snapshot["outcomes"].get("schema_violation", 0),
        "reasked_articles": len(sim.stats.by_article),
        "sync_requests": sim.stats.requests,
        "cost_usd": round(sum(line["cost_usd"] for line in lines), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-batch", type=int, default=500)
    parser.add_argument("--provider", choices=sorted(PROVIDERS), default="openai")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    provider = PROVIDERS[args.provider]
    print(machine(), provider.model, flush=True)
    results = []
    for stage in provider.stages:
        results.append(r := run_stage(stage, args.articles, args.per_batch, provider))
        print(json.dumps(r), flush=True)
    rows = [
        [
            r["stage"], str(r["batches_at_kill"]), str(r["lines_at_kill"]), str(r["batches"]),
            str(r["max_requests_per_article"]), str(r["lines"]), str(r["duplicates"]),
            "yes" if r["all_ok"] else "NO", f"{r['reasked_articles']} / {r['failures_in_batch']}",
            str(r["sync_requests"]),
            "?" if r["summary_cost_usd"] is None else f"${r['summary_cost_usd']:.4f}",
            f"${r['cost_usd']:.4f}", "-" if r["kill_s"] is None else str(r["kill_s"]),
            str(r["rerun_s"]),
        ]
        for r in results
    ]  # fmt: skip
    print(table(
        ["killed", "batches at kill", "lines at kill", "batches", "max requests per article",
         "lines", "duplicates", "all ok", "re-asked / sim failures", "sync requests",
         "rerun summary cost", "output cost", "s to kill", "s rerun"],
        rows,
    ))  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
