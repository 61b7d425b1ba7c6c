"""Anthropic's Message Batches (``/v1/messages/batches``) over the provider's ``AsyncAnthropic``.

Each request's ``params`` are what the synchronous path sends: the provider's own
:meth:`~extractor.providers.anthropic.AnthropicProvider.request` (cache breakpoint on the system
prompt, ``max_tokens``, only the SDK's parameters), then instructor's ``handle_response_model``
in the provider's mode (``system``, ``tools``, ``tool_choice``). Answers are parsed by the response
model's ``from_response`` in that mode. There is no file to upload: the requests go in the create
call, and a batch carries nothing of ours to find it by, so the runner records ``submitting``
before the call and, after a crash, adopts the one unrecorded batch of that size created since.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from instructor.v2.core.providers import Provider as InstructorProvider
from instructor.v2.core.response import handle_reask_kwargs, handle_response_model
from pydantic import BaseModel

from extractor.batch.base import InlineBatchAPI, Outcome, RemoteBatch
from extractor.providers.anthropic import AnthropicProvider, usage_of
from extractor.usage import Usage

#: Requests the list is read back through, newest first, when looking for an unrecorded batch.
LIST_PAGE = 100


def _status(batch: Any) -> str:
    """``processing_status`` in the seam's terms (``ended`` says how by its counts)."""
    if batch.processing_status == "in_progress":
        return "in_progress"
    if batch.processing_status == "canceling":
        return "cancelling"
    counts = batch.request_counts
    if batch.cancel_initiated_at is not None:
        return "cancelled"
    if counts.expired and not counts.canceled:
        return "expired"
    return "completed"


def _remote(batch: Any) -> RemoteBatch:
    c = batch.request_counts
    return RemoteBatch(
        batch_id=batch.id,
        status=_status(batch),
        total=c.processing + c.succeeded + c.errored + c.canceled + c.expired,
        completed=c.succeeded,
        failed=c.errored + c.canceled + c.expired,
    )


def _timestamp(moment: datetime) -> float:
    return moment.timestamp()


class AnthropicBatchAPI(InlineBatchAPI):
    """Anthropic's Message Batches (or a server speaking them, via ``--base-url``)."""

    provider: AnthropicProvider
    max_requests = 100_000
    max_bytes = 256_000_000

    def __init__(self, provider: AnthropicProvider, tool_model: type[BaseModel]) -> None:
        super().__init__(provider, tool_model)
        self.sdk = provider.sdk
        self.mode = provider.client.mode

    def custom_id(self, doc_id: str, position: int) -> str:
        # Anthropic takes only ``^[a-zA-Z0-9_-]{1,64}$``; the run store maps positions back
        return f"r{position}"

    def _kwargs(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        sent, call = self.provider.request(messages, params)
        _, kwargs = handle_response_model(
            self.tool_model,
            mode=self.mode,
            provider=InstructorProvider.ANTHROPIC,
            model=self.provider.model_name,
            messages=sent,
            **call,
        )
        return kwargs

    def request_line(
        self, custom_id: str, messages: list[dict[str, str]], params: dict[str, Any]
    ) -> bytes:
        line = {"custom_id": custom_id, "params": self._kwargs(list(messages), params)}
        return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    async def create_from(self, data: bytes) -> RemoteBatch:
        requests = [json.loads(raw) for raw in data.splitlines() if raw.strip()]
        batch = await self.call(
            "create the batch", lambda: self.sdk.messages.batches.create(requests=requests)
        )
        return _remote(batch)

    async def unrecorded(self, since: float, n_requests: int, known: set[str]) -> list[RemoteBatch]:
        async def search() -> list[RemoteBatch]:
            found = []
            async for batch in self.sdk.messages.batches.list(limit=LIST_PAGE):
                if _timestamp(batch.created_at) < since:
                    break  # newest first: the rest are older still
                remote = _remote(batch)
                if (
                    batch.id not in known
                    and batch.cancel_initiated_at is None
                    and remote.total == n_requests
                ):
                    found.append(remote)
            return found

        return await self.call("list batches", search)

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        return _remote(
            await self.call("poll the batch", lambda: self.sdk.messages.batches.retrieve(batch_id))
        )

    async def cancel(self, batch_id: str) -> RemoteBatch:
        return _remote(
            await self.call("cancel the batch", lambda: self.sdk.messages.batches.cancel(batch_id))
        )

    async def results(self, batch: RemoteBatch) -> dict[str, Outcome]:
        async def download() -> dict[str, Outcome]:
            outcomes: dict[str, Outcome] = {}
            async for line in await self.sdk.messages.batches.results(batch.batch_id):
                result = line.result
                if result.type == "succeeded":
                    outcomes[line.custom_id] = Outcome(completion=result.message)
                    continue
                if result.type == "errored":
                    error = result.error.error
                    message = f"{error.type}: {error.message}"
                else:  # canceled or expired: never run
                    message = f"the request was {result.type} before it ran"
                outcomes[line.custom_id] = Outcome(error=self.provider.redact(message))
            return outcomes

        return await self.call("download the batch results", download)

    def usage(self, completion: Any) -> Usage:
        return usage_of(completion.usage)

    def parse(self, completion: Any) -> Any:
        return self.tool_model.from_response(  # type: ignore[attr-defined]
            completion, mode=self.mode, provider=InstructorProvider.ANTHROPIC
        )

    def reask_messages(
        self,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        completion: Any,
        error: Exception,
    ) -> list[dict[str, str]]:
        kwargs = handle_reask_kwargs(
            self._kwargs(list(messages), params),
            self.mode,
            completion,
            error,
            provider=InstructorProvider.ANTHROPIC,
        )
        # instructor moved the system prompt into ``system``: the synchronous call takes it back
        system = [m for m in messages if m.get("role") == "system"]
        return [*system, *kwargs["messages"]]


__all__ = ["AnthropicBatchAPI"]
