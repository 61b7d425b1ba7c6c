"""Retries of transient provider failures: 429, 5xx, timeouts and dropped connections.

Exponential backoff with jitter, except that a ``retry-after`` (or ``retry-after-ms``) header
from the provider is honoured. Validation failures are not retried here: instructor re-asks.
"""

from __future__ import annotations

from typing import Any

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

#: Multiplies every wait; tests set it to 0 so fault tests run fast.
WAIT_SCALE = 1.0
#: Longest wait a provider's ``retry-after`` is honoured for.
MAX_WAIT_S = 60.0
#: Our own backoff (no ``retry-after``): 0.5, 1, 2, 4, 8, 10, 10... seconds plus up to 0.5 s of
#: jitter. Capped low because 5xx answers and timeouts are usually momentary, and an article in
#: backoff is the batch's tail: a 60 s cap made a run with 10 % 500s take 4x its clean time.
BACKOFF_MAX_S = 10.0
_backoff = wait_exponential_jitter(multiplier=0.5, max=BACKOFF_MAX_S, jitter=0.5)


def is_transient(exc: BaseException) -> bool:
    """True for failures another attempt may cure."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in {408, 409, 429} or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError)  # includes APITimeoutError


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The wait the provider asked for, if it said."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    asked = retry_after_seconds(exc)
    wait = min(asked, MAX_WAIT_S) if asked is not None else _backoff(state)
    return wait * WAIT_SCALE


def retrying(attempts: int, **kwargs: Any) -> AsyncRetrying:
    """An async retry loop of at most ``attempts`` tries over transient failures."""
    return AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=_wait,
        stop=stop_after_attempt(attempts),
        reraise=True,
        **kwargs,
    )
