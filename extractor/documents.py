"""Input articles: plain-text files, folders of them, and JSON Lines.

Loading never raises for one bad article: it yields a :class:`BadDocument` carrying a clear,
located error, so the batch writes an error line for it and goes on with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from extractor.errors import DocumentError

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Articles larger than this are refused before any model sees them (news articles are ~5 KB).
MAX_BYTES = 2_000_000

_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\r?\n|$)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its id, text (without the date line), publication date and origin."""

    doc_id: str
    text: str
    published: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class BadDocument:
    """An input that could not be read as an article, with the reason."""

    doc_id: str
    error: DocumentError


def parse_article(raw: str, *, doc_id: str, source: str = "") -> Document:
    """Split an optional leading ``date YYYY-MM-DD`` from the article text.

    Raises:
        DocumentError: the text is empty, or the date line holds an impossible date.
    """
    published = None
    match = _DATE_LINE.match(raw)
    if match:
        published = _check_date(match[1], source=source or doc_id)
        raw = raw[match.end() :]
    text = raw.strip()
    if not text:
        raise DocumentError(
            "the article is empty" + (" after its date line" if match else ""),
            source=source or doc_id,
            hint="give the article text, optionally after a first line 'date YYYY-MM-DD'",
        )
    return Document(doc_id=doc_id, text=text, published=published, source=source or doc_id)


def _check_date(value: str, *, source: str, line: int | None = None) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise DocumentError(
            f"publication date {value!r} is not a real date",
            source=source,
            line=line,
            hint="write it as YYYY-MM-DD",
        ) from None


def decode(data: bytes, *, source: str) -> str:
    """Decode article bytes: UTF-8 first, then whatever a charset detector is sure of.

    Raises:
        DocumentError: the file is empty, binary, too large, or in no encoding we can recognise.
    """
    if not data.strip():
        raise DocumentError(
            "the file is empty", source=source, hint="remove it or add the article text"
        )
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"the file is {len(data):,} bytes; articles over {MAX_BYTES:,} bytes are refused",
            source=source,
            hint="split it into one article per file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if b"\x00" in data and (best is None or not best.encoding.startswith("utf_16")):
        raise DocumentError(
            "the file is binary, not text", source=source, hint="give .txt or .md articles"
        )
    if best is None or best.chaos > 0.2:
        raise DocumentError(
            "the file's bytes are not UTF-8 and no other text encoding fits them",
            source=source,
            hint="re-save it as UTF-8",
        )
    return str(best)


def read_article_file(path: Path) -> Document:
    """Read one article file; its doc_id is the file name without its extension."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read the file: {exc.strerror}", source=source) from None
    return parse_article(decode(data, source=source), doc_id=path.stem, source=source)


def read_jsonl(path: Path) -> Iterator[Document | BadDocument]:
    """Yield one document per line of a JSON Lines file (``doc_id``, ``text``, ``published``)."""
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            fallback_id = f"{path.stem}:{number}"
            try:
                yield _jsonl_document(raw_line, path=path, line=number)
            except DocumentError as exc:
                yield BadDocument(doc_id=exc.doc_id or fallback_id, error=exc)


def _jsonl_document(raw_line: bytes, *, path: Path, line: int) -> Document:
    source = str(path)
    try:
        item = json.loads(raw_line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(
            f"not valid JSON ({exc})", source=source, line=line,
            hint='each line must be an object like {"doc_id": "a1", "text": "...", "published": "2024-01-31"}',
        ) from None  # fmt: skip
    if not isinstance(item, dict):
        raise DocumentError("the line is not a JSON object", source=source, line=line)
    doc_id = item.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise DocumentError("missing string field 'doc_id'", source=source, line=line)
    if not isinstance(item.get("text"), str):
        raise DocumentError("missing string field 'text'", source=source, line=line, doc_id=doc_id)
    published = item.get("published")
    try:
        if published is not None:
            if not isinstance(published, str) or not _ISO_DATE.match(published):
                raise DocumentError(
                    f"field 'published' {published!r} is not YYYY-MM-DD", source=source, line=line
                )
            published = _check_date(published, source=source, line=line)
        document = parse_article(item["text"], doc_id=doc_id, source=f"{source}:{line}")
    except DocumentError as exc:
        exc.doc_id = doc_id
        raise
    if published:
        document = Document(doc_id, document.text, published, document.source)
    return document


def _expand(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
        )
    else:
        yield path


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | BadDocument]:
    """Yield every article under ``paths`` (files, folders searched recursively, JSONL files).

    A second article with an id already seen becomes a :class:`BadDocument`.

    Raises:
        DocumentError: a path given does not exist (a typo, not a bad article).
    """
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise DocumentError(
                "no such file or folder", source=str(root),
                hint="give article files, folders of .txt/.md files, or .jsonl files",
            )  # fmt: skip
        for path in _expand(root):
            items: Iterable[Document | BadDocument]
            if path.suffix.lower() in JSONL_SUFFIXES:
                items = read_jsonl(path)
            else:
                try:
                    items = [read_article_file(path)]
                except DocumentError as exc:
                    items = [BadDocument(doc_id=path.stem, error=exc)]
            for item in items:
                if item.doc_id in seen:
                    source = item.source if isinstance(item, Document) else item.error.source
                    # a distinct id, so the duplicate's error line never shadows the first record
                    item = BadDocument(
                        doc_id=f"{item.doc_id}#duplicate",
                        error=DocumentError(
                            f"duplicate doc_id {item.doc_id!r}: an earlier article has the same id",
                            source=source,
                            hint="give each article a unique file name or doc_id",
                        ),
                    )
                else:
                    seen.add(item.doc_id)
                yield item


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """How many articles ``paths`` hold (for a progress bar), without reading them; None if unknown."""
    total = 0
    for given in paths:
        root = Path(given)
        if not root.exists():
            return None
        for path in _expand(root):
            if path.suffix.lower() in JSONL_SUFFIXES:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            else:
                total += 1
    return total
