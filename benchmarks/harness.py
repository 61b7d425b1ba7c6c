"""Shared pieces of the benchmarks: a simulator in its own process, articles, and measurements.

The simulator always runs in a separate process (spawned, so it shares nothing with the client
but the loopback socket): a simulator in a thread of the measured process would share its GIL
and its CPU time. :func:`simulator_process` hands back its base URL and, on request, its stats
(including the arrival timestamps the rate-limit benchmark needs).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractor.documents import Document, read_article_file  # noqa: E402

MODEL = "openai/sim-1"
API_KEY = "sk-benchmark-not-a-real-key"


# --- the simulator, out of process -------------------------------------------------------------


def _serve(config: dict[str, Any], window_s: float | None) -> None:
    """The child's side: serve, and answer ``stats``/``reset``/``stop`` lines on stdin."""
    from benchmarks import simulator

    if window_s is not None:  # a shorter rate window, for scaled-down rate-limit runs
        simulator.RATE_WINDOW_S = window_s
    with simulator.run_simulator(simulator.SimConfig(**config)) as sim:
        print(json.dumps(sim.base_url), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                stats = sim.stats
                reply: Any = {
                    **stats.snapshot(),
                    "timestamps": stats.timestamps,
                    "answers_by_article": stats.answers,
                    "cpu_s": time.process_time(),
                }
            elif command == "reset":
                sim.stats.reset()
                reply = True
            else:
                break
            print(json.dumps(reply), flush=True)


@dataclass
class RemoteSimulator:
    """A simulator running in another process."""

    base_url: str
    process: subprocess.Popen[str]

    def _ask(self, command: str) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stats(self) -> dict[str, Any]:
        """Snapshot (see SimStats.snapshot) plus ``timestamps``, ``answers_by_article`` and the
        simulator process's ``cpu_s``."""
        return self._ask("stats")  # type: ignore[no-any-return]

    def reset(self) -> None:
        self._ask("reset")


@contextlib.contextmanager
def simulator_process(window_s: float | None = None, **config: Any) -> Iterator[RemoteSimulator]:
    """Start ``benchmarks/simulator.py`` with these SimConfig fields in a child process."""
    command = [sys.executable, str(Path(__file__).resolve()), "serve", json.dumps(config)]
    if window_s is not None:
        command.append(str(window_s))
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the simulator process did not start")
        yield RemoteSimulator(json.loads(line), process)
    finally:
        with contextlib.suppress(OSError, ValueError):
            assert process.stdin is not None
            process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


# --- articles ----------------------------------------------------------------------------------


def base_articles() -> list[Document]:
    """The seed articles and the synthetic eval articles: real-sized news texts."""
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "evals").glob("articles/*.txt"))
    return [read_article_file(path) for path in paths]


def articles(n: int, *, prefix: str = "a") -> Iterator[Document]:
    """``n`` distinct articles (a numbered wire-copy line makes each text unique), lazily."""
    bases = base_articles()
    for i in range(n):
        base = bases[i % len(bases)]
        text = f"{base.text}\n\n(Wire copy {prefix}{i:06d}.)"
        yield Document(f"{prefix}{i:06d}", text, base.published, f"bench:{prefix}{i}")


def write_jsonl(path: Path, n: int, *, prefix: str = "a") -> Path:
    """``n`` articles as an input JSONL file (doc_id, text, published)."""
    with path.open("w", encoding="utf-8") as handle:
        for doc in articles(n, prefix=prefix):
            record = {"doc_id": doc.doc_id, "text": doc.text, "published": doc.published}
            handle.write(json.dumps(record) + "\n")
    return path


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Measured:
    wall_s: float
    cpu_s: float


@contextlib.contextmanager
def measure() -> Iterator[Measured]:
    """Wall time and this process's CPU time (user + system, all threads) of the block."""
    result = Measured(0.0, 0.0)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield result
    finally:
        result.wall_s = time.perf_counter() - wall
        result.cpu_s = time.process_time() - cpu


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    ``VmHWM`` from /proc, not ``getrusage``: Linux carries ``ru_maxrss`` over ``exec`` from the
    forked parent, so a child started by a big parent would report the parent's size.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """One line describing where the figures were measured."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {time.strftime('%Y-%m-%d')}"
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join([line, rule, *body])


if __name__ == "__main__":  # the simulator child: harness.py serve '<SimConfig JSON>' [window_s]
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        _serve(json.loads(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else None)
