"""The ``extractor`` command: composes one Typer app per command group."""

from __future__ import annotations

import typer

from extractor.cli import prompts as prompts_cli
from extractor.cli import runs as runs_cli
from extractor.cli.compare import compare_command
from extractor.cli.run import run_command

app = typer.Typer(
    name="extractor",
    help="Turn news articles about police shootings into validated incident records, and "
    "measure how good they are.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("run")(run_command)
app.command("compare")(compare_command)
app.add_typer(prompts_cli.app, name="prompts")
app.add_typer(runs_cli.app, name="runs")

try:  # the eval command lands separately; the app works without it
    from extractor.cli.eval import eval_command
except ImportError:  # pragma: no cover
    pass
else:
    app.command("eval")(eval_command)


def main() -> None:
    """Console-script entry point."""
    app()
