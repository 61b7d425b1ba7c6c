"""Data files shipped inside the package (tables and gazetteers kept as data, not code)."""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import resources
from typing import Any


def read_text(name: str) -> str:
    """Return the text of ``extractor/data/<name>``."""
    return resources.files("extractor").joinpath("data").joinpath(name).read_text(encoding="utf-8")


def read_json(name: str) -> Any:
    """Return the parsed JSON of ``extractor/data/<name>``."""
    return json.loads(read_text(name))


@cache
def us_states() -> dict[str, str]:
    """Map each state's full name (lower case) to its two-letter postal code."""
    rows = csv.DictReader(read_text("us_states.csv").splitlines())
    return {row["name"].lower(): row["code"] for row in rows}


@cache
def state_codes() -> frozenset[str]:
    """The valid two-letter postal codes."""
    return frozenset(us_states().values())


@cache
def state_abbreviations() -> dict[str, str]:
    """AP-style state abbreviations as written in news copy (``Calif.``, ``W.Va.``) to postal
    codes."""
    rows = csv.DictReader(read_text("state_abbreviations.csv").splitlines())
    return {row["abbreviation"]: row["code"] for row in rows}
