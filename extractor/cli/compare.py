"""``extractor compare``: prompt versions (or stored runs) side by side on the gold set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from extractor.cli.common import err_console, out_console, user_errors, write_report
from extractor.cli.options import ArticlesOption, GoldOption, RunOptions, eval_paths, run_options


@run_options(exclude={"prompt"})
def compare_command(
    sides: Annotated[
        list[str],
        typer.Argument(
            help="two or more of: rules, a prompt name@version (with --model), a stored run id"
        ),
    ],
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="write the whole comparison as JSON", dir_okay=False),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="also write the comparison as an HTML page", dir_okay=False),
    ] = None,
    disagreements: Annotated[
        int, typer.Option("--disagreements", help="how many disagreements to list")
    ] = 25,
    gold: GoldOption = None,
    articles: ArticlesOption = None,
    *,
    options: RunOptions,
) -> None:
    """Compare prompt versions, models or stored runs, field by field, with confidence.

    Each side is scored on the same gold articles; for each pair you get the micro-F1 delta with a paired bootstrap 95% CI and p-value, McNemar's exact test per field, and the articles where the sides disagree. Unchanged requests are answered from the response cache.

    Examples:

          extractor compare rules incident@v1 incident@v2 --model openai/gpt-4o-mini

          extractor compare 20261121-0712 20261121-0745 --json compare.json
    """
    from extractor.api import compare, resolve_sides  # scipy loads only when one runs
    from extractor.eval import load_gold

    if len(sides) < 2:
        raise typer.BadParameter("give at least two sides to compare")
    with user_errors():
        options.settings()  # a bad flag or variable is named before any side runs
        gold_path, article_paths = eval_paths(gold, articles)
        labels = load_gold(gold_path)  # a bad gold file is named before any side runs
        flags = {k: v for k, v in options.flags().items() if k != "model"}
        resolved = resolve_sides(sides, model=options.model, articles=article_paths, **flags)
        report = compare(resolved, gold=labels)
        if json_path is not None:
            write_report(json_path, report.to_json())
        if html_path is not None:
            from extractor.view import write_html

            lines = {side.label: side.lines for side in resolved}
            write_html(report, html_path, articles=article_paths, side_lines=lines)
    for warning in report.warnings:
        err_console.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)
    console = out_console()
    console.print(report.view(disagreements=disagreements))
    if json_path is not None:
        err_console.print(f"comparison written to {json_path}", highlight=False)
