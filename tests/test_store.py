"""The run store: runs recorded, response cache, crash safety, schema migration, runs commands."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import StoreError
from extractor.predictions import PredictionLine
from extractor.store import MIGRATIONS, SCHEMA_VERSION, RunStore

MODEL = "openai/gpt-4o-mini"
runner = CliRunner()


def lines_of(path: Path) -> list[PredictionLine]:
    return [PredictionLine.from_json(line) for line in path.read_text().splitlines()]


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_unchanged_rerun_is_answered_from_cache_with_zero_requests(
    tmp_path: Path, llm_env: dict[str, str], vcr: Any
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert runner.invoke(app, ["run", "seeds/", "-m", MODEL, "-o", str(first), "-q"]).exit_code == 0
    assert vcr.play_count == 3
    result = runner.invoke(app, ["run", "seeds/", "-m", MODEL, "-o", str(second)])
    assert result.exit_code == 0, result.output
    assert vcr.play_count == 3  # no HTTP request at all the second time
    cached = lines_of(second)
    assert all(line.cached for line in cached) and not any(line.cached for line in lines_of(first))
    assert [line.record for line in cached] == [line.record for line in lines_of(first)]
    assert "answered from cache (no model call)" in result.stderr
    assert re.search(r"answered from cache \(no model call\)\s*│\s*3\s*│", result.stderr)


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_runs_are_recorded_and_can_be_listed_shown_and_exported(
    tmp_path: Path, llm_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["run", "seeds/", "-m", MODEL, "-o", str(out), "-q"]).exit_code == 0
    with RunStore() as store:
        [run] = store.runs()
    assert (run.kind, run.status, run.model, run.prompt) == (
        "run",
        "complete",
        MODEL,
        "incident@v1",
    )
    assert run.n_lines == 3 and run.prompt_hash and run.prompt_tokens > 0
    assert "api_key" not in json.dumps(run.args) or run.args.get("api_key_set") is True
    listed = runner.invoke(app, ["runs", "list"])
    assert run.run_id in listed.stdout and "complete" in listed.stdout
    shown = runner.invoke(app, ["runs", "show", run.run_id[:15]])
    assert "incident@v1" in shown.stdout and run.prompt_hash in shown.stdout
    exported = tmp_path / "exported.jsonl"
    assert runner.invoke(app, ["runs", "export", run.run_id, "-o", str(exported)]).exit_code == 0
    by_id = {line.doc_id: line for line in lines_of(out)}
    assert {line.doc_id: line for line in lines_of(exported)} == by_id
    missing = runner.invoke(app, ["runs", "show", "nope"])
    assert missing.exit_code == 2 and "no run matches 'nope'" in missing.stderr


def test_a_run_whose_process_died_is_marked_incomplete_and_keeps_its_lines(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    with RunStore() as store:
        run_id = store.start_run(
            kind="run", model="rules", prompt=None, schema_version="1", args={}
        )
        store.add_line(run_id, PredictionLine(doc_id="a", model="rules", record=None))
        store.db.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (pid, run_id))
    with RunStore() as store:
        run = store.get_run(run_id)
        assert run.status == "incomplete" and [line.doc_id for line in store.lines(run_id)] == ["a"]


def test_an_old_store_is_migrated_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO runs (run_id, kind, status, created_at, model, schema_version, args_json, pid)"
        " VALUES ('old-run', 'run', 'complete', 1.0, 'rules', '1', '{}', 1)"
    )
    line = PredictionLine(doc_id="a", model="rules")
    db.execute(
        "INSERT INTO lines (run_id, doc_id, ok, line_json) VALUES ('old-run', 'a', 0, ?)",
        (line.to_json(),),
    )
    db.commit()
    db.close()
    with RunStore(path) as store:
        assert store.version == SCHEMA_VERSION == 3
        run = store.get_run("old-run")
        assert run.status == "complete" and run.summary == {}
        assert [line.doc_id for line in store.lines("old-run")] == ["a"]


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}").connection.close()
    with pytest.raises(StoreError, match="newer than this extractor's"):
        RunStore(path)


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_a_second_eval_of_the_same_version_makes_zero_http_requests(
    tmp_path: Path, llm_env: dict[str, str], vcr: Any
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in Path("seeds").glob("*.txt"):
        (gold / f"{path.stem}.json").write_text(Path(f"evals/gold/{path.stem}.json").read_text())
    args = [
        "eval",
        "--model",
        MODEL,
        "--prompt",
        "incident@v1",
        "--articles",
        "seeds",
        "--gold",
        str(gold),
    ]
    reports = []
    for attempt in range(2):
        report = tmp_path / f"report{attempt}.json"
        result = runner.invoke(app, [*args, "--json", str(report)])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(report.read_text()))
        assert vcr.play_count == 3  # the second eval is answered entirely from the cache
    assert reports[0]["micro"] == reports[1]["micro"]
    with RunStore() as store:
        second, first = store.runs()
    assert (first.kind, second.kind) == ("eval", "eval")
    assert all(line.cached for line in store_lines(second.run_id))


def store_lines(run_id: str) -> list[PredictionLine]:
    with RunStore() as store:
        return list(store.lines(run_id))


@pytest.mark.parametrize(
    "argv",
    [
        ["label", "seeds", "--gold", "{tmp}/gold", "--from", "20990101-nope", "--no-open"],
        ["view", "20990101-nope", "-o", "{tmp}/page.html"],
        ["compare", "20990101-nope", "rules"],
    ],
    ids=["label --from", "view", "compare"],
)
def test_an_unknown_run_id_is_the_same_one_line_everywhere(
    tmp_path: Path, isolated_env: Path, argv: list[str]
) -> None:
    """label --from RUN, view RUN and compare RUN: the run store's one message, nothing written."""
    with RunStore() as store:
        store_path = store.path
    result = runner.invoke(app, [arg.format(tmp=tmp_path) for arg in argv])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: no run matches '20990101-nope' in {store_path}",
        "  hint: see `extractor runs list` for run ids",
    ]
    assert not (tmp_path / "page.html").exists() and not (tmp_path / "gold").exists()
