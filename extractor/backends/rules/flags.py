"""Yes/no facts about the shooting: officer hurt, someone hit, who fired first, moving vehicle."""

from __future__ import annotations

import re

from extractor.backends.rules.actors import actor_before, doer
from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.text import NEGATION, Article, Hit, Sentence, ending_in
from extractor.backends.rules.vocabulary import OFFICER, POLICE

_I = re.IGNORECASE
_INJURED = alternation(cue("flags", "injury_passive"))
_INJURY_NOUNS = alternation(cue("flags", "injury_nouns"))
_OFFICER_HURT = re.compile(
    rf"\b{OFFICER}\b(?:,[^,]{{1,60}},)?\s+(?:was|were|had\s+been|got|has\s+been|have\s+been)\s+"
    rf"(?:also\s+|critically\s+|seriously\s+|fatally\s+|slightly\s+|mortally\s+)?(?:{_INJURED})\b"
    rf"(?!\s+at\b)"
    rf"|\b(?:injured|wounded|hurt)\s+(?:police\s+)?{OFFICER}\b"
    rf"|\b{OFFICER}\s+(?:suffered|sustained|received)\s+(?:[\w-]+\s+){{0,3}}?(?:{_INJURY_NOUNS})\b"
    rf"|\bsent\s+(?:[\w-]+\s+){{0,3}}?{OFFICER}\s+to\s+(?:the|a)\s+hospital"
    rf"|\b{OFFICER}\s+(?:was|were)\s+(?:taken|rushed|transported)\s+to\s+(?:a|the|\w+)\s+"
    rf"(?:\w+\s+)?hospital\s+(?:with|for)\b"
    rf"|\b{OFFICER}\s+who\s+(?:was|had\s+been)\s+(?:{_INJURED})\b(?!\s+at\b)"
    rf"|\b{OFFICER}\s+(?:cut|injured|hurt|broke|sprained)\s+(?:his|her|their)\s+\w+",
    _I,
)
#: "a man who struck an officer with a hammer" (not "nearly struck", "tried to stab")
_OFFICER_ATTACKED = re.compile(
    r"\b(?:struck|stabbed|slashed|wounded|injured|punched|kicked|bit|dragged)\s+"
    rf"(?:an|one|the\s+other|another|a\s+second|two)\s+(?:[\w-]+\s+)?{OFFICER}"
    r"\b(?![\'\u2019])",
    _I,
)
_ATTEMPT = re.compile(ending_in(r"nearly|almost|to|not|never|tried|attempted"), _I)
_DENIED = re.compile(ending_in(r"no|none\s+of\s+the|nor|neither"), _I)
_OFFICER_UNHURT = re.compile(
    rf"\b(?:no|none\s+of\s+the|neither)\s+(?:police\s+)?{POLICE}\s+"
    r"(?:(?:or|and|nor)\s+(?:[\w-]+\s+){1,2}?)?"
    r"(?:was|were|had\s+been|have\s+been)\s+(?:injured|hurt|wounded|shot|struck)"
    rf"|\b{OFFICER}\s+(?:was|were)\s+(?:not|un)\s*(?:injured|hurt|harmed)"
    rf"|\b{OFFICER}\s+(?:was|were)\s+(?:uninjured|unhurt|unharmed|not\s+injured|not\s+hurt)"
    rf"|\bno\s+{OFFICER}\s+(?:injuries|were\s+injured)",
    _I,
)


def officer_injured(article: Article) -> Hit[bool] | None:
    """True when an officer is said to be hurt; False when the article says none was."""
    for sentence, match in article.find(_OFFICER_HURT, unless_after=_DENIED):
        if re.match(r"(?:no|none|neither)\b", match.group(), _I):
            continue
        return article.hit(True, sentence)
    for sentence, _match in article.find(_OFFICER_ATTACKED, unless_after=_ATTEMPT):
        return article.hit(True, sentence)
    for sentence, match in article.find(_OFFICER_UNHURT):
        if re.search(r"\bother\b", match.group(), _I):
            continue
        return article.hit(False, sentence)
    return None


# --- did police hit anyone ----------------------------------------------------------------------

_UNCLEAR = alternation(cue("flags", "unclear"))
_HIT_UNCLEAR = re.compile(
    rf"\b(?:{_UNCLEAR})\s+(?:if|whether)\b(?P<rest>[^.;]{{0,120}})",
    _I,
)
_UNCLEAR_CUE = re.compile(r"clear|known|determin|no\s+way", _I)
_HIT_VERB = re.compile(rf"\b(?:{alternation(cue('flags', 'hit_verbs'))})\b(?!\s+first)", _I)
_HIT_VERB_OBJECT = re.compile(
    r"\b(?:shot\s+and\s+killed|shot\s+and\s+wounded|fatally\s+shot|shot|shooting|struck|striking"
    r"|wounded|wounding|killed|killing|hit|hitting)\s+(?:him|her|them|an?|the|[A-Z][a-z'-]+)\b"
    r"(?!\s+(?:squad|officer|officers|police|door|window|windshield|car|vehicle|pole|tree|wall))"
    r"|\b(?:was|were)\s+(?:fatally\s+|critically\s+|seriously\s+|later\s+|also\s+)?"
    r"(?:shot|struck|wounded|hit|killed)(?:\s+and\s+(?:killed|wounded))?\s+by\b",
)
_HIT_WHEN = re.compile(
    r"\b(?:was|were)\s+(?:fatally\s+|critically\s+|seriously\s+)?(?:shot|struck|wounded|hit|killed)"
    r"(?:\s+and\s+(?:killed|wounded))?\s+when\s+(?:the\s+|two\s+|an?\s+)?(?:[\w-]+\s+)?"
    rf"{POLICE}\s+(?:returned\s+fire|shot\s+back|fired|opened\s+fire)",
    _I,
)
_HIT_DOUBT = re.compile(ending_in(rf"{NEGATION}|if|whether|before", gap=1), _I)
_HIT_NO = re.compile(
    r"\b(?:no\s+one|nobody|neither|none\s+of\s+them)\s+(?:was|were)\s+(?:hit|struck)\b"
    r"|\b(?:did\s+not|didn't|failed\s+to)\s+(?:hit|strike)\s+(?:anyone|him|her|the|anybody)\b"
    r"|\b(?:was|were)\s+not\s+(?:hit|struck)\b"
    r"|\b(?:shots|rounds|bullets|gunfire)\s+(?:\w+\s+){0,2}missed\b",
    _I,
)


def police_hit_someone(article: Article) -> Hit[str] | None:
    """``undetermined`` when the article says it is unclear whether police hit anyone; ``yes``
    when someone is said to be shot by police; ``no`` when police are said to have missed."""
    for sentence, match in article.find(_HIT_UNCLEAR, within=_UNCLEAR_CUE):
        if _HIT_VERB.search(match["rest"]):
            return article.hit("undetermined", sentence)
    for sentence, _match in article.find(_HIT_WHEN):
        return article.hit("yes", sentence)
    for sentence, match in article.find(_HIT_VERB_OBJECT, unless_after=_HIT_DOUBT, window=25):
        actor = doer(article, sentence, match)
        if actor is not None and actor.kind == "police":
            return article.hit("yes", sentence)
    for sentence, _match in article.find(_HIT_NO):
        return article.hit("no", sentence)
    return None


# --- who fired first ----------------------------------------------------------------------------

_FIRST_UNCLEAR = re.compile(
    rf"\b(?:{_UNCLEAR})\s+(?:who|which\s+side|whether|if)\b[^.;]{{0,80}}?"
    r"\b(?:fired|shot|opened\s+fire|fired\s+upon|fired\s+on)\s+(?:\w+\s+){0,2}?first\b"
    rf"|\b(?:{_UNCLEAR})\s+who\s+(?:fired|shot)\s+(?:the\s+)?first(?:\s+shots?)?",
    _I,
)
_FIRED_FIRST = re.compile(
    r"\b(?:fired|shot|opened\s+fire)\s+first\b|\bfired\s+the\s+first\s+shot", _I
)
_RETURNED = re.compile(r"\b(?:returned\s+fire|fired\s+back|shot\s+back|returning\s+fire)\b", _I)
_AT_POLICE = re.compile(
    r"\b(?:fired|shot|opened\s+fire)\s+(?:\w+\s+){0,3}?(?:at|on|toward|towards)\s+(?:the\s+|two\s+|an?\s+)?"
    rf"{POLICE}\b",
    _I,
)
_ANY_FIRE = re.compile(
    r"\b(?:fired|firing|fires|opened\s+fire|shot\s+at|shooting\s+at|returned\s+fire|"
    r"exchanged\s+(?:gun)?fire|exchange\s+of\s+gunfire|shootout|gunfight|fire\s+at)\b"
    r"(?!\s+(?:his|her|their|a|the)\s+(?:Taser|stun|less-lethal|beanbag|pepper))",
    _I,
)
#: "pointed the gun but did not fire"; "how many shots were fired"
_NOT_FIRED = re.compile(
    ending_in(rf"{NEGATION}|without", gap=1) + "|" + ending_in(r"was|were|been|being"), _I
)
_EXCHANGE = re.compile(r"\b(?:exchanged|exchange\s+of|shootout|gunfight|shoot-out|crossfire)\b", _I)


def party_fired_first(article: Article) -> Hit[str] | None:
    """Who fired first: as stated; ``subject`` when police returned fire or were fired at;
    ``police`` when police are the only ones said to have fired."""
    for sentence, _match in article.find(_FIRST_UNCLEAR, within=_UNCLEAR_CUE):
        return article.hit("undetermined", sentence)
    for sentence, match in article.find(_FIRED_FIRST):
        actor = actor_before(article, sentence, match.start())
        if actor:
            return article.hit("police" if actor == "police" else "subject", sentence)
    for sentence, match in article.find(_RETURNED):
        actor = actor_before(article, sentence, match.start())
        if actor:
            return article.hit("subject" if actor == "police" else "police", sentence)
    for sentence, match in article.find(_AT_POLICE):
        if actor_before(article, sentence, match.start()) == "civilian":
            return article.hit("subject", sentence)
    police_fire: Sentence | None = None
    civilian_fire: Sentence | None = None
    for sentence, match in article.find(_ANY_FIRE, unless_after=_NOT_FIRED, window=25):
        if _EXCHANGE.search(match.group()):
            return None
        shooter = doer(article, sentence, match)
        if shooter is None:
            return None
        if shooter.kind == "police":
            police_fire = police_fire or sentence
        else:
            civilian_fire = civilian_fire or sentence
    if police_fire and civilian_fire:
        # the subject's gunfire (at officers or anyone else) set off the police shooting
        return article.hit("subject", civilian_fire)
    return article.hit("police", police_fire) if police_fire else None


# --- moving vehicle -----------------------------------------------------------------------------

_VEHICLE = alternation(cue("flags", "vehicles"))
AT_VEHICLE = re.compile(
    r"\b(?:fired|firing|shot|shooting|opened\s+fire|discharged)\s+(?:[\w-]+\s+){0,4}?(?:at|into)\s+"
    r"(?:an?|the|his|her|their|that|this|the\s+suspect's|the\s+driver's)\s+(?:[\w-]+\s+){0,2}?"
    rf"(?:{_VEHICLE})s?\b",
    _I,
)
_MOVING = re.compile(rf"\b(?:{alternation(cue('flags', 'moving'))})\b", _I)
_STATIONARY = re.compile(rf"\b(?:{alternation(cue('flags', 'stationary'))})\b", _I)
_FIRE_POLICY = re.compile(rf"\b(?:{alternation(cue('flags', 'policy'))})\b", _I)


def fired_at_moving_vehicle(article: Article) -> Hit[bool] | None:
    """True when police fired at a vehicle said to be moving (or fleeing) in the same sentence;
    False when it is said to be stopped or parked."""
    verdict: Hit[bool] | None = None
    for sentence, match in article.find(AT_VEHICLE):
        if _FIRE_POLICY.search(article.masked, sentence.start, sentence.end):
            continue
        if actor_before(article, sentence, match.start()) != "police":
            continue
        if _MOVING.search(article.masked, sentence.start, sentence.end):
            return article.hit(True, sentence)
        if _STATIONARY.search(article.masked, sentence.start, sentence.end):
            verdict = verdict or article.hit(False, sentence)
    return verdict
