"""Dates and times: when the incident happened, and when its video was released.

Every date mention (``May 31``, ``Dec. 18, 2020``, ``a December incident``, ``on Tuesday``,
``last month``, ``yesterday``) is resolved against the publication date: a weekday or a month
and day without a year is the most recent such date on or before publication. Each mention is
then classed by the nearest cue word in its sentence: the incident ("shot", "traffic stop"), the
video's release ("released"), or some other later event ("charged", "said Tuesday"). Mentions in
sentences about other shootings ("a separate shooting", "last year") are set aside.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from dateutil import parser as date_parser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.text import Article, Hit, Sentence
from extractor.schema import normalise_time

_INFO = date_parser.parserinfo()
#: Month spellings (``Dec``, ``Dec.``, ``December``) -> month number, from dateutil's tables.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(_INFO.MONTHS, start=1):
    for _name in _names:
        _MONTHS[_name] = _number
_WEEKDAYS: dict[str, int] = {names[-1]: index for index, names in enumerate(_INFO.WEEKDAYS)}

_MONTH = "|".join(
    sorted((re.escape(n) + (r"\.?" if len(n) < 5 and n != "May" else "") for n in _MONTHS),
           key=len, reverse=True)
)  # fmt: skip
_FULL_MONTH = "|".join(sorted((n for n in _MONTHS if len(n) > 3), key=len, reverse=True))
_WEEKDAY = "|".join(_WEEKDAYS)
_YEAR = r"(?:19|20)\d\d"

_MONTH_DAY = re.compile(
    rf"(?:\bon\s+)?\b(?P<month>{_MONTH})\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!:)"
    rf"(?:,?\s+(?P<year>{_YEAR})\b)?"
)
_MONTH_ONLY = re.compile(
    rf"\b(?P<lead>in|during|early|late|mid|last|this|a|an|the)[\s-]+(?:(?:early|late|mid)[\s-]+)?"
    rf"(?P<month>{_FULL_MONTH}|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.)"
    rf"(?:,?\s+(?P<year>{_YEAR}))?\b(?!\.?\s*\d)"
)
_WEEKDAY_RE = re.compile(
    rf"(?:\b(?:on|early|late)\s+)?(?:\b(?P<mod>last|this past)\s+)?\b(?P<wd>{_WEEKDAY})\b(?!s\b)"
    r"(?:\s+(?:night|morning|afternoon|evening))?"
)
_RELATIVE = re.compile(
    r"\b(?P<rel>yesterday|last night|earlier today|today|tonight|this morning|this afternoon"
    r"|this evening|earlier this month|this month|last month)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?P<clock>(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ampm>[ap]\.\s?m\.|[ap]m\b))"
    r"|\b(?P<named>noon|midnight)\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"\bbefore\s+$", re.IGNORECASE)


def _cue_pattern(*path: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(cue(*path))})\b", re.IGNORECASE)


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    return {
        "release": _cue_pattern("dates", "release"),
        "other": _cue_pattern("dates", "other"),
        "incident": _cue_pattern("dates", "incident"),
    }


_WEAK_OTHER = _cue_pattern("dates", "said")
_STATEMENT_END = re.compile(r"\s*(?:$|[.;]|that\b|in a\b|in an\b|during\b)")
_PASSING = _cue_pattern("dates", "passing")
_FUTURE = _cue_pattern("dates", "future")
_VIDEO = _cue_pattern("dates", "video")
_SHOOTING = _cue_pattern("dates", "shooting")


@dataclass(frozen=True, slots=True)
class Mention:
    """One resolved date or time mention, classed by what it dates."""

    value: str
    precision: str  # "day", "month" or "time"
    start: int
    end: int
    sentence: Sentence
    category: str  # incident | release | other | passing | neutral


def _classify(article: Article, sentence: Sentence, start: int, end: int) -> str:
    """The event a date mention belongs to: the kind of the nearest cue in its sentence."""
    text = article.masked
    best: tuple[int, int, str] | None = None
    for rank, kind in enumerate(("release", "other", "incident")):
        for cue_match in _cues()[kind].finditer(text, sentence.start, sentence.end):
            if cue_match.start() < end and cue_match.end() > start:
                continue
            gap = max(cue_match.start() - end, start - cue_match.end())
            if best is None or (gap, rank) < best[:2]:
                best = (gap, rank, kind)
    for weak in _WEAK_OTHER.finditer(text, sentence.start, sentence.end):
        gap = max(weak.start() - end, start - weak.end())
        if gap > 1 or (best is not None and best[0] < gap):
            continue
        # "said Tuesday that ..." dates the statement; "said around noon Dec. 18, officers ..."
        # fronts the reported event's own date.
        if weak.start() < start and not _STATEMENT_END.match(text, end, sentence.end):
            continue
        best = (gap, 1, "other")
    category = best[2] if best else "neutral"
    if category in {"incident", "neutral"} and _PASSING.search(text, sentence.start, sentence.end):
        return "passing"
    return category


def _on_or_before(candidate: dt.date, published: dt.date) -> dt.date | None:
    return candidate if candidate <= published else None


def _month_day(match: re.Match[str], published: dt.date | None) -> tuple[str, str] | None:
    month = _MONTHS[match["month"].rstrip(".")]
    day = int(match["day"])
    try:
        if match["year"]:
            date = dt.date(int(match["year"]), month, day)
            if published and date > published:
                return None
            return date.isoformat(), "day"
        if published is None:
            return None
        date = dt.date(published.year, month, day)
        if date > published:
            date = dt.date(published.year - 1, month, day)
    except ValueError:
        return None
    return date.isoformat(), "day"


def _month_only(match: re.Match[str], published: dt.date | None) -> tuple[str, str] | None:
    month = _MONTHS[match["month"].rstrip(".")]
    if match["year"]:
        year = int(match["year"])
        if published and (year, month) > (published.year, published.month):
            return None
        return f"{year:04d}-{month:02d}", "month"
    if published is None:
        return None
    year = published.year
    if month > published.month or (match["lead"] == "last" and month == published.month):
        year -= 1
    return f"{year:04d}-{month:02d}", "month"


def _weekday(match: re.Match[str], published: dt.date | None) -> tuple[str, str] | None:
    if published is None:
        return None
    anchor = published - dt.timedelta(days=1) if match["mod"] else published
    date: dt.date = anchor + relativedelta(
        weekday=(MO, TU, WE, TH, FR, SA, SU)[_WEEKDAYS[match["wd"]]](-1)
    )
    return date.isoformat(), "day"


def _relative(match: re.Match[str], published: dt.date | None) -> tuple[str, str] | None:
    if published is None:
        return None
    rel = match["rel"].lower()
    if rel.endswith("month"):
        month = published - relativedelta(months=1) if rel == "last month" else published
        return f"{month.year:04d}-{month.month:02d}", "month"
    if rel in {"yesterday", "last night"}:
        return (published - dt.timedelta(days=1)).isoformat(), "day"
    return published.isoformat(), "day"


_DATE_RULES = (
    (_MONTH_DAY, _month_day),
    (_MONTH_ONLY, _month_only),
    (_WEEKDAY_RE, _weekday),
    (_RELATIVE, _relative),
)


def date_mentions(article: Article) -> list[Mention]:
    """Every resolvable date mention outside quotations, in text order."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for pattern, resolve in _DATE_RULES:
        for sentence, match in article.find(pattern):
            if any(match.start() < e and match.end() > s for s, e in taken):
                continue
            resolved = resolve(match, article.published)
            if resolved is None:
                continue
            taken.append(match.span())
            category = _classify(article, sentence, *match.span())
            mentions.append(Mention(*resolved, *match.span(), sentence, category))
    mentions.sort(key=lambda m: m.start)
    return mentions


def time_mentions(article: Article) -> list[Mention]:
    """Every clock time (``6:50 p.m.``) or named time (``noon``) outside quotations."""
    mentions = []
    for sentence, match in article.find(_TIME):
        raw = match["clock"] or match["named"]
        try:
            value = normalise_time(raw.replace(" ", ""))
        except ValueError:
            continue
        before = _BEFORE.search(
            article.masked, max(sentence.start, match.start() - 12), match.start()
        )
        if value == "00:00" and before:
            value = "23:59"  # "just before midnight" stays on the day it ends
        category = _classify(article, sentence, *match.span())
        mentions.append(Mention(value, "time", *match.span(), sentence, category))
    return mentions


def incident_date(article: Article, mentions: list[Mention]) -> Hit[str] | None:
    """The date of the main incident: the first incident-dated mention, refined to the day when
    a day in the same month is also mentioned."""
    pool = [m for m in mentions if m.category == "incident"]
    if not pool:
        pool = [m for m in mentions if m.category == "neutral" and m.sentence.index == 0]
    if not pool:
        return None
    best = pool[0]
    if best.precision == "month":
        for m in mentions:
            same_month = m.value.startswith(best.value + "-")
            if same_month and m.precision == "day" and m.category in {"incident", "neutral"}:
                return article.hit(m.value, m.sentence)
    return article.hit(best.value, best.sentence)


def incident_time(article: Article) -> Hit[str] | None:
    """The first time of day not tied to a later event (a release, a news conference)."""
    for m in time_mentions(article):
        if m.category in {"incident", "neutral"}:
            return article.hit(m.value, m.sentence)
    return None


def video_release_date(article: Article, mentions: list[Mention]) -> Hit[str] | None:
    """The date the video was released: a release-dated mention in a sentence about video."""
    for m in mentions:
        if m.category != "release":
            continue
        s = m.sentence
        if not _VIDEO.search(article.masked, s.start, s.end):
            continue
        if _FUTURE.search(article.masked, s.start, s.end):
            continue
        return article.hit(m.value, s)
    return None


def _distance(a: str, b: str) -> int | None:
    """Days between two ``YYYY-MM-DD`` dates; None unless both are full dates."""
    if len(a) != 10 or len(b) != 10:
        return None
    return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)


def other_incident_sentences(
    article: Article, mentions: list[Mention], chosen: Hit[str] | None
) -> frozenset[int]:
    """Sentences dated to a different event of the incident kind (an older shooting mentioned in
    passing), so that no other rule reads the main incident's facts from them."""
    if chosen is None:
        return frozenset()
    keep = {m.sentence.index for m in mentions if m.start >= chosen.start and m.end <= chosen.end}
    excluded = set()
    for m in mentions:
        if m.category not in {"incident", "passing"} or m.sentence.index in keep:
            continue
        if not _SHOOTING.search(article.masked, m.sentence.start, m.sentence.end):
            continue  # another date for this incident's story (an arrest), not another shooting
        gap = _distance(m.value, chosen.value)
        if (gap is not None and gap > 2) or (
            gap is None
            and not (m.value.startswith(chosen.value) or chosen.value.startswith(m.value))
        ):
            excluded.add(m.sentence.index)
    return frozenset(excluded)
