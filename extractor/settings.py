"""One settings path: command-line flag, then ``EXTRACTOR_*`` variable, then ``.env``, then default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from extractor.prompts import DEFAULT_PROMPT

#: The model used when an API key or base URL is configured but no model is named.
DEFAULT_LLM = "openai/gpt-4o-mini"
RULES = "rules"
#: Where `extractor eval` and `extractor compare` find gold labels and articles by default.
DEFAULT_GOLD = Path("evals/gold")
DEFAULT_ARTICLES = (Path("seeds"), Path("evals/articles"))


class Settings(BaseSettings):
    """Everything a run can be configured with. Flags are passed in as keyword arguments."""

    model_config = SettingsConfigDict(
        env_prefix="EXTRACTOR_", env_file=".env", extra="ignore", populate_by_name=True
    )

    model: str | None = Field(None, description="'rules' or 'openai/<name>'")
    base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. Ollama's")
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("EXTRACTOR_API_KEY", "OPENAI_API_KEY", "api_key")
    )
    prompt: str = DEFAULT_PROMPT
    concurrency: int = Field(8, ge=1, le=512)
    max_retries: int = Field(2, ge=0, le=10, description="re-asks after a validation error")
    http_retries: int = Field(6, ge=0, le=50, description="retries of 429/5xx/timeouts")
    timeout: float = Field(60.0, gt=0, description="seconds per HTTP attempt")
    rpm: int | None = Field(None, ge=1, description="client-side limit: requests per minute")
    tpm: int | None = Field(None, ge=1, description="client-side limit: tokens per minute")
    prices: Path | None = Field(None, description="JSON price table overriding the built-in one")
    max_input_tokens: int | None = Field(None, ge=1, description="override the context limit")
    cache: bool = Field(True, description="answer unchanged requests from the response cache")

    def public_dict(self) -> dict[str, Any]:
        """The settings a run records: everything but the secret."""
        data = self.model_dump(exclude={"api_key"}, mode="json")
        data["api_key_set"] = self.api_key is not None
        return data

    def resolved_model(self) -> tuple[str, bool]:
        """The model to use, and whether it is the offline default nobody asked for."""
        if self.model:
            return self.model, False
        if self.api_key is not None or self.base_url:
            return DEFAULT_LLM, False
        return RULES, True


def state_dir() -> Path:
    """Where the tool keeps its state (run store, cache): ``EXTRACTOR_HOME`` or the user data dir."""
    override = os.environ.get("EXTRACTOR_HOME")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "extractor"
