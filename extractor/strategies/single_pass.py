"""One call per article: render, call, validate, ground, re-ask, salvage.

Each article: render the prompt, ask the provider for a structured answer shaped like
:class:`~extractor.contract.IncidentExtraction`, validate it (schema normalisers, then evidence
grounding) and let instructor re-ask with the validation errors. Transient provider failures are
retried around that with backoff (see :mod:`extractor.retrying`). If the last answer fails only on
grounding, its values are kept and the unverifiable ones flagged ``grounded: false``. Nothing
here knows which provider answers.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError

from extractor.backend import Backend, ExtractionResult
from extractor.contract import SCHEMA_HASH, TOOL_MODEL, VALIDATION_CONTEXT, IncidentExtraction
from extractor.documents import Document
from extractor.errors import ConfigError, DocumentError, ProviderError, ValidationFailedError
from extractor.evidence import ArticleText
from extractor.predictions.line import PromptRef
from extractor.pricing import DEFAULT_CONTEXT_WINDOW, Price
from extractor.prompts import PromptTemplate
from extractor.providers.base import CallError, Provider, ReasksExhausted
from extractor.retrying import retrying
from extractor.usage import Usage

#: Rough characters per token, to refuse an article that cannot fit before paying for it.
CHARS_PER_TOKEN = 4
#: Prompt parameters passed on to the model call.
CALL_PARAMS = frozenset({"temperature", "max_tokens", "top_p", "seed"})


class SinglePass(Backend):
    """One structured call per article (re-asks included), through any :class:`Provider`."""

    def __init__(self, provider: Provider, prompt: PromptTemplate, price: Price | None) -> None:
        self.provider = provider
        self.model = provider.model
        self.settings = settings = provider.settings
        self.workers_per_slot = provider.workers_per_slot
        self.template = prompt
        self.prompt = PromptRef(
            name=prompt.name, version=prompt.version, content_hash=prompt.content_hash
        )
        window = (price.context_window if price else None) or DEFAULT_CONTEXT_WINDOW
        self.max_input_tokens = settings.max_input_tokens or window
        self.params = {k: v for k, v in prompt.params.items() if k in CALL_PARAMS}

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
        provider = self.provider
        usage = Usage()
        calls: list[None] = []  # one item per model call made, re-asks and retries included
        context = VALIDATION_CONTEXT.set({"article": article, "published": document.published})
        try:
            async for attempt in retrying(self.settings.http_retries + 1, provider.is_retryable):
                with attempt:
                    try:
                        answer = await provider.structured(
                            messages,
                            TOOL_MODEL,
                            max_retries=self.settings.max_retries,
                            params=self.params,
                            on_call=lambda: calls.append(None),
                        )
                    except CallError as exc:
                        usage.add(exc.usage)
                        raise  # retried if transient, else reported below
                    except ReasksExhausted as exc:
                        usage.add(exc.usage)
                        return self._salvage(exc, document, article, usage, len(calls))
                    usage.add(answer.usage)
                    assert isinstance(answer.parsed, IncidentExtraction)
                    return answer.parsed.to_result(usage, len(calls))
        except CallError as exc:
            attempts = len(calls)
            if provider.is_auth_failure(exc):
                # every other article would fail the same way: stop the batch (finished lines stay)
                raise ConfigError(
                    f"{self.model} was refused by the provider (HTTP {exc.status}): " + exc.message,
                    hint=f"check the API key ({provider.key_variables()} or EXTRACTOR_API_KEY), "
                    "the model name and --base-url",
                ) from None
            raise ProviderError(
                f"{self.model} failed after {attempts or 1} attempt(s): "
                + (f"HTTP {exc.status}: " if exc.status else "")
                + exc.message,
                attempts=max(attempts, 1),
                usage=usage,
                hint="transient errors were retried; rerun into the same output to retry this article",
            ) from None
        finally:
            VALIDATION_CONTEXT.reset(context)
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _salvage(
        self,
        exc: ReasksExhausted,
        document: Document,
        article: ArticleText,
        usage: Usage,
        attempts: int,
    ) -> ExtractionResult:
        """After the last re-ask: keep values whose only fault is an unverifiable quote."""
        raw = exc.last_arguments
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
            f"{self.model} never gave a valid record after {attempts} attempt(s): " + exc.message,
            attempts=attempts,
            usage=usage,
            last_output=raw,
            hint="raise --max-retries, or try another prompt version or model",
        )

    async def aclose(self) -> None:
        await self.provider.aclose()
