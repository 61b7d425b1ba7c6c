"""Civilians: subjects, victims and bystanders the article singles out.

A civilian is listed when the text singles them out: an age ("a 27-year-old man"), a name with
an age ("Jane Doe, 34,"), as the one police fired at ("opened fire on the gunman"), or as the one
shot by police ("a man ... was shot and killed by a Las Vegas officer"). Later mentions ("the
man", "the victim", "Mabry") join that person when only one person could be meant. What follows a
mention in its clause fills the fields ("... was pronounced dead", "... was arrested"). A person
whose part in the incident no rule can tell (subject, victim or bystander) is left out rather
than guessed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from extractor.backends.rules import flags
from extractor.backends.rules.actors import actor_before, doer
from extractor.backends.rules.data import alternation, people
from extractor.backends.rules.person import (
    NOUN,
    Person,
    gender_from_pronoun,
    nouns,
    predicate,
)
from extractor.backends.rules.text import Article, Hit, Sentence
from extractor.backends.rules.vocabulary import OFFICER, POLICE, SUSPECT

_I = re.IGNORECASE

_AGE = re.compile(
    rf"\b(?:[Aa]n?|[Tt]he)\s+(?P<age>\d{{1,3}})-year-old\s+(?:[\w-]+\s+){{0,2}}?(?P<noun>{NOUN})\b"
)
_TITLE = r"(?:Officer|Sgt\.|Sergeant|Deputy|Detective|Det\.|Trooper|Lt\.|Lieutenant|Cpl\.|Agent)"
_NAME_AGE = re.compile(
    rf"(?P<title>{_TITLE}\s+)?\b(?P<name>[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+(?:Mc|Mac|O')?[A-Z][a-z'-]+){{1,2}})"
    r",\s+(?P<age>\d{1,2})(?:,|\.(?=\s|$))"
)
_APPOSITION = re.compile(
    r",\s*(?:(?:who\s+was\s+|who\s+has\s+been\s+)?(?:later\s+|since\s+|now\s+)?"
    r"identified\s+(?:[\w'\u2019.-]+\s+){0,6}?as\s+)?$"
)
_DEFINITE = re.compile(rf"\b[Tt]he\s+(?P<noun>{NOUN})\b(?!\s*-)")
_POLICE_TARGET = re.compile(
    r"\b(?:fired|shot|opened\s+fire|firing|shooting)\s+(?:\w+\s+){0,3}?(?:at|on|toward)\s+"
    rf"the\s+(?P<noun>{NOUN})\b"
)
_THE_DRIVER = re.compile(r"\bthe\s+driver\b")
#: "A man who stabbed a woman ... was shot and killed by a Las Vegas officer"
_SHOT_BY = re.compile(
    rf"\b[Aa]n?\s+(?:(?P<age>\d{{1,3}})-year-old\s+)?(?:[\w-]+\s+)?(?P<noun>{NOUN})\b"
    r"(?:\s+(?:who|whom|that|accused|armed|holding|with|in)\b[^.;]{0,150}?)?"
    r"\s+(?P<verb>was\s+(?:fatally\s+|critically\s+|seriously\s+)?(?:shot|killed|wounded)"
    r"(?:\s+and\s+(?:killed|wounded))?)\s+(?=by\b|when\b)"
)
#: "striking Andre Collier, 37, in the chest"
_HIT_NAMED = re.compile(
    r"\b(?P<verb>striking|hitting|shot\s+and\s+killed|fatally\s+shot|shot\s+and\s+wounded|shot|"
    r"killed|wounded)\s+(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){0,2})\b"
)
#: "a robbery suspect": someone else is in the story, so "the man" may not be the one we know
_INDEFINITE_SUBJECT = re.compile(rf"\b[Aa]n?\s+(?:[\w-]+\s+)?(?P<noun>{SUSPECT})\b")
_IDENTIFIED_PRONOUN = re.compile(r"\bidentified\s+(?:him|her)\s+(?:\w+\s+){0,3}?as\s+$")
#: "The man, Darius Wendell, was taken to ..."
_DEFINITE_NAME = re.compile(
    rf"\b[Tt]he\s+(?P<noun>{NOUN}),\s+(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){{1,2}}),"
    r"(?!\s+\d)"
)
_DEFINITE_NAME_CUE = re.compile(r"\b[Tt]he\s+[a-z]+,\s+[A-Z]")
#: "The woman, 39, ..."
_DEFINITE_AGE = re.compile(rf"\b[Tt]he\s+(?P<noun>{NOUN}),\s+(?P<age>\d{{1,2}}),")
_POLICE_SHOT = re.compile(
    r"\b(?P<verb>shot\s+and\s+killed|fatally\s+shot|shot\s+and\s+wounded|fatally\s+shooting|"
    r"shooting\s+and\s+killing|shooting\s+and\s+wounding|shot|killed|wounded|shooting)\s+"
    rf"(?:a|an)\s+(?:(?P<age>\d{{1,3}})-year-old\s+)?(?:[\w-]+\s+)?(?P<noun>{NOUN})\b"
)


# --- what the text says right after a mention ---------------------------------------------------

_KILLED = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,5}?(?:was|were|is|had\s+been)?\s*(?:later\s+|also\s+)?"
    r"(?:fatally\s+(?:shot|wounded|struck)|shot\s+and\s+killed|killed|pronounced\s+dead|died|dead)\b",
    _I,
)
_INJURED = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were|is)\s+(?:\w+\s+)?"
    r"(?:shot|wounded|injured|struck|hospitalized|grazed)\b"
    r"|\bin\s+(?:critical|serious|stable|fair|good|grave)\s+condition\b"
    r"|\bwhere\s+(?:he|she)\s+is\s+expected\s+to\s+(?:survive|recover)\b"
    r"|^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were)\s+treated\s+[^,;]{0,60}?\bfor\s+"
    r"(?:minor\s+|serious\s+|non-life-threatening\s+)?injuries\b",
    _I,
)
_UNHURT = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,2}?(?:was|were)\s+(?:not\s+(?:injured|hurt|struck|hit)|"
    r"uninjured|unhurt|unharmed)\b"
    r"|^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,2}?(?:was|were)\s+(?:arrested|taken\s+into\s+custody)"
    r"\s+without\s+(?:injury|being\s+(?:hurt|injured))\b",
    _I,
)
_BY_POLICE = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,5}?(?:was|were)\s+(?:\w+\s+)?(?:shot|struck|wounded|killed)"
    r"(?:\s+and\s+(?:killed|wounded))?\s+by\s+(?:an?\s+|the\s+|two\s+)?(?:[\w-]+\s+)?"
    rf"{POLICE}\b",
    _I,
)
_BY_CIVILIAN = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were)\s+(?:\w+\s+)?(?:shot|struck|wounded|killed|stabbed)"
    r"\s+by\s+(?:an?|the|his|her)\s+(?:[\w-]+\s+)?(?:man|woman|gunman|suspect|shooter|attacker|"
    r"assailant|boyfriend|girlfriend|relative|neighbor|robber|carjacker)\b",
    _I,
)
#: "had been stabbed several times": hurt by someone other than police
_ATTACKED = re.compile(
    r"^(?:,?[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were|had\s+been|has\s+been)\s+(?:\w+\s+)?"
    r"(?:stabbed|slashed|beaten|bludgeoned)\b",
    _I,
)
_VEHICLE_WEAPON = re.compile(
    r"\b(?:rammed|struck|hit|reversed\s+into|backed\s+into)\s+(?:an?\s+|the\s+|two\s+)?(?:[\w-]+\s+)?"
    rf"(?:patrol\s+(?:car|vehicle|SUV)|cruiser|squad\s+car|{OFFICER})\b"
    r"|\b(?:drove|accelerated|sped|steered|drives|accelerates)\s+(?:\w+\s+)?(?:at|toward|towards|into)\s+"
    rf"(?:the\s+|an?\s+|two\s+)?(?:[\w-]+\s+)?{OFFICER}\b",
    _I,
)
_ARRESTED_LIST = re.compile(
    r"\b(?:were|was)\s+(?:arrested|taken\s+into\s+custody)\s*:\s*(?:[^.;:]*?(?:,|\band)\s+)?$"
)
_ARRESTED = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were|has\s+been)\s+(?:later\s+|also\s+)?"
    r"(?:arrested|taken\s+into\s+custody|charged|booked\s+into|placed\s+under\s+arrest|jailed)\b"
    r"|^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:was|were)\s+[^,;]{0,80}?\band\s+(?:then\s+|later\s+)?"
    r"(?:arrested|booked\s+into)\b",
    _I,
)
_FIRED = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:[\w-]+\s+){0,8}?(?<!was\s)(?<!were\s)(?<!been\s)"
    r"(?:fired|opened\s+fire|shot\s+at|began\s+shooting|started\s+shooting)\b"
    r"(?!\s+(?:his|her|their|a|the)\s+(?:Taser|stun|less-lethal|beanbag|pepper))",
    _I,
)
_AT_OFFICERS = re.compile(
    r"\b(?:fired|opened\s+fire|shot|shooting|pointed|aimed|raised|lunged|charged|swung|drove)\s+"
    r"(?:[\w-]+\s+){0,4}?(?:at|on|toward|towards)\s+(?:the\s+|two\s+|an?\s+)?"
    rf"(?:{POLICE}|them|him|her)\b",
    _I,
)
#: "... stepped out of the truck holding a handgun and fired at the officers"
_AND_FIRED = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?P<between>[^,;]{0,80}?)\band\s+(?:then\s+)?"
    r"(?:fired|opened\s+fire|shot\s+at|began\s+shooting|started\s+shooting)\b"
    r"(?!\s+(?:his|her|their|a|the)\s+(?:Taser|stun|less-lethal|beanbag|pepper))",
    _I,
)
_SOMEONE_ELSE = re.compile(
    rf"\b(?:who|whom|whose|that|was|were|been|{POLICE}|he|she|they)\b",
    _I,
)


def _and_fired(text: str) -> bool:
    """The person did something "and fired", with no one else named in between."""
    match = _AND_FIRED.search(text)
    return match is not None and not _SOMEONE_ELSE.search(match["between"])


_DID_NOT_FIRE = re.compile(
    r"^(?:,[^,]{0,80},)?\s*(?:\w+\s+){0,3}?(?:did\s+not|didn't|never)\s+(?:fire|shoot)\b", _I
)


@cache
def _weapon_table() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for kind, phrases in people()["weapons"].items():
        for phrase in phrases:
            table.setdefault(phrase.lower(), kind)
    verbs = alternation(people()["armed_verbs"])
    pattern = re.compile(
        rf"\b(?:{verbs})\s+(?:what\s+(?:appeared|turned\s+out|was\s+later\s+found)\s+to\s+be\s+)?"
        r"(?:an?\s+|the\s+|two\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,2}?"
        rf"(?P<weapon>{alternation(table)})(?![\w-])",
        _I,
    )
    return pattern, table


_UNARMED = re.compile(rf"\b(?:{alternation(people()['unarmed'])})\b", _I)


def _compatible(person: Person, noun: str) -> bool:
    gender, role, klass = nouns()[noun]
    if gender and person.gender and gender != person.gender:
        return False
    if role and person.role and role != person.role:
        return False
    if klass in {"driver", "passenger"} and person.klass not in {klass, "person"}:
        return False
    if klass == "suspect":  # "the suspect" is never the man who was merely shot at a gas station
        return person.role == "subject" or person.klass == "suspect"
    return True


def _noun_fields(person: Person, noun: str, hit: Hit[Any]) -> None:
    gender, role, _ = nouns()[noun]
    if gender:
        person.set("gender", Hit(gender, hit.start, hit.end))
    if role:
        person.set("role", Hit(role, hit.start, hit.end))


def civilians(article: Article) -> list[Person]:
    """Every civilian the article singles out, with what it says about them."""
    mentions: list[tuple[int, int, Sentence, str, dict[str, str]]] = []
    for sentence, match in article.find(_AGE):
        mentions.append((match.start(), match.end(), sentence, "age", match.groupdict()))
    for sentence, match in article.find(_NAME_AGE):
        if not match["title"]:
            mentions.append((match.start(), match.end(), sentence, "name", match.groupdict()))
    for sentence, match in article.find(_POLICE_TARGET):
        if actor_before(article, sentence, match.start()) == "police":
            mentions.append(
                (match.start("noun") - 4, match.end(), sentence, "target", match.groupdict())
            )
    for sentence, match in article.find(_POLICE_SHOT):
        if actor_before(article, sentence, match.start()) == "police":
            mentions.append((match.start(), match.end(), sentence, "shot", match.groupdict()))
    for sentence, match in article.find(flags.AT_VEHICLE):
        if actor_before(article, sentence, match.start()) == "police":
            driver = _THE_DRIVER.search(article.masked, match.end(), sentence.end)
            if driver:
                groups = {"noun": "driver"}
                mentions.append((driver.start(), driver.end(), sentence, "target", groups))
    for sentence, match in article.find(_SHOT_BY):
        if not _police_agent(article, sentence, match.end()):
            continue
        groups = match.groupdict()
        mentions.append((match.start(), match.end("noun"), sentence, "shot", groups))
    for sentence, match in article.find(_HIT_NAMED):
        actor = doer(article, sentence, match)
        if " " not in match["name"] and match["name"] not in article.cast.civilians:
            continue  # a lone capitalised word is a name only when it is a known surname
        if (
            actor is not None
            and actor.kind == "police"
            and match["name"] not in article.cast.police
        ):
            mentions.append(
                (match.start("name"), match.end(), sentence, "named_hit", match.groupdict())
            )
    for sentence, match in article.find(_INDEFINITE_SUBJECT):
        mentions.append((match.start(), match.end(), sentence, "indefinite", match.groupdict()))
    for sentence, match in article.find(_DEFINITE_AGE):
        mentions.append((match.start(), match.end(), sentence, "definite_age", match.groupdict()))
    for sentence, match in article.find(_DEFINITE_NAME, within=_DEFINITE_NAME_CUE):
        mentions.append((match.start(), match.end(), sentence, "definite_name", match.groupdict()))
    for sentence, match in article.find(_DEFINITE):
        mentions.append((match.start(), match.end(), sentence, "definite", match.groupdict()))
    civilians = article.cast.civilians
    if civilians:
        surname = re.compile(rf"\b(?P<name>{alternation(civilians)})\b(?![\'\u2019]s)")
        for sentence, match in article.find(surname):
            mentions.append((match.start(), match.end(), sentence, "surname", match.groupdict()))
    # at one start, a police hit ("striking Andre Collier, 37,") goes before the bare name
    for sentence in article.sentences:
        lead = _LEADING_PRONOUN.match(article.masked, sentence.start, sentence.end)
        if lead and sentence.index not in article.excluded:
            groups = {"pronoun": lead["pronoun"].lower()}
            mentions.append((lead.start(), lead.end(), sentence, "pronoun", groups))
    # at one start, a police hit ("striking Andre Collier, 37,") goes before the bare name
    mentions.sort(key=lambda m: (m[0], m[3] != "named_hit", -m[1]))

    found: list[Person] = []
    covered: list[tuple[int, int]] = []
    previous: tuple[Person, int, Sentence] | None = None
    for start, end, sentence, kind, groups in mentions:
        if any(start >= s and end <= e for s, e in covered):
            continue
        covered.append((start, end))
        noun = groups.get("noun") or "person"
        noun = noun if noun in nouns() else noun.lower()
        if noun not in nouns():
            noun = "person"
        hit: Hit[Any] = article.hit(None, sentence)
        if kind == "pronoun":
            person = _pronoun_person(article, found, sentence, groups["pronoun"], end)
            if person is not None:
                person.last = start
                person.set("gender", Hit(_PRONOUN_GENDER[groups["pronoun"]], *(hit.start, hit.end)))
                _read_predicate(article, person, sentence, end, hit)
            continue
        person = _link(found, kind, groups, noun)
        identified = _IDENTIFIED_PRONOUN.search(article.masked, sentence.start, start)
        if person is None and kind == "name" and found and identified:
            # "Police identified him Monday as Kendrick Oates, 24": the person just spoken of
            person = max(found, key=lambda p: p.last)
        if person is None and kind == "age" and previous is not None:
            # "The man, a 27-year-old Oakland resident, ..." describes the man just named
            before, before_end, before_sentence = previous
            between = article.masked[before_end:start]
            if before_sentence is sentence and re.fullmatch(r",\s*", between):
                person = before if _compatible(before, noun) else None
        if person is None and kind in {"name", "named_hit"} and previous is not None:
            # "the driver, identified Wednesday as Darnell Whitaker, 34," is one person
            before, before_end, before_sentence = previous
            if before_sentence is sentence and _APPOSITION.search(
                article.masked, before_end, start
            ):
                person = before
        if person is None:
            if kind in {"definite", "surname", "definite_name"}:
                continue
            person = Person(first=start, noun=noun, klass=str(nouns()[noun][2]))
            person.shadow = kind == "indefinite"
            found.append(person)
        elif kind != "indefinite":
            person.shadow = False
        person.last = start
        _noun_fields(person, noun, hit)
        if groups.get("age"):
            age = int(groups["age"])
            if age <= 120:
                person.set("age", Hit(age, hit.start, hit.end))
        if kind in {"name", "named_hit", "definite_name"}:
            person.set("name", Hit(groups["name"], hit.start, hit.end))
        if kind == "target":
            person.set("role", Hit("subject", hit.start, hit.end))
        if kind in {"shot", "named_hit"}:
            person.set("role", Hit("subject", hit.start, hit.end))
            person.set("shot_by_police", Hit("yes", hit.start, hit.end))
            verb = groups["verb"].lower()
            if "kill" in verb or "fatally" in verb:
                person.set("outcome", Hit("killed", hit.start, hit.end), override=True)
            elif "wound" in verb:
                person.set("outcome", Hit("injured", hit.start, hit.end))
        _read_predicate(article, person, sentence, end, hit)
        if _ARRESTED_LIST.search(article.masked, sentence.start, start):
            # "Two people were taken into custody: the man and a 40-year-old woman"
            person.set("arrested", Hit(True, *(hit.start, hit.end)))
            person.set("role", Hit("subject", *(hit.start, hit.end)))
        previous = (person, end, sentence)
    return found


_LEADING_PRONOUN = re.compile(r"(?P<pronoun>He|She)\b(?!['\u2019])")
_PRONOUN_GENDER = {"he": "male", "she": "female"}


def _pronoun_person(
    article: Article, found: list[Person], sentence: Sentence, pronoun: str, end: int
) -> Person | None:
    """The civilian a sentence-opening "He" or "She" refers to: the only one spoken of in the
    previous sentence, of a compatible gender, when the actors there agree it is a civilian."""
    if sentence.index == 0 or not found:
        return None
    if actor_before(article, sentence, end) != "civilian":
        return None
    previous = article.sentences[sentence.index - 1]
    gender = _PRONOUN_GENDER[pronoun]
    recent = [p for p in found if previous.start <= p.last < previous.end]
    if len(recent) != 1:
        return None
    person = recent[0]
    return person if person.gender in {None, gender} else None


def _police_agent(article: Article, sentence: Sentence, position: int) -> bool:
    """Whether "by ..." or "when ..." at ``position`` names police as the shooters."""
    window = article.masked[position : min(sentence.end, position + 70)]
    agent = re.match(
        r"(?:by|when)\s+(?:an?\s+|the\s+|two\s+|three\s+)?(?:[\w.'-]+\s+){0,5}?"
        rf"{POLICE}\b(?!\s+(?:Department|Bureau))",
        window,
        re.IGNORECASE,
    )
    return agent is not None


def _link(found: list[Person], kind: str, groups: dict[str, str], noun: str) -> Person | None:
    if kind == "definite_name":
        surname = groups["name"].split()[-1]
        for person in found:
            name = person.fields.get("name")
            if name and str(name.value).split()[-1] == surname:
                return person
        kind = "definite"
    if kind == "definite_age":
        for person in found:
            age = person.fields.get("age")
            if age and age.value == int(groups["age"]) and _compatible(person, noun):
                return person
        kind = "definite"
    if kind in {"name", "surname", "named_hit"}:
        surname = groups["name"].split()[-1]
        for person in found:
            name = person.fields.get("name")
            if name and str(name.value).split()[-1] == surname:
                return person
        return None
    if kind == "age":
        for person in found:
            age = person.fields.get("age")
            if age and age.value == int(groups["age"]) and _compatible(person, noun):
                return person
        return None
    candidates = [p for p in found if _compatible(p, noun)]
    if kind in {"target", "shot"}:
        candidates = [p for p in candidates if p.role in {None, "subject"}]
    if kind == "definite":
        # "the man" joins a person only when exactly one person so far could be meant
        return candidates[0] if len(candidates) == 1 else None
    if kind == "indefinite":
        subjects = [p for p in candidates if p.role == "subject"]
        return subjects[0] if len(subjects) == 1 else None
    if not candidates:
        return None
    return max(candidates, key=lambda p: p.last)


def _read_predicate(
    article: Article, person: Person, sentence: Sentence, end: int, hit: Hit[Any]
) -> None:
    text = predicate(article, sentence, end)
    at = (hit.start, hit.end)
    if _KILLED.search(text):
        person.set("outcome", Hit("killed", *at), override=True)
    elif _UNHURT.search(text):
        person.set("outcome", Hit("uninjured", *at))
        person.set("shot_by_police", Hit("no", *at))
    elif _INJURED.search(text) and not _death_in(article):
        person.set("outcome", Hit("injured", *at))
    if _BY_POLICE.search(text):
        person.set("role", Hit("subject", *at))
        person.set("shot_by_police", Hit("yes", *at))
    elif _BY_CIVILIAN.search(text):
        person.set("role", Hit("victim", *at))
    elif _ATTACKED.search(text) and person.klass != "suspect":
        person.set("role", Hit("victim", *at))
        person.set("outcome", Hit("injured", *at))
    if _ARRESTED.search(text):
        person.set("arrested", Hit(True, *at))
        person.set("role", Hit("subject", *at))
    if _DID_NOT_FIRE.search(text):
        person.set("fired_weapon", Hit(False, *at))
    elif _FIRED.search(text) or _and_fired(text):
        person.set("fired_weapon", Hit(True, *at))
        if person.klass != "victim":
            person.set("role", Hit("subject", *at))  # a civilian who opened fire
    if _AT_OFFICERS.search(text) and person.klass != "victim":
        person.set("role", Hit("subject", *at))  # fired at, aimed at or charged the officers
    if _VEHICLE_WEAPON.search(text) and person.klass != "victim":
        # "rammed a patrol car", "drove toward the officers": the car used against police
        person.set("role", Hit("subject", *at))
        armed = person.fields.get("armed_with")
        if armed is None or "vehicle" not in armed.value:
            person.set(
                "armed_with", Hit([*(armed.value if armed else []), "vehicle"], *at), override=True
            )
    pattern, table = _weapon_table()
    weapon = pattern.search(text)
    if weapon:
        if person.klass != "victim":
            person.set("role", Hit("subject", *at))  # the armed person police confronted
        armed = person.fields.get("armed_with")
        kinds = list(armed.value) if armed else []
        kind = table[weapon["weapon"].lower()]
        if kind not in kinds:
            kinds.append(kind)
        person.set("armed_with", Hit(kinds, *at), override=True)
    elif (
        _UNARMED.search(article.masked, sentence.start, sentence.end)
        and "armed_with" not in person.fields
    ):
        person.set("armed_with", Hit(["unarmed"], *at))
    if "gender" not in person.fields:
        gender = gender_from_pronoun(article, sentence, end)
        if gender:
            person.set("gender", Hit(gender, *at))


@cache
def _death_words() -> re.Pattern[str]:
    return re.compile(r"\b(?:died|dies|dead|killed|fatal|fatally|death|pronounced)\b", _I)


def _death_in(article: Article) -> bool:
    return next(article.find(_death_words()), None) is not None  # not in another incident


@cache
def _recovered() -> re.Pattern[str]:
    _, table = _weapon_table()
    return re.compile(
        r"\b(?:[Aa]n?|[Hh]is|[Hh]er)\s+(?:loaded\s+|stolen\s+|semi-automatic\s+)?"
        rf"(?P<weapon>{alternation(table)})\s+(?:was|had\s+been)\s+(?:later\s+)?"
        r"(?:recovered|found|seized)\b",
        _I,
    )


def recovered_weapon(article: Article, listed: list[Person]) -> None:
    """A weapon "recovered at the scene" is the subject's, when the article lists exactly one
    subject and says nothing else about what they were armed with."""
    subjects = [p for p in listed if p.role == "subject"]
    if len(subjects) != 1 or "armed_with" in subjects[0].fields:
        return
    found = next(article.find(_recovered()), None)
    if found is None:
        return
    sentence, match = found
    kind = _weapon_table()[1][match["weapon"].lower()]
    if kind in {"gun", "knife", "replica"}:
        subjects[0].set("armed_with", article.hit([kind], sentence))


def finish(person: Person, hit_status: Hit[str] | None) -> None:
    """Fill what follows from the role: a victim harmed by someone else was not shot by police;
    the lone subject inherits "unclear whether police hit anyone"."""
    outcome = person.fields.get("outcome")
    if person.role == "victim" and outcome and outcome.value in {"killed", "injured"}:
        person.set("shot_by_police", Hit("no", outcome.start, outcome.end))
    if person.role == "subject" and hit_status and hit_status.value == "undetermined":
        person.set("shot_by_police", hit_status)
