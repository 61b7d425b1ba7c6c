"""Per-field confidence: ``run --samples N`` asks N times and writes the majority with agreement;
the same agreement measure compares different runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import providers
from extractor.cli import app
from extractor.eval.agreement import agree
from extractor.predictions import PredictionLine
from extractor.providers import provider
from extractor.schema import IncidentRecord
from tests.fake_provider import CALL_USAGE, FakeProvider, Script

ARTICLE = (
    "CHICAGO - Police shot a man on State Street on Monday after a traffic stop, officials "
    "said. Officers fired three shots. The man, 34, survived."
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Script:
    monkeypatch.setattr(providers, "_REGISTRY", dict(providers._REGISTRY))
    provider("fake", about="the tests' fake")(lambda: FakeProvider)
    monkeypatch.setattr(FakeProvider, "script", Script())
    monkeypatch.setenv("FAKE_API_KEY", "fk-test")
    return FakeProvider.script


def _sample(encounter: str | None, shots: int, age: int) -> dict[str, object]:
    evidence = [
        {"field": "shots_fired_by_police", "quote": "fired three shots"},
        {"field": "people[0]", "quote": "The man, 34, survived"},
        {"field": "people[0].age", "quote": "The man, 34"},
    ]
    if encounter:
        evidence.append({"field": "encounter_type", "quote": "after a traffic stop"})
    return {
        "encounter_type": encounter,
        "shots_fired_by_police": shots,
        "people": [{"role": "subject", "age": age, "outcome": "injured"}],
        "evidence": evidence,
    }


def test_three_disagreeing_samples_give_majority_values_and_agreements(
    fake: Script, tmp_path: Path
) -> None:
    fake.outcomes = {
        "Monday": [
            _sample("traffic_stop", 3, 34),
            _sample("traffic_stop", 4, 34),
            _sample(None, 3, 43),
        ]
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "monday.txt").write_text(ARTICLE, encoding="utf-8")
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"fake/m1": {"input_per_mtok": 1e6, "output_per_mtok": 2e6}}))
    out = tmp_path / "out.jsonl"
    args = ["run", str(tmp_path / "in"), "-o", str(out), "-m", "fake/m1", "--prices", str(prices)]
    result = CliRunner().invoke(app, [*args, "--samples", "3", "-q"])
    assert result.exit_code == 0, result.output
    line = PredictionLine.from_json(out.read_text())
    assert line.record is not None and line.confidence is not None
    assert line.record.encounter_type == "traffic_stop"
    assert line.record.shots_fired_by_police == 3
    assert line.record.people[0].age == 34
    conf = line.confidence
    assert conf["encounter_type"] == 0.6667
    assert conf["shots_fired_by_police"] == 0.6667
    assert conf["people[0].age"] == 0.6667
    assert conf["city"] == 1.0 and conf["people[0]"] == 1.0 and conf["people[0].outcome"] == 1.0
    # evidence comes from a sample that gave the majority value
    assert line.evidence["encounter_type"].quote == "after a traffic stop"
    assert line.evidence["people[0].age"].quote == "The man, 34"
    # usage and cost add up over the three calls; seeds vary by sample, temperature is the prompt's
    assert line.attempts == 3 and line.usage.prompt_tokens == 3 * CALL_USAGE[0]
    assert line.cost_usd == pytest.approx(3 * (CALL_USAGE[0] + 2 * CALL_USAGE[1]))
    assert sorted(s.params["seed"] for s in fake.sent) == [0, 1, 2]
    assert {s.params["temperature"] for s in fake.sent} == {0.0}
    # the same request again is answered from the cache, confidence included
    again = tmp_path / "again.jsonl"
    rerun = CliRunner().invoke(app, [*args[:3], str(again), *args[4:], "--samples", "3", "-q"])
    assert rerun.exit_code == 0, rerun.output
    cached = PredictionLine.from_json(again.read_text())
    assert cached.cached and cached.confidence == conf and len(fake.sent) == 3


def test_an_unsampled_line_has_no_confidence_key(fake: Script, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "monday.txt").write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "-m", "fake/m1", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "confidence" not in json.loads(result.stdout)
    assert [s.params.get("seed") for s in fake.sent] == [None]


def test_too_few_samples_is_refused_with_the_flag_named(
    fake: Script, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(
        app, ["run", str(tmp_path / "in"), "-m", "fake/m1", "-o", "-", "--samples", "0"]
    )
    assert result.exit_code == 2 and "--samples 0 is invalid" in result.stderr
    monkeypatch.setenv("EXTRACTOR_SAMPLES", "abc")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "-m", "fake/m1", "-o", "-"])
    assert result.exit_code == 2 and "EXTRACTOR_SAMPLES='abc' is invalid" in result.stderr


def _record(**values: object) -> IncidentRecord:
    return IncidentRecord.model_validate({"schema_version": "1", **values})


def test_agreement_aligns_people_across_records_listed_in_any_order() -> None:
    a = _record(city="Chicago", people=[{"role": "officer"}, {"role": "subject", "age": 30}])
    b = _record(city="Chicago", people=[{"role": "subject", "age": 31}, {"role": "officer"}])
    c = _record(city="Evanston", people=[{"role": "subject", "age": 30}])
    result = agree([a, b, c])
    shares = result.shares()
    assert result.votes["city"].value == "Chicago" and shares["city"] == 0.6667
    assert result.reference == 0
    assert shares["people[0]"] == 0.6667  # the officer: a and b list one
    assert shares["people[1].age"] == 0.6667  # 30 in a and c, 31 in b
    assert result.votes["people[1].age"].value == 30
    # the same shares in b's own people indexing (b lists the subject first)
    assert result.shares_for(1)["people[0].age"] == 0.6667
    assert result.shares_for(1)["people[1]"] == 0.6667


def _line(doc_id: str, record: IncidentRecord, confidence: dict[str, float]) -> str:
    line = PredictionLine(doc_id=doc_id, model="fake/m1", record=record, confidence=confidence)
    return line.to_json() + "\n"


def test_eval_reports_calibration_from_lines_with_confidence(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    truth = {"city": "Chicago", "state": "IL", "shots_fired_by_police": 3, "arrests": 1}
    for doc_id in ("a1", "a2"):
        payload = {"doc_id": doc_id, "record": _record(**truth).model_dump(mode="json")}
        (gold / f"{doc_id}.json").write_text(json.dumps(payload), encoding="utf-8")
    # a1: shots wrong at 2/3, arrests right at 2/3; a2: arrests wrong at 1/3; all else at 1.0
    a1 = _record(**{**truth, "shots_fired_by_police": 4})
    a2 = _record(**{**truth, "arrests": 2})
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(
        _line("a1", a1, {"shots_fired_by_police": 0.6667, "arrests": 0.6667})
        + _line("a2", a2, {"arrests": 0.3333, "state": 1.0}),
        encoding="utf-8",
    )
    report_path = tmp_path / "r.json"
    args = ["eval", "--predictions", str(predictions), "--gold", str(gold)]
    result = CliRunner().invoke(app, [*args, "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    cal = json.loads(report_path.read_text())["calibration"]
    assert cal["values"] == 4  # only values whose line gives a confidence
    assert [(b["count"], b["accuracy"]) for b in cal["bins"]] == [
        (0, None), (1, 0.0), (0, None), (2, 0.5), (1, 1.0),
    ]  # fmt: skip
    assert cal["bins"][3]["mean_confidence"] == 0.6667
    assert cal["review"] == {
        "threshold": 0.8, "to_check": 3, "share_to_check": 0.75, "errors": 2,
        "errors_caught": 2, "share_of_errors_caught": 1.0,
    }  # fmt: skip
    assert "calibration: 4 values with confidence" in result.stdout
    assert "[0.6, 0.8)" in result.stdout and "[0.8, 1.0]" in result.stdout
    assert "review below 0.8: check 3 of 4 values (0.75), catching 2 of 2 errors" in result.stdout
    page = tmp_path / "r.html"
    assert CliRunner().invoke(app, [*args, "--html", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert 'id="calibration"' in html and html.count("<circle data-bin") == 3  # non-empty bins
    assert "check 3 of 4 values (0.750), catching 2 of 2 errors (1.000)" in html
    strict = CliRunner().invoke(app, [*args, "--review-threshold", "0.5"])
    assert "review below 0.5: check 1 of 4 values (0.25), catching 1 of 2 errors" in strict.stdout
    # lines without confidence: the key is null and nothing is shown
    plain = tmp_path / "plain.jsonl"
    plain.write_text(_line("a1", a1, {}) + _line("a2", a2, {}), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["eval", "--predictions", str(plain), "--gold", str(gold), "--json", str(report_path)]
    )
    assert result.exit_code == 0 and "calibration" not in result.stdout
    assert (
        CliRunner().invoke(app, [*args[:2], str(plain), *args[3:], "--html", str(page)]).exit_code
        == 0
    )
    assert 'id="calibration"' not in page.read_text(encoding="utf-8")
    assert json.loads(report_path.read_text())["calibration"] is None


def test_agreement_across_runs_on_the_dev_set(tmp_path: Path) -> None:
    from extractor import compare
    from extractor.eval.paired import Side
    from extractor.runner import extract_paths

    lines, _ = extract_paths(["seeds", "evals/articles"], model="rules")
    gold = {path.stem for path in Path("evals/gold").glob("*.json")}
    with_record = [line for line in lines if line.record is not None and line.doc_id in gold]
    changed = {line.doc_id for line in with_record[:5]}
    edited = [
        line.model_copy(update={"record": line.record.model_copy(update={"city": "Springfield"})})
        if line.doc_id in changed and line.record is not None
        else line
        for line in lines
    ]
    itself = compare([Side("rules", lines), Side("again", lines)], gold="evals/gold", resamples=10)
    assert set(itself.agreement.values()) == {1.0}  # a run agrees with itself everywhere
    report = compare(
        [Side("rules", lines), Side("edited", edited)], gold="evals/gold", resamples=10
    )
    n = len(with_record)
    assert report.agreement["city"] == round((5 * 0.5 + (n - 5)) / n, 4)
    assert report.agreement["state"] == 1.0
    assert {d.doc_id for d in report.disagreements if d.field == "city"} <= changed


def test_a_failed_sample_does_not_vote_and_all_failing_fails_the_article(
    fake: Script, tmp_path: Path
) -> None:
    fake.outcomes = {
        "Monday": [_sample("traffic_stop", 3, 34), 400, _sample(None, 3, 34)],
        "Tuesday": [400, 400, 400],
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "monday.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "tuesday.txt").write_text(ARTICLE.replace("Monday", "Tuesday"))
    out = tmp_path / "out.jsonl"
    args = ["run", str(tmp_path / "in"), "-o", str(out), "-m", "fake/m1"]
    result = CliRunner().invoke(app, [*args, "--samples", "3", "-q"])
    assert result.exit_code == 1  # tuesday failed
    lines = {
        line.doc_id: line for line in map(PredictionLine.from_json, out.read_text().splitlines())
    }
    monday = lines["monday"]
    assert monday.confidence is not None and monday.attempts == 3
    assert monday.confidence["encounter_type"] == 0.5 and monday.confidence["city"] == 1.0
    assert monday.usage.prompt_tokens == 2 * CALL_USAGE[0]  # the refused call spent nothing
    tuesday = lines["tuesday"]
    assert tuesday.error is not None and "HTTP 400" in tuesday.error.message
    assert tuesday.attempts == 3
