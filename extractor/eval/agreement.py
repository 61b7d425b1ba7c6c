"""Agreement: several records for one article, and per field the majority value and its share.

The same measure serves three places: the samples of ``extractor run --samples N`` (one model
asked N times), and the runs given to ``extractor label --from A --from B`` or to
``extractor compare`` (different models or prompt versions). For each scalar field (the scored
ones: ``summary`` is free text and left out) the values are grouped by equality of their JSON;
the majority value is the largest group (ties go to the value seen first, in record order) and
its *agreement* is the group's size over the number of records (0-1).

People are matched to a *reference* record's people with the eval's alignment
(:func:`extractor.eval.people.align`). The reference is the record that agrees with the majority
on the most scalar fields (the first such). A person field's agreement counts a record that does
not list the matched person as a disagreeing vote; ``people[j]`` itself gets the share of records
that list person ``j``. Paths use the reference record's people indexing (``people[0].age``).

Agreement is not accuracy: records that repeat the same mistake agree on it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from extractor.eval.people import align
from extractor.predictions import PredictionLine
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS, IncidentRecord

_PERSON = "people[{j}]"


@dataclass(frozen=True, slots=True)
class FieldVote:
    """One field's majority value, its share of the records, and which records gave it."""

    value: Any
    agreement: float
    supporters: tuple[int, ...]


@dataclass
class Agreement:
    """Per field path, the majority over several records (see the module docstring)."""

    #: index of the reference record (the one agreeing most with the majority)
    reference: int
    votes: dict[str, FieldVote] = field(default_factory=dict)
    #: per reference person: {record index: that record's index of the matched person}
    people: list[dict[int, int]] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        """Field path -> agreement, in the reference record's people indexing."""
        return {path: round(vote.agreement, 4) for path, vote in self.votes.items()}

    def shares_for(self, index: int) -> dict[str, float]:
        """Field path -> agreement, with people paths in record ``index``'s own indexing.

        Scalar fields are as in :meth:`shares`; a reference person that record ``index`` does
        not list is left out.
        """
        out: dict[str, float] = {}
        for path, share in self.shares().items():
            if not path.startswith("people["):
                out[path] = share
                continue
            j, _, rest = path[len("people[") :].partition("]")
            own = self.people[int(j)].get(index)
            if own is not None:
                out[f"people[{own}]{rest}"] = share
        return out

    def source(self, path: str) -> tuple[int, str]:
        """A record that gave ``path``'s majority value, and the path in its own indexing."""
        supporter = self.votes[path].supporters[0]
        if not path.startswith("people["):
            return supporter, path
        j, _, rest = path[len("people[") :].partition("]")
        return supporter, f"people[{self.people[int(j)][supporter]}]{rest}"


def _vote(values: Sequence[tuple[int, Any]], total: int) -> FieldVote:
    """The majority among ``(record index, value)`` pairs, as a share of ``total`` records."""
    groups: dict[str, list[int]] = {}
    first: dict[str, Any] = {}
    for index, value in values:
        key = json.dumps(value, sort_keys=True)
        groups.setdefault(key, []).append(index)
        first.setdefault(key, value)
    best = max(groups, key=lambda k: len(groups[k]))  # max keeps the first of equal groups
    return FieldVote(first[best], len(groups[best]) / total, tuple(groups[best]))


def agree(records: Sequence[IncidentRecord]) -> Agreement:
    """The per-field majority over ``records`` (at least one), people aligned to a reference.

    Raises:
        ValueError: ``records`` is empty.
    """
    if not records:
        raise ValueError("agreement needs at least one record")
    total = len(records)
    dumped = [r.model_dump(mode="json") for r in records]
    votes = {
        name: _vote([(i, d[name]) for i, d in enumerate(dumped)], total) for name in SCALAR_FIELDS
    }
    support = [sum(i in v.supporters for v in votes.values()) for i in range(total)]
    reference = max(range(total), key=lambda i: (support[i], -i))
    result = Agreement(reference, votes)
    ref_people = records[reference].people
    result.people = [{reference: j} for j in range(len(ref_people))]
    for i, record in enumerate(records):
        if i != reference:
            for j, k in align(ref_people, record.people).pairs:
                result.people[j][i] = k
    for j, matched in enumerate(result.people):
        listed = sorted(matched)
        result.votes[_PERSON.format(j=j)] = FieldVote(True, len(listed) / total, tuple(listed))
        for name in PERSON_FIELDS:
            values = [(i, dumped[i]["people"][matched[i]][name]) for i in listed]
            result.votes[f"{_PERSON.format(j=j)}.{name}"] = _vote(values, total)
    return result


def majority_record(records: Sequence[IncidentRecord], agreement: Agreement) -> IncidentRecord:
    """The record of majority values: the reference's people, each field its majority value.

    If the mixed values break a cross-field rule of the schema, the reference record is kept
    as it is (its values are then not all majority values; its agreement says so).
    """
    reference = records[agreement.reference]
    data = reference.model_dump(mode="json")
    for name in SCALAR_FIELDS:
        data[name] = agreement.votes[name].value
    for j, person in enumerate(data["people"]):
        for name in PERSON_FIELDS:
            person[name] = agreement.votes[f"{_PERSON.format(j=j)}.{name}"].value
    try:
        return IncidentRecord.model_validate(data)
    except ValueError:
        return reference


@dataclass(frozen=True, slots=True)
class ArticleAgreement:
    """The agreement of several runs on one article, and which runs (by position) took part."""

    agreement: Agreement
    runs: tuple[int, ...]


def across_runs(
    runs: Sequence[Iterable[PredictionLine]], doc_ids: Collection[str] | None = None
) -> dict[str, ArticleAgreement]:
    """Per article at least two runs have a record for: their agreement (a run's last line counts).

    Args:
        runs: each run's prediction lines (different models, prompt versions or samples).
        doc_ids: only these articles (e.g. the gold ones); default every article.
    """
    records: dict[str, dict[int, IncidentRecord]] = defaultdict(dict)
    for index, lines in enumerate(runs):
        for line in lines:
            if line.record is not None and (doc_ids is None or line.doc_id in doc_ids):
                records[line.doc_id][index] = line.record
    found = {}
    for doc_id in sorted(records):
        by_run = records[doc_id]
        if len(by_run) > 1:
            order = tuple(sorted(by_run))
            found[doc_id] = ArticleAgreement(agree([by_run[i] for i in order]), order)
    return found


_INDEX = re.compile(r"\[\d+\]")


def field_means(agreements: Iterable[Agreement]) -> dict[str, float]:
    """Mean agreement per field over articles and people (``people[2].age`` counts as
    ``people.age``; ``people[2]`` as ``people``: the share of runs listing that person)."""
    shares: dict[str, list[float]] = defaultdict(list)
    for agreement in agreements:
        for path, vote in agreement.votes.items():
            shares[_INDEX.sub("", path)].append(vote.agreement)
    order = [*SCALAR_FIELDS, "people", *(f"people.{name}" for name in PERSON_FIELDS)]
    return {key: round(sum(shares[key]) / len(shares[key]), 4) for key in order if shares[key]}


__all__ = [
    "Agreement",
    "ArticleAgreement",
    "FieldVote",
    "across_runs",
    "agree",
    "field_means",
    "majority_record",
]
