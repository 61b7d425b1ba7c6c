"""Read a predictions JSON Lines file for scoring, refusing a malformed line by its number."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from extractor.errors import PredictionsFileError
from extractor.predictions import PredictionLine


def _where(error: dict[str, object]) -> str:
    loc = error.get("loc")
    parts = [str(p) for p in loc] if isinstance(loc, tuple) else []
    return f"field {'.'.join(parts)!r}: " if parts else ""


def read_predictions(path: str | Path) -> list[PredictionLine]:
    """Parse every non-blank line of a predictions ``.jsonl`` file, in file order.

    Raises:
        PredictionsFileError: the file is missing or unreadable, or a line is not valid JSON or
            not a prediction line (the message names the file and line number).
    """
    source = Path(path)
    if not source.is_file():
        raise PredictionsFileError(
            f"{source}: no such predictions file",
            hint="give --predictions the .jsonl file `extractor run` wrote",
        )
    lines: list[PredictionLine] = []
    try:
        with source.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    lines.append(PredictionLine.model_validate_json(raw))
                except ValidationError as exc:
                    error = exc.errors()[0]
                    detail = f"{_where(dict(error))}{error['msg']}"
                    raise PredictionsFileError(
                        f"{source}:{number}: not a valid prediction line: {detail}",
                        hint="each line must be one JSON object as `extractor run` writes it; "
                        "a torn last line from an interrupted run can be deleted, or the run "
                        "resumed to repair it",
                    ) from None
    except OSError as exc:
        raise PredictionsFileError(f"{source}: cannot be read ({exc.strerror})") from None
    return lines
