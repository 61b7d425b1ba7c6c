"""extractor: news articles about police shootings -> validated incident records, and their scores.

The library API is what the CLI calls, under the same names.
"""

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
    "extract",
    "iter_documents",
    "run",
]
