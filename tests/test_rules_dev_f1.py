"""No field of the ``rules`` baseline's dev eval drops more than 0.05 F1 below its snapshot.

The micro F1 gate (``test_eval_cli``) lets one field collapse while the pooled score stays above
0.80; this test names the field. See ``tests/rules_dev_f1.py`` for how the snapshot is refreshed.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.rules_dev_f1 import REFRESH, SNAPSHOT, TOLERANCE, dev_report, field_f1


def test_no_field_drops_below_its_snapshot(tmp_path: Path) -> None:
    snapshot = json.loads(SNAPSHOT.read_text())["fields"]
    now = field_f1(dev_report(tmp_path))
    assert set(now) == set(snapshot), f"fields changed; refresh the snapshot: {REFRESH}"
    dropped = {
        name: f"{was:.3f} -> {now[name] or 0:.3f}"
        for name, was in snapshot.items()
        if was is not None and (now[name] is None or now[name] < was - TOLERANCE)
    }
    assert not dropped, f"F1 dropped more than {TOLERANCE} from {SNAPSHOT.name}: {dropped}"
