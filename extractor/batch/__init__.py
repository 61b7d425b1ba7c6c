"""``extractor run --batch``: the provider's Batch API, then a synchronous re-ask of the failures.

Batch APIs are registered by provider name; a provider without one is refused with the list of
those that have one. See :mod:`extractor.batch.runner` for the flow and how it resumes.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from extractor.batch.base import (
    TERMINAL,
    BatchAPI,
    FileBatchAPI,
    InlineBatchAPI,
    Outcome,
    RemoteBatch,
)
from extractor.contract import TOOL_MODEL
from extractor.errors import ConfigError
from extractor.providers.base import Provider


def _openai(provider: Provider, tool_model: type[BaseModel]) -> BatchAPI:
    from extractor.batch.openai import OpenAIBatchAPI
    from extractor.providers.openai import OpenAIProvider

    assert isinstance(provider, OpenAIProvider)
    return OpenAIBatchAPI(provider, tool_model)


def _anthropic(provider: Provider, tool_model: type[BaseModel]) -> BatchAPI:
    from extractor.batch.anthropic import AnthropicBatchAPI
    from extractor.providers.anthropic import AnthropicProvider

    assert isinstance(provider, AnthropicProvider)
    return AnthropicBatchAPI(provider, tool_model)


#: Batch APIs by provider name (the prefix of ``--model``).
BATCH_APIS: dict[str, Callable[[Provider, type[BaseModel]], BatchAPI]] = {
    "anthropic": _anthropic,
    "openai": _openai,
}


def batch_api(provider: Provider, tool_model: type[BaseModel] = TOOL_MODEL) -> BatchAPI:
    """The Batch API of ``provider``, asking for ``tool_model`` (the strategy's response model).

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
    return factory(provider, tool_model)


__all__ = [
    "BATCH_APIS",
    "TERMINAL",
    "BatchAPI",
    "FileBatchAPI",
    "InlineBatchAPI",
    "Outcome",
    "RemoteBatch",
    "batch_api",
]
