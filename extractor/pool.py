"""The worker pool: articles in, one prediction line per article out, as each finishes.

A fixed pool of workers (``concurrency`` times the backend's ``workers_per_slot``) pulls articles
from a bounded queue, so memory does not grow with the size of the batch. One failing article
becomes an error line; the batch goes on. :mod:`extractor.runner` wraps it with the run store, the
cache and the output file; :mod:`extractor.batch.runner` re-asks a Batch API's failures through it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from extractor.backend import Backend
from extractor.documents import BadDocument, Document, Documents
from extractor.errors import ConfigError, ExtractionError, ExtractorError
from extractor.ledger import CapReached, current_ledger
from extractor.predictions import ErrorInfo, PredictionLine
from extractor.pricing import Price
from extractor.usage import Usage

Item = Document | BadDocument
log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What a batch did and what it cost."""

    model: str
    prompt: str | None
    total: int = 0
    succeeded: int = 0
    #: records with no value filled (of ``succeeded``): a model that answered but said nothing
    empty_records: int = 0
    failed: int = 0
    skipped: int = 0
    ungrounded_values: int = 0
    model_calls: int = 0
    retries: int = 0  # model calls after an article's first: transient-error retries and re-asks
    cache_hits: int = 0
    run_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0
    wall_s: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: (path, reason) for every input path given or found that holds no article
    inputs_skipped: list[tuple[str, str]] = field(default_factory=list)
    #: for ``--batch``: batches, requests, answers re-asked synchronously (see extractor.batch)
    batch: dict[str, int] | None = None
    #: under ``--max-cost``: ``cap``, ``spent`` (every request, lines or not), ``stopped`` and
    #: ``left`` (articles not written because the run stopped at the cap)
    cost_cap: dict[str, Any] | None = None

    @classmethod
    def of(cls, backend: Backend) -> RunSummary:
        """An empty summary of a run of ``backend``."""
        return cls(model=backend.model, prompt=str(backend.prompt) if backend.prompt else None)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["usage"] = self.usage.as_dict()
        data["errors"] = len(self.errors)
        data["inputs_skipped"] = len(self.inputs_skipped)
        return data

    def add(self, line: PredictionLine) -> None:
        self.total += 1
        if line.ok:
            self.succeeded += 1
            self.empty_records += line.empty
            self.ungrounded_values += sum(1 for e in line.evidence.values() if not e.grounded)
        else:
            self.failed += 1
            if line.error is not None:
                self.errors.append((line.doc_id, line.error.message))
        if line.cached:
            self.cache_hits += 1
            return  # no call was made: it spent nothing now
        self.model_calls += line.attempts
        self.retries += max(0, line.attempts - 1)
        self.usage.add(line.usage)
        # known costs add up (an error line costs what its attempts cost); the total is unknown
        # only once tokens were spent at no known price
        if line.cost_usd is not None:
            if self.cost_usd is not None:
                self.cost_usd += line.cost_usd
        elif line.usage.total_tokens:
            self.cost_usd = None


OnLine = Callable[[PredictionLine], None]


async def _process(item: Item, backend: Backend, price: Price | None) -> PredictionLine:
    base = {"doc_id": item.doc_id, "model": backend.model, "prompt": backend.prompt}
    if isinstance(item, BadDocument):
        return PredictionLine(
            **base,
            error=ErrorInfo(type="DocumentError", message=str(item.error)),
            cost_usd=_cost(price, Usage()),
        )
    started = time.perf_counter()
    try:
        result = await backend.extract(item)
    except ConfigError:
        raise  # the setup is wrong (a rejected key, an unknown model): no article can succeed
    except Exception as exc:
        if not isinstance(exc, ExtractorError):
            # a bug, not bad input: say so, keep the traceback in the log, and let the batch go on
            log.exception("unexpected error extracting %s", item.doc_id)
            exc = ExtractorError(
                f"unexpected {type(exc).__name__}: {exc}",
                hint="this is a bug in extractor; please report it with the article",
            )
        extraction = exc if isinstance(exc, ExtractionError) else None
        usage = extraction.usage if extraction else Usage()
        return PredictionLine(
            **base,
            published=item.published,
            error=ErrorInfo(type=type(exc).__name__, message=str(exc)),
            usage=usage,
            attempts=extraction.attempts if extraction else 0,
            cost_usd=_cost(price, usage),
            latency_s=round(time.perf_counter() - started, 4),
        )
    return PredictionLine(
        **base,
        published=item.published,
        record=result.record,
        evidence=result.evidence,
        confidence=result.confidence,
        usage=result.usage,
        attempts=result.attempts,
        cost_usd=_cost(price, result.usage),
        latency_s=round(time.perf_counter() - started, 4),
        cached=result.cached,
    )


def _cost(price: Price | None, usage: Usage) -> float | None:
    if price is None:
        return None
    return round(price.cost_of(usage), 8)


async def run_items(
    items: Iterable[Item],
    backend: Backend,
    *,
    concurrency: int,
    on_line: OnLine,
    price: Price | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> RunSummary:
    """Extract every item with ``concurrency`` workers, handing each finished line to ``on_line``.

    ``on_line`` runs in the event loop thread, one line at a time, so it can write without locks.
    """
    summary = RunSummary.of(backend)
    started = time.perf_counter()
    n_workers = concurrency * backend.workers_per_slot
    queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=n_workers * 2)

    ledger = current_ledger()

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            if ledger is not None and ledger.halted:
                ledger.left += 1  # stopping at --max-cost: left for the rerun
                continue
            try:
                line = await _process(item, backend, price)
            except CapReached:  # its next request could pass the cap: not written, as on Ctrl-C
                assert ledger is not None
                ledger.left += 1
                continue
            summary.add(line)
            on_line(line)

    workers = [asyncio.create_task(worker()) for _ in range(n_workers)]
    try:
        for item in items:
            if item.doc_id in skip:
                summary.skipped += 1
                continue
            if ledger is not None and ledger.halted:
                ledger.left += 1  # read on only to count what is left
                continue
            await queue.put(item)
        if isinstance(items, Documents):  # read to the end: every path passed over is known
            summary.inputs_skipped = [(s.path, s.reason) for s in items.skipped]
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await backend.aclose()
        summary.wall_s = time.perf_counter() - started
    return summary
