"""A provider that exists only in the tests: no SDK, no HTTP, answers scripted per article.

It is one module and one registration (see ``tests/test_providers.py``), which is all a new
provider takes. Its "SDK" raises :class:`FakeSDKError`; the provider's one table translates it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from benchmarks.simulator import default_answer, extract_article
from extractor.providers import Answer, CallError, Provider, ReasksExhausted
from extractor.usage import Usage

#: Tokens each fake call reports.
CALL_USAGE = (100, 20)


class FakeSDKError(Exception):
    """What the fake provider's SDK raises: an HTTP status and a message."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"Error code: {status_code} - {message}")
        self.status_code = status_code


@dataclass
class Sent:
    """One request the fake provider received."""

    article: str
    messages: list[dict[str, str]]
    #: the validation error of the previous answer, when this request is a re-ask
    reask_with: str | None = None
    #: the call parameters (temperature, seed...) the strategy passed
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Script:
    """Outcomes per article marker, consumed in order; then "ok".

    An outcome is "ok", "invalid", "ungrounded", an HTTP status the SDK fails with, or a dict of
    record values (and their ``evidence`` items) laid over the "ok" answer.
    """

    outcomes: dict[str, list[Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def next(self, article: str) -> Any:
        for marker, outcomes in self.outcomes.items():
            if marker in article and outcomes:
                return outcomes.pop(0)
        return "ok"


def answer(article: str, outcome: str | dict[str, Any]) -> str:
    """The tool arguments for ``outcome``: ok, invalid (schema violation), ungrounded, or values."""
    arguments = default_answer(article)
    if isinstance(outcome, dict):
        extra = dict(outcome)
        arguments["evidence"] = [*arguments["evidence"], *extra.pop("evidence", [])]
        arguments.update(extra)
    elif outcome == "invalid":
        arguments["police_hit_someone"] = "maybe"
    elif outcome == "ungrounded":
        arguments["evidence"] = [
            {"field": "city", "quote": "the city of big shoulders"},
            {"field": "state", "quote": "Chicago"},
        ]
    return json.dumps(arguments)


class FakeProvider(Provider):
    """``fake/<name>``: answers from :attr:`script`."""

    name = "fake"
    key_env_vars = ("FAKE_API_KEY",)
    workers_per_slot = 1
    error_map: ClassVar[tuple[tuple[type[BaseException], type[CallError] | None], ...]] = (
        (FakeSDKError, None),  # judged by its status
    )
    #: set by the tests before a run
    script: ClassVar[Script] = Script()

    async def structured(
        self,
        messages: list[dict[str, str]],
        response_model: type[BaseModel],
        *,
        max_retries: int,
        params: Mapping[str, Any],
        on_call: Callable[[], None],
    ) -> Answer:
        article = extract_article(messages)
        usage, reask_with, text = Usage(), None, None
        for _ in range(max_retries + 1):
            on_call()
            self.script.sent.append(Sent(article, messages, reask_with, dict(params)))
            outcome = self.script.next(article)
            if isinstance(outcome, int):  # the SDK fails; the message echoes the key
                failure = FakeSDKError(outcome, f"refused token {self.api_key}")
                raise self.translate(failure, usage) or failure
            usage.add(Usage(prompt_tokens=CALL_USAGE[0], completion_tokens=CALL_USAGE[1]))
            text = answer(article, outcome)
            try:
                return Answer(response_model.model_validate_json(text), usage)
            except ValidationError as exc:
                reask_with = str(exc)
        raise ReasksExhausted(self.redact(reask_with or ""), usage=usage, last_arguments=text)
