"""Re-make the fixture cassettes from the local simulator (no API key, no network).

For each scenario in tests/llm_fixtures.py this starts the simulator on loopback with that
scenario's scripted faults and hand-written answers, then runs the one test in record mode with
EXTRACTOR_RECORD_BASE_URL pointing at it; tests/conftest.py rewrites the recorded URL to the
OpenAI API's, so replay needs no server. Run from the repository root:

    python cassettes/make_fixtures.py            # all scenarios
    python cassettes/make_fixtures.py test_run_seeds_clean
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from llm_fixtures import SCENARIOS  # noqa: E402

from benchmarks.simulator import SimConfig, run_simulator  # noqa: E402


def main(names: list[str]) -> int:
    for name in names or list(SCENARIOS):
        with run_simulator(SimConfig(**SCENARIOS[name])) as sim:
            env = {**os.environ, "EXTRACTOR_RECORD_BASE_URL": sim.base_url}
            command = [
                sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                f"tests/test_llm_cassettes.py::{name}", "--record-mode=rewrite",
            ]  # fmt: skip
            print("recording", name, "from", sim.base_url, flush=True)
            result = subprocess.run(command, cwd=ROOT, env=env, check=False)
            if result.returncode != 0:
                return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
