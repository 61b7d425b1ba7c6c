"""What every command shares: turning errors into one-line messages, and the stderr console."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from extractor.errors import ExtractorError
from extractor.settings import ENV_FILE, state_dir

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


def write_report(path: Path, text: str, *, flag: str = "--json") -> None:
    """Write a report file the user named, creating its folder.

    Raises:
        ExtractorError: it cannot be written; the message names the file and the flag.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExtractorError(
            f"{path}: cannot write the report ({exc.strerror or type(exc).__name__})",
            hint=f"give {flag} a writable file path",
        ) from None


#: Variables whose values never go into a crash report, whatever they hold.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)


def _secrets() -> list[str]:
    from dotenv import dotenv_values

    values = {**dotenv_values(ENV_FILE), **os.environ}
    found = [v for k, v in values.items() if v and len(v) >= 6 and _SECRET_NAME.search(k)]
    return sorted(found, key=len, reverse=True)


def save_crash(exc: BaseException) -> Path | None:
    """Write ``exc``'s traceback (secrets redacted) under ``<state dir>/crash/`` and return its path.

    Falls back to the system's temporary folder when the state dir cannot be written, and returns
    ``None`` when neither can.
    """
    text = "".join(traceback.format_exception(exc))
    report = (
        f"extractor crash report\ncommand: {' '.join(sys.argv)}\n"
        f"python: {sys.version.split()[0]}\n\n{text}"
    )
    for secret in _secrets():
        report = report.replace(secret, "[redacted]")
    name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}.txt"
    folders: list[Callable[[], Path]] = [
        lambda: state_dir() / "crash",
        lambda: Path(tempfile.gettempdir()),
    ]
    for folder in folders:
        try:
            path = folder() / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(report, encoding="utf-8")
            return path
        except (OSError, ExtractorError):
            continue
    return None


def report_crash(exc: BaseException) -> None:
    """One line for a bug: what it was, where the traceback is, and what to do with it."""
    path = save_crash(exc)
    summary = " ".join(str(exc).split())
    for secret in _secrets():  # before cutting, so no part of a key is left
        summary = summary.replace(secret, "[redacted]")
    summary = summary[:200]
    err_console.print(
        f"[bold red]error:[/] unexpected {type(exc).__name__}"
        + (f": {escape(summary)}" if summary else "")
        + " (a bug in extractor, not in your input; "
        + (
            f"the traceback is in {path}, please include it when you report this)"
            if path
            else "the traceback could not be saved: set EXTRACTOR_HOME to a writable folder)"
        ),
        highlight=False,
        soft_wrap=True,
    )
