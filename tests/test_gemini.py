"""``gemini/`` models: the one table for google-genai's errors, its key variables, --base-url and
``usage_metadata``. The end-to-end runs (clean, re-ask, 503 retried, refused key) are in
``tests/test_provider_cassettes.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
import vcr
from google.genai import errors, types
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import ConfigError
from extractor.predictions import PredictionLine
from extractor.providers.gemini import GeminiProvider, usage_of, usage_of_body
from extractor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_da9441d524ed042a.txt"
MODEL = "gemini/gemini-2.5-flash"
KEY = "AIzaSy-test-gemini-key"


def api_error(code: int, status: str, details: list[dict[str, Any]] | None = None) -> Exception:
    body = {"error": {"code": code, "message": "m", "status": status, "details": details or []}}
    kind = errors.ClientError if code < 500 else errors.ServerError
    return kind(code, body)


@pytest.fixture
def gemini(monkeypatch: pytest.MonkeyPatch) -> GeminiProvider:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    return GeminiProvider(MODEL, Settings())


@pytest.mark.parametrize(
    ("code", "status", "retryable", "auth"),
    [
        (400, "INVALID_ARGUMENT", False, False), (401, "UNAUTHENTICATED", False, True),
        (403, "PERMISSION_DENIED", False, True), (404, "NOT_FOUND", False, True),
        (408, "DEADLINE_EXCEEDED", True, False), (429, "RESOURCE_EXHAUSTED", True, False),
        (500, "INTERNAL", True, False), (503, "UNAVAILABLE", True, False),
        (504, "DEADLINE_EXCEEDED", True, False),
    ],
)  # fmt: skip
def test_sdk_errors_are_classified_by_one_table(
    gemini: GeminiProvider, code: int, status: str, retryable: bool, auth: bool
) -> None:
    exc = api_error(code, status)
    assert (gemini.is_retryable(exc), gemini.is_auth_failure(exc)) == (retryable, auth)
    failure = gemini.translate(exc)
    assert failure is not None and failure.status == code
    assert failure.message == f"{code} {status}: m"
    timeout = httpx2.ReadTimeout("timed out")
    assert gemini.is_retryable(timeout) and not gemini.is_auth_failure(timeout)
    assert gemini.is_retryable(httpx2.ConnectError("refused"))
    assert not gemini.is_retryable(ValueError("not the provider's"))


def test_a_wrong_key_is_a_refused_key_although_gemini_answers_400(gemini: GeminiProvider) -> None:
    info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
    exc = api_error(400, "INVALID_ARGUMENT", [info])
    assert gemini.is_auth_failure(exc) and not gemini.is_retryable(exc)


def test_a_429_waits_as_long_as_its_retry_info_asks(gemini: GeminiProvider) -> None:
    retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37.5s"}
    failure = gemini.translate(api_error(429, "RESOURCE_EXHAUSTED", [retry]))
    assert failure is not None and failure.retry_after == 37.5
    plain = gemini.translate(api_error(429, "RESOURCE_EXHAUSTED"))
    assert plain is not None and plain.retry_after is None  # then our own backoff


def test_only_the_gemini_key_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-gemini")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-not-for-gemini")
    with pytest.raises(ConfigError, match="GOOGLE_API_KEY or GEMINI_API_KEY"):
        GeminiProvider(MODEL, Settings())
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini")
    assert GeminiProvider(MODEL, Settings()).api_key == "from-gemini"
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google")  # the SDK's precedence, kept
    assert GeminiProvider(MODEL, Settings()).api_key == "from-google"


def test_base_url_sends_the_gemini_key_there_and_no_other(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = "http://127.0.0.1:8931"
    clean = (ROOT / "cassettes" / "gemini_clean.yaml").read_text(encoding="utf-8")
    (tmp_path / "local.yaml").write_text(
        clean.replace("https://generativelanguage.googleapis.com", base), encoding="utf-8"
    )
    sent: list[Any] = []

    def capture(request: Any) -> Any:
        sent.append(dict(request.headers))
        return request

    replay = vcr.VCR(
        cassette_library_dir=str(tmp_path),
        record_mode="none",
        match_on=["method", "scheme", "host", "port", "path"],
        before_record_request=capture,
    )
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-gemini")
    out = tmp_path / "out.jsonl"
    with replay.use_cassette("local.yaml") as played:
        result = CliRunner().invoke(
            app, ["run", str(SEED), "-m", MODEL, "--base-url", base, "-o", str(out)]
        )
        assert played.all_played, result.output
    assert result.exit_code == 0, result.output
    (line,) = [PredictionLine.from_json(raw) for raw in out.read_bytes().splitlines()]
    assert line.ok and line.attempts == 1
    # the headerless requests are the cassette's own, read as it loads
    live = [{name.lower(): value for name, value in headers.items()} for headers in sent if headers]
    assert live and all(headers["x-goog-api-key"] == KEY for headers in live)
    assert all("authorization" not in headers for headers in live)
    assert "sk-openai-not-for-gemini" not in str(live)


def test_usage_metadata_counts_thinking_as_output_and_cache_within_the_prompt() -> None:
    """The SDK's object and the JSON body (the rate limiter's) read the same."""
    metadata = types.GenerateContentResponseUsageMetadata(
        prompt_token_count=3100,  # of which 2048 read from the cache
        cached_content_token_count=2048,
        candidates_token_count=420,
        thoughts_token_count=80,
        total_token_count=3600,
    )
    usage = usage_of(metadata)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == (3100, 500, 2048)
    body = {
        "usageMetadata": {
            "promptTokenCount": 3100,
            "cachedContentTokenCount": 2048,
            "candidatesTokenCount": 420,
            "thoughtsTokenCount": 80,
        }
    }
    assert usage_of_body(body) == usage
    assert usage_of_body({"candidates": []}) is None
