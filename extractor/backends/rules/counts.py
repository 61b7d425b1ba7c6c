"""Counts: shots fired by police, how many officers fired, how many people were arrested."""

from __future__ import annotations

import re

from extractor.backends.rules.actors import Actor, actor_before, doer
from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.numbers import number_regex, parse_number
from extractor.backends.rules.text import Article, Hit, Sentence
from extractor.backends.rules.vocabulary import OFFICER, OFFICERS, ONE_OFFICER, POLICE

_N = number_regex()
_UNITS = alternation(cue("counts", "shot_units"))
_WEAPON = alternation(cue("counts", "weapon"))
_ANOTHER = alternation(cue("counts", "another"))
_I = re.IGNORECASE

# "fired three shots", "fired a total of 14 rounds", "discharged his weapon three times",
# "fired twice", "fired 10 shots at the car"
_SHOTS = re.compile(
    rf"\b(?:fired|firing|discharged|shot)(?:\s+(?:his|her|their|a|the)\s+(?:{_WEAPON}))?"
    rf"(?:\s+(?:at\s+least|a\s+total\s+of|about|approximately|roughly|some))?"
    rf"\s+(?P<n>{_N})\s+(?P<unit>{_UNITS})\b(?!\s+(?:into|in)\s+(?:his|her|the)\s+(?:head|chest|back))"
    rf"|\b(?:fired|firing|discharged)(?:\s+(?:his|her|their)\s+(?:{_WEAPON}))?\s+(?P<times>twice|once)\b",
    _I,
)
#: "one firing five times and the other three times": the second officer's count, verb elided
_ELIDED = re.compile(
    rf"\band\s+the\s+(?:other|second)(?:\s+{ONE_OFFICER})?\s+(?P<n>{_N})\s+(?P<unit>{_UNITS})\b"
    rf"|\band\s+the\s+(?:other|second)(?:\s+{ONE_OFFICER})?\s+(?P<times>twice|once)\b",
    _I,
)
_TOTAL = re.compile(
    rf"\b(?:a\s+total\s+of|in\s+all|altogether|combined)\s+(?P<n>{_N})\s+(?:{_UNITS})"
    rf"|\b(?P<n2>{_N})\s+(?:{_UNITS})\s+(?:in\s+all|in\s+total|altogether|combined)",
    _I,
)
_TOTAL_CUE = re.compile(r"\b(?:total|all|altogether|combined)\b", _I)
_PASSIVE_SHOTS = re.compile(
    rf"\b(?P<n>{_N})\s+(?:shots|rounds|bullets)\s+(?:were|had\s+been)\s+fired\s+by\s+"
    rf"(?:the\s+)?{POLICE}\b",
    _I,
)


def _value(match: re.Match[str], group: str = "n") -> int | None:
    if match.groupdict().get("times"):
        return 2 if match["times"].lower() == "twice" else 1
    raw = match[group]
    return parse_number(raw) if raw else None


def shots_fired(article: Article) -> Hit[int] | None:
    """Total shots fired by police: a stated total, else the stated shots of each officer."""
    for sentence, match in article.find(_TOTAL, within=_TOTAL_CUE):
        value = _value(match, "n") or _value(match, "n2")
        if value and actor_before(article, sentence, match.start()) == "police":
            return article.hit(value, sentence)
    for sentence, match in article.find(_PASSIVE_SHOTS):
        value = _value(match)
        if value:
            return article.hit(value, sentence)
    total = 0
    used: list[Sentence] = []
    for sentence, match in article.find(_SHOTS):
        if match.group().lower().startswith("shot") and match["unit"].lower() == "times":
            continue  # "shot him 16 times" counts hits, not shots fired
        value = _value(match)
        if not value or actor_before(article, sentence, match.start()) != "police":
            continue
        clause = article.masked[sentence.start : match.start()]
        if used and sentence is not used[-1] and not re.search(rf"\b(?:{_ANOTHER})\b", clause, _I):
            continue  # a later sentence restating the same officer's shots
        total += value
        if sentence not in used:
            for elided in _ELIDED.finditer(article.masked, match.end(), sentence.end):
                total += _value(elided) or 0
        used.append(sentence)
    if not used:
        return None
    return article.hit(total, used[0], *used[1:])


# --- officers who fired -------------------------------------------------------------------------

_FIRE = (
    r"(?:fired|opened\s+fire|returned\s+fire|discharged|shot\s+at|fired\s+shots|firing"
    r"|shot\s+and\s+(?:killed|wounded)|fatally\s+shot)"
    r"(?!\s+(?:his|her|their|a|the)\s+(?:Taser|stun|less-lethal|beanbag|pepper))"
)
COUNTED_OFFICERS = re.compile(
    rf"\b(?P<n>{_N})\s+(?:of\s+the\s+)?(?:\w+\s+){{0,2}}?{OFFICER}\b(?:\s+\w+){{0,4}}?\s+{_FIRE}\b",
    _I,
)
_OFFICERS_CUE = re.compile(rf"\b{OFFICER}\b", _I)
FIRE_VERB = re.compile(
    rf"\b{_FIRE}\b|\bshooting\s+(?:a|an|the|him|her)\b|\bshot\s+(?:him|her|the|a|an)\b", _I
)
_ANOTHER_OFFICER = re.compile(
    rf"\b(?:another|a\s+second|a\s+third|a\s+fourth)\s+(?:[\w-]+\s+)?{OFFICER}\b(?:\s+\w+){{0,3}}?\s+(?:also\s+)?{_FIRE}\b",
    _I,
)
_UNCOUNTED_OFFICERS = re.compile(
    rf"\b(?:the\s+|several\s+|multiple\s+|other\s+)?{OFFICERS}"
    rf"\s+(?:then\s+|also\s+|both\s+)?{_FIRE}\b",
    _I,
)


def find_police_shooters(article: Article) -> tuple[tuple[Sentence, Actor], ...]:
    """Each statement that police fired, with the officer (or officers) said to fire; read it
    as :attr:`Article.police_shooters`, computed once."""
    found = []
    for sentence, match in article.find(FIRE_VERB):
        actor = doer(article, sentence, match)
        if actor is not None and actor.kind == "police":
            found.append((sentence, actor))
    return tuple(found)


def officers_who_fired(article: Article) -> Hit[int] | None:
    """How many officers fired: a stated number; else the officers described firing one by one
    (distinct names, or one unnamed officer, plus each "another officer also fired"); nothing
    when officers fired as an uncounted group. Read it as :attr:`Article.officers_who_fired`,
    computed once."""
    for sentence, match in article.find(COUNTED_OFFICERS, within=_OFFICERS_CUE):
        value = _value(match)
        if value and value >= 1:
            return article.hit(value, sentence)
    shooters = article.police_shooters
    if not shooters or any(actor.plural for _, actor in shooters):
        return None
    others = list(article.find(_ANOTHER_OFFICER))
    names = {actor.name.split()[-1] for _, actor in shooters if actor.name}
    count = max(len(names), 1) + len(others)
    return article.hit(count, shooters[0][0], *(s for s, _ in others))


# --- arrests ------------------------------------------------------------------------------------

_ARREST = alternation(cue("counts", "arrest_verbs"))
_PEOPLE = alternation(cue("counts", "arrest_people"))
_PERSON = alternation(cue("counts", "arrest_person"))
_NO_ARREST = re.compile(
    rf"\b(?:no\s+one|nobody|no\s+suspects?|no\s+one\s+else(?P<else>)?)\s+(?:has|had|have|was|were|is|are)"
    rf"\s+(?:yet\s+)?(?:been\s+)?(?:{_ARREST})"
    rf"|\bno\s+arrests?\s+(?:has|had|have|was|were)\s+(?:yet\s+)?(?:been\s+)?(?:made|reported)"
    rf"|\bno\s+(?:one\s+)?(?:arrests?|one)\s+(?:has|have|had)\s+been\s+made"
    rf"|\bno\s+one\s+(?:has\s+been|was)\s+(?:charged\s+or\s+)?arrested"
    # "he was not arrested" about the subject; counted only when no one is said to be arrested
    rf"|\b(?:he|she|the\s+(?:{_PERSON}))\s+(?:was|has|had)\s+not\s+(?:been\s+)?(?:arrested|charged)",
    _I,
)
_NUMBER_ARRESTED = re.compile(
    rf"(?<!\bno\s)\b(?P<n>{_N})\s+(?:(?:other|more|additional)\s+)?(?:(?:{_PEOPLE}|{_PERSON})\s+)?"
    rf"(?:(?:were|was|have\s+been|has\s+been|had\s+been)\s+)(?:later\s+|also\s+|subsequently\s+)?"
    rf"(?:{_ARREST})"
    rf"|\b(?:arrested|detained\s+and\s+charged)\s+(?P<n2>{_N})\s+(?:{_PEOPLE}|{_PERSON})\b",
    _I,
)
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){0,2}(?:,\s*\d{1,2},)?"
_ARRESTED_SUBJECT = (
    rf"(?P<subject>\b[Hh]e\b|\b[Ss]he\b|(?<![\w-])(?!(?:No|Nobody|None|Neither|Police|Officers?|It|"
    rf"The|A|An|But|And|When|After)\b){_NAME}"
    rf"|\b(?:[Tt]he|[Aa]n?)\s+(?:[\w-]+\s+){{0,2}}?(?:{_PERSON})\b(?:,\s+{_NAME},?)?)"
)
_ONE_ARRESTED = re.compile(
    rf"{_ARRESTED_SUBJECT}(?P<between>[^.;]{{0,140}}?)"
    rf"(?:\b(?:was|has\s+been|had\s+been|is|were)\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?:{_ARREST}|placed\s+under\s+arrest|booked\s+into|charged\s+with)"
    rf"|\band\s+(?:then\s+|later\s+)?(?:arrested|booked\s+into|charged\s+with))\b"
    rf"|\bpolice\s+(?:later\s+)?arrested\s+(?:the|a)\s+(?:{_PERSON})",
)
_ARREST_CUE = re.compile(r"\b(?:arrest|custody|booked|charged|apprehended)", _I)
_NEGATED = re.compile(r"\b(?:not|never|n't|no)\b", _I)
_ANOTHER_ARRESTED = re.compile(
    rf"\b(?:a\s+second|another|a\s+third)\s+(?:{_PERSON}|man|woman)\b[^.;]{{0,60}}?"
    rf"\b(?:was|were|has\s+been)\s+(?:also\s+|later\s+)?(?:{_ARREST})",
    _I,
)


def arrests(article: Article) -> Hit[int] | None:
    """People arrested: a stated number; one when a single person is said to be arrested; 0
    when the article says no one was."""
    for sentence, match in article.find(_NUMBER_ARRESTED, within=_ARREST_CUE):
        value = _value(match, "n") if match["n"] else _value(match, "n2")
        if value is not None and value > 0:
            return article.hit(value, sentence)
    police = article.cast.police
    for sentence, match in article.find(_ONE_ARRESTED, within=_ARREST_CUE):
        subject = (match["subject"] or "").split(",")[0].strip()
        if subject in police or (subject and subject.split()[-1] in police):
            continue  # an officer charged is a finding against the officer, not an arrest
        if _NEGATED.search(match["between"] or "") or _NEGATED.search(match.group()[-40:]):
            continue
        more = list(article.find(_ANOTHER_ARRESTED))
        return article.hit(1 + len(more), sentence, *(s for s, _ in more))
    for sentence, match in article.find(_NO_ARREST):
        if match["else"] is None:
            return article.hit(0, sentence)
    return None
