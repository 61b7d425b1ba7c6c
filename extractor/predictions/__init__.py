"""Predictions: the line model, the JSONL reader and the JSONL/CSV writer, in one place.

- :mod:`.line`: :class:`PredictionLine` (with a typed :class:`~extractor.usage.Usage` and a
  :class:`PromptRef`), the one artifact ``run`` writes, the store keeps and ``eval`` scores.
- :mod:`.reader`: one parse loop for the strict (resume) and lenient (scoring) readers.
- :mod:`.writer`: the JSONL/CSV writer, with resume, input protection and locking
  (:mod:`.lock`).
"""

from extractor.predictions.line import ErrorInfo, PredictionLine, PromptRef
from extractor.predictions.reader import missing_key_counts, parse_line, read_predictions
from extractor.predictions.writer import Format, PredictionWriter, check_not_an_input
from extractor.usage import Usage

__all__ = [
    "ErrorInfo",
    "Format",
    "PredictionLine",
    "PredictionWriter",
    "PromptRef",
    "Usage",
    "check_not_an_input",
    "missing_key_counts",
    "parse_line",
    "read_predictions",
]
