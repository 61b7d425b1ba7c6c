"""Gazetteers and keyword lists for the rules, read once from ``extractor/data/rules/``."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from extractor.resources import read_json, read_text


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(read_text(f"rules/{name}").splitlines()))


@cache
def keywords() -> dict[str, Any]:
    """Cue phrases by rule family (``keywords.json``)."""
    data: dict[str, Any] = read_json("rules/keywords.json")
    return data


def cue(*path: str) -> list[str]:
    """One list of cue phrases, e.g. ``cue("video", "body_camera")``."""
    node: Any = keywords()
    for key in path:
        node = node[key]
    if not isinstance(node, list):
        raise TypeError(f"keywords.json: {'/'.join(path)} is not a list")
    return [str(item) for item in node]


def alternation(phrases: Iterable[str]) -> str:
    """A regex matching any of the literal ``phrases`` (a space also matches a hyphen or a run of
    whitespace), longest match preferred.

    The phrases are merged into a character trie (``officer|officers`` becomes ``officers?``):
    Python's regex engine tries a flat alternation branch by branch at every position, which is
    what made keyword lists slow; a trie rejects a position after one character.
    """
    trie: dict[str, Any] = {}
    for phrase in set(phrases):
        if not phrase:
            continue
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    branches = []
    for ch in sorted(k for k in node if k):
        atom = r"[\s-]+" if ch == " " else re.escape(ch)
        branches.append(atom + _trie_regex(node[ch]))
    if not branches:
        return ""
    optional = "" in node
    if len(branches) == 1 and not optional:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if optional else body


@cache
def numbers() -> tuple[dict[str, int], dict[str, int]]:
    """Number words: (units and teens, tens)."""
    data = read_json("rules/numbers.json")
    return dict(data["units"]), dict(data["tens"])


@cache
def abbreviations() -> frozenset[str]:
    """Words that end in a period without ending the sentence, lower case, no period."""
    lines = read_text("rules/abbreviations.txt").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str | None
    police_agency: str | None


@cache
def cities() -> dict[str, City]:
    """Well-known US cities by lower-case name; ``state`` is None where the name is ambiguous."""
    return {
        row["city"].lower(): City(row["city"], row["state"] or None, row["police_agency"] or None)
        for row in _csv("cities.csv")
    }


@dataclass(frozen=True, slots=True)
class Agency:
    alias: str
    name: str
    kind: str  # police | investigator | both
    scope: str  # "", a state code, or a city name the alias is limited to


@cache
def agencies() -> tuple[Agency, ...]:
    """Agency names and acronyms with their full names (``agencies.csv``)."""
    return tuple(
        Agency(row["alias"], row["name"], row["kind"], row["scope"]) for row in _csv("agencies.csv")
    )


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    kind: str  # community_area | neighborhood
    needs_context: bool


@cache
def chicago_areas() -> tuple[Area, ...]:
    """Chicago's 77 community areas and common neighborhood names (``chicago_areas.csv``)."""
    return tuple(
        Area(row["name"], row["kind"], row["needs_context"] == "1")
        for row in _csv("chicago_areas.csv")
    )


@cache
def people() -> dict[str, Any]:
    """Person nouns (gender, role, coreference class), weapons and arming verbs."""
    data: dict[str, Any] = read_json("rules/people.json")
    return data


@dataclass(frozen=True, slots=True)
class Noun:
    """A noun for a person (``nouns.csv``): the one vocabulary of officers and civilians."""

    word: str
    side: str  # police | civilian
    number: str  # one | many | group ("police": plural, but not a count of officers)
    gender: str | None
    role: str | None  # the role the noun states ("suspect": subject), for a listed civilian
    klass: str | None  # coreference class when the noun can introduce a listed civilian
    actor: bool  # names who did something ("the man fired"); see actors.py

    @property
    def plural(self) -> bool:
        return self.number != "one"


@cache
def nouns() -> tuple[Noun, ...]:
    """Every noun for a person, police and civilian (``nouns.csv``)."""
    return tuple(
        Noun(
            row["noun"],
            row["side"],
            row["number"],
            row["gender"] or None,
            row["role"] or None,
            row["class"] or None,
            row["actor"] == "1",
        )
        for row in _csv("nouns.csv")
    )
