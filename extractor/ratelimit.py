"""Client-side rate limiting: keep a run under the provider's requests and tokens per minute.

Providers state their limits as requests per minute (RPM) and tokens per minute (TPM) and answer
429 beyond them. Bouncing off 429s wastes a round trip and a retry-after wait per refusal, so a
run given ``--rpm``/``--tpm`` limits itself instead. Every HTTP request the provider's client makes
passes through :class:`RateLimitedClient` (first calls, instructor's re-asks and our retries
alike) and waits in :meth:`RateLimiter.acquire` until both limits have room.

How the limits are kept:

* **Hard cap, sliding 60 s window.** A request holds its place in the window from the moment it
  is sent until 60 s after it *ended* (its answer arrived, or it failed or timed out). The provider
  stamps a request when it arrives, which is after we send it and before its answer ends, so
  counting from the end is never shorter than the provider's count, whatever the network delay:
  no 60 s window on the provider's clock ever sees more than ``rpm`` requests (or ``tpm``
  tokens) from this client. The price is the latency (0.2 s of a 60 s window: 0.3 % of the rate).
* **Pacing.** Within that cap, requests are spaced ``60 / rpm`` seconds apart (and token use
  ``60 / tpm`` seconds per token; a generic cell rate algorithm, running at most 0.1 s ahead of
  that pace), so a run does not spend its whole minute in the first second and then stall, which
  providers that enforce limits over shorter intervals would refuse.
* **Token estimate.** The window is charged, when a request is sent, with its request body's
  bytes / 4 (the messages *and* the tool schema, which the provider also counts; JSON syntax
  makes it a slight overestimate) plus the expected completion: ``max_tokens`` until the first
  answer is seen, then the running mean of the completions seen (at most ``max_tokens``).
  ``max_tokens`` alone would overstate a ~200-token answer twenty-fold and starve the run. When
  the answer arrives the charge is corrected to the ``usage`` it reports; a failed request keeps
  only its prompt estimate. A request estimated above the whole ``tpm`` is let through alone
  rather than never.

One limiter serves one client, i.e. one run; separate processes do not share limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from extractor.ledger import RequestSize, current_ledger
from extractor.usage import Usage

#: The providers' rate-limit window.
WINDOW_S = 60.0
#: Rough bytes per token of a request body (prompt estimate).
BYTES_PER_TOKEN = 4
#: How far ahead of the even pace requests (and tokens) may run: absorbs timer lateness, so the
#: pace does not drift below the limit, and allows a burst of 0.1 s worth after a pause.
PACE_TOLERANCE_S = 0.1


@dataclass(slots=True)
class Slot:
    """One admitted request: what it was charged, and (once it ended) when."""

    tokens: int
    ended_at: float | None = None


class RateLimiter:
    """Admits requests under ``rpm`` requests and ``tpm`` tokens per sliding ``window_s``.

    Only for one event loop at a time (it uses asyncio primitives, no thread locks).
    """

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if (rpm is not None and rpm < 1) or (tpm is not None and tpm < 1):
            raise ValueError("rpm and tpm must be positive integers or None")
        self.rpm, self.tpm, self.window_s = rpm, tpm, window_s
        self._clock = clock
        self._ended: deque[Slot] = deque()  # in order of ending; expire window_s after it
        self._requests = 0  # in flight + ended within the window
        self._tokens = 0
        self._next_request_at = -float("inf")  # pacing: earliest start of the next request
        self._next_tokens_at = -float("inf")
        self._completion_seen = 0
        self._completion_total = 0
        self._lock: asyncio.Lock | None = None
        self._changed: asyncio.Event | None = None
        #: Requests admitted, and seconds spent waiting for room (for tests and benchmarks).
        self.admitted = 0
        self.waited_s = 0.0

    @property
    def active(self) -> bool:
        return self.rpm is not None or self.tpm is not None

    # --- the token estimate ---------------------------------------------------------------------

    def expected_completion(self, max_tokens: int | None) -> int:
        """Completion tokens to charge up front (see the module docstring)."""
        if self._completion_seen:
            mean = -(-self._completion_total // self._completion_seen)
            return min(mean, max_tokens) if max_tokens else mean
        return max_tokens or 0

    def estimate(self, size: RequestSize) -> int:
        """Tokens to charge a chat-completions request of this size."""
        if self.tpm is None:
            return 0
        return -(-size.length // BYTES_PER_TOKEN) + self.expected_completion(size.max_tokens)

    # --- admission ------------------------------------------------------------------------------

    def _expire(self, now: float) -> None:
        horizon = now - self.window_s
        while self._ended and self._ended[0].ended_at <= horizon:  # type: ignore[operator]
            slot = self._ended.popleft()
            self._requests -= 1
            self._tokens -= slot.tokens

    def _wait_s(self, now: float, tokens: int) -> float | None:
        """0 when a request of ``tokens`` may start now; else how long until it may (None:
        until a request in flight ends)."""
        waits: list[float] = []
        full = False
        if self.rpm is not None:
            waits.append(self._next_request_at - PACE_TOLERANCE_S - now)
            full = self._requests >= self.rpm
        if self.tpm is not None:
            waits.append(self._next_tokens_at - PACE_TOLERANCE_S - now)
            # one request larger than the whole budget goes alone, rather than never
            full = full or (self._tokens > 0 and self._tokens + tokens > self.tpm)
        if full:
            if not self._ended:
                return None
            assert self._ended[0].ended_at is not None
            waits.append(self._ended[0].ended_at + self.window_s - now)
        wait = max(waits, default=0.0)
        return wait if wait > 0 else 0.0

    async def acquire(self, tokens: int = 0) -> Slot:
        """Wait until the request may be sent, then charge it; call :meth:`release` after."""
        if self._lock is None or self._changed is None:
            self._lock, self._changed = asyncio.Lock(), asyncio.Event()
        started = self._clock()
        async with self._lock:  # first come, first served
            while True:
                self._changed.clear()
                now = self._clock()
                self._expire(now)
                wait = self._wait_s(now, tokens)
                if wait == 0.0:
                    break
                with contextlib.suppress(TimeoutError):  # time to look again
                    await asyncio.wait_for(self._changed.wait(), wait)
            if self.rpm is not None:
                self._next_request_at = max(self._next_request_at, now) + self.window_s / self.rpm
            if self.tpm is not None:
                step = tokens * self.window_s / self.tpm
                self._next_tokens_at = max(self._next_tokens_at, now) + step
            self._requests += 1
            self._tokens += tokens
            self.admitted += 1
            self.waited_s += now - started
            return Slot(tokens)

    def release(self, slot: Slot, *, used: Usage | None = None, prompt: int = 0) -> None:
        """The request ended: start its window from now and correct its token charge.

        Args:
            used: the tokens the answer reported, if any.
            prompt: the prompt estimate to keep when there is no answer (errors, timeouts).
        """
        if slot.ended_at is not None:
            return
        now = self._clock()
        if self.tpm is not None:
            if used is not None:
                self._completion_seen += 1
                self._completion_total += used.completion_tokens
                actual = used.prompt_tokens + used.completion_tokens
            else:
                actual = min(prompt, slot.tokens)
            refund = slot.tokens - actual
            self._tokens -= refund
            self._next_tokens_at -= refund * self.window_s / self.tpm
            slot.tokens = actual
        slot.ended_at = now
        self._ended.append(slot)
        if self._changed is not None:
            self._changed.set()


#: Reads the tokens a provider's JSON answer reports (its ``usage``), or None if it reports none.
UsageOf = Callable[[Mapping[str, Any]], "Usage | None"]


def _used(response: httpx2.Response | None, usage_of: UsageOf) -> Usage | None:
    """The tokens a read JSON answer reports, if it does."""
    if response is None or response.status_code != 200 or not response.is_closed:
        return None
    try:
        payload = json.loads(response.content)
        usage = usage_of(payload) if isinstance(payload, Mapping) else None
    except (ValueError, AttributeError, TypeError):
        return None
    return usage if usage is not None else Usage()


def _no_usage(payload: Mapping[str, Any]) -> Usage | None:
    return None


class RateLimitedClient(httpx2.AsyncClient):
    """An ``httpx2.AsyncClient`` whose every request first waits for room in a :class:`RateLimiter`.

    Waiting happens before the request is sent, so it never counts against the per-attempt
    timeout. Without limits it is a plain client. It overrides ``send`` rather than wrapping the
    transport: a custom transport would switch off the proxy settings httpx reads from the
    environment (``HTTPS_PROXY``...), and the default transport stays the one vcrpy patches, so
    recorded cassettes still replay.
    """

    def __init__(
        self,
        *,
        limiter: RateLimiter | None = None,
        in_flight: int | None = None,
        usage_of: UsageOf | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.usage_of = usage_of or _no_usage
        self.limiter = limiter if limiter is not None and limiter.active else None
        # at most this many requests on the wire; waiting here is not part of any timeout
        self._slots = asyncio.Semaphore(in_flight) if in_flight else None

    async def send(
        self,
        request: httpx2.Request,
        *,
        stream: bool = False,
        auth: Any = httpx2.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx2.USE_CLIENT_DEFAULT,
    ) -> httpx2.Response:
        if self._slots is None:
            return await self._send_budgeted(request, stream, auth, follow_redirects)
        async with self._slots:
            return await self._send_budgeted(request, stream, auth, follow_redirects)

    async def _send_budgeted(
        self, request: httpx2.Request, stream: bool, auth: Any, follow_redirects: Any
    ) -> httpx2.Response:
        """Admitted by the run's ledger under ``--max-cost`` (see extractor.ledger), then by the
        rate limiter; the body and the answer's usage are read once for both."""
        ledger, limiter = current_ledger(), self.limiter
        tpm = limiter is not None and limiter.tpm is not None
        if ledger is None and limiter is None:
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        body = b""
        if ledger is not None or tpm:
            with contextlib.suppress(httpx2.RequestNotRead):  # a streamed upload: no estimate
                body = request.content
        size = RequestSize.of(body)
        hold = ledger.admit(size) if ledger is not None else 0.0
        slot: Slot | None = None
        response: httpx2.Response | None = None
        try:
            if limiter is not None:
                slot = await limiter.acquire(limiter.estimate(size))
            response = await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
            return response
        finally:
            used = _used(response, self.usage_of) if hold or tpm else None
            if limiter is not None and slot is not None:
                limiter.release(
                    slot, used=used if tpm else None, prompt=-(-len(body) // BYTES_PER_TOKEN)
                )
            if ledger is not None:
                ledger.settle(hold, used if hold else None)


def http_client(
    *,
    concurrency: int,
    timeout: float,
    rpm: int | None = None,
    tpm: int | None = None,
    usage_of: UsageOf | None = None,
) -> RateLimitedClient:
    """The HTTP client for a run: limited as asked, with a connection pool sized to the run.

    At most ``concurrency`` requests are in flight at once (more articles may be in progress: the
    runner keeps extra workers so that an article waiting out a retry backoff does not hold a
    request slot), so the pool keeps that many connections alive between requests and never
    opens more. ``usage_of`` reads the provider's answers, to correct the token charge.
    """
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return RateLimitedClient(
        limiter=RateLimiter(rpm, tpm),
        in_flight=concurrency,
        usage_of=usage_of,
        limits=limits,
        timeout=httpx2.Timeout(timeout),
        follow_redirects=True,
    )
