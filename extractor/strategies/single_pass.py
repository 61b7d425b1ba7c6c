"""One call per article: render, size, call, validate, ground, re-ask, keep the best, salvage.

Each article: render the prompt, size ``max_tokens`` to what the prompt leaves of the model's
context window, ask the provider for a structured answer shaped like
:class:`~extractor.contract.IncidentExtraction`, validate it (schema normalisers, then evidence
grounding) and let instructor re-ask with the validation errors. Transient provider failures are
retried around that with backoff (see :mod:`extractor.retrying`). Of every answer seen (re-asks
included) the best is kept: most grounded values, then most filled values, so a re-ask that
answers with nothing never erases a good answer; a value whose only fault is an unverifiable
quote is kept and flagged ``grounded: false``. An answer cut off at ``max_tokens``, or one that
fills no field from a non-empty article, is asked once more with a nudge (a prompt file).
Nothing here knows which provider answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ValidationError

from extractor.backend import Backend, ExtractionResult, PlannedRequest
from extractor.contract import (
    SCHEMA_HASH,
    TOOL_MODELS,
    VALIDATION_CONTEXT,
    IncidentExtraction,
)
from extractor.documents import Document
from extractor.errors import (
    ConfigError,
    ContextWindowError,
    DocumentError,
    ModelTimeoutError,
    ModeMismatchError,
    OutputLimitError,
    ProviderError,
    ValidationFailedError,
)
from extractor.evidence import ArticleText
from extractor.predictions.line import PromptRef
from extractor.pricing import DEFAULT_CONTEXT_WINDOW, Price
from extractor.prompts import PromptTemplate, prompts_root
from extractor.providers.base import (
    Answer,
    CallError,
    CallTimeout,
    ModeRefused,
    OutputTruncated,
    Provider,
    ReasksExhausted,
)
from extractor.retrying import retrying
from extractor.usage import Usage

#: Rough characters per token, to refuse an article that cannot fit before paying for it.
CHARS_PER_TOKEN = 4
#: Characters per token when sizing ``max_tokens`` against a context window: an over-estimate of
#: the prompt (small models' tokenizers split JSON schemas finely), so the sum never overflows.
CHARS_PER_TOKEN_SAFE = 3
#: Prompt parameters passed on to the model call.
CALL_PARAMS = frozenset({"temperature", "max_tokens", "top_p", "seed"})
#: ``max_tokens`` when the template sets none: complete answers measured at most 1,619 output
#: tokens, p95 1,497 (benchmarks/answer_tokens.py); 2000 leaves ~25% and stops a runaway.
DEFAULT_MAX_TOKENS = 2000
#: The least output worth asking for: below this no complete record fits.
MIN_OUTPUT_TOKENS = 400


@cache
def _nudge(folder: Path, name: str) -> jinja2.Template:
    """A follow-up message: the template folder's ``nudge_<name>.j2``, else ``_nudges/<name>.j2``."""
    own = folder / f"nudge_{name}.j2"
    path = own if own.is_file() else prompts_root() / "_nudges" / f"{name}.j2"
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False).from_string(
        path.read_text(encoding="utf-8")
    )


def rank(result: ExtractionResult) -> tuple[int, int]:
    """How good an answer is: (grounded values, filled values); higher is better."""
    grounded = sum(1 for ev in result.evidence.values() if ev.grounded)
    return grounded, len(result.evidence)


def is_empty(result: ExtractionResult) -> bool:
    """No field filled (the summary aside, which needs no evidence)."""
    return not result.evidence


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
        self.price_window = price.context_window if price else None
        window = self.price_window or DEFAULT_CONTEXT_WINDOW
        self.max_input_tokens = settings.max_input_tokens or window
        self.params = {k: v for k, v in prompt.params.items() if k in CALL_PARAMS}
        self.params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
        schema = str(prompt.meta.get("schema", "full"))
        if schema not in TOOL_MODELS:
            raise ConfigError(
                f"{prompt.path / 'meta.toml'}: schema {schema!r} is not a schema rendering",
                hint=f"use one of {', '.join(sorted(TOOL_MODELS))}",
            )
        self.schema = schema
        self.tool_model = TOOL_MODELS[schema]

    def cache_key(self, document: Document) -> str | None:
        payload = {
            "model": self.model,
            "base_url": self.settings.base_url or "",
            "messages": self.template.render(document),
            "schema": SCHEMA_HASH if self.schema == "full" else f"{SCHEMA_HASH}:{self.schema}",
            "params": self.params,
            "max_retries": self.settings.max_retries,
        }
        if self.settings.mode != "tools":
            payload["mode"] = self.settings.mode
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def planned_requests(self, document: Document) -> list[PlannedRequest]:
        messages = self.template.render(document)
        try:
            self._check_length(document, messages)
        except DocumentError:
            return []  # refused before sending: its error line costs nothing
        schema = self.tool_model.model_json_schema()
        body = json.dumps({"messages": messages, "tools": [schema], **self.params})
        return [PlannedRequest(len(body.encode()), int(self.params["max_tokens"]))]

    def _check_length(self, document: Document, messages: list[dict[str, str]]) -> None:
        estimate = sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN
        if estimate > self.max_input_tokens:
            raise DocumentError(
                f"the article is about {estimate:,} tokens; {self.model} takes at most "
                f"{self.max_input_tokens:,} input tokens",
                source=document.source,
                hint="split the article, or raise the limit with EXTRACTOR_MAX_INPUT_TOKENS",
            )

    async def _window(self) -> tuple[int | None, str]:
        """The context window and where it came from: the setting, the price table, the server.

        A model in the price table (a hosted one) is not asked; a local server's model is.
        """
        if self.settings.context_window:
            return self.settings.context_window, "--context-window"
        if self.price_window:
            return self.price_window, "the price table"
        reported = await self.provider.context_window()
        return reported, "the server"

    async def _sized(self, document: Document, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The call's parameters with ``max_tokens`` cut to what the prompt leaves of the window.

        Raises:
            ContextWindowError: the prompt plus the least useful answer cannot fit.
        """
        window, source = await self._window()
        if window is None:
            return self.params
        schema = json.dumps(self.tool_model.model_json_schema())
        prompt = (sum(len(m["content"]) for m in messages) + len(schema)) // CHARS_PER_TOKEN_SAFE
        room = window - prompt
        wanted = int(self.params["max_tokens"])
        if room < MIN_OUTPUT_TOKENS:
            raise ContextWindowError(
                f"{document.source}: the prompt is about {prompt:,} tokens (article, instructions "
                f"and schema); with the least answer worth asking for ({MIN_OUTPUT_TOKENS} tokens) "
                f"that is {prompt + MIN_OUTPUT_TOKENS:,}, over the context window of {window:,} "
                f"tokens ({source})",
                hint="start the server with a larger context (llama.cpp: --n_ctx 8192), set "
                "--context-window if the server's is larger, or use a leaner prompt "
                "(--prompt incident@v3)",
            )
        if room >= wanted:
            return self.params
        return {**self.params, "max_tokens": room}

    async def extract(
        self,
        document: Document,
        *,
        messages: list[dict[str, str]] | None = None,
        max_retries: int | None = None,
    ) -> ExtractionResult:
        """Extract one record; ``messages`` and ``max_retries`` continue a conversation begun
        elsewhere (a batch answer that failed, with instructor's re-ask turns appended)."""
        messages = messages or self.template.render(document)
        self._check_length(document, messages)
        params = await self._sized(document, messages)
        article = ArticleText(document.text)
        usage = Usage()
        calls: list[None] = []  # one item per model call made, re-asks and retries included
        best: ExtractionResult | None = None
        nudges: list[str] = []
        last: ReasksExhausted | OutputTruncated | None = None
        context = VALIDATION_CONTEXT.set({"article": article, "published": document.published})
        try:
            follow_up: list[dict[str, str]] = []
            while True:
                # a follow-up is one call: its answer is weighed, not re-asked again
                first = self.settings.max_retries if max_retries is None else max_retries
                retries = 0 if follow_up else first
                outcome = await self._call(messages + follow_up, params, retries, calls, usage)
                for candidate in self._candidates(outcome, document, article):
                    if best is None or rank(candidate) > rank(best):
                        best = candidate
                last = outcome if not isinstance(outcome, Answer) else None
                nudge = self._next_nudge(outcome, best, document, nudges, len(calls))
                if nudge is None:
                    break
                nudges.append(nudge)
                follow_up = self._follow_up(outcome, nudge, params)
        except CallError as exc:
            raise self._failure(exc, usage, len(calls)) from None
        finally:
            VALIDATION_CONTEXT.reset(context)
        if best is not None:
            best.usage, best.attempts = usage, len(calls)
            return best
        return self._give_up(last, usage, len(calls), params)

    def _next_nudge(
        self,
        outcome: Answer | ReasksExhausted | OutputTruncated,
        best: ExtractionResult | None,
        document: Document,
        nudges: Sequence[str],
        calls: int,
    ) -> str | None:
        """Which follow-up to send once more, if any: ``truncated`` or ``empty``."""
        if calls > self.settings.max_retries:
            return None  # no attempts left
        if isinstance(outcome, OutputTruncated):
            name = "truncated"
        elif best is not None and is_empty(best) and document.text.strip():
            name = "empty"
        else:
            return None
        return None if name in nudges else name

    def _follow_up(
        self,
        outcome: Answer | ReasksExhausted | OutputTruncated,
        nudge: str,
        params: dict[str, Any],
    ) -> list[dict[str, str]]:
        """The answer just given (as the assistant's turn) and the nudge (as the user's)."""
        if isinstance(outcome, Answer):
            said = outcome.parsed.model_dump_json()
        else:
            said = outcome.answers[-1] if outcome.answers else ""
        text = _nudge(self.template.path, nudge).render(max_tokens=params["max_tokens"]).strip()
        turns = [{"role": "assistant", "content": said}] if said else []
        return [*turns, {"role": "user", "content": text}]

    async def _call(
        self,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        max_retries: int,
        calls: list[None],
        usage: Usage,
    ) -> Answer | ReasksExhausted | OutputTruncated:
        """One structured call, transient failures retried; a truncated or invalid answer returned.

        Raises:
            CallError: the provider kept failing (retries ran out) or refused for good.
        """
        provider = self.provider
        async for attempt in retrying(self.settings.http_retries + 1, provider.is_retryable):
            with attempt:
                try:
                    answer = await provider.structured(
                        messages,
                        self.tool_model,
                        max_retries=max_retries,
                        params=params,
                        on_call=lambda: calls.append(None),
                    )
                except OutputTruncated as exc:
                    usage.add(exc.usage)
                    return exc
                except CallError as exc:
                    usage.add(exc.usage)
                    raise  # retried if transient, else reported by the caller
                except ReasksExhausted as exc:
                    usage.add(exc.usage)
                    return exc
                usage.add(answer.usage)
                return answer
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _candidates(
        self,
        outcome: Answer | ReasksExhausted | OutputTruncated,
        document: Document,
        article: ArticleText,
    ) -> list[ExtractionResult]:
        """Every usable answer in ``outcome``: the valid one, and earlier ones salvaged (never
        an answer cut off at max_tokens: what it holds may parse, but it is not whole)."""
        usage, found = Usage(), []
        if isinstance(outcome, Answer):
            texts = outcome.earlier
        elif isinstance(outcome, OutputTruncated):
            texts = outcome.answers[:-1]
        else:
            texts = outcome.answers
        for raw in texts:
            salvaged = self._salvage(raw, document, article)
            if salvaged is not None:
                found.append(salvaged)
        if isinstance(outcome, Answer):
            assert isinstance(outcome.parsed, IncidentExtraction)
            found.append(outcome.parsed.to_result(usage, 0))
        return found

    def _salvage(
        self, raw: str, document: Document, article: ArticleText
    ) -> ExtractionResult | None:
        """An answer that failed only on grounding: its values, unverifiable quotes flagged.
        Validated as the tool's model (the compact schema's length bounds included), so an
        answer refused for anything but grounding is never kept."""
        try:
            parsed = self.tool_model.model_validate_json(
                raw,
                context={
                    "article": article,
                    "published": document.published,
                    "strict_grounding": False,
                },
            )
        except ValidationError:
            return None
        return parsed.to_result(Usage(), 0)

    def _give_up(
        self,
        last: ReasksExhausted | OutputTruncated | None,
        usage: Usage,
        attempts: int,
        params: dict[str, Any],
    ) -> ExtractionResult:
        """No answer was usable: say why, with what the attempts cost."""
        if isinstance(last, OutputTruncated):
            raise OutputLimitError(
                f"{self.model} ran out of output tokens after {attempts} attempt(s): "
                + last.message,
                attempts=attempts,
                usage=usage,
                last_output=last.answers[-1] if last.answers else None,
                hint="raise max_tokens in the prompt's meta.toml, or use a model that answers "
                "more briefly",
            )
        raw = last.last_arguments if last is not None else None
        raise ValidationFailedError(
            f"{self.model} never gave a valid record after {attempts} attempt(s): "
            + (last.message if last is not None else "no answer"),
            attempts=attempts,
            usage=usage,
            last_output=raw,
            hint="raise --max-retries, or try another prompt version, --mode or model",
        )

    def _failure(self, exc: CallError, usage: Usage, attempts: int) -> Exception:
        """The one-line error for a provider failure that retries did not cure."""
        provider = self.provider
        if provider.is_auth_failure(exc):
            # every other article would fail the same way: stop the batch (finished lines stay)
            return ConfigError(
                f"{self.model} was refused by the provider (HTTP {exc.status}): " + exc.message,
                hint=f"check the API key ({provider.key_variables()} or EXTRACTOR_API_KEY), "
                "the model name and --base-url",
            )
        if isinstance(exc, ModeRefused):
            return ModeMismatchError(
                f"{self.model} at {self.settings.base_url or 'the provider'} does not support "
                f"--mode {self.settings.mode}: " + exc.message,
                hint="see the README's 'Using a real model' table for the mode each server takes",
            )
        attempts = max(attempts, 1)
        if isinstance(exc, CallTimeout):
            return ModelTimeoutError(
                f"{self.model} failed after {attempts} attempt(s): every attempt took longer "
                f"than --timeout {self.settings.timeout:g} s",
                attempts=attempts,
                usage=usage,
                hint="a local model on a CPU can need minutes per call: raise --timeout "
                "(e.g. --timeout 900), or use a leaner prompt (--prompt incident@v3)",
            )
        return ProviderError(
            f"{self.model} failed after {attempts} attempt(s): "
            + (f"HTTP {exc.status}: " if exc.status else "")
            + exc.message,
            attempts=attempts,
            usage=usage,
            hint="transient errors were retried; rerun into the same output to retry this article",
        )

    async def aclose(self) -> None:
        await self.provider.aclose()
