"""What a provider's Batch API offers, in the project's own terms.

A :class:`BatchAPI` turns an article's request (rendered exactly as the synchronous path renders
it) into one line of a batch file, creates, polls and cancels batches, and reads their results
back; :mod:`extractor.batch.runner` drives it the same way for every provider. How a batch is
created differs: a :class:`FileBatchAPI` (OpenAI) uploads a file, then creates the batch over its
id, by which a crash-hidden batch is found again; an :class:`InlineBatchAPI` (Anthropic) sends the
requests in the create call itself, and a batch whose id was never heard is found among the
unrecorded batches created since the call.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from extractor.errors import BatchError, ConfigError
from extractor.providers.base import CallError, Provider
from extractor.retrying import retrying
from extractor.usage import Usage

#: Statuses after which a batch changes no more.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RemoteBatch:
    """A provider batch as last retrieved."""

    batch_id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    #: why the whole batch failed (status ``failed``), as one line
    errors: str | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request's result: the provider's answer, or the error it gave instead."""

    #: the answer as the synchronous SDK call would have returned it (e.g. a ChatCompletion)
    completion: Any | None = None
    error: str | None = None


class BatchAPI(abc.ABC):
    """One provider's Batch API, over that provider's own client.

    What differs between providers is declared here, so the runner needs no provider names:
    the per-batch limits (:attr:`max_requests`, :attr:`max_bytes`) and the id each request is
    filed under (:meth:`custom_id`).
    """

    #: the provider's most requests in one batch (``--batch`` splits below it)
    max_requests: int = 50_000
    #: the provider's most bytes in one batch (as written by :meth:`request_line`)
    max_bytes: int = 200_000_000

    def __init__(self, provider: Provider, tool_model: type[BaseModel]) -> None:
        self.provider = provider
        #: the response model the synchronous path asks for (the strategy's)
        self.tool_model = tool_model

    def custom_id(self, doc_id: str, position: int) -> str:
        """The id the request of ``doc_id``, at ``position`` in its batch, is filed under.

        The doc id itself by default. A provider that allows fewer characters than a doc id may
        hold (``@``, ``.``, spaces, ``\\xff``) names requests by position instead: the run store
        keeps each batch's doc ids in order, so the mapping back is the store's.
        """
        return doc_id

    @abc.abstractmethod
    def request_line(
        self, custom_id: str, messages: list[dict[str, str]], params: dict[str, Any]
    ) -> bytes:
        """One line of a batch file: the synchronous request's body, under ``custom_id``."""

    @abc.abstractmethod
    async def retrieve(self, batch_id: str) -> RemoteBatch:
        """The batch's status and counts now."""

    @abc.abstractmethod
    async def cancel(self, batch_id: str) -> RemoteBatch:
        """Ask the provider to cancel the batch (finished requests stay paid for and delivered)."""

    @abc.abstractmethod
    async def results(self, batch: RemoteBatch) -> dict[str, Outcome]:
        """Every request's result, by custom id, from the batch's output and error files."""

    @abc.abstractmethod
    def usage(self, completion: Any) -> Usage:
        """The tokens an answer reports."""

    @abc.abstractmethod
    def parse(self, completion: Any) -> Any:
        """Validate an answer as the synchronous path does (the validation context is set).

        Raises:
            Exception: the answer failed validation (what instructor would re-ask with).
        """

    @abc.abstractmethod
    def reask_messages(
        self,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        completion: Any,
        error: Exception,
    ) -> list[dict[str, str]]:
        """``messages`` plus the re-ask turns instructor adds after ``error``."""

    async def call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        """``fn()`` with the provider's retries; its failures translated into ours.

        Raises:
            ConfigError: the provider refused the key, the access or the model.
            BatchError: it kept failing after every retry.
        """
        provider = self.provider
        try:
            async for attempt in retrying(
                provider.settings.http_retries + 1, provider.is_retryable
            ):
                with attempt:
                    try:
                        return await fn()
                    except Exception as exc:
                        failure = provider.translate(exc)
                        if failure is None:
                            raise
                        raise failure from None
        except CallError as exc:
            status = f"HTTP {exc.status}: " if exc.status else ""
            if provider.is_auth_failure(exc):
                raise ConfigError(
                    f"{provider.model} was refused by the provider's Batch API ({what}): "
                    f"{status}{exc.message}",
                    hint=f"check the API key ({provider.key_variables()} or EXTRACTOR_API_KEY), "
                    "the model name and --base-url",
                ) from None
            raise BatchError(
                f"the Batch API failed to {what}: {status}{exc.message}",
                hint="submitted batches are recorded in the run store; rerun the same command "
                "to pick up where it stopped",
            ) from None
        raise AssertionError("unreachable: the retry loop returns or raises")


class FileBatchAPI(BatchAPI):
    """A Batch API that creates a batch over a file uploaded first (OpenAI's)."""

    @abc.abstractmethod
    async def upload(self, data: bytes, filename: str) -> str:
        """Upload a batch file; its file id."""

    @abc.abstractmethod
    async def create(self, file_id: str, metadata: dict[str, str]) -> RemoteBatch:
        """Create a batch over an uploaded file."""

    @abc.abstractmethod
    async def find(self, file_id: str) -> RemoteBatch | None:
        """The batch already created over ``file_id``, if any (a crash may have hidden its id)."""


class InlineBatchAPI(BatchAPI):
    """A Batch API that takes the requests in the create call itself (Anthropic's).

    Such a batch carries no file id or metadata of ours, so a crash after the create call but
    before its id is recorded is recovered by :meth:`unrecorded`: the batches created since the
    call was about to be made, of the same size, that no job of the run store holds.
    """

    @abc.abstractmethod
    async def create_from(self, data: bytes) -> RemoteBatch:
        """Create a batch of the request lines ``data`` (as written by :meth:`request_line`)."""

    @abc.abstractmethod
    async def unrecorded(self, since: float, n_requests: int, known: set[str]) -> list[RemoteBatch]:
        """Batches created at ``since`` (a Unix time) or later with ``n_requests`` requests,
        not cancelled, whose ids are not in ``known``; newest first."""
