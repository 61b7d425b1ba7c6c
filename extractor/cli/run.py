"""``extractor run``: a folder of articles in, a JSONL or CSV of validated records out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from extractor.cli.batch_progress import BatchPollProgress, batch_line
from extractor.cli.common import err_console, user_errors
from extractor.cli.options import RunOptions, run_options
from extractor.cli.progress import BatchProgress, print_skipped_inputs, summary_table
from extractor.documents import count_inputs
from extractor.errors import CostCapReached, OutputError
from extractor.predictions import PredictionLine
from extractor.settings import Settings

HELP = """Extract one incident record per article.

Inputs are article files (.txt/.md, optional first line `date YYYY-MM-DD`), folders of them (searched recursively) and JSONL files (doc_id, text, published). Each article's line is written and flushed as it finishes; rerunning into the same output resumes (finished articles are skipped, failed ones retried).

Examples:

  extractor run seeds/ -o records.jsonl

  extractor run seeds/ -m openai/gpt-4o-mini -o out.jsonl

  extractor run in/ -m openai/llama3.1 --base-url http://localhost:11434/v1

  extractor run batch.jsonl --format csv -o out.csv

  extractor run in/ -m openai/gpt-4o-mini --batch -o out.jsonl

The first uses the offline rules baseline when no key is set; the second needs OPENAI_API_KEY; the third talks to a local Ollama server. The fourth sends every article through OpenAI's Batch API (with an anthropic/ model, Anthropic's Message Batches; half the price, results within 24 h), then re-asks only the answers that failed validation synchronously; rerunning it (or `extractor runs resume RUN`) picks the submitted batches up where they are, and `extractor runs cancel RUN` cancels them.
"""


@run_options()
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="article files, folders or .jsonl files")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="output file, or - for stdout")
    ] = "-",
    fmt: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", "-f", help="jsonl (spec format) or csv")
    ] = "jsonl",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="start over instead of resuming")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="no progress bar or summary")
    ] = False,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="through the provider's Batch API (batch prices), failures re-asked "
            "synchronously; resumable (needs -o FILE)",
        ),
    ] = False,
    *,
    options: RunOptions,
) -> None:
    with user_errors():
        settings = options.settings()
        model_name, is_default = settings.resolved_model()
        if is_default:
            err_console.print(
                "extractor: no model configured (no --model, EXTRACTOR_MODEL, OPENAI_API_KEY or "
                "EXTRACTOR_BASE_URL); using the offline 'rules' baseline, not an LLM.",
                highlight=False, soft_wrap=True,
            )  # fmt: skip
            settings = settings.model_copy(update={"model": model_name})
    report_run(inputs, output, settings, fmt=fmt, overwrite=overwrite, quiet=quiet, batch=batch)


def report_run(
    inputs: list[Path],
    output: str,
    settings: Settings,
    *,
    fmt: Literal["jsonl", "csv"],
    overwrite: bool = False,
    quiet: bool = False,
    batch: bool = False,
) -> None:
    """Run with a progress bar, then print the summary.

    Exit 1 if an article failed, 3 if the run stopped at ``--max-cost`` (resumable), 130 on Ctrl-C.
    """
    from extractor.runner import run

    with user_errors():
        total = count_inputs(inputs)
        show = not quiet and err_console.is_terminal
        polls = BatchPollProgress(err_console, enabled=show and batch)
        with BatchProgress(err_console, total, enabled=show and not batch) as progress:
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
                    batch=batch,
                    on_batch=polls.update if batch else None,
                )
            except OSError as exc:  # the writer's errors, named as the -o they are about
                error = OutputError.about(output, exc)
                if error is None:
                    raise
                raise error from None
            except KeyboardInterrupt:  # Ctrl-C: in-flight articles cancelled, finished ones kept
                err_console.print(
                    f"interrupted: {written:,} articles written this run; rerun the same "
                    "command to resume",
                    highlight=False, soft_wrap=True,
                )  # fmt: skip
                raise typer.Exit(130) from None
            finally:
                polls.stop()
    if not quiet:
        err_console.print(summary_table(summary))
        if summary.batch is not None:
            err_console.print(batch_line(summary.batch), highlight=False, soft_wrap=True)
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
    stopped = summary.cost_cap
    if stopped is not None and stopped["stopped"]:  # resumable, as after Ctrl-C
        err_console.print(
            f"[yellow]{escape(str(stopped['message']))}[/]; rerun the same command with a higher "
            "--max-cost to finish them",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(CostCapReached.exit_code)
    if summary.failed:
        raise typer.Exit(1)


run_command.__doc__ = HELP
