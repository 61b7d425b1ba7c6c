"""Cost estimates from a price table the user can override."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError
from extractor.resources import read_json
from extractor.usage import Usage

#: Context window assumed for models missing from the price table.
DEFAULT_CONTEXT_WINDOW = 128_000


@dataclass(frozen=True, slots=True)
class Price:
    """Per-million-token prices and the context window of one model.

    A cached-input or cache-write rate that is not known (None) prices those tokens at the
    input rate: an estimate that can only be too high, never too low.
    """

    input_per_mtok: float
    output_per_mtok: float
    context_window: int | None = None
    #: the provider's Batch API prices, when it has one (OpenAI's: half the list price)
    batch_input_per_mtok: float | None = None
    batch_output_per_mtok: float | None = None
    #: prompt tokens read from the provider's prompt cache
    cached_input_per_mtok: float | None = None
    #: prompt tokens written to the provider's prompt cache (Anthropic: 1.25x the input rate)
    cache_write_per_mtok: float | None = None
    #: the same two through the Batch API (Anthropic: half of each; OpenAI: see prices.json)
    batch_cached_input_per_mtok: float | None = None
    batch_cache_write_per_mtok: float | None = None

    def batch(self) -> Price | None:
        """The price of the same model through the provider's Batch API (None: no batch price)."""
        if self.batch_input_per_mtok is None or self.batch_output_per_mtok is None:
            return None
        return Price(
            self.batch_input_per_mtok,
            self.batch_output_per_mtok,
            self.context_window,
            cached_input_per_mtok=self.batch_cached_input_per_mtok,
            cache_write_per_mtok=self.batch_cache_write_per_mtok,
        )

    def cost(
        self,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> float:
        """USD for these tokens; ``cached_tokens`` and ``cache_write_tokens`` are parts of
        ``prompt_tokens`` (see :mod:`extractor.usage`), priced at their own rates."""
        return self.cost_of(
            Usage(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cached_tokens=cached_tokens,
                cache_write_tokens=cache_write_tokens,
            )
        )

    def cost_of(self, usage: Usage) -> float:
        """USD for a :class:`~extractor.usage.Usage`, its cached tokens at the cached rate."""
        input_rate = self.input_per_mtok
        cached_rate = (
            input_rate if self.cached_input_per_mtok is None else self.cached_input_per_mtok
        )
        write_rate = input_rate if self.cache_write_per_mtok is None else self.cache_write_per_mtok
        return (
            usage.uncached_prompt_tokens * input_rate
            + usage.cached_tokens * cached_rate
            + usage.cache_write_tokens * write_rate
            + usage.completion_tokens * self.output_per_mtok
        ) / 1e6


def load_prices(override: Path | None = None) -> dict[str, Price]:
    """The built-in table, updated with ``override`` (a JSON file of the same shape).

    Raises:
        ConfigError: the override file is missing or malformed.
    """
    table: dict[str, Any] = dict(read_json("prices.json"))
    if override is not None:
        try:
            table.update(json.loads(Path(override).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"cannot read price table {str(override)!r}: {exc}",
                hint='give a JSON object like {"openai/gpt-4o-mini": {"input_per_mtok": 0.15, "output_per_mtok": 0.6}}',
            ) from None
    prices: dict[str, Price] = {}
    for model, entry in table.items():
        if model.startswith("_"):
            continue
        try:
            prices[model] = Price(**entry)
        except TypeError as exc:
            raise ConfigError(f"price table entry {model!r} is malformed: {exc}") from None
    return prices
