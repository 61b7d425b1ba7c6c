"""``anthropic/`` and ``gemini/`` models through their real SDKs and instructor, from cassettes.

The cassettes are hand-written fixtures (``cassettes/make_provider_fixtures.py``), replayed in
order and matched on method and URL: a clean extraction, a re-ask after a schema violation, an
overloaded answer (529) retried (also after a re-ask), a rejected key (401), and answers cut off
at max_tokens. Each test runs once per provider in
``MODELS``. Without its SDK installed, a model names the exact install command.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import vcr
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import PredictionLine
from extractor.pricing import load_prices

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_da9441d524ed042a.txt"
ANSWER = json.loads((ROOT / "cassettes/answers/000_da9441d524ed042a.json").read_text())
#: provider -> (model, its key variable, the status a rejected key gets)
MODELS = {
    "anthropic": ("anthropic/claude-3-5-haiku-latest", "ANTHROPIC_API_KEY", "HTTP 401"),
    # Gemini answers a wrong key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID
    "gemini": ("gemini/gemini-2.5-flash", "GEMINI_API_KEY", "HTTP 400"),
}
#: tokens each fixture answer reports
IN, OUT = 3100, 420
#: of IN, (read from, written to) the provider's prompt cache by the first answer and by a
#: later one (Anthropic's fixtures cache the 2,048-token static prefix; input_tokens is the rest)
CACHE = {
    "anthropic": ((0, 2048), (2048, 0)),
    "gemini": ((0, 0), (2048, 0)),  # implicit caching: the re-ask's repeated prefix, read only
}
REPLAY = vcr.VCR(
    cassette_library_dir=str(ROOT / "cassettes"),
    record_mode="none",
    match_on=["method", "scheme", "host", "port", "path"],
    filter_headers=["x-api-key", "x-goog-api-key", "authorization"],
)


@pytest.fixture(params=sorted(MODELS))
def provider(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test once per provider, with its key variable set (real only when re-recording)."""
    variable = MODELS[request.param][1]
    monkeypatch.setenv(variable, os.environ.get(variable) or "badkey")
    return str(request.param)


def run(
    tmp_path: Path, provider: str, scenario: str, *options: str
) -> tuple[int, str, list[PredictionLine]]:
    output = tmp_path / "out.jsonl"
    with REPLAY.use_cassette(f"{provider}_{scenario}.yaml") as played:
        args = ["run", str(SEED), "--model", MODELS[provider][0], "-o", str(output), *options]
        result = CliRunner().invoke(app, args)
        assert played.all_played, "the run made fewer requests than the cassette holds"
    raw = output.read_bytes().splitlines() if output.exists() else []
    return result.exit_code, result.output, [PredictionLine.from_json(line) for line in raw]


def only_line(
    tmp_path: Path, provider: str, scenario: str, *options: str, exit_code: int = 0
) -> PredictionLine:
    """The one line a run of the seed on ``scenario`` writes, the run having exited so."""
    code, out, lines = run(tmp_path, provider, scenario, *options)
    assert code == exit_code and len(lines) == 1, out
    assert "bug in extractor" not in out
    return lines[0]


def test_clean_extraction(tmp_path: Path, provider: str) -> None:
    line = only_line(tmp_path, provider, "clean")
    assert line.ok and line.attempts == 1 and line.model == MODELS[provider][0]
    assert line.record is not None and line.record.incident_date == ANSWER["incident_date"]
    assert line.evidence and all(evidence.grounded for evidence in line.evidence.values())
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (IN, OUT)
    (cached, written), _ = CACHE.get(provider, ((0, 0), (0, 0)))
    assert (line.usage.cached_tokens, line.usage.cache_write_tokens) == (cached, written)
    price = load_prices()[MODELS[provider][0]]
    assert line.cost_usd == round(
        price.cost(IN, OUT, cached_tokens=cached, cache_write_tokens=written), 8
    )


def test_anthropic_cache_writes_and_reads_are_priced_at_their_rates() -> None:
    # claude-3-5-haiku: input $0.80, cache write $1.00, cache hit $0.08, output $4.00 per MTok;
    # the clean fixture's one answer: 1,052 uncached + 2,048 written + 420 out
    price = load_prices()["anthropic/claude-3-5-haiku-latest"]
    assert price.cost(3100, 420, cache_write_tokens=2048) == pytest.approx(
        (1052 * 0.80 + 2048 * 1.00 + 420 * 4.00) / 1e6  # $0.0045696
    )
    # the re-ask's second answer reads the prefix back: 1,052 + 2,048 at $0.08 + 420 out
    assert price.cost(3100, 420, cached_tokens=2048) == pytest.approx(
        (1052 * 0.80 + 2048 * 0.08 + 420 * 4.00) / 1e6  # $0.00357344
    )
    # through Message Batches every rate is halved, cache reads and writes included
    batch = price.batch()
    assert batch is not None
    assert batch.cost(3100, 420, cache_write_tokens=2048) == pytest.approx(0.0045696 / 2)


def test_schema_violation_is_reasked(tmp_path: Path, provider: str) -> None:
    line = only_line(tmp_path, provider, "reask")
    assert line.ok and line.attempts == 2
    assert (
        line.record is not None and line.record.police_hit_someone == ANSWER["police_hit_someone"]
    )
    assert line.usage.prompt_tokens == 2 * IN  # both answers' tokens counted
    first, later = CACHE.get(provider, ((0, 0), (0, 0)))
    assert (line.usage.cached_tokens, line.usage.cache_write_tokens) == (
        first[0] + later[0],
        first[1] + later[1],
    )


def test_overloaded_is_retried(tmp_path: Path, provider: str) -> None:
    line = only_line(tmp_path, provider, "overloaded_then_ok")
    assert line.ok and line.attempts == 2


def test_an_answer_before_a_failed_re_ask_is_counted(tmp_path: Path, provider: str) -> None:
    # an invalid answer, its re-ask refused as overloaded, the call retried: the first answer's
    # tokens are paid for, so they are counted with the retried call's
    line = only_line(tmp_path, provider, "reask_then_overloaded")
    assert line.ok and line.attempts == 3
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (2 * IN, 2 * OUT)


def test_rejected_key_stops_with_one_line(tmp_path: Path, provider: str) -> None:
    code, out, _ = run(tmp_path, provider, "auth_failure")
    assert code == 2, out
    model, variable, status = MODELS[provider]
    flat = " ".join(out.split())
    assert f"error: {model} was refused by the provider ({status})" in flat
    assert variable in flat and "badkey" not in flat


#: the stop reason each provider gives an answer cut off at max_tokens
CUT_REASON = {"anthropic": "stop_reason 'max_tokens'", "gemini": "finishReason MAX_TOKENS"}
CUT_OUT = 2000  # completion tokens a cut-off fixture answer reports


def test_an_answer_cut_off_at_max_tokens_is_asked_again_and_the_whole_answer_kept(
    tmp_path: Path, provider: str
) -> None:
    line = only_line(tmp_path, provider, "cut_off_then_ok")
    assert line.ok and line.attempts == 2
    assert line.record is not None and line.record.people and line.record.summary
    assert line.record.police_hit_someone == ANSWER["police_hit_someone"]  # past the cut
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (2 * IN, CUT_OUT + OUT)


def test_an_answer_cut_off_twice_is_an_output_limit_error_with_its_tokens(
    tmp_path: Path, provider: str
) -> None:
    line = only_line(tmp_path, provider, "cut_off_twice", exit_code=1)
    # never a record, though Anthropic's cut answer holds three fields that validate on their own
    assert line.record is None and line.error is not None
    assert line.error.type == "OutputLimitError" and line.attempts == 2
    assert f"cut off at max_tokens 4000 ({CUT_REASON[provider]})" in line.error.message
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (2 * IN, 2 * CUT_OUT)
    assert line.cost_usd and line.cost_usd > 0


def test_an_empty_record_is_asked_again_with_the_answer_as_the_models_turn(
    tmp_path: Path, provider: str
) -> None:
    line = only_line(tmp_path, provider, "empty_then_ok")
    assert line.ok and line.attempts == 2 and line.outcome != "empty"
    assert line.record is not None and line.record.incident_date == ANSWER["incident_date"]
    assert line.usage.prompt_tokens == 2 * IN


def test_an_outage_after_a_cut_answer_is_the_failure_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "badkey")
    line = only_line(
        tmp_path, "gemini", "cut_off_then_unavailable", "--http-retries", "0", exit_code=1
    )
    assert line.error is not None and "HTTP 503" in line.error.message, line.error
    assert line.error.type != "OutputLimitError" and line.attempts == 2


@pytest.mark.parametrize(
    ("sdk", "module", "extra"),
    [("anthropic", "anthropic", "anthropic"), ("google.genai", "gemini", "gemini")],
)
def test_without_the_sdk_the_model_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, sdk: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, sdk, None)  # import <sdk> -> ImportError
    monkeypatch.delitem(sys.modules, f"extractor.providers.{module}", raising=False)
    result = CliRunner().invoke(app, ["run", str(SEED), "--model", f"{module}/x"])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    package = {"google.genai": "google-genai"}.get(sdk, sdk)  # the distribution pip installs
    assert f"model '{module}/x' needs the '{package}' package, which is not installed" in flat
    assert f"install it with: pip install 'extractor[{extra}]'" in flat
