"""Where the investigation of the police use of force stands."""

from __future__ import annotations

import re

from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.text import Article, Hit
from extractor.backends.rules.vocabulary import OFFICER

_I = re.IGNORECASE


def _words(name: str) -> str:
    return alternation(cue("investigation", name))


_SUBJECT = (
    rf"(?:the\s+|that\s+the\s+|that\s+)?(?:{OFFICER}|"
    r"shooting|use\s+of\s+(?:deadly\s+)?force|officer's\s+actions|officers'\s+actions|"
    r"officer's\s+use\s+of\s+(?:deadly\s+)?force|(?:the\s+)?officer's\s+decision\s+to\s+\w+)"
)
_FINDING = r"(?:found|ruled|determined|concluded|deemed|declared|decided|said|finding|ruling)"
_JUSTIFIED = re.compile(
    rf"\b{_FINDING}\s+{_SUBJECT}\s+(?:[\w-]+\s+){{0,3}}?(?:was|were|acted|to\s+be)\s+"
    rf"(?:\w+\s+)?(?:{_words('justified')})\b"
    rf"|\b(?:{_words('cleared')})\s+(?:the\s+|an?\s+|two\s+|three\s+)?(?:[\w-]+\s+){{0,3}}?{OFFICER}\b"
    rf"|\b{OFFICER}\s+(?:\w+\s+){{0,2}}?(?:was|were)\s+(?:legally\s+)?(?:justified|acting\s+within\s+policy)\b"
    rf"|\b{OFFICER}\s+(?:\w+\s+){{0,3}}?(?:was|were|has\s+been|have\s+been)\s+(?:{_words('cleared')})"
    rf"|\b(?:{_words('not_charged')})\b"
    rf"|\b(?:shooting|use\s+of\s+force)\s+was\s+(?:ruled\s+|deemed\s+|found\s+)?(?:{_words('justified')})\b",
    _I,
)
_UNJUSTIFIED = re.compile(
    rf"\b{_FINDING}\s+{_SUBJECT}\s+(?:[\w-]+\s+){{0,3}}?(?:was|were|acted|had)\s+"
    rf"(?:\w+\s+)?(?:{_words('unjustified')})\b"
    rf"|\b(?:{_words('discipline')})\b"
    rf"|\b{OFFICER}\s+(?:\w+\s+){{0,2}}?(?:{_words('violated')})",
    _I,
)
#: Words without which no finding or charging decision can be stated: a cheap pre-filter.
_DECISION_CUE = re.compile(
    r"justif|policy|cleared|exonerat|charg|indict|violat|reasonabl|lawful|self-defense|appropriat"
    r"|prosecut|no-bill|no\s+bill|fired\s+from|terminat|suspen|disciplin|sustain|criminal|excessive",
    _I,
)
_OTHER = re.compile(rf"\b(?:{_words('other')})\b", _I)
_CHARGED = re.compile(
    rf"\b{OFFICER}\b"
    r"(?:\s+(?-i:[A-Z])[\w.'-]*){0,3}(?:,[^,]{1,80},)?\s+(?:who\s+)?(?:\w+\s+)?"
    rf"(?:{_words('charged')})\b"
    r"|\b(?:charged|indicted)\s+(?:the\s+|an?\s+|two\s+)?(?:former\s+)?(?:[\w-]+\s+){0,3}?"
    rf"{OFFICER}\b",
    _I,
)
_ABOUT_FORCE = re.compile(
    r"\b(?:officer|officers|officer's|officers'|deputy|deputies|trooper|troopers|shooting|force|"
    r"incident|death|killing|shootout)\b",
    _I,
)
_UNCERTAIN = re.compile(rf"\b(?:{_words('uncertain')})\b", _I)
_PENDING = re.compile(
    rf"\b(?:{_words('pending')})\b"
    rf"|\binvestigation\b(?:\s+[\w'-]+){{0,6}}?\s+(?:{_words('pending_after_investigation')})\b",
    _I,
)


def investigation_status(article: Article, police_used_force: bool) -> Hit[str] | None:
    """A finding or charging decision about the officers; else ``pending`` when the article says
    the investigation continues."""
    decisions: list[tuple[int, str, Hit[str]]] = []
    for status, pattern in (("within_policy", _JUSTIFIED), ("not_within_policy", _UNJUSTIFIED)):
        for sentence, match in article.find(pattern, within=_DECISION_CUE):
            if _UNCERTAIN.search(article.masked, sentence.start, match.start()):
                continue
            decisions.append((match.start(), status, article.hit(status, sentence)))
            break
    for sentence, match in article.find(_CHARGED):
        if _UNCERTAIN.search(article.masked, sentence.start, match.start()):
            continue
        decisions.append(
            (match.start(), "not_within_policy", article.hit("not_within_policy", sentence))
        )
        break
    if decisions:
        return min(decisions, key=lambda d: d[0])[2]
    for sentence, _match in article.find(_OTHER):
        return article.hit("other", sentence)
    for quotes in (False, True):  # an official's quoted "we will continue to investigate" counts
        text = article.text if quotes else article.masked
        for sentence, _match in article.find(_PENDING, quotes=quotes):
            if police_used_force or _ABOUT_FORCE.search(text, sentence.start, sentence.end):
                return article.hit("pending", sentence)
    return None
