"""Rules baseline: dates and times resolved against the publication date."""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str, published: str | None = "2023-06-27") -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published=published)).record


@pytest.mark.parametrize(
    ("published", "text", "expected"),
    [
        # a month and day without a year: the most recent one on or before publication
        ("2021-02-03", "Around noon Dec. 18, officers on patrol shot a man.", "2020-12-18"),
        ("2025-01-09", "Deputies fatally shot a driver after a Dec. 28 pursuit.", "2024-12-28"),
        (
            "2024-12-11",
            "Around 6:50 p.m. on Oct. 13, officers tried to make a traffic stop.",
            "2024-10-13",
        ),
        ("2023-05-30", "An officer shot a man on May 31 in the alley.", "2022-05-31"),
        # an explicit year is kept as written
        ("2024-01-05", "An officer shot a man on March 3, 2022, police said.", "2022-03-03"),
    ],
)
def test_month_and_day_resolve_to_the_most_recent_date(
    published: str, text: str, expected: str
) -> None:
    assert extract(text, published).incident_date == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("An officer shot a man Tuesday night.", "2023-06-27"),  # the publication day itself
        ("An officer shot a man early Sunday.", "2023-06-25"),
        ("An officer shot a man on Wednesday.", "2023-06-21"),  # never a day after publication
        ("An officer shot a man last Tuesday.", "2023-06-20"),
        ("An officer shot a man yesterday.", "2023-06-26"),
    ],
)
def test_weekdays_are_the_most_recent_such_day(text: str, expected: str) -> None:
    assert extract(text).incident_date == expected  # published on Tuesday 2023-06-27


def test_month_only_mentions_give_a_month() -> None:
    assert (
        extract("An off-duty officer was shot in a shootout last month.").incident_date == "2023-05"
    )
    december = extract("COPA released video from a December incident.", "2021-02-03")
    assert december.incident_date == "2020-12"


def test_a_day_in_the_same_month_refines_a_month_mention() -> None:
    text = (
        "The agency on Tuesday released video of a shootout that sent an officer to the hospital "
        "last month.\n\nOn May 31, the officer was driving in an alley when he was shot."
    )
    record = extract(text)
    assert record.incident_date == "2023-05-31"
    assert record.video_release_date == "2023-06-27"


def test_release_and_statement_dates_are_not_the_incident_date() -> None:
    text = (
        "Police on Wednesday released body camera video of officers shooting a man Monday.\n\n"
        "The chief said Thursday that the investigation continues."
    )
    record = extract(text, "2024-03-15")  # a Friday
    assert record.incident_date == "2024-03-11"
    assert record.video_release_date == "2024-03-13"


def test_without_a_publication_date_no_year_is_invented() -> None:
    record = extract("An officer shot a man on Tuesday and another on May 31.", None)
    assert record.incident_date is None
    assert extract("An officer shot a man on May 31, 2023.", None).incident_date == "2023-05-31"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Around 6:50 p.m. on Oct. 13, officers tried to make a traffic stop.", "18:50"),
        ("COPA said around noon Dec. 18, officers were on patrol.", "12:00"),
        ("Officers were called about 2 a.m. to a shooting.", "02:00"),
        ("An officer shot a man just before midnight on New Year's Eve.", "23:59"),
    ],
)
def test_times_are_24_hour(text: str, expected: str) -> None:
    assert extract(text).incident_time == expected


def test_the_time_of_a_news_conference_is_not_the_incident_time() -> None:
    text = "Police released the video at a 3 p.m. news conference on Monday."
    assert extract(text).incident_time is None


def test_an_older_shooting_mentioned_in_passing_does_not_hijack_the_incident() -> None:
    text = (
        "CHICAGO (CBS) -- Police shot and wounded a man Saturday night in the 6400 block of South "
        "Carpenter Street after a foot chase, police said.\n\n"
        "In a separate shooting on Sept. 6, officers responding to a call in the 5800 block of South "
        "Halsted Street shot and killed a man around 9 p.m."
    )
    record = extract(text, "2015-09-14")
    assert record.incident_date == "2015-09-12"
    assert record.location == "6400 block of South Carpenter Street"
    assert record.incident_time is None
    assert record.encounter_type == "pursuit"
