"""Rules baseline: street locations, neighborhoods, cities and states."""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-06-10")).record


def test_block_address_is_the_location_not_where_the_car_turned_up_later() -> None:
    record = extract(
        "Officers tried to stop a car in the 300 block of West Division Street. "
        "The car was later recovered in the 100 block of West North Avenue."
    )
    assert record.location == "300 block of West Division Street"


def test_intersection_and_quadrant_suffix_are_kept_as_written() -> None:
    assert extract("Police shot a man at Leavitt and Walnut streets.").location == (
        "Leavitt and Walnut streets"
    )
    assert extract("Officers went to the 1100 block of Lawton Street SW.").location == (
        "1100 block of Lawton Street SW"
    )


@pytest.mark.parametrize(
    ("text", "city", "state"),
    [
        ("CHICAGO (CBS) -- An officer fired shots on Tuesday.", "Chicago", "IL"),
        ("NASHVILLE, Tenn. -- A driver was shot by officers.", "Nashville", "TN"),
        ("SEATTLE -- An officer shot a man at a hospital.", "Seattle", "WA"),
        ("A man was shot by police in Dolton, Ill., on Monday.", "Dolton", "IL"),
        ("Houston police shot a man during a traffic stop.", "Houston", "TX"),
    ],
)
def test_city_and_state(text: str, city: str, state: str) -> None:
    record = extract(text)
    assert (record.city, record.state) == (city, state)


def test_an_ambiguous_city_name_gives_no_state() -> None:
    record = extract("Springfield police shot a man on Monday.")
    assert record.city == "Springfield"
    assert record.state is None


def test_chicago_community_areas_and_neighborhoods_come_from_the_gazetteer() -> None:
    record = extract("CHICAGO (CBS) -- Police shot a man in West Garfield Park on Sunday.")
    assert record.neighborhood == "West Garfield Park"
    record = extract("CHICAGO (CBS) -- An officer fired at a car in the Old Town neighborhood.")
    assert record.neighborhood == "Old Town"


def test_a_name_that_is_also_a_person_needs_the_word_neighborhood() -> None:
    plain = extract("CHICAGO (CBS) -- Officer Austin Smith said a man fired at him.")
    assert plain.neighborhood is None
    labelled = extract("CHICAGO (CBS) -- Police shot a man in the Austin neighborhood.")
    assert labelled.neighborhood == "Austin"


def test_other_cities_neighborhood_only_when_the_text_says_neighborhood() -> None:
    record = extract("OAKLAND, Calif. -- An officer shot a man in the Fruitvale neighborhood.")
    assert record.neighborhood == "Fruitvale"
    assert extract("OAKLAND, Calif. -- An officer shot a man in Fruitvale.").neighborhood is None
