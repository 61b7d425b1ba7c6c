"""The running account of a run under ``--max-cost``: every model request is admitted or refused.

Each request the provider's HTTP client sends (first calls, instructor's re-asks, nudges, retries
of 429/5xx alike: see :class:`extractor.ratelimit.RateLimitedClient`) is first *admitted* here.
Admitting holds the request's worst case: its body's bytes / :data:`BYTES_PER_TOKEN` prompt
tokens (rounded up) plus its ``max_tokens`` of completion, at the synchronous price. When what
has been spent, plus what requests in flight hold, plus this request's worst case would pass the
cap, the request is not sent: :class:`CapReached` is raised and the ledger is *halted*, so no
other request starts either. When an answer arrives, its hold is replaced by what the ``usage``
it reports costs (an answer with no usage, an error or a timeout costs nothing, as on its line).
So the spent cost can pass the cap only if a provider counts more prompt tokens than the bytes /
3 estimate (see :mod:`extractor.budget` for why it is an over-estimate for hosted models).

One ledger serves one run; it is found through a context variable (as the validation context is),
so the HTTP client of whichever provider checks it without being handed it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.pricing import Price
    from extractor.usage import Usage

#: Bytes per prompt token assumed for a request body: fewer than the usual 4, so the estimate
#: stays above hosted tokenizers' counts of English prose and of JSON (see extractor.budget).
BYTES_PER_TOKEN = 3
#: Completion tokens held for a request that sets no ``max_tokens`` (ours always set one).
UNBOUNDED_COMPLETION = 4096


class CapReached(BaseException):
    """The next request could pass ``--max-cost``: the run stops before sending it.

    A ``BaseException``, as ``asyncio.CancelledError`` and pytest's ``Exit`` are: it must pass
    through the ``except Exception`` of the SDKs between the HTTP client and the worker pool
    (openai turns any ``Exception`` from the transport into a retried ``APIConnectionError``).
    """


@dataclass(frozen=True, slots=True)
class RequestSize:
    """What a request body says about its cost, read once per request for the ledger and the
    rate limiter: its length in bytes, its completion limit (None: not set) and whether it is a model call
    (a JSON body with a ``messages`` list: chat completions, Anthropic messages)."""

    length: int
    max_tokens: int | None
    model_call: bool

    @classmethod
    def of(cls, body: bytes) -> RequestSize:
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return cls(len(body), None, False)
        limit = payload.get("max_completion_tokens") or payload.get("max_tokens")
        return cls(
            len(body),
            limit if isinstance(limit, int) and limit > 0 else None,
            isinstance(payload.get("messages"), list),
        )


def worst_case(size: RequestSize) -> tuple[int, int] | None:
    """``(prompt, completion)`` tokens a request can cost at most; None: not a model call (file
    uploads and batch endpoints are not priced per request)."""
    if not size.model_call:
        return None
    return -(-size.length // BYTES_PER_TOKEN), size.max_tokens or UNBOUNDED_COMPLETION


class Ledger:
    """What a run has spent and what its requests in flight may still cost, against a cap."""

    def __init__(self, cap: float, price: Price) -> None:
        self.cap = cap
        #: the price synchronous requests are charged at
        self.price = price
        self.spent = 0.0
        self.held = 0.0
        #: set once a request was refused: the run is stopping
        self.halted = False
        #: the worst case of the request that was refused
        self.refused = 0.0
        #: articles the run did not finish because it stopped (counted by the worker pool)
        self.left = 0

    def admit(self, size: RequestSize) -> float:
        """Hold the worst case of a request about to be sent; the hold, to :meth:`settle`.

        Raises:
            CapReached: it could pass the cap, or the run is stopping already.
        """
        worst = worst_case(size)
        if worst is None:
            return 0.0
        hold = self.price.cost(*worst)
        if self.halted or self.spent + self.held + hold > self.cap:
            if not self.halted:
                self.halted, self.refused = True, hold
            raise CapReached
        self.held += hold
        return hold

    def settle(self, hold: float, used: Usage | None) -> None:
        """The request ended: release its hold and charge the tokens reported (cached ones at the
        cached rate, as on the line)."""
        self.held = max(0.0, self.held - hold)
        if used is not None:
            self.spent += self.price.cost_of(used)

    def charge(self, usage: Usage, price: Price) -> None:
        """Charge tokens spent outside this client (a Batch API's answers, at its price)."""
        self.spent += price.cost_of(usage)


_CURRENT: ContextVar[Ledger | None] = ContextVar("extractor_ledger", default=None)


def current_ledger() -> Ledger | None:
    """The ledger of the run this code runs in, if it has a cap."""
    return _CURRENT.get()


@contextmanager
def spending(ledger: Ledger | None) -> Iterator[None]:
    """Run the block (and the tasks it starts) under ``ledger``."""
    token = _CURRENT.set(ledger)
    try:
        yield
    finally:
        _CURRENT.reset(token)
