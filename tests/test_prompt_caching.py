"""Prompt caching in the accounting: cached prompt tokens recorded per line, priced at the cached
rate, shown in the run summary, ``runs show`` and ``compare``; the static prefix of every request
(tool schema, system prompt) identical across articles so the provider can cache it."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from benchmarks.cost_table import Tokens, cached_tokens, per_thousand
from benchmarks.simulator import PromptCache, SimConfig, run_simulator
from extractor.backends import make_backend
from extractor.cli import app
from extractor.documents import Document
from extractor.predictions import PredictionLine
from extractor.pricing import Price
from extractor.providers.anthropic import usage_of_body as anthropic_body
from extractor.providers.openai import usage_of_body as openai_body
from extractor.settings import load_settings
from tests.llm_fixtures import fixture_answer

runner = CliRunner()
SEED_IDS = ["000_da9441d524ed042a", "001_d8457e1c72a139c8", "002_05d79c17f497fcab"]
#: made-up prices, so the expected dollars are easy to work out by hand
PRICE = {"input_per_mtok": 1.0, "cached_input_per_mtok": 0.25, "output_per_mtok": 4.0}


def test_cost_prices_cached_tokens_at_the_cached_rate() -> None:
    price = Price(1.0, 4.0, cached_input_per_mtok=0.25)
    # 3,000 prompt tokens of which 2,048 cached, 400 completion tokens:
    # 952 x $1 + 2,048 x $0.25 + 400 x $4 = $3,064 per million
    assert price.cost(3000, 400, cached_tokens=2048) == pytest.approx(0.003064)
    # with no cached rate known, cached tokens cost the input rate (never an underestimate)
    assert Price(1.0, 4.0).cost(3000, 400, cached_tokens=2048) == pytest.approx(0.0046)


def test_the_rate_limiter_counts_anthropic_cache_tokens_as_usage_of_does() -> None:
    body = {
        "usage": {
            "input_tokens": 1052, "cache_read_input_tokens": 2048,
            "cache_creation_input_tokens": 0, "output_tokens": 420,
        }
    }  # fmt: skip
    usage = anthropic_body(body)
    assert usage is not None
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (3100, 2048, 420)
    openai = openai_body(
        {
            "usage": {
                "prompt_tokens": 3100,
                "completion_tokens": 420,
                "prompt_tokens_details": {"cached_tokens": 2048},
            }
        }
    )
    assert openai is not None and (openai.prompt_tokens, openai.cached_tokens) == (3100, 2048)


def test_the_simulator_caches_prefixes_as_openai_documents() -> None:
    cache = PromptCache()
    static = {"tools": [{"type": "function", "function": {"name": "x", "d": "s" * 6000}}]}

    def request(article: str) -> dict[str, Any]:
        return {**static, "model": "m", "messages": [{"role": "user", "content": article}]}

    first, second = request("a" * 800), request("b" * 800)
    tokens = len(PromptCache.prompt_bytes(first)) // 4
    assert cache.cached_tokens(first, tokens) == 0  # nothing seen yet
    hit = cache.cached_tokens(second, tokens)
    shared = len(json.dumps([static["tools"], None]).replace(" ", "")) // 4  # the tool schema
    assert hit >= 1024 and hit % 128 == 0 and shared - 128 < hit <= shared
    short = {"model": "m", "messages": [{"role": "user", "content": "c" * 2000}]}
    assert cache.cached_tokens(short, 500) == cache.cached_tokens(short, 500) == 0  # < 1,024


def _seed_gold(tmp_path: Path) -> Path:
    gold = tmp_path / "gold"
    gold.mkdir()
    for doc_id in SEED_IDS:
        shutil.copy(f"evals/gold/{doc_id}.json", gold)
    return gold


def test_cached_tokens_are_recorded_priced_and_shown_in_summary_runs_show_and_compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"openai/sim-1": PRICE}))
    output = tmp_path / "out.jsonl"
    with run_simulator(SimConfig()) as sim:
        args = ["run", "seeds", "-o", str(output), "--model", "openai/sim-1", "--base-url",
                sim.base_url, "--prices", str(prices), "--concurrency", "1"]  # fmt: skip
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [PredictionLine.from_json(raw) for raw in output.read_bytes().splitlines()]
    # lines are written as each article finishes (several in flight per --concurrency slot)
    assert sorted(line.doc_id for line in lines) == SEED_IDS
    # so the first to reach the simulator is not always the first seed: whichever it is finds
    # nothing cached
    first, *later = sorted(lines, key=lambda line: line.usage.cached_tokens)
    assert first.usage.cached_tokens == 0  # the first request finds nothing cached
    for line in later:  # the tool schema and system prompt repeat: read from the cache
        assert line.usage.cached_tokens >= 1024 and line.usage.cached_tokens % 128 == 0
        assert line.usage.cached_tokens < line.usage.prompt_tokens
    for line in lines:
        u = line.usage
        by_hand = (
            (u.prompt_tokens - u.cached_tokens) * 1.0 + u.cached_tokens * 0.25
            + u.completion_tokens * 4.0
        ) / 1e6  # fmt: skip
        assert line.cost_usd == round(by_hand, 8)
        assert json.loads(line.to_json())["usage"]["cached_tokens"] == u.cached_tokens
    cached = sum(line.usage.cached_tokens for line in lines)
    out = " ".join(result.output.split())
    assert f"of which cached (prompt cache) │ {cached:,}" in out
    assert f"${sum(line.cost_usd or 0 for line in lines):.4f}" in out

    listed = json.loads(runner.invoke(app, ["runs", "list", "--json"]).stdout)
    run_id = listed[0]["run_id"]
    shown = json.loads(runner.invoke(app, ["runs", "show", run_id, "--json"]).stdout)
    assert shown["cached_tokens"] == cached and shown["summary"]["usage"]["cached_tokens"] == cached
    text = " ".join(runner.invoke(app, ["runs", "show", run_id]).output.split())
    assert f"of which cached │ {cached:,}" in text

    report = tmp_path / "compare.json"
    compared = runner.invoke(
        app,
        [
            "compare",
            "rules",
            run_id,
            "--articles",
            "seeds",
            "--gold",
            str(_seed_gold(tmp_path)),
            "--json",
            str(report),
        ],
    )
    assert compared.exit_code == 0, compared.output
    rules, side = json.loads(report.read_text())["sides"]
    assert side["cached_tokens_per_article"] == pytest.approx(cached / 3)
    assert rules["cached_tokens_per_article"] == 0
    split = (
        f"{side['prompt_tokens_per_article']:,.0f} / {cached / 3:,.0f} / "
        f"{side['completion_tokens_per_article']:,.0f}"
    )
    assert split in compared.output


def test_batch_lines_carry_cached_tokens_priced_at_the_batch_cached_rate(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    batch = {"batch_input_per_mtok": 0.5, "batch_cached_input_per_mtok": 0.125,
             "batch_output_per_mtok": 2.0}  # fmt: skip
    prices.write_text(json.dumps({"openai/sim-1": {**PRICE, **batch}}))
    output = tmp_path / "out.jsonl"
    with run_simulator(SimConfig()) as sim:
        args = ["run", "seeds", "-o", str(output), "--model", "openai/sim-1", "--base-url",
                sim.base_url, "--prices", str(prices), "--batch"]  # fmt: skip
        result = runner.invoke(app, args, env={"EXTRACTOR_BATCH_POLL_S": "0.01"})
    assert result.exit_code == 0, result.output
    lines = [PredictionLine.from_json(raw) for raw in output.read_bytes().splitlines()]
    assert sum(line.usage.cached_tokens > 0 for line in lines) == 2  # all but the first
    for line in lines:
        u = line.usage
        by_hand = (
            (u.prompt_tokens - u.cached_tokens) * 0.5 + u.cached_tokens * 0.125
            + u.completion_tokens * 2.0
        ) / 1e6  # fmt: skip
        assert line.attempts == 1 and line.cost_usd == round(by_hand, 8)


# --- the static prefix repeats --------------------------------------------------------------


def _answer(request: httpx2.Request, provider: str) -> httpx2.Response:
    arguments = fixture_answer("000_da9441d524ed042a")
    if provider == "anthropic":
        return httpx2.Response(200, json={
            "id": "msg_0", "type": "message", "role": "assistant", "model": "m",
            "content": [{"type": "tool_use", "id": "t0", "name": "IncidentExtraction",
                         "input": arguments}],
            "stop_reason": "tool_use", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10},
        })  # fmt: skip
    call = {
        "id": "c0",
        "type": "function",
        "function": {"name": "IncidentExtraction", "arguments": json.dumps(arguments)},
    }
    return httpx2.Response(200, json={
        "id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    })  # fmt: skip


def _sent(
    monkeypatch: pytest.MonkeyPatch, provider: str, prompt: str, documents: list[Document]
) -> list[dict[str, Any]]:
    """The request bodies the provider sends for ``documents``, one each."""
    bodies: list[dict[str, Any]] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return _answer(request, provider)

    def client(*args: Any, **kwargs: Any) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))

    monkeypatch.setattr(f"extractor.providers.{provider}.http_client", client)
    monkeypatch.setenv("EXTRACTOR_API_KEY", "sk-test")
    settings = load_settings(
        {
            "base_url": "http://127.0.0.1:9/v1",
            "prompt": prompt,
            "max_retries": 0,
            "context_window": 128000,
            "cache": False,
        }
    )
    backend = make_backend(f"{provider}/m", settings)

    async def go() -> None:
        try:
            for document in documents:
                await backend.extract(document)
        finally:
            await backend.aclose()

    asyncio.run(go())
    return bodies


def _in_reading_order(body: dict[str, Any], provider: str) -> list[tuple[str, str]]:
    """The request as the provider reads it: tools, then system, then the messages."""
    dump = json.dumps
    parts = [("tools", dump(body.get("tools"), sort_keys=True))]
    if provider == "anthropic":
        parts.append(("system", dump(body.get("system"))))
    parts += [(m["role"], dump(m["content"])) for m in body["messages"]]
    return parts


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("prompt", ["incident@v1", "incident@v2", "incident@v3"])
def test_everything_before_the_article_is_byte_identical_across_articles(
    monkeypatch: pytest.MonkeyPatch, provider: str, prompt: str
) -> None:
    articles = [
        Document(doc_id="a", text="CHICAGO - Police shot a man on Tuesday, police said."),
        Document(
            doc_id="b", text="DENVER (AP) - An officer fired at a driver.", published="2024-05-01"
        ),
    ]
    first, second = (
        _in_reading_order(b, provider) for b in _sent(monkeypatch, provider, prompt, articles)
    )
    # the article is only in the last (user) message; everything before it is byte-identical
    assert first[:-1] == second[:-1]
    assert all(a.text not in part for a in articles for _, part in first[:-1] + second[:-1])
    static = first[:-1]
    assert static[0][0] == "tools" and static[0][1] != "null"
    assert [role for role, _ in static][-1] == "system"
    user_a, user_b = first[-1][1], second[-1][1]
    assert articles[0].text in user_a and articles[1].text in user_b
    if provider == "anthropic":  # the breakpoint closes the static prefix
        system = json.loads(static[-1][1])
        assert system[-1]["cache_control"] == {"type": "ephemeral"}


def test_the_cost_table_derives_cached_tokens_by_each_providers_rule() -> None:
    assert cached_tokens("openai/gpt-4o-mini", 1600) == 1536  # whole 128-token blocks
    assert cached_tokens("openai/gpt-4o-mini", 1000) == 0  # under 1,024: never cached
    assert cached_tokens("anthropic/claude-3-5-haiku-latest", 2086) == 2086  # to the breakpoint
    assert cached_tokens("anthropic/claude-3-5-haiku-latest", 1954) == 0  # under Haiku's 2,048
    haiku = Price(0.8, 4.0, cached_input_per_mtok=0.08, cache_write_per_mtok=1.0)
    tokens = Tokens(prompt=3000, static=2500, completion=1000)
    # one request writes 2,500 tokens, 999 read them; 500 uncached and 1,000 out each
    write = 500 * 0.8 + 2500 * 1.0 + 1000 * 4.0
    read = 500 * 0.8 + 2500 * 0.08 + 1000 * 4.0
    cost = per_thousand(haiku, "anthropic/claude-3-5-haiku-latest", tokens, 2500)
    assert cost == pytest.approx((write + 999 * read) / 1e6)
