"""One batch full of bad inputs: each gets a clear, located error line; the rest completes.

``extractor run`` (in process, via typer's CliRunner) against the local simulator on loopback, with
the LLM backend (``--model openai/sim-1 --base-url ...``) and a dummy key.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, run_simulator
from extractor.cli import app
from extractor.documents import MAX_BYTES
from extractor.predictions import PredictionLine

pytestmark = pytest.mark.slow  # starts the simulator

GOOD = (
    "CHICAGO - A police officer shot and wounded a 24-year-old man Tuesday night in the 2200 "
    "block of West Maypole Avenue, police said. The officer was not hurt."
)
#: Jinja syntax in an article is data: it must reach the model verbatim, not be rendered.
TEMPLATE_LIKE = (
    "CHICAGO - Police shot a man who had sprayed {{ 7*7 }} and {% if x %} on a wall, "
    "officials said. Nobody else was hurt."
)


def make_batch(root: Path) -> tuple[Path, Path]:
    folder = root / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "good1.txt").write_text(GOOD.replace("Tuesday", "Monday"), encoding="utf-8")
    (folder / "good2.txt").write_text("date 2024-03-05\n" + GOOD, encoding="utf-8")
    (folder / "template.txt").write_text(TEMPLATE_LIKE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    )
    noise = random.Random(1).randbytes(400).replace(b"\x00", b"\x01")
    (folder / "undecodable.txt").write_bytes(noise)
    (folder / "huge.txt").write_bytes(b"x" * (MAX_BYTES + 1))
    # under the byte limit, over the model's context window (128,000 tokens by default)
    (folder / "long.txt").write_text(GOOD + " More." * 100_000, encoding="utf-8")
    (folder / "sub" / "good1.txt").write_text(GOOD, encoding="utf-8")  # same id as good1
    jsonl = root / "feed.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps({"doc_id": "j1", "text": GOOD.replace("Tuesday", "Friday")}),
                '{"doc_id": "j2", "text": "unterminated',
                json.dumps({"doc_id": "j3"}),
                json.dumps({"doc_id": "j4", "text": GOOD.replace("Tuesday", "Sunday")}),
                json.dumps({"doc_id": "j1", "text": "a second j1"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return folder, jsonl


def test_bad_inputs_get_located_error_lines_and_the_batch_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, jsonl = make_batch(tmp_path)
    out = tmp_path / "out.jsonl"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    with run_simulator(SimConfig(seed=0)) as sim:
        result = CliRunner().invoke(
            app,
            [
                "run", str(folder), str(jsonl), "-o", str(out),
                "--model", "openai/sim-1", "--base-url", sim.base_url,
            ],
        )  # fmt: skip
        requests = sim.stats.requests
        template_answers = sim.stats.answers_for(TEMPLATE_LIKE)
    assert result.exit_code == 1, result.output  # some articles failed; the run itself did not
    lines = {
        line.doc_id: line for line in map(PredictionLine.from_json, out.read_text().splitlines())
    }
    assert len(lines) == len(out.read_text().splitlines())  # one line per id

    good = {"good1", "good2", "template", "j1", "j4"}
    for doc_id in good:
        assert lines[doc_id].ok, lines[doc_id].error
    assert lines["good2"].published == "2024-03-05"
    # the article text reached the model verbatim: the simulator keys answers by the exact text
    assert template_answers == 1
    assert requests == len(good)  # no request was spent on a bad input

    def error(doc_id: str) -> str:
        line = lines[doc_id]
        assert not line.ok and line.record is None and line.error is not None, doc_id
        assert line.error.type == "DocumentError", line.error
        return line.error.message

    where = str(folder)
    assert error("empty").startswith(f"{where}/empty.txt: the file is empty")
    assert error("binary").startswith(f"{where}/binary.txt: the file is binary, not text")
    assert error("undecodable").startswith(
        f"{where}/undecodable.txt: the file's bytes are not UTF-8 and no other text encoding fits"
    )
    assert error("huge").startswith(
        f"{where}/huge.txt: the file is {MAX_BYTES + 1:,} bytes; articles over {MAX_BYTES:,} bytes"
    )
    assert error("long").startswith(f"{where}/long.txt: the article is about ")
    assert "openai/sim-1 takes at most 128,000 input tokens" in error("long")
    assert error(f"good1@{where}/sub/good1.txt").startswith(
        f"{where}/sub/good1.txt: duplicate doc_id 'good1': {where}/good1.txt has the same id"
    )
    assert error("feed:2").startswith(f"{jsonl}:2: not valid JSON")
    assert error("j3").startswith(f"{jsonl}:3: missing string field 'text'")
    assert error(f"j1@{jsonl}:5").startswith(f"{jsonl}:5: duplicate doc_id 'j1': {jsonl}:1 has")
    bad = {"empty", "binary", "undecodable", "huge", "long", f"good1@{where}/sub/good1.txt",
           "feed:2", "j3", f"j1@{jsonl}:5"}  # fmt: skip
    assert set(lines) == good | bad
    # the summary on stderr names each failure
    for doc_id in bad:
        assert f"failed {doc_id}:" in result.stderr
