"""Judging one value: one gold value against one predicted value -> a :class:`Verdict`.

Every (article, field) gets exactly one of six outcomes (MUC slot scoring, plus correct nulls):

* ``correct``, ``partial``, ``incorrect``: both sides have a value;
* ``missed``: gold has a value, the prediction is null (or ``[]``);
* ``spurious``: gold is null (or ``[]``), the prediction has a value -- a hallucination;
* ``true_null``: both are null (or ``[]``).

Comparators by kind (which field has which kind: :data:`FIELD_KINDS`):

* ``exact`` -- enums, booleans, the state code and ``HH:MM`` times: equal or incorrect.
* ``integer`` -- equal or incorrect; the absolute error feeds the field's MAE.
* ``date`` -- equal is correct; when one side is month-level (``YYYY-MM``) and the other falls in
  the same month (either granularity), partial; anything else incorrect (two day-level dates in
  the same month but on different days are incorrect).
* ``text`` / ``agency`` -- both sides normalised (:mod:`extractor.eval.canon`; agencies also
  through the alias table); correct when equal or rapidfuzz ``token_sort_ratio`` >= 90 (same
  words up to order and small spelling differences), partial when ``token_set_ratio`` >= 70 (one
  is contained in the other, or most words are shared), otherwise incorrect. ``token_set_ratio``
  alone is 100 whenever one side's words are a subset of the other's (``Police`` vs ``Chicago
  Police Department``), so it only earns partial credit.
* ``list`` -- compared as sets: equal is correct, overlapping partial, disjoint incorrect; the
  item counts (true/false positives, false negatives) feed the field's item-level P/R/F1.

``alternatives`` from the gold file are honoured by :func:`judge`: the prediction is compared
with the gold value and with each alternative, and the best-credited comparison wins (ties go to
the gold value, then alternatives in file order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz

from extractor.eval.canon import is_empty, normalise_agency, normalise_text


class Verdict(StrEnum):
    """The outcome judged for one (article, field); the reports' ``outcome`` keys hold its values.

    Not :class:`extractor.schema.Outcome`, which is what happened to a person (a record field).
    """

    correct = "correct"
    partial = "partial"
    incorrect = "incorrect"
    missed = "missed"
    spurious = "spurious"
    true_null = "true_null"


#: Credit an outcome earns when choosing between gold alternatives (and in precision/recall).
CREDIT: dict[Verdict, float] = {
    Verdict.correct: 1.0,
    Verdict.true_null: 1.0,
    Verdict.partial: 0.5,
    Verdict.incorrect: 0.0,
    Verdict.missed: 0.0,
    Verdict.spurious: 0.0,
}


class Kind(StrEnum):
    """Which comparator a field uses."""

    exact = "exact"
    integer = "integer"
    date = "date"
    text = "text"
    agency = "agency"
    list = "list"


#: The comparator of every scored field; people's fields are keyed ``people.<field>``.
FIELD_KINDS: dict[str, Kind] = {
    "incident_date": Kind.date,
    "incident_time": Kind.exact,
    "city": Kind.text,
    "state": Kind.exact,
    "location": Kind.text,
    "neighborhood": Kind.text,
    "police_agency": Kind.agency,
    "encounter_type": Kind.exact,
    "shots_fired_by_police": Kind.integer,
    "officers_who_fired": Kind.integer,
    "police_hit_someone": Kind.exact,
    "party_fired_first": Kind.exact,
    "fired_at_moving_vehicle": Kind.exact,
    "officer_injured": Kind.exact,
    "arrests": Kind.integer,
    "video_released": Kind.exact,
    "video_sources": Kind.list,
    "video_release_date": Kind.date,
    "investigating_agency": Kind.agency,
    "investigation_status": Kind.exact,
    "people.role": Kind.exact,
    "people.name": Kind.text,
    "people.age": Kind.integer,
    "people.gender": Kind.exact,
    "people.on_duty": Kind.exact,
    "people.fired_weapon": Kind.exact,
    "people.armed_with": Kind.list,
    "people.outcome": Kind.exact,
    "people.shot_by_police": Kind.exact,
    "people.arrested": Kind.exact,
}

#: Fuzzy-match thresholds for ``text`` and ``agency`` fields (rapidfuzz scores, 0-100).
TEXT_CORRECT_THRESHOLD = 90.0
TEXT_PARTIAL_THRESHOLD = 70.0


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """Set comparison of two lists: shared items, predicted-only items, gold-only items."""

    tp: int
    fp: int
    fn: int


@dataclass(frozen=True, slots=True)
class Judgement:
    """One comparison: its outcome, the gold value it was judged against, and type extras."""

    outcome: Verdict
    gold: Any
    abs_error: int | None = None
    items: ItemCounts | None = None

    @property
    def credit(self) -> float:
        return CREDIT[self.outcome]


def compare_text(gold: str, predicted: str, *, agency: bool = False) -> Verdict:
    """Fuzzy comparison of two non-empty short strings (see the module docstring)."""
    canon = normalise_agency if agency else normalise_text
    g, p = canon(gold), canon(predicted)
    if g == p:
        return Verdict.correct
    if not g or not p:
        return Verdict.incorrect
    if fuzz.token_sort_ratio(g, p) >= TEXT_CORRECT_THRESHOLD:
        return Verdict.correct
    if fuzz.token_set_ratio(g, p) >= TEXT_PARTIAL_THRESHOLD:
        return Verdict.partial
    return Verdict.incorrect


def compare_date(gold: str, predicted: str) -> Verdict:
    """``YYYY-MM-DD`` / ``YYYY-MM`` dates: exact, or partial when one side is month-level."""
    if gold == predicted:
        return Verdict.correct
    if gold[:7] == predicted[:7] and (len(gold) == 7 or len(predicted) == 7):
        return Verdict.partial
    return Verdict.incorrect


def compare_lists(gold: Sequence[Any], predicted: Sequence[Any]) -> tuple[Verdict, ItemCounts]:
    """Two non-empty lists as sets: equal correct, overlapping partial, disjoint incorrect."""
    g, p = set(gold), set(predicted)
    items = ItemCounts(tp=len(g & p), fp=len(p - g), fn=len(g - p))
    if g == p:
        return Verdict.correct, items
    return (Verdict.partial if items.tp else Verdict.incorrect), items


def judge_one(kind: Kind, gold: Any, predicted: Any) -> Judgement:
    """Compare one gold value (no alternatives) with a predicted value."""
    gold_empty, predicted_empty = is_empty(gold), is_empty(predicted)
    items: ItemCounts | None = None
    if kind is Kind.list:
        items = ItemCounts(
            tp=0,
            fp=0 if predicted_empty else len(set(predicted)),
            fn=0 if gold_empty else len(set(gold)),
        )
    if gold_empty and predicted_empty:
        return Judgement(Verdict.true_null, gold, items=items)
    if predicted_empty:
        return Judgement(Verdict.missed, gold, items=items)
    if gold_empty:
        return Judgement(Verdict.spurious, gold, items=items)
    if kind is Kind.list:
        outcome, items = compare_lists(gold, predicted)
        return Judgement(outcome, gold, items=items)
    if kind is Kind.integer:
        error = abs(int(predicted) - int(gold))
        return Judgement(
            Verdict.correct if error == 0 else Verdict.incorrect, gold, abs_error=error
        )
    if kind is Kind.date:
        return Judgement(compare_date(str(gold), str(predicted)), gold)
    if kind in (Kind.text, Kind.agency):
        return Judgement(compare_text(str(gold), str(predicted), agency=kind is Kind.agency), gold)
    return Judgement(Verdict.correct if gold == predicted else Verdict.incorrect, gold)


def judge(kind: Kind, gold: Any, predicted: Any, alternatives: Sequence[Any] = ()) -> Judgement:
    """Compare a prediction with the gold value and its alternatives; the best credit wins.

    Ties keep the earlier candidate, so the gold value itself is preferred: a wrong value
    against a gold value with a ``null`` alternative stays ``incorrect`` (not ``spurious``).
    """
    best = judge_one(kind, gold, predicted)
    for alternative in alternatives:
        candidate = judge_one(kind, alternative, predicted)
        if candidate.credit > best.credit:
            best = candidate
    return best
