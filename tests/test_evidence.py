"""Quotes are located in the article after normalisation, and grounding is per value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractor.evidence import ArticleText, Quote, filled_paths, ground
from extractor.schema import IncidentRecord

ARTICLE = "The video, from the shooting officer’s body camera, shows him yelling, “Hey, drop the gun!”\n\nThe officer   fired three shots."


def test_quotes_match_across_curly_quotes_whitespace_and_case() -> None:
    article = ArticleText(ARTICLE)
    start, end = article.locate("the shooting officer's body camera") or (0, 0)
    assert ARTICLE[start:end] == "the shooting officer’s body camera"
    start, end = article.locate('"hey, drop the gun!" the officer fired') or (0, 0)
    assert ARTICLE[start:end].startswith("“Hey") and ARTICLE[start:end].endswith("fired")


def test_ellipsis_matches_a_gap_in_order() -> None:
    article = ArticleText(ARTICLE)
    span = article.locate("The video ... fired three shots")
    assert span is not None and ARTICLE[span[0] : span[1]].endswith("fired three shots")
    assert article.locate("fired three shots ... The video") is None


def test_paraphrase_is_not_grounded() -> None:
    evidence = ArticleText(ARTICLE).evidence("the officer discharged his weapon")
    assert not evidence.grounded and evidence.start is None


def test_grounding_is_per_value_and_missing_quotes_are_ungrounded() -> None:
    record = IncidentRecord(
        shots_fired_by_police=3, video_sources=["body_camera"], officers_who_fired=1
    )
    quotes = [
        Quote(field="shots_fired_by_police", quote="fired three shots"),
        Quote(field="video_sources", quote="from a dashboard camera"),
    ]
    result = ground(record, quotes, ArticleText(ARTICLE))
    assert set(result) == {"shots_fired_by_police", "video_sources", "officers_who_fired"}
    assert result["shots_fired_by_police"].grounded
    assert not result["video_sources"].grounded
    assert not result["officers_who_fired"].grounded and result["officers_who_fired"].quote == ""


def test_person_fields_can_share_the_person_quote() -> None:
    record = IncidentRecord.model_validate({"people": [{"role": "officer", "fired_weapon": True}]})
    assert filled_paths(record) == ["people[0].role", "people[0].fired_weapon"]
    result = ground(
        record, [Quote(field="people[0]", quote="The officer fired")], ArticleText(ARTICLE)
    )
    assert all(ev.grounded for ev in result.values())


@given(st.text(alphabet=st.sampled_from(list("ab C.,'\"-\t\n\x0b  ’“”—")), max_size=60))
def test_fast_ascii_folding_matches_the_general_one(text: str) -> None:
    from extractor.evidence import _fold_any, _fold_ascii, _map_chars, _step_map

    mapped = _map_chars(text)
    folded, steps = _fold_ascii(mapped)
    chars, index = _fold_any(text)
    assert folded == "".join(chars)
    original = _step_map(*steps)
    assert [original(i) for i in range(len(folded))] == index
