"""``extractor eval``: score records against gold labels, field by field, and gate CI on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from extractor.cli.common import err_console, user_errors, write_report
from extractor.cli.options import ArticlesOption, GoldOption, RunOptions, eval_paths, run_options

#: Width used when stdout is not a terminal (CI logs, pipes): wide enough for the table.
PIPE_WIDTH = 160


@run_options()
def eval_command(
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="Score this predictions .jsonl file (as `extractor run` writes it); no model call.",
            dir_okay=False,
        ),
    ] = None,
    show_diffs: Annotated[
        bool,
        typer.Option(
            "--show-diffs",
            help="List every wrong, partial, missed or spurious value with evidence.",
        ),
    ] = False,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the full report as JSON here.", dir_okay=False),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the report as an HTML page (as `extractor view`).",
            dir_okay=False,
        ),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            help="Exit with code 1 when micro F1 is below this (0 to 1), e.g. 0.8 in CI.",
            min=0.0,
            max=1.0,
        ),
    ] = None,
    review_threshold: Annotated[
        float,
        typer.Option(
            "--review-threshold",
            help="With sampled predictions (run --samples N): report what share of values lie "
            "below this confidence (to check by hand) and what share of errors they hold.",
            min=0.0,
            max=1.0,
        ),
    ] = 0.8,
    gold: GoldOption = None,
    articles: ArticlesOption = None,
    *,
    options: RunOptions,
) -> None:
    """Score records against gold labels: P/R/F1 per field, with confidence intervals.

    Score a predictions file (--predictions out.jsonl), or extract with a model first (--model). Every gold article is scored; failed or missing predictions count as all-missed. Predictions without gold are listed, not scored.

    Example: extractor eval --predictions out.jsonl --show-diffs --json report.json --fail-under 0.7
    """
    from extractor.api import evaluate

    model, prompt = options.model, None
    with user_errors():
        gold_path, article_paths = eval_paths(gold, articles)
        extra = {k: v for k, v in options.flags().items() if k not in ("model", "prompt")}
        if model is not None or extra:  # flags given are checked before any work
            prompt = options.settings().prompt
        report = evaluate(
            gold=gold_path,
            predictions=predictions,
            model=model,
            prompt=prompt,
            articles=article_paths,
            review_threshold=review_threshold,
            **extra,
        )
        if json_path is not None:
            write_report(json_path, report.to_json())

        if html_path is not None:
            from extractor.view import write_html

            write_html(report, html_path, articles=list(article_paths))
    probe = Console()
    console = Console(width=None if probe.is_terminal else PIPE_WIDTH)
    shown_prompt = prompt if model and model != "rules" else None
    console.print(report.view(show_diffs=show_diffs, model=model, prompt=shown_prompt))
    if json_path is not None:
        err_console.print(f"report written to {json_path}", highlight=False)
    if fail_under is not None:
        f1 = report.micro.f1
        if f1 is None or f1 < fail_under:
            shown = "undefined" if f1 is None else f"{f1:.4f}"
            err_console.print(
                f"[bold red]fail:[/] micro F1 {shown} is below --fail-under {fail_under}",
                highlight=False,
            )
            raise typer.Exit(1)
