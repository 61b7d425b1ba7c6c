"""``extractor run --batch`` against the simulator's files and batches endpoints.

Each test drives the real ``openai`` client (files, batches, chat completions) and instructor on
loopback; the simulator plays OpenAI's Batch API: status transitions, output and error files,
expiry, partial and whole-batch failure, cancellation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, default_answer, run_simulator
from extractor.cli import app
from extractor.pricing import Price
from extractor.runner import run
from extractor.settings import Settings
from tests.batch_fixtures import (
    article,
    check_each_article_once,
    lines_of,
    run_args,
    write_inputs,
    write_prices,
)

pytestmark = pytest.mark.slow  # the simulator


@pytest.fixture(autouse=True)
def batch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    monkeypatch.setenv("EXTRACTOR_BATCH_POLL_S", "0.02")


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_200_articles_3_percent_invalid_reasks_only_the_failures_at_batch_prices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 200
    monkeypatch.setenv("EXTRACTOR_BATCH_MAX_REQUESTS", "64")
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(batch_p_invalid=0.03, seed=3)) as sim:
        code, out = invoke(run_args(inputs, output, sim, write_prices(tmp_path / "p.json")))
        assert code == 0, out
        lines = check_each_article_once(output, n, sim)
        invalid = sim.batches.snapshot()["outcomes"]["schema_violation"]
        assert invalid > 0
        assert len(sim.batches.snapshot()["created"]) == 4  # 64 + 64 + 64 + 8
        assert sim.stats.requests == invalid  # only the failures went to /chat/completions
    reasked = [line for line in lines if line.attempts == 2]
    assert len(reasked) == invalid and all(
        line.attempts == 1 for line in lines if line not in reasked
    )
    batch, sync = Price(0.5, 2.0), Price(1.0, 4.0)
    clean = next(line for line in lines if line.attempts == 1)
    assert clean.cost_usd == round(
        batch.cost(clean.usage.prompt_tokens, clean.usage.completion_tokens), 8
    )
    total = sum(line.cost_usd or 0 for line in lines)
    at_list = sum(
        sync.cost(line.usage.prompt_tokens, line.usage.completion_tokens) for line in lines
    )
    assert total < 0.6 * at_list  # batch-priced, the synchronous re-asks at the list price
    assert f"${total:.4f}" in out
    assert (
        f"4 batches, {n} requests ({n} submitted by this run); {n - invalid} batch answers valid, {invalid} re-asked synchronously ({invalid} invalid"
        in " ".join(out.split())
    )


def test_the_batch_request_is_the_synchronous_request(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 1)
    with run_simulator(SimConfig(record_bodies=True)) as sim:
        settings = Settings(model="openai/sim-1", base_url=sim.base_url, api_key="sk-x")
        run([inputs], tmp_path / "sync.jsonl", settings=settings)
        run(
            [inputs],
            tmp_path / "batch.jsonl",
            settings=settings.model_copy(update={"cache": False}),
            batch=True,
        )
        (batch_id,) = sim.batches.snapshot()["created"]
        (line,) = sim.batches.input_lines(batch_id)
    assert line["custom_id"] == "doc0000" and line["url"] == "/v1/chat/completions"
    assert line["body"] == sim.bodies[0]  # same model, messages, tools and tool_choice
    assert line["body"]["tools"][0]["function"]["parameters"]["properties"]["evidence"]


def test_statuses_pass_validating_in_progress_finalizing_completed(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 30)
    seen: list[tuple[str, int]] = []
    config = SimConfig(batch_validating_s=0.2, batch_in_progress_s=0.5, batch_finalizing_s=0.6)
    with run_simulator(config) as sim:
        settings = Settings(
            model="openai/sim-1", base_url=sim.base_url, api_key="sk-x", batch_poll_s=0.02
        )
        summary = run(
            [inputs], tmp_path / "out.jsonl", settings=settings, batch=True,
            on_batch=lambda batches: seen.extend((b.status, b.completed) for _, b in batches),
        )  # fmt: skip
        check_each_article_once(tmp_path / "out.jsonl", 30, sim)
    statuses = [status for status, _ in seen]
    order = ["validating", "in_progress", "finalizing", "completed"]
    assert [s for s in order if s in statuses] == order
    assert sorted(statuses, key=order.index) == statuses  # never back
    progress = [done for status, done in seen if status == "in_progress"]
    assert progress == sorted(progress) and progress[-1] < 30
    assert summary.batch is not None and summary.batch["reasked"] == 0


@pytest.mark.parametrize(
    ("config", "kind"),
    [
        (SimConfig(batch_expire_after=0.5), "batch_expired"),
        (SimConfig(batch_p_error=0.2, seed=5), "500"),
    ],
    ids=["expired", "partial-failure"],
)
def test_requests_the_batch_did_not_answer_are_asked_synchronously(
    tmp_path: Path, config: SimConfig, kind: str
) -> None:
    n = 40
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(config) as sim:
        code, out = invoke(run_args(inputs, output, sim, write_prices(tmp_path / "p.json")))
        assert code == 0, out
        check_each_article_once(output, n, sim)
        missing = sim.batches.snapshot()["outcomes"][kind]
        assert missing > 0 and sim.stats.requests == missing
    assert f"{missing} provider errors" in " ".join(out.split())


def test_a_failed_batch_sends_every_article_synchronously(tmp_path: Path) -> None:
    n = 12
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(batch_fail=True)) as sim:
        code, out = invoke(run_args(inputs, output, sim, write_prices(tmp_path / "p.json")))
        assert code == 0, out
        check_each_article_once(output, n, sim)
        assert sim.stats.requests == n
    assert all(line.attempts == 2 for line in lines_of(output))


def test_ungrounded_and_empty_batch_answers_are_reasked_with_the_error(tmp_path: Path) -> None:
    def answer(article_text: str, request: dict) -> dict:
        record = default_answer(article_text)
        if len(request["messages"]) > 2:
            return record  # a re-ask, or the synchronous path's nudge: a good answer
        if "Report number 1." in article_text:
            record["evidence"] = [
                {"field": "city", "quote": "the windy city"},
                {"field": "state", "quote": "CHICAGO"},
            ]
        if "Report number 2." in article_text:
            record = {**default_answer("No incident."), "city": None, "state": None, "evidence": []}
        return record

    inputs, output = write_inputs(tmp_path / "in.jsonl", 4), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(answer=answer, record_bodies=True)) as sim:
        code, out = invoke(run_args(inputs, output, sim, write_prices(tmp_path / "p.json")))
        assert code == 0, out
        check_each_article_once(output, 4, sim)
        # the ungrounded answer re-asked with its error; the empty one asked synchronously,
        # where it is empty again and nudged once (the synchronous path's own follow-up)
        assert len(sim.bodies) == 3
    ungrounded = next(b for b in sim.bodies if "Report number 1." in json.dumps(b))
    turns = ungrounded["messages"]
    assert turns[-2]["role"] == "assistant" and turns[-1]["role"] == "tool"
    assert "the windy city" in turns[-1]["content"]  # instructor's re-ask, with the error
    flat = " ".join(out.split())
    assert "2 re-asked synchronously (1 invalid, 1 empty, 0 provider errors)" in flat
    by_id = {line.doc_id: line for line in lines_of(output)}
    assert by_id["doc0001"].evidence["city"].grounded and by_id["doc0001"].attempts == 2
    assert by_id["doc0002"].evidence and by_id["doc0002"].attempts == 3


def test_interrupted_while_running_the_rerun_polls_the_same_batches(tmp_path: Path) -> None:
    n = 20
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(batch_in_progress_s=60)) as sim:
        settings = Settings(
            model="openai/sim-1", base_url=sim.base_url, api_key="sk-x", batch_poll_s=0.02,
            batch_max_requests=8,
        )  # fmt: skip

        def stop(batches: list) -> None:
            if any(b.status == "in_progress" for _, b in batches):
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run([inputs], output, settings=settings, batch=True, on_batch=stop)
        created = sim.batches.snapshot()["created"]
        assert len(created) == 3 and not output.read_bytes()
        sim.batches.set_timing(in_progress_s=0.0)
        summary = run([inputs], output, settings=settings, batch=True)
        assert sim.batches.snapshot()["created"] == created  # no batch created again
        check_each_article_once(output, n, sim)
    assert summary.batch is not None and summary.batch["submitted"] == 0


def test_runs_cancel_then_resume_extracts_the_cancelled_articles_synchronously(
    tmp_path: Path,
) -> None:
    n = 10
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(batch_in_progress_s=60)) as sim:
        settings = Settings(
            model="openai/sim-1", base_url=sim.base_url, api_key="sk-x", batch_poll_s=0.02
        )

        def stop(batches: list) -> None:
            if any(b.status == "in_progress" for _, b in batches):
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run([inputs], output, settings=settings, batch=True, on_batch=stop)
        (run_id,) = [r["run_id"] for r in json.loads(invoke(["runs", "list", "--json"])[1])]
        code, out = invoke(["runs", "cancel", run_id[:12]])
        assert code == 0, out
        (batch_id,) = sim.batches.snapshot()["created"]
        assert f"batch {batch_id}: cancelling" in out
        code, out = invoke(["runs", "resume", run_id])
        assert code == 0, out
        check_each_article_once(output, n, sim)
        assert sim.batches.snapshot()["outcomes"] == {"batch_cancelled": n}
        assert sim.stats.requests == n  # each cancelled article once, synchronously
        code, out = invoke(["runs", "cancel", run_id])
        assert code == 0 and f"batch {batch_id}: cancelled" in out  # ended: nothing to cancel


def test_batch_needs_an_output_file_and_an_llm(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 1)
    code, out = invoke(["run", str(inputs), "--model", "openai/sim-1", "--batch"])
    assert code == 2 and "--batch needs an output file" in out and "pass -o FILE" in out
    code, out = invoke(
        ["run", str(inputs), "--model", "rules", "--batch", "-o", str(tmp_path / "o.jsonl")]
    )
    assert code == 2 and "--batch needs an LLM model, not 'rules'" in out


def test_overwrite_starts_new_batches(tmp_path: Path) -> None:
    n = 5
    inputs, output = write_inputs(tmp_path / "in.jsonl", n), tmp_path / "out.jsonl"
    with run_simulator() as sim:
        args = [*run_args(inputs, output, sim, write_prices(tmp_path / "p.json")), "--no-cache"]
        assert invoke(args)[0] == 0
        assert invoke(args)[0] == 0  # resumed: all done, nothing submitted
        assert len(sim.batches.snapshot()["created"]) == 1
        assert invoke([*args, "--overwrite"])[0] == 0
        assert len(sim.batches.snapshot()["created"]) == 2
    assert len(lines_of(output)) == n


def test_a_batch_api_with_its_own_ids_and_limits_gets_every_answer_back_to_its_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seam another provider plugs into: ids by position (Anthropic allows only
    ``[a-zA-Z0-9_-]{1,64}``, a doc id may hold ``@``, ``.``, spaces or ``\\xff``) and a
    provider's own per-batch limit, mapped back through the run store's order of each batch."""
    from extractor.batch import BATCH_APIS
    from extractor.batch.openai import OpenAIBatchAPI

    class Positional(OpenAIBatchAPI):
        max_requests = 7

        def custom_id(self, doc_id: str, position: int) -> str:
            return f"req-{position}"

    monkeypatch.setitem(BATCH_APIS, "openai", lambda provider, model: Positional(provider, model))
    ids = [f"{name}{i}" for i in range(4) for name in ("a@b.c ", "caf\\xff ", "plain_")]
    inputs, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inputs.write_text(
        "".join(json.dumps({"doc_id": d, "text": article(i)}) + "\n" for i, d in enumerate(ids)),
        encoding="utf-8",
    )
    with run_simulator(SimConfig(batch_p_invalid=0.25, seed=4)) as sim:
        settings = Settings(
            model="openai/sim-1", base_url=sim.base_url, api_key="sk-x", batch_poll_s=0.02
        )
        run([inputs], output, settings=settings, batch=True)
        created = sim.batches.snapshot()["created"]
        invalid = sim.batches.snapshot()["outcomes"]["schema_violation"]
        assert invalid > 0 and sim.stats.requests == invalid
    assert [len(custom_ids) for custom_ids in created.values()] == [7, 5]
    assert {c for custom_ids in created.values() for c in custom_ids} == {
        f"req-{i}" for i in range(7)
    }
    lines = lines_of(output)
    assert sorted(line.doc_id for line in lines) == sorted(ids) and all(x.ok for x in lines)
    by_id = {line.doc_id: line for line in lines}
    # each answer is its own article's: the simulator quotes the article's "Report number i."
    for i, doc_id in enumerate(ids):
        assert f"{i} block" in by_id[doc_id].to_json(), doc_id


def test_cached_and_too_long_articles_are_not_put_in_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def text(i: int) -> str:
        return article(i) * (200 if i == 0 else 1)  # doc0000: ~30,000 characters

    monkeypatch.setenv("EXTRACTOR_MAX_INPUT_TOKENS", "2000")
    inputs = write_inputs(tmp_path / "in.jsonl", 4, text)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    with run_simulator() as sim:
        prices = write_prices(tmp_path / "p.json")
        assert invoke(run_args(inputs, first, sim, prices))[0] == 1  # doc0000 is an error line
        [batch] = sim.batches.snapshot()["created"].values()
        assert sorted(batch) == ["doc0001", "doc0002", "doc0003"]
        assert invoke(run_args(inputs, second, sim, prices))[0] == 1
        assert len(sim.batches.snapshot()["created"]) == 1  # the rest came from the cache
    for output in (first, second):
        lines = {line.doc_id: line for line in lines_of(output)}
        assert lines["doc0000"].error is not None and "tokens" in lines["doc0000"].error.message
        assert all(lines[f"doc000{i}"].ok for i in (1, 2, 3))
    assert all(lines[f"doc000{i}"].cached for i in (1, 2, 3))
