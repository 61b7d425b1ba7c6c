"""A killed or interrupted ``extractor run`` loses nothing finished and resumes, each article once.

``extractor run`` runs as a real subprocess against the local simulator (in a thread of the test
process, on loopback) with enough latency that the batch takes a few seconds; it is killed
(SIGKILL) or interrupted (SIGINT, i.e. Ctrl-C) partway, then the same command is run again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, Simulator, article_hash, run_simulator
from extractor.cli import app
from extractor.predictions import PredictionLine

pytestmark = pytest.mark.slow  # subprocesses and the simulator

ROOT = Path(__file__).resolve().parents[1]
N = 48
CONCURRENCY = 4
LATENCY_MS = 100  # 48 articles x 100 ms / 4 in flight: ~1.2 s of requests


def article(i: int) -> str:
    return (
        f"CHICAGO - A police officer shot a man on the 4{i:02d}00 block of West Maypole Avenue "
        f"late Tuesday, police said. Report number {i}. The officer was not hurt."
    )


def write_inputs(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(N):
            handle.write(json.dumps({"doc_id": f"doc{i:03d}", "text": article(i)}) + "\n")
    return path


def command(inputs: Path, output: Path, sim: Simulator) -> list[str]:
    return [
        sys.executable, "-m", "extractor", "run", str(inputs), "-o", str(output),
        "--model", "openai/sim-1", "--base-url", sim.base_url,
        "--concurrency", str(CONCURRENCY), "--quiet",
    ]  # fmt: skip


def environment() -> dict[str, str]:
    # EXTRACTOR_HOME is the test's own (conftest); the key is a dummy the simulator ignores
    return {**os.environ, "OPENAI_API_KEY": "sk-test-dummy"}


def complete_lines(path: Path) -> list[PredictionLine]:
    """The lines a rerun would keep: newline-terminated and parseable (a torn tail is not)."""
    if not path.exists():
        return []
    lines = []
    for raw in path.read_bytes().splitlines(keepends=True):
        if raw.endswith(b"\n"):
            with contextlib.suppress(ValidationError):
                lines.append(PredictionLine.from_json(raw))
    return lines


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(complete_lines(path)) < count:
        assert process.poll() is None, "the run ended before it could be stopped partway"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)


def rerun_and_check(
    inputs: Path,
    output: Path,
    sim: Simulator,
    before: list[PredictionLine],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run the same command again (in this process, to save a start-up) and check the result."""
    answers_before = sim.stats.answers
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    result = CliRunner().invoke(app, command(inputs, output, sim)[3:])  # from "run" on
    assert result.exit_code == 0, result.output
    raw = output.read_bytes()
    assert raw.endswith(b"\n")
    lines = [PredictionLine.from_json(line) for line in raw.splitlines()]  # valid JSON Lines
    counts = Counter(line.doc_id for line in lines)
    assert counts == Counter({f"doc{i:03d}": 1 for i in range(N)})  # every article exactly once
    assert all(line.ok for line in lines)
    by_id = {line.doc_id: line for line in lines}
    for line in before:  # kept as they were, and not asked for again
        assert by_id[line.doc_id] == line
        text = article(int(line.doc_id[3:]))
        assert sim.stats.answers_for(text) == answers_before.get(article_hash(text), 0) == 1


def test_sigkill_partway_then_rerun_completes_each_article_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(latency_ms=LATENCY_MS)) as sim:
        with subprocess.Popen(
            command(inputs, output, sim), env=environment(), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        ) as process:  # fmt: skip
            wait_for_lines(output, N // 3, process)
            process.kill()
            assert process.wait(10) == -signal.SIGKILL
        time.sleep(LATENCY_MS / 1000 * 2)  # let requests already in the simulator finish
        before = complete_lines(output)
        delivered = sum(sim.stats.answers.values())
        assert N // 3 <= len(before) < N  # killed partway
        # nothing finished is lost: on disk is at most the articles in flight short of what the
        # simulator answered before the kill
        assert 0 <= delivered - len(before) <= CONCURRENCY
        assert len({line.doc_id for line in before}) == len(before)
        rerun_and_check(inputs, output, sim, before, monkeypatch)
        assert sum(sim.stats.answers.values()) <= N + CONCURRENCY  # only in-flight ones twice


def test_ctrl_c_stops_promptly_with_whole_lines_and_exit_130_then_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, output = write_inputs(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    with run_simulator(SimConfig(latency_ms=LATENCY_MS)) as sim:
        with subprocess.Popen(
            command(inputs, output, sim), env=environment(), cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) as process:  # fmt: skip
            wait_for_lines(output, N // 3, process)
            interrupted_at = time.monotonic()
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
            took = time.monotonic() - interrupted_at
        assert process.returncode == 130, stderr
        assert took < 5, f"took {took:.1f} s to stop"
        assert "interrupted:" in stderr and "rerun the same command to resume" in stderr
        assert "Traceback" not in stderr
        raw = output.read_bytes()
        assert raw.endswith(b"\n")  # no torn line
        before = [PredictionLine.from_json(line) for line in raw.splitlines()]
        assert N // 3 <= len(before) < N
        written = int(stderr.split("interrupted:")[1].split()[0].replace(",", ""))
        assert written == len(before)
        assert sum(sim.stats.answers.values()) - len(before) <= CONCURRENCY
        rerun_and_check(inputs, output, sim, before, monkeypatch)
