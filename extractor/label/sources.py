"""What ``--from`` names: a predictions ``.jsonl`` file or a run id from the run store.

Each source becomes a :class:`~extractor.eval.paired.Side` (label and lines), so the worklist can hand
them to :func:`extractor.eval.paired.compare_sides` as they are. A line's optional ``confidence`` object
(field path -> agreement 0-1, beside ``evidence``) is read from the file's raw JSON, since the
prediction line model does not carry it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractor.eval.paired import Side
from extractor.predictions import PredictionLine, read_predictions
from extractor.store import RunStore


@dataclass
class Source:
    """One ``--from`` source: its side (label, lines) and per-line confidence, if any."""

    side: Side
    confidence: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.side.label

    def line(self, doc_id: str) -> PredictionLine | None:
        """The source's line for ``doc_id`` when it holds a record, else None."""
        for line in self.side.lines:
            if line.doc_id == doc_id and line.record is not None:
                return line
        return None


def _confidence(path: Path) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            continue  # read_predictions has already refused a malformed line
        conf = raw.get("confidence") if isinstance(raw, dict) else None
        if isinstance(conf, dict):
            found[str(raw.get("doc_id"))] = {
                str(k): float(v) for k, v in conf.items() if isinstance(v, int | float)
            }
    return found


def _unique(label: str, taken: set[str]) -> str:
    name, n = label, 2
    while name in taken:
        name, n = f"{label}#{n}", n + 1
    taken.add(name)
    return name


def load_sources(names: Sequence[str]) -> list[Source]:
    """Read every ``--from`` source, labelled by file stem or run id (made unique).

    Raises:
        StoreError: a source is neither a predictions file nor a stored run (the run store's
            one message for an unknown run id).
        PredictionsFileError: a predictions file has a malformed line.
    """
    sources: list[Source] = []
    taken: set[str] = set()
    for name in names:
        path = Path(name)
        if path.is_file():
            side = Side(_unique(path.stem, taken), read_predictions(path))
            sources.append(Source(side, _confidence(path)))
            continue
        with RunStore() as store:
            run, lines = store.run_lines(name)
        sources.append(Source(Side(_unique(run.run_id, taken), lines, run_id=run.run_id)))
    return sources
