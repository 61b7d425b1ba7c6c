"""``anthropic/<name>`` models through the real ``anthropic`` SDK and instructor, from cassettes.

The cassettes are hand-written fixtures (``cassettes/make_anthropic_fixtures.py``), replayed in
order and matched on method and URL: a clean extraction, a re-ask after a schema violation, an
overloaded (529) answer retried, and a rejected key. Without the SDK installed, an
``anthropic/`` model names the exact install command.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import PredictionLine
from extractor.pricing import load_prices

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_da9441d524ed042a.txt"
MODEL = "anthropic/claude-3-5-haiku-latest"
ANSWER = json.loads((ROOT / "cassettes/answers/000_da9441d524ed042a.json").read_text())
#: tokens each fixture message reports
IN, OUT = 3100, 420


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["x-api-key", "authorization"],
        "match_on": ["method", "scheme", "host", "port", "path"],
        "allow_playback_repeats": False,
    }


@pytest.fixture(autouse=True)
def anthropic_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", os.environ.get("ANTHROPIC_API_KEY") or "badkey")


def run(tmp_path: Path) -> tuple[int, str, list[PredictionLine]]:
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", str(SEED), "--model", MODEL, "-o", str(output)])
    lines = (
        [PredictionLine.from_json(raw) for raw in output.read_bytes().splitlines()]
        if output.exists()
        else []
    )
    return result.exit_code, result.output, lines


@pytest.mark.vcr("anthropic_clean.yaml")
def test_clean_extraction(tmp_path: Path) -> None:
    code, out, (line,) = run(tmp_path)
    assert code == 0, out
    assert line.ok and line.attempts == 1 and line.model == MODEL
    assert line.record is not None and line.record.incident_date == ANSWER["incident_date"]
    assert all(evidence.grounded for evidence in line.evidence.values())
    assert (line.usage.prompt_tokens, line.usage.completion_tokens) == (IN, OUT)
    price = load_prices()[MODEL]
    assert line.cost_usd == round(price.cost(IN, OUT), 8)


@pytest.mark.vcr("anthropic_reask.yaml")
def test_schema_violation_is_reasked(tmp_path: Path) -> None:
    code, out, (line,) = run(tmp_path)
    assert code == 0, out
    assert line.ok and line.attempts == 2
    assert (
        line.record is not None and line.record.police_hit_someone == ANSWER["police_hit_someone"]
    )
    assert line.usage.prompt_tokens == 2 * IN  # both answers' tokens counted


@pytest.mark.vcr("anthropic_overloaded_then_ok.yaml")
def test_overloaded_is_retried(tmp_path: Path) -> None:
    code, out, lines = run(tmp_path)
    assert code == 0 and len(lines) == 1, out
    (line,) = lines
    assert line.ok and line.attempts == 2


@pytest.mark.vcr("anthropic_auth_failure.yaml")
def test_rejected_key_stops_with_one_line(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path)
    assert code == 2
    flat = " ".join(out.split())
    assert f"error: {MODEL} was refused by the provider (HTTP 401)" in flat
    assert "ANTHROPIC_API_KEY" in flat and "badkey" not in flat


def test_without_the_sdk_the_model_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "anthropic", None)  # import anthropic -> ImportError
    monkeypatch.delitem(sys.modules, "extractor.providers.anthropic", raising=False)
    result = CliRunner().invoke(app, ["run", str(SEED), "--model", "anthropic/x"])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert "model 'anthropic/x' needs the 'anthropic' package, which is not installed" in flat
    assert "install it with: pip install 'extractor[anthropic]'" in flat
