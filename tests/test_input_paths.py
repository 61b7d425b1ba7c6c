"""Every input path given or found yields a prediction line or a listed skip, on every rerun.

``extractor run`` in process with the offline rules baseline: odd file names, duplicate ids,
JSONL files inside folders, symlink loops and files that hold no article.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from extractor.documents import MAX_BYTES
from extractor.predictions import PredictionLine
from extractor.runner import extract_paths

FOLDER_LINK = "a symlink to a folder, not followed (give the folder itself as an input)"
ARTICLE = "CHICAGO - A police officer shot and wounded a man Tuesday night, police said."


def run_twice(*args: str) -> tuple[list[dict[str, PredictionLine]], list[str]]:
    """``extractor run ARGS`` twice into the same output (the second resumes): lines, stderr."""
    out = args[args.index("-o") + 1]
    results, stderr = [], []
    for _ in range(2):
        result = CliRunner().invoke(app, ["run", *args, "-m", "rules"])
        assert result.exit_code in (0, 1), result.output  # 1: some article failed; never a crash
        assert "Traceback" not in result.output
        raw = Path(out).read_text(encoding="utf-8").splitlines()
        lines = [PredictionLine.from_json(line) for line in raw]
        by_id = {line.doc_id: line for line in lines}
        assert len(by_id) == len(lines), [line.doc_id for line in lines]  # ids are unique
        results.append(by_id)
        stderr.append(result.stderr)
    return results, stderr


def test_undecodable_byte_in_a_file_name_costs_no_article_its_record(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("aaa", "good", "zzz"):  # before and after the odd name
        (folder / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    odd = os.path.join(os.fsencode(folder), b"odd\xff.txt")
    with open(odd, "wb") as handle:
        handle.write(ARTICLE.encode())
    out = tmp_path / "out.jsonl"
    for lines in run_twice(str(folder), "-o", str(out))[0]:
        assert sorted(lines) == ["aaa", "good", "odd\\xff", "zzz"]  # the byte, spelled as text
        assert all(line.ok for line in lines.values())
    # the file really is valid UTF-8 JSON Lines, the odd id included
    assert json.loads(out.read_bytes().splitlines()[2])["doc_id"] == "odd\\xff"


def test_duplicate_ids_get_unique_stable_ids_naming_both_paths(tmp_path: Path) -> None:
    for sub in "abc":
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.txt").write_text(ARTICLE, encoding="utf-8")
    # a real file whose name is what a duplicate used to be called
    (tmp_path / "same#duplicate.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = str(tmp_path / "a" / "same.txt")
    for lines in run_twice(str(tmp_path), "-o", str(out))[0]:  # the second run resumes
        assert lines["same"].ok and lines["same#duplicate"].ok
        duplicates = {doc_id: line for doc_id, line in lines.items() if not line.ok}
        assert sorted(duplicates) == [
            f"same@{tmp_path / 'b' / 'same.txt'}",
            f"same@{tmp_path / 'c' / 'same.txt'}",
        ]
        for doc_id, line in duplicates.items():
            assert line.error is not None
            path = doc_id.removeprefix("same@")
            assert line.error.message.startswith(
                f"{path}: duplicate doc_id 'same': {first} has the same id"
            )


def test_jsonl_in_a_folder_is_read_and_limits_apply_to_its_lines(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE, encoding="utf-8")
    feed = folder / "feed.jsonl"
    feed.write_text(
        json.dumps({"doc_id": "j1", "text": ARTICLE})
        + "\n"
        + json.dumps({"doc_id": "huge", "text": "x" * (MAX_BYTES + 1)})
        + "\n",
        encoding="utf-8",
    )
    lines, _ = extract_paths([folder], model="rules")
    by_id = {line.doc_id: line for line in lines}
    assert sorted(by_id) == ["huge", "j1", "one"]
    assert by_id["j1"].ok
    error = by_id["huge"].error
    assert error is not None and error.message.startswith(
        f"{feed}:2: field 'text' is {MAX_BYTES + 1:,} bytes; articles over {MAX_BYTES:,} bytes "
        "are refused"
    )


def test_symlink_loops_and_non_articles_are_error_lines_or_listed_skips(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "a.txt").symlink_to(folder / "b.txt")  # a loop: a -> b -> a
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop, never followed
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    out = folder / "out.jsonl"  # the output inside an input folder is not read as input
    runs, stderr = run_twice(str(folder), "-o", str(out))
    for lines, printed in zip(runs, stderr, strict=True):
        assert lines["good"].ok
        for name in ("a", "b"):
            error = lines[name].error
            assert error is not None and error.message.startswith(
                f"{folder / name}.txt: cannot read the file: Too many levels of symbolic links"
            )
        assert set(lines) == {"good", "a", "b"}
        assert "inputs skipped (no article)" in printed
        for path, reason in [
            (out, "the output file of this run"),
            (folder / "photo.jpg", "not an article file (.txt, .md, .jsonl or .ndjson)"),
            (folder / "sub" / "up", FOLDER_LINK),
        ]:
            assert f"skipped {path}: {reason}" in printed
    out.unlink()
    _, summary = extract_paths([folder], model="rules")  # the library lists the same skips
    assert summary.inputs_skipped == [
        (str(folder / "photo.jpg"), "not an article file (.txt, .md, .jsonl or .ndjson)"),
        (str(folder / "sub" / "up"), FOLDER_LINK),
    ]
