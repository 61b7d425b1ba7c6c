"""``extractor compare``: prompt versions (or stored runs) side by side on the gold set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from extractor.cli.common import err_console, out_console, user_errors
from extractor.settings import DEFAULT_ARTICLES, DEFAULT_GOLD


def compare_command(
    sides: Annotated[
        list[str],
        typer.Argument(
            help="two or more of: rules, a prompt name@version (with --model), a stored run id"
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="model for prompt-version sides [env EXTRACTOR_MODEL]"),
    ] = None,
    gold: Annotated[Path, typer.Option("--gold", help="folder of gold label files")] = DEFAULT_GOLD,
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            help="articles to extract (repeatable); default seeds/ and evals/articles/",
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="write the whole comparison as JSON", dir_okay=False),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="also write the comparison as an HTML page", dir_okay=False),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="call the model even for requests answered before")
    ] = False,
    disagreements: Annotated[
        int, typer.Option("--disagreements", help="how many disagreements to list")
    ] = 25,
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
        labels = load_gold(gold)  # a bad gold file is named before any side runs
        resolved = resolve_sides(
            sides, model=model, articles=list(articles or DEFAULT_ARTICLES), cache=not no_cache
        )
        report = compare(resolved, gold=labels)
        if json_path is not None:
            json_path.write_text(report.to_json(), encoding="utf-8")
        if html_path is not None:
            from extractor.view import write_html

            lines = {side.label: side.lines for side in resolved}
            write_html(report, html_path, articles=articles or DEFAULT_ARTICLES, side_lines=lines)
    for warning in report.warnings:
        err_console.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)
    console = out_console()
    console.print(report.view(disagreements=disagreements))
    if json_path is not None:
        err_console.print(f"comparison written to {json_path}", highlight=False)
