"""Every bad flag value and bad file a user can give is one line and an exit code, never a traceback.

The read-only output folder is made real for root too: a directory with the Linux immutable
attribute (``chattr +i``), which root cannot create files in either (unlike ``chmod``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app, main
from tests.conftest import SEEDS

runner = CliRunner()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can create a file in, root included."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if os.access(folder, os.W_OK):  # root ignores mode bits: make the folder immutable instead
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        immutable = True
    with pytest.raises(OSError):
        (folder / "probe").write_text("x")  # the case is real: this user cannot write here
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def _bad_store(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "extractor.db").write_text("these are my notes, not a database\n")


RUN = ["run", str(SEEDS), "-m", "rules", "-q"]
#: (case, arguments, environment, expected text of the one line, exit code)
CASES: list[tuple[str, list[str], dict[str, str], str, int]] = [
    ("-o in a read-only folder", [*RUN, "-o", "{ro}/out.jsonl"], {}, "cannot write the output", 2),
    ("-o a directory", [*RUN, "-o", "{tmp}"], {}, "is a directory", 2),
    ("-o /sys/x", [*RUN, "-o", "/sys/x"], {}, "cannot write the output '/sys/x'", 2),
    ("-o under a file", [*RUN, "-o", "{file}/out.jsonl"], {}, "cannot write the output", 2),
    ("-c 0", [*RUN, "-o", "{tmp}/o.jsonl", "-c", "0"], {}, "--concurrency 0 is invalid", 2),
    ("--timeout 0", [*RUN, "-o", "{tmp}/o.jsonl", "--timeout", "0"], {}, "--timeout 0.0 is", 2),
    ("--rpm 0", [*RUN, "-o", "{tmp}/o.jsonl", "--rpm", "0"], {}, "--rpm 0 is invalid", 2),
    ("--max-retries 99", [*RUN, "-o", "{tmp}/o.jsonl", "--max-retries", "99"], {}, "99 is", 2),
    (
        "EXTRACTOR_CONCURRENCY=abc",
        [*RUN, "-o", "{tmp}/o.jsonl"],
        {"EXTRACTOR_CONCURRENCY": "abc"},
        "EXTRACTOR_CONCURRENCY='abc' is invalid",
        2,
    ),
    (
        "--mode json with an anthropic/ model",
        ["run", str(SEEDS), "-m", "anthropic/claude-3-5-haiku-latest", "--mode", "json"],
        {"ANTHROPIC_API_KEY": "sk-ant-test"},
        "--mode json does not apply to anthropic/claude-3-5-haiku-latest",
        2,
    ),
    ("eval -c 0", ["eval", "-m", "rules", "-c", "0"], {}, "--concurrency 0 is invalid", 2),
    ("compare --rpm 0", ["compare", "rules", "rules", "--rpm", "0"], {}, "--rpm 0 is", 2),
    ("store not SQLite: run", [*RUN, "-o", "{tmp}/o.jsonl"], {"store": "bad"}, "not a usable", 2),
    ("store not SQLite: runs list", ["runs", "list"], {"store": "bad"}, "not a usable SQLite", 2),
]


@pytest.mark.parametrize(
    ("args", "env", "expected", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_every_bad_input_is_one_line_and_an_exit_code(
    tmp_path: Path,
    read_only_dir: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
    code: int,
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("my notes\n")
    for name, value in env.items():
        if name == "store":
            _bad_store(isolated_env)
        else:
            monkeypatch.setenv(name, value)
    argv = [a.format(ro=read_only_dir, tmp=tmp_path, file=a_file) for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no exception escaped
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: ") and expected in lines[0], result.stderr
    assert len(lines) <= 2 and all(line.startswith("  hint: ") for line in lines[1:])
    assert a_file.read_text() == "my notes\n"  # nothing the user owns was touched


def test_a_bug_is_one_line_and_a_saved_traceback_with_the_key_redacted(
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    key = "tok-not-an-sk-key-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"something inside broke near {key}")

    monkeypatch.setattr("extractor.runner.run", broken)
    monkeypatch.setattr(sys, "argv", ["extractor", "run", str(SEEDS), "-m", "rules", "-q"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "unexpected RuntimeError: something inside broke" in err and key not in err
    [saved] = (isolated_env / "crash").glob("*.txt")
    assert str(saved) in err
    text = saved.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text
    assert key not in text and "[redacted]" in text


def test_the_installed_command_prints_no_traceback_for_a_bad_store(
    isolated_env: Path, tmp_path: Path
) -> None:
    _bad_store(isolated_env)
    result = subprocess.run(
        [sys.executable, "-m", "extractor", "runs", "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: the run store ") and "EXTRACTOR_HOME" in result.stderr
