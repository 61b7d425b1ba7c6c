"""Align predicted people to gold people before scoring them field by field.

Similarity of a (gold, predicted) pair is a weighted mean of comparator credits (1 correct,
0.5 partial, 0 otherwise) over the identifying attributes both sides state:

=========  ======  ===========================================
attribute  weight  comparator
=========  ======  ===========================================
name       3       fuzzy text (see :mod:`extractor.eval.judge`)
role       2       exact
age        1       exact
gender     1       exact
outcome    1       exact
=========  ======  ===========================================

An attribute null on either side is left out of the mean (role is always present). The
assignment maximising total similarity is found with ``scipy.optimize.linear_sum_assignment``
over the pairs at or above :data:`MIN_SIMILARITY`; a pair below it is never a match (same role
but clearly different names, or different roles with nothing else in common). Ties between
equally similar pairs are broken by how many of *all* person fields agree, then by a canonical
ordering of the people, so the result never depends on the order people are listed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from extractor.eval.canon import is_empty
from extractor.eval.judge import FIELD_KINDS, judge_one
from extractor.schema import PERSON_FIELDS, Person

#: Identifying attributes and their weights in the pair similarity.
SIMILARITY_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "role": 2.0,
    "age": 1.0,
    "gender": 1.0,
    "outcome": 1.0,
}
#: Pairs less similar than this are never matched.
MIN_SIMILARITY = 0.5
#: Weight of the all-field agreement used only to break ties (far below any similarity step).
_TIE_BREAK = 1e-6


@dataclass(frozen=True, slots=True)
class Alignment:
    """Matched ``(gold index, predicted index)`` pairs and the people left unmatched."""

    pairs: list[tuple[int, int]]
    unmatched_gold: list[int]
    unmatched_predicted: list[int]
    similarities: dict[tuple[int, int], float]


def similarity(gold: Person, predicted: Person) -> float:
    """Weighted mean credit over the identifying attributes both people state (0 to 1)."""
    total = weight_sum = 0.0
    for name, weight in SIMILARITY_WEIGHTS.items():
        g, p = getattr(gold, name), getattr(predicted, name)
        if is_empty(g) or is_empty(p):
            continue
        total += weight * judge_one(FIELD_KINDS[f"people.{name}"], g, p).credit
        weight_sum += weight
    return total / weight_sum if weight_sum else 0.0


def agreement(gold: Person, predicted: Person) -> float:
    """Share of all person fields whose comparison earns full credit (tie-breaker only)."""
    credits = [
        judge_one(
            FIELD_KINDS[f"people.{name}"], getattr(gold, name), getattr(predicted, name)
        ).credit
        for name in PERSON_FIELDS
    ]
    return sum(credits) / len(credits)


def _canonical_order(people: Sequence[Person]) -> list[int]:
    return sorted(range(len(people)), key=lambda i: (people[i].model_dump_json(), i))


def align(gold: Sequence[Person], predicted: Sequence[Person]) -> Alignment:
    """Match predicted people to gold people one-to-one (see the module docstring)."""
    gold_order, pred_order = _canonical_order(gold), _canonical_order(predicted)
    sims: dict[tuple[int, int], float] = {}
    if gold and predicted:
        score = np.zeros((len(gold), len(predicted)))
        for r, gi in enumerate(gold_order):
            for c, pj in enumerate(pred_order):
                sims[gi, pj] = similarity(gold[gi], predicted[pj])
                if sims[gi, pj] >= MIN_SIMILARITY:  # pairs below it can never be matched
                    score[r, c] = sims[gi, pj] + _TIE_BREAK * agreement(gold[gi], predicted[pj])
        rows, cols = linear_sum_assignment(score, maximize=True)
        chosen = [(gold_order[r], pred_order[c]) for r, c in zip(rows, cols, strict=True)]
    else:
        chosen = []
    pairs = sorted((g, p) for g, p in chosen if sims[g, p] >= MIN_SIMILARITY)
    matched_gold = {g for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    return Alignment(
        pairs=pairs,
        unmatched_gold=[i for i in range(len(gold)) if i not in matched_gold],
        unmatched_predicted=[j for j in range(len(predicted)) if j not in matched_pred],
        similarities=sims,
    )


def describe(person: Person) -> str:
    """A short JSON description of a person, for diffs."""
    return json.dumps({k: v for k, v in person.model_dump().items() if not is_empty(v)})
