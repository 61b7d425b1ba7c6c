"""The flags ``run``, ``eval`` and ``compare`` share, declared once.

A command decorated with :func:`run_options` gets every flag below in its ``--help`` and receives
them as one :class:`RunOptions`. A flag left out is ``None``: :class:`~extractor.settings.Settings`
then takes the ``EXTRACTOR_*`` variable, the ``.env`` entry or the default, in that order, so the
environment is read in one place only.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer

from extractor.settings import Settings, load_paths, load_settings

PANEL = "Model and run settings"

#: Each shared flag: its type, its spellings, and its help (the variable is named for the user).
_FLAGS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "model": (str | None, ("--model", "-m"), "'rules' or 'openai/<name>'"),
    "prompt": (
        str | None,
        ("--prompt", "-p"),
        "prompt template name@version",
    ),
    "base_url": (str | None, ("--base-url",), "OpenAI-compatible server URL"),
    "concurrency": (int | None, ("--concurrency", "-c"), "requests in flight at once"),
    "max_retries": (int | None, ("--max-retries",), "re-asks after an invalid answer"),
    "http_retries": (int | None, ("--http-retries",), "retries of 429/5xx/timeouts"),
    "timeout": (float | None, ("--timeout",), "seconds per HTTP attempt"),
    "rpm": (int | None, ("--rpm",), "stay under this many requests per minute"),
    "tpm": (int | None, ("--tpm",), "stay under this many tokens per minute"),
    "prices": (Path | None, ("--prices",), "JSON price table overriding the built-in one"),
    "mode": (
        str | None,
        ("--mode",),
        "structured output: tools (a forced tool call), json_schema or json",
    ),
    "context_window": (
        int | None,
        ("--context-window",),
        "the model's context window in tokens; max_tokens is sized to what the prompt leaves",
    ),
    "max_cost": (
        float | None,
        ("--max-cost",),
        "spend at most this many US dollars: refused before sending if the estimate is over, "
        "stopped cleanly (resumable) before a request could pass it; re-asks and retries count",
    ),
    "samples": (
        int | None,
        ("--samples",),
        "ask the model N times per article; write each field's majority value and its "
        "agreement (0-1) as the line's 'confidence'",
    ),
}
_DEFAULTS = {
    "prompt": "; default incident@v1",
    "concurrency": "; default 8",
    "max_retries": "; default 2",
    "http_retries": "; default 6",
    "timeout": "; default 60; a local model on a CPU needs 600 or more",
    "mode": "; default tools",
    "context_window": "; default: asked of the server, else the price table's",
    "samples": "; default 1",
    "max_cost": "; default: no cap",
}
#: How each setting is spelled on the command line, for error messages.
FLAG_NAMES = {name: spellings[0] for name, (_, spellings, _) in _FLAGS.items()}

GoldOption = Annotated[
    Path | None,
    typer.Option(
        "--gold",
        help="folder of <doc_id>.json gold label files (EXTRACTOR_GOLD; default evals/gold)",
    ),
]
ArticlesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--articles",
        metavar="PATH",
        help="articles to extract, with a model (repeatable) (EXTRACTOR_ARTICLES, "
        f"{os.pathsep!r}-separated; default seeds/ and evals/articles/)",
    ),
]


@dataclass(frozen=True)
class RunOptions:
    """The shared flags as given; ``None`` means "as configured"."""

    model: str | None = None
    prompt: str | None = None
    base_url: str | None = None
    concurrency: int | None = None
    max_retries: int | None = None
    http_retries: int | None = None
    timeout: float | None = None
    rpm: int | None = None
    tpm: int | None = None
    prices: Path | None = None
    mode: str | None = None
    context_window: int | None = None
    samples: int | None = None
    max_cost: float | None = None
    no_cache: bool = False

    def flags(self) -> dict[str, Any]:
        """The :class:`Settings` fields given on the command line, and only those."""
        given = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in _FLAGS and getattr(self, f.name) is not None
        }
        if self.no_cache:
            given["cache"] = False
        return given

    def settings(self) -> Settings:
        """The validated settings: these flags over the environment, ``.env`` and defaults.

        Raises:
            ConfigError: a flag, variable or ``.env`` value is invalid (named in the message).
        """
        return load_settings(self.flags(), names=FLAG_NAMES)


def eval_paths(gold: Path | None, articles: list[Path] | None) -> tuple[Path, list[Path]]:
    """``--gold`` and ``--articles`` as given, else as configured (:class:`Paths`)."""
    if gold is not None and articles:
        return gold, list(articles)
    configured = load_paths()
    return gold or configured.gold, list(articles or configured.articles)


def _parameter(name: str, kind: Any, spellings: tuple[str, ...], help_text: str) -> Any:
    variable = f" (EXTRACTOR_{name.upper()}{_DEFAULTS.get(name, '')})"
    option = typer.Option(*spellings, help=help_text + variable, rich_help_panel=PANEL)
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, option]
    )


_NO_CACHE = inspect.Parameter(
    "no_cache",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="call the model even for requests answered before (EXTRACTOR_CACHE=false)",
            rich_help_panel=PANEL,
        ),
    ],
)


def run_options(
    *, exclude: Collection[str] = ()
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add the shared flags (less ``exclude``) to a command that takes ``options: RunOptions``."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        hints = get_type_hints(command, include_extras=True)
        own = [
            p.replace(annotation=hints[p.name])
            for p in inspect.signature(command).parameters.values()
            if p.name != "options"
        ]
        shared = [_parameter(name, *spec) for name, spec in _FLAGS.items() if name not in exclude]
        parameters = [*own, *shared, _NO_CACHE]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> None:
            given = {name: kwargs.pop(name) for name in [*_FLAGS, "no_cache"] if name in kwargs}
            command(options=RunOptions(**given), **kwargs)

        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate
