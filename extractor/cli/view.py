"""``extractor view``: one self-contained HTML page of a run, an eval report or a comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from extractor.cli.common import err_console, user_errors


def view_command(
    source: Annotated[
        str,
        typer.Argument(
            help="a predictions .jsonl, a run id, an eval --json report or a compare --json report",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="the HTML file to write", dir_okay=False),
    ] = Path("report.html"),
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            metavar="PATH",
            help="where the article texts are (repeatable); default seeds/ and evals/articles/ "
            "(for a run id: the run's own inputs when they still exist)",
        ),
    ] = None,
) -> None:
    """Write one HTML page to open in a browser: articles with their evidence highlighted, scores, diffs.

    The page is a single file with everything inlined; it makes no network request and prints legibly. What SOURCE is, is told from its content.

    Examples:

          extractor view records.jsonl -o run.html

          extractor view 20261121-0712 -o run.html

          extractor view report.json -o eval.html      # from `extractor eval --json report.json`

          extractor view compare.json -o compare.html  # from `extractor compare --json compare.json`
    """
    from extractor.view import write_html
    from extractor.view.source import render_source

    with user_errors():
        kind, html = render_source(source, articles=articles)
        written = write_html(html, output)
    err_console.print(f"{kind} view written to {written}", highlight=False)
