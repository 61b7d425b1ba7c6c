"""The batch runner and the predictions file: error lines, flushing, resume, CSV, stdout."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from extractor.backend import Backend, ExtractionResult
from extractor.documents import Document, iter_documents
from extractor.errors import ConfigError, ValidationFailedError
from extractor.pool import run_items
from extractor.predictions import PredictionLine, PredictionWriter
from extractor.schema import IncidentRecord
from extractor.usage import Usage


class ScriptedBackend(Backend):
    """Fills city from the text; fails articles that say FAIL. Records what it was asked."""

    model = "test/scripted"

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def extract(self, document: Document) -> ExtractionResult:
        self.seen.append(document.doc_id)
        await asyncio.sleep(0)
        if "FAIL" in document.text:
            raise ValidationFailedError(
                "never valid", attempts=3, usage={"prompt_tokens": 7, "completion_tokens": 2}
            )
        record = IncidentRecord(city="Chicago", people=[{"role": "officer", "armed_with": []}])  # type: ignore[list-item]
        return ExtractionResult(
            record, {}, Usage(prompt_tokens=10, completion_tokens=5), attempts=1
        )


def write_articles(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text)
    return folder


def run_into(output: Path | str, folder: Path, backend: Backend, **writer_options: object) -> tuple:
    with PredictionWriter(output, model=backend.model, **writer_options) as writer:  # type: ignore[arg-type]
        summary = asyncio.run(
            run_items(
                iter_documents([folder]),
                backend,
                concurrency=3,
                on_line=writer.write,
                skip=writer.done,
            )
        )
    return summary, writer


def lines_of(path: Path) -> list[PredictionLine]:
    return [PredictionLine.from_json(line) for line in path.read_text().splitlines()]


def test_one_failure_is_an_error_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok", "b": "FAIL please", "c": "ok", "d": ""})
    out = tmp_path / "out.jsonl"
    summary, _ = run_into(out, folder, ScriptedBackend())
    lines = {line.doc_id: line for line in lines_of(out)}
    assert set(lines) == {"a", "b", "c", "d"}
    assert lines["a"].ok and lines["a"].record is not None and lines["a"].record.city == "Chicago"
    assert lines["b"].error is not None and lines["b"].error.type == "ValidationFailedError"
    assert lines["b"].attempts == 3 and lines["b"].usage.prompt_tokens == 7
    assert lines["d"].error is not None and "empty" in lines["d"].error.message
    assert (summary.total, summary.succeeded, summary.failed) == (4, 2, 2)
    assert summary.usage.total_tokens == 2 * 15 + 9


def test_each_line_is_on_disk_as_soon_as_its_article_finishes(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {f"a{i}": "ok" for i in range(5)})
    out = tmp_path / "out.jsonl"
    on_disk: list[int] = []
    with PredictionWriter(out, model="test/scripted") as writer:

        def write(line: PredictionLine) -> None:
            writer.write(line)
            on_disk.append(len(out.read_text().splitlines()))

        asyncio.run(
            run_items(iter_documents([folder]), ScriptedBackend(), concurrency=2, on_line=write)
        )
    assert on_disk == [1, 2, 3, 4, 5]


def test_rerun_resumes_skipping_done_retrying_failed_and_repairing_a_torn_line(
    tmp_path: Path,
) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok", "b": "FAIL", "c": "ok", "d": "ok"})
    out = tmp_path / "out.jsonl"
    run_into(out, folder, ScriptedBackend())
    # simulate a kill mid-write: drop d's line and leave half of it
    kept = [line for line in out.read_text().splitlines() if '"doc_id":"d"' not in line]
    out.write_text("\n".join(kept) + '\n{"doc_id":"d","rec')
    (folder / "b.txt").write_text("fixed now")
    backend = ScriptedBackend()
    summary, writer = run_into(out, folder, backend)
    assert sorted(backend.seen) == ["b", "d"]  # a and c were done; b failed before; d was torn
    assert summary.skipped == 2 and writer.repaired == 1 and writer.dropped_errors == 1
    lines = lines_of(out)
    assert sorted(line.doc_id for line in lines) == ["a", "b", "c", "d"]  # each exactly once
    assert all(line.ok for line in lines)


def test_overwrite_starts_over(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok", "b": "ok"})
    out = tmp_path / "out.jsonl"
    run_into(out, folder, ScriptedBackend())
    backend = ScriptedBackend()
    run_into(out, folder, backend, overwrite=True)
    assert sorted(backend.seen) == ["a", "b"] and len(lines_of(out)) == 2


def test_resuming_with_another_model_is_refused(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok"})
    out = tmp_path / "out.jsonl"
    run_into(out, folder, ScriptedBackend())
    with pytest.raises(ConfigError, match="--overwrite"):
        PredictionWriter(out, model="openai/gpt-4o")


def test_csv_output_flattens_records_and_resumes(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok", "b": "FAIL"})
    out = tmp_path / "out.csv"
    run_into(out, folder, ScriptedBackend(), fmt="csv")
    rows = {row["doc_id"]: row for row in csv.DictReader(out.read_text().splitlines())}
    assert (
        rows["a"]["city"] == "Chicago" and json.loads(rows["a"]["people"])[0]["role"] == "officer"
    )
    assert rows["b"]["error"].startswith("ValidationFailedError")
    (folder / "b.txt").write_text("ok now")
    backend = ScriptedBackend()
    run_into(out, folder, backend, fmt="csv")
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert backend.seen == ["b"] and sorted(r["doc_id"] for r in rows) == ["a", "b"]
    assert all(not r["error"] for r in rows)


def test_stdout_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok"})
    run_into("-", folder, ScriptedBackend())
    [line] = capsys.readouterr().out.splitlines()
    assert PredictionLine.from_json(line).doc_id == "a"


class BuggyBackend(ScriptedBackend):
    async def extract(self, document: Document) -> ExtractionResult:
        if "BUG" in document.text:
            raise KeyError("oops")
        return await super().extract(document)


def test_an_unexpected_exception_is_an_error_line_not_a_crashed_batch(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "in", {"a": "ok", "b": "BUG", "c": "ok"})
    out = tmp_path / "out.jsonl"
    summary, _ = run_into(out, folder, BuggyBackend())
    lines = {line.doc_id: line for line in lines_of(out)}
    assert lines["a"].ok and lines["c"].ok and summary.failed == 1
    assert lines["b"].error is not None and "unexpected KeyError" in lines["b"].error.message
    assert "a bug in extractor" in lines["b"].error.message


def test_library_run_accepts_paths_as_a_generator(tmp_path: Path) -> None:
    from extractor import run

    summary = run((p for p in ["seeds"]), tmp_path / "out.jsonl", settings=None)
    assert summary.succeeded == 3 and len(lines_of(tmp_path / "out.jsonl")) == 3
