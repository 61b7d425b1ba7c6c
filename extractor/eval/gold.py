"""Gold labels: load and validate a folder of ``<doc_id>.json`` files (incident-spec.md).

Every problem raises :class:`~extractor.errors.GoldFileError` naming the file, the field and how
to fix it: invalid JSON (with line and column), missing or unknown keys, a record field missing
or unknown, an invalid value (checked by ``IncidentRecord.model_validate``), and alternatives
naming an unknown field or person index, or holding an invalid value.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.errors import GoldFileError
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS, IncidentRecord, Person

TOP_LEVEL_KEYS = ("doc_id", "record", "alternatives", "notes")
REQUIRED_TOP_LEVEL = ("doc_id", "record")
#: Fields every gold record must write out (null when the article does not say).
REQUIRED_RECORD_FIELDS = (*SCALAR_FIELDS, "people")
_SPEC = "see 'Gold label file' in incident-spec.md (repository root) and evals/README.md"
_PERSON_KEY = re.compile(r"^people\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class GoldLabel:
    """One article's gold record, the alternative values that also count, and the notes.

    ``alternatives`` maps a field name or ``people[i].field`` to a list of whole values, already
    normalised the way the schema normalises values.
    """

    record: IncidentRecord
    alternatives: dict[str, list[Any]] = field(default_factory=dict)
    notes: str = ""
    doc_id: str = ""
    source: str = ""

    def alternatives_for(self, key: str) -> list[Any]:
        """The alternatives for ``key`` (``"city"``, ``"people[0].age"``), or an empty list."""
        return self.alternatives.get(key, [])


def _fail(source: Path | str, message: str, hint: str) -> GoldFileError:
    return GoldFileError(f"{source}: {message}", hint=hint)


def _path(loc: tuple[int | str, ...]) -> str:
    """``("people", 0, "role")`` -> ``"people[0].role"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validation_error(
    source: Path, exc: ValidationError, *, prefix: str, whole: bool = False
) -> GoldFileError:
    """The first pydantic error, as a message naming the field and the fix.

    ``prefix`` is where the validated object sits in the file; with ``whole`` the error is
    reported at ``prefix`` itself (an alternative value is one whole value of one field).
    """
    error = exc.errors()[0]
    where = _path(tuple(error["loc"]))
    path = prefix if whole or not where else f"{prefix}.{where}"
    if error["type"] == "extra_forbidden":
        last = str(error["loc"][-1])
        known = PERSON_FIELDS if "people[" in where else REQUIRED_RECORD_FIELDS
        close = difflib.get_close_matches(last, known, n=1)
        suggestion = f"did you mean {close[0]!r}? " if close else ""
        return _fail(
            source,
            f"field {path!r} is not a field of the incident spec",
            f"{suggestion}remove or rename it; the fields are: {', '.join(known)}",
        )
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return _fail(
        source,
        f"field {path!r}: {error['msg']} (got {error.get('input')!r}){more}",
        "write a value the incident spec allows for this field, or null when the article does "
        "not say",
    )


def _read_json(source: Path) -> Any:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(source, "is not UTF-8 text", "re-save the file as UTF-8") from None
    except OSError as exc:
        raise _fail(
            source, f"cannot be read ({exc.strerror})", "check the path and permissions"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            f"{source}:{exc.lineno}:{exc.colno}",
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            "fix the JSON syntax there: trailing commas, single quotes and unquoted keys are "
            "not JSON",
        ) from None


def _check_record_keys(source: Path, record: Any) -> None:
    if not isinstance(record, dict):
        raise _fail(source, "'record' must be a JSON object", _SPEC)
    missing = [name for name in REQUIRED_RECORD_FIELDS if name not in record]
    if missing:
        raise _fail(
            source,
            f"field(s) {', '.join(repr(f'record.{m}') for m in missing)} missing",
            "write every field of the spec, with null (or [] for lists) when the article does "
            "not say, so each null is a decision rather than an omission",
        )
    people = record["people"]
    if not isinstance(people, list):
        raise _fail(source, "field 'record.people' must be a list of person objects", _SPEC)
    for i, person in enumerate(people):
        if not isinstance(person, dict):
            raise _fail(source, f"field 'record.people[{i}]' must be a JSON object", _SPEC)
        missing = [name for name in PERSON_FIELDS if name not in person]
        if missing:
            raise _fail(
                source,
                f"field(s) {', '.join(repr(f'record.people[{i}].{m}') for m in missing)} missing",
                "write every person field: a role (officer, subject, victim or bystander), and "
                "null (or [] for armed_with) for what the article does not say",
            )


def _alternatives(source: Path, raw: Any, record: IncidentRecord) -> dict[str, list[Any]]:
    """Validate ``alternatives`` and normalise each value through the schema."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, "'alternatives' must be a JSON object {field: [values]}", _SPEC)
    result: dict[str, list[Any]] = {}
    base = record.model_dump()
    for key, values in raw.items():
        where = f"alternatives[{key!r}]"
        match = _PERSON_KEY.match(key)
        if not match and key not in SCALAR_FIELDS:
            close = difflib.get_close_matches(key, SCALAR_FIELDS, n=1)
            raise _fail(
                source,
                f"{where} names unknown field {key!r}",
                (f"did you mean {close[0]!r}? " if close else "")
                + "a key is a scored field name or people[i].field, e.g. people[0].age "
                "(summary and whole people are not keys)",
            )
        if not isinstance(values, list):
            raise _fail(
                source,
                f"{where} must be a list of whole values",
                f'write e.g. "{key}": [value1, value2]; to allow null write [null]',
            )
        normalised: list[Any] = []
        if match:
            index, name = int(match[1]), match[2]
            if index >= len(record.people):
                raise _fail(
                    source,
                    f"{where} names person index {index}, but record.people has "
                    f"{len(record.people)} person(s)",
                    f"use an index from 0 to {len(record.people) - 1}"
                    if record.people
                    else "remove the key: the gold record lists no people",
                )
            if name not in PERSON_FIELDS:
                raise _fail(
                    source,
                    f"{where} names unknown person field {name!r}",
                    f"person fields are: {', '.join(PERSON_FIELDS)}",
                )
            person = base["people"][index]
            for value in values:
                try:
                    checked = Person.model_validate({**person, name: value})
                except ValidationError as exc:
                    raise _validation_error(source, exc, prefix=where, whole=True) from None
                normalised.append(getattr(checked, name))
        else:
            for value in values:
                try:
                    checked_record = IncidentRecord.model_validate({**base, key: value})
                except ValidationError as exc:
                    raise _validation_error(source, exc, prefix=where, whole=True) from None
                normalised.append(getattr(checked_record, key))
        result[key] = normalised
    return result


def parse_gold(source: Path, data: Any) -> GoldLabel:
    """Validate one parsed gold file's content; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise _fail(source, "must hold a JSON object with keys 'doc_id' and 'record'", _SPEC)
    missing = [key for key in REQUIRED_TOP_LEVEL if key not in data]
    if missing:
        raise _fail(source, f"key(s) {', '.join(map(repr, missing))} missing", _SPEC)
    unknown = [key for key in data if key not in TOP_LEVEL_KEYS]
    if unknown:
        raise _fail(
            source,
            f"unknown key(s) {', '.join(map(repr, unknown))}",
            f"a gold file has only {', '.join(TOP_LEVEL_KEYS)}; record fields go inside 'record'",
        )
    doc_id = data["doc_id"]
    if not isinstance(doc_id, str) or doc_id != source.stem:
        raise _fail(
            source,
            f"'doc_id' is {doc_id!r} but the file is named {source.name!r}",
            "name each gold file <doc_id>.json after its article file, and make doc_id match",
        )
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        raise _fail(source, "'notes' must be a string", "write the notes as one string")
    _check_record_keys(source, data["record"])
    try:
        record = IncidentRecord.model_validate(data["record"])
    except ValidationError as exc:
        raise _validation_error(source, exc, prefix="record") from None
    alternatives = _alternatives(source, data.get("alternatives"), record)
    return GoldLabel(
        record=record, alternatives=alternatives, notes=notes, doc_id=doc_id, source=str(source)
    )


def load_gold_file(path: str | Path) -> GoldLabel:
    """Load and validate one gold file."""
    source = Path(path)
    return parse_gold(source, _read_json(source))


def load_gold(path: str | Path) -> dict[str, GoldLabel]:
    """Load every ``*.json`` gold file in a folder (or one file) into ``{doc_id: GoldLabel}``.

    Raises:
        GoldFileError: the folder is missing or empty, or any file is malformed.
    """
    root = Path(path)
    if root.is_file():
        files = [root]
    elif root.is_dir():
        files = sorted(p for p in root.glob("*.json") if p.is_file())
        if not files:
            raise _fail(
                root,
                "holds no .json gold files",
                "add one <doc_id>.json per article, or pass --gold",
            )
    else:
        raise _fail(
            root, "no such gold file or folder", "pass --gold a folder of <doc_id>.json files"
        )
    labels: dict[str, GoldLabel] = {}
    for file in files:
        label = load_gold_file(file)
        labels[label.doc_id] = label
    return labels
