"""Size and load time of ``extractor view`` for a 1,000-article run, in headless Chromium.

Offline and self-contained: the seed and eval articles are copied to ``--n`` article files with
distinct doc_ids (same texts), the ``rules`` baseline extracts them into a predictions file, and
``extractor view`` renders it with those files as ``--articles``. The page is then opened from
disk ``--loads`` times in Debian's headless Chromium (Selenium, ``/usr/bin/chromium`` +
``/usr/bin/chromedriver``, as in the browser tests), each time from ``about:blank``, and timed
until it is interactive: the page's own ``view-ready`` performance mark, set after its script has
built the view, and the Navigation Timing API's ``loadEventEnd``, both in ms since navigation
start. Prints the file size, bytes per article, and the median (min–max) of each time.

    python benchmarks/bench_view.py                # 1,000 articles, 5 loads
    python benchmarks/bench_view.py --seeds-only    # the 3 real seed articles only (~2 KB each)
    python benchmarks/bench_view.py --n 5000 --loads 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import browser  # noqa: E402

# ms since navigation start: the script's ready mark, and the end of the load event
_TIMINGS = """
const nav = performance.getEntriesByType("navigation")[0];
const mark = performance.getEntriesByName("view-ready")[0];
return [mark ? mark.startTime : null, nav.loadEventEnd, nav.domContentLoadedEventEnd];
"""


def make_articles(folder: Path, n: int, seeds_only: bool = False) -> Path:
    """``n`` article files under ``folder/articles``: the seeds and eval articles, cycled."""
    sources = sorted((ROOT / "seeds").glob("*.txt"))
    if not seeds_only:
        sources += sorted((ROOT / "evals" / "articles").glob("*.txt"))
    if not sources:
        raise SystemExit("no articles found under seeds/ or evals/articles/")
    out = folder / "articles"
    out.mkdir()
    for i in range(n):
        source = sources[i % len(sources)]
        (out / f"{i:05d}_{source.stem}.txt").write_bytes(source.read_bytes())
    return out


def extractor(*args: str, env: dict[str, str]) -> float:
    """Run ``extractor ARGS`` in a fresh process; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "extractor", *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - started


def chromium_version() -> str:
    try:
        found = subprocess.run(
            [str(browser.CHROMIUM), "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return "?"
    return found.stdout.strip() or "?"


def load_times(page: Path, loads: int) -> list[tuple[float, float, float]]:
    """(ready mark, loadEventEnd, DOMContentLoaded) in ms for each of ``loads`` fresh loads."""
    times = []
    with browser.chromium(1400, 1000) as driver:
        for _ in range(loads + 1):  # the first load warms the browser up and is not counted
            driver.get("about:blank")
            browser.open_page(driver, page)
            ready, load_end, dom = driver.execute_script(_TIMINGS)
            if ready is None:
                raise SystemExit("the page set no 'view-ready' performance mark")
            times.append((float(ready), float(load_end), float(dom)))
    return times[1:]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles in the run (default 1000)")
    parser.add_argument("--loads", type=int, default=5, help="timed page loads (default 5)")
    parser.add_argument(
        "--seeds-only",
        action="store_true",
        help="cycle the 3 real seed articles only (longer than the synthetic eval articles)",
    )
    parser.add_argument("--keep", type=Path, help="also copy the page to this path")
    args = parser.parse_args()
    reason = browser.missing()
    if reason:
        raise SystemExit(reason)

    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(
        f"machine: {platform.platform()} · nproc={len(os.sched_getaffinity(0))} · "
        f"Python {platform.python_version()} · {chromium_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-view-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "EXTRACTOR_HOME": str(folder / "home")}
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "EXTRACTOR_MODEL", "EXTRACTOR_BASE_URL"):
            env.pop(key, None)
        articles = make_articles(folder, args.n, args.seeds_only)
        records = folder / "records.jsonl"
        run_s = extractor("run", str(articles), "-o", str(records), "--model", "rules", env=env)
        page = folder / "run.html"
        render_s = extractor(
            "view", str(records), "-o", str(page), "--articles", str(articles), env=env
        )
        size = page.stat().st_size
        lines = records.read_text(encoding="utf-8").splitlines()
        values = sum(len(json.loads(line).get("evidence") or {}) for line in lines)
        text_bytes = sum(p.stat().st_size for p in articles.iterdir())
        times = load_times(page, args.loads)
        if args.keep:
            args.keep.write_bytes(page.read_bytes())

    ready = [t[0] for t in times]
    load_end = [t[1] for t in times]
    dom = [t[2] for t in times]
    print(
        f"articles: {len(lines)} ({values} values with evidence, {text_bytes / len(lines):,.0f} B of text each); rules run {run_s:.1f} s"
    )
    print()
    print("| articles | file size | bytes/article | render s | interactive (view-ready) | loadEventEnd | DOMContentLoaded |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(lines):,} | {size / 1e6:.2f} MB ({size:,} B) | {size / len(lines):,.0f} | "
        f"{render_s:.2f} | **{spread(ready)}** | {spread(load_end)} | {spread(dom)} |"
    )
    print(f"({args.loads} loads, median (min–max), ms since navigation start)")
    summary = {
        "articles": len(lines),
        "bytes": size,
        "render_s": round(render_s, 3),
        "ready_ms": [round(x, 1) for x in ready],
        "load_event_end_ms": [round(x, 1) for x in load_end],
        "ready_ms_median": round(statistics.median(ready), 1),
        "load_event_end_ms_median": round(statistics.median(load_end), 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
