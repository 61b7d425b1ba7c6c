"""Anthropic's Messages API (``anthropic/claude-...``), through instructor's Anthropic support.

The ``anthropic`` SDK is an optional extra (``pip install 'extractor[anthropic]'``); this module is
imported only when an ``anthropic/`` model is asked for. Its exceptions are translated into ours
in :attr:`AnthropicProvider.error_map`, the only place that names them. Requests go through the
project's rate-limited HTTP client, as OpenAI's do; the system prompt, then the tool schema, come
before the article, so the repeated prefix is the same on every request, and a cache breakpoint
(``cache_control``) at the end of the system prompt lets Anthropic cache that prefix.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import anthropic
import instructor
from pydantic import BaseModel

from extractor.errors import ConfigError
from extractor.providers.base import (
    Answer,
    AuthFailure,
    CallError,
    Provider,
    RequestRejected,
    TransientError,
)
from extractor.providers.instructed import instructed_call
from extractor.ratelimit import http_client
from extractor.settings import Settings
from extractor.usage import Usage, UsageKeys

#: Anthropic requires max_tokens; used when the prompt's parameters name none.
DEFAULT_MAX_TOKENS = 4096


#: Where Messages answers report tokens: ``input_tokens`` leaves out cache reads and writes, so
#: they are added (``Usage.prompt_tokens`` counts every input token, as OpenAI's does).
USAGE_KEYS = UsageKeys(
    prompt="input_tokens",
    completion="output_tokens",
    cached="cache_read_input_tokens",
    cache_write="cache_creation_input_tokens",
    prompt_excludes_cache=True,
)


def usage_of(usage: Any) -> Usage:
    """Tokens from an Anthropic ``Usage`` (cache reads and writes are input tokens too)."""
    return USAGE_KEYS.read(usage)


def usage_of_body(payload: Mapping[str, Any]) -> Usage | None:
    """Tokens from an answer's JSON ``usage``, read as :func:`usage_of` reads the SDK's (for the
    tokens-per-minute limiter and the cost ledger)."""
    return USAGE_KEYS.read_body(payload)


#: Anthropic caches a prompt prefix only up to an explicit breakpoint (prompt caching).
CACHE_BREAKPOINT = {"type": "ephemeral"}


def with_cache_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` with a cache breakpoint on the last system message.

    Anthropic reads a request as tools, then system, then messages, so a breakpoint at the end
    of the system prompt caches the tool schema and the system prompt: the static prefix every
    article repeats (a prefix under the model's minimum, 1,024 or 2,048 tokens, is just not
    cached). instructor passes a system message given as a list of text blocks through as is.
    """
    last = max((i for i, m in enumerate(messages) if m.get("role") == "system"), default=None)
    if last is None or not isinstance(messages[last].get("content"), str):
        return messages
    block = {"type": "text", "text": messages[last]["content"], "cache_control": CACHE_BREAKPOINT}
    return [*messages[:last], {**messages[last], "content": [block]}, *messages[last + 1 :]]


def tool_arguments(message: Any) -> str | None:
    """The JSON input of a message's first ``tool_use`` block."""
    for block in getattr(message, "content", None) or ():
        if getattr(block, "type", None) == "tool_use":
            return json.dumps(block.input)
    return None


#: The stop reasons of a message cut off before its answer was whole.
CUT_OFF = frozenset({"max_tokens", "model_context_window_exceeded"})


def stop_reason(message: Any) -> str | None:
    """``stop_reason 'max_tokens'`` (or the context window's) for a message cut off, else None."""
    reason = getattr(message, "stop_reason", None)
    return f"stop_reason {reason!r}" if reason in CUT_OFF else None


class AnthropicProvider(Provider):
    """``anthropic/<name>``: Anthropic's Messages API (``--base-url`` for a compatible server)."""

    name = "anthropic"
    key_env_vars = ("ANTHROPIC_API_KEY",)
    error_map: ClassVar[tuple[tuple[type[BaseException], type[CallError] | None], ...]] = (
        (anthropic.AuthenticationError, AuthFailure),  # 401
        (anthropic.PermissionDeniedError, AuthFailure),  # 403
        (anthropic.NotFoundError, AuthFailure),  # 404: an unknown model
        (anthropic.RateLimitError, TransientError),  # 429
        (anthropic.InternalServerError, TransientError),  # 5xx, 529 "overloaded" included
        (anthropic.APIStatusError, None),  # any other status: judged by it
        (anthropic.APIConnectionError, TransientError),  # timeouts and dropped connections
        (anthropic.APIError, RequestRejected),  # an answer the SDK could not read
    )

    def __init__(self, model: str, settings: Settings) -> None:
        super().__init__(model, settings)
        if settings.mode != "tools":
            raise ConfigError(
                f"--mode {settings.mode} does not apply to {model}: Anthropic models answer "
                "through a forced tool call only",
                hint="drop --mode (or EXTRACTOR_MODE), or use --mode tools",
            )
        self.sdk = anthropic.AsyncAnthropic(
            api_key=self.api_key or "not-needed",
            base_url=settings.base_url,
            max_retries=0,  # retries are ours (extractor.retrying), around re-asks
            timeout=settings.timeout,
            http_client=http_client(
                concurrency=self.max_connections,
                timeout=settings.timeout,
                rpm=settings.rpm,
                tpm=settings.tpm,
                usage_of=usage_of_body,
            ),
        )
        # Mode.TOOLS: instructor picks the provider from the client (ANTHROPIC_TOOLS is deprecated)
        self.client = instructor.from_anthropic(self.sdk, mode=instructor.Mode.TOOLS)
        #: the SDK's own parameters: a prompt parameter it does not take (anthropic 2.x takes no
        #: temperature, top_p or seed) is left out rather than failing every call
        self.accepted = frozenset(inspect.signature(self.sdk.messages.create).parameters)

    def request(
        self, messages: list[dict[str, str]], params: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The messages and parameters a call hands instructor (the Batch API sends the same):
        a cache breakpoint on the system prompt, ``max_tokens`` defaulted, and only the
        parameters the SDK takes."""
        call = {
            name: value
            for name, value in {"max_tokens": DEFAULT_MAX_TOKENS, **params}.items()
            if name in self.accepted
        }
        return with_cache_breakpoint(list(messages)), call

    async def structured(
        self,
        messages: list[dict[str, str]],
        response_model: type[BaseModel],
        *,
        max_retries: int,
        params: Mapping[str, Any],
        on_call: Callable[[], None],
    ) -> Answer:
        sent, call = self.request(messages, params)
        return await instructed_call(
            self,
            self.client.messages.create_with_completion,
            usage_of=usage_of,
            arguments_of=tool_arguments,
            completion_usage=lambda message: message.usage,
            messages=sent,
            response_model=response_model,
            max_retries=max_retries,
            params=call,
            on_call=on_call,
            answer_of=tool_arguments,  # every answer, for the best-answer choice and a nudge
            cut_off=stop_reason,
        )

    async def aclose(self) -> None:
        await self.sdk.close()
