"""Rules baseline: video released, its date, and the cameras that recorded the incident."""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-12-11")).record


def test_released_body_camera_video_with_its_date() -> None:
    record = extract(
        "Police body camera video released on Wednesday shows an officer firing shots at a car."
    )
    assert record.video_released is True
    assert record.video_sources == ["body_camera"]
    assert record.video_release_date == "2024-12-11"


@pytest.mark.parametrize(
    "text",
    [
        "The GBI said the footage will not be made public while its investigation is open.",
        "The department has not released the footage.",
        "The agency plans to release the footage at a later date.",
    ],
)
def test_video_not_released(text: str) -> None:
    assert extract(text).video_released is False


def test_video_release_policy_is_not_a_release() -> None:
    text = "Under department policy, video of critical incidents is generally made public within 30 days."
    assert extract(text).video_released is None


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        ("The officer's dash camera recorded the stop.", ["dash_camera"]),
        ("Surveillance video from a nearby store shows the man running.", ["third_party"]),
        ("COPA released video from several different cameras in the area.", ["third_party"]),
        (
            "Video recorded by a neighbor on a cellphone shows part of the encounter.",
            ["third_party"],
        ),
        (
            "The deputies' body-worn cameras recorded the shooting, and a bystander video "
            "circulated online.",
            ["body_camera", "third_party"],
        ),
    ],
)
def test_video_sources(text: str, sources: list[str]) -> None:
    assert extract(text).video_sources == sources


@pytest.mark.parametrize(
    "text",
    [
        "The officer was not wearing a body camera.",
        "Boston police wear body cameras, but it is unclear whether the officers had them on.",
    ],
)
def test_a_camera_that_did_not_record_is_not_a_source(text: str) -> None:
    assert extract(text).video_sources == []
