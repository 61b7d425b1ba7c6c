"""Rules baseline: people described individually, with role, age, gender and outcome."""

from __future__ import annotations

from pathlib import Path

from extractor.backends.rules import extract_rules
from extractor.documents import Document, read_article_file
from extractor.schema import IncidentRecord

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-06-10")).record


def people(record: IncidentRecord) -> list[dict[str, object]]:
    return [p.model_dump(exclude_defaults=True) for p in record.people]


def test_the_off_duty_officer_of_seed_000() -> None:
    record = extract_rules(read_article_file(SEEDS / "000_da9441d524ed042a.txt")).record
    # "about five people came up and started shooting" is an unnamed group: not listed
    assert people(record) == [
        {
            "role": "officer",
            "gender": "male",
            "on_duty": False,
            "fired_weapon": True,
            "outcome": "injured",
            "shot_by_police": "no",
        }
    ]


def test_officer_victim_and_gunman_of_seed_001() -> None:
    record = extract_rules(read_article_file(SEEDS / "001_d8457e1c72a139c8.txt")).record
    by_role = {p["role"]: p for p in people(record)}
    assert by_role["officer"] == {
        "role": "officer", "gender": "male", "on_duty": True, "fired_weapon": True
    }  # fmt: skip
    assert by_role["victim"] == {
        "role": "victim", "age": 27, "gender": "male", "outcome": "killed", "shot_by_police": "no"
    }  # fmt: skip
    assert by_role["subject"]["shot_by_police"] == "undetermined"


def test_a_man_shot_by_police_is_a_subject_with_age_gender_and_outcome() -> None:
    record = extract("Police shot and killed a 34-year-old man who pointed a gun at officers.")
    [subject] = people(record)
    assert subject == {
        "role": "subject",
        "age": 34,
        "gender": "male",
        "armed_with": ["gun"],
        "outcome": "killed",
        "shot_by_police": "yes",
    }


def test_a_named_subject_with_weapon_and_arrest() -> None:
    record = extract(
        "Police identified the man as Dale Everson, 52. Everson, who was armed with a hammer, "
        "was arrested at the scene."
    )
    [subject] = people(record)
    assert subject["role"] == "subject"
    assert subject["name"] == "Dale Everson"
    assert subject["age"] == 52
    assert subject["armed_with"] == ["blunt_object"]
    assert subject["arrested"] is True


def test_a_replica_is_not_a_gun() -> None:
    record = extract(
        "Police shot a 17-year-old boy who was holding an airsoft gun, the department said."
    )
    [subject] = people(record)
    assert subject["armed_with"] == ["replica"]
    assert subject["gender"] == "male"


def test_officers_as_a_group_add_no_entries() -> None:
    record = extract("Two officers fired at the car.")
    assert record.officers_who_fired == 2
    assert record.people == []


def test_a_quoted_witness_is_not_listed() -> None:
    record = extract('"I heard five shots," said a 45-year-old woman who lives nearby.')
    assert record.people == []


def test_a_person_whose_part_no_rule_can_tell_is_left_out() -> None:
    record = extract("A 45-year-old woman said she heard the shots from her kitchen.")
    assert record.people == []
