"""One line of a predictions file, as the spec's "Predictions file" section defines it."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from extractor.evidence import Evidence, filled_paths
from extractor.schema import IncidentRecord
from extractor.usage import Usage


class PromptRef(BaseModel):
    """The prompt template a record came from: ``name@version``, and its content hash if known.

    The hash is never written into a line (the line's ``prompt`` stays ``{name, version}``); it
    is the run store's ``prompt_hash``, carried here so a resume can refuse an edited template.
    """

    name: str
    version: str
    content_hash: str | None = Field(default=None, exclude=True)

    @classmethod
    def parse(cls, ref: str, content_hash: str | None = None) -> PromptRef:
        """``"incident@v1"`` as a ref (no ``@`` means an empty version)."""
        name, _, version = ref.partition("@")
        return cls(name=name, version=version, content_hash=content_hash)

    def same_template(self, other: PromptRef | None) -> bool:
        """Same name and version (hashes are compared separately, where they are known)."""
        return other is not None and (self.name, self.version) == (other.name, other.version)

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


class ErrorInfo(BaseModel):
    """What went wrong for one article."""

    type: str
    message: str


class PredictionLine(BaseModel):
    """A record (or an error) for one article, with its evidence and accounting."""

    doc_id: str
    record: IncidentRecord | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    #: field path -> agreement (0-1) of the values written, when sampled (``run --samples N``);
    #: None (and then not written) otherwise, so unsampled lines keep their exact bytes
    confidence: dict[str, float] | None = None
    error: ErrorInfo | None = None
    model: str
    prompt: PromptRef | None = None
    usage: Usage = Field(default_factory=Usage)
    attempts: int = 0
    published: str | None = None
    cost_usd: float | None = None
    latency_s: float | None = None
    #: answered from the response cache, with no model call (usage and cost are the original's)
    cached: bool = False
    # keys the line as read lacked and were defaulted (set by the lenient reader; never written)
    _missing_keys: tuple[str, ...] = PrivateAttr(default=())

    @property
    def ok(self) -> bool:
        return self.error is None and self.record is not None

    @property
    def empty(self) -> bool:
        """A record with no value filled: the model answered, but said nothing about the article.

        Not an error (an article can state nothing codable), but a sign of a model that did not
        engage: counted apart in the run summary and the eval report.
        """
        return self.ok and self.record is not None and not filled_paths(self.record)

    @property
    def outcome(self) -> str:
        """``record``, ``empty`` (a record with no value filled) or ``error``."""
        return "error" if not self.ok else "empty" if self.empty else "record"

    @property
    def missing_keys(self) -> tuple[str, ...]:
        """Keys of the format this line lacked when it was read (and were given defaults)."""
        return self._missing_keys

    def to_json(self) -> str:
        return self.model_dump_json(exclude=None if self.confidence else {"confidence"})

    @classmethod
    def from_json(cls, line: str | bytes) -> PredictionLine:
        return cls.model_validate_json(line)

    def flat(self) -> dict[str, Any]:
        """A flat row for CSV: record fields as columns, people as one JSON column."""
        row: dict[str, Any] = {"doc_id": self.doc_id, "model": self.model}
        row["prompt"] = str(self.prompt) if self.prompt else ""
        record = self.record.model_dump() if self.record else {}
        for name in IncidentRecord.model_fields:
            value = record.get(name)
            if isinstance(value, list):
                value = json.dumps(value) if name == "people" else ";".join(value)
            row[name] = value
        row["ungrounded"] = ";".join(p for p, e in self.evidence.items() if not e.grounded)
        row["error"] = f"{self.error.type}: {self.error.message}" if self.error else ""
        row.update(self.usage.as_dict())
        row["attempts"] = self.attempts
        row["cost_usd"] = self.cost_usd
        return row


def csv_columns() -> list[str]:
    """The CSV header ``extractor run --format csv`` writes."""
    return list(PredictionLine(doc_id="", model="").flat())
