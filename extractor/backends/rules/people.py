"""People: the officers, subjects, victims and bystanders the article describes individually.

See :mod:`civilians` and :mod:`officers` for what makes a person listed and how their fields
are read.
"""

from __future__ import annotations

import re

from extractor.backends.rules.civilians import civilians, finish, recovered_weapon
from extractor.backends.rules.officers import officer
from extractor.backends.rules.person import Fields, Person
from extractor.backends.rules.text import Article, Hit
from extractor.backends.rules.vocabulary import POLICE


def extract_people(
    article: Article,
    encounter: Hit[str] | None,
    hit_status: Hit[str] | None,
    officer_injured: Hit[bool] | None,
    arrests: Hit[int] | None = None,
) -> list[Fields]:
    """Each person's fields (``role`` first), in the order they are first mentioned."""
    listed: list[Person] = []
    for person in civilians(article):
        if person.role is None:
            continue
        if person.shadow and not person.fields.keys() - {"role"}:
            continue  # "a robbery suspect" and nothing more about them
        finish(person, hit_status)
        if arrests is not None and arrests.value == 0:
            # "No arrests were made": nobody listed was arrested
            person.set("arrested", Hit(False, arrests.start, arrests.end))
        listed.append(person)
    recovered_weapon(article, listed)
    described = officer(article, encounter, officer_injured)
    if described is not None:
        listed.append(described)
    _police_hit_the_one_hurt(article, listed, hit_status)
    _nobody_hurt(article, listed, hit_status)
    listed.sort(key=lambda p: p.first)
    return [{"role": person.fields["role"], **person.fields} for person in listed]


#: "No one was hurt", "No one was struck or injured" (not "no one else")
_NOBODY_HURT = re.compile(
    r"\b(?:[Nn]o\s+one|[Nn]obody)\s+(?:was|were)\s+(?:hurt|injured|struck|wounded)"
    r"(?:\s+or\s+(?:hurt|injured|struck|wounded))?\b"
)


def _nobody_hurt(article: Article, listed: list[Person], hit_status: Hit[str] | None) -> None:
    """Everyone listed is unhurt, and so not shot by police, when the article says no one was
    hurt and reports no one killed, wounded or hit by police."""
    if hit_status is not None and hit_status.value != "no":
        return
    if any(p.fields.get("outcome") for p in listed):
        return
    found = next(article.find(_NOBODY_HURT), None)
    if found is None:
        return
    sentence, _ = found
    for person in listed:
        if person.fields.get("shot_by_police") is None:
            person.set("outcome", article.hit("uninjured", sentence))
            person.set("shot_by_police", article.hit("no", sentence))


_BY = re.compile(r"\bby\s+")
_POLICE_AGENT = re.compile(
    rf"(?:an?\s+|the\s+|two\s+)?(?:[\w.'-]+\s+){{0,4}}?{POLICE}\b",
    re.I,
)
_GUNSHOT = re.compile(
    r"\b(?:was|were|been)\s+(?:\w+\s+)?(?:shot|struck|hit|wounded)\b"
    r"|\b(?:bullets?|gunshots?|gunfire)\b",
    re.I,
)


def _police_hit_the_one_hurt(
    article: Article, listed: list[Person], hit_status: Hit[str] | None
) -> None:
    """Police hit someone, and the only person listed as hurt is a subject whose wound is a
    gunshot ("was struck in the shoulder"): police shot that subject."""
    if hit_status is not None and hit_status.value != "yes":
        return
    if hit_status is None and not article.police_shooters:
        return
    hurt = [
        p
        for p in listed
        if (o := p.fields.get("outcome")) is not None and o.value in {"killed", "injured"}
    ]
    if len(hurt) != 1 or hurt[0].role != "subject" or "shot_by_police" in hurt[0].fields:
        return
    outcome = hurt[0].fields["outcome"]
    by = _BY.search(article.masked, outcome.start, outcome.end)
    if by and not _POLICE_AGENT.match(article.masked, by.end()):
        return  # "struck by a car", "shot by her boyfriend"
    if _GUNSHOT.search(article.masked, outcome.start, outcome.end):
        hurt[0].set("shot_by_police", Hit("yes", outcome.start, outcome.end))
