"""``--max-cost``: refused before sending when the estimate is over, stopped before a request could
pass the cap (re-asks included), resumable, through the real openai client on the simulator."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, Simulator, run_simulator
from extractor.cli import app
from tests.batch_fixtures import lines_of, write_inputs

pytestmark = pytest.mark.slow  # the simulator

#: Prompt tokens only: the simulator's answers are tiny, so what a run spends is its prompts, and
#: a re-ask or a nudge (which resends the whole prompt) costs as much as a first attempt.
PRICE = {"input_per_mtok": 1.0, "output_per_mtok": 0.0,
         "batch_input_per_mtok": 0.5, "batch_output_per_mtok": 0.0}  # fmt: skip


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    monkeypatch.setenv("EXTRACTOR_BATCH_POLL_S", "0.02")


def no_city(i: int) -> str:
    """An article the simulator answers with an empty record: each is nudged once (2 calls)."""
    return f"A deputy shot a man on the {i} block of Elm Street on Tuesday, officials said."


def invoke(
    sim: Simulator, inputs: Path, output: Path, prices: Path, *extra: str
) -> tuple[int, str]:
    args = [
        "run", str(inputs), "-o", str(output), "-m", "openai/sim-1", "--base-url",
        sim.base_url, "--prices", str(prices), "--concurrency", "2", *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return result.exit_code, " ".join(result.output.split())


def prices_file(tmp_path: Path, model: str = "openai/sim-1") -> Path:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({model: PRICE}), encoding="utf-8")
    return path


def estimate_of(message: str) -> float:
    found = re.search(r"could cost up to \$([0-9.]+)", message)
    assert found, message
    return float(found.group(1))


def billed(sim: Simulator, per_mtok: float = PRICE["input_per_mtok"]) -> float:
    """What the simulator's own usage reports add up to (the provider's bill)."""
    return sim.stats.tokens["prompt"] * per_mtok / 1e6


def test_an_estimate_over_the_cap_is_refused_before_any_request(tmp_path: Path) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl", 5, no_city), tmp_path / "out.jsonl"
    with run_simulator() as sim:
        code, out = invoke(sim, inputs, output, prices_file(tmp_path), "--max-cost", "0.001")
        assert sim.stats.requests == 0
    assert code == 2, out
    assert out.startswith("error: the run could cost up to $")
    assert "over --max-cost $0.001 (5 articles to do, 5 requests:" in out
    assert "prompt tokens (request bytes / 3)" in out and "max_tokens of each" in out
    assert "at the list price $1 / $0 per million tokens" in out
    assert "hint: raise --max-cost" in out
    assert not output.exists()


def test_the_cap_from_the_environment_refuses_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl", 3, no_city), tmp_path / "out.jsonl"
    monkeypatch.setenv("EXTRACTOR_MAX_COST", "0.0005")
    with run_simulator() as sim:
        code, out = invoke(sim, inputs, output, prices_file(tmp_path))
        assert sim.stats.requests == 0
    assert code == 2 and "over --max-cost $0.0005 (3 articles to do" in out, out
    monkeypatch.setenv("EXTRACTOR_MAX_COST", "-1")
    with run_simulator() as sim:
        code, out = invoke(sim, inputs, output, prices_file(tmp_path))
    assert code == 2 and "EXTRACTOR_MAX_COST='-1' is invalid" in out, out


def test_a_run_stops_at_the_cap_and_a_rerun_with_a_higher_cap_finishes_each_article_once(
    tmp_path: Path,
) -> None:
    n = 12
    inputs, output = write_inputs(tmp_path / "in.jsonl", n, no_city), tmp_path / "out.jsonl"
    prices = prices_file(tmp_path)
    with run_simulator() as sim:
        _, refusal = invoke(sim, inputs, output, prices, "--max-cost", "0")
        # the estimate holds one first attempt per article; the nudges make the run cost more
        cap = estimate_of(refusal)
        code, out = invoke(sim, inputs, output, prices, "--max-cost", str(cap))
        first_bill = billed(sim)
    assert code == 3, out
    written = lines_of(output)
    assert 0 < len(written) < n and all(line.ok for line in written)
    assert first_bill <= cap  # the provider's own count, every request included
    spent = re.search(r"stopped at the cost cap: \$([0-9.]+) spent of --max-cost", out)
    assert spent and float(spent.group(1)) <= cap, out
    assert f"{n - len(written)} articles not written" in out
    assert "rerun the same command with a higher --max-cost" in out
    before = output.read_bytes()

    with run_simulator() as sim:
        code, out = invoke(sim, inputs, output, prices, "--max-cost", "10")
    assert code == 0, out
    lines = lines_of(output)
    assert Counter(line.doc_id for line in lines) == Counter(f"doc{i:04d}" for i in range(n))
    assert output.read_bytes().startswith(before)  # the finished lines were kept as they were


def test_an_article_that_never_validates_cannot_re_ask_past_the_cap(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 1, lambda i: "ALWAYS-BAD " + no_city(i))
    output, prices = tmp_path / "out.jsonl", prices_file(tmp_path)
    config = SimConfig(article_scripts={"ALWAYS-BAD": ["schema_violation"] * 30})
    with run_simulator(config) as sim:
        _, refusal = invoke(sim, inputs, output, prices, "--max-cost", "0")
        cap = 3 * estimate_of(refusal)  # three first attempts' worth; it would make eleven
        code, out = invoke(sim, inputs, output, prices, "--max-cost", str(cap), "--max-retries", "10")  # fmt: skip
        requests, bill = sim.stats.requests, billed(sim)
    assert code == 3, out
    assert 2 <= requests <= 4  # re-asks were sent until the next one could pass the cap
    assert bill <= cap
    assert "1 articles not written" in out
    assert lines_of(output) == []  # not an error line: a rerun with a higher cap retries it


def test_a_model_without_a_price_cannot_be_capped_and_rules_costs_nothing(tmp_path: Path) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl", 2, no_city), tmp_path / "out.jsonl"
    other = prices_file(tmp_path, model="openai/another")
    with run_simulator() as sim:
        code, out = invoke(sim, inputs, output, other, "--max-cost", "5")
        assert sim.stats.requests == 0
    assert code == 2, out
    assert "error: --max-cost $5 cannot be enforced: 'openai/sim-1' has no price in the price table" in out  # fmt: skip
    assert '--prices FILE, e.g. {"openai/sim-1": {"input_per_mtok": 0, "output_per_mtok": 0}}' in out  # fmt: skip
    rules = ["run", str(inputs), "-o", str(tmp_path / "rules.jsonl"), "-m", "rules"]
    result = CliRunner().invoke(app, [*rules, "--max-cost", "0"])
    assert result.exit_code == 0, result.output
    assert len(lines_of(tmp_path / "rules.jsonl")) == 2


def test_batch_is_estimated_at_batch_prices_and_refused_before_upload(tmp_path: Path) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl", 4, no_city), tmp_path / "out.jsonl"
    prices = prices_file(tmp_path)
    with run_simulator() as sim:
        _, at_list = invoke(sim, inputs, output, prices, "--max-cost", "0")
        code, out = invoke(sim, inputs, output, prices, "--max-cost", "0", "--batch")
        assert sim.batches.snapshot()["files"] == 0 and sim.stats.requests == 0  # no upload
    assert code == 2, out
    assert "at the batch price $0.5 / $0 per million tokens" in out
    assert estimate_of(out) == pytest.approx(estimate_of(at_list) / 2, abs=2e-6)
    assert not output.exists()


def test_batch_answers_count_and_their_synchronous_re_asks_stop_at_the_cap(
    tmp_path: Path,
) -> None:
    n = 4
    inputs, output = write_inputs(tmp_path / "in.jsonl", n, no_city), tmp_path / "out.jsonl"
    prices = prices_file(tmp_path)
    with run_simulator(SimConfig(batch_p_invalid=1.0)) as sim:
        _, refusal = invoke(sim, inputs, output, prices, "--max-cost", "0", "--batch")
        cap = estimate_of(refusal)  # the batch fits; re-asking all four at the list price does not
        code, out = invoke(sim, inputs, output, prices, "--max-cost", str(cap), "--batch")
        assert len(sim.batches.snapshot()["created"]) == 1
        reasks = sim.stats.requests
    assert code == 3, out
    assert reasks < n
    assert f"{n - len(lines_of(output))} articles not written" in out
