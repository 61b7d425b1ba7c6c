"""The nouns for people as regex alternations, from the one vocabulary in ``nouns.csv``.

Every rule that looks for "an officer" or "the man" uses these, so adding a noun (say
"constable") to ``nouns.csv`` teaches it to every rule at once. Each is a non-capturing group
to put inside a pattern; matching case is up to the pattern.
"""

from __future__ import annotations

from collections.abc import Callable

from extractor.backends.rules.data import Noun, alternation, nouns


def _group(keep: Callable[[Noun], bool]) -> str:
    return f"(?:{alternation(n.word for n in nouns() if keep(n))})"


#: "officer", "officers", "deputy", "troopers", "Sgt.": a police officer or several
OFFICER = _group(lambda n: n.side == "police" and n.number != "group")
#: one officer: "the other officer", "an off-duty deputy"
ONE_OFFICER = _group(lambda n: n.side == "police" and n.number == "one")
#: several officers: "the officers fired"
OFFICERS = _group(lambda n: n.side == "police" and n.number == "many")
#: an officer, officers, or "police"
POLICE = _group(lambda n: n.side == "police")
#: civilian nouns that name who did something ("the man", "suspects", "someone")
CIVILIAN_ACTOR = _group(lambda n: n.side == "civilian" and n.actor)
#: nouns that can introduce a listed civilian ("a 27-year-old man", "the driver")
PERSON = _group(lambda n: n.klass is not None)
#: nouns that say the person is the one police confronted ("a robbery suspect", "the gunman")
SUSPECT = _group(lambda n: n.klass == "suspect")
