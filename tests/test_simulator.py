"""The local OpenAI-compatible simulator (benchmarks/simulator.py), driven by the openai client."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openai
import pydantic
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests run from the repo root without an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.simulator import (  # noqa: E402
    KINDS,
    SimConfig,
    article_hash,
    default_answer,
    extract_article,
    run_simulator,
)
from extractor.evidence import ArticleText, Quote, filled_paths, ground  # noqa: E402
from extractor.schema import IncidentRecord  # noqa: E402

pytestmark = pytest.mark.slow  # starts the simulator (see the marker in pyproject.toml)

TOOL = "IncidentExtraction"
CHICAGO_ARTICLE = (
    "CHICAGO — A Chicago police officer shot and wounded a 24-year-old man Tuesday night "
    "in the 2200 block of West Maypole Avenue, police said. The man was taken to Stroger "
    "Hospital in serious condition.\n\nThe Civilian Office of Police Accountability is "
    "investigating."
)
OTHER_ARTICLE = (
    "Houston police said an officer fired at a car on Friday! Nobody was hurt. More later."
)


def _messages(article: str) -> list[dict[str, str]]:
    prompt = f"Extract the incident.\n\nPublished: 2021-02-03\n<article>\n{article}\n</article>\n"
    return [
        {"role": "system", "content": "You extract police use-of-force incidents."},
        {"role": "user", "content": prompt},
    ]


def _tools() -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": TOOL, "parameters": {"type": "object"}}}]


def _client(sim: Any, timeout: float = 10.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.base_url, api_key="sk-test", max_retries=0, timeout=timeout)


def _ask(client: openai.OpenAI, article: str = CHICAGO_ARTICLE, **extra: Any) -> Any:
    return client.chat.completions.create(
        model="sim-1",
        messages=_messages(article),  # type: ignore[arg-type]
        tools=_tools(),  # type: ignore[arg-type]
        tool_choice={"type": "function", "function": {"name": TOOL}},
        **extra,
    )


def _arguments(completion: Any) -> str:
    call = completion.choices[0].message.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == TOOL
    return str(call.function.arguments)


# --- pure helpers ------------------------------------------------------------------------------


def test_extract_article_takes_the_delimited_text_of_the_last_user_message() -> None:
    messages = [
        *_messages("first"),
        {"role": "assistant", "content": "..."},
        {"role": "user", "content": "intro\n<article>\n  the article \n</article>\nrules"},
        {"role": "user", "content": "Fix the errors above."},  # a re-ask turn without an article
    ]
    assert extract_article(messages) == "the article"
    assert extract_article([{"role": "user", "content": "no markers"}]) == "no markers"
    assert article_hash("the article\n") == article_hash("the article")
    assert article_hash("the article") != article_hash("another article")


@pytest.mark.parametrize("article", [CHICAGO_ARTICLE, OTHER_ARTICLE, "", "no sentence end"])
def test_default_answer_is_schema_valid_and_grounded(article: str) -> None:
    arguments = default_answer(article)
    quotes = [Quote.model_validate(item) for item in arguments.pop("evidence")]
    record = IncidentRecord.model_validate(arguments)
    evidence = ground(record, quotes, ArticleText(article))
    assert set(evidence) == set(filled_paths(record))
    assert all(item.grounded for item in evidence.values())
    assert all(q.quote in article for q in quotes)


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="unknown script kinds"):
        SimConfig(script=["ok", "418"])
    with pytest.raises(ValueError, match="more than 1"):
        SimConfig(p_500=0.6, p_503=0.6)
    with pytest.raises(ValueError, match="rpm"):
        SimConfig(rpm=0)


# --- through the openai client -----------------------------------------------------------------


def test_ok_answer_is_a_valid_tool_call_for_the_record() -> None:
    with run_simulator(SimConfig()) as sim, _client(sim) as client:
        assert sim.base_url.startswith("http://127.0.0.1:") and sim.base_url.endswith("/v1")
        completion = _ask(client)
        other = _ask(client, OTHER_ARTICLE)
        models = client.models.list()

        arguments = json.loads(_arguments(completion))
        quotes = [Quote.model_validate(item) for item in arguments.pop("evidence")]
        record = IncidentRecord.model_validate(arguments)
        assert (record.city, record.state) == ("Chicago", "IL")
        assert record.summary.startswith("CHICAGO — A Chicago police officer shot")
        assert {q.field for q in quotes} == {"city", "state"}
        assert all(q.quote in CHICAGO_ARTICLE for q in quotes)

        other_arguments = json.loads(_arguments(other))
        assert other_arguments["evidence"] == []
        other_arguments.pop("evidence")
        assert IncidentRecord.model_validate(other_arguments).city is None

        assert completion.object == "chat.completion"
        usage = completion.usage
        assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert usage.completion_tokens == len(_arguments(completion)) // 4
        assert [m.id for m in models.data] == ["sim-1"]

        stats = sim.stats
        assert stats.requests == 2
        assert stats.by_kind["ok"] == 2
        assert sum(stats.by_kind.values()) == 2
        assert stats.answers_for(CHICAGO_ARTICLE) == 1
        assert stats.answers == {article_hash(CHICAGO_ARTICLE): 1, article_hash(OTHER_ARTICLE): 1}
        assert len(stats.timestamps) == 2


def test_scripted_429_carries_retry_after_and_an_openai_error_body() -> None:
    with (
        run_simulator(SimConfig(script=["429", "ok"], retry_after_s=0.25)) as sim,
        _client(sim) as c,
    ):
        with pytest.raises(openai.RateLimitError) as caught:
            _ask(c)
        response = caught.value.response
        assert response.status_code == 429
        assert float(response.headers["retry-after"]) == pytest.approx(0.25)
        assert response.headers["retry-after-ms"] == "250"
        error = response.json()["error"]
        assert error["code"] == "rate_limit_exceeded"
        assert error["type"] == "requests"
        assert error["message"]
        json.loads(_arguments(_ask(c)))  # the script moves on to "ok"
        assert sim.stats.by_kind["429"] == 1 and sim.stats.by_kind["ok"] == 1
        assert sim.stats.rate_limited == {"requests": 0, "tokens": 0}  # scripted, not a limit
        assert sim.stats.answers_for(CHICAGO_ARTICLE) == 1


def test_openai_client_honours_retry_after_and_is_counted_as_a_retry() -> None:
    with (
        run_simulator(SimConfig(script=["429", "503", "ok"], retry_after_s=0.05)) as sim,
        openai.OpenAI(base_url=sim.base_url, api_key="sk-test", max_retries=2) as client,
    ):
        json.loads(_arguments(_ask(client)))
        assert sim.stats.requests == 3
        assert sim.stats.retried == 2


def test_scripted_500_and_503_raise_internal_server_error() -> None:
    with run_simulator(SimConfig(script=["500", "503"])) as sim, _client(sim) as client:
        with pytest.raises(openai.InternalServerError) as first:
            _ask(client)
        with pytest.raises(openai.InternalServerError) as second:
            _ask(client)
        assert first.value.status_code == 500
        assert second.value.status_code == 503
        assert first.value.response.json()["error"]["type"] == "server_error"
        assert sim.stats.by_kind["500"] == 1 and sim.stats.by_kind["503"] == 1
        assert sim.stats.answers == {}


def test_malformed_arguments_are_not_json() -> None:
    with run_simulator(SimConfig(script=["malformed"])) as sim, _client(sim) as client:
        text = _arguments(_ask(client))
        assert text.startswith("{")
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        assert sim.stats.by_kind["malformed"] == 1
        assert sim.stats.answers == {}


def test_schema_violation_is_json_that_the_record_rejects() -> None:
    with run_simulator(SimConfig(script=["schema_violation"])) as sim, _client(sim) as client:
        arguments = json.loads(_arguments(_ask(client)))
        arguments.pop("evidence")
        with pytest.raises(pydantic.ValidationError) as caught:
            IncidentRecord.model_validate(arguments)
        bad = {error["loc"][0] for error in caught.value.errors()}
        assert bad == {"police_hit_someone", "shots_fired_by_police"}
        assert sim.stats.by_kind["schema_violation"] == 1


def test_hang_times_the_client_out_and_shutdown_does_not_wait_for_it() -> None:
    started = time.monotonic()
    with run_simulator(SimConfig(script=["hang"], hang_s=2.0)) as sim:
        with _client(sim, timeout=0.5) as client, pytest.raises(openai.APITimeoutError):
            _ask(client)
        assert time.monotonic() - started < 1.8
        assert sim.stats.by_kind["hang"] == 1
    assert time.monotonic() - started < 1.9  # stopping did not sit out the 2 s hang
    assert sim.stats.answers == {}


def test_a_short_hang_ends_in_an_ok_answer() -> None:
    with run_simulator(SimConfig(script=["hang"], hang_s=0.3)) as sim, _client(sim) as client:
        started = time.monotonic()
        arguments = json.loads(_arguments(_ask(client)))
        assert time.monotonic() - started >= 0.3
        assert arguments["city"] == "Chicago"
        assert sim.stats.answers_for(CHICAGO_ARTICLE) == 1


def test_latency_delays_answers() -> None:
    with run_simulator(SimConfig(latency_ms=150, latency_jitter_ms=20)) as sim, _client(sim) as c:
        started = time.monotonic()
        _ask(c)
        elapsed = time.monotonic() - started
        assert 0.13 <= elapsed < 1.0


def test_rpm_limit_answers_429_beyond_the_limit() -> None:
    with run_simulator(SimConfig(rpm=3)) as sim, _client(sim) as client:
        outcomes: list[str] = []
        retry_after: list[float] = []
        for _ in range(5):
            try:
                _ask(client)
                outcomes.append("ok")
            except openai.RateLimitError as exc:
                outcomes.append("429")
                assert exc.response.json()["error"]["type"] == "requests"
                assert exc.response.json()["error"]["code"] == "rate_limit_exceeded"
                assert exc.response.headers["x-ratelimit-remaining-requests"] == "0"
                retry_after.append(float(exc.response.headers["retry-after"]))
        assert outcomes == ["ok", "ok", "ok", "429", "429"]
        assert all(55.0 < value <= 60.0 for value in retry_after)
        stats = sim.stats
        assert stats.requests == 5
        assert stats.by_kind["ok"] == 3 and stats.by_kind["429"] == 2
        assert stats.rate_limited == {"requests": 2, "tokens": 0}
        assert stats.answers_for(CHICAGO_ARTICLE) == 3
        assert stats.by_article[article_hash(CHICAGO_ARTICLE)] == {"ok": 3, "429": 2}
        assert stats.max_in_window(60.0) == 5


def test_tpm_limit_answers_429_of_type_tokens() -> None:
    with run_simulator(SimConfig(tpm=200)) as sim, _client(sim) as client:
        _ask(client)  # ~90 prompt tokens + ~150 completion tokens: the window is now full
        with pytest.raises(openai.RateLimitError) as caught:
            _ask(client)
        assert caught.value.response.json()["error"]["type"] == "tokens"
        assert 55.0 < float(caught.value.response.headers["retry-after"]) <= 60.0
        assert sim.stats.rate_limited == {"requests": 0, "tokens": 1}


def test_stream_true_is_rejected() -> None:
    with run_simulator(SimConfig()) as sim, _client(sim) as client:
        with pytest.raises(openai.BadRequestError):
            _ask(client, stream=True)
        assert sim.stats.by_kind["bad_request"] == 1


def test_custom_answer_callable_sees_the_article_and_the_request() -> None:
    seen: list[tuple[str, str]] = []

    def answer(article: str, request: dict[str, Any]) -> dict[str, Any]:
        seen.append((article, request["tool_choice"]["function"]["name"]))
        return {"summary": "custom", "evidence": []}

    with run_simulator(SimConfig(answer=answer)) as sim, _client(sim) as client:
        assert json.loads(_arguments(_ask(client))) == {"summary": "custom", "evidence": []}
    assert seen == [(CHICAGO_ARTICLE, TOOL)]


def _kinds_drawn(config: SimConfig, n: int) -> list[str]:
    kinds: list[str] = []
    with run_simulator(config) as sim, _client(sim) as client:
        for _ in range(n):
            before = sim.stats.by_kind
            with contextlib.suppress(openai.APIStatusError):
                _ask(client)
            after = sim.stats.by_kind
            kinds += [k for k in KINDS if after[k] != before[k]]
    return kinds


def test_random_faults_are_reproducible_from_the_seed() -> None:
    config = {"p_500": 0.3, "p_503": 0.1, "p_malformed": 0.2, "p_429": 0.1}
    first = _kinds_drawn(SimConfig(seed=7, **config), 40)
    again = _kinds_drawn(SimConfig(seed=7, **config), 40)
    other = _kinds_drawn(SimConfig(seed=8, **config), 40)
    assert first == again
    assert first != other
    assert len(first) == 40
    assert {"ok", "500", "malformed"} <= set(first)


def test_command_line_prints_its_base_url_and_serves() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "simulator.py"), "--script", "500,ok"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
            with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
                with pytest.raises(openai.InternalServerError):
                    _ask(client)
                json.loads(_arguments(_ask(client)))
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    final = json.loads(stderr.strip().splitlines()[-1])
    assert final["requests"] == 2
    assert final["by_kind"]["500"] == 1 and final["by_kind"]["ok"] == 1
