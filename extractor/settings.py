"""One settings path: command-line flag, then ``EXTRACTOR_*`` variable, then ``.env``, then default.

:class:`Paths` (where state, prompts and the gold set live) is read on its own by the run store and
the prompt loader, so a bad run setting (``EXTRACTOR_CONCURRENCY=abc``) never hides the run store;
:class:`Settings` is every setting, paths included, and is what a run is configured with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from extractor.errors import ConfigError

#: The prompt template used when none is named.
DEFAULT_PROMPT = "incident@v1"
#: The model used when an API key or base URL is configured but no model is named.
DEFAULT_LLM = "openai/gpt-4o-mini"
RULES = "rules"
#: The variables holding the default LLM's key (besides the generic ``EXTRACTOR_API_KEY``).
DEFAULT_LLM_KEY_VARS = ("OPENAI_API_KEY",)
#: Where `extractor eval` and `extractor compare` find gold labels and articles by default.
DEFAULT_GOLD = Path("evals/gold")
DEFAULT_ARTICLES = (Path("seeds"), Path("evals/articles"))
#: Structured-output mechanisms (``--mode``): a forced tool call, a JSON schema, plain JSON.
MODES = ("tools", "json_schema", "json")
ENV_PREFIX = "EXTRACTOR_"
ENV_FILE = ".env"
#: Settings a run does not record: the secret, where state lives, and the eval defaults.
_NOT_RECORDED = {"api_key", "home", "gold", "articles"}


class Paths(BaseSettings):
    """Where the tool keeps its state and finds prompts and the gold set."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="ignore", populate_by_name=True
    )

    home: Path | None = Field(None, description="run store, cache and crash reports")
    prompts_path: Path | None = Field(None, description="folder of prompt templates")
    gold: Path = Field(DEFAULT_GOLD, description="folder of gold label files")
    articles: Annotated[tuple[Path, ...], NoDecode] = Field(
        DEFAULT_ARTICLES, description=f"articles to extract, separated by {os.pathsep!r}"
    )

    @field_validator("home", "prompts_path", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("articles", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        if isinstance(value, str):  # from the environment: a PATH-style list
            return tuple(part for part in value.split(os.pathsep) if part)
        return value


class Settings(Paths):
    """Everything a run can be configured with. Flags are passed in as keyword arguments."""

    model: str | None = Field(None, description="'rules' or 'openai/<name>'")
    base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. Ollama's")
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("EXTRACTOR_API_KEY", "api_key")
    )
    prompt: str = Field(DEFAULT_PROMPT, description="prompt template name@version")
    concurrency: int = Field(8, ge=1, le=512, description="requests in flight at once")
    max_retries: int = Field(2, ge=0, le=10, description="re-asks after a validation error")
    http_retries: int = Field(6, ge=0, le=50, description="retries of 429/5xx/timeouts")
    timeout: float = Field(60.0, gt=0, description="seconds per HTTP attempt")
    rpm: int | None = Field(None, ge=1, description="client-side limit: requests per minute")
    tpm: int | None = Field(None, ge=1, description="client-side limit: tokens per minute")
    prices: Path | None = Field(None, description="JSON price table overriding the built-in one")
    max_input_tokens: int | None = Field(None, ge=1, description="override the context limit")
    mode: Literal["tools", "json_schema", "json"] = Field(
        "tools", description="structured output: tools, json_schema or json"
    )
    context_window: int | None = Field(
        None, ge=256, description="the model's context window in tokens (else asked of the server)"
    )
    samples: int = Field(
        1, ge=1, le=50, description="model calls per article, merged to the per-field majority"
    )
    cache: bool = Field(True, description="answer unchanged requests from the response cache")
    max_cost: float | None = Field(
        None,
        ge=0,
        description="US dollars the run may spend at most: refused before sending if the "
        "estimate is over, stopped (resumable) before a request could pass it",
    )
    batch_max_requests: int = Field(
        50_000, ge=1, description="requests per provider batch file (OpenAI's limit: 50,000)"
    )
    batch_max_bytes: int = Field(
        200_000_000, ge=1_000, description="bytes per provider batch file (OpenAI's limit: 200 MB)"
    )
    batch_poll_s: float = Field(
        10.0, gt=0, description="seconds before the first poll of a batch (then growing to 5 min)"
    )

    def public_dict(self) -> dict[str, Any]:
        """The settings a run records: everything but the secret and the eval defaults."""
        data = self.model_dump(exclude=_NOT_RECORDED, mode="json")
        data["api_key_set"] = (
            self.api_key is not None or self.key_for(DEFAULT_LLM_KEY_VARS) is not None
        )
        return data

    def key_for(self, env_vars: Sequence[str]) -> SecretStr | None:
        """A provider's key: ``EXTRACTOR_API_KEY`` (or ``api_key=``), else its own variables.

        A provider's variable is read from the environment, then from ``.env``.
        """
        if self.api_key is not None:
            return self.api_key
        env_file = self.model_config.get("env_file")
        dotenv = dotenv_values(env_file) if isinstance(env_file, str) else {}
        for name in env_vars:
            value = os.environ.get(name) or dotenv.get(name)
            if value:
                return SecretStr(value)
        return None

    def resolved_model(self) -> tuple[str, bool]:
        """The model to use, and whether it is the offline default nobody asked for."""
        if self.model:
            return self.model, False
        # the default LLM's own key counts; another provider's key does not pick OpenAI
        if self.base_url or self.key_for(DEFAULT_LLM_KEY_VARS) is not None:
            return DEFAULT_LLM, False
        return RULES, True


def load_settings(
    flags: Mapping[str, Any] | None = None, *, names: Mapping[str, str] | None = None
) -> Settings:
    """Settings from ``flags`` (``None`` values are "not given") over the environment and ``.env``.

    Args:
        flags: setting name to value, as given on the command line or to a library call.
        names: how each flag is spelled for the user (``{"concurrency": "--concurrency"}``);
            a flag without one is named ``name=``.

    Raises:
        ConfigError: a value is invalid; the message names the flag, variable or ``.env`` entry
            it came from and what a valid value is.
    """
    given = {key: value for key, value in (flags or {}).items() if value is not None}
    return _build(Settings, given, names or {})


def load_paths() -> Paths:
    """Where state, prompts and the gold set are (see :func:`load_settings` for the errors)."""
    return _build(Paths, {}, {})


_S = TypeVar("_S", bound=Paths)


def _build(cls: type[_S], given: Mapping[str, Any], names: Mapping[str, str]) -> _S:
    try:
        return cls(**given)
    except ValidationError as exc:
        raise _invalid(exc, cls, given, names) from None


def _invalid(
    exc: ValidationError, cls: type[Paths], given: Mapping[str, Any], names: Mapping[str, str]
) -> ConfigError:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    info = cls.model_fields.get(field)
    variable = f"{ENV_PREFIX}{field.upper()}"
    secret = info is not None and info.annotation == SecretStr | None
    shown = "[hidden]" if secret else repr(error.get("input"))
    if field in given:
        where = f"{names[field]} {shown}" if field in names else f"{field}={shown}"
    elif variable in os.environ:
        where = f"{variable}={shown}"
    else:
        where = f"{variable}={shown} (in {Path(ENV_FILE).resolve()})"
    reason = str(error["msg"])
    detail = reason[:1].lower() + reason[1:]
    description = info.description if info is not None and info.description else field
    default = "" if info is None or info.default is None else f"; the default is {info.default}"
    return ConfigError(
        f"{where} is invalid: {detail}",
        hint=f"{field.replace('_', ' ')}: {description}{default}",
    )


def state_dir() -> Path:
    """Where the tool keeps its state (run store, cache): ``EXTRACTOR_HOME`` or the user data dir."""
    home = load_paths().home
    if home is not None:
        return home
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "extractor"
