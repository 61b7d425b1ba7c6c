"""A record with no value filled is its own outcome: in the line, the run summary and the eval."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from extractor.eval import load_gold, read_predictions, score
from extractor.pool import RunSummary
from extractor.predictions import PredictionLine
from extractor.schema import IncidentRecord

ROOT = Path(__file__).resolve().parent.parent


def test_an_empty_record_is_flagged_in_the_line_and_the_summary() -> None:
    empty = PredictionLine(doc_id="a", model="m", record=IncidentRecord())
    filled = PredictionLine(doc_id="b", model="m", record=IncidentRecord(city="Chicago"))
    failed = PredictionLine.model_validate(
        {"doc_id": "c", "model": "m", "error": {"type": "X", "message": "no"}}
    )
    assert [line.outcome for line in (empty, filled, failed)] == ["empty", "record", "error"]
    summary = RunSummary(model="m", prompt=None)
    for line in (empty, filled, failed):
        summary.add(line)
    assert (summary.succeeded, summary.empty_records, summary.failed) == (2, 1, 1)


def test_the_eval_report_lists_empty_records(tmp_path: Path) -> None:
    gold = ROOT / "evals" / "gold"
    seed = "000_da9441d524ed042a"
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(
        PredictionLine(doc_id=seed, model="m", record=IncidentRecord()).to_json() + "\n"
    )
    report = score(read_predictions(predictions), load_gold(gold))
    assert report.articles.empty_records == [seed]
    assert report.articles.with_record == 1
    result = CliRunner().invoke(
        app, ["eval", "--predictions", str(predictions), "--gold", str(gold),
              "--json", str(tmp_path / "r.json")],
    )  # fmt: skip
    assert "records with no value filled (every gold value missed): " + seed in " ".join(
        result.output.split()
    )
    assert json.loads((tmp_path / "r.json").read_text())["articles"]["empty_records"] == [seed]
