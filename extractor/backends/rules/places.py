"""Places: the street location, the neighborhood, the city and its state.

``location`` is the first ``NNNN block of ...`` address or intersection outside sentences about
where something turned up later ("the car was later recovered in the 100 block ..."). The city
comes from the dateline (``CHICAGO (CBS) --``), a ``City, ST`` mention, or the well-known city
named most often; its state from the same place or the city gazetteer. Chicago community areas
and neighborhoods come from a gazetteer; elsewhere only an explicit "the X neighborhood" counts.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from extractor.backends.rules.data import alternation, chicago_areas, cities, cue
from extractor.backends.rules.text import Article, Hit
from extractor.resources import state_abbreviations, state_codes, us_states

_DIRECTION = r"(?:(?:North|South|East|West|N\.|S\.|E\.|W\.)\s+)"
_SUFFIX = (
    r"(?:Avenue|Ave\.?|Street|St\.?|Road|Rd\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Lane|Ln\.?|Place|Pl\.?"
    r"|Parkway|Pkwy\.?|Court|Ct\.?|Way|Highway|Hwy\.?|Terrace|Circle|Trail|Expressway|Plaza"
    r"|Square|Row|Pike|Freeway|Turnpike)"
)
_NAME_WORD = r"(?:[A-Z][\w'.-]*|\d+(?:st|nd|rd|th))"
_QUADRANT = r"(?:\s+(?:North|South|East|West|Northwest|Northeast|Southwest|Southeast|NW|NE|SW|SE|N\.W\.|N\.E\.|S\.W\.|S\.E\.)(?![\w-]))"
_STREET = rf"{_DIRECTION}?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}?(?:\s+{_SUFFIX}\b){_QUADRANT}?"
_STREET_LOOSE = rf"{_DIRECTION}?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"

_BLOCK = re.compile(rf"\b\d{{1,5}}00 block of (?:{_STREET}|{_STREET_LOOSE})")
_PLURAL_SUFFIX = r"(?:streets|avenues|roads|boulevards|drives)"
_INTERSECTION = re.compile(
    rf"\b(?:intersection|corner) of (?P<a>{_STREET_LOOSE}(?:\s+{_SUFFIX})?) and "
    rf"(?P<b>{_STREET_LOOSE}(?:\s+{_SUFFIX})?)"
    rf"|\b{_STREET_LOOSE} and {_STREET_LOOSE} {_PLURAL_SUFFIX}\b"
    rf"|\b{_STREET} and {_STREET}"
)
_LOCATION_SKIP = re.compile(rf"\b(?:{alternation(cue('places', 'later_place'))})\b", re.IGNORECASE)


_ABBREVIATED_END = re.compile(r"\b(?:Ave|St|Rd|Blvd|Dr|Ln|Pl|Pkwy|Ct|Hwy)\.$")


def _trim(value: str) -> str:
    """Drop a trailing comma, or a sentence's full stop unless it ends ``Ave.``."""
    value = value.rstrip(",")
    if value.endswith(".") and not _ABBREVIATED_END.search(value):
        value = value[:-1]
    return value


def location(article: Article) -> Hit[str] | None:
    """The first street address or intersection where the encounter happened."""
    found: list[tuple[int, int, str]] = []
    for pattern in (_BLOCK, _INTERSECTION):
        for sentence, match in article.find(pattern):
            if _LOCATION_SKIP.search(article.masked, sentence.start, match.start()):
                continue
            if pattern is _INTERSECTION and match["a"]:
                start = match.start("a")
                value = article.text[start : match.end()]
            else:
                start, value = match.start(), match.group()
            value = _trim(value)
            found.append((sentence.start, start, value))
    if not found:
        return None
    sentence_start, _, value = min(found)
    return article.hit(value, article.sentence_at(sentence_start))


# --- neighborhoods ------------------------------------------------------------------------------


@cache
def _area_pattern() -> re.Pattern[str]:
    names = alternation(area.name for area in chicago_areas())
    return re.compile(rf"(?<![\w'-])(?P<name>{names})(?![\w'-])")


@cache
def _needs_context() -> frozenset[str]:
    return frozenset(area.name for area in chicago_areas() if area.needs_context)


_AREA_WORDS = r"(?:neighborhood|neighbourhood|community|community area|area|section|district)"
_EXPLICIT_NEIGHBORHOOD = re.compile(
    r"\b(?:in|on|of|near|through) the (?P<name>(?:[A-Z][\w'.-]*(?: |-)){0,3}[A-Z][\w'.-]*) "
    r"(?:neighborhood|neighbourhood|community)\b"
)


def neighborhood(article: Article, city: str | None) -> Hit[str] | None:
    """A neighborhood or community area as written."""
    if city == "Chicago":
        for sentence, match in article.find(_area_pattern()):
            name = match["name"]
            after = article.masked[match.end() : match.end() + 25]
            before = article.masked[max(0, match.start() - 12) : match.start()]
            labelled = re.match(rf"\s+{_AREA_WORDS}\b", after) is not None
            if name == "Loop":
                labelled = labelled or before.endswith("the ")
            if name in _needs_context() and not labelled:
                continue
            if not labelled and not re.search(r"\b(?:in|on|of|near|the|to|from)\s+$", before):
                continue
            return article.hit(name, sentence)
    for sentence, match in article.find(_EXPLICIT_NEIGHBORHOOD):
        name = match["name"]
        if name.lower() in cities():
            continue
        return article.hit(name, sentence)
    return None


# --- city and state -----------------------------------------------------------------------------

_DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z.' -]+?)(?:,\s*(?P<state>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?))?"
    r"\s*(?:\((?P<source>[^)]{1,40})\)\s*)?(?:--|\u2014|\u2013|-|:)\s"
)


@cache
def _state_names() -> dict[str, str]:
    names = {name.title(): code for name, code in us_states().items()}
    names.update(state_abbreviations())
    return names


@cache
def _city_state_pattern() -> re.Pattern[str]:
    states = alternation(_state_names())
    return re.compile(
        rf"\b(?P<city>[A-Z][a-z.]+(?:[ -][A-Z][a-z.]+){{0,2}}),\s+"
        rf"(?P<state>{states}|(?:[A-Z]{{2}}\b))(?![\w])"
    )


@cache
def _city_pattern() -> re.Pattern[str]:
    names = alternation(c.name for c in cities().values())
    return re.compile(rf"(?<![\w'-])(?P<city>{names})(?![\w-])")


_PREVIOUS_WORD = re.compile(r"([A-Za-z][\w'.-]*)[ -]$")
_NEXT_WORD = re.compile(r"[ -]([A-Z][\w'.-]*)")
_CITY_FOLLOWERS = frozenset({"Police", "police", "Fire", "County", "Metro", "Metropolitan"})


def _standalone(article: Article, start: int, end: int, sentence_start: int) -> bool:
    """Whether a city name stands alone, not inside a longer name ("North Austin", "Chicago
    Tribune"); "Chicago police" and "Houston Police Department" still count."""
    previous = _PREVIOUS_WORD.search(article.masked, max(sentence_start, start - 20), start)
    if previous and previous.group(1)[0].isupper() and previous.start() > sentence_start:
        return False
    if previous and previous.group(1) in {"North", "South", "East", "West"}:
        return False
    following = _NEXT_WORD.match(article.masked, end)
    return following is None or following.group(1) in _CITY_FOLLOWERS


def _state_code(text: str) -> str | None:
    text = text.strip()
    if text in _state_names():
        return _state_names()[text]
    if text.upper() == text and text in state_codes():
        return text
    return None


def city_state(article: Article) -> tuple[Hit[str] | None, Hit[str] | None]:
    """The city and its two-letter state code."""
    first = article.sentences[0] if article.sentences else None
    dateline = _DATELINE.match(article.text)
    if (
        dateline
        and first is not None
        and (
            dateline["source"] or dateline["state"] or dateline["city"].strip().lower() in cities()
        )
    ):
        raw = dateline["city"].strip()
        known = cities().get(raw.lower())
        state = _state_code(dateline["state"]) if dateline["state"] else None
        if known or state:
            name = known.name if known else raw.title()
            state = state or (known.state if known else None)
            city_hit = Hit(name, dateline.start("city"), dateline.start("city") + len(raw))
            state_hit = None
            if state:
                end = dateline.end("state") if dateline["state"] else city_hit.end
                state_hit = Hit(state, city_hit.start, end)
            return city_hit, state_hit
    for sentence, match in article.find(_city_state_pattern()):
        state = _state_code(match["state"])
        name = match["city"]
        known = cities().get(name.lower())
        if state is None or (known is None and not _placed(article, match.start())):
            continue
        if known and known.state and known.state != state:
            continue
        return article.hit(name, sentence), article.hit(state, sentence)
    counts: Counter[str] = Counter()
    where: dict[str, Hit[str]] = {}
    for sentence, match in article.find(_city_pattern()):
        if not _standalone(article, match.start(), match.end(), sentence.start):
            continue
        known = cities()[match["city"].lower()]
        counts[known.name] += 1
        where.setdefault(known.name, Hit(known.name, sentence.start, sentence.end))
    if not counts:
        return None, None
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, None
    name = ranked[0][0]
    city_hit = where[name]
    state = cities()[name.lower()].state
    return city_hit, (Hit(state, city_hit.start, city_hit.end) if state else None)


def _placed(article: Article, position: int) -> bool:
    """Whether a capitalised name at ``position`` reads as a place ("in Dolton, Ill.")."""
    before = article.masked[max(0, position - 12) : position]
    return re.search(r"\b(?:in|of|near|from|at|outside|suburban)\s+$", before) is not None
