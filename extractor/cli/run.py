"""``extractor run``: a folder of articles in, a JSONL or CSV of validated records out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from extractor.cli.common import err_console, user_errors
from extractor.cli.progress import BatchProgress, print_skipped_inputs, summary_table
from extractor.documents import count_inputs
from extractor.predictions import PredictionLine
from extractor.settings import Settings

HELP = """Extract one incident record per article.

Inputs are article files (.txt/.md, optional first line `date YYYY-MM-DD`), folders of them (searched recursively) and JSONL files (doc_id, text, published). Each article's line is written and flushed as it finishes; rerunning into the same output resumes (finished articles are skipped, failed ones retried).

Examples:

  extractor run seeds/ -o records.jsonl

  extractor run seeds/ -m openai/gpt-4o-mini -o out.jsonl

  extractor run in/ -m openai/llama3.1 --base-url http://localhost:11434/v1

  extractor run batch.jsonl --format csv -o out.csv

The first uses the offline rules baseline when no key is set; the second needs OPENAI_API_KEY; the third talks to a local Ollama server.
"""


def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="article files, folders or .jsonl files")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="output file, or - for stdout")
    ] = "-",
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="'rules' or 'openai/<name>' [env EXTRACTOR_MODEL]"),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option("--prompt", "-p", help="prompt template name@version [env EXTRACTOR_PROMPT]"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible server URL [env EXTRACTOR_BASE_URL]"),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", help="articles in flight at once [default 8]"),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option("--max-retries", help="re-asks after an invalid answer [default 2]"),
    ] = None,
    http_retries: Annotated[
        int | None, typer.Option("--http-retries", help="retries of 429/5xx/timeouts [default 6]")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="seconds per HTTP attempt [default 60]")
    ] = None,
    rpm: Annotated[
        int | None,
        typer.Option("--rpm", help="stay under this many requests per minute [env EXTRACTOR_RPM]"),
    ] = None,
    tpm: Annotated[
        int | None,
        typer.Option("--tpm", help="stay under this many tokens per minute [env EXTRACTOR_TPM]"),
    ] = None,
    prices: Annotated[
        Path | None, typer.Option("--prices", help="JSON price table overriding the built-in one")
    ] = None,
    fmt: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", "-f", help="jsonl (spec format) or csv")
    ] = "jsonl",
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="call the model even for requests answered before")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="start over instead of resuming")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="no progress bar or summary")
    ] = False,
) -> None:
    flags = {
        "model": model, "prompt": prompt, "base_url": base_url, "concurrency": concurrency,
        "max_retries": max_retries, "http_retries": http_retries, "timeout": timeout, "prices": prices,
        "rpm": rpm, "tpm": tpm,
    }  # fmt: skip
    from extractor.runner import run

    with user_errors():
        if no_cache:
            flags["cache"] = False
        settings = Settings(**{k: v for k, v in flags.items() if v is not None})  # type: ignore[arg-type]
        model_name, is_default = settings.resolved_model()
        if is_default:
            err_console.print(
                "extractor: no model configured (no --model, EXTRACTOR_MODEL, OPENAI_API_KEY or "
                "EXTRACTOR_BASE_URL); using the offline 'rules' baseline, not an LLM.",
                highlight=False, soft_wrap=True,
            )  # fmt: skip
            settings = settings.model_copy(update={"model": model_name})
        total = count_inputs(inputs)
        show = not quiet and err_console.is_terminal
        with BatchProgress(err_console, total, enabled=show) as progress:
            written = 0

            def advance(line: PredictionLine) -> None:
                nonlocal written
                written += 1
                progress.advance(line)

            try:
                summary = run(
                    inputs,
                    output,
                    settings=settings,
                    fmt=fmt,
                    overwrite=overwrite,
                    on_line=advance,
                )
            except KeyboardInterrupt:  # Ctrl-C: in-flight articles cancelled, finished ones kept
                err_console.print(
                    f"interrupted: {written:,} articles written this run; rerun the same "
                    "command to resume",
                    highlight=False, soft_wrap=True,
                )  # fmt: skip
                raise typer.Exit(130) from None
    if not quiet:
        err_console.print(summary_table(summary))
        print_skipped_inputs(err_console, summary)
        for doc_id, message in summary.errors[:20]:
            err_console.print(
                f"[red]failed[/] {escape(doc_id)}: {escape(message)}",
                highlight=False,
                soft_wrap=True,
            )
        if len(summary.errors) > 20:
            err_console.print(
                f"... and {len(summary.errors) - 20} more (see the error lines in the output)"
            )
    if summary.failed:
        raise typer.Exit(1)


run_command.__doc__ = HELP
