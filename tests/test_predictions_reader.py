"""Reading predictions: other tools' lines are scored (issue 9 item 12); the format is stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import PredictionsFileError
from extractor.eval import read_predictions
from extractor.predictions import PredictionLine, PromptRef
from extractor.schema import IncidentRecord
from extractor.usage import Usage


def _gold(folder: Path) -> Path:
    folder.mkdir()
    for doc_id, city in (("a1", "Chicago"), ("b2", "Houston"), ("c3", "Denver")):
        record = IncidentRecord(city=city).model_dump()
        (folder / f"{doc_id}.json").write_text(json.dumps({"doc_id": doc_id, "record": record}))
    return folder


def test_eval_scores_lines_without_model_or_with_null_usage_and_says_what_was_missing(
    tmp_path: Path,
) -> None:
    predictions = tmp_path / "theirs.jsonl"
    predictions.write_text(
        json.dumps({"doc_id": "a1", "record": {"city": "Chicago"}}) + "\n"
        + json.dumps({"doc_id": "b2", "record": {"city": "Houston"}, "model": "x", "usage": None})
        + "\n"
        + json.dumps({"doc_id": "c3", "record": None, "error": "timed out"}) + "\n"
    )  # fmt: skip
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["eval", "--predictions", str(predictions), "--gold", str(_gold(tmp_path / "gold")),
         "--json", str(report_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["fields"]["city"]["correct"] == 2
    assert report["articles"]["failed"] == [{"doc_id": "c3", "error": "error: timed out"}]
    missing = report["articles"]["missing_keys"]
    assert missing["model"] == 2 and missing["usage"] == 3 and missing["evidence"] == 3
    assert "prompt" in missing and "doc_id" not in missing
    assert "keys missing from prediction lines (defaulted):" in " ".join(result.output.split())
    assert "model ×2" in result.output


def test_a_file_written_by_extractor_run_has_no_missing_keys(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", "seeds/", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = read_predictions(out)
    assert len(lines) == 3 and all(line.missing_keys == () for line in lines)


def test_a_line_needs_a_doc_id_and_a_record_or_an_error(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"doc_id": "a1", "record": {}}) + "\n" + '{"doc_id": "a2"}\n')
    with pytest.raises(PredictionsFileError, match=r"p\.jsonl:2: .*neither a 'record' nor"):
        read_predictions(path)
    path.write_text('{"record": {}}\n')
    with pytest.raises(PredictionsFileError, match=r"p\.jsonl:1: .*no 'doc_id'"):
        read_predictions(path)
    path.write_text('{"doc_id": "a1", "record": {}}\n')  # strict: as `extractor run` writes it
    with pytest.raises(PredictionsFileError, match=r"field 'model'"):
        read_predictions(path, lenient=False)


def test_the_line_format_is_unchanged_usage_has_its_token_keys_and_no_prompt_hash() -> None:
    line = PredictionLine(
        doc_id="a1",
        model="openai/m",
        prompt=PromptRef(name="incident", version="v1", content_hash="abc123"),
        usage=Usage(prompt_tokens=7, completion_tokens=3),
    )
    data = json.loads(line.to_json())
    assert list(data) == [
        "doc_id", "record", "evidence", "error", "model", "prompt", "usage", "attempts",
        "published", "cost_usd", "latency_s", "cached",
    ]  # fmt: skip
    assert data["prompt"] == {"name": "incident", "version": "v1"}
    assert data["usage"] == {
        "prompt_tokens": 7, "completion_tokens": 3, "cached_tokens": 0, "cache_write_tokens": 0,
        "total_tokens": 10,
    }  # fmt: skip
    back = PredictionLine.from_json(line.to_json())
    assert back.usage.total_tokens == 10 and str(back.prompt) == "incident@v1"
    total = Usage()
    total.add(back.usage)
    total.add(back.usage)
    assert (total.prompt_tokens, total.completion_tokens, total.total_tokens) == (14, 6, 20)


def test_a_line_written_before_cached_tokens_were_recorded_reads_with_none_cached(
    tmp_path: Path,
) -> None:
    old = {
        "doc_id": "a1", "record": {}, "evidence": {}, "error": None, "model": "openai/m",
        "prompt": {"name": "incident", "version": "v1"},
        "usage": {"prompt_tokens": 3100, "completion_tokens": 420, "total_tokens": 3520},
        "attempts": 1, "published": None, "cost_usd": 0.000717, "latency_s": 1.0,
        "cached": False,
    }  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n")
    (line,) = read_predictions(path, lenient=False)
    assert line.usage.as_dict() == {
        "prompt_tokens": 3100, "completion_tokens": 420, "total_tokens": 3520,
        "cached_tokens": 0, "cache_write_tokens": 0,
    }  # fmt: skip
    assert line.usage.uncached_prompt_tokens == 3100
