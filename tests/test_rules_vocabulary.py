"""Every rule knows the same officer nouns (``extractor/data/rules/nouns.csv``).

Before the one vocabulary, the rule that finds who fired knew "sergeants" and "marshal" while
the rules that count officers and read injuries did not, so the same article gave an officer
who fired but no count of them.
"""

from __future__ import annotations

import pytest

from extractor.backends.rules import extract_rules
from extractor.backends.rules.data import nouns
from extractor.documents import Document
from extractor.schema import IncidentRecord


def extract(text: str) -> IncidentRecord:
    return extract_rules(Document(doc_id="t", text=text, published="2024-06-10")).record


@pytest.mark.parametrize(
    ("text", "officers"),
    [
        ("Two sergeants opened fire on the man.", 2),
        ("Two marshals fired at the man.", 2),
    ],
)
def test_officers_who_fired_counts_every_officer_noun(text: str, officers: int) -> None:
    record = extract(text)
    assert (record.party_fired_first, record.officers_who_fired) == ("police", officers)


@pytest.mark.parametrize(
    ("text", "injured"),
    [
        ("A marshal fired three shots at the man. The marshal was hurt.", True),
        ("A detective fired at a car. No sergeants were injured.", False),
    ],
)
def test_officer_injured_reads_every_officer_noun(text: str, injured: bool) -> None:
    assert extract(text).officer_injured is injured


def test_the_vocabulary_has_one_row_per_noun_with_known_values() -> None:
    words = [n.word for n in nouns()]
    assert len(words) == len(set(words))
    assert {n.side for n in nouns()} == {"police", "civilian"}
    assert {n.number for n in nouns()} == {"one", "many", "group"}
    assert {n.gender for n in nouns()} <= {None, "male", "female"}
    assert all(n.actor for n in nouns() if n.side == "police")
