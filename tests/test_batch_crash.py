"""A ``run --batch`` killed (SIGKILL) at each stage and rerun never submits an article twice.

``extractor run --batch`` runs as a real subprocess against the simulator (in a thread of the
test process, on loopback). The simulator holds the answer of one endpoint (the work done: the
file stored, the batch created, the content read) or keeps the batch running, so the process is
killed exactly at that stage; then the same command is run again, and every article must end
with exactly one line, having been in exactly one provider batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, Simulator, run_simulator
from extractor.cli import app
from tests.batch_fixtures import check_each_article_once, run_args, write_inputs, write_prices

pytestmark = pytest.mark.slow  # subprocesses and the simulator

ROOT = Path(__file__).resolve().parents[1]
N = 60
PER_BATCH = 25  # three batches: 25 + 25 + 10
ENV = {
    "OPENAI_API_KEY": "sk-test-dummy",
    "EXTRACTOR_BATCH_POLL_S": "0.02",
    "EXTRACTOR_BATCH_MAX_REQUESTS": str(PER_BATCH),
}


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert process.poll() is None, "the run ended before the stage to kill it at"
        assert time.monotonic() < deadline, "the run never reached the stage"
        time.sleep(0.01)


def kill_at(tmp_path: Path, sim: Simulator, ready: Callable[[], bool]) -> tuple[list[str], Path]:
    inputs, output = write_inputs(tmp_path / "in.jsonl", N), tmp_path / "out.jsonl"
    args = run_args(inputs, output, sim, write_prices(tmp_path / "prices.json"))
    with subprocess.Popen(
        [sys.executable, "-m", "extractor", *args, "--quiet"], env={**os.environ, **ENV},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as process:  # fmt: skip
        wait_until(ready, process)
        process.kill()
        assert process.wait(10) == -signal.SIGKILL
    return args, output


def rerun(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("endpoint", "after"),
    [("upload", 0), ("upload", 1), ("create", 0), ("create", 1), ("content", 0), ("content", 1)],
    ids=["upload", "2nd-upload", "create", "2nd-create", "content", "2nd-content"],
)
def test_killed_at_an_endpoint_the_rerun_submits_no_article_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str, after: int
) -> None:
    with run_simulator(SimConfig(batch_p_invalid=0.05, seed=7)) as sim:
        sim.batches.hold(endpoint, after=after)  # the first ``after`` calls are answered
        args, output = kill_at(tmp_path, sim, lambda: sim.batches.calls[endpoint] > after)
        before = sim.batches.snapshot()
        if endpoint == "upload":  # the last file stored, its batch never created
            assert before["files"] == after + 1 and len(before["created"]) == after
        if endpoint == "create":  # created, but the killed process never heard the last id
            assert len(before["created"]) == after + 1
        sim.batches.release()
        rerun(args, monkeypatch)
        check_each_article_once(output, N, sim)
        created = sim.batches.snapshot()["created"]
        assert len(created) == 3
        invalid = sim.batches.snapshot()["outcomes"].get("schema_violation", 0)
        assert sim.stats.requests == invalid  # only the failures, once each


def test_killed_while_polling_the_rerun_polls_the_same_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_simulator(SimConfig(batch_in_progress_s=120)) as sim:
        args, output = kill_at(tmp_path, sim, lambda: sim.batches.calls["retrieve"] >= 6)
        created = sim.batches.snapshot()["created"]
        assert len(created) == 3 and not output.read_bytes()
        sim.batches.set_timing(in_progress_s=0.0)
        out = rerun(args, monkeypatch)
        assert sim.batches.snapshot()["created"] == created
        check_each_article_once(output, N, sim)
    assert "(0 submitted by this run)" in " ".join(out.split())


def test_killed_during_the_reasks_the_rerun_reasks_only_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = SimConfig(batch_p_invalid=0.3, seed=11, latency_ms=300)
    with run_simulator(config) as sim:
        args, output = kill_at(tmp_path, sim, lambda: sim.stats.requests >= 6)
        invalid = sim.batches.snapshot()["outcomes"]["schema_violation"]
        reasked_before = sim.stats.requests
        assert reasked_before < invalid  # killed partway through the re-asks
        written = output.read_bytes().count(b"\n")
        assert N - invalid <= written < N  # the valid batch answers, and some re-asks, were kept
        rerun(args, monkeypatch)
        check_each_article_once(output, N, sim)
        assert len(sim.batches.snapshot()["created"]) == 3
        # every failure re-asked once; only those in flight at the kill (4 at a time) twice
        assert invalid <= sim.stats.requests <= invalid + 4 * 4
