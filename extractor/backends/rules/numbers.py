"""Counts written as digits or words: ``14``, ``three``, ``twenty-one``, ``both``, ``twice``."""

from __future__ import annotations

import re
from functools import cache

from extractor.backends.rules.data import alternation, numbers

#: Words that read as a count only in fixed phrases ("an officer", "no one"), never on their own.
_ARTICLES = frozenset({"a", "an", "no"})
_SMALL = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@cache
def number_regex() -> str:
    """A regex (no groups) for a count: digits, a number word or a compound like ``twenty-one``."""
    units, tens = numbers()
    words = alternation(w for w in units if w not in _ARTICLES)
    compound = rf"(?:{alternation(tens)})(?:[\s-](?:{'|'.join(_SMALL)}))?"
    return rf"(?:\d{{1,4}}(?![\d,.]\d)|{compound}|{words})"


_SPACE = re.compile(r"[\s-]+")


def parse_number(text: str) -> int | None:
    """The value of a count matched by :func:`number_regex`; None for anything else."""
    word = _SPACE.sub(" ", text.strip().lower())
    if word.isdigit():
        return int(word)
    units, tens = numbers()
    if word in units:
        return units[word]
    head, _, tail = word.partition(" ")
    if head in tens:
        if not tail:
            return tens[head]
        if tail in _SMALL:
            return tens[head] + units[tail]
    return None
