"""The LLM path end to end, offline: the real openai client and instructor replaying cassettes.

The cassettes hold hand-written fixture answers served by the local simulator (see
cassettes/README.md); they test the tool's behaviour, not any model's quality.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import PredictionLine
from extractor.schema import IncidentRecord
from tests.llm_fixtures import fixture_answer

MODEL = "openai/gpt-4o-mini"
runner = CliRunner()


def run_cli(args: list[str]) -> Any:
    return runner.invoke(app, ["run", *args, "--model", MODEL, "--quiet"])


def read_output(path: Path) -> list[PredictionLine]:
    return [PredictionLine.from_json(line) for line in path.read_text().splitlines()]


def expected_record(doc_id: str) -> IncidentRecord:
    answer = fixture_answer(doc_id)
    answer.pop("evidence")
    return IncidentRecord.model_validate(answer)


@pytest.mark.vcr
def test_run_seeds_clean(tmp_path: Path, llm_env: dict[str, str]) -> None:
    out = tmp_path / "records.jsonl"
    result = run_cli(["seeds/", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = read_output(out)
    assert sorted(line.doc_id for line in lines) == [
        "000_da9441d524ed042a", "001_d8457e1c72a139c8", "002_05d79c17f497fcab",
    ]  # fmt: skip
    for line in lines:
        assert line.error is None
        assert line.model == MODEL
        assert line.prompt is not None and (line.prompt.name, line.prompt.version) == (
            "incident",
            "v1",
        )
        assert line.record == expected_record(line.doc_id)
        assert line.attempts == 1
        assert line.usage.total_tokens > 0 and line.cost_usd is not None and line.cost_usd > 0
        assert line.evidence and all(ev.grounded for ev in line.evidence.values())
    article = Path("seeds/002_05d79c17f497fcab.txt").read_text()
    line = next(line for line in lines if line.doc_id.startswith("002"))
    span = line.evidence["incident_time"]
    assert span.quote == "around 6:50 p.m."
    assert article.split(" ", 3)[3][span.start : span.end] == "around 6:50 p.m."


@pytest.mark.vcr
def test_reask_after_schema_violation(tmp_path: Path, llm_env: dict[str, str], vcr: Any) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli(["seeds/002_05d79c17f497fcab.txt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    [line] = read_output(out)
    assert line.record == expected_record(line.doc_id)
    assert line.attempts == 2
    # the second request re-asks with the validation error of the first answer
    first, second = (json.loads(request.body) for request in vcr.requests)
    assert len(second["messages"]) > len(first["messages"])
    assert "validation" in json.dumps(second["messages"][len(first["messages"]) :]).lower()
    # tokens of both calls are counted
    answers = [json.loads(r["body"]["string"])["usage"]["total_tokens"] for r in vcr.responses]
    assert line.usage.total_tokens == sum(answers)


@pytest.mark.vcr
def test_ungrounded_quote_is_reasked_then_flagged(
    tmp_path: Path, llm_env: dict[str, str], vcr: Any
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app,
        [
            "run",
            "seeds/002_05d79c17f497fcab.txt",
            "-o",
            str(out),
            "--model",
            MODEL,
            "--max-retries",
            "1",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    [line] = read_output(out)
    assert line.attempts == 2  # re-asked once, then kept
    assert line.record is not None and line.record.shots_fired_by_police == 3  # value kept
    flagged = {path for path, ev in line.evidence.items() if not ev.grounded}
    assert flagged == {"shots_fired_by_police"}  # grounding is per value
    assert line.evidence["shots_fired_by_police"].start is None
    second = json.loads(vcr.requests[1].body)
    assert "discharged his weapon three times" in json.dumps(second["messages"])


@pytest.mark.vcr
def test_rate_limit_then_success(tmp_path: Path, llm_env: dict[str, str], vcr: Any) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli(["seeds/000_da9441d524ed042a.txt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    [line] = read_output(out)
    assert line.record == expected_record(line.doc_id)
    assert [r["status"]["code"] for r in vcr.responses] == [429, 200]
    assert vcr.responses[0]["headers"].get("retry-after") or vcr.responses[0]["headers"].get(
        "Retry-After"
    )


@pytest.mark.vcr
def test_server_errors_exhaust_retries_and_batch_continues(
    tmp_path: Path, llm_env: dict[str, str]
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app,
        [
            "run", "seeds/000_da9441d524ed042a.txt", "seeds/001_d8457e1c72a139c8.txt", "-o", str(out),
            "--model", MODEL, "--http-retries", "2", "--concurrency", "1",
        ],
    )  # fmt: skip
    assert result.exit_code == 1  # one article failed
    by_id = {line.doc_id: line for line in read_output(out)}
    failed, done = by_id["000_da9441d524ed042a"], by_id["001_d8457e1c72a139c8"]
    assert failed.doc_id == "000_da9441d524ed042a" and failed.record is None
    assert failed.error is not None and failed.error.type == "ProviderError"
    assert "HTTP 500" in failed.error.message and failed.attempts == 3
    assert done.doc_id == "001_d8457e1c72a139c8" and done.record == expected_record(done.doc_id)
    assert "1" in result.stderr and "failed" in result.stderr


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_library_extract_matches_cli(llm_env: dict[str, str]) -> None:
    from extractor import extract
    from extractor.documents import iter_documents

    docs = [d for d in iter_documents(["seeds"]) if not hasattr(d, "error")]
    lines = extract(docs, model=MODEL)
    assert [line.doc_id for line in lines] == [d.doc_id for d in docs]
    assert all(line.record == expected_record(line.doc_id) for line in lines)


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_user_price_table_sets_the_cost(tmp_path: Path, llm_env: dict[str, str]) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({MODEL: {"input_per_mtok": 1000.0, "output_per_mtok": 2000.0}}))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["run", "seeds/", "-m", MODEL, "-o", str(out), "--prices", str(prices)]
    )
    assert result.exit_code == 0, result.output
    for line in read_output(out):
        expected = (line.usage.prompt_tokens * 1000 + line.usage.completion_tokens * 2000) / 1e6
        assert line.cost_usd == pytest.approx(expected)
    total = sum(line.cost_usd or 0 for line in read_output(out))
    assert f"${total:.4f}" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    broken = runner.invoke(
        app, ["run", "seeds/", "-m", MODEL, "-o", str(out), "--prices", str(bad)]
    )
    assert broken.exit_code == 2 and "cannot read price table" in broken.stderr


@pytest.mark.vcr(match_on=["method", "path"], allow_playback_repeats=True)
def test_rejected_key_stops_the_batch(tmp_path: Path, llm_env: dict[str, str]) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["run", "seeds/", "-m", MODEL, "-o", str(out), "--concurrency", "1"]
    )
    assert result.exit_code == 2
    assert "refused by the provider (HTTP 401)" in result.stderr and "hint:" in result.stderr
    assert "sk-badke" not in result.stderr and "[redacted]" in result.stderr  # no part of the key
    assert "Traceback" not in result.output
