"""Providers are registered, not if-chained: a test-only provider runs a real batch, and each
provider's SDK exceptions are classified by its one table."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import openai
import pytest
from typer.testing import CliRunner

from extractor import providers
from extractor.cli import app
from extractor.errors import ConfigError
from extractor.predictions import PredictionLine
from extractor.providers import Provider, provider
from extractor.providers.openai import OpenAIProvider
from extractor.settings import Settings
from tests.fake_provider import CALL_USAGE, FakeProvider, Script

ARTICLE = "CHICAGO - Police shot a man on State Street on {day}, officials said. He survived."
KEY = "fk-9f8e7d6c5b4a"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Script:
    """Register ``fake/`` for this test only, with a key in its own variable."""
    monkeypatch.setattr(providers, "_REGISTRY", dict(providers._REGISTRY))
    provider("fake", about="the tests' fake")(lambda: FakeProvider)
    monkeypatch.setattr(FakeProvider, "script", Script())
    monkeypatch.setenv("FAKE_API_KEY", KEY)
    return FakeProvider.script


def articles(tmp_path: Path, *days: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for day in days:
        (folder / f"{day.lower()}.txt").write_text(ARTICLE.format(day=day), encoding="utf-8")
    return folder


def test_a_registered_provider_runs_a_batch_through_the_strategy(
    fake: Script, tmp_path: Path
) -> None:
    fake.outcomes = {
        "Monday": ["ok"],
        "Tuesday": ["invalid", "ok"],  # re-asked with the validation error
        "Wednesday": ["ungrounded", "ungrounded"],  # re-asked, then kept and flagged
        "Thursday": [503, "ok"],  # transient: retried by the strategy
        "Friday": [400],  # refused: this article fails, the batch goes on
    }
    folder = articles(tmp_path, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"fake/m1": {"input_per_mtok": 1e6, "output_per_mtok": 2e6}}))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "run", str(folder), "-o", str(out), "-m", "fake/m1", "--prices", str(prices),
            "--max-retries", "1", "--http-retries", "1", "-q",
        ],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # one article failed
    lines = {
        line.doc_id: line for line in map(PredictionLine.from_json, out.read_text().splitlines())
    }
    assert {doc_id: line.attempts for doc_id, line in lines.items()} == {
        "monday": 1, "tuesday": 2, "wednesday": 2, "thursday": 2, "friday": 1,
    }  # fmt: skip
    ok = lines["monday"]
    assert ok.model == "fake/m1" and ok.record is not None and ok.record.city == "Chicago"
    assert ok.evidence["city"].grounded and ok.evidence["city"].quote == "CHICAGO"
    assert ok.cost_usd == pytest.approx(CALL_USAGE[0] + 2 * CALL_USAGE[1])  # the price table's
    reasked = [s.reask_with for s in fake.sent if "Tuesday" in s.article]
    assert reasked[0] is None and reasked[1] is not None and "police_hit_someone" in reasked[1]
    assert (
        lines["tuesday"].record is not None and lines["tuesday"].record.police_hit_someone is None
    )
    kept = lines["wednesday"]
    assert kept.record is not None and kept.record.city == "Chicago"
    assert not kept.evidence["city"].grounded and kept.evidence["state"].grounded
    assert lines["thursday"].ok and lines["thursday"].usage.total_tokens == sum(CALL_USAGE)
    failed = lines["friday"].error
    assert failed is not None and failed.type == "ProviderError"
    assert "HTTP 400" in failed.message and KEY not in failed.message
    assert "[redacted]" in failed.message  # the echoed key, whatever its shape


def test_a_refused_key_stops_the_batch_naming_the_providers_variable(
    fake: Script, tmp_path: Path
) -> None:
    fake.outcomes = {"Monday": [401]}
    result = CliRunner().invoke(
        app, ["run", str(articles(tmp_path, "Monday")), "-m", "fake/m1", "-o", "-"]
    )
    assert result.exit_code == 2
    assert "fake/m1 was refused by the provider (HTTP 401)" in result.stderr
    assert "FAKE_API_KEY or EXTRACTOR_API_KEY" in result.stderr and KEY not in result.output


def test_a_provider_without_its_key_says_which_variable_to_set(
    fake: Script, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FAKE_API_KEY")
    result = CliRunner().invoke(
        app, ["run", str(articles(tmp_path, "Monday")), "-m", "fake/m1", "-o", "-"]
    )
    assert result.exit_code == 2
    assert "model 'fake/m1' needs an API key" in result.stderr
    assert "FAKE_API_KEY (or EXTRACTOR_API_KEY)" in result.stderr
    monkeypatch.setenv("EXTRACTOR_API_KEY", "generic-override")
    assert FakeProvider("fake/m1", Settings()).api_key == "generic-override"


def test_a_missing_sdk_names_the_exact_install_command(
    fake: Script, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def ghost() -> type[Provider]:
        raise ImportError("No module named 'ghostsdk'", name="ghostsdk")

    provider("ghost", extra="ghost")(ghost)
    result = CliRunner().invoke(
        app, ["run", str(articles(tmp_path, "Monday")), "-m", "ghost/g1", "-o", "-"]
    )
    assert result.exit_code == 2
    assert "model 'ghost/g1' needs the 'ghostsdk' package" in result.stderr
    assert "pip install 'extractor[ghost]'" in result.stderr
    unknown = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "-m", "nope/x", "-o", "-"])
    assert unknown.exit_code == 2 and "unknown model 'nope/x'" in unknown.stderr
    assert "'fake/<name>'" in unknown.stderr and "'openai/<name>'" in unknown.stderr


def _status_error(status: int) -> openai.APIStatusError:
    response = httpx2.Response(status, request=httpx2.Request("POST", "http://127.0.0.1/v1"))
    return openai.OpenAI(api_key="x", base_url="http://127.0.0.1/v1")._make_status_error(
        "refused", body=None, response=response
    )


@pytest.mark.parametrize(
    ("status", "retryable", "auth"),
    [
        (400, False, False), (401, False, True), (403, False, True), (404, False, True),
        (408, True, False), (409, True, False), (422, False, False), (429, True, False),
        (500, True, False), (503, True, False),
    ],
)  # fmt: skip
def test_openai_errors_are_classified_by_one_table(
    status: int, retryable: bool, auth: bool
) -> None:
    exc = _status_error(status)
    classify = OpenAIProvider("openai/gpt-4o-mini", Settings(api_key="sk-test"))
    assert (classify.is_retryable(exc), classify.is_auth_failure(exc)) == (retryable, auth)
    timeout = openai.APITimeoutError(request=httpx2.Request("POST", "http://127.0.0.1/v1"))
    assert classify.is_retryable(timeout) and not classify.is_auth_failure(timeout)
    assert not classify.is_retryable(ValueError("not the provider's"))


def test_another_providers_key_is_never_sent_to_this_one(
    fake: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an OpenAI key in the environment must not reach the fake provider (or any other)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-fake")
    assert FakeProvider("fake/m1", Settings()).api_key == KEY
    monkeypatch.delenv("FAKE_API_KEY")
    with pytest.raises(ConfigError, match="FAKE_API_KEY"):
        FakeProvider("fake/m1", Settings())


def test_a_rerun_asks_only_for_what_failed_and_no_cache_asks_again(
    fake: Script, tmp_path: Path
) -> None:
    """The response cache on the run path: successes answered from it, failures never cached."""
    fake.outcomes = {"Friday": [400, 400, 400]}
    folder = articles(tmp_path, "Monday", "Friday")

    def run(name: str, *flags: str) -> dict[str, PredictionLine]:
        out = tmp_path / name
        argv = ["run", str(folder), "-o", str(out), "-m", "fake/m1", "--http-retries", "0"]
        result = CliRunner().invoke(app, [*argv, "-q", *flags])
        assert result.exit_code == 1, result.output  # Friday fails each time
        return {
            line.doc_id: line
            for line in map(PredictionLine.from_json, out.read_text().splitlines())
        }

    def asked(day: str) -> int:
        return sum(day in sent.article for sent in fake.sent)

    first = run("first.jsonl")
    assert (asked("Monday"), asked("Friday")) == (1, 1)
    second = run("second.jsonl")
    assert (asked("Monday"), asked("Friday")) == (1, 2)  # only the failure was asked again
    assert second["monday"].cached and second["monday"].record == first["monday"].record
    assert not second["friday"].ok and not second["friday"].cached
    third = run("third.jsonl", "--no-cache")
    assert asked("Monday") == 2 and not third["monday"].cached
