"""Throughput of the offline ``rules`` baseline on one core.

Loads every seed and eval article, repeats them to ``--n`` documents (distinct doc_ids, same
texts), and runs ``extract_rules`` on each in one process pinned to one CPU. Prints articles per
second (median of ``--rounds`` timed passes after a warm-up pass), CPU time per article, the
process's peak resident memory, and the peak of Python allocations during one extraction pass
(tracemalloc, measured separately so it does not slow the timed passes).

Repeated texts let Python's regex cache reuse the few per-article patterns (the names found in
each article); a corpus of distinct articles compiles those once per article, a small cost.

    python benchmarks/bench_rules.py              # ~2,000 articles, 3 timed rounds
    python benchmarks/bench_rules.py --n 10000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.backends.rules import extract_rules  # noqa: E402
from extractor.documents import Document, read_article_file  # noqa: E402


def load(n: int) -> list[Document]:
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "evals" / "articles").glob("*.txt")
    )
    if not paths:
        raise SystemExit("no articles found under seeds/ or evals/articles/")
    base = [read_article_file(p) for p in paths]
    return [
        Document(
            f"{base[i % len(base)].doc_id}#{i}",
            base[i % len(base)].text,
            base[i % len(base)].published,
        )
        for i in range(n)
    ]


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this platform)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="documents per pass (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes (default 3)")
    args = parser.parse_args()

    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(
        f"machine: {platform.platform()} · {platform.machine()} · {platform.processor() or 'cpu ?'} · "
        f"os.cpu_count()={os.cpu_count()} · Python {platform.python_version()}"
    )
    print("process:", pin_to_one_core())

    documents = load(args.n)
    distinct = len({d.text for d in documents})
    print(f"documents: {len(documents)} ({distinct} distinct articles repeated)")

    for document in documents[: distinct * 2]:  # warm-up: imports, data files, regex compiles
        extract_rules(document)

    rates, cpu_per_article = [], []
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for document in documents:
            extract_rules(document)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates.append(len(documents) / wall)
        cpu_per_article.append(cpu / len(documents))

    tracemalloc.start()
    for document in documents[:distinct]:
        extract_rules(document)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss_kib / 1024 if sys.platform != "darwin" else rss_kib / 1024 / 1024

    print(
        f"throughput: {statistics.median(rates):,.0f} articles/s on one core "
        f"(median of {args.rounds}; min {min(rates):,.0f}, max {max(rates):,.0f})"
    )
    print(f"cpu time: {statistics.median(cpu_per_article) * 1000:.2f} ms per article")
    print(
        f"peak memory: {rss_mib:.0f} MiB resident (process); "
        f"{traced_peak / 1024:,.0f} KiB peak Python allocations during one pass"
    )


if __name__ == "__main__":
    main()
