"""Who did something: police or a civilian, from the nearest actor before a verb.

Actors are nouns from ``keywords.json`` ("officer", "the gunman"), tenure phrases ("a six-year
veteran", which in these articles is an officer), the article's names (a name given with an
officer's title, "Officer Angela Ruiz", is police wherever its surname recurs; a name given with
an age, "Elias Marsh, 20,", is a civilian), and pronouns. A pronoun takes the kind of the actors
before it in its sentence, else in the previous sentence, when they agree; "she" skips men.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.backends.rules.data import alternation, cue, nouns
from extractor.backends.rules.text import Article, Sentence
from extractor.backends.rules.vocabulary import CIVILIAN_ACTOR, ONE_OFFICER, PERSON, POLICE

_PLURAL = frozenset(n.word.lower() for n in nouns() if n.actor and n.plural)
_MALE = frozenset(n.word.lower() for n in nouns() if n.actor and n.gender == "male")
_FEMALE = frozenset(n.word.lower() for n in nouns() if n.actor and n.gender == "female")
_NOUNS = re.compile(
    rf"\b(?:(?P<police>(?<!Division\sof\s)(?<!Bureau\sof\s)(?<!Department\sof\s){POLICE}(?!\s+(?:Department|Dept|Bureau|Division|Service|Commission)\b)"
    rf"|\w+-year\s+veteran)|(?P<civilian>{CIVILIAN_ACTOR})"
    r"|(?P<pronoun>he|she|they))\b",
    re.IGNORECASE,
)
_TITLE = alternation(cue("actors", "police_titles"))
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z]\.)?(?:\s+(?:Mc|Mac|O')?[A-Z][a-z'\u2019-]+){0,2}"
_POLICE_NAME = re.compile(
    rf"\b(?:{_TITLE})\s+(?P<name>{_NAME})"
    rf"|\b(?P<name2>{_NAME}),\s+(?:\d{{1,2}},\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?"
    rf"(?:{ONE_OFFICER}|veteran)\b"
)
_CIVILIAN_NAME = re.compile(
    rf"\b[Tt]he\s+{PERSON},\s+(?P<name4>{_NAME}),"
    rf"|\bidentified\s+(?:\w+\s+){{0,3}}?as\s+(?P<name>{_NAME})"
    rf"|(?<!\w\s)\b(?P<name2>{_NAME}),\s+\d{{1,2}},"
    rf"|\b[a-z]+\s+(?!(?:{_TITLE})\s)(?P<name3>{_NAME}),\s+\d{{1,2}},"
)

#: a cheap test for the sentences where ``_CIVILIAN_NAME`` can match
_CIVILIAN_NAME_CUE = re.compile(r",\s+\d{1,2},|\bidentified\b|\b[Tt]he\s+[a-z]+,\s+[A-Z]")


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # police | civilian
    plural: bool
    gender: str | None
    start: int
    end: int
    name: str | None = None  # the person's name when the actor is a name


@dataclass(frozen=True, slots=True)
class Cast:
    """The article's named officers and civilians, and a regex finding those names."""

    police: frozenset[str]
    civilians: frozenset[str]
    names: re.Pattern[str] | None


def _surnames(names: set[str]) -> set[str]:
    return names | {n.split()[-1] for n in names}


def find_cast(article: Article) -> Cast:
    """The names in ``article``; read it as :attr:`Article.cast`, computed once."""
    police = {m["name"] or m["name2"] for _, m in article.find(_POLICE_NAME)}
    civilians = {
        m["name"] or m["name2"] or m["name3"] or m["name4"]
        for _, m in article.find(_CIVILIAN_NAME, within=_CIVILIAN_NAME_CUE)
    } - police
    police, civilians = _surnames(police), _surnames(civilians) - _surnames(police)
    parts = []
    if police:
        parts.append(rf"(?P<police_name>{alternation(police)})")
    if civilians:
        parts.append(rf"(?P<civilian_name>{alternation(civilians)})")
    names = re.compile(rf"\b(?:{'|'.join(parts)})\b(?!['\u2019]s)") if parts else None
    return Cast(frozenset(police), frozenset(civilians), names)


def _actors(article: Article, start: int, end: int) -> list[Actor | str]:
    """Actors (or ``"he"``/``"she"``/``"they"`` for pronouns) between two offsets, in order."""
    matches = list(_NOUNS.finditer(article.masked, start, end))
    names = article.cast.names
    if names is not None:
        matches.extend(names.finditer(article.masked, start, end))
        matches.sort(key=lambda m: m.start())
    found: list[Actor | str] = []
    for m in matches:
        text = m.group().lower()
        group = m.lastgroup or ""
        if group == "pronoun":
            found.append(text)
            continue
        kind = "police" if group.startswith("police") else "civilian"
        gender = "male" if text in _MALE else "female" if text in _FEMALE else None
        name = m.group() if group.endswith("_name") else None
        found.append(Actor(kind, text in _PLURAL, gender, m.start(), m.end(), name))
    return found


def _agrees(actor: Actor, pronoun: str) -> bool:
    if pronoun == "they":
        return actor.plural
    if actor.plural:
        return False
    return actor.gender is None or actor.gender == ("male" if pronoun == "he" else "female")


def _resolve(candidates: list[Actor | str], pronoun: str) -> str | None:
    kinds = {a.kind for a in candidates if isinstance(a, Actor) and _agrees(a, pronoun)}
    return kinds.pop() if len(kinds) == 1 else None


def nearest_actor(article: Article, sentence: Sentence, position: int) -> Actor | None:
    """The actor nearest before ``position`` in its sentence, a pronoun resolved to the kind of
    the agreeing actors before it (in the sentence, else the previous one) when they agree."""
    found = _actors(article, sentence.start, position)
    if not found:
        return None
    last = found[-1]
    if isinstance(last, Actor):
        return last
    kind = _resolve(found[:-1], last)
    if kind is None and sentence.index > 0:
        previous = article.sentences[sentence.index - 1]
        kind = _resolve(_actors(article, previous.start, previous.end), last)
    if kind is None:
        return None
    gender = {"he": "male", "she": "female"}.get(last)
    return Actor(kind, last == "they", gender, position, position)


def actor_before(article: Article, sentence: Sentence, position: int) -> str | None:
    """``"police"`` or ``"civilian"`` for the actor nearest before ``position``."""
    actor = nearest_actor(article, sentence, position)
    return actor.kind if actor else None


_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+\s+)?$", re.IGNORECASE)
_AGENT = re.compile(r"\s+by\s+", re.IGNORECASE)


def doer(article: Article, sentence: Sentence, verb: re.Match[str]) -> Actor | None:
    """Who did ``verb``: the agent after "by" for a passive ("was shot by a Dallas officer"),
    else the nearest actor before it."""
    by_included = re.search(r"\bby$", verb.group()) is not None
    if by_included or _PASSIVE.search(
        article.masked, max(sentence.start, verb.start() - 30), verb.start()
    ):
        agent = _AGENT.match(article.masked, verb.end() - (3 if by_included else 0), sentence.end)
        if agent is None:
            return None
        following = _actors(article, agent.end(), min(sentence.end, agent.end() + 60))
        first = following[0] if following else None
        if not isinstance(first, Actor):
            return None
        return (
            first
            if re.fullmatch(r"[\w.'\s-]*", article.masked[agent.end() : first.start])
            else None
        )
    return nearest_actor(article, sentence, verb.start())
