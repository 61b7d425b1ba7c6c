"""The output file is the user's: never destroyed, never shared by two runs, never mixed.

Issue 9 items 1 (an output that is not a predictions file, or is an input), 2 (two runs on one
output), 6 (resume with another prompt version or content) and 10 (cost of failed articles).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.simulator import SimConfig, run_simulator
from extractor.cli import app
from extractor.errors import ConfigError
from extractor.pool import RunSummary
from extractor.predictions import ErrorInfo, PredictionLine, PromptRef
from extractor.runner import run
from extractor.schema import IncidentRecord
from extractor.settings import Settings
from extractor.usage import Usage

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_da9441d524ed042a.txt"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", *args, "--quiet"])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())  # unwrapped


def ok_line(doc_id: str, model: str = "rules", prompt: PromptRef | None = None) -> str:
    record = IncidentRecord(city="Chicago")
    return PredictionLine(doc_id=doc_id, model=model, prompt=prompt, record=record).to_json()


# --- item 1: an existing file that is not a predictions file, or an input ---------------------


def test_an_existing_file_that_is_not_predictions_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("notes\n")
    code, output = invoke(str(ROOT / "seeds"), "-o", str(notes))
    assert code == 2
    assert str(notes) in output and "not a predictions file" in output and "--overwrite" in output
    assert notes.read_text() == "notes\n"
    assert not list(tmp_path.glob("notes.txt.*"))  # no lock or temp file left behind
    code, _ = invoke(str(ROOT / "seeds"), "-o", str(notes), "--overwrite")  # asked for: replaced
    assert code == 0 and len(notes.read_text().splitlines()) == 3


def test_a_bad_line_before_the_last_is_refused_only_a_torn_last_line_is_repaired(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.jsonl"
    middle = ok_line("a") + "\n" + '{"doc_id": "b", "mod\n' + ok_line("c") + "\n"
    out.write_text(middle)
    code, output = invoke(str(SEED), "-o", str(out))
    assert code == 2 and f"{out}" in output and "line 2" in output
    assert out.read_text() == middle  # nothing dropped
    out.write_text(ok_line("a") + "\n" + '{"doc_id": "b", "mod')  # killed mid-write
    code, _ = invoke(str(SEED), "-o", str(out))
    assert code == 0
    assert [json.loads(raw)["doc_id"] for raw in out.read_text().splitlines()] == [
        "a",
        SEED.stem,
    ]


def test_an_output_that_is_an_input_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    batch = tmp_path / "in.jsonl"
    text = json.dumps({"doc_id": "a1", "text": SEED.read_text()}) + "\n"
    batch.write_text(text)
    code, output = invoke(str(batch), "-o", str(batch))
    assert code == 2 and "would destroy an input" in output and str(batch) in output
    assert batch.read_text() == text
    # the same file by another name, and a file an input folder would yield
    (tmp_path / "link.jsonl").symlink_to(batch)
    assert invoke(str(batch), "-o", str(tmp_path / "link.jsonl"))[0] == 2
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("my notes\n")
    code, output = invoke(str(folder), "-o", str(tmp_path / "elsewhere.txt"))
    assert code == 2 and "inside the input folder" in output
    assert (tmp_path / "elsewhere.txt").read_text() == "my notes\n"
    # an output inside an input folder is the run's own, never read back as articles
    (folder / "sub" / "b.txt").unlink()
    for _ in range(2):
        code, output = invoke(str(folder), "-o", str(folder / "records.jsonl"))
        assert code == 0, output
        lines = (folder / "records.jsonl").read_text().splitlines()
        assert [json.loads(line)["doc_id"] for line in lines] == ["a"]
    assert (folder / "a.txt").read_text() == SEED.read_text()


# --- item 2: two runs on one output -------------------------------------------------------------


def test_a_second_run_on_the_same_output_stops_at_once_naming_the_first(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    n = 12
    inputs.write_text(
        "".join(
            json.dumps({"doc_id": f"d{i:02d}", "text": f"A police officer shot a man, case {i}."})
            + "\n"
            for i in range(n)
        )
    )
    env = {**os.environ, "OPENAI_API_KEY": "sk-test-dummy"}
    with run_simulator(SimConfig(latency_ms=100)) as sim:
        command = [
            sys.executable, "-m", "extractor", "run", str(inputs), "-o", str(out),
            "--model", "openai/sim-1", "--base-url", sim.base_url, "-c", "2", "--quiet",
        ]  # fmt: skip
        with subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL) as first:
            deadline = time.monotonic() + 120
            while not out.exists() or not out.read_text().count("\n"):
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            # frozen mid-run (still holding its lock), so the second cannot wait for it to end
            first.send_signal(signal.SIGSTOP)
            try:
                second = subprocess.run(
                    command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
                )
                written = out.read_text()
            finally:
                first.send_signal(signal.SIGCONT)
            message = " ".join(second.stderr.split())
            assert second.returncode == 2, message
            assert f"pid {first.pid}" in message and f"{out}.lock" in message
            assert out.read_text().startswith(written)  # the second touched nothing
            assert first.wait(120) == 0
    lines = [PredictionLine.from_json(raw) for raw in out.read_text().splitlines()]
    assert sorted(line.doc_id for line in lines) == [f"d{i:02d}" for i in range(n)]
    assert all(line.ok for line in lines) and not Path(f"{out}.lock").exists()


# --- item 6: resume with another prompt ---------------------------------------------------------


def test_resume_refuses_another_prompt_version_or_an_edited_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    monkeypatch.setenv("EXTRACTOR_PROMPTS_PATH", str(prompts))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    out = tmp_path / "out.jsonl"
    with run_simulator(SimConfig()) as sim:
        flags = ["-o", str(out), "-m", "openai/sim-1", "--base-url", sim.base_url]
        assert invoke(str(SEED), *flags, "-p", "incident@v1")[0] == 0
        before = out.read_text()
        code, output = invoke(str(ROOT / "seeds"), *flags, "-p", "incident@v2")
        assert code == 2 and "'incident@v1', not 'incident@v2'" in output
        system = prompts / "incident" / "v1" / "system.j2"
        system.write_text(system.read_text() + "\nBe brief.\n")
        code, output = invoke(str(ROOT / "seeds"), *flags, "-p", "incident@v1")
        assert code == 2 and "content hash" in output and "--overwrite" in output
        assert out.read_text() == before
        assert invoke(str(ROOT / "seeds"), *flags, "-p", "incident@v1", "--overwrite")[0] == 0
        assert invoke(str(ROOT / "seeds"), *flags, "-p", "incident@v1")[0] == 0  # same hash now


def test_library_resume_refuses_another_prompt_version(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(ok_line("a", "openai/sim-1", PromptRef(name="incident", version="v1")) + "\n")
    settings = Settings(
        model="openai/sim-1", base_url="http://127.0.0.1:9/v1", prompt="incident@v2"
    )
    with pytest.raises(ConfigError, match="'incident@v1', not 'incident@v2'"):
        run([SEED], out, settings=settings)


# --- item 10: a failed article's cost -----------------------------------------------------------


def test_a_failed_article_does_not_make_the_cost_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    (folder / "empty.txt").write_text("")
    summary = run([folder], tmp_path / "out.jsonl", settings=Settings(model="rules"))
    assert summary.failed == 1 and summary.cost_usd == 0.0

    total = RunSummary(model="openai/x", prompt=None)
    spent = Usage(prompt_tokens=1000, completion_tokens=100)
    total.add(PredictionLine(doc_id="a", model="openai/x", record=IncidentRecord(), usage=spent, attempts=1, cost_usd=0.002))  # fmt: skip
    total.add(PredictionLine(doc_id="b", model="openai/x", error=ErrorInfo(type="DocumentError", message="empty")))  # fmt: skip
    total.add(PredictionLine(doc_id="c", model="openai/x", error=ErrorInfo(type="ProviderError", message="500"), usage=spent, attempts=3, cost_usd=0.002))  # fmt: skip
    assert total.cost_usd == pytest.approx(0.004)  # what was known, failed attempts included
    total.add(PredictionLine(doc_id="d", model="openai/x", record=IncidentRecord(), usage=spent, attempts=1))  # fmt: skip
    assert total.cost_usd is None  # tokens spent at no known price: unknown, not understated
