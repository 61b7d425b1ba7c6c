"""Shared fixtures: isolated state, instant retry waits, and cassette replay settings.

Cassettes replay by default (``--record-mode=none`` in pyproject). Requests are matched on
method, URL and the JSON request body. See cassettes/README.md for how they were made.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASSETTES = ROOT / "cassettes"
OPENAI_URL = "https://api.openai.com/v1"
#: Set by cassettes/make_fixtures.py: the local simulator that fixture answers are recorded from.
RECORD_BASE_URL = os.environ.get("EXTRACTOR_RECORD_BASE_URL")

_SECRET_HEADERS = ["authorization", "api-key", "openai-organization", "openai-project", "cookie"]
_SCRUB_RESPONSE_HEADERS = {"openai-organization", "openai-project", "set-cookie", "x-request-id"}
# pydantic links its docs with its version in every error message that instructor re-asks with;
# strip the version so a cassette survives a pydantic upgrade
_PYDANTIC_URL = re.compile(r"https://errors\.pydantic\.dev/[0-9.]+/")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the user's state or keys: state goes to tmp_path, provider keys are stripped."""
    provider = {
        "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY",
    }  # fmt: skip
    for name in list(os.environ):
        ours = name.startswith("EXTRACTOR_") and name != "EXTRACTOR_RECORD_BASE_URL"
        if ours or name in provider:
            monkeypatch.delenv(name)
    home = tmp_path / "extractor-home"
    monkeypatch.setenv("EXTRACTOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def fast_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff and retry-after waits take no time in tests."""
    monkeypatch.setattr("extractor.retrying.WAIT_SCALE", 0.0)


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for a cassette-backed LLM run: a key (real only when re-recording)."""
    monkeypatch.setenv("OPENAI_API_KEY", os.environ.get("OPENAI_API_KEY") or "badkey")
    if RECORD_BASE_URL:
        monkeypatch.setenv("EXTRACTOR_BASE_URL", RECORD_BASE_URL)
    return {"OPENAI_API_KEY": os.environ["OPENAI_API_KEY"]}


def _json_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        return json.loads(_PYDANTIC_URL.sub("https://errors.pydantic.dev/", body or ""))
    except json.JSONDecodeError:
        return body


def json_body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the JSON request bodies are equal (key order and whitespace ignored)."""
    assert _json_body(r1) == _json_body(r2), "request bodies differ"


def _as_openai(request: Any) -> Any:
    """Record requests to the local simulator as if they went to the OpenAI API."""
    if RECORD_BASE_URL and request.uri.startswith(RECORD_BASE_URL):
        request.uri = OPENAI_URL + request.uri[len(RECORD_BASE_URL) :]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _SCRUB_RESPONSE_HEADERS:
            del headers[name]
    return response


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", json_body_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": _SECRET_HEADERS,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "before_record_request": _as_openai,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)
