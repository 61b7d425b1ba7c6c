"""``extractor label``: a local labeling assistant in the browser, writing gold files.

    from extractor.label import LabelSession, LabelServer
    session = LabelSession(["seeds/"], "evals/gold", sources=["records.jsonl"])
    with LabelServer(session) as server:
        print(server.url)

The web stack (Starlette, uvicorn) is the optional extra ``extractor[label]``; importing
:mod:`extractor.label.app` without it fails, and :func:`require_extra` says how to install it.
"""

from __future__ import annotations

import importlib.util
import threading
import webbrowser
from types import TracebackType
from typing import Any

from extractor.errors import ConfigError
from extractor.label.session import LabelSession

__all__ = ["INSTALL", "LabelServer", "LabelSession", "require_extra", "serve"]

#: The exact command that installs the label app's web stack.
INSTALL = "pip install 'extractor[label]'"


def require_extra() -> None:
    """Raise :class:`ConfigError` with the install command when the label extra is missing."""
    missing = [
        m for m in ("starlette", "uvicorn", "markdown_it") if not importlib.util.find_spec(m)
    ]
    if missing:
        raise ConfigError(
            f"extractor label needs {', '.join(missing)}, which are not installed",
            hint=f"install the label extra: {INSTALL}",
        )


class LabelServer:
    """The label app served by uvicorn on 127.0.0.1, in a background thread (for tests, scripts)."""

    def __init__(self, session: LabelSession, port: int = 0) -> None:
        require_extra()
        import uvicorn

        from extractor.label.app import bind, build_app

        self.socket = bind(port)
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        config = uvicorn.Config(build_app(session, self.port), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self) -> LabelServer:
        """Start serving; returns once the server accepts requests."""
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the label server stopped while starting")
            self._thread.join(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.socket.close()

    def __enter__(self) -> LabelServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve(session: LabelSession, *, port: int = 0, open_browser: bool = True, **_: Any) -> None:
    """Serve the label app on 127.0.0.1 until interrupted, opening the browser on its page.

    Raises:
        ConfigError: the label extra is not installed (the message gives the install command).
    """
    server = LabelServer(session, port)
    from rich.console import Console

    Console(stderr=True).print(
        f"labeling {len(session.worklist)} article(s) into {session.gold_dir} at {server.url} "
        "(Ctrl-C stops; drafts are kept)",
        highlight=False,
    )
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(server.url,)).start()
    try:
        server.server.run(sockets=[server.socket])
    finally:
        server.socket.close()
