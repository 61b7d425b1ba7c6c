"""OpenAI and any OpenAI-compatible chat-completions server (Ollama, vLLM, LM Studio).

The real ``openai`` client over the project's rate-limited HTTP client, through instructor in
tool-calling mode. Its exceptions are translated into ours in :attr:`OpenAIProvider.error_map`,
the only place that names them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import instructor
import openai
from instructor.core.exceptions import InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel

from extractor.providers.base import (
    Answer,
    AuthFailure,
    CallError,
    Provider,
    ReasksExhausted,
    RequestRejected,
    TransientError,
)
from extractor.ratelimit import http_client
from extractor.settings import Settings
from extractor.usage import Usage

#: Placeholder key for servers that need none (the SDK refuses to start without one).
NO_KEY = "not-needed"


def usage_of(usage: Any) -> Usage:
    """Tokens from an OpenAI ``CompletionUsage`` (instructor sums it over re-asks)."""
    if usage is None:
        return Usage()
    return Usage(
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def usage_of_body(payload: Mapping[str, Any]) -> Usage | None:
    """Tokens from a chat-completions answer's JSON ``usage``, if it has one."""
    usage = payload.get("usage")
    if not isinstance(usage, Mapping):
        return None
    return Usage(
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


def tool_arguments(completion: Any) -> str | None:
    """The raw JSON arguments of a completion's first tool call."""
    try:
        return str(completion.choices[0].message.tool_calls[0].function.arguments)
    except (AttributeError, IndexError, TypeError):
        return None


class OpenAIProvider(Provider):
    """``openai/<name>``: OpenAI, or any compatible server given by ``--base-url``."""

    name = "openai"
    key_env_vars = ("OPENAI_API_KEY",)
    error_map: ClassVar[tuple[tuple[type[BaseException], type[CallError] | None], ...]] = (
        (openai.AuthenticationError, AuthFailure),  # 401
        (openai.PermissionDeniedError, AuthFailure),  # 403
        (openai.NotFoundError, AuthFailure),  # 404: an unknown model
        (openai.RateLimitError, TransientError),  # 429
        (openai.ConflictError, TransientError),  # 409
        (openai.InternalServerError, TransientError),  # 5xx
        (openai.APIStatusError, None),  # any other status: judged by it (408 is transient)
        (openai.APIConnectionError, TransientError),  # timeouts and dropped connections
        (openai.APIError, RequestRejected),  # an answer the SDK could not read
    )

    def __init__(self, model: str, settings: Settings) -> None:
        super().__init__(model, settings)
        self.sdk = openai.AsyncOpenAI(
            api_key=self.api_key or NO_KEY,
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
        self.client = instructor.from_openai(self.sdk, mode=instructor.Mode.TOOLS)

    async def structured(
        self,
        messages: list[dict[str, str]],
        response_model: type[BaseModel],
        *,
        max_retries: int,
        params: Mapping[str, Any],
        on_call: Callable[[], None],
    ) -> Answer:
        hooks = Hooks()
        hooks.on("completion:kwargs", lambda *args, **kwargs: on_call())
        try:
            parsed, completion = await self.client.chat.completions.create_with_completion(
                model=self.model_name,
                messages=messages,  # type: ignore[arg-type]
                response_model=response_model,
                max_retries=max_retries,
                hooks=hooks,
                **params,
            )
        except InstructorRetryException as exc:
            usage = usage_of(exc.total_usage)
            failure = self.translate(exc.__cause__, usage) if exc.__cause__ else None
            if failure is not None:
                raise failure from None
            raise ReasksExhausted(
                self.redact(str(exc.__cause__ or exc)),
                usage=usage,
                last_arguments=tool_arguments(exc.last_completion),
            ) from None
        except Exception as exc:  # raised past instructor's loop: still the SDK's to translate
            failure = self.translate(exc)
            if failure is None:
                raise
            raise failure from None
        return Answer(parsed, usage_of(completion.usage))

    async def aclose(self) -> None:
        await self.sdk.close()
