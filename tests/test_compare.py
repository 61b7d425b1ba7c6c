"""extractor compare: the rules baseline against a cassette-backed prompt version, and the stats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.compare import Side, _mcnemar, compare, paired_bootstrap
from extractor.eval import load_gold, score
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
    report = compare([Side("a", lines), Side("b", list(lines))], gold)
    [pair] = report.pairs
    assert (
        pair.delta_micro_f1 == 0
        and (pair.ci_low, pair.ci_high) == (0.0, 0.0)
        and pair.p_value == 1.0
    )
    assert report.disagreements == []
    assert all(test.p_value is None for test in pair.fields.values())  # no discordant units


def test_mcnemar_exact_and_per_field_counts() -> None:
    assert _mcnemar(0, 6) == pytest.approx(2 * 0.5**6)
    assert _mcnemar(3, 3) == pytest.approx(1.0)
    gold = load_gold("evals/gold")
    # side b gets state right on all three seeds, side a leaves it null (missed)
    a = [line(doc_id) for doc_id in SEED_IDS]
    b = [line(doc_id, state="IL") for doc_id in SEED_IDS]
    report = compare([Side("a", a), Side("b", b)], {k: gold[k] for k in SEED_IDS})
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
