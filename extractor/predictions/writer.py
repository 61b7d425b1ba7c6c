"""Predictions files: JSON Lines (the spec's format) or CSV, written one line per finished article.

Every line is flushed as soon as it is written, so a killed run loses nothing that finished.
Rerunning into an existing predictions file resumes: finished records are kept and skipped,
error lines are dropped so those articles are retried, and a torn last line (from a kill
mid-write) is repaired. A file that is not a predictions file is never touched without
``--overwrite``, and the output is locked for the whole run (see :mod:`.lock`).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Literal

from extractor.errors import OutputError
from extractor.predictions.line import PredictionLine, PromptRef, csv_columns
from extractor.predictions.lock import OutputLock
from extractor.predictions.reader import iter_lines

Format = Literal["jsonl", "csv"]

_OVERWRITE_HINT = "pass --overwrite to replace it, or write to another file"


def check_not_an_input(output: str | Path, inputs: Iterable[str | Path]) -> None:
    """Refuse an output that is one of the inputs, however it is reached.

    An output inside an input folder is fine: the folder walk leaves the run's own output out
    (and lists it as skipped), so a rerun resumes it rather than reading it as articles.

    Raises:
        OutputError: ``output`` is an input file given by name, or a folder among the inputs
            holds another name for it (a link).
    """
    if str(output) == "-":
        return
    target = Path(output)
    if not target.is_file():
        return
    own = os.path.abspath(target)
    for given in inputs:
        root = Path(given)
        if root.is_dir():
            found = (p for p in root.rglob("*") if os.path.abspath(p) != own)
            if any(p.is_file() and os.path.samefile(p, target) for p in found):
                _refuse_input(target, root)
        elif root.is_file() and os.path.samefile(root, target):
            _refuse_input(target, root)


def _refuse_input(output: Path, given: Path) -> None:
    where = "is the input" if not given.is_dir() else "is inside the input folder"
    raise OutputError(
        f"the output {str(output)!r} {where} {str(given)!r}: writing it would destroy an input",
        hint="write the output to another file, outside the input folders",
    )


class PredictionWriter:
    """Appends prediction lines to a file (or stdout), resuming what is already there.

    Args:
        output: a path, or ``"-"`` for stdout.
        fmt: ``jsonl`` or ``csv``.
        overwrite: start over even if ``output`` holds something.
        model: refuse to resume a file holding records from another model (None: no check).
        prompt: with ``model``, refuse a file holding records from another prompt version.
        recorded_hash: the content hash of the prompt that last wrote ``output`` (from the run
            store); refuse to resume when ``prompt.content_hash`` differs.

    Raises:
        OutputError: ``output`` exists and is not a predictions file; holds records from another
            model or prompt; or another run holds its lock.
    """

    def __init__(
        self,
        output: str | Path,
        *,
        fmt: Format = "jsonl",
        overwrite: bool = False,
        model: str | None = None,
        prompt: PromptRef | None = None,
        recorded_hash: str | None = None,
    ) -> None:
        self.fmt = fmt
        self.done: set[str] = set()
        self.dropped_errors = 0
        self.repaired = 0
        self._model = model
        self._prompt = prompt
        self._recorded_hash = recorded_hash
        self._stdout = str(output) == "-"
        self.path = None if self._stdout else Path(output)
        self._lock: OutputLock | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = OutputLock(self.path)
            self._lock.acquire()
            try:
                resume = self.path.exists() and not overwrite
                kept = self._load_existing(self.path) if resume else []
                self._rewrite(self.path, kept)
            except BaseException:
                self._lock.release()
                raise
        self._handle: IO[str] = (
            sys.stdout if self.path is None else self.path.open("a", encoding="utf-8", newline="")
        )
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "csv":
            self._csv = csv.DictWriter(self._handle, fieldnames=csv_columns())
            if self.path is None or self.path.stat().st_size == 0:
                self._csv.writeheader()
                self._handle.flush()

    def _load_existing(self, path: Path) -> list[str]:
        """Keep the finished records already in ``path``; remember their ids."""
        if self.fmt == "csv":
            return self._load_csv(path)
        kept: list[str] = []
        for item in iter_lines(path, lenient=False, torn_last_ok=True):
            if isinstance(item, tuple):
                number, exc = item
                raise OutputError(
                    f"{str(path)!r} is not a predictions file (line {number}: {exc}), so it is "
                    "not resumed",
                    hint=_OVERWRITE_HINT,
                )
            if item.line is None:
                self.repaired += 1  # a torn last line from a killed run; its article reruns
                continue
            line = item.line
            if self._keep(line.doc_id, line.ok, line.model, line.prompt, path):
                kept.append(item.text.rstrip("\r\n") + "\n")
        return kept

    def _load_csv(self, path: Path) -> list[str]:
        columns = csv_columns()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = None
        reader = csv.reader(io.StringIO(text or ""))
        header = next(reader, None)
        if text is None or (text.strip() and header != columns):
            raise OutputError(
                f"{str(path)!r} is not a predictions CSV (its first row is not the header "
                "`extractor run --format csv` writes), so it is not resumed",
                hint=_OVERWRITE_HINT,
            )
        rows = list(reader)
        if text and not text.endswith("\n") and rows:
            rows.pop()  # a torn last row
            self.repaired += 1
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for number, row in enumerate(rows, start=2):
            if len(row) != len(columns):
                raise OutputError(
                    f"{str(path)!r} row {number} has {len(row)} columns, not {len(columns)}: it "
                    "is not a predictions CSV, so it is not resumed",
                    hint=_OVERWRITE_HINT,
                )
            values = dict(zip(columns, row, strict=True))
            prompt = PromptRef.parse(values["prompt"]) if values["prompt"] else None
            if self._keep(values["doc_id"], not values["error"], values["model"], prompt, path):
                writer.writerow(row)
        return [buffer.getvalue()]

    def _keep(
        self, doc_id: str, ok: bool, model: str, prompt: PromptRef | None, path: Path
    ) -> bool:
        if not ok:
            self.dropped_errors += 1
            return False
        if self._model is not None:
            self._check_origin(model, prompt, path)
        if doc_id in self.done:
            return False
        self.done.add(doc_id)
        return True

    def _check_origin(self, model: str, prompt: PromptRef | None, path: Path) -> None:
        """Refuse to mix records of another model, prompt version or prompt content."""
        if model != self._model:
            raise OutputError(
                f"{path} already holds records from model {model!r}, not {self._model!r}",
                hint=_OVERWRITE_HINT,
            )
        expected = self._prompt
        if (prompt is None) != (expected is None) or (
            expected and not expected.same_template(prompt)
        ):
            raise OutputError(
                f"{path} already holds records from prompt {str(prompt) if prompt else None!r}, "
                f"not {str(expected) if expected else None!r}",
                hint=_OVERWRITE_HINT,
            )
        known = self._recorded_hash
        if expected and expected.content_hash and known and known != expected.content_hash:
            raise OutputError(
                f"{path} already holds records from prompt {str(expected)!r} with content hash "
                f"{known!r}; the template now hashes to {expected.content_hash!r} (it was edited)",
                hint=_OVERWRITE_HINT + ", or give the edited template a new version",
            )

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
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
