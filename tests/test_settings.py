"""`Settings` is the one source: home, prompts, default prompt and eval defaults all follow
flag > ``EXTRACTOR_*`` variable > ``.env`` > default, and every command takes the same run flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import GoldFileError
from extractor.eval import load_gold
from extractor.store import RunStore
from tests.conftest import ROOT, SEEDS

runner = CliRunner()
SEED = "000_da9441d524ed042a"
#: a server nobody listens on: an LLM run against it fails fast, offline
DEAD_URL = "http://127.0.0.1:9/v1"


@pytest.fixture
def no_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No EXTRACTOR_HOME in the environment; the platform fallback is inside tmp_path too."""
    monkeypatch.delenv("EXTRACTOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_extractor_home_set_only_in_dotenv_is_where_runs_are_stored(no_home: Path) -> None:
    (no_home / ".env").write_text(f"EXTRACTOR_HOME={no_home / 'from-dotenv'}\n")
    result = runner.invoke(app, ["run", str(SEEDS), "-m", "rules", "-q", "-o", "out.jsonl"])
    assert result.exit_code == 0, result.output
    assert (no_home / "from-dotenv" / "extractor.db").is_file()
    assert not (no_home / "xdg").exists()
    listed = runner.invoke(app, ["runs", "list", "--json"])
    assert [run["model"] for run in json.loads(listed.stdout)] == ["rules"]


def test_the_environment_beats_dotenv_for_the_home_folder(
    no_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (no_home / ".env").write_text(f"EXTRACTOR_HOME={no_home / 'from-dotenv'}\n")
    monkeypatch.setenv("EXTRACTOR_HOME", str(no_home / "from-env"))
    assert (
        runner.invoke(app, ["run", str(SEEDS), "-m", "rules", "-q", "-o", "o.jsonl"]).exit_code == 0
    )
    assert (no_home / "from-env" / "extractor.db").is_file()
    assert not (no_home / "from-dotenv").exists()


def test_a_prompts_folder_set_only_in_dotenv_is_used(no_home: Path) -> None:
    custom = no_home / "mine" / "custom" / "v7"
    shutil.copytree(ROOT / "prompts" / "incident" / "v1", custom)
    meta = (custom / "meta.toml").read_text()
    (custom / "meta.toml").write_text(
        meta.replace('name = "incident"', 'name = "custom"').replace(
            'version = "v1"', 'version = "v7"'
        )
    )
    (no_home / ".env").write_text(f"EXTRACTOR_PROMPTS_PATH={no_home / 'mine'}\n")
    listed = runner.invoke(app, ["prompts", "list"])
    assert listed.exit_code == 0 and "custom@v7" in listed.stdout
    assert "incident@v2" not in listed.stdout


def test_eval_takes_the_prompt_from_extractor_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_PROMPT", "incident@v9")
    monkeypatch.setenv("EXTRACTOR_BASE_URL", DEAD_URL)
    result = runner.invoke(app, ["eval", "--model", "openai/x", "--articles", str(SEEDS)])
    assert result.exit_code == 2, result.output
    assert "no prompt incident@v9" in result.stderr  # not silently incident@v1


def test_eval_defaults_come_from_dotenv(no_home: Path, tmp_path: Path) -> None:
    gold = tmp_path / "one-gold"
    gold.mkdir()
    shutil.copy(ROOT / "evals" / "gold" / f"{SEED}.json", gold)
    (tmp_path / ".env").write_text(
        f"EXTRACTOR_HOME={tmp_path / 'home'}\nEXTRACTOR_GOLD={gold}\n"
        f"EXTRACTOR_ARTICLES={SEEDS / f'{SEED}.txt'}\n"
    )
    result = runner.invoke(app, ["eval", "--model", "rules", "--json", "report.json"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["articles"]["scored"] == 1 and report["articles"]["predictions"] == 1


@pytest.mark.parametrize(
    "command",
    [
        ["eval", "--model", "openai/x", "--articles", str(SEEDS / f"{SEED}.txt")],
        [
            "compare",
            "rules",
            "incident@v1",
            "-m",
            "openai/x",
            "--articles",
            str(SEEDS / f"{SEED}.txt"),
        ],
    ],
    ids=["eval", "compare"],
)
def test_eval_and_compare_take_base_url_and_concurrency(command: list[str]) -> None:
    result = runner.invoke(
        app, [*command, "--base-url", DEAD_URL, "-c", "3", "--http-retries", "0", "--timeout", "5"]
    )
    assert "No such option" not in result.output
    with RunStore() as store:
        llm_runs = [run for run in store.runs() if run.model == "openai/x"]
    assert len(llm_runs) == 1, result.output
    args = llm_runs[0].args
    assert (args["base_url"], args["concurrency"], args["http_retries"]) == (DEAD_URL, 3, 0)
    assert llm_runs[0].n_failed == 1  # it really went to that server (nobody listens there)


def test_a_gold_file_error_points_at_a_spec_the_user_has(tmp_path: Path) -> None:
    (tmp_path / "a1.json").write_text(json.dumps({"doc_id": "a1"}))
    with pytest.raises(GoldFileError) as caught:
        load_gold(tmp_path)
    hint = caught.value.hint or ""
    assert "incident-spec.md" in hint and "/work/" not in hint
    assert (ROOT / "incident-spec.md").is_file() and (ROOT / "evals" / "README.md").is_file()
