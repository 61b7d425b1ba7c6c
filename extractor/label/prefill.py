"""The form an article opens with: each field's candidates from the ``--from`` runs (and gold).

Values are grouped per field by equality of their JSON: one group means the runs agree and the
value is pre-accepted; several mean each candidate is offered, with a quote, and the field waits
for a decision. People are matched across runs with the eval's own alignment
(:func:`extractor.eval.people.align`); a person only some runs list waits to be kept or removed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extractor.eval.people import align
from extractor.label.fields import field_specs
from extractor.schema import IncidentRecord, Person

Json = dict[str, Any]


@dataclass
class Contribution:
    """One run's (or the gold file's) record for an article, with its quotes and confidence."""

    label: str
    record: IncidentRecord
    evidence: Mapping[str, Json] = field(default_factory=dict)
    confidence: Mapping[str, float] = field(default_factory=dict)


def _quote(c: Contribution, *paths: str) -> Json:
    for path in paths:
        ev = c.evidence.get(path)
        if ev and ev.get("quote"):
            grounded = ev.get("grounded", True)
            return {
                "quote": ev["quote"],
                "start": ev.get("start") if grounded else None,
                "end": ev.get("end") if grounded else None,
            }
    return {"quote": "", "start": None, "end": None}


def _entry(offers: Sequence[tuple[Contribution, Any, Json, float | None]]) -> Json:
    """A field's form entry from (contribution, value, quote, confidence) offers."""
    candidates: list[Json] = []
    for c, value, quote, _ in offers:
        key = json.dumps(value, sort_keys=True)
        same = next((x for x in candidates if x["key"] == key), None)
        if same is None:
            candidates.append({"key": key, "value": value, "sources": [c.label], **quote})
        else:
            same["sources"].append(c.label)
            if not same["quote"] and quote["quote"]:
                same.update(quote)
    for x in candidates:
        del x["key"]
    confidences = [conf for *_, conf in offers if conf is not None]
    first = (
        candidates[0] if candidates else {"value": None, "quote": "", "start": None, "end": None}
    )
    return {
        "value": first["value"],
        "quote": first["quote"],
        "start": first["start"],
        "end": first["end"],
        "status": "pending" if len(candidates) > 1 else "accepted",
        "candidates": candidates,
        "confidence": min(confidences) if confidences else None,
    }


def _field(
    c: Contribution, value: Any, path: str, *fallback: str
) -> tuple[Any, Json, float | None]:
    return value, _quote(c, path, *fallback), c.confidence.get(path)


def _people(contributions: Sequence[Contribution], names: Sequence[str]) -> list[Json]:
    # slots[k] = [(contribution, person index)], matched to the slot's first person
    slots: list[list[tuple[Contribution, int]]] = []
    for c in contributions:
        reps: list[Person] = [slot[0][0].record.people[slot[0][1]] for slot in slots]
        alignment = align(reps, c.record.people)
        for k, j in alignment.pairs:
            slots[k].append((c, j))
        slots.extend([[(c, j)] for j in alignment.unmatched_predicted])
    people = []
    labels = [c.label for c in contributions]
    for slot in slots:
        fields = {}
        for name in names:
            offers = []
            for c, j in slot:
                value = c.record.people[j].model_dump(mode="json")[name]
                offers.append((c, *_field(c, value, f"people[{j}].{name}", f"people[{j}]")))
            fields[name] = _entry(offers)
        present = [c.label for c, _ in slot]
        missing = [label for label in labels if label not in present]
        people.append(
            {
                "fields": fields,
                "sources": present,
                "pending": bool(missing),
                "note": f"only in {', '.join(present)}; not in {', '.join(missing)}"
                if missing
                else "",
            }
        )
    return people


def prefill(doc_id: str, contributions: Sequence[Contribution], *, notes: str = "") -> Json:
    """The form state for ``doc_id`` from every contribution (gold first when there is one)."""
    specs = field_specs()
    dumped = [c.record.model_dump(mode="json") for c in contributions]
    fields = {
        spec["name"]: _entry(
            [
                (c, *_field(c, d[spec["name"]], spec["name"]))
                for c, d in zip(contributions, dumped, strict=True)
            ]
        )
        for spec in specs["record"]
    }
    summaries = [d["summary"] for d in dumped if d["summary"]]
    return {
        "doc_id": doc_id,
        "fields": fields,
        "people": _people(contributions, [s["name"] for s in specs["person"]]),
        "summary": summaries[0] if summaries else "",
        "notes": notes,
        "alternatives": {},
        "sources": [c.label for c in contributions],
    }
