"""extractor compare: the rules baseline against a cassette-backed prompt version, and the stats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.eval import load_gold, score
from extractor.eval.paired import Side, compare_sides, mcnemar, paired_bootstrap
from extractor.predictions import PredictionLine
from extractor.schema import IncidentRecord

MODEL = "openai/gpt-4o-mini"
SEED_IDS = ["000_da9441d524ed042a", "001_d8457e1c72a139c8", "002_05d79c17f497fcab"]
runner = CliRunner()


@pytest.fixture
def seed_gold(tmp_path: Path) -> Path:
    gold = tmp_path / "gold"
    gold.mkdir()
    for doc_id in SEED_IDS:
        shutil.copy(f"evals/gold/{doc_id}.json", gold)
    return gold


@pytest.mark.vcr("test_run_seeds_clean.yaml")
def test_rules_against_a_prompt_version_matches_each_sides_eval_report(
    tmp_path: Path, seed_gold: Path, llm_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    out = tmp_path / "compare.json"
    args = ["--model", MODEL, "--articles", "seeds", "--gold", str(seed_gold), "--json", str(out)]
    result = runner.invoke(app, ["compare", "rules", "incident@v1", *args])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    rules, v1 = report["sides"]
    assert (rules["label"], v1["label"]) == ("rules", "incident@v1")
    assert rules["tokens_per_article"] == 0 and v1["tokens_per_article"] > 0

    # each side's numbers are exactly its own eval report's
    for side in (rules, v1):
        exported = tmp_path / f"{side['label']}.jsonl"
        assert (
            runner.invoke(app, ["runs", "export", side["run_id"], "-o", str(exported)]).exit_code
            == 0
        )
        evaluated = tmp_path / f"{side['label']}.report.json"
        scored = runner.invoke(
            app,
            [
                "eval",
                "--predictions",
                str(exported),
                "--gold",
                str(seed_gold),
                "--json",
                str(evaluated),
            ],
        )
        assert scored.exit_code == 0, scored.output
        own = json.loads(evaluated.read_text())
        assert side["micro_f1"] == own["micro"]["f1"]
        assert side["macro_f1"] == own["macro"]["f1"]
        assert side["hallucination_rate"] == own["hallucination_rate"]
        assert side["fields_f1"] == {name: f["f1"] for name, f in own["fields"].items()}
        assert f"{side['micro_f1']:.3f}" in result.stdout

    [pair] = report["pairs"]
    assert pair["delta_micro_f1"] == pytest.approx(v1["micro_f1"] - rules["micro_f1"])
    assert pair["ci_low"] <= pair["delta_micro_f1"] <= pair["ci_high"] and 0 <= pair["p_value"] <= 1
    assert pair["articles"] == 3
    # the disagreement queue lists units where the two sides predicted different values
    assert report["disagreements"] and all(
        set(d["values"]) == {"rules", "incident@v1"} for d in report["disagreements"]
    )
    assert "where the sides disagree" in result.stdout


def line(doc_id: str, **fields: Any) -> PredictionLine:
    return PredictionLine(doc_id=doc_id, model="m", record=IncidentRecord.model_validate(fields))


def test_identical_sides_have_zero_delta_and_no_disagreements() -> None:
    gold = load_gold("evals/gold")
    lines = [line(doc_id, city="Chicago", state="IL") for doc_id in SEED_IDS]
    report = compare_sides([Side("a", lines), Side("b", list(lines))], gold)
    [pair] = report.pairs
    assert (
        pair.delta_micro_f1 == 0
        and (pair.ci_low, pair.ci_high) == (0.0, 0.0)
        and pair.p_value == 1.0
    )
    assert report.disagreements == []
    assert all(test.p_value is None for test in pair.fields.values())  # no discordant units


def test_mcnemar_exact_and_per_field_counts() -> None:
    assert mcnemar(0, 6) == pytest.approx(2 * 0.5**6)
    assert mcnemar(3, 3) == pytest.approx(1.0)
    gold = load_gold("evals/gold")
    # side b gets state right on all three seeds, side a leaves it null (missed)
    a = [line(doc_id) for doc_id in SEED_IDS]
    b = [line(doc_id, state="IL") for doc_id in SEED_IDS]
    report = compare_sides([Side("a", a), Side("b", b)], {k: gold[k] for k in SEED_IDS})
    state = report.pairs[0].fields["state"]
    assert (state.a_only_right, state.b_only_right) == (0, 3)
    assert state.p_value == pytest.approx(0.25)
    assert [(d.doc_id, d.values) for d in report.disagreements if d.field == "state"] == [
        (doc_id, {"a": None, "b": "IL"}) for doc_id in SEED_IDS
    ]


def test_paired_bootstrap_sees_a_consistent_improvement() -> None:
    gold = load_gold("evals/gold")
    a = [line(doc_id) for doc_id in gold]
    b = [line(doc_id, state=gold[doc_id].record.state) for doc_id in gold]
    low, high, p, n = paired_bootstrap(score(a, gold), score(b, gold), resamples=500)
    assert n == len(gold) and low is not None and high is not None and p is not None
    assert 0 < low <= high and p < 0.01


def test_a_side_with_no_prediction_for_any_gold_article_is_warned_about(
    tmp_path: Path, seed_gold: Path
) -> None:
    from extractor.store import RunStore

    # a stored run on other articles than the gold labels: none of its doc_ids has gold
    ran = runner.invoke(app, ["run", "evals/heldout/articles", "-o", str(tmp_path / "h.jsonl")])
    assert ran.exit_code == 0, ran.output
    with RunStore() as store:
        [stored] = store.runs()
    out = tmp_path / "compare.json"
    args = ["--articles", "seeds", "--gold", str(seed_gold), "--json", str(out)]
    result = runner.invoke(app, ["compare", "rules", stored.run_id, *args])
    assert result.exit_code == 0, result.output
    [warning] = json.loads(out.read_text())["warnings"]
    assert f"'rules ({stored.run_id})'" in warning  # names the side, not the rules one
    assert "no prediction for any of the 3 gold articles" in warning
    assert "warning:" in result.stderr and stored.run_id in result.stderr
    assert "no prediction for any" in result.stdout  # the printed report says it too


def test_sides_that_cover_the_gold_articles_get_no_warning() -> None:
    gold = {k: v for k, v in load_gold("evals/gold").items() if k in SEED_IDS}
    lines = [line(doc_id, city="Chicago") for doc_id in SEED_IDS[:1]]  # one of three is enough
    assert compare_sides([Side("a", lines), Side("b", lines)], gold).warnings == []


def test_each_side_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.eval.scoring as scoring

    judged: list[str] = []
    real = scoring.score_article

    def counting(label: Any, found: Any) -> Any:
        judged.append(label.doc_id)
        return real(label, found)

    monkeypatch.setattr(scoring, "score_article", counting)
    gold = {k: v for k, v in load_gold("evals/gold").items() if k in SEED_IDS}
    sides = [Side(name, [line(doc_id, state="IL") for doc_id in SEED_IDS]) for name in "abc"]
    compare_sides(sides, gold)
    assert sorted(judged) == sorted(SEED_IDS * 3)  # three sides, three articles each, once


def test_library_compare_resolves_sides_like_the_cli(seed_gold: Path) -> None:
    import extractor

    report = extractor.compare(["rules", "rules"], gold=seed_gold, articles=["seeds"])
    assert [side.label for side in report.sides] == ["rules", "rules #2"]
    assert all(side.run_id for side in report.sides)  # each extraction is a stored run
    [pair] = report.pairs
    assert pair.delta_micro_f1 == 0 and report.disagreements == [] and report.warnings == []
    with pytest.raises(extractor.ExtractorError, match="at least two sides"):
        extractor.compare(["rules"], gold=seed_gold)


def test_resolved_sides_keep_their_lines_and_can_be_compared_again(seed_gold: Path) -> None:
    from extractor.api import compare, resolve_sides

    sides = resolve_sides(["rules", "rules"], articles=["seeds"])
    assert [(s.label, len(s.lines)) for s in sides] == [("rules", 3), ("rules #2", 3)]
    again = compare(sides, gold=seed_gold)  # Side objects are used as they are: no new run
    assert [s.run_id for s in again.sides] == [s.run_id for s in sides]
