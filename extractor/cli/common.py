"""What every command shares: turning errors into one-line messages, and the stderr console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from extractor.errors import ExtractorError

#: Messages, progress and tables go to stderr so stdout can carry records (``-o -``).
err_console = Console(stderr=True)


def out_console() -> Console:
    """A console on stdout, sized for the terminal (or ``COLUMNS``) at the time of the call."""
    return Console()


@contextmanager
def user_errors() -> Iterator[None]:
    """Print an :class:`ExtractorError` as one line and exit non-zero; let real bugs raise."""
    try:
        yield
    except ExtractorError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True
        )
        if exc.hint:
            err_console.print(f"  hint: {escape(exc.hint)}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
