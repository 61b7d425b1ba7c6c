"""One place for every error the tool raises on purpose.

The CLI turns an :class:`ExtractorError` into a one-line message and a non-zero exit; anything
else is a bug and keeps its traceback. Every message says what is wrong, where, and how to fix it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

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


class OutputError(ConfigError):
    """The output cannot be written: an input, not a predictions file, in use, or not writable."""

    _HINTS: ClassVar[dict[int, str]] = {
        errno.EISDIR: "-o names a folder; give a file in it, e.g. -o {output}/records.jsonl",
        errno.ENOTDIR: "a part of the -o path is a file, not a folder; choose another path",
        errno.EEXIST: "a part of the -o path is a file, not a folder; choose another path",
        errno.ENOENT: "that folder cannot hold new files; choose another -o path",
        errno.EACCES: "choose a folder you can write to for -o (or -o - for stdout)",
        errno.EPERM: "choose a folder you can write to for -o (or -o - for stdout)",
        errno.EROFS: "that file system is read-only; choose another -o path (or -o - for stdout)",
        errno.ENOSPC: "the disk is full; free some room or choose another -o path",
    }

    @classmethod
    def about(cls, output: str | Path, exc: OSError) -> OutputError | None:
        """The one-line error for ``exc`` if it is about ``output`` (or its temp, lock or folder)."""
        if exc.filename is None or str(output) == "-":
            return None
        target, failed = Path(os.path.abspath(output)), Path(os.path.abspath(exc.filename))
        related = (
            failed == target
            or (failed.parent == target.parent and failed.name.startswith(target.name))
            or failed in target.parents
        )
        if not related:
            return None
        reason = (exc.strerror or type(exc).__name__).lower()
        where = "" if failed == target else f" ({failed})"
        hint = cls._HINTS.get(exc.errno or 0, "choose another -o path (or -o - for stdout)")
        return cls(
            f"cannot write the output {str(output)!r}: {reason}{where}",
            hint=hint.format(output=str(output).rstrip("/")),
        )


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


class BatchError(ExtractorError):
    """A provider's Batch API kept failing (upload, create, poll, download): rerun to resume."""


class ViewSourceError(ExtractorError):
    """What ``extractor view`` was given is not a predictions file, run id, eval or compare report."""


class OutputLimitError(ExtractionError):
    """The model ran out of output tokens (finish_reason ``length``) before its answer was whole."""


class ContextWindowError(ExtractionError):
    """The prompt and the smallest useful answer do not fit in the model's context window."""


class ModelTimeoutError(ProviderError):
    """Every attempt outlasted ``--timeout`` (a local model on a CPU needs minutes per call)."""


class ModeMismatchError(ConfigError):
    """The server does not support the structured-output mode asked for; another --mode will."""


class CostEstimateError(ConfigError):
    """A run's estimated cost is over ``--max-cost``: refused before anything is sent."""


class CostCapReached(ExtractorError):
    """A run stopped at ``--max-cost`` before every article was done (rerun with a higher cap)."""

    #: not a failure of any article and not a bad flag: the run is resumable, as after Ctrl-C
    exit_code = 3
