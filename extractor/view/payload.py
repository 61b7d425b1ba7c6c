"""The data a page embeds: plain JSON built from prediction lines and the versioned reports.

Reports are read as their JSON (``report_version`` / ``compare_version`` "1"), never through the
scoring code's classes, so a view depends only on the formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from extractor.evidence import filled_paths
from extractor.predictions import PredictionLine
from extractor.store import RunInfo
from extractor.usage import Usage
from extractor.view.articles import FIELD_ORDER, field_of, locate

Json = dict[str, Any]


def _value_at(record: Json, path: str) -> Any:
    if path.startswith("people["):
        index, _, name = path[len("people[") :].partition("].")
        return record["people"][int(index)][name]
    return record[path]


def article_values(line: PredictionLine) -> list[Json]:
    """Every filled value of a line's record with its evidence (quote, span, grounded)."""
    if line.record is None:
        return []
    record = line.record.model_dump(mode="json")
    values = []
    for path in filled_paths(line.record):
        evidence = line.evidence.get(path)
        values.append(
            {
                "path": path,
                "field": field_of(path),
                "value": _value_at(record, path),
                "quote": evidence.quote if evidence else "",
                "start": evidence.start if evidence else None,
                "end": evidence.end if evidence else None,
                "grounded": bool(evidence and evidence.grounded),
            }
        )
    return values


def _prompt(line: PredictionLine) -> str | None:
    return f"{line.prompt.name}@{line.prompt.version}" if line.prompt else None


def run_values(line: PredictionLine, text: str | None) -> list[Json]:
    """A line's filled values for the run view, compact: a 1,000-article page stays small.

    Each value is ``{"p": path, "v": value}`` plus, when grounded, its span ``"s"``/``"e"``; the
    quote ``"q"`` only when the page cannot read it off the text (no text, or the model's quote
    differs from the span it was matched to, as a fuzzy match does). No span means ungrounded,
    except ``"g": true`` for a value marked grounded without one. The script expands them.
    """
    values = []
    for value in article_values(line):
        item: Json = {"p": value["path"], "v": value["value"]}
        start, end, quote = value["start"], value["end"], value["quote"]
        if value["grounded"] and start is not None and end is not None:
            item["s"], item["e"] = start, end
            if text is None or text[start:end] != quote:
                item["q"] = quote
        else:
            if quote:
                item["q"] = quote
            if value["grounded"]:
                item["g"] = True
        values.append(item)
    return values


def _article(line: PredictionLine, text: str | None) -> Json:
    values = run_values(line, text)
    return {
        "doc_id": line.doc_id,
        "status": "ok" if line.ok else "failed",
        "text": text,
        "published": line.published,
        "values": values,
        "error": line.error.model_dump() if line.error else None,
        "usage": line.usage.as_dict(),
        "attempts": line.attempts,
        "cost_usd": line.cost_usd,
        "latency_s": line.latency_s,
        "cached": line.cached,
    }


def _grounded(value: Json) -> bool:
    return "s" in value or bool(value.get("g"))


def _total(numbers: Sequence[float | None]) -> float | None:
    return None if any(n is None for n in numbers) else sum(n for n in numbers if n is not None)


def run_summary(
    lines: Sequence[PredictionLine], articles: Sequence[Json], run: RunInfo | None
) -> Json:
    """Model, prompt, counts, tokens, cost and time of a run (or of a predictions file)."""
    total = Usage()
    for line in lines:
        total.add(line.usage)
    usage = total.as_dict()
    stored = run.summary if run else {}
    return {
        "run_id": run.run_id if run else None,
        "status": run.status if run else None,
        "models": sorted({line.model for line in lines}),
        "prompts": sorted({p for p in map(_prompt, lines) if p}),
        "prompt_hash": run.prompt_hash if run else None,
        "articles": len(lines),
        "succeeded": sum(a["status"] == "ok" for a in articles),
        "failed": sum(a["status"] == "failed" for a in articles),
        "empty": sum(a["status"] == "ok" and not a["values"] for a in articles),
        "filled": sum(len(a["values"]) for a in articles),
        "ungrounded": sum(not _grounded(v) for a in articles for v in a["values"]),
        "cached": sum(line.cached for line in lines),
        "attempts": sum(line.attempts for line in lines),
        "usage": usage,
        "cost_usd": _total([line.cost_usd for line in lines]),
        "latency_s": _total([line.latency_s for line in lines]),
        "started": run.created_at if run else None,
        "finished": run.finished_at if run else None,
        "wall_s": stored.get("wall_s"),
        "missing_texts": sum(a["text"] is None for a in articles),
    }


def run_payload(
    lines: Sequence[PredictionLine], texts: Mapping[str, str], *, run: RunInfo | None = None
) -> Json:
    """The run view's data: a summary and one entry per article, in doc_id order."""
    ordered = sorted(lines, key=lambda line: line.doc_id)
    articles = [_article(line, texts.get(line.doc_id)) for line in ordered]
    return {
        "view": "run",
        "fields": list(FIELD_ORDER),
        "summary": run_summary(ordered, articles, run),
        "articles": articles,
    }


def eval_payload(report: Json, texts: Mapping[str, str]) -> Json:
    """The eval view's data: the report, the texts its diffs point into, each quote's span."""
    diffs = []
    for diff in report.get("diffs", []):
        span = locate(texts.get(diff["doc_id"]), [diff.get("quote")])[0]
        diffs.append({**diff, "span": span})
    doc_ids = sorted({d["doc_id"] for d in diffs})
    return {
        "view": "eval",
        "fields": list(FIELD_ORDER),
        "diffs": diffs,
        "texts": {doc_id: texts.get(doc_id) for doc_id in doc_ids},
        "missing_texts": [doc_id for doc_id in doc_ids if doc_id not in texts],
    }


def _side_evidence(lines: Sequence[PredictionLine], doc_id: str, field: str) -> list[Json]:
    line = next((x for x in lines if x.doc_id == doc_id), None)
    if line is None:
        return []
    return [v for v in article_values(line) if v["field"] == field]


def compare_payload(
    report: Json,
    texts: Mapping[str, str],
    side_lines: Mapping[str, Sequence[PredictionLine]] | None = None,
) -> Json:
    """The compare view's data: the worklist of disagreements with each side's evidence.

    ``side_lines`` maps a side's label to its prediction lines; a side without lines shows its
    values but no evidence.
    """
    side_lines = side_lines or {}
    labels = [side["label"] for side in report["sides"]]
    by_doc = {
        label: {line.doc_id: [line] for line in side_lines.get(label, [])} for label in labels
    }
    worklist = []
    for item in report["disagreements"]:
        doc_id, field = item["doc_id"], item["field"]
        worklist.append(
            {
                "doc_id": doc_id,
                "field": field,
                "gold": item["gold"],
                "values": item["values"],
                "outcomes": item["outcomes"],
                "evidence": {
                    label: _side_evidence(by_doc[label].get(doc_id, []), doc_id, field)
                    for label in labels
                    if label in side_lines
                },
            }
        )
    doc_ids = sorted({w["doc_id"] for w in worklist})
    return {
        "view": "compare",
        "fields": list(FIELD_ORDER),
        "sides": labels,
        "with_evidence": [label for label in labels if label in side_lines],
        "worklist": worklist,
        "texts": {doc_id: texts.get(doc_id) for doc_id in doc_ids},
        "missing_texts": [doc_id for doc_id in doc_ids if doc_id not in texts],
    }
