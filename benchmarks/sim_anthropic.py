"""Anthropic's Messages API and Message Batches, in the simulator (``Simulator.anthropic``).

``POST /v1/messages`` answers a forced tool call (``tool_choice={"type": "tool", "name": NAME}``)
as Anthropic does: a ``message`` whose ``content`` is one ``tool_use`` block named ``NAME`` with
the record as ``input``, and ``usage`` with ``input_tokens``, ``output_tokens`` and the prompt cache's
``cache_creation_input_tokens``/``cache_read_input_tokens``. It takes the simulator's script and
fault rates (``401``, ``429``, ``500``, ``503`` as 529 ``overloaded_error``, ``schema_violation``),
and counts in ``Simulator.stats`` like ``/chat/completions``.

``/v1/messages/batches``: create (``{"requests": [{"custom_id", "params"}]}``), list (newest
first, ``limit``/``after_id``), retrieve, cancel, and the results JSONL at the batch's
``results_url``. A batch is ``in_progress`` for the simulator's ``batch_validating_s +
batch_in_progress_s``, then ``ended``; every line is then ``succeeded`` (a schema violation at
``batch_p_invalid``), ``errored`` (``batch_p_error``), ``expired`` (past
``batch_expire_after``) or ``canceled``. Shapes follow the ``anthropic`` SDK's types
(``MessageBatch``, ``MessageBatchIndividualResponse``); they were written from those types and
Anthropic's API reference, not recorded.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from benchmarks.simulator import (
    HOLDABLE,
    BatchEngine,
    Simulator,
    _json_response,
    _spoil,
    article_hash,
    extract_article,
)

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: Anthropic caches a prefix up to a ``cache_control`` breakpoint, from this many tokens on.
MIN_CACHE_TOKENS = 1024
ERRORS = {
    "401": (401, "authentication_error", "invalid x-api-key"),
    "429": (
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit (simulated).",
    ),
    "500": (500, "api_error", "Internal server error (simulated)."),
    "503": (529, "overloaded_error", "Overloaded (simulated)."),
}


def _error(status: int, type_: str, message: str, **headers: str) -> web.Response:
    body = {"type": "error", "error": {"type": type_, "message": message}}
    return _json_response(status, body, headers or None)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _tool_name(req: dict[str, Any]) -> str:
    choice = req.get("tool_choice") or {}
    if isinstance(choice, dict) and choice.get("name"):
        return str(choice["name"])
    tools = req.get("tools") or [{}]
    return str(tools[0].get("name") or "tool")


class AnthropicEngine(BatchEngine):
    """``/v1/messages`` and ``/v1/messages/batches``; holds, counters and timing as
    :class:`BatchEngine` (endpoints ``create``, ``list``, ``retrieve``, ``content`` for results).

    ``receive`` holds a create call as it arrives, before any work, and loses it: at its release
    it is answered 529 with no batch made (a client killed while it was held never made one).
    """

    holdable = (*HOLDABLE, "receive")

    def __init__(self, sim: Simulator) -> None:
        super().__init__(sim)
        self._prefixes: set[str] = set()
        self._prefix_lock = threading.Lock()
        #: ``/v1/messages`` request bodies, in arrival order (with ``record_bodies``)
        self.bodies: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        """The ``--base-url`` of an ``anthropic/`` model (the SDK adds ``/v1/messages``)."""
        return f"http://{self.sim.config.host}:{self.sim.port}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/batches", self._create)
        app.router.add_get("/v1/messages/batches", self._list)
        app.router.add_get("/v1/messages/batches/{batch_id}", self._retrieve)
        app.router.add_post("/v1/messages/batches/{batch_id}/cancel", self._cancel)
        app.router.add_get("/v1/messages/batches/{batch_id}/results", self._results)

    # --- the Messages API ----------------------------------------------------------------------

    def _usage(self, req: dict[str, Any], completion_tokens: int) -> dict[str, int]:
        prompt = max(1, len(json.dumps(req, ensure_ascii=False, separators=(",", ":"))) // 4)
        usage = {"input_tokens": prompt, "output_tokens": completion_tokens,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}  # fmt: skip
        system = req.get("system")
        marked = isinstance(system, list) and any("cache_control" in b for b in system)
        prefix = json.dumps([req.get("tools"), system], separators=(",", ":"))
        if marked and len(prefix) // 4 >= MIN_CACHE_TOKENS:
            with self._prefix_lock:
                seen = prefix in self._prefixes
                self._prefixes.add(prefix)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = (
                len(prefix) // 4
            )
            usage["input_tokens"] = max(1, prompt - len(prefix) // 4)
        return usage

    def _message(self, req: dict[str, Any], kind: str, key: str, article: str) -> dict[str, Any]:
        arguments, text = self.sim._ok_arguments(article, key, req)
        spoiled = _spoil(kind, arguments, text)
        tool_input = {} if kind == "malformed" else json.loads(spoiled)
        usage = self._usage(req, max(1, len(spoiled) // 4))
        self.sim.stats._deliver(kind, key, usage["input_tokens"], usage["output_tokens"])
        n = next(self._ids)
        return {
            "id": f"msg_sim{n:05d}", "type": "message", "role": "assistant",
            "model": req.get("model") or self.sim.config.model,
            "content": [{"type": "tool_use", "id": f"toolu_sim{n:05d}",
                         "name": _tool_name(req), "input": tool_input}],
            "stop_reason": "tool_use", "stop_sequence": None, "usage": usage,
        }  # fmt: skip

    async def _messages(self, request: web.Request) -> web.Response:
        sim, now = self.sim, time.monotonic()
        sim.stats._arrive(now, request.headers.get("x-stainless-retry-count", "0") != "0")
        try:
            try:
                req = await request.json()
            except ValueError:
                req = None
            if not isinstance(req, dict) or not isinstance(req.get("messages"), list):
                sim.stats._decide("bad_request", None)
                return _error(400, "invalid_request_error", "messages: Field required")
            if sim.config.record_bodies:
                self.bodies.append(req)
            article = extract_article(req["messages"])
            key = article_hash(article)
            kind = sim._next_kind(article)
            sim.stats._decide(kind, key)
            if kind in ERRORS:
                status, type_, message = ERRORS[kind]
                retry = {"retry-after": f"{sim.config.retry_after_s:.3f}"} if status == 429 else {}
                return _error(status, type_, message, **retry)
            delay = sim._latency_s()
            if delay > 0:
                await asyncio.sleep(delay)
            return _json_response(200, self._message(req, kind, key, article))
        finally:
            sim.stats._leave()

    # --- Message Batches -----------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        if await self._wait_if_held("receive"):
            return _error(529, "overloaded_error", "Overloaded (simulated): the call was lost.")
        req = await request.json()
        requests = req.get("requests") if isinstance(req, dict) else None
        if not isinstance(requests, list) or not requests:
            return _error(400, "invalid_request_error", "requests: Field required")
        ids = [str(r.get("custom_id")) for r in requests]
        bad = next((i for i in ids if not CUSTOM_ID.match(i)), None)
        if bad is not None or len(set(ids)) != len(ids):
            return _error(
                400, "invalid_request_error",
                f"custom_id {bad!r} must match ^[a-zA-Z0-9_-]{{1,64}}$ and be unique",
            )  # fmt: skip
        batch_id = f"msgbatch_sim{next(self._ids):05d}"
        created = _now()
        batch = {
            "id": batch_id, "type": "message_batch", "processing_status": "in_progress",
            "request_counts": {"processing": len(requests), "succeeded": 0, "errored": 0,
                               "canceled": 0, "expired": 0},
            "created_at": created, "expires_at": created, "ended_at": None,
            "cancel_initiated_at": None, "archived_at": None, "results_url": None,
        }  # fmt: skip
        origin = f"{request.scheme}://{request.host}"
        with self._lock:
            self._batches[batch_id] = {
                "batch": batch, "lines": requests, "started": time.monotonic(), "cancel": None,
                "origin": origin, "results": [],
            }  # fmt: skip
            self.created[batch_id] = ids
        return await self._answer_when_released("create", _json_response(200, batch))

    async def _list(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "20"))
        after = request.query.get("after_id")
        with self._lock:
            data = [self._refresh(state) for state in self._batches.values()][::-1]
        if after is not None:
            data = data[[b["id"] for b in data].index(after) + 1 :]
        page, more = data[:limit], len(data) > limit
        body = {"data": page, "has_more": more,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None}  # fmt: skip
        return await self._answer_when_released("list", _json_response(200, body))

    def _state(self, request: web.Request) -> dict[str, Any] | None:
        return self._batches.get(request.match_info["batch_id"])

    async def _retrieve(self, request: web.Request) -> web.Response:
        with self._lock:
            state = self._state(request)
            batch = None if state is None else self._refresh(state)
        if batch is None:
            return _error(404, "not_found_error", "Message batch not found.")
        return await self._answer_when_released("retrieve", _json_response(200, batch))

    async def _cancel(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls["cancel"] += 1
            state = self._state(request)
            if state is None:
                return _error(404, "not_found_error", "Message batch not found.")
            batch = self._refresh(state)
            if batch["processing_status"] == "ended":
                return _error(400, "invalid_request_error", "The batch has already ended.")
            state["cancel"] = time.monotonic()
            batch["processing_status"] = "canceling"
            batch["cancel_initiated_at"] = _now()
            return _json_response(200, batch)

    async def _results(self, request: web.Request) -> web.Response:
        with self._lock:
            state = self._state(request)
            batch = None if state is None else self._refresh(state)
            lines = [] if state is None else list(state["results"])
        if batch is None or batch["processing_status"] != "ended":
            return _error(404, "not_found_error", "The batch has no results yet.")
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
        response = web.Response(status=200, body=data, content_type="application/binary")
        return await self._answer_when_released("content", response)

    # the batch's life (under the lock)
    def _refresh(self, state: dict[str, Any]) -> dict[str, Any]:
        batch: dict[str, Any] = state["batch"]
        if batch["processing_status"] == "ended":
            return batch
        cfg, total = self.sim.config, len(state["lines"])
        if state["cancel"] is not None:
            self._end(state, "canceled", int(self._done_share(state, state["cancel"]) * total))
            return batch
        share = self._done_share(state, time.monotonic())
        if cfg.batch_expire_after is not None and share >= cfg.batch_expire_after:
            self._end(state, "expired", int(cfg.batch_expire_after * total))
        elif share >= 1.0:
            self._end(state, "expired", total)  # every request ran: none left to expire
        return batch

    def _end(self, state: dict[str, Any], not_run: str, n_done: int) -> None:
        """Run the first ``n_done`` requests; the rest end ``not_run`` (expired or canceled)."""
        batch, cfg = state["batch"], self.sim.config
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        for n, line in enumerate(state["lines"]):
            result: dict[str, Any]
            if n >= n_done:
                result = {"type": not_run}
                kind = not_run
            else:
                u = self._rng.random()
                kind = (
                    "errored" if u < cfg.batch_p_error
                    else "schema_violation" if u < cfg.batch_p_error + cfg.batch_p_invalid
                    else "ok"
                )  # fmt: skip
            if kind == "errored":
                result = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "api_error", "message": "Internal server error (simulated)."}}}  # fmt: skip
            elif kind in ("ok", "schema_violation"):
                params = line.get("params") or {}
                article = extract_article(params.get("messages") or [])
                message = self._message(params, kind, article_hash(article), article)
                result = {"type": "succeeded", "message": message}
            counts[result["type"]] += 1
            self.outcomes[kind] += 1
            state["results"].append({"custom_id": line.get("custom_id"), "result": result})
        batch["request_counts"] = counts
        batch["processing_status"] = "ended"
        batch["ended_at"] = _now()
        batch["results_url"] = f"{state['origin']}/v1/messages/batches/{batch['id']}/results"
