"""The labeling guidelines as a page, with an anchor per section and the section of each field.

``evals/GUIDELINES.md`` is rendered with markdown-it (raw HTML in it is escaped, not passed
through); every ``##`` heading gets an ``id`` so the form links each field to its rules.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS

_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


def slug(heading: str) -> str:
    """GitHub-style anchor of a heading: ``Time (`incident_time`)`` -> ``time-incident_time``."""
    text = re.sub(r"[^\w\s-]", "", heading.lower()).strip()
    return re.sub(r"\s", "-", text)


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of every ``##`` section."""
    marks = list(_HEADING.finditer(text))
    return [
        (m[1], text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)])
        for i, m in enumerate(marks)
    ]


def field_anchors(text: str) -> dict[str, str]:
    """Field (``city``, ``people.age``) -> anchor of the section that rules on it.

    A heading naming the field (``incident_time``, or its words: "City, state, ...") wins; else
    the first section whose text names the field in backticks; people's fields go to "People".
    """
    sections = _sections(text)
    anchors: dict[str, str] = {}
    for name in (*SCALAR_FIELDS, *(f"people.{n}" for n in PERSON_FIELDS)):
        word = "people" if name.startswith("people.") else name
        words = word.replace("_", " ")
        found = next(
            (h for h, _ in sections if word in h or re.search(rf"\b{words}\b", h.lower())), None
        ) or next((h for h, body in sections if f"`{word}`" in body), None)
        if found:
            anchors[name] = slug(found)
    return anchors


def render_guidelines(path: Path) -> str:
    """The guidelines' HTML body, each ``##`` heading with its anchor ``id``."""
    html = MarkdownIt("commonmark", {"html": False}).render(path.read_text(encoding="utf-8"))
    sections = iter(h for h, _ in _sections(path.read_text(encoding="utf-8")))
    return re.sub(r"<h2>", lambda _: f'<h2 id="{slug(next(sections))}">', html)
