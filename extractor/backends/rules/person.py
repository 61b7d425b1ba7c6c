"""A person being assembled from the article, and what the rules read around a mention."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from extractor.backends.rules.data import nouns as vocabulary
from extractor.backends.rules.text import Article, Hit, Sentence
from extractor.backends.rules.vocabulary import PERSON, POLICE

Fields = dict[str, Hit[Any]]


@dataclass
class Person:
    """One person being assembled: each field with the sentence that supports it."""

    first: int
    noun: str
    klass: str
    fields: Fields = field(default_factory=dict)
    last: int = 0
    #: introduced only as "a robbery suspect": listed once the text says something about them
    shadow: bool = False

    def set(self, name: str, hit: Hit[Any] | None, *, override: bool = False) -> None:
        if hit is not None and (override or name not in self.fields):
            self.fields[name] = hit

    @property
    def gender(self) -> str | None:
        hit = self.fields.get("gender")
        return str(hit.value) if hit else None

    @property
    def role(self) -> str | None:
        hit = self.fields.get("role")
        return str(hit.value) if hit else None


@cache
def nouns() -> dict[str, tuple[str | None, str | None, str]]:
    """Nouns that can introduce a listed civilian: ``(gender, role, coreference class)``."""
    return {n.word: (n.gender, n.role, n.klass) for n in vocabulary() if n.klass is not None}


NOUN = PERSON
_PREDICATE_END = re.compile(
    r"[.;]|\band\s+(?:the|a|an|police|officers?)\b|,\s+(?:but|while|police)\b"
    r"|\b(?:after|before|while|because|until|as)\s+(?:the|a|an|police|officers?|he|she|they)\b"
)
#: "he" and "his" name a man, "she" a woman; "him" and "her" are as often someone else.
_PRONOUN_AFTER = re.compile(r"\b(?P<p>he|his|she)\b", re.IGNORECASE)


def predicate(article: Article, sentence: Sentence, end: int) -> str:
    """What the sentence says about the person mentioned just before ``end``: up to the next
    clause about someone else."""
    text = article.masked[end : sentence.end]
    stop = _PREDICATE_END.search(text, 1)
    return text[: stop.start()] if stop else text


def gender_from_pronoun(article: Article, sentence: Sentence, end: int) -> str | None:
    """The gender of a pronoun after a mention, when no other person is named in between."""
    following = _PRONOUN_AFTER.search(article.masked, end, sentence.end)
    if following is None:
        return None
    between = article.masked[end : following.start()]
    if re.search(rf"\b(?:{NOUN}|{POLICE}|[A-Z][a-z]+\s+[A-Z][a-z]+)\b", between):
        return None
    return "male" if following["p"].lower() in {"he", "his"} else "female"
