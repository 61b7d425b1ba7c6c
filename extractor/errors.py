"""One place for every error the tool raises on purpose.

The CLI turns an :class:`ExtractorError` into a one-line message and a non-zero exit; anything
else is a bug and keeps its traceback. Every message says what is wrong, where, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from extractor.usage import Usage


class ExtractorError(Exception):
    """Base class for errors a user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ExtractorError):
    """A setting, flag or environment variable is missing or invalid."""

    exit_code = 2


class PromptNotFoundError(ConfigError):
    """A prompt reference does not name an existing template version."""


class DocumentError(ExtractorError):
    """An input article cannot be used (empty, binary, undecodable, too long, malformed line)."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        hint: str | None = None,
        doc_id: str | None = None,
    ) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}", hint=hint)
        self.source = source
        self.line = line
        self.doc_id = doc_id


class StoreError(ConfigError):
    """The run store cannot be opened, or holds no run matching what was asked for."""


class OutputError(ConfigError):
    """An output file cannot be written: it is an input, not a predictions file, or in use."""


class GoldFileError(ExtractorError):
    """A gold label file is malformed or does not match the incident spec."""


class PredictionsFileError(ExtractorError):
    """A predictions file is missing, unreadable, or has a line that is not a prediction line."""


class ExtractionError(ExtractorError):
    """A model call failed for one article after every retry."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        usage: Usage | Mapping[str, int] | None = None,
        last_output: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts
        #: tokens the failed attempts spent (a mapping is accepted from older callers)
        self.usage = usage if isinstance(usage, Usage) else Usage.model_validate(usage or {})
        self.last_output = last_output


class ProviderError(ExtractionError):
    """The provider kept answering with errors (429, 5xx, timeouts) until retries ran out."""


class ValidationFailedError(ExtractionError):
    """The model's answers never passed validation, even after re-asking."""


class ViewSourceError(ExtractorError):
    """What ``extractor view`` was given is not a predictions file, run id, eval or compare report."""
