"""The record schema normalises near-misses and rejects what is wrong, with fixable messages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extractor.schema import SCALAR_FIELDS, IncidentRecord, Person


def validate(data: dict, published: str | None = None) -> IncidentRecord:
    return IncidentRecord.model_validate(data, context={"published": published})


@pytest.mark.parametrize(
    ("given", "expected"),
    [("6:50 p.m.", "18:50"), ("6:50 PM", "18:50"), ("around noon", "12:00"), ("12 a.m.", "00:00"),
     ("12:15 p.m.", "12:15"), ("9 a.m.", "09:00"), ("18:50", "18:50"), ("midnight", "00:00")],
)  # fmt: skip
def test_times_are_normalised_to_24_hour(given: str, expected: str) -> None:
    assert validate({"incident_time": given}).incident_time == expected


@pytest.mark.parametrize("given", ["25:00", "13 p.m.", "half past six", "12:75"])
def test_impossible_times_are_rejected(given: str) -> None:
    with pytest.raises(ValidationError, match="incident_time"):
        validate({"incident_time": given})


def test_state_codes_and_names_normalise() -> None:
    assert validate({"state": "il"}).state == "IL"
    assert validate({"state": "Texas"}).state == "TX"
    with pytest.raises(ValidationError, match="two-letter US postal code"):
        validate({"state": "Cook County"})


@pytest.mark.parametrize(
    ("written", "code"), [("Okla.", "OK"), ("Calif.", "CA"), ("W. Va.", "WV"), ("N.Y.", "NY")]
)
def test_ap_style_state_abbreviations_as_news_copy_writes_them_normalise(
    written: str, code: str
) -> None:
    # a model copying a dateline ("TULSA, Okla. (AP)") was refused and re-asked for it
    assert validate({"state": written}).state == code
    with pytest.raises(ValidationError, match="two-letter US postal code"):
        validate({"state": written.rstrip(".") + "x."})  # not an abbreviation of a state


def test_enum_spellings_and_duplicates_normalise() -> None:
    record = validate(
        {"encounter_type": "Traffic Stop", "video_sources": ["Body Camera", "body_camera", "dash-camera"],
         "people": [{"role": "Officer", "armed_with": []}]}
    )  # fmt: skip
    assert record.encounter_type == "traffic_stop"
    assert record.video_sources == ["body_camera", "dash_camera"]
    assert record.people[0].role == "officer"


def test_unknown_enum_lists_the_valid_values() -> None:
    with pytest.raises(ValidationError) as info:
        validate({"police_hit_someone": "maybe"})
    assert "'yes', 'no' or 'undetermined'" in str(info.value)


def test_negative_counts_and_impossible_dates_are_rejected() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        validate({"shots_fired_by_police": -3})
    with pytest.raises(ValidationError, match="not a real calendar date"):
        validate({"incident_date": "2023-02-30"})
    with pytest.raises(ValidationError, match="YYYY-MM"):
        validate({"incident_date": "May 31"})


def test_month_only_dates_are_kept_and_padded() -> None:
    assert validate({"incident_date": "2024-3"}).incident_date == "2024-03"


def test_dates_after_publication_are_rejected_with_the_rule() -> None:
    with pytest.raises(ValidationError, match="most recent date on or before"):
        validate({"incident_date": "2021-12-18"}, published="2021-02-03")
    assert (
        validate({"incident_date": "2020-12-18"}, published="2021-02-03").incident_date
        == "2020-12-18"
    )
    assert (
        validate({"video_release_date": "2021-02"}, published="2021-02-03").video_release_date
        == "2021-02"
    )


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="race"):
        validate({"race": "unknown"})
    with pytest.raises(ValidationError, match="height"):
        Person.model_validate({"role": "subject", "height": 180})


def test_defaults_follow_the_null_rules() -> None:
    record = IncidentRecord()
    assert all(getattr(record, name) in (None, []) for name in SCALAR_FIELDS)
    assert record.people == [] and record.schema_version == "1"


def test_field_descriptions_carry_the_labeling_rules() -> None:
    schema = IncidentRecord.model_json_schema()
    assert "2020-12-18" in schema["properties"]["incident_date"]["description"]
    assert "4 + 2" in schema["properties"]["shots_fired_by_police"]["description"]
