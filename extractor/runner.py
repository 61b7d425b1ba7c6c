"""The batch runner: articles in, one prediction line per article out, as each finishes.

A fixed pool of workers (``concurrency`` times the backend's ``workers_per_slot``) pulls articles
from a bounded queue, so memory does not grow with the size of the batch. One failing article
becomes an error line; the batch goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from extractor.backend import Backend
from extractor.backends import make_backend, price_for
from extractor.cache import CachingBackend
from extractor.documents import BadDocument, Document, Documents, iter_documents
from extractor.errors import ConfigError, ExtractionError, ExtractorError
from extractor.predictions import (
    ErrorInfo,
    Format,
    PredictionLine,
    PredictionWriter,
    check_not_an_input,
)
from extractor.pricing import Price, load_prices
from extractor.schema import SCHEMA_VERSION
from extractor.settings import Settings
from extractor.store import RunStore
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
    return round(price.cost(usage.prompt_tokens, usage.completion_tokens), 8)


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
    summary = RunSummary(
        model=backend.model,
        prompt=str(backend.prompt) if backend.prompt else None,
    )
    started = time.perf_counter()
    n_workers = concurrency * backend.workers_per_slot
    queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=n_workers * 2)

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            line = await _process(item, backend, price)
            summary.add(line)
            on_line(line)

    workers = [asyncio.create_task(worker()) for _ in range(n_workers)]
    try:
        for item in items:
            if item.doc_id in skip:
                summary.skipped += 1
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


def resolve(settings: Settings) -> tuple[Backend, Price | None, bool]:
    """The backend and price for the configured model, and whether it is the unasked-for default."""
    model, is_default = settings.resolved_model()
    prices = load_prices(settings.prices)
    price = price_for(model, prices)
    return make_backend(model, settings, price), price, is_default


def execute(
    items: Iterable[Item],
    settings: Settings,
    *,
    on_line: OnLine,
    kind: str = "run",
    args: dict[str, Any] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
    store: RunStore | None = None,
    resolved: tuple[Backend, Price | None] | None = None,
    batch: bool = False,
    on_batch: Callable[[Any], None] | None = None,
) -> RunSummary:
    """Run a batch as configured, recorded in the run store, with the response cache.

    The run is stored as ``running``, each line as it finishes, then ``complete``; an interrupt or
    crash leaves it ``incomplete`` with every finished line kept.
    """
    backend, price = resolved or resolve(settings)[:2]
    own_store = store is None
    store = store or RunStore()
    try:
        if settings.cache:
            backend = CachingBackend(backend, store)
        run_id = store.start_run(
            kind=kind,
            model=backend.model,
            prompt=backend.prompt,
            schema_version=SCHEMA_VERSION,
            args={**settings.public_dict(), **(args or {})},
        )

        def record(line: PredictionLine) -> None:
            store.add_line(run_id, line)
            on_line(line)

        status = "incomplete"
        try:
            if batch:  # the provider's Batch API, then the failures synchronously
                from extractor.batch.runner import run_batch

                work = run_batch(
                    items, backend, store=store, run_id=run_id, output=str((args or {})["output"]),
                    settings=settings, price=price, on_line=record, skip=skip, on_progress=on_batch,
                )  # fmt: skip
            else:
                work = run_items(
                    items,
                    backend,
                    concurrency=settings.concurrency,
                    on_line=record,
                    price=price,
                    skip=skip,
                )
            summary = asyncio.run(work)
            status = "complete"
        finally:
            store.finish_run(run_id, status)
        summary.run_id = run_id
        store.set_summary(run_id, summary.as_dict())
        return summary
    finally:
        if own_store:
            store.close()


def run(
    paths: Iterable[str | Path],
    output: str | Path,
    *,
    settings: Settings | None = None,
    fmt: Format = "jsonl",
    overwrite: bool = False,
    on_line: OnLine | None = None,
    batch: bool = False,
    on_batch: Callable[[Any], None] | None = None,
) -> RunSummary:
    """Extract every article under ``paths`` into ``output`` (``"-"`` for stdout), resuming.

    With ``batch``, through the provider's Batch API (see :mod:`extractor.batch.runner`);
    ``on_batch`` then gets the batches' statuses at each poll.

    Returns:
        The run's summary; ``summary.failed`` counts articles that ended as error lines.
    """
    settings = settings or Settings()
    backend, price, _ = resolve(settings)  # a bad model setting fails before any file is touched
    paths = list(paths)  # read twice: recorded with the run, then the articles themselves
    check_not_an_input(output, paths)
    if batch and str(output) == "-":
        raise ConfigError(
            "--batch needs an output file: a batch is resumed from the run writing it",
            hint="pass -o FILE, e.g. -o records.jsonl",
        )
    items = iter_documents(paths, exclude=[] if str(output) == "-" else [output])
    # the absolute path, so a later resume finds the prompt hash this run wrote the file with
    where = str(output) if str(output) == "-" else str(Path(output).resolve())
    prompt = backend.prompt
    with RunStore() as store:
        recorded = store.output_prompt_hash(where) if prompt and not overwrite else None
        with PredictionWriter(
            output,
            fmt=fmt,
            overwrite=overwrite,
            model=backend.model,
            prompt=prompt,
            recorded_hash=recorded,
        ) as writer:

            def write(line: PredictionLine) -> None:
                writer.write(line)
                if on_line is not None:
                    on_line(line)

            args: dict[str, Any] = {
                "inputs": [str(p) for p in paths],
                "output": where,
                "format": fmt,
            }
            if batch:
                args["batch"] = True
                if overwrite:
                    store.abandon_batch_jobs(where)
            return execute(
                items,
                settings,
                on_line=write,
                args=args,
                skip=writer.done,
                store=store,
                resolved=(backend, price),
                batch=batch,
                on_batch=on_batch,
            )


def _settings(model: str | None, prompt: str | None, options: dict[str, Any]) -> Settings:
    """Settings from library keyword arguments (None means "as configured"), model resolved."""
    given = {
        k: v for k, v in {"model": model, "prompt": prompt, **options}.items() if v is not None
    }
    settings = Settings(**given)
    return settings.model_copy(update={"model": settings.resolved_model()[0]})


def extract(
    documents: Iterable[Document | str],
    *,
    model: str | None = None,
    prompt: str | None = None,
    kind: str = "extract",
    **options: Any,
) -> list[PredictionLine]:
    """Extract records from documents in memory: the same lines ``extractor run`` writes.

    Args:
        documents: :class:`Document` objects, or plain article texts (ids ``doc-0``, ``doc-1``...).
        model: ``"rules"`` or ``"openai/<name>"``; default as configured (see :class:`Settings`).
        prompt: ``name@version`` of the prompt template.
        kind: how the run is labelled in the run store (``extract``, ``eval``...).
        **options: any other :class:`Settings` field (``base_url``, ``concurrency``, ``cache``...).

    Returns:
        One :class:`PredictionLine` per document, in input order.
    """
    settings = _settings(model, prompt, options)
    docs = [
        d if isinstance(d, Document) else Document(f"doc-{i}", d) for i, d in enumerate(documents)
    ]
    lines: dict[str, PredictionLine] = {}
    execute(docs, settings, on_line=lambda line: lines.__setitem__(line.doc_id, line), kind=kind)
    return [lines[d.doc_id] for d in docs]


def extract_paths(
    paths: Iterable[str | Path],
    *,
    model: str | None = None,
    prompt: str | None = None,
    kind: str = "extract",
    **options: Any,
) -> tuple[list[PredictionLine], RunSummary]:
    """Extract every article under ``paths``, in memory: unreadable ones become error lines.

    Returns:
        The lines sorted by doc_id, and the run's summary (its ``run_id`` names it in the store).
    """
    settings = _settings(model, prompt, options)
    paths = list(paths)  # read twice: recorded with the run, then the articles themselves
    lines: list[PredictionLine] = []
    args = {"inputs": [str(p) for p in paths]}
    summary = execute(iter_documents(paths), settings, on_line=lines.append, kind=kind, args=args)
    lines.sort(key=lambda line: line.doc_id)
    return lines, summary
