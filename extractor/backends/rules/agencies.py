"""Agencies: whose officers were involved, and which body investigates the use of force.

Names come from ``agencies.csv`` (full names and acronyms, some acronyms limited to one city or
state: ``CPD`` is Chicago's only in Chicago), from any capitalised "... Police Department" or
"... Sheriff's Office" in the text, and from "<well-known city> police" (``cities.csv``). An
acronym is always reported under its full name.

The investigating agency is an oversight or state investigative body (COPA, GBI, the Texas
Rangers) when one is named; otherwise an agency the text says "is investigating" (a police
department's own unit counts as the department). A prosecutor who only receives the findings is
not the investigator.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from extractor.backends.rules.data import Agency, agencies, alternation, cities, cue
from extractor.backends.rules.text import Article, Hit, Sentence


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    kind: str  # police | investigator | both | prosecutor
    start: int
    end: int
    sentence: Sentence
    explicit: bool  # named in the text, not derived from "<city> police"


@cache
def _alias_pattern() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, list[Agency]]]:
    """Acronyms (case-sensitive) and names (any case), each one alternation, longest first."""
    by_alias: dict[str, list[Agency]] = {}
    acronyms: set[str] = set()
    names: set[str] = set()
    for agency in agencies():
        by_alias.setdefault(agency.alias.lower(), []).append(agency)
        (acronyms if agency.alias.isupper() else names).add(agency.alias)
    acronym = re.compile(rf"(?<![\w-])(?:{alternation(acronyms)})(?![\w-])")
    name = re.compile(rf"(?<![\w-])(?:{alternation(names)})(?![\w-])", re.IGNORECASE)
    return acronym, name, by_alias


_NAME_WORD = r"[A-Z][\w.'\u2019&-]*"
_NAMED = re.compile(
    rf"(?:{_NAME_WORD}\s+){{1,5}}(?:{alternation(cue('agencies', 'name_endings'))})(?![\w-])"
)
_UNIT = r"(?:\s+(?:[A-Z][\w-]*\s+){1,3}(?:Division|Unit|Bureau|Section|Team))?"
_PROSECUTOR = re.compile(
    rf"(?:{_NAME_WORD}\s+){{1,4}}(?:{alternation(cue('agencies', 'prosecutor_endings'))}){_UNIT}"
)
_OVERSIGHT = re.compile(
    rf"(?:{_NAME_WORD}\s+){{0,4}}(?:{alternation(cue('agencies', 'oversight_endings'))})(?![\w-])"
)
_LEADING = re.compile(rf"^(?:(?:{'|'.join(map(re.escape, cue('agencies', 'leading_words')))})\s+)+")


@cache
def _city_police() -> re.Pattern[str]:
    names = alternation(c.name for c in cities().values() if c.police_agency)
    return re.compile(rf"(?<![\w-])(?P<city>{names})(?:'s|\u2019s)?\s+(?:police|Police)\b")


_DOING = alternation(cue("agencies", "investigating"))
#: "<agency> [detectives|'s Internal Affairs unit] is investigating", "<agency>, which
#: investigates police shootings, ...", "<agency> investigates all police shootings"
_INVESTIGATES_AFTER = re.compile(
    r"(?:(?:'s|\u2019s)?\s+(?:[A-Za-z][\w-]*\s+){0,4}?)?\s*(?:is|are|was|were|will\s+be|has\s+been|"
    rf"have\s+been|had\s+been)\s+(?:now\s+|also\s+|still\s+)?(?:{_DOING})\b"
    r"|,?\s+(?:which|that|the\s+\w+\s+(?:body|agency)\s+that)\s+(?:\w+\s+)?investigates\b"
    r"|\s+investigates\b"
    r"|,[^,]{1,120},\s+(?:is|are)\s+(?:investigating|leading\s+the\s+investigation)",
    re.IGNORECASE,
)
#: "investigation by <agency>", "investigated by <agency>"
_INVESTIGATES_BEFORE = re.compile(
    r"\b(?:investigation|investigated|probe|review)\s+(?:is\s+being\s+)?(?:conducted\s+|led\s+|"
    r"handled\s+)?by\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_OWNER = (
    r"(?:department|agency|sheriff's\s+office|sheriff\u2019s\s+office|police\s+department|office"
    r"|bureau|division)(?:'s|\u2019s)"
)
_UNIT_NAME = r"(?P<unit>(?:[A-Z][\w-]*\s+){0,4}[A-Z][\w-]*)(?:\s+unit\b)?"
#: "The department's Force Investigation Unit is investigating", "is being investigated by the
#: bureau's Professional Standards Division": the officers' own agency, by its unit.
_OWN_UNIT = re.compile(
    rf"\b[Tt]he\s+{_OWNER}\s+(?P<whole>{_UNIT_NAME})\s+(?:is|are|was|will\s+be|has\s+been)\s+"
    r"(?:now\s+)?(?:investigating|leading\s+the\s+investigation|handling\s+the\s+investigation)"
    rf"|\b(?:investigated|investigation\s+is\s+being\s+conducted)\s+by\s+the\s+{_OWNER}\s+(?P<whole2>"
    rf"{_UNIT_NAME.replace('unit>', 'unit2>')})"
)


def _clean(name: str, start: int) -> tuple[str, int]:
    lead = _LEADING.match(name)
    if lead and len(name.split()) - len(lead.group().split()) >= 2:
        return name[lead.end() :], start + lead.end()
    return name, start


def mentions(article: Article, city: str | None, state: str | None) -> list[Mention]:
    """Every agency named outside quotations, with its full name, in text order."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(name: str, kind: str, start: int, end: int, sentence: Sentence, explicit: bool) -> None:
        if any(start < e and end > s for s, e in taken):
            return
        taken.append((start, end))
        found.append(Mention(name.replace("\u2019", "'"), kind, start, end, sentence, explicit))

    acronym, name_pattern, by_alias = _alias_pattern()
    for pattern in (name_pattern, acronym):
        for sentence, match in article.find(pattern):
            options = by_alias.get(re.sub(r"[\s-]+", " ", match.group()).lower(), [])
            chosen = [a for a in options if _in_scope(a, city, state)]
            if len(chosen) == 1:
                agency = chosen[0]
                add(agency.name, agency.kind, *match.span(), sentence, True)
    for kind, named in (
        ("investigator", _OVERSIGHT),
        ("police", _NAMED),
        ("prosecutor", _PROSECUTOR),
    ):
        for sentence, match in article.find(named):
            name, start = _clean(match.group(), match.start())
            add(name, kind, start, match.end(), sentence, True)
    for sentence, match in article.find(_city_police()):
        known = cities()[match["city"].lower()]
        if known.police_agency:
            add(known.police_agency, "police", *match.span(), sentence, False)
    found.sort(key=lambda m: m.start)
    return found


def _in_scope(agency: Agency, city: str | None, state: str | None) -> bool:
    if not agency.scope:
        return True
    if len(agency.scope) == 2 and agency.scope.isupper():
        return agency.scope == state
    return agency.scope == city


def _said_to_investigate(article: Article, mention: Mention) -> bool:
    s = mention.sentence
    if _INVESTIGATES_AFTER.match(article.masked, mention.end, s.end):
        return True
    return _INVESTIGATES_BEFORE.search(article.masked, s.start, mention.start) is not None


def police_agency(article: Article, found: list[Mention]) -> Hit[str] | None:
    """The first police agency named in full (else one derived from "<city> police"); a state
    agency counts unless the text has it investigating."""
    for explicit in (True, False):
        for m in found:
            if m.explicit != explicit:
                continue
            if m.kind == "police" or (m.kind == "both" and not _said_to_investigate(article, m)):
                return article.hit(m.name, m.sentence)
    return None


def investigating_agency(
    article: Article, found: list[Mention], police: Hit[str] | None
) -> Hit[str] | None:
    """The oversight or state investigative body named most often; failing one, an agency the
    text says is investigating, or the department whose own unit is."""
    counts: Counter[str] = Counter(m.name for m in found if m.kind == "investigator")
    if counts:
        name = counts.most_common(1)[0][0]
        first = next(m for m in found if m.name == name)
        return article.hit(name, first.sentence)
    for m in found:
        if _said_to_investigate(article, m):
            return article.hit(m.name, m.sentence)
    if police is not None:
        for sentence, match in article.find(_OWN_UNIT):
            whole = (match["whole"] or match["whole2"] or "").strip()
            unit = re.sub(r"\s+unit$", "", whole)
            return Hit(f"{police.value} {unit}".strip(), sentence.start, sentence.end)
    return None
