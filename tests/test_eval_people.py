"""Aligning predicted people to gold people, and scoring them, with hand-computed numbers."""

from __future__ import annotations

import pytest

from extractor.eval import GoldLabel, score
from extractor.eval.people import MIN_SIMILARITY, align, similarity
from extractor.predictions import PredictionLine
from extractor.schema import IncidentRecord, Person

GOLD_OFFICER = Person(role="officer", gender="male", on_duty=True)
GOLD_SUBJECT = Person(role="subject", name="John Smith", age=25, gender="male", outcome="injured")
PRED_SUBJECT = Person(role="subject", name="Smith", age=25)
PRED_OFFICER = Person(role="officer", gender="male")
PRED_BYSTANDER = Person(role="bystander", gender="female")


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        # role (w2) and gender (w1) stated on both sides, both equal: 3/3
        (GOLD_OFFICER, PRED_OFFICER, 1.0),
        # role differs (0 of w2); nothing else stated on both sides
        (GOLD_OFFICER, PRED_SUBJECT, 0.0),
        # role 0/2, gender male vs female 0/1
        (GOLD_OFFICER, PRED_BYSTANDER, 0.0),
        # name partial 0.5*3 + role 2 + age 1 = 4.5 of 6
        (GOLD_SUBJECT, PRED_SUBJECT, 0.75),
        # role 0 + gender 1 = 1 of 3
        (GOLD_SUBJECT, PRED_OFFICER, 1 / 3),
    ],
)
def test_similarity_is_a_weighted_mean_over_stated_attributes(
    gold: Person, predicted: Person, expected: float
) -> None:
    assert similarity(gold, predicted) == pytest.approx(expected)


def test_alignment_matches_by_attributes_not_position() -> None:
    alignment = align([GOLD_OFFICER, GOLD_SUBJECT], [PRED_SUBJECT, PRED_OFFICER, PRED_BYSTANDER])
    assert alignment.pairs == [(0, 1), (1, 0)]
    assert alignment.unmatched_predicted == [2]
    assert alignment.unmatched_gold == []


def test_pairs_below_the_minimum_similarity_are_not_matched() -> None:
    gold = Person(role="subject", name="John Doe")
    predicted = Person(role="subject", name="Jane Roe")
    # role 2 of 2, name incorrect 0 of 3 -> 0.4
    assert similarity(gold, predicted) == pytest.approx(0.4)
    assert similarity(gold, predicted) < MIN_SIMILARITY
    alignment = align([gold], [predicted])
    assert (alignment.pairs, alignment.unmatched_gold, alignment.unmatched_predicted) == (
        [],
        [0],
        [0],
    )


def test_a_mislabelled_role_still_matches_on_a_name() -> None:
    # role 0 of 2, name 3 of 3 -> 0.6: the same person, role scored incorrect
    gold = Person(role="victim", name="Ana Ruiz")
    predicted = Person(role="bystander", name="Ana Ruiz")
    assert similarity(gold, predicted) == pytest.approx(0.6)
    assert align([gold], [predicted]).pairs == [(0, 0)]


def test_ties_go_to_the_pairing_that_agrees_on_more_fields() -> None:
    # two unnamed officers: the identifying attributes tie; on_duty decides
    gold = [Person(role="officer", on_duty=True), Person(role="officer", on_duty=False)]
    predicted = [Person(role="officer", on_duty=False), Person(role="officer", on_duty=True)]
    assert align(gold, predicted).pairs == [(0, 1), (1, 0)]


def _people_report(gold: list[Person], predicted: list[Person]):  # type: ignore[no-untyped-def]
    label = GoldLabel(IncidentRecord(people=gold), doc_id="a")
    line = PredictionLine(doc_id="a", model="m", record=IncidentRecord(people=predicted))
    return score([line], {"a": label})


def test_people_fields_scored_per_matched_pair_and_unmatched_people() -> None:
    report = _people_report(
        [GOLD_OFFICER, GOLD_SUBJECT], [PRED_SUBJECT, PRED_OFFICER, PRED_BYSTANDER]
    )
    f = report.fields
    # officer pair: role correct, gender correct, on_duty missed, others true_null
    # subject pair: role correct, name partial, age correct, gender missed, outcome missed
    # unmatched bystander: its filled fields (role, gender) spurious
    assert (f["people.role"].correct, f["people.role"].spurious) == (2, 1)
    assert (f["people.name"].partial, f["people.name"].true_null) == (1, 1)
    assert (f["people.age"].correct, f["people.age"].true_null) == (1, 1)
    gender = f["people.gender"]
    assert (gender.correct, gender.missed, gender.spurious, gender.true_null) == (1, 1, 1, 0)
    assert (f["people.on_duty"].missed, f["people.on_duty"].true_null) == (1, 1)
    assert (f["people.outcome"].missed, f["people.outcome"].true_null) == (1, 1)
    # armed_with: both pairs [] vs [] -> true_null; the bystander's [] is not counted
    assert (f["people.armed_with"].true_null, f["people.armed_with"].spurious) == (2, 0)
    assert report.people.model_dump() == {
        "gold": 2,
        "predicted": 3,
        "matched": 2,
        "missed": 0,
        "spurious": 1,
    }
    assert f["people.role"].support == 2
    assert f["people.on_duty"].support == 1


def test_unmatched_gold_person_is_missed_field_by_field() -> None:
    report = _people_report([Person(role="subject", name="John Doe", age=30)], [])
    f = report.fields
    assert (f["people.role"].missed, f["people.name"].missed, f["people.age"].missed) == (1, 1, 1)
    # gold nulls of a missed person earn nothing either way
    assert f["people.gender"].true_null == 0
    assert report.people.missed == 1


def test_person_alternatives_use_the_gold_index() -> None:
    gold = [Person(role="officer"), Person(role="subject", armed_with=["gun"])]
    label = GoldLabel(
        IncidentRecord(people=gold), alternatives={"people[1].armed_with": [["gun", "vehicle"]]}
    )
    predicted = [Person(role="subject", armed_with=["vehicle", "gun"]), Person(role="officer")]
    line = PredictionLine(doc_id="a", model="m", record=IncidentRecord(people=predicted))
    report = score([line], {"a": label})
    assert report.fields["people.armed_with"].correct == 1
    assert report.fields["people.armed_with"].partial == 0
