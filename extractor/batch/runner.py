"""The ``--batch`` flow: plan, upload, create, poll, collect, re-ask the failures synchronously.

Every step is recorded in the run store before the next one starts (see
:func:`extractor.store.add_batch_jobs`): the articles of a job are written with the job before
its file is uploaded, then the file id, then the batch id. So a rerun on the same output (or
``extractor runs resume``) finds every article that was ever planned into a batch and picks it up
where it is: a job still ``planned`` is uploaded, one ``uploaded`` is looked for among the
provider's batches by its file id (a crash may have hidden the batch id) and created only if
absent (a Batch API without files records ``submitting`` before its create call instead, and a
rerun adopts the one unrecorded batch of that size created since), a running batch is polled, a finished one downloaded again. No article is ever put into
a second batch for the same output. Answers are validated and grounded exactly as the synchronous
path does; those that fail (a validation error, an ungrounded quote, an empty record, a
provider-side error, an expired or cancelled request) are re-asked synchronously through the
strategy, with its usual retries and limits. Lines are written as they finish, with the shape,
usage and cost of a synchronous run; the batch part is priced at the provider's batch price.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from extractor.backend import Backend, ExtractionResult
from extractor.batch import (
    BatchAPI,
    FileBatchAPI,
    InlineBatchAPI,
    Outcome,
    RemoteBatch,
    batch_api,
)
from extractor.cache import CachingBackend, _dump
from extractor.contract import VALIDATION_CONTEXT, IncidentExtraction
from extractor.documents import BadDocument, Document, Documents
from extractor.errors import BatchError, ConfigError, ExtractionError
from extractor.evidence import ArticleText
from extractor.ledger import current_ledger
from extractor.pool import OnLine, RunSummary, _cost, _process, run_items
from extractor.predictions import PredictionLine
from extractor.pricing import Price
from extractor.settings import Settings
from extractor.store import BatchJob, RunStore
from extractor.strategies.single_pass import SinglePass, is_empty
from extractor.usage import Usage

Item = Document | BadDocument
#: The longest wait between two polls of the same batches.
MAX_POLL_S = 300.0
POLL_GROWTH = 1.5
#: How far the provider's clock may run behind ours when a crash-hidden batch is looked for by
#: its creation time (wider only admits more candidates, each also checked by size and id).
CLOCK_SKEW_S = 600.0

OnProgress = Callable[[list[tuple[int, RemoteBatch]]], None]


@dataclass
class _Reask:
    """Why an article goes back to the synchronous path, and what its batch answer cost."""

    usage: Usage
    messages: list[dict[str, str]] | None = None
    max_retries: int | None = None


@dataclass
class _Counts:
    batches: int = 0
    requests: int = 0
    submitted: int = 0
    batch_answers_ok: int = 0
    reasked: int = 0
    invalid: int = 0
    empty: int = 0
    provider_errors: int = 0
    reasks: dict[str, _Reask] = field(default_factory=dict)


class _Reasker(Backend):
    """The strategy, continuing each failed batch answer's conversation synchronously."""

    def __init__(self, strategy: SinglePass, reasks: dict[str, _Reask]) -> None:
        self.strategy = strategy
        self.reasks = reasks
        self.model = strategy.model
        self.prompt = strategy.prompt
        self.template = strategy.template
        self.workers_per_slot = strategy.workers_per_slot

    async def extract(self, document: Document) -> ExtractionResult:
        reask = self.reasks[document.doc_id]
        try:
            result = await self.strategy.extract(
                document, messages=reask.messages, max_retries=reask.max_retries
            )
        except ExtractionError as exc:  # the batch answer's tokens and call count too
            exc.usage.add(reask.usage)
            exc.attempts += 1
            raise
        result.usage.add(reask.usage)
        result.attempts += 1
        return result


class BatchRun:
    """One ``--batch`` pass over the inputs of a run writing ``output``."""

    def __init__(
        self,
        backend: Backend,
        *,
        store: RunStore,
        run_id: str,
        output: str,
        settings: Settings,
        price: Price | None,
        on_line: OnLine,
        on_progress: OnProgress | None,
    ) -> None:
        strategy = backend.inner if isinstance(backend, CachingBackend) else backend
        if not isinstance(strategy, SinglePass):
            raise ConfigError(
                f"--batch needs an LLM model, not {backend.model!r}",
                hint="pass --model openai/<name> or anthropic/<name>, or drop --batch",
            )
        self.backend, self.strategy = backend, strategy
        self.api: BatchAPI = batch_api(strategy.provider, strategy.tool_model)
        self.store, self.run_id, self.output = store, run_id, output
        self.settings, self.price, self.on_progress = settings, price, on_progress
        self.batch_price = price.batch() if price is not None else None
        self.summary = RunSummary.of(backend)
        self.counts = _Counts()
        self.docs: dict[str, Document] = {}
        self._on_line = on_line

    def emit(self, line: PredictionLine) -> None:
        self.summary.add(line)
        self._on_line(line)

    # --- the flow ---------------------------------------------------------------------------

    async def run(self, items: Iterable[Item], skip: set[str] | frozenset[str]) -> RunSummary:
        planned = {d for job in self.store.batch_jobs(output=self.output) for d in job.doc_ids}
        new: list[Document] = []
        for item in items:
            if item.doc_id in skip:
                self.summary.skipped += 1
            elif isinstance(item, Document) and item.doc_id in planned:
                self.docs[item.doc_id] = item
            elif isinstance(item, BadDocument) or not self._batchable(item):
                # an error line, a cache hit or a refused length: no call is made, as in a run
                self.emit(await _process(item, self.backend, self.price))
            else:
                new.append(item)
                self.docs[item.doc_id] = item
        if isinstance(items, Documents):
            self.summary.inputs_skipped = [(s.path, s.reason) for s in items.skipped]
        await self._plan(new)
        jobs = [
            job
            for job in self.store.batch_jobs(output=self.output)
            if any(d in self.docs for d in job.doc_ids)
        ]
        for job in jobs:
            await self._submit(job)
        wanted = {job.job_id for job in jobs}
        finished = await self._poll(
            [job for job in self.store.batch_jobs(output=self.output) if job.job_id in wanted]
        )
        for job_id, remote in finished:
            await self._collect(job_id, remote)
        await self._reask()
        c = self.counts
        self.summary.batch = {
            "batches": c.batches, "requests": c.requests, "submitted": c.submitted,
            "answered": c.batch_answers_ok, "reasked": c.reasked, "invalid": c.invalid,
            "empty": c.empty, "provider_errors": c.provider_errors,
        }  # fmt: skip
        return self.summary

    def _batchable(self, document: Document) -> bool:
        """False when no batch request is needed: answered from the cache, or too long (the
        backend plans no request, as it does for ``--max-cost``'s estimate)."""
        return bool(self.backend.planned_requests(document))

    async def _line(self, document: Document, position: int) -> bytes:
        messages = self.strategy.template.render(document)
        params = await self.strategy._sized(document, messages)  # max_tokens as sent synchronously
        custom_id = self.api.custom_id(document.doc_id, position)
        return self.api.request_line(custom_id, messages, dict(params))

    async def _plan(self, documents: list[Document]) -> None:
        """Split into provider-sized files by request count and bytes, and record the jobs."""
        limit_n = min(self.settings.batch_max_requests, self.api.max_requests)
        limit_bytes = min(self.settings.batch_max_bytes, self.api.max_bytes)
        jobs: list[list[str]] = []
        size = 0
        for document in documents:
            n_bytes = len(await self._line(document, len(jobs[-1]) if jobs else 0))
            if not jobs or len(jobs[-1]) >= limit_n or size + n_bytes > limit_bytes:
                jobs.append([])
                size = 0
            jobs[-1].append(document.doc_id)
            size += n_bytes
        if jobs:
            self.store.plan_batch_jobs(self.run_id, self.output, self.strategy.model, jobs)

    async def _job_data(self, job: BatchJob) -> bytes:
        return b"".join(
            [await self._line(self.docs[d], i) for i, d in enumerate(job.doc_ids) if d in self.docs]
        )

    async def _submit(self, job: BatchJob) -> None:
        if isinstance(self.api, InlineBatchAPI):
            await self._submit_inline(self.api, job)
            return
        assert isinstance(self.api, FileBatchAPI)
        file_id = job.input_file_id
        if job.status == "planned":
            data = await self._job_data(job)
            file_id = await self.api.upload(data, f"extractor-{self.run_id}-job{job.job_id}.jsonl")
            self.store.update_batch_job(job.job_id, status="uploaded", input_file_id=file_id)
        if job.batch_id is None:
            assert file_id is not None
            # a crash between create and recording its id leaves the batch unnamed here: find it
            remote = await self.api.find(file_id)
            if remote is None:
                remote = await self.api.create(
                    file_id, {"extractor_run": self.run_id, "extractor_job": str(job.job_id)}
                )
                self.counts.submitted += len(job.doc_ids)
            self.store.update_batch_job(job.job_id, batch_id=remote.batch_id, status=remote.status)

    async def _submit_inline(self, api: InlineBatchAPI, job: BatchJob) -> None:
        """Create the batch from its requests; ``submitting`` (and its time) is recorded first,
        so after a crash the batch whose id was never heard is adopted, never created again."""
        if job.batch_id is not None:
            return
        data = await self._job_data(job)
        remote = None
        if job.status == "submitting":
            since = job.updated_at - CLOCK_SKEW_S
            found = await api.unrecorded(since, len(job.doc_ids), self.store.batch_ids())
            if len(found) > 1:
                ids = ", ".join(r.batch_id for r in found)
                raise BatchError(
                    f"batch job {job.job_id} of {self.output}: its create call may have gone "
                    f"out, and {len(found)} unrecorded batches of {len(job.doc_ids)} requests "
                    f"were created since: {ids}",
                    hint="cancel (or, once ended, delete) those that are not this run's with "
                    "the provider, then rerun: a cancelled batch is not adopted",
                )
            remote = found[0] if found else None
        if remote is None:
            if job.status != "submitting":  # keep the first call's time: it may have gone out
                self.store.update_batch_job(job.job_id, status="submitting")
            remote = await api.create_from(data)
            self.counts.submitted += len(job.doc_ids)
        self.store.update_batch_job(job.job_id, batch_id=remote.batch_id, status=remote.status)

    async def _poll(self, jobs: list[BatchJob]) -> list[tuple[int, RemoteBatch]]:
        """Poll every batch, with a growing wait, until all have ended."""
        pending = {job.job_id: job.batch_id for job in jobs if job.batch_id}
        self.counts.batches = len(pending)
        self.counts.requests = sum(len(job.doc_ids) for job in jobs)
        latest: dict[int, RemoteBatch] = {}
        wait = self.settings.batch_poll_s
        while True:
            for job_id, batch_id in pending.items():
                if job_id in latest and latest[job_id].done:
                    continue
                assert batch_id is not None
                remote = await self.api.retrieve(batch_id)
                if job_id not in latest or latest[job_id].status != remote.status:
                    self.store.update_batch_job(
                        job_id,
                        status=remote.status,
                        output_file_id=remote.output_file_id,
                        error_file_id=remote.error_file_id,
                    )
                latest[job_id] = remote
            if self.on_progress is not None:
                self.on_progress(sorted(latest.items()))
            if all(remote.done for remote in latest.values()):
                return sorted(latest.items())
            await asyncio.sleep(wait)
            wait = min(wait * POLL_GROWTH, MAX_POLL_S)

    async def _collect(self, job_id: int, remote: RemoteBatch) -> None:
        """Validate and ground each answer; queue the failures for the synchronous re-ask."""
        job = next(j for j in self.store.batch_jobs(output=self.output) if j.job_id == job_id)
        outcomes = await self.api.results(remote) if remote.status != "failed" else {}
        for position, doc_id in enumerate(job.doc_ids):
            document = self.docs.get(doc_id)
            if document is None:  # done already, or no longer among the inputs
                continue
            outcome = outcomes.get(self.api.custom_id(doc_id, position)) or Outcome(
                error=f"the batch ended {remote.status} with no result for this request"
                + (f" ({remote.errors})" if remote.errors else "")
            )
            self._judge(document, outcome)

    def _judge(self, document: Document, outcome: Outcome) -> None:
        if outcome.completion is None:
            self.counts.provider_errors += 1
            self.counts.reasks[document.doc_id] = _Reask(Usage())
            return
        params = dict(self.strategy.params)
        context = VALIDATION_CONTEXT.set(
            {"article": ArticleText(document.text), "published": document.published}
        )
        usage = self.api.usage(outcome.completion)
        ledger = current_ledger()
        if ledger is not None and self.batch_price is not None:
            ledger.charge(usage, self.batch_price)  # against --max-cost before any re-ask
        try:
            parsed = self.api.parse(outcome.completion)
        except Exception as exc:  # what instructor would re-ask with
            self.counts.invalid += 1
            retries = self.settings.max_retries - 1
            messages = self.api.reask_messages(
                self.strategy.template.render(document), params, outcome.completion, exc
            )
            self.counts.reasks[document.doc_id] = (
                _Reask(usage, messages, retries) if retries >= 0 else _Reask(usage)
            )
            return
        finally:
            VALIDATION_CONTEXT.reset(context)
        assert isinstance(parsed, IncidentExtraction)
        result = parsed.to_result(usage, 1)
        if is_empty(result) and document.text.strip():
            self.counts.empty += 1
            self.counts.reasks[document.doc_id] = _Reask(usage)
            return
        self.counts.batch_answers_ok += 1
        key = self.strategy.cache_key(document)
        if self.settings.cache and key is not None:
            self.store.cache_put(key, self.strategy.model, _dump(result))
        self.emit(
            PredictionLine(
                doc_id=document.doc_id,
                model=self.backend.model,
                prompt=self.backend.prompt,
                published=document.published,
                record=result.record,
                evidence=result.evidence,
                usage=result.usage,
                attempts=1,
                cost_usd=_cost(self.batch_price, result.usage),
            )
        )

    async def _reask(self) -> None:
        reasks = self.counts.reasks
        self.counts.reasked = len(reasks)
        if not reasks:
            return
        reasker = _Reasker(self.strategy, reasks)

        def priced(line: PredictionLine) -> None:
            batch_usage = reasks[line.doc_id].usage
            sync = line.usage.minus(batch_usage)
            parts = (_cost(self.batch_price, batch_usage), _cost(self.price, sync))
            cost = None if None in parts else round(sum(p or 0.0 for p in parts), 8)
            self.emit(line.model_copy(update={"cost_usd": cost}))

        documents = [self.docs[doc_id] for doc_id in reasks]
        await run_items(
            documents, reasker, concurrency=self.settings.concurrency, on_line=priced, price=None
        )


async def run_batch(
    items: Iterable[Item],
    backend: Backend,
    *,
    store: RunStore,
    run_id: str,
    output: str,
    settings: Settings,
    price: Price | None,
    on_line: OnLine,
    skip: set[str] | frozenset[str] = frozenset(),
    on_progress: OnProgress | None = None,
) -> RunSummary:
    """Run ``items`` through the provider's Batch API, resuming what ``output`` already started.

    Raises:
        ConfigError: the model has no Batch API, or the provider refused the key.
        BatchError: the Batch API kept failing; what was submitted is recorded, rerun to resume.
    """
    batch = BatchRun(
        backend, store=store, run_id=run_id, output=output, settings=settings, price=price,
        on_line=on_line, on_progress=on_progress,
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        return await batch.run(items, skip)
    finally:
        with contextlib.suppress(Exception):
            await backend.aclose()
        batch.summary.wall_s = loop.time() - started


async def cancel_batches(api: BatchAPI, batch_ids: list[str]) -> list[RemoteBatch]:
    """Cancel each batch that has not ended; the batches as they are afterwards."""
    done = []
    for batch_id in batch_ids:
        remote = await api.retrieve(batch_id)
        if not remote.done:
            remote = await api.cancel(batch_id)
        done.append(remote)
    return done


__all__ = ["BatchRun", "cancel_batches", "run_batch"]
