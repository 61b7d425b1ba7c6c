"""One seed end to end through a real model: llama-cpp-python's server with SmolLM2-135M.

It asserts that the path works against a real server (a record or a classified error, tokens
counted, no "bug in extractor" message), never the record's quality: a 135M model on a CPU.
Skipped with the install command when the server or the weights are missing, unless
``EXTRACTOR_REQUIRE_REAL_MODEL=1`` (CI), when it fails instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.llama_server import llama_server, missing
from extractor.cli import app

pytestmark = [pytest.mark.real_model, pytest.mark.slow]
CLASSIFIED = {"ValidationFailedError", "OutputLimitError", "ModelTimeoutError", "ProviderError"}


def test_one_seed_through_a_real_llama_cpp_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = missing()
    if reason:
        if os.environ.get("EXTRACTOR_REQUIRE_REAL_MODEL") == "1":
            pytest.fail(f"EXTRACTOR_REQUIRE_REAL_MODEL=1 but {reason}")
        pytest.skip(reason)
    out = tmp_path / "out.jsonl"
    with llama_server(n_ctx=4096) as server:
        result = CliRunner().invoke(
            app,
            [
                "run", "seeds/001_d8457e1c72a139c8.txt", "-o", str(out), "--quiet",
                "--model", "openai/smollm2", "--base-url", server.base_url,
                "--prompt", "incident@v3", "--timeout", "900", "--http-retries", "0",
                "--context-window", "4096",
                "--max-retries", "1", "--no-cache",
            ],
        )  # fmt: skip
    assert "bug in extractor" not in result.output, result.output
    [line] = [json.loads(text) for text in out.read_text().splitlines()]
    assert line["record"] is not None or line["error"]["type"] in CLASSIFIED, line["error"]
    assert line["attempts"] >= 1 and line["usage"]["prompt_tokens"] > 0, line
