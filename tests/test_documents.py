"""Articles load from files, folders and JSONL; every bad input gets a located, fixable error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.documents import BadDocument, Document, iter_documents, parse_article
from extractor.errors import DocumentError


def load(*paths: Path) -> dict[str, Document | BadDocument]:
    return {item.doc_id: item for item in iter_documents(paths)}


def test_seed_date_line_is_the_publication_date_not_text() -> None:
    items = load(Path("seeds"))
    assert len(items) == 3
    doc = items["001_d8457e1c72a139c8"]
    assert isinstance(doc, Document)
    assert doc.published == "2021-02-03"
    assert doc.text.startswith("CHICAGO (CBS)") and "date 2021" not in doc.text


def test_date_line_on_its_own_line_and_no_date() -> None:
    assert parse_article("date 2024-01-05\nText here.", doc_id="a").published == "2024-01-05"
    doc = parse_article("Just text, dated nowhere.", doc_id="b")
    assert doc.published is None and doc.text == "Just text, dated nowhere."


def test_folders_are_searched_recursively_for_txt_and_md(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("date 2024-01-01 One.")
    (tmp_path / "a" / "b" / "two.md").write_text("Two.")
    (tmp_path / "a" / "notes.json").write_text("{}")
    assert sorted(load(tmp_path)) == ["one", "two"]


def test_bad_files_become_errors_and_the_rest_still_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("date 2024-02-01 Police said an officer fired.")
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "dateonly.txt").write_text("date 2024-02-01\n")
    (tmp_path / "binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20
    )
    (tmp_path / "latin1.txt").write_bytes(
        "El oficial disparó en la calle Peñalolén, según la policía de Chicago.".encode("latin-1")
    )
    (tmp_path / "baddate.txt").write_text("date 2024-02-30 Text.")
    items = load(tmp_path)
    assert isinstance(items["good"], Document)
    assert isinstance(items["latin1"], Document) and "disparó" in items["latin1"].text
    for doc_id, expected in [("empty", "empty"), ("dateonly", "empty after its date line"),
                             ("binary", "binary"), ("baddate", "not a real date")]:  # fmt: skip
        item = items[doc_id]
        assert isinstance(item, BadDocument), doc_id
        assert expected in str(item.error) and str(tmp_path / f"{doc_id}.txt") in str(item.error)


def test_huge_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text("word " * 500_000)
    item = load(tmp_path)["huge"]
    assert isinstance(item, BadDocument) and "2,000,000 bytes" in str(item.error)


def test_jsonl_lines_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"doc_id": "a", "text": "Officer fired.", "published": "2024-03-01"}),
        "{not json",
        json.dumps({"doc_id": "c"}),
        json.dumps({"doc_id": "d", "text": "x", "published": "March 1"}),
        json.dumps({"doc_id": "e", "text": "Fine."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    items = load(path)
    assert isinstance(items["a"], Document) and items["a"].published == "2024-03-01"
    assert isinstance(items["e"], Document)
    assert f"{path}:2" in str(items["batch:2"].error) and "not valid JSON" in str(
        items["batch:2"].error
    )
    assert "missing string field 'text'" in str(items["c"].error)
    assert "'published'" in str(items["d"].error) and f"{path}:4" in str(items["d"].error)


def test_duplicate_ids_are_errors_that_keep_the_first(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "same.txt").write_text("First.")
    (tmp_path / "same.txt").write_text("Second.")
    items = list(iter_documents([tmp_path / "x", tmp_path / "same.txt"]))
    assert isinstance(items[0], Document) and items[0].text == "First."
    assert isinstance(items[1], BadDocument) and "duplicate doc_id 'same'" in str(items[1].error)
    assert items[1].doc_id != "same"


def test_missing_path_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file or folder"):
        list(iter_documents([tmp_path / "nope"]))
