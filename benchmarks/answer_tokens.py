"""Output tokens a complete answer needs, counted with SmolLM2's tokenizer: what max_tokens must hold.

A complete answer is the tool call's arguments a model writes: the record's fields (without the
constant ``schema_version``, which incident@v3's schema leaves out) and one evidence entry per
filled value. Two sets of complete answers are counted:

- ``cassettes/answers/*.json``: the hand-written answers for the seeds, quotes included.
- ``evals/gold/*.json`` (the dev gold set): gold labels carry no quotes, so each filled value gets
  a quote taken from its article: the article's text from where the value is written (else from
  the start), as long as the hand-written answers' median quote. That is article text of a real
  quote's length, not the quote a labeller would choose.

Each answer is written as JSON the way ``json.dumps`` writes it (a space after ``,`` and ``:``;
a model may write less or more whitespace; the count without spaces is printed too), and tokenized by llama_cpp's tokenizer with the
SmolLM2 weights (vocabulary only; no server, no model run).

    .venv/bin/python benchmarks/answer_tokens.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.llama_server import Tokenizer  # noqa: E402
from extractor.documents import read_article_file  # noqa: E402
from extractor.evidence import filled_paths  # noqa: E402
from extractor.schema import IncidentRecord  # noqa: E402

ARTICLES = (ROOT / "seeds", ROOT / "evals" / "articles")


def article_of(doc_id: str) -> str:
    for folder in ARTICLES:
        path = folder / f"{doc_id}.txt"
        if path.exists():
            return read_article_file(path).text
    raise FileNotFoundError(f"no article for {doc_id!r} in {[str(f) for f in ARTICLES]}")


def value_at(record: dict[str, Any], path: str) -> Any:
    if path.startswith("people["):
        index, name = path[len("people[") :].split("].")
        return record["people"][int(index)][name]
    return record[path]


def quoted(record: dict[str, Any], article: str, length: int) -> dict[str, Any]:
    """The record as arguments, with a quote of ``length`` characters for every filled value."""
    evidence = []
    for path in filled_paths(IncidentRecord.model_validate(record)):
        value = value_at(record, path)
        text = value[0] if isinstance(value, list) else value
        start = max(article.lower().find(str(text).lower()), 0) if isinstance(text, str) else 0
        evidence.append({"field": path, "quote": article[start : start + length].strip()})
    return {**{k: v for k, v in record.items() if k != "schema_version"}, "evidence": evidence}


def stats(counts: list[int]) -> str:
    ordered = sorted(counts)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{len(counts)} answers: median {statistics.median(counts):,.0f}, p95 {p95:,}, "
        f"max {max(counts):,} tokens"
    )


def main() -> None:
    tokenizer = Tokenizer()

    def count(arguments: dict[str, Any]) -> int:
        return tokenizer.count(json.dumps(arguments))

    def count_compact(arguments: dict[str, Any]) -> int:
        return tokenizer.count(json.dumps(arguments, separators=(",", ":")))

    written = [
        json.loads(p.read_text()) for p in sorted((ROOT / "cassettes/answers").glob("*.json"))
    ]
    lengths = [len(q["quote"]) for answer in written for q in answer["evidence"]]
    quote_chars = round(statistics.median(lengths))
    by_hand = [count(answer) for answer in written]
    arguments = [
        quoted(label["record"], article_of(label["doc_id"]), quote_chars)
        for label in (
            json.loads(p.read_text()) for p in sorted((ROOT / "evals/gold").glob("*.json"))
        )
        if label["record"] is not None
    ]
    gold = [count(answer) for answer in arguments]
    print(f"hand-written seed answers ({len(lengths)} quotes, median {quote_chars} characters):")
    print("  " + stats(by_hand))
    print(f"dev gold labels as arguments, quotes of {quote_chars} characters from the article:")
    print("  " + stats(gold))
    print("all:\n  " + stats(by_hand + gold))
    print("all, written without spaces (json.dumps with separators ',' and ':'):")
    print("  " + stats([count_compact(a) for a in written + arguments]))


if __name__ == "__main__":
    main()
