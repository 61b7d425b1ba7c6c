"""OpenAI and any OpenAI-compatible chat-completions server (Ollama, vLLM, LM Studio, llama.cpp).

The real ``openai`` client over the project's rate-limited HTTP client, through instructor in the
structured-output mode ``--mode`` names (a forced tool call by default). Its exceptions are
translated into ours in :attr:`OpenAIProvider.error_map`, the only place that names them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import httpx2
import instructor
import openai
from pydantic import BaseModel

from extractor.providers.base import (
    Answer,
    AuthFailure,
    CallError,
    CallTimeout,
    ModeRefused,
    Provider,
    RequestRejected,
    TransientError,
)
from extractor.providers.instructed import instructed_call
from extractor.ratelimit import http_client
from extractor.settings import Settings
from extractor.usage import Usage, UsageKeys

#: Placeholder key for servers that need none (the SDK refuses to start without one).
NO_KEY = "not-needed"


#: Where chat completions report tokens: ``prompt_tokens`` counts the cached ones too.
USAGE_KEYS = UsageKeys(
    prompt="prompt_tokens",
    completion="completion_tokens",
    cached="prompt_tokens_details.cached_tokens",
)


def usage_of(usage: Any) -> Usage:
    """Tokens from an OpenAI ``CompletionUsage`` (instructor sums it over re-asks)."""
    return USAGE_KEYS.read(usage)


def usage_of_body(payload: Mapping[str, Any]) -> Usage | None:
    """Tokens from an answer's JSON ``usage``, read as :func:`usage_of` reads the SDK's (for the
    tokens-per-minute limiter and the cost ledger)."""
    return USAGE_KEYS.read_body(payload)


def tool_arguments(completion: Any) -> str | None:
    """The raw JSON arguments of a completion's first tool call."""
    try:
        return str(completion.choices[0].message.tool_calls[0].function.arguments)
    except (AttributeError, IndexError, TypeError):
        return None


def answer_text(completion: Any) -> str | None:
    """The raw answer of a completion: its tool call's arguments, else its message text."""
    arguments = tool_arguments(completion)
    if arguments is not None:
        return arguments
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    return str(content) if content else None


def _strict_json(text: str) -> str | None:
    """``text`` re-written as strict JSON when it is JSON but for raw control characters inside
    its strings (a newline or tab typed as is), else None (valid already, or not JSON at all)."""
    try:
        json.loads(text)
        return None
    except ValueError:
        pass
    try:
        parsed = json.loads(text, strict=False)
    except ValueError:
        return None
    return json.dumps(parsed, ensure_ascii=False)


def escape_control_characters(completion: Any) -> None:
    """Escape raw control characters inside the JSON strings of a completion's answer.

    JSON forbids a raw newline or tab inside a string; small models write them (SmolLM2 did on the
    dev set), and pydantic refused the whole answer as invalid JSON. The meaning is not in doubt,
    so the answer is re-written as strict JSON before instructor parses it.
    """
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return
    for call in getattr(message, "tool_calls", None) or ():
        function: Any = getattr(call, "function", None)
        arguments = getattr(function, "arguments", None)
        fixed = _strict_json(arguments) if isinstance(arguments, str) else None
        if fixed is not None:
            function.arguments = fixed
    if isinstance(getattr(message, "content", None), str):
        fixed = _strict_json(message.content)
        if fixed is not None:
            message.content = fixed


def mark_cut_off(completion: Any, max_tokens: Any, window: int | None = None) -> None:
    """Mark a tool call cut off at ``max_tokens`` or at the context window as such
    (``finish_reason`` "length").

    llama-cpp-python's server reports ``finish_reason`` "tool_calls" for a tool call it cut off at
    ``max_tokens`` (recorded: cassettes/real/), and likewise when a re-ask's longer prompt leaves
    less than ``max_tokens`` of its window (seen with ``benchmarks/real_model.py``); the usage
    tells, and the cut JSON does not parse. Marked here (instructor's response hook runs before it
    parses), instructor raises ``IncompleteOutputException`` and the answer is an output-limit
    failure, not invalid JSON.
    """
    try:
        choice = completion.choices[0]
        used = int(completion.usage.completion_tokens)
        prompt = int(completion.usage.prompt_tokens)
    except (AttributeError, IndexError, TypeError, ValueError):
        return
    at_limit = isinstance(max_tokens, int) and used >= max_tokens
    at_window = window is not None and prompt + used >= window
    if not (at_limit or at_window) or choice.finish_reason == "length":
        return
    try:
        json.loads(answer_text(completion) or "")
    except ValueError:
        choice.finish_reason = "length"


def stop_reason(completion: Any) -> str | None:
    """``finish_reason 'length'`` for a completion cut off at ``max_tokens`` (see
    :func:`mark_cut_off`), else None."""
    try:
        cut = completion.choices[0].finish_reason == "length"
    except (AttributeError, IndexError, TypeError):
        return None
    return "finish_reason 'length'" if cut else None


def probe_client(headers: Mapping[str, str]) -> httpx2.AsyncClient:
    """The client that asks a server for its context window (a few seconds at most)."""
    return httpx2.AsyncClient(timeout=5.0, headers=dict(headers))


#: ``--mode`` to instructor's modes for chat-completions servers.
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
}
#: Keys under which OpenAI-compatible servers report a model's context window in ``/v1/models``
#: (vLLM: max_model_len; LM Studio: max_context_length; llama.cpp: meta.n_ctx_train).
_WINDOW_KEYS = ("max_model_len", "context_length", "max_context_length", "n_ctx", "n_ctx_train")


def window_of(payload: Any, model_name: str) -> int | None:
    """A context window in a ``/props`` or ``/v1/models`` answer, if it reports one."""
    if not isinstance(payload, Mapping):
        return None
    settings = payload.get("default_generation_settings")
    for source in (payload, settings if isinstance(settings, Mapping) else {}):
        if isinstance(source.get("n_ctx"), int) and source["n_ctx"] > 0:
            return int(source["n_ctx"])
    cards = payload.get("data")
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, Mapping) or card.get("id") not in (model_name, None):
            continue
        meta = card.get("meta")
        for source in (card, meta if isinstance(meta, Mapping) else {}):
            for key in _WINDOW_KEYS:
                value = source.get(key)
                if isinstance(value, int) and value > 0:
                    return value
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
        (openai.APITimeoutError, CallTimeout),  # an attempt outlasted --timeout
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
        self.mode = settings.mode
        self.client = instructor.from_openai(self.sdk, mode=MODES[self.mode])
        self._window: int | bool | None = False  # False: not asked yet

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
            self.client.chat.completions.create_with_completion,
            usage_of=usage_of,
            arguments_of=tool_arguments,
            completion_usage=lambda completion: getattr(completion, "usage", None),
            messages=messages,
            response_model=response_model,
            max_retries=max_retries,
            params=params,
            on_call=on_call,
            answer_of=answer_text,  # every answer, for the best-answer choice and a nudge
            on_response=lambda completion: self._amend(completion, params.get("max_tokens")),
            check_failure=self._check_mode,
            cut_off=stop_reason,
        )

    def _amend(self, completion: Any, max_tokens: Any) -> None:
        """A look at each completion before instructor parses it: raw control characters in
        its JSON escaped, a cut-off tool call marked as such."""
        escape_control_characters(completion)
        mark_cut_off(completion, max_tokens, self._known_window())

    def _check_mode(
        self, completions: Sequence[Any], exc: BaseException | None, usage: Usage
    ) -> None:
        """Raise :class:`ModeRefused` when the failure says the server does not do ``--mode``."""
        if (
            self.mode == "tools"
            and completions
            and all(tool_arguments(c) is None for c in completions)
        ):
            raise ModeRefused(
                f"the server answered {len(completions)} time(s) with text and no tool call: it "
                "ignores a forced tool_choice; try --mode json_schema (or --mode json)",
                usage=usage,
            )
        if (
            self.mode == "json_schema"
            and isinstance(exc, openai.APIStatusError)
            and exc.status_code in {400, 422, 500}
            and "response_format" in str(exc) + exc.response.text
        ):
            raise ModeRefused(
                f"the server refused response_format json_schema (HTTP {exc.status_code}: "
                f"{self.redact(str(exc))[:200]}); try --mode json (or --mode tools)",
                status=exc.status_code,
                usage=usage,
            )

    def _known_window(self) -> int | None:
        """The context window given (``--context-window``) or already reported, if any."""
        if self.settings.context_window:
            return self.settings.context_window
        window = self._window
        return window if isinstance(window, int) and not isinstance(window, bool) else None

    async def context_window(self) -> int | None:
        """What a local server says its context window is: ``/props``, then ``/v1/models``."""
        if self._window is False:
            self._window = await self._ask_window() if self.settings.base_url else None
        return self._window if isinstance(self._window, int) else None

    async def _ask_window(self) -> int | None:
        base = str(self.sdk.base_url).rstrip("/")
        root = base.removesuffix("/v1")
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with probe_client(headers) as client:
            for url in (f"{root}/props", f"{base}/models"):
                try:
                    response = await client.get(url)
                    window = window_of(response.json(), self.model_name)
                except (httpx2.HTTPError, ValueError):
                    continue
                if response.is_success and window:
                    return window
        return None

    async def aclose(self) -> None:
        await self.sdk.close()
