"""OpenAI's Batch API (files + batches endpoints) over the provider's own ``AsyncOpenAI`` client.

Each line's body is what instructor sends on the synchronous path: the request kwargs come from
instructor's own ``handle_response_model`` with the provider's mode, and answers are parsed by
the response model's ``from_response`` in the same mode, so the two paths cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

from instructor.v2.core.response import handle_reask_kwargs, handle_response_model
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from extractor.batch.base import FileBatchAPI, Outcome, RemoteBatch
from extractor.providers.openai import OpenAIProvider, escape_control_characters, usage_of
from extractor.usage import Usage

ENDPOINT: Final[Literal["/v1/chat/completions"]] = "/v1/chat/completions"


def _remote(batch: Any) -> RemoteBatch:
    counts = batch.request_counts
    errors = None
    if batch.errors is not None and batch.errors.data:
        errors = "; ".join(
            f"{e.code or 'error'}: {e.message or ''}".strip() for e in batch.errors.data
        )
    return RemoteBatch(
        batch_id=batch.id,
        status=batch.status,
        total=counts.total if counts else 0,
        completed=counts.completed if counts else 0,
        failed=counts.failed if counts else 0,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        errors=errors,
    )


class OpenAIBatchAPI(FileBatchAPI):
    """``/v1/files`` and ``/v1/batches`` of OpenAI (or a server speaking them)."""

    provider: OpenAIProvider

    def __init__(self, provider: OpenAIProvider, tool_model: type[BaseModel]) -> None:
        super().__init__(provider, tool_model)
        self.sdk = provider.sdk
        self.mode = provider.client.mode

    def _kwargs(self, messages: list[dict[str, str]], params: dict[str, Any]) -> dict[str, Any]:
        _, kwargs = handle_response_model(
            self.tool_model,
            mode=self.mode,
            model=self.provider.model_name,
            messages=[dict(m) for m in messages],
            **params,
        )
        return kwargs

    def request_line(
        self, custom_id: str, messages: list[dict[str, str]], params: dict[str, Any]
    ) -> bytes:
        line = {
            "custom_id": custom_id,
            "method": "POST",
            "url": ENDPOINT,
            "body": self._kwargs(messages, params),
        }
        return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    async def upload(self, data: bytes, filename: str) -> str:
        file = await self.call(
            "upload the batch file",
            lambda: self.sdk.files.create(file=(filename, data), purpose="batch"),
        )
        return file.id

    async def create(self, file_id: str, metadata: dict[str, str]) -> RemoteBatch:
        batch = await self.call(
            "create the batch",
            lambda: self.sdk.batches.create(
                input_file_id=file_id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata=metadata,
            ),
        )
        return _remote(batch)

    async def find(self, file_id: str) -> RemoteBatch | None:
        async def search() -> RemoteBatch | None:
            async for batch in self.sdk.batches.list(limit=100):
                if batch.input_file_id == file_id:
                    return _remote(batch)
            return None

        return await self.call("list batches", search)

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        return _remote(
            await self.call("poll the batch", lambda: self.sdk.batches.retrieve(batch_id))
        )

    async def cancel(self, batch_id: str) -> RemoteBatch:
        return _remote(
            await self.call("cancel the batch", lambda: self.sdk.batches.cancel(batch_id))
        )

    async def _lines(self, file_id: str | None) -> list[dict[str, Any]]:
        if file_id is None:
            return []
        content = await self.call(
            "download the batch results", lambda: self.sdk.files.content(file_id)
        )
        return [json.loads(raw) for raw in content.content.splitlines() if raw.strip()]

    async def results(self, batch: RemoteBatch) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        for line in await self._lines(batch.output_file_id) + await self._lines(
            batch.error_file_id
        ):
            custom_id = str(line.get("custom_id"))
            response = line.get("response") or {}
            body = response.get("body") or {}
            if response.get("status_code") == 200 and "choices" in body:
                outcomes[custom_id] = Outcome(completion=ChatCompletion.model_validate(body))
                continue
            error = line.get("error") or body.get("error") or {}
            status = response.get("status_code")
            message = self.provider.redact(
                (f"HTTP {status}: " if status else "")
                + f"{error.get('code') or 'error'}: {error.get('message') or 'no answer'}"
            )
            outcomes[custom_id] = Outcome(error=message)
        return outcomes

    def usage(self, completion: Any) -> Usage:
        return usage_of(completion.usage)

    def parse(self, completion: Any) -> Any:
        escape_control_characters(completion)  # as the synchronous path reads an answer
        return self.tool_model.from_response(completion, mode=self.mode)  # type: ignore[attr-defined]

    def reask_messages(
        self,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        completion: Any,
        error: Exception,
    ) -> list[dict[str, str]]:
        kwargs = handle_reask_kwargs(self._kwargs(messages, params), self.mode, completion, error)
        return list(kwargs["messages"])
