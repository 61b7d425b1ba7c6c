"""``extractor run --batch`` with an ``anthropic/`` model: Anthropic's Message Batches.

The real ``anthropic`` SDK and instructor talk to the simulator's ``/v1/messages`` and
``/v1/messages/batches`` (:mod:`benchmarks.sim_anthropic`) on loopback. Anthropic's batches have
no input file and no metadata, so a kill after the create call but before its id is recorded is
recovered from the ``submitting`` time in the run store: these tests kill a real subprocess there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import anthropic
import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, Simulator, run_simulator
from extractor.cli import app
from extractor.pricing import load_prices
from extractor.runner import run
from extractor.settings import Settings
from tests.batch_fixtures import lines_of, write_inputs
from tests.test_batch_crash import ROOT, wait_until

pytestmark = pytest.mark.slow  # the simulator, and subprocesses

MODEL = "anthropic/claude-3-5-haiku-latest"  # priced in extractor/data/prices.json
ENV = {"ANTHROPIC_API_KEY": "sk-ant-test-dummy", "EXTRACTOR_BATCH_POLL_S": "0.02"}
REPORT = re.compile(r"Report number (\d+)\.")


@pytest.fixture(autouse=True)
def batch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def run_args(inputs: Path, output: Path, sim: Simulator) -> list[str]:
    return [
        "run", str(inputs), "-o", str(output), "--model", MODEL,
        "--base-url", sim.anthropic.base_url, "--batch", "--concurrency", "4",
    ]  # fmt: skip


def settings_for(sim: Simulator, **values: object) -> Settings:
    return Settings(
        model=MODEL, base_url=sim.anthropic.base_url, api_key="sk-x", batch_poll_s=0.02,
        **values,  # type: ignore[arg-type]
    )  # fmt: skip


def articles_in_batches(sim: Simulator) -> Counter[int]:
    """How many batches each article (by its report number) was submitted in."""
    return Counter(
        int(REPORT.search(json.dumps(line["params"]["messages"])).group(1))  # type: ignore[union-attr]
        for batch_id in sim.anthropic.snapshot()["created"]
        for line in sim.anthropic.input_lines(batch_id)
    )


def check_each_article_once(output: Path, n: int, sim: Simulator) -> None:
    """One line per article, its own article's record; no article in two batches."""
    lines = lines_of(output)
    assert Counter(line.doc_id for line in lines) == Counter(f"doc{i:04d}" for i in range(n))
    assert all(line.ok for line in lines), [line.error for line in lines if not line.ok]
    for line in lines:  # the simulator's answer quotes the article's "the {i} block"
        assert f"the {int(line.doc_id[3:])} block" in line.to_json(), line.doc_id
    assert articles_in_batches(sim) == Counter(range(n)), "an article was in two batches"


def test_the_batch_request_is_the_synchronous_request(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 1)
    with run_simulator(SimConfig(record_bodies=True)) as sim:
        run([inputs], tmp_path / "sync.jsonl", settings=settings_for(sim))
        run([inputs], tmp_path / "batch.jsonl", settings=settings_for(sim, cache=False), batch=True)
        (batch_id,) = sim.anthropic.snapshot()["created"]
        (line,) = sim.anthropic.input_lines(batch_id)
        (sync,) = sim.anthropic.bodies
    assert line["custom_id"] == "r0"
    assert line["params"] == sync  # model, messages, max_tokens, system, tools, tool_choice
    assert line["params"]["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert line["params"]["tool_choice"]["type"] == "tool"


def test_mixed_results_reask_only_the_failures_at_batch_prices(tmp_path: Path) -> None:
    n = 60
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    config = SimConfig(batch_p_invalid=0.1, batch_p_error=0.1, batch_expire_after=0.8, seed=3)
    with run_simulator(config) as sim:
        code, out = invoke(run_args(inputs, output, sim))
        assert code == 0, out
        check_each_article_once(output, n, sim)
        outcomes = sim.anthropic.snapshot()["outcomes"]
        assert all(outcomes[kind] > 0 for kind in ("ok", "schema_violation", "errored", "expired"))
        failed = outcomes["schema_violation"] + outcomes["errored"] + outcomes["expired"]
        assert sim.stats.requests == failed  # only the failures, synchronously, once each
    lines = lines_of(output)
    assert sum(line.attempts == 2 for line in lines) == failed
    price = load_prices()[MODEL]
    batch = price.batch()
    assert batch is not None
    clean = [line for line in lines if line.attempts == 1]
    assert len(clean) == outcomes["ok"]
    assert all(line.cost_usd == round(batch.cost_of(line.usage), 8) for line in clean)
    assert sum(line.usage.cached_tokens for line in clean) > 0  # cache reads, read and priced
    total = sum(line.cost_usd or 0 for line in lines)
    assert total < 0.7 * sum(price.cost_of(line.usage) for line in lines)
    flat = " ".join(out.split())
    assert f"${total:.4f}" in flat
    assert (
        f"{outcomes['ok']} batch answers valid, {failed} re-asked synchronously "
        f"({outcomes['schema_violation']} invalid, 0 empty, "
        f"{outcomes['errored'] + outcomes['expired']} provider errors)"
    ) in flat


def test_runs_cancel_then_resume_extracts_the_canceled_articles_synchronously(
    tmp_path: Path,
) -> None:
    n = 8
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(batch_in_progress_s=60)) as sim:

        def stop(batches: list) -> None:
            if any(b.status == "in_progress" for _, b in batches):
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run([inputs], output, settings=settings_for(sim), batch=True, on_batch=stop)
        (run_id,) = [r["run_id"] for r in json.loads(invoke(["runs", "list", "--json"])[1])]
        code, out = invoke(["runs", "cancel", run_id])
        assert code == 0, out
        (batch_id,) = sim.anthropic.snapshot()["created"]
        assert f"batch {batch_id}: cancelling" in out
        code, out = invoke(["runs", "resume", run_id])
        assert code == 0, out
        check_each_article_once(output, n, sim)
        assert sim.anthropic.snapshot()["outcomes"] == {"canceled": n}
        assert sim.stats.requests == n
        code, out = invoke(["runs", "cancel", run_id])
        assert code == 0 and f"batch {batch_id}: cancelled" in out


def kill_at(
    tmp_path: Path, sim: Simulator, n: int, endpoint: str, nth: int = 1, **env: str
) -> tuple[list[str], Path]:
    """Start ``run --batch`` in a subprocess and SIGKILL it once the ``nth`` call of
    ``endpoint`` arrived, before it hears the answer (``create``: the batch was created)."""
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    args = run_args(inputs, output, sim)
    sim.anthropic.hold(endpoint, after=nth - 1)
    with subprocess.Popen(
        [sys.executable, "-m", "extractor", *args, "--quiet"], env={**os.environ, **ENV, **env},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as process:  # fmt: skip
        wait_until(lambda: sim.anthropic.calls[endpoint] >= nth, process)
        process.kill()
        assert process.wait(10) == -signal.SIGKILL
    sim.anthropic.release()
    return args, output


def kill_after_create(tmp_path: Path, sim: Simulator, n: int) -> tuple[list[str], Path]:
    """SIGKILL ``run --batch`` once its batch is created, before it hears the batch's id."""
    args, output = kill_at(tmp_path, sim, n, "create")
    assert len(sim.anthropic.snapshot()["created"]) == 1
    return args, output


def test_killed_after_create_the_rerun_adopts_the_batch_it_never_heard_of(
    tmp_path: Path,
) -> None:
    n = 12
    with run_simulator(SimConfig(batch_p_invalid=0.2, seed=5)) as sim:
        args, output = kill_after_create(tmp_path, sim, n)
        created = sim.anthropic.snapshot()["created"]
        code, out = invoke(args)
        assert code == 0, out
        assert sim.anthropic.snapshot()["created"] == created  # adopted, not created again
        check_each_article_once(output, n, sim)
        assert sim.stats.requests == sim.anthropic.snapshot()["outcomes"]["schema_violation"]
    assert "(0 submitted by this run)" in " ".join(out.split())


def test_two_unrecorded_candidates_are_refused_until_one_is_cancelled(tmp_path: Path) -> None:
    n = 5
    with run_simulator(SimConfig(batch_in_progress_s=60)) as sim:
        args, output = kill_after_create(tmp_path, sim, n)
        (ours,) = sim.anthropic.snapshot()["created"]
        # another client on the same key creates a batch of the same size meanwhile
        client = anthropic.Anthropic(base_url=sim.anthropic.base_url, api_key="sk-other")
        other = client.messages.batches.create(requests=sim.anthropic.input_lines(ours)).id  # type: ignore[arg-type]
        code, out = invoke(args)
        assert code == 1, out
        message = " ".join(out.split())
        assert "2 unrecorded batches of 5 requests were created since" in message
        assert (
            ours in message
            and other in message
            and "cancel (or, once ended, delete) those" in message
        )
        assert len(sim.anthropic.snapshot()["created"]) == 2  # nothing created
        client.messages.batches.cancel(other)
        sim.anthropic.set_timing(in_progress_s=0.0)
        code, out = invoke(args)
        assert code == 0, out
        assert len(sim.anthropic.snapshot()["created"]) == 2
        assert len(lines_of(output)) == n
    assert "(0 submitted by this run)" in " ".join(out.split())


def test_killed_while_a_later_create_call_was_lost_the_rerun_creates_that_batch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n, per_batch = 9, {"EXTRACTOR_BATCH_MAX_REQUESTS": "3"}
    with run_simulator(SimConfig(batch_p_invalid=0.2, seed=5)) as sim:
        # the 2nd job is recorded ``submitting``, but its create call never made a batch
        args, output = kill_at(tmp_path, sim, n, "receive", nth=2, **per_batch)
        (first,) = sim.anthropic.snapshot()["created"]
        for name, value in per_batch.items():
            monkeypatch.setenv(name, value)
        code, out = invoke(args)
        assert code == 0, out
        created = sim.anthropic.snapshot()["created"]
        assert len(created) == 3 and first in created  # the 1st kept, the lost one made once
        check_each_article_once(output, n, sim)
        assert sim.stats.requests == sim.anthropic.snapshot()["outcomes"]["schema_violation"]
    assert "(6 submitted by this run)" in " ".join(out.split())
