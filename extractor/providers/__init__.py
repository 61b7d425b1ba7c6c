"""Model providers, registered by the prefix of ``--model`` (``openai/gpt-4o-mini``).

Each provider is a lazy factory (inspect_ai's ``@modelapi``): its module, and the SDK it needs,
is imported only when a model of that prefix is asked for, so an optional SDK is an optional
extra, and a missing one is a one-line error with the exact install command. Built-in providers
are registered below exactly as a third party's would be. Adding one: a new module here with a
:class:`Provider` subclass, a registration below, and (for a new SDK) an extra in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractor.errors import ConfigError
from extractor.providers.base import (
    Answer,
    AuthFailure,
    CallError,
    Provider,
    ReasksExhausted,
    RequestRejected,
    TransientError,
)
from extractor.settings import Settings

ProviderFactory = Callable[[], type[Provider]]


@dataclass(frozen=True, slots=True)
class _Entry:
    factory: ProviderFactory
    #: the pyproject extra that installs the provider's SDK (None: a core dependency)
    extra: str | None
    #: what ``prefix/<name>`` reaches, for the message listing the choices
    about: str


_REGISTRY: dict[str, _Entry] = {}


def provider(
    name: str, *, extra: str | None = None, about: str = ""
) -> Callable[[ProviderFactory], ProviderFactory]:
    """Register a factory returning the :class:`Provider` class for models ``name/<model>``.

    The factory runs on first use; it imports the provider's module (and SDK) there.

    Example::

        @provider("anthropic", extra="anthropic", about="Anthropic's Messages API")
        def _anthropic() -> type[Provider]:
            from extractor.providers.anthropic import AnthropicProvider

            return AnthropicProvider
    """

    def register(factory: ProviderFactory) -> ProviderFactory:
        _REGISTRY[name] = _Entry(factory, extra, about)
        return factory

    return register


def provider_names() -> list[str]:
    """The registered prefixes, sorted."""
    return sorted(_REGISTRY)


def provider_class(model: str) -> type[Provider]:
    """The provider class for ``model`` (``prefix/name``).

    Raises:
        ConfigError: no provider has that prefix, the name is missing, or the SDK is missing.
    """
    prefix, slash, name = model.partition("/")
    entry = _REGISTRY.get(prefix) if slash else None
    if entry is None or not name:
        choices = ", ".join(
            f"'{p}/<name>'" + (f" ({_REGISTRY[p].about})" if _REGISTRY[p].about else "")
            for p in provider_names()
        )
        raise ConfigError(
            f"unknown model {model!r}", hint=f"use 'rules' (offline baseline) or {choices}"
        )
    try:
        return entry.factory()
    except ImportError as exc:
        package = exc.name or "its SDK"
        install = (
            f"pip install 'extractor[{entry.extra}]'" if entry.extra else "pip install extractor"
        )
        raise ConfigError(
            f"model {model!r} needs the {package!r} package, which is not installed",
            hint=f"install it with: {install}",
        ) from None


def make_provider(model: str, settings: Settings) -> Provider:
    """The provider for ``model``, its client built from ``settings``.

    Raises:
        ConfigError: see :func:`provider_class`; or the provider needs a key and has none.
    """
    return provider_class(model)(model, settings)


@provider("openai", about="OpenAI or any compatible server via --base-url")
def _openai() -> type[Provider]:
    from extractor.providers.openai import OpenAIProvider

    return OpenAIProvider


@provider("anthropic", extra="anthropic", about="Anthropic's Messages API")
def _anthropic() -> type[Provider]:
    from extractor.providers.anthropic import AnthropicProvider

    return AnthropicProvider


@provider("gemini", extra="gemini", about="Google's Gemini API")
def _gemini() -> type[Provider]:
    try:
        from extractor.providers.gemini import GeminiProvider
    except ImportError as exc:  # "google" or "google.genai": name the distribution to install
        if (exc.name or "").partition(".")[0] != "google":
            raise
        raise ImportError(str(exc), name="google-genai") from exc
    return GeminiProvider


__all__ = [
    "Answer",
    "AuthFailure",
    "CallError",
    "Provider",
    "ProviderFactory",
    "ReasksExhausted",
    "RequestRejected",
    "TransientError",
    "make_provider",
    "provider",
    "provider_class",
    "provider_names",
]
