"""Judge every (article, field) of a predictions run against the gold labels.

One :class:`Observation` per judged value: scalar fields once per article, people's fields once
per matched pair, per unmatched predicted person's filled field (spurious) and per unmatched gold
person's filled field (missed). An article whose prediction failed (an error line, or no record)
or is absent from the predictions is scored against an empty record, keeping only the ``missed``
outcomes: it earns no credit for the nulls it never answered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from extractor.eval.canon import is_empty
from extractor.eval.gold import GoldLabel
from extractor.eval.judge import FIELD_KINDS, ItemCounts, Judgement, Verdict, judge, judge_one
from extractor.eval.people import align
from extractor.evidence import Evidence, filled_paths
from extractor.predictions import PredictionLine, missing_key_counts
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS, IncidentRecord, Person

#: Every scored field, in report order: the record's scalars, then ``people.<field>``.
SCORED_FIELDS: tuple[str, ...] = (*SCALAR_FIELDS, *(f"people.{name}" for name in PERSON_FIELDS))

Status = Literal["scored", "failed", "missing_prediction"]
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class Observation:
    """One judged value, with what the diff listing needs."""

    doc_id: str
    field: str
    path: str
    gold_path: str | None
    outcome: Verdict
    gold: Any
    predicted: Any
    abs_error: int | None = None
    items: ItemCounts | None = None
    quote: str | None = None
    grounded: bool | None = None
    #: the prediction line's agreement for this value (``run --samples N``), if it has one
    confidence: float | None = None


@dataclass
class ArticleScore:
    """Everything scored for one gold article."""

    doc_id: str
    status: Status
    observations: list[Observation] = field(default_factory=list)
    support: Counter[str] = field(default_factory=Counter)
    filled: Counter[str] = field(default_factory=Counter)
    grounded: Counter[str] = field(default_factory=Counter)
    people_gold: int = 0
    people_predicted: int = 0
    people_matched: int = 0
    error: str | None = None

    def counts(self) -> Counter[Verdict]:
        return Counter(o.outcome for o in self.observations)


def field_key(path: str) -> str:
    """``people[2].age`` -> ``people.age``; a scalar path is its own key."""
    return _INDEX.sub("", path)


def _observation(
    doc_id: str,
    key: str,
    paths: tuple[str, str | None],
    judgement: Judgement,
    predicted: Any,
    evidence: dict[str, Evidence],
) -> Observation:
    path, gold_path = paths
    found = evidence.get(path) if not is_empty(predicted) else None
    return Observation(
        doc_id=doc_id,
        field=key,
        path=path,
        gold_path=gold_path,
        outcome=judgement.outcome,
        gold=judgement.gold,
        predicted=predicted,
        abs_error=judgement.abs_error,
        items=judgement.items,
        quote=found.quote if found else None,
        grounded=found.grounded if found else (None if is_empty(predicted) else False),
    )


def _support(gold: IncidentRecord) -> Counter[str]:
    support: Counter[str] = Counter()
    for name in SCALAR_FIELDS:
        support[name] += not is_empty(getattr(gold, name))
    for person in gold.people:
        for name in PERSON_FIELDS:
            support[f"people.{name}"] += not is_empty(getattr(person, name))
    return support


def _judge_person(
    doc_id: str,
    label: GoldLabel,
    gold_index: int | None,
    predicted: Person | None,
    pred_index: int | None,
    evidence: dict[str, Evidence],
) -> list[Observation]:
    gold_person = label.record.people[gold_index] if gold_index is not None else None
    found: list[Observation] = []
    for name in PERSON_FIELDS:
        key = f"people.{name}"
        value = getattr(predicted, name) if predicted is not None else None
        gold_path = f"people[{gold_index}].{name}" if gold_index is not None else None
        path = f"people[{pred_index}].{name}" if pred_index is not None else gold_path
        if gold_person is None:  # an unmatched predicted person: each filled field is spurious
            if is_empty(value):
                continue
            judgement = judge_one(FIELD_KINDS[key], None, value)  # spurious, with item counts
        else:
            judgement = judge(
                FIELD_KINDS[key],
                getattr(gold_person, name),
                value,
                label.alternatives_for(f"people[{gold_index}].{name}"),
            )
        found.append(_observation(doc_id, key, (path or "", gold_path), judgement, value, evidence))
    return found


def _judge_record(
    doc_id: str,
    label: GoldLabel,
    predicted: IncidentRecord,
    evidence: dict[str, Evidence],
    confidence: Mapping[str, float] | None = None,
) -> tuple[list[Observation], int]:
    gold = label.record
    found: list[Observation] = []
    for name in SCALAR_FIELDS:
        value = getattr(predicted, name)
        judgement = judge(
            FIELD_KINDS[name], getattr(gold, name), value, label.alternatives_for(name)
        )
        found.append(_observation(doc_id, name, (name, name), judgement, value, evidence))
    alignment = align(gold.people, predicted.people)
    for gi, pj in alignment.pairs:
        found += _judge_person(doc_id, label, gi, predicted.people[pj], pj, evidence)
    for pj in alignment.unmatched_predicted:
        found += _judge_person(doc_id, label, None, predicted.people[pj], pj, evidence)
    if confidence:  # values the line predicted (a missed gold person below has no prediction)
        found = [replace(o, confidence=confidence.get(o.path)) for o in found]
    for gi in alignment.unmatched_gold:  # a missed person: only its gold values count (missed)
        found += [
            o
            for o in _judge_person(doc_id, label, gi, None, None, evidence)
            if o.outcome is not Verdict.true_null
        ]
    return found, len(alignment.pairs)


def score_article(label: GoldLabel, line: PredictionLine | None) -> ArticleScore:
    """Judge one article's prediction line (or its absence) against its gold label."""
    doc_id = label.doc_id
    support = _support(label.record)
    people_gold = len(label.record.people)
    if line is None or not line.ok or line.record is None:
        status: Status = "missing_prediction" if line is None else "failed"
        observations, _ = _judge_record(doc_id, label, IncidentRecord(), {})
        error = None
        if line is not None:
            error = f"{line.error.type}: {line.error.message}" if line.error else "no record"
        return ArticleScore(
            doc_id=doc_id,
            status=status,
            observations=[o for o in observations if o.outcome is not Verdict.true_null],
            support=support,
            people_gold=people_gold,
            error=error,
        )
    record = line.record
    observations, matched = _judge_record(doc_id, label, record, line.evidence, line.confidence)
    filled: Counter[str] = Counter()
    grounded: Counter[str] = Counter()
    for path in filled_paths(record):
        key = field_key(path)
        filled[key] += 1
        found = line.evidence.get(path)
        grounded[key] += bool(found and found.grounded)
    return ArticleScore(
        doc_id=doc_id,
        status="scored",
        observations=observations,
        support=support,
        filled=filled,
        grounded=grounded,
        people_gold=people_gold,
        people_predicted=len(record.people),
        people_matched=matched,
    )


@dataclass
class Run:
    """Predictions matched up with gold: the scored articles and the bookkeeping lists."""

    articles: list[ArticleScore]
    predicted_doc_ids: int
    unscored_predictions: list[str]
    duplicate_predictions: list[str]
    models: list[str]
    prompts: list[str]
    missing_keys: dict[str, int] = field(default_factory=dict)


def judge_run(predictions: Iterable[PredictionLine], gold: Mapping[str, GoldLabel]) -> Run:
    """Pair prediction lines with gold labels by doc_id and judge every gold article.

    A doc_id predicted twice keeps its last line (a resumed run appends), and is listed.
    """
    given = list(predictions)
    lines: dict[str, PredictionLine] = {}
    duplicates: set[str] = set()
    for line in given:
        if line.doc_id in lines:
            duplicates.add(line.doc_id)
        lines[line.doc_id] = line
    articles = []
    for doc_id in sorted(gold):
        label = gold[doc_id]
        if label.doc_id != doc_id:  # a label built in code without its doc_id
            label = GoldLabel(label.record, label.alternatives, label.notes, doc_id, label.source)
        articles.append(score_article(label, lines.get(doc_id)))
    scored_lines = [lines[d] for d in sorted(gold) if d in lines]
    return Run(
        articles=articles,
        predicted_doc_ids=len(lines),
        unscored_predictions=sorted(set(lines) - set(gold)),
        duplicate_predictions=sorted(duplicates),
        models=sorted({line.model for line in scored_lines}),
        prompts=sorted(
            {f"{line.prompt.name}@{line.prompt.version}" for line in scored_lines if line.prompt}
        ),
        missing_keys=missing_key_counts(given),
    )
