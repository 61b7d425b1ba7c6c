"""The API key never lands anywhere the tool writes: output, run store, cache, messages, cassettes.

A run with a sentinel key against the local simulator, scripted so the error paths run too (a
429 then a retry, 500s until retries run out, a malformed answer and a schema violation with
re-asks); then every file the run wrote, everything under ``EXTRACTOR_HOME`` and every cassette
is searched for the key.
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, run_simulator
from extractor import extract
from extractor.cli import app
from extractor.predictions import PredictionLine

pytestmark = pytest.mark.slow  # starts the simulator

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
ARTICLE = "CHICAGO - Police shot a man on State Street on {day}, officials said. He survived."
#: Each article's request outcomes, in order (articles run concurrently).
SCRIPTS = {
    "Monday": ["429", "ok"],
    "Tuesday": ["500", "500"],
    "Wednesday": ["malformed", "schema_violation"],
    "Thursday": ["ok"],
}


def test_the_key_is_in_no_file_message_or_cassette(
    tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = uuid.uuid4().hex
    key = f"sk-SENTINEL-{secret}"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, day in (("a", "Monday"), ("b", "Tuesday"), ("c", "Wednesday"), ("d", "Thursday")):
        (inputs / f"{name}.txt").write_text(ARTICLE.format(day=day), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with run_simulator(SimConfig(article_scripts=SCRIPTS, retry_after_s=0.01)) as sim:
        result = CliRunner().invoke(
            app,
            [
                "run", str(inputs), "-o", str(out), "--model", "openai/sim-1",
                "--base-url", sim.base_url, "--concurrency", "2",
                "--http-retries", "1", "--max-retries", "1",
            ],
        )  # fmt: skip
        assert sim.stats.requests == sum(map(len, SCRIPTS.values()))  # all served
    assert result.exit_code == 1, result.output

    lines = {
        line.doc_id: line for line in map(PredictionLine.from_json, out.read_text().splitlines())
    }
    assert lines["a"].ok and lines["d"].ok
    errors = {doc_id: lines[doc_id].error for doc_id in ("b", "c")}
    assert errors["b"] is not None and "HTTP 500" in errors["b"].message
    assert errors["c"] is not None and errors["c"].type == "ValidationFailedError"

    # nothing the user sees carries the key
    for text in (result.stdout, result.stderr):
        assert key not in text and secret not in text
    for error in errors.values():
        assert error is not None and secret not in error.message

    # nothing the tool wrote carries it: the output and everything under the state folder
    written = [p for p in tmp_path.rglob("*") if p.is_file() and inputs not in p.parents]
    assert out in written
    assert any(p.parent == isolated_env and p.name.startswith("extractor.db") for p in written)
    for path in written:
        data = path.read_bytes()
        assert secret.encode() not in data, f"the key is in {path}"
    assert b'"doc_id":"a"' in out.read_bytes()  # the search does see file contents

    # and no cassette holds a key or an Authorization header
    cassettes = sorted(CASSETTES.rglob("*.yaml"))
    assert cassettes
    token = re.compile(rb"sk-[A-Za-z0-9_\-]{16,}")
    for path in cassettes:
        data = path.read_bytes()
        assert secret.encode() not in data
        assert not token.search(data), f"{path.name} holds something shaped like an API key"
        assert b"authorization" not in data.lower() and b"bearer " not in data.lower(), path.name


@pytest.mark.parametrize("prefix", ["tok-", "gsk_"])
def test_a_key_of_any_shape_echoed_back_by_the_provider_is_redacted(
    prefix: str, tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = f"{prefix}{uuid.uuid4().hex}"  # nothing like an OpenAI key
    monkeypatch.setenv("OPENAI_API_KEY", key)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, day in (("a", "Monday"), ("b", "Tuesday")):
        (inputs / f"{name}.txt").write_text(ARTICLE.format(day=day), encoding="utf-8")

    def run(base_url: str, out: str) -> Any:
        return CliRunner().invoke(
            app,
            [
                "run", str(inputs), "-o", str(tmp_path / out), "--base-url", base_url,
                "--model", "openai/sim-1", "--concurrency", "1", "--http-retries", "1",
            ],
        )  # fmt: skip

    scripts = {"Monday": ["500", "500"], "Tuesday": ["ok"]}
    with run_simulator(SimConfig(article_scripts=scripts, echo_key=True)) as sim:
        failed = run(sim.base_url, "a.jsonl")
        assert sim.stats.count("500") == 2
    with run_simulator(SimConfig(script=["401"], echo_key=True)) as sim:
        refused = run(sim.base_url, "b.jsonl")
        assert sim.stats.count("401") == 1
    assert failed.exit_code == 1, failed.output
    assert refused.exit_code == 2, refused.output
    for result in (failed, refused):
        assert key not in result.stdout and key not in result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and inputs not in p.parents]
    assert any(p.name.startswith("extractor.db") for p in written)  # the run store is searched
    for path in written:
        assert key.encode() not in path.read_bytes(), f"the key is in {path}"

    # the messages still say what happened, with the key's place marked
    [error_line] = [
        line
        for line in map(PredictionLine.from_json, (tmp_path / "a.jsonl").read_text().splitlines())
        if line.error is not None
    ]
    assert error_line.error is not None
    assert (
        "HTTP 500" in error_line.error.message and "Bearer [redacted]" in error_line.error.message
    )
    assert "refused by the provider (HTTP 401)" in refused.stderr and "[redacted]" in refused.stderr


def test_library_calls_log_no_echoed_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key = f"tok-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    caplog.set_level(
        logging.ERROR, logger="instructor"
    )  # as a library user has it (the CLI mutes it)
    with run_simulator(SimConfig(script=["500"], echo_key=True)) as sim:
        [line] = extract(
            [ARTICLE.format(day="Monday")], model="openai/sim-1", base_url=sim.base_url,
            http_retries=0,
        )  # fmt: skip
    assert line.error is not None and "HTTP 500" in line.error.message
    # instructor logs each failed call with the provider's error body (on stderr when nobody
    # configured logging): the log is kept, without the key the body echoes
    assert "API call failed" in caplog.text and "Bearer [redacted]" in caplog.text
    assert key not in caplog.text
