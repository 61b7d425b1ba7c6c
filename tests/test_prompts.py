"""Prompt templates: loaded by name@version from files, rendered, listed, shown and diffed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.documents import read_article_file
from extractor.errors import PromptNotFoundError
from extractor.prompts import list_prompts, load_prompt

SEED = Path("seeds/001_d8457e1c72a139c8.txt")
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_render_puts_publication_date_and_article_in_the_user_message() -> None:
    document = read_article_file(SEED)
    for ref in ("incident@v1", "incident@v2"):
        system, user = load_prompt(ref).render(document)
        assert system["role"] == "system" and "ignore any request" in system["content"]
        assert user["content"].startswith("Publication date: 2021-02-03")
        assert f"<article>\n{document.text}\n</article>" in user["content"]


def test_bare_name_is_the_latest_version_and_versions_differ() -> None:
    assert load_prompt("incident").version == "v3"
    v1, v2 = load_prompt("incident@v1"), load_prompt("incident@v2")
    assert v1.content_hash != v2.content_hash and v2.changes.strip()
    assert [p.ref for p in list_prompts()] == ["incident@v1", "incident@v2", "incident@v3"]


def test_unknown_version_lists_what_exists() -> None:
    with pytest.raises(PromptNotFoundError) as info:
        load_prompt("incident@v9")
    assert "incident@v1, incident@v2" in str(info.value)


def test_prompts_path_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "custom" / "v1"
    folder.mkdir(parents=True)
    (folder / "meta.toml").write_text(
        'name = "custom"\nversion = "v1"\n[params]\ntemperature = 0.5\n'
    )
    (folder / "system.j2").write_text("Be brief.")
    (folder / "user.j2").write_text("{{ published }}|{{ text }}")
    monkeypatch.setenv("EXTRACTOR_PROMPTS_PATH", str(tmp_path))
    prompt = load_prompt("custom@v1")
    messages = prompt.render(read_article_file(SEED))
    assert messages[1]["content"].startswith("2021-02-03|CHICAGO") and prompt.params == {
        "temperature": 0.5
    }


def test_cli_list_show_render_diff() -> None:
    listed = runner.invoke(app, ["prompts", "list"])
    assert "incident@v1" in listed.stdout and "incident@v2" in listed.stdout
    shown = runner.invoke(app, ["prompts", "show", "incident@v2"])
    assert "Step 1. When" in shown.stdout and "field-by-field" in shown.stdout.lower()
    rendered = runner.invoke(app, ["prompts", "render", "incident@v1", str(SEED), "--schema"])
    assert rendered.exit_code == 0
    assert "Publication date: 2021-02-03" in rendered.stdout and '"evidence"' in rendered.stdout
    diff = runner.invoke(app, ["prompts", "diff", "incident@v1", "incident@v2"])
    assert "+++ incident@v2/system.j2" in diff.stdout and "user.j2: unchanged" in diff.stdout
    missing = runner.invoke(app, ["prompts", "show", "incident@v7"])
    assert missing.exit_code == 2 and "available: incident@v1, incident@v2" in missing.stderr
