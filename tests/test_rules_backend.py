"""Rules baseline as a backend: the interface, determinism, and evidence for every filled value
on every seed and gold article."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.backend import Backend
from extractor.backends.rules import RulesBackend, extract_rules
from extractor.documents import Document, read_article_file
from extractor.evidence import filled_paths

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
    (ROOT / "evals" / "articles").glob("*.txt")
)


def test_the_backend_interface() -> None:
    backend = RulesBackend()
    assert isinstance(backend, Backend)
    assert backend.model == "rules"
    assert backend.prompt is None
    document = read_article_file(ROOT / "seeds" / "002_05d79c17f497fcab.txt")
    result = asyncio.run(backend.extract(document))
    assert result.attempts == 1
    assert result.usage.total_tokens == 0
    assert result.record == extract_rules(document).record


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_every_filled_value_has_verbatim_evidence(path: Path) -> None:
    document = read_article_file(path)
    result = extract_rules(document)
    assert set(result.evidence) == set(filled_paths(result.record))
    for evidence in result.evidence.values():
        assert evidence.grounded
        assert evidence.start is not None and evidence.end is not None
        assert evidence.quote
        assert document.text[evidence.start : evidence.end] == evidence.quote


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_dates_are_never_after_publication(path: Path) -> None:
    document = read_article_file(path)
    record = extract_rules(document).record
    for value in (record.incident_date, record.video_release_date):
        if value and document.published:
            assert value <= document.published[: len(value)]


def test_extraction_is_deterministic() -> None:
    documents = [read_article_file(p) for p in ARTICLES]
    first = [extract_rules(d).record.model_dump_json() for d in documents]
    assert first == [extract_rules(d).record.model_dump_json() for d in documents]


def test_a_seed_record_end_to_end() -> None:
    result = extract_rules(read_article_file(ROOT / "seeds" / "002_05d79c17f497fcab.txt"))
    record = result.record
    assert (record.incident_date, record.incident_time) == ("2024-10-13", "18:50")
    assert (record.city, record.state, record.neighborhood) == ("Chicago", "IL", "Old Town")
    assert record.location == "300 block of West Division Street"
    assert record.encounter_type == "traffic_stop"
    assert (record.shots_fired_by_police, record.officers_who_fired) == (3, 1)
    assert record.fired_at_moving_vehicle is True
    assert record.officer_injured is False
    assert record.arrests == 1
    assert (record.video_released, record.video_sources) == (True, ["body_camera"])
    assert record.video_release_date == "2024-12-11"
    assert record.investigating_agency == "Civilian Office of Police Accountability"
    assert record.investigation_status == "pending"
    assert result.evidence["arrests"].quote.endswith("one person was taken into custody.")


def test_an_article_with_nothing_to_extract_gives_an_empty_record() -> None:
    result = extract_rules(Document(doc_id="x", text="The city council met on budget matters."))
    assert filled_paths(result.record) == []
    assert result.evidence == {}


_FRAGMENTS = [
    "CHICAGO (CBS) -- ",
    "An off-duty officer fired three shots on Tuesday around 6:50 p.m.",
    ' "No one was hurt," she said. ',
    "A 27-year-old man was shot and killed by police in the 2200 block of West Maypole Avenue.",
    "COPA released body camera video on Dec. 18. ",
    "No one has been arrested.\n\n",
    "Officer Jane Roe, 41, fired twice, hitting him.",
    "It is unclear who fired first. ",
    "\u201cDon\u2019t shoot!\u201d ",
    "The man, identified as John Doe, 30, was arrested. ",
    "Dr. Smith said at 3 p.m. Police",
    "...",
    "\u00e9\u4e2d\u0130",
]


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=40), min_size=1, max_size=12),
    published=st.sampled_from([None, "2021-02-03", "2024-02-29", "2025-01-01"]),
)
def test_any_text_gives_a_valid_record_with_grounded_evidence(
    parts: list[str], published: str | None
) -> None:
    text = "".join(parts).strip() or "x"
    document = Document(doc_id="fuzz", text=text, published=published)
    result = extract_rules(document)
    assert set(result.evidence) == set(filled_paths(result.record))
    for evidence in result.evidence.values():
        assert evidence.start is not None and evidence.end is not None
        assert text[evidence.start : evidence.end] == evidence.quote
    if published and result.record.incident_date:
        assert result.record.incident_date <= published[: len(result.record.incident_date)]
