"""``Article.find``'s look-back: a match right after a negation is skipped."""

from __future__ import annotations

import re

from extractor.backends.rules.text import NEGATION, Article, ending_in

FIRED = re.compile(r"\bfired?\b")
NOT = re.compile(ending_in(NEGATION, gap=1))


def test_a_match_after_a_negation_is_skipped_within_the_window() -> None:
    article = Article("He did not immediately fire. Officers fired.", None)
    found = [m.group() for _, m in article.find(FIRED, unless_after=NOT)]
    assert found == ["fired"]
    # the negation lies 16 characters back: a 10-character window does not reach it
    found = [m.group() for _, m in article.find(FIRED, unless_after=NOT, window=10)]
    assert found == ["fire", "fired"]
