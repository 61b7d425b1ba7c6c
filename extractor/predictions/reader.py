"""Read a predictions JSON Lines file: for scoring (lenient) and for resuming a run (strict).

Both go through one loop, :func:`iter_lines`. Every line needs a ``doc_id`` and a ``record`` or
an ``error`` key. The strict mode (resume) wants lines as ``extractor run`` writes them; the
lenient mode (``extractor eval --predictions``, other tools' output, hand-made files) defaults
every other key that is absent, or null where the format has no null, and remembers which.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.errors import PredictionsFileError
from extractor.predictions.line import PredictionLine

#: what ``model`` is when a lenient line does not say
UNKNOWN_MODEL = "unknown"
#: keys a lenient line may lack, with their defaults, and whether ``null`` is a value there
_DEFAULTED: dict[str, tuple[Any, bool]] = {
    "evidence": ({}, False),
    "model": (UNKNOWN_MODEL, False),
    "prompt": (None, True),
    "usage": ({}, False),
    "attempts": (0, False),
    "published": (None, True),
    "cost_usd": (None, True),
    "latency_s": (None, True),
    "cached": (False, False),
}


class LineError(ValueError):
    """One line of a predictions file is not a prediction line (the reason is the message)."""


@dataclass(frozen=True, slots=True)
class ReadLine:
    """One non-blank line: its number, its text, and the parsed line (None: torn last line)."""

    number: int
    text: str
    line: PredictionLine | None


def _where(error: dict[str, Any]) -> str:
    loc = error.get("loc")
    parts = [str(p) for p in loc] if isinstance(loc, tuple) else []
    return f"field {'.'.join(parts)!r}: " if parts else ""


def parse_line(raw: str | bytes, *, lenient: bool = False) -> PredictionLine:
    """Parse one line.

    Raises:
        LineError: not JSON, not an object, no ``doc_id``, neither ``record`` nor ``error``, or a
            value of the wrong shape (the message names the field).
    """
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise LineError("the line is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise LineError("the line is not a JSON object")
    if "doc_id" not in data:
        raise LineError("no 'doc_id' key")
    if "record" not in data and "error" not in data:
        raise LineError("neither a 'record' nor an 'error' key")
    missing: list[str] = []
    if lenient:
        for key, (default, nullable) in _DEFAULTED.items():
            if key not in data or (data[key] is None and not nullable):
                missing.append(key)
                data[key] = default
        if isinstance(data.get("error"), str):  # other tools often give the message alone
            data["error"] = {"type": "error", "message": data["error"]}
    try:
        line = PredictionLine.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise LineError(f"{_where(dict(error))}{error['msg']}") from None
    line._missing_keys = tuple(missing)
    return line


def iter_lines(
    path: Path, *, lenient: bool, torn_last_ok: bool = False
) -> Iterator[ReadLine | tuple[int, LineError]]:
    """Every non-blank line of ``path``, parsed, in file order: the one parse loop.

    A line that does not parse is yielded as ``(number, error)``, except a last line with no
    newline (a write torn by a kill) when ``torn_last_ok``: that one comes back with ``line=None``.

    Raises:
        OSError: the file cannot be read.
    """
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            text = raw.decode("utf-8", "replace")
            try:
                yield ReadLine(number, text, parse_line(raw, lenient=lenient))
            except LineError as exc:
                if torn_last_ok and not raw.endswith(b"\n"):
                    yield ReadLine(number, text, None)
                else:
                    yield number, exc


def read_predictions(path: str | Path, *, lenient: bool = True) -> list[PredictionLine]:
    """Parse every non-blank line of a predictions ``.jsonl`` file, in file order.

    Lenient by default (for scoring): only ``doc_id`` and ``record`` or ``error`` are required;
    see :func:`missing_key_counts` for what was defaulted. ``lenient=False`` wants every line as
    ``extractor run`` writes it.

    Raises:
        PredictionsFileError: the file is missing or unreadable, or a line is not a prediction
            line (the message names the file and line number).
    """
    source = Path(path)
    if not source.is_file():
        raise PredictionsFileError(
            f"{source}: no such predictions file",
            hint="give --predictions the .jsonl file `extractor run` wrote",
        )
    lines: list[PredictionLine] = []
    try:
        for item in iter_lines(source, lenient=lenient):
            if isinstance(item, tuple):
                number, exc = item
                raise PredictionsFileError(
                    f"{source}:{number}: not a valid prediction line: {exc}",
                    hint="each line must be a JSON object with 'doc_id' and 'record' (or "
                    "'error'); a torn last line from an interrupted run can be deleted, or the "
                    "run resumed to repair it",
                )
            if item.line is not None:
                lines.append(item.line)
    except OSError as exc:
        raise PredictionsFileError(f"{source}: cannot be read ({exc.strerror})") from None
    return lines


def missing_key_counts(lines: Iterable[PredictionLine]) -> dict[str, int]:
    """How many lines lacked each key (and were given its default), keys sorted."""
    counts = Counter(key for line in lines for key in line.missing_keys)
    return dict(sorted(counts.items()))
