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
from extractor.budget import check_estimate, estimate_run, ledger_for, rates, stopped_message
from extractor.documents import BadDocument, Document, iter_documents, text_document
from extractor.errors import ConfigError, CostCapReached
from extractor.ledger import Ledger, spending
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


def resolve(settings: Settings, store: RunStore) -> tuple[Backend, Price | None, bool]:
    """The backend and price for the configured model, and whether it is the unasked-for default.

    The backend answers unchanged requests from ``store``'s response cache unless
    ``settings.cache`` is off.
    """
    model, is_default = settings.resolved_model()
    prices = load_prices(settings.prices)
    price = price_for(model, prices)
    cache = store if settings.cache else None
    return make_backend(model, settings, price, cache=cache), price, is_default


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
    again: Callable[[], Iterable[Item]] | None = None,
    ledger: Ledger | None = None,
) -> RunSummary:
    """Run a batch as configured, recorded in the run store, with the response cache.

    The run is stored as ``running``, each line as it finishes, then ``complete``; an interrupt or
    crash leaves it ``incomplete`` with every finished line kept, and so does a stop at
    ``settings.max_cost`` (``summary.cost_cap``). ``again`` reads the same items once more, for
    the cost estimate (without it, ``items`` is read into memory when a cap is set); a caller
    that checked the estimate already passes its ``ledger``. ``resolved``: a backend and price
    already made by :func:`resolve` with ``store``.

    Raises:
        CostEstimateError: the estimate is over ``settings.max_cost``; nothing was sent.
    """
    own_store = store is None
    store = store or RunStore()
    try:
        backend, price = resolved or resolve(settings, store)[:2]
        if ledger is None and settings.max_cost is not None:
            if again is None:
                items = list(items)
            estimated = items if again is None else again()
            ledger = guard(settings, backend, price, estimated, skip=skip, batch=batch)
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
            with spending(ledger):
                summary = asyncio.run(work)
            status = "complete" if ledger is None or not ledger.halted else "incomplete"
        finally:
            store.finish_run(run_id, status)
        summary.run_id = run_id
        if ledger is not None:
            summary.cost_cap = {
                "cap": ledger.cap, "spent": round(ledger.spent, 8), "stopped": ledger.halted,
                "left": ledger.left, "message": stopped_message(ledger) if ledger.halted else None,
            }  # fmt: skip
        store.set_summary(run_id, summary.as_dict())
        return summary
    finally:
        if own_store:
            store.close()


def guard(
    settings: Settings,
    backend: Backend,
    price: Price | None,
    items: Iterable[Item],
    *,
    skip: set[str] | frozenset[str],
    batch: bool = False,
) -> Ledger | None:
    """The ledger of a run under ``settings.max_cost``, once its estimate is under the cap.

    ``backend`` is the one :func:`resolve` made: with the response cache, it plans no request for
    an article the cache answers.

    Raises:
        ConfigError: the model has no price, so the cap cannot be enforced.
        CostEstimateError: the estimate is over the cap; nothing was sent.
    """
    ledger = ledger_for(settings.max_cost, backend.model, price, batch=batch)
    if ledger is not None:
        priced = rates(ledger.price, batch=batch) or ledger.price
        check_estimate(ledger, estimate_run(backend, items, skip=skip, price=priced, batch=batch))
    return ledger


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
    paths = list(paths)  # read twice: recorded with the run, then the articles themselves
    check_not_an_input(output, paths)
    if batch and str(output) == "-":
        raise ConfigError(
            "--batch needs an output file: a batch is resumed from the run writing it",
            hint="pass -o FILE, e.g. -o records.jsonl",
        )
    exclude = [] if str(output) == "-" else [output]
    items = iter_documents(paths, exclude=exclude)
    # the absolute path, so a later resume finds the prompt hash this run wrote the file with
    where = str(output) if str(output) == "-" else str(Path(output).resolve())
    with RunStore() as store:
        # a bad model setting fails before the output is touched
        backend, price, _ = resolve(settings, store)
        prompt = backend.prompt
        # under --max-cost, a new or overwritten output is estimated before the writer touches
        # it; a resumed one once the writer has read which articles are finished
        fresh = overwrite or str(output) == "-" or not Path(output).exists()
        ledger = None
        if fresh:
            again = iter_documents(paths, exclude=exclude)
            ledger = guard(settings, backend, price, again, skip=set(), batch=batch)
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
            if not fresh:
                again = iter_documents(paths, exclude=exclude)
                ledger = guard(settings, backend, price, again, skip=writer.done, batch=batch)
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
                ledger=ledger,
            )


def _settings(model: str | None, prompt: str | None, options: dict[str, Any]) -> Settings:
    """Settings from library keyword arguments (None means "as configured"), model resolved."""
    given = {
        k: v for k, v in {"model": model, "prompt": prompt, **options}.items() if v is not None
    }
    settings = Settings(**given)
    return settings.model_copy(update={"model": settings.resolved_model()[0]})


def extract(
    documents: Iterable[Document | BadDocument | str],
    *,
    model: str | None = None,
    prompt: str | None = None,
    kind: str = "extract",
    **options: Any,
) -> list[PredictionLine]:
    """Extract records from documents in memory: the same lines ``extractor run`` writes.

    Args:
        documents: :class:`Document` objects, or plain article texts (ids ``doc-0``, ``doc-1``...;
            checked as a file's text is: too large or not text becomes an error line).
        model: ``"rules"`` or ``"openai/<name>"``; default as configured (see :class:`Settings`).
        prompt: ``name@version`` of the prompt template.
        kind: how the run is labelled in the run store (``extract``, ``eval``...).
        **options: any other :class:`Settings` field (``base_url``, ``concurrency``, ``cache``...).

    Returns:
        One :class:`PredictionLine` per document, in input order.
    """
    settings = _settings(model, prompt, options)
    docs = [
        d if isinstance(d, Document | BadDocument) else text_document(d, doc_id=f"doc-{i}")
        for i, d in enumerate(documents)
    ]
    lines: dict[str, PredictionLine] = {}
    summary = execute(
        docs, settings, on_line=lambda line: lines.__setitem__(line.doc_id, line), kind=kind
    )
    _check_finished(summary)
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
    summary = execute(
        iter_documents(paths), settings, on_line=lines.append, kind=kind, args=args,
        again=lambda: iter_documents(paths),
    )  # fmt: skip
    _check_finished(summary)
    lines.sort(key=lambda line: line.doc_id)
    return lines, summary


def _check_finished(summary: RunSummary) -> None:
    """Raise :class:`CostCapReached` if the run stopped at ``--max-cost`` with articles left."""
    stopped = summary.cost_cap
    if stopped is not None and stopped["stopped"]:
        raise CostCapReached(
            str(stopped["message"]),
            hint="rerun with a higher --max-cost (finished answers are cached, so they cost "
            "nothing again)",
        )
