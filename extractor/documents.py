"""Input articles: plain-text files, folders of them, and JSON Lines.

Loading never raises for one bad article: it yields a :class:`BadDocument` carrying a clear,
located error, so the batch writes an error line for it and goes on with the rest. A path found in
a folder that holds no article (a picture, a symlinked folder) is listed in
:attr:`Documents.skipped`, so nothing given or found is dropped without a word. Bytes become text,
within the size and text limits, in :mod:`extractor.decoding`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor.decoding import (
    MAX_BYTES,
    MAX_CONTROL_CHARS,
    MAX_CONTROL_SHARE,
    check_article_text,
    decode,
)
from extractor.errors import DocumentError

__all__ = [
    "JSONL_SUFFIXES",
    "MAX_BYTES",
    "MAX_CONTROL_CHARS",
    "MAX_CONTROL_SHARE",
    "TEXT_SUFFIXES",
    "BadDocument",
    "Document",
    "Documents",
    "SkippedInput",
    "check_article_text",
    "count_inputs",
    "decode",
    "iter_documents",
    "parse_article",
    "path_text",
    "read_article_file",
    "read_jsonl",
    "text_document",
]

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\r?\n|$)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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


@dataclass(frozen=True, slots=True)
class SkippedInput:
    """A path given or found that holds no article, and why it was not read."""

    path: str
    reason: str


def path_text(path: str | Path) -> str:
    r"""A path as valid text: a byte the file system's encoding cannot decode becomes ``\xff``.

    Deterministic, so a rerun gives the same doc_id and resume still matches it.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_text(value: str) -> str:
    r"""``value`` with any lone surrogate (a JSON ``"\ud800"`` escape) spelled as ``\ud800``."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


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


def read_article_file(path: Path) -> Document:
    """Read one article file; its doc_id is the file name without its extension."""
    source = path_text(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read the file: {exc.strerror}",
            source=source,
            hint="fix the path, the symlink or the permissions, or remove the file",
        ) from None
    return parse_article(decode(data, source=source), doc_id=path_text(path.stem), source=source)


def text_document(text: str, *, doc_id: str) -> Document | BadDocument:
    """An article given as a string in memory, with a file's limits: too large or noise is bad."""
    try:
        check_article_text(text, what="the article", source=doc_id)
    except DocumentError as exc:
        return BadDocument(doc_id=doc_id, error=exc)
    return Document(doc_id, text)


def read_jsonl(path: Path) -> Iterator[Document | BadDocument]:
    """Yield one document per line of a JSON Lines file (``doc_id``, ``text``, ``published``)."""
    stem = path_text(path.stem)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield BadDocument(
            doc_id=stem,
            error=DocumentError(f"cannot read the file: {exc.strerror}", source=path_text(path)),
        )
        return
    with handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            fallback_id = f"{stem}:{number}"
            try:
                yield _jsonl_document(raw_line, path=path, line=number)
            except DocumentError as exc:
                yield BadDocument(doc_id=exc.doc_id or fallback_id, error=exc)


def _jsonl_document(raw_line: bytes, *, path: Path, line: int) -> Document:
    source = path_text(path)
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
    doc_id = _valid_text(doc_id)
    text = item.get("text")
    if not isinstance(text, str):
        raise DocumentError("missing string field 'text'", source=source, line=line, doc_id=doc_id)
    published = item.get("published")
    try:
        # the same limits as a file's: an article is an article, wherever it comes from
        text = _SURROGATE.sub("\ufffd", text)
        check_article_text(text, what="field 'text'", source=source, line=line)
        if published is not None:
            if not isinstance(published, str) or not _ISO_DATE.match(published):
                raise DocumentError(
                    f"field 'published' {published!r} is not YYYY-MM-DD", source=source, line=line
                )
            published = _check_date(published, source=source, line=line)
        document = parse_article(text, doc_id=doc_id, source=f"{source}:{line}")
    except DocumentError as exc:
        exc.doc_id = doc_id
        raise
    if published:
        document = Document(doc_id, document.text, published, document.source)
    return document


def _where(item: Document | BadDocument) -> str:
    if isinstance(item, Document):
        return item.source
    error = item.error
    return error.source if error.line is None else f"{error.source}:{error.line}"


class Documents(Iterator[Document | BadDocument]):
    """The articles under some paths, read lazily in a stable order, with what was passed over.

    Every path given or found either yields an item (a document, or a bad document for its error
    line) or is listed in :attr:`skipped` with the reason, once iteration has finished.
    """

    def __init__(self, paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> None:
        self.skipped: list[SkippedInput] = []
        self._exclude = {os.path.realpath(p) for p in exclude}
        self._items = self._generate(list(paths))

    def __next__(self) -> Document | BadDocument:
        return next(self._items)

    def _skip(self, path: str | Path, reason: str) -> None:
        self.skipped.append(SkippedInput(path_text(path), reason))

    def _generate(self, paths: list[str | Path]) -> Iterator[Document | BadDocument]:
        seen: dict[str, str] = {}  # doc_id -> where its article came from
        for given in paths:
            root = Path(given)
            if not root.exists():
                what = "a broken symlink or a symlink loop" if root.is_symlink() else "no such file or folder"  # fmt: skip
                raise DocumentError(
                    what, source=path_text(root),
                    hint="give article files, folders of .txt/.md files, or .jsonl files",
                )  # fmt: skip
            found = 0
            for path in _expand(root, self._skip):
                found += 1
                if os.path.realpath(path) in self._exclude:
                    self._skip(path, "the output file of this run")
                    continue
                for item in self._read(path):
                    first = seen.get(item.doc_id)
                    if first is not None:
                        item = _duplicate(item, first=first, seen=seen)
                    seen[item.doc_id] = _where(item)
                    yield item
            if root.is_dir() and not found:
                self._skip(root, "the folder holds no .txt, .md or .jsonl files")

    @staticmethod
    def _read(path: Path) -> Iterable[Document | BadDocument]:
        if path.suffix.lower() in JSONL_SUFFIXES:
            return read_jsonl(path)
        try:
            return [read_article_file(path)]
        except DocumentError as exc:
            return [BadDocument(doc_id=path_text(path.stem), error=exc)]


def _expand(path: Path, skip: Callable[[Path, str], None]) -> Iterator[Path]:
    """``path`` itself, or every article file under it (depth first, names sorted)."""
    if not path.is_dir():
        yield path
        return
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as exc:
        skip(path, f"cannot read the folder: {exc.strerror}")
        return
    for entry in entries:
        found = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _expand(found, skip)
        elif (reason := _not_an_article(entry)) is None:
            yield found
        else:
            skip(found, reason)


def _not_an_article(entry: os.DirEntry[str]) -> str | None:
    """Why a folder entry (not itself a folder) holds no article, or None when it is one to read."""
    try:
        mode: int | None = os.stat(entry.path).st_mode
    except OSError:
        mode = None  # a broken symlink or a symlink loop
    if mode is not None and stat.S_ISDIR(mode):
        return "a symlink to a folder, not followed (give the folder itself as an input)"
    if Path(entry.name).suffix.lower() not in TEXT_SUFFIXES + JSONL_SUFFIXES:
        if mode is None:
            return "a broken symlink or a symlink loop, and not an article file"
        return "not an article file (.txt, .md, .jsonl or .ndjson)"
    if mode is None or stat.S_ISREG(mode):
        return None  # an article; if it cannot be read, its error line says why
    return "not a regular file (a pipe, socket or device)"


def _duplicate(item: Document | BadDocument, *, first: str, seen: dict[str, str]) -> BadDocument:
    """The error line for a second article with a seen id, under an id of its own from its path.

    The id is stable (a rerun gives the same one, so resume matches it) and never one already
    given, so the duplicate's line can neither shadow nor be hidden by another article's.
    """
    where = _where(item)
    doc_id = base = f"{item.doc_id}@{where}"
    count = 1
    while doc_id in seen:
        count += 1
        doc_id = f"{base}#{count}"
    return BadDocument(
        doc_id=doc_id,
        error=DocumentError(
            f"duplicate doc_id {item.doc_id!r}: "
            + ("this article was given twice" if first == where else f"{first} has the same id"),
            source=where,
            hint="give each article a unique file name or doc_id",
        ),
    )


def iter_documents(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> Documents:
    """Yield every article under ``paths`` (files, folders searched recursively, JSONL files).

    A second article with an id already seen becomes a :class:`BadDocument`. Paths found that
    hold no article, and any in ``exclude`` (the run's own output), are listed in ``.skipped``.

    Raises:
        DocumentError: a path given does not exist (a typo, not a bad article).
    """
    return Documents(paths, exclude=exclude)


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """How many articles ``paths`` hold (for a progress bar), without reading them; None if unknown."""
    total = 0
    for given in paths:
        root = Path(given)
        if not root.exists():
            return None
        for path in _expand(root, lambda path, reason: None):
            if path.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with path.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                except OSError:
                    total += 1  # its error line
            else:
                total += 1
    return total
