"""extractor: news articles about police shootings -> validated incident records, and their scores.

The library API is what the CLI calls, under the same names.
"""

from typing import Any

from extractor.documents import BadDocument, Document, iter_documents
from extractor.errors import ExtractorError
from extractor.predictions import PredictionLine
from extractor.runner import RunSummary, extract, run
from extractor.schema import SCHEMA_VERSION, IncidentRecord, Person

__all__ = [
    "SCHEMA_VERSION",
    "BadDocument",
    "Document",
    "ExtractorError",
    "IncidentRecord",
    "Person",
    "PredictionLine",
    "RunSummary",
    "compare",
    "evaluate",
    "extract",
    "iter_documents",
    "run",
]


def __getattr__(name: str) -> Any:
    # the scoring stack (scipy, rapidfuzz) loads only when asked for, so `extractor run` starts fast
    if name == "evaluate":
        from extractor.eval import evaluate

        return evaluate
    if name == "compare":
        from extractor.compare import compare

        return compare
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
