"""Canonical forms: the same normalisation applied to gold and predicted values before comparing.

Short strings follow the SQuAD answer normalisation (lower case, punctuation and the articles
*a/an/the* removed, whitespace collapsed), with three additions documented in REPORT_FORMAT.md:
accents are folded (``José`` = ``Jose``), a possessive ``'s`` is dropped, and common street and
agency abbreviations are spelled out (``W.`` -> ``west``, ``Ave.`` -> ``avenue``,
``Dept.`` -> ``department``). Agency names then go through the alias table
``extractor/data/agency_aliases.json`` (``COPA`` -> ``civilian office of police accountability``).
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import cache
from typing import Any

from extractor.resources import read_json

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
#: Punctuation that separates words becomes a space; any other punctuation is deleted.
_SEPARATORS = str.maketrans({ch: " " for ch in "-/\u2013\u2014\u2212_"})
_DELETE = str.maketrans("", "", string.punctuation + "\u2018\u2019\u201c\u201d")

#: Abbreviations spelled out word by word (after punctuation removal), on both sides alike.
ABBREVIATIONS: dict[str, str] = {
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "st": "street",
    "rd": "road",
    "dr": "drive",
    "pkwy": "parkway",
    "hwy": "highway",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "dept": "department",
    "pd": "police department",
    "supt": "superintendent",
}


def normalise_text(value: str) -> str:
    """SQuAD-style normalisation plus accent folding and abbreviation expansion.

    >>> normalise_text("The 2200 block of W. Maypole Ave.")
    '2200 block of west maypole avenue'
    """
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _POSSESSIVE.sub("", text)
    text = text.translate(_SEPARATORS).translate(_DELETE)
    text = _ARTICLES.sub(" ", text)
    return " ".join(ABBREVIATIONS.get(word, word) for word in text.split())


@cache
def agency_aliases() -> dict[str, str]:
    """Map each normalised agency name or alias to the normalised full name.

    Raises:
        ValueError: the packaged alias table is malformed or maps one alias to two agencies.
    """
    data = read_json("agency_aliases.json")
    agencies = data.get("agencies") if isinstance(data, dict) else None
    if not isinstance(agencies, dict):
        raise ValueError(
            "agency_aliases.json must hold an object 'agencies': {full name: [aliases]}"
        )
    table: dict[str, str] = {}
    for full_name, aliases in agencies.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(
                f"agency_aliases.json: the aliases of {full_name!r} must be a list of strings"
            )
        canonical = normalise_text(full_name)
        for name in [full_name, *aliases]:
            key = normalise_text(name)
            if table.get(key, canonical) != canonical:
                raise ValueError(
                    f"agency_aliases.json: {name!r} names both {table[key]!r} and {canonical!r}"
                )
            table[key] = canonical
    return table


def normalise_agency(value: str) -> str:
    """Normalise an agency name and replace a known alias with the agency's full name."""
    text = normalise_text(value)
    return agency_aliases().get(text, text)


def is_empty(value: Any) -> bool:
    """A value that says nothing: ``None`` or an empty list (the spec's null forms)."""
    return value is None or value == []
