"""`extractor run` from the terminal: model choice, settings precedence, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import PredictionLine
from extractor.settings import Settings

runner = CliRunner()


def lines_of(path: Path) -> list[PredictionLine]:
    return [PredictionLine.from_json(line) for line in path.read_text().splitlines()]


def test_no_key_no_base_url_means_the_announced_offline_baseline(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["run", "seeds/", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "using the offline 'rules' baseline, not an LLM" in result.stderr
    lines = lines_of(out)
    assert len(lines) == 3 and all(
        line.model == "rules" and line.record is not None for line in lines
    )
    assert all(line.usage.total_tokens == 0 and line.cost_usd == 0 for line in lines)


def test_explicit_rules_model_is_not_announced_as_a_default(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "seeds/", "-m", "rules", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0 and "no model configured" not in result.stderr


def test_settings_precedence_flag_env_dotenv_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().concurrency == 8
    (tmp_path / ".env").write_text("EXTRACTOR_CONCURRENCY=3\nEXTRACTOR_TIMEOUT=5\n")
    assert (Settings().concurrency, Settings().timeout) == (3, 5)
    monkeypatch.setenv("EXTRACTOR_CONCURRENCY", "4")
    assert (Settings().concurrency, Settings().timeout) == (4, 5)
    assert Settings(concurrency=5).concurrency == 5


def test_a_key_alone_selects_the_default_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert Settings().resolved_model() == ("openai/gpt-4o-mini", False)
    monkeypatch.setenv("EXTRACTOR_MODEL", "openai/gpt-4o")
    assert Settings().resolved_model() == ("openai/gpt-4o", False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "gpt-4o"], "unknown model 'gpt-4o'"),
        (["-m", "openai/gpt-4o"], "needs an API key"),
        (["-m", "rules", "--prompt", "incident@v9"], None),
        (
            ["-m", "openai/x", "--base-url", "http://127.0.0.1:9/v1", "--prompt", "incident@v9"],
            "no prompt incident@v9",
        ),
    ],
)
def test_configuration_errors_are_one_line_with_a_hint(
    tmp_path: Path, args: list[str], message: str | None
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["run", "seeds/", "-o", str(out), *args])
    if message is None:  # the rules baseline uses no prompt, so a prompt flag cannot break it
        assert result.exit_code == 0
        return
    assert result.exit_code == 2
    assert message in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.output and not out.exists()  # nothing touched


def test_missing_input_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "no such file or folder" in result.stderr


def test_too_long_article_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTRACTOR_MAX_INPUT_TOKENS", "200")
    out = tmp_path / "out.jsonl"
    # the base URL is a closed port: any request would fail as a ProviderError instead
    result = runner.invoke(
        app,
        [
            "run",
            "seeds/",
            "-o",
            str(out),
            "-m",
            "openai/x",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--http-retries",
            "0",
        ],
    )
    assert result.exit_code == 1
    for line in lines_of(out):
        assert line.error is not None and line.error.type == "DocumentError"
        assert "takes at most 200 input tokens" in line.error.message and line.attempts == 0


def test_jsonl_input_to_csv_output(tmp_path: Path) -> None:
    source = tmp_path / "batch.jsonl"
    text = Path("seeds/002_05d79c17f497fcab.txt").read_text().split(" ", 3)[3]
    source.write_text(json.dumps({"doc_id": "x1", "text": text, "published": "2024-12-11"}) + "\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["run", str(source), "-m", "rules", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    header, row = out.read_text().splitlines()[:2]
    assert header.startswith("doc_id,model,prompt,schema_version,incident_date") and row.startswith(
        "x1,rules,"
    )
