"""Article texts for a view: found by doc_id under the folders ``extractor eval`` reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from extractor.documents import Document, iter_documents
from extractor.evidence import ArticleText
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS

#: Every field a value can belong to, in schema order: the order colours are assigned in.
FIELD_ORDER: tuple[str, ...] = SCALAR_FIELDS + tuple(f"people.{name}" for name in PERSON_FIELDS)


def load_articles(
    paths: Iterable[str | Path], wanted: Iterable[str] | None = None
) -> dict[str, str]:
    """Map doc_id to article text (after its date line) for every readable article under ``paths``.

    Paths that do not exist and articles that cannot be read are skipped: a view shows what it
    can and marks the articles it could not find.
    """
    want = None if wanted is None else set(wanted)
    texts: dict[str, str] = {}
    for path in paths:
        if not Path(path).exists():
            continue
        for item in iter_documents([path]):
            if isinstance(item, Document) and (want is None or item.doc_id in want):
                texts.setdefault(item.doc_id, item.text)
    return texts


def field_of(path: str) -> str:
    """``people[2].age`` -> ``people.age``; a record field is its own field."""
    if path.startswith("people[") and "]." in path:
        return "people." + path.split("].", 1)[1]
    return path


def locate(text: str | None, quotes: Sequence[str | None]) -> list[list[int] | None]:
    """The span of each quote in ``text`` (matched as grounding matches it), or None."""
    if text is None:
        return [None for _ in quotes]
    article = ArticleText(text)
    spans: list[list[int] | None] = []
    for quote in quotes:
        found = article.locate(quote) if quote else None
        spans.append(list(found) if found else None)
    return spans
