"""People: the officers, subjects, victims and bystanders the article describes individually.

See :mod:`civilians` and :mod:`officers` for what makes a person listed and how their fields
are read.
"""

from __future__ import annotations

from extractor.backends.rules.civilians import civilians, finish
from extractor.backends.rules.officers import officer
from extractor.backends.rules.person import Fields, Person
from extractor.backends.rules.text import Article, Hit


def extract_people(
    article: Article,
    encounter: Hit[str] | None,
    hit_status: Hit[str] | None,
    officer_injured: Hit[bool] | None,
) -> list[Fields]:
    """Each person's fields (``role`` first), in the order they are first mentioned."""
    listed: list[Person] = []
    for person in civilians(article):
        if person.role is None:
            continue
        if person.shadow and not person.fields.keys() - {"role"}:
            continue  # "a robbery suspect" and nothing more about them
        finish(person, hit_status)
        listed.append(person)
    described = officer(article, encounter, officer_injured)
    if described is not None:
        listed.append(described)
    listed.sort(key=lambda p: p.first)
    return [{"role": person.fields["role"], **person.fields} for person in listed]
