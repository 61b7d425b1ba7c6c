"""``extractor prompts``: list, show and render the versioned prompt templates."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from extractor.cli.common import out_console, user_errors
from extractor.documents import read_article_file
from extractor.prompts import list_prompts, load_prompt

app = typer.Typer(
    help="List, show and render the versioned prompt templates.", no_args_is_help=True
)


@app.command("list")
def list_command() -> None:
    """List every prompt template version."""
    console = out_console()
    table = Table("prompt", "hash", "description")
    for prompt in list_prompts():
        table.add_row(prompt.ref, prompt.content_hash, prompt.description)
    console.print(table)


@app.command("show")
def show_command(
    ref: Annotated[str, typer.Argument(help="name@version, e.g. incident@v1")],
) -> None:
    """Show a template's metadata and its raw system and user templates."""
    console = out_console()
    with user_errors():
        prompt = load_prompt(ref)
    console.print(
        f"[bold]{escape(prompt.ref)}[/]  hash {prompt.content_hash}  ({escape(str(prompt.path))})"
    )
    console.print(f"description: {_flat(prompt.description)}", highlight=False)
    console.print(f"changes: {_flat(prompt.changes)}", highlight=False)
    console.print(f"params: {json.dumps(prompt.params)}")
    console.rule("system.j2")
    console.print(prompt.system_source, markup=False, highlight=False)
    console.rule("user.j2")
    console.print(prompt.user_source, markup=False, highlight=False)


def _flat(text: str) -> str:
    return " ".join(text.split())


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="name@version, e.g. incident@v1")],
    new: Annotated[str, typer.Argument(help="name@version, e.g. incident@v2")],
) -> None:
    """Show what changed between two prompt versions: templates, parameters, and why.

    Example: extractor prompts diff incident@v1 incident@v2
    """
    console = out_console()
    with user_errors():
        a, b = load_prompt(old), load_prompt(new)
    console.print(f"[bold]{b.ref}[/] changes: {_flat(b.changes)}", highlight=False)
    parts = [
        ("system.j2", a.system_source, b.system_source),
        ("user.j2", a.user_source, b.user_source),
        (
            "params",
            json.dumps(a.params, indent=2, sort_keys=True) + "\n",
            json.dumps(b.params, indent=2, sort_keys=True) + "\n",
        ),
    ]
    for name, before, after in parts:
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True),
                fromfile=f"{a.ref}/{name}", tofile=f"{b.ref}/{name}",
            )
        )  # fmt: skip
        if not diff:
            console.print(f"{name}: unchanged", highlight=False)
            continue
        for line in diff.splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)


@app.command("render")
def render_command(
    ref: Annotated[str, typer.Argument(help="name@version, e.g. incident@v1")],
    article: Annotated[
        Path, typer.Argument(help="an article file (.txt/.md)", exists=True, dir_okay=False)
    ],
    schema: Annotated[
        bool, typer.Option("--schema", help="also print the tool's JSON schema")
    ] = False,
) -> None:
    """Print the exact messages a model would receive for ARTICLE.

    Example: extractor prompts render incident@v1 seeds/000_da9441d524ed042a.txt
    """
    console = out_console()
    with user_errors():
        prompt = load_prompt(ref)
        document = read_article_file(article)
    for message in prompt.render(document):
        console.rule(message["role"])
        console.print(message["content"], markup=False, highlight=False)
    if schema:
        from extractor.contract import IncidentExtraction

        console.rule("tool schema (IncidentExtraction)")
        console.print_json(data=IncidentExtraction.model_json_schema())
