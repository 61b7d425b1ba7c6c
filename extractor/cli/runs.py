"""``extractor runs``: list, show and export the runs recorded in the run store."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from extractor.cli.common import err_console, out_console, user_errors
from extractor.errors import StoreError
from extractor.predictions import PredictionWriter
from extractor.settings import Settings, load_settings
from extractor.store import RunInfo, RunStore

app = typer.Typer(
    help="List, show, export, resume and cancel stored runs (run store under EXTRACTOR_HOME).",
    no_args_is_help=True,
)


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "-"


def _short_count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n:,}"


def _cost(run: RunInfo) -> str:
    return "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"


JsonOption = Annotated[
    bool, typer.Option("--json", help="print JSON for scripts instead of the table")
]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=False))


@app.command("list")
def list_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="newest N runs")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List stored runs, newest first (a run id starts with the time it started).

    --json prints a JSON array with one object per run: run_id, kind, status, model, prompt, prompt_hash, schema_version, started, finished (ISO 8601, UTC), articles, failed, prompt_tokens, completion_tokens, cached_tokens and cache_write_tokens (of prompt_tokens: read from and written to the provider's prompt cache), cost_usd (null when unknown).
    """
    with user_errors(), RunStore() as store:
        runs = store.runs(limit)
    if as_json:
        _print_json([run.to_dict() for run in runs])
        return
    # at 80 columns the run id stays whole (it is what people copy): it never wraps, and the
    # other columns hold two short lines each instead of one long one
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("run", no_wrap=True)
    table.add_column("kind\nstatus")
    table.add_column("model\nprompt", overflow="fold")
    table.add_column("articles\nfailed", justify="right")
    table.add_column("tokens", justify="right")
    table.add_column("cost", justify="right")
    for run in runs:
        table.add_row(
            run.run_id,
            f"{run.kind}\n{run.status}",
            f"{run.model}\n{run.prompt or '-'}",
            f"{run.n_lines}\n{run.n_failed}",
            _short_count(run.prompt_tokens + run.completion_tokens),
            _cost(run),
        )
    out_console().print(table)


@app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")],
    as_json: JsonOption = False,
) -> None:
    """Show one run: model, prompt and its hash, arguments, totals and errors.

    --json prints one object: the keys of `runs list --json`, plus args (the run's settings and inputs, never the key), summary (totals and eval scores), and errors (a list of {doc_id, type, message}).
    """
    with user_errors(), RunStore() as store:
        run = store.get_run(run_id)
        errors = [line for line in store.lines(run.run_id) if not line.ok]
    if as_json:
        failures = [
            {
                "doc_id": line.doc_id,
                "type": line.error.type if line.error else None,
                "message": line.error.message if line.error else None,
            }
            for line in errors
        ]
        _print_json({**run.to_dict(), "args": run.args, "summary": run.summary, "errors": failures})
        return
    console = out_console()
    table = Table(show_header=False, title=f"run {run.run_id}")
    rows = [
        ("kind", run.kind), ("status", run.status), ("model", run.model),
        ("prompt", f"{run.prompt or '-'} (hash {run.prompt_hash or '-'})"),
        ("schema version", run.schema_version), ("started", _when(run.created_at)),
        ("finished", _when(run.finished_at)), ("articles", str(run.n_lines)),
        ("failed", str(run.n_failed)), ("prompt tokens", f"{run.prompt_tokens:,}"),
        ("  of which cached", f"{run.cached_tokens:,}"),
        *([("  of which written to the cache", f"{run.cache_write_tokens:,}")]
          if run.cache_write_tokens else []),
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


def _recorded_settings(run: RunInfo) -> Settings:
    """The settings ``run`` was started with (its key comes from the environment, as ever)."""
    recorded = {k: v for k, v in run.args.items() if k in Settings.model_fields and v is not None}
    return load_settings({**recorded, "model": run.model})


def _resumable(run: RunInfo) -> tuple[list[Path], str]:
    output = run.args.get("output")
    if run.kind != "run" or not output or output == "-" or not run.args.get("inputs"):
        raise StoreError(
            f"run {run.run_id!r} is a {run.kind!r} run without an output file to resume",
            hint="resume an `extractor run ... -o FILE` run; see `extractor runs list`",
        )
    return [Path(p) for p in run.args["inputs"]], str(output)


@app.command("resume")
def resume_command(
    run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress or summary")] = False,
) -> None:
    """Resume a run into its output with its settings: finished articles are kept, submitted batches picked up where they are (never submitted twice), the rest extracted.

    Example: extractor runs resume 20261121-0712
    """
    from extractor.cli.run import report_run

    with user_errors(), RunStore() as store:
        run = store.get_run(run_id)
        inputs, output = _resumable(run)
        settings = _recorded_settings(run)
    fmt: Literal["jsonl", "csv"] = "csv" if run.args.get("format") == "csv" else "jsonl"
    batch = bool(run.args.get("batch"))
    report_run(inputs, output, settings, fmt=fmt, quiet=quiet, batch=batch)


@app.command("cancel")
def cancel_command(
    run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")],
) -> None:
    """Cancel the provider batches of a `run --batch` (and of reruns writing the same output).

    Requests the provider finished stay delivered (and paid for); `extractor runs resume RUN` afterwards collects them and extracts the cancelled ones synchronously.
    """
    import asyncio

    from extractor.batch import batch_api
    from extractor.batch.runner import cancel_batches
    from extractor.providers import make_provider

    console = err_console
    with user_errors(), RunStore() as store:
        run = store.get_run(run_id)
        batch_ids = store.cancellable_batch_ids(run.run_id)
        if not batch_ids:
            raise StoreError(
                f"run {run.run_id!r} submitted no provider batches",
                hint="only `extractor run --batch` runs have batches to cancel",
            )
        api = batch_api(make_provider(run.model, _recorded_settings(run)))

        async def cancel() -> list[Any]:
            try:
                return await cancel_batches(api, batch_ids)
            finally:
                await api.provider.aclose()

        for remote in asyncio.run(cancel()):
            console.print(f"batch {remote.batch_id}: {remote.status}", highlight=False)
