"""Rules baseline: shots, officers who fired, arrests; number words and digits."""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.backends.rules.numbers import parse_number
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-06-10")).record


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("three", 3),
        ("14", 14),
        ("twenty-one", 21),
        ("Twenty one", 21),
        ("a dozen", 12),
        ("both", 2),
    ],
)
def test_number_words(word: str, value: int) -> None:
    assert parse_number(word) == value


@pytest.mark.parametrize(
    ("text", "shots"),
    [
        ("The officer fired three shots, but it was not clear if he hit the man.", 3),
        ("Officers fired a total of 14 rounds at the car.", 14),
        ("The deputy fired twenty-one rounds.", 21),
        ("A six-year veteran fired four times and a two-year veteran fired twice.", 6),
        ("Two officers returned fire, one firing five times and the other three times.", 8),
        ("Both officers returned fire, firing 11 rounds between them.", 11),
    ],
)
def test_shots_fired_by_police(text: str, shots: int) -> None:
    assert extract(text).shots_fired_by_police == shots


def test_shots_fired_by_someone_else_or_hits_are_not_police_shots() -> None:
    assert extract("The gunman fired 10 shots into the crowd.").shots_fired_by_police is None
    assert extract("Officers shot him 16 times.").shots_fired_by_police is None
    assert (
        extract("The department did not say how many shots were fired.").shots_fired_by_police
        is None
    )


@pytest.mark.parametrize(
    ("text", "officers"),
    [
        ("Two officers fired at the man.", 2),
        ("Both officers returned fire.", 2),
        ("One officer then fired three shots.", 1),
        ("One of the officers who witnessed the shooting opened fire on the gunman.", 1),
        ("An officer fired at the car, and another officer also fired.", 2),
        ("Officer Travis Hensley, 29, chased the man. Hensley fired twice.", 1),
    ],
)
def test_officers_who_fired(text: str, officers: int) -> None:
    assert extract(text).officers_who_fired == officers


def test_an_uncounted_group_of_officers_gives_no_count() -> None:
    assert extract("Officers opened fire, striking the man.").officers_who_fired is None


def test_a_taser_is_not_a_firearm() -> None:
    record = extract("The first officer then fires his Taser, and the man falls to the ground.")
    assert record.officers_who_fired is None
    assert record.party_fired_first is None


@pytest.mark.parametrize(
    ("text", "arrests"),
    [
        ("No one has been arrested in connection with the shootout.", 0),
        ("No arrests have been made.", 0),
        ("The car was recovered, and one person was taken into custody.", 1),
        ("Police arrested two men after the chase.", 2),
        ("Haines was arrested at the scene.", 1),
        ("He was treated at a hospital and then arrested and charged with assault.", 1),
        (
            "The driver, DeShawn Reddick, 19, was charged. A second man in the car was also arrested.",
            2,
        ),
    ],
)
def test_arrests(text: str, arrests: int) -> None:
    assert extract(text).arrests == arrests


def test_arrests_stay_null_when_the_article_does_not_say() -> None:
    assert extract("Officers searched for the gunman but did not find him.").arrests is None


def test_the_subject_not_arrested_is_zero() -> None:
    assert extract("The man was not arrested, police said.").arrests == 0
