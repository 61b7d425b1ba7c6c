"""Google's Gemini API (``gemini/gemini-2.5-flash``), through instructor's ``google-genai`` support.

The ``google-genai`` SDK is an optional extra (``pip install 'extractor[gemini]'``); this module is
imported only when a ``gemini/`` model is asked for. Its exceptions are translated into ours in
:attr:`GeminiProvider.error_map` (and :meth:`GeminiProvider.classify` for the one 400 that means
a refused key), the only place that names them. Requests go through the project's rate-limited
HTTP client, as OpenAI's and Anthropic's do; the system instruction and the function declaration
come before the article, so the repeated prefix is the same on every request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx2
import instructor
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

from extractor.providers.base import (
    Answer,
    AuthFailure,
    CallError,
    CallTimeout,
    Provider,
    RequestRejected,
    TransientError,
)
from extractor.providers.instructed import instructed_call
from extractor.ratelimit import http_client
from extractor.retrying import retry_after_seconds
from extractor.settings import Settings
from extractor.usage import Usage

#: ``--mode`` to instructor's GenAI modes: a forced function call, or Gemini's native
#: ``response_schema`` (instructor's ``GENAI_STRUCTURED_OUTPUTS``, now ``Mode.JSON``); Gemini has
#: no schema-less JSON mode, so ``json`` is its structured output too.
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON,
    "json": instructor.Mode.JSON,
}
#: The prompt parameters instructor turns into a ``GenerateContentConfig`` (``max_tokens`` ->
#: ``max_output_tokens``); any other is left out rather than failing every call.
CALL_PARAMS = frozenset({"max_tokens", "temperature", "top_p", "seed"})
#: The ``reason`` of the 400 a wrong key gets (Gemini answers it with INVALID_ARGUMENT, not 401).
KEY_INVALID = "API_KEY_INVALID"


def usage_of_metadata(metadata: Mapping[str, Any]) -> Usage:
    """Tokens from a ``usageMetadata`` object (the JSON body's keys).

    ``promptTokenCount`` already holds the cached-content tokens (``cachedContentTokenCount`` is
    the part of it read from the cache, priced at the cached rate); thinking tokens are billed
    as output, so they are completion tokens, as are the candidates'.
    """

    def count(name: str) -> int:
        return int(metadata.get(name) or 0)

    return Usage(
        prompt_tokens=count("promptTokenCount") + count("toolUsePromptTokenCount"),
        completion_tokens=count("candidatesTokenCount") + count("thoughtsTokenCount"),
        cached_tokens=count("cachedContentTokenCount"),
    )


def usage_of(metadata: Any) -> Usage:
    """Tokens from the SDK's ``usage_metadata``, read by its JSON names as the body is."""
    if metadata is None:
        return Usage()
    return usage_of_metadata(metadata.model_dump(by_alias=True, exclude_none=True))


def usage_of_response(response: Any) -> Usage:
    """Tokens one ``GenerateContentResponse`` reports."""
    return usage_of(getattr(response, "usage_metadata", None))


def usage_of_body(payload: Mapping[str, Any]) -> Usage | None:
    """Tokens from a ``generateContent`` answer's JSON ``usageMetadata``, for the tpm limiter."""
    metadata = payload.get("usageMetadata")
    return usage_of_metadata(metadata) if isinstance(metadata, Mapping) else None


def answer_text(response: Any) -> str | None:
    """The raw answer of a response: its function call's arguments as JSON, else its text."""
    for candidate in getattr(response, "candidates", None) or ():
        content = getattr(candidate, "content", None)
        for part in getattr(content, "parts", None) or ():
            call = getattr(part, "function_call", None)
            if call is not None:
                return json.dumps(call.args or {})
        texts = [
            part.text
            for part in getattr(content, "parts", None) or ()
            if getattr(part, "text", None) and not getattr(part, "thought", False)
        ]
        if texts:
            return "".join(texts)
    return None


def gemini_roles(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """``messages`` with the assistant's turns in Gemini's role, ``model`` (instructor's Gemini
    support refuses ``assistant``: a nudge after an answer was "Unsupported role")."""
    return [{**m, "role": "model"} if m.get("role") == "assistant" else m for m in messages]


def stop_reason(response: Any) -> str | None:
    """``finishReason MAX_TOKENS`` for a response cut off at ``max_output_tokens``, else None.

    Gemini ends a cut answer with that reason and whatever it holds (often no part at all);
    instructor's Gemini support does not look at it, so :func:`instructed_call` does."""
    for candidate in (getattr(response, "candidates", None) or [])[:1]:
        reason = getattr(candidate, "finish_reason", None)
        if getattr(reason, "value", reason) == "MAX_TOKENS":
            return "finishReason MAX_TOKENS"
    return None


def _details(exc: errors.APIError) -> list[Mapping[str, Any]]:
    """The ``error.details`` entries of a Google API error body (google.rpc status details)."""
    body = exc.details if isinstance(exc.details, Mapping) else {}
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, Mapping) else None
    return [entry for entry in details or () if isinstance(entry, Mapping)]


def _seconds(duration: Any) -> float | None:
    """A protobuf ``Duration`` in JSON (``"37s"``, ``"1.5s"``) as seconds."""
    if not isinstance(duration, str) or not duration.endswith("s"):
        return None
    try:
        return max(0.0, float(duration[:-1]))
    except ValueError:
        return None


class GeminiProvider(Provider):
    """``gemini/<name>``: Google's Gemini Developer API (``--base-url`` for another endpoint)."""

    name = "gemini"
    #: the SDK's own variables, in its order (it prefers GOOGLE_API_KEY when both are set)
    key_env_vars = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
    loggers = (*Provider.loggers, "google_genai", "google_genai._api_client")
    error_map: ClassVar[tuple[tuple[type[BaseException], type[CallError] | None], ...]] = (
        (errors.ServerError, TransientError),  # 5xx: INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED
        # 4xx judged by status: 401/403/404 stop the batch (a 400 API_KEY_INVALID too, see
        # classify), 408/409/429 RESOURCE_EXHAUSTED are retried, any other fails the article
        (errors.ClientError, None),
        (errors.APIError, None),  # any other status
        (httpx2.TimeoutException, CallTimeout),  # an attempt outlasted --timeout
        (httpx2.TransportError, TransientError),  # a refused or dropped connection
        (errors.UnknownApiResponseError, RequestRejected),  # an answer the SDK could not read
    )

    def __init__(self, model: str, settings: Settings) -> None:
        super().__init__(model, settings)
        self.http = http_client(
            concurrency=self.max_connections,
            timeout=settings.timeout,
            rpm=settings.rpm,
            tpm=settings.tpm,
            usage_of=usage_of_body,
        )
        self.sdk = genai.Client(
            api_key=self.api_key or "not-needed",
            vertexai=False,  # the Gemini Developer API, whatever GOOGLE_GENAI_USE_VERTEXAI says
            http_options=types.HttpOptions(
                base_url=settings.base_url,
                timeout=int(settings.timeout * 1000),  # milliseconds
                retry_options=None,  # retries are ours (extractor.retrying), around re-asks
                httpx_async_client=self.http,
            ),
        )
        self.client = instructor.from_genai(self.sdk, mode=MODES[settings.mode], use_async=True)

    def classify(self, exc: BaseException) -> type[CallError] | None:
        """The table's class, except that a 400 naming an invalid key is a refused key."""
        if isinstance(exc, errors.ClientError) and any(
            entry.get("reason") == KEY_INVALID for entry in _details(exc)
        ):
            return AuthFailure
        return super().classify(exc)

    def describe(self, exc: BaseException) -> str:
        """``400 INVALID_ARGUMENT: API key not valid...`` rather than the SDK's dump of the body."""
        if isinstance(exc, errors.APIError) and exc.message:
            return f"{exc.code} {exc.status}: {exc.message}"
        return str(exc)

    def status_of(self, exc: BaseException) -> int | None:
        code = getattr(exc, "code", None) if isinstance(exc, errors.APIError) else None
        return code if isinstance(code, int) else super().status_of(exc)

    def retry_after_of(self, exc: BaseException) -> float | None:
        """A 429's ``RetryInfo.retryDelay`` (how Gemini says when to retry), else the header."""
        if isinstance(exc, errors.APIError):
            for entry in _details(exc):
                if str(entry.get("@type", "")).endswith("google.rpc.RetryInfo"):
                    delay = _seconds(entry.get("retryDelay"))
                    if delay is not None:
                        return delay
        headers = getattr(getattr(exc, "response", None), "headers", None)
        return retry_after_seconds(headers)

    async def structured(
        self,
        messages: list[dict[str, str]],
        response_model: type[BaseModel],
        *,
        max_retries: int,
        params: Mapping[str, Any],
        on_call: Callable[[], None],
    ) -> Answer:
        return await instructed_call(
            self,
            self.client.create_with_completion,
            usage_of=usage_of,
            arguments_of=answer_text,
            completion_usage=lambda response: response.usage_metadata,
            response_usage=usage_of_response,
            # instructor validates a function call's ``args`` (a dict, not JSON text) with
            # ``model_validate``; strict there refuses every enum and date given as a string, so
            # each answer failed and was re-asked (2 attempts a call). Lax python validation of
            # decoded JSON accepts what strict JSON validation (OpenAI, Anthropic) accepts.
            strict=False,
            messages=gemini_roles(messages),
            response_model=response_model,
            max_retries=max_retries,
            params={name: value for name, value in params.items() if name in CALL_PARAMS},
            on_call=on_call,
            answer_of=answer_text,  # every answer, for the best-answer choice and a nudge
            cut_off=stop_reason,
        )

    async def aclose(self) -> None:
        # the SDK leaves a client it was given to its owner; it closes its own (sync) one
        await self.http.aclose()
        self.sdk.close()
