"""Two runs of the seed articles for the label tests: the `rules` baseline, and a second run
that disagrees with it on three known fields of one article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor import extract, iter_documents

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DOC = "000_da9441d524ed042a"
#: (path, value in the second run) for the fields the second run disagrees on
CHANGED = {"incident_time": "21:30", "arrests": 2, "people[0].gender": None}


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    if path.startswith("people["):
        index, name = path[len("people[") :].split("].")
        record["people"][int(index)][name] = value
    else:
        record[path] = value


def write_runs(folder: Path) -> tuple[Path, Path]:
    """``rules.jsonl`` (a real `rules` run of seeds/) and ``other.jsonl``, in ``folder``."""
    lines = extract(iter_documents([SEEDS]), model="rules")
    rules = folder / "rules.jsonl"
    rules.write_text("".join(line.to_json() + "\n" for line in lines), encoding="utf-8")
    other = folder / "other.jsonl"
    out = []
    for line in lines:
        data = json.loads(line.to_json())
        data["model"] = "other"
        if data["doc_id"] == DOC:
            for path, value in CHANGED.items():
                _set(data["record"], path, value)
                data["evidence"].pop(path, None)
            data["evidence"]["incident_time"] = {
                "quote": "On May 31",
                "start": None,
                "end": None,
                "grounded": False,
            }
        out.append(json.dumps(data) + "\n")
    other.write_text("".join(out), encoding="utf-8")
    return rules, other


def rules_record(rules: Path, doc_id: str = DOC) -> dict[str, Any]:
    """The `rules` run's record for ``doc_id``, as JSON."""
    for text in rules.read_text(encoding="utf-8").splitlines():
        data = json.loads(text)
        if data["doc_id"] == doc_id:
            record: dict[str, Any] = data["record"]
            return record
    raise KeyError(doc_id)
