"""Gold files: loading, alternatives, and errors that name the file, the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.errors import GoldFileError
from extractor.eval import PredictionsFileError, load_gold, read_predictions
from extractor.predictions import PredictionLine
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS, IncidentRecord


def _record(**values: Any) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in SCALAR_FIELDS}
    record.update(video_sources=[], people=[], summary="")
    record.update(values)
    return record


def _person(**values: Any) -> dict[str, Any]:
    person: dict[str, Any] = {name: None for name in PERSON_FIELDS}
    person.update(role="subject", armed_with=[])
    person.update(values)
    return person


def _write(folder: Path, doc_id: str, content: Any) -> Path:
    path = folder / f"{doc_id}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


def _gold(doc_id: str = "a1", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"doc_id": doc_id, "record": _record(city="Chicago")}
    data.update(extra)
    return data


def test_loads_a_folder_keyed_by_doc_id(tmp_path: Path) -> None:
    _write(tmp_path, "a1", _gold(notes="why"))
    _write(tmp_path, "b2", _gold("b2"))
    labels = load_gold(tmp_path)
    assert sorted(labels) == ["a1", "b2"]
    assert labels["a1"].record.city == "Chicago"
    assert labels["a1"].notes == "why"
    assert labels["b2"].alternatives == {}


def test_alternatives_are_normalised_like_the_schema(tmp_path: Path) -> None:
    record = _record(state="IL", people=[_person(armed_with=["gun"])])
    alternatives = {
        "state": ["illinois"],
        "encounter_type": ["Call For Service", None],
        "people[0].armed_with": [[], ["Unarmed"]],
    }
    _write(tmp_path, "a1", {"doc_id": "a1", "record": record, "alternatives": alternatives})
    label = load_gold(tmp_path)["a1"]
    assert label.alternatives == {
        "state": ["IL"],
        "encounter_type": ["call_for_service", None],
        "people[0].armed_with": [[], ["unarmed"]],
    }
    assert label.alternatives_for("city") == []


def _error(tmp_path: Path, content: Any, doc_id: str = "a1") -> str:
    path = _write(tmp_path, doc_id, content)
    with pytest.raises(GoldFileError) as caught:
        load_gold(tmp_path)
    message = str(caught.value)
    assert str(path) in message, message
    assert caught.value.hint, "every gold error says how to fix it"
    return message


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    message = _error(tmp_path, '{\n  "doc_id": "a1",\n  "record": {,}\n}\n')
    assert "a1.json:3:" in message
    assert "invalid JSON" in message
    assert "line 3" in message


def test_missing_top_level_key(tmp_path: Path) -> None:
    message = _error(tmp_path, {"doc_id": "a1"})
    assert "'record'" in message and "missing" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold(comment="x"))
    assert "unknown key(s) 'comment'" in message


def test_missing_record_field(tmp_path: Path) -> None:
    record = _record()
    del record["neighborhood"]
    message = _error(tmp_path, {"doc_id": "a1", "record": record})
    assert "'record.neighborhood'" in message and "missing" in message


def test_unknown_record_field_suggests_the_right_name(tmp_path: Path) -> None:
    message = _error(tmp_path, {"doc_id": "a1", "record": _record(citty="Chicago")})
    assert "'record.citty'" in message
    assert "did you mean 'city'" in message


def test_invalid_enum_value(tmp_path: Path) -> None:
    message = _error(tmp_path, {"doc_id": "a1", "record": _record(encounter_type="traffic")})
    assert "'record.encounter_type'" in message
    assert "traffic_stop" in message  # pydantic lists the allowed values
    assert "'traffic'" in message


def test_invalid_person_value_names_the_person(tmp_path: Path) -> None:
    record = _record(people=[_person(), _person(role="sheriff")])
    message = _error(tmp_path, {"doc_id": "a1", "record": record})
    assert "'record.people[1].role'" in message


def test_unknown_person_field(tmp_path: Path) -> None:
    record = _record(people=[_person(race="x")])
    message = _error(tmp_path, {"doc_id": "a1", "record": record})
    assert "'record.people[0].race'" in message


def test_person_fields_must_all_be_written(tmp_path: Path) -> None:
    person = _person()
    del person["role"], person["age"]
    message = _error(tmp_path, {"doc_id": "a1", "record": _record(people=[_person(), person])})
    assert "'record.people[1].role', 'record.people[1].age'" in message
    assert "missing" in message


def test_alternative_for_unknown_field(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold(alternatives={"cty": ["Chicago"]}))
    assert "alternatives['cty']" in message and "did you mean 'city'" in message


def test_alternative_for_summary_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold(alternatives={"summary": ["x"]}))
    assert "alternatives['summary']" in message


def test_alternative_for_a_person_index_out_of_range(tmp_path: Path) -> None:
    record = _record(people=[_person()])
    message = _error(
        tmp_path, {"doc_id": "a1", "record": record, "alternatives": {"people[2].age": [30]}}
    )
    assert "alternatives['people[2].age']" in message
    assert "person index 2" in message and "1 person(s)" in message


def test_alternative_for_a_whole_person_is_refused(tmp_path: Path) -> None:
    record = _record(people=[_person()])
    message = _error(
        tmp_path, {"doc_id": "a1", "record": record, "alternatives": {"people[0]": None}}
    )
    assert "alternatives['people[0]']" in message


def test_alternative_for_unknown_person_field(tmp_path: Path) -> None:
    record = _record(people=[_person()])
    message = _error(
        tmp_path, {"doc_id": "a1", "record": record, "alternatives": {"people[0].race": ["x"]}}
    )
    assert "unknown person field 'race'" in message


def test_alternative_with_an_invalid_value(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold(alternatives={"encounter_type": ["bogus"]}))
    assert "alternatives['encounter_type']" in message and "'bogus'" in message


def test_alternatives_must_be_lists_of_whole_values(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold(alternatives={"city": "Chicago"}))
    assert "alternatives['city'] must be a list" in message


def test_doc_id_must_match_the_file_name(tmp_path: Path) -> None:
    message = _error(tmp_path, _gold("other"))
    assert "'other'" in message and "a1.json" in message


def test_missing_and_empty_gold_folders(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match="no such gold file or folder"):
        load_gold(tmp_path / "nope")
    with pytest.raises(GoldFileError, match=r"holds no \.json gold files"):
        load_gold(tmp_path)


def test_read_predictions_names_the_bad_line(tmp_path: Path) -> None:
    good = PredictionLine(doc_id="a1", model="m", record=IncidentRecord(city="Chicago")).to_json()
    path = tmp_path / "out.jsonl"
    path.write_text(good + "\n\n" + '{"doc_id": "a2", "model": "m", "record": {"city": 3}}\n')
    with pytest.raises(PredictionsFileError) as caught:
        read_predictions(path)
    assert f"{path}:3:" in str(caught.value)
    assert "record.city" in str(caught.value)
    path.write_text(good + "\n" + '{"doc_id": "a2", "mod\n')
    with pytest.raises(PredictionsFileError, match=r"out\.jsonl:2: .*JSON"):
        read_predictions(path)
    path.write_text(good + "\n\n")
    assert [line.doc_id for line in read_predictions(path)] == ["a1"]
    with pytest.raises(PredictionsFileError, match="no such predictions file"):
        read_predictions(tmp_path / "missing.jsonl")
