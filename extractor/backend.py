"""The interface every backend implements: one article in, one validated record out."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.ledger import BYTES_PER_TOKEN
from extractor.predictions.line import PromptRef
from extractor.schema import IncidentRecord
from extractor.usage import Usage

__all__ = ["Backend", "ExtractionResult", "PlannedRequest", "Usage"]

#: Bytes an SDK adds to a request around the messages and the schema (model name, tool wrapper,
#: tool_choice), so the estimate of a body is never below what is sent.
ENVELOPE_BYTES = 512


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """One request an article's first attempt sends: its size and its completion limit."""

    prompt_bytes: int
    max_tokens: int

    @property
    def prompt_tokens(self) -> int:
        return -(-(self.prompt_bytes + ENVELOPE_BYTES) // BYTES_PER_TOKEN)


@dataclass(slots=True)
class ExtractionResult:
    """A validated record with its evidence and what it cost."""

    record: IncidentRecord
    evidence: dict[str, Evidence]
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1
    #: answered from the response cache: ``usage`` is what the original call spent
    cached: bool = False
    #: field path -> agreement (0-1), when the record is the majority of several samples
    confidence: dict[str, float] | None = None


class Backend(abc.ABC):
    """Turns one article into one record. Subclasses: the LLM backend and the rules baseline."""

    #: What every output line records in its ``model`` field, e.g. ``"openai/gpt-4o-mini"``.
    model: str
    #: The prompt template (``name@version`` and content hash), or None for backends that use none.
    prompt: PromptRef | None = None
    #: Articles in progress per unit of ``--concurrency``. Network backends cap requests in flight
    #: at ``concurrency`` themselves and keep more articles going, so that one waiting out a retry
    #: backoff does not leave a request slot idle.
    workers_per_slot: int = 1

    @abc.abstractmethod
    async def extract(self, document: Document) -> ExtractionResult:
        """Extract one record.

        Raises:
            ExtractorError: this article failed (the batch writes an error line and goes on).
        """

    def cache_key(self, document: Document) -> str | None:
        """A key identifying this exact request (model, rendered messages, schema, parameters).

        None means answers are not worth caching (the rules baseline is cheaper than a lookup).
        """
        return None

    def planned_requests(self, document: Document) -> list[PlannedRequest]:
        """The requests this article's first attempt would send, for ``--max-cost``'s estimate.

        Empty when it sends none (the rules baseline, a cached answer).
        """
        return []

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections; called once when the batch ends."""
