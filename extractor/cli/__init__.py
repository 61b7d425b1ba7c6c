"""The ``extractor`` command: composes one Typer app per command group."""

from __future__ import annotations

import logging
import os
import sys

import typer

from extractor.cli import prompts as prompts_cli
from extractor.cli import runs as runs_cli
from extractor.cli.common import report_crash
from extractor.cli.compare import compare_command
from extractor.cli.eval import eval_command
from extractor.cli.label import label_command
from extractor.cli.run import run_command
from extractor.cli.view import view_command

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

app.command("eval")(eval_command)
app.command("view")(view_command)
app.command("label")(label_command)


@app.callback()
def _setup() -> None:
    # instructor logs every failed attempt at error level; the tool reports retries and failures
    # itself (summary table, error lines), so its log would only repeat them, noisily
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


def main() -> None:
    """Console-script entry point: a bug becomes one line and a saved traceback, never a dump."""
    try:
        app()
    except BrokenPipeError:  # stdout closed early (`extractor runs list | head`): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python's own advice for this case)
        raise SystemExit(1) from None
    except Exception as exc:
        report_crash(exc)
        raise SystemExit(1) from None
