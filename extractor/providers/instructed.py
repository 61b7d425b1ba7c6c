"""One structured call through an instructor client, for providers built on instructor's support
of their SDK (Anthropic, Gemini): hooks count the calls, failures become our errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from instructor.core.exceptions import InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel

from extractor.providers.base import Answer, Provider, ReasksExhausted
from extractor.usage import Usage


async def instructed_call(
    provider: Provider,
    create: Callable[..., Any],
    *,
    usage_of: Callable[[Any], Usage],
    arguments_of: Callable[[Any], str | None],
    completion_usage: Callable[[Any], Any],
    response_usage: Callable[[Any], Usage] | None = None,
    strict: bool = True,
    messages: list[dict[str, str]],
    response_model: type[BaseModel],
    max_retries: int,
    params: Mapping[str, Any],
    on_call: Callable[[], None],
) -> Answer:
    """``create_with_completion`` of an instructor client, translated by ``provider``'s table.

    ``on_call`` runs once per request sent (instructor's ``completion:kwargs`` hook).
    ``response_usage``, when given, reads each response's tokens (``completion:response`` hook)
    and their sum is the call's usage: instructor keeps a running total only of OpenAI's and
    Anthropic's usage types (its total for google-genai responses stays at zero). ``strict`` is
    pydantic's strict mode for instructor's parse (see :mod:`extractor.providers.gemini`).

    Raises:
        CallError: the provider failed.
        ReasksExhausted: no answer passed validation within ``max_retries`` re-asks.
    """
    hooks = Hooks()
    hooks.on("completion:kwargs", lambda *args, **kwargs: on_call())
    spent = Usage()
    if response_usage is not None:
        hooks.on("completion:response", lambda response: spent.add(response_usage(response)))

    def total(instructors: Any) -> Usage:
        """The call's tokens: the responses' sum, else instructor's usage object (None: none)."""
        return spent.model_copy() if response_usage is not None else usage_of(instructors)

    try:
        parsed, completion = await create(
            model=provider.model_name,
            messages=messages,
            response_model=response_model,
            max_retries=max_retries,
            strict=strict,
            hooks=hooks,
            **params,
        )
    except InstructorRetryException as exc:
        usage = total(exc.total_usage)
        failure = provider.translate(exc.__cause__, usage) if exc.__cause__ else None
        if failure is not None:
            raise failure from None
        raise ReasksExhausted(
            provider.redact(str(exc.__cause__ or exc)),
            usage=usage,
            last_arguments=arguments_of(exc.last_completion),
        ) from None
    except Exception as exc:  # raised past instructor's loop: still the SDK's to translate
        failure = provider.translate(exc, total(None))
        if failure is None:
            raise
        raise failure from None
    return Answer(parsed, total(completion_usage(completion)))
