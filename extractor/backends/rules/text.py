"""An article prepared for the rules: sentence spans, quotations masked, the publication date.

Rules read :attr:`Article.masked`, where every direct quotation is blanked out (same length, so
offsets still point into the original text): what someone is quoted as saying, including any
instruction planted in a quote or a "No, don't fire" shouted on a video, never sets a value.
Evidence is always cut from :attr:`Article.text`, so it is verbatim.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

from dateutil import parser as date_parser

from extractor.backends.rules.data import abbreviations

if TYPE_CHECKING:
    from extractor.backends.rules.actors import Actor, Cast

T = TypeVar("T")

_OPENERS = {"\u201c": "\u201d", '"': '"'}
_CLOSERS = frozenset('"\u201d')
_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([\w.'-]+)[.!?]+[\"'\u201d\u2019)\]]*$")
_NEXT_WORD = re.compile(r"\s+[\"'\u201c\u2018(\[]?([\w.'-]+)")
_CALENDAR = date_parser.parserinfo()
#: Words that negate what follows: "did not fire", "never released". Rules add their own words
#: ("no", "without", "declined to") in the look-back they pass :meth:`Article.find`.
NEGATION = r"not|n't|never"
#: "6:50 p.m. Tuesday" and "10 a.m. Oct. 3" go on; "at 6 p.m. Police said" is a new sentence.
_NO_BREAK_AFTER_DOTTED = frozenset(
    name.lower() for names in (*_CALENDAR.MONTHS, *_CALENDAR.WEEKDAYS) for name in names
)


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A value and the span of the article text that supports it."""

    value: T
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int


def ending_in(words: str, *, gap: int = 0) -> str:
    """A regex for text that ends in one of ``words`` (a regex alternation), then up to ``gap``
    more words: an ``unless_after`` look-back for :meth:`Article.find`.

    ``ending_in(NEGATION, gap=1)`` matches the text before "fire" in "did not fire" and in
    "did not immediately fire".
    """
    between = rf"(?:\w+\s+){{0,{gap}}}" if gap else ""
    return rf"\b(?:{words})\s+{between}$"


def mask_quotes(text: str) -> str:
    """Blank out direct quotations (quote marks included) with spaces, keeping every offset.

    A quotation still open at the end of a paragraph runs to the paragraph's end (news style
    reopens a continued quotation in the next paragraph).
    """
    chars = list(text)
    position = 0
    for paragraph in text.split("\n"):
        opened: int | None = None
        closer = ""
        for offset, ch in enumerate(paragraph):
            if opened is None:
                if ch in _OPENERS:
                    opened, closer = offset, _OPENERS[ch]
            elif ch == closer or (ch == "\u201d" and closer == '"'):
                chars[position + opened : position + offset + 1] = " " * (offset + 1 - opened)
                opened = None
        if opened is not None:
            end = len(paragraph)
            chars[position + opened : position + end] = " " * (end - opened)
        position += len(paragraph) + 1
    return "".join(chars)


def _is_break(text: str, match: re.Match[str]) -> bool:
    """Whether the punctuation at ``match`` ends a sentence (not ``Supt.``, ``Dec.``, ``J.``)."""
    if not match.group().startswith("."):
        return True
    before = _LAST_WORD.search(text, max(0, match.start() - 40), match.end())
    if before is None:
        return True
    word = before.group(1)
    bare = word.rstrip(".").lower()
    if "." in bare:  # U.S., D.C., p.m.: a break only before a capitalised ordinary word
        if bare not in {"a.m", "p.m"}:
            return False
        following = _NEXT_WORD.match(text, match.end())
        return following is not None and following.group(1).lower() not in _NO_BREAK_AFTER_DOTTED
    if len(bare) == 1 and bare.isalpha():
        return False
    return bare not in abbreviations()


def split_sentences(text: str, masked: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``: paragraph breaks and sentence-ending punctuation,
    never inside a quotation ("Police! Drop it!" does not end the sentence) unless the
    punctuation closes it."""
    masked = mask_quotes(text) if masked is None else masked
    spans: list[tuple[int, int]] = []
    position = 0
    for paragraph in text.split("\n"):
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            last = position + match.end() - 1
            inside = masked[last] == " " and text[last] not in _CLOSERS
            if not inside and _is_break(paragraph, match):
                spans.append((position + start, position + match.end()))
                start = match.end()
        spans.append((position + start, position + len(paragraph)))
        position += len(paragraph) + 1
    trimmed = []
    for start, end in spans:
        segment = text[start:end]
        stripped = segment.strip()
        if stripped:
            lead = len(segment) - len(segment.lstrip())
            trimmed.append((start + lead, start + lead + len(stripped)))
    return trimmed


class Article:
    """One article's text, its masked copy, its sentences and its publication date, and the
    per-article facts several rules read (computed once, on first use)."""

    def __init__(self, text: str, published: str | None) -> None:
        self.text = text
        self.masked = mask_quotes(text)
        self.published = dt.date.fromisoformat(published) if published else None
        self.sentences = [
            Sentence(i, start, end)
            for i, (start, end) in enumerate(split_sentences(text, self.masked))
        ]
        self._starts = [s.start for s in self.sentences]
        #: Sentences about another incident (an older shooting mentioned in passing): skipped.
        self.excluded: frozenset[int] = frozenset()

    # The rules below live in the modules that own them; imported here when first needed,
    # since those modules build on this one.

    @cached_property
    def cast(self) -> Cast:
        """The names of the article's officers and civilians (:func:`actors.find_cast`)."""
        from extractor.backends.rules.actors import find_cast

        return find_cast(self)

    @cached_property
    def police_shooters(self) -> tuple[tuple[Sentence, Actor], ...]:
        """Each statement that police fired, with who fired (:func:`counts.find_police_shooters`)."""
        from extractor.backends.rules.counts import find_police_shooters

        return find_police_shooters(self)

    @cached_property
    def officers_who_fired(self) -> Hit[int] | None:
        """How many officers fired (:func:`counts.officers_who_fired`)."""
        from extractor.backends.rules.counts import officers_who_fired

        return officers_who_fired(self)

    def sentence_at(self, position: int) -> Sentence:
        """The sentence holding character ``position``."""
        index = max(0, bisect.bisect_right(self._starts, position) - 1)
        return self.sentences[index]

    def masked_of(self, sentence: Sentence) -> str:
        return self.masked[sentence.start : sentence.end]

    def find(
        self,
        pattern: re.Pattern[str],
        *,
        quotes: bool = False,
        within: re.Pattern[str] | None = None,
        unless_after: re.Pattern[str] | None = None,
        window: int | None = None,
    ) -> Iterator[tuple[Sentence, re.Match[str]]]:
        """Every match of ``pattern`` in the masked text (the full text when ``quotes``) that lies
        within one sentence, with that sentence, in order; excluded sentences are skipped.

        ``within`` is a cheap pre-filter for a costly pattern: only sentences where it matches
        are searched. ``unless_after`` skips a match when it is found in the ``window``
        characters before the match (in its sentence; all of the sentence before it when
        ``window`` is None), e.g. ``unless_after=re.compile(ending_in(NEGATION, gap=1))`` skips
        "released" in "did not release" and "has not yet released".
        """
        text = self.text if quotes else self.masked
        found = self._find(pattern, text, within)
        if unless_after is None:
            return found
        return self._unless_after(found, text, unless_after, window)

    @staticmethod
    def _unless_after(
        found: Iterator[tuple[Sentence, re.Match[str]]],
        text: str,
        lookback: re.Pattern[str],
        window: int | None,
    ) -> Iterator[tuple[Sentence, re.Match[str]]]:
        for sentence, match in found:
            start = sentence.start if window is None else match.start() - window
            if not lookback.search(text, max(sentence.start, start), match.start()):
                yield sentence, match

    def _find(
        self, pattern: re.Pattern[str], text: str, within: re.Pattern[str] | None
    ) -> Iterator[tuple[Sentence, re.Match[str]]]:
        if within is not None:
            for sentence in self._sentences_with(within, text):
                for match in pattern.finditer(text, sentence.start, sentence.end):
                    yield sentence, match
            return
        for match in pattern.finditer(text):
            sentence = self.sentence_at(match.start())
            if match.start() >= sentence.end or match.end() > sentence.end:
                continue
            if sentence.index in self.excluded:
                continue
            yield sentence, match

    def _sentences_with(self, cue: re.Pattern[str], text: str) -> list[Sentence]:
        found: dict[int, Sentence] = {}
        for match in cue.finditer(text):
            sentence = self.sentence_at(match.start())
            if (
                sentence.start <= match.start() < sentence.end
                and sentence.index not in self.excluded
            ):
                found.setdefault(sentence.index, sentence)
        return list(found.values())

    def hit(self, value: T, sentence: Sentence, *more: Sentence) -> Hit[T]:
        """``value`` supported by ``sentence`` (through the last of ``more``, when given)."""
        end = max([sentence.end, *(s.end for s in more)])
        start = min([sentence.start, *(s.start for s in more)])
        return Hit(value, start, end)
