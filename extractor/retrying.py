"""Retries of transient provider failures: 429, 5xx, timeouts and dropped connections.

Exponential backoff with jitter, except that a ``retry-after`` (or ``retry-after-ms``) header
from the provider is honoured. Which failures are transient is the provider's call
(:meth:`extractor.providers.Provider.is_retryable`); this module knows no provider. Validation
failures are not retried here: instructor re-asks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

#: Multiplies every wait; tests set it to 0 so fault tests run fast.
WAIT_SCALE = 1.0
#: Longest wait a provider's ``retry-after`` is honoured for.
MAX_WAIT_S = 60.0
#: Our own backoff (no ``retry-after``): 0.5, 1, 2, 4, 8, 10, 10... seconds plus up to 0.5 s of
#: jitter. Capped low because 5xx answers and timeouts are usually momentary, and an article in
#: backoff is the batch's tail: a 60 s cap made a run with 10 % 500s take 4x its clean time.
BACKOFF_MAX_S = 10.0
#: Built from tenacity's oldest wait strategies, so any tenacity from 8.2 on works: google-genai
#: pins tenacity below 9.2, and 9.2's ``wait_exponential_jitter(multiplier=)`` would exclude it.
_backoff = wait_exponential(multiplier=0.5, max=BACKOFF_MAX_S) + wait_random(0, 0.5)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a provider's response headers ask for, if they say."""
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
    asked = getattr(exc, "retry_after", None)
    wait = min(asked, MAX_WAIT_S) if isinstance(asked, float) else _backoff(state)
    return wait * WAIT_SCALE


def retrying(
    attempts: int, retry_if: Callable[[BaseException], bool], **kwargs: Any
) -> AsyncRetrying:
    """An async retry loop of at most ``attempts`` tries over failures ``retry_if`` accepts.

    A failure's ``retry_after`` attribute (seconds), when set, replaces the backoff.
    """
    return AsyncRetrying(
        retry=retry_if_exception(retry_if),
        wait=_wait,
        stop=stop_after_attempt(attempts),
        reraise=True,
        **kwargs,
    )
