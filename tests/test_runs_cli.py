"""`extractor runs list` and `runs show`: whole run ids at 80 columns, and `--json` for scripts."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.predictions import ErrorInfo, PredictionLine, PromptRef
from extractor.schema import IncidentRecord
from extractor.store import RunStore

runner = CliRunner()
RUN_KEYS = [
    "run_id", "kind", "status", "model", "prompt", "prompt_hash", "schema_version", "started",
    "finished", "articles", "failed", "prompt_tokens", "completion_tokens", "cached_tokens",
    "cache_write_tokens", "cost_usd",
]  # fmt: skip


def _store_runs() -> list[str]:
    """Three runs as the commands record them: a long model name, an error line, the baseline."""
    ids = []
    with RunStore() as store:
        for kind, model, prompt in [
            ("run", "openai/gpt-4o-mini", ("incident", "v1")),
            ("eval", "openai/Qwen2.5-7B-Instruct-GPTQ-Int4", ("incident", "v2")),
            ("compare", "rules", None),
        ]:
            info = (
                PromptRef(name=prompt[0], version=prompt[1], content_hash="0123456789ab")
                if prompt
                else None
            )
            run_id = store.start_run(
                kind=kind, model=model, prompt=info,
                schema_version="1", args={"inputs": ["seeds"], "concurrency": 8},
            )  # fmt: skip
            store.add_line(
                run_id,
                PredictionLine(
                    doc_id="a1", model=model, prompt=info, record=IncidentRecord(city="Chicago"),
                    usage={"prompt_tokens": 1200, "completion_tokens": 300}, cost_usd=0.0004,
                ),
            )  # fmt: skip
            store.add_line(
                run_id,
                PredictionLine(
                    doc_id="b2", model=model, prompt=info,
                    error=ErrorInfo(type="ProviderError", message="500 until retries ran out"),
                    cost_usd=0.0,
                ),
            )  # fmt: skip
            store.finish_run(run_id, "complete")
            ids.append(run_id)
    return ids


def test_run_ids_stay_whole_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ids = _store_runs()
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    for run_id in ids:  # each id on one line, whole, so it can be copied
        assert any(run_id in line.split() for line in result.stdout.splitlines()), result.stdout
    assert "incomplete" not in result.stdout and "complete" in result.stdout


def test_runs_list_json_has_one_object_per_run_newest_first() -> None:
    ids = _store_runs()
    result = runner.invoke(app, ["runs", "list", "--json"])
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert [run["run_id"] for run in runs] == ids[::-1]
    assert all(list(run) == RUN_KEYS for run in runs)
    first = runs[-1]
    assert (first["kind"], first["status"], first["model"], first["prompt"]) == (
        "run", "complete", "openai/gpt-4o-mini", "incident@v1",
    )  # fmt: skip
    assert (first["articles"], first["failed"]) == (2, 1)
    assert (first["prompt_tokens"], first["completion_tokens"]) == (1200, 300)
    assert first["cost_usd"] == pytest.approx(0.0004)
    assert datetime.fromisoformat(first["started"]).tzinfo is not None
    limited = json.loads(runner.invoke(app, ["runs", "list", "--json", "-n", "1"]).stdout)
    assert [run["run_id"] for run in limited] == ids[-1:]


def test_runs_show_json_adds_arguments_summary_and_errors() -> None:
    run_id = _store_runs()[0]
    result = runner.invoke(app, ["runs", "show", run_id, "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert list(run) == [*RUN_KEYS, "args", "summary", "errors"]
    assert run["run_id"] == run_id and run["prompt_hash"] == "0123456789ab"
    assert run["args"] == {"inputs": ["seeds"], "concurrency": 8}
    assert run["errors"] == [
        {"doc_id": "b2", "type": "ProviderError", "message": "500 until retries ran out"}
    ]


def test_runs_json_on_an_empty_store_is_an_empty_list() -> None:
    result = runner.invoke(app, ["runs", "list", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
