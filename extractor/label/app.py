"""The label web app: a Starlette application, served by uvicorn on 127.0.0.1 only.

Every request must name this server in ``Host`` (``127.0.0.1:PORT`` or ``localhost:PORT``), which
stops DNS-rebinding pages; a request whose ``Origin`` (or ``Sec-Fetch-Site``) says it comes from
another site is refused, and writes must be JSON (a cross-site form cannot send that without a
preflight), so another tab cannot write labels.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from extractor.errors import ExtractorError
from extractor.label.fields import field_specs
from extractor.label.guidelines import render_guidelines
from extractor.label.page import render_guidelines_page, render_label_page
from extractor.label.session import LabelSession

_SAFE = {"GET", "HEAD"}


class LocalOnly:
    """ASGI middleware: refuse requests not addressed to, or not coming from, this server."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    def _refusal(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host not in self.hosts:
            return f"refused: Host {host!r} is not this server ({', '.join(sorted(self.hosts))})"
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return f"refused: Origin {origin!r} is not this server"
        site = headers.get("sec-fetch-site")
        if site is not None and site not in {"same-origin", "none"}:
            return f"refused: a {site} request"
        if scope["method"] not in _SAFE and not headers.get("content-type", "").startswith(
            "application/json"
        ):
            return "refused: writes take Content-Type application/json"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = self._refusal(scope)
            if reason is not None:
                await PlainTextResponse(reason, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _error(exc: ExtractorError, status: int = 422) -> JSONResponse:
    return JSONResponse({"error": exc.message, "hint": exc.hint, "field": exc.message}, status)


async def _state(request: Request) -> Any:
    try:
        state = json.loads(await request.body())
    except json.JSONDecodeError as exc:
        raise ExtractorError(
            f"the request body is not JSON ({exc.msg})", hint="reload the page"
        ) from None
    if not isinstance(state, dict) or state.get("doc_id") != request.path_params["doc_id"]:
        raise ExtractorError("the form state names another article", hint="reload the page")
    return state


def build_app(session: LabelSession, port: int) -> ASGIApp:
    """The label app for ``session``, accepting only requests addressed to ``127.0.0.1:port``."""
    guidelines_html = (
        render_guidelines_page(render_guidelines(session.guidelines))
        if session.guidelines
        else None
    )

    async def index(request: Request) -> Response:
        data = {
            "fields": field_specs(),
            "anchors": session.anchors,
            "guidelines": guidelines_html is not None,
            "sources": [s.label for s in session.sources],
            "worklist": session.worklist,
        }
        return HTMLResponse(
            render_label_page(
                title=f"Label: {session.gold_dir}", data=data, gold_dir=str(session.gold_dir)
            )
        )

    async def guidelines(request: Request) -> Response:
        if guidelines_html is None:
            return PlainTextResponse("no guidelines file (pass --guidelines)", status_code=404)
        return HTMLResponse(guidelines_html)

    async def worklist(request: Request) -> Response:
        return JSONResponse(session.status())

    async def article(request: Request) -> Response:
        try:
            return JSONResponse(session.article(request.path_params["doc_id"]))
        except ExtractorError as exc:
            return _error(exc, 404)

    async def draft(request: Request) -> Response:
        try:
            path = session.save_draft(await _state(request))
        except ExtractorError as exc:
            return _error(exc)
        return JSONResponse({"path": str(path)})

    async def gold(request: Request) -> Response:
        try:
            path = session.save(await _state(request))
        except ExtractorError as exc:
            return _error(exc)
        return JSONResponse({"path": str(path)})

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/guidelines", guidelines),
            Route("/api/worklist", worklist),
            Route("/api/article/{doc_id:path}", article),
            Route("/api/draft/{doc_id:path}", draft, methods=["PUT"]),
            Route("/api/gold/{doc_id:path}", gold, methods=["POST"]),
        ]
    )
    return LocalOnly(app, port)


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port), reusable after a restart."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock
