"""A local OpenAI-compatible chat-completions simulator: a test instrument, not a model.

It answers ``POST /v1/chat/completions`` the way the OpenAI API does for a forced tool call
(``tool_choice={"type": "function", "function": {"name": NAME}}``): a ``chat.completion`` whose
``choices[0].message.tool_calls[0].function`` is ``NAME`` with JSON ``arguments``, plus ``usage``.
On top of that it injects what a real endpoint does to a client: latency, rate limits (429 with
``retry-after``), server errors (500/503), hangs, malformed arguments and schema violations, at
seeded random rates or in a scripted order, and it counts everything it did.

From Python (the server runs in a background thread with its own event loop)::

    with run_simulator(SimConfig(latency_ms=50, rpm=600, p_500=0.01, seed=1)) as sim:
        client = openai.OpenAI(base_url=sim.base_url, api_key="sk-test")
        ...
        sim.stats.by_kind["500"], sim.stats.answers_for(article_text)

From a shell (serves until Ctrl-C / SIGTERM; the first stdout line is the base URL)::

    python benchmarks/simulator.py --port 8765 --latency-ms 200 --rpm 600 --p-500 0.01

The article is the text between a line ``<article>`` and a line ``</article>`` in the last user
message (the whole message when the markers are missing); per-article stats are keyed by
:func:`article_hash` of that text (whitespace-stripped, so callers can compute the same key).

Running the simulator in a thread of the process under test shares that process's GIL; for
throughput measurements run it as a separate process from the shell.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import hashlib
import importlib
import itertools
import json
import logging
import math
import random
import re
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.schema import IncidentRecord

log = logging.getLogger("benchmarks.simulator")

#: Outcome kinds a request can be given (``script`` entries and ``SimStats.by_kind`` keys).
KINDS: tuple[str, ...] = (
    "ok", "401", "429", "500", "503", "hang", "malformed", "schema_violation",
)  # fmt: skip
#: Extra ``by_kind`` keys for requests the simulator refused or could not answer.
OTHER_KINDS: tuple[str, ...] = ("bad_request", "answer_error")

AnswerFn = Callable[[str, dict[str, Any]], dict[str, Any]]

RATE_WINDOW_S = 60.0


# --- configuration -----------------------------------------------------------------------------


@dataclass
class SimConfig:
    """How the simulator behaves. Every field has a harmless default (instant, always ok).

    Outcome of a request, in order: (1) the ``rpm``/``tpm`` sliding 60 s windows — over a limit
    → 429 (type ``requests``/``tokens``), the request is not counted in the windows and does not
    consume ``script``; (2) the next ``script`` entry, if any is left; (3) a seeded random draw
    over ``p_429``, ``p_500``, ``p_503``, ``p_hang``, ``p_malformed``, ``p_schema_violation``
    (the rest is ``ok``). Latency applies to 200 answers (ok, malformed, schema_violation);
    errors are answered immediately; a hang waits ``hang_s`` then answers ok.
    """

    host: str = "127.0.0.1"
    port: int = 0  # 0 = ephemeral
    model: str = "sim-1"

    latency_ms: float = 0.0  # mean; 0 = answer immediately
    latency_jitter_ms: float = 0.0  # uniform: ± this; lognormal: standard deviation
    latency_dist: Literal["uniform", "lognormal"] = "uniform"

    rpm: int | None = None  # requests per sliding 60 s window
    tpm: int | None = None  # tokens (prompt + completion) per sliding 60 s window

    p_429: float = 0.0
    p_500: float = 0.0
    p_503: float = 0.0
    p_hang: float = 0.0
    p_malformed: float = 0.0
    p_schema_violation: float = 0.0
    hang_s: float = 30.0
    retry_after_s: float = 1.0  # retry-after sent with random/scripted 429s

    seed: int | None = 0  # fault draws; latency uses its own generator seeded from this
    script: list[str] | None = None  # outcome kinds consumed in order, then random rates
    #: per-article scripts, for tests where articles run concurrently: an article whose text
    #: contains the key consumes that list in order (before ``script``), whatever the interleaving
    article_scripts: dict[str, list[str]] | None = None
    answer: AnswerFn | None = None  # (article_text, request_json) -> tool arguments for "ok"
    #: 401/500/503 answers quote the request's Authorization header back, as some providers do
    echo_key: bool = False

    # Batch API (files and batches endpoints; see BatchEngine). A batch's status follows the
    # time since it was created: validating, in_progress, finalizing, then completed.
    batch_validating_s: float = 0.0
    batch_in_progress_s: float = 0.0
    batch_finalizing_s: float = 0.0
    #: share of batch answers that violate the schema (delivered in the output file)
    batch_p_invalid: float = 0.0
    #: share of batch requests that fail at the provider (a 500 line in the error file)
    batch_p_error: float = 0.0
    #: the batch expires once this share of its requests is done; the rest go to the error file
    #: with code ``batch_expired`` (None: it never expires)
    batch_expire_after: float | None = None
    #: the batch fails validation: status ``failed``, ``errors`` listed, no output at all
    batch_fail: bool = False
    #: keep every chat-completions request body in ``Simulator.bodies`` (tests compare them)
    record_bodies: bool = False
    #: report ``usage.prompt_tokens_details.cached_tokens`` for prefixes seen before, as OpenAI
    #: documents its prompt caching (see :class:`PromptCache`); False: never a cache hit
    prompt_cache: bool = True

    def __post_init__(self) -> None:
        if self.latency_dist not in ("uniform", "lognormal"):
            raise ValueError(
                f"latency_dist must be 'uniform' or 'lognormal', not {self.latency_dist!r}"
            )
        if self.latency_ms < 0 or self.latency_jitter_ms < 0 or self.hang_s < 0:
            raise ValueError("latency_ms, latency_jitter_ms and hang_s must be >= 0")
        for name in ("rpm", "tpm"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be a positive integer or None")
        probabilities = self.fault_rates()
        if any(not 0.0 <= p <= 1.0 for p in probabilities.values()):
            raise ValueError(f"fault rates must lie in [0, 1]: {probabilities}")
        if sum(probabilities.values()) > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to more than 1: {probabilities}")
        if self.script is not None:
            self.script = [str(kind) for kind in self.script]
            unknown = [kind for kind in self.script if kind not in KINDS]
            if unknown:
                raise ValueError(f"unknown script kinds {unknown}; use {KINDS}")
        for marker, kinds in (self.article_scripts or {}).items():
            unknown = [kind for kind in kinds if kind not in KINDS]
            if unknown:
                raise ValueError(f"unknown script kinds {unknown} for {marker!r}; use {KINDS}")

    def fault_rates(self) -> dict[str, float]:
        """Probability of each non-ok kind, in the order the random draw uses."""
        return {
            "429": self.p_429,
            "500": self.p_500,
            "503": self.p_503,
            "hang": self.p_hang,
            "malformed": self.p_malformed,
            "schema_violation": self.p_schema_violation,
        }


# --- articles and answers ----------------------------------------------------------------------


def article_hash(text: str) -> str:
    """The key per-article stats are filed under: 16 hex digits of SHA-256 of the stripped text."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


_OPEN, _CLOSE = "<article>", "</article>"


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "\n".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def extract_article(messages: list[Any]) -> str:
    """The article: between ``<article>`` and ``</article>`` in the last user message holding
    them (instructor's re-ask turns come after it), else the whole last user message; stripped."""
    last_user: str | None = None
    for message in reversed(messages):
        if not (isinstance(message, dict) and message.get("role") == "user"):
            continue
        text = _message_text(message.get("content"))
        if last_user is None:
            last_user = text
        start = text.find(_OPEN)
        if start >= 0:
            start += len(_OPEN)
            end = text.rfind(_CLOSE)
            if end >= start:
                return text[start:end].strip()
    return (last_user or "").strip()


_SENTENCE = re.compile(r"\S.*?[.!?](?=[\"'”’)\]]*(?:\s|$))", re.DOTALL)
_CHICAGO = re.compile(r"\bchicago\b", re.IGNORECASE)
_EMPTY_RECORD: dict[str, Any] = IncidentRecord().model_dump(mode="json")


def _first_sentence(text: str, limit: int = 300) -> str:
    match = _SENTENCE.search(text)
    sentence = match.group(0) if match else text
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def default_answer(article: str, request_json: dict[str, Any] | None = None) -> dict[str, Any]:
    """A schema-valid record for any article: nulls, a one-sentence summary, Chicago if named.

    Every filled value has an ``evidence`` quote that is an exact substring of the article.
    """
    record = dict(_EMPTY_RECORD)
    record["summary"] = _first_sentence(article)
    evidence: list[dict[str, str]] = []
    match = _CHICAGO.search(article)
    if match:
        record["city"], record["state"] = "Chicago", "IL"
        evidence += [
            {"field": "city", "quote": match.group(0)},
            {"field": "state", "quote": match.group(0)},
        ]
    record["evidence"] = evidence
    return record


# --- stats -------------------------------------------------------------------------------------


class SimStats:
    """Thread-safe counters; every accessor returns a copy taken under the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._by_kind: Counter[str] = Counter({kind: 0 for kind in KINDS + OTHER_KINDS})
            self._rate_limited: Counter[str] = Counter({"requests": 0, "tokens": 0})
            self._retried = 0
            self._answers: Counter[str] = Counter()
            self._by_article: dict[str, Counter[str]] = {}
            self._timestamps: list[float] = []
            self._prompt_tokens = 0
            self._completion_tokens = 0
            self._in_flight = 0
            self._max_in_flight = 0

    # recording (server thread)
    def _arrive(self, now: float, retried: bool) -> None:
        with self._lock:
            self._requests += 1
            self._timestamps.append(now)
            self._retried += retried
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _decide(self, kind: str, key: str | None, rate_limited: str | None = None) -> None:
        with self._lock:
            self._by_kind[kind] += 1
            if rate_limited:
                self._rate_limited[rate_limited] += 1
            if key is not None:
                self._by_article.setdefault(key, Counter())[kind] += 1

    def _deliver(self, kind: str, key: str, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            if kind in ("ok", "hang"):
                self._answers[key] += 1
            self._prompt_tokens += prompt_tokens
            self._completion_tokens += completion_tokens

    # reading (any thread)
    @property
    def requests(self) -> int:
        """Chat-completion requests received (every outcome, bad requests included)."""
        with self._lock:
            return self._requests

    @property
    def by_kind(self) -> dict[str, int]:
        """Requests per outcome kind: ok/429/500/503/hang/malformed/schema_violation (+ others)."""
        with self._lock:
            return dict(self._by_kind)

    def count(self, kind: str) -> int:
        with self._lock:
            return self._by_kind[kind]

    @property
    def rate_limited(self) -> dict[str, int]:
        """429s from the rpm (``requests``) and tpm (``tokens``) windows (also in by_kind)."""
        with self._lock:
            return dict(self._rate_limited)

    @property
    def retried(self) -> int:
        """Requests whose ``x-stainless-retry-count`` header was > 0 (openai client retries)."""
        with self._lock:
            return self._retried

    @property
    def answers(self) -> dict[str, int]:
        """Valid (ok, or hang-then-ok) answers delivered per article hash."""
        with self._lock:
            return dict(self._answers)

    def answers_for(self, article_text: str) -> int:
        with self._lock:
            return self._answers[article_hash(article_text)]

    @property
    def by_article(self) -> dict[str, dict[str, int]]:
        """Outcome kinds decided per article hash."""
        with self._lock:
            return {key: dict(kinds) for key, kinds in self._by_article.items()}

    @property
    def timestamps(self) -> list[float]:
        """``time.monotonic()`` of each request's arrival, in order."""
        with self._lock:
            return list(self._timestamps)

    @property
    def tokens(self) -> dict[str, int]:
        """Usage reported in delivered 200 answers."""
        with self._lock:
            return {"prompt": self._prompt_tokens, "completion": self._completion_tokens}

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    def rate(self) -> float:
        """Mean arrival rate in requests/s between the first and last request (0 if < 2)."""
        stamps = self.timestamps
        if len(stamps) < 2 or stamps[-1] <= stamps[0]:
            return 0.0
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])

    def max_in_window(self, window_s: float = RATE_WINDOW_S) -> int:
        """Most requests that arrived within any ``window_s``-long interval."""
        stamps = self.timestamps
        best = 0
        for i, start in enumerate(stamps):
            best = max(best, bisect.bisect_left(stamps, start + window_s, lo=i) - i)
        return best

    def snapshot(self) -> dict[str, Any]:
        """Everything except the timestamp list, as plain JSON-able data."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_kind": dict(self._by_kind),
                "rate_limited": dict(self._rate_limited),
                "retried": self._retried,
                "articles": len(self._by_article),
                "answers": sum(self._answers.values()),
                "prompt_tokens": self._prompt_tokens,
                "completion_tokens": self._completion_tokens,
                "max_in_flight": self._max_in_flight,
            }


# --- prompt caching ----------------------------------------------------------------------------

#: The simulator's tokenizer: a token is 4 bytes of the request (as for ``prompt_tokens``).
BYTES_PER_TOKEN = 4


class PromptCache:
    """Cache hits on repeated prompt prefixes, the way OpenAI documents its prompt caching.

    A prompt of at least ``min_tokens`` (1,024) tokens is cached; a later request whose prompt
    starts with the same tokens reads the longest cached prefix, in whole ``block_tokens``
    (128-token) increments, never fewer than ``min_tokens``. The prompt is the request as a
    model reads it: the tool schema and structured-output schema first, then the messages in
    order, so a request whose static part (tools, system prompt) comes before the article hits
    the cache on every article after the first. Nothing expires. Thread-safe.
    """

    def __init__(self, min_tokens: int = 1024, block_tokens: int = 128) -> None:
        self.min_tokens, self.block_tokens = min_tokens, block_tokens
        self._seen: set[bytes] = set()
        self._lock = threading.Lock()

    @staticmethod
    def prompt_bytes(req: dict[str, Any]) -> bytes:
        """The request's prompt in the order a model reads it (tools, schema, messages)."""
        parts = [req.get("tools"), req.get("response_format")]
        parts += [(m.get("role"), m.get("content")) for m in req.get("messages") or []]
        return json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()

    def cached_tokens(self, req: dict[str, Any], prompt_tokens: int) -> int:
        """Tokens of ``req``'s prompt read from the cache; its prefix is cached for the next."""
        prompt = self.prompt_bytes(req)
        block = self.block_tokens * BYTES_PER_TOKEN
        chain, hit, still = hashlib.sha256(str(req.get("model")).encode()), 0, True
        with self._lock:
            for start in range(0, len(prompt) - block + 1, block):
                chain.update(prompt[start : start + block])
                key = chain.digest()
                if still and key in self._seen:
                    hit += self.block_tokens
                else:
                    still = False
                    self._seen.add(key)
        if prompt_tokens < self.min_tokens or hit < self.min_tokens:
            return 0
        return min(hit, prompt_tokens)


# --- rate limits -------------------------------------------------------------------------------


class _Limiter:
    """Sliding 60 s windows for requests and tokens. Used from the server's event loop only."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._requests: deque[float] = deque()
        self._tokens: deque[list[Any]] = deque()  # [time, tokens, still_in_window]
        self._token_total = 0

    def _expire(self, now: float) -> None:
        horizon = now - RATE_WINDOW_S
        while self._requests and self._requests[0] <= horizon:
            self._requests.popleft()
        while self._tokens and self._tokens[0][0] <= horizon:
            entry = self._tokens.popleft()
            entry[2] = False
            self._token_total -= entry[1]

    def admit(self, now: float, prompt_tokens: int) -> tuple[str, float] | list[Any] | None:
        """``(type, retry_after_s)`` when over a limit; else the token entry (or None)."""
        self._expire(now)
        if self.rpm is not None and len(self._requests) >= self.rpm:
            return "requests", self._requests[0] + RATE_WINDOW_S - now
        if self.tpm is not None and self._token_total + prompt_tokens > self.tpm:
            need, freed = self._token_total + prompt_tokens - self.tpm, 0
            for when, tokens, _ in self._tokens:
                freed += tokens
                if freed >= need:
                    return "tokens", when + RATE_WINDOW_S - now
            return "tokens", RATE_WINDOW_S  # larger than the whole budget
        if self.rpm is not None:
            self._requests.append(now)
        if self.tpm is None:
            return None
        entry = [now, prompt_tokens, True]
        self._tokens.append(entry)
        self._token_total += prompt_tokens
        return entry

    def add_tokens(self, entry: list[Any] | None, tokens: int) -> None:
        if entry is not None and entry[2]:
            entry[1] += tokens
            self._token_total += tokens

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.rpm is not None:
            headers["x-ratelimit-limit-requests"] = str(self.rpm)
            headers["x-ratelimit-remaining-requests"] = str(max(0, self.rpm - len(self._requests)))
        if self.tpm is not None:
            headers["x-ratelimit-limit-tokens"] = str(self.tpm)
            headers["x-ratelimit-remaining-tokens"] = str(max(0, self.tpm - self._token_total))
        return headers


# --- the server --------------------------------------------------------------------------------


def _json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload, separators=(",", ":")).encode(),
        content_type="application/json",
        headers=headers,
    )


def _error(
    status: int, message: str, type_: str, code: str | None = None, **headers: str
) -> web.Response:
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return _json_response(status, body, headers or None)


def _retry_headers(seconds: float) -> dict[str, str]:
    seconds = max(seconds, 0.001)
    return {"retry-after": f"{seconds:.3f}", "retry-after-ms": str(math.ceil(seconds * 1000))}


class Simulator:
    """The server and its background thread; use :func:`run_simulator` to get a started one."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.stats = SimStats()
        cfg = self.config
        self._faults = random.Random(cfg.seed)
        self._latency_rng = random.Random(None if cfg.seed is None else cfg.seed + 1)
        self._script: deque[str] = deque(cfg.script or ())
        self._article_scripts = {m: deque(k) for m, k in (cfg.article_scripts or {}).items()}
        self._script_lock = threading.Lock()
        self._thresholds = list(itertools.accumulate(cfg.fault_rates().values()))
        self._fault_kinds = list(cfg.fault_rates())
        self._limiter = _Limiter(cfg.rpm, cfg.tpm)
        self._answer_cache: dict[str, tuple[dict[str, Any], str]] = {}
        self._ids = itertools.count(1)
        if cfg.latency_dist == "lognormal" and cfg.latency_ms > 0:
            sigma2 = math.log1p((cfg.latency_jitter_ms / cfg.latency_ms) ** 2)
            self._lognormal = (math.log(cfg.latency_ms) - sigma2 / 2, math.sqrt(sigma2))
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._port: int | None = None
        self.prompt_cache = PromptCache() if cfg.prompt_cache else None
        self.batches = BatchEngine(self)
        from benchmarks.sim_anthropic import AnthropicEngine  # it builds on this module

        #: Anthropic's ``/v1/messages`` and Message Batches (see :mod:`benchmarks.sim_anthropic`)
        self.anthropic = AnthropicEngine(self)
        #: chat-completions request bodies, in arrival order (with ``record_bodies``)
        self.bodies: list[dict[str, Any]] = []

    # lifecycle
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("simulator is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> Simulator:
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        self._thread = threading.Thread(target=self._run, name="llm-simulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("simulator did not start in time")
        if self._error is not None:
            self._thread.join()
            raise RuntimeError(f"simulator failed to start: {self._error!r}") from self._error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError("simulator thread did not stop")

    def __enter__(self) -> Simulator:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def extend_script(self, kinds: Iterable[str]) -> None:
        """Append outcome kinds for the next requests (thread-safe)."""
        kinds = list(kinds)
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"unknown script kinds {unknown}; use {KINDS}")
        with self._script_lock:
            self._script.extend(kinds)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            if self._ready.is_set():
                log.exception("simulator crashed")
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model}", self._model)
        app.router.add_get("/health", self._health)
        self.batches.add_routes(app)
        self.anthropic.add_routes(app)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=2.0,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port, backlog=1024)
            await site.start()
            self._port = runner.addresses[0][1]
            self._ready.set()
            await self._stopping.wait()
        finally:
            await runner.cleanup()

    # routes
    async def _health(self, request: web.Request) -> web.Response:
        return _json_response(200, {"status": "ok"})

    def _model_card(self, model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": 0, "owned_by": "simulator"}

    async def _models(self, request: web.Request) -> web.Response:
        return _json_response(
            200, {"object": "list", "data": [self._model_card(self.config.model)]}
        )

    async def _model(self, request: web.Request) -> web.Response:
        return _json_response(200, self._model_card(request.match_info["model"]))

    def _next_kind(self, article: str = "") -> str:
        for marker, kinds in self._article_scripts.items():
            if kinds and marker in article:
                with self._script_lock:
                    if kinds:
                        return kinds.popleft()
        if self._script:
            with self._script_lock:
                if self._script:
                    return self._script.popleft()
        u = self._faults.random()
        for kind, threshold in zip(self._fault_kinds, self._thresholds, strict=True):
            if u < threshold:
                return kind
        return "ok"

    def _latency_s(self) -> float:
        cfg = self.config
        if cfg.latency_ms <= 0:
            return 0.0
        if cfg.latency_dist == "lognormal":
            if cfg.latency_jitter_ms <= 0:
                return cfg.latency_ms / 1000
            return self._latency_rng.lognormvariate(*self._lognormal) / 1000
        jitter = cfg.latency_jitter_ms
        value = cfg.latency_ms + (self._latency_rng.uniform(-jitter, jitter) if jitter else 0.0)
        return max(0.0, value) / 1000

    def _ok_arguments(
        self, article: str, key: str, request_json: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        if self.config.answer is not None:
            arguments = self.config.answer(article, request_json)
            return arguments, json.dumps(arguments, ensure_ascii=False)
        cached = self._answer_cache.get(key)
        if cached is None:
            if len(self._answer_cache) >= 4096:
                self._answer_cache.clear()
            arguments = default_answer(article)
            cached = self._answer_cache[key] = (
                arguments,
                json.dumps(arguments, ensure_ascii=False),
            )
        return cached

    async def _chat(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        retried = request.headers.get("x-stainless-retry-count", "0") not in ("0", "")
        self.stats._arrive(now, retried)
        try:
            return await self._answer(request, now)
        finally:
            self.stats._leave()

    async def _answer(self, request: web.Request, now: float) -> web.Response:
        body = await request.read()
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        if not isinstance(req, dict) or not isinstance(req.get("messages"), list):
            self.stats._decide("bad_request", None)
            return _error(
                400, "Request body must be JSON with a 'messages' list.", "invalid_request_error"
            )
        if req.get("stream"):
            self.stats._decide("bad_request", None)
            return _error(
                400,
                "The simulator supports stream=false only.",
                "invalid_request_error",
                "unsupported_value",
            )
        if self.config.record_bodies:
            self.bodies.append(req)
        article = extract_article(req["messages"])
        key = article_hash(article)
        prompt_tokens = max(1, len(body) // 4)

        admitted = self._limiter.admit(now, prompt_tokens)
        if isinstance(admitted, tuple):
            limit_type, retry_after = admitted
            self.stats._decide("429", key, rate_limited=limit_type)
            limit = self.config.rpm if limit_type == "requests" else self.config.tpm
            message = (
                f"Rate limit reached for {self.config.model} on {limit_type} per min (RPM/TPM): "
                f"Limit {limit}. Please try again in {retry_after:.3f}s."
            )
            headers = {**_retry_headers(retry_after), **self._limiter.headers()}
            return _error(429, message, limit_type, "rate_limit_exceeded", **headers)

        kind = self._next_kind(article)
        self.stats._decide(kind, key)
        echo = (
            f" (sent: {request.headers.get('authorization', '')})" if self.config.echo_key else ""
        )
        if kind == "401":
            return _error(
                401, "Invalid API key." + echo, "invalid_request_error", "invalid_api_key"
            )
        if kind == "429":
            message = (
                f"Rate limit reached for {self.config.model} (simulated). Please try again later."
            )
            return _error(
                429,
                message,
                "requests",
                "rate_limit_exceeded",
                **_retry_headers(self.config.retry_after_s),
            )
        if kind == "500":
            return _error(
                500,
                "The server had an error while processing your request. Sorry about that!" + echo,
                "server_error",
            )
        if kind == "503":
            return _error(
                503,
                "The engine is currently overloaded, please try again later." + echo,
                "server_error",
                "overloaded",
            )

        if kind == "hang":
            assert self._stopping is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.config.hang_s)
            if self._stopping.is_set():
                return _error(503, "The simulator is shutting down.", "server_error")
        else:
            delay = self._latency_s()
            if delay > 0:
                await asyncio.sleep(delay)

        try:
            arguments, text = self._ok_arguments(article, key, req)
        except Exception as exc:
            log.exception("answer callable failed")
            self.stats._decide("answer_error", key)
            return _error(500, f"simulator answer callable failed: {exc!r}", "server_error")
        text = _spoil(kind, arguments, text)
        completion_tokens = max(1, len(text) // 4)
        self._limiter.add_tokens(admitted, completion_tokens)
        self.stats._deliver(kind, key, prompt_tokens, completion_tokens)
        return _json_response(
            200,
            self._completion(req, text, prompt_tokens, completion_tokens),
            self._limiter.headers() or None,
        )

    def _completion(
        self, req: dict[str, Any], text: str, prompt_tokens: int, completion_tokens: int
    ) -> dict[str, Any]:
        n = next(self._ids)
        cache = self.prompt_cache
        cached = cache.cached_tokens(req, prompt_tokens) if cache is not None else 0
        name = _tool_name(req)
        if name is None:  # no tools: answer in the message content (JSON modes)
            message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
            finish = "stop"
        else:
            call = {
                "id": f"call_sim{n}",
                "type": "function",
                "function": {"name": name, "arguments": text},
            }
            message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
            finish = "stop" if isinstance(req.get("tool_choice"), dict) else "tool_calls"
        return {
            "id": f"chatcmpl-sim{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.get("model") or self.config.model,
            "system_fingerprint": "fp_simulator",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
        }


def _spoil(kind: str, arguments: dict[str, Any], text: str) -> str:
    """The tool arguments an answer of ``kind`` carries (ok: ``text`` as it is)."""
    if kind == "malformed":
        return text[: max(1, len(text) // 2)]  # cut off mid-object: never valid JSON
    if kind == "schema_violation":
        violation = {**arguments, "police_hit_someone": "maybe", "shots_fired_by_police": -3}
        return json.dumps(violation, ensure_ascii=False)
    return text


def _tool_name(req: dict[str, Any]) -> str | None:
    choice = req.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return str(name)
    tools = req.get("tools")
    if isinstance(tools, list) and tools and isinstance(tools[0], dict):
        name = (tools[0].get("function") or {}).get("name")
        if name:
            return str(name)
    return None


# --- the Batch API -----------------------------------------------------------------------------

#: Endpoints a test can hold (see :meth:`BatchEngine.hold`): the request is done (the file stored,
#: the batch created, the content read) but its answer waits until released.
HOLDABLE = ("upload", "create", "retrieve", "content", "list")


class BatchEngine:
    """OpenAI's files and batches endpoints, answering each request line like ``/chat/completions``.

    ``POST /v1/files`` (multipart, purpose ``batch``), ``GET /v1/files/{id}`` and
    ``/v1/files/{id}/content``; ``POST /v1/batches``, ``GET /v1/batches`` (list),
    ``GET /v1/batches/{id}`` and ``POST /v1/batches/{id}/cancel``, with the SDK's shapes. A batch
    runs its lines when its status first reaches its end (completed, expired or cancelled):
    each line is ok, a schema violation (``batch_p_invalid``) or a 500 in the error file
    (``batch_p_error``), drawn from its own seeded generator in line order, so the same input
    gives the same outcomes. Counters: :attr:`created` (batch id -> custom ids, in order),
    :attr:`outcomes`, :attr:`calls` per endpoint.
    """

    #: the endpoints :meth:`hold` takes
    holdable: tuple[str, ...] = HOLDABLE

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        cfg = sim.config
        self._rng = random.Random(None if cfg.seed is None else cfg.seed + 2)
        self._files: dict[str, dict[str, Any]] = {}
        self._batches: dict[str, dict[str, Any]] = {}
        #: endpoint -> how many of its calls are answered before the rest are held
        self._holds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.created: dict[str, list[str]] = {}
        self.outcomes: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    # test controls (any thread)
    def hold(self, *endpoints: str, after: int = 0) -> None:
        """Hold the answers of ``endpoints`` (after doing the work) until :meth:`release`.

        ``after``: let that many more calls of each endpoint be answered first (e.g. ``after=1``
        holds the second upload, so a kill lands between two files' uploads).
        """
        unknown = set(endpoints) - set(self.holdable)
        if unknown:
            raise ValueError(f"unknown endpoints {sorted(unknown)}; use {self.holdable}")
        with self._lock:
            for endpoint in endpoints:
                self._holds[endpoint] = self.calls[endpoint] + after

    def release(self, *endpoints: str) -> None:
        """Let held answers go (all of them when none are named)."""
        with self._lock:
            for endpoint in endpoints or list(self._holds):
                self._holds.pop(endpoint, None)

    def set_timing(self, **seconds: float) -> None:
        """Change ``batch_validating_s``/``_in_progress_s``/``_finalizing_s`` for every batch."""
        for name, value in seconds.items():
            setattr(self.sim.config, f"batch_{name}", value)

    def input_lines(self, batch_id: str) -> list[dict[str, Any]]:
        """The request lines of a created batch, as uploaded."""
        with self._lock:
            return [dict(line) for line in self._batches[batch_id]["lines"]]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "files": len(self._files),
                "batches": len(self._batches),
                "created": {k: list(v) for k, v in self.created.items()},
                "outcomes": dict(self.outcomes),
                "calls": dict(self.calls),
            }

    # routes
    def add_routes(self, app: web.Application) -> None:
        for prefix in ("/v1", ""):
            app.router.add_post(f"{prefix}/files", self._upload)
            app.router.add_get(f"{prefix}/files/{{file_id}}", self._file)
            app.router.add_get(f"{prefix}/files/{{file_id}}/content", self._content)
            app.router.add_post(f"{prefix}/batches", self._create)
            app.router.add_get(f"{prefix}/batches", self._list)
            app.router.add_get(f"{prefix}/batches/{{batch_id}}", self._retrieve)
            app.router.add_post(f"{prefix}/batches/{{batch_id}}/cancel", self._cancel)

    async def _wait_if_held(self, endpoint: str) -> bool:
        """Count a call of ``endpoint`` and wait while it is held; True if it was held."""
        with self._lock:
            self.calls[endpoint] += 1
            n = self.calls[endpoint]
            held = n > self._holds.get(endpoint, n)
        stopping = self.sim._stopping
        while n > self._holds.get(endpoint, n) and not (stopping is not None and stopping.is_set()):
            await asyncio.sleep(0.01)
        return held

    async def _answer_when_released(self, endpoint: str, response: web.Response) -> web.Response:
        await self._wait_if_held(endpoint)
        return response

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-sim{next(self._ids):05d}"

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(upload, web.FileField) or purpose != "batch":
            return _error(
                400, "Send a multipart 'file' with purpose 'batch'.", "invalid_request_error"
            )
        with upload.file:  # a spooled temporary file: close it, or it warns when collected
            data = upload.file.read()
        with self._lock:
            card = self._store_file_locked(data, upload.filename, "batch")
        return await self._answer_when_released("upload", _json_response(200, card))

    def _file_or_404(self, file_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._files.get(file_id)

    async def _file(self, request: web.Request) -> web.Response:
        found = self._file_or_404(request.match_info["file_id"])
        if found is None:
            return _error(404, "No such File object.", "invalid_request_error")
        return _json_response(200, found["card"])

    async def _content(self, request: web.Request) -> web.Response:
        found = self._file_or_404(request.match_info["file_id"])
        if found is None:
            return _error(404, "No such File object.", "invalid_request_error")
        response = web.Response(
            status=200, body=found["data"], content_type="application/octet-stream"
        )
        return await self._answer_when_released("content", response)

    async def _create(self, request: web.Request) -> web.Response:
        req = await request.json()
        found = self._file_or_404(str(req.get("input_file_id")))
        if found is None:
            return _error(404, "No such File object: the input_file_id.", "invalid_request_error")
        if req.get("endpoint") != "/v1/chat/completions" or req.get("completion_window") != "24h":
            return _error(
                400, "endpoint must be /v1/chat/completions, window 24h.", "invalid_request_error"
            )
        lines = [json.loads(raw) for raw in found["data"].splitlines() if raw.strip()]
        batch_id = self._new_id("batch")
        now = int(time.time())
        batch = {
            "id": batch_id, "object": "batch", "endpoint": req["endpoint"],
            "input_file_id": req["input_file_id"], "completion_window": "24h",
            "status": "validating", "created_at": now, "expires_at": now + 86400,
            "metadata": req.get("metadata"), "errors": None, "output_file_id": None,
            "error_file_id": None, "model": None,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
        }  # fmt: skip
        with self._lock:
            self._batches[batch_id] = {
                "batch": batch, "lines": lines, "started": time.monotonic(), "cancel": None,
            }  # fmt: skip
            self.created[batch_id] = [str(line.get("custom_id")) for line in lines]
        return await self._answer_when_released("create", _json_response(200, batch))

    async def _list(self, request: web.Request) -> web.Response:
        with self._lock:
            data = [self._refresh(state) for state in self._batches.values()][::-1]
        page = {
            "object": "list", "data": data, "has_more": False,
            "first_id": data[0]["id"] if data else None, "last_id": data[-1]["id"] if data else None,
        }  # fmt: skip
        return await self._answer_when_released("list", _json_response(200, page))

    async def _retrieve(self, request: web.Request) -> web.Response:
        with self._lock:
            state = self._batches.get(request.match_info["batch_id"])
            batch = None if state is None else self._refresh(state)
        if batch is None:
            return _error(404, "No such Batch object.", "invalid_request_error")
        return await self._answer_when_released("retrieve", _json_response(200, batch))

    async def _cancel(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls["cancel"] += 1
            state = self._batches.get(request.match_info["batch_id"])
            if state is None:
                return _error(404, "No such Batch object.", "invalid_request_error")
            batch = self._refresh(state)
            if batch["status"] in ("completed", "failed", "expired", "cancelled"):
                return _error(
                    409, f"Cannot cancel a batch with status {batch['status']}.",
                    "invalid_request_error",
                )  # fmt: skip
            state["cancel"] = time.monotonic()
            batch["status"] = "cancelling"
            batch["cancelling_at"] = int(time.time())
            return _json_response(200, batch)

    # the batch's life (under the lock)
    def _done_share(self, state: dict[str, Any], now: float) -> float:
        cfg = self.sim.config
        ran = now - state["started"] - cfg.batch_validating_s
        if cfg.batch_in_progress_s <= 0:
            return 1.0 if ran >= 0 else 0.0
        return min(1.0, max(0.0, ran / cfg.batch_in_progress_s))

    def _refresh(self, state: dict[str, Any]) -> dict[str, Any]:
        batch: dict[str, Any] = state["batch"]
        if batch["status"] in ("completed", "failed", "expired", "cancelled"):
            return batch
        cfg, now = self.sim.config, time.monotonic()
        elapsed = now - state["started"]
        total = batch["request_counts"]["total"]
        if state["cancel"] is not None:
            self._finish(state, "cancelled", int(self._done_share(state, state["cancel"]) * total))
        elif elapsed < cfg.batch_validating_s:
            batch["status"] = "validating"
        elif cfg.batch_fail:
            batch["status"], batch["failed_at"] = "failed", int(time.time())
            batch["errors"] = {
                "object": "list",
                "data": [
                    {
                        "code": "invalid_request",
                        "message": "The model is not supported in the Batch API (simulated).",
                        "line": 1,
                        "param": "body.model",
                    }
                ],
            }
        elif (share := self._done_share(state, now)) < 1.0 or (
            cfg.batch_expire_after is not None and share >= cfg.batch_expire_after
        ):
            if cfg.batch_expire_after is not None and share >= cfg.batch_expire_after:
                self._finish(state, "expired", int(cfg.batch_expire_after * total))
            else:
                batch["status"] = "in_progress"
                batch.setdefault("in_progress_at", int(time.time()))
                batch["request_counts"]["completed"] = int(share * total)
        elif elapsed < cfg.batch_validating_s + cfg.batch_in_progress_s + cfg.batch_finalizing_s:
            batch["status"] = "finalizing"
            batch["request_counts"]["completed"] = total
            batch.setdefault("finalizing_at", int(time.time()))
        else:
            self._finish(state, "completed", total)
        return batch

    def _finish(self, state: dict[str, Any], status: str, n_done: int) -> None:
        """Run the first ``n_done`` lines, write the output and error files, end as ``status``."""
        batch, cfg = state["batch"], self.sim.config
        out: list[str] = []
        errors: list[str] = []
        for n, line in enumerate(state["lines"]):
            custom_id = line.get("custom_id")
            if n >= n_done:
                code = "batch_expired" if status == "expired" else "batch_cancelled"
                errors.append(
                    json.dumps({
                        "id": f"batch_req_{n}", "custom_id": custom_id, "response": None,
                        "error": {"code": code, "message": f"This request could not be executed before the batch was {status} (simulated)."},
                    })
                )  # fmt: skip
                self.outcomes[code] += 1
                continue
            u = self._rng.random()
            kind = (
                "500" if u < cfg.batch_p_error
                else "schema_violation" if u < cfg.batch_p_error + cfg.batch_p_invalid
                else "ok"
            )  # fmt: skip
            self.outcomes[kind] += 1
            if kind == "500":
                body = {
                    "error": {
                        "message": "The server had an error while processing your request (simulated).",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                }
                errors.append(json.dumps({"id": f"batch_req_{n}", "custom_id": custom_id, "response": {"status_code": 500, "request_id": f"req_{n}", "body": body}, "error": None}))  # fmt: skip
                continue
            req = line.get("body") or {}
            article = extract_article(req.get("messages") or [])
            key = article_hash(article)
            arguments, text = self.sim._ok_arguments(article, key, req)
            text = _spoil(kind, arguments, text)
            # as for /chat/completions: the body's bytes / 4 (compact UTF-8 JSON, as the SDK sends)
            sent = json.dumps(req, ensure_ascii=False, separators=(",", ":")).encode()
            prompt_tokens = max(1, len(sent) // 4)
            completion_tokens = max(1, len(text) // 4)
            self.sim.stats._deliver(kind, key, prompt_tokens, completion_tokens)
            body = self.sim._completion(req, text, prompt_tokens, completion_tokens)
            out.append(json.dumps({"id": f"batch_req_{n}", "custom_id": custom_id, "response": {"status_code": 200, "request_id": f"req_{n}", "body": body}, "error": None}, ensure_ascii=False))  # fmt: skip
        counts = batch["request_counts"]
        counts["completed"] = len(out)
        counts["failed"] = len(errors) - max(0, len(state["lines"]) - n_done)  # the 500s
        if out:
            card = self._store_file_locked(
                "\n".join(out).encode() + b"\n", f"{batch['id']}_output.jsonl", "batch_output"
            )
            batch["output_file_id"] = card["id"]
        if errors:
            card = self._store_file_locked(
                "\n".join(errors).encode() + b"\n", f"{batch['id']}_error.jsonl", "batch_output"
            )
            batch["error_file_id"] = card["id"]
        batch["status"] = status
        batch[f"{status}_at"] = int(time.time())

    def _store_file_locked(self, data: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = self._new_id("file")
        card = {
            "id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
            "filename": filename, "purpose": purpose, "status": "processed",
            "expires_at": None, "status_details": None,
        }  # fmt: skip
        self._files[file_id] = {"card": card, "data": data}
        return card


@contextlib.contextmanager
def run_simulator(config: SimConfig | None = None, **overrides: Any) -> Iterator[Simulator]:
    """Start a simulator in a background thread; stop it (and its event loop) on exit.

    ``overrides`` are SimConfig fields, e.g. ``run_simulator(latency_ms=5, rpm=60)``.
    """
    if overrides:
        base = {f.name: getattr(config, f.name) for f in fields(SimConfig)} if config else {}
        config = SimConfig(**{**base, **overrides})
    sim = Simulator(config).start()
    try:
        yield sim
    finally:
        sim.stop()


# --- command line ------------------------------------------------------------------------------


def _load_answer(spec: str) -> AnswerFn:
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise argparse.ArgumentTypeError("--answer must be 'module:function'")
    fn = getattr(importlib.import_module(module_name), attr)
    if not callable(fn):
        raise argparse.ArgumentTypeError(f"{spec} is not callable")
    return fn  # type: ignore[no-any-return]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    p.add_argument("--port", type=int, default=0, help="0 = ephemeral (default)")
    p.add_argument("--model", default="sim-1")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--latency-jitter-ms", type=float, default=0.0)
    p.add_argument("--latency-dist", choices=["uniform", "lognormal"], default="uniform")
    p.add_argument("--rpm", type=int, default=None)
    p.add_argument("--tpm", type=int, default=None)
    for name in ("429", "500", "503", "hang", "malformed", "schema-violation"):
        p.add_argument(
            f"--p-{name}", type=float, default=0.0, help=f"probability of a {name} outcome"
        )
    p.add_argument("--hang-s", type=float, default=30.0)
    p.add_argument("--retry-after-s", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--script", default="", help="comma-separated outcome kinds, e.g. 429,ok,500")
    p.add_argument(
        "--answer", type=_load_answer, default=None, help="module:function for ok answers"
    )
    p.add_argument("--log-level", default="WARNING")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    config = SimConfig(
        host=args.host,
        port=args.port,
        model=args.model,
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        latency_dist=args.latency_dist,
        rpm=args.rpm,
        tpm=args.tpm,
        p_429=args.p_429,
        p_500=args.p_500,
        p_503=args.p_503,
        p_hang=args.p_hang,
        p_malformed=args.p_malformed,
        p_schema_violation=args.p_schema_violation,
        hang_s=args.hang_s,
        retry_after_s=args.retry_after_s,
        seed=args.seed,
        script=[kind.strip() for kind in args.script.split(",") if kind.strip()] or None,
        answer=args.answer,
    )

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    with run_simulator(config) as sim:
        print(sim.base_url, flush=True)
        try:
            while sim.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            print(
                json.dumps({"rate_rps": round(sim.stats.rate(), 2), **sim.stats.snapshot()}),
                file=sys.stderr,
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
