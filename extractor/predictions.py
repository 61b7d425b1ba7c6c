"""One line of a predictions file, as the spec's "Predictions file" section defines it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from extractor.evidence import Evidence
from extractor.schema import IncidentRecord


class PromptInfo(BaseModel):
    """The prompt template a record came from."""

    name: str
    version: str


class ErrorInfo(BaseModel):
    """What went wrong for one article."""

    type: str
    message: str


class PredictionLine(BaseModel):
    """A record (or an error) for one article, with its evidence and accounting."""

    doc_id: str
    record: IncidentRecord | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    error: ErrorInfo | None = None
    model: str
    prompt: PromptInfo | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    attempts: int = 0
    published: str | None = None
    cost_usd: float | None = None
    latency_s: float | None = None
    #: answered from the response cache, with no model call (usage and cost are the original's)
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.record is not None

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, line: str | bytes) -> PredictionLine:
        return cls.model_validate_json(line)

    def flat(self) -> dict[str, Any]:
        """A flat row for CSV: record fields as columns, people as one JSON column."""
        import json

        row: dict[str, Any] = {"doc_id": self.doc_id, "model": self.model}
        row["prompt"] = f"{self.prompt.name}@{self.prompt.version}" if self.prompt else ""
        record = self.record.model_dump() if self.record else {}
        for name in IncidentRecord.model_fields:
            value = record.get(name)
            if isinstance(value, list):
                value = json.dumps(value) if name == "people" else ";".join(value)
            row[name] = value
        row["ungrounded"] = ";".join(p for p, e in self.evidence.items() if not e.grounded)
        row["error"] = f"{self.error.type}: {self.error.message}" if self.error else ""
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            row[key] = self.usage.get(key, 0)
        row["attempts"] = self.attempts
        row["cost_usd"] = self.cost_usd
        return row
