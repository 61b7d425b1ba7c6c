"""The per-field F1 snapshot of the ``rules`` baseline on the dev gold set.

``tests/data/rules_dev_f1.json`` holds each field's F1 from ``extractor eval --model rules`` (the
gold in ``evals/gold``, articles in ``seeds/`` and ``evals/articles/``);
``tests/test_rules_dev_f1.py`` fails when any field drops more than :data:`TOLERANCE` below it.
After a deliberate change to the rules, refresh it from the repository root and commit it:

    .venv/bin/python -m tests.rules_dev_f1

Never refresh it to hide a drop you did not mean, and never from ``evals/heldout/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "rules_dev_f1.json"
COMMAND = ["eval", "--model", "rules"]
REFRESH = ".venv/bin/python -m tests.rules_dev_f1"
#: How far a field's F1 may fall below the snapshot before the test fails.
TOLERANCE = 0.05


def dev_report(folder: Path) -> dict[str, Any]:
    """The JSON report of ``extractor eval --model rules``, run in-process."""
    from extractor.cli import app

    path = folder / "rules_dev.json"
    result = CliRunner().invoke(app, [*COMMAND, "--json", str(path)])
    if result.exit_code != 0:
        raise RuntimeError(f"extractor {' '.join(COMMAND)} failed:\n{result.output}")
    report: dict[str, Any] = json.loads(path.read_text())
    return report


def field_f1(report: dict[str, Any]) -> dict[str, float | None]:
    """Each field's F1, in schema order (``None`` where undefined)."""
    return {name: field["f1"] for name, field in report["fields"].items()}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["EXTRACTOR_HOME"] = folder  # the eval's run record is not worth keeping
        report = dev_report(Path(folder))
    snapshot = {
        "_comment": f"Per-field F1 of `extractor {' '.join(COMMAND)}` (dev gold set); "
        f"tests/test_rules_dev_f1.py fails when a field drops more than {TOLERANCE}. "
        f"Refresh after a deliberate rules change: {REFRESH}",
        "date": dt.date.today().isoformat(),
        "command": f"extractor {' '.join(COMMAND)}",
        "micro_f1": report["micro"]["f1"],
        "fields": field_f1(report),
    }
    SNAPSHOT.write_text(json.dumps(snapshot, indent=2) + "\n")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}: {len(snapshot['fields'])} fields")


if __name__ == "__main__":
    main()
