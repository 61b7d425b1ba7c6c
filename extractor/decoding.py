"""Article bytes to text, and the limits every article's text gets wherever it comes from.

A BOM, BOM-less UTF-16, UTF-8, then a charset detector's best guess (cp1252 preferred among
single-byte code pages); text over :data:`MAX_BYTES`, or a NUL or control-character noise, is
refused. :mod:`extractor.documents` reads files, folders and JSON Lines through these.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from charset_normalizer.utils import is_multi_byte_encoding

from extractor.errors import DocumentError

#: Articles larger than this are refused before any model sees them (news articles are ~5 KB).
MAX_BYTES = 2_000_000
#: A text with more control characters than both of these is noise, not an article (a stray
#: DOS end-of-file mark or two is not).
MAX_CONTROL_SHARE = 0.01
MAX_CONTROL_CHARS = 2

# C0 and C1 control characters other than tab, newline, vertical tab, form feed and return
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BOMS = (  # UTF-32's little-endian BOM starts with UTF-16's, so it is tried first
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_HINT = "give the article as plain text, saved as UTF-8"


def _check_size(size: int, *, what: str, source: str, line: int | None = None) -> None:
    if size > MAX_BYTES:
        raise DocumentError(
            f"{what} is {size:,} bytes; articles over {MAX_BYTES:,} bytes are refused",
            source=source,
            line=line,
            hint="split it into one article per file or line",
        )


def _check_text(
    text: str, *, what: str, source: str, line: int | None = None, encoding: str | None = None
) -> None:
    """Refuse text that holds a NUL or is more than 1% control characters: noise, not an article."""
    controls = len(_CONTROL.findall(text))
    noise = controls > MAX_CONTROL_CHARS and controls > len(text) * MAX_CONTROL_SHARE
    if "\x00" not in text and not noise:
        return
    decoded = f"decoded as {encoding}, " if encoding else ""
    raise DocumentError(
        f"{what} is not text: {decoded}{controls:,} of its {len(text):,} characters are "
        "NULs or control characters",
        source=source,
        line=line,
        hint=_TEXT_HINT,
    )


def check_article_text(text: str, *, what: str, source: str, line: int | None = None) -> None:
    """The limits every article's text gets, wherever it comes from: its size and that it is text.

    Raises:
        DocumentError: over :data:`MAX_BYTES` as UTF-8, or a NUL or control-character noise.
    """
    _check_size(len(text.encode("utf-8", "surrogatepass")), what=what, source=source, line=line)
    _check_text(text, what=what, source=source, line=line)


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of BOM-less UTF-16 text: NULs in nearly every high byte and in no low byte."""
    half = len(data) // 2
    if len(data) % 2 or not half:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd >= half * 0.3 and even <= half * 0.01:
        return "utf-16-le"
    if even >= half * 0.3 and odd <= half * 0.01:
        return "utf-16-be"
    return None


def _detect(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode non-UTF-8 bytes by charset detection, preferring cp1252 among single-byte guesses.

    The detector often ranks another single-byte code page first when several fit equally well
    (Latin-1 ``señor`` read as cp1250 ``seńor``); for Western news cp1252, a superset of
    Latin-1's printable characters, is the better bet whenever it fits as well.
    """
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise DocumentError(
            "the file's bytes are not UTF-8 and no other text encoding fits them",
            source=source,
            hint="re-save it as UTF-8",
        )
    if best.encoding != "cp1252" and not is_multi_byte_encoding(best.encoding):
        western = from_bytes(data, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos:
            best = western
    return str(best), best.encoding


def decode(data: bytes, *, source: str) -> str:
    """Decode article bytes: a BOM, BOM-less UTF-16, UTF-8, then a charset detector's best guess.

    Raises:
        DocumentError: the file is empty, binary, too large, noise, or in no encoding we know.
    """
    if not data.strip():
        raise DocumentError(
            "the file is empty", source=source, hint="remove it or add the article text"
        )
    _check_size(len(data), what="the file", source=source)
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise DocumentError("the file is binary, not text", source=source, hint=_TEXT_HINT)
    try:
        text = data.decode(encoding or "utf-8")
        encoding = encoding or "utf-8"
    except UnicodeDecodeError:
        if encoding is not None:
            raise DocumentError(
                f"the file is not text: its bytes are not valid {encoding}",
                source=source,
                hint=_TEXT_HINT,
            ) from None
        text, encoding = _detect(data, source=source)
    _check_text(text, what="the file", source=source, encoding=encoding)
    return text
