"""The officer the article describes individually: off duty, firing, hurt, named.

One entry at most: officers who fired as an uncounted group, or several officers the text
cannot tell apart, add none (``officers_who_fired`` holds the count).
"""

from __future__ import annotations

import re

from extractor.backends.rules.actors import actor_before
from extractor.backends.rules.person import Person, gender_from_pronoun
from extractor.backends.rules.text import Article, Hit, Sentence
from extractor.backends.rules.vocabulary import ONE_OFFICER

_I = re.IGNORECASE
_OFF_DUTY = re.compile(
    rf"\boff[\s-]duty\s+(?:[\w-]+\s+){{0,3}}?{ONE_OFFICER}\b"
    rf"|\b{ONE_OFFICER}\b[^.]{{0,40}}?\bwas\s+off[\s-]duty\b",
    _I,
)
_OFFICER_HURT = re.compile(
    rf"\b(?P<det>the|an|one|a)\s+(?:[\w-]+\s+){{0,2}}?{ONE_OFFICER}\b"
    r"(?:,[^,]{1,60},)?\s+(?:was|had\s+been)\s+(?:also\s+)?(?:critically\s+|seriously\s+|fatally\s+)?"
    r"(?P<how>shot|wounded|injured|hurt|struck|stabbed|killed|grazed|hospitalized)\b(?!\s+at\b)"
    r"|\bsent\s+(?P<det2>an?|the)\s+(?:[\w-]+\s+)?officer\s+to\s+(?:the|a)\s+hospital"
    rf"|\b(?P<det3>the|an|one|a)\s+(?:[\w-]+\s+){{0,2}}?{ONE_OFFICER}"
    r"\s+(?:suffered|sustained|received)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:injury|injuries|cut|cuts|wound|wounds|bruises|laceration|lacerations)\b",
    _I,
)
_OFFICER_PRONOUN = re.compile(
    rf"\b(?:the|an|one|a)\s+(?:off[\s-]duty\s+)?{ONE_OFFICER}\b",
    _I,
)
_FRIENDLY_FIRE = re.compile(
    r"\b(?:friendly\s+fire|crossfire|fellow\s+officer|another\s+officer's|accidentally\s+shot)\b",
    _I,
)
_CIVILIAN_FIRE = re.compile(
    r"\b(?:fired|firing|started\s+shooting|began\s+shooting|opened\s+fire|shot\s+at)\b", _I
)
_ON_DUTY_KINDS = {"traffic_stop", "call_for_service", "on_view", "warrant_service", "pursuit"}


_OFFICER_NAME_AGE = re.compile(
    r"\b(?:Officer|Sgt\.|Sergeant|Deputy|Detective|Det\.|Trooper|Agent|Cpl\.|Corporal)\s+"
    r"(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){1,2})(?:,\s+(?P<age>\d{1,2}),)?"
)


def _name_officer(article: Article, person: Person, surname: str) -> None:
    """Name (and age) of the officer who fired, from "Officer Travis Hensley, 29," once the
    text has "Hensley fired twice"."""
    surname = surname.split()[-1]
    for sentence, match in article.find(_OFFICER_NAME_AGE):
        if match["name"].split()[-1] == surname:
            person.set("name", article.hit(match["name"], sentence))
            if match["age"]:
                person.set("age", article.hit(int(match["age"]), sentence))
            return


_APPOSED_ACTOR = re.compile(r"\s*(?:an?|the)\s+$")


def _named_in_apposition(article: Article, sentence: Sentence, start: int) -> str | None:
    """The name in "Officer Bradley Kessel, 38, an 11-year veteran, fired": the shooter is the
    veteran, and the veteran is the named officer."""
    for match in _OFFICER_NAME_AGE.finditer(article.masked, sentence.start, start):
        if match["age"] and _APPOSED_ACTOR.fullmatch(article.masked, match.end(), start):
            return str(match["name"])
    return None


def officer(
    article: Article, encounter: Hit[str] | None, unhurt: Hit[bool] | None
) -> Person | None:
    """The officer entry, or None when no officer is described individually."""
    person: Person | None = None

    def ensure(position: int) -> Person:
        nonlocal person
        if person is None:
            person = Person(first=position, noun="officer", klass="officer")
        person.first = min(person.first, position)
        return person

    off_duty = next(article.find(_OFF_DUTY), None)
    if off_duty:
        sentence, match = off_duty
        ensure(match.start()).set("on_duty", article.hit(False, sentence))
    shooters = article.police_shooters
    number = article.officers_who_fired
    if shooters and number is not None and number.value == 1:
        sentence, actor = shooters[0]
        ensure(actor.start).set("fired_weapon", article.hit(True, sentence))
        named = next((a.name for _, a in shooters if a.name), None) or next(
            (n for s, a in shooters if (n := _named_in_apposition(article, s, a.start))), None
        )
        if named:
            _name_officer(article, ensure(actor.start), named)
    for sentence, match in article.find(_OFFICER_HURT):
        determiner = (match["det"] or match["det2"] or match["det3"] or "").lower()
        if person is not None and determiner != "the":
            continue  # "an officer was hurt" may be another officer than the one described
        how = (match["how"] or "").lower()
        outcome = "killed" if how == "killed" else "injured"
        p = ensure(match.start())
        p.set("outcome", article.hit(outcome, sentence))
        gunshot = how in {"shot", "wounded", "grazed", "killed"} or bool(match["det2"])
        if gunshot and not _FRIENDLY_FIRE.search(article.masked) and _civilians_fired(article):
            p.set("shot_by_police", article.hit("no", sentence))
        break
    if person is None:
        return None
    first = next(iter(person.fields.values()))
    person.fields = {"role": Hit("officer", first.start, first.end), **person.fields}
    if unhurt is not None and unhurt.value is False and "outcome" not in person.fields:
        # "No officers were injured": the officer described is unhurt, and so not shot by police
        person.set("outcome", Hit("uninjured", unhurt.start, unhurt.end))
        person.set("shot_by_police", Hit("no", unhurt.start, unhurt.end))
    if "on_duty" not in person.fields and encounter and encounter.value in _ON_DUTY_KINDS:
        person.set("on_duty", Hit(True, encounter.start, encounter.end))
    for sentence, match in article.find(_OFFICER_PRONOUN):
        gender = gender_from_pronoun(article, sentence, match.end())
        if gender:
            person.set("gender", article.hit(gender, sentence))
            break
    return person


def _civilians_fired(article: Article) -> bool:
    return any(
        actor_before(article, sentence, match.start()) == "civilian"
        for sentence, match in article.find(_CIVILIAN_FIRE)
    )
