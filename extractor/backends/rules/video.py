"""Video: whether video of the incident was released, and which cameras recorded it."""

from __future__ import annotations

import re

from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.text import NEGATION, Article, Hit, ending_in

_I = re.IGNORECASE
_SOURCES = {
    kind: re.compile(rf"(?<![\w-])(?:{alternation(cue('video', kind))})(?![\w-])", _I)
    for kind in ("body_camera", "dash_camera", "third_party")
}
_NEGATION = re.compile(rf"(?:{alternation(cue('video', 'negation'))})\b", _I)
_POLICY = re.compile(rf"\b(?:{alternation(cue('video', 'policy'))})\b", _I)
_UNCERTAIN = re.compile(rf"\b(?:{alternation(cue('video', 'uncertain'))})\b", _I)
_MEDIA = alternation(cue("video", "media"))
_RELEASE = alternation(cue("video", "release_verbs"))
_RELEASED = re.compile(
    rf"\b(?:{_RELEASE})\s+(?:[\w'-]+\s+){{0,5}}?(?:{_MEDIA})\b"
    rf"|\b(?:{_MEDIA})\b(?:\s+[\w'-]+){{0,6}}?\s+(?:was\s+|were\s+|has\s+been\s+|have\s+been\s+)?"
    rf"(?:{_RELEASE})\b",
    _I,
)
_NOT_RELEASED = re.compile(
    rf"\b(?:{alternation(cue('video', 'not_released'))})\b(?:\s+[\w'-]+){{0,5}}?\s+(?:{_MEDIA})\b"
    rf"|\b(?:{_MEDIA})\b(?:\s+[\w'-]+){{0,6}}?\s+(?:{alternation(cue('video', 'not_released'))})\b",
    _I,
)
_FUTURE = re.compile(rf"\b(?:{alternation(cue('video', 'future'))})\b", _I)
_NOT_BEFORE = re.compile(ending_in(rf"{NEGATION}|yet\s+to|declined\s+to|refused\s+to", gap=1), _I)


def video_sources(article: Article) -> Hit[list[str]] | None:
    """Camera kinds said to have recorded the incident, in the order first mentioned."""
    found: list[tuple[int, str, int, int]] = []
    for kind, pattern in _SOURCES.items():
        for sentence, match in article.find(pattern, unless_after=_NEGATION, window=40):
            if _POLICY.search(article.masked, sentence.start, sentence.end):
                continue
            if _UNCERTAIN.search(article.masked, sentence.start, sentence.end):
                continue
            found.append((match.start(), kind, sentence.start, sentence.end))
            break
    if not found:
        return None
    found.sort()
    kinds = [kind for _, kind, _, _ in found]
    return Hit(kinds, min(f[2] for f in found), max(f[3] for f in found))


def video_released(article: Article) -> Hit[bool] | None:
    """True when the article says video was released; False when it says it was not."""
    for sentence, match in article.find(_RELEASED, unless_after=_NOT_BEFORE, window=30):
        clause = article.masked[sentence.start : match.end()]
        if _FUTURE.search(clause) or _NOT_RELEASED.search(clause) or _POLICY.search(clause):
            continue
        return article.hit(True, sentence)
    for sentence, _match in article.find(_NOT_RELEASED):
        return article.hit(False, sentence)
    return None
