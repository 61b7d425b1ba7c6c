"""A labeling session: the articles, the gold folder, the ``--from`` runs, and the worklist.

Worklist order: articles without gold first; then articles whose ``--from`` runs predict
different values (the disagreement queue of :func:`extractor.eval.paired.compare_sides`, most disagreeing
fields first); then the rest, lowest confidence first: a line's ``confidence`` object (field
path -> agreement 0-1, as ``run --samples N`` writes it), or, when no ``--from`` line for the
article carries one, the agreement of the ``--from`` runs with each other (the same measure,
:func:`extractor.eval.agreement.agree`, across runs instead of samples). For
articles without gold, the comparison is judged against the first run's record, so people are
still aligned the eval's way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractor.documents import Document, iter_documents
from extractor.errors import ConfigError
from extractor.eval.agreement import agree
from extractor.eval.gold import GoldLabel
from extractor.eval.paired import compare_sides
from extractor.label.guidelines import field_anchors
from extractor.label.prefill import Contribution, prefill
from extractor.label.sources import Source, load_sources
from extractor.label.store import LabelStore

Json = dict[str, Any]
#: Bootstrap resamples for the comparison: only its disagreement list is used here.
_RESAMPLES = 10


class LabelSession:
    """Everything the label app serves, callable without a server."""

    def __init__(
        self,
        articles: Sequence[str | Path],
        gold_dir: str | Path,
        *,
        sources: Sequence[str] = (),
        guidelines: str | Path | None = None,
    ) -> None:
        """Read the articles and the ``--from`` sources, and order the worklist.

        Raises:
            ConfigError: no article found, or a ``--from`` source cannot be read.
            DocumentError: an article path does not exist.
        """
        self.docs = {d.doc_id: d for d in iter_documents(list(articles)) if isinstance(d, Document)}
        if not self.docs:
            raise ConfigError(
                f"no readable article under {', '.join(map(str, articles))}",
                hint="give .txt/.md files, folders of them, or a JSONL file",
            )
        self.gold_dir = Path(gold_dir)
        self.guidelines = Path(guidelines) if guidelines else None
        if self.guidelines is not None and not self.guidelines.is_file():
            self.guidelines = None
        checker = self.guidelines.parent / "check_gold.py" if self.guidelines else None
        self.store = LabelStore(
            self.gold_dir,
            checker=checker,
            articles={k: Path(d.source) for k, d in self.docs.items() if d.source},
        )
        self.sources: list[Source] = load_sources(sources)
        self._confidence: dict[str, dict[str, dict[str, float]]] = {}
        self.anchors = (
            field_anchors(self.guidelines.read_text(encoding="utf-8")) if self.guidelines else {}
        )
        self.worklist = self._order()

    def confidence(self, doc_id: str) -> dict[str, dict[str, float]]:
        """Per source label, field path -> confidence for ``doc_id`` (see the module docstring)."""
        if doc_id not in self._confidence:
            given = {s.label: s.confidence[doc_id] for s in self.sources if doc_id in s.confidence}
            if not given:
                lines = [(s.label, s.line(doc_id)) for s in self.sources]
                runs = [(label, line.record) for label, line in lines if line and line.record]
                if len(runs) > 1:
                    agreement = agree([record for _, record in runs])
                    given = {label: agreement.shares_for(k) for k, (label, _) in enumerate(runs)}
            self._confidence[doc_id] = given
        return self._confidence[doc_id]

    def _contributions(self, doc_id: str) -> list[Contribution]:
        found = []
        confidence = self.confidence(doc_id)
        for source in self.sources:
            line = source.line(doc_id)
            if line is not None and line.record is not None:
                evidence = {k: v.model_dump() for k, v in line.evidence.items()}
                found.append(
                    Contribution(
                        source.label, line.record, evidence, confidence.get(source.label, {})
                    )
                )
        return found

    def _order(self) -> list[Json]:
        gold: dict[str, GoldLabel] = {}
        has_gold = {doc_id: self.store.has_gold(doc_id) for doc_id in self.docs}
        for doc_id in self.docs:
            label = self.store.gold(doc_id) if has_gold[doc_id] else None
            if label is None:
                first = self._contributions(doc_id)[:1]
                label = GoldLabel(record=first[0].record, doc_id=doc_id) if first else None
            if label is not None:
                gold[doc_id] = label
        disagree: dict[str, list[str]] = {doc_id: [] for doc_id in self.docs}
        if len(self.sources) > 1 and gold:
            sides = [s.side for s in self.sources]
            report = compare_sides(sides, gold, resamples=_RESAMPLES)
            for item in report.disagreements:
                if item.doc_id in disagree:
                    disagree[item.doc_id].append(item.field)
        items = []
        for doc_id in self.docs:
            conf = [v for shares in self.confidence(doc_id).values() for v in shares.values()]
            items.append(
                {
                    "doc_id": doc_id,
                    "gold": has_gold[doc_id],
                    "disagreements": disagree[doc_id],
                    "confidence": min(conf) if conf else None,
                }
            )

        def key(item: Json) -> tuple[int, int, float, str]:
            group = 0 if not item["gold"] else (1 if item["disagreements"] else 2)
            conf = item["confidence"]
            return (
                group,
                -len(item["disagreements"]),
                2.0 if conf is None else conf,
                item["doc_id"],
            )

        return sorted(items, key=key)

    def status(self) -> list[Json]:
        """The worklist with each article's current state (gold saved, draft pending)."""
        return [
            {
                **item,
                "saved": self.store.has_gold(item["doc_id"]),
                "draft": self.store.draft(item["doc_id"]) is not None,
            }
            for item in self.worklist
        ]

    def article(self, doc_id: str) -> Json:
        """An article's text and its form state: the draft if there is one, else pre-filled.

        Raises:
            ConfigError: ``doc_id`` is not one of the session's articles.
        """
        doc = self.docs.get(doc_id)
        if doc is None:
            raise ConfigError(
                f"no article {doc_id!r} in this session", hint="pick one from the worklist"
            )
        state = self.store.draft(doc_id)
        origin = "draft"
        if state is None:
            state, origin = self._fresh(doc_id), "gold" if self.store.has_gold(doc_id) else "runs"
        return {
            "doc_id": doc_id,
            "text": doc.text,
            "published": doc.published,
            "origin": origin,
            "state": state,
        }

    def _fresh(self, doc_id: str) -> Json:
        contributions = self._contributions(doc_id)
        label = self.store.gold(doc_id)
        if label is None:
            labels = ", ".join(c.label for c in contributions) or "nothing"
            return prefill(
                doc_id, contributions, notes=f"Pre-filled from {labels} with extractor label."
            )
        gold = Contribution("gold", label.record, self.store.evidence(doc_id))
        state = prefill(doc_id, [gold, *contributions], notes=label.notes)
        # the saved gold is the labeler's decision: other runs' values stay on offer only
        for entry in [
            *state["fields"].values(),
            *(f for p in state["people"] for f in p["fields"].values()),
        ]:
            entry["status"] = "accepted"
        for person in state["people"]:
            person["pending"] = "gold" not in person["sources"]
        state["alternatives"] = dict(label.alternatives)
        return state

    def save_draft(self, state: Json) -> Path:
        """Autosave a form state (see :meth:`LabelStore.write_draft`)."""
        self._known(state)
        return self.store.write_draft(state)

    def save(self, state: Json) -> Path:
        """Validate and write the gold file (see :meth:`LabelStore.save`)."""
        self._known(state)
        return self.store.save(state)

    def _known(self, state: Json) -> None:
        if not isinstance(state, dict) or state.get("doc_id") not in self.docs:
            raise ConfigError(
                f"no article {state.get('doc_id') if isinstance(state, dict) else state!r} in this session",
                hint="reload the page",
            )
