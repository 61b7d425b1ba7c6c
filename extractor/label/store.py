"""Where labels live: ``DIR/<doc_id>.json`` gold files, written atomically, and their drafts.

Every change in the page is autosaved to ``DIR/.drafts/<doc_id>.json`` (the whole form state), so
a browser refresh or a server restart loses nothing. Saving validates the form as a gold file
(:func:`extractor.eval.gold.parse_gold`: schema, alternatives, notes; and, when the repository's
``evals/check_gold.py`` is there, its checks too), then writes it through a temporary file and
``os.replace``, so a reader never sees half a file. The quotes the labeler chose go beside it in
``DIR/.evidence/<doc_id>.json`` (the gold format has no place for them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from extractor.errors import GoldFileError
from extractor.eval.gold import GoldLabel, load_gold_file, parse_gold
from extractor.label.fields import empty_value, field_specs

Json = dict[str, Any]
_KEYS = "1-9 picks a candidate, e edits, 0 nulls, Enter accepts"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _undecided(state: Json) -> list[str]:
    paths = [name for name, f in state["fields"].items() if f["status"] == "pending"]
    for i, person in enumerate(state["people"]):
        if person.get("pending"):
            paths.append(f"people[{i}] (keep it with k, or remove it with X)")
        paths += [
            f"people[{i}].{n}" for n, f in person["fields"].items() if f["status"] == "pending"
        ]
    return paths


def gold_data(state: Json) -> Json:
    """The gold file's content (keys in the spec's order) from a form state; not yet validated."""
    specs = field_specs()
    kinds = {s["name"]: s["kind"] for s in specs["record"] + specs["person"]}

    def value(name: str, entry: Json) -> Any:
        v = entry["value"]
        return empty_value(kinds[name]) if v is None else v

    record: Json = {"schema_version": "1"}
    record.update({name: value(name, f) for name, f in state["fields"].items()})
    record["people"] = [
        {name: value(name, f) for name, f in p["fields"].items()} for p in state["people"]
    ]
    record["summary"] = state.get("summary") or ""
    return {
        "doc_id": state["doc_id"],
        "record": record,
        "alternatives": {k: v for k, v in (state.get("alternatives") or {}).items() if v},
        "notes": state.get("notes") or "",
    }


class LabelStore:
    """The gold folder: drafts, gold files and their quotes, one article at a time."""

    def __init__(
        self, gold_dir: Path, *, checker: Path | None = None, articles: Mapping[str, Path] = {}
    ) -> None:
        self.gold_dir = gold_dir
        self.articles = dict(articles)
        self._check = None
        if checker is not None and checker.is_file():
            spec = importlib.util.spec_from_file_location("_extractor_check_gold", checker)
            if spec and spec.loader:
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self._check = module.check_file

    def _path(self, folder: str, doc_id: str) -> Path:
        if not doc_id or doc_id.startswith(".") or Path(doc_id).name != doc_id:
            raise GoldFileError(
                f"doc_id {doc_id!r} cannot name a file in {self.gold_dir}",
                hint="label articles whose ids are plain file names",
            )
        return self.gold_dir / folder / f"{doc_id}.json"

    def gold_path(self, doc_id: str) -> Path:
        """``DIR/<doc_id>.json``."""
        return self._path("", doc_id)

    def has_gold(self, doc_id: str) -> bool:
        """Whether ``DIR/<doc_id>.json`` exists."""
        return self.gold_path(doc_id).is_file()

    def gold(self, doc_id: str) -> GoldLabel | None:
        """The article's gold label, validated, or None when there is none yet."""
        return load_gold_file(self.gold_path(doc_id)) if self.has_gold(doc_id) else None

    def evidence(self, doc_id: str) -> Json:
        """The quotes saved with the gold file (field path -> quote, start, end), or {}."""
        path = self._path(".evidence", doc_id)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def draft(self, doc_id: str) -> Json | None:
        """The autosaved form state, or None."""
        path = self._path(".drafts", doc_id)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return None  # only written atomically, so this is someone's hand edit: start over
        return data if isinstance(data, dict) and data.get("doc_id") == doc_id else None

    def write_draft(self, state: Json) -> Path:
        """Autosave a form state to ``DIR/.drafts/<doc_id>.json`` (atomically)."""
        path = self._path(".drafts", state["doc_id"])
        write_atomic(path, _dumps(state))
        return path

    def save(self, state: Json) -> Path:
        """Validate a form state as a gold file and write ``DIR/<doc_id>.json`` atomically.

        Raises:
            GoldFileError: a field is still undecided, or the label is not a valid gold file
                (the message names the field and says how to fix it).
        """
        target = self.gold_path(state["doc_id"])
        undecided = _undecided(state)
        if undecided:
            raise GoldFileError(
                f"{target}: {len(undecided)} field(s) still undecided: {', '.join(undecided)}",
                hint=_KEYS,
            )
        data = gold_data(state)
        if not data["notes"].strip():
            raise GoldFileError(
                f"{target}: 'notes' is empty", hint="say why the hard calls went the way they did"
            )
        label = parse_gold(target, data)
        data["record"] = label.record.model_dump(mode="json")
        data["alternatives"] = {k: label.alternatives[k] for k in data["alternatives"]}
        text = _dumps(data)
        if self._check is not None:
            self._run_checker(target, text)
        write_atomic(target, text)
        quotes = {}
        for name, f in state["fields"].items():
            quotes[name] = f
        for i, p in enumerate(state["people"]):
            quotes.update({f"people[{i}].{n}": f for n, f in p["fields"].items()})
        evidence = {
            path: {"quote": f["quote"], "start": f.get("start"), "end": f.get("end")}
            for path, f in quotes.items()
            if f.get("quote")
        }
        write_atomic(self._path(".evidence", state["doc_id"]), _dumps(evidence))
        self._path(".drafts", state["doc_id"]).unlink(missing_ok=True)
        return target

    def _run_checker(self, target: Path, text: str) -> None:
        assert self._check is not None
        self.gold_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.gold_dir) as tmp:
            trial = Path(tmp) / target.name
            trial.write_text(text, encoding="utf-8")
            articles = {k: v for k, v in self.articles.items() if v.suffix == ".txt"}
            problems = [p for p in self._check(trial, articles) if "no article" not in p]
        if problems:
            raise GoldFileError(
                f"{target}: {'; '.join(problems)}", hint="fix the field named, then save again"
            )
