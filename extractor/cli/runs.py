"""``extractor runs``: list, show and export the runs recorded in the run store."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from extractor.cli.common import out_console, user_errors
from extractor.predictions import PredictionWriter
from extractor.store import RunInfo, RunStore

app = typer.Typer(
    help="List, show and export stored runs (run store under EXTRACTOR_HOME).", no_args_is_help=True
)


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "-"


def _cost(run: RunInfo) -> str:
    return "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"


@app.command("list")
def list_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="newest N runs")] = 20,
) -> None:
    """List stored runs, newest first."""
    console = out_console()
    with user_errors(), RunStore() as store:
        runs = store.runs(limit)
    table = Table(
        "run",
        "kind",
        "status",
        "model",
        "prompt",
        "articles",
        "failed",
        "tokens",
        "cost",
        "started",
    )
    for run in runs:
        table.add_row(
            run.run_id, run.kind, run.status, run.model, run.prompt or "-", str(run.n_lines),
            str(run.n_failed), f"{run.prompt_tokens + run.completion_tokens:,}", _cost(run),
            _when(run.created_at),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show_command(run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")]) -> None:
    """Show one run: model, prompt and its hash, arguments, totals and errors."""
    console = out_console()
    with user_errors(), RunStore() as store:
        run = store.get_run(run_id)
        errors = [line for line in store.lines(run.run_id) if not line.ok]
    table = Table(show_header=False, title=f"run {run.run_id}")
    rows = [
        ("kind", run.kind), ("status", run.status), ("model", run.model),
        ("prompt", f"{run.prompt or '-'} (hash {run.prompt_hash or '-'})"),
        ("schema version", run.schema_version), ("started", _when(run.created_at)),
        ("finished", _when(run.finished_at)), ("articles", str(run.n_lines)),
        ("failed", str(run.n_failed)), ("prompt tokens", f"{run.prompt_tokens:,}"),
        ("completion tokens", f"{run.completion_tokens:,}"), ("cost", _cost(run)),
        ("arguments", json.dumps(run.args, sort_keys=True)),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for line in errors[:20]:
        console.print(
            f"[red]failed[/] {escape(line.doc_id)}: {escape(line.error.message if line.error else '')}",
            highlight=False,
        )


@app.command("export")
def export_command(
    run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="file to write, or - for stdout")
    ] = "-",
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv")] = "jsonl",
) -> None:
    """Write a stored run's lines as a predictions file (the format `extractor eval` scores)."""
    console = out_console()
    with user_errors(), RunStore() as store:
        run = store.get_run(run_id)
        if fmt not in ("jsonl", "csv"):
            raise typer.BadParameter(f"format {fmt!r} is not jsonl or csv")
        with PredictionWriter(output, fmt=fmt, overwrite=True) as writer:  # type: ignore[arg-type]
            for line in store.lines(run.run_id):
                writer.write(line)
    if output != "-":
        console.print(
            f"wrote {run.n_lines} lines of run {run.run_id} to {Path(output)}", highlight=False
        )
