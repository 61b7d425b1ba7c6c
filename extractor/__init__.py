"""extractor: news articles about police shootings -> validated incident records, and their scores.

The library API is what the CLI calls, under the same names.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from extractor.documents import BadDocument, Document, iter_documents
from extractor.errors import ExtractorError
from extractor.predictions import PredictionLine
from extractor.schema import SCHEMA_VERSION, IncidentRecord, Person

if TYPE_CHECKING:
    from extractor.api import compare, evaluate
    from extractor.pool import RunSummary
    from extractor.runner import extract, run

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

# Loaded when first asked for: `import extractor.eval` then pulls in no runner or store, and
# `extractor run` never loads the scoring stack (scipy, rapidfuzz).
_LAZY = {
    "RunSummary": "extractor.pool",
    "extract": "extractor.runner",
    "run": "extractor.runner",
    "compare": "extractor.api",
    "evaluate": "extractor.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
