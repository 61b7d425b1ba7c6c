"""The contract sent to the model: the incident record plus a verbatim quote for every value.

Provider-neutral: every provider asks for a tool call (or JSON) shaped like
:class:`IncidentExtraction`, and every strategy validates answers against it.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from typing import Any

import instructor
from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from extractor.backend import ExtractionResult
from extractor.evidence import ArticleText, Evidence, Quote, ground
from extractor.schema import IncidentRecord
from extractor.usage import Usage

#: The validation context (article, publication date) of the call in progress. It is not passed
#: to instructor as ``context=``: instructor also renders every message as a Jinja template with
#: that context, so an article containing "{{ ... }}" would be rewritten before the model saw it
#: and one containing "{%" would crash the batch (and rendering costs ~0.5 ms per call).
VALIDATION_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar(
    "extractor_validation_context", default=None
)


#: The longest quote accepted: a sentence or two. Longer is a runaway (a grammar-constrained
#: server stops there); the rules baseline's quotes in the gold sets' articles are all shorter.
QUOTE_MAX = 400


class BoundedQuote(Quote):
    """A verbatim quote the model gives for one filled value, at most a sentence or two."""

    quote: str = Field(
        max_length=QUOTE_MAX, description="A short passage copied exactly from the article."
    )


class IncidentExtraction(IncidentRecord):
    """The incident record, with a verbatim quote from the article for every value filled."""

    evidence: list[BoundedQuote] = Field(
        default_factory=list,
        max_length=200,
        description="One entry per filled value: its field path and a short quote copied exactly "
        "from the article that supports it.",
    )
    _grounding: dict[str, Evidence] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_quotes(self, info: ValidationInfo) -> IncidentExtraction:
        context = info.context or VALIDATION_CONTEXT.get() or {}
        article = context.get("article")
        if not isinstance(article, ArticleText):
            return self
        quotes: list[Quote] = list(self.evidence)
        self._grounding = ground(self, quotes, article)
        failed = [(path, ev.quote) for path, ev in self._grounding.items() if not ev.grounded]
        if failed and context.get("strict_grounding", True):
            listed = "; ".join(
                f"{path}: {quote!r}" if quote else f"{path}: no quote given"
                for path, quote in failed
            )
            raise ValueError(
                "these values have no quote found verbatim in the article: "
                f"{listed}. Copy the supporting text exactly from the article, or set the value "
                "to null if the article does not state it."
            )
        return self

    def to_result(self, usage: Usage, attempts: int) -> ExtractionResult:
        record = IncidentRecord.model_validate(self.model_dump(exclude={"evidence"}))
        return ExtractionResult(record, dict(self._grounding), usage, attempts)


def compact_schema(node: Any) -> Any:
    """A JSON schema without titles, descriptions or null defaults, optional types written short.

    ``{"anyOf": [{"type": "string", "maxLength": 80}, {"type": "null"}]}`` becomes
    ``{"type": ["string", "null"], "maxLength": 80}``. The constraints (types, enums, bounds,
    required) stay: only the prose goes, which a prompt carrying the rules (``incident@v3``)
    says once instead.
    """
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: compact_schema(value)
        for key, value in node.items()
        if key not in {"title", "description"} and not (key == "default" and value is None)
    }
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(o for o in options if o != {"type": "null"})
        if isinstance(other.get("type"), str):
            del out["anyOf"]
            out.update(other, type=[other["type"], "null"])
    return out


class CompactIncidentExtraction(IncidentExtraction):
    """The incident record and a verbatim quote for every value filled."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema: dict[str, Any] = compact_schema(super().model_json_schema(*args, **kwargs))
        schema["title"] = "IncidentExtraction"  # the tool's name, as the full schema's
        return schema


#: Changes whenever the record schema (and so the tool the model is asked to fill) changes.
SCHEMA_HASH = hashlib.sha256(
    json.dumps(IncidentExtraction.model_json_schema(), sort_keys=True).encode()
).hexdigest()[:16]


#: What instructor sends as the response model. Given a plain Pydantic model, instructor wraps it
#: in a new ``ResponseSchema`` subclass on every call, so its tool schema (keyed by that class) is
#: rebuilt each time: ~10 ms of CPU per call. Wrapped once here, with instructor's own wrapper,
#: the schema is built once and cached; the request bodies are byte-for-byte the same.
TOOL_MODEL = instructor.response_schema(IncidentExtraction)
#: The same tool without the prose: selected by ``schema = "compact"`` in a prompt's meta.toml.
COMPACT_TOOL_MODEL = instructor.response_schema(CompactIncidentExtraction)
#: Tool models by the ``schema`` key of a prompt's meta.toml (``full`` when it has none).
TOOL_MODELS = {"full": TOOL_MODEL, "compact": COMPACT_TOOL_MODEL}
