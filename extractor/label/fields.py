"""The form's fields, read from the record schema: what kind of input each one takes.

Every record field (``incident_date`` ... ``investigation_status``) and every person field gets a
spec the page builds its input from: ``text`` (free text, dates and times as written in the spec),
``int``, ``bool``, ``enum`` (one of ``options``) or ``list`` (any of ``options``). Lists are never
null: nulling one empties it, as the schema does.
"""

from __future__ import annotations

from typing import Any

from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS, IncidentRecord

Json = dict[str, Any]


def _kind(prop: Json, defs: Json) -> tuple[str, list[str]]:
    if prop.get("type") == "array":
        ref = prop["items"]["$ref"].rsplit("/", 1)[-1]
        return "list", list(defs[ref]["enum"])
    choices = prop.get("anyOf", [prop])
    for choice in choices:
        if "$ref" in choice:
            return "enum", list(defs[choice["$ref"].rsplit("/", 1)[-1]]["enum"])
        kind = {"integer": "int", "boolean": "bool", "string": "text"}.get(choice.get("type", ""))
        if kind:
            return kind, []
    raise TypeError(f"no form input for schema property {prop!r}")


def field_specs() -> Json:
    """``{"record": [spec...], "person": [spec...]}``; a spec is ``{name, kind, options, required}``."""
    schema = IncidentRecord.model_json_schema()
    defs = schema["$defs"]
    person = defs["Person"]
    specs: Json = {}
    for group, names, props, required in (
        ("record", SCALAR_FIELDS, schema["properties"], set(schema.get("required", []))),
        ("person", PERSON_FIELDS, person["properties"], set(person.get("required", []))),
    ):
        specs[group] = []
        for name in names:
            kind, options = _kind(props[name], defs)
            specs[group].append(
                {"name": name, "kind": kind, "options": options, "required": name in required}
            )
    return specs


def empty_value(kind: str) -> Any:
    """The value a nulled field takes: ``[]`` for lists, ``None`` for everything else."""
    return [] if kind == "list" else None
