"""Make the backend for a model: a provider run by a strategy (with the cache), or the rules baseline.

The interface every backend implements is :mod:`extractor.backend`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from extractor.backend import Backend
from extractor.pricing import Price
from extractor.settings import RULES, Settings

if TYPE_CHECKING:
    from extractor.store import RunStore


def make_backend(
    model: str,
    settings: Settings,
    price: Price | None = None,
    *,
    strategy: str = "single_pass",
    cache: RunStore | None = None,
) -> Backend:
    """The backend for ``model``: ``rules``, or ``<provider>/<name>`` run by ``strategy``.

    With ``settings.samples`` above 1, the ``single_pass`` strategy becomes ``sampled``. With
    ``cache`` (a run store), unchanged requests are answered from its response cache.

    Raises:
        ConfigError: the model is unknown or lacks what it needs (a key, a base URL, its SDK).
    """
    backend: Backend
    if model == RULES:
        from extractor.backends.rules import RulesBackend

        backend = RulesBackend()
    else:
        from extractor.prompts import load_prompt
        from extractor.providers import make_provider
        from extractor.strategies import make_strategy

        provider = make_provider(model, settings)
        if settings.samples > 1 and strategy == "single_pass":
            strategy = "sampled"  # N single passes merged to the per-field majority
        backend = make_strategy(strategy, provider, load_prompt(settings.prompt), price)
    if cache is not None:
        from extractor.cache import CachingBackend

        backend = CachingBackend(backend, cache)
    return backend


def price_for(model: str, prices: Mapping[str, Price]) -> Price | None:
    """``model``'s price, as its provider looks it up (the rules baseline costs nothing known)."""
    if model == RULES:
        return prices.get(model)
    from extractor.providers import provider_class

    return provider_class(model).price_in(model, prices)


__all__ = ["make_backend", "price_for"]
