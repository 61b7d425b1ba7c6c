"""Comparators and canonical forms, with hand-computed outcomes."""

from __future__ import annotations

import pytest

from extractor.eval.canon import agency_aliases, normalise_agency, normalise_text
from extractor.eval.judge import (
    FIELD_KINDS,
    ItemCounts,
    Kind,
    Verdict,
    compare_date,
    compare_lists,
    compare_text,
    judge,
    judge_one,
)
from extractor.schema import PERSON_FIELDS, SCALAR_FIELDS


def test_every_scored_field_has_a_comparator() -> None:
    expected = {*SCALAR_FIELDS, *(f"people.{name}" for name in PERSON_FIELDS)}
    assert set(FIELD_KINDS) == expected
    assert "summary" not in FIELD_KINDS


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("The Near West Side.", "near west side"),
        ("2200 block of W. Maypole Ave.", "2200 block of west maypole avenue"),
        ("  José   Pérez ", "jose perez"),
        ("Chicago Police Department's", "chicago police department"),
        ("Leavitt/Walnut", "leavitt walnut"),
        ("a man, an officer", "man officer"),
    ],
)
def test_normalise_text_is_squad_style(raw: str, normalised: str) -> None:
    assert normalise_text(raw) == normalised


@pytest.mark.parametrize(
    ("alias", "full"),
    [
        ("COPA", "Civilian Office of Police Accountability"),
        ("C.P.D.", "Chicago Police Department"),
        ("the Chicago police", "Chicago Police Department"),
        ("IPRA", "Independent Police Review Authority"),
        ("Civilian Office of Police Accountability", "Civilian Office of Police Accountability"),
    ],
)
def test_agency_aliases_map_to_the_full_name(alias: str, full: str) -> None:
    assert normalise_agency(alias) == normalise_text(full)


def test_alias_table_has_no_alias_for_two_agencies() -> None:
    table = agency_aliases()
    assert table["cpd"] == "chicago police department"
    assert table["copa"] != table["ipra"]
    # an unknown agency passes through normalised, not mapped to anything
    assert normalise_agency("Springfield Police Department") == "springfield police department"


@pytest.mark.parametrize(
    ("gold", "predicted", "agency", "outcome"),
    [
        ("Chicago Police Department", "CPD", True, Verdict.correct),  # alias table
        ("COPA", "Civilian Office of Police Accountability", True, Verdict.correct),
        ("Chicago Police Department", "Police", True, Verdict.partial),  # subset: set ratio 100
        ("Near West Side", "West Side", False, Verdict.partial),  # sort 78, set 100
        (
            "2200 block of West Maypole Avenue",
            "2200 block of W. Maypole Ave.",
            False,
            Verdict.correct,
        ),
        ("John Smith", "Jon Smith", False, Verdict.correct),  # sort ratio 94.7
        ("John Smith", "Smith", False, Verdict.partial),  # sort 66.7, set 100
        ("John Smith", "John Doe", False, Verdict.incorrect),  # sort 44.4, set 66.7 < 70
        ("Old Town", "Lincoln Park", False, Verdict.incorrect),
        ("the Near West Side", "near west side.", False, Verdict.correct),
    ],
)
def test_compare_text(gold: str, predicted: str, agency: bool, outcome: Verdict) -> None:
    assert compare_text(gold, predicted, agency=agency) is outcome


def test_agency_alias_only_applies_to_agency_fields() -> None:
    assert compare_text("Chicago Police Department", "CPD", agency=False) is Verdict.incorrect
    assert judge(Kind.agency, "Chicago Police Department", "CPD").outcome is Verdict.correct
    assert FIELD_KINDS["police_agency"] is Kind.agency
    assert FIELD_KINDS["investigating_agency"] is Kind.agency


@pytest.mark.parametrize(
    ("gold", "predicted", "outcome"),
    [
        ("2020-12-18", "2020-12-18", Verdict.correct),
        ("2020-12", "2020-12", Verdict.correct),
        ("2020-12", "2020-12-18", Verdict.partial),  # day-level against month-level gold
        ("2020-12-18", "2020-12", Verdict.partial),  # month-level against day-level gold
        ("2020-12-18", "2020-12-19", Verdict.incorrect),  # both day-level: the day is wrong
        ("2020-12", "2020-11", Verdict.incorrect),
        ("2020-12", "2021-12-01", Verdict.incorrect),
    ],
)
def test_compare_date(gold: str, predicted: str, outcome: Verdict) -> None:
    assert compare_date(gold, predicted) is outcome


def test_compare_lists_as_sets() -> None:
    assert compare_lists(["body_camera", "dash_camera"], ["dash_camera", "body_camera"]) == (
        Verdict.correct,
        ItemCounts(tp=2, fp=0, fn=0),
    )
    assert compare_lists(["body_camera", "dash_camera"], ["body_camera"]) == (
        Verdict.partial,
        ItemCounts(tp=1, fp=0, fn=1),
    )
    assert compare_lists(["gun"], ["gun", "knife"]) == (
        Verdict.partial,
        ItemCounts(tp=1, fp=1, fn=0),
    )
    assert compare_lists(["gun"], ["knife"]) == (Verdict.incorrect, ItemCounts(tp=0, fp=1, fn=1))


@pytest.mark.parametrize(
    ("kind", "gold", "predicted", "outcome"),
    [
        (Kind.exact, "traffic_stop", "traffic_stop", Verdict.correct),
        (Kind.exact, "traffic_stop", "pursuit", Verdict.incorrect),
        (Kind.exact, False, False, Verdict.correct),  # a stated false is a value, not a null
        (Kind.exact, False, True, Verdict.incorrect),
        (Kind.exact, None, False, Verdict.spurious),
        (Kind.exact, True, None, Verdict.missed),
        (Kind.exact, None, None, Verdict.true_null),
        (Kind.integer, 0, 0, Verdict.correct),  # 0 is a value
        (Kind.integer, None, 0, Verdict.spurious),
        (Kind.list, [], [], Verdict.true_null),  # empty gold vs empty prediction: a correct null
        (Kind.list, [], ["gun"], Verdict.spurious),
        (Kind.list, ["gun"], [], Verdict.missed),
        (Kind.text, None, "Chicago", Verdict.spurious),
        (Kind.date, "2020-12-18", None, Verdict.missed),
    ],
)
def test_judge_one_nulls_and_values(
    kind: Kind, gold: object, predicted: object, outcome: Verdict
) -> None:
    assert judge_one(kind, gold, predicted).outcome is outcome


def test_integer_absolute_error() -> None:
    judgement = judge_one(Kind.integer, 3, 5)
    assert (judgement.outcome, judgement.abs_error) == (Verdict.incorrect, 2)
    assert judge_one(Kind.integer, 6, 6).abs_error == 0
    assert judge_one(Kind.integer, None, 6).abs_error is None


def test_list_null_outcomes_carry_item_counts() -> None:
    assert judge_one(Kind.list, [], ["gun", "knife"]).items == ItemCounts(tp=0, fp=2, fn=0)
    assert judge_one(Kind.list, ["gun"], []).items == ItemCounts(tp=0, fp=0, fn=1)


def test_alternatives_are_whole_values_and_the_best_one_wins() -> None:
    hit = judge(Kind.exact, "on_view", "call_for_service", ["call_for_service"])
    assert (hit.outcome, hit.gold) == (Verdict.correct, "call_for_service")
    # a null alternative makes a null prediction a correct null
    assert (
        judge(Kind.agency, "Chicago Police Department", None, [None]).outcome is Verdict.true_null
    )
    # ...but a wrong value stays incorrect against the gold value (ties keep the gold value)
    wrong = judge(Kind.agency, "Chicago Police Department", "FBI", [None])
    assert (wrong.outcome, wrong.gold) == (Verdict.incorrect, "Chicago Police Department")
    # a list alternative is a whole list, [] included
    assert judge(Kind.list, [], ["unarmed"], [[], ["unarmed"]]).outcome is Verdict.correct
    assert judge(Kind.list, ["gun"], [], [[]]).outcome is Verdict.true_null
    # partial beats incorrect: the month-level alternative earns half credit
    assert judge(Kind.date, "2020-11-02", "2020-12-18", ["2020-12"]).outcome is Verdict.partial
    # MAE uses the value the outcome was judged against: the gold value on a tie
    assert judge(Kind.integer, 3, 5, [4]).abs_error == 2
    assert judge(Kind.integer, 3, 4, [4]).abs_error == 0
