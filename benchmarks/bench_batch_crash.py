"""``run --batch`` at 2,000 articles, SIGKILLed at each stage and rerun: no article in two batches.

Each stage is a fresh output and run store. ``extractor run --batch`` is started as a real
subprocess against the simulator's Batch API (in a thread of this process, on loopback), 3 % of
the batch answers violating the schema, 500 requests per batch file (4 files). The simulator does
the work of one endpoint call and holds its answer (or keeps the batches running, or slows the
synchronous re-asks), the process is SIGKILLed there, then the same command is run again to the
end. Printed per stage: the batches created, the most batch requests any article was in (must
be 1), the lines in the output and duplicated doc ids (must be 0), the articles re-asked
synchronously next to the simulator's failure count (must be equal) and the synchronous requests
(a re-ask in flight at the kill is sent again), the cost the rerun's summary reports for its
lines and the cost of all the output's lines, and the seconds to the kill and of the rerun.

    python benchmarks/bench_batch_crash.py             # ~10 min on 2 shared cores
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

from benchmarks.bench_batch import _prices, write_jsonl
from benchmarks.harness import API_KEY, MODEL, machine, table
from benchmarks.simulator import SimConfig, Simulator, run_simulator

ROOT = Path(__file__).resolve().parents[1]
P_INVALID = 0.03


@dataclass(frozen=True)
class Stage:
    """Where to kill: which endpoint's answer to hold (after how many answered), and when."""

    name: str
    #: (the simulator, the number of articles) -> kill now
    ready: Callable[[Simulator, int], bool]
    hold: str | None = None
    after: int = 0
    config: dict[str, Any] = field(default_factory=dict)


STAGES = [
    Stage("not killed", lambda s, n: False),
    Stage("after the 1st upload", lambda s, n: s.batches.calls["upload"] >= 1, "upload"),
    Stage("between two uploads (2nd unheard)", lambda s, n: s.batches.calls["upload"] >= 2,
          "upload", after=1),
    Stage("after the 1st create (id unheard)", lambda s, n: s.batches.calls["create"] >= 1,
          "create"),
    Stage("after the 3rd create (id unheard)", lambda s, n: s.batches.calls["create"] >= 3,
          "create", after=2),
    Stage("while polling", lambda s, n: s.batches.calls["retrieve"] >= 8,
          config={"batch_in_progress_s": 600.0}),
    Stage("during the 1st download", lambda s, n: s.batches.calls["content"] >= 1, "content"),
    Stage("during the 3rd download", lambda s, n: s.batches.calls["content"] >= 3, "content",
          after=2),
    Stage("during the re-asks", lambda s, n: s.stats.requests >= max(2, int(n * P_INVALID / 3)),
          config={"latency_ms": 200.0}),
]  # fmt: skip


def _command(inputs: Path, output: Path, sim: Simulator, prices: Path) -> list[str]:
    return [
        sys.executable, "-m", "extractor", "run", str(inputs), "-o", str(output),
        "--model", MODEL, "--base-url", sim.base_url, "--prices", str(prices), "--batch",
        "--concurrency", "4",
    ]  # fmt: skip


def _summary_cost(stderr: str) -> float | None:
    found = re.search(r"estimated cost\s*\S?\s*\$(\d+\.\d+)", stderr)
    return float(found.group(1)) if found else None


def run_stage(stage: Stage, n: int, per_batch: int) -> dict[str, Any]:
    """Kill a run at ``stage`` (unless it is the clean one), rerun it, and check the output."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs, output = write_jsonl(folder / "in.jsonl", n), folder / "out.jsonl"
        env = {
            **os.environ, "EXTRACTOR_HOME": str(folder / "home"), "OPENAI_API_KEY": API_KEY,
            "EXTRACTOR_BATCH_POLL_S": "0.05", "EXTRACTOR_BATCH_MAX_REQUESTS": str(per_batch),
            "COLUMNS": "200",
        }  # fmt: skip
        config = SimConfig(batch_p_invalid=P_INVALID, seed=1, **stage.config)
        with run_simulator(config) as sim:
            command = _command(inputs, output, sim, _prices(folder))
            started = time.perf_counter()
            kill_s = None
            if stage.name != "not killed":
                if stage.hold:
                    sim.batches.hold(stage.hold, after=stage.after)
                with subprocess.Popen(
                    [*command, "--quiet"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
                ) as process:
                    deadline = time.monotonic() + 600
                    while not stage.ready(sim, n):
                        assert process.poll() is None, f"{stage.name}: the run ended first"
                        assert time.monotonic() < deadline, f"{stage.name}: never reached"
                        time.sleep(0.01)
                    process.kill()
                    assert process.wait(10) == -signal.SIGKILL
                kill_s = time.perf_counter() - started
                sim.batches.release()
                sim.batches.set_timing(in_progress_s=0.0)
                sim.config.latency_ms = 0.0
            lines_at_kill = output.read_bytes().count(b"\n") if output.exists() else 0
            batches_at_kill = len(sim.batches.snapshot()["created"])
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
                **_check(output, n, sim),
            }


def _check(output: Path, n: int, sim: Simulator) -> dict[str, Any]:
    lines = [json.loads(raw) for raw in output.read_text(encoding="utf-8").splitlines()]
    ids = Counter(line["doc_id"] for line in lines)
    snapshot = sim.batches.snapshot()
    in_batches = Counter(d for batch in snapshot["created"].values() for d in batch)
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
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    print(machine(), flush=True)
    results = []
    for stage in STAGES:
        results.append(r := run_stage(stage, args.articles, args.per_batch))
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
