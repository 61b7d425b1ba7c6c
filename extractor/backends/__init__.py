"""Backends turn one article into one record: the LLM backend and the offline rules baseline."""

from __future__ import annotations

from extractor.backends.base import Backend, ExtractionResult, Usage
from extractor.errors import ConfigError
from extractor.pricing import Price
from extractor.prompts import load_prompt
from extractor.settings import RULES, Settings


def make_backend(model: str, settings: Settings, price: Price | None = None) -> Backend:
    """The backend for ``model``: ``rules`` or ``openai/<name>``.

    Raises:
        ConfigError: the model is unknown or lacks what it needs (a key, a base URL).
    """
    if model == RULES:
        from extractor.backends.rules import RulesBackend

        return RulesBackend()
    if model.startswith("openai/"):
        from extractor.backends.llm import OpenAIBackend

        return OpenAIBackend(model, load_prompt(settings.prompt), settings, price)
    raise ConfigError(
        f"unknown model {model!r}",
        hint="use 'rules' (offline baseline) or 'openai/<name>' (OpenAI or any compatible server via --base-url)",
    )


__all__ = ["Backend", "ExtractionResult", "Usage", "make_backend"]
