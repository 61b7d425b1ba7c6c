"""Token usage: one pydantic model for a call, an article, a line and a whole run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field


class Usage(BaseModel):
    """Tokens spent, re-asks and retries included.

    Serialised as ``{"prompt_tokens", "completion_tokens", "total_tokens"}`` (the predictions
    file's ``usage``); ``total_tokens`` is always the sum, whatever a file being read says.
    """

    model_config = ConfigDict(extra="ignore")

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        """Add ``other``'s tokens to these, in place."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens

    def as_dict(self) -> dict[str, int]:
        """The three counts as a plain dict (the JSON ``usage`` object)."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }

    @classmethod
    def from_body(cls, payload: Mapping[str, Any], *, prompt: str, completion: str) -> Usage | None:
        """Tokens from an answer's JSON ``usage`` object under a provider's key names, if any."""
        usage = payload.get("usage")
        if not isinstance(usage, Mapping):
            return None
        return cls(
            prompt_tokens=int(usage.get(prompt) or 0),
            completion_tokens=int(usage.get(completion) or 0),
        )
