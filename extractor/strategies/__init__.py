"""Strategies: how an article becomes model calls, whichever provider answers them.

A strategy is a :class:`~extractor.backends.Backend` built from a provider, a prompt template
and a price. ``single_pass`` (one structured call per article, re-asks included) and ``sampled`` (N single
passes merged to the per-field majority, with agreement as ``confidence``) are here; a chunked or multi-pass strategy for long articles lands here beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from extractor.backend import Backend
from extractor.errors import ConfigError
from extractor.pricing import Price
from extractor.prompts import PromptTemplate
from extractor.providers.base import Provider
from extractor.strategies.sampled import Sampled
from extractor.strategies.single_pass import SinglePass

Strategy = Callable[[Provider, PromptTemplate, Price | None], Backend]

#: Strategies by name.
STRATEGIES: dict[str, Strategy] = {"sampled": Sampled, "single_pass": SinglePass}
DEFAULT_STRATEGY = "single_pass"


def make_strategy(
    name: str, provider: Provider, prompt: PromptTemplate, price: Price | None
) -> Backend:
    """The backend running strategy ``name`` over ``provider``.

    Raises:
        ConfigError: no strategy has that name.
    """
    strategy = STRATEGIES.get(name)
    if strategy is None:
        raise ConfigError(
            f"unknown strategy {name!r}", hint=f"use one of {', '.join(sorted(STRATEGIES))}"
        )
    return strategy(provider, prompt, price)


__all__ = ["DEFAULT_STRATEGY", "STRATEGIES", "Sampled", "SinglePass", "Strategy", "make_strategy"]
