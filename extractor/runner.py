"""A run: the configured backend over the worker pool (:mod:`extractor.pool`), recorded in the run
store, answered from the response cache where unchanged, written to the output as lines finish.

``extract``, ``extract_paths`` and ``run`` are the library's entry points; ``--batch`` goes through
:mod:`extractor.batch.runner` instead of the pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from extractor.backend import Backend
from extractor.backends import make_backend, price_for
from extractor.cache import CachingBackend
from extractor.documents import Document, iter_documents
from extractor.errors import ConfigError
from extractor.pool import Item, OnLine, RunSummary, run_items
from extractor.predictions import (
    Format,
    PredictionLine,
    PredictionWriter,
    check_not_an_input,
)
from extractor.pricing import Price, load_prices
from extractor.schema import SCHEMA_VERSION
from extractor.settings import Settings
from extractor.store import RunStore


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
