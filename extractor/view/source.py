"""What ``extractor view SOURCE`` was given, told apart by content: predictions, run id or report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractor.errors import StoreError, ViewSourceError
from extractor.predictions import PredictionLine
from extractor.settings import DEFAULT_ARTICLES
from extractor.store import RunInfo, RunStore
from extractor.view import render_compare, render_eval, render_run

_WHAT = "a predictions .jsonl file, an eval report (`extractor eval --json`), a compare report (`extractor compare --json`) or a run id from `extractor runs list`"


def _sniff(path: Path) -> tuple[str, Any]:
    """("eval" | "compare", report) or ("predictions", None), from the file's content."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ViewSourceError(f"{path}: not UTF-8 text", hint=f"give {_WHAT}") from None
    except OSError as exc:
        raise ViewSourceError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        first = next((line for line in text.splitlines() if line.strip()), "")
        try:
            whole = json.loads(first)
        except json.JSONDecodeError:
            whole = None
    if isinstance(whole, dict):
        if "compare_version" in whole and "sides" in whole:
            return "compare", whole
        if "report_version" in whole and "fields" in whole:
            return "eval", whole
        if "doc_id" in whole:
            return "predictions", None
    raise ViewSourceError(
        f"{path}: not a predictions file, an eval report or a compare report", hint=f"give {_WHAT}"
    )


def _stored_lines(
    store: RunStore, run_ids: dict[str, str | None]
) -> dict[str, list[PredictionLine]]:
    found = {}
    for label, run_id in run_ids.items():
        if not run_id:
            continue
        try:
            found[label] = store.run_lines(run_id)[1]
        except StoreError:
            continue
    return found


def _run_inputs(run: RunInfo) -> list[str] | None:
    inputs = run.args.get("inputs")
    if isinstance(inputs, list) and inputs and all(Path(str(p)).exists() for p in inputs):
        return [str(p) for p in inputs]
    return None


def render_source(source: str, *, articles: Sequence[Path] | None = None) -> tuple[str, str]:
    """Render the page for ``source``; returns (kind, html), kind one of run, eval, compare.

    Raises:
        ViewSourceError: ``source`` is a file that is none of the three a view is made from.
        StoreError: ``source`` is no file and no stored run (the run store's one message).
        PredictionsFileError: a predictions file has a malformed line (named by number).
    """
    path = Path(source)
    if path.is_dir():
        raise ViewSourceError(f"{path}: is a folder", hint=f"give {_WHAT}")
    if path.is_file():
        kind, report = _sniff(path)
        if kind == "eval":
            return "eval", render_eval(report, articles=articles, source=source)
        if kind == "compare":
            with RunStore() as store:
                labels = {side["label"]: side.get("run_id") for side in report["sides"]}
                side_lines = _stored_lines(store, labels)
            return "compare", render_compare(
                report,
                articles=articles,
                side_lines=side_lines,
                evidence_note="its run is not in the run store (set EXTRACTOR_HOME to the store that recorded it)",
                source=source,
            )
        from extractor.predictions import read_predictions

        return "run", render_run(read_predictions(path), articles=articles, source=source)
    with RunStore() as store:
        run, lines = store.run_lines(source)
    chosen: list[str | Path] = (
        list(articles) if articles is not None else [*(_run_inputs(run) or DEFAULT_ARTICLES)]
    )
    return "run", render_run(lines, articles=chosen, run=run, source=f"run {run.run_id}")
