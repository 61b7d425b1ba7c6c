"""Articles load from files, folders and JSONL; every bad input gets a located, fixable error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.documents import (
    MAX_BYTES,
    BadDocument,
    Document,
    iter_documents,
    parse_article,
)
from extractor.errors import DocumentError
from extractor.runner import extract, extract_paths


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
    assert isinstance(items[1], BadDocument)
    assert str(items[1].error).startswith(
        f"{tmp_path / 'same.txt'}: duplicate doc_id 'same': {tmp_path / 'x' / 'same.txt'} has the"
    )
    assert items[1].doc_id == f"same@{tmp_path / 'same.txt'}"


def test_missing_path_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file or folder"):
        list(iter_documents([tmp_path / "nope"]))


def bad(path: Path) -> str:
    """The error message of the one article under ``path`` (which must be refused)."""
    (item,) = iter_documents([path])
    assert isinstance(item, BadDocument), item
    return str(item.error)


def test_a_file_of_nul_bytes_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 4096)
    assert bad(tmp_path).startswith(f"{tmp_path / 'nul.txt'}: the file is binary, not text")


def test_control_character_noise_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "noise.txt").write_bytes(b"Police said. " + bytes(range(1, 9)) * 20)
    assert bad(tmp_path).startswith(
        f"{tmp_path / 'noise.txt'}: the file is not text: decoded as utf-8, 160 of its 173 "
        "characters are NULs or control characters"
    )
    # a stray DOS end-of-file mark is not noise
    (tmp_path / "noise.txt").write_bytes(b"Police said an officer fired.\x1a")
    assert isinstance(load(tmp_path)["noise"], Document)


def test_jsonl_text_with_nuls_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"doc_id": "n", "text": "\u0000" * 50}) + "\n")
    assert bad(path).startswith(f"{path}:1: field 'text' is not text: 50 of its 50 characters")


def test_utf16_without_a_bom_is_detected(tmp_path: Path) -> None:
    ascii_only = "CHICAGO - Police said an officer shot a man, 24, on Tuesday."  # valid UTF-8 too
    accented = "CHICAGO - Police said an officer shot José Muñoz, 24, on Tuesday."
    for name, text in [("ascii", ascii_only), ("accented", accented)]:
        (tmp_path / f"{name}-le.txt").write_bytes(text.encode("utf-16-le"))
        (tmp_path / f"{name}-be.txt").write_bytes(text.encode("utf-16-be"))
        (tmp_path / f"{name}-bom.txt").write_bytes(text.encode("utf-16"))
    items = load(tmp_path)
    assert len(items) == 6
    for doc_id, item in items.items():
        expected = ascii_only if doc_id.startswith("ascii") else accented
        assert isinstance(item, Document) and item.text == expected, doc_id


def test_latin1_is_read_as_western_not_central_european(tmp_path: Path) -> None:
    text = "CHICAGO - Police said the officer shot José Muñoz near the home of a señor."
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    quotes = "\u201cHe ran,\u201d police said \u2014 the caf\u00e9 owner, Ren\u00e9e, saw it."
    (tmp_path / "cp1252.txt").write_bytes(quotes.encode("cp1252"))
    russian = "Полиция сообщила, что офицер выстрелил в мужчину во вторник вечером."
    (tmp_path / "cp1251.txt").write_bytes(russian.encode("cp1251"))
    items = load(tmp_path)
    assert isinstance(items["latin1"], Document) and items["latin1"].text == text
    assert isinstance(items["cp1252"], Document) and items["cp1252"].text == quotes
    # a text cp1252 does not fit keeps the detector's guess
    assert isinstance(items["cp1251"], Document) and items["cp1251"].text == russian


def test_lone_surrogates_in_jsonl_become_valid_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"doc_id": "odd\\ud800", "text": "Police said \\udcff an officer fired."}\n')
    (item,) = iter_documents([path])
    assert isinstance(item, Document)
    assert item.doc_id == "odd\\ud800" and item.text == "Police said \ufffd an officer fired."
    item.doc_id.encode("utf-8")  # valid text: encodes without error


def test_a_jsonl_article_over_the_size_limit_is_refused_like_a_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"doc_id": "big", "text": "word " * 500_000}) + "\n")
    assert bad(path).startswith(
        f"{path}:1: field 'text' is 2,500,000 bytes; articles over 2,000,000 bytes are refused"
    )


def test_an_article_given_twice_says_so(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Police said an officer fired.")
    first, second = iter_documents([tmp_path, tmp_path / "one.txt"])
    assert isinstance(first, Document) and isinstance(second, BadDocument)
    assert str(second.error).startswith(
        f"{tmp_path / 'one.txt'}: duplicate doc_id 'one': this article was given twice"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x" * (MAX_BYTES + 1), f"articles over {MAX_BYTES:,} bytes are refused"),
        ("Police shot a man.\x00\x00\x00" + "\x00" * 40, "NULs or control characters"),
        ("Police shot a man." + "\x01\x02" * 20, "NULs or control characters"),
    ],
    ids=["too large", "NUL noise", "control noise"],
)
def test_an_article_given_as_a_string_gets_a_files_limits(
    tmp_path: Path, text: str, says: str
) -> None:
    """extract() with in-memory text: the error line a file with that text gets, the rest runs."""
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    [from_file] = extract_paths([path], model="rules")[0]
    bad, good = extract([text, "CHICAGO - Police shot a man on Monday."], model="rules")
    assert from_file.error is not None and bad.error is not None and bad.record is None
    assert bad.error.type == from_file.error.type == "DocumentError"
    assert bad.error.message.startswith("doc-0: the article ") and says in bad.error.message
    assert good.ok and good.record is not None and good.record.city == "Chicago"
