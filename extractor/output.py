"""Predictions files: JSON Lines (the spec's format) or CSV, written one line per finished article.

Every line is flushed as soon as it is written, so a killed run loses nothing that finished.
Rerunning into an existing file resumes: finished records are kept and skipped, error lines are
dropped so those articles are retried, and a torn last line (from a kill mid-write) is repaired.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from pydantic import ValidationError

from extractor.errors import ConfigError
from extractor.predictions import PredictionLine

Format = Literal["jsonl", "csv"]


def read_lines(path: Path) -> Iterator[tuple[int, PredictionLine | None]]:
    """Yield ``(line number, parsed line or None when unparseable)`` for a JSONL predictions file."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, PredictionLine.from_json(raw)
            except ValidationError:
                yield number, None


def _csv_columns() -> list[str]:
    return list(PredictionLine(doc_id="", model="").flat())


class PredictionWriter:
    """Appends prediction lines to a file (or stdout), resuming what is already there."""

    def __init__(
        self,
        output: str | Path,
        *,
        fmt: Format = "jsonl",
        overwrite: bool = False,
        model: str | None = None,
    ) -> None:
        self.fmt = fmt
        self.done: set[str] = set()
        self.dropped_errors = 0
        self.repaired = 0
        self._stdout = str(output) == "-"
        self.path = None if self._stdout else Path(output)
        if self.path is not None and self.path.exists() and not overwrite:
            kept = self._load_existing(self.path, model=model)
            self._rewrite(self.path, kept)
        elif self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._rewrite(self.path, [])
        self._handle: IO[str] = (
            sys.stdout if self.path is None else self.path.open("a", encoding="utf-8", newline="")
        )
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "csv":
            self._csv = csv.DictWriter(self._handle, fieldnames=_csv_columns())
            if self.path is None or self.path.stat().st_size == 0:
                self._csv.writeheader()
                self._handle.flush()

    def _load_existing(self, path: Path, *, model: str | None) -> list[str]:
        """Keep the finished records already in ``path``; remember their ids."""
        kept: list[str] = []
        if self.fmt == "jsonl":
            with path.open("rb") as handle:
                raw_lines = [line.decode("utf-8", "replace") for line in handle]
            for raw in raw_lines:
                if not raw.strip():
                    continue
                try:
                    line = PredictionLine.from_json(raw)
                except ValidationError:
                    self.repaired += 1  # a torn line from a killed run; its article reruns
                    continue
                if self._keep(line.doc_id, line.ok, line.model, path, model):
                    kept.append(raw.rstrip("\r\n") + "\n")
            return kept
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        rows = list(csv.DictReader(io.StringIO(text)))
        if text and not text.endswith("\n") and rows:
            rows.pop()  # a torn last row
            self.repaired += 1
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=_csv_columns(), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            if self._keep(
                row.get("doc_id", ""), not row.get("error"), row.get("model"), path, model
            ):
                writer.writerow(row)
        return [buffer.getvalue()]

    def _keep(
        self, doc_id: str, ok: bool, line_model: str | None, path: Path, model: str | None
    ) -> bool:
        if not ok:
            self.dropped_errors += 1
            return False
        if model is not None and line_model != model:
            raise ConfigError(
                f"{path} already holds records from model {line_model!r}, not {model!r}",
                hint="pass --overwrite to start over, or write to another file",
            )
        if doc_id in self.done:
            return False
        self.done.add(doc_id)
        return True

    @staticmethod
    def _rewrite(path: Path, lines: list[str]) -> None:
        """Replace ``path`` atomically, so a crash here never leaves half a file."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)

    def write(self, line: PredictionLine) -> None:
        """Write one finished article and flush it to disk."""
        if self._csv is not None:
            self._csv.writerow(line.flat())
        else:
            self._handle.write(line.to_json() + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self.path is not None:
            self._handle.close()

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
