"""``eval_command`` end to end through Typer's test runner, on files in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from extractor.cli.eval import eval_command
from extractor.predictions import ErrorInfo, PredictionLine, PromptRef
from extractor.schema import IncidentRecord, Person

app = typer.Typer()
app.command()(eval_command)
runner = CliRunner()

GOLD = {
    "a1": IncidentRecord(
        city="Chicago",
        state="IL",
        police_agency="Chicago Police Department",
        shots_fired_by_police=3,
        people=[Person(role="officer", on_duty=True)],
    ),
    "b2": IncidentRecord(city="Houston", state="TX", arrests=1),
    "c3": IncidentRecord(city="Denver"),
}


def _write_gold(folder: Path) -> Path:
    folder.mkdir()
    for doc_id, record in GOLD.items():
        data = {"doc_id": doc_id, "record": record.model_dump(), "notes": ""}
        (folder / f"{doc_id}.json").write_text(json.dumps(data))
    return folder


def _write_predictions(path: Path) -> Path:
    prompt = PromptRef(name="incident", version="v1")
    lines = [
        PredictionLine(
            doc_id="a1",
            model="openai/test-model",
            prompt=prompt,
            record=GOLD["a1"].model_copy(
                update={"police_agency": "CPD", "shots_fired_by_police": 4}
            ),
        ),
        PredictionLine(
            doc_id="b2",
            model="openai/test-model",
            prompt=prompt,
            error=ErrorInfo(type="ProviderError", message="rate limited"),
        ),
        PredictionLine(
            doc_id="zz", model="openai/test-model", prompt=prompt, record=IncidentRecord()
        ),
    ]
    path.write_text("".join(line.to_json() + "\n" for line in lines))
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return _write_predictions(tmp_path / "out.jsonl"), _write_gold(tmp_path / "gold")


def test_scores_a_predictions_file_and_writes_json(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    predictions, gold = files
    report_path = tmp_path / "reports" / "report.json"
    result = runner.invoke(
        app,
        ["--predictions", str(predictions), "--gold", str(gold), "--json", str(report_path)],
    )
    assert result.exit_code == 0, result.output
    assert "openai/test-model" in result.stdout
    assert "incident@v1" in result.stdout
    assert "3 articles scored (1 failed, 1 without prediction)" in result.stdout
    assert "people.on_duty" in result.stdout
    assert "predictions without gold (not scored): zz" in result.stdout
    report = json.loads(report_path.read_text())
    for key in (
        "report_version",
        "micro",
        "macro",
        "fields",
        "hallucination_rate",
        "grounding",
        "confidence_intervals",
        "articles",
        "diffs",
    ):
        assert key in report
    assert report["articles"]["unscored_predictions"] == ["zz"]
    assert report["articles"]["missing_predictions"] == ["c3"]
    assert [f["doc_id"] for f in report["articles"]["failed"]] == ["b2"]
    # a1: city, state, agency (alias), people.role, people.on_duty correct; shots incorrect
    assert report["fields"]["shots_fired_by_police"]["incorrect"] == 1
    assert report["fields"]["police_agency"]["correct"] == 1
    assert report["micro"]["correct"] == 5
    # b2 (failed): city, state, arrests missed; c3 (no prediction): city missed
    assert report["micro"]["missed"] == 3 + 1
    assert report["micro"]["spurious"] == 0


def test_show_diffs_lists_wrong_values(files: tuple[Path, Path]) -> None:
    predictions, gold = files
    result = runner.invoke(
        app, ["--predictions", str(predictions), "--gold", str(gold), "--show-diffs"]
    )
    assert result.exit_code == 0, result.output
    assert "values not fully right" in result.stdout
    assert "shots_fired_by_police" in result.stdout and "incorrect" in result.stdout


@pytest.mark.parametrize(("threshold", "code"), [("0.99", 1), ("0.2", 0)])
def test_fail_under_sets_the_exit_code(files: tuple[Path, Path], threshold: str, code: int) -> None:
    predictions, gold = files
    result = runner.invoke(
        app, ["--predictions", str(predictions), "--gold", str(gold), "--fail-under", threshold]
    )
    assert result.exit_code == code, result.output
    assert ("below --fail-under" in result.output) is (code == 1)


def test_needs_predictions_or_model(files: tuple[Path, Path]) -> None:
    _, gold = files
    result = runner.invoke(app, ["--gold", str(gold)])
    assert result.exit_code == 2
    assert "give either predictions" in result.output and "--model rules" in result.output


def test_bad_gold_is_a_one_line_error(files: tuple[Path, Path]) -> None:
    predictions, gold = files
    (gold / "a1.json").write_text('{"doc_id": "a1", "record": {"city": "Chicago",}}')
    result = runner.invoke(app, ["--predictions", str(predictions), "--gold", str(gold)])
    assert result.exit_code == 1
    assert "a1.json:1:" in result.output and "invalid JSON" in result.output
    assert "Traceback" not in result.output


def test_malformed_predictions_line_is_named(files: tuple[Path, Path]) -> None:
    predictions, gold = files
    with predictions.open("a") as handle:
        handle.write('{"doc_id": "torn", "mod\n')
    result = runner.invoke(app, ["--predictions", str(predictions), "--gold", str(gold)])
    assert result.exit_code == 1
    assert "out.jsonl:4:" in result.output


def test_model_path_extracts_then_scores_and_records_the_run(tmp_path: Path) -> None:
    from extractor.store import RunStore

    articles, gold = tmp_path / "articles", tmp_path / "gold"
    articles.mkdir()
    gold.mkdir()
    seed = "001_d8457e1c72a139c8"
    (articles / f"{seed}.txt").write_text(Path(f"seeds/{seed}.txt").read_text())
    (articles / "empty.txt").write_text("")
    (gold / f"{seed}.json").write_text(Path(f"evals/gold/{seed}.json").read_text())
    result = runner.invoke(
        app,
        [
            "--model", "rules", "--gold", str(gold), "--articles", str(articles),
            "--json", str(tmp_path / "r.json"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["models"] == ["rules"] and report["articles"]["scored"] == 1
    assert report["articles"]["unscored_predictions"] == ["empty"]  # its error line, no gold
    assert report["fields"]["incident_date"]["correct"] == 1  # "Dec. 18" in a February article
    with RunStore() as store:
        [run] = store.runs()
    assert (run.kind, run.model, run.n_lines, run.n_failed) == ("eval", "rules", 2, 1)
    assert run.summary["eval"]["micro"]["f1"] == report["micro"]["f1"]


def test_rules_baseline_on_the_gold_set_stays_above_its_floor(tmp_path: Path) -> None:
    """The README's eval command, offline: a regression gate on the rules baseline."""
    from extractor.cli import app as full_app

    report = tmp_path / "report.json"
    result = runner.invoke(
        full_app, ["eval", "--model", "rules", "--json", str(report), "--fail-under", "0.8"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert data["articles"]["scored"] == len(list(Path("evals/gold").glob("*.json")))
    assert data["articles"]["failed"] == [] and data["micro"]["precision"] >= 0.95
    assert "micro" in result.stdout and "people.role" in result.stdout
