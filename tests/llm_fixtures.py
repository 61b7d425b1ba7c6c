"""Hand-written fixture answers for the cassette tests, and the scenarios that serve them.

These are NOT a model's output: each answer in cassettes/answers/ was written by hand for one
seed article. cassettes/make_fixtures.py serves them from the local simulator to record the
cassettes; the tests then replay those cassettes through the real openai client and instructor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "cassettes" / "answers"


def seed_text(doc_id: str) -> str:
    from extractor.documents import read_article_file

    return read_article_file(ROOT / "seeds" / f"{doc_id}.txt").text


def fixture_answer(doc_id: str) -> dict[str, Any]:
    """The hand-written tool arguments for one seed article."""
    return dict(json.loads((ANSWERS / f"{doc_id}.json").read_text(encoding="utf-8")))


def answer_by_article(article: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    """Simulator answer function: the fixture answer whose seed article this is."""
    for path in sorted(ANSWERS.glob("*.json")):
        if seed_text(path.stem).strip() == article.strip():
            return fixture_answer(path.stem)
    raise LookupError("no fixture answer for this article")


def ungrounded_answer(article: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fixture answer with one quote that is not in the article (a paraphrase)."""
    answer = answer_by_article(article)
    for item in answer["evidence"]:
        if item["field"] == "shots_fired_by_police":
            item["quote"] = "the officer discharged his weapon three times"
    return answer


#: test name -> simulator settings used to record its cassette (see cassettes/make_fixtures.py)
SCENARIOS: dict[str, dict[str, Any]] = {
    "test_run_seeds_clean": {"answer": answer_by_article},
    "test_reask_after_schema_violation": {
        "script": ["schema_violation", "ok"],
        "answer": answer_by_article,
    },
    "test_ungrounded_quote_is_reasked_then_flagged": {"answer": ungrounded_answer},
    "test_rate_limit_then_success": {
        "script": ["429", "ok"],
        "answer": answer_by_article,
        "retry_after_s": 1.0,
    },
    "test_server_errors_exhaust_retries_and_batch_continues": {
        "script": ["500", "500", "500", "ok"],
        "answer": answer_by_article,
    },
}
