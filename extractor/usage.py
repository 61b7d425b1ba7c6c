"""Token usage: one pydantic model for a call, an article, a line and a whole run.

``prompt_tokens`` means the same for every provider: **every** input token of the request, those
read from or written to the provider's prompt cache included (OpenAI's ``prompt_tokens`` already
counts them; Anthropic's ``input_tokens`` leaves them out, so its cache reads and writes are
added). ``cached_tokens`` and ``cache_write_tokens`` say how many of those ``prompt_tokens`` the
provider read from its prompt cache (priced at the cached rate) and wrote to it (Anthropic's
cache writes, priced above the input rate); the rest are priced at the input rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field


class Usage(BaseModel):
    """Tokens spent, re-asks and retries included.

    Serialised as ``{"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
    "cache_write_tokens"}`` (the predictions file's ``usage``); ``total_tokens`` is always the sum
    of prompt and completion tokens, whatever a file being read says. A line written before
    cached tokens were recorded reads with 0 of them.
    """

    model_config = ConfigDict(extra="ignore")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: of ``prompt_tokens``: read from the provider's prompt cache
    cached_tokens: int = 0
    #: of ``prompt_tokens``: written to the provider's prompt cache (Anthropic)
    cache_write_tokens: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def uncached_prompt_tokens(self) -> int:
        """Prompt tokens neither read from nor written to the cache (priced at the input rate)."""
        return max(0, self.prompt_tokens - self.cached_tokens - self.cache_write_tokens)

    def add(self, other: Usage) -> None:
        """Add ``other``'s tokens to these, in place."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens
        self.cache_write_tokens += other.cache_write_tokens

    def minus(self, other: Usage) -> Usage:
        """These tokens less ``other``'s (what was spent after ``other``), never below zero."""
        return Usage(
            prompt_tokens=max(0, self.prompt_tokens - other.prompt_tokens),
            completion_tokens=max(0, self.completion_tokens - other.completion_tokens),
            cached_tokens=max(0, self.cached_tokens - other.cached_tokens),
            cache_write_tokens=max(0, self.cache_write_tokens - other.cache_write_tokens),
        )

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (the JSON ``usage`` object)."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cached_tokens": self.cached_tokens,
            "cache_write_tokens": self.cache_write_tokens,
        }


def _number(source: Any, path: str | None) -> int:
    """The integer at a dotted ``path`` of a mapping or an object (an SDK model), else 0."""
    if path is None:
        return 0
    value = source
    for name in path.split("."):
        if value is None:
            return 0
        value = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class UsageKeys:
    """Where a provider reports its tokens, read the same way from its SDK's object and from the
    JSON body (the rate limiter's), so the two cannot disagree."""

    prompt: str
    completion: str
    #: cache reads (dotted for a nested key: OpenAI's ``prompt_tokens_details.cached_tokens``)
    cached: str | None = None
    #: cache writes (Anthropic's ``cache_creation_input_tokens``)
    cache_write: str | None = None
    #: the provider's prompt count leaves cache reads and writes out (Anthropic): add them
    prompt_excludes_cache: bool = False

    def read_body(self, payload: Mapping[str, Any]) -> Usage | None:
        """The :class:`Usage` of an answer's JSON body (its ``usage`` object), if it has one."""
        usage = payload.get("usage")
        return self.read(usage) if isinstance(usage, Mapping) else None

    def read(self, usage: Any) -> Usage:
        """The :class:`Usage` of a provider's usage object or JSON mapping (None: nothing)."""
        if usage is None:
            return Usage()
        cached = _number(usage, self.cached)
        written = _number(usage, self.cache_write)
        prompt = _number(usage, self.prompt)
        if self.prompt_excludes_cache:
            prompt += cached + written
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=_number(usage, self.completion),
            cached_tokens=cached,
            cache_write_tokens=written,
        )
