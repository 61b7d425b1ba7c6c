"""``extractor run --batch``: the provider's Batch API, then a synchronous re-ask of the failures.

Batch APIs are registered by provider name; a provider without one is refused with the list of
those that have one. See :mod:`extractor.batch.runner` for the flow and how it resumes.
"""

from __future__ import annotations

from collections.abc import Callable

from extractor.batch.base import TERMINAL, BatchAPI, Outcome, RemoteBatch
from extractor.errors import ConfigError
from extractor.providers.base import Provider


def _openai(provider: Provider) -> BatchAPI:
    from extractor.batch.openai import OpenAIBatchAPI
    from extractor.providers.openai import OpenAIProvider

    assert isinstance(provider, OpenAIProvider)
    return OpenAIBatchAPI(provider)


#: Batch APIs by provider name (the prefix of ``--model``).
BATCH_APIS: dict[str, Callable[[Provider], BatchAPI]] = {"openai": _openai}


def batch_api(provider: Provider) -> BatchAPI:
    """The Batch API of ``provider``.

    Raises:
        ConfigError: the provider has none.
    """
    factory = BATCH_APIS.get(provider.name)
    if factory is None:
        raise ConfigError(
            f"--batch is not available for {provider.model!r}",
            hint=f"use a model of {', '.join(repr(p + '/<name>') for p in sorted(BATCH_APIS))}, "
            "or drop --batch to run it synchronously",
        )
    return factory(provider)


__all__ = ["BATCH_APIS", "TERMINAL", "BatchAPI", "Outcome", "RemoteBatch", "batch_api"]
