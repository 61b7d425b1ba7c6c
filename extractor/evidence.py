"""Evidence: verbatim quotes located in the article, one per filled value.

A quote is matched after the same normalisation on both sides (Unicode compatibility form, curly
quotes and dashes made plain, runs of whitespace collapsed, case folded), and an ellipsis in a
quote matches any gap, in order. The span recorded is in the original article text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from extractor.schema import IncidentRecord

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
}  # fmt: skip
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")


class Evidence(BaseModel):
    """The quote supporting one value, where it was found, and whether it was found at all."""

    quote: str
    start: int | None = None
    end: int | None = None
    grounded: bool = False


class Quote(BaseModel):
    """A verbatim quote the model gives for one filled value."""

    field: str = Field(
        description="Path of the value it supports: a field name such as 'incident_date', or "
        "'people[0].age' for a field of the first person."
    )
    quote: str = Field(description="A short passage copied exactly from the article.")


class ArticleText:
    """An article's text with a normalised copy and a map back to original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        mapped = _map_chars(text)
        # ASCII (after mapping quotes and dashes) is the common case: NFKC is the identity and
        # case folding keeps lengths, so only whitespace runs move offsets, and the map back to
        # the original is a short list of (position, shift) steps instead of one entry per char
        if mapped.isascii():
            self.normalised, steps = _fold_ascii(mapped)
            self._original = _step_map(*steps)
        else:
            chars, index = _fold_any(text)
            self.normalised = "".join(chars)
            self._original = index.__getitem__

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Return the (start, end) span of ``quote`` in the original text, or None."""
        parts = [p for p in (normalise(part) for part in _ELLIPSIS.split(quote)) if p]
        if not parts:
            return None
        position, start = 0, None
        for part in parts:
            found = self.normalised.find(part, position)
            if found < 0:
                return None
            start = found if start is None else start
            position = found + len(part)
        assert start is not None
        return self._original(start), self._original(position - 1) + 1

    def evidence(self, quote: str) -> Evidence:
        """Ground ``quote``: its span if found, flagged ungrounded if not."""
        span = self.locate(quote)
        if span is None:
            return Evidence(quote=quote, grounded=False)
        return Evidence(quote=quote, start=span[0], end=span[1], grounded=True)


_SPECIAL = re.compile("[" + re.escape("".join(_CHAR_MAP)) + "]")


def _map_chars(text: str) -> str:
    """Curly quotes and dashes made plain (one character for one: offsets are kept)."""
    return _SPECIAL.sub(lambda match: _CHAR_MAP[match.group()], text)


_SQUEEZE = re.compile(r"\s{2,}|[^\S ]")  # whitespace that folding changes: runs, tabs, newlines


def _fold_ascii(text: str) -> tuple[str, tuple[list[int], list[int]]]:
    """Lower-case, fold whitespace runs to one space, drop leading space (ASCII text).

    Returns the folded text and the steps of its map back to ``text``: from folded position
    ``starts[k]`` on, the original position is the folded one plus ``shifts[k]``.
    """
    lowered = text.lower()
    body = lowered.lstrip()
    lead = len(lowered) - len(body)
    parts: list[str] = []
    starts, shifts = [0], [lead]
    folded_length, previous = 0, 0
    for match in _SQUEEZE.finditer(body):
        start, end = match.span()
        parts += (body[previous:start], " ")
        folded_length += start - previous + 1
        starts.append(folded_length)
        shifts.append(shifts[-1] + end - start - 1)
        previous = end
    parts.append(body[previous:])
    return "".join(parts), (starts, shifts)


def _step_map(starts: list[int], shifts: list[int]) -> Callable[[int], int]:
    def original(position: int) -> int:
        return position + shifts[bisect_right(starts, position) - 1]

    return original


def _fold_any(text: str) -> tuple[list[str], list[int]]:
    """The same folding for any text, one character at a time (NFKC may change lengths)."""
    chars: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, raw in enumerate(text):
        for ch in _normalise_char(raw):
            if ch.isspace():
                if previous_space:
                    continue
                ch, previous_space = " ", True
            else:
                previous_space = False
            chars.append(ch)
            index.append(i)
    return chars, index


def _normalise_char(ch: str) -> str:
    ch = _CHAR_MAP.get(ch, ch)
    return unicodedata.normalize("NFKC", ch).casefold()


def normalise(text: str) -> str:
    """Normalise a quote the way :class:`ArticleText` normalises the article."""
    return ArticleText(text.strip()).normalised.strip()


def _filled(value: Any) -> bool:
    return value is not None and value != [] and value != ""


def filled_paths(record: IncidentRecord) -> list[str]:
    """Paths of every value that needs evidence: non-null scalars, non-empty lists, people's fields.

    ``summary`` and ``schema_version`` need none.
    """
    data = record.model_dump()
    # the record's own fields only: a subclass (the LLM's answer) also carries its quotes
    paths = [
        name
        for name in IncidentRecord.model_fields
        if name not in {"schema_version", "summary", "people"} and _filled(data[name])
    ]
    for i, person in enumerate(data["people"]):
        paths.extend(f"people[{i}].{name}" for name, value in person.items() if _filled(value))
    return paths


def ground(
    record: IncidentRecord, quotes: list[Quote], article: ArticleText
) -> dict[str, Evidence]:
    """Match each filled value of ``record`` to its quote; values with no quote are ungrounded.

    A person's field may also be supported by a quote given for the person as a whole
    (``people[0]``), since models often quote one sentence for several attributes.
    """
    by_path: dict[str, str] = {}
    for q in quotes:
        by_path.setdefault(q.field.strip(), q.quote)
    evidence: dict[str, Evidence] = {}
    for path in filled_paths(record):
        quote = by_path.get(path)
        if quote is None and "." in path:
            quote = by_path.get(path.split(".", 1)[0])
        evidence[path] = article.evidence(quote) if quote else Evidence(quote="", grounded=False)
    return evidence
