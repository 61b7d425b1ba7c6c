"""How the encounter began: off duty, a warrant, a traffic stop, a call, seen on patrol, a chase."""

from __future__ import annotations

import re

from extractor.backends.rules.data import alternation, cue
from extractor.backends.rules.text import NEGATION, Article, Hit, ending_in

#: Most specific first: an off-duty officer's shooting stays ``off_duty`` even after a chase, and a
#: suspect spotted and then chased is a ``pursuit``.
_ORDER = ("off_duty", "warrant_service", "traffic_stop", "call_for_service", "pursuit", "on_view")
_PATTERNS = {
    kind: re.compile(rf"(?<![\w-])(?:{alternation(cue('encounter', kind))})(?![\w-])", re.I)
    for kind in _ORDER
}
_NEGATED = re.compile(ending_in(rf"{NEGATION}|no", gap=1), re.I)


def encounter_type(article: Article) -> Hit[str] | None:
    """The first kind in :data:`_ORDER` with a cue outside quotations."""
    for kind in _ORDER:
        for sentence, _match in article.find(_PATTERNS[kind], unless_after=_NEGATED, window=20):
            return article.hit(kind, sentence)
    return None
