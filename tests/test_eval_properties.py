"""Properties every scorer must have, checked on generated records (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.eval import EvalReport, GoldLabel, score
from extractor.eval.judge import Verdict
from extractor.predictions import PredictionLine
from extractor.schema import (
    SCALAR_FIELDS,
    Armed,
    EncounterType,
    Gender,
    IncidentRecord,
    InvestigationStatus,
    PartyFiredFirst,
    Person,
    Role,
    VideoSource,
    YesNoUndetermined,
)
from extractor.schema import (
    Outcome as PersonOutcome,
)

SETTINGS = settings(max_examples=60, deadline=None, database=None)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _enum(enum: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([member.value for member in enum])


days = st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)).map(dt.date.isoformat)
dates = days | days.map(lambda d: d[:7])
times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
counts = st.integers(0, 12)
names = st.sampled_from(["John Smith", "Maria Lopez", "Tyrone Davis", "Ana Ruiz", "Lee"])
agencies = st.sampled_from(
    ["Chicago Police Department", "CPD", "COPA", "Houston Police Department", "Texas Rangers"]
)
places = st.sampled_from(
    [
        "2200 block of West Maypole Avenue",
        "Leavitt and Walnut streets",
        "Old Town",
        "Near West Side",
    ]
)

people = st.builds(
    Person,
    role=_enum(Role),
    name=_maybe(names),
    age=_maybe(st.integers(14, 80)),
    gender=_maybe(_enum(Gender)),
    on_duty=_maybe(st.booleans()),
    fired_weapon=_maybe(st.booleans()),
    armed_with=st.lists(_enum(Armed), unique=True, max_size=2),
    outcome=_maybe(_enum(PersonOutcome)),
    shot_by_police=_maybe(_enum(YesNoUndetermined)),
    arrested=_maybe(st.booleans()),
)

#: People who differ only in fields alignment does not look at: ties the alignment must break.
plain_people = st.builds(
    Person,
    role=st.sampled_from(["officer", "subject"]),
    on_duty=_maybe(st.booleans()),
    fired_weapon=_maybe(st.booleans()),
    arrested=_maybe(st.booleans()),
)

records = st.builds(
    IncidentRecord,
    incident_date=_maybe(dates),
    incident_time=_maybe(times),
    city=_maybe(st.sampled_from(["Chicago", "Houston", "Denver"])),
    state=_maybe(st.sampled_from(["IL", "TX", "CO"])),
    location=_maybe(places),
    neighborhood=_maybe(places),
    police_agency=_maybe(agencies),
    encounter_type=_maybe(_enum(EncounterType)),
    shots_fired_by_police=_maybe(counts),
    officers_who_fired=_maybe(counts),
    police_hit_someone=_maybe(_enum(YesNoUndetermined)),
    party_fired_first=_maybe(_enum(PartyFiredFirst)),
    fired_at_moving_vehicle=_maybe(st.booleans()),
    officer_injured=_maybe(st.booleans()),
    arrests=_maybe(counts),
    video_released=_maybe(st.booleans()),
    video_sources=st.lists(_enum(VideoSource), unique=True, max_size=3),
    video_release_date=_maybe(dates),
    investigating_agency=_maybe(agencies),
    investigation_status=_maybe(_enum(InvestigationStatus)),
    people=st.lists(people | plain_people, max_size=4),
)
#: A valid value for each scalar field, used to add one spurious value.
FILLERS: dict[str, Any] = {
    "incident_date": "2020-01-02",
    "incident_time": "12:00",
    "city": "Springfield",
    "state": "IL",
    "location": "100 block of Main Street",
    "neighborhood": "Downtown",
    "police_agency": "Springfield Police Department",
    "encounter_type": "other",
    "shots_fired_by_police": 2,
    "officers_who_fired": 1,
    "police_hit_someone": "yes",
    "party_fired_first": "police",
    "fired_at_moving_vehicle": True,
    "officer_injured": False,
    "arrests": 0,
    "video_released": True,
    "video_sources": ["body_camera"],
    "video_release_date": "2020-02",
    "investigating_agency": "FBI",
    "investigation_status": "pending",
}


def test_fillers_cover_every_scalar_field() -> None:
    assert set(FILLERS) == set(SCALAR_FIELDS)
    IncidentRecord.model_validate(FILLERS)


def _score(gold: list[IncidentRecord], predicted: list[IncidentRecord]) -> EvalReport:
    labels = {f"d{i}": GoldLabel(record, doc_id=f"d{i}") for i, record in enumerate(gold)}
    lines = [
        PredictionLine(doc_id=f"d{i}", model="m", record=record)
        for i, record in enumerate(predicted)
    ]
    return score(lines, labels, resamples=50)


def _counts(report: EvalReport) -> dict[str, tuple[int, ...]]:
    outcomes = [o.value for o in Verdict]
    return {name: tuple(getattr(f, o) for o in outcomes) for name, f in report.fields.items()}


@SETTINGS
@given(st.lists(records, min_size=1, max_size=3))
def test_gold_scored_against_itself_is_perfect(gold: list[IncidentRecord]) -> None:
    report = _score(gold, gold)
    micro = report.micro
    assert micro.partial == micro.incorrect == micro.missed == micro.spurious == 0
    if micro.correct:
        assert micro.precision == micro.recall == micro.f1 == 1.0
    else:
        assert micro.precision is micro.recall is micro.f1 is None
    assert report.hallucination_rate == (0.0 if micro.true_null else None)
    assert report.people.matched == report.people.gold == sum(len(r.people) for r in gold)
    assert all(f.f1 in (1.0, None) for f in report.fields.values())
    assert report.diffs == []


def _shuffled(record: IncidentRecord, order: list[int]) -> IncidentRecord:
    people = [record.people[i] for i in order]
    return record.model_copy(update={"people": people})


@SETTINGS
@given(records, records, st.randoms(use_true_random=False))
def test_reordering_people_changes_nothing(
    gold: IncidentRecord, predicted: IncidentRecord, random: Any
) -> None:
    before = _score([gold], [predicted])
    gold_order = list(range(len(gold.people)))
    pred_order = list(range(len(predicted.people)))
    random.shuffle(gold_order)
    random.shuffle(pred_order)
    after = _score([_shuffled(gold, gold_order)], [_shuffled(predicted, pred_order)])
    assert _counts(after) == _counts(before)
    assert after.micro == before.micro
    assert after.people == before.people


@SETTINGS
@given(records, records, st.sampled_from(SCALAR_FIELDS))
def test_a_spurious_value_lowers_precision_only(
    gold: IncidentRecord, predicted: IncidentRecord, name: str
) -> None:
    empty = [] if name == "video_sources" else None
    gold = gold.model_copy(update={name: empty})
    predicted = predicted.model_copy(update={name: empty})
    before = _score([gold], [predicted])
    after = _score([gold], [predicted.model_copy(update={name: FILLERS[name]})])
    assert after.fields[name].spurious == before.fields[name].spurious + 1
    assert after.micro.spurious == before.micro.spurious + 1
    assert after.micro.recall == before.micro.recall
    if before.micro.precision:
        assert after.micro.precision is not None
        assert after.micro.precision < before.micro.precision
    else:
        assert after.micro.precision == 0.0
    assert after.hallucination_rate is not None
    assert before.hallucination_rate is not None  # the field was a true null before
    assert after.hallucination_rate > before.hallucination_rate


@SETTINGS
@given(st.lists(st.tuples(records, records), min_size=1, max_size=3))
def test_counts_are_consistent_and_scores_bounded(pairs: list[tuple[IncidentRecord, ...]]) -> None:
    gold = [g for g, _ in pairs]
    report = _score(gold, [p for _, p in pairs])
    for name in SCALAR_FIELDS:  # every scalar field is judged exactly once per article
        assert sum(_counts(report)[name]) == len(pairs)
    for value in (report.micro.precision, report.micro.recall, report.micro.f1, report.macro.f1):
        assert value is None or 0.0 <= value <= 1.0
    ci = report.confidence_intervals.micro_f1
    if ci.low is not None and ci.high is not None:
        assert 0.0 <= ci.low <= ci.high <= 1.0
    support = sum(f.support for f in report.fields.values())
    gold_values = report.micro.correct + report.micro.partial + report.micro.incorrect
    assert gold_values + report.micro.missed == support  # no alternatives: recall base = support


@pytest.mark.parametrize("fail", [True, False])
def test_a_failed_article_scores_all_missed(fail: bool) -> None:
    gold = IncidentRecord(city="Chicago", people=[Person(role="officer", on_duty=True)])
    line = PredictionLine(doc_id="d0", model="m", record=None if fail else gold)
    report = score([line], {"d0": GoldLabel(gold, doc_id="d0")})
    assert report.micro.missed == (3 if fail else 0)
    assert report.micro.true_null == (0 if fail else len(SCALAR_FIELDS) - 1 + 8)
