"""What real answers broke, replayed from cassettes recorded from a real model.

Every cassette in ``cassettes/real/`` was recorded by ``cassettes/record_real.py`` from
llama-cpp-python's server running SmolLM2-135M-Instruct (Q4_1) on this project's CPU machine,
through the real extractor path (CLI, openai client, instructor): nothing in them is written by
hand. The recorder rewrites the server's loopback port to :data:`LLAMA_URL`, so replay needs no
server. Each test asserts what a user sees: the outcome in the output line, the error's type and
message, the attempts and the tokens counted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import PredictionLine
from tests.conftest import CASSETTES, ROOT

#: The fixed server address written into the cassettes (llama.cpp's default port).
LLAMA_URL = "http://127.0.0.1:8080/v1"
#: Set by cassettes/record_real.py: the real server that the cassettes are recorded from.
RECORD_URL = os.environ.get("EXTRACTOR_RECORD_LLAMA_URL")
SEED = "seeds/000_da9441d524ed042a.txt"


def _fixed_port(request: Any) -> Any:
    if RECORD_URL:
        request.uri = request.uri.replace(RECORD_URL.removesuffix("/v1"), "http://127.0.0.1:8080")
    return request


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    return {**vcr_config, "before_record_request": _fixed_port}


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "real")


def run(
    tmp_path: Path, *flags: str, prompt: str = "incident@v3", seed: str = SEED
) -> tuple[Result, PredictionLine]:
    """``extractor run`` on the seed against the (recorded) server: its result and its line."""
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "run", seed, "-o", str(out), "--quiet", "--model", "openai/smollm2",
            "--base-url", RECORD_URL or LLAMA_URL, "--prompt", prompt, "--timeout", "900",
            "--http-retries", "0", "--no-cache", *flags,
        ],
    )  # fmt: skip
    assert "bug in extractor" not in result.output, result.output
    [line] = [PredictionLine.from_json(text) for text in out.read_text().splitlines()]
    return result, line


def short_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_tokens: int) -> None:
    """The shipped prompts with incident@v3's max_tokens cut to ``max_tokens``."""
    root = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", root)
    meta = root / "incident" / "v3" / "meta.toml"
    text, count = re.subn(r"(?m)^max_tokens = \d+$", f"max_tokens = {max_tokens}", meta.read_text())
    assert count == 1, meta
    meta.write_text(text)
    monkeypatch.setenv("EXTRACTOR_PROMPTS_PATH", str(root))


def bodies(vcr: Any) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in vcr.requests if r.method == "POST"]


def answers(vcr: Any) -> list[dict[str, Any]]:
    return [
        json.loads(r["body"]["string"])
        for q, r in zip(vcr.requests, vcr.responses, strict=True)
        if q.method == "POST"
    ]


def arguments(answer: dict[str, Any]) -> str:
    """The tool-call arguments of a recorded chat completion, as the server wrote them."""
    return str(answer["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])


# --- 1. context overflow (server started with --n_ctx 512) --------------------------------------


@pytest.mark.vcr
def test_real_server_reports_no_window_and_answers_http_400_past_its_n_ctx(
    tmp_path: Path, vcr: Any
) -> None:
    # llama-cpp-python's server tells no context window: /props is 404, /v1/models has no n_ctx
    _, line = run(tmp_path, "--max-retries", "0")
    probes = [(r.method, r.path) for r in vcr.requests if r.method == "GET"]
    assert probes == [("GET", "/props"), ("GET", "/v1/models")]
    assert [r["status"]["code"] for r in vcr.responses[:2]] == [404, 200]
    assert line.outcome == "error" and line.error is not None
    assert line.error.type == "ProviderError"
    assert (
        "HTTP 400" in line.error.message and "maximum context length is 512" in line.error.message
    )
    assert line.attempts == 1


@pytest.mark.vcr
def test_real_server_with_context_window_given_is_refused_before_sending(
    tmp_path: Path, vcr: Any
) -> None:
    _, line = run(tmp_path, "--context-window", "512")
    assert line.error is not None and line.error.type == "ContextWindowError"
    assert "over the context window of 512 tokens (--context-window)" in line.error.message
    assert vcr.requests == []  # nothing was sent, not even the window probes


# --- 2. output limit ----------------------------------------------------------------------------


@pytest.mark.vcr
def test_real_answer_cut_off_at_max_tokens_is_an_output_limit_error_after_one_re_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    short_prompts(tmp_path, monkeypatch, max_tokens=16)
    _, line = run(tmp_path, "--max-retries", "1")
    real = answers(vcr)
    # the server says "tool_calls", not "length", for a tool call it cut off: the usage tells
    assert [a["choices"][0]["finish_reason"] for a in real] == ["tool_calls", "tool_calls"]
    assert [a["usage"]["completion_tokens"] for a in real] == [16, 16]
    assert line.error is not None and line.error.type == "OutputLimitError"
    assert "ran out of output tokens after 2 attempt(s)" in line.error.message
    assert "max_tokens 16" in line.error.message
    assert line.attempts == 2
    assert line.usage.completion_tokens == sum(a["usage"]["completion_tokens"] for a in real) == 32
    assert line.usage.prompt_tokens == sum(a["usage"]["prompt_tokens"] for a in real) > 0
    assert "cut off at the output limit of 16 tokens" in bodies(vcr)[1]["messages"][-1]["content"]


# --- --mode against llama-cpp-python's server ---------------------------------------------------


@pytest.mark.vcr
def test_real_server_refuses_json_schema_with_http_500_and_says_try_mode_json(
    tmp_path: Path, vcr: Any
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "run", SEED, "-o", str(tmp_path / "out.jsonl"), "--quiet", "--model", "openai/smollm2",
            "--base-url", RECORD_URL or LLAMA_URL, "--prompt", "incident@v3", "--mode", "json_schema",
        ],
    )  # fmt: skip
    print(result.output)
    assert result.exit_code != 0
    assert "HTTP 500" in result.output and "try --mode json (or --mode tools)" in result.output
    assert [r["status"]["code"] for r in vcr.responses if r["status"]["code"] == 500] == [500]


# --- 5. a runaway string ------------------------------------------------------------------------


@pytest.mark.vcr
def test_real_runaway_string_is_cut_off_at_max_tokens_and_re_asked_shorter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    short_prompts(tmp_path, monkeypatch, max_tokens=120)
    _, line = run(tmp_path, "--max-retries", "1")
    real = [arguments(a) for a in answers(vcr)]
    # SmolLM2 copied the article into "city" (bound: 80 characters) until max_tokens stopped it
    assert all(text.startswith('{ "city" : "2023-06-27 }\nCBS (CNN)') for text in real)
    assert all(len(text) > 400 and '",' not in text for text in real)
    assert line.error is not None and line.error.type == "OutputLimitError"
    assert line.attempts == 2 and line.usage.completion_tokens == 240
    nudge = bodies(vcr)[1]["messages"][-1]["content"]
    assert nudge.startswith("Your answer was cut off at the output limit of 120 tokens")


@pytest.mark.vcr
def test_real_runaway_string_with_a_raw_newline_is_read_and_refused_by_the_length_bound(
    tmp_path: Path, vcr: Any
) -> None:
    _, line = run(tmp_path, "--max-retries", "1", seed="seeds/002_05d79c17f497fcab.txt")
    first, _ = answers(vcr)
    # SmolLM2 wrote 266 tokens into "city": a raw newline (which JSON forbids in a string) and
    # the article in it. Read as the JSON it means, the value is refused by city's length bound
    runaway = arguments(first)
    assert runaway.startswith('{ "city" : "2024-12-11, 6:50 PM') and len(runaway) > 80 * 5
    assert "\n" in runaway.split('"city" : "', 1)[1].split('"', 1)[0]
    reask = bodies(vcr)[1]["messages"][-1]["content"]
    assert "Invalid JSON" not in reask and "city should have at most 80 characters" in reask
    # the refused answer is never kept, not even its other values (it had 30 shots fired)
    assert line.outcome == "record" and line.record is not None
    assert line.record.shots_fired_by_police is None
    # re-asked, SmolLM2 copied the abbreviated value out of pydantic's error message as its city
    assert line.record.city == "2024-12-11, 6:5... fire,"
    assert list(line.evidence) == ["city"] and not line.evidence["city"].grounded
    assert line.attempts == 2
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (824 + 1214, 266 + 29)


# --- 4. an empty record ------------------------------------------------------------------------


@pytest.mark.vcr
def test_real_empty_record_is_nudged_once_and_counted_apart(tmp_path: Path, vcr: Any) -> None:
    article = "evals/articles/s02_atlanta_knife_call.txt"
    _, line = run(tmp_path, "--max-retries", "1", seed=article)
    first, nudged = answers(vcr)
    # SmolLM2 filled no field (its one quote was for a field named "atlanta")
    assert '"field": "atlanta"' in arguments(first)
    nudge = (ROOT / "prompts/_nudges/empty.j2").read_text().strip()
    assert bodies(vcr)[1]["messages"][-1] == {"role": "user", "content": nudge}
    # nudged, it answered city "New York", state "NYC": invalid, so the empty record stands,
    # counted apart as empty rather than passed off as a record
    assert '"state":"NYC"' in arguments(nudged)
    assert line.outcome == "empty" and line.record is not None and not line.evidence
    assert line.attempts == 2
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (706 + 1112, 176 + 26)


# --- --mode json against llama-cpp-python's server ----------------------------------------------


@pytest.mark.vcr
def test_real_mode_json_answer_is_parsed_validated_and_re_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    short_prompts(tmp_path, monkeypatch, max_tokens=300)
    _, line = run(tmp_path, "--mode", "json", "--max-retries", "1")
    first, second = bodies(vcr)
    assert first["response_format"] == {"type": "json_object"} and "tools" not in first
    # SmolLM2 echoed the schema's title, twice: text parsed, validated, re-asked with the error
    real = answers(vcr)
    assert [a["choices"][0]["message"]["content"] for a in real] == [
        '{\n  "title": "IncidentExtraction"\n}'
    ] * 2
    assert "Extra inputs are not permitted" in second["messages"][-1]["content"]
    assert line.error is not None and line.error.type == "ValidationFailedError"
    assert "never gave a valid record after 2 attempt(s)" in line.error.message
    assert "title" in line.error.message and "--mode" in line.error.message
    assert line.attempts == 2
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (2171 + 2276, 26)
