"""Client-side rate limiting (extractor/ratelimit.py): the windows, the pace, the token estimate,
and every request of the openai client going through it."""

from __future__ import annotations

import asyncio
import json
import time

import openai
import pytest

from benchmarks import simulator
from benchmarks.simulator import SimConfig, run_simulator
from extractor.backends import make_backend
from extractor.ledger import RequestSize
from extractor.ratelimit import RateLimitedClient, RateLimiter, Slot
from extractor.settings import Settings
from extractor.usage import Usage


def most_in_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < start + window) for i, start in enumerate(stamps))


def test_requests_stay_under_rpm_in_every_window_and_are_paced() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(rpm=5, window_s=0.5)
        started: list[float] = []

        async def request() -> None:
            slot = await limiter.acquire()
            started.append(time.monotonic())
            await asyncio.sleep(0.01)
            limiter.release(slot)

        await asyncio.gather(*(request() for _ in range(15)))
        return started

    started = asyncio.run(main())
    assert len(started) == 15
    assert most_in_window(started, 0.5) <= 5
    # paced 0.1 s apart (at most 0.1 s ahead): not all five of the first window at once
    assert started[4] - started[0] >= 0.3 - 0.1 + 0.05
    assert started[-1] - started[0] >= 2 * 0.5  # 15 requests need at least three windows


def test_a_full_window_of_requests_in_flight_blocks_until_one_ends() -> None:
    async def main() -> tuple[bool, float]:
        limiter = RateLimiter(rpm=2, window_s=0.2)
        first, second = await limiter.acquire(), await limiter.acquire()
        third = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.3)  # longer than the window: the two in flight still count
        blocked = not third.done()
        ended = time.monotonic()
        limiter.release(first)
        await third
        waited = time.monotonic() - ended
        limiter.release(second)
        return blocked, waited

    blocked, waited = asyncio.run(main())
    assert blocked
    assert waited >= 0.2 - 0.02  # the window counts from when the request ended


def test_token_charge_is_prompt_bytes_plus_expected_completion_then_corrected() -> None:
    limiter = RateLimiter(tpm=100_000)
    body = json.dumps({"messages": [{"role": "user", "content": "x" * 396}], "max_tokens": 500})
    size = len(body.encode())
    assert (
        limiter.estimate(RequestSize.of(body.encode())) == -(-size // 4) + 500
    )  # max_tokens until an answer
    slot = Slot(limiter.estimate(RequestSize.of(body.encode())))
    limiter._tokens = slot.tokens
    limiter.release(slot, used=Usage(prompt_tokens=110, completion_tokens=40))
    assert slot.tokens == 150 and limiter._tokens == 150  # corrected to what was used
    assert (
        limiter.estimate(RequestSize.of(body.encode())) == -(-size // 4) + 40
    )  # then the mean completion
    failed = Slot(1000)
    limiter._tokens += 1000
    limiter.release(failed, prompt=300)  # no answer: only the prompt estimate stays charged
    assert failed.tokens == 300 and limiter._tokens == 450
    assert (
        RateLimiter(rpm=10).estimate(RequestSize.of(body.encode())) == 0
    )  # no tpm: nothing to estimate


def test_a_request_larger_than_tpm_goes_alone_rather_than_never() -> None:
    async def main() -> None:
        limiter = RateLimiter(tpm=100, window_s=0.1)
        slot = await asyncio.wait_for(limiter.acquire(500), 1)
        limiter.release(slot, used=Usage(prompt_tokens=450, completion_tokens=50))

    asyncio.run(main())


@pytest.mark.slow  # starts the simulator
def test_openai_client_requests_go_through_the_limiter_and_avoid_429s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = 0.5
    monkeypatch.setattr(simulator, "RATE_WINDOW_S", window)  # the simulator's, scaled down

    async def burst(base_url: str, limiter: RateLimiter | None) -> int:
        client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key="sk-test",
            max_retries=0,
            http_client=RateLimitedClient(limiter=limiter),
        )

        async def one(i: int) -> int:
            try:
                await client.chat.completions.create(
                    model="sim-1", messages=[{"role": "user", "content": f"article {i}"}]
                )
            except openai.RateLimitError:
                return 1
            return 0

        try:
            return sum(await asyncio.gather(*(one(i) for i in range(8))))
        finally:
            await client.close()

    with run_simulator(SimConfig(rpm=4)) as sim:
        assert asyncio.run(burst(sim.base_url, None)) == 4  # unlimited: half bounce off
        time.sleep(window + 0.05)
        sim.stats.reset()
        limiter = RateLimiter(rpm=4, window_s=window)
        assert asyncio.run(burst(sim.base_url, limiter)) == 0
        assert limiter.admitted == 8 and sim.stats.count("429") == 0
        assert sim.stats.max_in_window(window) <= 4


def test_settings_reach_the_backend_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_RPM", "120")
    monkeypatch.setenv("EXTRACTOR_TPM", "30000")
    assert (Settings().rpm, Settings().tpm) == (120, 30_000)
    assert Settings(rpm=600).rpm == 600  # a flag wins over the environment
    monkeypatch.delenv("EXTRACTOR_RPM")
    monkeypatch.delenv("EXTRACTOR_TPM")
    base = {"model": "openai/sim-1", "base_url": "http://127.0.0.1:9/v1"}
    for settings, limits in (
        (Settings(**base, rpm=600, tpm=90_000), (600, 90_000)),
        (Settings(**base), None),  # no limits: a plain client
    ):
        backend = make_backend("openai/sim-1", settings)
        try:
            http = backend.provider.sdk._client  # type: ignore[attr-defined]
            assert isinstance(http, RateLimitedClient)
            if limits is None:
                assert http.limiter is None
            else:
                assert http.limiter is not None
                assert (http.limiter.rpm, http.limiter.tpm) == limits
        finally:
            asyncio.run(backend.aclose())
