"""Precision/recall/F1, averages, rates and bootstrap intervals, against hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.eval import REPORT_VERSION, GoldLabel, score
from extractor.eval.judge import Verdict
from extractor.eval.metrics import bootstrap, hallucination_rate, precision_recall_f1
from extractor.evidence import Evidence
from extractor.predictions import ErrorInfo, PredictionLine, PromptRef
from extractor.schema import SCALAR_FIELDS, IncidentRecord, Person


def test_muc_precision_recall_f1_by_hand() -> None:
    counts = {
        Verdict.correct: 3,
        Verdict.partial: 2,
        Verdict.incorrect: 1,
        Verdict.missed: 2,
        Verdict.spurious: 1,
        Verdict.true_null: 4,
    }
    precision, recall, f1 = precision_recall_f1(counts)
    # credit 3 + 0.5*2 = 4; P = 4/7; R = 4/8; F1 = 2PR/(P+R) = 8/15
    assert precision == pytest.approx(4 / 7)
    assert recall == pytest.approx(0.5)
    assert f1 == pytest.approx(8 / 15)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert hallucination_rate(counts) == pytest.approx(1 / 5)


def test_undefined_scores_are_none_and_zero_credit_is_zero() -> None:
    assert precision_recall_f1({Verdict.true_null: 3}) == (None, None, None)
    assert hallucination_rate({Verdict.correct: 2}) is None
    # nothing predicted: precision undefined, recall 0, F1 0
    assert precision_recall_f1({Verdict.missed: 2}) == (None, 0.0, 0.0)
    assert precision_recall_f1({Verdict.spurious: 2}) == (0.0, None, 0.0)


GOLD_A = IncidentRecord(
    incident_date="2020-12",
    city="Chicago",
    state="IL",
    police_agency="Chicago Police Department",
    shots_fired_by_police=3,
    video_sources=["body_camera", "dash_camera"],
)
PRED_A = IncidentRecord(
    incident_date="2020-12-18",  # partial: day-level against month-level gold
    city="Chicago",  # correct
    state=None,  # missed
    police_agency="CPD",  # correct (alias)
    shots_fired_by_police=5,  # incorrect, abs error 2
    video_sources=["body_camera"],  # partial, items tp 1 fn 1
    officer_injured=True,  # spurious
)
GOLD_B = IncidentRecord(city="Houston", state="TX", people=[Person(role="subject", age=30)])
GOLD_C = IncidentRecord(city="Denver")
PROMPT = PromptRef(name="incident", version="v1")


def _run():  # type: ignore[no-untyped-def]
    evidence = {
        "incident_date": Evidence(quote="Dec. 18", start=0, end=7, grounded=True),
        "city": Evidence(quote="Chicago", start=0, end=7, grounded=True),
        "police_agency": Evidence(quote="police", start=0, end=6, grounded=True),
        "shots_fired_by_police": Evidence(quote="five shots", grounded=False),
        "video_sources": Evidence(quote="body camera", start=0, end=11, grounded=True),
        "officer_injured": Evidence(quote="", grounded=False),
    }
    lines = [
        PredictionLine(doc_id="a", record=PRED_A, evidence=evidence, model="m", prompt=PROMPT),
        PredictionLine(
            doc_id="b",
            model="m",
            prompt=PROMPT,
            error=ErrorInfo(type="ProviderError", message="429"),
        ),
        PredictionLine(doc_id="z", record=IncidentRecord(city="Austin"), model="m", prompt=PROMPT),
    ]
    gold = {
        "a": GoldLabel(GOLD_A, doc_id="a"),
        "b": GoldLabel(GOLD_B, doc_id="b"),
        "c": GoldLabel(GOLD_C, doc_id="c"),
    }
    return score(lines, gold)


def test_single_article_counts_by_hand() -> None:
    report = score(
        [PredictionLine(doc_id="a", record=PRED_A, model="m")], {"a": GoldLabel(GOLD_A, doc_id="a")}
    )
    micro = report.micro
    # correct: city, police_agency; partial: incident_date, video_sources; incorrect: shots;
    # missed: state; spurious: officer_injured; true_null: the other 20 - 7 = 13 scalars
    assert (micro.correct, micro.partial, micro.incorrect) == (2, 2, 1)
    assert (micro.missed, micro.spurious, micro.true_null) == (1, 1, len(SCALAR_FIELDS) - 7)
    assert micro.precision == pytest.approx(3 / 6)
    assert micro.recall == pytest.approx(3 / 6)
    assert micro.f1 == pytest.approx(0.5)
    assert report.hallucination_rate == pytest.approx(1 / 14)
    fields = report.fields
    assert fields["incident_date"].partial == 1
    assert fields["state"].missed == 1 and fields["state"].support == 1
    assert fields["officer_injured"].spurious == 1 and fields["officer_injured"].support == 0
    assert fields["shots_fired_by_police"].mae == pytest.approx(2.0)
    assert fields["shots_fired_by_police"].mae_n == 1
    assert fields["video_sources"].item_precision == pytest.approx(1.0)
    assert fields["video_sources"].item_recall == pytest.approx(0.5)
    assert fields["city"].f1 == pytest.approx(1.0)
    # macro: mean of the defined per-field F1s; fields with only true nulls have none
    defined = [f.f1 for f in fields.values() if f.f1 is not None]
    assert report.macro.fields == len(defined) == 7
    assert report.macro.f1 == pytest.approx(sum(defined) / 7)


def test_failed_missing_and_unscored_articles() -> None:
    report = _run()
    a = report.articles
    assert (a.scored, a.with_record, a.predictions) == (3, 1, 3)
    assert [(f.doc_id, f.error) for f in a.failed] == [("b", "ProviderError: 429")]
    assert a.missing_predictions == ["c"]
    assert a.unscored_predictions == ["z"]
    micro = report.micro
    # article a as above; b (failed): city, state, people.role, people.age missed;
    # c (no prediction): city missed; gold nulls of b and c earn nothing
    assert (micro.correct, micro.partial, micro.incorrect) == (2, 2, 1)
    assert (micro.missed, micro.spurious, micro.true_null) == (6, 1, 13)
    assert micro.precision == pytest.approx(3 / 6)
    assert micro.recall == pytest.approx(3 / 11)
    assert micro.f1 == pytest.approx(6 / 17)
    assert report.fields["city"].support == 3
    assert report.people.model_dump() == {
        "gold": 1,
        "predicted": 0,
        "matched": 0,
        "missed": 1,
        "spurious": 0,
    }
    statuses = {p.doc_id: p.status for p in report.per_article}
    assert statuses == {"a": "scored", "b": "failed", "c": "missing_prediction"}


def test_grounding_rate_counts_quoted_filled_values() -> None:
    report = _run()
    # a fills 6 values; 4 quotes were found in the article
    assert (report.grounding.filled, report.grounding.grounded) == (6, 4)
    assert report.grounding.rate == pytest.approx(4 / 6)
    assert report.fields["shots_fired_by_police"].grounding_rate == 0.0
    assert report.fields["city"].grounding_rate == 1.0


def test_diffs_list_every_value_not_fully_right() -> None:
    report = _run()
    outcomes = [(d.doc_id, d.field, d.outcome) for d in report.diffs]
    assert ("a", "city", "correct") not in outcomes
    assert ("a", "shots_fired_by_police", "incorrect") in outcomes
    assert ("a", "officer_injured", "spurious") in outcomes
    assert ("b", "people.age", "missed") in outcomes
    assert ("c", "city", "missed") in outcomes
    shots = next(d for d in report.diffs if d.field == "shots_fired_by_police")
    assert (shots.gold, shots.predicted, shots.quote, shots.grounded) == (3, 5, "five shots", False)
    assert len(report.diffs) == 1 + 2 + 1 + 1 + 4 + 1  # a: 6 not right, b: 4, c: 1


def test_report_json_is_stable_and_versioned() -> None:
    first, second = _run().to_json(), _run().to_json()
    assert first == second
    import json

    data = json.loads(first)
    assert data["report_version"] == REPORT_VERSION
    assert list(data["fields"])[:2] == ["incident_date", "incident_time"]
    assert "summary" not in data["fields"]
    assert data["models"] == ["m"] and data["prompts"] == ["incident@v1"]


def test_duplicate_prediction_lines_keep_the_last() -> None:
    gold = {"a": GoldLabel(IncidentRecord(city="Chicago"), doc_id="a")}
    lines = [
        PredictionLine(doc_id="a", model="m", error=ErrorInfo(type="X", message="boom")),
        PredictionLine(doc_id="a", model="m", record=IncidentRecord(city="Chicago")),
    ]
    report = score(lines, gold)
    assert report.articles.duplicate_predictions == ["a"]
    assert report.articles.failed == []
    assert report.fields["city"].correct == 1


def test_bootstrap_is_seeded_and_degenerate_for_identical_articles() -> None:
    matrix = np.array([[3, 0, 1, 1, 1, 4]] * 5, dtype=np.int64)
    ci = bootstrap(matrix, resamples=200, seed=7)
    # every resample has the same proportions: P = 3/5, R = 3/5, hallucination 1/5
    assert ci.micro_precision.low == pytest.approx(0.6)
    assert ci.micro_precision.high == pytest.approx(0.6)
    assert ci.hallucination_rate.low == pytest.approx(0.2)
    assert ci.articles == 5 and ci.resamples == 200 and ci.seed == 7


def test_bootstrap_interval_brackets_the_estimate_and_repeats() -> None:
    rng = np.random.default_rng(1)
    matrix = rng.integers(0, 6, size=(40, 6)).astype(np.int64)
    first, second = bootstrap(matrix, seed=3), bootstrap(matrix, seed=3)
    assert first == second
    totals = matrix.sum(axis=0)
    c, p, i, _, s, _ = totals
    point = (c + 0.5 * p) / (c + p + i + s)
    low, high = first.micro_precision.low, first.micro_precision.high
    assert low is not None and high is not None
    assert low < point < high
    assert bootstrap(matrix, seed=4) != first


def test_bootstrap_needs_two_articles() -> None:
    ci = bootstrap(np.array([[1, 0, 0, 0, 0, 1]], dtype=np.int64))
    assert ci.micro_f1.low is None and ci.micro_f1.high is None
    report = score([], {"a": GoldLabel(IncidentRecord(city="X"), doc_id="a")})
    assert report.confidence_intervals.articles == 1
    assert report.confidence_intervals.micro_precision.low is None


def test_spurious_person_armed_with_counts_as_item_false_positives() -> None:
    gold = {"a": GoldLabel(IncidentRecord(), doc_id="a")}
    predicted = IncidentRecord(people=[Person(role="subject", armed_with=["gun", "knife"])])
    report = score([PredictionLine(doc_id="a", model="m", record=predicted)], gold)
    armed = report.fields["people.armed_with"]
    assert armed.spurious == 1
    assert armed.item_precision == 0.0
    assert armed.item_recall is None
