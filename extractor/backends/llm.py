"""The LLM backend: the real ``openai`` client over HTTP, through instructor.

Each article: render the prompt, call the model for a tool call shaped like
:class:`IncidentExtraction`, validate it (schema normalisers, then evidence grounding) and let
instructor re-ask with the validation errors. Transient provider failures are retried around
that with backoff (see :mod:`extractor.retrying`). If the last answer fails only on grounding,
its values are kept and the unverifiable ones flagged ``grounded: false``.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextvars import ContextVar
from typing import Any

import instructor
import openai
from instructor.core.exceptions import InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator

from extractor.backends.base import Backend, ExtractionResult, Usage
from extractor.documents import Document
from extractor.errors import ConfigError, DocumentError, ProviderError, ValidationFailedError
from extractor.evidence import ArticleText, Evidence, Quote, ground
from extractor.pricing import DEFAULT_CONTEXT_WINDOW, Price
from extractor.prompts import PromptTemplate
from extractor.ratelimit import http_client
from extractor.retrying import retrying
from extractor.schema import IncidentRecord
from extractor.settings import Settings

#: Rough characters per token, to refuse an article that cannot fit before paying for it.
CHARS_PER_TOKEN = 4


#: The validation context (article, publication date) of the call in progress. It is not passed
#: to instructor as ``context=``: instructor also renders every message as a Jinja template with
#: that context, so an article containing "{{ ... }}" would be rewritten before the model saw it
#: and one containing "{%" would crash the batch (and rendering costs ~0.5 ms per call).
_VALIDATION_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar(
    "extractor_validation_context", default=None
)


class IncidentExtraction(IncidentRecord):
    """The incident record, with a verbatim quote from the article for every value filled."""

    evidence: list[Quote] = Field(
        default_factory=list,
        description="One entry per filled value: its field path and a short quote copied exactly "
        "from the article that supports it.",
    )
    _grounding: dict[str, Evidence] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_quotes(self, info: ValidationInfo) -> IncidentExtraction:
        context = info.context or _VALIDATION_CONTEXT.get() or {}
        article = context.get("article")
        if not isinstance(article, ArticleText):
            return self
        self._grounding = ground(self, self.evidence, article)
        failed = [(path, ev.quote) for path, ev in self._grounding.items() if not ev.grounded]
        if failed and context.get("strict_grounding", True):
            listed = "; ".join(
                f"{path}: {quote!r}" if quote else f"{path}: no quote given"
                for path, quote in failed
            )
            raise ValueError(
                "these values have no quote found verbatim in the article: "
                f"{listed}. Copy the supporting text exactly from the article, or set the value "
                "to null if the article does not state it."
            )
        return self

    def to_result(self, usage: Usage, attempts: int) -> ExtractionResult:
        record = IncidentRecord.model_validate(self.model_dump(exclude={"evidence"}))
        return ExtractionResult(record, dict(self._grounding), usage, attempts)


#: Changes whenever the record schema (and so the tool the model is asked to fill) changes.
SCHEMA_HASH = hashlib.sha256(
    json.dumps(IncidentExtraction.model_json_schema(), sort_keys=True).encode()
).hexdigest()[:16]


#: What instructor sends as the response model. Given a plain Pydantic model, instructor wraps it
#: in a new ``ResponseSchema`` subclass on every call, so its tool schema (keyed by that class) is
#: rebuilt each time: ~10 ms of CPU per call. Wrapped once here, with instructor's own wrapper,
#: the schema is built once and cached; the request bodies are byte-for-byte the same.
_TOOL_MODEL = instructor.response_schema(IncidentExtraction)


def _usage_of(usage: Any) -> Usage:
    """Tokens from an OpenAI ``CompletionUsage`` (instructor sums it over re-asks)."""
    if usage is None:
        return Usage()
    return Usage(
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def _tool_arguments(completion: Any) -> str | None:
    try:
        return str(completion.choices[0].message.tool_calls[0].function.arguments)
    except (AttributeError, IndexError, TypeError):
        return None


class OpenAIBackend(Backend):
    """Any OpenAI-compatible chat-completions server (OpenAI, Ollama, vLLM, LM Studio)."""

    workers_per_slot = 4

    def __init__(
        self, model: str, prompt: PromptTemplate, settings: Settings, price: Price | None
    ) -> None:
        provider, _, name = model.partition("/")
        if provider != "openai" or not name:
            raise ConfigError(
                f"model {model!r} is not 'openai/<name>' or 'rules'",
                hint="e.g. --model openai/gpt-4o-mini",
            )
        if settings.api_key is None and not settings.base_url:
            raise ConfigError(
                f"model {model!r} needs an API key",
                hint="set OPENAI_API_KEY (or EXTRACTOR_API_KEY), or --base-url for a local server",
            )
        self.model = model
        self.model_name = name
        self.template = prompt
        self.prompt = (prompt.name, prompt.version)
        self.settings = settings
        window = (price.context_window if price else None) or DEFAULT_CONTEXT_WINDOW
        self.max_input_tokens = settings.max_input_tokens or window
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._openai = openai.AsyncOpenAI(
            api_key=key,
            base_url=settings.base_url,
            max_retries=0,
            timeout=settings.timeout,
            http_client=http_client(
                concurrency=settings.concurrency,
                timeout=settings.timeout,
                rpm=settings.rpm,
                tpm=settings.tpm,
            ),
        )
        self.client = instructor.from_openai(self._openai, mode=instructor.Mode.TOOLS)
        params = dict(prompt.params)
        self.params = {
            k: v for k, v in params.items() if k in {"temperature", "max_tokens", "top_p", "seed"}
        }

    def cache_key(self, document: Document) -> str | None:
        payload = {
            "model": self.model,
            "base_url": self.settings.base_url or "",
            "messages": self.template.render(document),
            "schema": SCHEMA_HASH,
            "params": self.params,
            "max_retries": self.settings.max_retries,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def _check_length(self, document: Document, messages: list[dict[str, str]]) -> None:
        estimate = sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN
        if estimate > self.max_input_tokens:
            raise DocumentError(
                f"the article is about {estimate:,} tokens; {self.model} takes at most "
                f"{self.max_input_tokens:,} input tokens",
                source=document.source,
                hint="split the article, or raise the limit with EXTRACTOR_MAX_INPUT_TOKENS",
            )

    async def extract(self, document: Document) -> ExtractionResult:
        messages = self.template.render(document)
        self._check_length(document, messages)
        article = ArticleText(document.text)
        usage, attempts = Usage(), 0
        calls: list[None] = []  # one item per model call instructor makes, re-asks included
        hooks = Hooks()
        hooks.on("completion:kwargs", lambda *args, **kwargs: calls.append(None))
        context = _VALIDATION_CONTEXT.set({"article": article, "published": document.published})
        try:
            async for attempt in retrying(self.settings.http_retries + 1):
                with attempt:
                    try:
                        (
                            parsed,
                            completion,
                        ) = await self.client.chat.completions.create_with_completion(
                            model=self.model_name,
                            messages=messages,  # type: ignore[arg-type]
                            response_model=_TOOL_MODEL,
                            max_retries=self.settings.max_retries,
                            hooks=hooks,
                            **self.params,
                        )
                    except InstructorRetryException as exc:
                        usage.add(_usage_of(exc.total_usage))
                        attempts = len(calls)
                        cause = exc.__cause__
                        if isinstance(cause, openai.APIError):
                            raise cause from None  # retried below if transient, else reported
                        return self._salvage(exc, document, article, usage, attempts)
                    attempts = len(calls)
                    usage.add(_usage_of(completion.usage))
                    return parsed.to_result(usage, attempts)
        except (
            openai.AuthenticationError,
            openai.PermissionDeniedError,
            openai.NotFoundError,
        ) as exc:
            # every other article would fail the same way: stop the batch (finished lines stay)
            raise ConfigError(
                f"{self.model} was refused by the provider (HTTP {exc.status_code}): "
                + _short(str(exc)),
                hint="check the API key (OPENAI_API_KEY or EXTRACTOR_API_KEY), the model name and --base-url",
            ) from None
        except openai.APIError as exc:
            status = getattr(exc, "status_code", None)
            raise ProviderError(
                f"{self.model} failed after {attempts or 1} attempt(s): "
                + (f"HTTP {status}: " if status else "")
                + _short(str(exc)),
                attempts=max(attempts, 1),
                usage=usage.as_dict(),
                hint="transient errors were retried; rerun into the same output to retry this article",
            ) from None
        finally:
            _VALIDATION_CONTEXT.reset(context)
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _salvage(
        self,
        exc: InstructorRetryException,
        document: Document,
        article: ArticleText,
        usage: Usage,
        attempts: int,
    ) -> ExtractionResult:
        """After the last re-ask: keep values whose only fault is an unverifiable quote."""
        raw = _tool_arguments(exc.last_completion)
        if raw is not None:
            try:
                parsed = IncidentExtraction.model_validate_json(
                    raw,
                    context={
                        "article": article,
                        "published": document.published,
                        "strict_grounding": False,
                    },
                )
                return parsed.to_result(usage, attempts)
            except ValidationError:
                pass
        raise ValidationFailedError(
            f"{self.model} never gave a valid record after {attempts} attempt(s): "
            + _short(str(exc.__cause__ or exc)),
            attempts=attempts,
            usage=usage.as_dict(),
            last_output=raw,
            hint="raise --max-retries, or try another prompt version or model",
        )

    async def aclose(self) -> None:
        await self._openai.close()


#: Providers echo part of a rejected key ("Incorrect API key provided: sk-ab***...wxyz").
_KEY_ECHO = re.compile(r"(api key provided:?\s*)\S+", re.IGNORECASE)
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-*.]{6,}")


def _short(text: str, limit: int = 300) -> str:
    """One line of at most ``limit`` characters, with anything key-like redacted."""
    text = _KEY_LIKE.sub("[redacted]", _KEY_ECHO.sub(r"\1[redacted]", " ".join(text.split())))
    return text if len(text) <= limit else text[: limit - 1] + "…"
