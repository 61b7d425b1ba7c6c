"""One structured call through an instructor client, for every provider built on instructor's
support of its SDK (OpenAI, Anthropic, Gemini): hooks count the calls and keep every answer (for
the best-answer choice), failures become our errors. What only some providers need is asked for by
keyword: a look at each response before instructor parses it, a check that names a more telling
failure (OpenAI's ``--mode`` mismatch), and how a provider says an answer was cut off at
``max_tokens``: such an answer is :class:`OutputTruncated`, never a record or an invalid answer."""

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
#: How a provider says a response was cut off at ``max_tokens``: its stop reason as the user should
#: read it (``finish_reason 'length'``), or None for a whole answer.
CutOff = Callable[[Any], str | None]


async def instructed_call(
    provider: Provider,
    create: Callable[..., Any],
    *,
    usage_of: Callable[[Any], Usage],
    arguments_of: Callable[[Any], str | None],
    answer_of: Callable[[Any], str | None],
    completion_usage: Callable[[Any], Any],
    response_usage: Callable[[Any], Usage] | None = None,
    strict: bool = True,
    messages: list[dict[str, str]],
    response_model: type[BaseModel],
    max_retries: int,
    params: Mapping[str, Any],
    on_call: Callable[[], None],
    on_response: Callable[[Any], None] | None = None,
    check_failure: FailureCheck | None = None,
    cut_off: CutOff | None = None,
) -> Answer:
    """``create_with_completion`` of an instructor client, translated by ``provider``'s table.

    ``on_call`` runs once per request sent (instructor's ``completion:kwargs`` hook).
    ``response_usage``, when given, reads each response's tokens (``completion:response`` hook)
    and their sum is the call's usage: instructor keeps a running total only of OpenAI's and
    Anthropic's usage types (its total for google-genai responses stays at zero). ``strict`` is
    pydantic's strict mode for instructor's parse (see :mod:`extractor.providers.gemini`).

    Args:
        arguments_of: the tool-call arguments of a response (``ReasksExhausted.last_arguments``).
        answer_of: the raw answer text of a response: every answer is kept, for the re-asked
            answers (``Answer.earlier``, ``ReasksExhausted.answers``, ``OutputTruncated.answers``).
            A failure raised past instructor's re-ask loop counts every response's tokens.
        on_response: runs with each response before instructor parses it (it may amend it).
        check_failure: see :data:`FailureCheck`.
        cut_off: see :data:`CutOff`. When the last response was cut off (or instructor raised
            ``IncompleteOutputException``), the call raises :class:`OutputTruncated` with the
            answers and tokens so far, whatever instructor made of the cut answer: OpenAI's and
            Anthropic's support raise, Gemini's parses what the cut answer holds (a partial
            record, or nothing).

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
        return [text for text in map(answer_of, kept) if text is not None]

    def truncated(exc: BaseException | None) -> OutputTruncated | None:
        """The failure to report when the answer was cut off at ``max_tokens``, else None (the
        provider failing after a cut answer, e.g. on its re-ask, is the provider's failure)."""
        if cut_off is None:
            return None
        incomplete = isinstance(exc, IncompleteOutputException)
        if exc is not None and not incomplete and provider.classify(exc) is not None:
            return None
        reason = cut_off(responses[-1]) if responses else None
        if reason is None and not incomplete:
            return None
        # the whole answers, then the cut one last: only whole answers are weighed as records
        whole = [r for r in responses[:-1] if cut_off(r) is None]
        return OutputTruncated(
            f"the answer was cut off at max_tokens {params.get('max_tokens')} "
            f"({reason or 'incomplete output'})",
            usage=received(),
            answers=answers([*whole, *responses[-1:]]),
        )

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
        cut = truncated(exc.__cause__)
        if cut is not None:
            raise cut from None
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
        cut = truncated(exc)
        if cut is not None:
            raise cut from None
        usage = received()
        if check_failure is not None:
            check_failure(responses, exc, usage)
        failure = provider.translate(exc, usage)
        if failure is None:
            raise
        raise failure from None
    cut = truncated(None)
    if cut is not None:  # a cut answer that happened to validate is still not whole
        raise cut
    return Answer(parsed, total(completion_usage(completion)), answers(responses[:-1]))
