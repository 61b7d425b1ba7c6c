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
from extractor.schema import MAX_COUNT, IncidentRecord
from extractor.usage import Usage

#: The validation context (article, publication date) of the call in progress. It is not passed
#: to instructor as ``context=``: instructor also renders every message as a Jinja template with
#: that context, so an article containing "{{ ... }}" would be rewritten before the model saw it
#: and one containing "{%" would crash the batch (and rendering costs ~0.5 ms per call).
VALIDATION_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar(
    "extractor_validation_context", default=None
)


#: Length bounds (characters) of the compact schema, that stop a runaway string early: a
#: grammar-constrained server cannot write past them, and any other answer is re-asked. The
#: longest values in evals/gold and evals/heldout/gold are 19 (a name), 75 (an agency) and 240
#: (a summary). The full schema (v1, v2) carries none, so its requests stay as recorded.
BOUNDS = {"name": 80, "city": 80, "neighborhood": 160, "location": 160, "police_agency": 160,
          "investigating_agency": 160, "summary": 600, "quote": 400}  # fmt: skip


def _bound(node: Any) -> None:
    """Add ``maxLength`` to the bounded string properties of a (compact) schema, in place."""
    if isinstance(node, list):
        for item in node:
            _bound(item)
        return
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        kinds = prop.get("type") if isinstance(prop, dict) else None
        if name in BOUNDS and (
            kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
        ):
            prop["maxLength"] = BOUNDS[name]
    for value in node.values():
        _bound(value)


def _too_long(data: Any, path: str = "") -> list[str]:
    """Paths of bounded strings in ``data`` longer than their bound."""
    if isinstance(data, list):
        return [p for i, item in enumerate(data) for p in _too_long(item, f"{path}[{i}]")]
    if not isinstance(data, dict):
        return []
    found = []
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, str) and key in BOUNDS and len(value) > BOUNDS[key]:
            found.append(f"{where} should have at most {BOUNDS[key]} characters")
        found.extend(_too_long(value, where))
    return found


class IncidentExtraction(IncidentRecord):
    """The incident record, with a verbatim quote from the article for every value filled."""

    evidence: list[Quote] = Field(
        default_factory=list,
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
        self._grounding = ground(self, self.evidence, article)
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


def _trim(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop what the model never needs to write: the constant ``schema_version`` (its default
    fills it), the sanity ceilings on counts (validation still enforces them) and an empty
    ``required``."""
    schema["properties"].pop("schema_version", None)
    if schema.get("required") == []:
        del schema["required"]

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("maximum") == MAX_COUNT:
                del node["maximum"]
            for value in node.values():
                walk(value)

    walk(schema)
    return schema


def _inline_enums(schema: dict[str, Any]) -> dict[str, Any]:
    """Write each enum where it is used instead of behind a ``$ref``.

    ``{"anyOf": [{"$ref": "#/$defs/Gender"}, {"type": "null"}]}`` becomes
    ``{"enum": ["male", "female", "non_binary", null]}``; a list of them keeps ``"type": "array"``.
    The enums are short, so writing a few twice costs fewer tokens than the references did.
    """
    defs: dict[str, Any] = schema.get("$defs", {})
    enums = {f"#/$defs/{name}": d["enum"] for name, d in defs.items() if "enum" in d}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref in enums:
            return {"enum": list(enums[ref])}
        options = node.get("anyOf")
        if (
            isinstance(options, list)
            and len(options) == 2
            and {"type": "null"} in options
            and any(o.get("$ref") in enums for o in options)
        ):
            other = next(o for o in options if o != {"type": "null"})
            return {"enum": [*enums[other["$ref"]], None]}
        return {key: walk(value) for key, value in node.items()}

    out: dict[str, Any] = walk(schema)
    out["$defs"] = {name: d for name, d in out.get("$defs", {}).items() if "enum" not in d}
    return out


class CompactIncidentExtraction(IncidentExtraction):
    """The incident record and a verbatim quote for every value filled."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema: dict[str, Any] = compact_schema(super().model_json_schema(*args, **kwargs))
        schema["title"] = "IncidentExtraction"  # the tool's name, as the full schema's
        _bound(schema)
        return _inline_enums(_trim(schema))

    @model_validator(mode="before")
    @classmethod
    def _check_bounds(cls, data: Any) -> Any:
        long = _too_long(data)
        if long:
            raise ValueError("; ".join(long) + ": keep names short and quotes to a few words")
        return data


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
