"""One structured call through an instructor client, for every provider built on instructor's
support of its SDK (OpenAI, Anthropic, Gemini): hooks count the calls, failures become our errors.
What only some providers need is asked for by keyword: every answer kept for the best-answer
choice, a look at each response before instructor parses it, a check that names a more telling
failure (OpenAI's ``--mode`` mismatch), and an answer cut off at ``max_tokens`` as
:class:`OutputTruncated`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel

from extractor.providers.base import Answer, OutputTruncated, Provider, ReasksExhausted
from extractor.usage import Usage

#: Called with every response so far, the failure and the tokens spent, before the failure is
#: translated; it raises a more telling error when it recognises one.
FailureCheck = Callable[[Sequence[Any], BaseException | None, Usage], None]


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
    answer_of: Callable[[Any], str | None] | None = None,
    on_response: Callable[[Any], None] | None = None,
    check_failure: FailureCheck | None = None,
    truncation: bool = False,
) -> Answer:
    """``create_with_completion`` of an instructor client, translated by ``provider``'s table.

    ``on_call`` runs once per request sent (instructor's ``completion:kwargs`` hook).
    ``response_usage``, when given, reads each response's tokens (``completion:response`` hook)
    and their sum is the call's usage: instructor keeps a running total only of OpenAI's and
    Anthropic's usage types (its total for google-genai responses stays at zero). ``strict`` is
    pydantic's strict mode for instructor's parse (see :mod:`extractor.providers.gemini`).

    Args:
        answer_of: the raw answer text of a response: every answer is kept, for the re-asked
            answers (``Answer.earlier``, ``ReasksExhausted.answers``), and the responses' tokens
            count in a failure raised past instructor's re-ask loop.
        on_response: runs with each response before instructor parses it (it may amend it).
        check_failure: see :data:`FailureCheck`.
        truncation: instructor's ``IncompleteOutputException`` (an answer cut off at
            ``max_tokens``) becomes :class:`OutputTruncated`, with the answers and tokens so far.

    Raises:
        CallError: the provider failed.
        ReasksExhausted: no answer passed validation within ``max_retries`` re-asks.
    """
    hooks = Hooks()
    responses: list[Any] = []
    hooks.on("completion:kwargs", lambda *args, **kwargs: on_call())
    hooks.on("completion:response", responses.append)
    if on_response is not None:
        hooks.on("completion:response", on_response)

    def received() -> Usage:
        """The tokens of every response so far."""
        spent = Usage()
        for response in responses:
            read = response_usage or (lambda r: usage_of(completion_usage(r)))
            spent.add(read(response))
        return spent

    def total(instructors: Any) -> Usage:
        """The call's tokens: the responses' sum, else instructor's usage object (None: none)."""
        return received() if response_usage is not None else usage_of(instructors)

    def answers(kept: list[Any]) -> list[str]:
        texts = map(answer_of, kept) if answer_of is not None else ()
        return [text for text in texts if text is not None]

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
        if check_failure is not None:
            check_failure(responses, exc.__cause__, usage)
        failure = provider.translate(exc.__cause__, usage) if exc.__cause__ else None
        if failure is not None:
            raise failure from None
        raise ReasksExhausted(
            provider.redact(str(exc.__cause__ or exc)),
            usage=usage,
            last_arguments=arguments_of(exc.last_completion),
            answers=answers(responses),
        ) from None
    except Exception as exc:  # raised past instructor's loop: still the SDK's to translate
        if truncation and isinstance(exc, IncompleteOutputException):
            raise OutputTruncated(
                f"the answer was cut off at max_tokens {params.get('max_tokens')} "
                "(finish_reason 'length')",
                usage=received(),
                answers=answers(responses),
            ) from None
        usage = received() if answer_of is not None else total(None)
        if check_failure is not None:
            check_failure(responses, exc, usage)
        failure = provider.translate(exc, usage)
        if failure is None:
            raise
        raise failure from None
    return Answer(parsed, total(completion_usage(completion)), answers(responses[:-1]))
