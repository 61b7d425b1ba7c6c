"""``extractor label``: the labeling assistant, a local web app that writes gold files."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from extractor.cli.common import user_errors


def label_command(
    articles: Annotated[
        list[Path],
        typer.Argument(help="article files or folders to label", show_default=False),
    ],
    gold: Annotated[
        Path,
        typer.Option("--gold", help="the gold folder: DIR/<doc_id>.json, drafts in DIR/.drafts/"),
    ],
    sources: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="RUN_OR_PREDICTIONS",
            help="a run id or predictions .jsonl to pre-fill the form from (repeatable)",
        ),
    ] = None,
    guidelines: Annotated[
        Path, typer.Option("--guidelines", help="the labeling guidelines, linked from each field")
    ] = Path("evals/GUIDELINES.md"),
    port: Annotated[int, typer.Option("--port", help="port on 127.0.0.1 (0: any free one)")] = 0,
    no_open: Annotated[bool, typer.Option("--no-open", help="do not open a browser")] = False,
) -> None:
    """Label articles in the browser, pre-filled from runs, into gold files that `extractor eval` reads.

    Serves a page on 127.0.0.1 only: the worklist (articles without gold first, then those where the --from runs disagree), the article with its evidence highlighted, and a form where agreed values are pre-accepted and disagreements offer each run's value with its quote. Keys are listed on the page. Every change is autosaved to DIR/.drafts/. Needs the label extra: pip install 'extractor\\[label]'.

    Examples:

          extractor run seeds/ -o rules.jsonl && extractor label seeds/ --gold gold/ --from rules.jsonl

          extractor label evals/articles --gold evals/gold --from 20261121-0712 --from v2.jsonl
    """
    from extractor.label import LabelSession, require_extra, serve

    with user_errors():
        require_extra()
        session = LabelSession(articles, gold, sources=sources or [], guidelines=guidelines)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops; drafts are kept
            serve(session, port=port, open_browser=not no_open)
