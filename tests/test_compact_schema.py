"""The compact tool schema (``incident@v3``) asks for the same record as the full one, in fewer tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.contract import TOOL_MODELS, CompactIncidentExtraction, IncidentExtraction

FULL = TOOL_MODELS["full"].openai_schema["parameters"]
COMPACT = TOOL_MODELS["compact"].openai_schema["parameters"]


def enum_of(prop: dict[str, Any], defs: dict[str, Any]) -> list[Any] | None:
    """The values an enum-typed property allows in either rendering (None for a non-enum)."""
    if "enum" in prop:
        return list(prop["enum"])
    if "$ref" in prop:
        return enum_of(defs[prop["$ref"].rsplit("/", 1)[1]], defs)
    for option in prop.get("anyOf", []):
        values = enum_of(option, defs)
        if values is not None:
            return [*values, None]
    return None


def props(schema: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    node = schema
    for step in path:
        node = schema["$defs"][step]
    return node["properties"]


def test_every_field_and_enum_value_of_the_record_is_asked_for() -> None:
    for where in ((), ("Person",)):
        full, compact = props(FULL, where), props(COMPACT, where)
        assert set(full) - set(compact) <= {"schema_version"}
        for name, prop in compact.items():
            assert enum_of(prop, COMPACT["$defs"]) == enum_of(full[name], FULL["$defs"]), name
            items = prop.get("items", {})
            if "enum" in items:
                assert items["enum"] == enum_of(full[name]["items"], FULL["$defs"]), name


def test_no_enum_hides_behind_a_reference_and_no_prose_is_sent() -> None:
    text = json.dumps(COMPACT)
    assert '"description"' not in text and '"title"' not in text
    assert set(COMPACT["$defs"]) == {"Person", "Quote"}
    assert len(text) < 0.5 * len(json.dumps(FULL))


def test_the_hand_written_answers_validate_against_both_renderings() -> None:
    for path in sorted(Path("cassettes/answers").glob("*.json")):
        answer = json.loads(path.read_text())
        full = IncidentExtraction.model_validate(answer)
        compact = CompactIncidentExtraction.model_validate(answer)
        assert compact.model_dump() == full.model_dump()
        assert set(answer) <= set(props(COMPACT)) | {"schema_version"}
